"""The package as users get it: ``python -m build`` makes a wheel and an sdist that ``twine
check`` passes; the wheel installed into a fresh venv with only the core dependencies runs the
quickstart, and with ``[cli]`` runs ``leadmodel demo``. Needs PyPI (or a warm ``uv`` cache) for
the build backend and the dependencies: offline it skips, and fails when ``CI=true``."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.e2e.test_core_install import _no_index, _run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and the sdist, built from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    done = _run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=out, timeout=600
    )
    if done.returncode != 0:
        _no_index(done.stdout + done.stderr)
        pytest.fail(f"python -m build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return out


def _wheel(dist: Path) -> Path:
    (wheel,) = dist.glob("leadmodel-*-py3-none-any.whl")
    return wheel


def _venv(where: Path, requirement: str) -> Path:
    """A fresh venv at ``where`` with ``requirement`` installed; its bin directory."""
    uv = Path(sys.executable).parent / "uv"
    uv_path = str(uv) if uv.exists() else shutil.which("uv")
    python = where / "bin" / "python"
    if uv_path:
        steps = [
            [uv_path, "venv", "--quiet", "--python", sys.executable, str(where)],
            [uv_path, "pip", "install", "--quiet", "--python", str(python), requirement],
        ]
    else:
        steps = [
            [sys.executable, "-m", "venv", str(where)],
            [str(python), "-m", "pip", "install", "--quiet", requirement],
        ]
    for step in steps:
        done = _run(step, cwd=where.parent, timeout=600)
        if done.returncode != 0:
            _no_index(done.stdout + done.stderr)
            pytest.fail(f"{' '.join(step)} failed:\n{done.stdout}{done.stderr}")
    return where / "bin"


def test_the_wheel_and_the_sdist_pass_twine_check(dist: Path) -> None:
    built = sorted(p.name for p in dist.iterdir())
    version = __import__("leadmodel").__version__
    assert built == [f"leadmodel-{version}-py3-none-any.whl", f"leadmodel-{version}.tar.gz"]
    done = _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
                cwd=dist)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_the_wheel_runs_the_quickstart_on_a_core_install(dist: Path, tmp_path: Path) -> None:
    bin_dir = _venv(tmp_path / "core", str(_wheel(dist)))
    script = tmp_path / "quickstart.py"  # away from the source tree: the installed copy runs
    shutil.copy(ROOT / "examples" / "quickstart.py", script)
    done = _run([str(bin_dir / "python"), str(script)], cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "converted: lead 'won', customer person" in done.stdout
    listed = _run([str(bin_dir / "python"), "-m", "pip", "list"], cwd=tmp_path)
    assert "rich" not in listed.stdout.lower().split()


def test_the_wheel_with_the_cli_extra_runs_the_demo(dist: Path, tmp_path: Path) -> None:
    bin_dir = _venv(tmp_path / "cli", f"leadmodel[cli] @ {_wheel(dist).as_uri()}")
    done = _run([str(bin_dir / "leadmodel"), "demo", "--leads", "500", "--out",
                 str(tmp_path / "report")], cwd=tmp_path, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report" / "report.html").is_file()
    usage = _run([str(bin_dir / "leadmodel"), "demo", "--no-such-option"], cwd=tmp_path)
    assert usage.returncode == 2
