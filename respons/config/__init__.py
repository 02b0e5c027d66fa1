"""The configuration: one frozen pydantic model (`ScenarioConfig`), its distributions, and
loading with overlays and `--set` overrides. The bottom layer: imports nothing else of respons
but `respons.errors`."""

from respons.config.scenario import *  # noqa: F403 - the model's public names
from respons.config.scenario import __all__  # noqa: F401
