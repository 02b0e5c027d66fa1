"""Issue 19, whole-process start-up: what was made lighter for a one-year `simulate` computes or
writes exactly what it replaced (numpy's quantiles, PyYAML's pure dumper, importlib.metadata's
versions), the workbook is reproducible, and the command imports neither openpyxl nor
numpy.ma."""

from __future__ import annotations

import importlib.metadata
import random
import struct
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

import respons
from respons.analysis.quantiles import distinct_count, quantile
from respons.cli import main
from respons.config.loading import load_config
from respons.runs import outputs
from respons.runs.outputs import dump_yaml, resolved_yaml, versions

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(respons.__file__).parent / "data"
MM2 = ROOT / "benchmarks" / "mm2.yaml"


# ------------------------------------------------------------------------------ quantiles

def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _samples(rng: np.random.Generator) -> list[np.ndarray]:
    out = []
    for n in (1, 2, 3, 4, 5, 7, 10, 101, 1000, *rng.integers(1, 3000, 20)):
        n = int(n)
        out += [rng.normal(size=n) * 10.0 ** rng.integers(-8, 8),
                rng.integers(0, 4, n).astype(float),  # ties
                np.where(rng.random(n) < 0.4, 0.0, rng.exponential(240.0, n)),  # waits
                rng.choice([0.0, -0.0, 1.0, np.inf, -np.inf], n),
                rng.normal(size=n).astype(np.float32),
                rng.integers(-50, 50, n)]
        with_nan = rng.normal(size=n)
        with_nan[rng.random(n) < 0.1] = np.nan
        out.append(with_nan)
    return out


def test_quantile_is_numpys_bit_for_bit():
    rng = np.random.default_rng(19)
    qs = [0.0, 1.0, 0.5, 0.9, 0.99, 0.25, 1 - 1e-16, 5e-324, *rng.random(6)]
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf, as numpy's own
        for x in _samples(rng):
            for q in qs:
                before = x.copy()
                got, want = quantile(x, q), float(np.quantile(x, q))
                assert _bits(got) == _bits(want), (x[:8], x.size, q, got, want)
                np.testing.assert_array_equal(x, before)  # the input is left as it was
                checked += 1
    assert checked > 2000
    assert np.isnan(quantile(np.array([1.0, np.nan, 2.0]), 0.5))  # NaN as numpy
    assert np.isnan(quantile(np.array([]), 0.5))
    for q in (-0.1, 1.1, float("nan")):
        with pytest.raises(ValueError):
            quantile(np.arange(3.0), q)


def test_distinct_count_is_the_size_of_numpys_unique():
    rng = np.random.default_rng(7)
    for _ in range(200):
        x = rng.integers(-3, int(rng.integers(1, 40)), int(rng.integers(0, 300)))
        assert distinct_count(x) == np.unique(x).size
    assert distinct_count(np.array([], dtype=np.int16)) == 0


# -------------------------------------------------------------------- the YAML dumper

SHIPPED = sorted(p for p in DATA.rglob("*.yaml") if p.parent.name not in ("shifts", "sweeps"))


def _pure(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(DATA)))
def test_resolved_yaml_is_the_pure_dumpers_for_every_shipped_config(path: Path):
    cfg = load_config(path)
    data = cfg.model_dump(mode="json")
    text = resolved_yaml(cfg)
    assert text == _pure(data)
    if hasattr(yaml, "CSafeDumper"):  # and libyaml's emitter is used there, giving the same
        assert outputs._c_safe(data)
        assert yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False,
                         allow_unicode=True) == text
    assert resolved_yaml(cfg) is text  # computed once per config


def test_dump_yaml_is_the_pure_dumpers_on_any_text():
    """Text libyaml writes differently (emoji, NEL, line breaks in long quoted strings, long
    keys) goes to the pure dumper; the rest gives the same bytes either way."""
    rnd = random.Random(19)
    odd = " ab:#-'\"ø中\xa0😀\n\t\x85\u2028\x07{}[],&*!|>%@`?"
    plain = " ab:#-'\"øæå中\xa0–“”"
    differ = 0

    def text(lo: int, hi: int) -> str:
        chars = odd if rnd.random() < 0.3 else plain
        return "".join(rnd.choice(chars) for _ in range(rnd.randint(lo, hi)))

    def data(depth: int = 0) -> object:
        r = rnd.random()
        if depth > 3 or r < 0.3:
            return rnd.choice([text(0, 200), rnd.random() * 10.0 ** rnd.randint(-20, 20),
                               rnd.randint(-10**6, 10**6), None, True, float("inf")])
        if r < 0.6:
            return [data(depth + 1) for _ in range(rnd.randint(0, 4))]
        return {text(1, 150): data(depth + 1) for _ in range(rnd.randint(0, 4))}

    for _ in range(3000):
        d = {"description": data()}
        want = _pure(d)
        assert dump_yaml(d) == want, d
        if hasattr(yaml, "CSafeDumper"):
            differ += yaml.dump(d, Dumper=yaml.CSafeDumper, sort_keys=False,
                                allow_unicode=True) != want
    if hasattr(yaml, "CSafeDumper"):
        assert differ > 100  # the cases the guard is there for were drawn


# ------------------------------------------------------------------------------ versions

def test_versions_are_importlib_metadatas():
    got = versions()
    for name in outputs.PACKAGES:
        try:
            want = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            want = "missing"
        assert got[name] == want, name
    assert got["respons"] == respons.__version__


# ------------------------------------------------------------------ workbook, imports

def test_summary_workbook_is_the_same_bytes_on_every_run(tmp_path: Path):
    argv = ["simulate", "--config", str(MM2), "--set", "period.end=2021-01-15",
            "--replications", "2", "--no-events", "--no-report", "--lang", "nb"]
    for name in ("a", "b"):
        assert main([*argv, "--out", str(tmp_path / name)]) == 0
    first = (tmp_path / "a" / "summary.xlsx").read_bytes()
    assert first[:2] == b"PK" and first == (tmp_path / "b" / "summary.xlsx").read_bytes()
    assert not list(tmp_path.glob("*/.*tmp"))


def test_workbook_keeps_its_layout(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    from respons.report.excel import write_workbook
    from respons.report.tables import Column, Table

    tab = Table("KPIs", "Title", [Column("kpi"), Column("value", "*"), Column("unit")],
                [["a\x02b", 0.25, "share"], ["n", 36063, "count"], ["yes", True, ""],
                 ["gone", float("nan"), "s"], ["=1+1", 1.5, "s"]], notes=["a note"])
    path = write_workbook(tmp_path / "t.xlsx", [tab])
    ws = openpyxl.load_workbook(path)["KPIs"]
    assert ws["A1"].value == "Title" and ws["A1"].font.b and ws["A1"].font.sz == 12
    assert [c.value for c in ws[2]] == ["kpi", "value", "unit"] and ws["B2"].font.b
    assert ws["B2"].alignment.wrap_text and ws.freeze_panes == "A3"
    assert (ws["A3"].value, ws["B3"].value, ws["B3"].number_format) == ("ab", 0.25, "0.0%")
    assert (ws["B4"].value, ws["B4"].number_format) == (36063, "#,##0")
    assert ws["B5"].value is True and ws["B6"].value is None
    assert ws["A7"].value == "=1+1" and ws["A7"].data_type == "s"  # text, never a formula
    assert ws["A9"].value == "a note" and ws["A8"].value is None
    assert ws.column_dimensions["A"].width > 5
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_one_year_simulate_imports_neither_openpyxl_nor_numpy_ma(tmp_path: Path):
    code = ("import sys\nfrom respons.cli.main import main\n"
            "rc = main(sys.argv[1:])\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
            "sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code, "simulate", "--config", str(MM2),
                           "--set", "period.end=2021-02-01", "--replications", "1",
                           "--no-events", "--no-report", "--out", str(tmp_path / "run")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stderr.split())
    assert "xlsxwriter" in loaded and (tmp_path / "run" / "summary.xlsx").is_file()
    assert not loaded & {"openpyxl", "numpy.ma", "PIL"}, sorted(loaded & {"openpyxl",
                                                                          "numpy.ma", "PIL"})


def test_the_process_entry_freezes_what_it_holds_before_shutdown(monkeypatch):
    """`python -m respons` and the `respons` script end by freezing the objects left, so
    that the interpreter's shutdown does not collect over all of them again."""
    import gc

    import respons.cli
    from respons.__main__ import entry

    monkeypatch.setattr(respons.cli, "main", lambda: 0)
    assert gc.get_freeze_count() == 0
    try:
        assert entry() == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process goes on


def test_a_frozen_process_still_writes_everything(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "respons", "simulate", "--config", str(MM2),
                           "--set", "period.end=2021-01-08", "--replications", "2", "--jobs",
                           "2", "--no-report", "--out", str(tmp_path / "run")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(f"run directory: {tmp_path / 'run'}")
    assert (tmp_path / "run" / "events.parquet").stat().st_size > 0
    assert not list(tmp_path.glob(".*"))  # landed: no partial directory or lock left
