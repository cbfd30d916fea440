"""A day of cases for the new rates (response, resolution, the citizen's on-time, first-contact
resolution), per unit, town, domain and the city; the figures are worked out in the tests."""

from __future__ import annotations

from datetime import timedelta

from persistence.models import CallbackRow, CaseEventRow, CaseRow, RequestRow, SlipRow
from tests.scenarios.ranking import DAY, at


def _case(case_id: str, unit: str | None, town: str, domain: str, **fields: object) -> CaseRow:
    closed: dict[str, object] = {
        "status": "closed",
        "kind": "complaint",
        "replied_at": at(DAY, 11),
        "closed_at": at(DAY, 16),
        "callback_round": 1,
    }
    return CaseRow(
        id=case_id,
        channel="hotline_12345",
        tier="yellow",
        unit_code=unit,
        town_code=town,
        domain_code=domain,
        received_at=at(DAY - timedelta(days=2)),
        updated_at=at(DAY),
        **(closed | fields),  # type: ignore[arg-type]
    )


def _request(case_id: str) -> RequestRow:
    return RequestRow(
        id=f"R{case_id}",
        case_id=case_id,
        channel="hotline_12345",
        channel_ref=f"R{case_id}",
        citizen_name="张三",
        citizen_phone="13800000000",
        content="拖欠工资",
        address="崖头街道",
        received_at=at(DAY - timedelta(days=2)),
        intake_key_id="k_test",
    )


def _answer(case_id: str, answer: str, resolution: str, round_: int = 1) -> CallbackRow:
    return CallbackRow(
        case_id=case_id,
        request_id=f"R{case_id}",
        round=round_,
        attempt=1,
        status="answered",
        answer=answer,
        resolution=resolution,
        final=True,
        created_at=at(DAY),
        answered_at=at(DAY, 15),
    )


def _accepted(case_id: str, unit: str) -> CaseEventRow:
    return CaseEventRow(
        case_id=case_id, seq=3, at=at(DAY, 9), kind="accepted", status="accepted", actor_role="unit", actor_unit=unit
    )


def _acceptance_slip(case_id: str, unit: str) -> SlipRow:
    return SlipRow(
        case_id=case_id,
        unit_code=unit,
        round=1,
        kind="reminder",
        trigger="acceptance",
        reason="not accepted within the acceptance limit",
        issued_at=at(DAY, 8),
    )


def rate_rows() -> list[object]:
    cases = [
        # yatou, in time, solved at once.
        _case("K1", "yatou", "yatou", "labour", citizen_on_time=True, resolved_first_time=True),
        # yatou, signed after its acceptance slip, late on the citizen's clock, reopened once.
        _case(
            "K2",
            "yatou",
            "yatou",
            "labour",
            citizen_on_time=False,
            resolved_first_time=False,
            reopened=1,
            callback_round=2,
        ),
        # chengxi, in time, solved.
        _case("K3", "chengxi", "chengxi", "urban_rural_construction", citizen_on_time=True, resolved_first_time=True),
        # The centre answered it on the call: no unit, a yatou citizen.
        _case("K4", None, "yatou", "labour", citizen_on_time=True, resolved_first_time=True, first_contact=True),
        # A suggestion forwarded to yatou: in no rate.
        _case("K5", "yatou", "yatou", "labour", kind="suggestion", replied_at=None, resolved_first_time=None),
        # chengxi never signed it: its acceptance slip went out on the day.
        _case(
            "K6",
            "chengxi",
            "chengxi",
            "urban_rural_construction",
            status="dispatched",
            replied_at=None,
            closed_at=None,
            callback_round=0,
        ),
    ]
    callbacks = [
        _answer("K1", "satisfied", "solved"),
        _answer("K2", "dissatisfied", "not_solved"),  # round 1: reopened the case, superseded
        _answer("K2", "satisfied", "partly_solved", round_=2),
        _answer("K3", "basically_satisfied", "solved"),
        _answer("K4", "satisfied", "solved"),
    ]
    events = [_accepted("K1", "yatou"), _accepted("K2", "yatou"), _accepted("K3", "chengxi")]
    slips = [_acceptance_slip("K2", "yatou"), _acceptance_slip("K6", "chengxi")]
    return [*cases, *(_request(c.id) for c in cases), *callbacks, *events, *slips]
