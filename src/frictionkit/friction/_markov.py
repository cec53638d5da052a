"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit._validate import as_float, check_bounds
from frictionkit.estimates import SeedLike, _rng
from frictionkit.events._kinds import with_kind_column
from frictionkit.events._outcomes import FAILURE, SUCCESS
from frictionkit.events._reductions import decided_paths
from frictionkit.exceptions import ValidationError, did_you_mean
from frictionkit.friction._adjust import adjustment_names, journey_groups
from frictionkit.friction._paths import _check_markers, without_markers
from frictionkit.markov import REDUCE_FAILURE_BY, MarkovModel
from frictionkit.markov._model import _log_success_value

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog


# ---------------------------------------------------------------------------------------
# Markov chain
# ---------------------------------------------------------------------------------------
def markov(log: EventLog) -> MarkovModel:
    """The absorbing Markov chain of the log's decided journeys.

    Transition counts are the number of times each transition occurs (a loop counts
    every time round), built from the events of decided journeys up to their outcome
    (open journeys are left out and counted in ``n_open``). Outcome steps (touchpoints
    listed in ``success=`` / ``failure=``) are the absorbing states themselves: a journey
    ``visit → buy`` with ``success="buy"`` is ``START → visit → SUCCESS``. The model keeps the
    distinct routes, so :meth:`MarkovModel.repair_effect` can bootstrap journeys.

    Parameters
    ----------
    log : EventLog
        The event log.

    Returns
    -------
    MarkovModel

    Raises
    ------
    ValidationError
        All journeys are open, or no journey succeeds or none fails.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": list("aabbb"), "t": ["x", "buy", "x", "y", "x"],
    ...                    "ts": pd.date_range("2024-01-01", periods=5, freq="min")})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="buy", failure="y")
    >>> model = log.markov()  # the outcome steps buy and y become SUCCESS and FAILURE
    >>> model.states, model.success_probability
    (('START', 'x', 'SUCCESS', 'FAILURE'), 0.5)
    """
    return MarkovModel.from_log(log)


def _success_value(log: EventLog, value_per_success: Any) -> float | None:
    if value_per_success is not None:
        return check_bounds(
            as_float(value_per_success, "value_per_success"), "value_per_success", low=0.0
        )
    return _log_success_value(log)  # the mean value of the log's successful journeys


_KINDS = ("first_order", "harm_removal")


def repair_effects(
    log: EventLog,
    *,
    reduce_failure_by: float | None = None,
    value_per_success: float | None = None,
    bootstrap: int = 0,
    seed: SeedLike = None,
    kind: str = "first_order",
    min_support: int = 30,
    adjust_for: Iterable[str] | str | None = None,
    failure_kind: str | None = None,
    outcome_markers: Iterable[str] | str | None = None,
) -> pd.DataFrame:
    """Repair effect of every touchpoint of the log's Markov chain.

    Parameters
    ----------
    log : EventLog
        The event log (in memory or compact: the journeys are weighted).
    reduce_failure_by : float in [0, 1], optional
        For ``kind="first_order"``: share of each touchpoint's direct failures handed to
        its other successors (see :meth:`MarkovModel.repair_effect`); default 1.0, the
        one default :data:`frictionkit.markov.REDUCE_FAILURE_BY` (the whole value at
        stake; an improvement's ``fix_share`` says how much of it it removes). Not used
        by ``kind="harm_removal"``.
    value_per_success : float, optional
        Value of one extra success. Default: the mean journey value (``value_col``) of
        the successful journeys that have one; NaN ``extra_value`` when the log has no
        values.
    bootstrap : int, default 0
        Journey resamples for a percentile interval of each delta.
    seed : int or numpy.random.Generator, optional
        Seed of the resampling.
    kind : {"first_order", "harm_removal"}, default "first_order"
        ``"first_order"``: the repair of each touchpoint's direct exits
        (:meth:`MarkovModel.repair_effects`). ``"harm_removal"``: the counterfactual
        that remembers whether the journey met the touchpoint, so harm that shows after
        the step counts (:meth:`MarkovModel.harm_removal_effects`), with the comparison
        rule of :func:`friction` (``frictionkit.markov._comparison``); its
        ``extra_successes`` are the touchpoint's attributable failures.
    min_support : int, default 30
        For ``kind="harm_removal"``: comparable moves a state needs (see
        :meth:`MarkovModel.harm_removal_effects`).
    adjust_for : str or sequence of str, optional
        For ``kind="harm_removal"``: case attributes of the log (kept with ``case_cols=``)
        to adjust for. Harm removal is estimated within each group of journeys (each
        combination of the attributes' values), so a visitor goes on like comparable
        journeys *of its own group*, as in the adjusted :func:`friction` table; the
        groups' ``visitors``, ``failed_visitors`` and ``extra_successes`` are added up
        (a group whose touchpoint has no comparison adds nothing),
        ``delta_success_probability`` is the sum over all decided journeys,
        ``method`` is the groups' method when they agree, else ``"mixed"``, and
        ``supported_share`` is the visitor-weighted mean (a group whose journeys all end
        one way is left out). With a bootstrap, each group is
        resampled on its own (seeds drawn from ``seed``) and the draws are added. The
        table's ``adjusted_for`` column (and ``attrs["adjusted_for"]``) names the
        attributes. Bad names are refused as in :meth:`EventLog.friction`.
    failure_kind : str, optional
        One failure kind of the log (``failure={"declined": [...], ...}``; see
        :attr:`EventLog.outcome_kinds <frictionkit.events.EventLog.outcome_kinds>`). The repair of
        failures of that kind only: journeys that failed in *another* kind are censored at their
        outcome (:meth:`EventLog.with_failure_kind <frictionkit.events.EventLog.with_failure_kind>`:
        neither a success nor a failure of this kind, left out like open journeys), so the repair
        removes failures of this kind only: it never turns a journey that failed in another kind
        into a success (removing "cancelled" at a step does not approve credit the bank declined),
        and the chain is built on the journeys that ended in success or in this kind. The table
        gains a ``failure_kind`` column naming the kind. Default: every failure, whatever its kind.
    outcome_markers : str or iterable of str, optional
        For ``kind="harm_removal"``: touchpoints declared outcome markers, read exactly as
        in :func:`friction`: their events leave the paths of the chain (a journey
        ``order_placed → confirmation`` ends at ``order_placed``), so the harm-removal
        ``extra_successes`` agree with the table's ``attributable_failures`` computed with
        the same markers. The markers keep their rows (``visitors`` and
        ``failed_visitors`` as visited) with ``method`` ``"outcome_marker"`` and NaN effects.

    Returns
    -------
    pandas.DataFrame
        The table of :meth:`MarkovModel.repair_effects` or of
        :meth:`MarkovModel.harm_removal_effects` for the decided journeys.

    Raises
    ------
    ValidationError
        An unknown ``kind`` (with the closest name), ``reduce_failure_by`` given with
        ``kind="harm_removal"``, ``adjust_for`` with ``kind="first_order"``, or
        ``adjust_for`` naming no case attribute of the log, or ``outcome_markers`` with
        ``kind="first_order"``.
    UnknownReferenceError
        ``outcome_markers`` naming a touchpoint the log does not have (with the closest
        name).

    Examples
    --------
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.events import EventLog
    >>> df = simulate_journeys(2000, seed=3)
    >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
    >>> log.repair_effects(reduce_failure_by=1.0)["touchpoint"].iloc[0]
    'payment_error'
    >>> log.repair_effects(kind="harm_removal")["touchpoint"].iloc[0]
    'payment_error'
    """
    if failure_kind is not None:
        return with_kind_column(
            repair_effects(
                log.with_failure_kind(failure_kind),
                reduce_failure_by=reduce_failure_by,
                value_per_success=value_per_success,
                bootstrap=bootstrap,
                seed=seed,
                kind=kind,
                min_support=min_support,
                adjust_for=adjust_for,
                outcome_markers=outcome_markers,
            ),
            failure_kind,
        )
    if kind not in _KINDS:
        raise ValidationError(
            f"kind must be one of {', '.join(map(repr, _KINDS))}, got {kind!r}"
            + did_you_mean(str(kind), _KINDS),
            field="kind",
            value=kind,
        )
    value = _success_value(log, value_per_success)
    if kind == "harm_removal":
        if reduce_failure_by is not None:
            raise ValidationError(
                "reduce_failure_by= is a first-order repair; kind='harm_removal' removes "
                "the step's whole harm",
                field="reduce_failure_by",
                value=reduce_failure_by,
                hint="Drop reduce_failure_by=, or use kind='first_order'",
            )
        markers = _check_markers(log, outcome_markers)
        names = adjustment_names(log, adjust_for)
        if names:
            frame = _harm_by_group(log, names, value, min_support, bootstrap, seed, markers)
        elif markers.any():
            paths = decided_paths(log, "repair_effects")
            tp, off = without_markers(paths.tp, paths.offsets, markers)
            frame = MarkovModel.from_arrays(
                touchpoints=log.touchpoints,
                event_touchpoint=tp,
                offsets=off,
                outcome=np.where(paths.outcome == SUCCESS, SUCCESS, FAILURE).astype(np.int8),
                counts=paths.weight,
                n_open=log.outcome_counts["open"],
            ).harm_removal_effects(
                value_per_success=value, min_support=min_support, bootstrap=bootstrap, seed=seed
            )
        else:
            return markov(log).harm_removal_effects(
                value_per_success=value, min_support=min_support, bootstrap=bootstrap, seed=seed
            )
        return _with_marker_rows(log, frame, markers)
    if outcome_markers is not None:
        raise ValidationError(
            "outcome_markers= needs kind='harm_removal' (the first-order repair keeps every step)",
            field="outcome_markers",
            value=outcome_markers,
            hint="Use kind='harm_removal', or drop outcome_markers=",
        )
    model = markov(log)
    if adjust_for is not None:
        raise ValidationError(
            "adjust_for= needs kind='harm_removal' (the first-order repair is not adjusted)",
            field="adjust_for",
            value=adjust_for,
            hint="Use kind='harm_removal', or drop adjust_for=",
        )
    return model.repair_effects(
        reduce_failure_by=REDUCE_FAILURE_BY if reduce_failure_by is None else reduce_failure_by,
        value_per_success=value,
        bootstrap=bootstrap,
        seed=seed,
    )


def _harm_by_group(
    log: EventLog,
    names: tuple[str, ...],
    value: float | None,
    min_support: int,
    bootstrap: int,
    seed: SeedLike,
    markers: np.ndarray,
) -> pd.DataFrame:
    """Harm removal fitted within each group of ``names`` and added up (see above)."""
    paths = decided_paths(log, "repair_effects")
    tp_kept, off_kept = without_markers(paths.tp, paths.offsets, markers)
    decided = np.flatnonzero(log.journey_outcome != 0)
    weight = np.ones(len(decided)) if paths.weight is None else paths.weight.astype(float)
    support = int(min_support)
    groups, n_groups = journey_groups(log, names, decided, weight, support)
    rng = _rng(seed)
    n_boot = int(bootstrap)
    tps = list(log.touchpoints)
    pos = {t: j for j, t in enumerate(tps)}
    k = len(tps)
    visitors, failed, extra = np.zeros(k), np.zeros(k), np.zeros(k)
    compared, supported = np.zeros(k, dtype=bool), np.zeros(k)
    methods: list[set[str]] = [set() for _ in range(k)]
    draws = np.zeros((n_boot, k)) if n_boot > 0 else None
    lengths = np.diff(off_kept)
    for g in range(n_groups):
        rows = np.flatnonzero(groups == g)
        if len(np.unique(paths.outcome[rows])) < 2:
            continue  # every journey of the group ends one way: nothing to compare, adds 0
        # the group's events, journey after journey
        n_ev = lengths[rows]
        total = int(n_ev.sum())
        events = np.repeat(off_kept[rows] - np.cumsum(n_ev) + n_ev, n_ev) + np.arange(total)
        model = MarkovModel.from_arrays(
            touchpoints=log.touchpoints,
            event_touchpoint=tp_kept[events.astype(np.int64)],
            offsets=np.r_[0, np.cumsum(lengths[rows])].astype(np.int64),
            outcome=np.where(paths.outcome[rows] == SUCCESS, SUCCESS, FAILURE).astype(np.int8),
            counts=None if paths.weight is None else paths.weight[rows],
        )
        child = np.random.default_rng(rng.integers(2**63)) if n_boot > 0 else None
        frame, reps = model._harm(None, value, None, support, n_boot, child, 0.95)
        idx = np.asarray([pos[t] for t in frame["touchpoint"]], dtype=np.int64)
        vis = frame["visitors"].to_numpy(dtype=float)
        ext = frame["extra_successes"].to_numpy(dtype=float)
        ok = np.isfinite(ext)
        visitors[idx] += vis
        failed[idx] += frame["failed_visitors"].to_numpy(dtype=float)
        extra[idx] += np.where(ok, ext, 0.0)
        compared[idx] |= ok
        supported[idx] += vis * np.nan_to_num(frame["supported_share"].to_numpy(dtype=float))
        for j, m, v in zip(idx, frame["method"], vis, strict=True):
            if v > 0:
                methods[j].add(str(m))
        if draws is not None and reps is not None:
            order = np.asarray([model.touchpoints.index(t) for t in frame["touchpoint"]])
            group_n = float(model.n_journeys)
            draws[:, idx] += np.nan_to_num(reps[:, order] * group_n) * ok[None]
    n = float(weight.sum())
    p = float(weight[paths.outcome == SUCCESS].sum()) / n
    extra = np.where(compared, extra, np.nan)
    delta = extra / n
    out = pd.DataFrame(
        {
            "touchpoint": pd.Series(tps, dtype=str),
            "visitors": visitors,
            "failed_visitors": failed,
            "success_probability": np.full(k, p),
            "success_probability_without_harm": p + delta,
            "delta_success_probability": delta,
            "extra_successes": extra,
            "extra_value": extra * (np.nan if value is None else value),
            "supported_share": np.divide(
                supported, visitors, out=np.full(k, np.nan), where=visitors > 0
            ),
            "method": [
                "not_comparable" if not m else (next(iter(m)) if len(m) == 1 else "mixed")
                for m in methods
            ],
        }
    )
    if draws is not None:
        lo, hi = np.percentile(draws, [2.5, 97.5], axis=0)
        out["delta_low"] = np.where(compared, lo / n, np.nan)
        out["delta_high"] = np.where(compared, hi / n, np.nan)
        out["extra_successes_low"] = out["delta_low"] * n
        out["extra_successes_high"] = out["delta_high"] * n
    out = out[visitors > 0].reset_index(drop=True)
    out["adjusted_for"] = ", ".join(names)
    out = out.sort_values(
        ["delta_success_probability", "touchpoint"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)
    out.attrs["adjusted_for"] = names
    return out


def _with_marker_rows(log: EventLog, frame: pd.DataFrame, markers: np.ndarray) -> pd.DataFrame:
    """The harm-removal table with a row per declared outcome marker (NaN effects).

    The markers' events left the chain, so the table has no row for them; each gets its
    decided visitors (all and failed) and ``method`` ``"outcome_marker"``, after the
    touchpoints with an effect.
    """
    if not markers.any():
        return frame
    paths = decided_paths(log, "repair_effects")
    n_j = len(paths.offsets) - 1
    jj = np.repeat(np.arange(n_j, dtype=np.int64), np.diff(paths.offsets))
    w = np.ones(n_j) if paths.weight is None else paths.weight.astype(float)
    failed = paths.outcome == FAILURE
    frame = frame[~frame["touchpoint"].isin([log.touchpoints[j] for j in np.flatnonzero(markers)])]
    rows = []
    for j in np.flatnonzero(markers).tolist():
        met = np.unique(jj[paths.tp == j])
        if len(met) == 0:
            continue
        rows.append(
            {
                "touchpoint": log.touchpoints[j],
                "visitors": float(w[met].sum()),
                "failed_visitors": float(w[met][failed[met]].sum()),
                "method": "outcome_marker",
            }
        )
    if not rows:
        return frame.reset_index(drop=True)
    extra = pd.DataFrame(rows)
    if len(frame):
        extra["success_probability"] = frame["success_probability"].iloc[0]
    if "adjusted_for" in frame.columns:
        extra["adjusted_for"] = frame["adjusted_for"].iloc[0]
    out = pd.concat([frame, extra.reindex(columns=frame.columns)], ignore_index=True)
    out.attrs = dict(frame.attrs)
    return out
