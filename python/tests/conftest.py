"""Fixtures: a fake clock, and a Store and a KeyManager written in Python."""

from __future__ import annotations

import bisect
import hashlib
import hmac
import os
import threading
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

import credcycle
from credcycle import Conflict, InvalidState, KeyInfo, NotFound, StoreOp, VerificationFailed

ROOT_KEY = bytes([7]) * 32
T0 = 1_700_000_000


class FakeClock:
    """A settable clock (seconds since the epoch)."""

    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


class MemStore:
    """An in-memory credcycle Store in pure Python: a sorted key list per
    table behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: Dict[Tuple[int, bytes], Tuple[bytes, int]] = {}
        self.keys: Dict[int, List[bytes]] = {}

    def get(self, table: int, key: bytes) -> Optional[Tuple[bytes, int]]:
        with self.lock:
            return self.rows.get((table, key))

    def scan(
        self, table: int, prefix: bytes, after: Optional[bytes], limit: int
    ) -> List[Tuple[bytes, bytes, int]]:
        with self.lock:
            keys = self.keys.get(table, [])
            i = bisect.bisect_left(keys, prefix)
            out: List[Tuple[bytes, bytes, int]] = []
            while i < len(keys) and len(out) < limit and keys[i].startswith(prefix):
                k = keys[i]
                if after is None or k > after:
                    value, version = self.rows[(table, k)]
                    out.append((k, value, version))
                i += 1
            return out

    def commit(self, ops: List[StoreOp]) -> None:
        with self.lock:
            seen = set()
            for op in ops:
                ident = (op.table, op.key)
                if ident in seen:
                    raise Conflict()
                seen.add(ident)
                current = self.rows.get(ident, (b"", 0))[1]
                if current != op.expect:
                    raise Conflict()
            for op in ops:
                ident = (op.table, op.key)
                keys = self.keys.setdefault(op.table, [])
                if op.kind == "put":
                    if ident not in self.rows:
                        bisect.insort(keys, op.key)
                    self.rows[ident] = (op.value, op.expect + 1)
                elif op.kind == "delete" and ident in self.rows:
                    del self.rows[ident]
                    keys.pop(bisect.bisect_left(keys, op.key))


class HmacKeyManager:
    """A KeyManager in pure Python for tests: "aes256gcm" keys wrap with an
    HMAC-SHA256 keystream and tag (encrypt-then-MAC). Not a production key
    manager."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: Dict[str, Dict[str, object]] = {}
        self.calls: Dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def _info(self, id: str) -> KeyInfo:
        k = self.keys[id]
        n = len(k["material"])  # type: ignore[arg-type]
        return KeyInfo(id=id, purpose="wrap", algorithm="aes256gcm", primary_version=n,
                       versions=n, state=str(k["state"]))

    def create_key(self, id: str, algorithm: str) -> KeyInfo:
        self._count("create_key")
        with self.lock:
            if id in self.keys:
                raise Conflict("key exists", code=1206)
            if algorithm != "aes256gcm":
                raise credcycle.InvalidInput("algorithm: this key manager only wraps")
            self.keys[id] = {"material": [os.urandom(32)], "state": "ENABLED"}
            return self._info(id)

    def key_info(self, id: str) -> Optional[KeyInfo]:
        with self.lock:
            return self._info(id) if id in self.keys else None

    def list_keys(self) -> List[KeyInfo]:
        with self.lock:
            return [self._info(i) for i in sorted(self.keys)]

    def _get(self, id: str) -> Dict[str, object]:
        k = self.keys.get(id)
        if k is None:
            raise NotFound("key not found", code=1201)
        return k

    def rotate_key(self, id: str) -> KeyInfo:
        with self.lock:
            k = self._get(id)
            if k["state"] != "ENABLED":
                raise InvalidState(str(k["state"]), code=1202)
            k["material"].append(os.urandom(32))  # type: ignore[attr-defined]
            return self._info(id)

    def set_key_state(self, id: str, state: str) -> KeyInfo:
        with self.lock:
            self._get(id)["state"] = state
            return self._info(id)

    @staticmethod
    def _stream(key: bytes, nonce: bytes, n: int) -> bytes:
        out = b""
        counter = 0
        while len(out) < n:
            out += hmac.new(key, b"ks" + nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
            counter += 1
        return out[:n]

    def wrap(self, id: str, dek: bytes, aad: bytes) -> Tuple[str, int, bytes]:
        self._count("wrap")
        with self.lock:
            k = self._get(id)
            if k["state"] != "ENABLED":
                raise InvalidState(str(k["state"]), code=1202)
            material: List[bytes] = k["material"]  # type: ignore[assignment]
            version, key = len(material), material[-1]
        nonce = os.urandom(16)
        body = bytes(a ^ b for a, b in zip(dek, self._stream(key, nonce, len(dek))))
        tag = hmac.new(key, b"tag" + nonce + aad + body, hashlib.sha256).digest()
        return id, version, nonce + body + tag

    def unwrap(self, key_id: str, key_version: int, ciphertext: bytes, aad: bytes) -> bytes:
        self._count("unwrap")
        with self.lock:
            k = self._get(key_id)
            material: List[bytes] = k["material"]  # type: ignore[assignment]
            if k["state"] == "PENDING_DELETION":
                raise InvalidState("PENDING_DELETION", code=1202)
            if not 1 <= key_version <= len(material):
                raise NotFound("key version not found", code=1201)
            key = material[key_version - 1]
        nonce, body, tag = ciphertext[:16], ciphertext[16:-32], ciphertext[-32:]
        want = hmac.new(key, b"tag" + nonce + aad + body, hashlib.sha256).digest()
        if len(ciphertext) < 48 or not hmac.compare_digest(tag, want):
            raise VerificationFailed()
        return bytes(a ^ b for a, b in zip(body, self._stream(key, nonce, len(body))))

    def sign(self, id: str, msg: bytes) -> bytes:
        raise credcycle.InvalidInput("wrap", code=1203)

    def public_key(self, id: str) -> bytes:
        raise credcycle.InvalidInput("wrap", code=1203)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(clock: FakeClock) -> credcycle.Engine:
    return credcycle.Engine.memory(root_key=ROOT_KEY, clock=clock)


@pytest.fixture
def secrets(engine: credcycle.Engine) -> credcycle.Secrets:
    return engine.secrets("shop")


@pytest.fixture
def tmp_db(tmp_path: "os.PathLike[str]") -> Iterator[str]:
    yield os.path.join(str(tmp_path), "credcycle.db")
