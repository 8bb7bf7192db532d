"""API tokens (refresh exchange, reuse detection) and machine identities
with universal auth (client secrets, login, access tokens)."""

from __future__ import annotations

import pytest

import credcycle

from .conftest import T0


def test_api_tokens() -> None:
    tokens = credcycle.Engine.memory(clock=lambda: T0).tokens("shop")
    created = tokens.create("ci", "PROXY", owner=credcycle.EntityRef("alice", "u1"))
    assert created.token.owner == credcycle.EntityRef("alice", "u1")
    assert created.value not in repr(created)
    assert created.refresh_token is not None
    assert tokens.authenticate(created.value).token.id == created.token.id
    with pytest.raises(credcycle.VerificationFailed) as e:
        tokens.authenticate("ccat_nope")
    assert (e.value.code, e.value.message) == (1006, "verification failed")
    renamed = tokens.update(created.token.id, "ci-2", expiration_time=T0 + 86_400)
    assert (renamed.name, renamed.expiration_time) == ("ci-2", T0 + 86_400)
    with pytest.raises(credcycle.InvalidInput):
        tokens.update(created.token.id, "x", token_type="EXTENSION")
    refreshed = tokens.refresh(created.refresh_token)
    tokens.authenticate(refreshed.value)
    with pytest.raises(credcycle.VerificationFailed) as reuse:
        tokens.refresh(created.refresh_token)
    assert reuse.value.code == 1401
    with pytest.raises(credcycle.InvalidState) as revoked:
        tokens.authenticate(refreshed.value)
    assert "REVOKED" in revoked.value.message
    plain = tokens.create("plain", "EXTENSION", token_rotation="NONE")
    assert plain.refresh_token is None
    assert tokens.revoke(plain.token.id).state == "REVOKED"
    assert sorted(t.name for t in tokens.list()) == ["ci-2", "plain"]
    with pytest.raises(credcycle.InvalidInput):
        tokens.create("x", "BOGUS")


def test_machine_auth() -> None:
    now = [T0]
    ma = credcycle.Engine.memory(clock=lambda: now[0]).machine_auth("shop")
    ident = ma.create_identity("builder")
    fixed = ma.create_identity("fixed", id="0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b")
    assert fixed.id == "0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b"
    assert len(ma.list_identities()) == 2
    ua = ma.attach_universal_auth(ident.id, client_secret_trusted_ips=["10.0.0.0/8"],
                                  access_token_ttl=600, access_token_max_ttl=1200)
    assert ma.universal_auth(ident.id) == ua
    assert ma.identity(ident.id).universal_auth == ua
    assert ma.update_universal_auth(ident.id, access_token_num_uses_limit=2).access_token_num_uses_limit == 2
    cs = ma.create_client_secret(ident.id, description="ci")
    assert cs.secret not in repr(cs)
    with pytest.raises(credcycle.PolicyViolation):
        ma.login(cs.client_id, cs.secret, "192.168.1.1")
    with pytest.raises(credcycle.InvalidInput):
        ma.login(cs.client_id, cs.secret, "not-an-ip")
    grant = ma.login(cs.client_id, cs.secret, "10.1.2.3")
    assert (grant.token_type, grant.expires_in) == ("Bearer", 600)
    assert ma.authenticate(grant.access_token, "10.1.2.3").num_uses == 1
    now[0] = T0 + 300
    assert ma.renew(grant.access_token).expires_at == T0 + 900
    ma.authenticate(grant.access_token, "10.1.2.3")
    with pytest.raises(credcycle.InvalidState):
        ma.authenticate(grant.access_token, "10.1.2.3")  # use limit reached
    g2 = ma.login(cs.client_id, cs.secret, "10.1.2.3")
    ma.revoke(g2.access_token)
    with pytest.raises(credcycle.CredcycleError):
        ma.authenticate(g2.access_token, "10.1.2.3")
    assert len(ma.list_client_secrets(ident.id)) == 1
    assert ma.revoke_client_secret(ident.id, cs.info.id).state == "REVOKED"
    with pytest.raises(credcycle.CredcycleError):
        ma.login(cs.client_id, cs.secret, "10.1.2.3")


def test_resolve_client_ip() -> None:
    assert credcycle.resolve_client_ip("10.0.0.1", ["203.0.113.9, 10.0.0.2"], ["10.0.0.0/8"]) == "203.0.113.9"
    assert credcycle.resolve_client_ip("198.51.100.1", ["203.0.113.9"], ["10.0.0.0/8"]) == "198.51.100.1"
    assert credcycle.resolve_client_ip("::ffff:10.0.0.1") == "10.0.0.1"
    with pytest.raises(credcycle.InvalidInput):
        credcycle.resolve_client_ip("nope")
