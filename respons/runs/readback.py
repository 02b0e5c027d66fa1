"""Reading a run's own outputs back (for `report`): every file is checked as it is read, and
damage (a truncated or edited summary.json, a broken CSV or Parquet file, a wrong column) is a
UserError naming the file and the field, never a traceback deep inside a figure.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from respons.errors import UserError, describe_validation
from respons.runs.rundir import read_json_file

if TYPE_CHECKING:
    from respons.analysis.breakdown import Breakdown
    from respons.config import ScenarioConfig

#: Columns of events.parquet the report reads (to count its tallies), and whether they are
#: numbers (else labels).
EVENT_COLUMNS = {
    "replication": True, "priority": True, "category": False, "outcome": False,
    "answered_by": False, "municipality": False, "arrival_s": True, "answer_s": True,
    "end_s": True, "wait_s": True, "homecare_arrival_s": True, "by_backup": True,
    "rerouted": True,
}


class _Doc(BaseModel):
    """Strict: JSON types as respons writes them, no coercion (a text "0.9" or a `true` where
    a number belongs is damage, not a number)."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, strict=True)


class KpiEntry(_Doc):
    """One KPI of summary.json."""

    mean: float | None
    ci_low: float | None
    ci_high: float | None
    unit: str


class Period(_Doc):
    start: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    end: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class GoalEntry(_Doc):
    """A goal and its verdict (the alarm goal; each category's goal has the same form)."""

    share: float = Field(ge=0, le=1)
    within_s: float | None = None
    kpi: str | None = None
    met: bool | None = None
    verdict: str | None = None
    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    categories: dict[str, GoalEntry] = {}
    verdict_all: str | None = None


class Costs(_Doc):
    total_nok: float
    by_service: dict[str, float | None] = {}
    by_municipality: dict[str, float | None] = {}


class MunicipalityEntry(_Doc):
    """One municipality's KPIs (those the report shows) and cost."""

    alarms: KpiEntry | None = None
    alarms_within_target_share: KpiEntry | None = None
    homecare_visits: KpiEntry | None = None
    technical_alerts: KpiEntry | None = None
    cost_nok: float | None = None


class Summary(_Doc):
    """The parts of summary.json the report relies on."""

    scenario: str
    replications: int = Field(ge=1)
    seed: int | None = None
    period: Period
    target_s: float | None = Field(default=None, gt=0)
    goal: GoalEntry | None = None
    kpis: dict[str, KpiEntry] = Field(min_length=1)
    costs: Costs | None = None
    by_municipality: dict[str, MunicipalityEntry] = {}
    roster_fte: dict[str, float] = {}


class Figure(_Doc):
    """One entry of figures/index.json: its name names its files (plain names only)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    title: str = ""
    caption: str = ""
    files: list[str] = []


class FigureIndex(_Doc):
    """figures/index.json, written with the figures."""

    figures: list[Figure] = []
    note: str | None = None


def _damaged(err: ValidationError, path: Path) -> UserError:
    return UserError(describe_validation(err, str(path)).replace(
        "invalid configuration in", "damaged file"))


def read_summary(path: Path) -> dict[str, Any]:
    """summary.json of a run, checked."""
    data = read_json_file(path, "run summary")
    if not isinstance(data, dict):
        raise UserError(f"run summary {path} is damaged: not a JSON object.")
    try:
        Summary.model_validate(data)
    except ValidationError as e:
        raise _damaged(e, path) from None
    return data


def read_figure_index(path: Path) -> dict[str, Any]:
    """figures/index.json, checked (its names become file names read into the report)."""
    data = read_object(path, "figure index")
    try:
        FigureIndex.model_validate(data)
    except ValidationError as e:
        raise _damaged(e, path) from None
    return data


def read_object(path: Path, what: str) -> dict[str, Any]:
    """A JSON file that must hold an object (metadata.json, design.json)."""
    data = read_json_file(path, what)
    if not isinstance(data, dict):
        raise UserError(f"{what} {path} is damaged: not a JSON object.")
    return data


def read_table(path: Path, numeric: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV written by respons; the named columns, when present, must be numbers."""
    try:
        df = pd.read_csv(path)
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"table {path} cannot be read: {e}.") from None
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise UserError(f"table {path} is damaged (not a CSV table: "
                        f"{' '.join(str(e).split())}).") from None
    for col in numeric:
        if col in df.columns and not pd.api.types.is_numeric_dtype(df[col]):
            raise UserError(f"table {path}: column `{col}` holds values that are not numbers "
                            "(the file is damaged).")
    return df


def read_events(path: Path) -> pd.DataFrame:
    """events.parquet of a run: readable, with every column the report needs."""
    import pyarrow as pa

    try:
        df = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as e:
        raise UserError(f"event table {path} is damaged (not a readable Parquet file: "
                        f"{' '.join(str(e).split())[:200]}).") from None
    missing = [c for c in EVENT_COLUMNS if c not in df.columns]
    if missing:
        raise UserError(f"event table {path} lacks column(s) {missing}; it is damaged or from "
                        "another version.")
    for col, numeric in EVENT_COLUMNS.items():
        if numeric and not (pd.api.types.is_numeric_dtype(df[col])
                            or pd.api.types.is_bool_dtype(df[col])):
            raise UserError(f"event table {path}: column `{col}` holds values that are not "
                            "numbers (the file is damaged).")
    return df


def read_breakdown(path: Path, cfg: ScenarioConfig, replications: int | None = None) -> Breakdown:
    """breakdown.npz of a run (the tallies the figures are drawn from): readable, laid out
    for the run's config, and made of counts and times (nan for none), one row per
    replication."""
    from respons.analysis.breakdown import Breakdown, layout_of

    try:
        b = Breakdown.load(path)
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as e:
        raise UserError(f"tallies {path} are damaged (not a readable .npz file of respons: "
                        f"{' '.join(str(e).split())[:200]}).") from None
    if b.layout != layout_of(cfg):
        raise UserError(f"tallies {path} are laid out for another period, target or "
                        "priorities than config.resolved.yaml; the file is damaged or from "
                        "another run.")
    firsts = {a.shape[0] if a.ndim else -1 for a in b.arrays.values()}
    want = {replications} if replications is not None else firsts
    if not b.arrays or len(firsts) != 1 or firsts != want:
        raise UserError(f"tallies {path} do not hold one row per replication; the file is "
                        "damaged or from another run.")
    for name, a in b.arrays.items():
        if a.dtype.kind not in "iuf" or np.isinf(a).any():  # nan: "none", e.g. no IT work
            raise UserError(f"tallies {path}: array `{name}` holds values that are not "
                            "counts or times (the file is damaged).")
    return b

