"""The words of a pipeline spec that its checks share: status kinds and move policies.

>>> StatusKind("won"), Policy.forward_only.value
(<StatusKind.won: 'won'>, 'forward_only')
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Policy", "StatusKind"]


class StatusKind(StrEnum):
    """Open statuses are columns a card moves through; won and lost end the funnel."""

    open = "open"
    won = "won"
    lost = "lost"


class Policy(StrEnum):
    """Which moves between open statuses a pipeline allows (plus its explicit transitions).

    ``forward_only``: to any later open status. ``adjacent``: to the next or previous open
    status. ``any``: to any other open status. ``explicit``: only the listed transitions.
    """

    forward_only = "forward_only"
    adjacent = "adjacent"
    any = "any"
    explicit = "explicit"
