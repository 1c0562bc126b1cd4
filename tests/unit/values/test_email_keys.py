"""Email match keys never fold two different addresses into one (IDNA 2008, no folding)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadmodel import ContactPoint, ValidationError, find_duplicates
from leadmodel.domain.values import normalise as _normalise


def _key(address: str) -> str:
    return ContactPoint.email(address).key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("olena@faß.de", "olena@fass.de"),  # IDNA 2008: ß is a letter of its own
        ("olena@ς.gr", "olena@σ.gr"),  # final sigma is not sigma
    ],
)
def test_idna_2008_keeps_deviation_characters_distinct(one: str, other: str) -> None:
    assert _key(one) != _key(other)


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("olena@exa\u200dmple.com", "invisible or control character (U+200D)"),
        ("olena@exam\u00adple.com", "invisible or control character (U+00AD)"),
        ("olena@ＥＸＡＭＰＬＥ.com", "compatibility character 'Ｅ'"),
        ("olena@example\u3002com", "where a full stop '.' belongs"),
        ("\u212aate@example.com", "(U+212A"),
        ("ｏlena@example.com", "compatibility character"),
        ("ol\u200bena@example.com", "invisible or control character"),
    ],
)
def test_email_that_a_key_would_fold_is_refused_with_what_is_wrong(address: str, says: str) -> None:
    with pytest.raises(ValidationError, match=r"ContactPoint\.value") as caught:
        ContactPoint.email(address)
    assert says in str(caught.value)


def test_addresses_that_differ_in_a_deviation_character_are_not_linked() -> None:
    from datetime import UTC, datetime

    import leadmodel as lm

    at = datetime(2026, 3, 1, tzinfo=UTC)

    def lead(id: str, name: str, address: str) -> lm.Lead:
        return lm.Lead(
            id=lm.LeadId(id),
            person_name=name,
            topic="t",
            created_at=at,
            source=lm.Source(channel=lm.Channel.form),
            contact_points=(ContactPoint.email(address),),
        )

    leads = [lead("A", "Olena Koval", "olena@fass.de"), lead("B", "Ivan Petrenko", "olena@faß.de")]
    assert not find_duplicates(leads)


@pytest.fixture
def without_idna(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_normalise, "_idna", None)
    _normalise.email_key.cache_clear()
    yield
    _normalise.email_key.cache_clear()


@pytest.mark.usefixtures("without_idna")
def test_without_idna_a_domain_idna_2003_would_fold_is_refused_naming_the_extra() -> None:
    for address in ("olena@faß.de", "olena@ς.gr", "olena@a\u200cb.de"):
        with pytest.raises(ValidationError, match=r"leadmodel\[idna\]|invisible"):
            ContactPoint.email(address)


@pytest.mark.usefixtures("without_idna")
def test_without_idna_a_plain_idn_gets_the_idna_2008_key() -> None:
    assert _key("olena@пошта.укр") == "olena@xn--80a1acn3a.xn--j1amh"
    assert _key("olena@Bücher.de") == "olena@xn--bcher-kva.de"


_LOCAL = st.text(
    alphabet=st.characters(
        categories=("Ll", "Lu", "Lo", "Nd"), include_characters="._+-", max_codepoint=0x2FFF
    ),
    min_size=1,
    max_size=20,
)
_DOMAINS = st.sampled_from(["example.com", "пошта.укр", "bücher.de", "faß.de", "ς.gr", "mail.ua"])


def _valid_key(address: str) -> str | None:
    try:
        return _normalise.email_key(address)
    except ValueError:
        return None


@given(local=_LOCAL, domain=_DOMAINS)
def test_email_key_is_stable_under_renormalisation(local: str, domain: str) -> None:
    key = _valid_key(f"{local}@{domain}")
    if key is not None:
        assert _normalise.email_key(key) == key


@given(local=_LOCAL, domain=_DOMAINS, at=st.integers(min_value=0), ch=_LOCAL)
def test_addresses_differing_in_a_non_ignorable_character_never_share_a_key(
    local: str, domain: str, at: int, ch: str
) -> None:
    position = at % (len(local) + 1)
    other = local[:position] + ch[0] + local[position + 1 :]
    one, two = _valid_key(f"{local}@{domain}"), _valid_key(f"{other}@{domain}")
    same_text = (
        unicodedata.normalize("NFC", local).lower() == unicodedata.normalize("NFC", other).lower()
    )
    if one is not None and two is not None and not same_text:
        assert one != two


def _folds_a_character(text: str) -> bool:
    """The rule of ``_folding_problem``, one character at a time: an invisible or control
    character, another script's full stop, or one NFKC changes."""
    return any(
        unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
        or ch in "\u3002\uff0e\uff61"
        or unicodedata.normalize("NFKC", ch) != ch
        for ch in text
    )


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_the_printable_ascii_shortcut_finds_what_the_character_rule_finds(text: str) -> None:
    """Printable ASCII text is passed without looking at each character: it must be exactly
    the text in which the character rule finds nothing (a control character is still named)."""
    assert (_normalise._folding_problem(text) is not None) == _folds_a_character(text)
