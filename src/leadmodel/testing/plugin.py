"""pytest plugin of leadmodel, loaded through the ``pytest11`` entry point.

It adds the ``lead_strategies`` fixture (the :mod:`leadmodel.testing.strategies` module) and
registers, without loading, the Hypothesis profile ``leadmodel-ci`` (no deadline, slow data
generation allowed: leadmodel's strategies build large objects). Opt in with::

    pytest --hypothesis-profile=leadmodel-ci

Importing the plugin changes no active setting, and works without Hypothesis installed
(the fixture then skips the tests that use it).
"""

from __future__ import annotations

from types import ModuleType

import pytest

__all__ = ["lead_strategies"]

PROFILE = "leadmodel-ci"


def _register_profiles() -> None:
    try:
        from hypothesis import HealthCheck, settings
        from hypothesis.errors import InvalidArgument
    except ImportError:
        return
    relaxed = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
    settings.register_profile(PROFILE, settings.get_profile("default"), print_blob=True, **relaxed)
    try:
        settings.get_profile("ci")
    except InvalidArgument:  # older Hypothesis versions have no built-in "ci" profile
        ci = {"derandomize": True, "database": None, "print_blob": True, **relaxed}
        settings.register_profile("ci", settings.get_profile("default"), **ci)


_register_profiles()


@pytest.fixture(scope="session")
def lead_strategies() -> ModuleType:
    """The :mod:`leadmodel.testing.strategies` module (skips the test without Hypothesis)."""
    pytest.importorskip("hypothesis")
    from leadmodel.testing import strategies

    return strategies
