"""Connecting to Temporal with Minsheng's data converter and registering its search attributes."""

import functools
from typing import Any

from pydantic import TypeAdapter
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)
from temporalio.service import RPCError, RPCStatusCode

from workflows.attributes import ALL_KEYS

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


async def connect(address: str, namespace: str = "default") -> Client:
    return await Client.connect(address, namespace=namespace, data_converter=DATA_CONVERTER)


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
