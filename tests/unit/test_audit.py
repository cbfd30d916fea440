"""The hash chain's rules (domain/audit.py) and the masked phone, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from domain.audit import GENESIS, ChainEntry, anchor_root, canonical, chain_hashes, verify_chain
from domain.request import masked_phone

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def chain(n: int) -> list[ChainEntry]:
    contents = [
        {"seq": i, "at": T0 + timedelta(minutes=i), "kind": "step", "detail": {"n": str(i)}} for i in range(1, n + 1)
    ]
    return [
        ChainEntry(i, c, p, h) for i, (c, (p, h)) in enumerate(zip(contents, chain_hashes(contents), strict=True), 1)
    ]


def test_an_untouched_chain_verifies() -> None:
    assert verify_chain("case C", chain(5)) == []
    assert chain(1)[0].prev_hash == GENESIS


def test_an_edit_a_deletion_and_an_insertion_are_each_named_by_position() -> None:
    edited = chain(5)
    edited[2] = ChainEntry(3, edited[2].content | {"kind": "stEp"}, edited[2].prev_hash, edited[2].hash)
    assert [str(f) for f in verify_chain("case C", edited)] == [
        "case C #3: its content does not match its hash (edited?)"
    ]
    deleted = [e for e in chain(5) if e.position != 3]
    assert [str(f) for f in verify_chain("case C", deleted)] == [
        "case C #4: entries 3–3 are missing (deleted?)",
        "case C #4: does not follow the entry before it (inserted or reordered?)",
    ]
    good = chain(3)
    inserted = [*good, ChainEntry(4, {"kind": "forged"}, GENESIS, GENESIS)]
    assert [str(f) for f in verify_chain("case C", inserted)] == [
        "case C #4: does not follow the entry before it (inserted or reordered?)",
        "case C #4: its content does not match its hash (edited?)",
    ]


def test_the_hash_does_not_depend_on_key_order_or_the_time_zone_written() -> None:
    shanghai = timezone(timedelta(hours=8))
    assert canonical({"b": 1, "at": T0}) == canonical({"at": T0.astimezone(shanghai), "b": 1})
    heads = {"case:A": (3, "x"), "case:B": (1, "y")}
    assert anchor_root(GENESIS, heads) == anchor_root(GENESIS, dict(reversed(heads.items())))
    assert anchor_root(GENESIS, heads) != anchor_root(GENESIS, heads | {"case:A": (3, "z")})


def test_a_phone_is_masked_to_its_first_three_and_last_four_digits() -> None:
    assert masked_phone("13800001234") == "138****1234"
    assert masked_phone("+86 138-0000-1234") == "861******1234"
    assert masked_phone("12345") == "*****"
