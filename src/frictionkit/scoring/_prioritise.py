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
from frictionkit._protocol import plural
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
from frictionkit.scoring._value import Impacts, Measured, check_period, impacts, measure

__all__ = ["prioritise"]

FloatArray: TypeAlias = npt.NDArray[np.float64]

_SOURCES = np.array(["declared", "missing", "evidence"], dtype=object)


def _impacts(
    inp: _Inputs, value_map: dict[str, float] | None, measured: Impacts | None = None
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
    if measured is not None:
        valued = np.isfinite(measured.impact)
        impact[valued] = measured.impact[valued]
        code[valued] = 2
    unscored = np.flatnonzero((code == 1) & ~inp.mandatory)
    if unscored.size:
        shown = ", ".join(_short(inp.ids[k]) for k in unscored[:10]) + (
            " ..." if unscored.size > 10 else ""
        )
        warnings.warn(
            f"{plural(int(unscored.size), 'improvement')} "
            f"{'has' if unscored.size == 1 else 'have'} no impact (no declared impact and no "
            f"value at stake for the pain points {'it fixes' if unscored.size == 1 else 'they fix'}"
            f"); {'it is' if unscored.size == 1 else 'they are'} scored with impact 0: {shown}",
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
            + (f" ({plural(len(rows) - 1, 'more improvement')})" if len(rows) > 1 else ""),
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
            f"1.8e308) for {plural(int(bad.size), 'improvement')}: {shown}{more}",
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
    evidence: Any = None,
    value_per_success: float | None = None,
    per: str | None = None,
    journeys_per_period: float | None = None,
    currency: str | None = None,
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
        Pain point id -> money per period at stake, for figures from elsewhere (in the
        unit of ``per``). A DataFrame has columns ``pain_point`` and ``value_at_stake``
        or ``value_at_stake_per_<period>``: the table of
        :func:`~frictionkit.journey_map.derive_pain_points` is taken as it comes (rows
        without a value, and proposed pain points the journey does not hold, are left
        out). With ``evidence`` too, these figures replace the measured ones of their
        pain points.
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
    evidence : EventLog, optional
        Journey input only: measure the value at stake of the journey's pain points on
        this log (:meth:`EventLog.value_at_stake`, the attributable failures per period
        times ``value_per_success``, with their interval and bootstrap draws). An
        improvement's impact is then ``fix_share x`` the value at stake of the
        touchpoints of the pain points it fixes (each touchpoint once), ``impact_source``
        ``"evidence"``, with ``impact_low`` / ``impact_high`` (95 %) in the table and its
        draws in :attr:`Ranking.impact_draws`. Improvements none of whose pain points
        has a measured value keep their declared impact. For RICE, ``reach`` is the
        journeys per period that visit those touchpoints and the impact per journey is
        ``impact / reach``, so the score counts the value once (see the module notes).
    value_per_success : float, optional
        With ``evidence``: the money one extra success brings; default: the mean
        journey value of the log's successful journeys.
    per : {"year", "quarter", "month", "week", "day"}, optional
        With ``evidence``: the period the value is counted per; default: the journey's
        ``period``, else ``"year"``.
    journeys_per_period : float, optional
        With ``evidence``: journeys per period when the log is a sample (or compact);
        default: the log holds every journey from its first to its last event.
    currency : str, optional
        Shown with the money; default: the journey's ``currency``.

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
    measured: Measured | None = None
    period: str | None = None
    if evidence is not None:
        if not isinstance(journey_or_improvements, Journey):
            raise ValidationError(
                "evidence= needs a Journey: its pain points say which touchpoints each "
                f"improvement fixes; got {type(journey_or_improvements).__name__}",
                field="evidence",
                value=type(journey_or_improvements).__name__,
                hint="Pass the journey, e.g. prioritise(journey, evidence=log)",
            )
        period = check_period(per, journey_or_improvements)
        cur = journey_or_improvements.currency if currency is None else currency
        measured = measure(
            journey_or_improvements,
            evidence,
            value_per_success=value_per_success,
            per=period,
            journeys_per_period=journeys_per_period,
            currency=cur,
        )
    else:
        unused = {"value_per_success": value_per_success,
                  "journeys_per_period": journeys_per_period}  # fmt: skip
        for name, given in unused.items():
            if given is not None:
                raise ValidationError(
                    f"{name}= applies with evidence= (an event log) only",
                    field=name,
                    value=given,
                    hint="Pass evidence=log, or give value_at_stake= in money per period",
                )
        if per is not None or isinstance(journey_or_improvements, Journey):
            period = check_period(per, journey_or_improvements)
        cur = currency
        if cur is None and isinstance(journey_or_improvements, Journey):
            cur = journey_or_improvements.currency
    options.update(evidence=evidence, value_per_success=value_per_success, per=per,
                   journeys_per_period=journeys_per_period, currency=currency)  # fmt: skip
    value_map = None if value_at_stake is None else _value_map(value_at_stake)
    if value_map is not None and isinstance(journey_or_improvements, Journey):
        value_map = _known_only(value_map, value_at_stake, journey_or_improvements)
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
                f"{plural(len(unowned), 'improvement')} "
                f"{'has' if len(unowned) == 1 else 'have'} no owner and "
                f"{'is' if len(unowned) == 1 else 'are'} listed as "
                f"{_short(UNOWNED)}: {shown}",
                MissingOwnerWarning,
                stacklevel=2,
            )
    ev: Impacts | None = None
    if measured is not None and inp.fixes is not None:
        ev = impacts(measured, inp.fixes, inp.fix_share, value_map or {})
    impact, source = _impacts(inp, value_map, ev)
    reach = inp.reach
    if ev is not None:
        reach = np.where(np.isfinite(ev.reach), ev.reach, inp.reach)
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
            "reach": reach,
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
        scored_impact, scored_reach = impact, reach
        if "reach" in spec.reads:
            # RICE: an impact valued from a value at stake (measured or given) is already
            # the total per period, over every journey affected: scored per journey of its
            # reach, so that reach x impact counts it once (reach 0 or unknown: reach 1)
            valued = source == "evidence"
            per_journey = valued & np.isfinite(reach) & (reach > 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                scored_impact = np.where(per_journey, impact / reach, impact)
            scored_reach = np.where(valued & ~per_journey, 1.0, reach)
        draw = Draws(
            impact=scored_impact[None],
            effort_days=inp.effort[None],
            cost=inp.cost[None],
            confidence=conf[None],
            reach=scored_reach,
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
        "reach": reach,
        "score": score,
        "rank": ranks,
        "quadrant": _quadrants(impact, inp.effort, thresholds, no_impact),
        "non_dominated": non_dominated(impact, inp.effort, inp.cost),
        "mandatory": inp.mandatory,
        **{f"contrib_{k}": np.asarray(v, dtype=np.float64) for k, v in contrib.items()},
    }
    impact_draws = None
    if ev is not None:
        valued = np.isfinite(ev.impact)
        columns["impact_low"] = np.where(valued, ev.low, np.nan)
        columns["impact_high"] = np.where(valued, ev.high, np.nan)
        if ev.draws is not None:
            d = np.where(np.isnan(ev.draws), impact[None, :], ev.draws)
            impact_draws = pd.DataFrame(d[:, order], columns=pd.Index(
                [inp.ids[int(k)] for k in order], name="id"))  # fmt: skip
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
        currency=cur,
        period=period,
        value_at_stake=None if measured is None else measured.table(),
        impact_draws=impact_draws,
        value_draws=None if measured is None else _value_draws(measured, value_map),
    )


def _value_draws(measured: Measured, value_map: dict[str, float] | None) -> dict[str, Any]:
    """Pain point -> draws of its measured value at stake (given figures left out)."""
    given = value_map or {}
    return {
        pid: measured.draws[t]
        for pid, t in measured.touchpoint_of.items()
        if t in measured.draws and pid not in given
    }


def _known_only(
    value_map: dict[str, float], value_at_stake: Any, journey: Journey
) -> dict[str, float]:
    """The table of derive_pain_points as it comes.

    Its proposed pain points that the journey does not hold are left out (a typo in a
    mapping is still an error).
    """
    if not isinstance(value_at_stake, pd.DataFrame) or "status" not in value_at_stake.columns:
        return value_map
    known = set(journey.ids("pain_points"))
    proposed = set(
        value_at_stake.loc[value_at_stake["status"] == "proposed", "pain_point"].astype(str)
    )
    return {k: v for k, v in value_map.items() if k in known or k not in proposed}


Ranking._prioritise = prioritise  # Ranking.evolve ranks again with it
