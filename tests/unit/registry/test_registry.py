"""The registry: pipelines, frameworks and score models by key, one document for all of them,
and ``load_registry`` reading it from a file or a folder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel._kernel import toml as kernel_toml
from leadmodel.errors import LeadModelError, NotRegisteredError, ValidationError
from tests.factories import AT, lead

PIPELINES = (lm.pipelines.SIMPLE, lm.pipelines.KEYCRM_REQUESTS, lm.pipelines.B2B_DEALS)
FRAMEWORKS = (lm.BANT, lm.GPCT, lm.GPCT_BA_CI, lm.CHAMP, lm.ANUM, lm.MEDDIC, lm.MEDDPICC, lm.FAINT)

INBOUND = lm.ScoreModel(
    key="inbound",
    fit=(lm.FitRule(name="free mail", points=-10, when=lm.FreeMail()),),
    engagement=(lm.EngagementRule(kind="site_visit", points=20, half_life=timedelta(days=7)),),
    max_points=60,
)

GUARDED = """
[[pipelines]]
key = "repairs"

[[pipelines.statuses]]
key = "new"
requires = { guards = ["has_manager"] }

[[pipelines.statuses]]
key = "done"
kind = "won"
"""


def _paths(info: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [p.path for p in info.value.problems]


def _guards() -> lm.Guards:
    guards = lm.Guards()
    guards.register("has_manager")(lambda lead, to: lead.owner is not None or "assign one")
    return guards


# -- lookups ----------------------------------------------------------------------------------
def test_the_default_registry_holds_the_preset_pipelines_and_frameworks() -> None:
    registry = lm.Registry.default()
    assert list(registry.pipelines.values()) == list(PIPELINES)
    assert list(registry.frameworks.values()) == list(FRAMEWORKS)
    assert dict(registry.score_models) == {}


def test_each_item_is_found_by_its_key() -> None:
    registry = lm.Registry.default().add(INBOUND)
    assert registry.pipeline("requests") is lm.pipelines.KEYCRM_REQUESTS
    assert registry.framework("MEDDPICC") is lm.MEDDPICC
    assert registry.score_model("inbound") is INBOUND


@pytest.mark.parametrize(
    ("kind", "known"),
    [
        ("pipeline", "simple, requests, deals"),
        ("framework", "BANT, GPCT, GPCT_BA_CI, CHAMP, ANUM, MEDDIC, MEDDPICC, FAINT"),
        ("score_model", "inbound"),
    ],
)
def test_an_unknown_key_is_a_key_error_naming_the_keys_held(kind: str, known: str) -> None:
    registry = lm.Registry.default().add(INBOUND)
    with pytest.raises(NotRegisteredError) as info:
        getattr(registry, kind)("nope")
    error = info.value
    assert isinstance(error, KeyError)
    assert isinstance(error, LeadModelError)
    assert (error.kind, error.key) == (kind, "nope")
    assert str(error).endswith(f"'nope' in this registry; it holds: {known}")


def test_an_empty_registry_says_it_holds_nothing_and_how_to_add() -> None:
    with pytest.raises(KeyError, match=r"it holds: none \(add some with registry.add"):
        lm.Registry().score_model("inbound")


@pytest.mark.parametrize("key", [None, 3, ["simple"], {"simple": 1}])
def test_a_key_that_is_not_a_string_is_not_registered(key: object) -> None:
    with pytest.raises(NotRegisteredError) as info:
        lm.Registry.default().pipeline(key)  # type: ignore[arg-type]
    assert info.value.key == key


def test_pipeline_of_is_the_pipeline_the_lead_is_in() -> None:
    registry = lm.Registry.default()
    entered = lm.pipelines.B2B_DEALS.enter(lead(), at=AT, by="anna")
    assert registry.pipeline_of(entered) is lm.pipelines.B2B_DEALS


def test_a_lead_in_no_pipeline_has_none_to_look_up() -> None:
    with pytest.raises(lm.RuleViolation, match="'lead-1' is in no pipeline: enter it"):
        lm.Registry.default().pipeline_of(lead())


def test_a_lead_in_a_pipeline_the_registry_lacks_is_not_registered() -> None:
    entered = lm.pipelines.SIMPLE.enter(lead(), at=AT, by="anna")
    registry = lm.Registry(pipelines=[lm.pipelines.B2B_DEALS])
    with pytest.raises(NotRegisteredError, match=r"no pipeline 'simple'.*it holds: deals"):
        registry.pipeline_of(entered)


def test_pipeline_of_takes_a_lead_only() -> None:
    with pytest.raises(ValidationError, match=r"Registry.pipeline_of.lead: expected a Lead"):
        lm.Registry.default().pipeline_of("lead-1")  # type: ignore[arg-type]


# -- building and adding ------------------------------------------------------------------------
def test_a_key_held_twice_is_refused_at_every_place_it_is_held() -> None:
    with pytest.raises(ValidationError) as info:
        lm.Registry(pipelines=[lm.pipelines.SIMPLE, lm.pipelines.B2B_DEALS, lm.pipelines.SIMPLE])
    assert _paths(info) == ["pipelines[0].key", "pipelines[2].key"]
    problem = info.value.problems[0]
    assert problem.value == "simple"
    assert "2 pipelines have this key: give each its own key, or drop one" in problem.message


def test_every_wrong_item_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        lm.Registry(
            pipelines=[lm.BANT],  # type: ignore[list-item]
            frameworks="BANT",  # type: ignore[arg-type]
            score_models=[lm.ScoreModel()],
        )
    assert _paths(info) == ["pipelines[0]", "frameworks", "score_models[0].key"]
    assert str(info.value).startswith("3 problems:\n  Registry.pipelines[0]: expected a Pipeline")
    assert 'needs a key: give it one, such as key = "inbound"' in str(info.value)


def test_a_mapping_holds_each_item_under_its_own_key() -> None:
    registry = lm.Registry(pipelines={"simple": lm.pipelines.SIMPLE})
    assert registry.pipeline("simple") is lm.pipelines.SIMPLE
    with pytest.raises(ValidationError, match=r"pipelines.main: held under 'main', but its key"):
        lm.Registry(pipelines={"main": lm.pipelines.SIMPLE})


def test_a_registry_is_an_immutable_value() -> None:
    registry = lm.Registry.default()
    assert registry == lm.Registry.default()
    assert hash(registry) == hash(lm.Registry.default())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        registry.pipelines = registry.frameworks  # type: ignore[misc,assignment]
    assert attrs.evolve(registry, score_models=[INBOUND]).score_model("inbound") is INBOUND


def test_the_order_of_the_items_does_not_make_another_registry() -> None:
    assert lm.Registry(pipelines=PIPELINES[::-1]) == lm.Registry(pipelines=PIPELINES)


def test_add_dispatches_each_item_by_its_class_and_returns_a_new_registry() -> None:
    empty = lm.Registry()
    registry = empty.add(lm.BANT, lm.pipelines.SIMPLE, INBOUND)
    assert (list(registry.pipelines), list(registry.frameworks)) == (["simple"], ["BANT"])
    assert list(registry.score_models) == ["inbound"]
    assert empty == lm.Registry()


def test_add_refuses_a_key_held_already_unless_told_to_replace() -> None:
    registry = lm.Registry.default()
    renamed = lm.Framework.from_dict(lm.BANT.to_dict() | {"label": "BANT, our way"})
    with pytest.raises(ValidationError) as info:
        registry.add(lm.ScoreModel(), "BANT", renamed)  # type: ignore[arg-type]
    assert _paths(info) == ["[0].key", "[1]", "[2].key"]
    assert "pass replace=True to replace it" in str(info.value)
    replaced = registry.add(renamed, replace=True)
    assert replaced.framework("BANT").label == "BANT, our way"
    assert list(replaced.frameworks) == list(registry.frameworks)  # it takes the old one's place


def test_add_takes_a_whole_registry_too() -> None:
    loaded = lm.Registry.from_toml(GUARDED, guards=_guards())
    registry = lm.Registry.default().add(loaded)
    assert list(registry.pipelines) == ["simple", "requests", "deals", "repairs"]
    with pytest.raises(ValidationError) as info:
        registry.add(lm.Registry.default())
    assert _paths(info)[:2] == ["[0].pipelines.simple.key", "[0].pipelines.requests.key"]
    assert registry.add(lm.Registry.default(), replace=True) == registry


def test_a_score_model_key_must_not_be_blank() -> None:
    with pytest.raises(ValidationError, match=r"ScoreModel\.key: the score model key must not be"):
        lm.ScoreModel(key=" ")
    assert lm.ScoreModel(key="inbound").to_dict() == {"schema_version": 1, "key": "inbound"}
    assert "key" not in lm.ScoreModel().to_dict()  # a model on its own needs none


# -- documents ----------------------------------------------------------------------------------
def test_the_document_holds_each_item_in_the_form_its_class_reads() -> None:
    registry = lm.Registry.default().add(INBOUND)
    doc = registry.to_dict()
    assert list(doc) == ["schema_version", "pipelines", "frameworks", "score_models"]
    without_version = {
        k: v for k, v in lm.pipelines.SIMPLE.to_dict().items() if k != "schema_version"
    }
    assert doc["pipelines"][0] == without_version
    assert lm.Framework.from_dict(doc["frameworks"][0]) == lm.BANT
    assert lm.ScoreModel.from_dict(doc["score_models"][0]) == INBOUND
    assert lm.to_dict(registry) == doc  # the one converter writes both
    assert lm.Registry().to_dict() == {"schema_version": 1}


def test_the_converter_reads_and_writes_a_registry_as_its_methods_do() -> None:
    registry = lm.Registry.default().add(INBOUND)
    assert lm.from_dict(lm.Registry, registry.to_dict()) == registry
    assert lm.from_json(lm.Registry, lm.to_json(registry)) == registry
    with pytest.raises(ValidationError, match=r"Registry.frameworks\[0\].criteria"):
        lm.from_dict(lm.Registry, {"frameworks": [{"key": "LITE"}]})


def _registries() -> st.SearchStrategy[lm.Registry]:
    models = st.builds(
        lambda key, points: lm.ScoreModel(key=key, max_points=points),
        st.sampled_from(["inbound", "outbound", "partners"]),
        st.floats(min_value=1, max_value=1000, allow_nan=False),
    )
    return st.builds(
        lambda pipelines, frameworks, score_models: lm.Registry(
            pipelines=pipelines, frameworks=frameworks, score_models=score_models
        ),
        st.lists(st.sampled_from(PIPELINES), unique=True),
        st.lists(st.sampled_from(FRAMEWORKS), unique=True),
        st.lists(models, unique_by=lambda model: model.key, max_size=3),
    )


@given(_registries())
def test_a_registry_round_trips_through_its_dict_toml_and_json(registry: lm.Registry) -> None:
    assert lm.Registry.from_dict(registry.to_dict()) == registry
    assert lm.Registry.from_toml(registry.to_toml()) == registry
    assert lm.Registry.from_toml(registry.to_toml().encode("utf-8")) == registry
    assert lm.from_json(lm.Registry, lm.to_json(registry)) == registry


def test_the_toml_holds_one_table_per_item_and_one_per_status() -> None:
    text = lm.Registry().add(lm.pipelines.SIMPLE, lm.BANT).to_toml()
    headers = [line for line in text.splitlines() if line.startswith("[[")]
    assert headers == [
        "[[pipelines]]",
        *["[[pipelines.statuses]]"] * 4,
        "[[frameworks]]",
        *["[[frameworks.criteria]]"] * 4,
    ]


def test_every_problem_of_every_item_is_reported_at_once_with_its_path_and_line() -> None:
    text = lm.Registry().add(lm.pipelines.SIMPLE, lm.BANT).to_toml()
    text = text.replace('key = "in_progress"', "key = 7").replace('key = "authority"', 'key = ""')
    text += '\n[[score_models]]\nmax_points = "many"\n'
    with pytest.raises(ValidationError) as info:
        lm.Registry.from_toml(text)
    paths = _paths(info)
    assert "pipelines[0].statuses[1].key" in paths
    assert "frameworks[0].criteria[1].key" in paths
    assert "score_models[0].max_points" in paths
    assert "score_models[0].key" in paths
    lines = text.splitlines()
    for problem in info.value.problems:
        if problem.path == "pipelines[0].statuses[1].key":
            assert problem.line is not None
            assert lines[problem.line - 1] == "key = 7"


def test_a_document_holding_a_key_twice_names_both_places() -> None:
    doc = lm.Registry().add(lm.BANT, lm.GPCT).to_dict()
    doc["frameworks"][1]["key"] = "BANT"
    with pytest.raises(ValidationError) as info:
        lm.Registry.from_dict(doc)
    assert _paths(info) == ["frameworks[0].key", "frameworks[1].key"]


def test_the_document_refuses_unknown_kinds_and_what_is_not_a_document() -> None:
    with pytest.raises(ValidationError, match=r"Registry.pipeline: unexpected field"):
        lm.Registry.from_dict({"pipeline": []})
    with pytest.raises(ValidationError, match=r"not valid TOML"):
        lm.Registry.from_toml("[[pipelines]")
    with pytest.raises(ValidationError, match=r"pass the TOML text"):
        lm.Registry.from_toml(Path("crm.toml"))  # type: ignore[arg-type]


def test_the_guards_a_pipeline_names_are_the_hosts() -> None:
    registry = lm.Registry.from_toml(GUARDED, guards=_guards())
    assert registry.pipeline("repairs").status("new").requires.guards == ("has_manager",)
    with pytest.raises(ValidationError) as info:
        lm.Registry.from_toml(GUARDED)
    assert _paths(info) == ["pipelines[0].statuses[0].requires.guards[0]"]
    assert "pass guards=Guards(...)" in str(info.value)
    assert info.value.problems[0].line == 7


def test_missing_guards_are_reported_with_the_other_problems() -> None:
    with pytest.raises(ValidationError) as info:
        lm.Registry.from_toml(GUARDED + '\n[[frameworks]]\nkey = "LITE"\n')
    assert _paths(info) == [  # in the order of their lines
        "pipelines[0].statuses[0].requires.guards[0]",
        "frameworks[0].criteria",
    ]


# -- files and folders --------------------------------------------------------------------------
def _write(path: Path, registry: lm.Registry) -> Path:
    path.write_text(registry.to_toml(), encoding="utf-8")
    return path


def test_a_file_loads_as_a_registry(tmp_path: Path) -> None:
    registry = lm.Registry.default().add(INBOUND)
    assert lm.load_registry(_write(tmp_path / "crm.toml", registry)) == registry
    assert lm.load_registry(str(tmp_path / "crm.toml")) == registry


def test_a_folder_loads_every_toml_file_in_it_by_name(tmp_path: Path) -> None:
    _write(tmp_path / "b-frameworks.toml", lm.Registry().add(lm.BANT, INBOUND))
    _write(tmp_path / "a-pipelines.toml", lm.Registry().add(lm.pipelines.SIMPLE))
    (tmp_path / "notes.txt").write_text("not a registry", encoding="utf-8")
    (tmp_path / "old").mkdir()
    _write(tmp_path / "old" / "a-pipelines.toml", lm.Registry().add(lm.pipelines.SIMPLE))
    registry = lm.load_registry(tmp_path)
    assert registry == lm.Registry().add(lm.pipelines.SIMPLE, lm.BANT, INBOUND)


def test_a_guarded_pipeline_loads_from_a_file_with_the_hosts_guards(tmp_path: Path) -> None:
    (tmp_path / "repairs.toml").write_text(GUARDED, encoding="utf-8")
    registry = lm.load_registry(tmp_path, guards=_guards())
    assert list(registry.pipelines) == ["repairs"]


def test_a_bad_file_is_named_in_every_problem_found_in_it(tmp_path: Path) -> None:
    _write(tmp_path / "a.toml", lm.Registry().add(lm.pipelines.SIMPLE))
    bad = tmp_path / "b.toml"
    bad.write_text('[[frameworks]]\nkey = "LITE"\n\n[[score_models]]\nkey = 3\n', encoding="utf-8")
    (tmp_path / "c.toml").write_bytes(b'[[frameworks]]\nkey = "\xff"\n')
    with pytest.raises(ValidationError) as info:
        lm.load_registry(tmp_path)
    assert _paths(info) == [
        f"{bad}:frameworks[0].criteria",
        f"{bad}:score_models[0].key",
        str(tmp_path / "c.toml"),
    ]
    assert [p.line for p in info.value.problems] == [1, 5, None]  # a missing key: its table
    assert "not UTF-8 text" in info.value.problems[2].message


def test_a_key_two_files_hold_names_both_files_and_lines(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.toml", lm.Registry().add(lm.pipelines.SIMPLE, lm.BANT))
    second = tmp_path / "b.toml"
    second.write_text('[[frameworks]]\n\nkey = "BANT"\ncriteria = [{ key = "x" }]\n', "utf-8")
    with pytest.raises(ValidationError) as info:
        lm.load_registry(tmp_path)
    assert _paths(info) == [f"{first}:frameworks[0].key", f"{second}:frameworks[0].key"]
    assert info.value.problems[1].line == 3
    assert "2 frameworks have this key" in str(info.value)


def test_a_path_with_nothing_there_is_named_with_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "crm.toml"
    with pytest.raises(ValidationError, match="no file or folder here: check the path") as info:
        lm.load_registry(missing)
    assert info.value.problems[0].value == str(missing)


def test_a_folder_with_no_toml_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "crm.yaml").write_text("pipelines: []", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"the folder holds no \*.toml file"):
        lm.load_registry(tmp_path)


def test_a_file_too_big_for_a_registry_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "crm.toml", lm.Registry.default())
    monkeypatch.setattr(kernel_toml, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than 100 bytes, too big") as info:
        lm.load_registry(path)
    assert info.value.problems[0].value == str(path)


def test_a_file_that_cannot_be_read_is_named_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"cannot read the file \(Is a directory\)") as info:
        kernel_toml.read_file(tmp_path, most=kernel_toml.MAX_FILE_BYTES)
    assert info.value.problems[0].value == str(tmp_path)


def test_a_registry_holds_at_most_max_registry_items_of_each_kind() -> None:
    spec = {k: v for k, v in lm.pipelines.SIMPLE.to_dict().items() if k != "schema_version"}
    docs = [{**spec, "key": f"p{i}"} for i in range(lm.MAX_REGISTRY_ITEMS + 1)]
    assert len(lm.Registry.from_dict({"pipelines": docs[:-1]}).pipelines) == lm.MAX_REGISTRY_ITEMS
    with pytest.raises(lm.ValidationError) as read:
        lm.Registry.from_dict({"pipelines": docs * 50})  # ~3 MB of pipelines: refused by count
    assert [p.path for p in read.value.problems] == ["pipelines"]
    assert "MAX_REGISTRY_ITEMS" in str(read.value)
    made = [lm.Pipeline.from_dict(doc) for doc in docs]
    with pytest.raises(lm.ValidationError) as built:
        lm.Registry(pipelines=made)
    assert [p.message for p in built.value.problems] == [
        p.message.replace("10,050", "201") for p in read.value.problems
    ]
