"""Strict safe YAML for every file and value the user gives: plain data only (the safe
loader), and three traps closed:

* a key repeated in one mapping is an error naming the key and both lines (YAML keeps the
  last one silently, so a config would not say what it seems to say);
* anchors and aliases (`&a`/`*a`) are allowed, but the document they expand to is limited
  in size and depth, so a few hundred bytes cannot expand to gigabytes ("billion laughs");
* an impossible date (`2020-02-30`) stays text, so validation reports it on its field
  instead of the YAML layer raising a bare ValueError.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Nodes a document may expand to (aliases counted each time they are used). A scenario
#: config has about 2,000; a long empirical distribution a few tens of thousands.
MAX_NODES = 200_000
#: Nesting depth of collections (the shipped configs reach 6).
MAX_DEPTH = 64
_MERGE = "tag:yaml.org,2002:merge"
# libyaml's parser when available (10x faster), else PyYAML's: both construct plain data only.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictYAMLError(yaml.YAMLError):
    """A document that parses but breaks one of the rules above; the text is the message."""


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class StrictLoader(_BASE):  # type: ignore[misc, valid-type]
    """The safe loader with duplicate-key, expansion-size and date checks."""

    #: Whether the text may hold anchors (`&name`): without one there is no alias, the
    #: document is no larger than its text and the expansion check is skipped (it would cost
    #: more than parsing a config).
    may_alias = True

    def construct_document(self, node: Node) -> Any:
        if self.may_alias:
            check_expansion(node)
        return super().construct_document(node)

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE or not isinstance(key_node, ScalarNode):
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # unhashable: the base class reports it
                if first is not None:
                    raise StrictYAMLError(
                        f"duplicate key `{key}` on line {_line(key_node)} (first on line "
                        f"{first}); a mapping may name each field only once")
                seen[key] = _line(key_node)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)  # e.g. 2020-02-30: validation names the field


    def construct_yaml_int(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return self.construct_scalar(node)  # more digits than Python converts: text


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp",
                             StrictLoader.construct_yaml_timestamp)
StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)


def check_expansion(root: Node) -> None:
    """Refuse documents that expand (through aliases) beyond MAX_NODES or MAX_DEPTH, or that
    contain themselves. Linear in the number of distinct nodes."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > MAX_NODES:
                raise StrictYAMLError(
                    f"the document expands to more than {MAX_NODES:,} values (through "
                    f"aliases, e.g. `*name`, near line {_line(node)}); a config is a few "
                    "thousand values")
            if depth[key] > MAX_DEPTH:
                raise StrictYAMLError(f"values are nested more than {MAX_DEPTH} levels deep "
                                      f"(near line {_line(node)})")
            continue
        if key in size:
            continue
        if key in on_path:
            raise StrictYAMLError(f"an alias refers to a value containing itself (near line "
                                  f"{_line(node)})")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load(text: str) -> Any:
    """Parse one YAML document strictly (raises yaml.YAMLError, StrictYAMLError included)."""
    loader = StrictLoader(text)
    loader.may_alias = "&" in text
    try:
        return loader.get_single_data()
    except RecursionError:
        raise StrictYAMLError(f"values are nested too deeply (more than {MAX_DEPTH} "
                              "levels)") from None
    finally:
        loader.dispose()
