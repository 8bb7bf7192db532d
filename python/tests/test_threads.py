"""The GIL is released around engine calls: Python threads run while the
engine works, and engine calls from several threads run in parallel."""

from __future__ import annotations

import os
import threading
import time
from typing import List, Tuple

import credcycle


def test_python_threads_run_during_a_long_engine_call() -> None:
    e = credcycle.Engine.memory()
    s = e.secrets("t")
    for i in range(2000):
        s.create(f"s{i:05}", description="x" * 100)
    start = time.perf_counter()
    s.list()
    single = time.perf_counter() - start

    ticks: List[float] = []
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())

    t = threading.Thread(target=spin)
    t.start()
    time.sleep(0.02)
    calls = max(1, int(0.3 / max(single, 1e-3)))
    begin = time.perf_counter()
    for _ in range(calls):
        s.list()
    end = time.perf_counter()
    stop.set()
    t.join()
    # Ticks of the spinning thread that fall strictly inside the engine
    # calls (away from the edges, where the GIL changes hands anyway).
    margin = 0.01
    inside = [x for x in ticks if begin + margin < x < end - margin]
    assert end - begin > 4 * margin
    # With the GIL held for the whole call there would be (almost) none.
    assert len(inside) > 1000, (len(inside), end - begin)


def test_engine_calls_overlap_across_threads() -> None:
    """Two threads are inside engine calls at the same time.

    Each thread records when its calls start and end (in Python, which needs
    the GIL). If a call held the GIL from start to end, no other thread
    could record anything inside it, so no two intervals of different
    threads could overlap. Overlaps show that both threads run engine code
    at once (on two cores when the OS has them: the speedup is printed, not
    asserted, because the machine is shared).
    """
    e = credcycle.Engine.memory()
    ids = e.identities("t")
    people = [ids.create(f"p{i}").id for i in range(8)]
    intervals: List[List[Tuple[float, float]]] = [[], []]

    def work(k: int) -> None:
        for i, p in enumerate(people[k::2]):
            start = time.perf_counter()
            # argon2id at the default cost: milliseconds of pure Rust work.
            ids.set_password(p, f"user{k}{i}", "correct horse battery staple")
            intervals[k].append((start, time.perf_counter()))

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    parallel = time.perf_counter() - start
    serial = sum(b - a for iv in intervals for a, b in iv)
    overlaps = sum(
        1 for a0, a1 in intervals[0] for b0, b1 in intervals[1] if a0 < b1 and b0 < a1
    )
    print(
        f"2 threads x 4 argon2id set_password: overlapping call pairs {overlaps}, "
        f"sum of call times {serial:.3f}s in {parallel:.3f}s wall "
        f"({serial / parallel:.2f}x) on {os.cpu_count()} cores"
    )
    assert overlaps >= 2, intervals
