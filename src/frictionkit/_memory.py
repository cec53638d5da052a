"""Freed memory kept for reuse while an analysis of a large log runs (glibc only).

An analysis of millions of events makes and frees many arrays of tens of megabytes. The C
library hands each block larger than its *mmap threshold* (at most 32 MB by default)
straight back to the operating system when it is freed, so the next array of that size
is new memory, and every page of it is faulted in and zeroed again by the kernel. On a
virtual machine that costs more than the arithmetic: a 10M-event friction table spent
two thirds of its time there.

:func:`reusing_memory` raises the threshold for the duration of one analysis, so freed
blocks stay in the process and the next array reuses them; at the end it restores the
thresholds (static, at the values the C library's own adjustment reaches after large
blocks: 32 MB and 64 MB) and gives the kept memory back (``malloc_trim``). In the
window numpy's advice to back large arrays with huge pages is off (restored after): in
a reused heap it makes page faults stall on memory compaction. Nested and
concurrent analyses share one window. It does nothing where the C library is not glibc
(macOS, Windows, musl), for logs below :data:`MIN_EVENTS` events, or when the
environment variable ``FRICTIONKIT_KEEP_FREED_MEMORY`` is ``0``. Results never depend
on it: only where memory comes from.

Examples
--------
>>> from frictionkit._memory import reusing_memory
>>> with reusing_memory(10):  # a small log: nothing changes
...     pass
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

_F = TypeVar("_F", bound=Callable[..., Any])

#: Logs with fewer events than this are analysed without touching the allocator.
MIN_EVENTS = 1_000_000
#: The mmap threshold during an analysis: blocks below it come from (and return to) the heap.
_KEEP_BYTES = 1 << 30
#: What the thresholds are set back to afterwards (glibc's dynamic maximum, and twice it).
_MMAP_AFTER = 32 << 20
_TRIM_AFTER = 64 << 20
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_lock = threading.Lock()
_depth = 0
_libc: Any = None
_checked = False
_hugepage_before: bool | None = None


def _glibc() -> Any:
    """The C library's handle where it is glibc with ``mallopt``, else None (cached)."""
    global _libc, _checked
    if not _checked:
        _checked = True
        if sys.platform.startswith("linux"):
            import ctypes
            import platform

            if platform.libc_ver()[0] == "glibc":
                try:
                    lib = ctypes.CDLL("libc.so.6")
                    if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim"):
                        _libc = lib
                except OSError:  # pragma: no cover - glibc without libc.so.6
                    _libc = None
    return _libc


def _set_hugepage(on: bool) -> bool | None:
    """Set numpy's huge-page advice for new arrays; the previous setting (None: unknown).

    numpy advises the kernel to back each large array with huge pages; in the reused
    heap that advice makes page faults stall on memory compaction (seen: 3 to 5 s of
    system time in one 10M-event friction table, against 1 s with plain pages).
    """
    import importlib

    try:
        multiarray = importlib.import_module("numpy._core.multiarray")
    except ImportError:  # pragma: no cover - numpy 1.x
        multiarray = importlib.import_module("numpy.core.multiarray")
    setter = getattr(multiarray, "_set_madvise_hugepage", None)
    if setter is None:  # pragma: no cover - a numpy without it
        return None
    return bool(setter(on))


def _enabled() -> bool:
    return os.environ.get("FRICTIONKIT_KEEP_FREED_MEMORY", "1") != "0"


@contextlib.contextmanager
def reusing_memory(n_events: int) -> Iterator[None]:
    """Keep freed memory for reuse while the block runs, for a log of ``n_events``.

    Parameters
    ----------
    n_events : int
        Events of the log analysed; below :data:`MIN_EVENTS` nothing is changed.

    Yields
    ------
    None
    """
    global _depth
    libc = _glibc() if n_events >= MIN_EVENTS and _enabled() else None
    if libc is None:
        yield
        return
    global _hugepage_before
    with _lock:
        _depth += 1
        if _depth == 1:
            libc.mallopt(_M_MMAP_THRESHOLD, _KEEP_BYTES)
            libc.mallopt(_M_TRIM_THRESHOLD, 2 * _KEEP_BYTES)
            _hugepage_before = _set_hugepage(False)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_AFTER)
                libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_AFTER)
                if _hugepage_before is not None:
                    _set_hugepage(_hugepage_before)
                libc.malloc_trim(0)


def _events_of(obj: object) -> int:
    """The ``n_events`` of an event log (0 for anything else: it is validated later)."""
    n = getattr(obj, "n_events", 0)
    return n if isinstance(n, int) else 0


def reuses_memory(fn: _F) -> _F:
    """Decorator: run an analysis of an event log inside :func:`reusing_memory`.

    The log is the first positional argument (``self`` of a method on the log) or the
    ``log`` keyword; its ``n_events`` decides.

    Parameters
    ----------
    fn : callable
        The analysis.

    Returns
    -------
    callable
        The same function, run with freed memory kept for large logs.

    Examples
    --------
    >>> @reuses_memory
    ... def first(log):
    ...     return log[0]
    >>> first([1, 2, 3])
    1
    """
    import functools

    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with reusing_memory(_events_of(args[0] if args else kwargs.get("log"))):
            return fn(*args, **kwargs)

    return cast("_F", inner)
