"""Fuzzy keys for person and company names, and the string similarity matching uses.

A name key is the same for a Cyrillic name and its Latin spellings, whatever the word order,
case, accents or transliteration scheme: "Олена Коваль", "KOVAL Olena" and "Olena Kowal" all
give ``'kobal olena'``-like keys that compare equal. Three steps:

1. **Transliteration.** Ukrainian, Russian, Belarusian and Kazakh Cyrillic go through the
   built-in table :data:`CYRILLIC` *always*, so a key never depends on which extras are
   installed. Accented Latin letters lose their marks (``é`` → ``e``, ``ł`` → ``l``); any
   other script goes through ``anyascii`` when the ``match`` extra is installed, and is kept
   as it is (lower-cased) otherwise: such names then match only their own spelling.
2. **Phonetic folding** of each word: the spellings one sound gets in the common
   transliteration schemes become one (``kh``/``h``/``g``, ``x``/``ks``, ``y``/``j``/``i``,
   ``w``/``v``, ``c``/``k``, ``ts``/``tz``, ``ie``/``ye``/``e``, ``yu``/``iu``/``u``), then
   doubled letters collapse.
3. **Words** are sorted; patronymics (``Іванович``, ``Ivanovna``) are dropped from names of
   three or more words, and initials from names that have other words.

>>> name_key("Олена Коваль") == name_key("KOVAL Olena") == name_key("Olena Kowal")
True
>>> name_key("Алексей Иванов") == name_key("Aleksei Ivanov") == name_key("Alexey Ivanov")
True
>>> name_key("Дмитрий Иванович Петров") == name_key("Dmitriy Petrov")
True
>>> similarity("olena.koval", "olena.kowal")
0.9090909090909091
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter

__all__ = [
    "CYRILLIC",
    "HAVE_ANYASCII",
    "HAVE_RAPIDFUZZ",
    "company_key",
    "digits",
    "local_parts_similar",
    "name_key",
    "name_similarity",
    "osa_similarity",
    "similarity",
    "spelling",
]

_anyascii: Callable[[str], str] | None
try:  # the "match" extra
    from anyascii import anyascii as _anyascii
except ImportError:  # pragma: no cover - the fallback is tested by patching _anyascii to None
    _anyascii = None

_osa: Callable[[str, str], float] | None
try:  # the "match" extra
    from rapidfuzz.distance.OSA import normalized_similarity as _osa
except ImportError:  # pragma: no cover - the fallback is tested directly
    _osa = None

HAVE_ANYASCII = _anyascii is not None
HAVE_RAPIDFUZZ = _osa is not None

# One Latin spelling per letter; the folding below merges the other schemes' spellings.
_CYRILLIC_PAIRS = (
    "а a|б b|в v|г g|ґ g|д d|е e|є ye|ё yo|ж zh|з z|и y|і i|ї yi|й y|к k|л l|м m|н n|о o|п p|"
    "р r|с s|т t|у u|ў u|ф f|х kh|ц ts|ч ch|ш sh|щ shch|ъ |ы y|ь |э e|ю yu|я ya|"
    "ә a|ғ g|қ k|ң n|ө o|ұ u|ү u|һ h"
)
CYRILLIC: dict[str, str] = (
    {pair[0]: pair[2:] for pair in _CYRILLIC_PAIRS.split("|")}
    | {  # upper case: the same
        pair[0].upper(): pair[2:] for pair in _CYRILLIC_PAIRS.split("|")
    }
)
"""The built-in transliteration of Ukrainian, Russian, Belarusian and Kazakh Cyrillic."""

# Latin letters that do not decompose into a base letter and a mark.
_LATIN_EXTRA = {"ß": "ss", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "đ": "d", "þ": "th", "ı": "i"}
_LATIN_UPPER = {ch.upper(): v for ch, v in _LATIN_EXTRA.items() if len(ch.upper()) == 1}
_TABLE = str.maketrans(CYRILLIC | _LATIN_EXTRA | _LATIN_UPPER)
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc`\u00b4")
_WORDS = re.compile(r"[^\W_]+")

# Letter groups, replaced in this order by a capital standing for the sound (input is lower
# case), then single letters; the capitals go back to lower case at the end.
_GROUPS = (
    ("shch", "S"), ("sch", "S"), ("shh", "S"), ("tch", "C"), ("sh", "S"), ("ch", "C"),
    ("cz", "C"), ("zh", "Z"), ("kh", "G"), ("ts", "T"), ("tz", "T"), ("ck", "K"), ("ph", "F"),
    ("th", "D"),
)  # fmt: skip
_LETTERS = str.maketrans(
    {"h": "g", "x": "ks", "w": "v", "q": "k", "c": "k", "j": "i", "y": "i"}
    | {"S": "sh", "C": "ch", "Z": "zh", "G": "g", "T": "c", "K": "k", "F": "f", "D": "t"}
)
_DOUBLE = re.compile(r"(.)\1+")
_NOT_DIGITS = re.compile(r"\D+")
_FIRST = itemgetter(1)  # the letter of a doubled letter
_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ivna|ichna)$")
_LEGAL_FORMS = (
    "llc ltd limited inc corp corporation co company gmbh ag sa srl plc llp lp oy ab bv nv "
    "тов тзов ооо оао зао пао пат прат ат ао пп фоп ип чп"
)


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and spaces: the table, then marks stripped, then anyascii."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).translate(_TABLE)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        # letters only: marks go, and so do emoji and symbols (anyascii would spell them out)
        text = "".join(
            ch if ch.isascii() or unicodedata.category(ch)[0] == "L" else " "
            for ch in decomposed
            if not unicodedata.combining(ch)
        )
        if not text.isascii() and _anyascii is not None:
            text = _anyascii(text)
    return text.lower()


def _sounds(text: str) -> str:
    """One spelling per sound (see the module docstring), doubled letters kept."""
    for group, sound in _GROUPS:
        if group in text:
            text = text.replace(group, sound)
    return text.translate(_LETTERS).replace("ie", "e").replace("iu", "u").replace("io", "o")


def _fold(text: str) -> str:
    """One spelling per sound (see the module docstring), for lower-case words."""
    text = _sounds(text)
    return _DOUBLE.sub(_FIRST, text) if _DOUBLE.search(text) else text


def spelling(text: str) -> str:
    """``text`` transliterated, one spelling per sound, its doubled letters kept: the same for
    two spellings of one name (``olena.kowal``, ``olena.koval``), not for a letter doubled by a
    slip of the keyboard (``olenna``).

    >>> spelling("olena.kowal") == spelling("olena.koval"), spelling("olenna") == spelling("olena")
    (True, False)
    """
    return _sounds(_ascii(text))


def _folded_words(text: str) -> list[str]:
    return _fold(" ".join(_WORDS.findall(_ascii(text)))).split()


@lru_cache(maxsize=1 << 18)  # names repeat: a pure function of its argument, so safe to cache
def name_key(name: str) -> str:
    """The fuzzy key of a person's name: transliterated, folded, words sorted ('' if none)."""
    words = _folded_words(name)
    if len(words) >= 3:  # noqa: PLR2004 - first name, patronymic, surname
        kept = [w for w in words if not _PATRONYMIC.search(w)]
        words = kept if len(kept) >= 2 else words  # noqa: PLR2004
    if len(words) > 1:
        words = [w for w in words if len(w) > 1] or words
    return " ".join(sorted(words))


_LEGAL = frozenset(_fold(word) for word in _ascii(_LEGAL_FORMS).split())


@lru_cache(maxsize=1 << 16)
def company_key(name: str) -> str:
    """The fuzzy key of a company name: as :func:`name_key`, without legal forms (LLC, ТОВ)."""
    words = _folded_words(name)
    return " ".join(sorted(w for w in words if w not in _LEGAL) or sorted(words))


def similarity(a: str, b: str) -> float:
    """``1 - distance / max(len(a), len(b))``, in [0, 1], by optimal string alignment.

    The distance counts letters inserted, deleted or substituted, and two neighbours
    swapped (``olnea`` for ``olena`` is one edit). ``rapidfuzz`` computes it when the
    ``match`` extra is installed; the pure-Python fallback gives exactly the same numbers
    (slower), so matching results never depend on which extras are installed.
    """
    if _osa is not None:
        return _osa(a, b)
    return osa_similarity(a, b)


def name_similarity(a: str, b: str) -> float:
    """How well two name keys agree, word by word, in [0, 1].

    Each word of the name with fewer words is paired with its most similar word of the other
    name; the least similar pair decides. So a typo costs little (``olena`` / ``olna``), a
    missing word nothing (``koval`` / ``koval olena``), and another first name a lot, however
    long the shared surname (``ivan koval`` / ``koval olena``).

    >>> name_similarity("koval olena", "koval olna")
    0.8
    >>> round(name_similarity("ivan koval", "koval olena"), 2)
    0.2
    """
    if a == b:
        return 1.0
    words_a, words_b = a.split(), b.split()
    if not words_a or not words_b:
        return 0.0
    if len(words_a) > len(words_b):
        words_a, words_b = words_b, words_a
    forward = min(max(similarity(x, y) for y in words_b) for x in words_a)
    if len(words_a) < len(words_b):
        return forward
    return min(forward, *(max(similarity(y, x) for x in words_a) for y in words_b))


def digits(text: str) -> str:
    """The digits of ``text``, in order: ``'olena.koval85'`` → ``'85'``."""
    return "" if text.isalpha() else _NOT_DIGITS.sub("", text)


def local_parts_similar(a: str, b: str, at_least: float) -> bool:
    """Whether two email local parts may be one mailbox written twice, once with a typo.

    They are equal, or they have the same digits and a :func:`similarity` of at least
    ``at_least``. Digits must agree because a number in an address is chosen, not mistyped:
    ``olenakoval`` and ``olenakoval85`` are two mailboxes, often of two namesakes.

    >>> local_parts_similar("olenakoval", "olenakovl", 0.9)
    True
    >>> local_parts_similar("olenakoval", "olenakoval8", 0.9)
    False
    """
    if a == b:
        return True
    return digits(a) == digits(b) and similarity(a, b) >= at_least


def osa_similarity(a: str, b: str) -> float:
    """The pure-Python :func:`similarity` (used without ``rapidfuzz``).

    >>> osa_similarity("olena", "olnea"), osa_similarity("", "")
    (0.8, 1.0)
    """
    if a == b:
        return 1.0
    width = len(b) + 1
    before: list[int] = []
    previous = list(range(width))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, width):
            cost = a[i - 1] != b[j - 1]
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, before[j - 2] + 1)
            current[j] = best
        before, previous = previous, current
    return 1 - previous[-1] / max(len(a), len(b))
