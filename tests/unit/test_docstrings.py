"""Every public callable shows an example: ``help(lm.promote)`` and the API page carry a doctest.

STYLE rule 7. "Public" is what ``import leadmodel as lm`` offers: the functions in ``lm.__all__``,
``lm.services`` and ``lm.pipelines``, and the public methods of the classes exported there. The
doctests themselves run in ``make test`` (``--doctest-modules``); this test makes sure they exist.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import ModuleType

import leadmodel as lm

NAMESPACES: tuple[tuple[str, ModuleType], ...] = (
    ("lm", lm),
    ("lm.services", lm.services),
    ("lm.pipelines", lm.pipelines),
)


def _ours(obj: object) -> bool:
    return str(getattr(obj, "__module__", "")).startswith("leadmodel")


def public_callables() -> Iterator[tuple[str, object]]:
    """``(qualified name, function)`` for every public function and method, each once."""
    seen: set[int] = set()
    for prefix, namespace in NAMESPACES:
        for name in namespace.__all__:
            obj = getattr(namespace, name)
            if inspect.isfunction(obj) and _ours(obj) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{prefix}.{name}", obj
            elif inspect.isclass(obj) and _ours(obj):
                for attr, member in vars(obj).items():
                    func = getattr(member, "__func__", member)
                    if attr.startswith("_") or not inspect.isfunction(func) or id(func) in seen:
                        continue
                    seen.add(id(func))
                    yield f"{prefix}.{name}.{attr}", func


def test_every_public_function_and_method_has_a_doctest() -> None:
    missing = [name for name, func in public_callables() if ">>>" not in (func.__doc__ or "")]
    assert missing == []


def test_the_walk_finds_functions_and_methods() -> None:
    """A guard on the guard: the walk reaches module functions, methods and classmethods."""
    names = {name for name, _ in public_callables()}
    assert {"lm.promote", "lm.Pipeline.move", "lm.Pipeline.from_dict", "lm.services.move"} <= names
