"""User-facing errors: one paragraph naming the file and field, exit code 2, no traceback."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic is imported by whoever has a ValidationError to describe
    from pydantic import ValidationError

_PATH_PREFIX = re.compile(r"^([A-Za-z_][\w]*(?:\.[\w]+)*): ")


class UserError(Exception):
    """Bad input from the user (config, flags, paths). The CLI prints it and exits with 2."""


def one_paragraph(text: str) -> str:
    """Collapse all whitespace (user input may hold newlines) so a message stays one line."""
    return " ".join(text.split())


def describe_validation(err: ValidationError, source: str) -> str:
    """Turn a pydantic error into one readable paragraph naming each field path."""
    parts = []
    for e in err.errors()[:5]:
        loc = ".".join(str(x) for x in e["loc"] if not _is_union_tag(x))
        msg = e["msg"].removeprefix("Value error, ")
        m = _PATH_PREFIX.match(msg)
        if m:  # cross-field checks name their own path: "pools.0.serves: ..."
            loc = ".".join(p for p in (loc, m.group(1)) if p)
            msg = msg[m.end():]
        loc = loc or "(top level)"
        if e["type"] == "extra_forbidden":
            msg = "unknown field (not allowed here; check the spelling, see `respons schema`)"
        inp = e.get("input")
        shown = "" if isinstance(inp, dict | list) or inp is None else f" (got {_short(inp)})"
        parts.append(f"field `{loc}`: {msg}{shown}")
    more = len(err.errors()) - 5
    tail = f"; and {more} more error(s)" if more > 0 else ""
    return f"invalid configuration in {source}: " + "; ".join(parts) + tail + "."


def _short(value: object) -> str:
    """repr of a user value, cut to 60 characters (an int too long to print is described)."""
    try:
        return f"{value!r:.60}"
    except ValueError:  # ints beyond Python's 4300-digit printing limit
        return "a number with thousands of digits"


def _is_union_tag(x: object) -> bool:
    return isinstance(x, str) and x in {
        "deterministic", "exponential", "lognormal", "gamma", "empirical",
    }
