"""Reading a YAML document together with the line of every key, for errors that point at lines.

    document = read_yaml(text)       # raises YamlSyntaxError(line, message)
    document.data                    # what yaml.safe_load would return
    document.line_for(("steps", 3, "title"))   # 1-based line, or the nearest enclosing one
    document.duplicate_keys          # keys written twice in one mapping

Both rubric.yaml (scoring.rubric) and parties.yaml (partywatch.parties) are read through
here, so their errors name paths (``steps[3].title``) and lines the same way. It lives in
`scoring`, the package every other one may import, and imports nothing from partywatch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

KeyPath = tuple  # keys and list indexes from the document's root, e.g. ("parties", 2, "id")


class YamlSyntaxError(ValueError):
    """The text is not YAML; `line` is where the parser stopped (None if unknown)."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(frozen=True)
class DuplicateKey:
    """A key written twice in one mapping: YAML keeps the last silently."""

    path: KeyPath
    line: int
    first_line: int


@dataclass
class YamlDocument:
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)

    def line_for(self, path: KeyPath) -> int | None:
        """The line of `path`, or of the nearest enclosing key that has one."""
        for end in range(len(path), -1, -1):
            if tuple(path[:end]) in self.lines:
                return self.lines[tuple(path[:end])]
        return None


def format_path(path: KeyPath) -> str:
    """("steps", 3, "title") as steps[3].title."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _walk(node: yaml.Node, path: KeyPath, document: YamlDocument) -> None:
    # A key's own line wins over the line its value starts on.
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if key.value in seen:
                document.duplicate_keys.append(DuplicateKey(path + (key.value,), line, seen[key.value]))
            seen.setdefault(key.value, line)
            document.lines[path + (key.value,)] = line
            _walk(value, path + (key.value,), document)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), document)


# libyaml's parser when PyYAML was built with it: the pure-Python one takes about a second
# to read rubric.yaml on a busy machine, and every command that scores reads it.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> YamlDocument:
    """Parse `text` once (safe loader): its data, each key's line and any duplicate keys."""
    try:
        return _read(text, _FAST_LOADER)
    except YamlSyntaxError:
        # the pure-Python parser's messages say more ("found character '\t' that cannot
        # start any token"): read it again to report the error in its words
        return _read(text, yaml.SafeLoader)


def _read(text: str, loader_class) -> YamlDocument:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        message = " ".join(str(part) for part in (getattr(exc, "context", None),
                                                  getattr(exc, "problem", None)) if part)
        raise YamlSyntaxError(mark.line + 1 if mark is not None else None, message or str(exc)) from None
    finally:
        loader.dispose()
    document = YamlDocument(data)
    if node is not None:
        _walk(node, (), document)
    return document
