"""The secrets domain, every operation, through the binding."""

from __future__ import annotations

import pytest

import credcycle

from .conftest import T0, FakeClock


def test_create_read_update_versions(engine: credcycle.Engine, secrets: credcycle.Secrets) -> None:
    engine.kms().create_key("k2")
    info = secrets.create("db", value=b"hunter2", description="orders DB")
    assert (info.name, info.state, info.description, info.kms_key_id) == ("db", "ENABLED", "orders DB", "default")
    assert info.create_time == T0 and info.scheduled_delete_time is None
    v1 = info.versions[0]
    assert (v1.number, v1.id, v1.labels, v1.kms_key_version) == (1, "v1", ["CURRENT"], 1)

    secrets.update("db", kms_key_id="k2")
    assert secrets.put_value("db", b"second", idempotency_token="t-1") == 2
    assert secrets.put_value("db", b"second", idempotency_token="t-1") == 2
    with pytest.raises(credcycle.Conflict) as err:
        secrets.put_value("db", b"other", idempotency_token="t-1")
    assert err.value.code == 1302
    meta = secrets.get("db")
    assert [v.kms_key_id for v in meta.versions] == ["default", "k2"]
    assert meta.versions[0].labels == ["PREVIOUS"]
    assert secrets.get_value("db", version="v1").value == b"hunter2"
    assert secrets.get_value("db", version="PREVIOUS").version == 1
    assert secrets.get_value("db").value == b"second"
    with pytest.raises(credcycle.InvalidInput):
        secrets.get_value("db", version="bogus")
    with pytest.raises(credcycle.NotFound):
        secrets.get_value("db", version="v9")
    secrets.update("db", description="new")
    assert secrets.get("db").description == "new"
    with pytest.raises(credcycle.InvalidInput):
        secrets.update("db")


def test_values_are_bytes_and_generated(secrets: credcycle.Secrets) -> None:
    secrets.create("g", generate=32)
    v = secrets.get_value("g")
    assert isinstance(v.value, bytes) and len(v.value) == 32
    secrets.put_value("g", generate=16)
    assert len(secrets.get_value("g").value) == 16
    secrets.put_value("g", b"\x00\xff binary \x00")
    assert secrets.get_value("g").value == b"\x00\xff binary \x00"
    with pytest.raises(ValueError):
        secrets.put_value("g")
    with pytest.raises(ValueError):
        secrets.create("h", value=b"x", generate=3)
    with pytest.raises(credcycle.InvalidInput):
        secrets.put_value("g", generate=5000)


def test_two_phase_rotation(secrets: credcycle.Secrets) -> None:
    secrets.create("db", value=b"v1")
    assert secrets.begin_rotation("db", b"next") == 2
    with pytest.raises(credcycle.Conflict) as err:
        secrets.begin_rotation("db", generate=8)
    assert err.value.code == 1301
    assert secrets.get_value("db", version="PENDING").value == b"next"
    assert secrets.get_value("db").value == b"v1"
    secrets.cancel_rotation("db")
    with pytest.raises(credcycle.NotFound):
        secrets.get_value("db", version="PENDING")
    secrets.begin_rotation("db", b"next")
    info = secrets.finish_rotation("db")
    current = [v for v in info.versions if "CURRENT" in v.labels]
    assert secrets.get_value("db").value == b"next" and current[0].number == 3


def test_states(secrets: credcycle.Secrets) -> None:
    secrets.create("db", value=b"x")
    assert secrets.disable("db").state == "DISABLED"
    with pytest.raises(credcycle.InvalidState):
        secrets.get_value("db")
    with pytest.raises(credcycle.InvalidState):
        secrets.disable("db")
    assert secrets.enable("db").state == "ENABLED"
    assert secrets.freeze("db").state == "FROZEN"
    with pytest.raises(credcycle.InvalidState):
        secrets.put_value("db", b"y")
    assert secrets.unfreeze("db").state == "ENABLED"


def test_list_and_pages(secrets: credcycle.Secrets) -> None:
    for n in ["c", "a", "b"]:
        secrets.create(n)
    assert [s.name for s in secrets.list()] == ["a", "b", "c"]
    assert [s.name for s in secrets.list_page(limit=2)] == ["a", "b"]
    assert [s.name for s in secrets.list_page(after="b")] == ["c"]
    assert secrets.tenant == "shop"


def test_deletion_window_restore_and_purge(secrets: credcycle.Secrets, clock: FakeClock) -> None:
    secrets.create("a")
    secrets.create("b")
    with pytest.raises(credcycle.InvalidInput):
        secrets.schedule_delete("a", window_days=3)
    info = secrets.schedule_delete("a", window_days=7)
    assert info.state == "PENDING_DELETE" and info.scheduled_delete_time == T0 + 7 * 86400
    assert secrets.restore("a").state == "ENABLED"
    secrets.schedule_delete("a", window_days=7)
    secrets.schedule_delete("b")  # policy default: 30 days
    assert secrets.purge_due() == []
    clock.now += 8 * 86400
    assert secrets.purge_due() == ["a"]
    with pytest.raises(credcycle.NotFound):
        secrets.get("a")
    assert secrets.get("b").state == "PENDING_DELETE"


def test_rewrap(engine: credcycle.Engine, secrets: credcycle.Secrets) -> None:
    secrets.create("db", value=b"one")
    engine.kms().create_key("k2")
    secrets.update("db", kms_key_id="k2")
    secrets.put_value("db", b"two")
    r = secrets.rewrap("db")
    assert (r.rewrapped, r.unchanged) == (1, 1)
    assert all(v.kms_key_id == "k2" for v in secrets.get("db").versions)
    assert secrets.get_value("db", version="v1").value == b"one"
