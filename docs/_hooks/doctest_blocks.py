"""Show the doctests in docstrings as code on the API page.

Docstrings carry their examples as bare doctest blocks (``>>>`` lines and their output), the way
``help()`` shows them and ``pytest --doctest-modules`` runs them. Markdown would read such a block
as a paragraph (and ``['a', 'b']`` in an output as a link), so this Griffe extension wraps each
block in a ``pycon`` fence when the API page is built. The source stays as it is.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """``text`` with every doctest block (a ``>>>`` line up to the next blank line) fenced.

    >>> fence_doctests("Adds.\\n\\n>>> 1 + 1\\n2\\n\\nDone.").splitlines()[2:6]
    ['```pycon', '>>> 1 + 1', '2', '```']
    """
    out: list[str] = []
    inside = fenced = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = not fenced
        if not fenced and not inside and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            inside = True
        elif inside and not stripped:
            out.append(f"{indent}```")
            inside = False
        out.append(line)
    if inside:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    """Fence the doctest blocks of every docstring Griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
