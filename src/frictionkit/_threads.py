"""Worker threads for block-wise kernels whose results never depend on how many ran.

Sampling kernels (:func:`frictionkit.uncertainty.rank_risk`, :func:`~frictionkit.uncertainty.smaa`)
work through their draws block by block. Each block takes its random numbers from streams
keyed by the block's own number, so a block's draws are the same whichever thread
computes it and in whatever order; the blocks' tallies are then added in block order.
numpy releases the interpreter lock inside its random generators, sorts and element-wise
arithmetic, so blocks on different threads run on different cores.

``threads=None`` uses the cores this process may run on, at most :data:`MAX_DEFAULT`, or
the value of the environment variable ``FRICTIONKIT_THREADS`` when set.

Examples
--------
>>> from frictionkit._threads import map_ordered, thread_count
>>> thread_count(1)
1
>>> list(map_ordered(lambda x: x * x, range(5), threads=2))
[0, 1, 4, 9, 16]
>>> in_background(lambda: 42, size=10) is None  # small work: run it in line
True
"""

from __future__ import annotations

import numbers
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from frictionkit.exceptions import ValidationError

_T = TypeVar("_T")
_R = TypeVar("_R")

#: The default never uses more threads than this (more rarely pays for block kernels).
MAX_DEFAULT = 8
#: :func:`in_background` starts a thread only for work on at least this many elements.
BACKGROUND_MIN_SIZE = 500_000
_ENV = "FRICTIONKIT_THREADS"


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def thread_count(threads: Any = None) -> int:
    """The number of worker threads to use for ``threads``.

    Parameters
    ----------
    threads : int or None, default None
        A positive integer, or None for the environment variable ``FRICTIONKIT_THREADS``
        when set, else the cores this process may use (at most :data:`MAX_DEFAULT`).

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ValidationError
        ``threads`` (or ``FRICTIONKIT_THREADS``) is not a positive integer.

    Examples
    --------
    >>> thread_count(3)
    3
    """
    source = "threads"
    if threads is None:
        env = os.environ.get(_ENV, "").strip()
        if not env:
            return max(1, min(_available_cores(), MAX_DEFAULT))
        source = _ENV
        try:
            threads = int(env)
        except ValueError:
            threads = env
    whole = isinstance(threads, numbers.Integral) or (
        isinstance(threads, numbers.Real) and float(threads).is_integer()
    )
    if isinstance(threads, bool) or not whole:
        raise ValidationError(
            f"{source} must be a positive integer, got {threads!r}",
            field="threads",
            value=threads,
            hint="Pass threads=1 for one thread, or None for every available core",
        )
    if int(threads) < 1:
        raise ValidationError(
            f"{source} must be at least 1, got {threads!r}",
            field="threads",
            value=threads,
            hint="Pass threads=1 for one thread, or None for every available core",
        )
    return int(threads)


def map_ordered(fn: Callable[[_T], _R], items: Iterable[_T], *, threads: int) -> Iterator[_R]:
    """``map(fn, items)`` on up to ``threads`` worker threads, results in input order.

    At most ``threads + 1`` items are in flight at once, so memory stays bounded by the
    blocks being worked on; with ``threads == 1`` it is a plain loop on this thread. An
    exception raised by ``fn`` is raised here, and the items not yet started are dropped.

    Parameters
    ----------
    fn : callable
        Called once per item.
    items : iterable
        Consumed lazily.
    threads : int
        The number of worker threads (see :func:`thread_count`).

    Yields
    ------
    object
        ``fn(item)`` for each item, in the order of ``items``.
    """
    if threads <= 1:
        for item in items:
            yield fn(item)
        return
    pending: deque[Future[_R]] = deque()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="frictionkit") as pool:
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) > threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


class Background:
    """A computation running on a worker thread; :meth:`result` waits for it."""

    def __init__(self, fn: Callable[[], _R]) -> None:
        self._fn: Callable[[], Any] = fn
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="frictionkit", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # raised again, on the caller's thread, by result()
            self._error = exc

    def result(self) -> Any:
        """The value of the computation, once it is done; its exception, raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def in_background(fn: Callable[[], _R], size: int) -> Background | None:
    """Start ``fn()`` on a worker thread when it is worth it, else return None.

    It is worth it for work on at least :data:`BACKGROUND_MIN_SIZE` elements when more
    than one thread is allowed (:func:`thread_count`); the caller then goes on with
    independent work and takes the value with ``.result()``. On None the caller runs
    ``fn()`` itself. The value is the same either way; ``fn`` must not share mutable state
    with what the caller does meanwhile.

    Parameters
    ----------
    fn : callable
        Called with no arguments.
    size : int
        The number of elements the work is about (events, draws).

    Returns
    -------
    Background or None
    """
    if size < BACKGROUND_MIN_SIZE or thread_count(None) < 2:
        return None
    return Background(fn)
