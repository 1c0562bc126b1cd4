"""The state-store part of the storage contract: ``uow.states``, its versions and its errors.

:class:`StateStoreContract` is mixed into :class:`~leadmodel.testing.contract.UnitOfWorkContract`,
so it runs on every adapter that runs the contract. A put of a new name stores version 0, each
put with the stored version stores the next one, any other put raises a ConcurrencyError naming
the state and both versions and stores nothing; names list in code point order; everything is
in the unit's transaction (the unit's reads see its writes, a rollback undoes them, a commit
keeps them with the unit's entities and events); bad names and documents are ValidationErrors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadmodel.domain.events import LeadCreated
from leadmodel.domain.values.custom_json import JSON, MAX_CUSTOM_NODES, MAX_JSON_DEPTH
from leadmodel.errors import ConcurrencyError, NotFoundError, StorageError, ValidationError
from leadmodel.storage.protocols import MAX_STATE_NAME, StoredState, UnitOfWork
from leadmodel.testing._samples import AT, SERIAL, numbered_lead, property_settings

__all__ = ["StateStoreContract"]

MakeUnit = Callable[[], UnitOfWork]

_RACE_WAIT = 60.0  # seconds a racing unit may wait for the other before the test gives up

ROUTER = "routing:sales"
DOC: dict[str, JSON] = {"cursors": {"b2b": "anna"}, "credits": {"b2b": {"anna": -1, "ivan": 1}}}

# Names that break naive storage code, all within the rules: stored and listed verbatim.
ODD_NAMES = (
    "Robert'); DROP TABLE leadmodel_states;--",
    "100% _wild_ [card]",
    "NUL \x00 inside",
    "\x01 escape",
    "emoji 👩\u200d💻",
    "é",
    "e\u0301",
    "\ue000",
    "\U0010ffff",
    " ",
    "ї" * MAX_STATE_NAME,
)

BAD_NAMES: dict[str, object] = {
    "empty": "",
    "too long": "x" * (MAX_STATE_NAME + 1),
    "lone surrogate": "lone \ud800",
    "None": None,
    "int": 7,
    "bytes": b"routing:sales",
}


def _deep(levels: int) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for _ in range(levels):
        doc = {"d": doc}
    return doc


BAD_DOCS: dict[str, object] = {
    "array": ["not", "an", "object"],
    "text": "text",
    "None": None,
    "NaN": {"nan": float("nan")},
    "huge int": {"huge": 2**63},
    "int key": {1: "a key that is not text"},
    "lone surrogate": {"lone": "\udc00"},
    "set": {"set": {1, 2}},
    "too deep": _deep(MAX_JSON_DEPTH + 1),
    "too many values": {"many": list(range(MAX_CUSTOM_NODES))},
}

BAD_VERSIONS: tuple[object, ...] = (-1, "0", 1.0, True, 2**63 - 1, 2**63)


def _stored(uow: UnitOfWork) -> dict[str, StoredState | None]:
    return {name: uow.states.get(name) for name in uow.states.names()}


class StateStoreContract:
    """uow.states: named JSON documents with versions, in the unit's transaction."""

    def test_a_put_state_reads_back_equal(self, make_uow: MakeUnit) -> None:
        """put of a new name (expected_version=None) stores version 0 and returns it; get in
        another unit returns an equal StoredState, its doc equal to the dict put; get of a
        name not stored returns None."""
        with make_uow() as uow:
            assert uow.states.get(ROUTER) is None
            put = uow.states.put(ROUTER, DOC, expected_version=None)
            uow.commit()
        assert put == StoredState(name=ROUTER, version=0, doc=DOC)
        with make_uow() as uow:
            read = uow.states.get(ROUTER)
            assert uow.states.get("routing:other") is None
        assert read == put
        assert read is not None
        assert read.doc == DOC

    def test_each_put_stores_the_next_version(self, make_uow: MakeUnit) -> None:
        """put with the stored version stores version + 1, in one unit and across units."""
        with make_uow() as uow:
            versions = [uow.states.put(ROUTER, {"n": 0}, expected_version=None).version]
            versions.append(uow.states.put(ROUTER, {"n": 1}, expected_version=0).version)
            uow.commit()
        with make_uow() as uow:
            versions.append(uow.states.put(ROUTER, {"n": 2}, expected_version=1).version)
            uow.commit()
        with make_uow() as uow:
            assert uow.states.get(ROUTER) == StoredState(name=ROUTER, version=2, doc={"n": 2})
        assert versions == [0, 1, 2]

    @pytest.mark.parametrize(
        ("name", "expected", "found"),
        [
            (ROUTER, None, 1),  # a new name that is stored
            (ROUTER, 0, 1),  # a stale version
            (ROUTER, 2, 1),  # a version not stored yet
            ("routing:missing", 0, None),  # a version of a name not stored
        ],
    )
    def test_a_stale_or_duplicate_put_raises_concurrency_and_changes_nothing(
        self, make_uow: MakeUnit, name: str, expected: int | None, found: int | None
    ) -> None:
        """A put whose expected_version is not the stored version (None: no value stored)
        raises ConcurrencyError with kind "states", the name as id, ``expected`` (the version
        given) and ``found`` (the stored one, None when none is); it stores nothing, and the
        unit goes on and commits the rest."""
        with make_uow() as uow:
            uow.states.put(ROUTER, {"n": 0}, expected_version=None)
            uow.states.put(ROUTER, {"n": 1}, expected_version=0)
            uow.commit()
        with make_uow() as uow:
            before = _stored(uow)
            with pytest.raises(ConcurrencyError) as caught:
                uow.states.put(name, {"n": "lost"}, expected_version=expected)
            assert _stored(uow) == before
            uow.states.put("routing:after", {}, expected_version=None)
            uow.commit()
        error = caught.value
        assert (error.kind, error.id, error.expected, error.found) == (
            "states",
            name,
            expected,
            found,
        )
        with make_uow() as uow:
            assert uow.states.get(ROUTER) == StoredState(name=ROUTER, version=1, doc={"n": 1})
            assert uow.states.names() == ["routing:after", ROUTER]

    def test_remove_deletes_and_an_absent_name_is_not_found(self, make_uow: MakeUnit) -> None:
        """remove deletes the state (the name may be put anew, at version 0); remove of a
        name not stored raises NotFoundError with kind "states" and the name as id."""
        with make_uow() as uow:
            uow.states.put(ROUTER, DOC, expected_version=None)
            uow.states.put(ROUTER, DOC, expected_version=0)
            uow.commit()
        with make_uow() as uow:
            uow.states.remove(ROUTER)
            assert uow.states.get(ROUTER) is None
            uow.commit()
        with make_uow() as uow:
            assert (uow.states.get(ROUTER), uow.states.names()) == (None, [])
            with pytest.raises(NotFoundError) as caught:
                uow.states.remove(ROUTER)
            assert uow.states.put(ROUTER, {}, expected_version=None).version == 0
        assert (caught.value.kind, caught.value.id) == ("states", ROUTER)

    def test_names_lists_by_prefix_in_code_point_order(self, make_uow: MakeUnit) -> None:
        """names(prefix) lists the stored names that begin with prefix (every one for ""), in
        code point order whatever the database's collation; odd names (quotes, NUL, LIKE's
        wildcards, the last code point, 200 characters) are stored and listed verbatim."""
        stored = [ROUTER, "routing:b2b", "routing", "routinG:x", "routing;", "sla:support"]
        stored += list(ODD_NAMES)
        with make_uow() as uow:
            for name in stored:
                uow.states.put(name, {"name": name}, expected_version=None)
            uow.commit()
        with make_uow() as uow:
            assert uow.states.names() == sorted(stored)
            for prefix in ("routing:", "routing", "100%", "NUL \x00", "e", "\U0010ffff", "zz"):
                expected = sorted(n for n in stored if n.startswith(prefix))
                assert uow.states.names(prefix) == expected, prefix
                assert uow.states.names(prefix=prefix) == expected, prefix
            for name in stored:
                assert uow.states.get(name) == StoredState(name=name, version=0, doc={"name": name})

    def test_reads_see_the_units_own_writes(self, make_uow: MakeUnit) -> None:
        """Inside a unit, get and names see the unit's puts and removes before it commits."""
        with make_uow() as uow:
            uow.states.put("sla:support", {}, expected_version=None)
            uow.commit()
        with make_uow() as uow:
            put = uow.states.put(ROUTER, DOC, expected_version=None)
            assert uow.states.get(ROUTER) == put
            again = uow.states.put(ROUTER, {"n": 1}, expected_version=0)
            assert uow.states.get(ROUTER) == again
            uow.states.remove("sla:support")
            assert uow.states.names() == [ROUTER]
            assert uow.states.get("sla:support") is None

    def test_rollback_discards_the_units_puts_and_removes(self, make_uow: MakeUnit) -> None:
        """A rollback, or leaving the unit without a commit, undoes its puts and removes."""
        with make_uow() as uow:
            uow.states.put(ROUTER, DOC, expected_version=None)
            uow.commit()
        with make_uow() as uow:
            uow.states.put(ROUTER, {"n": 1}, expected_version=0)
            uow.states.put("routing:new", {}, expected_version=None)
            uow.rollback()
            assert uow.states.get(ROUTER) == StoredState(name=ROUTER, version=0, doc=DOC)
            assert uow.states.names() == [ROUTER]
            uow.states.remove(ROUTER)
            uow.states.put("routing:new", {}, expected_version=None)
        with make_uow() as uow:
            assert uow.states.get(ROUTER) == StoredState(name=ROUTER, version=0, doc=DOC)
            assert uow.states.names() == [ROUTER]

    def test_states_commit_with_the_entities_and_events(self, make_uow: MakeUnit) -> None:
        """A state, an entity and an event of one unit are committed together, and rolled
        back together: one transaction."""
        with make_uow() as uow:
            uow.leads.add(numbered_lead(1))
            uow.states.put(ROUTER, DOC, expected_version=None)
            uow.emit(LeadCreated(lead_id="lead-0001", interest_ids=(), at=AT))
            uow.rollback()
            assert (uow.leads.count(), uow.states.names(), uow.events) == (0, [], ())
            uow.leads.add(numbered_lead(2))
            uow.states.put(ROUTER, DOC, expected_version=None)
            uow.emit(LeadCreated(lead_id="lead-0002", interest_ids=(), at=AT))
            uow.commit()
        with make_uow() as uow:
            assert [lead.id for lead in uow.leads.iter_all()] == ["lead-0002"]
            assert uow.states.names() == [ROUTER]
            assert [stored.event for stored in uow.outbox.pending()] == [
                LeadCreated(lead_id="lead-0002", interest_ids=(), at=AT)
            ]

    @pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
    def test_a_bad_name_is_a_validation_error_naming_it(
        self, make_uow: MakeUnit, name: object
    ) -> None:
        """A name that is not a non-empty string of Unicode text of at most MAX_STATE_NAME
        characters raises ValidationError naming ``name``, on get, put and remove."""
        states: Any
        with make_uow() as uow:
            states = uow.states
            calls: list[Callable[[], object]] = [
                lambda: states.get(name),
                lambda: states.put(name, {}, expected_version=None),
                lambda: states.remove(name),
            ]
            for call in calls:
                with pytest.raises(ValidationError) as caught:
                    call()
                assert [p.path for p in caught.value.problems] == ["name"]
            assert uow.states.names() == []

    @pytest.mark.parametrize("doc", list(BAD_DOCS.values()), ids=list(BAD_DOCS))
    def test_a_bad_document_is_a_validation_error_naming_it(
        self, make_uow: MakeUnit, doc: object
    ) -> None:
        """A document that is not a JSON object (NaN, a number beyond ±(2**63-1), a key that
        is not text, a lone surrogate, too deep, more than MAX_CUSTOM_NODES values) raises
        ValidationError naming ``doc`` and stores nothing."""
        states: Any
        with make_uow() as uow:
            states = uow.states
            with pytest.raises(ValidationError) as caught:
                states.put(ROUTER, doc, expected_version=None)
            assert uow.states.names() == []
        assert caught.value.problems
        assert all(p.path.startswith("doc") for p in caught.value.problems)

    @pytest.mark.parametrize("expected", BAD_VERSIONS, ids=repr)
    def test_a_bad_expected_version_is_a_validation_error_naming_it(
        self, make_uow: MakeUnit, expected: object
    ) -> None:
        """expected_version is None or an int from 0 below 2**63 - 1 (the next version must
        fit); anything else raises ValidationError naming it, and every bad argument of a put
        is named at once."""
        states: Any
        with make_uow() as uow:
            states = uow.states
            states.put(ROUTER, {}, expected_version=None)
            with pytest.raises(ValidationError) as caught:
                states.put(ROUTER, {}, expected_version=expected)
            assert [p.path for p in caught.value.problems] == ["expected_version"]
            with pytest.raises(ValidationError) as every:
                states.put("", [], expected_version=expected)
            assert [p.path for p in every.value.problems] == ["name", "doc", "expected_version"]
            assert uow.states.get(ROUTER) == StoredState(name=ROUTER, version=0, doc={})

    @pytest.mark.parametrize("prefix", [None, 7, b"routing", "lone \ud800"], ids=repr)
    def test_a_bad_prefix_is_a_validation_error_naming_it(
        self, make_uow: MakeUnit, prefix: object
    ) -> None:
        """names(prefix) takes a string of Unicode text; anything else raises ValidationError
        naming ``prefix``."""
        states: Any
        with make_uow() as uow:
            states = uow.states
            with pytest.raises(ValidationError) as caught:
                states.names(prefix)
        assert [p.path for p in caught.value.problems] == ["prefix"]

    def test_states_need_an_open_unit(self, make_uow: MakeUnit) -> None:
        """Outside ``with uow:`` the state store raises StorageError, as the repositories do."""
        uow = make_uow()
        with pytest.raises(StorageError):
            uow.states.get(ROUTER)
        with pytest.raises(StorageError):
            uow.states.put(ROUTER, {}, expected_version=None)

    def test_two_units_racing_on_one_state_lose_no_update(self, make_uow: MakeUnit) -> None:
        """Two units read version 0 of a state and both put with expected_version=0: exactly
        one commit succeeds, the other raises ConcurrencyError, and the stored state is the
        winner's. (An adapter that makes the second unit wait until the first ends passes
        too: the second then reads version 1, and both puts go through, one after the other.)"""
        with make_uow() as uow:
            uow.states.put(ROUTER, {"owner": None}, expected_version=None)
            uow.commit()
        read, go = threading.Event(), threading.Event()
        second: dict[str, Any] = {}

        def race() -> None:
            unit = make_uow()
            try:
                with unit:
                    mine = unit.states.get(ROUTER)
                    assert mine is not None
                    second["read"] = mine.version
                    read.set()
                    go.wait(_RACE_WAIT)
                    unit.states.put(ROUTER, {"owner": "boris"}, expected_version=mine.version)
                    unit.commit()
                second["outcome"] = "put"
            except ConcurrencyError:
                second["outcome"] = "conflict"
            except BaseException as exc:  # reported by the test below
                second["outcome"] = exc
            finally:
                close = getattr(unit, "close", None)
                if callable(close):
                    close()

        worker = threading.Thread(target=race, daemon=True)
        with make_uow() as uow:
            mine = uow.states.get(ROUTER)
            assert mine is not None
            worker.start()
            read.wait(1.0)  # an adapter that serialises units makes the second one wait here
            uow.states.put(ROUTER, {"owner": "anna"}, expected_version=mine.version)
            uow.commit()
        go.set()
        worker.join(_RACE_WAIT)
        assert not worker.is_alive(), "the second unit never finished"
        with make_uow() as uow:
            stored = uow.states.get(ROUTER)
        assert stored is not None
        if second["read"] == 0:  # both read version 0: one of the two puts must lose
            assert second["outcome"] == "conflict", f"a lost update: {second['outcome']!r}"
            assert (stored.doc, stored.version) == ({"owner": "anna"}, 1)
        else:  # serialised: the second unit read the first one's commit
            assert second["outcome"] == "put", second["outcome"]
            assert (stored.doc, stored.version) == ({"owner": "boris"}, 2)

    @property_settings()
    @given(data=st.data())
    def test_the_store_behaves_as_a_dict_of_versions(
        self, make_uow: MakeUnit, data: st.DataObject
    ) -> None:
        """Any sequence of puts (with the right version, a wrong one, or None) and removes, in
        units that commit or roll back: each call succeeds or fails as a dict of (version,
        document) by name says, and the store then holds exactly that dict."""
        prefix = f"p{next(SERIAL)}/"  # this example's names only: the store outlives examples
        model: dict[str, tuple[int, Mapping[str, JSON]]] = {}
        units = data.draw(st.lists(_UNIT, min_size=1, max_size=4), label="units")
        for steps, commit in units:
            pending = dict(model)
            with make_uow() as uow:
                for step in steps:
                    _step(uow, pending, prefix, step)
                if commit:
                    uow.commit()
                    model = pending
        with make_uow() as uow:
            assert uow.states.names(prefix) == sorted(prefix + n for n in model)
            for name, (version, doc) in model.items():
                assert uow.states.get(prefix + name) == StoredState(
                    name=prefix + name, version=version, doc=doc
                )


# A step: (name, what, document); what is "right" (the stored version, or None for a new
# name), "remove", or an expected_version to try as it is (None or a small int).
_STEP = st.tuples(
    st.sampled_from(["a", "b", "ab", "b\x00"]),
    st.one_of(st.just("right"), st.just("remove"), st.none(), st.integers(0, 3)),
    st.dictionaries(st.sampled_from(["n", "ок"]), st.integers(-3, 3) | st.text(max_size=3)),
)
_UNIT = st.tuples(st.lists(_STEP, max_size=8), st.booleans())


def _step(
    uow: UnitOfWork,
    model: dict[str, tuple[int, Mapping[str, JSON]]],
    prefix: str,
    step: tuple[str, str | int | None, dict[str, Any]],
) -> None:
    """Run one step on the store and on the model; check they agree."""
    name, what, doc = step
    stored = model.get(name)
    found = None if stored is None else stored[0]
    if what == "remove":
        if stored is None:
            with pytest.raises(NotFoundError):
                uow.states.remove(prefix + name)
        else:
            uow.states.remove(prefix + name)
            del model[name]
        return
    expected = found if what == "right" else what
    assert expected is None or isinstance(expected, int)
    if expected != found:
        with pytest.raises(ConcurrencyError) as caught:
            uow.states.put(prefix + name, doc, expected_version=expected)
        assert (caught.value.expected, caught.value.found) == (expected, found)
        return
    put = uow.states.put(prefix + name, doc, expected_version=expected)
    model[name] = (0 if expected is None else expected + 1, doc)
    assert (put.version, put.doc) == model[name]
