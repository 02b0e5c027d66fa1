"""`python -m respons erlang`: analytic staffing figures (Erlang C, or Erlang A with patience).

A quick answer without simulating: for a call rate, a mean handling time and a number of
operators, the probability that a caller waits, the share answered within the target, the mean
wait and the operators' occupancy; optionally the fewest operators meeting a service level.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from collections.abc import Callable

from respons.analysis.erlang import (
    ChainTooLargeError,
    ErlangAResult,
    ErlangResult,
    TooCostlyError,
    agents_needed,
    erlang_a_metrics,
    erlang_c_metrics,
)
from respons.cli.args import int_between
from respons.errors import UserError

#: Upper limit on --agents and on the search for the agents needed (keeps every answer fast).
MAX_AGENTS = 100_000
_agents = int_between(1, MAX_AGENTS)
#: Physical bounds of the inputs: a billion calls an hour, handling and patience times from a
#: second to a year; beyond them no centre exists and the arithmetic would overflow.
MAX_PER_HOUR = 1e9
MIN_SECONDS, MAX_SECONDS = 1.0, 366 * 86400.0

JSON_KEYS = ("agents", "wait_probability", "service_level", "mean_wait_s", "occupancy")

_EPILOG = """\
models:
  without --patience: Erlang C (M/M/c), callers wait until answered;
  with --patience S:  Erlang A (M/M/c+M), callers hang up after an exponentially
                      distributed time with mean S seconds (adds the abandon probability).

unstable load (Erlang C only): when the offered load (--per-hour x --aht / 3600 erlangs)
is at or above --agents, the queue grows without bound. The command still answers, with
exit code 0, and says so in a note (on stderr with --json): probability of waiting 100 %,
service level 0 %, mean wait unbounded (null in JSON), occupancy 100 %. Erlang A is
always stable, because callers abandon.

--json prints one JSON object with the keys agents, wait_probability, service_level,
mean_wait_s and occupancy (probabilities as fractions, times in seconds), plus
agents_needed with --service-level and abandon_probability with --patience.

exit codes: 0 answered; 2 invalid input (the message names the flag), e.g. a negative
--per-hour, --agents below 1, --service-level outside (0, 1), --agents missing without
--service-level, or a service level not reachable with up to 100000 agents. Inputs are
bounded: --per-hour up to 1e9 calls, --aht and --patience from 1 s to a year,
--target up to a year.

example: respons erlang --per-hour 6 --aht 240 --agents 2 --target 120 --service-level 0.98
"""


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got '{text}'")
    return value


def _between(lo: float, hi: float, unit: str = "") -> Callable[[str], float]:
    """An argparse type accepting finite numbers lo..hi."""

    def convert(text: str) -> float:
        value = _number(text)
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be from {lo:g} to {hi:g}{unit}, got {text}")
        return value

    return convert


_rate = _between(0.0, MAX_PER_HOUR, " calls per hour")
_seconds_arg = _between(MIN_SECONDS, MAX_SECONDS, " seconds")
_target_arg = _between(0.0, MAX_SECONDS, " seconds")


def _open_fraction(text: str) -> float:
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"must be a fraction strictly between 0 and 1 (e.g. 0.8 for 80 %), got {text}")
    return value


def add_parser(sub) -> None:
    """Register the `erlang` subcommand on the subparsers object `sub`."""
    p = sub.add_parser(
        "erlang",
        help="analytic staffing figures (Erlang C, or Erlang A with --patience)",
        description=__doc__,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--per-hour", type=_rate, required=True, metavar="RATE",
                   help="calls arriving per hour (0 to 1e9)")
    p.add_argument("--aht", type=_seconds_arg, required=True, metavar="S",
                   help="mean handling time per call, seconds (1 to a year)")
    p.add_argument("--agents", type=_agents, metavar="N",
                   help="operators on duty (>= 1); optional with --service-level, then the "
                        "figures are for the fewest operators meeting it")
    p.add_argument("--target", type=_target_arg, required=True, metavar="S",
                   help="answer-time target, seconds (0 to a year): the service level is the share "
                        "of all calls answered within it")
    p.add_argument("--service-level", type=_open_fraction, metavar="P",
                   help="required share answered within --target, strictly between 0 and 1 "
                        "(e.g. 0.8); also reports the fewest operators meeting it")
    p.add_argument("--patience", type=_seconds_arg, metavar="S",
                   help="mean patience of a waiting caller, seconds (1 to a year): switches to "
                        "Erlang A and adds the abandon probability")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object instead of the table")
    p.add_argument("--lang", choices=("en", "nb"),
                   help="language of the table: en or nb (default: the LANG environment "
                   "variable)")
    p.set_defaults(func=run)


# ---------------------------------------------------------------- computation


def _metrics(args: argparse.Namespace, agents: int) -> ErlangResult:
    """Erlang C or A figures for `agents` operators; input problems become UserError."""
    try:
        if args.patience is None:
            return erlang_c_metrics(args.per_hour, args.aht, agents, args.target)
        return erlang_a_metrics(args.per_hour, args.aht, agents, args.target, args.patience)
    except ChainTooLargeError:
        raise UserError(
            f"Erlang A with --patience {args.patience:g} s and {agents} agent(s) is so "
            f"overloaded that millions of callers would be queued, which is too large to "
            f"solve; use a shorter --patience, more --agents, or drop --patience (Erlang C)."
        ) from None
    except TooCostlyError as e:
        raise UserError(_too_costly(args, agents, e)) from None
    except ValueError as e:  # defensive: the flag types already validate every value
        raise UserError(f"respons erlang: {e}.") from None


def _search_limit(offered_load: float) -> int:
    """Most agents tried when searching: far beyond any reachable level (square-root staffing
    with beta = 10 leaves a waiting probability around 1e-23), capped at MAX_AGENTS."""
    beyond = math.ceil(offered_load + 10.0 * math.sqrt(offered_load)) + 100
    return min(MAX_AGENTS, max(1000, beyond))


def _too_costly(args: argparse.Namespace, agents: int, e: Exception) -> str:
    return (f"Erlang A for {agents} agent(s) at --per-hour {args.per_hour:g}, --aht "
            f"{args.aht:g} s, --patience {args.patience:g} s and --target {args.target:g} s is "
            f"too costly to solve exactly ({e}).")


def _erlang_a_meets(args: argparse.Namespace, agents: int) -> bool:
    try:
        res = erlang_a_metrics(args.per_hour, args.aht, agents, args.target, args.patience)
    except ChainTooLargeError:
        return False  # millions of callers queued: far from any service level
    except TooCostlyError as e:  # unknown, not failing: never guess
        raise UserError(_too_costly(args, agents, e)) from None
    return res.service_level >= args.service_level


def _agents_needed_a(args: argparse.Namespace, limit: int) -> int | None:
    """Fewest agents meeting --service-level under Erlang A, or None beyond `limit`.

    Same answer as `respons.analysis.erlang.agents_needed(..., patience_s=...)` (the service level
    grows with the number of agents), but found by doubling and bisection: a dozen or so
    evaluations instead of one per agent, so hundreds or thousands of agents stay fast.
    """
    offered = args.per_hour * args.aht / 3600.0
    lo, hi = 0, max(1, min(limit, math.ceil(offered)))  # lo: known to fail (0 agents)
    while not _erlang_a_meets(args, hi):
        if hi >= limit:
            return None
        lo, hi = hi, min(limit, 2 * hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _erlang_a_meets(args, mid):
            hi = mid
        else:
            lo = mid
    return hi


def _agents_needed_c(args: argparse.Namespace, lo: int, hi: int) -> int:
    """Fewest agents meeting --service-level under Erlang C, known to lie in (lo, hi]: the
    same answer as `agents_needed` (the service level grows with the agents above the load),
    found by bisection, so tens of thousands of agents stay fast."""
    if lo < 1 or hi - lo <= 64:
        return agents_needed(args.per_hour, args.aht, args.target, args.service_level,
                             max_agents=hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if erlang_c_metrics(args.per_hour, args.aht, mid, args.target).service_level \
                >= args.service_level:
            hi = mid
        else:
            lo = mid
    return hi


def _agents_needed(args: argparse.Namespace) -> int:
    offered = args.per_hour * args.aht / 3600.0
    limit = _search_limit(offered)
    if args.patience is None:
        # Check the limit first: an unreachable level fails at once instead of after a scan.
        top = erlang_c_metrics(args.per_hour, args.aht, limit, args.target)
        needed = None
        if top.service_level >= args.service_level:
            needed = _agents_needed_c(args, math.floor(offered), limit)
    else:
        needed = _agents_needed_a(args, limit)
    if needed is None:
        raise UserError(
            f"--service-level {args.service_level:g} within --target {args.target:g} s is not "
            f"reachable with up to {limit} agents at --per-hour {args.per_hour:g} and --aht "
            f"{args.aht:g} s; lower --service-level or raise --target.")
    return needed


# ---------------------------------------------------------------- output


def _pct(p: float) -> str:
    if p == 0.0 or p >= 1e-4:
        return f"{100.0 * p:.2f} %"
    return f"{100.0 * p:.1e} %"


def _seconds(x: float) -> str:
    return "unbounded" if math.isinf(x) else f"{x:,.1f} s"


def _level(p: float) -> str:
    return f"{round(100.0 * p, 6):g} %"


def _unstable_note(args: argparse.Namespace, agents: int) -> str | None:
    offered = args.per_hour * args.aht / 3600.0
    if args.patience is not None or offered < agents:
        return None
    return (f"note: unstable: the offered load of {offered:.3g} erlangs is at or above the "
            f"{agents} agent(s), so under Erlang C the queue grows without bound (mean wait "
            f"unbounded, service level 0). Add agents (--agents) or model hang-ups with "
            f"--patience (Erlang A).")


# The table's words in Norwegian (bokmål); English is the key.
NB = {
    "Erlang C (M/M/c): callers wait until answered":
        "Erlang C (M/M/c): innringere venter til de blir besvart",
    "Erlang A (M/M/c+M): callers hang up after {p} s on average if not answered":
        "Erlang A (M/M/c+M): innringere legger på etter {p} s i snitt om de ikke blir besvart",
    "calls per hour": "anrop per time",
    "mean handling time": "gjennomsnittlig behandlingstid",
    "offered load": "tilbudt last",
    "erlangs": "erlang",
    "answer target": "svarmål",
    "agents": "operatører",
    "agents (fewest meeting the level)": "operatører (færrest som når nivået)",
    "probability of waiting": "sannsynlighet for å vente",
    "answered within {t}": "besvart innen {t}",
    "mean wait (all callers)": "gjennomsnittlig ventetid (alle innringere)",
    "occupancy": "belegg",
    "abandoned (hung up)": "avbrutt (la på)",
    "answered calls within {t}": "besvarte anrop innen {t}",
    "agents needed for {level} within {t}": "operatører som trengs for {level} innen {t}",
    "unbounded": "ubegrenset",
}


def _words(lang: str):  # noqa: ANN202 - a small closure
    """`w(text, **fill)`: the text in `lang`, with its fields filled in."""
    def w(text: str, **fill: str) -> str:
        return (NB.get(text, text) if lang == "nb" else text).format(**fill)
    return w


def _num(text: str, lang: str) -> str:
    """Numbers in a value in `lang`'s style (`1,234.5 %` -> `1 234,5 %` in Norwegian)."""
    if lang != "nb":
        return text
    import re

    from respons.report.formatting import NBSP

    swap = {",": NBSP, ".": ","}
    text = re.sub(r"\d[\d,]*(\.\d+)?", lambda m: "".join(swap.get(c, c) for c in m.group()),
                  text)
    return text.replace(" %", NBSP + "%")


def _table(args: argparse.Namespace, res: ErlangResult, needed: int | None,
           lang: str = "en") -> str:
    w = _words(lang)
    offered = args.per_hour * args.aht / 3600.0
    if isinstance(res, ErlangAResult):
        head = w("Erlang A (M/M/c+M): callers hang up after {p} s on average if not answered",
                 p=_num(f"{args.patience:g}", lang))
    else:
        head = w("Erlang C (M/M/c): callers wait until answered")
    target = _num(f"{args.target:g} s", lang)
    inputs = [
        (w("calls per hour"), f"{args.per_hour:g}"),
        (w("mean handling time"), f"{args.aht:g} s"),
        (w("offered load"), f"{offered:.3f} {w('erlangs')}"),
        (w("answer target"), f"{args.target:g} s"),
    ]
    label = w("agents") if args.agents is not None else w("agents (fewest meeting the level)")
    wait = w("unbounded") if math.isinf(res.mean_wait_s) else _seconds(res.mean_wait_s)
    rows = [
        (label, f"{res.agents}"),
        (w("probability of waiting"), _pct(res.wait_probability)),
        (w("answered within {t}", t=target), _pct(res.service_level)),
        (w("mean wait (all callers)"), wait),
        (w("occupancy"), _pct(res.occupancy)),
    ]
    if isinstance(res, ErlangAResult):
        rows += [
            (w("abandoned (hung up)"), _pct(res.abandon_probability)),
            (w("answered calls within {t}", t=target),
             _pct(res.answered_within_target_of_answered)),
        ]
    if needed is not None:
        rows.append((w("agents needed for {level} within {t}",
                       level=_num(_level(args.service_level), lang), t=target), f"{needed}"))
    inputs = [(k, _num(v, lang)) for k, v in inputs]
    rows = [(k, _num(v, lang)) for k, v in rows]
    width = max(len(k) for k, _ in inputs + rows) + 2
    vwidth = max(len(v) for _, v in inputs + rows)
    lines = [head, ""]
    lines += [f"  {k:<{width}}{v:>{vwidth}}" for k, v in inputs]
    lines.append("")
    lines += [f"  {k:<{width}}{v:>{vwidth}}" for k, v in rows]
    note = _unstable_note(args, res.agents)
    if note:
        lines += ["", textwrap.fill(note, width=88, break_on_hyphens=False)]
    return "\n".join(lines)


def _json(res: ErlangResult, needed: int | None) -> str:
    d = res.as_dict()
    out: dict[str, float | int | None] = {k: d[k] for k in JSON_KEYS}
    if math.isinf(res.mean_wait_s):
        out["mean_wait_s"] = None  # unbounded (unstable Erlang C); JSON has no infinity
    if isinstance(res, ErlangAResult):
        out["abandon_probability"] = res.abandon_probability
    if needed is not None:
        out["agents_needed"] = needed
    return json.dumps(out, allow_nan=False)


def run(args: argparse.Namespace) -> int:
    if args.agents is None and args.service_level is None:
        raise UserError(
            "respons erlang: give --agents N (operators on duty), or --service-level P to "
            "find the fewest operators answering that share of calls within --target "
            "(see `respons erlang --help`).")
    needed = _agents_needed(args) if args.service_level is not None else None
    agents = args.agents if args.agents is not None else needed
    res = _metrics(args, agents)
    if args.json:
        print(_json(res, needed))
        note = _unstable_note(args, agents)
        if note:
            print(note, file=sys.stderr)
    else:
        from respons.report.i18n import language

        print(_table(args, res, needed, language(args.lang, None)))
    return 0
