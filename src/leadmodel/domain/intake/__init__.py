"""The front door: what a submission becomes. The vocabulary (:mod:`.policy`: the
:class:`Decision`, :class:`KnownPersonPolicy`, :class:`CapturePolicy`) apart from the engine
(:mod:`.door`: :func:`decide` over the person's :class:`Known` records, the idempotency
fingerprint, the request as a lawful basis, double opt-in requests). Pure: the services find
the records and store the result."""

from leadmodel.domain.intake.door import (
    CAPTURE_KEY,
    QUARANTINE_KEY,
    CaptureResult,
    Known,
    decide,
    fingerprint,
    inquiry_consent,
    request_opt_ins,
    same_submission,
)
from leadmodel.domain.intake.policy import (
    MAX_CAPTURE_WINDOW,
    CapturePolicy,
    Decision,
    KnownPersonPolicy,
)

__all__ = [
    "CAPTURE_KEY",
    "MAX_CAPTURE_WINDOW",
    "QUARANTINE_KEY",
    "CapturePolicy",
    "CaptureResult",
    "Decision",
    "Known",
    "KnownPersonPolicy",
    "decide",
    "fingerprint",
    "inquiry_consent",
    "request_opt_ins",
    "same_submission",
]
