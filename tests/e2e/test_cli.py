"""The command line: demo, pipeline check, pipeline diagram."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadmodel import CustomerOrigin, SQLiteUnitOfWork, pipelines
from leadmodel.cli import main


def test_demo_runs_the_main_job_on_sqlite(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "5 leads in 'Заявки', 1 customer(s), stored in SQLite" in out
    assert "Нова заявка              5" in out
    assert "Успішно                  1" in out
    assert "5 InterestCaptured, 1 LeadConverted, 5 LeadCreated" in out


def test_demo_keeps_the_database_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(db)]) == 0
    assert f"database: {db}" in capsys.readouterr().out
    uow = SQLiteUnitOfWork(db)
    with uow:
        assert uow.leads.count() == 5
        assert [c.origin for c in uow.customers.iter_all()] == [CustomerOrigin.from_lead]
    uow.close()
    assert main(["demo", "--db", str(db)]) == 1  # never appends to an existing database
    assert "exists" in capsys.readouterr().err


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
