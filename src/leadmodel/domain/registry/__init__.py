"""The pipelines, qualification frameworks and score models a host app uses, by key.

A stored lead names its pipeline by key (``lead.pipeline``); a service needs the
:class:`~leadmodel.Pipeline` itself. A :class:`Registry` holds the pipelines, the frameworks
and the score models, looks each up by its key, and reads and writes them all as one document:
a dict, or TOML text with one ``[[pipelines]]``, ``[[frameworks]]`` or ``[[score_models]]``
table per item, each in the form its own class reads (``Pipeline.from_dict``,
``Framework.from_dict``, ``ScoreModel.from_dict``). The domain reads no files: a file or a
folder of them is read above it, by :func:`leadmodel.load_registry`.

>>> import leadmodel as lm
>>> registry = lm.Registry.default()
>>> registry.pipeline("requests").status_keys[:2], registry.framework("BANT").rule
(('new', 'in_work'), AllOf(mandatory=()))
>>> registry.pipeline("deal")
Traceback (most recent call last):
...
leadmodel.errors.NotRegisteredError: no pipeline 'deal' in this registry; it holds: simple,
requests, deals
"""

from leadmodel.domain.registry.document import FIELDS, MAX_REGISTRY_ITEMS, duplicate_keys
from leadmodel.domain.registry.registry import Registry

__all__ = ["FIELDS", "MAX_REGISTRY_ITEMS", "Registry", "duplicate_keys"]
