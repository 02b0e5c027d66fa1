"""Event-log input: usable rows are summarised, unusable rows are reported by line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from respons.cli import main
from respons.errors import UserError
from respons.studies.eventlog import profiles, read_log


def _log(tmp_path: Path, rows: list[str], header: str = "timestamp,category,talk_s") -> Path:
    path = tmp_path / "log.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_profile_of_a_clean_log(tmp_path: Path) -> None:
    rows = [f"2020-03-0{d}T0{h}:15:00,alarm,{60 * h}" for d in range(2, 9) for h in (8, 9)]
    rows.append("2020-03-02T03:00:00,technical,")
    summary = read_log(_log(tmp_path, rows))
    out = profiles(summary)
    assert out["alarm"]["count"] == 14 and out["technical"]["count"] == 1
    hourly = out["alarm"]["profile"]["hourly"]
    assert hourly[8] == hourly[9] == 12.0 and sum(hourly) == pytest.approx(24)
    assert out["alarm"]["talk_mean_s"] == pytest.approx(510.0)
    assert "talk_mean_s" not in out["technical"]


def test_bad_rows_are_reported_with_line_numbers(tmp_path: Path) -> None:
    rows = ["2020-03-02T08:00:00,alarm,60", "yesterday,alarm,60", "2020-03-02T09:00:00,fire,60",
            "2020-03-02T10:00:00,alarm,-5"]
    with pytest.raises(UserError) as err:
        read_log(_log(tmp_path, rows))
    text = str(err.value)
    assert "3 unusable row(s)" in text
    assert "line 3: bad timestamp 'yesterday'" in text
    assert "line 4: unknown category 'fire'" in text
    assert "line 5: bad talk_s '-5'" in text


def test_cli_exit_codes(tmp_path: Path, capsys) -> None:
    good = _log(tmp_path, ["2020-03-02T08:00:00,alarm,60"])
    assert main(["profile-log", str(good)]) == 0
    assert "alarm:" in capsys.readouterr().out
    bad = _log(tmp_path, ["2020-03-02T08:00:00,alarm"], header="time,category")
    assert main(["profile-log", str(bad)]) == 2
    assert "missing column" in capsys.readouterr().err
