"""Engine construction, policy options, errors, client helpers."""

from __future__ import annotations

import pytest

import credcycle
from credcycle import exceptions

from .conftest import ROOT_KEY, MemStore


def test_open_sqlite_persists_and_checks_the_root_key(tmp_db: str) -> None:
    e = credcycle.Engine.open(path=tmp_db, root_key=ROOT_KEY)
    e.secrets("t").create("a", value=b"persisted")
    del e
    again = credcycle.Engine.open(path=tmp_db, root_key=ROOT_KEY)
    assert again.secrets("t").get_value("a").value == b"persisted"
    with pytest.raises(credcycle.VerificationFailed) as err:
        credcycle.Engine.open(path=tmp_db, root_key=bytes(32))
    assert err.value.code == 1207


def test_open_needs_a_store_and_a_key_manager() -> None:
    with pytest.raises(ValueError):
        credcycle.Engine.open(root_key=ROOT_KEY)
    with pytest.raises(ValueError):
        credcycle.Engine.open(path="x.db")
    with pytest.raises(credcycle.InvalidInput) as err:
        credcycle.Engine.memory(root_key=b"short")
    assert err.value.code == 1004 and "root_key" in err.value.message


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        credcycle.Engine.open("x.db", ROOT_KEY)  # type: ignore[call-arg, arg-type]
    e = credcycle.Engine.memory()
    with pytest.raises(TypeError):
        e.secrets("t").create("a", b"value")  # type: ignore[call-arg]


def test_policy_keywords(clock: object) -> None:
    e = credcycle.Engine.memory(max_secret_value_bytes=4)
    with pytest.raises(credcycle.InvalidInput):
        e.secrets("t").create("a", value=b"too long")
    with pytest.raises(credcycle.InvalidInput) as err:
        credcycle.Engine.memory(max_secret_versions=1)
    assert "max_secret_versions" in err.value.message
    e2 = credcycle.Engine.memory(default_kms_key="main")
    assert e2.ensure_default_key() == "main"


def test_exception_hierarchy_and_codes(secrets: credcycle.Secrets) -> None:
    assert issubclass(credcycle.NotFound, credcycle.CredcycleError)
    assert credcycle.exceptions is exceptions
    with pytest.raises(credcycle.NotFound) as nf:
        secrets.get("missing")
    assert (nf.value.code, nf.value.kind) == (1001, "not_found")
    secrets.create("a")
    with pytest.raises(credcycle.Conflict) as c:
        secrets.create("a")
    assert c.value.code == 1003
    with pytest.raises(credcycle.InvalidInput) as ii:
        secrets.create("bad name!")
    assert "name" in ii.value.message
    secrets.put_value("a", b"v")
    secrets.freeze("a")
    with pytest.raises(credcycle.InvalidState) as st:
        secrets.get_value("a")
    assert st.value.code == 1007 and "FROZEN" in st.value.message


def test_verification_failed_is_detail_free(engine: credcycle.Engine) -> None:
    e = credcycle.VerificationFailed()
    assert (str(e), e.code, e.kind) == ("verification failed", 1006, "verification_failed")
    # A tampered value read through a Python store: no detail crosses.
    store = MemStore()
    eng = credcycle.Engine.open(store=store, root_key=ROOT_KEY)
    s = eng.secrets("t")
    s.create("a", value=b"hunter2")
    for (table, key), (value, version) in list(store.rows.items()):
        if table == 2:  # secret versions
            store.rows[(table, key)] = (value[:-1] + bytes([value[-1] ^ 1]), version)
    with pytest.raises(credcycle.VerificationFailed) as err:
        s.get_value("a")
    assert (str(err.value), err.value.code) == ("verification failed", 1006)


def test_client_helpers() -> None:
    k = credcycle.generate_root_key()
    assert isinstance(k, bytes) and len(k) == 32
    assert credcycle.parse_root_key(k.hex() + "\n") == k
    with pytest.raises(credcycle.InvalidInput) as err:
        credcycle.parse_root_key("not-a-key")
    assert "not-a-key" not in err.value.message
    assert credcycle.version() == credcycle.__version__ == "0.1.0"


def test_repr_never_shows_values(secrets: credcycle.Secrets) -> None:
    secrets.create("a", value=b"hunter2")
    v = secrets.get_value("a")
    assert "hunter2" not in repr(v) and "redacted" in repr(v)
    assert repr(secrets.get("a")).startswith("SecretInfo(name=\"a\"")


def test_results_are_frozen_and_comparable(secrets: credcycle.Secrets) -> None:
    info = secrets.create("a", value=b"x")
    assert info == secrets.get("a")
    with pytest.raises(AttributeError):
        info.name = "b"  # type: ignore[misc]


def test_with_actor_and_tenants(engine: credcycle.Engine) -> None:
    alice = engine.with_actor("alice")
    assert repr(alice) == 'Engine(actor="alice")'
    alice.secrets("shop").create("db", value=b"x")
    trail = engine.audit("shop").events("secret:db")
    assert trail.events[0].actor == "alice"
    with pytest.raises(credcycle.NotFound):
        engine.secrets("other").get("db")
    with pytest.raises(credcycle.InvalidInput):
        engine.secrets("bad tenant!")
