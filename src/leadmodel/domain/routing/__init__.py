"""Lead routing: teams and members as data, rules that choose a team, and the decision.

Vocabulary in :mod:`~leadmodel.domain.routing.spec` (teams, members, rules, the router) and
:mod:`~leadmodel.domain.routing.state` (what routing remembers, what a decision says); the
decision itself in :mod:`~leadmodel.domain.routing.route`.
"""

from leadmodel.domain.routing.route import route
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
from leadmodel.domain.routing.state import Assignment, RoutingState, Skip, SkipReason

__all__ = [
    "MAX_MEMBERS",
    "MAX_RULES",
    "Absence",
    "Assignment",
    "Fallback",
    "Member",
    "Router",
    "RoutingRule",
    "RoutingState",
    "Skip",
    "SkipReason",
    "Strategy",
    "Team",
    "route",
]
