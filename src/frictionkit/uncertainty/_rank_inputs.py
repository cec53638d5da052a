"""Inputs of :func:`rank_risk`: the sampled cells of a plan, scored per draw.

The per-draw kernels are those of the scoring registry (:data:`frictionkit.scoring.SCORING`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from frictionkit._protocol import plural
from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    InputTypeError,
    ValidationError,
)
from frictionkit.model import Improvement, Journey
from frictionkit.scoring import Ranking
from frictionkit.scoring._inputs import _assemble, _criteria_matrix, _value_map
from frictionkit.scoring._kernels import Draws, _topsis_columns, topsis
from frictionkit.scoring._kernels import _vikor_batch as _vikor_batch  # tested against mcda
from frictionkit.scoring._methods import _TIE_RTOL, SCORING
from frictionkit.uncertainty._common import (
    BoolArray,
    FloatArray,
    IntArray,
)

#: The improvement fields that :func:`rank_risk` samples, in this order.
FIELDS: tuple[str, ...] = ("impact", "effort_days", "cost", "confidence", "fix_share")


_F = len(FIELDS)
_IMPACT, _EFFORT, _COST, _CONF, _SHARE = range(_F)


# ---------------------------------------------------------------------------------------
# the problem: everything needed to score one block of draws


@attrs.frozen(kw_only=True)
class _Problem:
    method: str
    ids: list[str]
    pain_points: list[str]
    cells: list[Any]  # n * F improvement cells (row-major), then one cell per pain point
    declared: BoolArray  # (n,) a declared impact exists
    evidence: BoolArray  # (n,) impact comes from the value at stake
    fix_matrix: FloatArray  # (P, n) how often improvement k fixes pain point p
    pp_draws: Mapping[int, FloatArray]  # pain point position -> given draws (common length)
    reach: FloatArray
    time_criticality: FloatArray
    risk_reduction: FloatArray
    duration_weeks: FloatArray | None
    reads: tuple[int, ...]  # the fields a framework method reads (positions in FIELDS)
    ice_variant: str
    vikor_v: float
    criteria: list[str]
    sources: list[int | FloatArray]  # field position, or a constant column
    benefit: BoolArray
    weights: FloatArray
    fixed_impact: float | None
    fixed_effort: float | None
    seeds: tuple[int, int]  # estimate draws, resampling of given value draws

    @property
    def n(self) -> int:
        return len(self.ids)


def _float_cell(value: Any) -> Any:
    """An Estimate, a float, or NaN (missing)."""
    if value is None:
        return math.nan
    if isinstance(value, Estimate):
        if value.dist == "point" or value.low == value.high:
            return float(value.low)
        return value
    if isinstance(value, str):
        return Estimate.parse(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x


def _frame_cells(df: pd.DataFrame, options: Mapping[str, Any]) -> list[list[Any]]:
    params = ("impact_col", "effort_col", "cost_col", "confidence_col", "fix_share_col")
    out: list[list[Any]] = []
    for param in params:
        col = options.get(param)
        if col is None or col not in df.columns:
            out.append([math.nan] * len(df))
            continue
        cells = [_float_cell(v) for v in df[col].tolist()]
        est = f"{col}_estimate"
        if est in df.columns:
            for pos, text in enumerate(df[est].tolist()):
                if isinstance(text, (str, Estimate)) and str(text).strip():
                    cells[pos] = _float_cell(text)
        out.append(cells)
    return [list(row) for row in zip(*out, strict=True)]


def _improvement_cells(data: Any) -> list[list[Any]]:
    items = list(data.improvements) if isinstance(data, Journey) else list(data)
    if isinstance(data, Improvement):
        items = [data]
    return [[_float_cell(getattr(i, f)) for f in FIELDS] for i in items]


def _low(cell: Any) -> float:
    return float(cell.low) if isinstance(cell, Estimate) else float(cell)


def _high(cell: Any) -> float:
    return float(cell.high) if isinstance(cell, Estimate) else float(cell)


def _value_draws(key: Any, raw: Any) -> FloatArray:
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            f"value_at_stake[{key!r}] must be a number, an Estimate or a 1-d array of draws, "
            f"got {type(raw).__name__}",
            field="value_at_stake",
            value=raw,
        ) from exc
    if arr.ndim != 1 or arr.size == 0:
        raise ValidationError(
            f"value_at_stake[{key!r}] as draws must be a non-empty 1-d array, got shape "
            f"{arr.shape}",
            field="value_at_stake",
            value=key,
        )
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        raise ValidationError(
            f"value_at_stake[{key!r}] draws must be finite and >= 0, got {arr[bad[0]]!r} at "
            f"position {int(bad[0])}",
            field="value_at_stake",
            value=arr[bad[0]],
        )
    return arr


def _split_values(value_at_stake: Any) -> tuple[Any, dict[str, Any]]:
    """(argument for prioritise with means, pain point -> float | Estimate | draws)."""
    if value_at_stake is None:
        return None, {}
    if isinstance(value_at_stake, pd.DataFrame):
        plain = _value_map(value_at_stake)
        return plain, dict(plain)
    if isinstance(value_at_stake, pd.Series):
        pairs = list(zip(value_at_stake.index.tolist(), value_at_stake.tolist(), strict=True))
    elif isinstance(value_at_stake, Mapping):
        pairs = list(value_at_stake.items())
    else:
        return value_at_stake, {}  # prioritise names the type error
    means: dict[str, Any] = {}
    cells: dict[str, Any] = {}
    for key, raw in pairs:
        if isinstance(raw, Estimate):
            cells[str(key)] = _float_cell(raw)
            means[str(key)] = float(raw.mean)
        elif isinstance(raw, (np.ndarray, list, tuple, pd.Series)):
            arr = _value_draws(key, raw)
            cells[str(key)] = arr
            means[str(key)] = float(arr.mean())
        else:
            means[str(key)] = raw  # prioritise checks numbers
            cells[str(key)] = raw
    return means, cells


def _check_positive(cells: list[list[Any]], ids: Sequence[str], field: int, method: str) -> None:
    zero = [ids[k] for k, row in enumerate(cells) if _low(row[field]) <= 0]
    if zero:
        name = FIELDS[field]
        shown = ", ".join(map(repr, zero[:10])) + (" ..." if len(zero) > 10 else "")
        raise ValidationError(
            f"method {method!r} divides by {name}, which can be 0 in the draws of "
            f"{plural(len(zero), 'improvement')} (the estimate's low end is 0): {shown}",
            field=name,
            value=zero,
            hint=f"Give them a {name} estimate with a positive low end, or use an MCDA method",
        )


def _check_share(cells: list[list[Any]], ids: Sequence[str]) -> None:
    for k, row in enumerate(cells):
        for field in (_CONF, _SHARE):
            hi = _high(row[field])
            if not math.isnan(hi) and hi > 1.0:
                raise ValidationError(
                    f"{FIELDS[field]} of {ids[k]!r} must be a share between 0 and 1, but its "
                    f"estimate reaches {hi:g}",
                    field=FIELDS[field],
                    value=hi,
                    hint="Write 80 % as 0.8",
                )


def _mcda_sources(
    inp: Any, options: Mapping[str, Any], ranking: Ranking
) -> tuple[list[str], list[int | FloatArray], BoolArray, FloatArray]:
    if ranking.weights is None:
        return [], [], np.zeros(0, dtype=bool), np.zeros(0)
    n = len(inp.ids)
    # Negative markers (real criteria values are >= 0) tell which column is which field.
    marks = {"impact": -1.0, "effort_days": -2.0, "cost": -3.0, "confidence": -4.0}
    standard = {k: np.full(n, v) for k, v in marks.items()} | {"reach": inp.reach}
    names, x, ben = _criteria_matrix(options["criteria"], inp, standard)
    pos = {v: FIELDS.index(k) for k, v in marks.items()}
    sources: list[int | FloatArray] = []
    for j in range(len(names)):
        col = x[:, j]
        marker = float(col[0])
        if marker < 0 and (col == marker).all():
            sources.append(pos[marker])
        else:
            sources.append(np.asarray(col, dtype=np.float64))
    w = ranking.weights.to_numpy(dtype=np.float64)
    return list(names), sources, np.asarray(ben, dtype=bool), w


def _measured_once(data: Any, ranking: Ranking, cells_vs: Mapping[str, Any], means: Any) -> Any:
    """The pain points whose value an improvement counts, as prioritise counts them.

    A value measured on the evidence (:attr:`Ranking.value_draws`) is the value of a
    touchpoint: an improvement fixing two pain points at one touchpoint counts it once,
    and not at all where one of its pain points there has a value given by the caller
    (which counts instead, each given value once).
    """
    measured = set(ranking.value_draws or {})
    if not measured or not isinstance(data, Journey):
        return lambda fixes: list(fixes)
    given = set(means or {}) | (set(cells_vs) - measured)
    where = {pp.id: pp.touchpoint for pp in data.pain_points}

    def once(fixes: Sequence[str]) -> list[str]:
        overridden = {where.get(f) for f in fixes if f in given}
        seen: set[str | None] = set()
        out = []
        for f in fixes:
            if f in given or f not in measured:
                out.append(f)
                continue
            t = where.get(f)
            if t in overridden or t in seen:
                continue
            seen.add(t)
            out.append(f)
        return out

    return once


def _rice_reach(reach: Any, valued: Any, spec: Any) -> FloatArray:
    """RICE's reach per draw: 1 where the impact is a value at stake (a total per period).

    The same score as :func:`~frictionkit.scoring.prioritise`, which counts such a value
    once (reach times the impact per journey of its reach).
    """
    out = np.asarray(reach, dtype=np.float64)
    if "reach" not in spec.reads:
        return out
    return np.where(np.asarray(valued, dtype=bool), 1.0, out)


def _problem(
    data: Any, ranking: Ranking, cells_vs: Mapping[str, Any], means: Any, seeds: tuple[int, int]
) -> _Problem:
    options = dict(ranking.options)
    value_map = None if means is None else _value_map(means)
    inp = _assemble(data, options, value_map)
    n = len(inp.ids)
    cells = _frame_cells(data, options) if isinstance(data, pd.DataFrame) else None
    if cells is None:
        cells = _improvement_cells(data)
    method = ranking.method
    _check_share(cells, inp.ids)
    declared = np.array([not math.isnan(_low(row[_IMPACT])) for row in cells], dtype=bool)
    # fill the missing cells as prioritise does
    dc = float(options["default_confidence"])
    for row in cells:
        if isinstance(row[_IMPACT], float) and math.isnan(row[_IMPACT]):
            row[_IMPACT] = 0.0
        if isinstance(row[_CONF], float) and math.isnan(row[_CONF]):
            row[_CONF] = dc
        if isinstance(row[_SHARE], float) and math.isnan(row[_SHARE]):
            row[_SHARE] = 1.0
    pps = list(cells_vs) if inp.fixes is not None else []
    fix = np.zeros((len(pps), n))
    where = {p: j for j, p in enumerate(pps)}
    if inp.fixes is not None:
        once = _measured_once(data, ranking, cells_vs, means)
        for k, fixes in enumerate(inp.fixes):
            for f in once(fixes):
                if f in where:
                    fix[where[f], k] += 1.0
    evidence = fix.sum(axis=0) > 0
    pp_cells: list[Any] = []
    pp_draws: dict[int, FloatArray] = {}
    for j, p in enumerate(pps):
        raw = cells_vs[p]
        if isinstance(raw, np.ndarray):
            pp_draws[j] = raw
            pp_cells.append(0.0)
        else:
            pp_cells.append(_float_cell(raw))
    lengths = {arr.size for arr in pp_draws.values()}
    if len(lengths) > 1:
        raise ValidationError(
            "value_at_stake draws must all have the same length (one joint draw per "
            f"replicate), got lengths {sorted(lengths)}",
            field="value_at_stake",
            value=sorted(lengths),
            hint="Pass the draws of one bootstrap run, one array per pain point",
        )
    scoring = SCORING[method]
    divisor = scoring.divides_by
    if scoring.divisor_option is not None and options[scoring.divisor_option] is not None:
        divisor = None  # CD3 divides by the given duration, not by the effort
    skipped = scoring.divides_by if divisor is None else None
    reads = tuple(FIELDS.index(r) for r in scoring.reads if r in FIELDS and r != skipped)
    if divisor is not None:
        _check_positive(cells, inp.ids, FIELDS.index(divisor), method)
    zeros = np.zeros(n)

    def extra(name: str | None) -> FloatArray | None:
        return None if name is None else np.asarray(inp.extra[name], dtype=np.float64)

    tc = extra(options["time_criticality_col"])
    rr = extra(options["risk_reduction_col"])
    names, sources, ben, w = _mcda_sources(inp, options, ranking)
    spec = options["quadrant_thresholds"]
    fixed: dict[str, float] = {}
    if isinstance(spec, Mapping):
        fixed = {str(k): float(v) for k, v in spec.items()}
    elif not isinstance(spec, str):
        fixed = {"impact": float(spec[0]), "effort_days": float(spec[1])}
    return _Problem(
        method=method,
        ids=list(inp.ids),
        pain_points=pps,
        cells=[c for row in cells for c in row] + pp_cells,
        declared=declared,
        evidence=evidence,
        fix_matrix=fix,
        pp_draws=pp_draws,
        reach=_rice_reach(inp.reach, evidence, scoring),
        time_criticality=zeros if tc is None else tc,
        risk_reduction=zeros if rr is None else rr,
        duration_weeks=extra(options["duration_col"]),
        reads=reads,
        ice_variant=str(options["ice_variant"]),
        vikor_v=float(options["vikor_v"]),
        criteria=names,
        sources=sources,
        benefit=ben,
        weights=w,
        fixed_impact=fixed.get("impact"),
        fixed_effort=fixed.get("effort_days"),
        seeds=seeds,
    )


# ---------------------------------------------------------------------------------------
# kernels (numpy in, numpy out, no validation)


def _rank_order(score: FloatArray, cost: FloatArray, effort: FloatArray) -> IntArray:
    """Best first per row with the tie rule of ``prioritise`` (1e-9, cost, effort, input)."""
    n = score.shape[1]
    # The default (SIMD) sort is several times faster than a stable one. It differs from
    # a stable sort only in the order of exactly equal scores, and every row holding
    # equal scores is tied below (a difference of 0) and re-sorted by the full tie rule,
    # so the result is the stable one. NaN differences do not tie: sort those rows
    # stably.
    neg = -score
    order = np.argsort(neg, axis=1)
    if n == 1:
        return np.asarray(order, dtype=np.int64)
    s = np.take_along_axis(score, order, axis=1)
    if np.isnan(s[:, -1]).any():  # every sort puts NaN last
        order = np.argsort(neg, axis=1, kind="stable")
        s = np.take_along_axis(score, order, axis=1)
        scale = np.maximum(np.abs(score).max(axis=1, keepdims=True), 1e-300)
    else:  # the largest magnitude of a sorted row is at one of its ends
        scale = np.maximum(np.maximum(np.abs(s[:, :1]), np.abs(s[:, -1:])), 1e-300)
    tied = (s[:, :-1] - s[:, 1:]) <= _TIE_RTOL * scale
    some = np.flatnonzero(tied.any(axis=1))
    if some.size:
        new = np.ones((some.size, n), dtype=bool)
        new[:, 1:] = ~tied[some]
        group = np.empty((some.size, n), dtype=np.int64)
        np.put_along_axis(group, order[some], np.cumsum(new, axis=1), axis=1)
        idx = np.broadcast_to(np.arange(n), (some.size, n))
        order[some] = np.lexsort((idx, effort[some], cost[some], group), axis=-1)
    return np.asarray(order, dtype=np.int64)


def _impact(p: _Problem, fields: Sequence[FloatArray], values: FloatArray) -> FloatArray:
    declared = fields[_IMPACT]
    if not p.evidence.any():
        return np.asarray(declared, dtype=np.float64)
    ev = (values @ p.fix_matrix) * fields[_SHARE]
    return np.asarray(np.where(p.evidence, ev, declared), dtype=np.float64)


def _score(p: _Problem, fields: Sequence[FloatArray], impact: FloatArray) -> FloatArray:
    """Scores ``(draws, n)`` by the method's kernel (:data:`frictionkit.scoring.SCORING`)."""
    spec = SCORING[p.method]
    if not spec.mcda:
        return spec.kernel(
            Draws(
                impact=impact,
                effort_days=fields[_EFFORT],
                cost=fields[_COST],
                confidence=fields[_CONF],
                reach=p.reach,
                time_criticality=p.time_criticality,
                risk_reduction=p.risk_reduction,
                duration_weeks=p.duration_weeks,
                ice_variant=p.ice_variant,
            )
        )
    rows, n = impact.shape
    cols = []
    for src in p.sources:
        if isinstance(src, int):
            cols.append(impact if src == _IMPACT else fields[src])
        else:
            cols.append(np.broadcast_to(src, (rows, n)))
    if spec.kernel is topsis and p.weights.ndim == 1:
        return _topsis_columns(cols, p.weights, p.benefit)
    x = np.stack(cols, axis=2)
    if spec.positive_criteria:
        bad = np.argwhere(x <= 0)
        if bad.size:
            _, i, j = (int(v) for v in bad[0])
            raise ValidationError(
                f"method {p.method!r} needs every criterion > 0, but {p.criteria[j]!r} "
                f"of {p.ids[i]!r} is drawn as 0",
                field="criteria",
                value=p.ids[i],
                hint="Give that estimate a positive low end, or use 'weighted_sum' or 'topsis'",
            )
    return spec.kernel(Draws(criteria=x, weights=p.weights, benefit=p.benefit, vikor_v=p.vikor_v))
