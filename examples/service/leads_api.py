"""A small web service over leadmodel: FastAPI, one unit of work per request, SQLite.

Run it with ``uvicorn leads_api:app`` from this folder (``pip install 'leadmodel[sql]'
fastapi uvicorn``); its tests (``test_leads_api.py``) run in ``make test``. What it shows:

* **one unit of work per request** (:func:`unit`): a unit object is cheap, belongs to one
  thread, and is closed when the request ends; the services open and commit it;
* **several steps, one transaction**: ``POST /interests/{id}/promote`` promotes, records the
  first assessment and moves the card in one ``services.batch``;
* **versions as ETags**: every lead is returned with ``ETag: "<version>"``; a change sends
  ``If-Match`` and a stale one gets ``409`` with both versions, without code of its own;
* **errors mapped once** (:func:`problem`): ``lm.errors.http_problem`` gives the status and
  body for every leadmodel error: 422 with field paths, 404, 409;
* **keys from a registry**: requests name pipelines and frameworks by key;
* **idempotent capture**: ``POST /interests`` with the same ``Idempotency-Key`` header (or
  the same payload) twice stores one interest and answers ``200`` the second time;
* **a kanban column, paged**: ``GET /pipelines/{key}/columns/{status}?after=...``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import attrs
from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse

import leadmodel as lm
from leadmodel import services


# --8<-- [start:unit]
def unit(request: Request) -> Iterator[lm.SQLiteUnitOfWork]:
    """One unit of work per request, closed when the request ends (a unit object belongs to
    one thread; FastAPI runs each request of a plain ``def`` endpoint in a worker thread)."""
    uow = lm.SQLiteUnitOfWork(request.app.state.database)
    try:
        yield uow
    finally:
        uow.close()


Uow = Annotated[lm.SQLiteUnitOfWork, Depends(unit)]
# --8<-- [end:unit]
IfMatch = Annotated[str | None, Header()]
IdempotencyKey = Annotated[str | None, Header()]


def create_app(database: Path, registry: lm.Registry | None = None) -> FastAPI:
    """The app over the SQLite file ``database``, with the pipelines of ``registry``."""
    app = FastAPI(title="leads")
    app.state.database = database
    known = registry if registry is not None else lm.Registry.default()

    # --8<-- [start:errors]
    @app.exception_handler(lm.LeadModelError)
    async def problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, lm.LeadModelError)
        status, body = lm.errors.http_problem(exc)
        return JSONResponse(body, status_code=status)

    # --8<-- [end:errors]

    # --8<-- [start:capture]
    @app.post("/interests", status_code=201)
    def capture(
        body: dict[str, Any], uow: Uow, response: Response, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """A form, a message, a call: ``{"source": {...}, "topic": ..., ...}``. The same
        ``Idempotency-Key`` again (or, without one, the same payload within ten minutes) is a
        double submit: ``200`` with the interest captured first, nothing stored twice."""
        doc = lm.from_dict(_Capture, body)
        result = services.capture(
            uow,
            source=doc.source,
            topic=doc.topic,
            message=doc.message,
            person_name=doc.person_name,
            contact_points=doc.contact_points,
            company_name=doc.company_name,
            idempotency_key=idempotency_key,
        )
        assert result.interest is not None  # no spam verdict given: nothing is refused
        if result.decision is lm.Decision.duplicate_submit:
            response.status_code = 200
        return lm.to_dict(result.interest)

    # --8<-- [end:capture]

    # --8<-- [start:promote]
    @app.post("/interests/{interest_id}/promote", status_code=201)
    def promote(
        interest_id: str, body: dict[str, Any], uow: Uow, response: Response
    ) -> dict[str, Any]:
        """Promote, assess and move in one transaction (all of it, or none of it)."""
        doc = lm.from_dict(_Promote, body)
        with services.batch(uow) as step:
            lead = services.promote(
                step,
                interest_id,
                pipeline=doc.pipeline,
                registry=known,
                owner=doc.owner,
                expected_value=doc.expected_value,
                by=doc.owner,
            )
            if doc.framework is not None:
                lead = services.assess(
                    step, lead.id, doc.framework, doc.answers, registry=known, by=doc.owner
                )
            if doc.status is not None:
                lead = services.move(step, lead.id, None, doc.status, registry=known)
        return _lead(lead, response)

    # --8<-- [end:promote]
    @app.get("/leads/{lead_id}")
    def read(lead_id: str, uow: Uow, response: Response) -> dict[str, Any]:
        with uow:
            return _lead(uow.leads.get(lead_id), response)

    # --8<-- [start:versions]
    @app.patch("/leads/{lead_id}")
    def edit(
        lead_id: str, body: dict[str, Any], uow: Uow, response: Response, if_match: IfMatch = None
    ) -> dict[str, Any]:
        """Edit owner, value, tags, custom fields...: the changes as a JSON object."""
        changes = lm.from_dict(_Edit, body).sent(body)
        lead = services.update_lead(uow, lead_id, expected_version=_version(if_match), **changes)
        return _lead(lead, response)

    # --8<-- [end:versions]
    @app.post("/leads/{lead_id}/move")
    def move(
        lead_id: str, body: dict[str, Any], uow: Uow, response: Response, if_match: IfMatch = None
    ) -> dict[str, Any]:
        doc = lm.from_dict(_Move, body)
        lead = services.move(
            uow,
            lead_id,
            None,
            doc.status,
            reason=doc.reason,
            registry=known,
            expected_version=_version(if_match),
        )
        return _lead(lead, response)

    @app.post("/leads/{lead_id}/convert")
    def convert(
        lead_id: str, uow: Uow, response: Response, if_match: IfMatch = None
    ) -> dict[str, Any]:
        done = services.convert(uow, lead_id, registry=known, expected_version=_version(if_match))
        assert done.lead is not None
        body = _lead(done.lead, response)
        return {"lead": body, "customer": lm.to_dict(done.customer)}

    # --8<-- [start:column]
    @app.get("/pipelines/{key}/columns/{status}")
    def column(
        key: str, status: str, uow: Uow, after: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        """One page of a kanban column: ``next`` asks for the following page."""
        pipeline = known.pipeline(key)
        pipeline.status(status)  # an unknown status is a 404, not an empty column
        with uow:
            page = uow.leads.page(pipeline=key, status=status, after=after, limit=limit)
            total = uow.leads.count(pipeline=key, status=status)
        return {
            "items": [lm.to_dict(lead) for lead in page.items],
            "next": page.next,
            "total": total,
        }

    # --8<-- [end:column]
    return app


def _lead(lead: lm.Lead, response: Response) -> dict[str, Any]:
    response.headers["ETag"] = f'"{lead.version}"'
    return lm.to_dict(lead)


# --8<-- [start:if-match]
def _version(if_match: str | None) -> int | None:
    """The version an ``If-Match: "3"`` header names (``None`` without the header)."""
    if if_match is None:
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        problem = lm.errors.Problem("If-Match", 'send the ETag you read, such as "3"', if_match)
        raise lm.errors.ValidationError([problem], model="headers")
    return int(tag)


# --8<-- [end:if-match]


# -- request documents: attrs classes read by the library's own converter --------------------
@attrs.frozen(kw_only=True)
class _Capture:
    source: lm.Source
    topic: str | None = None
    message: str | None = None
    person_name: str | None = None
    contact_points: tuple[lm.ContactPoint, ...] = ()
    company_name: str | None = None


@attrs.frozen(kw_only=True)
class _Promote:
    pipeline: str
    owner: str | None = None
    expected_value: lm.Money | None = None
    framework: str | None = None
    answers: tuple[lm.Answer, ...] = ()
    status: str | None = None


@attrs.frozen(kw_only=True)
class _Move:
    status: str
    reason: str | None = None


@attrs.frozen(kw_only=True)
class _Edit:
    owner: str | None = None
    expected_value: lm.Money | None = None
    tags: frozenset[str] = frozenset()
    time_zone: str | None = None
    custom: dict[str, Any] = attrs.Factory(dict)
    company_name: str | None = None

    def sent(self, body: dict[str, Any]) -> dict[str, Any]:
        """The fields the request sent (a field left out is left as it is)."""
        return {name: getattr(self, name) for name in body}


app = create_app(Path(os.environ.get("LEADS_DB", "leads.sqlite")))
