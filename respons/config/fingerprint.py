"""A config's fingerprint: the SHA-256 of its model inputs, so that a result found for one
config (an uncertainty study's range) is shown only for that config.

Left out: what names, labels or judges a run but does not change what is simulated (scenario
name, description, goal, language, seed, replications, calibration note) and the stored
ranges themselves. Everything else counts, so any `--set`, overlay or edit of an input
changes the fingerprint.
"""

from __future__ import annotations

import hashlib
import json

from respons.config.scenario import ScenarioConfig

NOT_MODEL_INPUTS = frozenset({"scenario", "description", "goal", "lang", "seed", "replications",
                              "calibration_note", "assumption_ranges"})


def fingerprint(cfg: ScenarioConfig) -> str:
    """SHA-256 (hex) of the config's model inputs, independent of key order and comments."""
    data = cfg.model_dump(mode="json", exclude=set(NOT_MODEL_INPUTS))
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def current_ranges(cfg: ScenarioConfig) -> dict[str, object]:
    """The stored KPI ranges that belong to this config (fingerprint matches), by KPI."""
    if not cfg.assumption_ranges:
        return {}
    own = fingerprint(cfg)
    return {r.kpi: r for r in cfg.assumption_ranges if r.config_sha256 == own}
