"""Reductions over an event log's arrays that several analyses share (numpy only).

Route keys (:func:`route_codes`) and texts (:func:`route_text`), the time between
consecutive events (:func:`gap_quantiles_ns`), the decided part of each journey
(:func:`decided_paths`), the outcome steps and the furthest stage of each journey
(:func:`outcome_steps`, :func:`stage_reach`: the one rule of the funnel and of
friction's ``reached_stage``) and the
dwell per touchpoint and stage (:func:`dwell_ns`). They live with the log because the
compact form of a log (:meth:`EventLog.compact <frictionkit.events.EventLog.compact>`) needs
them; :mod:`frictionkit.routes` and :mod:`frictionkit.friction` build their tables on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from frictionkit.events._kernels import (
    int_group_quantiles,
    journeys_per_code,
    select_nested_quantiles,
)
from frictionkit.exceptions import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events._log import EventLog

__all__ = [
    "ARROW",
    "DecidedPaths",
    "StageReach",
    "decided_paths",
    "dwell_ns",
    "gap_quantiles_ns",
    "journey_ends",
    "outcome_steps",
    "pair_counts",
    "route_codes",
    "route_text",
    "stage_reach",
]

_INT = np.int64

#: Separator of ``route_text``.
ARROW = " → "

_ARROW_CHAR = ARROW.strip()


def _quoted(name: str) -> str:
    if _ARROW_CHAR in name or name.startswith('"') or not name:
        return '"' + name.replace('"', '""') + '"'
    return name


def route_text(names: Iterable[Any]) -> str:
    """The text of a route: its names joined by ``" → "``, with names quoted where needed.

    Routes are grouped by their codes, never by this text; the text is only shown. So that
    two routes never print alike, a name that holds the arrow ``→`` itself (or starts with
    a double quote, or is empty) is written in double quotes, with its own double quotes
    doubled (as in CSV).

    Examples
    --------
    >>> route_text(["visit", "buy"])
    'visit → buy'
    >>> route_text(["a → b"]), route_text(["a", "b"])
    ('"a → b"', 'a → b')
    """
    return ARROW.join(_quoted(str(n)) for n in names)


# ---------------------------------------------------------------------------------------
# routes and transitions
# ---------------------------------------------------------------------------------------
def route_codes(event_tp: np.ndarray, offsets: np.ndarray, n_tp: int) -> np.ndarray:
    """Route key of each journey: equal keys exactly when the touchpoint sequences are equal.

    The key of a journey is the pre-order position of its last node in the prefix tree of
    all routes, so sorting keys sorts routes lexicographically by touchpoint code (a route
    comes right before its extensions). The distinct routes are found by a hash of each
    journey's codes, checked event by event against the first journey of the same hash
    (exact: on a collision, or with empty journeys, the tree is built level by level
    instead), then sorted; no Python loop runs per journey.

    Parameters
    ----------
    event_tp : ndarray of int
        Touchpoint code of each event, in journey order.
    offsets : ndarray of int
        Start of each journey plus the total at the end.
    n_tp : int
        Number of touchpoint codes.

    Returns
    -------
    ndarray of int64
        Route key per journey.

    Examples
    --------
    >>> route_codes(np.array([0, 1, 0, 0, 1, 1]), np.array([0, 2, 3, 5, 6]), 2)
    array([1, 0, 1, 2])
    """
    event_tp = np.asarray(event_tp)
    offsets = np.asarray(offsets)
    lengths = np.diff(offsets)
    if len(lengths) and lengths.min() > 0:
        key = _route_codes_sorted(event_tp, offsets, n_tp)
        if key is not None:
            return key
    return _route_codes_tree(event_tp, offsets, n_tp)


def _route_codes_tree(event_tp: np.ndarray, offsets: np.ndarray, n_tp: int) -> np.ndarray:
    """:func:`route_codes` by building the prefix tree level by level.

    One hash-factorisation per position over the journeys still running: linear in the
    number of events, exact, no hash collisions; the reference of the faster
    :func:`_route_codes_sorted`, and the path for logs with empty journeys.
    """
    lengths = np.diff(offsets)
    n_j = len(lengths)
    order = np.argsort(-lengths, kind="stable")
    sorted_len = lengths[order]
    starts = offsets[:-1][order]
    neg = -sorted_len
    prefix = np.zeros(n_j, dtype=_INT)
    end_node = np.zeros(n_j, dtype=_INT)
    end_level = np.zeros(n_j, dtype=_INT)
    width = np.int64(max(n_tp, 1))
    parents: list[np.ndarray] = []
    max_len = int(sorted_len[0]) if n_j else 0
    chain = 0
    for p in range(max_len):
        active = int(np.searchsorted(neg, -p, side="left"))
        ending = int(np.searchsorted(neg, -(p + 1), side="left"))
        key = prefix[:active] * width + event_tp[starts[:active] + p]
        local, uniq = pd.factorize(key)
        # rank nodes by (parent rank, code): lexicographic order among prefixes of length p+1
        u = np.asarray(uniq, dtype=_INT)
        rank_of = np.empty(len(u), dtype=_INT)
        by_key = np.argsort(u, kind="stable")
        rank_of[by_key] = np.arange(len(u), dtype=_INT)
        prefix[:active] = rank_of[local]
        parents.append(u[by_key] // width)
        end_node[ending:active] = prefix[ending:active]
        end_level[ending:active] = p
        if active == 1 and p + 1 < max_len:
            # only the longest journey goes on: the rest of its route is a chain of one
            # node per level, whose pre-order positions follow each other (one journey of
            # a million events would otherwise cost a million factorisations)
            chain = max_len - 1 - p
            end_node[0], end_level[0] = prefix[0], p
            break
    depth = len(parents)
    # subtree sizes bottom-up, then pre-order positions top-down
    sizes: list[np.ndarray] = [np.ones(0)] * depth
    for p in range(depth - 1, -1, -1):
        size = np.ones(len(parents[p]), dtype=_INT)
        if p == depth - 1:
            size += chain  # the chain below the last level built (0 when none)
        if p + 1 < depth:
            size += np.bincount(parents[p + 1], weights=sizes[p + 1], minlength=len(size)).astype(
                _INT
            )
        sizes[p] = size
    pre: list[np.ndarray] = []
    for p in range(depth):
        size = sizes[p]
        excl = np.cumsum(size) - size
        if p == 0:
            pre.append(excl)
            continue
        par = parents[p]
        first = np.searchsorted(par, par, side="left")
        pre.append(pre[p - 1][par] + 1 + excl - excl[first])
    level_start = np.r_[0, np.cumsum([len(x) for x in pre])].astype(_INT)
    flat = np.concatenate(pre) if pre else np.zeros(0, dtype=_INT)
    out = np.empty(n_j, dtype=_INT)
    out[order] = flat[level_start[end_level] + end_node]
    if chain:
        out[order[0]] += chain
    return out


#: Multiplier of the polynomial route hash (odd, so no power of it vanishes mod 2**64);
#: any value is exact, since hashed routes are checked event by event.
_ROUTE_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)

#: Events per block when hashing routes.
_HASH_BLOCK = 1 << 20

#: Largest padded sort of distinct routes (bytes) before sorting them one by one.
_MAX_PADDED_BYTES = 1 << 27


def _distinct_routes(
    event_tp: np.ndarray, offsets: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Distinct route of each journey (first-seen order) and the first journey of each.

    A polynomial hash of each journey's codes (mod 2**64) groups the journeys; each
    journey is then compared event by event with the first journey of its group. None
    when two different routes share a hash (the caller falls back to an exact path).
    """
    n_j = len(lengths)
    max_len = int(lengths.max())
    powers = np.cumprod(np.full(max_len, _ROUTE_HASH_BASE, dtype=np.uint64), dtype=np.uint64)
    h = np.empty(n_j, dtype=np.uint64)
    # journeys in blocks of about _HASH_BLOCK events: small temporaries, reused
    cuts = np.searchsorted(offsets, np.arange(0, int(offsets[-1]), _HASH_BLOCK), side="right")
    bounds = np.unique(np.r_[0, np.maximum(cuts - 1, 0), n_j])
    with np.errstate(over="ignore"):
        for ja, jb in pairwise(bounds.tolist()):
            ea = int(offsets[ja])
            starts = offsets[ja:jb] - ea
            seg_len = lengths[ja:jb]
            pos = np.arange(int(offsets[jb]) - ea, dtype=_INT)
            pos -= np.repeat(starts, seg_len)
            term = event_tp[ea : int(offsets[jb])].astype(np.uint64)
            term += np.uint64(1)
            term *= powers[pos]
            h[ja:jb] = np.add.reduceat(term, starts)
        h += lengths.astype(np.uint64)  # the length mixed in
    rid_raw, uniq = pd.factorize(h)
    rid = rid_raw.astype(_INT, copy=False)
    n_u = len(uniq)
    rep = np.empty(n_u, dtype=_INT)
    rep[rid[::-1]] = np.arange(n_j - 1, -1, -1, dtype=_INT)  # first journey of each route
    first = rep[rid]
    dup = np.flatnonzero(first != np.arange(n_j, dtype=_INT))
    if len(dup):
        other = first[dup]
        m = lengths[dup]
        if not np.array_equal(m, lengths[other]):
            return None
        total = int(m.sum())
        within = np.arange(total, dtype=_INT) - np.repeat(np.cumsum(m) - m, m)
        mine = event_tp[np.repeat(offsets[dup], m) + within]
        theirs = event_tp[np.repeat(offsets[other], m) + within]
        if not np.array_equal(mine, theirs):
            return None
    return rid, rep


def _sorted_route_order(
    event_tp: np.ndarray, offsets: np.ndarray, rep: np.ndarray, n_tp: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Lexicographic order of the routes of journeys ``rep`` (a route before its extensions).

    Each route is written as bytes without a zero byte (one byte per code below 255, two
    base-255 digits below 65,025) into a zero-padded row, so numpy's byte-string sort
    orders the rows as the code sequences, and the first byte where two sorted rows
    differ gives their common prefix (returned second, one per route after the first);
    other cases sort the byte keys in Python (one key per distinct route) and return no
    common prefixes.
    """
    lengths = (offsets[rep + 1] - offsets[rep]).astype(_INT)
    n_u = len(rep)
    width = 1 if n_tp < 255 else 2
    max_len = int(lengths.max())
    total = int(lengths.sum())
    if n_u == len(offsets) - 1:  # every journey a route of its own: rep is 0, 1, 2, ...
        codes = np.asarray(event_tp)
        starts = offsets[:-1]
    else:
        starts = np.r_[0, np.cumsum(lengths)[:-1]]
        codes = event_tp[np.repeat(offsets[rep] - starts, lengths) + np.arange(total)]
    if n_tp < 255 * 255 and n_u * max_len * width <= _MAX_PADDED_BYTES:
        rows = np.zeros(n_u * max_len * width, dtype=np.uint8)
        # position of each event in the padded rows
        at = np.repeat(np.arange(n_u, dtype=_INT) * (max_len * width) - starts * width, lengths)
        at += np.arange(total, dtype=_INT) * width
        if width == 1:
            rows[at] = codes + 1
        else:
            rows[at] = codes // 255 + 1
            rows[at + 1] = codes % 255 + 1
        del at
        keys = rows.view(f"S{max_len * width}")
        order = np.argsort(keys, kind="stable").astype(_INT, copy=False)
        srt = rows.reshape(n_u, max_len * width)[order]
        common = (srt[1:] != srt[:-1]).argmax(axis=1).astype(_INT) // width
        return order, common
    data = codes.astype(">u4").tobytes()
    b = (np.r_[0, np.cumsum(lengths)] * 4).tolist()
    texts = [data[b[i] : b[i + 1]] for i in range(n_u)]
    return np.asarray(sorted(range(n_u), key=texts.__getitem__), dtype=_INT), None


def _route_codes_sorted(event_tp: np.ndarray, offsets: np.ndarray, n_tp: int) -> np.ndarray | None:
    """:func:`route_codes` by hashing and sorting the distinct routes (no empty journey).

    The pre-order position of a route's last node in the prefix tree is the number of
    distinct prefixes that sort before the route. With the distinct routes sorted
    (a route right before its extensions), those are the prefixes of the routes up to it:
    each route adds its length minus its common prefix with the route before it. None
    when the hash of two different routes collides (:func:`_distinct_routes`).
    """
    lengths = np.diff(offsets).astype(_INT)
    found = _distinct_routes(event_tp, offsets, lengths)
    if found is None:
        return None
    rid, rep = found
    n_u = len(rep)
    order, common = _sorted_route_order(event_tp, offsets, rep, n_tp)
    srt = rep[order]
    length = lengths[srt].astype(_INT)
    if common is None:
        # common prefix of each sorted route with the one before it (first mismatch)
        start = offsets[:-1][srt].astype(_INT)
        m = np.minimum(length[1:], length[:-1])
        pos = np.arange(int(m.sum()), dtype=_INT) - np.repeat(np.cumsum(m) - m, m)
        mismatch = np.flatnonzero(
            event_tp[np.repeat(start[:-1], m) + pos] != event_tp[np.repeat(start[1:], m) + pos]
        )
        pair, first = np.unique(
            np.repeat(np.arange(n_u - 1, dtype=_INT), m)[mismatch], return_index=True
        )
        common = m.copy()
        common[pair] = pos[mismatch[first]]
    key = np.empty(n_u, dtype=_INT)
    key[order] = np.cumsum(length - np.r_[0, common]) - 1
    out: np.ndarray = key[rid]
    return out


def gap_quantiles_ns(log: EventLog) -> pd.DataFrame:
    """Median and 95th percentile of the time between consecutive events, per pair.

    Parameters
    ----------
    log : EventLog
        An in-memory (not compact) log.

    Returns
    -------
    pandas.DataFrame
        ``src``, ``dst`` (touchpoint codes), ``median_ns``, ``p95_ns``, ordered by pair.

    Examples
    --------
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["x", "y"],
    ...                    "ts": ["2024-01-01 10:00", "2024-01-01 10:01"]})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
    >>> gap_quantiles_ns(log)[["src", "dst", "median_ns"]]
       src  dst     median_ns
    0    0    1  6.000000e+10
    """
    log._require_events("gap_quantiles_ns")
    k = len(log.touchpoints)
    ej = log.event_journey
    inner = np.flatnonzero(ej[1:] == ej[:-1])
    tp = log.event_touchpoint
    pair = tp[inner] * np.int64(max(k, 1)) + tp[inner + 1]
    gap = log.event_timestamp_ns[inner + 1] - log.event_timestamp_ns[inner]
    code, uniq = pd.factorize(pair, sort=True)
    u = np.asarray(uniq, dtype=_INT)
    q = int_group_quantiles(code.astype(_INT), gap, len(u), (0.5, 0.95))
    return pd.DataFrame(
        {"src": u // max(k, 1), "dst": u % max(k, 1), "median_ns": q[:, 0], "p95_ns": q[:, 1]}
    )


# ---------------------------------------------------------------------------------------
# the decided part of each journey
# ---------------------------------------------------------------------------------------
class DecidedPaths(NamedTuple):
    """Decided journeys cut after their outcome (see the module conventions)."""

    tp: np.ndarray  # touchpoint code of each kept event (outcome steps removed)
    offsets: np.ndarray  # start of each decided journey in ``tp``, plus the total
    outcome: np.ndarray  # 1 success / 2 failure per decided journey
    outcome_step: np.ndarray  # bool per touchpoint
    event_all: np.ndarray  # log positions of the events up to the outcome (steps kept)
    offsets_all: np.ndarray  # journeys in ``event_all``
    visitors_all: np.ndarray  # decided journeys visiting each touchpoint (steps kept)
    weight: np.ndarray | None  # journeys per decided row (compact logs), else None


def decided_paths(log: EventLog, field: str) -> DecidedPaths:
    """Decided journeys cut after their outcome, computed once per log.

    Raises a :class:`~frictionkit.ValidationError` naming ``field`` when every journey is
    open.
    """
    return log._memo("decided_paths", lambda: _decided_paths(log, field))


def _decided_paths(log: EventLog, field: str) -> DecidedPaths:
    outcome = log.journey_outcome
    decided = np.flatnonzero(outcome != 0)
    if len(decided) == 0:
        raise ValidationError(
            f"{field} needs journeys with an outcome, but all {log.n_journeys} journeys are "
            "open (no success or failure)",
            field="outcome",
            value=0,
            hint="Build the log with success= / failure= (touchpoints that decide the "
            "outcome) or with outcome_col=",
        )
    off = log.journey_offsets
    start = off[:-1][decided]
    end = journey_ends(log)[decided]
    lengths = end - start
    off_all = np.r_[0, np.cumsum(lengths)].astype(_INT)
    event = np.repeat(start - off_all[:-1], lengths) + np.arange(off_all[-1], dtype=_INT)
    tp_all = log.event_touchpoint[event]
    k = len(log.touchpoints)
    step = outcome_steps(log)
    wd = None if log.journey_weight is None else log.journey_weight[decided]
    keep = ~step[tp_all] if step.any() else np.ones(len(tp_all), dtype=bool)
    if wd is None:
        # visitors: distinct journeys per touchpoint (a flag table); kept events per
        # journey from a running count
        jj = np.repeat(np.arange(len(decided), dtype=np.int32), lengths)
        visitors = journeys_per_code(jj, tp_all, k)
        del jj
        # the events of outcome steps are few: each journey's, by where they lie
        gone = np.flatnonzero(~keep)
        at = np.searchsorted(off_all, gone, side="right") - 1
        kept_len = lengths - np.bincount(at, minlength=len(decided))
    else:
        jj = np.repeat(np.arange(len(decided), dtype=_INT), lengths)
        pj, pt, _ = pair_counts(jj, tp_all, len(decided), k)
        visitors = np.bincount(pt, weights=wd[pj], minlength=k)
        kept_len = np.bincount(jj[keep], minlength=len(decided))
    return DecidedPaths(
        tp=tp_all[keep] if step.any() else tp_all,
        offsets=np.r_[0, np.cumsum(kept_len)].astype(_INT),
        outcome=outcome[decided],
        outcome_step=step,
        event_all=event,
        offsets_all=off_all,
        visitors_all=visitors.astype(_INT),
        weight=wd,
    )


# ---------------------------------------------------------------------------------------
# outcome steps, the read part of each journey, the furthest stage
# ---------------------------------------------------------------------------------------
def _same_outcome(log: EventLog) -> np.ndarray:
    """Positions (sorted) of the events that carry their journey's outcome, once per log.

    Few: the outcome events; the shared part of :func:`outcome_steps` and
    :func:`journey_ends`.
    """

    def compute() -> np.ndarray:
        eo = log.event_outcome
        coded = np.flatnonzero(eo)
        keep = eo[coded] == log.journey_outcome[log.event_journey[coded]]
        out: np.ndarray = coded[keep].astype(_INT)
        return out

    same: np.ndarray = log._memo("same_outcome_events", compute)
    return same


def outcome_steps(log: EventLog) -> np.ndarray:
    """Which touchpoints are *outcome steps* (bool per touchpoint), computed once per log.

    A touchpoint all of whose events carry an outcome decides the outcome itself (the
    ``buy`` of ``success="buy"``). When the outcome is a case column repeated on every
    event of every decided journey, no touchpoint decides by itself and none is a step.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["x", "buy", "x"],
    ...                    "ts": ["2024-01-01"] * 3})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="buy")
    >>> dict(zip(log.touchpoints, outcome_steps(log).tolist()))
    {'buy': True, 'x': False}
    """

    def compute() -> np.ndarray:
        k = len(log.touchpoints)
        eo = log.event_outcome
        off = log.journey_offsets
        outcome = log.journey_outcome
        decided = outcome != 0
        if not decided.any() or len(eo) == 0:
            return np.zeros(k, dtype=bool)
        # outcome column repeated on every event (per case): no touchpoint decides by
        # itself (a decided journey has its deciding event, so it is never empty)
        same = np.bincount(log.event_journey[_same_outcome(log)], minlength=len(outcome))
        if bool((same == np.diff(off))[decided].all()):
            return np.zeros(k, dtype=bool)
        tp = log.event_touchpoint
        coded = np.bincount(tp[np.flatnonzero(eo)], minlength=k)
        return np.asarray(coded == np.bincount(tp, minlength=k))

    steps: np.ndarray = log._memo("outcome_steps", compute)
    return steps


def journey_ends(log: EventLog) -> np.ndarray:
    """End (exclusive event position) of the part of each journey that analyses read.

    A decided journey is read up to its outcome: its deciding event and the events right
    after it that carry the same outcome; a later event starts what the journey did after
    its outcome and is left out. An open journey is read whole.
    """

    def compute() -> np.ndarray:
        off = log.journey_offsets
        dec = log.journey_deciding_event
        at = np.maximum(dec, 0)
        # first event at or after the deciding one that does not carry the journey's
        # outcome: the end of the run of such events that holds it (itself if none)
        same = _same_outcome(log)
        nxt = at
        if len(same):
            run_last = np.flatnonzero(np.r_[np.diff(same) != 1, True])
            i = np.minimum(np.searchsorted(same, at), len(same) - 1)
            in_run = same[i] == at
            nxt = np.where(in_run, same[run_last[np.searchsorted(run_last, i)]] + 1, at)
        cut = np.where(dec >= 0, nxt, off[1:])
        ends_: np.ndarray = np.minimum(cut, off[1:]).astype(_INT)
        return ends_

    ends: np.ndarray = log._memo("journey_ends", compute)
    return ends


def _before_ends(offsets: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Bool per event: it lies before ``ends`` of its journey (journeys laid out by ``offsets``).

    Examples
    --------
    >>> _before_ends(np.array([0, 3, 5]), np.array([2, 3])).tolist()
    [True, True, False, False, False]
    """
    lengths = np.diff(offsets)
    inside = np.clip(ends - offsets[:-1], 0, lengths)
    pattern = np.zeros(2 * len(lengths), dtype=bool)
    pattern[0::2] = True
    runs = np.empty(2 * len(lengths), dtype=_INT)
    runs[0::2] = inside
    runs[1::2] = lengths - inside
    return np.repeat(pattern, runs)


class StageReach(NamedTuple):
    """The events that count towards a stage, and each journey's furthest stage."""

    counted: np.ndarray  # bool per event of the log
    furthest: np.ndarray  # furthest stage (journey order) per journey, -1 when none


def stage_reach(log: EventLog) -> StageReach:
    """Which events count towards reaching a stage, and each journey's furthest stage.

    The one rule of :func:`frictionkit.routes.funnel` and of ``reached_stage`` in
    :func:`frictionkit.friction.friction`: an event counts when it lies in the part of
    its journey that analyses read (:func:`journey_ends`) and its touchpoint is not an
    outcome step (:func:`outcome_steps`). A journey *reaches* a stage when its furthest
    counted stage is that one or a later one; a journey without counted events (only an
    outcome step) reaches none (``furthest`` -1).

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["x", "buy", "buy"],
    ...     "s": ["look", "pay", "pay"], "ts": ["2024-01-01"] * 3})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           stage_col="s", success="buy")
    >>> [log.stages[s] if s >= 0 else None for s in stage_reach(log).furthest]
    ['look', None]
    """

    def compute() -> StageReach:
        n = len(log.event_touchpoint)
        off = log.journey_offsets
        n_j = len(off) - 1
        steps = outcome_steps(log)
        tp = log.event_touchpoint
        inside = _before_ends(off, journey_ends(log))
        stage_of = log.touchpoint_stage
        if n == 0:
            return StageReach(inside & ~steps[tp], np.full(n_j, -1, dtype=_INT))
        if len(stage_of) and stage_of.min() >= 0 and stage_of.max() < 127:
            # one gather of a small table: the stage, -1 for an outcome step
            table = stage_of.astype(np.int8)
            table[steps] = -1
            st = table[tp]
            counted = inside & (st >= 0)
            st[~inside] = -1
        else:
            counted = inside & ~steps[tp]
            st = np.where(counted, stage_of[tp], -1)
        starts = np.minimum(off[:-1], n - 1)
        furthest = np.maximum.reduceat(st, starts)
        furthest = np.where(off[1:] > off[:-1], furthest, -1).astype(_INT)
        return StageReach(counted, furthest)

    return log._memo("stage_reach", compute)


def dwell_ns(log: EventLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dwell quantiles (ns) per touchpoint and per stage over the decided journeys.

    The dwell of an event is the time to the next event of the same journey, over the
    events of each decided journey up to its cut (outcome steps included); see
    :class:`frictionkit.events._engine.Timings`.

    Returns
    -------
    dwell : pandas.DataFrame
        ``tp``, ``median_ns``, ``p95_ns`` for the touchpoints with at least one dwell.
    stage_dwell : pandas.DataFrame
        ``stage``, ``median_ns`` for the stages with at least one dwell.

    Examples
    --------
    >>> import pandas as pd
    >>> from frictionkit.events import EventLog
    >>> df = pd.DataFrame({"c": ["a", "a"], "t": ["x", "buy"],
    ...                    "ts": ["2024-01-01 10:00", "2024-01-01 10:02"]})
    >>> log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts",
    ...                           success="buy")
    >>> dwell_ns(log)[0]
       tp     median_ns        p95_ns
    0   1  1.200000e+11  1.200000e+11
    """
    log._require_events("dwell_ns")
    k = len(log.touchpoints)
    n_st = len(log.stages)
    if not (log.journey_outcome != 0).any():
        empty = np.zeros(0, dtype=_INT)
        return (
            pd.DataFrame({"tp": empty, "median_ns": [], "p95_ns": []}),
            pd.DataFrame({"stage": empty, "median_ns": []}),
        )
    # the pairs of consecutive events inside the read part of a decided journey, in log
    # order: an event before its journey's last read one, with the time to the next
    off = log.journey_offsets
    decided = log.journey_outcome != 0
    inner_end = np.where(decided, journey_ends(log) - 1, off[:-1])
    inner = _before_ends(off, inner_end)[:-1]
    ts = log.event_timestamp_ns
    gap = (ts[1:] - ts[:-1])[inner]
    tpa = log.event_touchpoint[:-1][inner]
    # the order statistics by a bucket histogram (no sort of the gaps); the numbers of
    # int_group_quantiles
    q, stage_q = select_nested_quantiles(
        tpa, gap, k, (0.5, 0.95), log.touchpoint_stage, n_st, (0.5,)
    )
    sq = stage_q[:, 0]
    has = np.flatnonzero(~np.isnan(q[:, 0]))
    has_s = np.flatnonzero(~np.isnan(sq))
    return (
        pd.DataFrame({"tp": has.astype(_INT), "median_ns": q[has, 0], "p95_ns": q[has, 1]}),
        pd.DataFrame({"stage": has_s.astype(_INT), "median_ns": sq[has_s]}),
    )


def pair_counts(
    jj: np.ndarray, tp: np.ndarray, n_j: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (journey, touchpoint) pairs and their event counts."""
    if n_j * k <= 50_000_000:
        dense = np.bincount(jj * np.int64(k) + tp, minlength=n_j * k)
        pair = np.flatnonzero(dense)
        return pair // k, pair % k, dense[pair]
    pair, counts = np.unique(jj * np.int64(k) + tp, return_counts=True)
    return pair // k, pair % k, counts
