"""The command line: demo, report, pipeline check, pipeline diagram."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

import leadmodel as lm
from leadmodel import SQLiteUnitOfWork, pipelines
from leadmodel.cli import main
from leadmodel.cli._report import SETTINGS

TABLES = (
    "Funnel of 'Заявки' (",
    "Losses in 'Заявки' (lost from status, reason)",
    "Owners in 'Заявки'",
    "Sources of 'Заявки' (UAH)",
    "SLA as of 2026-04-01 00:00 UTC",
)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real entry point: ``python -m leadmodel ...``."""
    return subprocess.run(
        [sys.executable, "-m", "leadmodel", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
    )


def _tables(out: str) -> str:
    """The printed tables: from the funnel to the SLA policies' note."""
    start = out.index("Funnel of")
    end = out.index("policies (the first that applies)")
    return out[start:end]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A 500-request demo run through ``main``, its database kept: (its folder, its output)."""
    folder = tmp_path_factory.mktemp("demo")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["demo", "--leads", "500", "--seed", "7", "--db", str(folder / "demo.sqlite"),
                     "--out", str(folder / "out")])  # fmt: skip
    assert code == 0
    return folder, printed.getvalue()


def test_demo_runs_every_step_and_prints_the_tables(demo: tuple[Path, str]) -> None:
    _, out = demo
    assert "1. simulated 500 requests (lm.simulate) from 7 sources" in out
    assert "for 4 owners in Europe/Kyiv (anna, taras, olha) and America/New_York (mike)" in out
    assert (
        "2. imported 400 requests as the old CRM's history (leads.add_many), with 4 double" in out
    )
    assert "3. front door: 100 requests through services.capture (" in out
    assert "routed by 'desk' (update_lead, assign): anna " in out
    assert "4. duplicates: duplicate_report over " in out
    assert "safe to merge, merged (services.merge)" in out
    assert "5. SLA sweep at 2026-04-01 00:00 UTC (services.sweep, 2 policies): " in out
    for title in TABLES:
        assert title in out
    assert "Нова заявка (new)" in out
    assert "google " in out
    assert "trade show Kyiv" in out


def test_demo_writes_the_report_page_and_keeps_the_database(demo: tuple[Path, str]) -> None:
    folder, out = demo
    page = (folder / "out" / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for title in TABLES:
        assert title.replace("'", "&#x27;") in page
    assert "<li>front door: 100 requests through services.capture" in page
    if "charts skipped" not in out:  # the plot extra is installed: the charts are there too
        assert '<img src="funnel.png"' in page
        assert (folder / "out" / "funnel.png").stat().st_size > 1000
    db = folder / "demo.sqlite"
    assert f"database: {db}" in out
    uow = SQLiteUnitOfWork(db)
    with uow:
        assert uow.leads.count() > 450
        assert uow.customers.count() > 0
        assert uow.states.get(SETTINGS) is not None
        merged = [lead for lead in uow.leads.iter_all() if lead.merges]
    uow.close()
    assert merged  # the double entries were merged into their first cards


def test_report_prints_the_demo_tables_again(demo: tuple[Path, str], tmp_path: Path) -> None:
    folder, out = demo
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["report", str(folder / "demo.sqlite"), "--out", str(tmp_path / "again")])
    assert code == 0
    assert _tables(printed.getvalue()) == _tables(out)
    assert (tmp_path / "again" / "report.html").is_file()


def test_report_of_a_store_without_settings(tmp_path: Path) -> None:
    db = tmp_path / "crm.sqlite"
    uow = SQLiteUnitOfWork(db)
    with uow:
        uow.leads.add_many(lm.simulate(50, seed=1).leads)
        uow.commit()
    uow.close()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", str(db), "--at", "2026-04-01T00:00+00:00"]) == 0
    shown = printed.getvalue()
    assert "50 leads, as of 2026-04-01 00:00 UTC" in shown
    assert "default: first reply 1h 00m, replies 4h 00m in calendar time" in shown
    assert "Sources of 'Заявки' (UAH)" in shown


def test_broken_settings_are_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "crm.sqlite"
    uow = SQLiteUnitOfWork(db)
    with uow:
        uow.states.put(SETTINGS, {"policies": [{"key": "x"}]}, expected_version=None)
        uow.commit()
    uow.close()
    assert main(["report", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("leadmodel report: the stored report settings ('leadmodel:report') ")
    assert err.count("\n") == 1


def test_charts_are_skipped_without_matplotlib(
    demo: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = demo
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib: ImportError
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", str(folder / "demo.sqlite"), "--out", str(tmp_path)]) == 0
    assert "charts skipped: matplotlib is not installed" in printed.getvalue()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.html"]


def test_demo_through_the_entry_point(tmp_path: Path) -> None:
    db, out = tmp_path / "kept.sqlite", tmp_path / "out"
    done = _cli("demo", "--leads", "500", "--db", str(db), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for title in TABLES:
        assert title in done.stdout
    assert (out / "report.html").is_file()
    assert db.is_file()
    again = _cli("demo", "--leads", "500", "--db", str(db), "--out", str(out), cwd=tmp_path)
    assert again.returncode == 1  # never appends to an existing database
    assert again.stderr == (
        f"leadmodel demo: {db}: exists; the demo writes a new database — pass a new path\n"
    )
    assert again.stdout == ""


def test_user_errors_exit_1_without_a_traceback(tmp_path: Path) -> None:
    missing = _cli("report", str(tmp_path / "nope.sqlite"), cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.startswith("leadmodel report: ")
    assert "no such database" in missing.stderr
    assert missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    busy = _cli("demo", "--leads", "10", "--out", str(tmp_path / "busy"), cwd=tmp_path)
    assert busy.returncode == 1
    assert "not empty (notes.txt); pass a new or empty folder" in busy.stderr
    assert (tmp_path / "busy" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert busy.stdout == ""  # refused before any work


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--leads", "0"], "--leads: 0 requests? give 1 or more"),
        (["demo", "--db", "out/x.sqlite", "--out", "out"], "keep the database out of the"),
        (["report", "x.sqlite", "--at", "2026-04-01"], "has no offset"),
        (["report", "x.sqlite", "--at", "soon"], "not an ISO 8601 instant"),
    ],
)
def test_bad_option_values_are_user_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["demo", "--no-such-option"], ["demo", "--leads", "many"], ["report"], ["report", "a", "b"]],
)
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path) -> None:
    done = _cli(*argv, cwd=tmp_path)
    assert done.returncode == 2
    assert "usage: leadmodel" in done.stderr


def test_an_earlier_report_is_replaced(demo: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo
    (tmp_path / "report.html").write_text("old", encoding="utf-8")
    (tmp_path / "old-chart.png").write_bytes(b"png")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", str(folder / "demo.sqlite"), "--out", str(tmp_path)]) == 0
    assert f"(replaced the earlier report in {tmp_path})" in printed.getvalue()
    assert not (tmp_path / "old-chart.png").exists()
    assert (tmp_path / "report.html").read_text(encoding="utf-8") != "old"


def test_pipeline_check_accepts_a_good_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "requests.toml"
    spec.write_text(pipelines.KEYCRM_REQUESTS.to_toml(), encoding="utf-8")
    assert main(["pipeline", "check", str(spec)]) == 0
    assert "ok — pipeline 'requests', 6 statuses (4 open, 1 won, 1 lost)" in capsys.readouterr().out


def test_pipeline_check_lists_every_problem_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text('key = "x"\npolicy = "nope"\n[[statuses]]\nkey = "a"\n', encoding="utf-8")
    assert main(["pipeline", "check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    assert "line 2: policy: expected one of" in err


def test_pipeline_check_knows_declared_guards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "guarded.json"
    data = pipelines.SIMPLE.to_dict()
    data["statuses"][1]["requires"] = {"guards": ["has_manager"]}
    spec.write_text(__import__("json").dumps(data), encoding="utf-8")
    assert main(["pipeline", "check", str(spec)]) == 1
    assert "not registered" in capsys.readouterr().err
    assert main(["pipeline", "check", str(spec), "--guard", "has_manager"]) == 0


def test_pipeline_check_reports_an_unreadable_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pipeline", "check", "/nonexistent/spec.toml"]) == 1  # a user error
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(("fmt", "start"), [("mermaid", "stateDiagram-v2"), ("dot", "digraph")])
def test_pipeline_diagram(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, start: str
) -> None:
    spec = tmp_path / "deals.toml"
    spec.write_text(pipelines.B2B_DEALS.to_toml(), encoding="utf-8")
    assert main(["pipeline", "diagram", "--format", fmt, str(spec)]) == 0
    assert capsys.readouterr().out.startswith(start)
