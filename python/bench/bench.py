"""Benchmarks of the Python binding (run by `./scripts/test-python.sh bench`
against a release build; figures go to BENCHMARKS.md).

1. TOTP verification through the binding next to pyotp, in the same run,
   same key, same code, same window (target: >= 20x).
2. Per-call overhead of a cheap engine call (`Secrets.get` on the memory
   store) from Python, against the same call made in a Rust loop inside the
   same native module (`_native._time_in_rust`), and the binding floor
   (`Engine.now`, no engine work).

Each figure is the best of several repetitions (the machine is shared).
Nothing is asserted: these are measurements.
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import timeit
from typing import Callable

import pyotp

import credcycle
from credcycle import _native

REPEAT = 7


def per_call(fn: Callable[[], object], n: int) -> float:
    """Best seconds per call over REPEAT runs of n calls."""
    return min(timeit.repeat(fn, number=n, repeat=REPEAT)) / n


def rust_per_call(op: str, handle: object, arg: str, n: int) -> float:
    return min(_native._time_in_rust(op, handle, arg, n) for _ in range(REPEAT)) / n


def main() -> None:
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, credcycle {credcycle.__version__}")

    # 1. TOTP verify: binding vs pyotp.
    secret = b"12345678901234567890"
    ours = credcycle.Totp(secret)
    theirs = pyotp.TOTP(base64.b32encode(secret).decode(), digest=hashlib.sha1)
    t = 59
    code = theirs.at(t)
    assert ours.code_at(t) == code
    wrong = "000000" if code != "000000" else "111111"
    rows = []
    for label, c in (("valid code", code), ("wrong code", wrong)):
        expect = c == code
        assert (ours.verify(c, time=t, window=1) is not None) == expect
        assert theirs.verify(c, for_time=t, valid_window=1) == expect
        b = per_call(lambda: ours.verify(c, time=t, window=1), 20_000)
        p = per_call(lambda: theirs.verify(c, for_time=t, valid_window=1), 2_000)
        r = rust_per_call("totp.verify", ours, c, 20_000)
        rows.append((label, b, p, r))
    print("\nTOTP verify, window 1 (3 candidate steps), SHA-1, 6 digits")
    print("| case | credcycle (Python) | pyotp | ratio | same call in Rust |")
    print("|---|---|---|---|---|")
    for label, b, p, r in rows:
        print(f"| {label} | {b * 1e6:.2f} µs | {p * 1e6:.2f} µs | {p / b:.1f}x | {r * 1e6:.2f} µs |")

    # 2. Per-call overhead of a cheap engine call.
    engine = credcycle.Engine.memory()
    secrets = engine.secrets("bench")
    secrets.create("a", value=b"v" * 32)
    py_get = per_call(lambda: secrets.get("a"), 20_000)
    rs_get = rust_per_call("secrets.get", secrets, "a", 20_000)
    floor = per_call(engine.now, 100_000)
    print("\nCheap engine call: Secrets.get on the memory store")
    print("| measure | per call |")
    print("|---|---|")
    print(f"| from Python | {py_get * 1e6:.2f} µs |")
    print(f"| same call in Rust | {rs_get * 1e6:.2f} µs |")
    print(f"| binding overhead (difference) | {(py_get - rs_get) * 1e6:.2f} µs |")
    print(f"| Engine.now() from Python (binding floor, no engine work) | {floor * 1e6:.3f} µs |")


if __name__ == "__main__":
    main()
