"""Compact event logs: one row per journey variant, with its weight (see ``EventLog``).

The same assembly serves the in-memory engine (:meth:`EventLog.compact`) and the DuckDB
and Spark engines (:meth:`EventLog.scan`), so their logs are equal array for array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.events._engine import Timings
from frictionkit.events._kernels import _INT
from frictionkit.events._reductions import dwell_ns, gap_quantiles_ns, route_codes

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events._log import EventLog


def assemble(
    tp: np.ndarray,
    eo: np.ndarray,
    offsets: np.ndarray,
    weight: np.ndarray,
    value_sum: np.ndarray,
    value_n: np.ndarray,
    attrs: pd.DataFrame,
    n_tp: int,
    n_codes: int = 3,
) -> dict[str, Any]:
    """Merge rows with equal (touchpoints, outcomes, attributes) and order them canonically.

    Rows are ordered by route (touchpoint code sequence interleaved with the outcome
    codes, lexicographically, a route before its extensions), then by the attribute
    texts (missing first). The events of the first row of each group are kept.

    Parameters
    ----------
    tp, eo : ndarray
        Touchpoint and outcome codes of the rows' events, laid end to end.
    offsets : ndarray
        Start of each row in ``tp``, plus the total.
    weight, value_sum, value_n : ndarray
        Journeys, sum of journey values and journeys with a value, per row.
    attrs : pandas.DataFrame
        Case attributes per row (text or missing), possibly without columns.
    n_tp : int
        Number of touchpoint codes.
    n_codes : int, default 3
        Number of outcome codes in ``eo`` (the kinds of outcome when ``eo`` holds kinds).

    Returns
    -------
    dict
        ``tp``, ``eo``, ``offsets``, ``weight``, ``value_sum``, ``value_n``, ``attrs``.

    Examples
    --------
    >>> out = assemble(np.array([1, 0, 1]), np.zeros(3, dtype=np.int8), np.array([0, 1, 2, 3]),
    ...                np.array([1, 1, 1]), np.zeros(3), np.zeros(3, dtype=np.int64),
    ...                pd.DataFrame(index=range(3)), 2)
    >>> out["tp"].tolist(), out["weight"].tolist()
    ([0, 1], [1, 2])
    """
    n_rows = len(offsets) - 1
    if n_rows == 0:
        route = np.zeros(0, dtype=_INT)
    else:
        route = route_codes(
            tp.astype(_INT) * n_codes + eo.astype(_INT), offsets, max(n_tp, 1) * n_codes
        )
    key = pd.DataFrame({"_route": route})
    for col in attrs.columns:
        key[str(col)] = attrs[col].astype(object).to_numpy()
    cols = list(key.columns)
    ordered = key.sort_values(cols, kind="stable", na_position="first")
    group = ordered.groupby(cols, dropna=False, sort=False).ngroup().to_numpy()
    order = ordered.index.to_numpy()
    first = np.r_[True, group[1:] != group[:-1]]
    rep = order[first]
    n_groups = int(first.sum())
    gid = np.empty(n_rows, dtype=_INT)
    gid[order] = group
    w = np.bincount(gid, weights=weight, minlength=n_groups).astype(_INT)
    vs = np.bincount(gid, weights=value_sum, minlength=n_groups)
    vn = np.bincount(gid, weights=value_n, minlength=n_groups).astype(_INT)
    lengths = np.diff(offsets)[rep]
    bounds = np.r_[0, np.cumsum(lengths)].astype(_INT)
    gather = np.repeat(offsets[rep] - bounds[:-1], lengths) + np.arange(bounds[-1], dtype=_INT)
    return {
        "tp": tp[gather].astype(_INT),
        "eo": eo[gather].astype(np.int8 if n_codes <= 127 else np.int16),
        "offsets": bounds,
        "weight": w,
        "value_sum": vs,
        "value_n": vn,
        "attrs": attrs.iloc[rep].reset_index(drop=True),
    }


def compact_parts(
    assembled: dict[str, Any],
    *,
    touchpoints: tuple[str, ...],
    stages: tuple[str, ...],
    stage_source: str,
    touchpoint_stage: np.ndarray,
    channels: tuple[str | None, ...],
    timezone: str | None,
    when_both: str,
    value_agg: str,
    timings: Timings,
    engine: str,
) -> dict[str, Any]:
    """The constructor parts of a compact :class:`EventLog` (see :func:`assemble`)."""
    offsets = assembled["offsets"]
    n_rows = len(offsets) - 1
    n_ev = int(offsets[-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(
            assembled["value_n"] > 0,
            assembled["value_sum"] / np.maximum(assembled["value_n"], 1),
            np.nan,
        )
    attrs = assembled["attrs"]
    return {
        "touchpoints": touchpoints,
        "stages": stages,
        "stage_source": stage_source,
        "channels": channels,
        "timezone": timezone,
        "when_both": when_both,
        "value_agg": value_agg,
        "case_ids": np.arange(n_rows, dtype=_INT).astype(object),
        "case_attributes": attrs,
        "event_journey": np.repeat(np.arange(n_rows, dtype=_INT), np.diff(offsets)),
        "event_touchpoint": assembled["tp"],
        "event_timestamp_ns": np.zeros(n_ev, dtype=_INT),
        "event_row": np.full(n_ev, -1, dtype=_INT),
        "event_outcome": assembled["eo"],
        "event_value": None,
        "touchpoint_stage": touchpoint_stage,
        "journey_value": value,
        "journey_value_n": assembled["value_n"],
        "journey_weight": assembled["weight"],
        "timings": timings,
        "engine": engine,
    }


def build_compact(cls: type[EventLog], parts: dict[str, Any], n_cases: int) -> EventLog:
    """A compact log of class ``cls`` (:class:`EventLog`) from :func:`compact_parts`."""
    offsets = parts.pop("offsets")
    log = cls._with_journeys(parts, offsets, np.arange(len(offsets) - 1, dtype=_INT))
    log._memo("n_cases", lambda: int(n_cases))
    return log


def compact_log(log: EventLog) -> EventLog:
    """The compact form of an in-memory log (see :meth:`EventLog.compact`)."""
    n_j = len(log.journey_offsets) - 1
    value = log.journey_value
    has_value = ~np.isnan(value)
    attrs = pd.DataFrame(index=range(n_j))
    for col in log.case_attributes.columns:
        per_case = log.case_attributes[col].astype(object).to_numpy()[log.journey_case]
        attrs[str(col)] = pd.Series(
            [None if pd.isna(v) else str(v) for v in per_case], dtype=object
        )
    attrs.attrs.update(log.case_attributes.attrs)
    kinds = log.event_kind is not None
    assembled = assemble(
        log.event_touchpoint,
        log.event_kind if log.event_kind is not None else log.event_outcome,
        log.journey_offsets,
        np.ones(n_j, dtype=_INT),
        np.where(has_value, value, 0.0),
        has_value.astype(_INT),
        attrs,
        len(log.touchpoints),
        len(log.outcome_kinds),
    )
    if kinds:  # the variants were keyed by kind; the outcome follows from it
        assembled["event_kind"] = assembled["eo"]
        assembled["eo"] = log.kind_outcome[assembled["eo"]].astype(np.int8)
    tr = gap_quantiles_ns(log)
    dwell, stage_dwell = dwell_ns(log)
    timings = Timings(transitions=tr, dwell=dwell, stage_dwell=stage_dwell)
    parts = compact_parts(
        assembled,
        touchpoints=log.touchpoints,
        stages=log.stages,
        stage_source=log.stage_source,
        touchpoint_stage=log.touchpoint_stage,
        channels=log.channels,
        timezone=log.timezone,
        when_both=log.when_both,
        value_agg=log.value_agg,
        timings=timings,
        engine=log.engine,
    )
    parts["offsets"] = assembled["offsets"]
    if kinds:
        parts.update(
            event_kind=assembled["event_kind"],
            outcome_kinds=log.outcome_kinds,
            kind_outcome=log.kind_outcome,
        )
    return build_compact(type(log), parts, log.n_cases)
