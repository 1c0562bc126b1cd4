"""Shared test configuration: the Hypothesis profile every test here runs under.

``leadmodel-tests`` is the profile active when pytest starts (Hypothesis's ``default``, or its
``ci`` profile on CI) without a deadline: CI machines are noisy and leadmodel's strategies
build large objects. ``--hypothesis-profile=NAME`` on the command line still wins;
``leadmodel-quick`` (20 examples a property) is the quick edit-and-rerun loop of ``make unit`` —
``make test`` always runs the full profile.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile(
    "leadmodel-tests",
    settings.get_profile(settings.get_current_profile_name()),
    deadline=None,
)
settings.load_profile("leadmodel-tests")
settings.register_profile(
    "leadmodel-quick", settings.get_profile("leadmodel-tests"), max_examples=20
)
