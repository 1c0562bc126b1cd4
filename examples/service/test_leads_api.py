"""The example service through FastAPI's real test client, on a real SQLite file."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from leads_api import create_app

CAPTURE = {
    "source": {"channel": "form", "campaign": "spring"},
    "topic": "40 office chairs",
    "person_name": "Olena Koval",
    "company_name": "Mebli Plus",
    "contact_points": [{"kind": "email", "value": "olena@mebli.ua"}],
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "leads.sqlite")) as made:
        yield made


def _captured(client: TestClient) -> dict[str, Any]:
    """A new submission each time (its own Idempotency-Key), of the same person."""
    interest = client.post("/interests", json=CAPTURE, headers={"Idempotency-Key": next(_KEYS)})
    assert interest.status_code == 201, interest.text
    return dict(interest.json())


_KEYS = (f"form-{n}" for n in itertools.count(1))


def test_the_same_submission_twice_is_one_interest(client: TestClient) -> None:
    first = client.post("/interests", json=CAPTURE, headers={"Idempotency-Key": "k-1"})
    again = client.post("/interests", json=CAPTURE, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    unkeyed = client.post("/interests", json=CAPTURE)  # the payload's fingerprint: new once
    assert unkeyed.status_code == 201
    assert client.post("/interests", json=CAPTURE).json()["id"] == unkeyed.json()["id"]


def _promoted(client: TestClient, **extra: Any) -> dict[str, Any]:
    interest = _captured(client)
    body = {
        "pipeline": "deals",
        "owner": "anna",
        "expected_value": {"amount": "48000", "currency": "UAH"},
    }
    lead = client.post(f"/interests/{interest['id']}/promote", json=body | extra)
    assert lead.status_code == 201, lead.text
    assert lead.headers["ETag"] == f'"{lead.json()["version"]}"'
    return dict(lead.json())


def test_capture_promote_assess_move_convert_and_page_a_column(client: TestClient) -> None:
    answers = [{"criterion": key, "met": True} for key in ("budget", "authority", "need")]
    lead = _promoted(client, framework="BANT", answers=answers, status="needs_analysis")
    assert (lead["status"], lead["owner"], lead["version"]) == ("needs_analysis", "anna", 0)
    assert lead["assessments"][0]["framework"] == "BANT"
    assert lead["expected_value"] == {"amount": "48000", "currency": "UAH"}

    moved = client.post(f"/leads/{lead['id']}/move", json={"status": "proposal"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.headers["ETag"]) == ("proposal", '"1"')

    done = client.post(f"/leads/{lead['id']}/convert", headers={"If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert done.json()["lead"]["status"] == "won"  # the pipeline's convert_to
    assert done.json()["customer"]["kind"] == "company"

    for _ in range(4):
        _promoted(client)
    ids, after, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"after": after} if after else {})
        page = client.get("/pipelines/deals/columns/qualification", params=params).json()
        ids += [item["id"] for item in page["items"]]
        pages += 1
        assert page["total"] == 4
        after = page["next"]
        if after is None:
            break
    assert len(ids) == len(set(ids)) == 4
    assert ids == sorted(ids)
    assert pages == 2


def test_a_stale_edit_is_409_with_both_versions(client: TestClient) -> None:
    lead = _promoted(client)
    first = client.patch(
        f"/leads/{lead['id']}", json={"owner": "ivan"}, headers={"If-Match": '"0"'}
    )
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"1"'
    stale = client.patch(
        f"/leads/{lead['id']}", json={"owner": "olha"}, headers={"If-Match": '"0"'}
    )
    assert stale.status_code == 409
    body = stale.json()
    assert (body["error"], body["kind"], body["id"]) == ("ConcurrencyError", "leads", lead["id"])
    assert (body["expected"], body["found"]) == (0, 1)
    assert client.get(f"/leads/{lead['id']}").json()["owner"] == "ivan"


def test_a_bad_document_is_422_with_every_path(client: TestClient) -> None:
    bad = CAPTURE | {
        "source": {"channel": "fax"},
        "contact_points": [{"kind": "email", "value": "not-an-email"}],
    }
    response = client.post("/interests", json=bad)
    assert response.status_code == 422
    paths = sorted(p["path"] for p in response.json()["problems"])
    assert paths == ["contact_points[0].value", "source.channel"]

    lead = _promoted(client)
    response = client.patch(f"/leads/{lead['id']}", json={"owner": "", "time_zone": "Mars/Base"})
    assert response.status_code == 422
    assert sorted(p["path"] for p in response.json()["problems"]) == ["owner", "time_zone"]
    response = client.patch(f"/leads/{lead['id']}", json={"owner": "x"}, headers={"If-Match": "v"})
    assert (response.status_code, response.json()["problems"][0]["path"]) == (422, "If-Match")


def test_unknown_lead_pipeline_and_status_are_404(client: TestClient) -> None:
    response = client.get("/leads/nobody")
    assert response.status_code == 404
    assert (response.json()["kind"], response.json()["id"]) == ("leads", "nobody")
    assert client.get("/pipelines/nope/columns/new").status_code == 404
    assert client.get("/pipelines/deals/columns/paid").status_code == 404


def test_a_refused_move_is_409_with_why_and_nothing_of_the_batch_is_kept(
    client: TestClient,
) -> None:
    lead = _promoted(client)
    response = client.post(f"/leads/{lead['id']}/move", json={"status": "lost"})
    assert response.status_code == 409
    assert response.json()["why"] == "reason_required"
    interest = _captured(client)
    body = {"pipeline": "deals", "status": "proposal"}  # proposal requires owner and value
    response = client.post(f"/interests/{interest['id']}/promote", json=body)
    assert response.status_code == 409
    assert response.json()["missing"] == ["expected_value", "owner"]
    column = client.get("/pipelines/deals/columns/qualification").json()
    assert column["total"] == 1  # the failed promotion left no lead behind


def test_concurrent_edits_give_exactly_one_200_and_the_rest_409(client: TestClient) -> None:
    lead = _promoted(client)
    statuses: list[int] = []
    start = threading.Barrier(8)

    def edit(n: int) -> None:
        start.wait()
        response = client.patch(
            f"/leads/{lead['id']}", json={"owner": f"user{n}"}, headers={"If-Match": '"0"'}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 7
    assert client.get(f"/leads/{lead['id']}").json()["version"] == 1
