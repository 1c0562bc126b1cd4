"""JSON text in and out: the standard library, or orjson when the ``fast`` extra is installed.

Both backends accept and refuse the same documents (the tests run on each): UTF-8 only, no
NaN/Infinity, no lone surrogates. orjson reads an integer beyond 64 bits as a float, the
standard library as an int; leadmodel refuses numbers beyond ±(2**63-1) wherever they land
(typed fields want an int, custom fields cap every number), so the result is the same.
"""

from __future__ import annotations

import json
import re
from types import ModuleType
from typing import Any

_orjson: ModuleType | None
try:  # the "fast" extra
    import orjson as _orjson
except ImportError:  # pragma: no cover - the stdlib path is tested by patching _orjson to None
    _orjson = None

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class NotJSON(ValueError):
    """Text that is not a JSON document leadmodel accepts; the message says why."""


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Compact (or indented) JSON text, non-ASCII characters kept as they are."""
    if _orjson is not None and indent is None:
        return str(_orjson.dumps(data).decode("utf-8"))
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(data, ensure_ascii=False, indent=indent, separators=separators)


def loads(text: str | bytes) -> Any:
    """Parse JSON text (``str`` or UTF-8 ``bytes``); raises :class:`NotJSON`."""
    if isinstance(text, bytearray | memoryview):
        text = bytes(text)
    if not isinstance(text, str | bytes):
        raise NotJSON("from_json takes str or bytes")
    if _orjson is not None:
        try:
            return _orjson.loads(text)
        except _orjson.JSONDecodeError:
            pass  # the standard library names the problem, the same way for both backends
    return _stdlib_loads(text)


def _stdlib_loads(text: str | bytes) -> Any:
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")  # RFC 8259: JSON exchanged between systems is UTF-8
        else:
            text.encode("utf-8")  # a str with a lone surrogate is not Unicode text
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise NotJSON(f"not valid JSON: {exc.msg} ({where})") from None
    except UnicodeError:
        raise NotJSON(
            "not valid JSON: not UTF-8 text (invalid bytes or a lone surrogate)"
        ) from None
    except RecursionError:
        raise NotJSON("not valid JSON: nested too deeply") from None
    except ValueError as exc:
        raise NotJSON(f"not valid JSON: {exc}") from None
    if _SURROGATE_ESCAPE.search(text):
        _reject_lone_surrogates(data)
    return data


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _reject_lone_surrogates(data: object) -> None:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise NotJSON("not valid JSON: a \\u escape is half of a surrogate pair") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
