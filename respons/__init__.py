"""respons: a discrete-event simulator of a safety-alarm response centre (Værnes Respons).

The public API for notebooks and scripts; every name imports its machinery only when called,
so `import respons` stays light::

    import respons

    cfg = respons.load_config("vaernes-2020", set=["pools.operators.shifts.0.staff=2"])
    result = respons.simulate(cfg, replications=3, seed=7)
    result.summary["alarms_answered_within_target_share"]   # {"mean", "ci_low", ...}
    result.replications        # one row per replication, one column per KPI
    result.events              # one row per contact (the tidy event table)
    respons.erlang_c(per_hour=6, aht_s=240, agents=2, target_s=120).service_level

The command line (`python -m respons ...`) is built on the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from respons.analysis.erlang import ErlangResult
    from respons.config import ScenarioConfig
    from respons.runs.replications import RunResult

__version__ = "0.1.0"
__all__ = ["__version__", "builtin_configs", "erlang_c", "load_config", "simulate"]


def builtin_configs() -> list[str]:
    """Names of the configs shipped inside the package (usable as `load_config(name)`)."""
    from importlib import resources

    return sorted(p.name.removesuffix(".yaml") for p in resources.files("respons.data").iterdir()
                  if p.name.endswith(".yaml"))


def load_config(path_or_name: str | Path | None = None,
                set: Sequence[str] = ()) -> ScenarioConfig:  # noqa: A002 - mirrors --set
    """A validated config: a YAML file (overlays resolved), a built-in name such as
    "vaernes-2020" (see `builtin_configs()`), or the embedded 2020 baseline when None.

    `set` takes the command line's `--set` assignments, e.g. ["target_s=60"]. Bad input raises
    `respons.errors.UserError` with a message naming the file and field.
    """
    from respons.config.loading import load_builtin
    from respons.config.loading import load_config as _load

    overrides = list(set)
    if path_or_name is not None and not Path(path_or_name).exists() \
            and str(path_or_name) in builtin_configs():
        return load_builtin(str(path_or_name), overrides)
    return _load(None if path_or_name is None else Path(path_or_name), overrides)


def simulate(config: ScenarioConfig | str | Path | None = None, *,
             replications: int | None = None, seed: int | None = None, jobs: int = 1,
             events: bool = True) -> RunResult:
    """Run the replications of a config (a `ScenarioConfig`, or what `load_config` takes) and
    return a `RunResult` with `.summary` ({KPI: {mean, ci_low, ci_high, unit}}),
    `.replications` (DataFrame) and `.events` (DataFrame, None if `events=False`).

    The same config and seed give the same numbers, whatever `jobs` is.
    """
    from respons.config import ScenarioConfig as _Config
    from respons.runs.replications import run

    cfg = config if isinstance(config, _Config) else load_config(config)
    changes = {k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None}
    if changes:
        cfg = _Config.model_validate({**cfg.model_dump(), **changes})
    return run(cfg, keep_events=events, jobs=jobs)


def erlang_c(per_hour: float, aht_s: float, agents: int, target_s: float) -> ErlangResult:
    """Erlang C (M/M/c) for a stationary hour: `.service_level` (share answered within
    `target_s`), `.wait_probability`, `.mean_wait_s` and `.occupancy`."""
    from respons.analysis.erlang import erlang_c_metrics

    return erlang_c_metrics(per_hour, aht_s, agents, target_s)
