"""The exceptions of credcycle.

Every engine error is a :class:`CredcycleError` with a stable numeric
``code`` (the engine's error code table) and a ``kind`` (its family); the
class is the family. ``VerificationFailed`` carries no detail, by design.

Stores and key managers written in Python may raise these too: the code is
kept (``raise Conflict()`` from ``Store.commit`` reports a version conflict;
``raise NotFound("key not found", code=1201)`` from a key manager reports an
unknown key). Any other exception they raise becomes a backend error that
keeps its message.
"""

from __future__ import annotations

__all__ = [
    "CredcycleError",
    "NotFound",
    "Conflict",
    "InvalidInput",
    "PolicyViolation",
    "VerificationFailed",
    "InvalidState",
    "StoreError",
    "KeyManagerError",
    "InternalError",
    "BindingError",
]


class CredcycleError(Exception):
    """Base class: ``code`` (int), ``kind`` (str) and ``message`` (str)."""

    default_code = 1008
    default_kind = "internal"

    def __init__(self, message: str = "", code: int | None = None, kind: str | None = None) -> None:
        self.code: int = self.default_code if code is None else code
        self.kind: str = self.default_kind if kind is None else kind
        self.message: str = message or type(self).__name__
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code})"


class NotFound(CredcycleError):
    """The named record (or key) does not exist."""

    default_code = 1001
    default_kind = "not_found"


class Conflict(CredcycleError):
    """A concurrent update won, the name is taken, or a rotation is pending."""

    default_code = 1002
    default_kind = "conflict"


class InvalidInput(CredcycleError):
    """An argument failed validation; the message names the field and limit."""

    default_code = 1004
    default_kind = "invalid_input"


class PolicyViolation(CredcycleError):
    """The policy forbids the request."""

    default_code = 1005
    default_kind = "policy"


class VerificationFailed(CredcycleError):
    """A MAC, signature, code or ciphertext did not verify.

    Code 1006 carries no detail: its message is always "verification
    failed", whatever is passed. Other codes of the family have fixed,
    secret-free engine messages: 1207 (the root key does not open the
    store's keys), 1401 (a used refresh token came back), 1701/1702 (webhook
    timestamp out of tolerance / replayed message id). 1601 (a certificate
    chain was rejected) names the certificate and why it was refused."""

    default_code = 1006
    default_kind = "verification_failed"

    def __init__(
        self,
        message: str = "verification failed",
        code: int | None = None,
        kind: str | None = None,
    ) -> None:
        if code is None or code == 1006:
            message = "verification failed"
        super().__init__(message, code, kind)


class InvalidState(CredcycleError):
    """The record's (or key's) state forbids the operation."""

    default_code = 1007
    default_kind = "state"


class StoreError(CredcycleError):
    """The store failed."""

    default_code = 1101
    default_kind = "store"


class KeyManagerError(CredcycleError):
    """The key manager failed."""

    default_code = 1204
    default_kind = "key_manager"


class InternalError(CredcycleError):
    """An internal error; please report."""

    default_code = 1008
    default_kind = "internal"


class BindingError(CredcycleError):
    """A failure at the binding boundary (for instance, a Python store or key
    manager returned a value of the wrong type)."""

    default_code = 9005
    default_kind = "binding"
