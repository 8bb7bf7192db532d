"""Structural types of the plug-ins a Python program can give the engine.

A store or key manager is any object with these methods (no base class
needed). Methods are called from engine threads, possibly concurrently, and
must not call back into the engine.
"""

from __future__ import annotations

import sys
from typing import List, Optional, Tuple

if sys.version_info >= (3, 8):
    from typing import Protocol
else:  # pragma: no cover
    from typing_extensions import Protocol

from ._native import KeyInfo, StoreOp

__all__ = ["Store", "KeyManager", "Clock"]


class Store(Protocol):
    """A versioned key-value store with one atomic compare-and-swap commit.

    Tables are small integers; keys and values are bytes compared as bytes.
    """

    def get(self, table: int, key: bytes) -> Optional[Tuple[bytes, int]]:
        """``(value, version)`` of the record, or ``None`` when absent."""
        ...

    def scan(
        self, table: int, prefix: bytes, after: Optional[bytes], limit: int
    ) -> List[Tuple[bytes, bytes, int]]:
        """``(key, value, version)`` rows whose key starts with ``prefix``,
        ascending, strictly after ``after`` if given, at most ``limit``."""
        ...

    def commit(self, ops: List[StoreOp]) -> None:
        """Apply all ops or none. If any op's ``expect`` differs from the
        record's version (absent = 0), or two ops name one (table, key),
        raise ``credcycle.Conflict`` and write nothing. A put stores
        ``expect + 1``."""
        ...


class KeyManager(Protocol):
    """Key custody by key id (see the engine's KeyManager contract).

    Raise ``NotFound(code=1201)`` for an unknown key, ``Conflict(code=1206)``
    for an existing one, ``InvalidState(state, code=1202)`` when the key's
    state forbids the call, ``VerificationFailed()`` when unwrap does not
    authenticate.
    """

    def create_key(self, id: str, algorithm: str) -> KeyInfo: ...
    def key_info(self, id: str) -> Optional[KeyInfo]: ...
    def list_keys(self) -> List[KeyInfo]: ...
    def rotate_key(self, id: str) -> KeyInfo: ...
    def set_key_state(self, id: str, state: str) -> KeyInfo: ...
    def wrap(self, id: str, dek: bytes, aad: bytes) -> Tuple[str, int, bytes]:
        """``(key_id, key_version, ciphertext)``, randomized."""
        ...
    def unwrap(self, key_id: str, key_version: int, ciphertext: bytes, aad: bytes) -> bytes: ...
    def sign(self, id: str, msg: bytes) -> bytes: ...
    def public_key(self, id: str) -> bytes: ...


class Clock(Protocol):
    """A callable returning seconds since the Unix epoch."""

    def __call__(self) -> int: ...
