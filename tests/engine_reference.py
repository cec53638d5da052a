"""A slow, obviously correct reference of the three engine reductions (pure Python loops).

It reads a small pandas DataFrame whose timestamp column is already datetime64 (naive or
aware) and follows the conventions of ``frictionkit.events._engine`` line by line, so the
engines' SQL can be checked against it on small logs.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from frictionkit.events._engine import Coding, Profile, ScanColumns, Timings


def _missing(v: Any) -> bool:
    return (
        v is None
        or (isinstance(v, float) and np.isnan(v))
        or v is pd.NaT
        or v is pd.NA
        or (isinstance(v, str) and v == "")
    )


def _ns(v: Any) -> int:
    ts = pd.Timestamp(v)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int(ts.value)


def _rows(df: pd.DataFrame, cols: ScanColumns) -> list[dict[str, Any]]:
    """Rows as dicts with ``_order`` (the order column, or the position) and ``_missing``."""
    out = []
    for i, rec in enumerate(df.to_dict("records")):
        rec["_order"] = rec[cols.order] if cols.order is not None else i
        rec["_missing"] = any(_missing(rec[c]) for c in cols.keys)
        out.append(rec)
    return out


def _kept(df: pd.DataFrame, cols: ScanColumns) -> list[dict[str, Any]]:
    return [r for r in _rows(df, cols) if not r["_missing"]]


def reference_profile(df: pd.DataFrame, cols: ScanColumns) -> Profile:
    """The profile of a small frame."""
    rows = _rows(df, cols)
    missing = [r for r in rows if r["_missing"]]
    kept = [r for r in rows if not r["_missing"]] if cols.drop_missing else rows
    tps: dict[str, int] = defaultdict(int)
    for r in kept:
        if not _missing(r[cols.touchpoint]):
            tps[str(r[cols.touchpoint])] += 1
    outcome = None
    if cols.outcome is not None:
        counts: dict[Any, int] = defaultdict(int)
        for r in kept:
            if not _missing(r[cols.outcome]):
                counts[r[cols.outcome]] += 1
        outcome = pd.DataFrame(
            {"value": pd.Series(list(counts), dtype=object), "events": list(counts.values())}
        )
    stages = None
    if cols.stage is not None:
        sc: dict[tuple[str, str], int] = defaultdict(int)
        for r in kept:
            if not _missing(r[cols.stage]) and not _missing(r[cols.touchpoint]):
                sc[(str(r[cols.touchpoint]), str(r[cols.stage]))] += 1
        stages = pd.DataFrame(
            {
                "touchpoint": [k[0] for k in sc],
                "stage": [k[1] for k in sc],
                "events": list(sc.values()),
            }
        )
    sample = pd.DataFrame(
        {"row": [r["_order"] for r in missing[:20]]}
        | {c: [r[c] for r in missing[:20]] for c in cols.keys}
    )
    return Profile(
        n_rows=len(rows),
        n_missing=len(missing),
        missing_sample=sample,
        touchpoints=pd.DataFrame({"label": sorted(tps), "events": [tps[k] for k in sorted(tps)]}),
        n_cases=len({r[cols.case] for r in kept if not _missing(r[cols.case])}),
        outcome_values=outcome,
        stages=stages,
        timezone_aware=isinstance(df[cols.timestamp].dtype, pd.DatetimeTZDtype),
    )


def _journeys(df: pd.DataFrame, cols: ScanColumns, coding: Coding) -> list[dict[str, Any]]:
    """Every case as ordered lists of (ns, tp code, eo, row)."""
    code = dict(zip(coding.touchpoints["label"], coding.touchpoints["code"], strict=True))
    by_value = (
        list(zip(coding.outcome_by_value["value"], coding.outcome_by_value["eo"], strict=True))
        if coding.outcome_by_value is not None
        else []
    )
    by_tp = (
        dict(
            zip(
                coding.outcome_by_touchpoint["code"],
                coding.outcome_by_touchpoint["eo"],
                strict=True,
            )
        )
        if coding.outcome_by_touchpoint is not None
        else {}
    )
    cases: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in _kept(df, cols):
        c = int(code[str(r[cols.touchpoint])])
        if cols.outcome is not None:
            v = r[cols.outcome]
            eo = next((int(e) for val, e in by_value if not _missing(v) and v == val), 0)
        else:
            eo = int(by_tp.get(c, 0))
        cases[r[cols.case]].append(
            {"ns": _ns(r[cols.timestamp]), "order": r["_order"], "tp": c, "eo": eo, "rec": r}
        )
    out = []
    for events in cases.values():
        events.sort(key=lambda e: (e["ns"], e["order"]))
        out.append({"events": events})
    return out


def _value(events: list[dict[str, Any]], cols: ScanColumns) -> float | None:
    if cols.value is None:
        return None
    vals = [float(e["rec"][cols.value]) for e in events if not _missing(e["rec"][cols.value])]
    if not vals:
        return None
    return {"last": vals[-1], "first": vals[0], "sum": sum(vals), "max": max(vals)}[cols.value_agg]


def reference_variants(df: pd.DataFrame, cols: ScanColumns, coding: Coding) -> pd.DataFrame:
    """The variants table of a small frame, sorted by (tp, eo, case attributes)."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for j in _journeys(df, cols, coding):
        ev = j["events"]
        attrs = []
        for c in cols.case_cols:
            first = next((e["rec"][c] for e in ev if not _missing(e["rec"][c])), None)
            attrs.append(None if first is None else str(first))
        key = (tuple(e["tp"] for e in ev), tuple(e["eo"] for e in ev), *attrs)
        g = groups.setdefault(key, [0, 0.0, 0])
        g[0] += 1
        v = _value(ev, cols)
        if v is not None:
            g[1] += v
            g[2] += 1
    keys = sorted(groups, key=lambda k: tuple("" if x is None else x for x in k))
    out = pd.DataFrame(
        {
            "tp": pd.Series([list(k[0]) for k in keys], dtype=object),
            "eo": pd.Series([list(k[1]) for k in keys], dtype=object),
            "journeys": np.array([groups[k][0] for k in keys], dtype=np.int64),
            "value_sum": np.array([groups[k][1] for k in keys], dtype=float),
            "value_n": np.array([groups[k][2] for k in keys], dtype=np.int64),
        }
    )
    for i, c in enumerate(cols.case_cols):
        out[c] = pd.Series([k[2 + i] for k in keys], dtype=object)
    return out


def _cut(eo: list[int], when_both: str) -> tuple[int, int] | None:
    """(outcome, end) of a journey, or None when open."""
    decided = [i for i, e in enumerate(eo) if e != 0]
    if not decided:
        return None
    if when_both == "first":
        d = decided[0]
    elif when_both == "last":
        d = decided[-1]
    else:
        pref = 1 if when_both == "success" else 2
        d = next((i for i, e in enumerate(eo) if e == pref), decided[0])
    outcome = eo[d]
    end = next((i for i in range(d + 1, len(eo)) if eo[i] != outcome), len(eo))
    return outcome, end


def _quantiles(values: list[int], qs: tuple[float, ...]) -> list[float]:
    v = np.sort(np.asarray(values, dtype=float))
    out = []
    for q in qs:
        h = (len(v) - 1) * q
        lo = int(np.floor(h))
        hi = min(lo + 1, len(v) - 1)
        out.append(float(v[lo] + (h - lo) * (v[hi] - v[lo])))
    return out


def reference_timings(df: pd.DataFrame, cols: ScanColumns, coding: Coding) -> Timings:
    """The timings of a small frame, each table sorted by its codes."""
    trans: dict[tuple[int, int], list[int]] = defaultdict(list)
    dwell: dict[int, list[int]] = defaultdict(list)
    stage_dwell: dict[int, list[int]] = defaultdict(list)
    stage = np.asarray(coding.touchpoint_stage)
    for j in _journeys(df, cols, coding):
        ev = j["events"]
        for a, b in itertools.pairwise(ev):
            trans[(a["tp"], b["tp"])].append(b["ns"] - a["ns"])
        cut = _cut([e["eo"] for e in ev], coding.when_both)
        if cut is None:
            continue
        kept = ev[: cut[1]]
        for a, b in itertools.pairwise(kept):
            dwell[a["tp"]].append(b["ns"] - a["ns"])
            stage_dwell[int(stage[a["tp"]])].append(b["ns"] - a["ns"])
    t_keys = sorted(trans)
    tq = [_quantiles(trans[k], (0.5, 0.95)) for k in t_keys]
    d_keys = sorted(dwell)
    dq = [_quantiles(dwell[k], (0.5, 0.95)) for k in d_keys]
    s_keys = sorted(stage_dwell)
    return Timings(
        transitions=pd.DataFrame(
            {
                "src": np.array([k[0] for k in t_keys], dtype=np.int64),
                "dst": np.array([k[1] for k in t_keys], dtype=np.int64),
                "median_ns": [q[0] for q in tq],
                "p95_ns": [q[1] for q in tq],
            }
        ),
        dwell=pd.DataFrame(
            {
                "tp": np.array(d_keys, dtype=np.int64),
                "median_ns": [q[0] for q in dq],
                "p95_ns": [q[1] for q in dq],
            }
        ),
        stage_dwell=pd.DataFrame(
            {
                "stage": np.array(s_keys, dtype=np.int64),
                "median_ns": [_quantiles(stage_dwell[k], (0.5,))[0] for k in s_keys],
            }
        ),
    )
