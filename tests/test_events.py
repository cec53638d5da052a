"""EventLog ingest: ordering traps, outcomes, stages, splitting, readers and bad input."""

from __future__ import annotations

import datetime as dt
import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frictionkit.events import DroppedRowsWarning, EventLog, read_events, read_xes_frame
from frictionkit.exceptions import (
    DataError,
    FrictionkitWarning,
    InputTypeError,
    MissingColumnError,
    OptionalDependencyError,
    UnknownReferenceError,
    ValidationError,
)
from frictionkit.model import Journey, Stage, Touchpoint
from frictionkit.privacy import pseudonymise


def frame(cases, tps, times, **extra):
    return pd.DataFrame({"case": cases, "tp": tps, "ts": times, **extra})


def make(df, **kw):
    return EventLog.from_frame(df, case_col="case", touchpoint_col="tp", timestamp_col="ts", **kw)


def routes_of(log):
    return log.routes()["route"].tolist()


# ---------------------------------------------------------------------------------------
# the three known traps of real logs
# ---------------------------------------------------------------------------------------
def test_ties_are_ordered_by_file_row_never_by_name():
    df = frame(["a", "a", "a"], ["zeta", "alpha", "mid"], ["2024-01-01"] * 3)
    assert routes_of(make(df)) == [("zeta", "alpha", "mid")]
    df2 = df.iloc[[1, 0, 2]]
    assert routes_of(make(df2)) == [("alpha", "zeta", "mid")]


def test_case_id_na_text_stays_a_case(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text(
        "case,tp,ts,amount\nNA,visit,2024-01-01,NA\nNA,buy,2024-01-02,3\nN/A,x,2024-01-01,\n"
    )
    log = read_events(
        p,
        case_col="case",
        touchpoint_col="tp",
        timestamp_col="ts",
        value_col="amount",
        value_agg="sum",
    )
    assert log.case_ids.tolist() == ["N/A", "NA"]
    assert log.n_journeys == 2
    j = log.journeys().set_index("case_id")
    assert j.loc["NA", "n_events"] == 2
    # other columns keep the usual missing markers: "NA" in amount is missing
    assert j.loc["NA", "value"] == 3.0
    assert np.isnan(j.loc["N/A", "value"])
    # the same through a DataFrame
    df = frame(["NA", "NA"], ["visit", "NA"], ["2024-01-01", "2024-01-02"])
    assert make(df).touchpoints == ("NA", "visit")


def test_rows_out_of_time_order_in_the_file():
    df = frame(
        ["a", "b", "a", "a", "b"],
        ["pay", "x", "home", "cart", "y"],
        pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-01", "2024-01-02", "2024-01-02"]),
    )
    log = make(df, success="pay")
    assert routes_of(log) == [("home", "cart", "pay"), ("x", "y")]
    assert log.event_row.tolist() == [2, 3, 0, 1, 4]
    assert log.outcome_counts == {"success": 1, "failure": 0, "open": 1}


# ---------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------
def test_input_is_never_mutated():
    df = frame(["b", "a"], ["y", "x"], ["2024-01-02", "2024-01-01"])
    before = df.copy(deep=True)
    make(df, success="x").routes()
    pd.testing.assert_frame_equal(df, before)


def test_to_pandas_objects_are_accepted():
    class FakeTable:
        def to_pandas(self):
            return frame(["a"], ["x"], ["2024-01-01"])

    assert make(FakeTable()).n_events == 1
    with pytest.raises(InputTypeError, match="DataFrame"):
        make([1, 2, 3])


def test_categorical_and_integer_touchpoints():
    cat = pd.Categorical(["b", "a", "b"], categories=["b", "a", "unused"])
    log = make(frame(["c", "c", "d"], cat, ["2024-01-01"] * 3))
    assert log.touchpoints == ("a", "b")
    assert routes_of(log) == [("b",), ("b", "a")]
    log2 = make(frame(["c", "c", "d"], [10, 2, 10], ["2024-01-01"] * 3), success=2)
    assert log2.touchpoints == ("10", "2")
    assert log2.outcome_counts["success"] == 1


def test_integer_case_ids_kept_as_given():
    log = make(frame([10, 2, 10], ["x", "y", "z"], ["2024-01-01"] * 3))
    assert log.case_ids.tolist() == [2, 10]
    assert log.journeys()["case_id"].tolist() == [2, 10]


def test_missing_column_suggests_the_closest():
    df = frame(["a"], ["x"], ["2024-01-01"])
    with pytest.raises(MissingColumnError, match="did you mean 'case'"):
        EventLog.from_frame(df, case_col="cse", touchpoint_col="tp", timestamp_col="ts")


def test_empty_log_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        make(frame([], [], []))


@pytest.mark.parametrize("name", ["START", "SUCCESS", "FAILURE", "OPEN"])
def test_reserved_touchpoint_names(name):
    with pytest.raises(ValidationError, match="reserved"):
        make(frame(["a", "a"], ["x", name], ["2024-01-01"] * 2))


def test_nulls_raise_with_failure_cases_or_drop_with_warning():
    df = frame(
        ["a", None, "b", ""],
        ["x", "y", None, "z"],
        ["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-03"],
    )
    with pytest.raises(DataError) as info:
        make(df)
    assert info.value.failure_cases["row"].tolist() == [1, 2, 3]
    with pytest.warns(DroppedRowsWarning, match="dropped 3 row"):
        log = make(df, on_null="drop")
    assert log.n_events == 1
    assert issubclass(DroppedRowsWarning, FrictionkitWarning)
    with pytest.raises(ValidationError, match="on_null"):
        make(df, on_null="ignore")  # type: ignore[arg-type]


def test_null_timestamp_counts_as_missing():
    df = frame(["a", "a"], ["x", "y"], [pd.Timestamp("2024-01-01"), pd.NaT])
    with pytest.raises(DataError, match="1 row"):
        make(df)


def test_duplicate_rows_are_kept_and_counted():
    df = frame(["a", "a", "a", "a"], ["x", "y", "x", "x"], ["2024-01-01"] * 4)
    log = make(df)
    assert log.n_events == 4
    assert log.n_duplicate_rows == 2
    assert routes_of(log) == [("x", "y", "x", "x")]


# ---------------------------------------------------------------------------------------
# timestamps
# ---------------------------------------------------------------------------------------
def test_unparseable_timestamps_carry_the_rows():
    df = frame(["a", "a", "b"], ["x", "y", "z"], ["2024-01-01", "not a date", "2024-01-02"])
    with pytest.raises(DataError) as info:
        make(df)
    assert info.value.failure_cases["row"].tolist() == [1]


def test_mixed_naive_and_aware_timestamps_are_refused_with_the_fix():
    df = frame(["a", "a"], ["x", "y"], ["2024-01-01 10:00+01:00", "2024-01-01 11:00"])
    with pytest.raises(DataError, match="UTC") as info:
        make(df)
    assert info.value.failure_cases["row"].tolist() == [1]


def test_offsets_are_instants_converted_to_utc():
    # 10:30+02:00 is 08:30 UTC, before 09:00+01:00 (= 08:00 UTC)? no: 08:00 < 08:30
    df = frame(["a", "a"], ["late", "early"], ["2024-03-31 10:30+02:00", "2024-03-31 09:00+01:00"])
    log = make(df)
    assert log.timezone == "UTC"
    assert routes_of(log) == [("early", "late")]
    assert str(log.journeys()["start"].iloc[0]) == "2024-03-31 08:00:00+00:00"


def test_tz_aware_column_in_one_zone_is_stored_in_utc():
    ts = pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00"]).tz_localize("Europe/Rome")
    log = make(frame(["a", "a"], ["x", "y"], ts))
    assert log.event_timestamp_ns[0] == pd.Timestamp("2024-01-01 09:00", tz="UTC").value


def test_numeric_timestamps_are_refused():
    with pytest.raises(InputTypeError, match="unit="):
        make(frame(["a"], ["x"], [1_700_000_000]))


# ---------------------------------------------------------------------------------------
# outcomes
# ---------------------------------------------------------------------------------------
def test_outcome_rules_when_both_occur():
    df = frame(["a", "a", "a"], ["buy", "complain", "x"], pd.date_range("2024-01-01", periods=3))
    kw = {"success": "buy", "failure": "complain"}
    assert make(df, **kw).outcome_counts["success"] == 1
    assert make(df, when_both="last", **kw).outcome_counts["failure"] == 1
    assert make(df, when_both="failure", **kw).outcome_counts["failure"] == 1
    assert make(df, when_both="success", **kw).outcome_counts["success"] == 1
    assert make(df, **kw).journey_deciding_event.tolist() == [0]
    with pytest.raises(ValidationError, match="when_both"):
        make(df, when_both="first_reached", **kw)  # type: ignore[arg-type]


def test_outcome_touchpoints_must_exist_unless_not_strict():
    df = frame(["a"], ["buy"], ["2024-01-01"])
    with pytest.raises(UnknownReferenceError, match="did you mean 'buy'"):
        make(df, success="bye")
    assert make(df, success=["buy", "other"], strict=False).outcome_counts["success"] == 1
    with pytest.raises(ValidationError, match="both"):
        make(df, success="buy", failure="buy")


def test_outcome_column_per_event_and_per_case():
    per_event = frame(
        ["a", "a", "b", "c"],
        ["x", "y", "x", "x"],
        ["2024-01-01"] * 4,
        result=[None, "won", "lost", None],
    )
    log = make(per_event, outcome_col="result", success="won", failure="lost")
    assert log.outcome_counts == {"success": 1, "failure": 1, "open": 1}
    per_case = per_event.assign(flag=[True, True, False, None])
    log2 = make(per_case, outcome_col="flag")
    assert log2.outcome_counts == {"success": 1, "failure": 1, "open": 1}
    with pytest.raises(ValidationError, match="maybe"):
        make(
            per_event.assign(result=["won", "maybe", None, None]),
            outcome_col="result",
            success="won",
            failure="lost",
        )
    lenient = make(
        per_event.assign(result=["won", "maybe", None, None]),
        outcome_col="result",
        success="won",
        failure="lost",
        strict=False,
    )
    assert lenient.outcome_counts["success"] == 1


def test_open_journeys_are_never_failures():
    log = make(frame(["a", "b"], ["x", "y"], ["2024-01-01"] * 2), success="x")
    r = log.routes()
    assert r["failures"].sum() == 0
    assert r["open"].sum() == 1


# ---------------------------------------------------------------------------------------
# stages and channels
# ---------------------------------------------------------------------------------------
def journey_map():
    return Journey(
        stages=[Stage(id="discover"), Stage(id="buy")],
        touchpoints=[
            Touchpoint(id="home", stage="discover", channel="web"),
            Touchpoint(id="checkout", stage="buy", channel="web"),
        ],
    )


def test_journey_map_gives_stages_and_reports_unknown_touchpoints():
    df = frame(["a", "a", "a"], ["home", "chekout", "checkout"], ["2024-01-01"] * 3)
    with pytest.raises(UnknownReferenceError, match="did you mean 'checkout'"):
        make(df, journey=journey_map())
    log = make(df, journey=journey_map(), strict=False)
    assert log.stages == ("discover", "buy", "unmapped")
    table = log.touchpoint_table().set_index("touchpoint")
    assert table.loc["chekout", "stage"] == "unmapped"
    assert table.loc["home", "channel"] == "web"
    assert log.stage_source == "journey"
    with pytest.raises(ValidationError, match="not both"):
        make(df, journey=journey_map(), stage_col="tp")


def test_stage_column_order_and_consistency():
    df = frame(
        ["a", "a", "b", "b"],
        ["home", "pay", "home", "pay"],
        ["2024-01-01"] * 4,
        stage=["late", "early", "late", "early"],
    )
    log = make(df, stage_col="stage")
    # ordered by median relative position: 'late' holds the first events
    assert log.stages == ("late", "early")
    ordered = df.assign(stage=pd.Categorical(df["stage"], ["early", "late"], ordered=True))
    assert make(ordered, stage_col="stage").stages == ("early", "late")
    bad = df.assign(stage=["late", "early", "early", "early"])
    with pytest.raises(ValidationError, match="more than one stage"):
        make(bad, stage_col="stage")
    assert make(bad, stage_col="stage", strict=False).stage_source == "column"


def test_inferred_stages_follow_positions():
    df = frame(["a"] * 5 + ["b"] * 5, ["s1", "s2", "s3", "s4", "s5"] * 2, ["2024-01-01"] * 10)
    log = make(df)
    assert log.stage_source == "inferred"
    assert log.stages == tuple(f"inferred_{i}" for i in range(1, 6))
    assert log.funnel()["stage_source"].eq("inferred").all()


def test_channel_column_most_frequent_per_touchpoint():
    df = frame(["a", "a", "b"], ["x", "x", "x"], ["2024-01-01"] * 3, ch=["app", "web", "web"])
    assert make(df, channel_col="ch").channels == ("web",)


# ---------------------------------------------------------------------------------------
# splitting
# ---------------------------------------------------------------------------------------
def test_split_at_gaps_and_after_outcome():
    ts = pd.to_datetime(
        [
            "2024-01-01 10:00",
            "2024-01-01 10:10",
            "2024-01-01 10:11",
            "2024-01-05 09:00",
            "2024-01-05 09:01",
        ]
    )
    df = frame(["a"] * 5, ["home", "buy", "home", "home", "exit"], ts)
    log = make(df, success="buy", failure="exit")
    assert log.n_journeys == 1
    g = log.split(gap_s=3600)
    assert g.n_journeys == 2
    assert g.outcome_counts == {"success": 1, "failure": 1, "open": 0}
    t = log.split(truncate_at_outcome=True)
    assert [len(r) for r in t.routes()["route"]] == [2, 3]
    assert t.n_events == log.n_events
    both = log.split(gap_s=3600, truncate_at_outcome=True)
    assert both.journeys()["journey_in_case"].tolist() == [0, 1, 2]
    assert both.outcome_counts == {"success": 1, "failure": 1, "open": 1}
    with pytest.raises(ValidationError, match="gap_s"):
        log.split(gap_s=-1)


def test_split_without_gaps_changes_nothing():
    df = frame(["a", "a", "b"], ["x", "y", "x"], pd.date_range("2024-01-01", periods=3))
    log = make(df)
    pd.testing.assert_frame_equal(log.split(gap_s=10 * 86400).routes(), log.routes())


def test_split_end_failure_makes_sessions_without_success_fail():
    # a clickstream: session 1 buys, session 2 browses and leaves, session 3 ends in an
    # explicit failure (payment declined), session 4 (case b) browses and leaves
    ts = pd.to_datetime(
        [
            "2024-01-01 10:00",
            "2024-01-01 10:05",
            "2024-01-02 09:00",
            "2024-01-02 09:03",
            "2024-01-03 12:00",
            "2024-01-03 12:01",
            "2024-01-01 08:00",
        ]
    )
    df = frame(
        ["a"] * 6 + ["b"],
        ["home", "buy", "home", "cart", "cart", "declined", "home"],
        ts,
    )
    log = make(df, success="buy", failure="declined")
    open_ = log.split(gap_s=1800)
    assert open_.outcome_counts == {"success": 1, "failure": 1, "open": 2}
    sessions = log.split(gap_s=1800, end="failure")
    assert sessions.outcome_counts == {"success": 1, "failure": 3, "open": 0}
    j = sessions.journeys()
    assert j["outcome"].tolist() == ["success", "failure", "failure", "failure"]
    # the explicit failure keeps its deciding event; abandoned sessions fail at their last
    assert sessions.n_events == log.n_events
    assert sessions.to_frame()["touchpoint"].tolist() == log.to_frame()["touchpoint"].tolist()
    # the funnel: home is not an outcome step (it also starts sessions), so it still counts
    assert sessions.funnel()["journeys"].iloc[0] == 4
    # end="failure" without gaps: a keeps its first outcome (success), the open b fails
    assert log.split(end="failure").outcome_counts == {"success": 1, "failure": 1, "open": 0}
    with pytest.raises(ValidationError, match="did you mean 'failure'"):
        log.split(gap_s=1800, end="fail")


@settings(max_examples=40, deadline=None)
@given(
    cases=st.lists(
        st.lists(
            st.tuples(st.sampled_from(["home", "cart", "buy", "exit"]), st.integers(0, 120)),
            min_size=1,
            max_size=8,
        ),
        min_size=1,
        max_size=6,
    ),
    gap_min=st.integers(0, 60),
    end=st.sampled_from(["open", "failure"]),
)
def test_split_then_rejoin_gives_back_the_events(cases, gap_min, end):
    rows = [
        (f"c{c}", tp, pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=m))
        for c, evs in enumerate(cases)
        for tp, m in evs
    ]
    df = frame(*map(list, zip(*rows, strict=True)))
    log = make(df, success="buy", strict=False)
    split = log.split(gap_s=gap_min * 60, end=end)
    key = ["case_id", "timestamp", "row"]
    before = log.to_frame().sort_values(key)[[*key, "touchpoint"]].reset_index(drop=True)
    after = split.to_frame().sort_values(key)[[*key, "touchpoint"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)
    assert split.n_events == log.n_events
    assert split.n_cases == log.n_cases
    # re-joining the journeys of a case gives its events in the same order
    for case, part in split.to_frame().groupby("case_id", sort=False):
        whole = log.to_frame()
        assert part["row"].tolist() == whole[whole["case_id"] == case]["row"].tolist()
    if end == "failure":
        assert split.outcome_counts["open"] == 0
    assert split.outcome_counts["success"] >= log.outcome_counts["success"]


# ---------------------------------------------------------------------------------------
# tables and display
# ---------------------------------------------------------------------------------------
def test_journeys_table_and_frame_and_repr():
    df = frame(
        ["a", "a", "b"],
        ["x", "y", "x"],
        pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05", "2024-01-02 00:00"]),
        v=[1.0, 2.0, None],
    )
    log = make(df, success="y", value_col="v")
    j = log.journeys()
    assert j.columns.tolist() == [
        "journey",
        "case_id",
        "journey_in_case",
        "start",
        "end",
        "duration_s",
        "n_events",
        "outcome",
        "outcome_kind",  # issue 18: the journey's kind of outcome (here the outcome)
        "value",
    ]
    assert j["duration_s"].tolist() == [300.0, 0.0]
    assert j["value"].iloc[0] == 2.0
    assert np.isnan(j["value"].iloc[1])
    f = log.to_frame()
    assert f["touchpoint"].tolist() == ["x", "y", "x"]
    assert "1 success" in repr(log)
    assert "<table>" in log._repr_html_()
    with pytest.raises(AttributeError):
        log.n_foo = 1  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="read-only"):
        log.event_touchpoint[0] = 5


def test_non_numeric_value_column_is_a_data_error():
    df = frame(["a"], ["x"], ["2024-01-01"], v=["lots"])
    with pytest.raises(DataError, match="non-numeric"):
        make(df, value_col="v")


# ---------------------------------------------------------------------------------------
# readers
# ---------------------------------------------------------------------------------------
XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xmlns="http://www.xes-standard.org/">
  <string key="concept:name" value="the log"/>
  <trace>
    <string key="concept:name" value="NA"/>
    <string key="persona" value="pro"/>
    <event><string key="concept:name" value="b"/>
      <date key="time:timestamp" value="2024-01-01T10:00:00.000+01:00"/>
      <float key="amount" value="2.5"/></event>
    <event><string key="concept:name" value="a"/>
      <date key="time:timestamp" value="2024-01-01T10:00:00.000+01:00"/></event>
  </trace>
  <trace>
    <string key="concept:name" value="c2"/>
    <event><string key="concept:name" value="a"/>
      <date key="time:timestamp" value="2024-01-02T10:00:00.000+01:00"/></event>
  </trace>
</log>
"""


def test_xes_reader_streams_traces(tmp_path):
    p = tmp_path / "log.xes"
    p.write_text(XES)
    df = read_xes_frame(p)
    assert df.columns.tolist()[:3] == ["case:concept:name", "concept:name", "time:timestamp"]
    assert df["case:persona"].tolist()[:2] == ["pro", "pro"]
    assert pd.isna(df["case:persona"].iloc[2])
    log = read_events(p, case_cols=["case:persona"])
    assert log.case_ids.tolist() == ["NA", "c2"]
    assert routes_of(log) == [("a",), ("b", "a")]
    gz = tmp_path / "log.xes.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write(XES)
    assert read_events(gz).n_events == 3


def test_xes_with_doctype_or_entities_is_refused(tmp_path):
    p = tmp_path / "evil.xes"
    p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<log><trace><string key="concept:name" value="&x;"/></trace></log>'
    )
    with pytest.raises(ValidationError, match="DOCTYPE"):
        read_events(p)


def test_broken_xes_and_unknown_format(tmp_path):
    p = tmp_path / "broken.xes"
    p.write_text("<log><trace>")
    with pytest.raises(ValidationError, match="well-formed"):
        read_events(p)
    q = tmp_path / "log.json"
    q.write_text("{}")
    with pytest.raises(ValidationError, match="format"):
        read_events(q)
    with pytest.raises(ValidationError, match="does not exist"):
        read_events(tmp_path / "missing.csv")


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    # Simulate the missing extra, so the test runs whether or not pyarrow is installed.
    from frictionkit import _compat

    real = _compat.importlib.import_module

    def fake(name, *args, **kwargs):
        if name.split(".")[0] == "pyarrow":
            raise ImportError("No module named 'pyarrow'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(_compat.importlib, "import_module", fake)
    p = tmp_path / "log.parquet"
    p.write_bytes(b"PAR1")
    with pytest.raises(OptionalDependencyError, match=r"pip install 'frictionkit\[arrow\]'"):
        read_events(p)


def test_a_broken_parquet_file_is_named(tmp_path):
    pytest.importorskip("pyarrow", reason="reading Parquet needs the arrow extra")
    p = tmp_path / "log.parquet"
    p.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(ValidationError, match="not a readable Parquet file"):
        read_events(p, case_col="c", touchpoint_col="t", timestamp_col="ts")


# -- pseudonymisation on ingest ----------------------------------------------------------
_KEY = "a long secret kept elsewhere"


def test_pseudonymise_replaces_case_ids_and_keeps_routes() -> None:
    df = pd.DataFrame(
        {
            "c": ["ann", "ann", "bob", "NA", "NA"],
            "t": ["x", "y", "x", "x", "y"],
            "ts": [
                "2024-01-01 10:00",
                "2024-01-01 10:01",
                "2024-01-02",
                "2024-01-03",
                "2024-01-04",
            ],
        }
    )
    kw = {"case_col": "c", "touchpoint_col": "t", "timestamp_col": "ts", "success": "y"}
    plain = EventLog.from_frame(df, **kw)
    a = EventLog.from_frame(df, pseudonymise=_KEY, **kw)
    b = EventLog.from_frame(df, pseudonymise=_KEY, **kw)
    other = EventLog.from_frame(df, pseudonymise=_KEY + "!", **kw)
    # the privacy module's own pseudonyms (its docstring example pins 'ann' -> 448a7f7cef58…)
    expected = pseudonymise(pd.DataFrame({"c": ["ann", "bob", "NA"]}), "c", key=_KEY)["c"]
    assert sorted(a.case_ids.tolist()) == sorted(expected.tolist())
    assert not set(a.case_ids.tolist()) & {"ann", "bob", "NA"}
    assert a.case_ids.tolist() == b.case_ids.tolist()  # same key, same ids
    assert set(other.case_ids.tolist()).isdisjoint(a.case_ids.tolist())
    cols = ["route_text", "journeys", "successes", "open"]
    pd.testing.assert_frame_equal(a.routes()[cols], plain.routes()[cols])
    assert df["c"].tolist()[0] == "ann"  # input untouched


def test_pseudonymise_hides_ids_in_error_rows_and_checks_the_key() -> None:
    df = pd.DataFrame({"c": ["ann", "bob"], "t": ["x", None], "ts": ["2024-01-01"] * 2})
    with pytest.raises(DataError) as info:
        EventLog.from_frame(
            df, case_col="c", touchpoint_col="t", timestamp_col="ts", pseudonymise=_KEY
        )
    assert "bob" not in info.value.failure_cases["c"].tolist()
    with pytest.raises(ValidationError, match="too short"):
        EventLog.from_frame(
            df.dropna(), case_col="c", touchpoint_col="t", timestamp_col="ts", pseudonymise="k"
        )


def test_a_log_beyond_the_memory_budget_is_refused_before_reading():
    from frictionkit._resources import set_options
    from frictionkit.exceptions import MemoryBudgetError

    df = pd.DataFrame({"case": ["a"] * 20_000, "tp": ["x"] * 20_000, "ts": ["2024-01-01"] * 20_000})
    previous = set_options(memory_budget_mb=1)
    try:
        with pytest.raises(MemoryBudgetError, match="reading an event log of 20,000 events"):
            EventLog.from_frame(df, case_col="case", touchpoint_col="tp", timestamp_col="ts")
    finally:
        set_options(**previous)
    log = EventLog.from_frame(df, case_col="case", touchpoint_col="tp", timestamp_col="ts")
    assert log.n_events == 20_000


def test_ingest_options_are_declared_once():
    """from_frame, read_events, EventLog.scan and the scan implementation share the options."""
    import inspect

    from frictionkit.events import _scan
    from frictionkit.events._options import INGEST_OPTIONS, IngestOptions

    def options_of(fn, besides):
        params = inspect.signature(fn).parameters
        return {
            n: p.default for n, p in params.items() if p.kind is p.KEYWORD_ONLY and n not in besides
        }

    cols = {"case_col", "touchpoint_col", "timestamp_col"}
    assert options_of(EventLog.from_frame, cols) == INGEST_OPTIONS
    assert options_of(read_events, cols | {"format", "sep", "encoding"}) == INGEST_OPTIONS
    assert options_of(EventLog.scan, cols | {"engine", "order_col", "engine_options"}) == (
        INGEST_OPTIONS
    )
    # the implementation of scan takes them as one IngestOptions
    private = inspect.signature(_scan.scan).parameters
    assert private["options"].annotation in ("IngestOptions", IngestOptions)
    assert list(INGEST_OPTIONS) == [f.name for f in IngestOptions.__attrs_attrs__]
    assert "channel_col" in INGEST_OPTIONS
    assert "pseudonymise" in INGEST_OPTIONS


def test_scan_takes_channel_col_and_pseudonymise():
    df = pd.DataFrame(
        {
            "c": ["a", "a", "b"],
            "t": ["x", "buy", "x"],
            "ch": ["web", "web", "app"],
            "ts": ["2024-01-01 10:00", "2024-01-01 10:05", "2024-01-02"],
        }
    )
    key = "a key of at least sixteen bytes"
    kw = {"case_col": "c", "touchpoint_col": "t", "timestamp_col": "ts", "success": "buy"}
    full = EventLog.from_frame(df, channel_col="ch", pseudonymise=key, **kw)
    small = EventLog.scan(df, channel_col="ch", pseudonymise=key, **kw)
    assert small.channels == full.channels
    assert small.routes().equals(full.routes())


def test_xes_reading_is_linear_in_the_length_of_one_value(tmp_path, monkeypatch):
    # issue 21: a 97 KB .xes.gz holding one 100 MB value took 152 s. Expat parses a pending
    # token again each time input arrives: the reader must not feed it in fixed chunks.
    import frictionkit.events._xes as xes

    calls = []

    class Counting:
        def __init__(self, real):
            object.__setattr__(self, "_real", real)

        def Parse(self, data, final=False):
            calls.append(len(data))
            return self._real.Parse(data, final)

        def __getattr__(self, name):
            return getattr(self._real, name)

        def __setattr__(self, name, value):
            setattr(self._real, name, value)

    create = xes.expat.ParserCreate
    monkeypatch.setattr(xes.expat, "ParserCreate", lambda **kw: Counting(create(**kw)))
    value = "a" * (8 << 20)
    doc = (
        '<log><trace><string key="concept:name" value="c1"/><event>'
        f'<string key="concept:name" value="{value}"/>'
        '<date key="time:timestamp" value="2024-01-01T10:00:00+00:00"/></event></trace></log>'
    )
    path = tmp_path / "long.xes.gz"
    path.write_bytes(gzip.compress(doc.encode()))
    frame = read_xes_frame(path)
    assert frame["concept:name"].str.len().tolist() == [len(value)]
    # fixed 64 KiB chunks: 129 calls, each parsing the whole value so far again
    assert len(calls) < 30


# ---------------------------------------------------------------------------------------
# issue 21: one timestamp format per column (never month-first here, day-first there)


def _dated(times: list[str]) -> pd.DataFrame:
    """One case whose events a, b, c, ... happen at ``times`` (written as given)."""
    return pd.DataFrame(
        {"case": ["c"] * len(times), "tp": [f"e{i}" for i in range(len(times))], "ts": times}
    )


_COLS = {"case_col": "case", "touchpoint_col": "tp", "timestamp_col": "ts"}


def _order(log: EventLog) -> list[str]:
    return log.to_frame()["touchpoint"].tolist()


def test_day_first_dates_keep_their_order():
    # 12 April then 13 April: main read the first month-first (4 December, the pandas
    # format guessed from the first value) and the second day-first, so e1 came before e0.
    df = _dated(["12/04/2024", "13/04/2024"])
    assert _order(EventLog.from_frame(df, **_COLS)) == ["e0", "e1"]
    log = EventLog.from_frame(df, **_COLS, dayfirst=True)
    assert _order(log) == ["e0", "e1"]
    assert log.to_frame()["timestamp"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-04-12",
        "2024-04-13",
    ]
    # the month-first reading does not fit 13/04: refused, with the option named
    with pytest.raises(DataError, match="dayfirst=False") as err:
        EventLog.from_frame(df, **_COLS, dayfirst=False)
    assert err.value.field == "ts"
    assert err.value.failure_cases["ts"].tolist() == ["13/04/2024"]


def test_an_ambiguous_date_column_needs_dayfirst():
    df = _dated(["02/04/2024", "01/05/2024"])  # 2 April, 1 May (or 4 February, 5 January)
    with pytest.raises(DataError, match="ambiguous") as err:
        EventLog.from_frame(df, **_COLS)
    message = str(err.value)
    assert "ts" in message
    assert "'02/04/2024'" in message
    assert "'01/05/2024'" in message
    assert "dayfirst=True" in message
    assert "timestamp_format=" in message
    assert _order(EventLog.from_frame(df, **_COLS, dayfirst=True)) == ["e0", "e1"]
    assert _order(EventLog.from_frame(df, **_COLS, dayfirst=False)) == ["e1", "e0"]


def test_timestamp_format_is_used_for_every_value():
    df = _dated(["04.13.2024 10:00", "04.12.2024 23:00", "12.01.2024 08:30"])
    log = EventLog.from_frame(df, **_COLS, timestamp_format="%m.%d.%Y %H:%M")
    assert _order(log) == ["e1", "e0", "e2"]
    with pytest.raises(DataError, match="do not fit timestamp_format") as err:
        EventLog.from_frame(df, **_COLS, timestamp_format="%d.%m.%Y %H:%M")
    assert err.value.failure_cases["ts"].tolist() == ["04.13.2024 10:00"]
    with pytest.raises(ValidationError, match="strftime"):
        EventLog.from_frame(df, **_COLS, timestamp_format="mm.dd.yyyy")
    with pytest.raises(ValidationError, match="dayfirst"):
        EventLog.from_frame(df, **_COLS, dayfirst="yes")


@pytest.mark.parametrize(
    "times",
    [
        ["2024-01-05", "13/04/2024"],  # ISO and day-first
        ["13/04/2024", "04/14/2024"],  # day-first and month-first
        ["Jan 5 2024", "2024-01-06 10:00"],
    ],
)
def test_a_column_mixing_formats_is_refused(times):
    with pytest.raises(DataError, match="fits no single timestamp format") as err:
        EventLog.from_frame(_dated(times), **_COLS)
    assert repr(times[0]) in str(err.value)
    assert repr(times[1]) in str(err.value)
    assert "timestamp_format=" in str(err.value)


def test_iso_and_datetime_columns_are_read_as_before():
    iso = [
        "2024-01-01",
        "2024-01-01 10:00",
        "2024-01-01T10:00:05.123",
        "2024-03-01T00:00:00",
    ]
    log = EventLog.from_frame(_dated(iso), **_COLS)
    assert log.to_frame()["timestamp"].tolist() == [pd.Timestamp(t) for t in iso]
    assert log.timezone is None
    aware = ["2024-01-01T10:00:00+01:00", "2024-01-01T09:30:00Z", "2024-01-01T10:00:00+02:00"]
    log = EventLog.from_frame(_dated(aware), **_COLS)
    assert _order(log) == ["e2", "e0", "e1"]
    assert log.timezone == "UTC"
    # dayfirst does not touch ISO text (year first)
    assert _order(EventLog.from_frame(_dated(iso), **_COLS, dayfirst=True)) == [
        "e0",
        "e1",
        "e2",
        "e3",
    ]
    typed = _dated(["x", "y"]).assign(ts=pd.to_datetime(["2024-02-01", "2024-01-01"]))
    assert _order(EventLog.from_frame(typed, **_COLS, dayfirst=True)) == ["e1", "e0"]
    with pytest.raises(InputTypeError, match="holds numbers"):
        EventLog.from_frame(_dated(["x"]).assign(ts=[1_704_067_200]), **_COLS)


def test_read_events_takes_the_date_options(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case,tp,ts\nc,a,02/04/2024\nc,b,01/05/2024\n", encoding="utf-8")
    with pytest.raises(DataError, match="ambiguous"):
        read_events(path, **_COLS)
    assert _order(read_events(path, **_COLS, dayfirst=True)) == ["a", "b"]
    log = read_events(path, **_COLS, timestamp_format="%m/%d/%Y")
    assert _order(log) == ["b", "a"]
    scanned = EventLog.scan(path, **_COLS, engine="pandas", dayfirst=True)
    assert scanned.routes().equals(read_events(path, **_COLS, dayfirst=True).compact().routes())


def test_engines_refuse_the_date_options_by_name(tmp_path):
    pytest.importorskip("duckdb")
    iso, day_first = tmp_path / "iso.csv", tmp_path / "day_first.csv"
    _dated(["2024-01-01", "2024-01-02"]).to_csv(iso, index=False)
    _dated(["12/04/2024", "13/04/2024"]).to_csv(day_first, index=False)
    for name, value in (("dayfirst", True), ("timestamp_format", "%Y-%m-%d")):
        with pytest.raises(ValidationError, match=f"{name} is not supported") as err:
            EventLog.scan(iso, **_COLS, engine="duckdb", **{name: value})
        assert err.value.field == name
    # DuckDB reads text as ISO 8601 only: a day-first column is refused, never reordered
    with pytest.raises(DataError):
        EventLog.scan(day_first, **_COLS, engine="duckdb")


@st.composite
def _day_first_dates(draw: st.DrawFn) -> list[dt.datetime]:
    days = draw(
        st.lists(
            st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31)),
            min_size=1,
            max_size=30,
        )
    )
    late = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
    # at least one day after the 12th (else month-first fits too: that needs dayfirst)
    late = late.replace(day=max(late.day, 13))
    return [d.replace(second=0, microsecond=0) for d in days] + [
        dt.datetime.combine(late, dt.time(12, 0))
    ]


@settings(max_examples=60, deadline=None)
@given(_day_first_dates(), st.sampled_from(["%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M"]))
def test_day_first_dates_round_trip(times, fmt):
    df = _dated([t.strftime(fmt) for t in times])
    log = EventLog.from_frame(df, **_COLS, dayfirst=True)
    got = log.to_frame().sort_values("touchpoint", key=lambda s: s.str[1:].astype(int))
    assert got["timestamp"].tolist() == [pd.Timestamp(t) for t in times]
    # and without dayfirst the same (only the day-first reading fits)
    again = EventLog.from_frame(df, **_COLS).to_frame()
    assert again["timestamp"].tolist() == log.to_frame()["timestamp"].tolist()


# ---------------------------------------------------------------------------------------
# fast ingest kernels against their straightforward versions (issue 22)
# ---------------------------------------------------------------------------------------
@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4)), min_size=0, max_size=60),
    st.sampled_from(["as drawn", "by case", "by case and time"]),
)
def test_event_order_equals_the_full_sort(events, presort):
    # the check for sorted input and the sort by case alone give lexsort's order
    from frictionkit.events import _ingest

    if presort == "by case":
        events = sorted(events, key=lambda e: e[0])
    elif presort == "by case and time":
        events = sorted(events)
    case = np.array([e[0] for e in events], dtype=np.int64)
    ts = np.array([e[1] for e in events], dtype=np.int64)
    expected = np.lexsort((ts, case))
    assert _ingest._event_order(case, ts).tolist() == expected.tolist()


def test_event_order_checks_blocks_across_their_edges(monkeypatch):
    from frictionkit.events import _ingest

    monkeypatch.setattr(_ingest, "_ORDER_BLOCK", 4)
    case = np.repeat(np.arange(5), 3)
    ts = np.tile(np.array([0, 1, 2]), 5)
    assert _ingest._event_order(case, ts).tolist() == list(range(15))
    for i in range(1, 15):  # one swap anywhere, block edges included
        c, t = case.copy(), ts.copy()
        c[[i - 1, i]], t[[i - 1, i]] = c[[i, i - 1]], t[[i, i - 1]]
        assert _ingest._event_order(c, t).tolist() == np.lexsort((t, c)).tolist()


def _straightforward_group_quantiles(groups, values, n_groups, qs):
    """Per group: NaN dropped, np.sort, then linear interpolation at (count - 1) * q."""
    out = np.full((n_groups, len(qs)), np.nan)
    for g in range(n_groups):
        v = np.sort(values[(groups == g) & ~np.isnan(values)])
        for j, q in enumerate(qs):
            if len(v):
                h = (len(v) - 1) * q
                lo = int(np.floor(h))
                hi = min(lo + 1, len(v) - 1)
                out[g, j] = v[lo] + (h - lo) * (v[hi] - v[lo])
    return out


_QUANTILE_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.sampled_from([0.0, -0.0, 0.5, 1.0, 1 / 3, np.nan]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), _QUANTILE_VALUES), min_size=0, max_size=80),
    st.lists(st.floats(0, 1), min_size=1, max_size=4),
    st.booleans(),
)
def test_group_quantiles_equal_the_straightforward_quantiles(pairs, qs, many_groups):
    """Both paths (radix grouping + selection, and the sort of many groups), bit for bit."""
    from frictionkit.events import _kernels

    groups = np.array([p[0] for p in pairs], dtype=np.int64)
    values = np.array([p[1] for p in pairs], dtype=float)
    slow = _straightforward_group_quantiles(groups, values, 6, qs)
    before = _kernels._SMALL_GROUPS
    _kernels._SMALL_GROUPS = 2 if many_groups else before
    try:
        fast = _kernels.group_quantiles(groups, values, 6, qs)
    finally:
        _kernels._SMALL_GROUPS = before
    assert fast.tobytes() == slow.tobytes()
    # numpy's own quantile interpolates from the other end above the midpoint, so it can
    # differ from the formula above in the last bits of the difference of the two values
    for g in range(6):
        v = values[(groups == g) & ~np.isnan(values)]
        if len(v) and np.abs(v).max() < 1e300:
            span = float(np.abs(v).max())
            np.testing.assert_allclose(fast[g], np.quantile(v, qs), rtol=0, atol=1e-15 * span)


def test_group_quantiles_of_no_values_and_no_levels():
    from frictionkit.events import group_quantiles

    empty = group_quantiles(np.zeros(0, dtype=np.int64), np.zeros(0), 3, [0.5])
    assert empty.shape == (3, 1)
    assert np.isnan(empty).all()
    assert group_quantiles(np.array([0, 1]), np.array([1.0, 2.0]), 2, []).shape == (2, 0)


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2**41)), min_size=0, max_size=80),
    st.sampled_from([(0.5,), (0.5, 0.95), (0.0, 0.25, 1.0)]),
    st.booleans(),
)
def test_select_group_quantiles_equal_the_partition_quantiles(pairs, qs, few_values):
    from frictionkit.events._kernels import int_group_quantiles, select_group_quantiles

    groups = np.array([p[0] for p in pairs], dtype=np.int64)
    values = np.array([p[1] % 3 if few_values else p[1] for p in pairs], dtype=np.int64)
    fast = select_group_quantiles(groups, values, 6, qs)
    slow = int_group_quantiles(groups, values, 6, qs)
    assert np.array_equal(fast, slow, equal_nan=True)


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2**41)), min_size=0, max_size=80),
    st.sampled_from([(0.5,), (0.5, 0.95), (0.0, 0.25, 1.0)]),
    st.booleans(),
    st.lists(st.integers(0, 2), min_size=6, max_size=6),
)
def test_nested_quantiles_equal_those_of_each_level(pairs, qs, few_values, parent):
    # the dwell of touchpoints and of their stages from one histogram: the numbers of
    # the per-level quantiles, bit for bit
    from frictionkit.events._kernels import int_group_quantiles, select_nested_quantiles

    groups = np.array([p[0] for p in pairs], dtype=np.int64)
    values = np.array([p[1] % 3 if few_values else p[1] for p in pairs], dtype=np.int64)
    up = np.array(parent, dtype=np.int64)
    q, pq = select_nested_quantiles(groups, values, 6, qs, up, 3, (0.5,))
    assert np.array_equal(q, int_group_quantiles(groups, values, 6, qs), equal_nan=True)
    want = int_group_quantiles(up[groups], values, 3, (0.5,))
    assert np.array_equal(pq, want, equal_nan=True)
