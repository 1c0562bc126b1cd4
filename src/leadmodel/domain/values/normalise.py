"""Normalisation of contact values into match keys: the one place it happens.

Each function returns the key or raises ``ValueError`` with a message that says what is
wrong and what is expected; :class:`~leadmodel.domain.values.contact.ContactPoint` turns that into
a :class:`~leadmodel.errors.ValidationError` naming the field.

A key never folds two different written values together: an email or domain that holds
format characters (zero-width joiner, soft hyphen), compatibility forms (fullwidth letters,
the Kelvin sign) or another script's full stop (``。``) is refused, not mapped to a plain
address. Internationalised domains follow IDNA 2008 (``faß.de`` and ``fass.de`` stay two
domains) through the ``idna`` package (the ``idna`` extra). Without it, a non-ASCII domain
label is accepted only when IDNA 2003 leaves it unchanged and it holds none of the characters
the two standards treat differently (``ß``, ``ς``, joiners), so the key is the one IDNA 2008
gives; any other is refused with a message naming the extra.
"""

from __future__ import annotations

import re
import unicodedata
from encodings import idna as _idna2003
from functools import lru_cache
from types import ModuleType
from urllib.parse import urlsplit

_pn: ModuleType | None
try:  # the "phone" extra
    import phonenumbers as _pn
except ImportError:  # pragma: no cover - the fallback is tested by patching _pn to None
    _pn = None

_idna: ModuleType | None
try:  # the "idna" extra: IDNA 2008 (RFC 5891) instead of the stdlib's IDNA 2003 codec
    import idna as _idna
except ImportError:  # pragma: no cover - the fallback is tested by patching _idna to None
    _idna = None

HAVE_PHONENUMBERS = _pn is not None
HAVE_IDNA = _idna is not None

_LOCAL_BAD = re.compile(r"[\s\x00-\x1f\x7f<>(),;:\\\"\[\]@]")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_NETWORK = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]+$")
_MAX_DOMAIN = 253
_MAX_LOCAL_PART = 64
_PHONE_DIGITS = range(7, 16)  # E.164 allows at most 15 digits
_REGION = re.compile(r"^[A-Z]{2}$")
# Full stops of other scripts that IDNA 2003 and UTS 46 quietly turn into ".".
_OTHER_DOTS = frozenset("\u3002\uff0e\uff61")
# Characters IDNA 2003 maps away or folds but IDNA 2008 keeps (or refuses): ß, ς, ZWNJ, ZWJ.
_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")
_NOT_TEXT = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _folding_problem(text: str) -> str | None:
    """What in ``text`` a mail system would fold or hide, or ``None``: a key must not fold it."""
    if text.isascii() and text.isprintable():
        return None  # printable ASCII: no control character, nothing NFKC changes, no dots
    for ch in text:
        if unicodedata.category(ch) in _NOT_TEXT:
            return f"it holds an invisible or control character (U+{ord(ch):04X})"
        if ch in _OTHER_DOTS:
            return f"it holds {ch!r} (U+{ord(ch):04X}) where a full stop '.' belongs"
        if unicodedata.normalize("NFKC", ch) != ch:
            return (
                f"it holds the compatibility character {ch!r} (U+{ord(ch):04X}: a fullwidth "
                "form, a ligature or a look-alike such as the Kelvin sign); write it with "
                "ordinary characters"
            )
    return None


def ascii_domain(domain: str) -> str:
    """Lower-case ``domain`` and encode an internationalised one to ASCII (IDNA 2008 punycode).

    >>> ascii_domain("Приклад.УКР"), ascii_domain("faß.de") != ascii_domain("fass.de")
    ('xn--80aikifvh.xn--j1amh', True)
    """
    domain = domain.rstrip(".")
    if not domain.isascii():
        problem = _folding_problem(domain)
        if problem:
            raise ValueError(f"not a domain name: {problem}")
        domain = _punycode(unicodedata.normalize("NFC", domain).lower(), _idna)
    domain = domain.lower()
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > _MAX_DOMAIN:  # noqa: PLR2004 - a name and a TLD
        raise ValueError("the domain needs a name and a top-level part, e.g. 'example.com'")
    if not all(_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        raise ValueError("not a valid domain name, e.g. 'example.com' or 'пример.укр'")
    return domain


# Memoised: the stdlib IDNA codec and phonenumbers take tens of microseconds per call, and
# the same addresses, domains and numbers come back again and again as records are loaded
# and changed (pure functions of their arguments, so caching cannot change a result).
@lru_cache(maxsize=4096)
def _punycode(domain: str, idna: ModuleType | None) -> str:
    """``domain`` (NFC, lower case, checked by :func:`_folding_problem`) in ASCII."""
    if idna is not None:
        try:
            return str(idna.encode(domain, uts46=False).decode("ascii"))
        except (idna.IDNAError, UnicodeError) as exc:
            raise ValueError(
                f"not a valid internationalised domain name (IDNA 2008: {exc})"
            ) from None
    return ".".join(_label_without_idna(label) for label in domain.split("."))


def _label_without_idna(label: str) -> str:
    """One label in ASCII by the stdlib codec, when that cannot differ from IDNA 2008."""
    if label.isascii():
        return label
    refused = ValueError(
        f"cannot check the internationalised domain label {label!r} without the 'idna' "
        "package; install leadmodel[idna]"
    )
    if _DEVIATIONS.intersection(label):
        raise refused
    try:
        if _idna2003.nameprep(label) != label:  # IDNA 2003 would map it: not safe to key
            raise refused
        return "xn--" + label.encode("punycode").decode("ascii")
    except UnicodeError:
        raise ValueError("not a valid internationalised domain name") from None


@lru_cache(maxsize=4096)
def email_key(value: str) -> str:
    """``name@domain`` with the local part lower-cased (NFC) and the domain in ASCII.

    Refused rather than folded: format characters, compatibility forms (fullwidth, the
    Kelvin sign) and other scripts' full stops, in either part (see the module docstring).

    >>> email_key("Olena.K@Приклад.УКР")
    'olena.k@xn--80aikifvh.xn--j1amh'
    >>> email_key("\u212aate@example.com")
    Traceback (most recent call last):
    ...
    ValueError: the part before @ is not valid in an email address: it holds the ...
    """
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError("not an email address; expected name@domain, e.g. 'olena@example.com'")
    problem = _folding_problem(local)
    if problem:
        raise ValueError(f"the part before @ is not valid in an email address: {problem}")
    local = unicodedata.normalize("NFC", unicodedata.normalize("NFC", local).lower())
    if (
        len(local) > _MAX_LOCAL_PART
        or _LOCAL_BAD.search(local)
        or ".." in local
        or local[0] == "."
        or local[-1] == "."
    ):
        raise ValueError("the part before @ is not valid in an email address")
    try:
        return f"{local}@{ascii_domain(domain)}"
    except ValueError as exc:
        raise ValueError(f"{exc} (in the email domain)") from None


def handle_key(network: str, handle: str) -> str:
    """``network:handle`` with the handle lower-cased and without a leading ``@``.

    >>> handle_key("telegram", "@Olena_K")
    'telegram:olena_k'
    """
    if not _NETWORK.match(network):
        raise ValueError("network must be a lower-case name such as 'telegram' or 'instagram'")
    bare = handle.strip().lstrip("@")
    if not bare or any(ch.isspace() for ch in bare):
        raise ValueError("a handle has no spaces, e.g. '@olena_k'")
    return f"{network}:{bare.lower()}"


def website_key(value: str) -> str:
    """Host (ASCII, lower-case, without ``www.``) plus path without a trailing slash.

    >>> website_key("HTTPS://www.Example.com/shop/")
    'example.com/shop'
    """
    raw = value.strip()
    try:
        parts = urlsplit(raw if "://" in raw else f"http://{raw}")
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        raise ValueError("not a web address, e.g. 'https://example.com'") from None
    if any(ch.isspace() for ch in raw) or not host or parts.scheme not in ("http", "https"):
        raise ValueError("not a web address, e.g. 'https://example.com'")
    host = ascii_domain(host)
    host = host.removeprefix("www.")
    where = f"{host}:{port}" if port else host
    return where + parts.path.rstrip("/")


def region_problem(region: str) -> str | None:
    """What is wrong with ``region`` as an ISO 3166 alpha-2 code for phones, or ``None``."""
    if not _REGION.match(region):
        return "a region is a two-letter ISO 3166 code in capitals, e.g. 'UA'"
    if _pn is not None and region not in _pn.SUPPORTED_REGIONS:
        return "phonenumbers does not know this region"
    return None


@lru_cache(maxsize=4096)
def phone_key(value: str, region: str | None) -> str:
    """E.164 (``+380501234567``) through ``phonenumbers``; the digits-only fallback without it.

    ``region`` is where a number written without its country code was dialled (``"UA"``).
    """
    if _pn is None:
        return phone_key_fallback(value)
    try:
        number = _pn.parse(value, region)
    except _pn.NumberParseException:
        hint = "" if region else " or pass region= (e.g. 'UA') for a national number"
        raise ValueError(
            f"not a phone number; write it with its country code (+380…){hint}"
        ) from None
    if not _pn.is_possible_number(number):
        raise ValueError("not a possible phone number (wrong length for its country)")
    return str(_pn.format_number(number, _pn.PhoneNumberFormat.E164))


def phone_region(number: str, region: str | None = None) -> str | None:
    """The country (ISO 3166 region) a phone number belongs to; ``region`` when it cannot tell.

    ``region`` is where a national number was dialled, as for :func:`phone_key`. Reading the
    country from the number needs ``phonenumbers`` (the ``phone`` extra); without it, or for a
    number it cannot place, the answer is ``region``.

    >>> phone_region("+48 601 234 567"), phone_region("050 123 4567", "UA")
    ('PL', 'UA')
    """
    if _pn is None:  # checked before the cache: tests switch the extra off
        return region
    return _phone_region(_pn, number, region)


@lru_cache(maxsize=4096)
def _phone_region(pn: ModuleType, number: str, region: str | None) -> str | None:
    try:
        found = pn.region_code_for_number(pn.parse(number, region))
    except pn.NumberParseException:
        return region
    return str(found) if found and found != "ZZ" else region


def phone_key_fallback(value: str) -> str:
    """Without ``phonenumbers``: ``+`` and the digits for international numbers, else the digits.

    ``+38 (050) 123-45-67`` and ``0038 050 123 45 67`` both give ``+380501234567``; a national
    number such as ``050 123 45 67`` keeps its digits only (``0501234567``), so it matches the
    same national number but not its international form. Install ``leadmodel[phone]`` for E.164.

    >>> phone_key_fallback("+38 (050) 123-45-67")
    '+380501234567'
    """
    raw = value.strip()
    if not _PHONE_CHARS.match(raw):
        raise ValueError("a phone number has digits, spaces, +, -, (, ), . or / only")
    digits = "".join(ch for ch in raw if ch.isdigit())
    international = raw.startswith("+") or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) not in _PHONE_DIGITS:
        raise ValueError("a phone number has 7 to 15 digits")
    return f"+{digits}" if international else digits
