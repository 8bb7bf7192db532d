"""Every facade operation has a counterpart in the Python binding."""

from __future__ import annotations

import credcycle
from credcycle import _native

CLASSES = {
    "engine": credcycle.Engine,
    "kms": credcycle.Kms,
    "secrets": credcycle.Secrets,
    "audit": credcycle.Audit,
    "targets": credcycle.Targets,
    "jose": credcycle.Jose,
    "tokens": credcycle.Tokens,
    "machine_auth": credcycle.MachineAuth,
    "identities": credcycle.Identities,
    "mfa": credcycle.Mfa,
    "pki": credcycle.Pki,
    "enrollment": credcycle.Enrollment,
    "totp": credcycle.Totp,
    "replay_guard": credcycle.ReplayGuard,
}

# Operations whose Python name differs from the facade's.
ALIASES = {
    "testing.store_conformance": (credcycle, "store_conformance"),
    "testing.kms_conformance": (credcycle, "kms_conformance"),
    # The constructor: credcycle.Totp(secret, algorithm=…, digits=…, period=…).
    "totp.new": (credcycle, "Totp"),
}


def counterpart(op: str) -> object:
    if op in ALIASES:
        owner, name = ALIASES[op]
        return getattr(owner, name, None)
    handle, method = op.split(".", 1)
    if handle == "client":
        return getattr(credcycle, method, None)
    return getattr(CLASSES[handle], method, None)


def test_every_operation_has_a_python_counterpart() -> None:
    missing = [op for op in _native.OPERATIONS if counterpart(op) is None]
    assert missing == []
    assert credcycle.OPERATIONS == _native.OPERATIONS
    assert len(_native.OPERATIONS) >= 171
    # engine.open has two Pythonic spellings.
    assert callable(credcycle.Engine.memory)
