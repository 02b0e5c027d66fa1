"""What `respons serve` hands the page script (after Streamlit's `--`): the baseline config,
the language and the processes for replications; read back by the script, so the two sides
share one definition."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from respons.config import ScenarioConfig
from respons.config.loading import DEFAULT_CONFIG, load_config
from respons.errors import UserError


@dataclass(frozen=True)
class Settings:
    """The page's settings: `config` None = the embedded 2020 baseline."""

    config: Path | None = None
    lang: str = "en"
    jobs: int = 1

    def argv(self) -> list[str]:
        """The script arguments that `parse` reads back."""
        out = ["--lang", self.lang, "--jobs", str(self.jobs)]
        if self.config is not None:
            out = ["--config", str(self.config.resolve()), *out]
        return out

    def base_file(self) -> Path:
        """The baseline's file (what a downloaded overlay's `base:` names)."""
        if self.config is not None:
            return self.config.resolve()
        return Path(str(resources.files("respons.data").joinpath(DEFAULT_CONFIG))).resolve()

    def load(self) -> ScenarioConfig:
        """The baseline config (UserError on bad input)."""
        return load_config(self.config)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"the page's arguments: {message}.")


def parse(argv: list[str]) -> Settings:
    """Settings from the script's arguments (`Settings.argv`)."""
    p = _Parser(prog="respons-web", add_help=False)
    p.add_argument("--config", type=Path)
    p.add_argument("--lang", choices=("en", "nb"), default="en")
    p.add_argument("--jobs", type=int, default=1)
    args = p.parse_args(argv)
    return Settings(args.config, args.lang, max(1, args.jobs))
