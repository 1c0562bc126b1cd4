"""Optional libraries of the analytics extras, imported when first needed."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from leadmodel.errors import MissingExtraError


def optional(module: str, feature: str, extra: str) -> Any:
    """Import ``module`` of an extra, or raise :class:`MissingExtraError` naming the extra."""
    try:
        return import_module(module)
    except ImportError as exc:
        raise MissingExtraError(feature, extra=extra, module=module.partition(".")[0]) from exc
