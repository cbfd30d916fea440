"""Schemathesis over every operation of the OpenAPI document, with each role's key: no answer is a
5xx, and every answer is one the document promises (its status, its content type, its body).

The examples are few and derandomised, so a run is the same run every time and stays short; the
generated requests go over HTTP to the stack's API, on SQLite and on PostgreSQL (which refuses
what SQLite takes, e.g. a NUL in text)."""

from __future__ import annotations

import asyncio

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from api.app import create_app
from minsheng.settings import Settings
from tests.helpers import Stack, body

# Every operation × two modes × six roles: about a minute alone on two cores, twice that beside a
# second test process; the bound is for a hang, not a speed check.
pytestmark = pytest.mark.timeout(300)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ("intake", "dispatcher", "hrss", "agent", "auditor", "leader")
"""The stack's keys, one of each role; ``hrss`` is the unit the fuzzed case is dispatched to."""
EXAMPLES = 3
"""Per operation, role and mode (valid and invalid input): enough to reach every status an
operation answers, few enough for the suite."""
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,  # the module's timeout bounds it; a per-example deadline would only flake
    suppress_health_check=list(hypothesis.HealthCheck),
)


def _fuzz(schema: OpenApiSchema, base_url: str, key: dict[str, str], case_id: str) -> list[str]:
    """Every operation, valid and invalid input; the failures found, each with its curl command."""
    failures = []
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            # A real case, so that actions reach the case's rules rather than stop at a 404.
            path = {"case_id": case_id} if "{case_id}" in operation.path else None
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @SETTINGS
                @hypothesis.given(case=operation.as_strategy(mode, headers=key, path_parameters=path))
                def call(case: schemathesis.Case) -> None:
                    case.call_and_validate(base_url=base_url, headers=key, checks=CHECKS, session=session)

                try:
                    call()
                except Unsatisfiable:
                    pass  # nothing invalid to send (no parameters, or only the fixed case id)
                # A check's failure, alone or grouped; anything else (the API unreachable) ends the test.
                except (AssertionError, BaseExceptionGroup) as failure:
                    failures.append(f"{operation.label} ({mode.value} input): {failure}")
    return failures


async def test_every_answer_is_a_documented_one(stack: Stack, settings: Settings) -> None:
    created = await stack.call("POST", "/v1/requests", "intake", json=body())
    case_id = created.json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    schema = schemathesis.openapi.from_dict(create_app(settings).openapi())
    failures = []
    for role in ROLES:
        # In a thread: the API answering it runs on this event loop.
        found = await asyncio.to_thread(_fuzz, schema, str(stack.http.base_url), stack.keys[role], case_id)
        failures += [f"[{role}] {f}" for f in found]
    assert not failures, "\n\n".join(failures)
