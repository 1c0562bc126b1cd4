"""TOML for specs: read text, name the line of each problem, write a spec document back.

The domain reads no files: specs come in as text (``str`` or UTF-8 ``bytes``), and a path is
refused with the line that reads it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from typing import Any

from leadmodel.errors import Problem, ValidationError

_READ_FIRST = "pass the TOML text (read a file with Path(...).read_text(encoding='utf-8'))"


def _text(text: object) -> str:
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError([Problem("", f"not UTF-8 text: {exc}")]) from None
    if not isinstance(text, str):
        shown = os.fspath(text) if isinstance(text, os.PathLike) else text
        raise ValidationError([Problem("", _READ_FIRST, shown)])
    return text


MAX_FILE_BYTES = 8 * 1024 * 1024
"""The largest spec file :func:`read_file` reads when asked to cap it: 8 MiB, far more than a
spec at its caps takes (1,000 statuses, ``MAX_STATUSES``). A bigger file is most likely not a
spec (a log, a dump)."""


def read_file(path: os.PathLike[str], *, most: int | None = None) -> bytes:
    """The bytes of the file at ``path``; a file that cannot be read is a ValidationError, and
    so is one of more than ``most`` bytes (when given).

    For the deprecated path form of ``Pipeline.from_toml`` and for ``leadmodel.load_registry``:
    the domain reads no files.
    """
    try:
        with open(path, "rb") as file:
            data = file.read() if most is None else file.read(most + 1)
    except OSError as exc:
        msg = f"cannot read the file ({exc.strerror or exc}); check the path"
        raise ValidationError([Problem("", msg, os.fspath(path))]) from None
    if most is not None and len(data) > most:
        msg = (
            f"the file is larger than {most:,} bytes, too big for a spec: check the path, "
            "or split it into several files"
        )
        raise ValidationError([Problem("", msg, os.fspath(path))])
    return data


def parse(text: object) -> dict[str, Any]:
    """TOML text as a dict; raises :class:`ValidationError` for a path, bytes that are not
    UTF-8, or text that is not TOML."""
    try:
        return tomllib.loads(_text(text))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError([Problem("", f"not valid TOML: {exc}")]) from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        msg = "not valid TOML here: arrays or inline tables nested too deep; flatten them"
        raise ValidationError([Problem("", msg)]) from None


def with_lines(problems: Iterable[Problem], text: object) -> list[Problem]:
    """``problems`` (found in the document parsed from ``text``), each with its line, in the
    order of the lines (problems of the whole document, which have none, last)."""
    lines = line_map(_text(text))
    located = [Problem(p.path, p.message, p.value, line=locate(lines, p.path)) for p in problems]
    return sorted(located, key=lambda p: (p.line is None, p.line or 0))


_ARRAY = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")


def line_map(text: str) -> dict[str, int]:
    """Map spec paths (``statuses[2].kind``) to the 1-based line where they are written."""
    found: dict[str, int] = {}
    counts: dict[str, int] = {}
    context = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _ARRAY.match(line):
            context = _array_path(m.group(1), context, counts)
            found.setdefault(context, number)
        elif m := _TABLE.match(line):
            context = _table_path(m.group(1), context)
            found.setdefault(context, number)
        elif m := _KEY.match(line):
            key = m.group(1).strip('"')
            found.setdefault(f"{context}.{key}" if context else key, number)
    return found


def _array_path(name: str, context: str, counts: dict[str, int]) -> str:
    # [[statuses.on_enter]] belongs to the latest [[statuses]]
    parts = name.split(".")
    parent = ""
    for part in parts[:-1]:
        prefix = f"{parent}.{part}" if parent else part
        parent = f"{prefix}[{counts.get(prefix, 1) - 1}]"
    base = f"{parent}.{parts[-1]}" if parent else parts[-1]
    counts[base] = counts.get(base, 0) + 1
    for key in [k for k in counts if k.startswith(f"{base}[")]:
        del counts[key]
    return f"{base}[{counts[base] - 1}]"


def _table_path(name: str, context: str) -> str:
    parts = name.split(".")
    if len(parts) > 1 and context.startswith(parts[0] + "["):
        return context.split(".", maxsplit=1)[0] + "." + ".".join(parts[1:])
    return name


def locate(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path`` or of its nearest written parent."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def dump(spec: dict[str, Any], *, depth: int = 1) -> str:
    """Write a spec document as TOML: its keys, then its lists of tables as arrays of tables.

    ``depth`` is how many levels of lists of tables are written as arrays of tables
    (``[[pipelines]]``, then ``[[pipelines.statuses]]`` at depth 2); deeper ones are inline.
    """
    lines: list[str] = []
    _write(lines, spec, "", depth)
    return "\n".join(lines) + "\n"


def _write(lines: list[str], table: dict[str, Any], header: str, depth: int) -> None:
    # a table's own keys come before its sub-tables: a key after a header belongs to that header
    tables = {k: v for k, v in table.items() if depth > 0 and _is_tables(v)}
    lines.extend(f"{_key(k)} = {_value(v)}" for k, v in table.items() if k not in tables)
    for name, items in tables.items():
        inner = f"{header}.{_key(name)}" if header else _key(name)
        for item in items:
            lines.append("")
            lines.append(f"[[{inner}]]")
            _write(lines, item, inner, depth - 1)


def _is_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(_char(ch) for ch in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    problem = Problem("", "TOML has no null: remove the parameter or give it a value", value)
    raise ValidationError([problem])


def _char(ch: str) -> str:
    if ch in '"\\':
        return "\\" + ch
    if ch < " " or ch == "\x7f":
        return f"\\u{ord(ch):04x}"
    return ch


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_\-]+", key) else _value(key)
