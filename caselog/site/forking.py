"""Work split over forked processes: they inherit everything loaded, so nothing is pickled in."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence

_SHARED: tuple | None = None


def fork_slices(work: Callable[[Sequence], object], items: Sequence, jobs: int, block: int = 1) -> list:
    """work(slice) for each of `jobs` slices of items, in forked processes; the results in slice order.

    Slice i holds the blocks i, i + jobs, i + 2 jobs... of `block` items each: interleaved,
    the processes stay evenly loaded when similar items sit together. Blocks of neighbouring
    items keep each process to its own part of memory: a forked process copies every page of
    objects it so much as reads (Python counts references in the objects themselves), so two
    processes touching every other case of the log would each copy all of it.
    Only the results cross back between processes."""
    global _SHARED
    _SHARED = (work, items, block)
    # what is loaded stays out of the collector's reach (as the loader leaves what it loads,
    # cache.paused_gc): a collection in a child would write to, and so copy, every page of
    # objects it walks
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_run_slice, [(index, jobs) for index in range(jobs)])
    finally:
        _SHARED = None


def _run_slice(args):
    index, jobs = args
    work, items, block = _SHARED
    if block == 1:
        return work(items[index::jobs])
    return work([item for start in range(index * block, len(items), jobs * block)
                 for item in items[start:start + block]])
