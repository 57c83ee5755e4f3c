"""Reading one input file: a regular file of at most a size, UTF-8 text, YAML 1.2 plain data.

YAML is read as YAML 1.2 does (its core schema), not as YAML 1.1: ``yes``, ``no``, ``on`` and
``off`` are text, ``1:30`` is text (not 90), ``010`` is ten (not eight), dates are text, ``<<``
is an ordinary key. Only plain data is accepted: mappings, lists, text, numbers, true/false and
null. Any other tag (``!!binary``, ``!!timestamp``, ``!!set``, ``!!python/…``) is refused, and a
tag whose value does not fit it (``!!int abc``) is an error at its line.

The values are counted and their nesting measured while the file is parsed, so that a huge or
deep file stops at the bound (:mod:`forlopsim.limits`) before it is all in memory.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from forlopsim.errors import Problem, ScenarioError
from forlopsim.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES

_CORE = "tag:yaml.org,2002:"
NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
"""The YAML 1.2 core schema's plain scalars (YAML 1.2.2, section 10.3.2)."""

NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters a YAML file may not hold (YAML 1.2.2, section 5.1)."""


class LimitError(yaml.MarkedYAMLError):
    """A file holds more values, or deeper ones, than :mod:`forlopsim.limits` allows."""


class CoreResolver(BaseResolver):
    """Plain scalars resolved by the YAML 1.2 core schema (no YAML 1.1 forms)."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  (PyYAML keeps it on the class)


for _tag, _regexp, _first in (
    ("bool", BOOL, "tTfF"),
    ("int", INT, "-+0123456789"),
    ("float", FLOAT, "-+.0123456789"),
    ("null", NULL, ["~", "n", "N", ""]),
):
    CoreResolver.add_implicit_resolver(_CORE + _tag, _regexp, list(_first))


class DataConstructor(SafeConstructor):
    """Plain data only: each core tag checks its value; every other tag is refused."""

    yaml_constructors: ClassVar[dict[Any, Any]] = {}
    yaml_multi_constructors: ClassVar[dict[Any, Any]] = {}

    def flatten_mapping(self, node: Any) -> None:
        """No YAML 1.1 merge keys: ``<<`` is an ordinary key, ``!!merge`` an unknown tag."""

    def construct_core_scalar(self, node: Node) -> Any:
        """A null, true/false, whole number or number, as its tag says; an error if it is not."""
        text = str(self.construct_scalar(node))  # type: ignore[arg-type]
        kind = node.tag.removeprefix(_CORE)
        try:
            return core_value(kind, text)
        except ValueError as error:
            raise ConstructorError(None, None, str(error), node.start_mark) from None


_CONSTRUCTORS: dict[str | None, Any] = {
    _CORE + "null": DataConstructor.construct_core_scalar,
    _CORE + "bool": DataConstructor.construct_core_scalar,
    _CORE + "int": DataConstructor.construct_core_scalar,
    _CORE + "float": DataConstructor.construct_core_scalar,
    _CORE + "str": SafeConstructor.construct_yaml_str,
    _CORE + "seq": SafeConstructor.construct_yaml_seq,
    _CORE + "map": SafeConstructor.construct_yaml_map,
    None: SafeConstructor.construct_undefined,  # any other tag: refused
}
DataConstructor.yaml_constructors.update(_CONSTRUCTORS)

_EXPECTED = {"null": "null", "bool": "true or false", "int": "a whole number", "float": "a number"}


def core_value(kind: str, text: str) -> Any:
    """The value of a scalar of the core tag ``kind`` (``int``…); ``ValueError`` if it is not one.

    Whole numbers are decimal, ``0o`` octal or ``0x`` hexadecimal, as in YAML 1.2.
    """
    if kind == "null" and NULL.match(text):
        return None
    if kind == "bool" and BOOL.match(text):
        return text.lower() == "true"
    if kind == "int" and INT.match(text):
        try:
            base = {"0o": 8, "0x": 16}.get(text[:2], 10)
            return int(text[2:] if base != 10 else text, base)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise ValueError("whole number with too many digits") from None
    if kind == "float" and (FLOAT.match(text) or INT.match(text)):
        if text.lower().lstrip("+-") in (".inf", ".nan"):
            return float(text.lower().replace(".", ""))
        return float(int(text, 0) if text[:2] in ("0o", "0x") else text)
    raise ValueError(f"!!{kind} needs {_EXPECTED[kind]} (got {shorten(text)})")


class DataLoader(Reader, Scanner, Parser, Composer, DataConstructor, CoreResolver):
    """The loader of every input file: YAML 1.2 plain data, values counted while parsing."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        DataConstructor.__init__(self)
        CoreResolver.__init__(self)
        self.values = 0
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one value, counting it and refusing one too many or too deep."""
        self.values += 1
        if self.values > MAX_VALUES:
            mark = self.peek_event().start_mark
            raise LimitError(None, None, f"more than {MAX_VALUES:,} values in one file", mark)
        if self.depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark
            message = f"values nested too deeply (more than {MAX_DEPTH} levels)"
            raise LimitError(None, None, message, mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def read_text(path: Path, name: str) -> str:
    """The text of a regular file of at most :data:`MAX_FILE_BYTES`, checked to be YAML text.

    FIFOs, devices and sockets are refused before they are opened (opening a FIFO waits for a
    writer; a device never ends), and no more than the bound is ever read.
    """
    raw = _read_bytes(path, name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start : error.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{byte}); save the file as UTF-8"
        raise ScenarioError([Problem(name, "", message, line)]) from None
    bad = NOT_PRINTABLE.search(text.removeprefix("\ufeff"))
    if bad is not None:
        start = bad.start() + (1 if text.startswith("\ufeff") else 0)
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        message = (
            f"not a YAML text file: character {_codepoint(bad.group())} at column {column} "
            "is not allowed (binary data or a control character)"
        )
        raise ScenarioError([Problem(name, "", message, line)])
    return text


def _read_bytes(path: Path, name: str) -> bytes:
    """At most :data:`MAX_FILE_BYTES` + 1 bytes of a regular file; a problem for anything else."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ScenarioError([Problem(name, "", _not_regular(path))])
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # replaced since the check
                raise ScenarioError([Problem(name, "", _not_regular(path))])
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([Problem(name, "", "file not found")]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ScenarioError([Problem(name, "", f"cannot read the file ({reason})")]) from None
    except ValueError as error:  # a NUL in the path
        raise ScenarioError([Problem(name, "", f"cannot read the file ({error})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        message = (
            f"larger than {MAX_FILE_BYTES // 1024:,} KiB, the most an input file may be "
            "(the baseline scenario is 23 kB; see docs/reliability.md)"
        )
        raise ScenarioError([Problem(name, "", message)])
    return raw


def _not_regular(path: Path) -> str:
    mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        return "is a directory, not a scenario file"
    kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device or socket"
    return f"is {kind}, not a regular file; give a file"


def _codepoint(character: str) -> str:
    names = {
        "\x00": "NUL",
        "\x07": "BEL",
        "\x1b": "ESC",
        "\x7f": "DEL",
        "\ufffe": "a non-character",
    }
    code = f"U+{ord(character):04X}"
    return f"{code} ({names[character]})" if character in names else code


def parse(text: str) -> tuple[Any, Node | None]:
    """The data of one YAML document and its root node (``None`` for an empty document).

    Raises ``yaml.YAMLError`` (a :class:`LimitError` at a bound) and ``RecursionError``.
    """
    loader = DataLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def key_value(node: Node) -> Any:
    """The value of a mapping key as the loader constructs it (``0x4`` → 4), for comparisons."""
    if isinstance(node, ScalarNode):
        kind = str(node.tag).removeprefix(_CORE)
        if kind in _EXPECTED:
            try:
                return core_value(kind, node.value)
            except ValueError:
                return node.value
        return node.value
    return id(node)


def shorten(text: str, limit: int = 40) -> str:
    """``text`` quoted, escaped and cut to about ``limit`` characters: ``'root:x:0:0:r…'``."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 2] + "…" + shown[0]
