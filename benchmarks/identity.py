"""Results must not move when the engine gets faster: SHA-256 of the output files of a few
`simulate` runs, to compare before and after a change (issue 19).

    python benchmarks/identity.py [--out hashes.json] [--compare hashes.json] [--jobs N]

Each case runs `python -m respons simulate --config CONFIG --replications R --no-report
--out TMP` (with the case's `--set` overrides, and `--jobs N` if given) and hashes
summary.json, replications.csv, events.parquet and municipalities.csv (where written). With
`--compare` the hashes are checked against a file written before; the exit code is 1 if any
differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "respons" / "data"
FILES = ("summary.json", "replications.csv", "events.parquet", "municipalities.csv")
# name -> (config, replications, --set overrides): the baseline (follow-ups, the nurses'
# interruptible walk-ins), a follow-up config, the Erlang C check, a storm, home-care teams
# (scoped lanes, travel), growth to 2036 (more pre-emption) and the at-once shift change.
CASES: dict[str, tuple[Path, int, tuple[str, ...]]] = {
    "vaernes-2020": (DATA / "vaernes-2020.yaml", 3, ()),
    "callback": (DATA / "validation" / "callback.yaml", 3, ()),
    "mmc": (DATA / "validation" / "mmc.yaml", 3, ()),
    "storm-outage": (DATA / "scenarios" / "storm-outage.yaml", 2, ()),
    "homecare-teams": (DATA / "scenarios" / "homecare-teams.yaml", 2, ()),
    "growth-2036": (DATA / "scenarios" / "growth-2036.yaml", 2, ()),
    "at-once": (DATA / "vaernes-2020.yaml", 2, ("pools.0.shift_change=at_once",
                                                 "pools.3.shift_change=at_once")),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_case(name: str, config: Path, reps: int, sets: tuple[str, ...], tmp: Path,
             jobs: int) -> dict[str, str]:
    out = tmp / name
    cmd = [sys.executable, "-m", "respons", "simulate", "--config", str(config),
           "--replications", str(reps), "--no-report", "--out", str(out)]
    for s in sets:
        cmd += ["--set", s]
    if jobs != 1:
        cmd += ["--jobs", str(jobs)]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return {f: digest(out / f) for f in FILES if (out / f).exists()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the hashes here (JSON)")
    parser.add_argument("--compare", type=Path, help="compare with hashes written before")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="case names (default: all)")
    args = parser.parse_args(argv)
    hashes: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (config, reps, sets) in CASES.items():
            if args.only and name not in args.only:
                continue
            hashes[name] = run_case(name, config, reps, sets, Path(tmp), args.jobs)
            print(name, {f: h[:12] for f, h in hashes[name].items()}, flush=True)
    if args.out:
        args.out.write_text(json.dumps(hashes, indent=2) + "\n", encoding="utf-8")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        bad = [f"{n}/{f}" for n, h in hashes.items() for f in FILES
               if before.get(n, {}).get(f) != h.get(f)]
        print("identical" if not bad else "DIFFERENT: " + ", ".join(bad))
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
