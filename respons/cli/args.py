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


def share(text: str) -> float:
    """A share 0 < x <= 1 (e.g. a goal: 0.95)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1 (e.g. 0.95), "
                                         f"got {text}")
    return value


def seconds(text: str) -> float:
    """A positive number of seconds (at most a day)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"must be between 0 and 86400 seconds, got {text}")
    return value
