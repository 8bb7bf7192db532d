"""Targets, the JOSE signing key and the receiver-side helpers: webhook
signatures (Zitadel, Standard Webhooks), JWT bodies and JWE bodies."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

import credcycle

from .conftest import T0

HOOK = "https://hooks.example.com/in"
DATA = Path(__file__).resolve().parents[2] / "tests" / "data"


@pytest.fixture
def engine() -> credcycle.Engine:
    return credcycle.Engine.memory(clock=lambda: T0)


def ec_key_pair(tmp_path: Path, name: str) -> Tuple[str, str]:
    """A P-256 key pair (private PEM, public PEM) from the openssl tool."""
    private = tmp_path / f"{name}.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-out", str(private)],
        check=True, capture_output=True,
    )
    public = subprocess.run(
        ["openssl", "pkey", "-in", str(private), "-pubout"], check=True, capture_output=True
    ).stdout.decode()
    return private.read_text(), public


def test_zitadel_target_sign_and_verify_once(engine: credcycle.Engine) -> None:
    targets = engine.targets("shop")
    created = targets.create("orders", HOOK)
    assert created.signing_key.startswith("whsec_")
    assert created.signing_key not in repr(created)
    t = created.target
    assert (t.target_type, t.payload_type, t.scheme, t.timeout_ms) == ("REST_WEBHOOK", "JSON", "ZITADEL", 10_000)
    assert targets.get(t.id) == t and targets.list() == [t]
    req = targets.sign(t.id, b'{"order": 1}')
    assert req.body == b'{"order": 1}'
    header = req.header("zitadel-signature")
    assert header is not None and header.startswith(f"t={T0},")
    guard = credcycle.ReplayGuard.memory()
    v = credcycle.verify_webhook_zitadel(header, req.body, created.signing_key, now=T0, guard=guard)
    assert v.timestamp == T0
    with pytest.raises(credcycle.VerificationFailed) as replay:
        credcycle.verify_webhook_zitadel(header, req.body, created.signing_key, now=T0, guard=guard)
    assert replay.value.code == 1702
    with pytest.raises(credcycle.VerificationFailed) as bad:
        credcycle.verify_webhook_zitadel(header, b"{}", [created.signing_key], now=T0)
    assert (bad.value.code, str(bad.value)) == (1006, "verification failed")
    with pytest.raises(credcycle.VerificationFailed) as late:
        credcycle.verify_webhook_zitadel(header, req.body, created.signing_key, now=T0 + 301)
    assert late.value.code == 1701


def test_key_rotation_grace_and_update(engine: credcycle.Engine) -> None:
    now = [T0]
    e = credcycle.Engine.memory(clock=lambda: now[0])
    targets = e.targets("shop")
    c = targets.create("std", HOOK, scheme="STANDARD_WEBHOOKS", target_type="REST_CALL",
                       interrupt_on_error=True)
    upd = targets.update(c.target.id, expiration_signing_key_secs=3600, name="std2")
    assert upd.signing_key is not None and upd.signing_key != c.signing_key
    got = targets.get(c.target.id)
    assert (got.name, len(got.signing_keys), got.interrupt_on_error) == ("std2", 2, True)
    req = targets.sign(c.target.id, "hello")
    for key in (c.signing_key, upd.signing_key):
        credcycle.verify_webhook_standard(dict(req.headers[1:]), b"hello", key, now=T0)
    now[0] = T0 + 3601
    req = targets.sign(c.target.id, b"later")
    with pytest.raises(credcycle.VerificationFailed):
        credcycle.verify_webhook_standard(req.headers, b"later", c.signing_key, now=now[0])
    credcycle.verify_webhook_standard(req.headers, b"later", upd.signing_key, now=now[0])
    before = targets.list()
    for kwargs, field in (
        ({"target_type": "SOAP"}, "target_type"),
        ({"scheme": "HMAC"}, "scheme"),
        ({"timeout_ms": 270_001}, "timeout"),
        ({"target_type": "REST_ASYNC", "interrupt_on_error": True}, "interrupt_on_error"),
    ):
        with pytest.raises(credcycle.InvalidInput) as err:
            targets.create("x", HOOK, **kwargs)
        assert field in err.value.message
    assert targets.list() == before
    targets.delete(c.target.id)
    with pytest.raises(credcycle.NotFound):
        targets.get(c.target.id)


def test_standard_webhooks_vectors() -> None:
    with open(DATA / "webhooks" / "standard_webhooks.json", encoding="utf-8") as f:
        data: Dict[str, Any] = json.load(f)
    for s in data["sign_vectors"]:
        sig = credcycle.sign_webhook_standard(s["secret"], s["msg_id"], s["timestamp"], s["payload"])
        assert sig == s["signature"], s["id"]
    accepted = rejected = 0
    for case in data["verify_cases"]:
        args = (case["headers"], case["payload"], case["secret"])
        if case["expect"] == "accept":
            credcycle.verify_webhook_standard(*args, now=case["now"])
            accepted += 1
        else:
            with pytest.raises(credcycle.CredcycleError):
                credcycle.verify_webhook_standard(*args, now=case["now"])
            rejected += 1
    assert accepted >= 2 and rejected >= 10


def test_jwt_and_jwe_targets(engine: credcycle.Engine, tmp_path: Path) -> None:
    jose = engine.jose()
    k1 = jose.current_key()
    targets = engine.targets("shop")
    t = targets.create("jwt", HOOK, payload_type="JWT").target
    req = targets.sign(t.id, b'{"event": "paid"}')
    assert req.header("content-type") == "application/jwt"
    jwks = jose.jwks()
    v = credcycle.verify_jwt(req.body, jwks, audience=HOOK, issuer="credcycle", now=T0)
    assert (v.kid, v.algorithm) == (k1.kid, "ES256")
    assert v.claims["event"] == "paid" and v.claims["aud"] == HOOK
    with pytest.raises(credcycle.VerificationFailed):
        credcycle.verify_jwt(req.body, jwks, now=T0)  # aud present, none expected
    with pytest.raises(credcycle.VerificationFailed):
        credcycle.verify_jwt(req.body, jwks, audience=HOOK, now=T0 + 3600)
    with pytest.raises(credcycle.InvalidInput):
        credcycle.verify_jwt(req.body, "not json", audience=HOOK, now=T0)

    k2 = jose.rotate_signing_key()
    assert k2.kid != k1.kid and len(json.loads(jose.jwks())["keys"]) == 2
    token = jose.sign_jwt({"sub": "x", "exp": T0 + 60})
    assert credcycle.verify_jwt(token, jose.jwks(), now=T0).kid == k2.kid
    assert jose.sign_jws(b"raw", header={"cty": "text"}).count(".") == 2

    private_pem, public_pem = ec_key_pair(tmp_path, "receiver")
    enc = targets.create("jwe", HOOK, payload_type="JWE", encryption_key_pem=public_pem).target
    assert enc.encryption_keys[0].active
    req = targets.sign(enc.id, b'{"secret": "s3"}')
    assert req.body.count(b".") == 4
    v = credcycle.decrypt_jwe(req.body, private_pem, jose.jwks(), audience=HOOK, now=T0)
    assert v.claims["secret"] == "s3"
    other_private, _ = ec_key_pair(tmp_path, "other")
    with pytest.raises(credcycle.VerificationFailed):
        credcycle.decrypt_jwe(req.body, other_private, jose.jwks(), audience=HOOK, now=T0)

    _, second = ec_key_pair(tmp_path, "second")
    info = targets.add_encryption_key(enc.id, second, expire_time=T0 + 86_400)
    assert not info.active and len(targets.list_encryption_keys(enc.id)) == 2
    targets.activate_encryption_key(enc.id, info.fingerprint)
    targets.remove_encryption_key(enc.id, enc.encryption_keys[0].fingerprint)
    assert [k.active for k in targets.list_encryption_keys(enc.id)] == [True]


def test_store_backed_replay_guard(engine: credcycle.Engine) -> None:
    key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    sig = credcycle.sign_webhook_standard(key, "msg_1", T0, b"x")
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(T0), "webhook-signature": sig}
    credcycle.verify_webhook_standard(headers, b"x", key, now=T0, guard=engine.webhook_replay_guard("h"))
    with pytest.raises(credcycle.VerificationFailed) as e:
        credcycle.verify_webhook_standard(headers, b"x", key, now=T0, guard=engine.webhook_replay_guard("h"))
    assert e.value.code == 1702
    z = credcycle.sign_webhook_zitadel([key], T0, b"body")
    assert credcycle.verify_webhook_zitadel(z, "body", key, now=T0).timestamp == T0
