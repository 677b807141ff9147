"""Forked worker processes over index ranges of shared, read-only data.

The data is handed to the workers by ``fork`` (copy-on-write), not pickled:
only the ranges go out and the results come back. Where ``fork`` is not
available, or the work is small, everything runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
PARALLEL_MIN = 20_000  # fewer items than this run in one process (forking costs more)

_SHARED: Any = None
_FN: Callable[[Any, int, int], Any] | None = None


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished workers."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def default_workers() -> int:
    """Every core (at most 8)."""
    return min(os.cpu_count() or 1, 8)


def ranges(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` cut into at most ``parts`` contiguous ranges."""
    step = max(1, (hi - lo + parts - 1) // parts)
    return [(a, min(a + step, hi)) for a in range(lo, hi, step)]


def parallel_ok(n: int, workers: int) -> bool:
    """Whether ``n`` items are worth forking ``workers`` processes for."""
    return workers > 1 and n >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods()


def _call(bounds: tuple[int, int]) -> Any:
    assert _FN is not None
    return _FN(_SHARED, *bounds)


def fork_map(fn: Callable[[Any, int, int], T], shared: Any, parts: list[tuple[int, int]], workers: int) -> list[T]:
    """``[fn(shared, lo, hi) for lo, hi in parts]``, in ``workers`` forked processes.

    ``shared`` reaches the workers through fork; results are pickled back, in order.
    """
    global _SHARED, _FN
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(shared, lo, hi) for lo, hi in parts]
    _SHARED, _FN = shared, fn
    # Frozen objects are never traversed by the workers' garbage collector, which would
    # otherwise write to every object's header and so copy the whole heap into each worker.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_call, parts, chunksize=1)
    finally:
        gc.unfreeze()
        _SHARED, _FN = None, None


def chunked_map(fn: Callable[[Any, int, int], list[T]], shared: Any, n: int, workers: int,
                parts_per_worker: int = 4) -> list[T]:
    """Concatenated ``fn(shared, lo, hi)`` over ``[0, n)``: forked when ``n`` is large enough."""
    if not parallel_ok(n, workers):
        return fn(shared, 0, n)
    out: list[T] = []
    for part in fork_map(fn, shared, ranges(0, n, workers * parts_per_worker), workers):
        out.extend(part)
    return out
