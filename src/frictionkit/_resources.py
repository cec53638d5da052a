"""Memory budget: a clear error, rather than swapping, when an analysis would be too big.

Analyses that allocate arrays whose size grows with the input (one value per event, per
draw, per draw and alternative…) ask :func:`check_allocation` before allocating. When the
estimate exceeds the budget they raise :class:`~frictionkit.exceptions.MemoryBudgetError`
naming the analysis, the estimate, the budget and what to change, instead of letting the
machine swap or the process be killed.

The budget is, in order of precedence: the value given to :func:`set_options`, the
environment variable ``FRICTIONKIT_MEMORY_BUDGET_MB``, or by default half of the
physical memory (no limit where that cannot be determined). ``None`` or ``"off"`` turns
the check off.

Examples
--------
>>> from frictionkit._resources import check_allocation, set_options
>>> previous = set_options(memory_budget_mb=100)
>>> check_allocation(8 * 1_000_000, what="1,000,000 draws")  # 8 MB: fine
>>> try:
...     check_allocation(8 * 10**9, what="10^9 draws", hint="Ask for fewer draws")
... except Exception as err:
...     print(type(err).__name__, "|", err.needed_mb, ">", err.budget_mb)
MemoryBudgetError | 8000.0 > 100.0
>>> _ = set_options(**previous)
"""

from __future__ import annotations

import math
import os
from typing import Any

from frictionkit.exceptions import InputTypeError, MemoryBudgetError, ValidationError

__all__ = [
    "MEMORY_BUDGET_ENV",
    "MemoryBudgetError",
    "array_bytes",
    "check_allocation",
    "get_options",
    "memory_budget_mb",
    "set_options",
]

#: Environment variable read when no budget was set in code (megabytes, or "off").
MEMORY_BUDGET_ENV = "FRICTIONKIT_MEMORY_BUDGET_MB"
_MB = 1_000_000  # decimal megabytes, as people read them
_AUTO = "auto"
_options: dict[str, Any] = {"memory_budget_mb": _AUTO}


def _physical_mb() -> float | None:
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # not available (e.g. Windows)
        return None
    if pages <= 0 or size <= 0:
        return None
    return float(pages) * float(size) / _MB


def _as_budget(value: Any, field: str) -> float | str | None:
    if value is None or value == _AUTO:
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"off", "none", ""}:
            return None
        if text == _AUTO:
            return _AUTO
        try:
            value = float(text)
        except ValueError:
            raise ValidationError(
                f"{field} must be a number of megabytes, 'auto' or 'off', got {value!r}",
                field=field,
                value=value,
            ) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputTypeError(
            f"{field} must be a number of megabytes, 'auto' or None, got {value!r}",
            field=field,
            value=value,
        )
    if not math.isfinite(float(value)) or value <= 0:
        raise ValidationError(
            f"{field} must be a finite number of megabytes > 0, got {value!r}",
            field=field,
            value=value,
            hint="Use None to turn the check off",
        )
    return float(value)


def set_options(**options: Any) -> dict[str, Any]:
    """Set library-wide options; returns the previous values (to restore them later).

    Parameters
    ----------
    memory_budget_mb : float, "auto" or None
        Largest memory, in megabytes, one analysis may allocate for its working arrays.
        ``"auto"`` (the default) is half of the physical memory; ``None`` turns the check
        off.

    Returns
    -------
    dict
        The options as they were, so ``set_options(**previous)`` restores them.

    Examples
    --------
    >>> previous = set_options(memory_budget_mb=512)
    >>> memory_budget_mb()
    512.0
    >>> _ = set_options(**previous)
    """
    unknown = sorted(set(options) - set(_options))
    if unknown:
        from frictionkit.exceptions import UnknownReferenceError, did_you_mean

        raise UnknownReferenceError(
            f"unknown option {unknown[0]!r}" + did_you_mean(unknown[0], _options),
            field="options",
            value=unknown[0],
            hint=f"Options: {', '.join(_options)}",
        )
    previous = dict(_options)
    for name, value in options.items():
        _options[name] = _as_budget(value, name)
    return previous


def get_options() -> dict[str, Any]:
    """The current options (a copy).

    Examples
    --------
    >>> sorted(get_options())
    ['memory_budget_mb']
    """
    return dict(_options)


def memory_budget_mb() -> float | None:
    """The budget in force, in megabytes (``None``: no limit).

    Examples
    --------
    >>> previous = set_options(memory_budget_mb=None)
    >>> memory_budget_mb() is None
    True
    >>> _ = set_options(**previous)
    """
    value = _options["memory_budget_mb"]
    if value == _AUTO:
        env = os.environ.get(MEMORY_BUDGET_ENV)
        value = _AUTO if env is None else _as_budget(env, MEMORY_BUDGET_ENV)
    if value == _AUTO:
        physical = _physical_mb()
        return None if physical is None else physical / 2
    return None if value is None else float(value)


def array_bytes(*shape: int, itemsize: int = 8) -> int:
    """Bytes of an array of this shape (``itemsize`` 8 for float64/int64).

    Examples
    --------
    >>> array_bytes(10_000, 1_000)
    80000000
    """
    return math.prod(int(s) for s in shape) * int(itemsize)


def check_allocation(n_bytes: float, *, what: str, hint: str | None = None) -> None:
    """Raise :class:`MemoryBudgetError` when ``n_bytes`` exceeds the memory budget.

    Parameters
    ----------
    n_bytes : float
        Estimated peak bytes of the working arrays of the analysis.
    what : str
        The analysis and its size, for the message ("SMAA with 10^9 draws x 12 options").
    hint : str, optional
        How to ask for less; the message also says how to raise the budget.

    Examples
    --------
    >>> check_allocation(1024, what="a tiny table")
    """
    budget = memory_budget_mb()
    if budget is None:
        return
    needed = float(n_bytes) / _MB
    if needed <= budget:
        return
    advice = f"{hint}. " if hint else ""
    raise MemoryBudgetError(
        f"{what} needs about {needed:,.0f} MB of memory, more than the budget of {budget:,.0f} MB",
        field="memory_budget_mb",
        value=round(needed, 1),
        needed_mb=round(needed, 1),
        budget_mb=round(budget, 1),
        hint=f"{advice}Or raise the budget: frictionkit._resources.set_options("
        f"memory_budget_mb=...) or the {MEMORY_BUDGET_ENV} environment variable",
    )
