"""Spam and bots at the door: the host's verdict on a submission (:class:`SpamVerdict`) and the
policy that turns it into accept, quarantine or refuse (:class:`SpamPolicy`).

The library performs no network call: the host asks its captcha, honeypot field and rate
limiter, and passes what they said. A quarantined interest is kept (nothing is lost) but not
promoted, matched or routed until someone releases it; a refused one is not stored.

>>> policy = SpamPolicy()
>>> policy.screen(SpamVerdict(captcha_score=0.9)).action.value
'accept'
>>> policy.screen(SpamVerdict(captcha_score=0.2))
Screened(action=<Screening.quarantine: 'quarantine'>, reason='captcha score 0.2 is below 0.5')
>>> policy.screen(SpamVerdict(honeypot=True)).reason
'the honeypot field was filled in'
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any, NamedTuple

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.errors import Problem

__all__ = ["Screened", "Screening", "SpamPolicy", "SpamVerdict"]


class Screening(StrEnum):
    """What the door does with a submission: ``accept`` it, ``quarantine`` it (kept, not
    promoted, not matched, not routed; listed and releasable) or ``refuse`` it (not stored)."""

    accept = "accept"
    quarantine = "quarantine"
    refuse = "refuse"


def _screening(value: object) -> Any:
    return c.as_member(Screening, value)


@attrs.frozen(kw_only=True)
class SpamVerdict(Spec):
    """What the host's checks said of one submission: the captcha's ``captcha_score`` (0 is a
    bot, 1 a person; reCAPTCHA v3 and hCaptcha speak this way; ``None``: no captcha), whether
    the ``honeypot`` field was filled in, whether a ``rate_limited`` limit was hit, and a free
    ``note``. Recorded on the interest.

    >>> SpamVerdict(captcha_score=1.5)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: SpamVerdict.captcha_score: a score from 0 to 1; got 1.5
    """

    captcha_score: float | None = None
    honeypot: bool = False
    rate_limited: bool = False
    note: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        score = self.captcha_score
        if score is not None and (
            type(score) not in (int, float) or not math.isfinite(score) or not 0 <= score <= 1
        ):
            p.append(Problem("captcha_score", "a score from 0 to 1", score))
        c.flag(p, "honeypot", self.honeypot)
        c.flag(p, "rate_limited", self.rate_limited)
        c.opt_text(p, "note", self.note, "the note")
        if p:
            c.fail("SpamVerdict", p)


class Screened(NamedTuple):
    """What :meth:`SpamPolicy.screen` decided, with the reason in words."""

    action: Screening
    reason: str


@attrs.frozen(kw_only=True)
class SpamPolicy(Spec):
    """How a :class:`SpamVerdict` is acted on: a filled ``honeypot`` (default: refuse), a hit
    ``rate_limited`` limit (default: quarantine), a captcha score below ``refuse_below``
    (default 0.1: refuse) or below ``quarantine_below`` (default 0.5: quarantine). The
    strictest of the actions that apply wins; a submission without a verdict is accepted.

    >>> SpamPolicy(refuse_below=0.6, quarantine_below=0.5)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: SpamPolicy.refuse_below: at most quarantine_below (0.5); got 0.6
    """  # noqa: E501 - the doctest's output is one line

    honeypot: Screening = attrs.field(default=Screening.refuse, converter=_screening)
    rate_limited: Screening = attrs.field(default=Screening.quarantine, converter=_screening)
    quarantine_below: float = 0.5
    refuse_below: float = 0.1

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "honeypot", self.honeypot, Screening)
        c.member(p, "rate_limited", self.rate_limited, Screening)
        for name in ("quarantine_below", "refuse_below"):
            value = getattr(self, name)
            if type(value) not in (int, float) or not math.isfinite(value) or not 0 <= value <= 1:
                p.append(Problem(name, "a captcha score from 0 to 1", value))
        if not p and self.refuse_below > self.quarantine_below:
            msg = f"at most quarantine_below ({self.quarantine_below})"
            p.append(Problem("refuse_below", msg, self.refuse_below))
        if p:
            c.fail("SpamPolicy", p)

    def screen(self, verdict: SpamVerdict | None) -> Screened:
        """The action for ``verdict`` (``None``: accept), and why.

        >>> SpamPolicy().screen(SpamVerdict(rate_limited=True, captcha_score=0.05))
        Screened(action=<Screening.refuse: 'refuse'>, reason='captcha score 0.05 is below 0.1; the rate limit was hit')
        """  # noqa: E501 - the doctest's output is one line
        if verdict is None:
            return Screened(Screening.accept, "no spam verdict was given")
        found: list[tuple[Screening, str]] = []
        if verdict.honeypot:
            found.append((self.honeypot, "the honeypot field was filled in"))
        score = verdict.captcha_score
        if score is not None and score < self.refuse_below:
            found.append((Screening.refuse, f"captcha score {score} is below {self.refuse_below}"))
        elif score is not None and score < self.quarantine_below:
            why = f"captcha score {score} is below {self.quarantine_below}"
            found.append((Screening.quarantine, why))
        if verdict.rate_limited:
            found.append((self.rate_limited, "the rate limit was hit"))
        acting = [(action, why) for action, why in found if action is not Screening.accept]
        if not acting:
            return Screened(Screening.accept, "; ".join(why for _, why in found) or "passed")
        worst = max(_ORDER[action] for action, _ in acting)
        action = next(a for a in Screening if _ORDER[a] == worst)
        return Screened(action, "; ".join(why for _, why in acting))


_ORDER = {Screening.accept: 0, Screening.quarantine: 1, Screening.refuse: 2}
