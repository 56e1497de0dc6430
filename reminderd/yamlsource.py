"""Read YAML into plain values that remember where they were written.

PyYAML's composer gives every node its line and column; we build our own tree from the nodes
instead of letting PyYAML construct Python objects, so that the validator can report
``PATH:LINE:COLUMN`` for every problem, see duplicate keys (PyYAML keeps the last silently),
keep the exact text of numbers (``12.345`` must stay decimal), and bound alias expansion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

MAX_FILE_BYTES = 8 * 1024 * 1024  # 10,000 loans fit in 2 MiB; more is a mistake or an attack
MAX_EXPANDED = 1_000_000  # values once aliases are expanded: a "billion laughs" stops here
MAX_DEPTH = 64


@dataclass
class Problem:
    line: int  # 1-based
    column: int  # 1-based
    where: str  # "loans[1].plan.count", or "(file)"
    what: str


@dataclass
class Scalar:
    text: str
    tag: str  # the YAML resolved tag, e.g. tag:yaml.org,2002:int
    line: int
    column: int
    quoted: bool = False

    @property
    def is_null(self) -> bool:
        return self.tag == "tag:yaml.org,2002:null"


@dataclass
class Sequence:
    items: list[Node]
    line: int
    column: int


@dataclass
class Mapping:
    # key text -> (key scalar, value); insertion-ordered
    entries: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)
    line: int = 1
    column: int = 1


Node = Scalar | Sequence | Mapping


class TooLarge(Exception):
    """The document expands beyond the bounds above."""


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__()
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """PyYAML's composer recurses once per level: a file of 10,000 ``[`` took most of a second
    to end in a RecursionError with no position. Count the levels and stop where they pass
    the bound, at the line and column of the node that did."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


_NESTING = {
    yaml.SequenceStartEvent: 1,
    yaml.MappingStartEvent: 1,
    yaml.SequenceEndEvent: -1,
    yaml.MappingEndEvent: -1,
}


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml when it is there: forty times faster than the pure-Python parser
    and the same nodes and marks. Its composer recurses in C, without Python's recursion
    limit (a file of 100,000 ``[`` crashes the interpreter), so a pass over the events (a
    loop in libyaml, no recursion) checks the depth first."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return yaml.compose(text, Loader=_Loader)
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        depth += _NESTING.get(type(event), 0)
        if depth > MAX_DEPTH + 1:
            raise _TooDeep(event.start_mark)
    return yaml.compose(text, Loader=loader)


def parse(text: str, problems: list[Problem]) -> Node | None:
    """Parse one YAML document; append syntax and structure problems to ``problems``.

    Returns ``None`` when the text is empty or unreadable.
    """
    try:
        root = _compose(text)
    except _TooDeep as error:
        line, column = error.mark.line + 1, error.mark.column + 1
        problems.append(
            Problem(line, column, "(file)", f"nested more than {MAX_DEPTH} levels deep")
        )
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = error.problem or error.context or "not valid YAML"
        if "nesting depth" in reason:
            # libyaml (PyYAML 6.0.4 on) has its own limit, met while scanning ahead, before
            # our check on the events sees the 65th level; say it the same way.
            reason = f"nested more than {MAX_DEPTH} levels deep"
            problems.append(Problem(line, column, "(file)", reason))
            return None
        tab = _tab_near(text, line, column)
        if tab is not None:
            line, column = tab
            reason = f"a tab at {line}:{column}: YAML indents with spaces, not tabs"
            problems.append(Problem(line, column, "(file)", reason))
            return None
        problems.append(Problem(line, column, "(file)", f"YAML syntax: {reason}"))
        return None
    except yaml.reader.ReaderError as error:
        # A control character: PyYAML's own message spans two lines and counts characters
        # from the start of the text; give its line and column instead.
        before = text[: error.position]
        line = before.count("\n") + 1
        column = error.position - (before.rfind("\n") + 1) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character[0])
        problems.append(
            Problem(
                line,
                column,
                "(file)",
                f"YAML does not allow the control character U+{code:04X} here",
            )
        )
        return None
    except yaml.YAMLError as error:
        reason = str(error).splitlines()[0] if str(error) else "not valid YAML"
        problems.append(Problem(1, 1, "(file)", f"YAML: {reason}"))
        return None
    except RecursionError:
        problems.append(Problem(1, 1, "(file)", "nested too deeply"))
        return None
    if root is None:
        return None
    builder = _Builder(problems)
    try:
        built = builder.build(root, "", 0, frozenset())
        if builder.sizes[id(root)] > MAX_EXPANDED:
            raise TooLarge("the file expands to too many values (aliases of aliases?)")
        return built
    except TooLarge as error:
        mark = root.start_mark
        problems.append(Problem(mark.line + 1, mark.column + 1, "(file)", str(error)))
        return None


def _tab_near(text: str, line: int, column: int) -> tuple[int, int] | None:
    """Where a tab caused the syntax error at ``line``:``column`` (1-based), if one did.

    PyYAML reports a tab in the indentation as "found character that cannot start any
    token"; the tab is at the error's mark or in the indentation of that line.
    """
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    row = lines[line - 1]
    if column - 1 < len(row) and row[column - 1] == "\t":
        return line, column
    indent = row[: len(row) - len(row.lstrip(" \t"))]
    if "\t" in indent:
        return line, indent.index("\t") + 1
    return None


class _Builder:
    """Builds each YAML node once: an alias reuses the built value (a DAG, not a copy), and
    ``sizes`` records how many values each node stands for once expanded, so that a document
    of aliases of aliases is refused in time linear in its text."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.built: dict[int, Node] = {}
        self.sizes: dict[int, int] = {}

    def build(self, node: yaml.Node, path: str, depth: int, ancestors: frozenset[int]) -> Node:
        if id(node) in ancestors:
            raise TooLarge("an alias refers to itself")
        if id(node) in self.built:
            return self.built[id(node)]
        if depth > MAX_DEPTH:
            raise TooLarge(f"nested more than {MAX_DEPTH} levels deep")
        built = self._build(node, path, depth, ancestors | {id(node)})
        self.built[id(node)] = built
        return built

    def _size(self, nodes: list[yaml.Node]) -> int:
        total = 1 + sum(self.sizes.get(id(child), 1) for child in nodes)
        if total > MAX_EXPANDED:
            raise TooLarge("the file expands to too many values (aliases of aliases?)")
        return total

    def _build(self, node: yaml.Node, path: str, depth: int, inner: frozenset[int]) -> Node:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.ScalarNode):
            self.sizes[id(node)] = 1
            return Scalar(node.value, node.tag, line, column, quoted=node.style in ("'", '"'))
        if isinstance(node, yaml.SequenceNode):
            items = [
                self.build(item, f"{path}[{index}]", depth + 1, inner)
                for index, item in enumerate(node.value)
            ]
            self.sizes[id(node)] = self._size(node.value)
            return Sequence(items, line, column)
        mapping = Mapping(line=line, column=column)
        merged: dict[str, tuple[Scalar, Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._merge(value_node, path, depth, inner, merged)
                continue
            key = self.build(key_node, path, depth + 1, inner)
            if not isinstance(key, Scalar):
                self.problems.append(
                    Problem(key.line, key.column, path or "(file)", "a key must be text")
                )
                continue
            where = f"{path}.{key.text}" if path else key.text
            value = self.build(value_node, where, depth + 1, inner)
            if key.text in mapping.entries:
                first = mapping.entries[key.text][0]
                self.problems.append(
                    Problem(
                        key.line,
                        key.column,
                        where,
                        f"duplicate key {key.text!r} (first written on line {first.line})",
                    )
                )
                continue
            mapping.entries[key.text] = (key, value)
        for key_text, entry in merged.items():
            mapping.entries.setdefault(key_text, entry)
        self.sizes[id(node)] = self._size([child for pair in node.value for child in pair])
        return mapping

    def _merge(
        self,
        value_node: yaml.Node,
        path: str,
        depth: int,
        ancestors: frozenset[int],
        merged: dict[str, tuple[Scalar, Node]],
    ) -> None:
        """Apply a ``<<: *anchor`` merge key: earlier sources win, explicit keys win over all."""
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            built = self.build(source, path, depth + 1, ancestors)
            if not isinstance(built, Mapping):
                where = f"{path}.<<" if path else "<<"
                self.problems.append(
                    Problem(built.line, built.column, where, "a merge key needs a mapping")
                )
                continue
            for key_text, entry in built.entries.items():
                merged.setdefault(key_text, entry)


def decode(data: bytes, problems: list[Problem]) -> str | None:
    """Decode the file's bytes as UTF-8 (with or without a BOM); report where it is not."""
    if len(data) > MAX_FILE_BYTES:
        problems.append(
            Problem(1, 1, "(file)", f"the file is larger than {MAX_FILE_BYTES // 1024} KiB")
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        problems.append(
            Problem(
                line,
                column,
                "(file)",
                f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            )
        )
        return None
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        problems.append(Problem(line, 1, "(file)", "the file contains a NUL byte"))
        return None
    return text
