"""Lifecycle events (schedule / start / complete) at ingest: lifecycle_col and its modes."""

from __future__ import annotations

import warnings
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.events import EventLog, read_events
from frictionkit.exceptions import (
    MissingColumnError,
    RepeatedTouchpointWarning,
    ValidationError,
)
from tests.helpers import shared_data

# (case, activity, lifecycle, minute of the day): a loan-style log where each work item has
# schedule / start / complete events, as in the BPI Challenge 2012 log.
EVENTS = [
    ("c1", "apply", "complete", 0),
    ("c1", "check", "schedule", 5),
    ("c1", "check", "start", 20),
    ("c1", "check", "complete", 50),
    ("c1", "call", "start", 60),
    ("c1", "call", "complete", 70),
    ("c1", "approve", "complete", 90),
    ("c2", "apply", "complete", 0),
    ("c2", "check", "schedule", 1),
    ("c2", "check", "start", 2),
    ("c2", "check", "complete", 12),
    ("c2", "check", "start", 30),  # the same activity done again (a second instance)
    ("c2", "check", "complete", 45),
    ("c2", "decline", "complete", 50),
]


def write_xes(path, events=EVENTS):
    """A minimal XES document with lifecycle:transition on every event."""
    traces: dict[str, list[str]] = {}
    for case, act, lc, minute in events:
        ts = (pd.Timestamp("2024-03-01T09:00:00+00:00") + pd.Timedelta(minutes=minute)).isoformat()
        traces.setdefault(case, []).append(
            "<event>"
            f'<string key="concept:name" value={quoteattr(act)}/>'
            f'<string key="lifecycle:transition" value={quoteattr(lc)}/>'
            f'<date key="time:timestamp" value="{ts}"/>'
            "</event>"
        )
    body = "".join(
        f'<trace><string key="concept:name" value={quoteattr(case)}/>{"".join(evs)}</trace>'
        for case, evs in traces.items()
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<log xes.version="1.0" xmlns="http://www.xes-standard.org/">{body}</log>',
        encoding="utf-8",
    )
    return path


def routes(log):
    return {case: list(g["touchpoint"]) for case, g in log.to_frame().groupby("case_id", sort=True)}


@pytest.fixture
def xes(tmp_path):
    return write_xes(tmp_path / "loan.xes")


def test_read_events_keeps_complete_events_of_a_lifecycle_xes_by_default(xes):
    log = read_events(xes, success="approve", failure="decline")
    assert routes(log) == {
        "c1": ["apply", "check", "call", "approve"],
        "c2": ["apply", "check", "check", "decline"],
    }
    assert log.outcome_counts == {"success": 1, "failure": 1, "open": 0}
    assert log.event_service_s is None
    # explicit mode and column give the same log
    same = read_events(xes, lifecycle_col="lifecycle:transition", lifecycle="complete")
    assert routes(same) == routes(log)
    # rows point at the input rows (of the XES frame: the complete events)
    assert log.to_frame()["row"].tolist() == [0, 3, 5, 6, 7, 10, 12, 13]


def test_start_complete_gives_service_and_waiting_times(xes):
    log = read_events(xes, lifecycle="start_complete", success="approve", failure="decline")
    frame = log.to_frame()
    assert routes(log) == {
        "c1": ["apply", "check", "call", "approve"],
        "c2": ["apply", "check", "check", "decline"],
    }
    # service: complete - start of the same instance; waiting: start - previous complete
    assert frame["service_s"].tolist() == pytest.approx(
        [np.nan, 1800, 600, np.nan, np.nan, 600, 900, np.nan], nan_ok=True
    )
    assert frame["waiting_s"].tolist() == pytest.approx(
        [np.nan, 1200, 600, np.nan, np.nan, 120, 1080, np.nan], nan_ok=True
    )
    gap = frame.groupby("journey")["timestamp"].diff().dt.total_seconds()
    both = frame["service_s"].notna()
    assert (frame["waiting_s"] + frame["service_s"])[both].tolist() == gap[both].tolist()
    # the service time follows the log through split() and stays off compact logs
    assert log.split(gap_s=10**9).event_service_s is not None
    assert log.compact().event_service_s is None


def test_friction_splits_the_dwell_into_own_time_and_wait_after(xes):
    """With start/complete events, the dwell after a step is its successor's wait plus
    that step's own time: the friction table shows each touchpoint's own time and the
    wait after it (medians; worked by hand from EVENTS)."""
    log = read_events(xes, lifecycle="start_complete", success="approve", failure="decline")
    t = log.friction(n_boot=0).set_index("touchpoint")
    # check: own times 30, 10 and 15 minutes; waits after it 10 and 18 minutes (the one
    # before decline has no start, so no known wait)
    assert t.loc["check", "median_service_s"] == pytest.approx(900.0)
    assert t.loc["check", "median_wait_after_s"] == pytest.approx(840.0)
    # apply: no start (no own time); the next check starts 20 and 2 minutes later
    assert np.isnan(t.loc["apply", "median_service_s"])
    assert t.loc["apply", "median_wait_after_s"] == pytest.approx(660.0)
    assert t.loc["call", "median_service_s"] == pytest.approx(600.0)
    # a log without lifecycle events keeps the plain columns only
    plain = read_events(xes, success="approve", failure="decline").friction(n_boot=0)
    assert "median_service_s" not in plain.columns


def test_touchpoint_mode_names_activity_and_lifecycle(xes):
    log = read_events(xes, lifecycle="touchpoint", success="approve+complete")
    assert routes(log)["c1"] == [
        "apply+complete",
        "check+schedule",
        "check+start",
        "check+complete",
        "call+start",
        "call+complete",
        "approve+complete",
    ]
    assert log.n_events == len(EVENTS)
    assert log.outcome_counts["success"] == 1


def test_all_mode_keeps_every_event_as_it_is(xes):
    log = read_events(xes, lifecycle="all")
    assert log.n_events == len(EVENTS)
    assert routes(log)["c2"][:3] == ["apply", "check", "check"]


def test_from_frame_takes_lifecycle_col_and_values_ignore_case():
    df = pd.DataFrame(
        {
            "case": ["a", "a", "a", "b"],
            "step": ["x", "x", "y", "y"],
            "lc": ["START", " Complete ", None, "COMPLETE"],
            "ts": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-01 10:02", "2024-01-01 10:03", "2024-01-02 10:00"]
            ),
        }
    )
    log = EventLog.from_frame(
        df, case_col="case", touchpoint_col="step", timestamp_col="ts", lifecycle_col="lc"
    )
    assert routes(log) == {"a": ["x", "y"], "b": ["y"]}  # a missing lifecycle counts as complete
    timed = EventLog.from_frame(
        df,
        case_col="case",
        touchpoint_col="step",
        timestamp_col="ts",
        lifecycle_col="lc",
        lifecycle="start_complete",
    )
    assert timed.event_service_s.tolist()[:2] == [120.0, pytest.approx(np.nan, nan_ok=True)]
    assert df["lc"].tolist()[0] == "START"  # input untouched


def test_lifecycle_bad_input():
    df = pd.DataFrame({"c": ["a"], "t": ["x"], "lc": ["start"], "ts": ["2024-01-01"]})
    kw = {"case_col": "c", "touchpoint_col": "t", "timestamp_col": "ts"}
    with pytest.raises(ValidationError, match="lifecycle='start_complete' needs lifecycle_col"):
        EventLog.from_frame(df, **kw, lifecycle="start_complete")
    with pytest.raises(ValidationError, match="lifecycle") as err:
        EventLog.from_frame(df, **kw, lifecycle_col="lc", lifecycle="completed")
    assert "complete" in str(err.value)
    with pytest.raises(MissingColumnError, match="lifecycle_col"):
        EventLog.from_frame(df, **kw, lifecycle_col="lifecycle")
    with pytest.raises(ValidationError, match="no event of the log is a 'complete' event"):
        EventLog.from_frame(df, **kw, lifecycle_col="lc")


def _lifecycle_frame(n_cases: int) -> pd.DataFrame:
    rows = []
    for i in range(n_cases):
        t = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i)
        for k, (act, lc) in enumerate(
            [
                ("visit", "complete"),
                ("review", "schedule"),
                ("review", "start"),
                ("review", "complete"),
                ("buy", "complete"),
            ]
        ):
            rows.append((f"c{i}", act, lc, t + pd.Timedelta(minutes=k)))
    return pd.DataFrame(rows, columns=["case", "step", "lc", "ts"])


def test_repeated_touchpoint_warning_names_the_touchpoint():
    df = _lifecycle_frame(40)
    kw = {"case_col": "case", "touchpoint_col": "step", "timestamp_col": "ts"}
    with pytest.warns(RepeatedTouchpointWarning, match=r"'review' repeats immediately in 40 of"):
        EventLog.from_frame(df, **kw)
    with pytest.warns(RepeatedTouchpointWarning, match="lifecycle_col="):
        EventLog.from_frame(df, **kw, lifecycle_col="lc", lifecycle="all")
    assert issubclass(fk.RepeatedTouchpointWarning, fk.FrictionkitWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log = EventLog.from_frame(df, **kw, lifecycle_col="lc")
        EventLog.from_frame(df, **kw, lifecycle_col="lc", lifecycle="touchpoint")
        EventLog.from_frame(df.iloc[: 5 * 29], **kw)  # too few journeys to tell
    assert log.n_events == 3 * 40


def test_engines_refuse_lifecycle_col(tmp_path):
    pytest.importorskip("duckdb")
    path = tmp_path / "log.csv"
    _lifecycle_frame(3).to_csv(path, index=False)
    with pytest.raises(ValidationError, match="lifecycle_col is not supported by engine='duckdb'"):
        EventLog.scan(
            str(path),
            engine="duckdb",
            case_col="case",
            touchpoint_col="step",
            timestamp_col="ts",
            lifecycle_col="lc",
        )


def test_pandas_scan_takes_lifecycle_col():
    df = _lifecycle_frame(3)
    log = EventLog.scan(
        df, case_col="case", touchpoint_col="step", timestamp_col="ts", lifecycle_col="lc"
    )
    assert log.is_compact
    assert log.n_events == 9


_LC = st.sampled_from(["start", "complete", "schedule", "COMPLETE", None])


@settings(max_examples=40, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.sampled_from("abc"), st.sampled_from("xyz"), _LC, st.integers(0, 50)),
        min_size=1,
        max_size=30,
    )
)
def test_complete_mode_is_the_complete_rows(events):
    """lifecycle="complete" gives the log of the complete (or unlabelled) rows, row numbers kept;
    start_complete keeps the same events, with non-negative service times."""
    df = pd.DataFrame(events, columns=["case", "step", "lc", "minute"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["minute"], unit="min")
    kw = {"case_col": "case", "touchpoint_col": "step", "timestamp_col": "ts"}
    complete = df["lc"].isna() | (df["lc"].str.lower() == "complete")
    if not complete.any():
        with pytest.raises(ValidationError, match="no event of the log is a 'complete'"):
            EventLog.from_frame(df, **kw, lifecycle_col="lc")
        return
    log = EventLog.from_frame(df, **kw, lifecycle_col="lc")
    expected = EventLog.from_frame(df[complete].reset_index(drop=True), **kw)
    got, want = log.to_frame(), expected.to_frame()
    assert got["touchpoint"].tolist() == want["touchpoint"].tolist()
    assert got["case_id"].tolist() == want["case_id"].tolist()
    assert got["row"].tolist() == np.flatnonzero(complete)[want["row"]].tolist()
    timed = EventLog.from_frame(df, **kw, lifecycle_col="lc", lifecycle="start_complete")
    assert timed.to_frame()["row"].tolist() == got["row"].tolist()
    service = timed.event_service_s
    assert (service[~np.isnan(service)] >= 0).all()


def test_real_logs_read_without_a_lifecycle_warning():
    """The fines, helpdesk and receipt logs: no false alarm; receipt's lifecycle column
    (all 'complete') is used and changes nothing."""
    fines = read_events(
        shared_data("road_traffic_fines_10k.csv.gz"),
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
    )
    assert fines.n_events == 34_724  # as the data README says
    helpdesk = read_events(
        shared_data("helpdesk.csv.gz"),
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
    )
    assert helpdesk.n_events == 21_348
    receipt = read_events(shared_data("receipt.csv.gz"))
    assert receipt.n_events == 8_577
    assert read_events(shared_data("receipt.csv.gz"), lifecycle="all").n_events == 8_577


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 5)), min_size=1, max_size=80),
    st.booleans(),
)
def test_journeys_per_touchpoint_counts_distinct_journeys(pairs, dense):
    # the flag table and the sorted pairs give the count of distinct journeys per touchpoint
    from frictionkit.events import _kernels

    pairs = sorted(pairs, key=lambda p: p[0])  # journeys in event order
    journey = np.array([p[0] for p in pairs], dtype=np.int64)
    tp = np.array([p[1] for p in pairs], dtype=np.int64)
    expected = [len({j for j, t in pairs if t == k}) for k in range(6)]
    old = _kernels._DENSE_PAIRS
    try:
        _kernels._DENSE_PAIRS = old if dense else 0
        got = _kernels.journeys_per_code(journey, tp, 6)
    finally:
        _kernels._DENSE_PAIRS = old
    assert got.tolist() == expected
