"""Where in a TOML text a spec path was written, so errors can name the line."""

from __future__ import annotations

import re

from leadmodel.errors import Problem, ValidationError

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


def dump(spec: dict[str, object]) -> str:
    """Write a spec dict (from ``Pipeline.to_dict``) as TOML: keys, then arrays of tables."""
    lines = [f"{k} = {_value(v)}" for k, v in spec.items() if not isinstance(v, list)]
    for name in ("statuses", "transitions"):
        for item in spec.get(name, []):  # type: ignore[attr-defined]
            lines.append("")
            lines.append(f"[[{name}]]")
            lines.extend(f"{k} = {_value(v)}" for k, v in item.items())
    return "\n".join(lines) + "\n"


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
    raise ValidationError([problem], model="Pipeline.to_toml")


def _char(ch: str) -> str:
    if ch in '"\\':
        return "\\" + ch
    if ch < " " or ch == "\x7f":
        return f"\\u{ord(ch):04x}"
    return ch


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_\-]+", key) else _value(key)
