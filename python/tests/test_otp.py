"""TOTP/HOTP through the binding: the RFC 4226 and RFC 6238 vectors, and
cross-checks with pyotp in both directions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pyotp
import pytest

import credcycle

from .conftest import T0

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"


def load(name: str) -> Dict[str, Any]:
    with open(DATA / name, encoding="utf-8") as f:
        data: Dict[str, Any] = json.load(f)
    return data


def test_rfc4226_hotp_vectors() -> None:
    v = load("rfc4226_hotp.json")
    key = credcycle.Totp(v["secret_ascii"].encode(), digits=v["digits"])
    assert len(v["cases"]) == 10
    for case in v["cases"]:
        assert key.hotp(case["counter"]) == case["hotp"]


def test_rfc6238_totp_vectors() -> None:
    v = load("rfc6238_totp.json")
    assert len(v["cases"]) == 18
    for case in v["cases"]:
        key = credcycle.Totp(
            case["secret_ascii"].encode(),
            algorithm=case["mode"],
            digits=v["digits"],
            period=v["time_step_seconds"],
        )
        t = case["unix_time"]
        assert key.code_at(t) == case["totp"], case
        assert key.verify(case["totp"], time=t, window=0) == case["T"]
        # One step later still matches inside the default window, three do not.
        assert key.verify(case["totp"], time=t + 30) == case["T"]
        assert key.verify(case["totp"], time=t + 90) is None


def test_binding_uri_codes_verify_in_pyotp_and_back() -> None:
    engine = credcycle.Engine.memory(clock=lambda: T0)
    alice = engine.identities("t").create("alice")
    mfa = engine.mfa("t")
    enrollment = mfa.enroll(identity=alice.id)
    # The binding's provisioning URI, read by pyotp.
    theirs = pyotp.parse_uri(enrollment.provisioning_uri)
    assert isinstance(theirs, pyotp.TOTP)
    ours = credcycle.Totp.from_uri(enrollment.provisioning_uri)
    for t in (T0, T0 + 30, T0 + 12345):
        code = theirs.at(t)
        assert ours.code_at(t) == code
        assert theirs.verify(ours.code_at(t), for_time=t)
        assert ours.verify(code, time=t) == t // 30
    # A pyotp code confirms the enrollment in the engine.
    mfa.verify(theirs.at(T0), identity=alice.id)
    assert mfa.status(identity=alice.id).verified


def test_pyotp_uri_verifies_in_the_binding() -> None:
    secret = pyotp.random_base32(32)
    for digest, name, digits in (("sha1", "SHA1", 6), ("sha256", "SHA256", 8), ("sha512", "SHA512", 8)):
        import hashlib

        theirs = pyotp.TOTP(secret, digits=digits, digest=getattr(hashlib, digest))
        uri = theirs.provisioning_uri(name="bob@example.com", issuer_name="Acme Corp")
        ours = credcycle.Totp.from_uri(uri)
        assert (ours.algorithm, ours.digits, ours.period) == (name, digits, 30)
        assert (ours.issuer, ours.account) == ("Acme Corp", "bob@example.com")
        for t in (59, T0, 2_000_000_000):
            assert ours.verify(theirs.at(t), time=t) == t // 30
            assert theirs.verify(ours.code_at(t), for_time=t)
        # And the binding's own URI for the same key reads back in pyotp.
        back = pyotp.parse_uri(ours.provisioning_uri("Acme Corp", "bob@example.com"))
        assert isinstance(back, pyotp.TOTP)
        assert back.at(T0) == theirs.at(T0)


def test_bad_keys_and_uris_are_invalid_input_without_the_secret() -> None:
    with pytest.raises(credcycle.InvalidInput) as e:
        credcycle.Totp(b"short")
    assert e.value.code == 1004 and "secret" in e.value.message
    with pytest.raises(credcycle.InvalidInput):
        credcycle.Totp(b"12345678901234567890", algorithm="MD5")
    with pytest.raises(credcycle.InvalidInput) as e:
        credcycle.Totp.from_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DP&digits=9")
    assert "JBSWY3DPEHPK3PXP" not in str(e.value)
    k = credcycle.Totp(b"12345678901234567890")
    with pytest.raises(credcycle.InvalidInput):
        k.verify("123456", window=11)
    assert "1234567890" not in repr(k)
