"""Routes, transitions and funnel of an event log.

These functions are the implementations behind :meth:`EventLog.routes`,
:meth:`EventLog.transitions` and :meth:`EventLog.funnel`; call them either way. Each
returns a DataFrame, documented column by column below, computed from the integer-coded
arrays of the log in a few vectorised passes (no Python loop over events or journeys).

Why this module is long: it holds the five tables of a log's paths (routes,
transitions, the funnel with its branches, stage routes, outcomes by segment), which
share the Wilson interval, the group-size check and the small-group folding; each table
is one function with its numpydoc docstring and examples.

Conventions:

- A **route** is the ordered tuple of a journey's touchpoints (events with equal timestamps
  in input-row order). Two journeys follow the same route when the tuples are equal; this
  is what process-mining tools call a *variant*.
- **Success rate** is taken over *decided* journeys (success + failure); open journeys are
  counted apart. Its 95 % interval is the Wilson score interval.
- **Transitions** run from ``START`` to the first touchpoint, between consecutive events,
  and from the last touchpoint to the journey's end state (``SUCCESS``, ``FAILURE`` or
  ``OPEN``). Times between events are quantiles with linear interpolation (numpy's
  default).
- **Funnel**: a journey *reaches* a stage when its furthest stage (in journey order) is
  that stage or a later one, so the counts never increase along the funnel. Outcome steps
  never count as reaching a stage and decided journeys are read up to their outcome (the
  rule of friction's ``reached_stage``); a stage that most journeys going further skip is
  a *branch* (share that took it, where the others went), not a step of the funnel.
- **Stage routes** (:func:`stage_routes`) are routes through the stages, a stage counted
  once per visit; **outcomes by segment** (:func:`outcomes_by`) count journeys and
  outcomes per persona or other case attribute. Both fold small groups like the rest.

Examples
--------
>>> import pandas as pd
>>> from frictionkit.events import EventLog
>>> df = pd.DataFrame({
...     "case": ["a", "a", "b", "b", "c"],
...     "step": ["visit", "buy", "visit", "buy", "visit"],
...     "time": ["2024-01-01 10:00", "2024-01-01 10:02", "2024-01-01 11:00",
...              "2024-01-01 11:04", "2024-01-01 12:00"],
... })
>>> log = EventLog.from_frame(df, case_col="case", touchpoint_col="step",
...                           timestamp_col="time", success="buy")
>>> routes(log)[["route_text", "journeys", "successes", "open"]]
    route_text  journeys  successes  open
0  visit → buy         2          2     0
1        visit         1          0     1
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.events._kernels import (
    _SMALL_GROUPS,
    grouped_order,
    int_group_quantiles,
    select_group_quantiles,
)
from frictionkit.events._kinds import insert_after, kind_columns, kind_reach
from frictionkit.events._outcomes import (
    FAILURE,
    FAILURE_STATE,
    OPEN,
    OPEN_STATE,
    START_STATE,
    SUCCESS,
    SUCCESS_STATE,
)
from frictionkit.events._reductions import (
    ARROW,
    outcome_steps,
    route_codes,
    route_text,
    stage_reach,
)
from frictionkit.privacy import SUPPRESSED_LABEL, check_min_group_size, small_groups

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog

__all__ = [
    "ARROW",
    "funnel",
    "outcomes_by",
    "route_codes",
    "route_text",
    "routes",
    "stage_routes",
    "transitions",
    "wilson_interval",
]


_Z95 = 1.959963984540054
_INT = np.int64


# ---------------------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------------------
def wilson_interval(
    successes: np.ndarray, n: np.ndarray, z: float = _Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (NaN where ``n == 0``).

    Parameters
    ----------
    successes, n : ndarray
        Successes and trials.
    z : float, default 1.96
        Normal quantile (1.959964 for 95 %).

    Returns
    -------
    low, high : ndarray

    Examples
    --------
    Wilson (1927); the worked case 8 of 10 gives about 0.490 to 0.943:

    >>> low, high = wilson_interval(np.array([8]), np.array([10]))
    >>> print(round(float(low[0]), 3), round(float(high[0]), 3))
    0.49 0.943
    """
    s = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s / m
        denom = 1 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    low = np.where(m > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(m > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def check_group_size(min_group_size: Any) -> int | None:
    """Validate a ``min_group_size`` argument (None or a whole number >= 1).

    Examples
    --------
    >>> check_group_size(10), check_group_size(None)
    (10, None)
    """
    return check_min_group_size(min_group_size, optional=True)


def _route_names(
    touchpoints: tuple[str, ...], codes: np.ndarray, lengths: np.ndarray
) -> tuple[list[tuple[str, ...]], list[str]]:
    """Name tuples and joined texts of routes laid end to end in ``codes``.

    One tuple and one join per route (the distinct routes of a log, never per journey);
    each name is quoted once (:func:`route_text` of the name alone), not once per event,
    and the texts are joined from the tuples themselves when no name needs quoting.
    """
    bounds = np.r_[0, np.cumsum(lengths)].tolist()
    flat = np.asarray(touchpoints, dtype=object)[codes].tolist()
    tuples = [tuple(flat[a:b]) for a, b in pairwise(bounds)]
    quoted = [route_text([t]) for t in touchpoints]
    if quoted == list(touchpoints):
        return tuples, list(map(ARROW.join, tuples))
    shown = np.asarray(quoted, dtype=object)[codes].tolist()
    return tuples, [ARROW.join(shown[a:b]) for a, b in pairwise(bounds)]


# ---------------------------------------------------------------------------------------
# routes
# ---------------------------------------------------------------------------------------
def routes(log: EventLog, *, min_group_size: int | None = None) -> pd.DataFrame:
    """One row per distinct route (ordered tuple of touchpoints).

    Parameters
    ----------
    log : EventLog
        The event log.
    min_group_size : int, optional
        Routes followed by fewer journeys are pooled into one last row, ``route`` ``()``
        and ``route_text`` ``"other (suppressed)"``, so no route of only a handful of
        people is shown, and a ``suppressed_groups`` column says how many routes each row
        stands for. When only one route is below the threshold, the next smallest is
        pooled with it (one pooled route alone would be shown exactly).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``journeys`` (descending), then ``route`` (ascending), with columns:

        - ``route``: tuple of touchpoint names;
        - ``route_text``: the same joined by ``" → "`` (see :func:`route_text`: a name
          holding the arrow is quoted, so no two routes print alike);
        - ``n_steps``: length of the route (-1 for the pooled row);
        - ``journeys``, ``successes``, ``failures``, ``open``: journey counts;
        - ``successes_<kind>`` / ``failures_<kind>``: when ``success=`` / ``failure=``
          named kinds (a mapping), the journeys of each kind (after ``open``);
        - ``success_rate``: successes / (successes + failures), NaN when none decided;
        - ``success_rate_low``, ``success_rate_high``: Wilson 95 % interval;
        - ``share``: journeys / all journeys;
        - ``suppressed_groups``: with ``min_group_size`` only, the number of routes behind
          each row (1, or more for the pooled row).

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": list("aabbcdd"), "t": ["x", "y", "x", "y", "x", "z", "y"],
    ...                    "ts": ["2024-01-01"] * 7})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="y")
    >>> routes(log, min_group_size=2)[["route_text", "journeys", "share", "suppressed_groups"]]
               route_text  journeys  share  suppressed_groups
    0               x → y         2    0.5                  1
    1  other (suppressed)         2    0.5                  2
    """
    check_group_size(min_group_size)
    n_tp = len(log.touchpoints)
    offsets = log.journey_offsets
    key = log._memo("route_key", lambda: route_codes(log.event_touchpoint, offsets, n_tp))
    rc_raw, uniq = pd.factorize(key)
    rc = rc_raw.astype(_INT)
    n_routes = len(uniq)
    outcome = log.journey_outcome.astype(_INT)
    counts = (
        np.bincount(rc * 3 + outcome, weights=log.journey_weight, minlength=n_routes * 3)
        .astype(_INT)
        .reshape(n_routes, 3)
    )
    journeys = counts.sum(axis=1)
    # journeys descending, then route ascending (keys sort like the name tuples, because
    # touchpoint codes follow the sorted names)
    idx = np.lexsort((np.asarray(uniq, dtype=_INT), -journeys))
    rep = np.full(n_routes, -1, dtype=_INT)
    rep[rc[::-1]] = np.arange(len(rc) - 1, -1, -1, dtype=_INT)  # first journey of each route
    rep = rep[idx]
    # gather the events of one representative journey per route in a single pass
    rep_len = offsets[rep + 1] - offsets[rep]
    bounds = np.r_[0, np.cumsum(rep_len)]
    gather = np.repeat(offsets[rep] - bounds[:-1], rep_len) + np.arange(bounds[-1], dtype=_INT)
    route, route_text = _route_names(log.touchpoints, log.event_touchpoint[gather], rep_len)
    c = counts[idx]
    per_kind = {col: v[idx] for col, v in kind_columns(log, rc, n_routes).items()}
    table = {
        "route": route,
        "route_text": route_text,
        "n_steps": rep_len.astype(_INT),
        "journeys": journeys[idx].astype(_INT),
        "successes": c[:, SUCCESS].astype(_INT),
        "failures": c[:, FAILURE].astype(_INT),
        "open": c[:, OPEN].astype(_INT),
        **per_kind,
    }
    suppressed = None
    if min_group_size is not None:
        small = small_groups(table["journeys"], min_group_size)
        suppressed = np.ones(int((~small).sum()) + bool(small.any()), dtype=_INT)
        if small.any():
            suppressed[-1] = int(small.sum())
            keep = ~small
            pooled = {
                "route": [r for r, k in zip(route, keep.tolist(), strict=True) if k] + [()],
                "route_text": [
                    t for t, k in zip(table["route_text"], keep.tolist(), strict=True) if k
                ]
                + [SUPPRESSED_LABEL],
                "n_steps": np.r_[table["n_steps"][keep], -1],
            }
            for col in ("journeys", "successes", "failures", "open", *per_kind):
                pooled[col] = np.r_[table[col][keep], table[col][small].sum()].astype(_INT)
            table = pooled
    out = pd.DataFrame(
        {
            "route": pd.Series(table["route"], dtype=object),
            "route_text": pd.Series(table["route_text"], dtype=object),
            "n_steps": table["n_steps"],
            "journeys": table["journeys"],
            "successes": table["successes"],
            "failures": table["failures"],
            "open": table["open"],
            **{col: table[col] for col in per_kind},
        }
    )
    decided = out["successes"].to_numpy() + out["failures"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(decided > 0, out["successes"].to_numpy() / decided, np.nan)
    low, high = wilson_interval(out["successes"].to_numpy(), decided)
    out["success_rate"] = rate
    out["success_rate_low"] = low
    out["success_rate_high"] = high
    out["share"] = out["journeys"].to_numpy() / log.n_journeys
    if suppressed is not None:
        out["suppressed_groups"] = suppressed
    return out


# ---------------------------------------------------------------------------------------
# transitions
# ---------------------------------------------------------------------------------------
def _edges(log: EventLog) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """All edges: (source state, target state, journey, gap in ns or -1, n_states).

    States and journeys come in the smallest signed type that holds them (int16 /
    int32 states, int32 journeys below 2**31): the arrays are as long as the log.
    """
    k = len(log.touchpoints)
    n_states = k + 4  # START, touchpoints, SUCCESS, FAILURE, OPEN
    st_type = np.int16 if n_states < 2**15 else np.int32 if n_states < 2**31 else _INT
    tp = log.event_touchpoint
    ej = log.event_journey
    ts = log.event_timestamp_ns
    off = log.journey_offsets
    n_j = len(off) - 1
    j_type = np.int32 if n_j < 2**31 else _INT
    n = len(tp)
    end_state = np.array([k + 3, k + 1, k + 2], dtype=st_type)[log.journey_outcome.astype(_INT)]
    # the edge into each event, in event order (from START at a journey's first event,
    # else from the event before), then the edge out of each journey's last event: each
    # pair's edges stay in journey order
    src = np.empty(n + n_j, dtype=st_type)
    src[1:n] = tp[:-1]
    src[n:] = tp[off[1:] - 1]
    np.add(src, 1, out=src)
    src[off[:-1]] = 0  # START
    dst = np.empty(n + n_j, dtype=st_type)
    dst[:n] = tp
    np.add(dst[:n], 1, out=dst[:n])
    dst[n:] = end_state
    jour = np.empty(n + n_j, dtype=j_type)
    jour[:n] = ej
    jour[n:] = np.arange(n_j, dtype=j_type)
    gap = np.empty(n + n_j, dtype=_INT)
    np.subtract(ts[1:], ts[:-1], out=gap[1:n])
    gap[off[:-1]] = -1
    gap[n:] = -1
    return src, dst, jour, gap, n_states


#: Largest journey x pair flag table of :func:`_pair_journeys`.
_SEEN_CELLS = 1 << 27


def _pair_journeys(
    log: EventLog, pcode: np.ndarray, jour: np.ndarray, n_pairs: int, sizes: np.ndarray | None
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Journeys in which each pair occurs, and those per kind of outcome (:func:`kind_columns`).

    ``pcode`` and ``jour`` are the pair and journey of each edge (:func:`_edges`); the
    edges of one pair are in journey order. ``sizes``: the edges of each pair, when known.
    A flag per (journey, pair) where the table is small, else the edges grouped by pair.
    """
    w = log.journey_weight
    n_j = len(log.journey_offsets) - 1
    if n_j * n_pairs <= _SEEN_CELLS:
        flat = jour.astype(_INT) * n_pairs
        flat += pcode
        seen = np.zeros(n_j * n_pairs, dtype=bool)
        seen[flat] = True
        del flat
        if w is None and not log.has_kinds:
            return np.count_nonzero(seen.reshape(n_j, n_pairs), axis=0), {}
        # the distinct (journey, pair) flags: each pair's journeys in journey order
        j_new, p_new = np.divmod(np.flatnonzero(seen), n_pairs)
    else:
        if sizes is None:
            order, sizes = grouped_order(pcode, n_pairs)
        else:
            order = np.argsort(pcode, kind="stable")
        # edges of one pair keep journey order, so distinct journeys are changes along
        # the grouping; the grouped codes are the pair numbers repeated (no gather)
        p_sorted = np.repeat(np.arange(n_pairs, dtype=_INT), sizes)
        j_sorted = jour[order]
        del order
        new = np.empty(len(p_sorted), dtype=bool)
        new[:1] = True
        new[1:] = (p_sorted[1:] != p_sorted[:-1]) | (j_sorted[1:] != j_sorted[:-1])
        p_new, j_new = p_sorted[new], j_sorted[new]
    journeys = np.bincount(p_new, weights=None if w is None else w[j_new], minlength=n_pairs)
    return journeys, kind_columns(log, p_new, n_pairs, journey=j_new)


def transitions(log: EventLog, *, min_group_size: int | None = None) -> pd.DataFrame:
    """Directly-follows counts between states, with ``START`` and the end states.

    Parameters
    ----------
    log : EventLog
        The event log.
    min_group_size : int, optional
        Pairs seen in fewer journeys are folded into one ``"other (suppressed)"`` row by
        :func:`frictionkit.privacy.suppress_small_groups` (``count`` and ``journeys``
        summed, a ``suppressed_groups`` column added).

    Returns
    -------
    pandas.DataFrame
        One row per observed pair, ordered by source then target in state order
        (``START``, touchpoints by name, ``SUCCESS``, ``FAILURE``, ``OPEN``):

        - ``source``, ``target``: state names;
        - ``count``: times the pair occurs (a journey may repeat it);
        - ``share``: count / all transitions leaving ``source`` (sums to 1 per source);
        - ``journeys``: journeys in which it occurs at least once;
        - ``successes_<kind>`` / ``failures_<kind>``: when ``success=`` / ``failure=``
          named kinds (a mapping), those journeys by their kind of outcome (columns as in
          :func:`routes`; they sum to ``journeys`` less the open ones and the plain kind);
        - ``median_s``, ``p95_s``: median and 95th percentile of the time between the two
          events in seconds (NaN for edges from ``START`` or into an end state).

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a", "b", "b"], "t": ["x", "y", "x", "y"],
    ...     "ts": ["2024-01-01 10:00", "2024-01-01 10:01", "2024-01-02 10:00",
    ...            "2024-01-02 10:03"]})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="y")
    >>> transitions(log)[["source", "target", "count", "share", "median_s"]]
      source   target  count  share  median_s
    0  START        x      2    1.0       NaN
    1      x        y      2    1.0     120.0
    2      y  SUCCESS      2    1.0       NaN
    """
    src, dst, jour, gap, n_states = _edges(log)
    n_dense = n_states * n_states
    w = log.journey_weight
    if n_dense <= 65536:
        # few states: dense pair codes
        pair = src.astype(np.int32)
        pair *= n_states
        pair += dst
        del src, dst
        dense_count = np.bincount(pair, minlength=n_dense)
        uniq = np.flatnonzero(dense_count)
        recode = np.zeros(n_dense, dtype=np.uint16)
        recode[uniq] = np.arange(len(uniq), dtype=np.uint16)
        pcode = recode[pair]
        del pair
        n_pairs = len(uniq)
        count = dense_count[uniq] if w is None else np.bincount(pcode, weights=w[jour])
        sizes = dense_count[uniq]
    else:
        pcode_raw, uniq_raw = pd.factorize(src.astype(_INT) * n_states + dst)
        del src, dst
        pcode, uniq = pcode_raw.astype(_INT), np.asarray(uniq_raw, dtype=_INT)
        n_pairs = len(uniq)
        count = np.bincount(pcode, weights=None if w is None else w[jour], minlength=n_pairs)
        sizes = None
    journeys, per_kind = _pair_journeys(log, pcode, jour, n_pairs, sizes)
    del jour
    u = np.asarray(uniq, dtype=_INT)
    if log.timings is None and n_pairs <= _SMALL_GROUPS:
        # few pairs: the order statistics by a bucket histogram of the gaps (no sort).
        # The edges from START and into an end state have no gap (-1), and their pairs
        # no other edges: every pair's gaps are counted, those pairs' made NaN after
        np.maximum(gap, 0, out=gap)
        q = select_group_quantiles(pcode, gap, n_pairs, (0.5, 0.95)) / 1e9
        k = len(log.touchpoints)
        q[(u // n_states == 0) | (u % n_states > k)] = np.nan
    elif log.timings is None:
        timed = gap >= 0
        q = int_group_quantiles(pcode[timed], gap[timed], n_pairs, (0.5, 0.95)) / 1e9
    else:
        q = _stored_gaps(log.timings.transitions, u, n_states) / 1e9
    s_code, t_code = u // n_states, u % n_states
    out_total = np.bincount(s_code, weights=count, minlength=n_states)
    names = np.array(
        [START_STATE, *log.touchpoints, SUCCESS_STATE, FAILURE_STATE, OPEN_STATE], dtype=object
    )
    order = np.lexsort((t_code, s_code))
    out = pd.DataFrame(
        {
            "source": names[s_code[order]],
            "target": names[t_code[order]],
            "count": count[order].astype(_INT),
            "share": (count / out_total[s_code])[order],
            "journeys": journeys[order].astype(_INT),
            **{col: v[order].astype(_INT) for col, v in per_kind.items()},
            "median_s": q[order, 0],
            "p95_s": q[order, 1],
        }
    )
    size = check_group_size(min_group_size)
    if size is None:
        return out
    from frictionkit.privacy import suppress_small_groups

    return suppress_small_groups(
        out,
        count_col="journeys",
        min_group_size=size,
        label_col="source",
        sum_cols=["count", *per_kind],
    )


def _stored_gaps(table: pd.DataFrame, pairs: np.ndarray, n_states: int) -> np.ndarray:
    """Quantiles (ns) of the state pairs ``pairs`` from an engine's transition timings."""
    out = np.full((len(pairs), 2), np.nan)
    if len(table) == 0:
        return out
    stored = (table["src"].to_numpy(dtype=_INT) + 1) * n_states + (
        table["dst"].to_numpy(dtype=_INT) + 1
    )
    pos = pd.Index(stored).get_indexer(pairs)
    hit = pos >= 0
    values = table[["median_ns", "p95_ns"]].to_numpy(dtype=float)
    out[hit] = values[pos[hit]]
    return out


# ---------------------------------------------------------------------------------------
# funnel
# ---------------------------------------------------------------------------------------
def funnel(
    log: EventLog,
    *,
    by: Any = None,
    min_group_size: int | None = None,
    branch_threshold: float | None = 0.5,
) -> pd.DataFrame:
    """Journeys reaching each stage, step conversion, drop-off, branches and success rate.

    Parameters
    ----------
    log : EventLog
        The event log (stages from its journey map, stage column or inference; see
        ``stage_source``).
    by : str or mapping, optional
        A case-level segment (persona): the name of a column kept with ``case_cols``, or
        a mapping / Series from case id to segment. One funnel per segment.
    min_group_size : int, optional
        With ``by``: segments of fewer journeys are pooled into one segment
        ``"other (suppressed)"`` (when only one segment is small, the next smallest is
        pooled with it, as :func:`frictionkit.privacy.suppress_small_groups` does).
        With or without ``by``, the figures of a stage reached (or visited) by fewer
        journeys are hidden by :func:`frictionkit.privacy.hide_small_figures`: they
        become missing (count columns nullable ``Int64``), as does the drop-off of the
        stage before it, and a ``suppressed`` column flags the row; so are those of a
        stage lying a small group below the last stage shown
        (:func:`frictionkit.privacy.hidden_nested_counts`). The branch figures
        are hidden the same way (the journeys taking a branch, those not taking it, and
        those of them that went on or ended).
    branch_threshold : float or None, default 0.5
        A stage is a **branch** when, of the journeys that went on to a later stage,
        fewer than this share passed through it (an optional stage such as an appeal);
        the other stages are **main** stages. ``None`` (or 0) makes every stage main.
        Branches are decided on the whole log, so every segment has the same ones.

    Returns
    -------
    pandas.DataFrame
        One row per stage in journey order (per segment when ``by`` is given):

        - ``segment`` (only with ``by``);
        - ``stage``, ``position`` (0-based);
        - ``kind``: ``"main"`` or ``"branch"`` (see ``branch_threshold``);
        - ``journeys``: journeys whose furthest stage is this one or a later one (the
          ``reached_stage`` of :func:`frictionkit.friction.friction`);
        - ``visited``: journeys with at least one event in this stage (for a branch: the
          journeys that took it);
        - ``step_conversion``: journeys / journeys of the main stage before (first main
          stage: journeys / all journeys); missing for a branch, which is not a step;
        - ``drop_off``: journeys whose furthest stage is this one;
        - ``drop_off_rate``: drop_off / journeys;
        - ``branch_share``: for a branch, visited / journeys of the main stage before it
          (all journeys when none): the share that took the branch; missing for a main
          stage;
        - ``went_instead``: for a branch, the main stage after it (``"(end)"`` when none)
          and ``went_instead_share``: the share of the journeys of the main stage before
          that did not take the branch and reached that stage (the rest ended before it;
          missing with ``"(end)"``);
        - ``successes``, ``failures``, ``open``: outcomes of the journeys reaching it;
        - ``successes_<kind>`` / ``failures_<kind>``: when ``success=`` / ``failure=``
          named kinds (a mapping), the journeys of each kind reaching it;
        - ``success_rate``: successes / (successes + failures) of those, with
          ``success_rate_low`` / ``success_rate_high`` (Wilson 95 %);
        - ``stage_source``: ``"journey"``, ``"column"`` or ``"inferred"``.

    Notes
    -----
    Only the events that the analyses read count towards a stage
    (:func:`frictionkit.events._reductions.stage_reach`, the rule friction's
    ``reached_stage`` uses too): outcome steps (touchpoints that decide the outcome, such
    as ``buy`` for ``success="buy"``) never count as reaching their stage, and a decided
    journey is read up to its outcome. A journey made of an outcome step alone reaches no
    stage, so the drop-offs may sum to fewer than all journeys. A stage made of outcome
    steps alone (a ``payment`` stage holding only the success touchpoint) is the outcome
    itself: it has no row (its journeys are the ``successes`` / ``failures``), and
    ``position`` keeps the stage's place in ``log.stages``.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["browse", "pay", "browse"],
    ...                    "s": ["shop", "checkout", "shop"], "ts": ["2024-01-01"] * 3})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           stage_col="s", success="pay")
    >>> funnel(log)[["stage", "journeys", "step_conversion", "drop_off", "success_rate"]]
      stage  journeys  step_conversion  drop_off  success_rate
    0  shop         2              1.0         2           1.0

    The outcome step ``pay`` decides success; it does not count as reaching checkout,
    and checkout, made of it alone, is the outcome (``success_rate``), not a stage of the
    funnel. A stage that most journeys going further skip is a branch:

    >>> df = pd.DataFrame({"c": list("aabbbccdd"),
    ...     "s": ["fine", "pay", "fine", "appeal", "pay", "fine", "pay", "fine", "pay"],
    ...     "ts": ["2024-01-01"] * 9})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="s", timestamp_col="ts",
    ...                           stage_col="s")
    >>> funnel(log)[["stage", "kind", "visited", "step_conversion", "branch_share",
    ...              "went_instead"]]
        stage    kind  visited  step_conversion  branch_share went_instead
    0    fine    main        4              1.0           NaN         None
    1  appeal  branch        1              NaN          0.25          pay
    2     pay    main        4              1.0           NaN         None
    """
    size = check_group_size(min_group_size)
    threshold = _check_branch_threshold(branch_threshold)
    n_st = len(log.stages)
    reach_of = stage_reach(log)
    furthest = reach_of.furthest
    counted = reach_of.counted
    st = log.touchpoint_stage[log.event_touchpoint].astype(_INT)
    visit_key = pd.unique(log.event_journey[counted] * np.int64(n_st) + st[counted])
    visit_j = visit_key // n_st
    visit_s = visit_key % n_st
    outcome = log.journey_outcome.astype(_INT)
    w = log.journey_weight
    wj = np.ones(len(furthest)) if w is None else w.astype(float)
    # main stages and branches, decided on the whole log
    kinds = _stage_kinds(furthest, visit_j, visit_s, wj, n_st, threshold)
    # a stage made of outcome steps alone is the outcome, not a stage of the funnel
    steps = outcome_steps(log)
    tp_stage = np.asarray(log.touchpoint_stage, dtype=_INT)
    n_tp_st = np.bincount(tp_stage, minlength=n_st)
    shown = ~((n_tp_st > 0) & (np.bincount(tp_stage, weights=steps, minlength=n_st) == n_tp_st))
    main = (kinds == "main") & shown
    main_pos = np.flatnonzero(main)
    # the last main stage before each stage (-1: none) and the next main stage after it
    prev_main = np.full(n_st, -1, dtype=_INT)
    next_main = np.full(n_st, n_st, dtype=_INT)
    for i in range(n_st):
        before = main_pos[main_pos < i]
        after = main_pos[main_pos > i]
        prev_main[i] = before[-1] if len(before) else -1
        next_main[i] = after[0] if len(after) else n_st
    if by is None:
        seg = np.zeros(len(furthest), dtype=_INT)
        labels: np.ndarray = np.array([None], dtype=object)
    else:
        seg, labels = log.journey_segment(by)
        if size is not None:
            seg, labels = _pool_small_segments(seg, labels, size, log.journey_weight)
    n_seg = len(labels)
    # furthest-stage histogram per segment and outcome, then reverse cumulative sums
    has = furthest >= 0
    hist = (
        np.bincount(
            ((seg * n_st + furthest) * 3 + outcome)[has],
            weights=None if w is None else w[has],
            minlength=n_seg * n_st * 3,
        )
        .astype(_INT)
        .reshape(n_seg, n_st, 3)
    )
    reach = np.flip(np.cumsum(np.flip(hist, axis=1), axis=1), axis=1)
    reach_kind = kind_reach(log, seg, furthest, n_seg, n_st)
    vw = None if w is None else w[visit_j]
    visited = (
        np.bincount(seg[visit_j] * n_st + visit_s, weights=vw, minlength=n_seg * n_st)
        .astype(_INT)
        .reshape(n_seg, n_st)
    )
    # journeys that took each stage and went on to the main stage after it
    on = furthest[visit_j] >= next_main[visit_s]
    takers_on = (
        np.bincount(
            (seg[visit_j] * n_st + visit_s)[on],
            weights=None if vw is None else vw[on],
            minlength=n_seg * n_st,
        )
        .astype(_INT)
        .reshape(n_seg, n_st)
    )
    seg_total = np.bincount(seg, weights=w, minlength=n_seg).astype(_INT)
    branch = shown & ~main
    went_to = np.array(
        [log.stages[m] if m < n_st else "(end)" for m in next_main.tolist()], dtype=object
    )
    frames = []
    others_all, others_on_all = [], []
    for s in range(n_seg):
        journeys = reach[s].sum(axis=1)
        stopped = hist[s].sum(axis=1)
        before = np.where(prev_main >= 0, journeys[np.maximum(prev_main, 0)], seg_total[s])
        succ, fail, opn = reach[s][:, SUCCESS], reach[s][:, FAILURE], reach[s][:, OPEN]
        reach_next = np.r_[journeys, 0][next_main]
        others = np.where(branch, before - visited[s], 0)
        others_on = np.where(branch, reach_next - takers_on[s], 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            conv = np.where(main & (before > 0), journeys / np.maximum(before, 1), np.nan)
            drop_rate = np.where(journeys > 0, stopped / np.maximum(journeys, 1), np.nan)
            rate = np.where(succ + fail > 0, succ / np.maximum(succ + fail, 1), np.nan)
            share = np.where(branch & (before > 0), visited[s] / np.maximum(before, 1), np.nan)
            instead = np.where(
                branch & (others > 0) & (next_main < n_st),
                others_on / np.maximum(others, 1),
                np.nan,
            )
        low, high = wilson_interval(succ, succ + fail)
        part = {
            "stage": pd.Series(log.stages, dtype=object),
            "position": np.arange(n_st, dtype=_INT),
            "kind": pd.Series(kinds, dtype=object),
            "journeys": journeys.astype(_INT),
            "visited": visited[s].astype(_INT),
            "step_conversion": conv,
            "drop_off": stopped.astype(_INT),
            "drop_off_rate": drop_rate,
            "branch_share": share,
            "went_instead": pd.Series(
                [t if b else None for t, b in zip(went_to.tolist(), branch.tolist(), strict=True)],
                dtype=object,
            ),
            "went_instead_share": instead,
            "successes": succ.astype(_INT),
            "failures": fail.astype(_INT),
            "open": opn.astype(_INT),
            "success_rate": rate,
            "success_rate_low": low,
            "success_rate_high": high,
        }
        part = insert_after(part, "open", {c: v[s].astype(_INT) for c, v in reach_kind.items()})
        frame = pd.DataFrame(part).loc[shown].reset_index(drop=True)
        if by is not None:
            frame.insert(0, "segment", pd.Series([labels[s]] * len(frame), dtype=object))
        frames.append(frame)
        others_all.append(others[shown])
        others_on_all.append(others_on[shown])
    out: pd.DataFrame = pd.concat(frames, ignore_index=True)
    out["stage_source"] = log.stage_source
    if size is None:
        return out
    from frictionkit.privacy import hidden_nested_counts, hide_small_figures

    # nested counts: a stage a small group below the last shown one is hidden as well
    # (hidden_nested_counts), so a hidden count tests as small (1) below
    grp = out["segment"] if by is not None else pd.Series(np.zeros(len(out)))
    reach = out["journeys"].to_numpy(dtype=np.float64)
    for idx in grp.groupby(grp, sort=False).indices.values():
        reach[idx] = np.where(hidden_nested_counts(reach[idx], size), 1.0, reach[idx])
    # drop_off = journeys - next journeys; step_conversion = journeys / previous journeys
    by_seg = pd.Series(reach).groupby(grp.to_numpy(), sort=False)
    others_c = np.concatenate(others_all)
    others_on_c = np.concatenate(others_on_all)
    return hide_small_figures(
        out,
        [
            (reach, [*_FUNNEL_REACH_COLS, *reach_kind]),
            (by_seg.shift(-1), ["drop_off", "drop_off_rate"]),
            (by_seg.shift(1), ["step_conversion"]),
            (out["visited"], ["visited", "branch_share"]),
            (others_c, ["went_instead_share"]),
            (others_on_c, ["went_instead_share"]),
            (others_c - others_on_c, ["went_instead_share"]),
        ],
        min_group_size=size,
    )


_FUNNEL_REACH_COLS = (
    "journeys",
    "step_conversion",
    "drop_off",
    "drop_off_rate",
    "branch_share",
    "went_instead_share",
    "successes",
    "failures",
    "open",
    "success_rate",
    "success_rate_low",
    "success_rate_high",
)


def _check_branch_threshold(value: Any) -> float:
    """Validate ``branch_threshold`` (None, or a share in [0, 1]); None means 0."""
    if value is None:
        return 0.0
    from frictionkit._validate import as_float, check_bounds

    return check_bounds(as_float(value, "branch_threshold"), "branch_threshold", low=0.0, high=1.0)


def _stage_kinds(
    furthest: np.ndarray,
    visit_j: np.ndarray,
    visit_s: np.ndarray,
    weight: np.ndarray,
    n_st: int,
    threshold: float,
) -> np.ndarray:
    """``"main"`` or ``"branch"`` per stage (see :func:`funnel`'s ``branch_threshold``).

    A stage is a branch when, of the journeys whose furthest stage lies after it, fewer
    than ``threshold`` passed through it; a stage no journey went past is main.
    """
    has = furthest >= 0
    hist = np.bincount(furthest[has], weights=weight[has], minlength=n_st)
    reach = np.cumsum(hist[::-1])[::-1]
    went_past = np.r_[reach[1:], 0.0]
    past = furthest[visit_j] > visit_s
    passed = np.bincount(visit_s[past], weights=weight[visit_j][past], minlength=n_st)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(went_past > 0, passed / np.maximum(went_past, 1e-300), 1.0)
    return np.where(share < threshold, "branch", "main").astype(object)


def _pool_small_segments(
    seg: np.ndarray, labels: np.ndarray, size: int, weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    from frictionkit.privacy import SUPPRESSED_LABEL

    totals = np.bincount(seg, weights=weight, minlength=len(labels)).astype(_INT)
    small = totals < size
    if small.sum() == 1 and (~small).any():  # one pooled segment alone would show it
        shown = np.flatnonzero(~small)
        small[shown[np.argmin(totals[shown])]] = True
    if not small.any():
        return seg, labels
    kept = np.flatnonzero(~small)
    remap = np.full(len(labels), len(kept), dtype=_INT)
    remap[kept] = np.arange(len(kept), dtype=_INT)
    new_labels = np.array([*labels[kept].tolist(), SUPPRESSED_LABEL], dtype=object)
    return remap[seg], new_labels


# ---------------------------------------------------------------------------------------
# routes through the stages, outcomes by segment
# ---------------------------------------------------------------------------------------
def _outcome_table(
    label_col: str,
    labels: Any,
    counts: np.ndarray,
    min_group_size: int | None,
    total: int,
    per_kind: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Journeys and outcomes per group (``counts``: open, success, failure columns).

    ``per_kind``: the journeys of each kind per group (:func:`kind_columns`), put after
    ``open``. Sorted by journeys (descending) then label, small groups folded, then the
    success rate (Wilson 95 %) and share recomputed over the rows shown.
    """
    from frictionkit.privacy import suppress_small_groups

    kinds = per_kind or {}
    table = pd.DataFrame(
        {
            label_col: pd.Series(labels, dtype=object),
            "journeys": counts.sum(axis=1).astype(_INT),
            "successes": counts[:, SUCCESS].astype(_INT),
            "failures": counts[:, FAILURE].astype(_INT),
            "open": counts[:, OPEN].astype(_INT),
            **{col: v.astype(_INT) for col, v in kinds.items()},
        }
    ).sort_values(["journeys", label_col], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)
    if min_group_size is not None:
        table = suppress_small_groups(
            table,
            count_col="journeys",
            min_group_size=min_group_size,
            label_col=label_col,
            sum_cols=["successes", "failures", "open", *kinds],
        )
    out = table.copy()
    s = out["successes"].to_numpy(dtype=float)
    d = s + out["failures"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["success_rate"] = np.where(d > 0, s / np.maximum(d, 1), np.nan)
    low, high = wilson_interval(s.astype(_INT), d.astype(_INT))
    out["success_rate_low"] = np.asarray(low, dtype=float)
    out["success_rate_high"] = np.asarray(high, dtype=float)
    out["share"] = out["journeys"].to_numpy(dtype=float) / max(total, 1)
    return out


def stage_routes(
    log: EventLog,
    *,
    labels: Any = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """One row per distinct route through the stages, with its outcomes.

    A journey's *stage route* is the sequence of the stages of its events, a stage
    repeated only when the journey left it and came back (consecutive events in one
    stage count once). Touchpoint routes (:func:`routes`) are many and mostly unique in a
    long journey; stage routes show the success and failure paths at a readable level.

    Parameters
    ----------
    log : EventLog
        The event log (stages from its journey map, stage column or inference).
    labels : mapping of str to str, optional
        Display name of each stage id, e.g. ``{st.id: st.label for st in journey.stages}``;
        stages not in it keep their id. Routes are told apart by their stage names
        (stages given one label count as one), never by the joined text.
    min_group_size : int, optional
        Routes followed by fewer journeys are folded into one last row
        ``"other (suppressed)"`` by :func:`frictionkit.privacy.suppress_small_groups`
        (counts summed, a ``suppressed_groups`` column added; when only one route is
        small, the next smallest is folded with it).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``journeys`` (descending), then ``route_text``, with columns:

        - ``route``: tuple of stage names (``()`` for the folded row);
        - ``route_text``: the same joined by ``" → "`` (see :func:`route_text`: a name
          holding the arrow is quoted, so no two routes print alike);
        - ``n_steps``: length of the stage route (-1 for the folded row);
        - ``journeys``, ``successes``, ``failures``, ``open``: journey counts;
        - ``successes_<kind>`` / ``failures_<kind>``: when ``success=`` / ``failure=``
          named kinds (a mapping), the journeys of each kind (columns as in
          :func:`routes`);
        - ``success_rate``: successes / (successes + failures), NaN when none decided,
          with ``success_rate_low`` / ``success_rate_high`` (Wilson 95 %);
        - ``share``: journeys / all journeys;
        - ``suppressed_groups``: with ``min_group_size`` only, the routes behind each row.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({
    ...     "c": ["a", "a", "a", "b", "b", "c"],
    ...     "t": ["home", "search", "pay", "home", "search", "home"],
    ...     "s": ["browse", "browse", "buy", "browse", "browse", "browse"],
    ...     "ts": ["2024-01-01"] * 6})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           stage_col="s", success="pay")
    >>> stage_routes(log, labels={"buy": "Purchase"})[["route_text", "journeys", "successes"]]
              route_text  journeys  successes
    0             browse         2          0
    1  browse → Purchase         1          1
    """
    size = check_group_size(min_group_size)
    names_of = {} if labels is None else dict(labels)
    st = np.asarray(log.touchpoint_stage)[np.asarray(log.event_touchpoint)]
    jj = np.asarray(log.event_journey)
    keep = np.r_[True, (st[1:] != st[:-1]) | (jj[1:] != jj[:-1])]
    names = np.asarray([str(names_of.get(s, s)) for s in log.stages], dtype=object)
    # group by codes of the shown names (stages given one label are one step), never by
    # the joined text: a name holding the arrow would make two routes print alike
    name_code, name_uniq = pd.factorize(names)
    seq = name_code[st[keep]].astype(_INT)
    jk = jj[keep]
    bounds = np.r_[np.flatnonzero(np.r_[True, jk[1:] != jk[:-1]]), len(jk)].astype(_INT)
    key = route_codes(seq, bounds, len(name_uniq))
    code_raw, uniq_key = pd.factorize(key)
    code = code_raw.astype(_INT)
    n_routes = len(uniq_key)
    first = np.full(n_routes, -1, dtype=_INT)
    first[code[::-1]] = np.arange(len(code) - 1, -1, -1, dtype=_INT)
    # the stage tuple of the first journey of each route only (not one per journey)
    flat = names[st[keep]].tolist()
    lo, hi = bounds[first].tolist(), bounds[first + 1].tolist()
    firsts = [tuple(flat[a:b]) for a, b in zip(lo, hi, strict=True)]
    uniq = np.asarray([route_text(t) for t in firsts], dtype=object)
    counts = (
        np.bincount(
            code * 3 + log.journey_outcome.astype(_INT),
            weights=log.weights,
            minlength=n_routes * 3,
        )
        .astype(_INT)
        .reshape(n_routes, 3)
    )
    out = _outcome_table(
        "route_text", uniq, counts, size, log.n_journeys, kind_columns(log, code, n_routes)
    )
    # the stage tuple of each route, from its first journey (texts are unique per route)
    by_text = dict(zip(uniq.tolist(), firsts, strict=True))
    route = [by_text.get(t, ()) for t in out["route_text"]]
    out.insert(0, "route", pd.Series(route, dtype=object, index=out.index))
    out.insert(
        2,
        "n_steps",
        np.array([len(r) if r else -1 for r in route], dtype=_INT),
    )
    if "suppressed_groups" in out.columns:
        out["suppressed_groups"] = out.pop("suppressed_groups")
    return out


def outcomes_by(log: EventLog, by: Any, *, min_group_size: int | None = None) -> pd.DataFrame:
    """Journeys and their outcomes per segment (persona, region, ...).

    Parameters
    ----------
    log : EventLog
        The event log.
    by : str or mapping
        A case-level segment: the name of a column kept with ``case_cols``, or a mapping
        / Series from case id to segment (see :meth:`EventLog.journey_segment`). Cases
        without a segment are counted under ``"(none)"``.
    min_group_size : int, optional
        Segments of fewer journeys are folded into one last row ``"other (suppressed)"``
        by :func:`frictionkit.privacy.suppress_small_groups` (counts summed, a
        ``suppressed_groups`` column added).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``journeys`` (descending), then ``segment``, with columns:

        - ``segment``: the segment, as text;
        - ``journeys``, ``successes``, ``failures``, ``open``: journey counts;
        - ``successes_<kind>`` / ``failures_<kind>``: when ``success=`` / ``failure=``
          named kinds (a mapping), the journeys of each kind (columns as in
          :func:`routes`);
        - ``suppressed_groups``: with ``min_group_size`` only, the segments behind each
          row;
        - ``success_rate``: successes / (successes + failures), NaN when none decided,
          with ``success_rate_low`` / ``success_rate_high`` (Wilson 95 %);
        - ``share``: journeys / all journeys.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "b", "c"], "t": ["buy", "home", "buy"],
    ...                    "persona": ["new", "new", "loyal"], "ts": ["2024-01-01"] * 3})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="buy", case_cols=["persona"])
    >>> outcomes_by(log, "persona")[["segment", "journeys", "successes", "open", "share"]]
      segment  journeys  successes  open     share
    0     new         2          1     1  0.666667
    1   loyal         1          1     0  0.333333
    """
    size = check_group_size(min_group_size)
    codes, labels = log.journey_segment(by)
    n = len(labels)
    counts = (
        np.bincount(
            codes * 3 + log.journey_outcome.astype(_INT),
            weights=log.journey_weight,
            minlength=n * 3,
        )
        .astype(_INT)
        .reshape(n, 3)
    )
    return _outcome_table(
        "segment", [str(x) for x in labels], counts, size, log.n_journeys,
        kind_columns(log, codes.astype(_INT), n),
    )  # fmt: skip
