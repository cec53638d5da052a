"""Omnichannel journeys: one person across channels, and channel switches as friction.

A customer sees one company whatever the channel. :func:`identity_map` joins the ids a
person has in several systems (web cookie, phone number, CRM customer id) from a table of
id pairs, so that :func:`link_identities` can give all their events one case id and they
form one journey. :func:`channel_switches` then reports switches of channel (web -> phone
escalations, store -> web) and steps back to an earlier stage, with how often the
journeys that made them fail.

Examples
--------
>>> import pandas as pd
>>> pairs = pd.DataFrame({"cookie": ["c1", "c2", "c3"], "crm": ["K1", "K1", "K2"]})
>>> identity_map(pairs, "cookie", "crm")[["id", "person_id", "n_ids"]]
   id person_id  n_ids
0  K1        K1      3
1  c1        K1      3
2  c2        K1      3
3  K2        K2      2
4  c3        K2      2
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._validate import column
from frictionkit.exceptions import (
    DataError,
    IdentityConflictWarning,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog

__all__ = ["IdentityConflictWarning", "channel_switches", "identity_map", "link_identities"]

IntArray = npt.NDArray[np.int64]


def _frame(df: Any, field: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(
            f"{field} must be a pandas DataFrame, got {type(df).__name__}",
            field=field,
            value=type(df).__name__,
        )
    return df


def _find(parent: IntArray, i: int) -> int:
    root = i
    while parent[root] != root:
        root = int(parent[root])
    while parent[i] != root:  # path compression
        parent[i], i = root, int(parent[i])
    return root


def _components(n: int, a: IntArray, b: IntArray) -> IntArray:
    """Union-find over ``n`` nodes joined by the pairs ``(a[k], b[k])``: root of each."""
    parent = np.arange(n, dtype=np.int64)
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        rx, ry = _find(parent, x), _find(parent, y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return np.array([_find(parent, i) for i in range(n)], dtype=np.int64)


def identity_map(
    df: pd.DataFrame,
    from_col: str,
    to_col: str,
    *,
    on_conflict: Literal["merge", "drop", "raise"] = "merge",
) -> pd.DataFrame:
    """Join the ids one person has across channels into one ``person_id`` (union-find).

    Each row of ``df`` says that the id in ``from_col`` (a channel id: cookie, phone
    number, loyalty card) and the id in ``to_col`` (usually the master id: CRM customer)
    belong to the same person. Pairs are joined transitively, so chains and cycles of
    pairs resolve to one person. Ids are compared as text; rows with a missing id on
    either side add nothing (a missing side never joins two persons).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per known pair; never modified.
    from_col, to_col : str
        The two id columns.
    on_conflict : {"merge", "drop", "raise"}, default "merge"
        A *conflict* is a ``from_col`` id paired with two or more ``to_col`` ids (one
        device shared by two customers, or a data error). ``"merge"`` joins them into one
        person and flags them (``conflict`` column, :class:`IdentityConflictWarning`);
        ``"drop"`` ignores the pairs of the conflicting ids (they map to themselves) with
        the warning; ``"raise"`` raises a :class:`~frictionkit.DataError` holding the rows.

    Returns
    -------
    pandas.DataFrame
        One row per id: ``id``, ``person_id`` (the smallest id of the person in text
        order, so the result does not depend on the row order), ``n_ids`` (ids of that
        person), ``conflict`` (the person involves a conflicting id). Sorted by
        ``person_id`` then ``id``.

    Examples
    --------
    >>> import pandas as pd
    >>> import warnings
    >>> pairs = pd.DataFrame({"phone": ["p1", "p1"], "crm": ["K1", "K2"]})
    >>> with warnings.catch_warnings():  # p1 points at two customers: a conflict
    ...     warnings.simplefilter("ignore", IdentityConflictWarning)
    ...     table = identity_map(pairs, "phone", "crm", on_conflict="drop")
    >>> table[["id", "person_id"]]
       id person_id
    0  K1        K1
    1  K2        K2
    2  p1        p1
    """
    df = _frame(df, "df")
    f = column(df, from_col, field="from_col", what="the table")
    t = column(df, to_col, field="to_col", what="the table")
    if on_conflict not in ("merge", "drop", "raise"):
        raise UnknownReferenceError(
            f"on_conflict must be 'merge', 'drop' or 'raise', got {on_conflict!r}"
            + did_you_mean(on_conflict, ("merge", "drop", "raise")),
            field="on_conflict",
            value=on_conflict,
        )
    left = df[f].astype(object).to_numpy()
    right = df[t].astype(object).to_numpy()
    miss_l = pd.isna(df[f]).to_numpy() | np.array([v == "" for v in left], dtype=bool)
    miss_r = pd.isna(df[t]).to_numpy() | np.array([v == "" for v in right], dtype=bool)
    ls = np.array([None if m else str(v) for v, m in zip(left, miss_l, strict=True)], object)
    rs = np.array([None if m else str(v) for v, m in zip(right, miss_r, strict=True)], object)
    both = ~miss_l & ~miss_r
    pairs = pd.DataFrame({"a": ls[both], "b": rs[both]}).drop_duplicates()
    targets = pairs.groupby("a")["b"].nunique()
    bad = sorted(targets[targets > 1].index.tolist())
    if bad:
        rows = np.flatnonzero(both & np.isin(ls, bad))
        if on_conflict == "raise":
            raise DataError(
                f"{len(bad)} {from_col!r} id(s) point at several {to_col!r} ids, e.g. "
                f"{bad[0]!r} -> {sorted(pairs.loc[pairs['a'] == bad[0], 'b'])[:3]}",
                field="from_col",
                value=bad[:10],
                failure_cases=df.iloc[rows],
                hint="Fix the pairs, or pass on_conflict='merge' or 'drop'",
            )
        what = "merged into one person" if on_conflict == "merge" else "left unlinked"
        warnings.warn(
            f"{len(bad)} {from_col!r} id(s) point at several {to_col!r} ids and were {what}: "
            + ", ".join(map(repr, bad[:5]))
            + (" …" if len(bad) > 5 else ""),
            IdentityConflictWarning,
            stacklevel=2,
        )
        if on_conflict == "drop":
            pairs = pairs[~pairs["a"].isin(bad)]
    ids = sorted({v for v in (*ls.tolist(), *rs.tolist()) if v is not None})
    index = {v: i for i, v in enumerate(ids)}
    a = np.array([index[v] for v in pairs["a"]], dtype=np.int64)
    b = np.array([index[v] for v in pairs["b"]], dtype=np.int64)
    root = _components(len(ids), a, b)  # roots are the smallest index = smallest id text
    size = np.bincount(root, minlength=len(ids))
    conflict_root = np.zeros(len(ids), dtype=bool)
    if bad and on_conflict == "merge":
        conflict_root[root[[index[v] for v in bad]]] = True
    id_arr = np.array(ids, dtype=object)
    out = pd.DataFrame(
        {
            "id": id_arr,
            "person_id": id_arr[root],
            "n_ids": size[root].astype(np.int64),
            "conflict": conflict_root[root],
        }
    )
    return out.sort_values(["person_id", "id"], kind="stable").reset_index(drop=True)


def link_identities(
    events: pd.DataFrame,
    mapping: pd.DataFrame,
    *,
    id_col: str,
    person_col: str = "person_id",
) -> pd.DataFrame:
    """A copy of ``events`` with a ``person_col`` column: the person of each event's id.

    Ids missing from ``mapping`` keep their own id as person (they were seen in one
    channel only). Build the log from ``person_col`` so that a person's events across
    channels form one journey.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event; never modified.
    mapping : pandas.DataFrame
        The table of :func:`identity_map`.
    id_col : str
        Column of ``events`` holding the channel id.
    person_col : str, default "person_id"
        Name of the new column.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> m = identity_map(pd.DataFrame({"a": ["web1"], "b": ["K1"]}), "a", "b")
    >>> ev = pd.DataFrame({"who": ["web1", "K1", "x9"], "step": ["visit", "call", "visit"]})
    >>> link_identities(ev, m, id_col="who")["person_id"].tolist()
    ['K1', 'K1', 'x9']
    """
    events = _frame(events, "events")
    mapping = _frame(mapping, "mapping")
    c = column(events, id_col, field="id_col", what="the table")
    for col in ("id", "person_id"):
        column(mapping, col, field="mapping", what="the table")
    if person_col in events.columns:
        raise ValidationError(
            f"person_col={person_col!r} is already a column of events",
            field="person_col",
            value=person_col,
            hint="Choose another name",
        )
    lookup = dict(zip(mapping["id"].astype(str), mapping["person_id"], strict=True))
    values = events[c].astype(object).to_numpy()
    person = [
        None if pd.isna(v) else lookup.get(str(v), str(v))
        for v in values  # ids as text, like identity_map
    ]
    out = events.copy()
    out[person_col] = pd.Series(person, index=events.index, dtype=object)
    return out


def _arrays_from_log(log: EventLog) -> tuple[Any, ...]:
    log._require_events("the channel analysis")
    channels = np.array([c if c else None for c in log.channels], dtype=object)
    if all(c is None for c in channels):
        raise ValidationError(
            "the event log has no channels: build it with channel_col= or journey=",
            field="log",
            value=None,
            hint="EventLog.from_frame(..., channel_col='channel') or journey=your_map",
        )
    tp = np.asarray(log.event_touchpoint)
    ev_channel = channels[tp]
    ev_stage = np.asarray(log.touchpoint_stage)[tp]
    return (
        np.asarray(log.event_journey, dtype=np.int64),
        ev_channel,
        ev_stage.astype(np.int64),
        list(log.stages),
        np.asarray(log.journey_outcome),
        log.n_journeys,
    )


def _timestamps(df: pd.DataFrame, col: str) -> Any:
    s = df[col]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.to_numpy()
    try:
        parsed = pd.to_datetime(s, format="ISO8601", utc=True)
    except (ValueError, TypeError):
        parsed = pd.to_datetime(s, format="mixed", utc=True, errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        raise DataError(
            f"timestamp_col={col!r}: {int(bad.sum())} value(s) are missing or not timestamps",
            field="timestamp_col",
            value=s[bad].head(3).tolist(),
            failure_cases=df[bad],
            hint="Convert the column with pandas.to_datetime first",
        )
    return parsed.to_numpy()


def _arrays_from_frame(
    df: pd.DataFrame,
    case_col: str | None,
    channel_col: str | None,
    timestamp_col: str | None,
    stage_col: str | None,
    outcome_col: str | None,
) -> tuple[Any, ...]:
    for name, col in (("case_col", case_col), ("channel_col", channel_col),
                      ("timestamp_col", timestamp_col)):  # fmt: skip
        if col is None:
            raise ValidationError(
                f"{name} is required when a DataFrame is given",
                field=name,
                value=None,
                hint="Or pass an EventLog built with channel_col= or journey=",
            )
        column(df, col, field=name, what="the table")
    assert case_col is not None
    assert channel_col is not None
    assert timestamp_col is not None
    work = pd.DataFrame(
        {
            "case": df[case_col].astype(str).to_numpy(),
            "ts": _timestamps(df, timestamp_col),
            "row": np.arange(len(df)),
            "channel": df[channel_col].astype(object).to_numpy(),
        }
    )
    if stage_col is not None:
        column(df, stage_col, field="stage_col", what="the table")
        work["stage"] = df[stage_col].astype(object).to_numpy()
    if outcome_col is not None:
        column(df, outcome_col, field="outcome_col", what="the table")
        work["outcome"] = df[outcome_col].astype(object).to_numpy()
    work = work.sort_values(["case", "ts", "row"], kind="stable").reset_index(drop=True)
    journey, cases = pd.factorize(work["case"], sort=False)
    n_j = len(cases)
    channel = np.array([None if pd.isna(v) else str(v) for v in work["channel"]], dtype=object)
    if stage_col is not None:
        # stage order: first appearance along the journeys, by median relative position
        st_code, st_names = pd.factorize(work["stage"].astype(str), sort=False)
        first = pd.Series(np.arange(len(work))).groupby(journey).transform("min").to_numpy()
        size = np.bincount(journey, minlength=n_j)[journey]
        rel = (np.arange(len(work)) - first) / np.maximum(size - 1, 1)
        med = pd.Series(rel).groupby(st_code).median().to_numpy()
        rank = np.argsort(np.argsort(med, kind="stable"), kind="stable")
        stage = rank[st_code].astype(np.int64)
        stages = [str(st_names[i]) for i in np.argsort(med, kind="stable")]
    else:
        stage = np.zeros(len(work), dtype=np.int64)
        stages = []
    outcome = np.zeros(n_j, dtype=np.int8)
    if outcome_col is not None:
        last = work.groupby(journey)["outcome"].last()
        code = {"success": 1, "failure": 2, True: 1, False: 2}
        outcome = np.array([code.get(v, 0) for v in last.tolist()], dtype=np.int8)
    return journey.astype(np.int64), channel, stage, stages, outcome, n_j


def channel_switches(
    log_or_frame: EventLog | pd.DataFrame,
    *,
    case_col: str | None = None,
    channel_col: str | None = None,
    timestamp_col: str | None = None,
    stage_col: str | None = None,
    outcome_col: str | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """Channel switches and steps back a stage inside journeys, as friction signals.

    Parameters
    ----------
    log_or_frame : EventLog or pandas.DataFrame
        An event log with channels (built with ``channel_col=`` or ``journey=``), or a
        table of events: then ``case_col``, ``channel_col`` and ``timestamp_col`` are
        required, ``stage_col`` and ``outcome_col`` (values ``"success"`` /
        ``"failure"``, the last value of a case counts) optional. With a table the
        channel of each event is kept as given (a touchpoint reached by phone and by web
        counts as two channels).
    case_col, channel_col, timestamp_col, stage_col, outcome_col : str, optional
        Columns of the table.
    min_group_size : int, optional
        Leave out rows made by fewer journeys (figures about a handful of people).

    Returns
    -------
    pandas.DataFrame
        One row per kind of move: ``kind`` (``"channel_switch"`` or ``"stage_back"``),
        ``source``, ``target`` (channels, or stages for a step back), ``moves`` (number
        of consecutive event pairs), ``journeys`` (journeys with at least one),
        ``journey_share``, ``decided`` (of those, journeys with an outcome),
        ``failure_rate`` (share of them that failed), ``comparison_failure_rate``
        (decided journeys without this move) and ``risk_ratio``. Sorted by kind, then
        journeys (most first). Missing rates are NaN, never 0.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({
    ...     "c": ["a", "a", "b", "b", "c"], "ch": ["web", "phone", "web", "web", "web"],
    ...     "ts": ["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-02", "2024-01-03",
    ...            "2024-01-04"],
    ...     "out": ["failure", "failure", "success", "success", "success"]})
    >>> channel_switches(ev, case_col="c", channel_col="ch", timestamp_col="ts",
    ...                  outcome_col="out")[["source", "target", "journeys", "failure_rate"]]
      source target  journeys  failure_rate
    0    web  phone         1           1.0
    """
    from frictionkit.events import EventLog

    if isinstance(log_or_frame, EventLog):
        parts = _arrays_from_log(log_or_frame)
    elif isinstance(log_or_frame, pd.DataFrame):
        parts = _arrays_from_frame(
            log_or_frame, case_col, channel_col, timestamp_col, stage_col, outcome_col
        )
    else:
        raise InputTypeError(
            f"log_or_frame must be an EventLog or a DataFrame, got {type(log_or_frame).__name__}",
            field="log_or_frame",
            value=type(log_or_frame).__name__,
        )
    journey, channel, stage, stages, outcome, n_j = parts
    limit = 0 if min_group_size is None else int(min_group_size)
    same = journey[1:] == journey[:-1]
    src_ch, dst_ch = channel[:-1], channel[1:]
    known = np.array(
        [a is not None and b is not None for a, b in zip(src_ch, dst_ch, strict=True)], bool
    )
    switch = same & known & (src_ch != dst_ch)
    back = same & (stage[1:] < stage[:-1]) if stages else np.zeros(len(same), dtype=bool)
    moves = pd.concat(
        [
            pd.DataFrame({"kind": "channel_switch", "source": src_ch[switch],
                          "target": dst_ch[switch], "journey": journey[1:][switch]}),
            pd.DataFrame({"kind": "stage_back",
                          "source": np.array(stages, dtype=object)[stage[:-1][back]]
                          if stages else np.array([], dtype=object),
                          "target": np.array(stages, dtype=object)[stage[1:][back]]
                          if stages else np.array([], dtype=object),
                          "journey": journey[1:][back]}),
        ],
        ignore_index=True,
    )  # fmt: skip
    cols = ["kind", "source", "target", "moves", "journeys", "journey_share", "decided",
            "failure_rate", "comparison_failure_rate", "risk_ratio"]  # fmt: skip
    if moves.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    decided = outcome > 0
    failed = outcome == 2
    n_decided = int(decided.sum())
    n_failed = int(failed.sum())
    rows = []
    for (kind, s, t), g in moves.groupby(["kind", "source", "target"], sort=True):
        js = np.unique(g["journey"].to_numpy(dtype=np.int64))
        if len(js) < limit:
            continue
        d = int(decided[js].sum())
        f = int(failed[js].sum())
        rate = f / d if d else np.nan
        rest_d, rest_f = n_decided - d, n_failed - f
        comp = rest_f / rest_d if rest_d else np.nan
        rows.append(
            {"kind": kind, "source": s, "target": t, "moves": len(g), "journeys": len(js),
             "journey_share": len(js) / n_j, "decided": d, "failure_rate": rate,
             "comparison_failure_rate": comp,
             "risk_ratio": rate / comp if comp and np.isfinite(comp) else np.nan}
        )  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["kind", "journeys", "source", "target"],
                          ascending=[True, False, True, True], kind="stable")  # fmt: skip
    return out.reset_index(drop=True)
