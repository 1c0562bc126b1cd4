"""How the SQL adapter writes ids and indexed text to a database that cannot hold every string.

PostgreSQL text refuses NUL (``\\x00``), and a B-tree entry holds at most about 2,700 bytes.
The document column keeps every value exactly (JSON escapes NUL as ``\\u0000``); only the
indexed columns get a stored form:

* ids (ordered, ``ORDER BY id``): NUL and the escape character ``\\x01`` are escaped as
  ``\\x01\\x01`` and ``\\x01\\x02``, a prefix-free code that keeps code-point order, so ids
  sort as Python sorts them; ids longer than :data:`MAX_ID_BYTES` are refused;
* owner, pipeline, status and match keys (compared with ``=`` only): escaped the same way,
  and replaced by ``\\x01\\x03`` + their SHA-256 when longer than :data:`MAX_INDEXED_CHARS`.

The same function writes the column and the value a query compares with it, so equality
never changes meaning. Databases that store any string (SQLite) keep the values verbatim.

>>> text = PostgresText()
>>> text.id("a\\x00b"), text.id_back(text.id("a\\x00b"))
('a\\x01\\x01b', 'a\\x00b')
>>> sorted(["a\\x01", "a\\x00", "a"]) == sorted(["a\\x01", "a\\x00", "a"], key=text.id)
True
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from leadmodel.errors import Problem, ValidationError

__all__ = ["MAX_ID_BYTES", "MAX_INDEXED_CHARS", "PostgresText", "VerbatimText"]

MAX_ID_BYTES: Final = 1000
"""The longest id (UTF-8 bytes, after escaping) PostgreSQL's indexes take from leadmodel."""

MAX_INDEXED_CHARS: Final = 256
"""Longer owner/pipeline/status/match key values are indexed by their SHA-256."""

_ESCAPED = re.compile("\x01([\x01\x02])")
_HASHED = "\x01\x03"  # never produced by escaping: \x01 is always followed by \x01 or \x02


def _escape(value: str) -> str:
    if "\x00" not in value and "\x01" not in value:
        return value
    return value.replace("\x01", "\x01\x02").replace("\x00", "\x01\x01")


def _unescape(value: str) -> str:
    if "\x01" not in value:
        return value
    return _ESCAPED.sub(lambda m: "\x00" if m.group(1) == "\x01" else "\x01", value)


class VerbatimText:
    """Stored forms for databases that hold any string: the values themselves."""

    def id(self, value: str) -> str:
        """The stored form of an id."""
        return value

    def id_back(self, stored: str) -> str:
        """The id a stored form came from."""
        return stored

    def new_id(self, kind: str, value: str) -> str:
        """The stored form of an id being written (checked to fit)."""
        return value

    def indexed(self, value: str | None) -> str | None:
        """The stored form of an owner, pipeline, status or match key."""
        return value

    def indexed_back(self, stored: str | None) -> str | None:
        """The value an :meth:`indexed` form came from; ``None`` for a hashed (long) one, which
        only the document holds (:meth:`hashed`)."""
        return stored

    def hashed(self, stored: str | None) -> bool:
        """Whether ``stored`` is the SHA-256 form of a value too long to index."""
        return False


class PostgresText(VerbatimText):
    """Stored forms for PostgreSQL: no NUL, index entries of bounded size."""

    def id(self, value: str) -> str:
        return _escape(value)

    def id_back(self, stored: str) -> str:
        return _unescape(stored)

    def new_id(self, kind: str, value: str) -> str:
        stored = _escape(value)
        if len(stored) * 4 > MAX_ID_BYTES and len(stored.encode("utf-8")) > MAX_ID_BYTES:
            msg = (
                f"ids longer than {MAX_ID_BYTES} bytes (UTF-8) do not fit PostgreSQL's index; "
                "use a shorter id (uuid7() makes 36 characters)"
            )
            raise ValidationError([Problem("id", msg, value)], model=kind)
        return stored

    def indexed_back(self, stored: str | None) -> str | None:
        if stored is None or self.hashed(stored):
            return None
        return _unescape(stored)

    def hashed(self, stored: str | None) -> bool:
        return stored is not None and stored.startswith(_HASHED)

    def indexed(self, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value) > MAX_INDEXED_CHARS:
            return _HASHED + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        return _escape(value)
