"""The GIL is released around engine calls: Python threads run while the
engine works, and engine calls from several threads run in parallel."""

from __future__ import annotations

import os
import threading
import time
from typing import List

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


def test_engine_calls_in_parallel_threads() -> None:
    e = credcycle.Engine.memory()
    s = e.secrets("t")
    s.create("a", value=b"x" * 1024)
    n = 400

    def work() -> None:
        for _ in range(n):
            s.get_value("a")

    start = time.perf_counter()
    work()
    work()
    sequential = time.perf_counter() - start
    threads = [threading.Thread(target=work) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    parallel = time.perf_counter() - start
    speedup = sequential / parallel
    print(f"2 threads x {n} get_value: sequential {sequential:.3f}s, parallel {parallel:.3f}s, "
          f"speedup {speedup:.2f}x on {os.cpu_count()} cores")
    # Informative on a shared machine; it must at least not serialize worse.
    assert speedup > 0.8
