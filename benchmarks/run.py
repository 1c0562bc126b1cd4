"""Run every ``benchmarks/bench_*.py`` script, each in its own subprocess.

Usage::

    python benchmarks/run.py            # run all benchmark scripts
    python benchmarks/run.py serde io   # run only scripts whose name contains "serde" or "io"

Each script runs with the same interpreter as this runner (``make bench`` uses the venv's),
with the repository root as working directory. Output is streamed as it is produced. The exit
status is non-zero if any script fails or if no script matched.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent


def discover(filters: list[str]) -> list[Path]:
    """Return the benchmark scripts, sorted, optionally keeping only names containing a filter."""
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if filters:
        scripts = [s for s in scripts if any(f in s.stem for f in filters)]
    return scripts


def run_one(script: Path) -> tuple[int, float]:
    """Run one script with this interpreter; return its exit code and wall time in seconds."""
    rel = script.relative_to(REPO_ROOT)
    print(f"\n=== {rel} ===", flush=True)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(script)], cwd=REPO_ROOT, check=False)
    return proc.returncode, time.perf_counter() - start


def main(argv: list[str]) -> int:
    scripts = discover(argv)
    if not scripts:
        where = BENCH_DIR.relative_to(REPO_ROOT)
        print(f"no benchmark scripts matched in {where}/ (bench_*.py)", file=sys.stderr)
        return 1

    results = [(script, *run_one(script)) for script in scripts]

    print("\n=== summary ===")
    failed = 0
    for script, code, seconds in results:
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        failed += code != 0
        print(f"{script.name:<40} {seconds:8.2f}s  {status}")
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
