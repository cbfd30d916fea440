"""The codec server for the Temporal Web UI (Temporal's codec server protocol): the UI posts the
payloads it shows or sends, and gets them back opened or sealed with Minsheng's payload keys.
Open only to the roles that read every case's contents (dispatcher, leader, auditor): anyone else
sees ciphertext in the UI, as in ``temporal workflow show``.

The UI sends the key it is configured with as ``Authorization: Bearer``; a UI that cannot send
headers (the dev server's) is given an endpoint with the key in its path, ``/codec/key/{key}``,
which ``CodecKeyInPath`` turns into the same call."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload

from api.context import Context, Principal, field_errors, require
from domain.case import Role
from minsheng.temporal import UnknownPayloadKey

router = APIRouter(prefix="/codec", tags=["codec"])
CONTENT_READERS = (Role.dispatcher, Role.leader, Role.auditor)
ContentReader = Annotated[Principal, require(*CONTENT_READERS)]
MAX_PAYLOADS = 1000


class PayloadJSON(BaseModel):
    """A payload in protobuf's JSON form: metadata values and data in base64."""

    model_config = ConfigDict(extra="forbid")
    metadata: dict[str, str] = {}
    data: str = ""


class Payloads(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payloads: list[PayloadJSON] = Field(max_length=MAX_PAYLOADS)


def _b64(value: str, where: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise field_errors({where: "not base64"}) from None


def _parse(body: Payloads) -> list[Payload]:
    return [
        Payload(
            metadata={k: _b64(v, f"payloads[{i}].metadata.{k}") for k, v in p.metadata.items()},
            data=_b64(p.data, f"payloads[{i}].data"),
        )
        for i, p in enumerate(body.payloads)
    ]


def _json(payloads: list[Payload]) -> Payloads:
    return Payloads(
        payloads=[
            PayloadJSON(
                metadata={k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                data=base64.b64encode(p.data).decode(),
            )
            for p in payloads
        ]
    )


@router.post("/encode", response_model=Payloads)
async def encode(body: Payloads, principal: ContentReader, context: Context) -> Payloads:
    """Seal payloads with the active payload key (what the UI sends: a signal's input, a start)."""
    codec = context.settings.temporal_access.data_converter.payload_codec
    payloads = _parse(body)
    return _json(await codec.encode(payloads) if codec else payloads)


@router.post("/decode", response_model=Payloads)
async def decode(body: Payloads, principal: ContentReader, context: Context) -> Payloads:
    """Open sealed payloads (those in clear, from before encryption, come back as they are)."""
    codec = context.settings.temporal_access.data_converter.payload_codec
    payloads = _parse(body)
    if codec is None:
        return _json(payloads)
    try:
        opened = await codec.decode(payloads)
    except UnknownPayloadKey as exc:
        raise field_errors({"payloads": str(exc)}) from None
    except (InvalidTag, ValueError):
        raise field_errors({"payloads": "a payload does not open with its key: altered, or not Minsheng's"}) from None
    await context.record_codec_read(principal, len(opened))
    return _json(opened)


_KEY_PATH = re.compile(r"^/codec/key/([^/]+)/(encode|decode)$")


class CodecKeyInPath:
    """``/codec/key/{key}/decode`` → ``/codec/decode`` with ``Authorization: Bearer {key}``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (match := _KEY_PATH.match(scope["path"])):
            headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
            headers.append((b"authorization", f"Bearer {match[1]}".encode()))
            path = f"/codec/{match[2]}"
            scope = dict(scope, path=path, raw_path=path.encode(), headers=headers)
        await self.app(scope, receive, send)
