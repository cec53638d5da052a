"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit._validate import as_float, check_bounds
from frictionkit.estimates import SeedLike
from frictionkit.events._outcomes import SUCCESS
from frictionkit.exceptions import ValidationError, did_you_mean
from frictionkit.markov import MarkovModel

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
    keep = (log.journey_outcome == SUCCESS) & ~np.isnan(log.journey_value)
    values = log.journey_value[keep]
    if len(values) == 0:
        return None
    if log.journey_value_n is None:
        mean = float(values.mean())
    else:  # compact: each row holds the mean of journey_value_n journeys
        n = log.journey_value_n[keep].astype(float)
        mean = float(np.dot(values, n) / n.sum())
    return mean if math.isfinite(mean) and mean >= 0 else None


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
) -> pd.DataFrame:
    """Repair effect of every touchpoint of the log's Markov chain.

    Parameters
    ----------
    log : EventLog
        The event log (in memory or compact: the journeys are weighted).
    reduce_failure_by : float in [0, 1], optional
        For ``kind="first_order"``: share of each touchpoint's direct failures handed to
        its other successors (see :meth:`MarkovModel.repair_effect`); default 0.5. Not
        used by ``kind="harm_removal"``.
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
        the step counts (:meth:`MarkovModel.harm_removal_effects`); its
        ``extra_successes`` are the chain's attributable failures.
    min_support : int, default 30
        For ``kind="harm_removal"``: comparable moves a state needs (see
        :meth:`MarkovModel.harm_removal_effects`).

    Returns
    -------
    pandas.DataFrame
        The table of :meth:`MarkovModel.repair_effects` or of
        :meth:`MarkovModel.harm_removal_effects` for the decided journeys.

    Raises
    ------
    ValidationError
        An unknown ``kind`` (with the closest name), or ``reduce_failure_by`` given with
        ``kind="harm_removal"``.

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
    if kind not in _KINDS:
        raise ValidationError(
            f"kind must be one of {', '.join(map(repr, _KINDS))}, got {kind!r}"
            + did_you_mean(str(kind), _KINDS),
            field="kind",
            value=kind,
        )
    value = _success_value(log, value_per_success)
    model = markov(log)
    if kind == "harm_removal":
        if reduce_failure_by is not None:
            raise ValidationError(
                "reduce_failure_by= is a first-order repair; kind='harm_removal' removes "
                "the step's whole harm",
                field="reduce_failure_by",
                value=reduce_failure_by,
                hint="Drop reduce_failure_by=, or use kind='first_order'",
            )
        return model.harm_removal_effects(
            value_per_success=value, min_support=min_support, bootstrap=bootstrap, seed=seed
        )
    return model.repair_effects(
        reduce_failure_by=0.5 if reduce_failure_by is None else reduce_failure_by,
        value_per_success=value,
        bootstrap=bootstrap,
        seed=seed,
    )
