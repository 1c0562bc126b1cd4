"""Registries from files: ``lm.load_registry(path)`` reads one TOML file, or a folder of them.

The domain reads no files: :meth:`~leadmodel.Registry.from_toml` takes text. This module, above
the domain, reads the files, names each in the problems found in it, and checks that no two
files hold the same key.

>>> import leadmodel as lm
>>> lm.load_registry("no/such/folder")
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: no file or folder here: check the path (a relative one starts
where Python runs); got 'no/such/folder'
"""

from __future__ import annotations

import os
from pathlib import Path

from leadmodel._kernel import toml as _toml
from leadmodel.domain.pipeline.guards import Guards
from leadmodel.domain.registry import FIELDS, Registry, duplicate_keys
from leadmodel.errors import Problem, ValidationError

__all__ = ["Registry", "load_registry"]


def load_registry(path: str | os.PathLike[str], *, guards: Guards | None = None) -> Registry:
    """Read a registry from a TOML file, or from every ``*.toml`` file in a folder.

    Each file is a registry document (``[[pipelines]]``, ``[[frameworks]]``,
    ``[[score_models]]``, as :meth:`Registry.from_toml <leadmodel.Registry.from_toml>` reads)
    and may hold any of the three; a folder's files are read in the order of their names, and
    its sub-folders are left alone. ``guards`` are the host's checks the pipelines name.

    Raises :class:`~leadmodel.errors.ValidationError` listing every problem of every file, each
    path led by the file (``crm/deals.toml:pipelines[0].statuses[1].kind``): a path with no file
    or folder, a folder with no ``*.toml`` file, a file that cannot be read, is not UTF-8, is
    larger than 8 MiB or is not valid TOML, a spec with problems, a key two files hold.

    >>> import pathlib, tempfile
    >>> import leadmodel as lm
    >>> temporary = tempfile.TemporaryDirectory()
    >>> folder = pathlib.Path(temporary.name)
    >>> _ = (folder / "pipelines.toml").write_text(lm.Registry().add(lm.pipelines.SIMPLE).to_toml())
    >>> _ = (folder / "frameworks.toml").write_text(lm.Registry().add(lm.BANT).to_toml())
    >>> lm.load_registry(folder)
    Registry(pipelines=('simple',), frameworks=('BANT',), score_models=())
    >>> _ = (folder / "more.toml").write_text('[[frameworks]]\\nkey = "BANT"\\ncriteria = []\\n')
    >>> lm.load_registry(folder)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: line 3: .../more.toml:frameworks[0].criteria: a framework
    needs at least one criterion
    >>> temporary.cleanup()
    """
    problems: list[Problem] = []
    complete = True
    parts: list[tuple[str, Registry]] = []
    lines: dict[str, int | None] = {}  # an item's path -> the line of its key
    for file in _files(Path(path)):
        name = os.fspath(file)
        try:
            data = _toml.read_file(file, most=_toml.MAX_FILE_BYTES)
            registry = Registry.from_toml(data, guards=guards)
        except ValidationError as exc:
            problems += [_in_file(name, p) for p in exc.problems]
            complete = complete and exc.complete
            continue
        parts.append((name, registry))
        where = _toml.line_map(data.decode("utf-8"))
        for field in FIELDS:
            for i in range(len(getattr(registry, field))):
                lines[f"{name}:{field}[{i}]"] = _toml.locate(where, f"{field}[{i}].key")
    for field, word in FIELDS.items():
        held = [
            (f"{n}:{field}[{i}]", key) for n, r in parts for i, key in enumerate(getattr(r, field))
        ]
        for p in duplicate_keys(word, held):
            item = p.path.removesuffix(".key")
            problems.append(Problem(p.path, p.message, p.value, line=lines.get(item)))
    if problems:
        raise ValidationError(problems, complete=complete)
    return Registry(
        **{
            field: [item for _, r in parts for item in getattr(r, field).values()]
            for field in FIELDS
        }
    )


def _files(path: Path) -> list[Path]:
    """The file at ``path``, or the ``*.toml`` files of the folder there, by name."""
    if path.is_dir():
        files = sorted(f for f in path.glob("*.toml") if f.is_file())
        if not files:
            msg = (
                "the folder holds no *.toml file: put the registry's files there, or check the path"
            )
            raise ValidationError([Problem("", msg, os.fspath(path))])
        return files
    if not path.exists():
        msg = "no file or folder here: check the path (a relative one starts where Python runs)"
        raise ValidationError([Problem("", msg, os.fspath(path))])
    return [path]


def _in_file(name: str, problem: Problem) -> Problem:
    """``problem``, found in the file ``name``, with the file leading its path."""
    if not problem.path and problem.has_value and problem.value == name:
        return problem  # reading the file failed: the problem names it already
    path = f"{name}:{problem.path}" if problem.path else name
    return Problem(path, problem.message, problem.value, line=problem.line)
