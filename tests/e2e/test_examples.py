"""Every example script in examples/ runs cleanly (notebooks run through nbmake)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "an example prints what it shows"


def test_there_are_examples() -> None:
    assert EXAMPLES


NOTEBOOKS = sorted((Path(__file__).parents[2] / "examples").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(notebook: Path) -> None:
    """Every cell runs (nbmake, in a fresh kernel), as a reader would run the notebook."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbmake", str(notebook)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:]


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


PIPELINES = sorted((Path(__file__).parents[2] / "examples").glob("*pipeline*.toml"))


@pytest.mark.parametrize("spec", PIPELINES, ids=lambda p: p.name)
def test_example_pipeline_specs_load_and_check(spec: Path) -> None:
    """A pipeline spec among the examples loads, and ``leadmodel pipeline check`` passes it."""
    import leadmodel as lm

    pipeline = lm.Pipeline.from_toml(spec.read_bytes())
    assert pipeline.statuses
    done = subprocess.run(
        [sys.executable, "-m", "leadmodel", "pipeline", "check", str(spec)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ok — pipeline" in done.stdout


def test_there_are_pipeline_examples() -> None:
    assert PIPELINES
