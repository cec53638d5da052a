"""The cross-engine golden suite: every engine gives the in-memory results.

The same cases run through ``EventLog.from_frame`` (in memory, one row per journey) and
through ``EventLog.scan`` with each engine (pandas, DuckDB, Spark in local mode), and every
analysis must agree: routes, transitions (with timings), funnel (also by segment),
friction (with dwell), failure patterns, the Markov chain and its bootstrapped repair
effects. Timestamps are whole microseconds, the resolution Spark and DuckDB's TIMESTAMP keep.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frictionkit.datasets import simulate_journeys
from frictionkit.events import DroppedRowsWarning, EventLog, group_quantiles
from frictionkit.events._scan import _group_value_order, weighted_group_quantiles
from frictionkit.exceptions import (
    DataError,
    MissingColumnError,
    OptionalDependencyError,
    UnknownReferenceError,
    ValidationError,
)
from tests.helpers import shared_data
from tests.spark_session import requires_spark, to_spark

HAS_DUCKDB = importlib.util.find_spec("duckdb") is not None
requires_duckdb = pytest.mark.skipif(
    not HAS_DUCKDB, reason="DuckDB tests skipped: pip install 'frictionkit[duckdb]'"
)

ENGINES = [
    pytest.param("pandas", id="pandas"),
    pytest.param("duckdb", id="duckdb", marks=requires_duckdb),
    pytest.param("spark", id="spark", marks=requires_spark),
]
KEYS = {"case_col": "case_id", "touchpoint_col": "touchpoint", "timestamp_col": "timestamp"}


def _source(engine: str, df: pd.DataFrame) -> Any:
    """The frame as the engine's native source (with its explicit row-order column)."""
    df = df.assign(row=np.arange(len(df), dtype=np.int64))
    if engine == "pandas":
        return df
    if engine == "spark" and len(df) == 0:  # Spark cannot infer a schema from no rows
        return to_spark(small().assign(row=np.int64(0))).limit(0)
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.register("events", df)
        return con.sql("SELECT * FROM events")
    return to_spark(df)


def scan(engine: str, df: pd.DataFrame, **options: Any) -> EventLog:
    keys = {**KEYS, **{k: options.pop(k) for k in list(options) if k in KEYS}}
    return EventLog.scan(_source(engine, df), engine=engine, order_col="row", **keys, **options)


ANALYSES: dict[str, Callable[[EventLog], pd.DataFrame]] = {
    "routes": lambda log: log.routes(),
    "routes_folded": lambda log: log.routes(min_group_size=5),
    "transitions": lambda log: log.transitions(),
    "funnel": lambda log: log.funnel(),
    "friction": lambda log: log.friction(min_support=20),
    "failure_patterns": lambda log: log.failure_patterns(min_support=20),
    "repair_effects": lambda log: log.repair_effects(0.5, bootstrap=40, seed=7),
    "touchpoints": lambda log: log.touchpoint_table(),
}


def assert_same_analyses(full: EventLog, other: EventLog, by: str | None = None) -> None:
    assert other.is_compact
    assert other.n_journeys == full.n_journeys
    assert other.n_events == full.n_events
    assert other.n_cases == full.n_cases
    assert other.outcome_counts == full.outcome_counts
    assert other.touchpoints == full.touchpoints
    assert other.stages == full.stages
    assert other.stage_source == full.stage_source
    for name, analysis in ANALYSES.items():
        pd.testing.assert_frame_equal(
            analysis(full), analysis(other), check_exact=False, rtol=1e-12, obj=name
        )
    if by is not None:
        pd.testing.assert_frame_equal(full.funnel(by=by), other.funnel(by=by), obj="funnel(by)")
    assert other.markov().success_probability == pytest.approx(
        full.markov().success_probability, rel=1e-12
    )


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    df = simulate_journeys(2500, seed=11)
    df["timestamp"] = df["timestamp"].dt.floor("us")
    df["persona"] = np.where(df["case_id"].str[-1].isin(list("0123")), "new", "loyal")
    df["order_value"] = (np.arange(len(df)) % 9) * 12.5
    return df


CASES = {
    "stage column, outcome column, values, persona": {
        "stage_col": "stage",
        "outcome_col": "outcome",
        "strict": False,
        "value_col": "order_value",
        "value_agg": "sum",
        "case_cols": ["persona"],
    },
    "outcome touchpoints, last decides": {
        "success": "confirmation",
        "failure": "payment_error",
        "when_both": "last",
    },
    "inferred stages, failure wins": {
        "success": "confirmation",
        "failure": ["payment_error", "support"],
        "when_both": "failure",
    },
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(CASES))
def test_every_engine_gives_the_in_memory_results(engine, case, simulated):
    options = CASES[case]
    full = EventLog.from_frame(simulated, **KEYS, **options)
    log = scan(engine, simulated, **dict(options))
    assert log.engine == engine
    assert_same_analyses(full, log, by="persona" if "case_cols" in options else None)


def tied_log() -> pd.DataFrame:
    """Equal timestamps within cases: only the row order tells the route."""
    t0 = pd.Timestamp("2024-03-01 09:00:00")
    rows = []
    for i in range(60):
        case = f"c{i:03d}"
        first, second = ("search", "product") if i % 3 else ("product", "search")
        rows += [
            (case, first, t0),
            (case, second, t0),  # same instant as the row before
            (case, "cart", t0 + pd.Timedelta(seconds=30 + i)),
            (case, "buy" if i % 4 else "leave", t0 + pd.Timedelta(seconds=90 + 2 * i)),
        ]
    return pd.DataFrame(rows, columns=["case_id", "touchpoint", "timestamp"])


@pytest.mark.parametrize("engine", ENGINES)
def test_ties_are_broken_by_the_row_order_column(engine):
    df = tied_log()
    full = EventLog.from_frame(df, **KEYS, success="buy", failure="leave")
    log = scan(engine, df, success="buy", failure="leave")
    routes = log.routes()
    assert set(routes["route_text"]) == {
        "search → product → cart → buy",
        "search → product → cart → leave",
        "product → search → cart → buy",
        "product → search → cart → leave",
    }
    assert_same_analyses(full, log)
    # reversing the row order column reverses the tied pairs
    flipped = df.iloc[::-1].reset_index(drop=True).copy(deep=True)
    back = scan(engine, flipped, success="buy", failure="leave")
    assert "product → search → cart → buy" in set(back.routes()["route_text"])
    assert back.routes()["journeys"].sum() == 60


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tie_for_the_most_frequent_stage_goes_to_the_name_that_sorts_first(engine):
    # "pay" is seen twice in stage "z_checkout" (first) and twice in "a_checkout": with
    # strict=False every engine and the in-memory reader pick "a_checkout"
    df = pd.DataFrame(
        {
            "case_id": list("aabbccddee"),
            "touchpoint": ["home", "pay"] * 4 + ["home", "leave"],
            "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05"] * 5),
            "stage": ["browse", "z_checkout"] * 2 + ["browse", "a_checkout"] * 3,
        }
    )
    options = {"success": "pay", "failure": "leave", "stage_col": "stage", "strict": False}
    full = EventLog.from_frame(df, **KEYS, **options)
    log = scan(engine, df, **options)
    # "z_checkout" lost its only touchpoint, so it is no stage of the log
    assert full.stages == ("browse", "a_checkout")
    pay = full.touchpoints.index("pay")
    assert full.stages[int(full.touchpoint_stage[pay])] == "a_checkout"
    assert log.stages == full.stages
    assert log.touchpoint_stage.tolist() == full.touchpoint_stage.tolist()
    assert_same_analyses(full, log)


@pytest.mark.parametrize("engine", ENGINES)
def test_road_traffic_fines_give_the_published_variants_on_every_engine(engine):
    # Golden: the 10k-case sample of the road-traffic fines log; its top variants agree
    # with pm4py (see tests/test_events.py), here they must come out of every engine.
    path = shared_data("road_traffic_fines_10k.csv.gz")
    df = pd.read_csv(path, usecols=["case_id", "activity", "timestamp"], dtype=str)
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    options = {
        "touchpoint_col": "activity",
        "success": "Payment",
        "failure": "Send for Credit Collection",
        "when_both": "last",
    }
    full = EventLog.from_frame(df, **{**KEYS, **options})
    log = scan(engine, df, **options)
    assert log.routes()["journeys"].head(5).tolist() == full.routes()["journeys"].head(5).tolist()
    assert log.n_journeys == 10_000
    assert_same_analyses(full, log)


# -- bad input: the same errors on every engine -------------------------------------------
def small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["a", "a", "b", "b"],
            "touchpoint": ["visit", "buy", "visit", "leave"],
            "timestamp": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-01 10:05", "2024-01-02 09:00", "2024-01-02 09:01"]
            ),
        }
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_a_missing_column_is_named_with_a_suggestion(engine):
    with pytest.raises(MissingColumnError, match=r"touchpoint_col='touchpont'.*touchpoint"):
        scan(engine, small(), touchpoint_col="touchpont", success="buy")


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_keys_raise_or_are_dropped_with_a_warning(engine):
    df = small()
    df.loc[0, "touchpoint"] = None
    df.loc[2, "case_id"] = ""
    with pytest.raises(DataError, match="2 row\\(s\\) have a missing case id") as info:
        scan(engine, df, success="buy")
    assert len(info.value.failure_cases) == 2
    with pytest.warns(DroppedRowsWarning, match="dropped 2 row"):
        log = scan(engine, df, success="buy", on_null="drop")
    with pytest.warns(DroppedRowsWarning):
        full = EventLog.from_frame(df, **KEYS, success="buy", on_null="drop")
    pd.testing.assert_frame_equal(full.routes(), log.routes())


@pytest.mark.parametrize("engine", ENGINES)
def test_text_mixing_naive_and_aware_times_is_refused(engine):
    df = small()
    df["timestamp"] = [
        "2024-01-01 10:00:00",
        "2024-01-01 10:05:00+01:00",
        "2024-01-02 09:00:00",
        "2024-01-02 09:01:00",
    ]
    with pytest.raises(DataError, match="naive"):
        scan(engine, df, success="buy")


@pytest.mark.parametrize("engine", ENGINES)
def test_text_times_with_offsets_become_utc_instants(engine):
    df = small()
    df["timestamp"] = [
        "2024-03-30 23:30:00+01:00",
        "2024-03-31 03:10:00+02:00",  # across the change to summer time: 160 minutes later
        "2024-01-02T09:00:00Z",
        "2024-01-02T09:01:00Z",
    ]
    log = scan(engine, df, success="buy")
    pairs = log.transitions().set_index(["source", "target"])["median_s"]
    assert pairs[("visit", "buy")] == pytest.approx(160 * 60)


@pytest.mark.parametrize("engine", ENGINES)
def test_unparseable_times_are_refused(engine):
    df = small().astype({"timestamp": str})
    df.loc[3, "timestamp"] = "not a time"
    with pytest.raises(DataError, match="not timestamps"):
        scan(engine, df, success="buy")


@pytest.mark.parametrize("engine", ENGINES)
def test_unknown_outcome_values_and_reserved_names_are_refused(engine):
    df = small().assign(result=["", "success", None, "maybe"])
    df["result"] = df["result"].replace("", None)
    with pytest.raises(ValidationError, match="neither success"):
        scan(engine, df, outcome_col="result")
    reserved = small().replace({"touchpoint": {"visit": "START"}})
    with pytest.raises(ValidationError, match="reserved"):
        scan(engine, reserved, success="buy")
    with pytest.raises(UnknownReferenceError, match="do not occur"):
        scan(engine, small(), success="buyy")


@pytest.mark.parametrize("engine", ENGINES)
def test_an_empty_source_is_refused(engine):
    with pytest.raises(ValidationError, match="empty"):
        scan(engine, small().iloc[:0], success="buy")


def test_unknown_engine_names_are_refused_with_a_suggestion():
    with pytest.raises(UnknownReferenceError, match="did you mean 'duckdb'"):
        EventLog.scan(small(), engine="duckbd", **KEYS)


@pytest.mark.parametrize(("engine", "module"), [("duckdb", "duckdb"), ("spark", "pyspark")])
def test_a_missing_engine_package_names_the_extra(engine, module, monkeypatch):
    # Simulate the missing package, so the test runs whether or not it is installed.
    from frictionkit import _compat

    real = _compat.importlib.import_module

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == module:
            raise ImportError(f"No module named {module!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(_compat.importlib, "import_module", fake)
    with pytest.raises(OptionalDependencyError, match=rf"pip install 'frictionkit\[{engine}\]'"):
        EventLog.scan("events.parquet", engine=engine, **KEYS)


def test_a_compact_log_refuses_what_needs_single_journeys():
    log = EventLog.scan(small(), **KEYS, success="buy")
    for call in (log.journeys, log.to_frame, lambda: log.split(gap_s=60)):
        with pytest.raises(ValidationError, match="compact"):
            call()
    assert log.compact() is log
    assert repr(log) == (
        "EventLog(4 events, 2 journeys in 2 cases, 3 touchpoints; 1 success, 0 failure, "
        "1 open; compact: 2 variants from pandas)"
    )
    assert "<th>compact</th><td>2 variants from pandas</td>" in log._repr_html_()


# -- properties ----------------------------------------------------------------------------
@st.composite
def logs(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    cases = draw(st.lists(st.sampled_from("abcdefg"), min_size=n, max_size=n))
    steps = draw(st.lists(st.sampled_from(["x", "y", "z", "buy", "quit"]), min_size=n, max_size=n))
    minutes = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))  # many ties
    return pd.DataFrame(
        {
            "case_id": cases,
            "touchpoint": steps,
            "timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(minutes, unit="min"),
        }
    )


@settings(max_examples=40, deadline=None)
@given(df=logs(), when_both=st.sampled_from(["first", "last", "success", "failure"]))
def test_compact_logs_give_the_same_routes_transitions_and_funnel(df, when_both):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = EventLog.from_frame(
            df, **KEYS, success="buy", failure="quit", when_both=when_both, strict=False
        )
    small_log = full.compact()
    for analysis in ("routes", "transitions", "funnel"):
        pd.testing.assert_frame_equal(
            getattr(full, analysis)(), getattr(small_log, analysis)(), check_exact=False
        )
    assert small_log.outcome_counts == full.outcome_counts


@settings(max_examples=40, deadline=None)
@given(df=logs(), order=st.data())
def test_the_pandas_engine_sorts_by_order_col_only_when_the_rows_are_out_of_order(df, order):
    # rows already in order_col order (ties included) are not sorted again: the log is the
    # one from_frame builds from the stably sorted rows, sorted or not in the source
    n = len(df)
    ranks = order.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    if order.draw(st.booleans()):
        ranks = sorted(ranks)
    df = df.assign(rank=np.array(ranks, dtype=np.int64))
    opts: dict[str, Any] = {"success": "buy", "failure": "quit", "strict": False}
    got = EventLog.scan(df, engine="pandas", order_col="rank", **KEYS, **opts)
    ref = EventLog.from_frame(df.sort_values("rank", kind="stable"), **KEYS, **opts).compact()
    for analysis in ("routes", "transitions", "funnel"):
        pd.testing.assert_frame_equal(getattr(got, analysis)(), getattr(ref, analysis)())
    assert got.outcome_counts == ref.outcome_counts


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 3), st.floats(-1e6, 1e6), st.integers(0, 4)),
        min_size=1,
        max_size=30,
    ),
    q=st.floats(0, 1),
)
def test_weighted_quantiles_equal_quantiles_of_the_repeated_values(data, q):
    groups = np.array([d[0] for d in data])
    values = np.array([d[1] for d in data])
    weights = np.array([d[2] for d in data])
    got = weighted_group_quantiles(groups, values, weights, 4, [q])
    expected = group_quantiles(np.repeat(groups, weights), np.repeat(values, weights), 4, [q])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-6)


@settings(max_examples=100, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(0, 5), st.integers(-3, 3)), max_size=60),
    as_float=st.booleans(),
)
def test_group_value_order_is_lexsort(data, as_float):
    groups = np.array([d[0] for d in data], dtype=np.int64)
    values = np.array([d[1] for d in data], dtype=float if as_float else np.int64)
    got = _group_value_order(groups, values, 6)
    np.testing.assert_array_equal(got, np.lexsort((values, groups)))


def test_the_journey_map_and_the_report_are_the_same_from_a_compact_log():
    pytest.importorskip("jinja2", reason="the report needs the report extra")
    from frictionkit.cli import _demo_log
    from frictionkit.datasets import load_autoparts
    from frictionkit.journey_map import journey_map
    from frictionkit.report import report

    journey = load_autoparts()
    log, _ = _demo_log(journey, 1500, 3)
    small_log = log.compact()
    assert len(small_log.journey_offsets) < len(log.journey_offsets)
    pd.testing.assert_frame_equal(journey_map(journey, log), journey_map(journey, small_log))
    # the methods section names the compact form; everything else is the same
    page = report(journey, small_log, figures=False).html
    assert "compact: " in page
    assert report(journey, log, figures=False).html == re.sub(r"; compact: [^)]*\)", ")", page)


def test_survey_linking_and_channel_analysis_need_single_journeys():
    from frictionkit.feedback._linking import _check_log
    from frictionkit.omnichannel import _arrays_from_log

    log = EventLog.scan(small(), **KEYS, success="buy")
    with pytest.raises(ValidationError, match="linking answers to journeys needs the single"):
        _check_log(log)
    with pytest.raises(ValidationError, match="channel analysis needs the single"):
        _arrays_from_log(log)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bad", ["lots", "inf"])
def test_values_that_are_not_finite_numbers_are_refused(engine, bad):
    df = small().assign(amount=pd.Series(["10", None, bad, "2.5"], dtype=object))
    with pytest.raises(DataError, match=r"amount has 1 (non-numeric|infinite)"):
        EventLog.from_frame(df, **KEYS, success="buy", value_col="amount")
    # one error class on every engine (the in-memory reader words it per case)
    words = r"amount has 1 (value\(s\) that are not finite|non-numeric|infinite)"
    with pytest.raises(DataError, match=words):
        scan(engine, df, success="buy", value_col="amount")
    ok = small().assign(amount=pd.Series(["10", None, "", "2.5"], dtype=object))
    ok["amount"] = ok["amount"].replace("", None)
    log = scan(engine, ok, success="buy", failure="leave", value_col="amount")
    full = EventLog.from_frame(ok, **KEYS, success="buy", failure="leave", value_col="amount")
    assert log.repair_effects(0.5)["extra_value"].equals(full.repair_effects(0.5)["extra_value"])
