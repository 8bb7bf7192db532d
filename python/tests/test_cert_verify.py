"""Certificate checks through the binding: Enrollment.verify_certificate
(internal and verified external CAs, purpose, time), verify_chain against
given roots, Pki.renew, and reading/verifying enrollment JWTs."""

from __future__ import annotations

import pytest

import credcycle

from .conftest import T0


def _engine() -> tuple[credcycle.Engine, list[int]]:
    now = [T0]
    e = credcycle.Engine.memory(clock=lambda: now[0])
    e.pki("shop").create_ca("shop root", "shop.example")
    return e, now


def test_verify_certificate_against_the_tenant_cas() -> None:
    e, now = _engine()
    pki, en = e.pki("shop"), e.enrollment("shop")
    ca = pki.ca()
    c = pki.issue(credcycle.generate_key_and_csr("device").csr_pem, "id-1")
    # Enrolled by nobody: authorize_chain refuses, verify_certificate does not care.
    with pytest.raises(credcycle.VerificationFailed):
        en.authorize_chain(c.chain_pem)
    v = en.verify_certificate(c.chain_pem)
    assert (v.anchor, v.ca_id, v.depth) == ("internal", None, 1)
    assert v.path_fingerprints == [c.fingerprint, ca.certificate.fingerprint]
    assert v.fingerprint == c.fingerprint and v.common_name == "id-1"
    assert v.not_after == c.not_after
    # Purpose.
    with pytest.raises(credcycle.VerificationFailed, match="serverAuth") as rej:
        en.verify_certificate(c.pem, purpose="server")
    assert rej.value.code == 1601
    assert en.verify_certificate(c.pem, purpose="any").anchor == "internal"
    with pytest.raises(credcycle.InvalidInput, match="purpose"):
        en.verify_certificate(c.pem, purpose="email")
    # Time: an explicit `at`, then the engine clock.
    with pytest.raises(credcycle.VerificationFailed, match="expired"):
        en.verify_certificate(c.pem, at=c.not_after + 1)
    now[0] = c.not_after + 1
    with pytest.raises(credcycle.VerificationFailed, match="expired"):
        en.verify_certificate(c.pem)
    assert en.verify_certificate(c.pem, at=T0).depth == 1
    now[0] = T0
    # An external CA's certificate: only once the CA is verified.
    partner = credcycle.Engine.memory(clock=lambda: now[0]).pki("partner")
    ext = partner.create_ca("partner root", "partner.example")
    device = partner.issue(credcycle.generate_key_and_csr("d").csr_pem, "device-7")
    with pytest.raises(credcycle.VerificationFailed):
        en.verify_certificate(device.pem)
    reg = en.register_ca(ext.certificate.pem, "partner", auth_enabled=False)
    with pytest.raises(credcycle.VerificationFailed):
        en.verify_certificate(device.pem)
    assert reg.verification_token is not None
    proof = partner.issue(credcycle.generate_key_and_csr("p").csr_pem, reg.verification_token)
    en.verify_ca(reg.id, proof.pem)
    v = en.verify_certificate(device.chain_pem)
    assert (v.anchor, v.ca_id) == ("external", reg.id)
    with pytest.raises(credcycle.InvalidInput):
        en.verify_certificate("junk")


def test_verify_chain_against_given_roots() -> None:
    e, _ = _engine()
    ca = e.pki("shop").ca()
    c = e.pki("shop").issue(credcycle.generate_key_and_csr("device").csr_pem, "id-1")
    v = credcycle.verify_chain(ca.chain_pem, c.pem, at=T0)
    assert v.leaf.fingerprint == c.fingerprint and v.anchor_pem == ca.certificate.pem
    with pytest.raises(credcycle.VerificationFailed, match="serverAuth"):
        credcycle.verify_chain(ca.chain_pem, c.pem, at=T0, purpose="server")
    with pytest.raises(credcycle.VerificationFailed, match="expired"):
        credcycle.verify_chain(ca.chain_pem, c.pem, at=c.not_after + 1)
    other = credcycle.Engine.memory(clock=lambda: T0).pki("other")
    other_ca = other.create_ca("other root", "other.example")
    with pytest.raises(credcycle.VerificationFailed) as rej:
        credcycle.verify_chain(other_ca.chain_pem, c.pem, at=T0)
    assert rej.value.code == 1601
    with pytest.raises(credcycle.InvalidInput, match="roots_pem"):
        credcycle.verify_chain("junk", c.pem)


def test_pki_renew() -> None:
    e, now = _engine()
    pki = e.pki("shop")
    k = credcycle.generate_key_and_csr("device")
    c = pki.issue(k.csr_pem, "id-1")
    now[0] = T0 + 3600
    same = pki.renew(c.chain_pem, "id-1")
    assert same.serial_hex != c.serial_hex
    assert same.not_before > c.not_before and same.not_after > c.not_after
    rolled = pki.renew(c.pem, "id-1", new_csr_pem=credcycle.generate_key_and_csr("d").csr_pem)
    assert rolled.fingerprint not in (c.fingerprint, same.fingerprint)
    stranger = credcycle.Engine.memory(clock=lambda: T0).pki("x")
    stranger.create_ca("x root", "x.example")
    foreign = stranger.issue(k.csr_pem, "id-1")
    with pytest.raises(credcycle.InvalidInput, match="current_certificate"):
        pki.renew(foreign.pem, "id-1")
    with pytest.raises(credcycle.InvalidInput, match="csr"):
        pki.renew(c.pem, "id-1", new_csr_pem="junk")


def test_enrollment_jwt_client_helpers() -> None:
    e, _ = _engine()
    en = e.enrollment("shop")
    alice = e.identities("shop").create("alice")
    n = en.create(alice.id, "ott")
    c = credcycle.parse_enrollment_jwt(n.jwt)
    assert (c.method, c.sub, c.iss, c.iat) == ("ott", alice.id, "credcycle", T0)
    assert c.kid == en.current_kid() and c.jti.startswith("ccen_")
    assert "ccen_" not in repr(c)
    v = credcycle.verify_enrollment_jwt(n.jwt, en.jwks(), "credcycle", now=T0)
    assert v == c
    with pytest.raises(credcycle.VerificationFailed):
        credcycle.verify_enrollment_jwt(n.jwt, en.jwks(), "someone", now=T0)
    with pytest.raises(credcycle.InvalidState):
        credcycle.verify_enrollment_jwt(n.jwt, en.jwks(), "credcycle", now=c.exp)
    with pytest.raises(credcycle.InvalidInput, match="token"):
        credcycle.parse_enrollment_jwt("not.a.jwt")
