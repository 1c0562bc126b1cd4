"""Inbound payloads: web forms, UTM query strings and messenger webhooks as capture arguments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.domain.capture.payloads import (
    MAX_FIELDS,
    Captured,
    FieldMap,
    UnknownFields,
    from_form,
    from_messenger,
)
from leadmodel.domain.capture.touches import CLICK_IDS, MAX_QUERY, UTM_KEYS, Touch, from_utm
from leadmodel.errors import ValidationError

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

FORM = FieldMap(
    fields={
        "name": "name",
        "email": "email",
        "phone": "phone",
        "tg": "telegram",
        "ig": "instagram",
        "company": "company",
        "topic": "topic",
        "message": "message",
    },
    region="UA",
    ignore=("captcha",),
)


def problems(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {problem.path: problem.message for problem in exc.value.problems}


# -- FieldMap ---------------------------------------------------------------------------------


def test_field_map_is_data_that_round_trips() -> None:
    spec = FieldMap(
        fields={"your-email": "email", "city": "custom.city"},
        ignore=("captcha",),
        unknown=UnknownFields.refuse,
        required=("email|phone",),
        region="UA",
        topic="Website",
        click_ids=("gclid",),
    )
    assert FieldMap.from_dict(spec.to_dict()) == spec
    assert FieldMap.from_dict({"unknown": "drop"}).unknown is UnknownFields.drop


def test_field_map_refuses_unknown_targets_regions_and_click_id_names_at_once() -> None:
    with pytest.raises(ValidationError) as exc:
        FieldMap(
            fields={"mail": "e-mail", "x": "custom. "},
            required=("email|fax",),
            region="Ukraine",
            click_ids=("GCLID",),
        )
    assert set(problems(exc)) == {
        "fields.mail",
        "fields.x",
        "required[0]",
        "region",
        "click_ids[0]",
    }


def test_a_field_is_either_mapped_or_ignored() -> None:
    with pytest.raises(ValidationError, match="either mapped or ignored"):
        FieldMap(fields={"email": "email"}, ignore=("email",))


# -- web forms --------------------------------------------------------------------------------


def test_form_fields_become_capture_arguments() -> None:
    got = from_form(
        {
            "name": " Olena Koval ",
            "email": "olena@mebli.ua",
            "phone": "050 123 4567",
            "tg": "@olena_k",
            "ig": "@mebli.koval",
            "company": "Mebli",
            "topic": ["Chairs", "Desks", "Chairs"],
            "message": "Need 12",
            "captcha": "03AF...",
            "size": "12",
        },
        FORM,
        at=AT,
    )
    assert got.person_name == "Olena Koval"
    assert [point.key for point in got.contact_points] == [
        "olena@mebli.ua",
        "+380501234567",
        "telegram:olena_k",
        "instagram:mebli.koval",
    ]
    assert (got.company_name, got.topic, got.message) == ("Mebli", "Chairs, Desks", "Need 12")
    assert dict(got.custom) == {"size": "12"}  # unknown kept, ignored dropped
    assert got.source == lm.Source(channel=lm.Channel.form)
    assert got.occurred_at == AT


def test_first_and_last_name_are_joined() -> None:
    spec = FieldMap(fields={"f": "first_name", "l": "last_name"}, topic="Website")
    assert from_form({"f": "Olena", "l": "Koval"}, spec, at=AT).person_name == "Olena Koval"
    assert from_form({"l": "Koval"}, spec, at=AT).person_name == "Koval"


def test_kwargs_feed_capture_interest() -> None:
    got = from_form({"name": "Olena", "email": "olena@mebli.ua", "topic": "Chairs"}, FORM, at=AT)
    uow = lm.MemoryUnitOfWork()
    interest = lm.services.capture_interest(uow, **got.kwargs(), ids=lm.sequential_ids("i"))
    assert (interest.person_name, interest.topic, interest.occurred_at) == ("Olena", "Chairs", AT)
    assert interest.source == got.source


def test_utm_from_hidden_fields_win_over_the_page_url() -> None:
    got = from_form(
        {"topic": "Chairs", "utm_source": "facebook", "UTM_Medium": "paid", "fbclid": "IwAR"},
        FORM,
        at=AT,
        page_url="https://mebli.ua/chairs?utm_source=google&utm_campaign=spring#top",
        referrer="https://l.facebook.com/",
    )
    touch = got.touch
    assert (touch.source, touch.medium, touch.campaign) == ("facebook", "paid", "spring")
    assert dict(touch.click_ids) == {"fbclid": "IwAR"}
    assert touch.landing == "https://mebli.ua/chairs"
    assert touch.referrer == "https://l.facebook.com/"
    assert (got.source.name, got.source.campaign, got.source.medium) == (
        "facebook",
        "spring",
        "paid",
    )


def test_click_ids_outside_the_allow_list_are_dropped_not_kept_in_custom() -> None:
    spec = FieldMap(fields={"topic": "topic"}, click_ids=("gclid",))
    got = from_form(
        {"topic": "Chairs", "gclid": "a", "fbclid": "b", "newclid": "c", "x_click_id": "d"},
        spec,
        at=AT,
    )
    assert dict(got.touch.click_ids) == {"gclid": "a"}
    assert dict(got.custom) == {}


def test_unknown_fields_are_refused_when_the_map_says_so() -> None:
    spec = FieldMap(fields={"topic": "topic"}, unknown=UnknownFields.refuse)
    with pytest.raises(ValidationError) as exc:
        from_form({"topic": "Chairs", "promo": "X"}, spec, at=AT)
    assert "unexpected field" in problems(exc)["promo"]
    assert exc.value.problems[0].value == "X"


def test_unknown_fields_are_dropped_when_the_map_says_so() -> None:
    spec = FieldMap(fields={"topic": "topic"}, unknown=UnknownFields.drop)
    assert dict(from_form({"topic": "Chairs", "promo": "X"}, spec, at=AT).custom) == {}


def test_every_bad_field_is_reported_at_once_at_its_key() -> None:
    with pytest.raises(ValidationError) as exc:
        from_form(
            {"email": "olena@", "phone": "12", "tg": "olena k", "name": 5},  # type: ignore[dict-item]
            FORM,
            at=AT,
        )
    found = problems(exc)
    assert set(found) == {"email", "phone", "tg", "name", "topic"}
    assert "email" in found["email"]
    assert "say what the interest was about" in found["topic"]
    assert exc.value.model == "form"
    by_path = {problem.path: problem.value for problem in exc.value.problems}
    assert by_path["email"] == "olena@"


def test_required_alternatives_come_from_the_field_map() -> None:
    spec = FieldMap(
        fields={"mail": "email", "tel": "phone", "who": "name"},
        required=("email|phone", "name"),
        topic="Website",
    )
    with pytest.raises(ValidationError) as exc:
        from_form({"mail": " "}, spec, at=AT)
    found = problems(exc)
    assert found["mail"] == "required: give email or phone (form field 'mail', 'tel')"
    assert found["who"].startswith("required: give name")
    assert from_form({"tel": "+380501234567", "who": "Olena"}, spec, at=AT).topic == "Website"


def test_a_bad_email_is_not_also_reported_missing() -> None:
    spec = FieldMap(fields={"mail": "email"}, required=("email",), topic="Website")
    with pytest.raises(ValidationError) as exc:
        from_form({"mail": "olena@"}, spec, at=AT)
    assert len(exc.value.problems) == 1


def test_required_custom_field() -> None:
    spec = FieldMap(fields={"city": "custom.city"}, required=("custom.city",), topic="Web")
    assert dict(from_form({"city": "Lviv"}, spec, at=AT).custom) == {"city": "Lviv"}
    with pytest.raises(ValidationError, match=r"required: give custom\.city"):
        from_form({}, spec, at=AT)


def test_non_text_values_and_keys_are_problems_not_type_errors() -> None:
    fields: Any = {1: "x", "topic": ["ok", None], "broken": "\ud800", "\ud800": "x"}
    with pytest.raises(ValidationError) as exc:
        from_form(fields, FORM, at=AT)
    assert set(problems(exc)) == {"1", "topic[1]", "broken", "'\\ud800'"}
    with pytest.raises(ValidationError, match="mapping of names"):
        from_form(["topic"], FORM, at=AT)  # type: ignore[arg-type]


def test_a_form_has_at_most_max_fields_values() -> None:
    with pytest.raises(ValidationError, match="MAX_FIELDS"):
        from_form({"topic": ["x"] * (MAX_FIELDS + 1)}, FORM, at=AT)


def test_a_naive_time_and_a_bad_field_map_are_refused() -> None:
    with pytest.raises(ValidationError, match="naive"):
        from_form({"topic": "x"}, FORM, at=datetime(2026, 3, 2))
    with pytest.raises(ValidationError, match="expected a FieldMap"):
        from_form({"topic": "x"}, {"topic": "topic"}, at=AT)  # type: ignore[arg-type]


# -- UTM query strings ------------------------------------------------------------------------


def test_utm_parses_a_landing_url() -> None:
    touch = from_utm(
        "https://mebli.ua/chairs?utm_source=google&utm_medium=cpc&utm_campaign=spring"
        "&utm_content=banner&utm_term=office+chair&gclid=Cj0K&email=olena%40mebli.ua",
        at=AT,
    )
    assert touch == Touch(
        channel=lm.Channel.landing,
        at=AT,
        source="google",
        medium="cpc",
        campaign="spring",
        content="banner",
        term="office chair",
        click_ids={"gclid": "Cj0K"},
        landing="https://mebli.ua/chairs",
    )


def test_utm_parses_a_bare_query_string() -> None:
    assert from_utm("?utm_source=ig", at=AT).source == "ig"
    touch = from_utm("utm_source=ig&yclid=7", at=AT)
    assert (touch.source, dict(touch.click_ids), touch.landing) == ("ig", {"yclid": "7"}, None)


def test_utm_keeps_only_allowed_click_ids() -> None:
    touch = from_utm("gclid=a&fbclid=b&zzclid=c", at=AT, click_ids=("fbclid",))
    assert dict(touch.click_ids) == {"fbclid": "b"}


def test_utm_refuses_a_query_string_over_8_kb_naming_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        from_utm("utm_term=" + "x" * MAX_QUERY, at=AT)
    assert [problem.path for problem in exc.value.problems] == ["url_or_query"]
    with pytest.raises(ValidationError) as exc:
        from_form({"topic": "x"}, FORM, at=AT, page_url="https://a.ua/?q=" + "x" * MAX_QUERY)
    assert [problem.path for problem in exc.value.problems] == ["page_url"]


def test_utm_refuses_what_is_not_a_url() -> None:
    with pytest.raises(ValidationError, match="not a URL"):
        from_utm("http://[::1/x?utm_source=a", at=AT)
    with pytest.raises(ValidationError, match="expected a URL"):
        from_utm(b"utm_source=a", at=AT)  # type: ignore[arg-type]


def test_percent_encoded_bytes_that_are_not_utf8_are_replaced_not_raised() -> None:
    assert from_utm("utm_source=%ff%fe", at=AT).source == "\ufffd\ufffd"


# -- messenger webhooks -----------------------------------------------------------------------

TELEGRAM_UPDATE: dict[str, Any] = {
    "update_id": 10,
    "message": {
        "message_id": 7,
        "date": 1772442000,
        "chat": {"id": 42, "type": "private"},
        "from": {
            "id": 42,
            "is_bot": False,
            "first_name": "Olena",
            "last_name": "Koval",
            "username": "olena_k",
            "language_code": "uk",
        },
        "contact": {"phone_number": "380501234567", "first_name": "Olena", "user_id": 42},
        "text": "Do you make office chairs?",
    },
}


def test_telegram_update_becomes_a_capture() -> None:
    got = from_messenger(TELEGRAM_UPDATE, network="telegram", at=AT + timedelta(minutes=1))
    assert got.person_name == "Olena Koval"
    assert [point.key for point in got.contact_points] == ["telegram:olena_k", "+380501234567"]
    assert got.message == "Do you make office chairs?"
    assert got.occurred_at == AT  # the message's date, not the arrival
    assert got.source.channel is lm.Channel.telegram
    assert got.touch.channel is lm.Channel.telegram
    assert dict(got.custom) == {"sender_id": "42"}


def test_telegram_message_alone_and_its_caption_are_read() -> None:
    message = {**TELEGRAM_UPDATE["message"], "text": None, "caption": "This chair?"}
    assert from_messenger(message, network="telegram", at=AT).message == "This chair?"


def test_a_shared_contact_counts_only_when_it_is_the_senders_own() -> None:
    message = {**TELEGRAM_UPDATE["message"], "contact": {"phone_number": "+48601234567"}}
    got = from_messenger({"message": message}, network="telegram", at=AT)
    assert [point.key for point in got.contact_points] == ["telegram:olena_k"]


def test_a_bots_message_is_not_an_interest() -> None:
    message = dict(TELEGRAM_UPDATE["message"])
    message["from"] = {**message["from"], "is_bot": True}
    with pytest.raises(ValidationError) as exc:
        from_messenger({"message": message}, network="telegram", at=AT)
    assert list(problems(exc)) == ["message.from.is_bot"]


def test_generic_messenger_shape() -> None:
    payload = {
        "sender": {"id": "u-1", "name": "Olena K", "username": "olena", "phone": "050 123 4567"},
        "text": "Hi",
    }
    got = from_messenger(payload, network="viber", at=AT, region="UA")
    assert got.person_name == "Olena K"
    assert [point.key for point in got.contact_points] == ["viber:olena", "+380501234567"]
    assert got.source.channel is lm.Channel.viber
    assert got.occurred_at == AT


def test_instagram_usernames_are_social_accounts_and_unknown_networks_are_other() -> None:
    got = from_messenger({"sender": {"username": "mebli"}, "text": "?"}, network="instagram", at=AT)
    assert got.contact_points[0] == lm.ContactPoint.social("instagram", "mebli")
    assert got.source.channel is lm.Channel.instagram_dm
    other = from_messenger({"sender": {}, "text": "?"}, network="signal", at=AT)
    assert other.source.channel is lm.Channel.other


def test_a_message_without_text_needs_a_topic() -> None:
    payload = {"sender": {"id": 5}}
    with pytest.raises(ValidationError, match="pass topic="):
        from_messenger(payload, network="viber", at=AT)
    assert from_messenger(payload, network="viber", at=AT, topic="Sticker").topic == "Sticker"


def test_every_messenger_problem_is_reported_at_its_path() -> None:
    payload = {"message": {"from": {"username": 5, "first_name": "\ud800"}, "date": "today"}}
    with pytest.raises(ValidationError) as exc:
        from_messenger(payload, network="Telegram", at=AT)
    assert set(problems(exc)) == {
        "network",
        "message.from.username",
        "message.from.first_name",
        "message.text",
        "message.date",
    }


def test_a_payload_of_no_known_shape_is_refused() -> None:
    with pytest.raises(ValidationError, match="no sender"):
        from_messenger({"entry": []}, network="facebook", at=AT)
    with pytest.raises(ValidationError, match="JSON object"):
        from_messenger([], network="facebook", at=AT)  # type: ignore[arg-type]


# -- Captured ---------------------------------------------------------------------------------


def test_captured_checks_itself() -> None:
    touch = Touch(channel=lm.Channel.form, at=AT)
    with pytest.raises(ValidationError) as exc:
        Captured(
            source="form",  # type: ignore[arg-type]
            touch=touch,
            occurred_at=datetime(2026, 3, 2),
            custom={"x": float("nan")},
        )
    assert {"source", "occurred_at", "topic", "custom.x"} <= set(problems(exc))


def test_touch_keeps_fixed_offsets_and_refuses_bad_click_ids() -> None:
    kyiv = timezone(timedelta(hours=2))
    assert Touch(channel=lm.Channel.form, at=AT.astimezone(kyiv)).at == AT
    with pytest.raises(ValidationError):
        Touch(channel=lm.Channel.form, at=AT, click_ids={"GCLID": " "})


# -- properties -------------------------------------------------------------------------------

INTERESTING = st.sampled_from(
    [*FORM.fields, *UTM_KEYS, *CLICK_IDS, "captcha", "xclid", "first_name", "custom"]
)
VALUES = st.text() | st.lists(st.text(), max_size=3)
ALL_TARGETS = FieldMap(
    fields={
        "name": "name",
        "first_name": "first_name",
        "last": "last_name",
        "email": "email",
        "phone": "phone",
        "tg": "telegram",
        "ig": "instagram",
        "site": "website",
        "company": "company",
        "topic": "topic",
        "message": "message",
        "src": "utm_source",
        "ref": "referrer",
        "landing": "landing",
        "custom": "custom.x",
    },
    region="UA",
    ignore=("captcha",),
    required=("email|phone",),
)


@given(
    fields=st.dictionaries(INTERESTING | st.text(), VALUES, max_size=12),
    unknown=st.sampled_from(list(UnknownFields)),
    page_url=st.none() | st.text(),
)
def test_any_form_raises_nothing_but_validation_error(
    fields: dict[str, str | list[str]], unknown: UnknownFields, page_url: str | None
) -> None:
    spec = FieldMap.from_dict({**ALL_TARGETS.to_dict(), "unknown": unknown.value})
    try:
        got = from_form(fields, spec, at=AT, page_url=page_url)
    except ValidationError:
        return
    assert set(got.touch.click_ids) <= set(spec.click_ids)


@given(st.text())
def test_any_query_string_raises_nothing_but_validation_error(query: str) -> None:
    try:
        from_utm(query, at=AT)
    except ValidationError:
        return


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
SENDER = st.fixed_dictionaries(
    {},
    optional={
        key: JSONISH | st.text()
        for key in ("id", "username", "name", "first_name", "last_name", "phone", "is_bot")
    },
)


@given(
    payload=st.one_of(
        st.fixed_dictionaries({"sender": SENDER}, optional={"text": JSONISH}),
        st.fixed_dictionaries(
            {"message": st.fixed_dictionaries({"from": SENDER}, optional={"text": JSONISH})},
        ),
        st.dictionaries(st.text(), JSONISH, max_size=3),
    ),
    network=st.sampled_from(["telegram", "instagram", "viber", "Bad net"]),
)
def test_any_webhook_raises_nothing_but_validation_error(
    payload: dict[str, Any], network: str
) -> None:
    try:
        from_messenger(payload, network=network, at=AT)
    except ValidationError:
        return


@given(st.dictionaries(st.from_regex(r"\A[a-z]{1,6}(clid|_cid|clickid)\Z"), st.text(min_size=1)))
def test_click_ids_outside_the_allow_list_never_appear(params: dict[str, str]) -> None:
    allowed = ("gclid",)
    spec = FieldMap(fields={"topic": "topic"}, click_ids=allowed)
    got = from_form({**params, "topic": "x"}, spec, at=AT)
    assert set(got.touch.click_ids) <= set(allowed)
    assert not set(got.custom) & set(params)
    query = "&".join(f"{name}=v" for name in params)
    assert set(from_utm(query, at=AT, click_ids=allowed).click_ids) <= set(allowed)


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).map(
    str.strip
)
WORD = TEXT.filter(bool)
EMAILS = st.from_regex(r"\A[a-z]{1,8}@[a-z]{1,8}\.(com|ua)\Z")
PHONES = st.from_regex(r"\A050 [0-9]{3} [0-9]{4}\Z")
HANDLES = st.from_regex(r"\A@[a-z][a-z0-9_]{2,10}\Z")
CUSTOM_KEYS = st.from_regex(r"\Ax_[a-z]{1,6}[0-9]\Z")  # never named like a click id


@st.composite
def captures(draw: st.DrawFn) -> Captured:
    utm = {key: draw(st.none() | WORD) for key in UTM_KEYS}
    touch = Touch(
        channel=lm.Channel.form,
        at=AT,
        source=utm["utm_source"],
        medium=utm["utm_medium"],
        campaign=utm["utm_campaign"],
        content=utm["utm_content"],
        term=utm["utm_term"],
        referrer=draw(st.none() | st.just("https://google.com/")),
        click_ids=draw(st.dictionaries(st.sampled_from(CLICK_IDS), WORD, max_size=2)),
        landing=draw(st.none() | st.from_regex(r"\Ahttps://mebli\.ua/[a-z]{0,8}\Z")),
    )
    points = [
        *(lm.ContactPoint.email(e) for e in draw(st.lists(EMAILS, max_size=2, unique=True))),
        *(lm.ContactPoint.phone(t, "UA") for t in draw(st.lists(PHONES, max_size=1))),
        *(lm.ContactPoint.messenger("telegram", h) for h in draw(st.lists(HANDLES, max_size=1))),
    ]
    return Captured(
        source=lm.Source(
            channel=touch.channel, name=touch.source, campaign=touch.campaign, medium=touch.medium
        ),
        touch=touch,
        occurred_at=AT,
        topic=draw(WORD),
        message=draw(st.none() | WORD),
        person_name=draw(st.none() | WORD),
        contact_points=points,
        company_name=draw(st.none() | WORD),
        custom=draw(st.dictionaries(CUSTOM_KEYS, WORD, max_size=3)),
    )


def form_of(captured: Captured) -> dict[str, str | list[str]]:
    """The fields a form mapped by ``FORM`` would send to say ``captured``."""
    by_kind: dict[str, list[str]] = {}
    for point in captured.contact_points:
        name = {"email": "email", "phone": "phone", "messenger": "tg"}[point.kind.value]
        by_kind.setdefault(name, []).append(point.value)
    touch = captured.touch
    texts = {
        "name": captured.person_name,
        "company": captured.company_name,
        "topic": captured.topic,
        "message": captured.message,
        **dict(
            zip(
                UTM_KEYS,
                (touch.source, touch.medium, touch.campaign, touch.content, touch.term),
                strict=True,
            )
        ),
    }
    return {
        **{key: value for key, value in texts.items() if value is not None},
        **by_kind,
        **touch.click_ids,
        **{key: str(value) for key, value in captured.custom.items()},
    }


@given(captures())
def test_a_form_made_from_a_capture_maps_back_to_it(captured: Captured) -> None:
    got = from_form(
        form_of(captured),
        FORM,
        at=AT,
        page_url=captured.touch.landing,
        referrer=captured.touch.referrer,
    )
    assert got == captured
