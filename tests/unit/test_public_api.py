"""The public surface: one flat namespace, ``import leadmodel as lm`` (STYLE rule 3).

The names ``leadmodel.__all__`` held when the domain moved into capability packages are pinned
here: each one must still resolve (a renamed name keeps a deprecation alias). Names that need an
extra are listed only when the extra is installed, so ``from leadmodel import *`` works on a core
install; ``tests/e2e/test_core_install.py`` checks that on a real one.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import types
import warnings
from importlib.util import find_spec
from pathlib import Path

import pytest

import leadmodel as lm
from leadmodel.domain import (
    events,
    ladder,
    matching,
    model,
    pipeline,
    qualification,
    registry,
    routing,
    scoring,
    values,
    worktime,
)
from leadmodel.domain.pipeline import presets
from leadmodel.domain.values import localtime

simulate_module = importlib.import_module("leadmodel.simulate")  # lm.simulate is the function

ROOT = Path(__file__).resolve().parents[2]

#: ``sorted(leadmodel.__all__)`` before the move into capability packages: 151 names.
PINNED = [
    "ANUM",
    "ActionSpec",
    "AllOf",
    "AlreadyConvertedError",
    "Answer",
    "Assessment",
    "AtLeast",
    "BANT",
    "Binned",
    "CHAMP",
    "Categorical",
    "Channel",
    "Company",
    "CompanyId",
    "ConcurrencyError",
    "Conflict",
    "Contact",
    "ContactId",
    "ContactKind",
    "ContactPoint",
    "Contribution",
    "Conversion",
    "ConversionLinks",
    "Criterion",
    "CurrencyMismatchError",
    "Customer",
    "CustomerId",
    "CustomerKind",
    "CustomerOrigin",
    "DEFAULT_RULES",
    "DEFAULT_THRESHOLDS",
    "DomainEvent",
    "DuplicateGroup",
    "DuplicateReport",
    "EVENT_TYPES",
    "Engagement",
    "EngagementRule",
    "Explanation",
    "FAINT",
    "FREE_MAIL_DOMAINS",
    "FieldBetween",
    "FieldIs",
    "FitCondition",
    "FitRule",
    "Framework",
    "FrameworkCheck",
    "FreeMail",
    "FrozenMap",
    "GPCT",
    "GPCT_BA_CI",
    "GuardCheck",
    "Guards",
    "HOT_SIGNALS",
    "HasTag",
    "IdFactory",
    "Interest",
    "InterestCaptured",
    "InterestId",
    "JSON",
    "KeyKind",
    "Lead",
    "LeadConverted",
    "LeadCreated",
    "LeadId",
    "LeadModelError",
    "LeadQualified",
    "LeadsMerged",
    "LifecycleError",
    "LifecycleStage",
    "LikelihoodRatio",
    "LossInfo",
    "MEDDIC",
    "MEDDPICC",
    "MatchKey",
    "MatchRule",
    "MemoryStore",
    "MemoryUnitOfWork",
    "Merged",
    "Money",
    "NotALeadError",
    "NotFoundError",
    "Outbox",
    "OversizedBlock",
    "Party",
    "PersonErased",
    "Pipeline",
    "PipelineSpec",
    "PipelineSpecError",
    "Policy",
    "PredictiveScorer",
    "Problem",
    "ROLE_MAILBOXES",
    "Repository",
    "Requirements",
    "RuleViolation",
    "SCHEMA_VERSION",
    "SQLiteUnitOfWork",
    "Score",
    "ScoreModel",
    "SetAside",
    "Similar",
    "SimilarField",
    "Source",
    "SqlUnitOfWork",
    "StageChange",
    "StatusChange",
    "StatusChanged",
    "StatusKind",
    "StatusSpec",
    "StorageError",
    "StoredEvent",
    "Tally",
    "Temperature",
    "TemperatureReading",
    "Thresholds",
    "Transition",
    "TransitionError",
    "UnitOfWork",
    "ValidationError",
    "ValueType",
    "Verdict",
    "Weighted",
    "__version__",
    "advance",
    "assess",
    "attach_interest",
    "convert",
    "customer_from_import",
    "customer_from_order",
    "duplicate_report",
    "erase",
    "explain_temperature",
    "find_duplicates",
    "from_dict",
    "from_json",
    "is_free_mail",
    "is_personal_company_name",
    "match_keys",
    "merge",
    "name_key",
    "outcome",
    "pipelines",
    "promote",
    "recycle",
    "repeat_lead",
    "sequential_ids",
    "service_qualify",
    "services",
    "temperature",
    "to_dict",
    "to_json",
    "uuid7",
]

#: Names the docs needed that ``lm`` lacked, exported since.
ADDED = {
    "MOVES": model.MOVES,
    "WATERFALL": model.WATERFALL,
    "SERVICE_QUALIFIED": model.SERVICE_QUALIFIED,
    "OVERSIZED_SIMILARITY": matching.OVERSIZED_SIMILARITY,
    "repoint_customer": matching.repoint_customer,
    "event_type": events.event_type,
    "Rule": qualification.Rule,
    "Field": scoring.Field,
    "MissingExtraError": lm.errors.MissingExtraError,
    "TransitionWhy": lm.errors.TransitionWhy,
    "LifecycleWhy": lm.errors.LifecycleWhy,
    "DerivedValue": scoring.DerivedValue,
    "ValueTally": scoring.ValueTally,
    "UnreadableRowWarning": lm.errors.UnreadableRowWarning,
    "UnknownStatusError": lm.errors.UnknownStatusError,
    "localise": localtime.localise,
    "Registry": registry.Registry,
    "load_registry": lm.registry.load_registry,
    "NotRegisteredError": lm.errors.NotRegisteredError,
    "Page": lm.storage.Page,
    "EDITABLE": model.EDITABLE,
    "edit": model.edit,
    "EntityUpdated": events.EntityUpdated,
    "changed_fields": model.changed_fields,
    "ContactPoints": values.ContactPoints,
    "MAX_STATUSES": pipeline.MAX_STATUSES,
    "MAX_TRANSITIONS": pipeline.MAX_TRANSITIONS,
    "MAX_LOST_REASONS": pipeline.MAX_LOST_REASONS,
    "MAX_ACTIONS": pipeline.MAX_ACTIONS,
    "MAX_ACTION_PARAMS": pipeline.MAX_ACTION_PARAMS,
    "MAX_REQUIREMENTS": pipeline.MAX_REQUIREMENTS,
    "MAX_CRITERIA": qualification.MAX_CRITERIA,
    "MAX_CHOICES": qualification.MAX_CHOICES,
    "MAX_PIPELINE_ACTIONS": pipeline.MAX_PIPELINE_ACTIONS,
    "MAX_PIPELINE_REQUIREMENTS": pipeline.MAX_PIPELINE_REQUIREMENTS,
    "MAX_PIPELINE_LOST_REASONS": pipeline.MAX_PIPELINE_LOST_REASONS,
    "MAX_FRAMEWORK_CHOICES": qualification.MAX_FRAMEWORK_CHOICES,
    "MAX_CUSTOM_NODES": values.MAX_CUSTOM_NODES,
    "MAX_ACTIVITIES": model.MAX_ACTIVITIES,
    "Activity": model.Activity,
    "ActivityKind": model.ActivityKind,
    "Direction": model.Direction,
    "ActivityLogged": events.ActivityLogged,
    "log_activity": ladder.log_activity,
    "respond": ladder.respond,
    "first_response": ladder.first_response,
    "last_inbound": ladder.last_inbound,
    "last_outbound": ladder.last_outbound,
    "awaiting_reply": ladder.awaiting_reply,
    "Shift": worktime.Shift,
    "WorkCalendar": worktime.WorkCalendar,
    "MAX_CALENDAR_SPAN": worktime.MAX_CALENDAR_SPAN,
    "SlaPolicy": routing.SlaPolicy,
    "SlaClock": routing.SlaClock,
    "SlaKind": routing.SlaKind,
    "SlaState": routing.SlaState,
    "EscalationStep": routing.EscalationStep,
    "EscalationAction": routing.EscalationAction,
    "sla_clock": routing.sla_clock,
    "sla_clocks": routing.sla_clocks,
    "MAX_SLA_TARGET": routing.MAX_SLA_TARGET,
    "MAX_ESCALATION_STEPS": routing.MAX_ESCALATION_STEPS,
    "StoredState": lm.storage.StoredState,
    "StateStore": lm.storage.StateStore,
    "LeadAssigned": events.LeadAssigned,
    "LeadReassigned": events.LeadReassigned,
    "MAX_REGISTRY_ITEMS": registry.MAX_REGISTRY_ITEMS,
    "StaleCard": routing.StaleCard,
    "stale": routing.stale,
    "idle_since": routing.idle_since,
    "reply_owed_since": ladder.reply_owed_since,
    "SlaBreached": events.SlaBreached,
    "Escalated": events.Escalated,
    "CardStale": events.CardStale,
    "Spend": values.Spend,
    "simulate": simulate_module.simulate,
    "Simulation": simulate_module.Simulation,
    "SimSource": simulate_module.SimSource,
    "SimOwner": simulate_module.SimOwner,
    "SimMarket": simulate_module.SimMarket,
    "SimValue": simulate_module.SimValue,
    "SimFunnel": simulate_module.SimFunnel,
    "SimSeasonality": simulate_module.SimSeasonality,
}

#: Names that need an extra, and the module the extra installs.
NEEDS_EXTRA = {"SqlUnitOfWork": "sqlalchemy"}


def _installed(name: str) -> bool:
    return find_spec(NEEDS_EXTRA[name]) is not None


def test_the_pinned_list_is_the_one_recorded() -> None:
    assert len(PINNED) == len(set(PINNED)) == 152
    assert sorted(PINNED) == PINNED


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # a renamed name's alias still counts
@pytest.mark.parametrize("name", PINNED)
def test_every_pinned_name_still_resolves(name: str) -> None:
    if name in NEEDS_EXTRA and not _installed(name):
        with pytest.raises(lm.MissingExtraError):
            getattr(lm, name)
    else:
        assert getattr(lm, name) is not None


def test_every_pinned_name_is_still_listed_in_all() -> None:
    """Dropping a name from ``__all__`` breaks ``from leadmodel import *`` for its users."""
    listed = set(lm.__all__)
    expected = {n for n in PINNED if n not in NEEDS_EXTRA or _installed(n)}
    assert expected - listed == set()


@pytest.mark.parametrize("name", sorted(ADDED))
def test_names_the_docs_need_are_exported(name: str) -> None:
    assert name in lm.__all__
    assert getattr(lm, name) is ADDED[name]


def test_all_lists_each_name_once_and_every_name_resolves() -> None:
    assert len(lm.__all__) == len(set(lm.__all__))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        missing = [n for n in lm.__all__ if not hasattr(lm, n)]
    assert missing == []


def test_only_the_sub_namespaces_are_modules() -> None:
    """``lm.temperature`` is the function, though ``scoring/temperature.py`` shares its name."""
    modules = [n for n in lm.__all__ if isinstance(getattr(lm, n), types.ModuleType)]
    assert sorted(modules) == ["analytics", "pipelines", "services"]
    assert callable(lm.temperature)


def test_dir_lists_the_namespace_like_attrs() -> None:
    """``dir(lm)`` is ``sorted(set(globals()) | set(__all__))``: every public name, sorted."""
    names = dir(lm)
    assert names == sorted(names)
    assert set(lm.__all__) <= set(names)
    assert set(vars(lm)) <= set(names)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from leadmodel import *", namespace)  # noqa: S102 - the statement under test
    assert set(namespace) - {"__builtins__"} == set(lm.__all__)


def test_a_name_needing_an_installed_extra_is_listed() -> None:
    pytest.importorskip("sqlalchemy")
    from leadmodel.storage.sql import SqlUnitOfWork

    assert "SqlUnitOfWork" in lm.__all__
    assert "SqlUnitOfWork" in dir(lm)
    assert lm.SqlUnitOfWork is SqlUnitOfWork


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        lm.Nope  # noqa: B018 - the access is the test


_WITHOUT_SQLALCHEMY = """
import sys
import types
sys.modules["sqlalchemy"] = None  # as if the extra were not installed
import leadmodel as lm
from leadmodel import *
assert "SqlUnitOfWork" not in lm.__all__ and "SqlUnitOfWork" not in dir(lm)
assert "Lead" in dir() and "SqlUnitOfWork" not in dir()
for ask in (lambda: lm.SqlUnitOfWork, lambda: __import__("leadmodel.storage.sql")):
    try:
        ask()
    except lm.MissingExtraError as exc:
        assert isinstance(exc, lm.LeadModelError) and isinstance(exc, ImportError)
        print(exc)
    else:
        raise AssertionError("expected MissingExtraError")
"""


def test_a_missing_extra_is_left_out_and_named_when_asked_for() -> None:
    """Without SQLAlchemy: star import works; ``lm.SqlUnitOfWork`` says what to install."""
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SQLALCHEMY],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "SqlUnitOfWork needs sqlalchemy, which the 'sql' extra installs: "
        "pip install 'leadmodel[sql]'",
        "leadmodel.storage.sql needs sqlalchemy, which the 'sql' extra installs: "
        "pip install 'leadmodel[sql]'",
    ]


def test_pipelines_is_the_public_door_to_the_pipeline_package() -> None:
    """``lm.pipelines`` re-exports ``domain.pipeline``'s list and the presets; no third list."""
    assert lm.pipelines.__all__ == [*pipeline.__all__, *presets.__all__]
    for name in lm.pipelines.__all__:
        assert getattr(lm.pipelines, name) is getattr(pipeline, name, getattr(presets, name, None))
    before = {"B2B_DEALS", "KEYCRM_REQUESTS", "SIMPLE", "ActionSpec", "Guards", "Pipeline"}
    before |= {"PipelineSpec", "Policy", "StatusKind", "StatusSpec"}
    assert before <= set(lm.pipelines.__all__)


# `import leadmodel as lm` is the only documented import path: the docs, the README, the
# examples and the command line never send a reader into the module layout. The public
# sub-namespaces (`services`, `pipelines`, `errors`, `analytics` with `analytics.sql`, which
# needs the `sql` extra) and the test kit (`testing`) are doors too; the command line's
# modules import one another (`leadmodel.cli._common`).
_DEEP_IMPORT = re.compile(
    r"^\s*(?:>>>\s*|\.\.\.\s*)?(?:from|import)\s+leadmodel\."
    r"(?!(?:services|pipelines|errors|analytics(?:\.sql)?|testing(?:\.\w+)?|cli(?:\.\w+)?)"
    r"\b(?:\s|$))[\w.]+",
    re.MULTILINE,
)
_DOCUMENTED = sorted(
    [
        *(p for p in (ROOT / "docs").glob("*.md") if p.name != "architecture.md"),
        ROOT / "README.md",
        *(ROOT / "examples").glob("*.py"),
        *(ROOT / "src" / "leadmodel" / "cli").glob("*.py"),  # its own modules are its own
    ]
)


@pytest.mark.parametrize("path", _DOCUMENTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_documented_code_imports_only_the_public_namespace(path: Path) -> None:
    """``docs/architecture.md`` is for contributors: it names the modules on purpose; so does
    ``docs/api.md`` where mkdocstrings must be told which module renders a name."""
    text = path.read_text(encoding="utf-8")
    deep = [m.group(0).strip() for m in _DEEP_IMPORT.finditer(text)]
    assert deep == []
    if path.name != "api.md":
        assert "leadmodel.domain" not in text
