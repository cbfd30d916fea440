"""Minsheng on Temporal: the data converter (and the codec that encrypts payloads), the connection, the case workflows' ids and the search
attributes operators filter on in the Web UI (registered here)."""

import dataclasses
import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import TypeAdapter
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    PayloadCodec,
)
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

CASE_PREFIX = "case-"
"""A case's workflow id is its case id after this."""
CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
CASE_TIER = SearchAttributeKey.for_keyword("CaseTier")
CASE_UNIT = SearchAttributeKey.for_keyword("CaseUnit")
CASE_DOMAIN = SearchAttributeKey.for_keyword("CaseDomain")
CASE_CHANNEL = SearchAttributeKey.for_keyword("CaseChannel")
CASE_KIND = SearchAttributeKey.for_keyword("CaseKind")
"""The request kind: complaint, help, consultation, suggestion, praise."""
CASE_DEADLINE = SearchAttributeKey.for_datetime("CaseDeadline")
CASE_CITIZEN_DEADLINE = SearchAttributeKey.for_datetime("CaseCitizenDeadline")
"""The citizen's deadline, from receipt (``CaseDeadline`` is the unit's, from its dispatch)."""
CASE_OVERDUE = SearchAttributeKey.for_bool("CaseOverdue")
CASE_WAITING_ON = SearchAttributeKey.for_keyword_list("CaseWaitingOn")
"""Units summoned by a whistle that have not responded yet."""

ALL_KEYS = (
    CASE_STATUS,
    CASE_TIER,
    CASE_UNIT,
    CASE_DOMAIN,
    CASE_CHANNEL,
    CASE_KIND,
    CASE_DEADLINE,
    CASE_CITIZEN_DEADLINE,
    CASE_OVERDUE,
    CASE_WAITING_ON,
)


def case_workflow_id(case_id: str) -> str:
    return f"{CASE_PREFIX}{case_id}"


def case_id_of(workflow_id: str) -> str | None:
    """The case a workflow id names, or None for another workflow (a ranking, an assessment)."""
    return workflow_id.removeprefix(CASE_PREFIX) if workflow_id.startswith(CASE_PREFIX) else None


_adapter = functools.lru_cache(maxsize=256)(TypeAdapter)


class _SharedAdapters(PydanticJSONPlainPayloadConverter):
    """One pydantic adapter per payload type for the whole process. The SDK builds a new payload
    converter for every workflow it runs in the sandbox, so the stock converter's own cache starts
    empty for each case: building the case input's adapter again took a tenth of a worker's CPU
    (py-spy). The types are the passed-through ones of ``domain``, the same objects in every
    sandbox, so they hit."""

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        hint = Any if type_hint is None else type_hint
        try:
            adapter = _adapter(hint)
        except TypeError:  # an unhashable hint
            adapter = TypeAdapter(hint)
        return adapter.validate_json(payload.data)


class PayloadConverter(CompositePayloadConverter):
    """``pydantic_data_converter``'s converters, with the process-wide adapters for JSON."""

    def __init__(self) -> None:
        super().__init__(
            *(
                _SharedAdapters() if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


DATA_CONVERTER = DataConverter(payload_converter_class=PayloadConverter)
"""Without encryption: for tests and tools that read histories in clear (and for no keys set)."""

ENCRYPTED = b"binary/encrypted"
"""The ``encoding`` of a payload sealed by ``EncryptionCodec``."""
KEY_ID = "encryption-key-id"


class UnknownPayloadKey(ValueError):
    pass


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM on every payload Minsheng puts in Temporal (inputs, results, signals, updates,
    queries, memos): the whole serialised payload (metadata and data) is sealed with the active
    key, a fresh 96-bit nonce before it, and the key's id in the clear metadata, so that rotation
    keeps old histories readable: several keys, one active, the others only decrypt. A payload
    without the encrypted encoding (histories from before, the recorded test histories) passes
    through as it is."""

    def __init__(self, keys: dict[str, bytes], active: str) -> None:
        if active not in keys:
            raise UnknownPayloadKey(f"the active payload key {active!r} is not among the keys {sorted(keys)}")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._active = active

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher, out = self._ciphers[self._active], []
        for payload in payloads:
            nonce = os.urandom(12)
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), self._active.encode())
            out.append(Payload(metadata={"encoding": ENCRYPTED, KEY_ID: self._active.encode()}, data=nonce + sealed))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCRYPTED:
                out.append(payload)
                continue
            key_id = payload.metadata.get(KEY_ID, b"").decode()
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise UnknownPayloadKey(f"a payload sealed with key {key_id!r}, which is not configured")
            opened = cipher.decrypt(payload.data[:12], payload.data[12:], key_id.encode())
            out.append(Payload.FromString(opened))
        return out


@dataclass(frozen=True)
class PayloadKeys:
    """The payload keys (32 bytes each) by id, and the id of the one that seals new payloads."""

    keys: tuple[tuple[str, bytes], ...]
    active: str

    def codec(self) -> EncryptionCodec:
        return EncryptionCodec(dict(self.keys), self.active)


def data_converter(keys: PayloadKeys | None) -> DataConverter:
    """Minsheng's converter, sealing payloads when keys are set."""
    if keys is None:
        return DATA_CONVERTER
    return dataclasses.replace(DATA_CONVERTER, payload_codec=keys.codec())


@dataclass(frozen=True)
class TemporalAccess:
    """How to reach a Temporal frontend beyond the dev server's plain loopback: TLS (with the
    server's CA and name where they are not the system's), mTLS (a client certificate and key), or
    an API key (Temporal Cloud), each read from the files at connection."""

    tls: bool = False
    server_ca: Path | None = None
    server_name: str | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    api_key: str | None = None
    payload_keys: PayloadKeys | None = None
    """Not access to the server but to what it holds: the keys that seal and open payloads."""

    @property
    def data_converter(self) -> DataConverter:
        return data_converter(self.payload_keys)

    def tls_config(self) -> TLSConfig | bool:
        if not (self.tls or self.server_ca or self.client_cert):
            return False
        return TLSConfig(
            server_root_ca_cert=self.server_ca.read_bytes() if self.server_ca else None,
            domain=self.server_name,
            client_cert=self.client_cert.read_bytes() if self.client_cert else None,
            client_private_key=self.client_key.read_bytes() if self.client_key else None,
        )


async def connect(address: str, namespace: str = "default", access: TemporalAccess = TemporalAccess()) -> Client:
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=access.data_converter,
        tls=access.tls_config(),
        api_key=access.api_key,
    )


async def ensure_search_attributes(client: Client, namespace: str = "default") -> None:
    """Register the case search attributes that are missing (idempotent)."""
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        known = set(existing.custom_attributes)
    except RPCError as exc:
        # The time-skipping test server cannot list them, only add.
        if exc.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        known = set()
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type) for key in ALL_KEYS if key.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
