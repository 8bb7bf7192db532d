"""Stores, key managers and clocks written in Python."""

from __future__ import annotations

import sys
from typing import List, Optional, Tuple

import pytest

import credcycle
from credcycle import StoreOp

from .conftest import FakeClock, HmacKeyManager, MemStore


def test_python_store_passes_the_conformance_scenarios() -> None:
    made: List[MemStore] = []

    def fresh() -> MemStore:
        made.append(MemStore())
        return made[-1]

    results = credcycle.store_conformance(fresh)
    failed = [(r.name, r.message) for r in results if not r.passed]
    assert failed == []
    assert len(results) == 20 and len(made) == 20
    names = {r.name for r in results}
    assert "concurrent_cas_one_winner_per_round" in names


class LazyStore(MemStore):
    """Broken on purpose: commit accepts everything and writes nothing."""

    def commit(self, ops: List[StoreOp]) -> None:
        return None


def test_conformance_catches_a_broken_store() -> None:
    results = credcycle.store_conformance(LazyStore, only=["put_absent_creates_version_1"])
    assert [(r.name, r.passed) for r in results] == [("put_absent_creates_version_1", False)]
    assert results[0].message


def test_engine_on_python_store_and_key_manager() -> None:
    store, km, clock = MemStore(), HmacKeyManager(), FakeClock()
    e = credcycle.Engine.open(store=store, key_manager=km, clock=clock)
    s = e.secrets("shop")
    s.create("db", value=b"hunter2")
    assert s.get_value("db").value == b"hunter2"
    assert km.calls["wrap"] >= 1 and km.calls["unwrap"] >= 1
    assert any(table == 1 for (table, _k) in store.rows)  # secret metadata in our store
    # Rotation in the Python key manager; old versions keep decrypting.
    assert e.kms().rotate_key("default").primary_version == 2
    s.put_value("db", b"second")
    assert s.rewrap("db").rewrapped == 1
    assert s.get_value("db", version="v1").value == b"hunter2"
    assert e.audit("shop").events("secret:db").chain_valid
    # Errors raised by the key manager keep their codes.
    with pytest.raises(credcycle.Conflict) as c:
        e.kms().create_key("default")
    assert c.value.code == 1206
    with pytest.raises(credcycle.NotFound) as nf:
        e.kms().rotate_key("nope")
    assert nf.value.code == 1201
    with pytest.raises(credcycle.InvalidInput) as p:
        e.kms().sign("default", b"m")
    assert p.value.code == 1203
    e.kms().schedule_key_deletion("default")
    with pytest.raises(credcycle.InvalidState):
        s.get_value("db")
    e.kms().enable_key("default")
    assert s.get_value("db").value == b"second"


class ExplodingStore(MemStore):
    def get(self, table: int, key: bytes) -> Optional[Tuple[bytes, int]]:
        raise RuntimeError("disk on fire")


class WrongTypeStore(MemStore):
    def get(self, table: int, key: bytes) -> Optional[Tuple[bytes, int]]:
        return "nope"  # type: ignore[return-value]


def test_store_exceptions_surface_as_backend_errors_with_their_message() -> None:
    e = credcycle.Engine.open(store=ExplodingStore(), key_manager=HmacKeyManager())
    with pytest.raises(credcycle.StoreError) as err:
        e.secrets("t").get("x")
    assert err.value.code == 1101
    assert "RuntimeError: disk on fire" in err.value.message
    e2 = credcycle.Engine.open(store=WrongTypeStore(), key_manager=HmacKeyManager())
    with pytest.raises(credcycle.StoreError) as bad:
        e2.secrets("t").get("x")
    assert "Store.get must return None or (bytes, int)" in bad.value.message


def test_python_store_with_local_key_manager() -> None:
    store = MemStore()
    e = credcycle.Engine.open(store=store, root_key=bytes(32))
    e.secrets("t").create("a", value=b"v")
    again = credcycle.Engine.open(store=store, root_key=bytes(32))
    assert again.secrets("t").get_value("a").value == b"v"
    assert any(table == 3 for (table, _k) in store.rows)  # sealed keys live in the store


def test_a_failing_clock_is_reported_and_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> int:
        raise ValueError("no time")

    reported: List[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))
    e = credcycle.Engine.memory(clock=broken)
    info = e.secrets("t").create("a")
    assert info.create_time > 1_600_000_000  # the system time stood in
    assert reported and isinstance(reported[0], ValueError)


WRAP_SCENARIOS = [
    "create_twice_is_already_exists",
    "wrap_unwrap_round_trip_bound_to_aad",
    "rotation_keeps_old_versions_readable",
    "states_refuse_and_allow",
]


def test_python_key_manager_passes_the_kms_conformance_scenarios() -> None:
    results = credcycle.kms_conformance(HmacKeyManager, only=WRAP_SCENARIOS)
    assert [r.name for r in results] == WRAP_SCENARIOS
    assert all(r.passed for r in results), [(r.name, r.message) for r in results if not r.passed]
    # This test key manager only wraps: the signing scenarios fail, with
    # the reason.
    every = {r.name: r for r in credcycle.kms_conformance(HmacKeyManager)}
    assert len(every) == 7
    assert not every["signatures_verify_with_the_public_key"].passed
    assert "only wraps" in every["signatures_verify_with_the_public_key"].message


class AadBlindKeyManager(HmacKeyManager):
    """Broken on purpose: the AAD is not bound to the wrapped key."""

    def wrap(self, id: str, dek: bytes, aad: bytes) -> Tuple[str, int, bytes]:
        return super().wrap(id, dek, b"")

    def unwrap(self, key_id: str, key_version: int, ciphertext: bytes, aad: bytes) -> bytes:
        return super().unwrap(key_id, key_version, ciphertext, b"")


def test_kms_conformance_catches_a_broken_key_manager() -> None:
    results = credcycle.kms_conformance(AadBlindKeyManager, only=WRAP_SCENARIOS)
    failed = [r.name for r in results if not r.passed]
    assert failed == ["wrap_unwrap_round_trip_bound_to_aad"]
    raised = credcycle.kms_conformance(lambda: 1 / 0, only=WRAP_SCENARIOS[:1])  # type: ignore[arg-type, return-value]
    assert not raised[0].passed and "ZeroDivisionError" in raised[0].message
