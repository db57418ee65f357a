"""Read YAML keeping where each value was written, so that every error names its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: ten times faster than the pure-Python one, which
# spent more time on a convention than scoring the whole ServiceNow log. Node marks (lines) and
# error marks are the same.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlainLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that keeps dates as text: the convention validates and parses them itself,
    so a wrong date is reported like any other field instead of as a YAML type."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

PathItem = str | int

MAX_NODES = 200_000
"""Values a convention may hold once its aliases are expanded (the shipped ones hold a few
thousand): a "billion laughs" file, a few lines of aliases of aliases, stops at once."""


class YamlSource:
    """A parsed YAML file: its data and its node tree (for line numbers)."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        loader = _PlainLoader(text)
        try:
            # one parse gives both: the node tree, and the data constructed from it
            self.root: yaml.Node | None = loader.get_single_node()
            _check_expansion(self.root)
            self.data: Any = loader.construct_document(self.root) if self.root is not None else None
        finally:
            loader.dispose()

    @classmethod
    def read(cls, path: str | Path) -> YamlSource:
        return cls(str(path), Path(path).read_text(encoding="utf-8"))

    def line(self, path: tuple[PathItem, ...]) -> int:
        """1-based line of the deepest node along ``path`` that exists."""
        node = self.root
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for key in path:
            child = _child(node, key)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line

    def where(self, path: tuple[PathItem, ...]) -> str:
        return f"{self.path}:{self.line(path)}: {dotted(path)}"

    def duplicate_keys(self) -> list[str]:
        errors: list[str] = []
        _find_duplicates(self.root, (), self.path, errors)
        return errors


def dotted(path: tuple[PathItem, ...]) -> str:
    text = ""
    for item in path:
        text += f"[{item}]" if isinstance(item, int) else (f".{item}" if text else str(item))
    return text or "(document)"


def _child(node: yaml.Node, key: PathItem) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _find_duplicates(node: yaml.Node | None, path: tuple[PathItem, ...], file: str, errors: list[str]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                line = key_node.start_mark.line + 1
                errors.append(f"{file}:{line}: {dotted((*path, key))}: key written twice")
            seen.add(key)
            _find_duplicates(value_node, (*path, key), file, errors)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _find_duplicates(item, (*path, index), file, errors)


def _check_expansion(root: yaml.Node | None) -> None:
    """Refuse a document whose aliases expand past :data:`MAX_NODES` values, or loop.

    Aliases make the node tree a graph; what reading it costs (constructing the data, checking
    the schema and duplicate keys) is the size of the tree it unfolds to, counted here once per
    distinct node.
    """
    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in busy:
            raise _too_big(node, "an alias refers to the value that contains it")
        busy.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [item for pair in node.value for item in pair]
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise _too_big(child, f"aliases expand to more than {MAX_NODES:,} values")
        busy.discard(key)
        sizes[key] = total
        return total

    if root is not None:
        size(root)


def _too_big(node: yaml.Node, problem: str) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)
