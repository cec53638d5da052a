"""Kernels of the event log: grouped quantiles, journey outcomes, stage inference (numpy only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.events._outcomes import FAILURE, SUCCESS
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model import Journey

_N_INFERRED_STAGES = 5
_INT = np.int64

IntArray = np.ndarray[Any, np.dtype[np.int64]]


def _labels(values: Any) -> list[str]:
    """The text label of each value (touchpoints and channels are labelled by their text)."""
    return [str(v) for v in values]


# ---------------------------------------------------------------------------------------
# pure kernels (numpy in, numpy out, no validation)
# ---------------------------------------------------------------------------------------
def group_quantiles(
    groups: np.ndarray, values: np.ndarray, n_groups: int, qs: Sequence[float]
) -> np.ndarray:
    """Quantiles of ``values`` within each group (linear interpolation, numpy's default).

    For each group of ``c`` values the quantile ``q`` lies at ``h = (c - 1) * q`` in the
    sorted values: ``v[lo] + (h - lo) * (v[lo + 1] - v[lo])`` with ``lo = floor(h)``. Up to
    4,096 groups, the values are grouped by a stable radix sort of the group codes and
    only the order statistics needed are selected in each group (one partition per
    group), in time linear in the number of values; more groups are sorted by (group,
    value).

    Parameters
    ----------
    groups : ndarray of int
        Group code of each value, in ``0 .. n_groups - 1``.
    values : ndarray of float
        The values (NaN values are ignored).
    n_groups : int
        Number of groups.
    qs : sequence of float
        Quantile levels in [0, 1].

    Returns
    -------
    ndarray, shape (n_groups, len(qs))
        NaN for groups without values.

    Examples
    --------
    >>> import numpy as np
    >>> group_quantiles(np.array([0, 0, 0, 1]), np.array([3.0, 1.0, 2.0, 5.0]), 3, [0.5])
    array([[ 2.],
           [ 5.],
           [nan]])
    """
    keep = ~np.isnan(values)
    if not keep.all():
        groups, values = groups[keep], values[keep]
    if n_groups <= _SMALL_GROUPS:  # a radix grouping, then the needed order statistics
        return _partition_quantiles(groups, values, n_groups, qs)
    order = np.lexsort((values, groups))
    v = values[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full((n_groups, len(qs)), np.nan)
    has = counts > 0
    c, base = counts[has], starts[has]
    h = [(c - 1) * q for q in qs]
    lo = [np.floor(x).astype(_INT) for x in h]
    hi = [np.minimum(x + 1, c - 1) for x in lo]
    for j in range(len(qs)):
        vlo, vhi = v[base + lo[j]], v[base + hi[j]]
        out[has, j] = vlo + (h[j] - lo[j]) * (vhi - vlo)
    return out


def int_group_quantiles(
    groups: np.ndarray, values: np.ndarray, n_groups: int, qs: Sequence[float]
) -> np.ndarray:
    """Quantiles of non-negative integer values per group, by one sort of a combined key.

    Same results as :func:`group_quantiles` (linear interpolation) for values below
    2**53, where every integer is exact as a float (nanosecond durations of up to 104
    days); faster for integers; falls back to it when the combined key would overflow
    int64. Above 2**53 the two may differ in the last bits (the integers are rounded to
    floats at different points).

    Examples
    --------
    >>> import numpy as np
    >>> int_group_quantiles(np.array([1, 1, 0]), np.array([4, 2, 7]), 2, (0.5,))
    array([[7.],
           [3.]])
    """
    if len(values) == 0:
        return np.full((n_groups, len(qs)), np.nan)
    if n_groups <= _SMALL_GROUPS:
        return _partition_quantiles(groups, values, n_groups, qs)
    width = int(values.max()) + 1
    if width * max(n_groups, 1) >= 2**62:
        return group_quantiles(groups, values.astype(float), n_groups, qs)
    key = np.sort(groups.astype(_INT) * width + values)
    g = key // width
    v = (key - g * width).astype(float)
    counts = np.bincount(g, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full((n_groups, len(qs)), np.nan)
    has = counts > 0
    for j, q in enumerate(qs):
        h = (counts[has] - 1) * q
        lo = np.floor(h).astype(_INT)
        hi = np.minimum(lo + 1, counts[has] - 1)
        vlo, vhi = v[starts[has] + lo], v[starts[has] + hi]
        out[has, j] = vlo + (h - lo) * (vhi - vlo)
    return out


_SMALL_GROUPS = 4096

#: Largest journey x code flag table of :func:`journeys_per_code`.
_DENSE_PAIRS = 1 << 26


def journeys_per_code(journey: np.ndarray, tp: np.ndarray, n_tp: int) -> np.ndarray:
    """Distinct journeys per code (e.g. touchpoint) among (journey, code) pairs.

    A table of one flag per journey and touchpoint when it is small (at most
    ``_DENSE_PAIRS`` cells), else one sort of the pairs.

    Examples
    --------
    >>> import numpy as np
    >>> journeys_per_code(np.array([0, 0, 1, 2]), np.array([1, 1, 1, 0]), 3)
    array([1, 2, 0])
    """
    if not len(journey):
        return np.zeros(n_tp, dtype=np.int64)
    n_j = int(journey.max()) + 1
    if n_j * n_tp <= _DENSE_PAIRS:
        seen = np.zeros(n_j * n_tp, dtype=bool)
        seen[journey.astype(np.int64) * n_tp + tp] = True  # flat: no 2-D index arithmetic
        dense: np.ndarray = seen.reshape(n_j, n_tp).sum(axis=0, dtype=np.int64)
        return dense
    key = np.unique(journey.astype(np.int64) * n_tp + tp)
    counts: np.ndarray = np.bincount(key % n_tp, minlength=n_tp)
    return counts


def grouped_order(groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Stable order that groups equal codes together, and the size of each group.

    Codes are narrowed to the smallest unsigned type first, so numpy uses its linear-time
    radix sort for up to 65,536 groups.

    Parameters
    ----------
    groups : ndarray of int
        Codes in ``0 .. n_groups - 1``.
    n_groups : int
        Number of codes.

    Returns
    -------
    order : ndarray of intp
        ``groups[order]`` is non-decreasing; equal codes keep their input order.
    counts : ndarray of int64
        Size of each group.

    Examples
    --------
    >>> import numpy as np
    >>> grouped_order(np.array([2, 0, 2, 0]), 3)
    (array([1, 3, 0, 2]), array([2, 0, 2]))
    """
    if n_groups <= 256:
        narrow: np.ndarray = groups.astype(np.uint8)
    elif n_groups <= 65536:
        narrow = groups.astype(np.uint16)
    else:
        narrow = groups
    order = np.argsort(narrow, kind="stable")
    return order, np.bincount(groups, minlength=n_groups).astype(_INT)


def _partition_quantiles(
    groups: np.ndarray, values: np.ndarray, n_groups: int, qs: Sequence[float]
) -> np.ndarray:
    """Exact linear-interpolation quantiles by a radix grouping and one partition per group."""
    if not len(qs):
        return np.full((n_groups, 0), np.nan)
    order, counts = grouped_order(groups, n_groups)
    return grouped_quantiles(values[order], counts, qs)


#: Largest group x bucket histogram of :func:`select_group_quantiles`.
_SELECT_CELLS = 1 << 22


def select_group_quantiles(
    groups: np.ndarray, values: np.ndarray, n_groups: int, qs: Sequence[float]
) -> np.ndarray:
    """Quantiles of non-negative integers per group, by a bucket histogram (no full sort).

    The same numbers as :func:`int_group_quantiles` (linear interpolation between the two
    order statistics around ``(count - 1) * q``). A histogram of each group's values over
    up to 4,096 buckets of their high bits finds the bucket holding each order statistic;
    only the events of those buckets are sorted. Falls back to
    :func:`int_group_quantiles` when the histogram would be large.

    Examples
    --------
    >>> import numpy as np
    >>> select_group_quantiles(np.array([1, 1, 0]), np.array([4, 2, 7]), 2, (0.5,))
    array([[7.],
           [3.]])
    """
    if len(values) == 0:
        return np.full((n_groups, len(qs)), np.nan)
    shift, n_b = _buckets(values)
    if n_groups * n_b > _SELECT_CELLS or int(values.min()) < 0:
        return int_group_quantiles(groups, values, n_groups, qs)
    key = groups.astype(_INT) * n_b + (values >> shift)
    hist = np.bincount(key, minlength=n_groups * n_b).reshape(n_groups, n_b)
    plan = _select_plan(hist, qs)
    wanted = np.zeros(n_groups * n_b, dtype=bool)
    wanted[plan[3]] = True
    sel = np.flatnonzero(wanted[key])
    return _select_picks(key[sel], values[sel], plan, n_groups, len(qs))


def select_nested_quantiles(
    groups: np.ndarray,
    values: np.ndarray,
    n_groups: int,
    qs: Sequence[float],
    parent: np.ndarray,
    n_parents: int,
    parent_qs: Sequence[float],
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`select_group_quantiles` of the groups and of their parents, from one histogram.

    ``parent[g]`` (in ``0 .. n_parents - 1``) is the parent of group ``g`` (e.g. the stage
    of a touchpoint); the parents' histogram is the sum of their groups', and one pass
    over the values gathers those of the buckets either level needs. The numbers of
    ``select_group_quantiles(groups, ...)`` and ``select_group_quantiles(parent[groups],
    ...)``, which it falls back to where the histograms would be large.

    Examples
    --------
    >>> import numpy as np
    >>> q, pq = select_nested_quantiles(np.array([1, 1, 0]), np.array([4, 2, 7]), 2,
    ...     (0.5,), np.array([0, 0]), 1, (0.5,))
    >>> q.tolist(), pq.tolist()
    ([[7.0], [3.0]], [[4.0]])
    """
    parent = np.asarray(parent, dtype=_INT)
    if len(values):
        shift, n_b = _buckets(values)
    if (
        len(values) == 0
        or max(n_groups, n_parents) * n_b > _SELECT_CELLS
        or int(values.min()) < 0
        or (len(parent) and (int(parent.min()) < 0 or int(parent.max()) >= n_parents))
    ):
        return (
            select_group_quantiles(groups, values, n_groups, qs),
            select_group_quantiles(parent[groups], values, n_parents, parent_qs),
        )
    key = groups.astype(_INT) * n_b + (values >> shift)
    hist = np.bincount(key, minlength=n_groups * n_b).reshape(n_groups, n_b)
    parent_hist = np.zeros((n_parents, n_b), dtype=hist.dtype)
    np.add.at(parent_hist, parent, hist)
    plan = _select_plan(hist, qs)
    parent_plan = _select_plan(parent_hist, parent_qs)
    wanted_parent = np.zeros(n_parents * n_b, dtype=bool)
    wanted_parent[parent_plan[3]] = True
    wanted = wanted_parent.reshape(n_parents, n_b)[parent].ravel()
    wanted[plan[3]] = True
    sel = np.flatnonzero(wanted[key])
    sk, sv = key[sel], values[sel]
    parent_key = parent[sk // n_b] * n_b + sk % n_b
    return (
        _select_picks(sk, sv, plan, n_groups, len(qs)),
        _select_picks(parent_key, sv, parent_plan, n_parents, len(parent_qs)),
    )


def _buckets(values: np.ndarray) -> tuple[int, int]:
    """The right shift that leaves at most 4,096 buckets of ``values``, and their number."""
    top = int(values.max())
    shift = max(top.bit_length() - 12, 0)
    return shift, (top >> shift) + 1


_SelectPlan = tuple[np.ndarray, list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]


def _select_plan(hist: np.ndarray, qs: Sequence[float]) -> _SelectPlan:
    """Where each order statistic of the rows of a bucket histogram lies.

    Returns the rows with values, the positions ``h`` and ``lo`` of each quantile, the
    cell (``row * n_buckets + bucket``) of each order statistic needed (the ``lo`` ones of
    every quantile, then the ``hi`` ones) and its rank within the cell.
    """
    n_b = hist.shape[1]
    cum = np.cumsum(hist, axis=1)
    counts = cum[:, -1]
    has = np.flatnonzero(counts > 0)
    c = counts[has]
    h = [(c - 1) * q for q in qs]
    lo = [np.floor(x).astype(_INT) for x in h]
    hi = [np.minimum(x + 1, c - 1) for x in lo]
    # the order statistics wanted: (row, rank), each found in one bucket
    g_need = np.tile(has, 2 * len(qs))
    r_need = np.concatenate(lo + hi) if len(qs) else np.zeros(0, dtype=_INT)
    b_need = (cum[g_need] <= r_need[:, None]).sum(axis=1)
    before = np.where(b_need > 0, cum[g_need, np.maximum(b_need - 1, 0)], 0)
    return has, h, lo, g_need * n_b + b_need, r_need - before


def _select_picks(
    sk: np.ndarray, sv: np.ndarray, plan: _SelectPlan, n_rows: int, n_qs: int
) -> np.ndarray:
    """The quantiles from the values ``sv`` (cells ``sk``) of every cell the plan needs."""
    has, h, lo, cell, rank = plan
    srt = np.lexsort((sv, sk))
    sk, sv = sk[srt], sv[srt]
    picked = sv[np.searchsorted(sk, cell) + rank].astype(float)
    m = len(has)
    out = np.full((n_rows, n_qs), np.nan)
    for j in range(n_qs):
        vlo = picked[j * m : (j + 1) * m]
        vhi = picked[(n_qs + j) * m : (n_qs + j + 1) * m]
        out[has, j] = vlo + (h[j] - lo[j]) * (vhi - vlo)
    return out


def grouped_quantiles(v: np.ndarray, counts: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles (linear interpolation) of values laid out group after group.

    ``v`` holds the values of group 0, then group 1, ... (``counts`` of each, in any order
    within a group); one partition per non-empty group. Shape ``(len(counts), len(qs))``,
    NaN for empty groups.

    Examples
    --------
    >>> import numpy as np
    >>> grouped_quantiles(np.array([3.0, 1.0, 2.0, 5.0]), np.array([3, 0, 1]), (0.5,))
    array([[ 2.],
           [nan],
           [ 5.]])
    """
    n_groups = len(counts)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full((n_groups, len(qs)), np.nan)
    for g in np.flatnonzero(counts).tolist():
        c = int(counts[g])
        seg = v[starts[g] : starts[g] + c]
        hs = [(c - 1) * q for q in qs]
        los = [math.floor(h) for h in hs]
        his = [min(lo + 1, c - 1) for lo in los]
        part = np.partition(seg, sorted(set(los + his)))
        for j, (h, lo, hi) in enumerate(zip(hs, los, his, strict=True)):
            vlo, vhi = float(part[lo]), float(part[hi])
            out[g, j] = vlo + (h - lo) * (vhi - vlo)
    return out


def journey_outcomes(
    event_outcome: np.ndarray, offsets: np.ndarray, when_both: str
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome code and deciding event of each journey from per-event outcome codes.

    Parameters
    ----------
    event_outcome : ndarray of int8
        0 (no outcome), 1 (success) or 2 (failure) per event, in journey order.
    offsets : ndarray of int
        Start of each journey in the event arrays, plus the total at the end.
    when_both : {"first", "last", "success", "failure"}
        Rule for journeys holding both success and failure events.

    Returns
    -------
    outcome : ndarray of int8
        0 open, 1 success, 2 failure, per journey.
    deciding : ndarray of int64
        Position of the deciding event in the event arrays, -1 for open journeys.

    Examples
    --------
    >>> import numpy as np
    >>> eo = np.array([0, 1, 2, 0, 0, 2, 1], dtype=np.int8)
    >>> journey_outcomes(eo, np.array([0, 3, 5, 7]), "first")
    (array([1, 0, 2], dtype=int8), array([ 1, -1,  5]))
    >>> journey_outcomes(eo, np.array([0, 3, 5, 7]), "failure")[0]
    array([2, 0, 2], dtype=int8)
    """
    n = len(event_outcome)
    pos = np.arange(n, dtype=_INT)
    big = np.int64(n)
    starts = offsets[:-1]

    def first_of(mask: np.ndarray) -> np.ndarray:
        f = np.minimum.reduceat(np.where(mask, pos, big), starts)
        return np.where(f == big, -1, f)

    def last_of(mask: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(np.where(mask, pos, -1), starts)

    decided = event_outcome != 0
    if when_both == "first":
        deciding = first_of(decided)
    elif when_both == "last":
        deciding = last_of(decided)
    else:
        pref = SUCCESS if when_both == "success" else FAILURE
        fp = first_of(event_outcome == pref)
        deciding = np.where(fp >= 0, fp, first_of(decided))
    outcome = np.where(deciding >= 0, event_outcome[np.maximum(deciding, 0)], 0).astype(np.int8)
    return outcome, deciding.astype(_INT)


def _mode_per_group(
    group: np.ndarray, value: np.ndarray, n_group: int, n_value: int
) -> tuple[np.ndarray, np.ndarray]:
    """Most frequent value per group (ties: lowest code) and the number of distinct values."""
    table = np.bincount(group * n_value + value, minlength=n_group * n_value).reshape(
        n_group, n_value
    )
    return table.argmax(axis=1).astype(_INT), (table > 0).sum(axis=1)


def _fmt(n: int) -> str:
    return f"{n:,}"


def _journey_values(ev: np.ndarray, offsets: np.ndarray, how: str) -> np.ndarray:
    starts = offsets[:-1]
    ok = ~np.isnan(ev)
    if how == "sum":
        total = np.add.reduceat(np.where(ok, ev, 0.0), starts)
        anyok = np.logical_or.reduceat(ok, starts)
        return np.where(anyok, total, np.nan)
    if how == "max":
        return np.fmax.reduceat(ev, starts)
    pos = np.arange(len(ev), dtype=_INT)
    if how == "last":
        p = np.maximum.reduceat(np.where(ok, pos, -1), starts)
    else:
        big = np.int64(len(ev))
        p = np.minimum.reduceat(np.where(ok, pos, big), starts)
        p = np.where(p == big, -1, p)
    return np.where(p >= 0, ev[np.maximum(p, 0)], np.nan)


def _stages_from_journey(
    journey: Journey, touchpoints: tuple[str, ...], strict: bool
) -> tuple[tuple[str, ...], np.ndarray, tuple[str | None, ...]]:
    from frictionkit.model import Journey

    if not isinstance(journey, Journey):
        raise InputTypeError(
            f"journey must be a frictionkit.Journey, got {type(journey).__name__}",
            field="journey",
            value=type(journey).__name__,
        )
    known = journey.ids("touchpoints")
    unknown = [t for t in touchpoints if t not in set(known)]
    stages = list(journey.ids("stages"))
    if unknown and strict:
        hints = "; ".join(f"{u!r}{did_you_mean(u, known)}" for u in unknown[:5])
        raise UnknownReferenceError(
            f"{len(unknown)} touchpoint(s) of the log are not in the journey map: {hints}"
            + (" …" if len(unknown) > 5 else ""),
            field="journey",
            value=unknown,
            hint="Add them to the journey, rename them in the log, or pass strict=False to "
            "keep them in the stage 'unmapped'",
        )
    if unknown:
        stages.append("unmapped")
    pos = {s: i for i, s in enumerate(stages)}
    tp_stage = np.array(
        [pos[journey.stage_of(t)] if t in set(known) else pos["unmapped"] for t in touchpoints],
        dtype=_INT,
    )
    channels = tuple(
        journey.touchpoint(t).channel if t in set(known) else None for t in touchpoints
    )
    return tuple(stages), tp_stage, channels


def _relative_position(event_tp: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    lengths = np.diff(offsets)
    idx = np.arange(len(event_tp), dtype=_INT) - np.repeat(offsets[:-1], lengths)
    denom = np.repeat(np.maximum(lengths - 1, 1), lengths)
    rel: np.ndarray = idx / denom
    return rel


def _infer_stages(
    event_tp: np.ndarray, offsets: np.ndarray, n_tp: int
) -> tuple[tuple[str, ...], np.ndarray]:
    rel = _relative_position(event_tp, offsets)
    # fixed-point positions (2**-40 resolution) let one integer sort do the grouping
    scale = float(2**40)
    med = select_group_quantiles(event_tp, np.round(rel * scale).astype(_INT), n_tp, (0.5,))
    med = med[:, 0] / scale
    k = _N_INFERRED_STAGES
    bins = np.minimum(np.floor(med * k + 1e-9), k - 1).astype(_INT)
    used = np.unique(bins)
    names = tuple(f"inferred_{b + 1}" for b in used.tolist())
    return names, np.searchsorted(used, bins).astype(_INT)


def _stages_from_column(
    s: pd.Series,
    order: np.ndarray,
    event_tp: np.ndarray,
    offsets: np.ndarray,
    n_tp: int,
    touchpoints: tuple[str, ...],
    strict: bool,
) -> tuple[tuple[str, ...], np.ndarray]:
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    first_seen = _labels(uniques)
    # codes in name order, so that a tie for a touchpoint's most frequent stage goes to the
    # stage whose name sorts first, as in EventLog.scan on every engine
    by_name = sorted(range(len(first_seen)), key=lambda i: first_seen[i])
    names = [first_seen[i] for i in by_name]
    recode = np.empty(len(first_seen), dtype=_INT)
    recode[by_name] = np.arange(len(first_seen), dtype=_INT)
    ev_stage = np.where(codes >= 0, recode[np.maximum(codes, 0)], -1)[order].astype(_INT)
    ok = ev_stage >= 0
    if ok.all():  # no copies of the event arrays when every event has a stage
        tp_ok, stage_ok = event_tp, ev_stage
    else:
        tp_ok, stage_ok = event_tp[ok], ev_stage[ok]
    mode, n_distinct = _mode_per_group(tp_ok, stage_ok, n_tp, len(names))
    seen = np.bincount(tp_ok, minlength=n_tp) > 0
    del tp_ok, stage_ok
    if not seen.all():
        missing = [touchpoints[i] for i in np.flatnonzero(~seen)]
        raise ValidationError(
            f"touchpoint(s) {missing[:10]} have no stage in the stage column",
            field="stage_col",
            value=missing[0],
            hint="Fill the stage of every event",
        )
    multi = np.flatnonzero(n_distinct > 1)
    if len(multi) and strict:
        bad = [touchpoints[i] for i in multi]
        raise ValidationError(
            f"touchpoint(s) {bad[:10]} appear in more than one stage",
            field="stage_col",
            value=bad[0],
            hint="Give each touchpoint one stage, or pass strict=False to use the most "
            "frequent stage of each",
        )
    # the stages are those some touchpoint belongs to (with strict=False a stage can lose
    # all its touchpoints to others), placed by the events of their touchpoints
    used = np.unique(mode)
    names = [names[i] for i in used.tolist()]
    mode = np.searchsorted(used, mode).astype(_INT)
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.ordered:
        cat_order = _labels(s.cat.categories)
        stage_order = [c for c in cat_order if c in set(names)]
    else:
        rel = _relative_position(event_tp, offsets)
        med = group_quantiles(mode[event_tp], rel, len(names), [0.5])[:, 0]
        stage_order = [
            names[i] for i in sorted(range(len(names)), key=lambda i: (med[i], names[i]))
        ]
    pos = {n: i for i, n in enumerate(stage_order)}
    remap = np.array([pos[n] for n in names], dtype=_INT)
    return tuple(stage_order), remap[mode]
