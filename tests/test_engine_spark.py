"""SparkEngine: the three reductions against the pure-Python reference on small logs.

Spark queries cost seconds each, so the cases share one log of several small journeys
(distinguished by case id), and each test runs one reduction over all of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from frictionkit.events._engine import Coding, Profile, ScanColumns, Timings
from frictionkit.events._spark import SparkEngine
from frictionkit.exceptions import (
    DataError,
    InputTypeError,
    OptionalDependencyError,
    ValidationError,
)
from tests.engine_reference import reference_profile, reference_timings, reference_variants
from tests.spark_session import requires_spark, spark_session

UTC = dt.timezone.utc
SCHEMA = (
    "row long, case string, tp string, ts_ntz timestamp_ntz, ts_utc timestamp, "
    "ts_text string, ts_date date, out string, stage string, value double, seg string, "
    "ch double"
)
TS_COLS = ("ts_ntz", "ts_utc", "ts_text", "ts_date")
NAN = float("nan")
STAGE = {"visit": "explore", "zeta": "explore", "cart": "buy", "buy": "buy", "error": "buy"}


def _w(day: int, h: int, m: int, us: int = 0) -> dt.datetime:
    return dt.datetime(2024, 3, day, h, m, 0, us)


# (case, touchpoint, wall clock, UTC offset in minutes, outcome, value, seg, ch)
# Each case tests one thing; the comment says which.
EVENTS: list[tuple[Any, ...]] = [
    # "NA" is a case id, not a missing value; value_agg: first 10, last 25, sum 35, max 25
    ("NA", "visit", _w(1, 10, 0), 0, None, 10.0, "web", 1.0),
    ("NA", "cart", _w(1, 10, 5, 250), 60, None, NAN, None, NAN),
    ("NA", "buy", _w(1, 10, 9, 999_999), 60, "success", 25.0, "app", 2.0),
    # "007": two events at the same time: the order column decides (zeta before alpha)
    ("007", "zeta", _w(1, 11, 0, 1), 120, None, None, None, NAN),
    ("007", "alpha", _w(1, 11, 0, 1), 120, "other", 5.0, "", 3.0),
    ("007", "buy", _w(1, 11, 2), 120, "success", None, "gold", NAN),
    # both outcomes, success first, then failure, then success again (when_both)
    ("c3", "visit", _w(2, 9, 0), -300, None, 1.0, "web", None),
    ("c3", "buy", _w(2, 9, 1, 17), -300, "success", 2.0, None, None),
    ("c3", "visit", _w(2, 9, 4), -300, "", None, None, None),
    ("c3", "error", _w(2, 9, 8), -300, "failure", 3.0, None, None),
    ("c3", "buy", _w(2, 9, 16), -300, "success", 4.0, None, None),
    ("c3", "cart", _w(2, 9, 32), -300, None, 5.0, None, None),
    # failure first, then success
    ("c4", "visit", _w(2, 12, 0), 330, None, None, "app", 7.0),
    ("c4", "error", _w(2, 12, 3), 330, "failure", None, None, None),
    ("c4", "buy", _w(2, 12, 7), 330, "success", None, None, None),
    ("c4", "visit", _w(2, 12, 30), 330, None, None, None, None),
    # the same outcome twice in a row: the cut ends after both
    ("c5", "visit", _w(3, 8, 0), 0, None, -1.5, None, None),
    ("c5", "buy", _w(3, 8, 2), 0, "success", None, None, None),
    ("c5", "buy", _w(3, 8, 3), 0, "success", 2.5, None, None),
    ("c5", "visit", _w(3, 8, 9), 0, None, None, None, None),
    # open journey: no dwell
    ("c6", "visit", _w(3, 14, 0), 60, None, None, None, None),
    ("c6", "cart", _w(3, 14, 40), 60, None, None, None, None),
    # the same variant as "NA" (journeys = 2)
    ("c7", "visit", _w(4, 10, 0), 0, None, 3.0, "web", 1.0),
    ("c7", "cart", _w(4, 10, 20), 0, None, None, None, None),
    ("c7", "buy", _w(4, 11, 0), 0, "success", 4.0, None, None),
    # a single event
    ("c8", "buy", _w(4, 15, 0), 0, "success", 9.0, None, None),
    # across the daylight-saving gap of New York: 02:30 does not exist there
    ("c9", "visit", _w(10, 1, 30), -300, None, None, None, None),
    ("c9", "cart", _w(10, 2, 30), -300, None, None, None, None),
    ("c9", "error", _w(10, 3, 30), -240, "failure", None, None, None),
]
# rows with a missing key: (case, touchpoint, timestamp text or None)
MISSING: list[tuple[Any, ...]] = [
    (None, "visit", "x"),
    ("", "visit", "x"),
    ("c6", None, "x"),
    ("c6", "", "x"),
    ("c7", "cart", None),
    ("c7", "cart", ""),
]


def _offset_text(minutes: int) -> str:
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h:02d}:{m:02d}" if h % 2 == 0 else f"{sign}{h:02d}{m:02d}"


def _rows() -> list[tuple[Any, ...]]:
    """Spark rows; the row ids do not follow the listed order (shuffled, fixed seed)."""
    out = []
    for case, tp, wall, off, outcome, value, seg, ch in EVENTS:
        instant = (wall - dt.timedelta(minutes=off)).replace(tzinfo=UTC)
        stage = STAGE.get(tp)
        text = wall.isoformat() + _offset_text(off)
        out.append([case, tp, wall, instant, text, wall.date(), outcome, stage, value, seg, ch])
    out[1][7] = ""  # a missing stage (empty text)
    out[5][7] = "explore"  # "buy" in two stages
    for case, tp, ts in MISSING:
        wall = _w(5, 9, 0) if ts is not None else None
        inst = wall.replace(tzinfo=UTC) if wall else None
        text = "2024-03-05T09:00:00Z" if ts is not None else None
        if ts == "":
            wall = inst = None
            text = ""
        date = wall.date() if wall else None
        out.append([case, tp, wall, inst, text, date, None, "explore", 1.0, None, None])
    ids = np.random.default_rng(7).permutation(len(out))
    # ties of "007" keep their listed order in the row ids (zeta first)
    a, b = 3, 4
    if ids[a] > ids[b]:
        ids[a], ids[b] = ids[b], ids[a]
    return [(int(i), *r) for i, r in zip(ids, out, strict=True)]


def _pandas(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The same log for the reference: every timestamp column as datetime64."""
    names = [c.split()[0] for c in SCHEMA.split(", ")]
    df = pd.DataFrame([list(r) for r in rows], columns=names).astype(object)
    df["ts_ntz"] = pd.to_datetime(df["ts_ntz"])
    df["ts_utc"] = pd.to_datetime(df["ts_utc"], utc=True)
    df["ts_text"] = df["ts_utc"]  # the text holds the same instants
    df["ts_date"] = pd.to_datetime(df["ts_date"])
    df["row"] = df["row"].astype(np.int64)
    return df


@pytest.fixture(scope="module")
def log() -> tuple[Any, pd.DataFrame]:
    rows = _rows()
    sdf = spark_session().createDataFrame(rows, SCHEMA).cache()
    sdf.count()  # held by the JVM: later queries need no Python workers
    return sdf, _pandas(rows)


def _cols(ts: str = "ts_ntz", **kw: Any) -> ScanColumns:
    return ScanColumns(case="case", touchpoint="tp", timestamp=ts, order="row", **kw)


def _coding(pdf: pd.DataFrame, by: str, when_both: str = "first") -> Coding:
    labels = sorted({t for t in pdf["tp"] if isinstance(t, str) and t})
    code = {t: i for i, t in enumerate(labels)}
    tps = pd.DataFrame({"label": labels, "code": np.arange(len(labels), dtype=np.int64)})
    stage = np.array([len(t) % 3 for t in labels], dtype=np.int64)  # any stage map
    if by == "value":
        return Coding(
            touchpoints=tps,
            outcome_by_value=pd.DataFrame({"value": ["success", "failure"], "eo": [1, 2]}),
            touchpoint_stage=stage,
            when_both=when_both,
        )
    return Coding(
        touchpoints=tps,
        outcome_by_touchpoint=pd.DataFrame(
            {"code": [code["buy"], code["error"]], "eo": np.array([1, 2], dtype=np.int64)}
        ),
        touchpoint_stage=stage,
        when_both=when_both,
    )


def _norm(v: Any) -> Any:
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def _records(df: pd.DataFrame | None, key: list[str]) -> list[tuple[Any, ...]]:
    assert df is not None
    recs = [tuple(_norm(v) for v in r) for r in df[key].itertuples(index=False)]
    return sorted(recs, key=lambda r: tuple(str(v) for v in r))


def _same_profile(got: Profile, want: Profile, cols: ScanColumns) -> None:
    assert (got.n_rows, got.n_missing, got.n_cases) == (want.n_rows, want.n_missing, want.n_cases)
    assert got.timezone_aware == want.timezone_aware
    assert _records(got.touchpoints, ["label", "events"]) == _records(
        want.touchpoints, ["label", "events"]
    )
    assert _records(got.outcome_values, ["value", "events"]) == _records(
        want.outcome_values, ["value", "events"]
    )
    assert _records(got.stages, ["touchpoint", "stage", "events"]) == _records(
        want.stages, ["touchpoint", "stage", "events"]
    )
    key = ["row", cols.case, cols.touchpoint]
    assert _records(got.missing_sample, key) == _records(want.missing_sample, key)
    assert (got.n_bad_time, got.bad_time_reason) == (0, "")


def _variant_key(r: Any, case_cols: tuple[str, ...]) -> tuple[Any, ...]:
    return (tuple(r["tp"]), tuple(r["eo"]), *(str(r[c]) for c in case_cols))


def _same_variants(got: pd.DataFrame, want: pd.DataFrame, case_cols: tuple[str, ...]) -> None:
    assert list(got.columns) == list(want.columns)
    g = sorted(got.to_dict("records"), key=lambda r: _variant_key(r, case_cols))
    w = sorted(want.to_dict("records"), key=lambda r: _variant_key(r, case_cols))
    assert [_variant_key(r, case_cols) for r in g] == [_variant_key(r, case_cols) for r in w]
    for a, b in zip(g, w, strict=True):
        assert a["tp"] == b["tp"]
        assert a["eo"] == b["eo"]
        assert (a["journeys"], a["value_n"]) == (b["journeys"], b["value_n"])
        assert a["value_sum"] == pytest.approx(b["value_sum"], rel=1e-12)
        for c in case_cols:
            assert _norm(a[c]) == _norm(b[c])


def _same_timings(got: Timings, want: Timings) -> None:
    for name, keys in (
        ("transitions", ["src", "dst"]),
        ("dwell", ["tp"]),
        ("stage_dwell", ["stage"]),
    ):
        g = getattr(got, name).sort_values(keys).reset_index(drop=True)
        w = getattr(want, name).sort_values(keys).reset_index(drop=True)
        assert list(g.columns) == list(w.columns), name
        assert len(g) == len(w), name
        for k in keys:
            assert g[k].dtype == np.int64
            assert g[k].tolist() == w[k].tolist(), name
        for q in g.columns.difference(keys):
            np.testing.assert_allclose(g[q], w[q], rtol=1e-12, err_msg=name)


# ---------------------------------------------------------------------------------------
# the three reductions against the reference
# ---------------------------------------------------------------------------------------
@requires_spark
@pytest.mark.parametrize("drop_missing", [False, True])
def test_profile_matches_the_reference(log: Any, drop_missing: bool) -> None:
    sdf, pdf = log
    cols = _cols(outcome="out", stage="stage", drop_missing=drop_missing)
    got = SparkEngine(sdf).profile(cols)
    _same_profile(got, reference_profile(pdf, cols), cols)
    assert got.n_missing == len(MISSING)
    # the sample shows the timestamps as they are in the source (wall clock)
    assert {_norm(v) for v in got.missing_sample["ts_ntz"]} == {None, pd.Timestamp(_w(5, 9, 0))}


@requires_spark
@pytest.mark.parametrize(
    ("value_agg", "by"), [("last", "value"), ("first", "tp"), ("sum", "value"), ("max", "tp")]
)
def test_variants_match_the_reference(log: Any, value_agg: str, by: str) -> None:
    sdf, pdf = log
    cols = _cols(
        outcome="out" if by == "value" else None,
        value="value",
        value_agg=value_agg,
        case_cols=("seg", "ch"),
        drop_missing=True,
    )
    coding = _coding(pdf, by)
    got = SparkEngine(sdf).variants(cols, coding)
    want = reference_variants(pdf, cols, coding)
    _same_variants(got, want, cols.case_cols)
    # the tie of "007" follows the order column: zeta, then alpha
    code = dict(zip(coding.touchpoints["label"], coding.touchpoints["code"], strict=True))
    assert [code["zeta"], code["alpha"], code["buy"]] in got["tp"].tolist()
    assert got["journeys"].sum() == 9


@requires_spark
def test_variants_without_value_or_case_columns(log: Any) -> None:
    sdf, pdf = log
    cols = _cols("ts_text", outcome="out", drop_missing=True)
    coding = _coding(pdf, "value")
    got = SparkEngine(sdf).variants(cols, coding)
    _same_variants(got, reference_variants(pdf, cols, coding), ())
    assert (got["value_sum"] == 0.0).all()
    assert (got["value_n"] == 0).all()


@requires_spark
@pytest.mark.parametrize(
    ("when_both", "ts", "by"),
    [
        ("first", "ts_ntz", "value"),
        ("last", "ts_utc", "tp"),
        ("success", "ts_text", "value"),
        ("failure", "ts_date", "tp"),
    ],
)
def test_timings_match_the_reference(log: Any, when_both: str, ts: str, by: str) -> None:
    sdf, pdf = log
    cols = _cols(ts, outcome="out" if by == "value" else None, drop_missing=True)
    coding = _coding(pdf, by, when_both)
    got = SparkEngine(sdf).timings(cols, coding)
    _same_timings(got, reference_timings(pdf, cols, coding))
    assert len(got.dwell) > 0


def _expected_ns(pdf: pd.DataFrame, ts: str) -> dict[int, int]:
    s = pdf[ts]
    return {int(r): int(v.value) for r, v in zip(pdf["row"], s, strict=True) if v is not pd.NaT}


def _engine_ns(sdf: Any) -> dict[str, dict[int, int]]:
    """The engine's nanoseconds of every row, for each timestamp column (one query)."""
    parts = []
    for ts in TS_COLS:
        ev, _, _ = SparkEngine(sdf)._events(_cols(ts))
        parts.append(ev.where("NOT _tsmiss").selectExpr(f"'{ts}' AS ts", "row", "_ns"))
    out: dict[str, dict[int, int]] = {ts: {} for ts in TS_COLS}
    for r in functools.reduce(lambda a, b: a.unionAll(b), parts).collect():
        out[r["ts"]][int(r["row"])] = int(r["_ns"])
    return out


@requires_spark
def test_times_do_not_depend_on_the_session_time_zone(log: Any) -> None:
    sdf, pdf = log
    spark = spark_session()
    cols = _cols("ts_ntz", outcome="out", drop_missing=True)
    coding = _coding(pdf, "value", "last")
    try:
        for zone in ("UTC", "America/New_York"):
            spark.conf.set("spark.sql.session.timeZone", zone)
            got = _engine_ns(sdf)
            for ts in TS_COLS:
                assert got[ts] == _expected_ns(pdf, ts), (zone, ts)
        # wall clock across New York's daylight-saving gap, with the session in New York
        _same_timings(SparkEngine(sdf).timings(cols, coding), reference_timings(pdf, cols, coding))
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")


# ---------------------------------------------------------------------------------------
# timestamp problems (the reference reads parsed times; these counts are by hand)
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def texts() -> Any:
    rows = [
        (0, "a", "x", "2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"),
        (1, "a", "y", "2024-01-01T11:00:00+01:00", "2024-01-01T11:00:00+01:00"),
        (2, "a", "z", "2024-01-01 12:00:00", "2024-01-01 12:00:00"),
        (3, "b", "x", "2024-01-01T10:00:00+0200", "yesterday"),
        (4, "b", "y", "2024-01-01T10:00:00-05:00", "2024-13-45"),
        (5, "b", "z", "2024-01-01 13:00", "9999-12-31"),  # beyond int64 ns
        (6, "c", "x", "2024-01-02T00:00:00.5Z", "2024-01-02T00:00:00.5Z"),
        (7, None, "x", "not a time", "not a time"),  # a missing key: not counted
        (8, "c", "y", "", ""),  # missing, not unparseable
    ]
    df = spark_session().createDataFrame(
        rows, "row long, case string, tp string, m string, u string"
    )
    df.cache().count()
    return df


@requires_spark
def test_mixed_naive_and_aware_text_is_counted(texts: Any) -> None:
    cols = ScanColumns(case="case", touchpoint="tp", timestamp="m", order="row", drop_missing=True)
    p = SparkEngine(texts).profile(cols)
    # 5 aware (Z, +01:00, +0200, -05:00, Z) and 2 naive: the naive ones are the odd ones out
    assert p.timezone_aware
    assert (p.n_bad_time, p.bad_time_reason) == (2, "mixed")
    assert p.bad_time_sample["row"].tolist() == [2, 5]
    assert p.bad_time_sample["m"].tolist() == ["2024-01-01 12:00:00", "2024-01-01 13:00"]
    assert (p.n_rows, p.n_missing, p.n_cases) == (9, 2, 3)


@requires_spark
def test_unparseable_text_is_counted_before_mixed_kinds(texts: Any) -> None:
    cols = ScanColumns(case="case", touchpoint="tp", timestamp="u", order="row", drop_missing=True)
    p = SparkEngine(texts).profile(cols)
    assert (p.n_bad_time, p.bad_time_reason) == (3, "unparseable")
    assert p.bad_time_sample["row"].tolist() == [3, 4, 5]
    assert p.bad_time_sample["u"].tolist() == ["yesterday", "2024-13-45", "9999-12-31"]


# ---------------------------------------------------------------------------------------
# sources and refusals
# ---------------------------------------------------------------------------------------
@requires_spark
def test_without_order_col_the_engine_refuses(log: Any) -> None:
    sdf, _ = log
    cols = ScanColumns(case="case", touchpoint="tp", timestamp="ts_ntz")
    with pytest.raises(ValidationError, match="order_col") as info:
        SparkEngine(sdf).profile(cols)
    assert "monotonically_increasing_id" in (info.value.hint or "")


@requires_spark
def test_numeric_timestamps_are_refused_as_in_memory(log: Any) -> None:
    sdf, _ = log
    with pytest.raises(InputTypeError, match=r"value holds numbers \(double\), which are ambig"):
        SparkEngine(sdf).profile(_cols("value"))
    with pytest.raises(KeyError, match="did you mean 'ts_utc'"):
        SparkEngine(sdf).profile(_cols("ts_utx"))


@requires_spark
@pytest.mark.parametrize(
    ("key", "expr", "shown"),
    [
        ("case", "array(`case`)", "array<string>"),
        ("tp", "named_struct('id', tp)", "struct<id:string>"),
        ("tp", "map('id', tp)", "map<string,string>"),
    ],
    ids=["array-case", "struct-touchpoint", "map-touchpoint"],
)
def test_lists_and_records_in_key_columns_are_data_errors(
    log: Any, key: str, expr: str, shown: str
) -> None:
    # the same refusal as the pandas and DuckDB engines (tests/test_bad_input.py)
    sdf, _ = log
    nested = sdf.selectExpr("row", "case", "tp", "ts_ntz").withColumn(key, _expr(expr))
    with pytest.raises(DataError, match="lists or records") as info:
        SparkEngine(nested).profile(_cols())
    assert info.value.field == key
    assert shown in str(info.value)


def _expr(text: str) -> Any:
    from pyspark.sql import functions

    return functions.expr(text)


@requires_spark
def test_parquet_path_and_refusals(log: Any, tmp_path: Any, monkeypatch: Any) -> None:
    sdf, _ = log
    path = tmp_path / "events.parquet"
    sdf.select("row", "case", "tp").coalesce(1).write.parquet(str(path))
    assert SparkEngine(path, spark=spark_session()).columns() == ["row", "case", "tp"]
    assert SparkEngine(str(path)).columns() == ["row", "case", "tp"]  # the active session
    with pytest.raises(ValidationError, match="does not exist"):
        SparkEngine(tmp_path / "nope.parquet")
    with pytest.raises(InputTypeError, match="got DataFrame"):
        SparkEngine(pd.DataFrame({"a": [1]}))
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    with pytest.raises(ValidationError, match="needs a SparkSession"):
        SparkEngine(path)


def test_missing_pyspark_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulate the missing extra, so the test runs whether or not pyspark is installed.
    import frictionkit._compat as compat

    real = compat.importlib.import_module

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == "pyspark":
            raise ImportError("No module named 'pyspark'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(compat.importlib, "import_module", fake)
    with pytest.raises(OptionalDependencyError, match="pyspark") as info:
        SparkEngine("events.parquet")
    assert "pip install 'frictionkit[spark]'" in (info.value.hint or "")
