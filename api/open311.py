"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at ``/open311/v2``: the standard
apps such as FixMyStreet and SeeClickFix speak. Services are the catalogue's matter types; a
posted request is a request of the ``open311`` channel, taken in like any other. JSON or XML by
the path's extension; errors in the spec's shape (a list of ``code`` and ``description``).

A client posts with its own ``api_key``: a Minsheng key of role ``intake`` made for that client.
A post is idempotent on the client's token (an ``Idempotency-Key`` header, or else the posted
fields themselves): the same post again answers the same request. The reads need no key; they
show only the requests taken in through Open311 (the other channels' citizens wrote to the city,
not to the public). A request's ``media_url`` is kept as the client sent it and shown again, never
fetched: Minsheng makes no calls out to addresses a client names."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from api.context import Context
from domain.case import Role
from domain.request import Citizen, Location, NewRequest, request_problems
from persistence import open311
from persistence.open311 import OPEN311, RequestFilter, ServiceRequest
from services.intake import submit_request

router = APIRouter(prefix="/open311/v2", tags=["open311"])
SPEC = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("json", "xml")
DEFAULT_DAYS = 90
"""GET requests without dates: the last 90 days (the spec's default), and a range of no more."""
MOST = 1000
ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
"""A request number or a token: anything else names nothing (and never reaches the database)."""
W3C_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class ErrorOut(BaseModel):
    code: int
    description: str


class ServiceOut(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class ServiceDefinitionOut(BaseModel):
    service_code: str
    attributes: list[dict[str, Any]]


class CreatedOut(BaseModel):
    service_request_id: str
    token: str | None
    service_notice: str
    account_id: str | None


class ServiceRequestOut(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class TokenOut(BaseModel):
    service_request_id: str
    token: str


class DiscoveryOut(BaseModel):
    changeset: datetime
    contact: str
    key_service: str
    endpoints: list[dict[str, Any]]


def _answers(model: Any) -> dict[int | str, dict[str, Any]]:
    """JSON or XML, as the extension asks; the spec's errors."""
    error = {"model": list[ErrorOut], "content": {"text/xml": {}}}
    return {
        200: {"model": model, "content": {"text/xml": {}}},
        400: error | {"description": "a parameter is wrong (the description says which), or the format"},
        403: error | {"description": "no api_key, or one that is not an Open311 client's"},
        404: error | {"description": "no such service, request or token"},
    }


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(400, f"unknown format {fmt!r}: use .json or .xml")
    return fmt


def _xml(root: str, item: str, items: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for entry in items:
        element = ET.SubElement(top, item)
        for key, value in entry.items():
            child = ET.SubElement(element, key)
            if isinstance(value, list):
                for part in value:
                    ET.SubElement(child, key.rstrip("s")).text = str(part)
            elif value is not None:
                child.text = (
                    value.isoformat()
                    if isinstance(value, datetime)
                    else str(value).lower()
                    if isinstance(value, bool)
                    else str(value)
                )
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode").encode()


def _answer(fmt: str, root: str, item: str, items: list[BaseModel], status: int = 200) -> Response:
    data = [i.model_dump(mode="json" if fmt == "json" else "python") for i in items]
    if fmt == "xml":
        return Response(_xml(root, item, data), status, media_type="text/xml; charset=utf-8")
    return Response(_json(data), status, media_type="application/json")


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def error_response(request: Request, exc: Open311Error) -> Response:
    """The spec's error shape, in the format the path asked for (JSON when it names none)."""
    fmt = "xml" if request.url.path.endswith(".xml") else "json"
    return _answer(fmt, "errors", "error", [ErrorOut(code=exc.code, description=exc.description)], exc.code)


@router.get("/discovery.{fmt}", response_class=Response, responses=_answers(DiscoveryOut))
async def discovery(fmt: str, request: Request, context: Context) -> Response:
    """Where this endpoint is, which spec it speaks, in which formats."""
    fmt = _format(fmt)
    base = f"{context.settings.api_url.rstrip('/')}/open311/v2"
    found = DiscoveryOut(
        changeset=datetime(2026, 12, 4, tzinfo=UTC),
        contact="the city's Social Governance Service Centre (社会治理服务中心)",
        key_service="ask the centre for an api_key (a Minsheng key of role intake, one per client)",
        endpoints=[
            {
                "specification": SPEC,
                "url": base,
                "changeset": "2026-12-04T00:00:00+00:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    )
    if fmt == "json":
        return Response(found.model_dump_json(), media_type="application/json")
    top = ET.Element("discovery")
    for key in ("changeset", "contact", "key_service"):
        value = getattr(found, key)
        ET.SubElement(top, key).text = value.isoformat() if isinstance(value, datetime) else value
    endpoints = ET.SubElement(top, "endpoints")
    for endpoint in found.endpoints:
        element = ET.SubElement(endpoints, "endpoint")
        for key, value in endpoint.items():
            child = ET.SubElement(element, key)
            if isinstance(value, list):
                for part in value:
                    ET.SubElement(child, "format").text = part
            else:
                child.text = value
    return Response(ET.tostring(top, encoding="unicode"), media_type="text/xml; charset=utf-8")


def _service(context: Context, code: str) -> ServiceOut:
    matter = context.reference.matter_types[code]
    domain = context.reference.domains[context.reference.domain_of[code]]
    return ServiceOut(
        service_code=code,
        service_name=matter.name,
        description=matter.name_en,
        metadata=False,
        type="realtime",
        keywords=", ".join(matter.keywords),
        group=domain.name,
    )


@router.get("/services.{fmt}", response_class=Response, responses=_answers(list[ServiceOut]))
async def services(fmt: str, context: Context, jurisdiction_id: str | None = None) -> Response:
    """The services: the responsibility catalogue's matter types, grouped by domain."""
    fmt = _format(fmt)
    return _answer(fmt, "services", "service", [_service(context, code) for code in context.reference.matter_types])


@router.get("/services/{service_code}.{fmt}", response_class=Response, responses=_answers(ServiceDefinitionOut))
async def service_definition(
    service_code: str, fmt: str, context: Context, jurisdiction_id: str | None = None
) -> Response:
    """A service's definition: no extra attributes (every service has ``metadata`` false)."""
    fmt = _format(fmt)
    if service_code not in context.reference.matter_types:
        raise Open311Error(404, f"no service {service_code!r}; GET services.{fmt} lists them")
    definition = ServiceDefinitionOut(service_code=service_code, attributes=[])
    if fmt == "json":
        return Response(definition.model_dump_json(), media_type="application/json")
    top = ET.Element("service_definition")
    ET.SubElement(top, "service_code").text = service_code
    ET.SubElement(top, "attributes")
    return Response(ET.tostring(top, encoding="unicode"), media_type="text/xml; charset=utf-8")


FORM_FIELDS = {
    "api_key": {"type": "string"},
    "jurisdiction_id": {"type": "string"},
    "service_code": {"type": "string"},
    "lat": {"type": "number"},
    "long": {"type": "number"},
    "address_string": {"type": "string"},
    "address_id": {"type": "string"},
    "email": {"type": "string"},
    "device_id": {"type": "string"},
    "account_id": {"type": "string"},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "phone": {"type": "string"},
    "description": {"type": "string"},
    "media_url": {"type": "string"},
}


@router.post(
    "/requests.{fmt}",
    response_class=Response,
    responses=_answers(list[CreatedOut]),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": FORM_FIELDS, "required": ["api_key", "service_code"]}
                }
            },
        }
    },
)
async def create_request(
    fmt: str,
    request: Request,
    context: Context,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """A new service request, form-encoded as the spec says, with the client's ``api_key``. Taken in
    as a request of the ``open311`` channel (merged with the open case of the same matter, like any
    other). The same post again (or the same ``Idempotency-Key``) answers the same request. No
    ``phone``: an anonymous request (no callback); the ``token`` answered looks it up."""
    fmt = _format(fmt)
    try:
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode(), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        raise Open311Error(400, "the body is not UTF-8 form data (application/x-www-form-urlencoded)") from None
    if any("\x00" in value for value in form.values()):
        raise Open311Error(400, "a field holds a NUL character")
    principal = await context.principal(form.get("api_key", "")) if form.get("api_key") else None
    if principal is None or principal.role is not Role.intake:
        raise Open311Error(403, "send the api_key the centre gave your client")
    new = _new_request(context, form, principal.key_id, idempotency_key)
    submitted = await submit_request(
        context.db, context.cases, context.settings, new, principal.key_id, datetime.now(UTC)
    )
    created = CreatedOut(
        service_request_id=submitted.request_id,
        token=submitted.lookup_token,
        service_notice="已受理 received; look it up with GET requests/{id} or tokens/{token}",
        account_id=form.get("account_id") or None,
    )
    return _answer(fmt, "service_requests", "request", [created])


def _new_request(context: Context, form: dict[str, str], key_id: str, token: str | None) -> NewRequest:
    code = form.get("service_code", "")
    if code not in context.reference.matter_types:
        raise Open311Error(400, f"service_code: no service {code!r}; GET services lists them")
    if not form.get("description", "").strip():
        raise Open311Error(400, "description: say what is wrong (Minsheng needs the citizen's words)")
    location = None
    if form.get("lat") or form.get("long"):
        try:
            location = Location(lat=float(form["lat"]), lon=float(form["long"]))
        except (KeyError, ValueError, ValidationError):
            raise Open311Error(400, "lat and long: send both, as decimal degrees") from None
    address = form.get("address_string", "").strip() or (f"{location.lat},{location.lon}" if location else "")
    if not address:
        raise Open311Error(400, "address_string or lat and long: say where it is")
    name = " ".join(p for p in (form.get("first_name", "").strip(), form.get("last_name", "").strip()) if p)
    phone = form.get("phone", "").strip()
    # The client's token, or else the post itself: a retried post is the same request.
    fingerprint = (
        token or hashlib.sha256(repr(sorted((k, v) for k, v in form.items() if k != "api_key")).encode()).hexdigest()
    )
    try:
        new = NewRequest(
            channel=OPEN311,
            channel_ref=f"{key_id}:{fingerprint}"[:128],
            citizen=Citizen(name=name or form.get("email") or "市民", phone=phone) if phone else None,
            content=form["description"][:4000],
            address=address[:256],
            location=location,
            category_hint=code,
            media_url=form.get("media_url", "").strip() or None,
        )
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = {"citizen": "phone"}.get(str(first["loc"][0]), str(first["loc"][0]))
        raise Open311Error(400, f"{field}: {first['msg']}") from None
    if problems := request_problems(new, context.reference, datetime.now(UTC)):
        raise Open311Error(400, "; ".join(f"{k}: {v}" for k, v in problems.items()))
    return new


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    if not W3C_DATE.match(value):
        raise Open311Error(400, f"{name}: a w3c date-time such as 2026-11-24T00:00:00Z")
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _listed(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _out(context: Context, found: ServiceRequest) -> ServiceRequestOut:
    request, case = found.request, found.case
    code = case.matter_type_code or request.category_hint  # the client's, until the case is classified
    answered = case.status in ("replied", "closed")
    unit = context.reference.units.get(case.unit_code or "")
    return ServiceRequestOut(
        service_request_id=request.id,
        status="closed" if case.status == "closed" else "open",
        status_notes=found.reply if answered else None,
        service_name=context.reference.matter_types[code].name if code in context.reference.matter_types else None,
        service_code=code,
        description=request.content,
        agency_responsible=unit.name if unit else None,
        service_notice=None,
        requested_datetime=request.received_at,
        updated_datetime=case.updated_at,
        expected_datetime=case.citizen_due_at,
        address=request.address,
        address_id=None,
        zipcode=None,
        lat=request.lat,
        long=request.lon,
        media_url=request.media_url,
    )


@router.get("/requests.{fmt}", response_class=Response, responses=_answers(list[ServiceRequestOut]))
async def list_requests(
    fmt: str,
    context: Context,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    jurisdiction_id: str | None = None,
) -> Response:
    """The requests taken in through Open311, the newest first (at most 1,000): by
    ``service_request_id`` (comma-separated; the other filters are then ignored), or by
    ``service_code``, ``status`` (open, closed) and ``start_date``/``end_date`` (by default the
    last 90 days, and no longer a range)."""
    fmt = _format(fmt)
    if ids := _listed(service_request_id):
        where = RequestFilter(ids=[i for i in ids if ID.match(i)])
    else:
        start, end = _when(start_date, "start_date"), _when(end_date, "end_date")
        end = end or ((start + timedelta(days=DEFAULT_DAYS)) if start else datetime.now(UTC))
        start = start or end - timedelta(days=DEFAULT_DAYS)
        if start > end or end - start > timedelta(days=DEFAULT_DAYS):
            raise Open311Error(400, "start_date to end_date: in order, and 90 days at most")
        statuses = set(_listed(status) or ["open", "closed"])
        if not statuses <= {"open", "closed"}:
            raise Open311Error(400, "status: open or closed (comma-separated)")
        codes = _listed(service_code)
        if unknown := sorted(set(codes or []) - context.reference.matter_types.keys()):
            raise Open311Error(400, f"service_code: no services {', '.join(unknown)}; GET services lists them")
        where = RequestFilter(
            service_codes=codes,
            start=start,
            end=end,
            closed=None if len(statuses) == 2 else statuses == {"closed"},
        )
    async with context.db.session() as session:
        found = await open311.service_requests(session, where, MOST)
    return _answer(fmt, "service_requests", "request", [_out(context, f) for f in found])


@router.get(
    "/requests/{service_request_id}.{fmt}", response_class=Response, responses=_answers(list[ServiceRequestOut])
)
async def get_request(
    service_request_id: str, fmt: str, context: Context, jurisdiction_id: str | None = None
) -> Response:
    """One request taken in through Open311, in a list of one (as the spec has it)."""
    fmt = _format(fmt)
    found = []
    if ID.match(service_request_id):
        async with context.db.session() as session:
            found = await open311.service_requests(session, RequestFilter(ids=[service_request_id]), 1)
    if not found:
        raise Open311Error(404, f"no Open311 request {service_request_id!r}")
    return _answer(fmt, "service_requests", "request", [_out(context, found[0])])


@router.get("/tokens/{token}.{fmt}", response_class=Response, responses=_answers(list[TokenOut]))
async def token(token: str, fmt: str, context: Context, jurisdiction_id: str | None = None) -> Response:
    """The request a token (answered by POST requests) stands for."""
    fmt = _format(fmt)
    found = None
    if ID.match(token):
        async with context.db.session() as session:
            found = await open311.request_of_token(session, token)
    if found is None:
        raise Open311Error(404, f"no request for token {token!r}")
    return _answer(fmt, "service_requests", "request", [TokenOut(service_request_id=found.id, token=token)])
