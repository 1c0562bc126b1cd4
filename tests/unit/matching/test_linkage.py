"""The probabilistic matcher: training, scoring, grouping and their invariants."""

from __future__ import annotations

import random

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.errors import ValidationError

FIRST = ["olena", "ivan", "petro", "anna", "maria", "taras", "iryna", "oleh", "yulia", "roman"]
LAST = ["koval", "bondar", "shevchenko", "tkachenko", "melnyk", "kravets", "lysenko", "moroz"]
SYLLABLES = [
    "ko",
    "va",
    "le",
    "bo",
    "nda",
    "ar",
    "mo",
    "ro",
    "zi",
    "tka",
    "che",
    "nko",
    "uk",
    "sy",
    "pe",
    "tri",
    "lo",
    "gu",
    "dy",
    "ne",
    "shy",
    "fa",
    "ry",
    "mi",
]
DOMAINS = ["gmail.com", "ukr.net", "i.ua", "mebli.ua"]
CITIES = ["kyiv", "lviv", "odesa", "kharkiv", "dnipro"]


def _name_part(field: str, other: str) -> lm.Comparison:
    """A part of a person's name, which may have been swapped with ``other``."""
    levels = [lm.Level("exact"), lm.Level("swapped"), lm.Level("damerau", 1)]
    levels += [lm.Level("jaro_winkler", 0.88), lm.Level("jaro_winkler", 0.75)]
    return lm.Comparison(field_path=field, levels=levels, swap_with=other, tf=True)


MODEL = lm.MatchModel(
    comparisons=[
        _name_part("first", "last"),
        _name_part("last", "first"),
        lm.Comparison(field_path="email", levels=[lm.Level("exact"), lm.Level("damerau", 1)]),
        lm.Comparison(field_path="city", levels=[lm.Level("exact")], tf=True),
    ],
    blocking=[
        lm.Blocking(keys=["last"]),
        lm.Blocking(keys=["first"]),
        lm.Blocking(keys=["prefix(email, 4)"]),
    ],
)


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + rng.choice("aeiouy") + word[i + 1 :]


def people(n: int, seed: int = 3) -> tuple[list[dict[str, object]], set[frozenset[str]]]:
    """``n`` people, a third of them entered twice with typos, swaps or a missing email."""
    rng = random.Random(seed)
    records: list[dict[str, object]] = []
    truth: set[frozenset[str]] = set()
    for k in range(n):
        first = rng.choice(FIRST)
        last = "".join(rng.choice(SYLLABLES) for _ in range(3))
        handle = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
        email = f"{handle}@{rng.choice(DOMAINS)}"
        base: dict[str, object] = {
            "id": f"p{k}",
            "first": first,
            "last": last,
            "email": email,
            "city": rng.choice(CITIES),
        }
        records.append(base)
        if k % 3 == 0:  # a copy, each field spoilt on its own (as independent mistakes)
            copy = dict(base, id=f"p{k}-copy")
            if rng.random() < 0.2:
                copy["first"] = _typo(first, rng)
            if rng.random() < 0.25:
                copy["last"] = _typo(last, rng)
            if rng.random() < 0.15:
                copy["first"], copy["last"] = copy["last"], copy["first"]
            if rng.random() < 0.3:
                copy["email"] = None
            elif rng.random() < 0.2:
                copy["email"] = _typo(handle, rng) + email[len(handle) :]
            if rng.random() < 0.1:
                copy["city"] = rng.choice(CITIES)
            records.append(copy)
            truth.add(frozenset((f"p{k}", f"p{k}-copy")))
    return records, truth


RECORDS, TRUTH = people(600)
TRAINED = lm.fit(RECORDS, MODEL, seed=7)


def test_training_learns_weights_that_find_the_planted_pairs() -> None:
    found = {frozenset((a, b)) for a, b, _ in lm.score_pairs(RECORDS, TRAINED).pairs(0.5)}
    true = found & TRUTH
    assert len(true) / len(found) >= 0.98  # precision
    assert len(true) / len(TRUTH) >= 0.85  # recall (blocking keeps 0.93 of the true pairs)
    first, last = (comparison.levels[0] for comparison in TRAINED.comparisons[:2])
    assert first.m is not None
    assert first.u is not None
    assert last.m is not None
    assert last.u is not None
    # ten first names, hundreds of last names: agreeing on the last name says far more
    assert last.m / last.u > 100 > first.m / first.u > 1


def test_training_is_reproducible_with_a_seed() -> None:
    assert lm.fit(RECORDS, MODEL, seed=7) == TRAINED
    assert lm.fit(RECORDS, MODEL, seed=8) != TRAINED


def test_a_saved_model_scores_identically() -> None:
    again = lm.MatchModel.from_dict(TRAINED.to_dict())
    assert again == TRAINED
    first, second = lm.score_pairs(RECORDS, TRAINED), lm.score_pairs(RECORDS, again)
    assert first.pairs() == second.pairs()


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_order_of_records_changes_neither_pairs_nor_groups(rng: random.Random) -> None:
    shuffled = list(RECORDS)
    rng.shuffle(shuffled)
    assert lm.score_pairs(shuffled, TRAINED).pairs() == lm.score_pairs(RECORDS, TRAINED).pairs()
    assert lm.cluster(shuffled, TRAINED).groups == lm.cluster(RECORDS, TRAINED).groups
    assert lm.fit(shuffled, MODEL, seed=7) == TRAINED


def test_a_pairs_probability_is_symmetric() -> None:
    scores = lm.score_pairs(RECORDS, TRAINED)
    for a, b, probability in scores.pairs(0.5)[:50]:
        assert scores.explain(a, b).probability == pytest.approx(probability)
        assert scores.explain(b, a).probability == pytest.approx(probability)


def test_an_explanation_adds_up() -> None:
    scores = lm.score_pairs(RECORDS, TRAINED)
    a, b, probability = scores.pairs(0.5)[0]
    why = scores.explain(a, b)
    assert why.weight == pytest.approx(why.prior + sum(part.weight for part in why.parts))
    assert [part.comparison for part in why.parts] == ["first", "last", "email", "city"]
    assert why.probability == pytest.approx(probability)
    assert f"{a} ~ {b}" in str(why)


def test_groups_stop_at_max_group_and_say_so() -> None:
    chain = [
        {"id": f"c{k}", "first": "olena", "last": "koval", "email": None, "city": "kyiv"}
        for k in range(12)
    ]
    found = lm.cluster(chain, TRAINED, threshold=0.01, max_group=5)
    assert max(len(g.ids) for g in found.groups) <= 5
    assert found.oversized
    assert all(not g.safe for g in found.oversized)


def test_safe_and_review_split_the_groups() -> None:
    found = lm.cluster(RECORDS, TRAINED)
    assert set(found.safe) | set(found.review) == set(found.groups)
    assert all(g.probability >= TRAINED.merge_at for g in found.safe)


def test_labelled_training_uses_the_labels() -> None:
    labels = [(*sorted(pair), True) for pair in TRUTH]
    trained = lm.fit(RECORDS, MODEL, seed=7, labels=labels)  # type: ignore[arg-type]
    assert trained.trained
    with pytest.raises(ValidationError) as caught:
        lm.fit(RECORDS, MODEL, labels=[("nobody", "p1", True)])
    assert caught.value.problems[0].path == "labels[0]"


def test_bad_arguments_are_validation_errors() -> None:
    with pytest.raises(ValidationError):
        lm.score_pairs(RECORDS, MODEL)  # untrained
    with pytest.raises(ValidationError):
        lm.fit(RECORDS[:1], MODEL)
    with pytest.raises(ValidationError):
        lm.fit([*RECORDS, RECORDS[0]], MODEL)  # an id twice
    with pytest.raises(ValidationError):
        lm.cluster(RECORDS, TRAINED, threshold=1.5)
    with pytest.raises(ValidationError):
        lm.Comparison(field_path="first", levels=[lm.Level("swapped")])  # no swap_with
    with pytest.raises(ValidationError):
        attrs.evolve(MODEL, threshold=0.999, merge_at=0.9)


def test_entities_are_compared_through_their_derived_fields() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 3, 2, tzinfo=UTC)

    def contact(n: int, name: str, email: str) -> lm.Contact:
        return lm.Contact(
            id=lm.ContactId(f"c{n}"), name=name, contact_points=[lm.ContactPoint.email(email)]
        )

    del at
    records = [
        contact(1, "Олена Коваль", "olena.koval@mebli.ua"),
        contact(2, "Koval Olena", "olena.koval@mebli.ua"),
        contact(3, "Іван Бондар", "ivan@bondar.ua"),
        contact(4, "Petro Moroz", "petro@moroz.ua"),
    ]
    model = lm.MatchModel(
        comparisons=[
            lm.Comparison(
                field_path="name",
                normalise="name",
                levels=[lm.Level("exact", m=0.9, u=0.001)],
                else_m=0.1,
                else_u=0.999,
            ),
            lm.Comparison(
                field_path="email_local",
                levels=[lm.Level("exact", m=0.9, u=0.001)],
                else_m=0.1,
                else_u=0.999,
            ),
        ],
        blocking=[lm.Blocking(keys=["email_domain"])],
        prior=0.001,
    )
    assert [(a, b) for a, b, _ in lm.score_pairs(records, model).pairs(0.5)] == [("c1", "c2")]


_PROBABILITY = st.floats(min_value=1e-9, max_value=0.999, allow_nan=False)


@st.composite
def levels_of(draw: st.DrawFn) -> lm.Level:
    kind = draw(st.sampled_from(list(lm.LevelKind)))
    threshold: float | None = None
    if kind in (lm.LevelKind.levenshtein, lm.LevelKind.damerau):
        threshold = draw(st.integers(1, 3))
    elif kind in (lm.LevelKind.jaro_winkler, lm.LevelKind.words, lm.LevelKind.some_word):
        threshold = draw(st.floats(0.05, 1.0, allow_nan=False))
    trained = draw(st.booleans())
    m, u = (draw(_PROBABILITY), draw(_PROBABILITY)) if trained else (None, None)
    return lm.Level(kind, threshold, m=m, u=u)


@st.composite
def models(draw: st.DrawFn) -> lm.MatchModel:
    fields = draw(
        st.lists(
            st.sampled_from(["first", "last", "email", "custom.city"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    comparisons = []
    for field in fields:
        kinds = draw(st.lists(levels_of(), min_size=1, max_size=4, unique_by=lambda x: x.label))
        comparisons.append(
            lm.Comparison(
                field_path=field,
                levels=kinds,
                normalise=draw(st.sampled_from(list(lm.Normalise))),
                swap_with="first" if field != "first" else "last",
                tf=draw(st.booleans()),
                frequencies=draw(st.dictionaries(st.text(max_size=5), _PROBABILITY, max_size=3)),
            )
        )
    keys = st.sampled_from(
        ["first", "prefix(last, 3)", "suffix(email, 2)", "sound(last)", "nickname(first)"]
    )
    return lm.MatchModel(
        comparisons=comparisons,
        blocking=[lm.Blocking(keys=draw(st.lists(keys, min_size=1, max_size=2)))],
        prior=draw(st.none() | _PROBABILITY),
        max_block=draw(st.integers(2, 1000)),
    )


@settings(max_examples=60, deadline=None)
@given(models())
def test_a_model_round_trips_through_its_documents(model: lm.MatchModel) -> None:
    assert lm.MatchModel.from_dict(model.to_dict()) == model
    assert lm.MatchModel.from_toml(model.to_toml()) == model
    assert lm.from_json(lm.MatchModel, lm.to_json(model)) == model


def test_a_field_no_record_has_is_named() -> None:
    misspelt = attrs.evolve(MODEL, blocking=[lm.Blocking(keys=["emial"])])
    with pytest.raises(ValidationError) as caught:
        lm.fit(RECORDS, misspelt)
    assert [(p.path, p.value) for p in caught.value.problems] == [("model.fields", "emial")]
    with pytest.raises(ValidationError) as caught:
        lm.fit([{"name": "no id"}, {"name": "none"}], MODEL)
    assert caught.value.problems[0].path == "records[0]"


_WORD = st.text(alphabet="abcdeo", min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(_WORD, min_size=1, max_size=6), st.lists(_WORD, min_size=1, max_size=6)),
        min_size=1,
        max_size=20,
    )
)
def test_names_compared_column_wise_equal_word_by_word(
    pairs: list[tuple[list[str], list[str]]],
) -> None:
    """The column-wise name similarity (in C) gives exactly the word-by-word one."""
    from leadmodel.domain.matching import _vectors as v
    from leadmodel.domain.matching._names import name_similarity

    a = [" ".join(x) for x, _ in pairs]
    b = [" ".join(y) for _, y in pairs]
    column = v.Column(a + b)
    left, right = column.codes[: len(a)], column.codes[len(a) :]
    words, some = v._names_alike(column, left, right)
    assert words.tolist() == pytest.approx(
        [name_similarity(x, y) for x, y in zip(a, b, strict=True)]
    )
    assert some.tolist() == pytest.approx(v._some_word(a, b))
