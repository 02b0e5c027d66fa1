"""Argument types shared by the commands: whole numbers in a range, with messages that say
what was wrong (argparse turns them into exit code 2)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def int_between(lo: int, hi: int | None = None) -> Callable[[str], int]:
    """An argparse type accepting whole numbers lo..hi (no upper bound when hi is None)."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if hi is not None and not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be between {lo} and {hi}, got {value}")
        if value < lo:
            raise argparse.ArgumentTypeError(f"must be at least {lo}, got {value}")
        return value

    return convert


positive_int = int_between(1)
non_negative_int = int_between(0)
