"""Round-trip YAML for files the tool itself rewrites (calibrate): comments are kept and the
layout is canonical, so a rewrite changes only the values it sets."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 96
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def load(path: Path) -> Any:
    """Load YAML keeping comments and order; the text must first pass the strict checks of
    every config (`parse_mapping`: no repeated keys, no alias bombs), as a UserError."""
    from respons.config.loading import read_mapping

    read_mapping(path)
    return _yaml().load(path.read_text("utf-8"))


def dumps(data: Any) -> str:
    """Dump in the canonical layout: block mappings, flow lists of scalars."""
    data = _commented(data)
    _canonical(data)
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


def _scalar(v: Any) -> bool:
    return not isinstance(v, dict | list)


def _commented(node: Any) -> Any:
    """Plain dicts/lists (e.g. set by calibrate) become ruamel nodes, recursively."""
    if isinstance(node, dict):
        out = node if isinstance(node, CommentedMap) else CommentedMap(node)
        for k, v in out.items():
            out[k] = _commented(v)
        return out
    if isinstance(node, list):
        out_l = node if isinstance(node, CommentedSeq) else CommentedSeq(node)
        for i, v in enumerate(out_l):
            out_l[i] = _commented(v)
        return out_l
    return node


def _canonical(node: Any, top: bool = True) -> None:
    if isinstance(node, CommentedMap):
        if not top and len(node) <= 4 and all(_scalar(v) for v in node.values()):
            node.fa.set_flow_style()
            return
        node.fa.set_block_style()
        for v in node.values():
            _canonical(v, False)
    elif isinstance(node, CommentedSeq):
        if all(not isinstance(v, dict | list) for v in node):
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
            for v in node:
                _canonical(v, False)
