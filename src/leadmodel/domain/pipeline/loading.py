"""Reading and writing pipeline specs: dicts, TOML text and JSON text, through the one converter.

:class:`~leadmodel.domain.pipeline.machine.Pipeline`'s ``from_dict``, ``from_toml``,
``from_json``, ``to_dict`` and ``to_toml`` delegate here. A document is read as a
:class:`PipelineSpec` (``lm.from_dict(lm.PipelineSpec, d)`` reads the same documents, with
the same problems); the pipeline then adds what only it knows: the guards and frameworks
the host registered. The domain reads no files: TOML and JSON come in as text.

>>> text = 'key = "x"\\n[[statuses]]\\nkey = "new"\\n[[statuses]]\\nkey = "won"\\nkind = "won"\\n'
>>> [s.key for s in read_toml(text).statuses]
['new', 'won']
>>> read_toml('key = "x"\\npolicy = "nope"\\n[[statuses]]\\nkey = "a"\\nkind = "won"\\n')
Traceback (most recent call last):
...
leadmodel.errors.PipelineSpecError: pipeline spec: 2 problems:
  line 2: policy: expected one of 'forward_only', 'adjacent', 'any', 'explicit'; got 'nope'
  line 5: statuses[0].kind: the first status is where cards enter: it must be open
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Collection
from typing import Any

from leadmodel._kernel import documents
from leadmodel._kernel import toml as _toml
from leadmodel.domain.pipeline import checks
from leadmodel.domain.pipeline.spec import PipelineSpec
from leadmodel.errors import PipelineSpecError, Problem, ValidationError

__all__ = ["read_dict", "read_json", "read_toml", "to_dict", "to_toml"]


def read_dict(
    data: object,
    *,
    guards: Collection[str] | None = None,
    frameworks: Collection[str] | None = None,
    source: str | None = None,
) -> PipelineSpec:
    """The spec a document holds; raises :class:`PipelineSpecError` listing every problem.

    When the document does not load, the guards and frameworks its statuses name are
    checked too (on the parts that did load), so that every problem is reported at once.
    """
    try:
        return documents.from_document(PipelineSpec, data)
    except ValidationError as exc:
        problems = list(exc.problems)
    draft = documents.draft(PipelineSpec, _without_version(data))
    if draft is not None:
        problems += checks.registry_problems(draft, guards, frameworks)
    raise PipelineSpecError(_dedupe(problems), source=source) from None


def read_toml(
    text: object,
    *,
    guards: Collection[str] | None = None,
    frameworks: Collection[str] | None = None,
    source: str | None = None,
) -> PipelineSpec:
    """The spec in TOML text (``str`` or UTF-8 ``bytes``); each problem names its line.

    A path is read, with a ``DeprecationWarning`` (the domain reads no files).
    """
    if isinstance(text, os.PathLike):
        warnings.warn(
            "Pipeline.from_toml(path) is deprecated: the domain reads no files; "
            "pass the text, Pipeline.from_toml(path.read_bytes())",
            DeprecationWarning,
            stacklevel=3,
        )
        source = source or os.fspath(text)
        try:
            text = _toml.read_file(text)
        except ValidationError as exc:
            raise PipelineSpecError(exc.problems, source=source) from None
    try:
        return read_dict(_toml.parse(text), guards=guards, frameworks=frameworks, source=source)
    except PipelineSpecError as exc:
        located = _toml.with_lines(exc.problems, text)
        raise PipelineSpecError(located, source=source) from None
    except ValidationError as exc:  # not TOML at all
        raise PipelineSpecError(exc.problems, source=source) from None


def read_json(
    text: str | bytes,
    *,
    guards: Collection[str] | None = None,
    frameworks: Collection[str] | None = None,
) -> PipelineSpec:
    """The spec in JSON text (the same shape as the dict and TOML forms)."""
    if not isinstance(text, str | bytes | bytearray):
        problem = Problem("", "pass the JSON text (a str, or UTF-8 bytes)", text)
        raise PipelineSpecError([problem])
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PipelineSpecError([Problem("", f"not valid JSON: {exc}")]) from None
    return read_dict(data, guards=guards, frameworks=frameworks)


def to_dict(spec: PipelineSpec) -> dict[str, Any]:
    """The spec as a document: ``schema_version`` first, settings at their default left out."""
    return documents.to_document(spec)


def to_toml(spec: PipelineSpec) -> str:
    """The spec as TOML text that :func:`read_toml` reads back to an equal spec."""
    try:
        return _toml.dump(to_dict(spec))
    except ValidationError as exc:
        raise ValidationError(exc.problems, model="Pipeline.to_toml") from None


def _without_version(data: object) -> object:
    if isinstance(data, dict) and "schema_version" in data:
        return {k: v for k, v in data.items() if k != "schema_version"}
    return data


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))  # in order, each (path, message) once
