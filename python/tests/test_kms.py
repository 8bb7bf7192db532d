"""The key-manager domain through the binding."""

from __future__ import annotations

import pytest

import credcycle


def test_key_lifecycle(engine: credcycle.Engine) -> None:
    kms = engine.kms()
    info = kms.create_key("k2")
    assert (info.id, info.purpose, info.algorithm, info.state) == ("k2", "wrap", "aes256gcm", "ENABLED")
    assert (info.primary_version, info.versions) == (1, 1)
    with pytest.raises(credcycle.Conflict) as err:
        kms.create_key("k2")
    assert err.value.code == 1206
    with pytest.raises(credcycle.InvalidInput):
        kms.create_key("k3", "rsa")
    assert kms.rotate_key("k2").primary_version == 2
    assert kms.disable_key("k2").state == "DISABLED"
    with pytest.raises(credcycle.InvalidState) as st:
        kms.rotate_key("k2")
    assert st.value.code == 1202
    assert kms.schedule_key_deletion("k2").state == "PENDING_DELETION"
    assert kms.enable_key("k2").state == "ENABLED"
    assert kms.key_info("missing") is None
    assert kms.key_info("k2") == kms.list_keys()[0]
    with pytest.raises(credcycle.NotFound) as nf:
        kms.rotate_key("missing")
    assert nf.value.code == 1201


def test_signing_keys(engine: credcycle.Engine) -> None:
    kms = engine.kms()
    assert kms.create_key("p", "p256").purpose == "sign"
    kms.create_key("ed", "ed25519")
    assert len(kms.public_key("p")) == 91 and kms.public_key("p")[0] == 0x30
    assert len(kms.public_key("ed")) == 44
    assert len(kms.sign("p", b"msg")) == 64
    assert len(kms.sign("ed", b"msg")) == 64
    kms.create_key("w")
    with pytest.raises(credcycle.InvalidInput) as err:
        kms.sign("w", b"msg")
    assert err.value.code == 1203
    assert [k.id for k in kms.list_keys()] == ["ed", "p", "w"]


def test_secrets_under_a_disabled_key(engine: credcycle.Engine) -> None:
    s = engine.secrets("t")
    s.create("a", value=b"x")
    engine.kms().disable_key("default")
    assert s.get_value("a").value == b"x"  # policy allows reads by default
    with pytest.raises(credcycle.InvalidState):
        s.put_value("a", b"y")
    strict = credcycle.Engine.memory(allow_unwrap_with_disabled_key=False)
    s2 = strict.secrets("t")
    s2.create("a", value=b"x")
    strict.kms().disable_key("default")
    with pytest.raises(credcycle.PolicyViolation):
        s2.get_value("a")
