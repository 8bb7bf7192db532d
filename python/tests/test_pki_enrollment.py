"""The internal CA, ott/updb/router enrollments with keys and CSRs made by
the binding, extension, session certificates, the challenge and the
PKI/enrollment error codes (1601, 1650) through the binding."""

from __future__ import annotations

import json

import pytest

import credcycle

from .conftest import T0

NONCE = "0b8f5c1e-2d4a-4f6b-8c7d-9e0a1b2c3d4e"


def _engine() -> tuple[credcycle.Engine, list[int]]:
    now = [T0]
    e = credcycle.Engine.memory(clock=lambda: now[0])
    e.pki("shop").create_ca("shop root", "shop.example")
    return e, now


def test_generate_key_and_csr() -> None:
    for alg in ("p256", "p384", "ed25519"):
        k = credcycle.generate_key_and_csr(
            "router-1", algorithm=alg, dns_names=["r1.example"], ip_addresses=["10.0.0.1"]
        )
        assert k.key_pkcs8_pem.startswith("-----BEGIN PRIVATE KEY-----")
        assert k.csr_pem.startswith("-----BEGIN CERTIFICATE REQUEST-----")
        assert "PRIVATE KEY" not in repr(k)
    with pytest.raises(credcycle.InvalidInput, match="algorithm"):
        credcycle.generate_key_and_csr("x", algorithm="rsa")
    with pytest.raises(credcycle.InvalidInput, match="common_name"):
        credcycle.generate_key_and_csr("")


def test_pki_issue_bundle_verify_and_certificate_rejected() -> None:
    e = credcycle.Engine.memory(clock=lambda: T0)
    pki = e.pki("acme")
    with pytest.raises(credcycle.NotFound):
        pki.ca()
    ca = pki.create_ca("acme root", "acme.example", algorithm="ed25519")
    assert ca.key_type == "Ed25519" and ca.certificate.is_ca and not ca.imported
    assert pki.ca() == ca
    assert pki.bundle_pem() == ca.chain_pem
    assert pki.bundle_pkcs7_base64()
    with pytest.raises(credcycle.Conflict) as dup:
        pki.create_ca("again", "acme.example")
    assert dup.value.code == 1003
    k = credcycle.generate_key_and_csr("device")
    c = pki.issue(k.csr_pem, "id-1")
    assert c.spiffe_id == "spiffe://acme.example/identity/id-1"
    v = pki.verify_client_chain(c.chain_pem)
    assert v.leaf.fingerprint == c.fingerprint and v.anchor_pem == ca.certificate.pem
    r = pki.issue(
        k.csr_pem, "router-1", kind="router_server", dns_names=["r.acme.example"], validity_secs=600
    )
    assert T0 < r.not_after <= T0 + 600
    with pytest.raises(credcycle.InvalidInput, match="kind"):
        pki.issue(k.csr_pem, "id-1", kind="server")
    other = e.pki("other")
    other.create_ca("other root", "other.example")
    foreign = other.issue(k.csr_pem, "id-1")
    with pytest.raises(credcycle.VerificationFailed) as rej:
        pki.verify_client_chain(foreign.chain_pem)
    assert (rej.value.code, rej.value.kind) == (1601, "verification_failed")
    assert "certificate" in rej.value.message
    # Import the other tenant's CA with its key into a third tenant.
    imported = e.pki("third").import_ca(other.ca().chain_pem, other.ca().key_id, "third.example")
    assert imported.imported
    assert e.pki("third").verify_client_chain(foreign.chain_pem).leaf.fingerprint == foreign.fingerprint


def test_ott_enrollment_extension_and_token_used() -> None:
    e, now = _engine()
    ids, en = e.identities("shop"), e.enrollment("shop")
    alice = ids.create("alice")
    n = en.create(alice.id, "ott")
    assert n.jwt not in repr(n) and n.enrollment.state == "PENDING"
    assert en.get(alice.id, "ott") == n.enrollment
    assert en.list(alice.id) == [n.enrollment]
    key = credcycle.generate_key_and_csr("alice-laptop")
    with pytest.raises(credcycle.InvalidInput, match="csr"):
        en.enroll_ott(n.jwt, "not a csr")
    cert = en.enroll_ott(n.jwt, key.csr_pem)
    assert cert.identity_id == alice.id
    with pytest.raises(credcycle.InvalidState) as used:
        en.enroll_ott(n.jwt, key.csr_pem)
    assert (used.value.code, used.value.kind) == (1650, "state")
    assert en.get(alice.id, "ott").state == "USED"

    p = en.authorize_chain(cert.chain_pem)
    assert (p.identity_id, p.authenticator_id, p.pending) == (alice.id, cert.authenticator_id, False)
    assert en.cert_owner(cert.certificate_pem) == p

    assert en.request_extend(cert.authenticator_id).request_extend
    now[0] += 3600
    key2 = credcycle.generate_key_and_csr("alice-laptop", algorithm="p384")
    ext = en.extend(cert.authenticator_id, cert.certificate_pem, key2.csr_pem, identity=alice.id)
    st = en.cert_status(cert.authenticator_id, identity=alice.id)
    assert st.pending_fingerprint == ext.fingerprint
    with pytest.raises(ValueError):
        en.cert_status(cert.authenticator_id)
    done = en.extend_verify(cert.authenticator_id, ext.certificate_pem, identity=alice.id)
    assert done.fingerprint == ext.fingerprint and done.last_extend_key_changed is True
    assert not done.request_extend
    with pytest.raises(credcycle.VerificationFailed) as dead:
        en.authorize_chain(cert.chain_pem)
    assert dead.value.code == 1006
    assert en.request_key_roll(cert.authenticator_id).request_key_roll
    en.delete(alice.id, "ott")
    with pytest.raises(credcycle.NotFound):
        en.get(alice.id, "ott")


def test_updb_router_session_certs_and_challenge() -> None:
    e, _now = _engine()
    ids, en = e.identities("shop"), e.enrollment("shop")
    bob = ids.create("bob")
    n = en.create(bob.id, "updb", username="bobby")
    a = en.enroll_updb(n.jwt, "bobby", "correct horse battery")
    assert (a.method, a.username) == ("updb", "bobby")
    with pytest.raises(credcycle.InvalidState) as used:
        en.enroll_updb(n.jwt, "bobby", "correct horse battery")
    assert used.value.code == 1650

    router = ids.create("router-1")
    n = en.create(router.id, "router", dns_names=["r1.shop.example"], ip_addresses=["192.0.2.9"])
    assert n.enrollment.method == "erott"
    server = credcycle.generate_key_and_csr("router-1")
    rc = en.enroll_router(n.jwt, credcycle.generate_key_and_csr("router-1").csr_pem, server.csr_pem)
    assert rc.server_chain_pem.startswith(rc.server_certificate_pem)
    rc2 = en.extend_router(
        rc.client.authenticator_id,
        rc.client.certificate_pem,
        credcycle.generate_key_and_csr("router-1").csr_pem,
        server.csr_pem,
        identity=router.id,
    )
    assert rc2.client.fingerprint != rc.client.fingerprint

    s = ids.authenticate(username="bobby", password="correct horse battery")
    sc = en.create_session_cert(s.token, credcycle.generate_key_and_csr("bob-session").csr_pem)
    assert en.list_session_certs(s.token) == [sc]
    assert en.get_session_cert(s.token, sc.id) == sc
    assert en.authorize_chain(sc.chain_pem).session_id == sc.session_id
    en.delete_session_cert(s.token, sc.id)
    with pytest.raises(credcycle.NotFound):
        en.get_session_cert(s.token, sc.id)

    kid = en.current_kid()
    jwks = en.jwks()
    assert kid in [k["kid"] for k in json.loads(jwks)["keys"]]
    ch = en.challenge(kid, NONCE)
    credcycle.verify_challenge(jwks, NONCE, ch)
    received = credcycle.Challenge(ch.algorithm, ch.kid, ch.signature, ch.ca_pool)
    assert received == ch
    forged = credcycle.Challenge(ch.algorithm, ch.kid, ch.signature, "")
    with pytest.raises(credcycle.VerificationFailed):
        credcycle.verify_challenge(jwks, NONCE, forged)
    assert en.rotate_signing_key() != kid
    with pytest.raises(credcycle.InvalidState):
        en.challenge(kid, NONCE)


def test_external_ca_registry() -> None:
    e, now = _engine()
    en = e.enrollment("shop")
    # The partner CA runs on the same clock, so its proof is valid now.
    partner = credcycle.Engine.memory(clock=lambda: now[0]).pki("partner")
    ext = partner.create_ca("partner root", "partner.example")
    ca = en.register_ca(ext.certificate.pem, "partner", auth_enabled=False)
    assert not ca.verified and ca.verification_token and not ca.auth_enabled
    assert en.list_cas() == [ca] and en.get_ca(ca.id) == ca
    with pytest.raises(credcycle.VerificationFailed):
        en.verify_ca(ca.id, partner.issue(credcycle.generate_key_and_csr("x").csr_pem, "wrong").pem)
    proof = partner.issue(credcycle.generate_key_and_csr("p").csr_pem, ca.verification_token)
    assert en.verify_ca(ca.id, proof.pem).verified

    # CA auto-enrollment creates the identity once per certificate.
    device = partner.issue(credcycle.generate_key_and_csr("d").csr_pem, "device-7")
    auto = en.enroll_ca_auto(device.chain_pem)
    ids = e.identities("shop")
    assert ids.get(auto.identity_id).name == "partner-device-7"
    with pytest.raises(credcycle.Conflict):
        en.enroll_ca_auto(device.chain_pem)
    # ottca for an existing identity, after a re-issue of its token.
    carol = ids.create("carol")
    first = en.create(carol.id, "ottca", ca_id=ca.id)
    second = en.reissue(carol.id, "ottca")
    assert second.jwt != first.jwt and second.enrollment.ca_id == ca.id
    leaf = partner.issue(credcycle.generate_key_and_csr("c").csr_pem, "carol-laptop")
    with pytest.raises(credcycle.VerificationFailed):
        en.enroll_ottca(first.jwt, leaf.chain_pem)
    stranger = credcycle.Engine.memory(clock=lambda: now[0]).pki("stranger")
    stranger.create_ca("stranger root", "stranger.example")
    rogue = stranger.issue(credcycle.generate_key_and_csr("r").csr_pem, "carol-laptop")
    with pytest.raises(credcycle.VerificationFailed) as rej:
        en.enroll_ottca(second.jwt, rogue.chain_pem)
    assert rej.value.code == 1601
    assert en.enroll_ottca(second.jwt, leaf.chain_pem).identity_id == carol.id
    with pytest.raises(credcycle.InvalidInput, match="name"):
        en.register_ca(ext.certificate.pem, "bad name!")
    en.delete_ca(ca.id)
    with pytest.raises(credcycle.NotFound):
        en.get_ca(ca.id)


def test_racing_redemptions_of_one_token_succeed_once() -> None:
    import threading

    e, _now = _engine()
    ids, en = e.identities("shop"), e.enrollment("shop")
    dave = ids.create("dave")
    jwt = en.create(dave.id, "ott").jwt
    csrs = [credcycle.generate_key_and_csr(f"dave-{i}").csr_pem for i in range(8)]
    start = threading.Barrier(len(csrs))
    ok: list[str] = []
    codes: list[int] = []

    def redeem(csr: str) -> None:
        start.wait()
        try:
            ok.append(en.enroll_ott(jwt, csr).fingerprint)
        except credcycle.CredcycleError as err:
            codes.append(err.code)

    threads = [threading.Thread(target=redeem, args=(c,)) for c in csrs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ok) == 1 and codes == [1650] * (len(csrs) - 1)
    assert [a.cert_fingerprint for a in ids.authenticators(identity=dave.id)] == ok
