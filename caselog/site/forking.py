"""Work split over forked processes: they inherit everything loaded, so nothing is pickled in."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence

_SHARED: tuple | None = None


def fork_slices(work: Callable[[Sequence], object], items: Sequence, jobs: int, block: int = 0) -> list:
    """work(part) for parts of items in `jobs` forked processes at a time; the results in order.

    Without `block`, `jobs` interleaved slices (items[i::jobs]): the processes stay evenly loaded
    when similar items sit together. With `block`, parts of `block` neighbouring items, each in
    a process of its own, forked when the part's turn comes: a forked process copies every page
    of the objects it so much as reads (Python counts references in the objects themselves), and
    keeps what its allocator took; a process that went through half the log would hold a copy of
    half of it. Only the results cross back between processes."""
    global _SHARED
    parts = ([(index, jobs) for index in range(jobs)] if not block
             else [(start, start + block) for start in range(0, len(items), block)])
    _SHARED = (work, items, bool(block))
    # what is loaded stays out of the collector's reach (as the loader leaves what it loads,
    # cache.paused_gc): a collection in a child would write to, and so copy, every page of
    # objects it walks
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=1 if block else None) as pool:
            return pool.map(_run_part, parts, chunksize=1)
    finally:
        _SHARED = None


def _run_part(part):
    work, items, blocks = _SHARED
    return work(items[part[0]:part[1]] if blocks else items[part[0]::part[1]])
