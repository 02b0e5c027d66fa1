"""A rota file from `roster`, uploaded on the page: its `roster.csv` (pool, day, start, end,
people) or its `config.roster.yaml` overlay. Either becomes a `Rota`: the overlay that puts
the rota's shifts into the page's config (the rostered pool's shifts, the extra layers the
roster may add as pools, and the cost services' pool lists), checked against that config."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError

from respons.config import WEEKDAYS, ScenarioConfig, Shift
from respons.config.loading import apply_overlay, parse_mapping, validate
from respons.errors import UserError
from respons.studies.roster_outputs import ROSTER_COLUMNS
from respons.studies.roster_verify import RotaShift, overlay
from respons.web.whatif import Rota

MAX_ROTA_BYTES = 200_000
MAX_ROWS = 2_000


def read_rota(name: str, content: bytes, cfg: ScenarioConfig,
              preferred_pool: str | None = None) -> Rota:
    """The rota in an uploaded file (by its name: .csv, else YAML), checked by applying it to
    `cfg`. Bad files raise a UserError naming the file, line or field."""
    if len(content) > MAX_ROTA_BYTES:
        raise UserError(f"rota file {name}: larger than {MAX_ROTA_BYTES:,} bytes; a rota from "
                        "`roster` is a few kilobytes.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"rota file {name}: not UTF-8 text.") from None
    if name.lower().endswith(".csv"):
        doc = _csv_overlay(name, text, cfg, preferred_pool)
    else:
        doc = _yaml_overlay(name, text)
    label = f"rota file {name}"
    rota_cfg = validate(apply_overlay(cfg.model_dump(mode="json"), doc, label), label)
    pool = next(p.split(".")[1] for p in doc["set"] if p.endswith(".shifts"))
    new = {p.name for p in rota_cfg.pools} - {p.name for p in cfg.pools}
    hours = sum(sum(sh.staff * (sh.span_s[1] - sh.span_s[0]) * len(sh.days) for sh in p.shifts)
                for p in rota_cfg.pools if p.name == pool or p.name in new) / 3600
    return Rota(name, doc, pool, round(hours, 2))


def _yaml_overlay(name: str, text: str) -> dict[str, Any]:
    """The rota part of a config.roster.yaml: `set` of pools and cost services, `append` of
    pools; the rest of the file (its base, seed, ...) is the page's own config."""
    data = parse_mapping(text, f"rota file {name}")
    sets = data.get("set") or {}
    appends = data.get("append") or {}
    if not isinstance(sets, dict) or not isinstance(appends, dict):
        raise UserError(f"rota file {name}: `set` and `append` must be mappings.")
    keep = {str(k): v for k, v in sets.items()
            if str(k).startswith(("pools.", "costs.services."))}
    if not any(k.startswith("pools.") and k.endswith(".shifts") for k in keep):
        raise UserError(f"rota file {name} is not a rota from `roster`: it sets no "
                        "`pools.NAME.shifts` (upload roster.csv or config.roster.yaml).")
    doc: dict[str, Any] = {"set": keep}
    if "pools" in appends:
        doc["append"] = {"pools": appends["pools"]}
    return doc


def _csv_overlay(name: str, text: str, cfg: ScenarioConfig,
                 preferred_pool: str | None) -> dict[str, Any]:
    """roster.csv as an overlay: the rows of the pool of `cfg` they name (the roster's first
    layer) and of its extra layers (pools not in `cfg`, copied from it)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ROSTER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise UserError(f"rota file {name}: columns {missing} missing; roster.csv has "
                        f"{list(ROSTER_COLUMNS)}.")
    rota = []
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS:
            raise UserError(f"rota file {name}: more than {MAX_ROWS} rows.")
        rota += _row(name, line, row)
    if not rota:
        raise UserError(f"rota file {name}: no shifts with people in it.")
    pools = list(dict.fromkeys(r.pool for r in rota))
    known = [p for p in pools if any(q.name == p for q in cfg.pools)]
    if not known:
        raise UserError(f"rota file {name}: its pools {pools} are not in this config "
                        f"({[p.name for p in cfg.pools]}).")
    chosen = preferred_pool if preferred_pool in known else known[0]
    if len(known) > 1:
        others = [p for p in known if p != chosen]
        raise UserError(f"rota file {name}: rows for pools {known}; a rota from `roster` "
                        f"rosters one pool of the config (and layers it adds), not {others}.")
    pool = next(p for p in cfg.pools if p.name == chosen)
    return overlay(cfg, pool, rota)


def _row(name: str, line: int, row: dict[str, Any]) -> list[RotaShift]:
    where = f"rota file {name}, line {line}"
    pool, day = str(row.get("pool") or "").strip(), str(row.get("day") or "").strip().lower()
    start, end = str(row.get("start") or "").strip(), str(row.get("end") or "").strip()
    if not pool:
        raise UserError(f"{where}: `pool` is empty.")
    if day not in WEEKDAYS:
        raise UserError(f"{where}: day '{day}' is not one of {list(WEEKDAYS)}.")
    try:
        people = int(str(row.get("people") or "").strip())
    except ValueError:
        raise UserError(f"{where}: people '{row.get('people')}' is not a whole number.") from None
    if people < 0:
        raise UserError(f"{where}: people must be 0 or more, got {people}.")
    if people == 0:
        return []
    try:
        shift = Shift(days=[day], start=start, end=end, staff=people)
    except ValidationError as e:
        msg = e.errors()[0]["msg"].removeprefix("Value error, ")
        raise UserError(f"{where}: {msg}.") from None
    s, e = shift.span_s
    return [RotaShift(pool, day, start, end, people, WEEKDAYS.index(day) * 1440 + s // 60,
                      (e - s) // 60)]
