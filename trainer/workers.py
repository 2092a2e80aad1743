"""Worker processes for long runs over many attempts (``trainer verify``, batch grading).

A worker stops when told to (SIGTERM, SIGHUP) or when the trainer dies; Ctrl-C reaches only the trainer,
which stops the workers. The work still queued in a stopping worker is not started.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import FrameType
from typing import TypeVar

from sandbox.processes import set_parent_death_signal

T = TypeVar("T")
R = TypeVar("R")

#: Set in a worker that was told to stop: the tasks still queued for it are not started.
_STOPPING = False


def stopping() -> bool:
    """Whether this worker was told to stop (a task checks before it starts)."""
    return _STOPPING


def _stop_worker(signum: int, frame: FrameType | None) -> None:
    global _STOPPING
    _STOPPING = True
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    raise SystemExit(128 + signum)  # the running attempt's Drill closes on the way out


def worker_init() -> None:
    """A worker stops when told to (SIGTERM, SIGHUP) or when the trainer dies (any death)."""
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _stop_worker)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the trainer, which stops the workers
    set_parent_death_signal(signal.SIGTERM)


def pool_map(task: Callable[[T], R], work: Sequence[T], jobs: int) -> Iterator[R]:
    """``task`` over ``work`` in order, ``jobs`` at a time in worker processes (in this one when ``jobs`` <= 1)."""
    if jobs <= 1:
        yield from map(task, work)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=worker_init)
    try:
        yield from pool.map(task, work)
    except BaseException:  # interrupted: the workers close their attempts and stop, queued work is dropped
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in multiprocessing.active_children():
            worker.terminate()
        raise
    pool.shutdown()
