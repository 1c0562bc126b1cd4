"""Pipelines and their presets: ``from leadmodel import pipelines; pipelines.KEYCRM_REQUESTS``.

The public door to :mod:`leadmodel.domain.pipeline`, as ``attrs.validators`` is to attrs: every
name that package lists in its ``__all__``, and the presets (``B2B_DEALS``, ``KEYCRM_REQUESTS``,
``SIMPLE``); each list lives once, in its own module.

>>> from leadmodel import pipelines
>>> [s.key for s in pipelines.KEYCRM_REQUESTS.statuses]
['new', 'in_work', 'qualified', 'offer_sent', 'won', 'lost']
>>> pipelines.Pipeline is pipelines.KEYCRM_REQUESTS.__class__
True
"""

from leadmodel.domain import pipeline as _pipeline
from leadmodel.domain.pipeline import *  # noqa: F403 - listed once, in _pipeline.__all__
from leadmodel.domain.pipeline import presets as _presets
from leadmodel.domain.pipeline.presets import *  # noqa: F403 - listed once, in _presets.__all__

__all__: list[str] = []
__all__ += _pipeline.__all__
__all__ += _presets.__all__
