"""Rank improvements by one method: :func:`prioritise` (private module).

:mod:`frictionkit.scoring` re-exports the public names and documents the methods; each
method is declared once in :mod:`frictionkit.scoring._methods`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit import frameworks
from frictionkit.exceptions import (
    InputTypeError,
    MissingColumnError,
    MissingImpactWarning,
    MissingOwnerWarning,
    UnknownReferenceError,
    ValidationError,
    _short,
    did_you_mean,
)
from frictionkit.frameworks._checks import _OVERFLOW_HINT
from frictionkit.model import Improvement, Journey
from frictionkit.scoring._inputs import (
    _assemble,
    _criteria_matrix,
    _Inputs,
    _value_map,
    _weights,
)
from frictionkit.scoring._kernels import Draws
from frictionkit.scoring._methods import (
    SCORING,
    ScoringMethod,
    lookup,
    mcda_methods,
    refuse_zero,
)
from frictionkit.scoring._ranking import (
    UNOWNED,
    Ranking,
    _quadrants,
    _rank,
    _thresholds,
    non_dominated,
)

__all__ = ["prioritise"]

FloatArray: TypeAlias = npt.NDArray[np.float64]

_SOURCES = np.array(["declared", "missing", "evidence"], dtype=object)


def _impacts(
    inp: _Inputs, value_map: dict[str, float] | None
) -> tuple[FloatArray, npt.NDArray[np.object_]]:
    missing = np.isnan(inp.declared)
    impact = np.where(missing, 0.0, inp.declared)
    code = missing.astype(np.intp)  # index into _SOURCES
    if value_map is not None and inp.fixes is not None:
        share = np.where(np.isnan(inp.fix_share), 1.0, inp.fix_share)
        for k, fixes in enumerate(inp.fixes):
            vals = [value_map[f] for f in fixes if f in value_map]
            if vals:
                impact[k] = float(sum(vals)) * float(share[k])
                code[k] = 2
    unscored = np.flatnonzero((code == 1) & ~inp.mandatory)
    if unscored.size:
        shown = ", ".join(_short(inp.ids[k]) for k in unscored[:10]) + (
            " ..." if unscored.size > 10 else ""
        )
        warnings.warn(
            f"{unscored.size} improvement(s) have no impact (no declared impact and no value at "
            f"stake for the pain points they fix); they are scored with impact 0: {shown}",
            MissingImpactWarning,
            stacklevel=4,
        )
    source: npt.NDArray[np.object_] = _SOURCES[code]
    return np.asarray(impact, dtype=np.float64), source


# ---------------------------------------------------------------------------------------
# scoring: every method through its entry in SCORING


def _score(
    spec: ScoringMethod, draw: Draws, ids: Sequence[str]
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Score one draw with ``spec``'s kernel and explain it with its breakdown.

    Refuses a divisor ``<= 0``, a criterion ``<= 0`` where the method takes logs, what the
    method's own check refuses, and scores or contributions beyond the float64 range (a
    subnormal cost, say), naming the improvements: an inf score would make every such
    improvement tie.
    """
    if spec.divides_by is not None:
        refuse_zero(getattr(draw, spec.divides_by)[0], ids, spec.divides_by, spec.name)
    if spec.positive_criteria:
        _refuse_not_positive(spec.name, draw.criteria[0], draw.criteria_names, ids)
    if spec.check is not None:
        spec.check(draw, ids)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        score = np.asarray(spec.kernel(draw)[0], dtype=np.float64)
        contrib = {k: np.asarray(v[0], dtype=np.float64) for k, v in spec.breakdown(draw).items()}
    _refuse_overflow(spec, f"the {spec.label} score", score, ids)
    for name, part in contrib.items():
        _refuse_overflow(spec, f"the {name} contribution", part, ids)
    return score, contrib


def _refuse_not_positive(
    method: str, x: FloatArray, names: Sequence[str], ids: Sequence[str]
) -> None:
    bad = np.argwhere(x <= 0)
    if bad.size:
        rows = sorted({int(i) for i in bad[:, 0]})
        crit = names[int(bad[0, 1])]
        raise ValidationError(
            f"method {_short(method)} needs every criterion > 0; {_short(crit)} is "
            f"{x[bad[0, 0], bad[0, 1]]:g} for {_short(ids[rows[0]])}"
            + (f" ({len(rows) - 1} more improvement(s))" if len(rows) > 1 else ""),
            field="criteria",
            value=[ids[k] for k in rows],
            hint="Use 'weighted_sum' or 'topsis', or drop improvements with a zero value",
        )


def _refuse_overflow(
    spec: ScoringMethod, what: str, values: FloatArray, ids: Sequence[str]
) -> None:
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        shown = ", ".join(_short(ids[int(k)]) for k in bad[:10])
        more = " ..." if bad.size > 10 else ""
        raise ValidationError(
            f"method {_short(spec.name)}: {what} is beyond the float64 range (about "
            f"1.8e308) for {bad.size} improvement(s): {shown}{more}",
            field=spec.name,
            value=[ids[int(k)] for k in bad],
            hint=_OVERFLOW_HINT,
        )


# ---------------------------------------------------------------------------------------
# public API


def prioritise(
    journey_or_improvements: Journey | pd.DataFrame | Iterable[Improvement],
    method: str = "value_per_cost",
    weights: Mapping[str, float] | Sequence[float] | pd.Series | None = None,
    *,
    criteria: Mapping[str, str | bool] | Sequence[str] | None = None,
    value_at_stake: Mapping[str, float] | pd.Series | pd.DataFrame | None = None,
    impact_col: str = "impact",
    effort_col: str = "effort_days",
    cost_col: str = "cost",
    owner_col: str | None = "owner",
    id_col: str = "id",
    title_col: str | None = "title",
    confidence_col: str | None = "confidence",
    fix_share_col: str | None = "fix_share",
    fixes_col: str | None = "fixes",
    reach_col: str | None = None,
    time_criticality_col: str | None = None,
    risk_reduction_col: str | None = None,
    duration_col: str | None = None,
    ice_variant: str = "product",
    vikor_v: float = 0.5,
    default_confidence: float = 0.5,
    quadrant_thresholds: str | Mapping[str, float] | Sequence[float] = "median",
) -> Ranking:
    """Rank improvements by one framework or MCDA method.

    See the module documentation for what each method reads, how impact is resolved,
    how ties are broken and how quadrants are drawn.

    Parameters
    ----------
    journey_or_improvements : Journey, DataFrame or list of Improvement
        A journey (impact from its pain points and ``value_at_stake``; RICE reach from the
        pain points), a table of improvements (``Journey.to_frames()["improvements"]``
        or your own, with ``*_col`` names) or Improvement objects.
    method : str, default "value_per_cost"
        One of :data:`METHODS`.
    weights : mapping, sequence or Series, optional
        MCDA methods only: one weight ``>= 0`` per criterion (by name, or in criteria
        order). Equal weights by default; weights not summing to 1 are normalised with a
        :class:`~frictionkit.weights.WeightsNormalisedWarning`.
    criteria : mapping or list of str, optional
        MCDA methods only: columns to score on, ``{"impact": "benefit", "cost": "cost"}``;
        a list uses the known directions of impact, effort_days, cost, confidence, reach.
    value_at_stake : mapping, Series or DataFrame, optional
        Pain point id -> money per year at stake (a DataFrame has columns ``pain_point``
        and ``value_at_stake``).
    impact_col, effort_col, cost_col, owner_col, id_col, title_col, confidence_col, \
fix_share_col, fixes_col : str
        Column names in a DataFrame input (``owner_col=None``: no owners).
    reach_col : str, optional
        Column with RICE reach (DataFrame input); reach is 1 when not given.
    time_criticality_col, risk_reduction_col : str, optional
        WSJF terms, in the unit of impact; 0 when not given.
    duration_col : str, optional
        CD3 duration in weeks; ``effort_days / 5`` when not given.
    ice_variant : {"product", "average"}, default "product"
    vikor_v : float, default 0.5
        VIKOR weight of group utility.
    default_confidence : float, default 0.5
        Confidence used when an improvement gives none.
    quadrant_thresholds : "median", mapping or pair, default "median"
        ``{"impact": .., "effort_days": ..}`` (a missing key keeps the median).

    Returns
    -------
    Ranking

    Raises
    ------
    UnknownReferenceError
        Unknown method, column, criterion or pain point (with a suggestion).
    ValidationError
        Zero divisor for a ratio method (naming the ids), negative weights, NaN inputs;
        a ratio score (or its contributions) beyond the float64 range, as from a
        subnormal cost such as ``5e-324``, also naming the ids (such values are unit
        errors; an inf score would make every such improvement tie).

    Warns
    -----
    MissingImpactWarning
        Improvements without any impact (scored 0).
    MissingOwnerWarning
        Rows of a table without an owner (shown as "unowned").

    Examples
    --------
    >>> import frictionkit as fk
    >>> r = prioritise(fk.datasets.load_autoparts(), "topsis", {"impact": 0.4,
    ...     "effort_days": 0.2, "cost": 0.2, "confidence": 0.2})
    >>> r.to_frame()["id"].head(3).tolist()
    ['callback_sla', 'guided_selling', 'quality_alerts']
    """
    spec = lookup(method)
    if spec is None:
        raise UnknownReferenceError(
            f"unknown method {_short(method)}; choose one of {list(SCORING)}"
            + did_you_mean(method, list(SCORING)),
            field="method",
            value=method,
        )
    if not spec.mcda and (weights is not None or criteria is not None):
        raise ValidationError(
            f"weights and criteria apply to the MCDA methods {mcda_methods()}, not to "
            f"{_short(method)}",
            field="weights" if weights is not None else "criteria",
            value=weights if weights is not None else criteria,
            hint="Drop them, or choose e.g. method='weighted_sum'",
        )
    if ice_variant not in frameworks.ICE_VARIANTS:
        raise UnknownReferenceError(
            f"unknown ice_variant {_short(ice_variant)}; choose one of "
            f"{list(frameworks.ICE_VARIANTS)}" + did_you_mean(ice_variant, frameworks.ICE_VARIANTS),
            field="ice_variant",
            value=ice_variant,
        )
    dc = float(default_confidence)
    if not 0.0 <= dc <= 1.0:
        raise ValidationError(
            f"default_confidence must be between 0 and 1, got {_short(default_confidence)}",
            field="default_confidence",
            value=default_confidence,
        )
    options: dict[str, Any] = {
        "criteria": criteria,
        "value_at_stake": value_at_stake,
        "impact_col": impact_col,
        "effort_col": effort_col,
        "cost_col": cost_col,
        "owner_col": owner_col,
        "id_col": id_col,
        "title_col": title_col,
        "confidence_col": confidence_col,
        "fix_share_col": fix_share_col,
        "fixes_col": fixes_col,
        "reach_col": reach_col,
        "time_criticality_col": time_criticality_col,
        "risk_reduction_col": risk_reduction_col,
        "duration_col": duration_col,
        "ice_variant": ice_variant,
        "vikor_v": vikor_v,
        "default_confidence": default_confidence,
        "quadrant_thresholds": quadrant_thresholds,
    }
    value_map = None if value_at_stake is None else _value_map(value_at_stake)
    inp = _assemble(journey_or_improvements, options, value_map)
    n = len(inp.ids)
    if n == 0:
        raise ValidationError(
            "there are no improvements to rank",
            field="journey_or_improvements",
            hint="Add improvements to the journey or rows to the table",
        )
    if isinstance(journey_or_improvements, pd.DataFrame) and owner_col is not None:
        unowned = [i for i, owner in zip(inp.ids, inp.owners, strict=True) if owner is None]
        if unowned:
            shown = ", ".join(map(_short, unowned[:10])) + (" ..." if len(unowned) > 10 else "")
            warnings.warn(
                f"{len(unowned)} improvement(s) have no owner and are listed as "
                f"{_short(UNOWNED)}: {shown}",
                MissingOwnerWarning,
                stacklevel=2,
            )
    impact, source = _impacts(inp, value_map)
    conf = np.where(np.isnan(inp.confidence), dc, inp.confidence)
    bad_conf = np.flatnonzero(conf > 1.0)
    if bad_conf.size:
        raise ValidationError(
            f"confidence must be a share between 0 and 1, got {conf[bad_conf[0]]:g} for "
            f"{_short(inp.ids[int(bad_conf[0])])}",
            field="confidence_col",
            value=float(conf[bad_conf[0]]),
            hint="Write 80 % as 0.8",
        )
    frame = isinstance(journey_or_improvements, pd.DataFrame)

    def extra_col(name: str | None, param: str) -> FloatArray | None:
        if name is None:
            return None
        if not frame:
            raise ValidationError(
                f"{param} applies to a DataFrame input only",
                field=param,
                value=name,
            )
        if name not in inp.extra:
            raise MissingColumnError(
                f"{param}={_short(name)} is not a column of the table"
                + did_you_mean(name, inp.extra),
                field=param,
                value=name,
            )
        return inp.extra[name]

    if reach_col is not None and not frame:
        extra_col(reach_col, "reach_col")
    weights_used: pd.Series | None = None
    directions: dict[str, bool] | None = None
    if spec.mcda:
        standard = {
            "impact": impact,
            "effort_days": inp.effort,
            "cost": inp.cost,
            "confidence": conf,
            "reach": inp.reach,
        }
        names, x, ben = _criteria_matrix(criteria, inp, standard)
        w = _weights(weights, names)
        if isinstance(vikor_v, (bool, np.bool_)):
            raise InputTypeError("vikor_v must be a number", field="vikor_v", value=vikor_v)
        draw = Draws(
            criteria=x[None],
            weights=w,
            benefit=ben,
            vikor_v=float(vikor_v),
            criteria_names=tuple(names),
        )
        weights_used = pd.Series(w, index=pd.Index(names, name="criterion"), name="weight")
        directions = {nm: bool(b) for nm, b in zip(names, ben, strict=True)}
    else:
        zeros = np.zeros(n)
        tc = extra_col(time_criticality_col, "time_criticality_col")
        rr = extra_col(risk_reduction_col, "risk_reduction_col")
        draw = Draws(
            impact=impact[None],
            effort_days=inp.effort[None],
            cost=inp.cost[None],
            confidence=conf[None],
            reach=inp.reach,
            time_criticality=zeros if tc is None else tc,
            risk_reduction=zeros if rr is None else rr,
            duration_weeks=extra_col(duration_col, "duration_col"),
            ice_variant=ice_variant,
        )
    score, contrib = _score(spec, draw, inp.ids)
    ranks = _rank(score, inp.cost, inp.effort)
    no_impact = np.asarray(source == "missing", dtype=bool)
    thresholds = _thresholds(quadrant_thresholds, impact, inp.effort)
    order = np.empty(n, dtype=np.intp)  # row k of the table is the improvement ranked k + 1
    order[ranks - 1] = np.arange(n)
    columns: dict[str, Any] = {
        "id": np.asarray(inp.ids, dtype=object),
        "title": np.asarray(inp.titles, dtype=object),
        "owner": np.asarray(inp.owners, dtype=object),
        "impact": impact,
        "impact_source": source,
        "effort_days": inp.effort,
        "cost": inp.cost,
        "confidence": conf,
        "reach": inp.reach,
        "score": score,
        "rank": ranks,
        "quadrant": _quadrants(impact, inp.effort, thresholds, no_impact),
        "non_dominated": non_dominated(impact, inp.effort, inp.cost),
        "mandatory": inp.mandatory,
        **{f"contrib_{k}": np.asarray(v, dtype=np.float64) for k, v in contrib.items()},
    }
    sorted_cols = {k: v[order] for k, v in columns.items()}
    sorted_cols["owner"] = pd.Series(sorted_cols["owner"], dtype=object)  # None when unowned
    table = pd.DataFrame(sorted_cols)
    return Ranking(
        method=method,
        label=spec.label,
        table=table,
        weights=weights_used,
        criteria=directions,
        thresholds=thresholds,
        source=journey_or_improvements,
        options={**options, "weights": weights},
    )


Ranking._prioritise = prioritise  # Ranking.evolve ranks again with it
