"""Simulated survey answers tied to simulated journeys, with a documented ground truth.

:func:`simulate_survey` turns an event table (such as the one from
:func:`~frictionkit.datasets.simulate_journeys`) into survey answers: a share of the
journeys answers a CSAT question about one touchpoint they visited (and, optionally, an
NPS question about the whole journey). Journeys that met friction score lower, by
construction:

``latent = base_csat - sum(friction_penalty[t] for each friction touchpoint t visited)
- loop_penalty * repeated_visits - failure_penalty * [journey failed] + noise``

where ``repeated_visits`` is the number of events of the journey minus its number of
distinct touchpoints (back-and-forth) and ``noise`` is normal with ``noise_sd``. The CSAT
answer is ``latent`` rounded and clipped to 1-5; the NPS answer is
``2.5 (latent - 1)`` plus its own noise, rounded and clipped to 0-10.

Examples
--------
>>> from frictionkit.datasets import simulate_journeys
>>> answers = simulate_survey(simulate_journeys(500, seed=1), seed=1)
>>> sorted(answers.columns)
['case_id', 'metric', 'score', 'stage', 'timestamp', 'touchpoint']
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from frictionkit._validate import as_float, check_bounds, column
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

__all__ = ["simulate_survey"]

_DEFAULT_PENALTY = {"payment_error": 1.5}


@overload
def simulate_survey(
    log_frame: pd.DataFrame,
    seed: int,
    *,
    response_rate: float = ...,
    metrics: Sequence[str] = ...,
    base_csat: float = ...,
    friction_penalty: Mapping[str, float] | None = ...,
    loop_penalty: float = ...,
    failure_penalty: float = ...,
    noise_sd: float = ...,
    case_col: str = ...,
    touchpoint_col: str = ...,
    timestamp_col: str = ...,
    outcome_col: str | None = ...,
    stage_col: str | None = ...,
    return_truth: Literal[False] = ...,
) -> pd.DataFrame: ...


@overload
def simulate_survey(
    log_frame: pd.DataFrame,
    seed: int,
    *,
    response_rate: float = ...,
    metrics: Sequence[str] = ...,
    base_csat: float = ...,
    friction_penalty: Mapping[str, float] | None = ...,
    loop_penalty: float = ...,
    failure_penalty: float = ...,
    noise_sd: float = ...,
    case_col: str = ...,
    touchpoint_col: str = ...,
    timestamp_col: str = ...,
    outcome_col: str | None = ...,
    stage_col: str | None = ...,
    return_truth: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def simulate_survey(
    log_frame: pd.DataFrame,
    seed: int,
    *,
    response_rate: float = 0.4,
    metrics: Sequence[str] = ("csat",),
    base_csat: float = 4.4,
    friction_penalty: Mapping[str, float] | None = None,
    loop_penalty: float = 0.4,
    failure_penalty: float = 1.0,
    noise_sd: float = 0.7,
    case_col: str = "case_id",
    touchpoint_col: str = "touchpoint",
    timestamp_col: str = "timestamp",
    outcome_col: str | None = "outcome",
    stage_col: str | None = "stage",
    return_truth: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate survey answers for the journeys of an event table (lower after friction).

    Parameters
    ----------
    log_frame : pandas.DataFrame
        One row per event (for instance from :func:`simulate_journeys`); never modified.
    seed : int
        Seed; the same seed and arguments give the identical answers.
    response_rate : float in [0, 1], default 0.4
        Share of journeys that answer.
    metrics : sequence of {"csat", "nps"}, default ("csat",)
        ``"csat"``: one answer on 1-5 about a touchpoint the journey visited (drawn
        uniformly among its events); ``"nps"``: one answer on 0-10 about the journey,
        linked by case id only.
    base_csat : float, default 4.4
        Mean latent CSAT of a journey without friction.
    friction_penalty : mapping of str to float, optional
        CSAT points lost when a journey visits a touchpoint. Default:
        ``{"payment_error": 1.5}`` when the table has that touchpoint, else none.
    loop_penalty : float, default 0.4
        Points lost per repeated visit (events minus distinct touchpoints).
    failure_penalty : float, default 1.0
        Points lost by failed journeys (``outcome_col == "failure"``).
    noise_sd : float, default 0.7
        Standard deviation of the normal noise of each answer.
    case_col, touchpoint_col, timestamp_col : str
        Columns of the event table.
    outcome_col, stage_col : str or None
        Optional columns: the journey's outcome (``"success"``, ``"failure"``, ``"open"``)
        and the stage of each event (copied to the answers).
    return_truth : bool, default False
        Also return the truth per answering journey: ``case_id``, ``outcome``,
        ``friction_hits`` (friction touchpoints visited), ``repeated_visits``,
        ``penalty`` (total points lost) and ``expected_latent`` (``base_csat - penalty``).

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        The answers: ``case_id``, ``touchpoint`` (None for NPS), ``stage``, ``metric``,
        ``score``, ``timestamp`` (one hour after the journey's last event), ordered by
        case then metric.

    Raises
    ------
    MissingColumnError
        A column is not in the table.
    UnknownReferenceError
        A metric other than csat / nps, or a penalised touchpoint not in the table.
    ValidationError
        A rate or penalty out of range.

    Examples
    --------
    >>> from frictionkit.datasets import simulate_journeys
    >>> events = simulate_journeys(2000, seed=3)
    >>> answers, truth = simulate_survey(events, seed=3, return_truth=True)
    >>> hit = truth.set_index("case_id")["friction_hits"] > 0
    >>> csat = answers.set_index("case_id")["score"]
    >>> bool(csat[hit[hit].index].mean() < csat[hit[~hit].index].mean())
    True
    """
    if not isinstance(log_frame, pd.DataFrame):
        raise InputTypeError(
            f"log_frame must be a pandas DataFrame, got {type(log_frame).__name__}",
            field="log_frame",
            value=type(log_frame).__name__,
        )
    seed_value: Any = seed
    if isinstance(seed_value, bool) or not isinstance(seed_value, numbers.Integral):
        raise InputTypeError(f"seed must be an int, got {seed!r}", field="seed", value=seed)
    df = log_frame
    c_col = column(df, case_col, field="case_col", what="the event table")
    t_col = column(df, touchpoint_col, field="touchpoint_col", what="the event table")
    ts_col = column(df, timestamp_col, field="timestamp_col", what="the event table")
    o_col = (
        None
        if outcome_col is None
        else column(df, outcome_col, field="outcome_col", what="the event table")
    )
    s_col = (
        None
        if stage_col is None
        else column(df, stage_col, field="stage_col", what="the event table")
    )
    rate = check_bounds(
        as_float(response_rate, "response_rate"), "response_rate", low=0.0, high=1.0
    )
    base = check_bounds(as_float(base_csat, "base_csat"), "base_csat", low=1.0, high=5.0)
    loop = check_bounds(as_float(loop_penalty, "loop_penalty"), "loop_penalty", low=0.0)
    fail = check_bounds(as_float(failure_penalty, "failure_penalty"), "failure_penalty", low=0.0)
    sd = check_bounds(as_float(noise_sd, "noise_sd"), "noise_sd", low=0.0)
    if isinstance(metrics, str):
        metrics = (metrics,)
    wanted = list(dict.fromkeys(str(m) for m in metrics))
    for m in wanted:
        if m not in ("csat", "nps"):
            raise UnknownReferenceError(
                f"metrics: unknown metric {m!r}" + did_you_mean(m, ("csat", "nps")),
                field="metrics",
                value=m,
                hint="Use 'csat' and/or 'nps'",
            )
    if not wanted:
        raise ValidationError("metrics must name at least one metric", field="metrics")

    ts = pd.to_datetime(df[ts_col])
    work = pd.DataFrame(
        {
            "case": df[c_col].to_numpy(dtype=object),
            "tp": df[t_col].astype(str).to_numpy(dtype=object),
            "ts": ts.to_numpy(),
            "row": np.arange(len(df)),
        }
    )
    if s_col is not None:
        work["stage"] = df[s_col].to_numpy(dtype=object)
    work = work.sort_values(["case", "ts", "row"], kind="stable").reset_index(drop=True)
    case_code, cases = pd.factorize(work["case"], sort=False)
    n_cases = len(cases)
    tp_code, tps = pd.factorize(work["tp"], sort=True)
    known = [str(t) for t in tps]
    penalty_map = dict(friction_penalty) if friction_penalty is not None else {
        k: v for k, v in _DEFAULT_PENALTY.items() if k in known
    }  # fmt: skip
    pen = np.zeros(len(known))
    for name, value in penalty_map.items():
        if name not in known:
            raise UnknownReferenceError(
                f"friction_penalty: touchpoint {name!r} is not in the event table"
                + did_you_mean(name, known),
                field="friction_penalty",
                value=name,
            )
        pen[known.index(name)] = check_bounds(
            as_float(value, f"friction_penalty[{name!r}]"), "friction_penalty", low=0.0
        )
    n_events = np.bincount(case_code, minlength=n_cases)
    pairs = np.unique(case_code.astype(np.int64) * len(known) + tp_code)
    pair_case = pairs // len(known)
    pair_tp = pairs % len(known)
    distinct = np.bincount(pair_case, minlength=n_cases)
    hits = np.bincount(pair_case, weights=(pen[pair_tp] > 0).astype(float), minlength=n_cases)
    penalty_tp = np.bincount(pair_case, weights=pen[pair_tp], minlength=n_cases)
    repeated = n_events - distinct
    if o_col is not None:
        last_outcome = (
            pd.Series(df[o_col].to_numpy(dtype=object)).iloc[work["row"].to_numpy()]
        ).to_numpy(dtype=object)
        ends = np.cumsum(n_events) - 1
        outcome = np.array([str(v) for v in last_outcome[ends]], dtype=object)
    else:
        outcome = np.full(n_cases, "open", dtype=object)
    penalty = penalty_tp + loop * repeated + fail * (outcome == "failure")

    rng = np.random.default_rng(int(seed))
    answers_mask = rng.random(n_cases) < rate
    who = np.flatnonzero(answers_mask)
    starts = np.concatenate([[0], np.cumsum(n_events)[:-1]])
    latent_mean = base - penalty
    frames = []
    last_ts = work["ts"].to_numpy()[np.cumsum(n_events) - 1]
    answer_ts = pd.Series(last_ts[who]) + pd.Timedelta(hours=1)
    for m in wanted:
        noise = rng.normal(0.0, sd, size=who.size) if sd > 0 else np.zeros(who.size)
        latent = latent_mean[who] + noise
        if m == "csat":
            ev = starts[who] + np.floor(rng.random(who.size) * n_events[who]).astype(np.int64)
            score = np.clip(np.round(latent), 1, 5)
            tp = work["tp"].to_numpy()[ev]
            stage = work["stage"].to_numpy()[ev] if s_col is not None else None
        else:
            score = np.clip(np.round(2.5 * (latent - 1.0)), 0, 10)
            tp = np.full(who.size, None, dtype=object)
            stage = np.full(who.size, None, dtype=object)
        frames.append(
            pd.DataFrame(
                {
                    "case_id": np.asarray(cases, dtype=object)[who],
                    "touchpoint": tp,
                    "stage": stage if stage is not None else np.full(who.size, None),
                    "metric": m,
                    "score": score.astype(np.int64),
                    "timestamp": answer_ts.to_numpy(),
                    "_order": np.arange(who.size),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["_order"], kind="stable").drop(columns="_order")
    out = out.reset_index(drop=True)
    if not return_truth:
        return out
    truth = pd.DataFrame(
        {
            "case_id": np.asarray(cases, dtype=object)[who],
            "outcome": outcome[who],
            "friction_hits": hits[who].astype(np.int64),
            "repeated_visits": repeated[who].astype(np.int64),
            "penalty": penalty[who],
            "expected_latent": latent_mean[who],
        }
    )
    return out, truth
