"""Published figures no input was tuned to, and what the model predicts for them.

Each prediction is computed from the year configs alone (expected values and the cost
allocation: no simulation noise), with the band of respons/studies/targets.py. A row holds the
model's value, the band as bounds on that value (`lower`, `upper`, the numbers its `band` text
shows) and whether it is inside: `lower <= model <= upper`. Costs are in NOK 1,000 (unit
`nok_thousand`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

from respons.analysis.costs import allocate
from respons.config import Category, Costs, ScenarioConfig
from respons.engine.arrivals import expected_count
from respons.engine.rosters import on_duty
from respons.studies.scenarios import ACCOUNTS_2020_KNOK
from respons.studies.targets import (
    ANSWER_SERVICE_KNOK,
    COST_2019_REASON,
    COST_SPLIT_REASON,
    GO_LIVE_2020,
    LEGEVAKT_116117,
    LEGEVAKT_SPLIT_BAND,
    LEGEVAKT_SPLIT_REASON,
    LOYO_BAND,
    LOYO_REASON,
)

DAY = 86400.0
KNOK = "nok_thousand"  # the unit of the cost rows: NOK 1,000
SERVICE_LABELS = {"answer_service": "answer-service", "it_technical": "IT-technical"}


def row(year: int, figure: str, key: str, published: float, model: float, lower: float,
        upper: float, band: str, unit: str, reason: str) -> dict:
    """One predicted figure: the model's value must lie in [lower, upper]."""
    return {"year": year, "figure": figure, "kpi": key, "role": "predicted",
            "published": published, "simulated_mean": model, "ci_low": model,
            "ci_high": model, "band": band, "lower": lower, "upper": upper,
            "inside": bool(lower - 1e-9 <= model <= upper + 1e-9), "unit": unit,
            "reason": reason}


def _ranged(year: int, figure: str, key: str, published: float, model: float,
            lo: float, hi: float, unit: str, reason: str) -> dict:
    """A prediction whose model value spans [lo, hi] over the go-live month: inside when the
    published figure lies in that span, i.e. the model within [published - (hi - model),
    published + (model - lo)]: those bounds are `lower`, `upper` and the band text."""
    lower, upper = published - (hi - model), published + (model - lo)
    below, above = round(lower - published), round(upper - published)
    band = (f"accounts {below:+,d}/{above:+,d} for the go-live month: {lower:,.0f} – "
            f"{upper:,.0f}")
    return row(year, figure, key, published, model, lower, upper, band, unit, reason)


def predictions(cfgs: dict[int, ScenarioConfig]) -> list[dict]:
    """Every prediction the given year configs allow (2019 and/or 2020)."""
    out: list[dict] = []
    if 2020 in cfgs:
        out += cost_split_2020(cfgs[2020])
    if 2019 in cfgs and 2020 in cfgs:
        out += technical_other_year(cfgs)
        out += answer_service_cost_2019(cfgs[2019], cfgs[2020])
    for year, cfg in sorted(cfgs.items()):
        out += legevakt_split(year, cfg)
    return out


# ---- the 2020 cost split by municipality ----

def _split(cfg: ScenarioConfig, service: str, joined: dict[str, dt.date]) -> dict[str, float]:
    """NOK 1,000 per municipality for one service, with the given go-live dates."""
    assert cfg.costs is not None
    svc = next(s for s in cfg.costs.services if s.name == service)
    munis = [m.model_copy(update={"joined": joined.get(m.name, m.joined)})
             for m in cfg.municipalities]
    alloc = allocate(cfg.model_copy(update={"costs": Costs(services=[svc]),
                                            "municipalities": munis}))
    assert alloc is not None
    by = alloc["by_municipality"]
    assert isinstance(by, dict)
    return {name: v / 1000 for name, v in by.items()}


def _corners(cfg: ScenarioConfig) -> Iterator[dict[str, dt.date]]:
    """Every combination of first and last go-live day of the newcomers in the config."""
    names = [m.name for m in cfg.municipalities if m.name in GO_LIVE_2020]
    for ends in itertools.product((0, 1), repeat=len(names)):
        yield {n: GO_LIVE_2020[n][e] for n, e in zip(names, ends, strict=True)}


def cost_split_2020(cfg: ScenarioConfig) -> list[dict]:
    """Each member's 2020 payment per service: model vs the accounts (seed-facts.md §2.12)."""
    if cfg.costs is None or cfg.period.start.year != 2020:
        return []
    rows = []
    corners = list(_corners(cfg))
    for svc in cfg.costs.services:
        accounts = ACCOUNTS_2020_KNOK.get(svc.name)
        if accounts is None:
            continue
        model = _split(cfg, svc.name, {})
        spread = [_split(cfg, svc.name, c) for c in corners]
        members = {m.name for m in cfg.municipalities if svc.category in m.services}
        label = SERVICE_LABELS.get(svc.name, svc.name)
        for name, paid in accounts.items():
            if name not in members and paid == 0:
                continue
            m0 = model.get(name, 0.0)
            lo = min(s.get(name, 0.0) for s in spread)
            hi = max(s.get(name, 0.0) for s in spread)
            rows.append(_ranged(
                2020, f"{label} cost 2020, {name} (NOK 1,000)", f"cost_{svc.name}_knok:{name}",
                float(paid), m0, lo, hi, KNOK, COST_SPLIT_REASON))
    return rows


# ---- leave one year out ----

def _technical_rates(cfg: ScenarioConfig) -> dict[str, float]:
    return {k.name: k.rate.per_year for k in cfg.event_kinds if k.category == Category.technical}


def expected_category(cfg: ScenarioConfig, category: Category) -> float:
    by_name = {m.name: m for m in cfg.municipalities}
    return sum(expected_count(cfg, k, by_name[m]) for k in cfg.event_kinds
               if k.category == category for m in cfg.kind_municipalities(k))


def _with_rates(cfg: ScenarioConfig, rates: dict[str, float]) -> ScenarioConfig:
    kinds = [k.model_copy(update={"rate": k.rate.model_copy(update={"per_year": rates[k.name]})})
             if k.name in rates else k for k in cfg.event_kinds]
    return cfg.model_copy(update={"event_kinds": kinds})


def technical_other_year(cfgs: dict[int, ScenarioConfig]) -> list[dict]:
    """Each year's technical alerts from the other year's fitted rates (expected values)."""
    published = {2019: 867.0, 2020: 4200.0}
    rows = []
    for year, other in ((2019, 2020), (2020, 2019)):
        rates = _technical_rates(cfgs[other])
        if set(rates) != set(_technical_rates(cfgs[year])):
            continue
        model = expected_category(_with_rates(cfgs[year], rates), Category.technical)
        p = published[year]
        rows.append(row(year, f"technical alerts, from the {other} rates",
                        "technical_alerts_other_year", p, model, p * (1 - LOYO_BAND),
                        p * (1 + LOYO_BAND), f"±{100 * LOYO_BAND:g} %", "count", LOYO_REASON))
    return rows


def answer_service_cost_2019(cfg19: ScenarioConfig, cfg20: ScenarioConfig) -> list[dict]:
    """The 2019 answer-service cost from the fitted go-live date and the 2020 hourly cost."""
    svc = next((s for s in cfg20.costs.services if s.name == "answer_service"), None) \
        if cfg20.costs else None
    pools = {p.name: p for p in cfg19.pools}
    alarm_members = [m for m in cfg19.municipalities if Category.alarm in m.services]
    if svc is None or not alarm_members or not all(p in pools for p in svc.pools):
        return []
    go_live = min(m.joined for m in alarm_members)
    t0 = max(0, (go_live - cfg19.period.start).days) * DAY
    t1 = cfg19.period.days * DAY
    hours = sum(on_duty(pools[p], cfg19.period.start, cfg19.period.days + 1, None)
                .staff_seconds(t0, t1) for p in svc.pools) / 3600.0
    model = svc.hourly_cost_nok * hours / 1000
    ratio = ANSWER_SERVICE_KNOK["2020_budget"] / ANSWER_SERVICE_KNOK["2020"]
    p = ANSWER_SERVICE_KNOK["2019"]
    # the published cost lies between the model at the budget's and at the accounts' cost per
    # hour (ratio * model <= p <= model) exactly when the model lies in [p, p / ratio]
    lower, upper = p, p / ratio
    return [row(2019, f"answer-service cost 2019, from the go-live {go_live.isoformat()} "
                "(NOK 1,000)", "answer_service_cost_knok", p, model, lower, upper,
                f"accounts at the 2020 actual to budget cost per hour: {lower:,.0f} – "
                f"{upper:,.0f}", KNOK, COST_2019_REASON)]


# ---- legevakt calls by municipality ----

def legevakt_split(year: int, cfg: ScenarioConfig) -> list[dict]:
    """Each legevakt member's share of the calls on 116 117: population share in the model."""
    calls = LEGEVAKT_116117.get(year)
    kinds = [k for k in cfg.event_kinds if k.category == Category.legevakt]
    if calls is None or not kinds or cfg.period.start.year != year:
        return []
    by_name = {m.name: m for m in cfg.municipalities}
    expected = {m: sum(expected_count(cfg, k, by_name[m]) for k in kinds
                       if m in cfg.kind_municipalities(k)) for m in calls if m in by_name}
    total_model, total_pub = sum(expected.values()), sum(calls.values())
    if total_model <= 0:
        return []
    rows = []
    for name, n in calls.items():
        share = expected.get(name, 0.0) / total_model
        p = n / total_pub
        rows.append(row(year, f"legevakt calls on 116 117, share from {name}",
                        f"legevakt_share:{name}", p, share, p - LEGEVAKT_SPLIT_BAND,
                        p + LEGEVAKT_SPLIT_BAND, f"±{100 * LEGEVAKT_SPLIT_BAND:g} pp", "share",
                        LEGEVAKT_SPLIT_REASON))
    return rows
