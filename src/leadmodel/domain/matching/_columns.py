"""The flat columns linking works on, and the separators that join several values in one string.

Kept apart from the engine so that :mod:`.keys` (which fills the columns) and the linker (which
reads them) both stand on it.
"""

from __future__ import annotations

from collections.abc import Callable

SEP = "\x1f"  # joins several values in one string (match keys never hold it)
EMAIL_AT = "\x1e"  # joins an email's domain and local part

Passes = Callable[[int, int], bool]  # a pair check, on record indices


class Columns:
    """What linking knows of the records: one column each, flat lists and dicts of strings.

    Kept this way, not as an object per record, so that matching a million records does not
    keep millions of small containers alive for the garbage collector to walk again and again.
    Several values of one record are joined by :data:`SEP`.
    """

    __slots__ = ("emails", "idents", "names", "parties", "pending", "several", "values")

    def __init__(self) -> None:
        self.parties: list[str] = []
        self.names: list[str] = []  # name key ('' if none)
        self.emails: list[str] = []  # domain EMAIL_AT normalised local part; '' if none
        self.idents: list[str] = []  # id SEP type name: how records sort
        self.values: dict[tuple[str, str], dict[int, str]] = {}  # (party, kind) -> i -> values
        self.several: set[tuple[str, str]] = set()  # (party, kind) with several values somewhere
        # the values of the record being collected, where it has several: joined when it is done
        self.pending: dict[tuple[str, str], set[str]] = {}
