"""Connecting to Temporal with Minsheng's data converter and registering its search attributes."""

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

from workflows.attributes import ALL_KEYS


async def connect(address: str, namespace: str = "default") -> Client:
    return await Client.connect(address, namespace=namespace, data_converter=pydantic_data_converter)


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
        key.name: IndexedValueType.ValueType(key.indexed_value_type)
        for key in ALL_KEYS
        if key.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
