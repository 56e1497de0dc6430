"""A small schema engine: typed fields, checked against the positioned YAML tree.

Each check returns the converted value or raises :class:`Invalid`; the engine collects every
problem with its line and column instead of stopping at the first one. The declarations
themselves live in ``schema.py``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from reminderd import yamlsource as ys

Positions = dict[str, tuple[int, int]]


class Invalid(ValueError):
    """The value at hand is wrong; the message says how to fix it."""


@dataclass(frozen=True)
class Type:
    """A scalar type: ``convert`` turns the YAML text into a value or raises ``Invalid``."""

    name: str  # shown in the reference docs
    convert: Callable[[str], Any]
    allow_list: bool = False

    def check(self, node: ys.Node, where: str, run: Run) -> Any:
        if isinstance(node, ys.Scalar) and not node.is_null:
            return self.convert(node.text)
        if isinstance(node, ys.Scalar):
            raise Invalid(f"needs a value ({self.name})")
        raise Invalid(f"must be {self.name}, not a {_shape(node)}")


@dataclass(frozen=True)
class ListOf:
    item: Any  # Type | Struct
    min_items: int = 0
    max_items: int = 10_000
    single_ok: bool = False  # a lone scalar counts as a one-item list

    @property
    def name(self) -> str:
        return f"list of {self.item.name}"

    def check(self, node: ys.Node, where: str, run: Run) -> list[Any]:
        if self.single_ok and isinstance(node, ys.Scalar) and not node.is_null:
            nodes: list[ys.Node] = [node]
        elif isinstance(node, ys.Sequence):
            nodes = node.items
        else:
            raise Invalid(f"must be a list ({self.item.name} items)")
        if len(nodes) < self.min_items:
            raise Invalid(f"needs at least {self.min_items} item(s)")
        if len(nodes) > self.max_items:
            raise Invalid(f"has {len(nodes)} items; at most {self.max_items}")
        values = []
        for index, item in enumerate(nodes):
            value = run.field(self.item, item, f"{where}[{index}]")
            if value is not _BAD:
                values.append(value)
        return values


@dataclass(frozen=True)
class Field:
    key: str
    type: Any  # Type | ListOf | Struct | Tagged
    doc: str
    required: bool = False
    default: Any = None
    default_doc: str | None = None  # how the default reads in docs when not a literal

    def default_value(self) -> Any:
        """The default converted as if it had been written in the file (None if none)."""
        if self.default is None:
            return None
        if isinstance(self.type, ListOf):
            return [self.type.item.convert(text) for text in self.default]
        return self.type.convert(self.default)


@dataclass(frozen=True)
class Struct:
    fields: tuple[Field, ...]
    name: str = "a mapping"
    null_is_empty: bool = True  # ``desktop:`` with nothing after it means "on, defaults"

    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def check(self, node: ys.Node, where: str, run: Run) -> dict[str, Any]:
        if isinstance(node, ys.Scalar) and node.is_null and self.null_is_empty:
            return {}
        if not isinstance(node, ys.Mapping):
            raise Invalid(f"must be a mapping of keys ({', '.join(self.keys())})")
        known = {f.key: f for f in self.fields}
        result: dict[str, Any] = {}
        for key_text, (key_node, value_node) in node.entries.items():
            path = f"{where}.{key_text}" if where else key_text
            spec = known.get(key_text)
            if spec is None:
                run.unknown_key(key_node, path, key_text, list(known))
                continue
            value = run.field(spec.type, value_node, path)
            if value is not _BAD:
                result[key_text] = value
        for spec in self.fields:
            if spec.required and spec.key not in node.entries:
                path = f"{where}.{spec.key}" if where else spec.key
                run.problem(node.line, node.column, path, f"is required ({spec.doc})")
        return result


@dataclass(frozen=True)
class Tagged:
    """A mapping whose allowed keys depend on the value of one key (``plan.kind``)."""

    tag: str
    variants: dict[str, Struct]
    name: str = "a plan"

    def check(self, node: ys.Node, where: str, run: Run) -> dict[str, Any]:
        if not isinstance(node, ys.Mapping):
            raise Invalid(f"must be a mapping with {self.tag}: one of {', '.join(self.variants)}")
        entry = node.entries.get(self.tag)
        if entry is None:
            run.problem(
                node.line,
                node.column,
                f"{where}.{self.tag}",
                f"is required: one of {', '.join(self.variants)}",
            )
            return {}
        key_node, value_node = entry
        kind = value_node.text if isinstance(value_node, ys.Scalar) else ""
        variant = self.variants.get(kind)
        if variant is None:
            hint = _suggest(kind, list(self.variants))
            run.problem(
                value_node.line,
                value_node.column,
                f"{where}.{self.tag}",
                f"unknown {self.tag} {kind!r}{hint}; one of {', '.join(self.variants)}",
            )
            return {}
        rest = ys.Mapping(
            {k: v for k, v in node.entries.items() if k != self.tag}, node.line, node.column
        )
        result = variant.check(rest, where, run)
        result[self.tag] = kind
        return result


_BAD = object()


@dataclass
class Run:
    """One validation pass: the problems found so far and where each value was written."""

    problems: list[ys.Problem] = field(default_factory=list)
    positions: Positions = field(default_factory=dict)

    def field(self, spec: Any, node: ys.Node, where: str) -> Any:
        self.positions[where] = (node.line, node.column)
        try:
            return spec.check(node, where, self)
        except Invalid as error:
            self.problem(node.line, node.column, where, str(error))
            return _BAD

    def problem(self, line: int, column: int, where: str, what: str) -> None:
        # The root has no key path; name it like the file-level problems do, so that every
        # line keeps the ``PATH:LINE:COLUMN: where: what`` shape.
        self.problems.append(ys.Problem(line, column, where or "(file)", what))

    def at(self, where: str, what: str) -> None:
        """Report a problem at the place ``where`` was written (or its nearest parent)."""
        path = where
        while path and path not in self.positions:
            path = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
        line, column = self.positions.get(path, (1, 1))
        self.problem(line, column, where, what)

    def unknown_key(self, key_node: ys.Scalar, path: str, key: str, known: list[str]) -> None:
        self.problem(key_node.line, key_node.column, path, f"unknown key{_suggest(key, known)}")


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _shape(node: ys.Node) -> str:
    return "list" if isinstance(node, ys.Sequence) else "mapping"


# ---- scalar converters -------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
# Underscores only between groups of three digits (1_000_000): "1_2_3" is a slip, not 123.
_NUMBER = re.compile(r"^[+-]?((\d+|\d{1,3}(_\d{3})+)(\.\d*)?|\.\d+)$", re.ASCII)


def to_date(text: str) -> date:
    match = _DATE.match(text.strip())
    if not match:
        raise Invalid(f"not a date: {text!r} (write YYYY-MM-DD)")
    year, month, day = (int(part) for part in match.groups())
    if not 1970 <= year <= 2200:
        raise Invalid(f"year {year} is out of range (1970-2200)")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise Invalid(f"impossible date {text.strip()}: {error}") from None


def to_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise Invalid(f"not a time of day: {text!r} (write HH:MM or HH:MM:SS)")
    hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return time(hour, minute, second)
    except ValueError:
        raise Invalid(f"impossible time of day: {text!r}") from None


def to_due(text: str) -> tuple[date, time | None]:
    """``2026-12-20`` or ``2026-12-20 18:00[:00]`` (also with ``T``)."""
    stripped = text.strip()
    parts = re.split(r"[T ]+", stripped, maxsplit=1)
    day = to_date(parts[0])
    if len(parts) == 1:
        return day, None
    return day, to_time(parts[1])


def to_decimal(text: str) -> Decimal:
    cleaned = text.strip()
    if not _NUMBER.match(cleaned):
        raise Invalid(f"not a plain decimal number: {text!r}")
    try:
        value = Decimal(cleaned.replace("_", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid text
        raise Invalid(f"not a number: {text!r}") from None
    if value.is_nan() or value.is_infinite() or abs(value) >= Decimal("1e15"):
        raise Invalid(f"{text} is out of range")
    return value


def to_amount(text: str) -> Decimal:
    value = to_decimal(text)
    if value <= 0:
        raise Invalid(f"must be more than 0, got {text.strip()}")
    return value


def to_rate(text: str) -> Decimal:
    stripped = text.strip()
    if stripped.endswith("%"):
        value = to_decimal(stripped[:-1]) / 100
    else:
        value = to_decimal(stripped)
        if value > 1:
            raise Invalid(
                f"{stripped} would be {value * 100}% a year: annual_rate is a fraction "
                f'(0.18 for 18%), or write "{stripped}%"'
            )
    if value < 0 or value > 10:
        raise Invalid(f"must be between 0 and 1000%, got {stripped}")
    return value


def to_int(low: int, high: int) -> Callable[[str], int]:
    def convert(text: str) -> int:
        stripped = text.strip().replace("_", "")
        if not re.fullmatch(r"[+-]?\d+", stripped):
            raise Invalid(f"not a whole number: {text!r}")
        # int() refuses more than 4,300 digits with a ValueError; no bound here needs 20.
        if len(stripped.lstrip("+-").lstrip("0")) > 20:
            raise Invalid(
                f"must be at least {low}" if stripped[0] == "-" else f"must be at most {high}"
            )
        value = int(stripped)
        if value < low:
            raise Invalid(f"must be at least {low}")
        if value > high:
            raise Invalid(f"must be at most {high}")
        return value

    return convert


def to_choice(*choices: str, aliases: dict[str, str] | None = None) -> Callable[[str], str]:
    def convert(text: str) -> str:
        stripped = text.strip()
        if stripped in choices:
            return stripped
        if aliases and stripped in aliases:
            return aliases[stripped]
        raise Invalid(f"must be one of {', '.join(choices)}{_suggest(stripped, list(choices))}")

    return convert


def to_text(
    max_length: int = 2000, pattern: str | None = None, hint: str = "", *, one_line: bool = False
) -> Callable[[str], str]:
    """A text converter. NUL is refused in every text (no path, argument or header can hold
    it, and ``"\\0"`` is valid YAML); with ``one_line``, so are CR and LF, for text that
    becomes a path, a program argument or a mail header (``"a@b.c\\r\\nBcc: x@y.z"``)."""

    def convert(text: str) -> str:
        if not text.strip():
            raise Invalid("must not be empty")
        if len(text) > max_length:
            raise Invalid(f"is longer than {max_length} characters")
        check_characters(text, one_line=one_line)
        if pattern and not re.fullmatch(pattern, text):
            raise Invalid(hint or f"must match {pattern}")
        return text

    return convert


def check_characters(text: str, *, one_line: bool = True) -> None:
    """Raise :class:`Invalid` when ``text`` holds a NUL (or, with ``one_line``, a CR or LF)."""
    if "\x00" in text:
        raise Invalid("contains a NUL character (\\0), which no file name or program accepts")
    if one_line and ("\n" in text or "\r" in text):
        raise Invalid("must be one line: it contains a line break (\\n or \\r)")
