"""Read a centre's own event log (CSV) and estimate what the config assumes: the hour-of-day x
weekday profile, yearly volumes and mean talk times per category.

Rows that cannot be used (bad timestamp, unknown category, bad number) are reported with
their line numbers; nothing is dropped silently. Timestamps are local wall-clock time in
Europe/Oslo: a timestamp with a UTC offset (`2020-03-01T07:15:00+00:00`, `...Z`) is converted
to it before its hour and weekday are counted; one without is taken as local time already.
A UTF-8 byte-order mark (Excel's "CSV UTF-8") is accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from respons.config.base import Category, local_time
from respons.errors import UserError

REQUIRED = ("timestamp", "category")
MAX_REPORTED = 10
#: Longest talk time taken as real: a day (a call of more is a logging error).
MAX_TALK_S = 86400.0


@dataclass
class LogSummary:
    """Counts per category, per hour of day and weekday, and talk times, from a valid log."""

    first: dt.datetime | None = None
    last: dt.datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    hourly: dict[str, list[int]] = field(default_factory=dict)
    weekday: dict[str, list[int]] = field(default_factory=dict)
    talk: dict[str, list[float]] = field(default_factory=dict)

    def add(self, ts: dt.datetime, category: str, talk_s: float | None) -> None:
        self.first = ts if self.first is None else min(self.first, ts)
        self.last = ts if self.last is None else max(self.last, ts)
        self.counts[category] = self.counts.get(category, 0) + 1
        self.hourly.setdefault(category, [0] * 24)[ts.hour] += 1
        self.weekday.setdefault(category, [0] * 7)[ts.weekday()] += 1
        if talk_s is not None:
            self.talk.setdefault(category, []).append(talk_s)

    @property
    def days(self) -> float:
        if self.first is None or self.last is None:
            return 0.0
        return max((self.last - self.first).total_seconds() / 86400.0, 1.0)


def read_log(path: Path) -> LogSummary:
    """Parse and check every row; raise one UserError listing the bad rows by line number."""
    if not path.is_file():
        raise UserError(f"event log {path} does not exist or is not a file.")
    categories = {c.value for c in Category}
    summary, problems = LogSummary(), []
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise UserError(f"event log {path}: missing column(s) {missing}; needed: "
                                f"{list(REQUIRED)} (optional: talk_s).")
            for row in reader:
                line = reader.line_num
                try:
                    ts = local_time(dt.datetime.fromisoformat((row["timestamp"] or "").strip()))
                except (ValueError, OverflowError):
                    problems.append(f"line {line}: bad timestamp {row['timestamp']!r:.60} "
                                    "(expected ISO 8601 local time, e.g. 2020-03-01T08:15:00, "
                                    "or with a UTC offset, e.g. 2020-03-01T07:15:00+00:00)")
                    continue
                cat = (row["category"] or "").strip()
                if cat not in categories:
                    problems.append(f"line {line}: unknown category {cat!r:.40}; allowed: "
                                    f"{sorted(categories)}")
                    continue
                talk = _talk(row.get("talk_s"), line, problems)
                if talk is not False:
                    summary.add(ts, cat, talk)
    except UnicodeDecodeError as e:
        raise UserError(f"event log {path} is not UTF-8 text: {e}.") from None
    except csv.Error as e:
        raise UserError(f"event log {path} is not valid CSV: {e}.") from None
    except OSError as e:
        raise UserError(f"event log {path} cannot be read: {e.strerror or e}.") from None
    if problems:
        shown = "; ".join(problems[:MAX_REPORTED])
        more = len(problems) - MAX_REPORTED
        raise UserError(f"event log {path}: {len(problems)} unusable row(s): {shown}"
                        + (f"; and {more} more" if more > 0 else "") + ".")
    if not summary.counts:
        raise UserError(f"event log {path} has no rows.")
    return summary


def _talk(raw: str | None, line: int, problems: list[str]) -> float | None | bool:
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= MAX_TALK_S:
        problems.append(f"line {line}: bad talk_s {raw!r:.40} (a finite number of seconds "
                        f"from 0 to {MAX_TALK_S:g})")
        return False
    return value


def profiles(summary: LogSummary) -> dict[str, dict]:
    """Per category: the profile (weights rescaled to mean 1), the yearly volume and the mean
    talk time, as they would be written in a config."""
    out = {}
    for cat, n in summary.counts.items():
        hourly, weekday = summary.hourly[cat], summary.weekday[cat]
        entry: dict = {
            "count": n,
            "per_year": float(f"{n / summary.days * 365.0:.4g}"),  # small rates stay > 0
            "profile": {"hourly": _mean_one(hourly), "weekday": _mean_one(weekday)},
        }
        talks = summary.talk.get(cat)
        if talks:
            entry["talk_mean_s"] = round(math.fsum(talks) / len(talks), 1)
        out[cat] = entry
    return out


def _mean_one(counts: list[int]) -> list[float]:
    mean = sum(counts) / len(counts)
    return [round(c / mean, 3) if mean else 0.0 for c in counts]
