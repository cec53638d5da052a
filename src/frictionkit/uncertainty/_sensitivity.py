"""Weight sensitivity: stability intervals of the top-k set and one-at-a-time sweeps."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._validate import as_weights as _check_weights
from frictionkit.exceptions import (
    InputTypeError,
    ValidationError,
)
from frictionkit.mcda import _minmax_kernel
from frictionkit.uncertainty._common import (
    BoolArray,
    FloatArray,
    Method,
    _count,
    _k,
    _method,
)
from frictionkit.uncertainty._smaa import (
    _order_kernel,
    _prepare,
    _Scorer,
    _top_k_sets,
)

# ---------------------------------------------------------------------------------------
# weight sensitivity


def _fixed_inputs(
    matrix: Any, weights: Any, benefit: Any, method: Any
) -> tuple[str, FloatArray, FloatArray, BoolArray, pd.Index, pd.Index]:
    kind = _method(method)
    x, ben, alts, crits = _prepare(matrix, None, benefit, None, None)
    w = _check_weights(weights, len(crits))
    return kind, x, w, ben, alts, crits


def _moved(w: FloatArray, j: int, t: FloatArray) -> FloatArray:
    """Weight vectors with ``w_j = t`` and the others rescaled to keep the sum 1."""
    t = np.asarray(t, dtype=np.float64)
    rest = 1.0 - w[j]
    if rest > 1e-15:
        out = w[None, :] * ((1.0 - t) / rest)[:, None]
    else:
        m = w.size
        out = np.broadcast_to(((1.0 - t) / max(m - 1, 1))[:, None], (t.size, m)).copy()
    out[:, j] = t
    return np.asarray(out, dtype=np.float64)


def _swap(old: BoolArray, new: BoolArray, alts: pd.Index) -> tuple[object, object]:
    gone = [alts[i] for i in np.flatnonzero(old & ~new).tolist()]
    came = [alts[i] for i in np.flatnonzero(new & ~old).tolist()]
    return (gone[0] if len(gone) == 1 else (gone or None)), (
        came[0] if len(came) == 1 else (came or None)
    )


def _ws_interval(r: FloatArray, w: FloatArray, j: int, member: BoolArray) -> tuple[float, float]:
    """Exact interval of ``w_j`` keeping the top-k set (weighted sum: scores linear in t)."""
    rest = 1.0 - w[j]
    m = w.size
    if rest > 1e-15:
        others = (r @ w - r[:, j] * w[j]) / rest
    else:
        others = (r.sum(axis=1) - r[:, j]) / max(m - 1, 1)
    # score_i(t) = others_i + t (r_ij - others_i)
    a, b = others, r[:, j] - others
    tj = float(w[j])
    ins, outs = np.flatnonzero(member), np.flatnonzero(~member)
    if outs.size == 0:
        return 0.0, 1.0
    da = a[outs][None, :] - a[ins][:, None]  # a_out - a_in
    db = b[ins][:, None] - b[outs][None, :]  # b_in - b_out
    with np.errstate(divide="ignore", invalid="ignore"):
        t = da / db  # crossing point of each (in, out) pair
    up = (db < 0) & (t >= tj - 1e-12)  # out line steeper: overtakes as t grows
    down = (db > 0) & (t <= tj + 1e-12)  # out line flatter: overtakes as t falls
    hi = float(min(1.0, t[up].min())) if up.any() else 1.0
    lo = float(max(0.0, t[down].max())) if down.any() else 0.0
    return max(lo, 0.0), min(hi, 1.0)


def _scores_for(kind: str, x: FloatArray, ben: BoolArray, w: FloatArray) -> FloatArray:
    return _Scorer(kind, ben, x)(w)


def _bisect_edge(
    kind: str,
    x: FloatArray,
    ben: BoolArray,
    w: FloatArray,
    j: int,
    same: float,
    diff: float,
    member: BoolArray,
    k: int,
) -> float:
    for _ in range(60):
        mid = 0.5 * (same + diff)
        sc = _scores_for(kind, x, ben, _moved(w, j, np.array([mid])))
        if (_top_k_sets(sc, k)[0] == member).all():
            same = mid
        else:
            diff = mid
        if abs(diff - same) < 1e-12:
            break
    return same


def _change_pct(value: float, base: float) -> float:
    return (value - base) / base * 100.0 if base > 0 else math.nan


def stability_intervals(
    matrix: Any,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | bool,
    method: Method = "weighted_sum",
    k: int = 1,
    *,
    grid: int = 2001,
) -> pd.DataFrame:
    """For each criterion, the weight interval over which the top-k set is unchanged.

    The weight of criterion ``j`` moves to ``t`` while the other weights are rescaled in
    proportion, ``w_l(t) = w_l (1 - t) / (1 - w_j)``, so the weights still sum to 1 and
    keep their ratios (if ``w_j = 1`` the others share ``1 - t`` equally). The interval
    ``[low, high]`` contains the current weight; at an endpoint two alternatives tie and
    the tie rule (input order) decides.

    - Weighted sum (min-max normalisation): every score is linear in ``t``, so the
      endpoints are the exact crossing points of a member and a non-member of the top-k
      set (solved in closed form).
    - TOPSIS: the closeness is evaluated on a grid of ``grid`` values of ``t`` in
      ``[0, 1]`` and each endpoint refined by bisection to ``1e-12``. A change that
      reverses within one grid step (``1 / (grid - 1)``) can be missed.

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` criteria values.
    weights : array-like
        ``m`` weights (normalised to sum 1 with a warning if needed).
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
    k : int, default 1
        Size of the top set, ``1 <= k <= n``.
    grid : int, default 2001
        Grid size for TOPSIS.

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion: ``weight``, ``low``, ``high`` (bounds of that criterion's
        weight), ``low_change_pct`` and ``high_change_pct`` (relative to ``weight``),
        ``out_at_low``/``in_at_low`` and ``out_at_high``/``in_at_high`` (the alternatives
        that leave and enter the top-k set beyond each endpoint; missing at 0 or 1).

    Examples
    --------
    >>> m = [[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]]
    >>> stability_intervals(m, [0.5, 0.5], [True, True])[["low", "high"]]
                low  high
    criterion
    0           0.4   0.6
    1           0.4   0.6
    """
    kind, x, w, ben, alts, crits = _fixed_inputs(matrix, weights, benefit, method)
    n, m = x.shape
    kk = _k(k, n)
    grid_n = _count(grid, "grid", low=3)
    member = _top_k_sets(_scores_for(kind, x, ben, w[None, :]), kk)[0]
    rows = []
    r = _minmax_kernel(x, ben)
    for j in range(m):
        tj = float(w[j])
        if kind == "weighted_sum":
            lo, hi = _ws_interval(r, w, j, member)
        else:
            ts = np.linspace(0.0, 1.0, grid_n)
            same = (_top_k_sets(_scores_for(kind, x, ben, _moved(w, j, ts)), kk) == member).all(
                axis=1
            )
            above = np.flatnonzero((ts > tj) & ~same)
            below = np.flatnonzero((ts < tj) & ~same)
            hi = 1.0
            if above.size:
                i = int(above[0])
                hi = _bisect_edge(kind, x, ben, w, j, max(tj, ts[i - 1]), ts[i], member, kk)
            lo = 0.0
            if below.size:
                i = int(below[-1])
                lo = _bisect_edge(kind, x, ben, w, j, min(tj, ts[i + 1]), ts[i], member, kk)
        swaps: list[object] = []
        for edge, step in ((lo, -1e-9), (hi, 1e-9)):
            probe = edge + step
            if 0.0 <= probe <= 1.0 and ((edge > 0.0) if step < 0 else (edge < 1.0)):
                sc = _scores_for(kind, x, ben, _moved(w, j, np.array([probe])))
                swaps.extend(_swap(member, _top_k_sets(sc, kk)[0], alts))
            else:
                swaps.extend([None, None])
        rows.append(
            {
                "weight": tj,
                "low": lo,
                "high": hi,
                "low_change_pct": _change_pct(lo, tj),
                "high_change_pct": _change_pct(hi, tj),
                "out_at_low": swaps[0],
                "in_at_low": swaps[1],
                "out_at_high": swaps[2],
                "in_at_high": swaps[3],
            }
        )
    return pd.DataFrame(rows, index=crits)


def weight_sweep(
    matrix: Any,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | bool,
    method: Method = "weighted_sum",
    pct: Sequence[float] = (-50, -25, -10, 0, 10, 25, 50),
) -> pd.DataFrame:
    """One-at-a-time sweep: move each criterion's weight by ``pct`` percent and rank again.

    The moved weight is ``w_j (1 + pct / 100)``, clipped to ``[0, 1]``; the other weights
    are rescaled in proportion so the weights sum to 1 (as in
    :func:`stability_intervals`).

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` criteria values.
    weights : array-like
        ``m`` weights.
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
    pct : sequence of float, default (-50, -25, -10, 0, 10, 25, 50)
        Relative changes in percent, each ``>= -100``.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (criterion, pct, alternative) with columns ``criterion``,
        ``pct``, ``weight`` (the moved criterion's new weight), ``alternative``,
        ``score`` and ``rank``.

    Examples
    --------
    >>> m = [[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]]
    >>> t = weight_sweep(m, [0.5, 0.5], True, pct=[-50, 50])
    >>> t.pivot_table(index=["criterion", "pct"], columns="alternative", values="rank")
    alternative      0    1    2
    criterion pct
    0         -50  3.0  1.0  2.0
               50  1.0  3.0  2.0
    1         -50  1.0  3.0  2.0
               50  3.0  1.0  2.0
    """
    kind, x, w, ben, alts, crits = _fixed_inputs(matrix, weights, benefit, method)
    if isinstance(pct, (str, bytes)) or not hasattr(pct, "__iter__"):
        raise InputTypeError(f"pct must be a list of numbers, got {pct!r}", field="pct", value=pct)
    steps = np.array([_pct(p) for p in pct], dtype=np.float64)
    if steps.size == 0:
        raise ValidationError("pct is empty", field="pct", value=pct)
    n = x.shape[0]
    frames = []
    for j in range(len(crits)):
        t = np.clip(w[j] * (1.0 + steps / 100.0), 0.0, 1.0)
        sc = _scores_for(kind, x, ben, _moved(w, j, t))
        order_ = _order_kernel(sc)
        ranks = np.empty_like(order_)
        np.put_along_axis(ranks, order_, np.arange(1, n + 1)[None, :], axis=1)
        frames.append(
            pd.DataFrame(
                {
                    "criterion": np.repeat(np.array(list(crits) * 1, dtype=object)[j], sc.size),
                    "pct": np.repeat(steps, n),
                    "weight": np.repeat(t, n),
                    "alternative": np.tile(np.array(list(alts), dtype=object), steps.size),
                    "score": sc.ravel(),
                    "rank": ranks.ravel(),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    if all(float(p).is_integer() for p in steps):
        out["pct"] = out["pct"].astype(np.int64)
    return out


def _pct(p: Any) -> float:
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise InputTypeError(f"pct values must be numbers, got {p!r}", field="pct", value=p)
    v = float(p)
    if not math.isfinite(v) or v < -100:
        raise ValidationError(
            f"pct values must be finite and >= -100, got {p!r}", field="pct", value=p
        )
    return v
