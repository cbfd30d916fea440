"""Attachments end to end over HTTP, with the files in a local folder (on SQLite) and in an
S3-compatible store (moto's server, as no S3 server installs on these machines; on PostgreSQL): a
citizen's photo with GPS in its EXIF is stored without it and served to the unit the case is
dispatched to; the unit's proof with its reply; a summoned unit's with its response; bad uploads
refused, naming the problem."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from PIL import Image
from temporalio.testing import WorkflowEnvironment

from gateways.storage import ObjectStore, content_hash, object_store
from minsheng.settings import Settings
from minsheng.setup import migrate
from persistence.db import Database
from tests.helpers import GPS, ROOT, Stack, body, eventually, fresh_postgres, photo, s3_bucket, s3_settings
from tests.stacks import running_stack

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module", params=["local", "s3"])
async def files(
    request: pytest.FixtureRequest, dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Stack, ObjectStore]]:
    """One stack for the module's tests: its files in a folder with a SQLite database, or in a bucket
    of moto's server with a PostgreSQL one (the production pair)."""
    folder = tmp_path_factory.mktemp("attachments")
    async with AsyncExitStack() as stack:
        if request.param == "s3":
            database_url = await stack.enter_async_context(fresh_postgres())
        else:
            database_url = f"sqlite+aiosqlite:///{folder / 'minsheng.db'}"
        given: dict[str, Any] = {
            "database_url": database_url,
            "task_queue": f"test-{uuid.uuid4().hex[:8]}",
            "var_dir": folder,
        }
        if request.param == "s3":
            endpoint, bucket = request.getfixturevalue("s3_endpoint"), f"files-{uuid.uuid4().hex[:8]}"
            s3_bucket(endpoint, bucket)
            settings = s3_settings(endpoint, bucket, **given)
        else:
            settings = Settings(config_dir=ROOT / "config", **given)
        await migrate(settings)
        db = Database(settings.database_url)
        stack.push_async_callback(db.close)
        running = await stack.enter_async_context(running_stack(dev_env, db, settings))
        yield running, object_store(settings)


async def _upload(stack: Stack, path: str, as_: str, data: bytes, **params: str) -> Any:
    # The client's content type is a lie on purpose: the type comes from the bytes.
    headers = stack.keys[as_] | {"content-type": "text/plain"}
    return await stack.http.post(path, content=data, params=params, headers=headers)


async def _wage_case(stack: Stack, ref: str, files: list[str] | None = None) -> str:
    answer = await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref=ref, attachments=files or []))
    assert answer.status_code == 201, answer.text
    case_id: str = answer.json()["case_id"]
    await stack.case_when(case_id, "dispatched")  # to hrss_bureau
    return case_id


async def test_a_photo_with_gps_reaches_the_unit_without_it_and_units_add_theirs(
    files: tuple[Stack, ObjectStore],
) -> None:
    stack, store = files
    original = photo(width=1200, height=800)
    uploaded = await _upload(stack, "/v1/attachments", "intake", original, filename="C:\\DCIM\\IMG_0001.JPG")
    assert uploaded.status_code == 201, uploaded.text
    shot = uploaded.json()
    assert (shot["sniffed_type"], shot["filename"], shot["attached_to"]) == ("image/jpeg", "IMG_0001.jpg", None)
    again = await _upload(stack, "/v1/attachments", "intake", original)
    assert again.status_code == 200 and again.json()["id"] == shot["id"]  # a retried upload: the same file

    case_id = await _wage_case(stack, f"ATT-{uuid.uuid4().hex[:6]}", [shot["id"]])

    # What the store holds: the picture without its EXIF (no GPS, no device), hash as recorded.
    stored = await store.get(f"attachments/{shot['id']}")
    assert content_hash(stored) == shot["sha256"] and b"Huawei" not in stored and b"xmpmeta" not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert not kept.getexif() and GPS not in kept.getexif() and kept.size == (1200, 800)

    # Served to the unit the case is dispatched to, with its thumbnail; refused to another unit.
    url = f"/v1/cases/{case_id}/attachments/{shot['id']}"
    served = await stack.call("GET", url, "hrss")
    assert served.status_code == 200 and served.content == stored
    assert served.headers["content-type"] == "image/jpeg" and served.headers["x-content-sha256"] == shot["sha256"]
    thumbnail = await stack.call("GET", f"{url}/thumbnail", "hrss")
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumbnail.content)) as small:
        assert small.size == (320, 213) and not small.getexif()
    for path in (url, f"{url}/thumbnail", f"/v1/cases/{case_id}/attachments"):
        assert (await stack.call("GET", path, "yatou")).status_code == 403
    listed = (await stack.call("GET", f"/v1/cases/{case_id}/attachments", "hrss")).json()["items"]
    assert [(a["id"], a["attached_to"], a["uploaded_by"]["role"]) for a in listed] == [
        (shot["id"], "request", "intake")
    ]
    reads = (await stack.call("GET", f"/v1/cases/{case_id}/reads", "auditor")).json()["reads"]
    assert {f"attachment {shot['id']}", f"thumbnail {shot['id']}", "attachments"} <= {r["what"] for r in reads}

    # A summoned unit responds with its own photo, and sees the citizen's.
    assert (await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})).status_code == 200
    whistle = {"summonses": [{"unit": "public_security_bureau", "task": "约谈", "reason": "恶意欠薪"}]}
    assert (await stack.call("POST", f"/v1/cases/{case_id}/whistle", "hrss", json=whistle)).status_code == 202

    async def summoned() -> bool:
        return (await stack.call("GET", url, "police")).status_code == 200

    await eventually(summoned)
    visit = (await _upload(stack, f"/v1/cases/{case_id}/attachments", "police", photo(fmt="PNG"))).json()
    respond = {"summons_id": "W1", "report": "已约谈企业负责人", "attachments": [visit["id"]]}
    # A unit not on the case is refused before the ids are looked at: one answer, known id or not.
    for stranger in ([visit["id"]], ["A-none"]):
        for action, sent in (("respond", respond), ("reply", {"result": "已处理"})):
            refused = await stack.call(
                "POST", f"/v1/cases/{case_id}/{action}", "yatou", json=sent | {"attachments": stranger}
            )
            assert refused.status_code == 403 and "not assigned to your unit" in refused.json()["detail"]
    # The lead unit is on the case but not summoned: the summons refuses it, whatever it names.
    not_summoned = await stack.call("POST", f"/v1/cases/{case_id}/respond", "hrss", json=respond)
    assert not_summoned.status_code == 403, not_summoned.text
    assert (
        not_summoned.json()["detail"] == f"summons W1 of case {case_id} is for public_security_bureau, not hrss_bureau"
    )
    # Another case's file is not this case's.
    other = await _wage_case(stack, f"ATT-{uuid.uuid4().hex[:6]}")
    assert (await stack.call("POST", f"/v1/cases/{other}/accept", "hrss", json={})).status_code == 200
    elsewhere = await _upload(stack, f"/v1/cases/{other}/attachments", "hrss", photo())
    crossed = await stack.call(
        "POST", f"/v1/cases/{case_id}/respond", "police", json=respond | {"attachments": [elsewhere.json()["id"]]}
    )
    assert crossed.status_code == 422 and f"belongs to case {other}, not to case {case_id}" in crossed.text
    assert (await stack.call("POST", f"/v1/cases/{case_id}/respond", "police", json=respond)).status_code == 202

    # The unit's proof with its reply: a PDF for the centre only, and not the citizen's photo.
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
    proof = await _upload(
        stack, f"/v1/cases/{case_id}/attachments", "hrss", pdf, visibility="centre", filename="结案报告.pdf"
    )
    assert proof.status_code == 201, proof.text
    proof_id = proof.json()["id"]
    for wrong, why in (
        (shot["id"], "belongs to a request"),
        (visit["id"], "uploaded by another unit"),
        ("A-none", "no attachment A-none"),
    ):
        refused = await stack.call(
            "POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已支付", "attachments": [wrong]}
        )
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "attachments"]
        assert why in refused.json()["detail"][0]["msg"]
    replied = await stack.call(
        "POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已督促企业足额支付", "attachments": [proof_id]}
    )
    assert replied.status_code == 200, replied.text
    event = next(e for e in replied.json()["timeline"] if e["kind"] == "replied")
    assert json.loads(event["detail"]["attachments"]) == [{"id": proof_id, "sha256": proof.json()["sha256"]}]

    async def all_taken() -> bool:
        items = (await stack.call("GET", f"/v1/cases/{case_id}/attachments", "dispatcher")).json()["items"]
        return {(a["id"], a["attached_to"]) for a in items} == {
            (shot["id"], "request"),
            (visit["id"], "response"),
            (proof_id, "reply"),
        }

    await eventually(all_taken)
    assert (await stack.call("GET", f"/v1/cases/{case_id}/attachments/{proof_id}", "police")).status_code == 403
    police_sees = (await stack.call("GET", f"/v1/cases/{case_id}/attachments", "police")).json()["items"]
    assert proof_id not in [a["id"] for a in police_sees]
    document = await stack.call("GET", f"/v1/cases/{case_id}/attachments/{proof_id}", "dispatcher")
    assert document.content == pdf and document.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%E7%BB%93%E6%A1%88%E6%8A%A5%E5%91%8A.pdf" in document.headers["content-disposition"]
    no_thumbnail = await stack.call("GET", f"/v1/cases/{case_id}/attachments/{proof_id}/thumbnail", "dispatcher")
    assert no_thumbnail.status_code == 404 and "document" in no_thumbnail.json()["detail"]


async def test_bad_uploads_are_refused_naming_the_problem(files: tuple[Stack, ObjectStore]) -> None:
    stack, _ = files

    async def refused(data: bytes, path: str = "/v1/attachments", as_: str = "intake") -> tuple[int, str]:
        answer = await _upload(stack, path, as_, data)
        detail = answer.json()["detail"]
        return answer.status_code, detail if answer.status_code != 422 else detail[0]["msg"]

    assert await refused(b"") == (422, "the file is empty")
    status, why = await refused(b"GIF89a" + bytes(64))
    assert status == 415 and "image/gif, which is not allowed; allowed: image/jpeg" in why
    status, why = await refused(b"MZ\x90\x00" + bytes(64))
    assert status == 415 and "unknown content (first bytes 4d 5a 90 00" in why
    status, why = await refused(b"\xff\xd8\xff\xe0" + bytes(64))
    assert status == 422 and "starts as image/jpeg but cannot be read as one" in why
    status, why = await refused(b"\xff\xd8\xff\xe0" + bytes(16 * 1024 * 1024))
    assert status == 413 and "a image may be at most 15 MiB (15728640 bytes)" in why
    status, why = await refused(b"%PDF-" + bytes(21 * 1024 * 1024))
    assert status == 413 and "larger than 20971520 bytes" in why

    # A request naming files it may not: unknown, or too many.
    unknown = await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="ATT-BAD", attachments=["A-x"]))
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "attachments"]
    assert "no attachment A-x uploaded with this key" in unknown.json()["detail"][0]["msg"]
    many = await stack.call(
        "POST", "/v1/requests", "intake", json=body(channel_ref="ATT-BAD", attachments=[f"A{i}" for i in range(10)])
    )
    assert many.status_code == 422 and "at most 9 files with a request" in many.text

    # A unit uploads to its own cases only; an intake key to no case.
    case_id = await _wage_case(stack, f"ATT-{uuid.uuid4().hex[:6]}")
    assert (await refused(photo(), f"/v1/cases/{case_id}/attachments", "yatou"))[0] == 403
    assert (await refused(photo(), f"/v1/cases/{case_id}/attachments", "intake"))[0] == 403


async def test_an_open311_media_url_is_kept_as_a_link(files: tuple[Stack, ObjectStore]) -> None:
    stack, _ = files
    api_key = stack.keys["intake"]["Authorization"].removeprefix("Bearer ")
    form = {
        "api_key": api_key,
        "service_code": "wage_arrears",
        "description": "公司拖欠工资",
        "address_string": "崖头街道成山大道1号",
        "media_url": "https://fixmystreet.example/photo/1.jpeg",
    }
    created = (await stack.http.post("/open311/v2/requests.json", data=form)).json()[0]
    found = (await stack.http.get(f"/open311/v2/requests/{created['service_request_id']}.json")).json()[0]
    assert found["media_url"] == "https://fixmystreet.example/photo/1.jpeg"
    bad = await stack.http.post("/open311/v2/requests.json", data=form | {"media_url": "file:///etc/passwd"})
    assert bad.status_code == 400 and "media_url" in bad.json()[0]["description"]
