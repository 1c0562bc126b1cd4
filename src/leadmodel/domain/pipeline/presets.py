"""Ready-made pipelines: KeyCRM-style requests, B2B deals, and the leadless simple funnel."""

from __future__ import annotations

from leadmodel.domain.pipeline.machine import Pipeline

__all__ = ["B2B_DEALS", "KEYCRM_REQUESTS", "SIMPLE"]

KEYCRM_REQUESTS = Pipeline.from_dict(
    {
        "key": "requests",
        "label": "Заявки",
        "entity": "Заявки",
        "convert_to": "won",
        "statuses": [
            {"key": "new", "label": "Нова заявка"},
            {"key": "in_work", "label": "В роботі"},
            {"key": "qualified", "label": "Кваліфікована"},
            {
                "key": "offer_sent",
                "label": "Надіслано пропозицію",
                "on_enter": [{"action": "schedule_call", "in_minutes": 1440}],
            },
            {"key": "won", "label": "Успішно", "kind": "won"},
            {
                "key": "lost",
                "label": "Відмова",
                "kind": "lost",
                "lost_reasons": ["no_budget", "not_target", "competitor", "no_answer"],
            },
        ],
    }
)
"""First requests, as KeyCRM runs them: new → in work → qualified → offer sent → won / lost.

Lost reasons: ``no_budget``, ``not_target`` (not a target customer), ``competitor`` (went to
a competitor), ``no_answer``. Entering "offer sent" schedules a follow-up call a day later.
"""

B2B_DEALS = Pipeline.from_dict(
    {
        "key": "deals",
        "label": "B2B deals",
        "entity": "Deals",
        "convert_to": "won",
        "statuses": [
            {"key": "qualification", "label": "Qualification"},
            {"key": "needs_analysis", "label": "Needs analysis"},
            {
                "key": "proposal",
                "label": "Proposal",
                "requires": {"fields": ["expected_value", "owner"]},
                "on_enter": [{"action": "create_task", "title": "Prepare the proposal"}],
            },
            {"key": "negotiation", "label": "Negotiation"},
            {"key": "won", "label": "Closed won", "kind": "won"},
            {
                "key": "lost",
                "label": "Closed lost",
                "kind": "lost",
                "lost_reasons": ["no_budget", "competitor", "no_decision", "timing", "not_a_fit"],
            },
        ],
    }
)
"""Qualified B2B opportunities: qualification → needs analysis → proposal → negotiation → won/lost.

A proposal needs an expected value and an owner.
"""

SIMPLE = Pipeline.from_dict(
    {
        "key": "simple",
        "label": "Simple CRM",
        "entity": "Deals",
        "convert_to": "won",
        "statuses": [
            {"key": "new", "label": "New"},
            {"key": "in_progress", "label": "In progress"},
            {"key": "won", "label": "Won", "kind": "won"},
            {
                "key": "lost",
                "label": "Lost",
                "kind": "lost",
                "lost_reasons": ["declined", "no_answer", "other"],
            },
        ],
    }
)
"""The leadless "simple CRM" funnel: an interest goes straight to a deal (new → in progress)."""
