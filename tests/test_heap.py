"""The batch collector pause (kizuna.heap.collector_paused) frees what a batch leaves behind:
objects by reference counting at once, reference cycles at the next periodic full collection."""

import gc
import weakref

from kizuna import heap


class _Node:
    def __init__(self) -> None:
        self.other: "_Node | None" = None


def _cycle() -> weakref.ref:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_cycles_left_by_batches_are_collected_within_the_period():
    gc.enable()
    with heap.collector_paused():
        kept = _cycle()  # garbage the moment the function returns, but a cycle
        plain = weakref.ref(_Node())  # no cycle: freed at once by reference counting
    assert plain() is None
    until_full = (-heap._pauses) % heap.FULL_COLLECTION_EVERY
    if until_full:  # frozen, not yet collected
        assert kept() is not None
    for _ in range(until_full):
        with heap.collector_paused():
            pass
    assert kept() is None
    assert gc.isenabled()


def test_nested_pauses_keep_the_collector_off_until_the_outermost_ends():
    gc.enable()
    with heap.collector_paused():
        with heap.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
