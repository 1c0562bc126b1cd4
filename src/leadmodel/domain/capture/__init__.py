"""Capture at the front door: consent per person, purpose and channel (:mod:`.consent`; the
check every contacting action asks, :mod:`.contacting`), and
inbound payloads — web forms, messenger webhooks — mapped to interests (:mod:`.payloads`)
with their touch (:mod:`.touches`: landing URLs, UTM parameters, click ids), and the host's
spam verdict with the policy that screens it (:mod:`.screening`). Pure: no I/O,
no clock reads."""

from leadmodel.domain.capture.consent import (
    MAX_CONSENTS,
    MAX_OPT_IN_TTL,
    PURPOSE_BASES,
    PURPOSE_CHANNELS,
    Consent,
    ConsentEvidence,
    LawfulBasis,
    OptInState,
    Purpose,
)
from leadmodel.domain.capture.contacting import ContactVerdict, latest_consent, may_contact
from leadmodel.domain.capture.payloads import (
    Captured,
    FieldMap,
    UnknownFields,
    from_form,
    from_messenger,
)
from leadmodel.domain.capture.screening import Screened, Screening, SpamPolicy, SpamVerdict
from leadmodel.domain.capture.touches import CLICK_IDS, MAX_TOUCHES, Touch, from_utm

__all__ = [
    "CLICK_IDS",
    "MAX_CONSENTS",
    "MAX_OPT_IN_TTL",
    "MAX_TOUCHES",
    "PURPOSE_BASES",
    "PURPOSE_CHANNELS",
    "Captured",
    "Consent",
    "ConsentEvidence",
    "ContactVerdict",
    "FieldMap",
    "LawfulBasis",
    "OptInState",
    "Purpose",
    "Screened",
    "Screening",
    "SpamPolicy",
    "SpamVerdict",
    "Touch",
    "UnknownFields",
    "from_form",
    "from_messenger",
    "from_utm",
    "latest_consent",
    "may_contact",
]
