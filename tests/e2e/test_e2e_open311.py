"""Open311 GeoReport v2 end to end, in JSON and in XML: an existing client library (georeport)
reads the services and the requests; a request is posted form-encoded as the spec says (that
library does not post), once, however often it is sent; its status follows the case."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import httpx
import pytest
from georeport import GeoReport

from domain.case import Role
from persistence.db import Database
from tests.helpers import Stack, eventually, make_key

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_services_then_a_posted_request_then_its_status(stack: Stack, db: Database, fmt: str) -> None:
    _, api_key = await make_key(db, Role.intake)
    root = f"{str(stack.http.base_url).rstrip('/')}/open311/v2"
    client = GeoReport(root, api_key=api_key, output_format=fmt)

    services = await asyncio.to_thread(client.get_service_list)
    codes = {s["service_code"] for s in services}
    assert "wage_arrears" in codes and len(codes) == 85
    definition = await asyncio.to_thread(client.get_service_definition, "wage_arrears")
    assert definition["service_code"] == "wage_arrears"

    form = {
        "api_key": api_key,
        "service_code": "wage_arrears",
        "description": f"公司拖欠工资三个月不发，老板联系不上（{fmt}）",
        "address_string": "崖头街道成山大道100号",
        "lat": "37.165",
        "long": "122.486",
        "first_name": "五",
        "last_name": "王",
        "phone": "13700000000",
    }
    posted = await stack.http.post(f"/open311/v2/requests.{fmt}", data=form)
    assert posted.status_code == 200, posted.text
    created = _items(posted, fmt, "request")[0]
    again = _items(await stack.http.post(f"/open311/v2/requests.{fmt}", data=form), fmt, "request")[0]
    assert again["service_request_id"] == created["service_request_id"]  # a retried post is the same request

    request_id = created["service_request_id"]
    one = await asyncio.to_thread(client.get_service_request, request_id)
    assert one["service_request_id"] == request_id and one["status"] == "open"
    assert one["service_code"] == "wage_arrears"

    async def dispatched() -> bool:
        return bool((await asyncio.to_thread(client.get_service_request, request_id))["agency_responsible"])

    await eventually(dispatched)  # the unit responsible, once the case is dispatched
    listed = await asyncio.to_thread(client.get_service_requests, service_code="wage_arrears", status="open")
    listed = listed if isinstance(listed, list) else [listed]  # XML: one request comes back alone
    assert request_id in {r["service_request_id"] for r in listed}
    token = _items(await stack.http.get(f"/open311/v2/tokens/{created['token']}.{fmt}"), fmt, "request")[0]
    assert token["service_request_id"] == request_id


async def test_errors_come_in_the_specs_shape(stack: Stack, db: Database) -> None:
    _, api_key = await make_key(db, Role.intake)
    no_key = await stack.http.post("/open311/v2/requests.json", data={"service_code": "wage_arrears"})
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403
    bad = await stack.http.post("/open311/v2/requests.xml", data={"api_key": api_key, "service_code": "nope"})
    error = ET.fromstring(bad.text).find("error")
    assert bad.status_code == 400 and error is not None and error.findtext("code") == "400"
    assert "service_code" in (error.findtext("description") or "")
    missing = await stack.http.get("/open311/v2/requests/R-none.json")
    assert missing.status_code == 404 and missing.json() == [
        {"code": 404, "description": "no Open311 request 'R-none'"}
    ]
    dates = await stack.http.get("/open311/v2/requests.json", params={"start_date": "yesterday"})
    assert dates.status_code == 400 and "start_date" in dates.json()[0]["description"]
    assert (await stack.http.get("/open311/v2/services.csv")).status_code == 400
    discovery = (await stack.http.get("/open311/v2/discovery.json")).json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"


def _items(answer: httpx.Response, fmt: str, tag: str) -> list[dict[str, str]]:
    if fmt == "json":
        return answer.json()
    return [{child.tag: child.text or "" for child in item} for item in ET.fromstring(answer.text).iter(tag)]
