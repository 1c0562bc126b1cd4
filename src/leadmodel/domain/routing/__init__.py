"""Lead routing: teams and members as data, rules that choose a team, and the decision.

Vocabulary in :mod:`~leadmodel.domain.routing.spec` (teams, members, rules, the router) and
:mod:`~leadmodel.domain.routing.state` (what routing remembers, what a decision says); the
decision itself in :mod:`~leadmodel.domain.routing.route`. Response SLAs: the policies and
the clock's reading in :mod:`~leadmodel.domain.routing.sla`, the clocks themselves in
:mod:`~leadmodel.domain.routing.clocks`. Stale cards (leads left too long in a status) in
:mod:`~leadmodel.domain.routing.stale`.
"""

from leadmodel.domain.routing.clocks import sla_clock, sla_clocks
from leadmodel.domain.routing.route import route
from leadmodel.domain.routing.sla import (
    MAX_ESCALATION_STEPS,
    MAX_SLA_TARGET,
    EscalationAction,
    EscalationStep,
    SlaClock,
    SlaKind,
    SlaPolicy,
    SlaState,
)
from leadmodel.domain.routing.spec import (
    MAX_MEMBERS,
    MAX_RULES,
    Absence,
    Fallback,
    Member,
    Router,
    RoutingRule,
    Strategy,
    Team,
)
from leadmodel.domain.routing.stale import StaleCard, idle_since, stale
from leadmodel.domain.routing.state import Assignment, RoutingState, Skip, SkipReason

__all__ = [
    "MAX_ESCALATION_STEPS",
    "MAX_MEMBERS",
    "MAX_RULES",
    "MAX_SLA_TARGET",
    "Absence",
    "Assignment",
    "EscalationAction",
    "EscalationStep",
    "Fallback",
    "Member",
    "Router",
    "RoutingRule",
    "RoutingState",
    "Skip",
    "SkipReason",
    "SlaClock",
    "SlaKind",
    "SlaPolicy",
    "SlaState",
    "StaleCard",
    "Strategy",
    "Team",
    "idle_since",
    "route",
    "sla_clock",
    "sla_clocks",
    "stale",
]
