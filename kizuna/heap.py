"""Garbage-collector settings for long-running Kizuna processes (the API, benchmarks)."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


def settle_heap() -> None:
    """Collect once, then move every surviving object (modules, the GraphQL schema, the driver,
    name tables) out of the collector's sight.

    Why: CPython's full collections rescan every live object. In the API process each took ~45 ms,
    some 16 times a minute under investigator load, and every request in flight waited for it; in
    bench/paths they made the 4-hop p95 66 ms instead of 57 ms (2026-12-01). Objects made at
    start-up live as long as the process, so rescanning them finds nothing. Call it once, after
    start-up and warm-up."""
    gc.collect()
    gc.freeze()


#: Every this many pauses, the objects frozen at the end of earlier ones are collected once.
FULL_COLLECTION_EVERY = 50
_pauses = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a bounded piece of batch work without cyclic garbage collection.

    Why: assessing a sweep batch builds millions of short-lived containers (findings, hops,
    evidence) that all stay alive until the batch is stored. Every 25 % growth of the live heap
    triggers a full collection that rescans all of them, and finds nothing: on the 1M-node bench
    graph the collector took more than half of a sweep worker's Python time (500 subjects: 14 s
    of CPU with it, 6.5 s without, 2026-12-01). The batch's objects are freed by reference
    counting when it ends.

    What outlives a batch is mostly what the sweep's caches took in (some 400k containers a
    batch of 250). Collecting the young generations after each batch scanned all of them once
    more to find ~1,500 cyclic objects (0.2 s a batch, a twentieth of a worker's time), so the
    survivors are frozen instead (``gc.freeze``: never scanned; freed by reference counting as
    ever), and every FULL_COLLECTION_EVERY pauses everything is unfrozen and collected once, which
    frees the cycles of those batches. Nested use keeps the collector paused until the
    outermost ends."""
    global _pauses
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _pauses += 1
            if _pauses % FULL_COLLECTION_EVERY == 0:
                gc.unfreeze()
                gc.collect()
            gc.freeze()
            gc.enable()
