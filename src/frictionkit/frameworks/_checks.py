"""Input checks shared by the framework functions of :mod:`frictionkit.frameworks` (private)."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from frictionkit.exceptions import InputTypeError, ValidationError, _short

FloatArray: TypeAlias = npt.NDArray[np.float64]

# ---------------------------------------------------------------------------------------
# validation helpers


def _arr(
    value: Any, field: str, *, low: float | None = 0.0, high: float | None = None
) -> FloatArray:
    if isinstance(value, (str, bytes)):
        raise InputTypeError(
            f"{field} must be numbers, got {_short(value)}", field=field, value=value
        )
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            f"{field} must be numbers, got {_short(value)}", field=field, value=value
        ) from exc
    bad = np.flatnonzero(~np.isfinite(arr.ravel()))
    if bad.size:
        raise ValidationError(
            f"{field} must be finite, got {_short(arr.ravel()[bad[0]])} at position {int(bad[0])}",
            field=field,
            value=value,
            hint="Fill or drop missing values first",
        )
    flat = arr.ravel()
    out_low = np.flatnonzero(flat < low) if low is not None else np.array([], dtype=int)
    out_high = np.flatnonzero(flat > high) if high is not None else np.array([], dtype=int)
    if out_low.size or out_high.size:
        k = int(out_low[0]) if out_low.size else int(out_high[0])
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValidationError(
            f"{field} must lie in [{lo}, {hi}], got {flat[k]:g} at position {k}",
            field=field,
            value=value,
        )
    return arr


def _positive(value: Any, field: str, hint: str) -> FloatArray:
    arr = _arr(value, field)
    zero = np.flatnonzero(arr.ravel() <= 0)
    if zero.size:
        raise ValidationError(
            f"{field} must be > 0 (it divides the score), got {arr.ravel()[zero[0]]:g} "
            f"at position {int(zero[0])}",
            field=field,
            value=value,
            hint=hint,
        )
    return arr


def _broadcast(*arrays: FloatArray) -> tuple[FloatArray, ...]:
    try:
        return tuple(np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(*arrays))
    except ValueError as exc:
        shapes = ", ".join(str(np.shape(a)) for a in arrays)
        raise ValidationError(
            f"inputs must have the same length (or be single numbers), got shapes {shapes}",
            field="inputs",
        ) from exc


class _ScoreOverflowError(ValidationError):
    """A score is beyond float64; ``positions`` are the items at fault (private)."""

    def __init__(self, message: str, *, positions: tuple[int, ...], **kwargs: Any) -> None:
        self.positions = positions
        super().__init__(message, **kwargs)


_OVERFLOW_HINT = (
    "Inputs this extreme (a divisor near 0 such as 5e-324, or products beyond 1e308) are "
    "almost surely a unit error: express them in units that keep them between about "
    "1e-300 and 1e300"
)


def _finite(compute: Any, formula: str, *args: FloatArray) -> FloatArray:
    """``compute(*args)`` without overflow warnings; refuse results beyond float64."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = np.asarray(compute(*args), dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(out.ravel()))
    if bad.size:
        shown = ", ".join(str(int(k)) for k in bad[:10]) + (" ..." if bad.size > 10 else "")
        raise _ScoreOverflowError(
            f"{formula} is beyond the float64 range (about 1.8e308) at {bad.size} "
            f"position(s): {shown}",
            positions=tuple(int(k) for k in bad),
            field=formula,
            value=[int(k) for k in bad],
            hint=_OVERFLOW_HINT,
        )
    return out
