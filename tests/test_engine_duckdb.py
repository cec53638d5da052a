"""DuckDBEngine: each reduction against the pure-Python reference, on Parquet, CSV, relations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frictionkit.events._engine import Coding, ScanColumns
from frictionkit.exceptions import InputTypeError, OptionalDependencyError, ValidationError
from tests.engine_reference import reference_profile, reference_timings, reference_variants

duckdb = pytest.importorskip("duckdb", reason="the duckdb extra is not installed")

from frictionkit.events._duckdb import DuckDBEngine  # noqa: E402

KINDS = ("parquet", "csv", "relation")


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a frame as Parquet with DuckDB itself (no pyarrow needed)."""
    duckdb.connect().from_df(df).write_parquet(str(path))


def _engine(df: pd.DataFrame, kind: str, tmp_path: Path) -> DuckDBEngine:
    """The frame as a Parquet file, a CSV file (timestamps as ISO text) or a relation."""
    if kind == "parquet":
        path = tmp_path / "log.parquet"
        _parquet(df, path)
        return DuckDBEngine(path)
    if kind == "csv":
        path = tmp_path / "log.csv"
        df.to_csv(path, index=False)
        return DuckDBEngine(str(path))
    con = duckdb.connect()
    return DuckDBEngine(con.from_df(df), connection=con)


def _cols(kind: str, **kw: Any) -> ScanColumns:
    base: dict[str, Any] = {"case": "case", "touchpoint": "tp", "timestamp": "ts"}
    base |= kw
    if kind == "relation" and base.get("order") is None:
        base["order"] = "row_id"
    return ScanColumns(**base)


def _frame(**columns: Any) -> pd.DataFrame:
    df = pd.DataFrame(columns)
    df["row_id"] = np.arange(len(df), dtype=np.int64)
    return df


def _coding(
    labels: list[str],
    *,
    success: tuple[str, ...] = (),
    failure: tuple[str, ...] = (),
    when_both: str = "first",
    by_value: dict[Any, int] | None = None,
) -> Coding:
    labels = sorted(labels)
    code = {lab: i for i, lab in enumerate(labels)}
    by_tp = None
    if success or failure:
        by_tp = pd.DataFrame(
            {
                "code": [code[t] for t in success] + [code[t] for t in failure],
                "eo": [1] * len(success) + [2] * len(failure),
            }
        )
    obv = None
    if by_value is not None:
        obv = pd.DataFrame(
            {"value": pd.Series(list(by_value), dtype=object), "eo": list(by_value.values())}
        )
    return Coding(
        touchpoints=pd.DataFrame({"label": labels, "code": np.arange(len(labels))}),
        outcome_by_touchpoint=by_tp,
        outcome_by_value=obv,
        touchpoint_stage=np.arange(len(labels), dtype=np.int64) % 2,
        when_both=when_both,
    )


def _variant_keys(v: pd.DataFrame, cols: ScanColumns) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(len(v)):
        attrs = tuple(None if pd.isna(v[c].iloc[i]) else v[c].iloc[i] for c in cols.case_cols)
        rows.append(
            (
                tuple(int(x) for x in v["tp"].iloc[i]),
                tuple(int(x) for x in v["eo"].iloc[i]),
                *attrs,
                int(v["journeys"].iloc[i]),
                round(float(v["value_sum"].iloc[i]), 9),
                int(v["value_n"].iloc[i]),
            )
        )
    return sorted(rows, key=repr)


def assert_variants(engine: DuckDBEngine, df: pd.DataFrame, cols: ScanColumns, c: Coding) -> None:
    got = engine.variants(cols, c).to_pandas()
    assert list(got.columns[:5]) == ["tp", "eo", "journeys", "value_sum", "value_n"]
    assert _variant_keys(got, cols) == _variant_keys(reference_variants(df, cols, c), cols)


def assert_timings(engine: DuckDBEngine, df: pd.DataFrame, cols: ScanColumns, c: Coding) -> None:
    got = engine.timings(cols, c)
    ref = reference_timings(df, cols, c)
    for name, keys in (
        ("transitions", ["src", "dst"]),
        ("dwell", ["tp"]),
        ("stage_dwell", ["stage"]),
    ):
        a = getattr(got, name).sort_values(keys).reset_index(drop=True)
        b = getattr(ref, name).sort_values(keys).reset_index(drop=True)
        assert list(a.columns) == list(b.columns), name
        for k in keys:
            np.testing.assert_array_equal(a[k].to_numpy(np.int64), b[k].to_numpy(np.int64))
        for q in [col for col in b.columns if col.endswith("_ns")]:
            np.testing.assert_allclose(a[q].to_numpy(float), b[q].to_numpy(float), rtol=1e-12)


def _ts(*values: str, tz: str | None = None) -> pd.Series:
    s = pd.to_datetime(pd.Series(values), format="ISO8601")
    return s.dt.tz_localize(tz) if tz else s


# ---------------------------------------------------------------------------------------
# a basic log, every source kind
# ---------------------------------------------------------------------------------------
@pytest.fixture
def basic() -> pd.DataFrame:
    # c1: ties at 10:00 are broken by row order (visit before cart); c2 decided by failure
    return _frame(
        case=["c1", "c1", "c1", "c2", "c2", "c3", "c1"],
        tp=["visit", "cart", "buy", "visit", "error", "visit", "visit"],
        ts=_ts(
            "2024-01-01 10:00",
            "2024-01-01 10:00",
            "2024-01-01 10:07",
            "2024-01-02 09:00",
            "2024-01-02 09:03:30",
            "2024-01-03 12:00",
            "2024-01-01 10:20",
        ),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_reductions_equal_the_reference(basic: pd.DataFrame, kind: str, tmp_path: Path) -> None:
    engine = _engine(basic, kind, tmp_path)
    cols = _cols(kind)
    prof = engine.profile(cols)
    ref = reference_profile(basic, cols)
    assert (prof.n_rows, prof.n_missing, prof.n_cases) == (ref.n_rows, 0, ref.n_cases)
    pd.testing.assert_frame_equal(prof.touchpoints, ref.touchpoints, check_dtype=False)
    assert (prof.timezone_aware, prof.n_bad_time, prof.bad_time_reason) == (False, 0, "")
    coding = _coding(list(ref.touchpoints["label"]), success=("buy",), failure=("error",))
    assert_variants(engine, basic, cols, coding)
    assert_timings(engine, basic, cols, coding)
    c1 = engine.variants(cols, coding).to_pandas()
    assert [3, 1, 0, 3] in [list(t) for t in c1["tp"]]  # buy=0 cart=1 error=2 visit=3


def test_columns_leave_out_the_added_row_numbers(basic: pd.DataFrame, tmp_path: Path) -> None:
    assert _engine(basic, "parquet", tmp_path).columns() == ["case", "tp", "ts", "row_id"]
    assert _engine(basic, "csv", tmp_path).columns() == ["case", "tp", "ts", "row_id"]


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_order_col_breaks_ties_instead_of_the_read_order(kind: str, tmp_path: Path) -> None:
    df = _frame(
        case=["a", "a", "a"],
        tp=["x", "y", "z"],
        ts=_ts("2024-01-01", "2024-01-01", "2024-01-01"),
        back=[3, 2, 1],
    )
    engine = _engine(df, kind, tmp_path)
    coding = _coding(["x", "y", "z"])
    cols = _cols(kind, order="back")
    assert [list(t) for t in engine.variants(cols, coding).to_pandas()["tp"]] == [[2, 1, 0]]
    assert [list(t) for t in engine.variants(_cols(kind), coding).to_pandas()["tp"]] == [[0, 1, 2]]
    assert_timings(engine, df, cols, coding)


def test_several_parquet_files_follow_the_sorted_names(tmp_path: Path) -> None:
    a = _frame(case=["k", "k"], tp=["x", "y"], ts=_ts("2024-01-01", "2024-01-01"))
    b = _frame(case=["k"], tp=["z"], ts=_ts("2024-01-01"))
    _parquet(b, tmp_path / "part-0.parquet")
    _parquet(a, tmp_path / "part-1.parquet")
    coding = _coding(["x", "y", "z"])
    cols = _cols("parquet")
    for source in (
        str(tmp_path / "part-*.parquet"),
        [tmp_path / "part-1.parquet", tmp_path / "part-0.parquet"],
    ):
        engine = DuckDBEngine(source)
        assert [list(t) for t in engine.variants(cols, coding).to_pandas()["tp"]] == [[2, 0, 1]]
    # rows number the concatenation: the missing key of part-1's second row is row 2
    bad = a.assign(tp=["x", None])
    _parquet(bad, tmp_path / "part-1.parquet")
    prof = DuckDBEngine(str(tmp_path / "part-*.parquet")).profile(cols)
    assert prof.missing_sample["row"].tolist() == [2]


# ---------------------------------------------------------------------------------------
# timestamps
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_aware_timestamps_are_utc_instants(kind: str, tmp_path: Path) -> None:
    # across the DST change in Paris: 02:30 CET (+01:00) then 03:10 CEST (+02:00) = 40 min
    ts = _ts("2024-03-31 01:30", "2024-03-31 03:10", "2024-03-31 04:00", tz="Europe/Paris")
    df = _frame(case=["a", "a", "b"], tp=["x", "y", "x"], ts=ts)
    engine = _engine(df, kind, tmp_path)
    cols = _cols(kind)
    assert engine.profile(cols).timezone_aware is True
    coding = _coding(["x", "y"])
    t = engine.timings(cols, coding)
    assert t.transitions["median_ns"].tolist() == [40 * 60 * 1e9]
    assert_timings(engine, df, cols, coding)


@pytest.mark.parametrize("kind", ["csv", "relation"])
def test_text_timestamps_mixing_kinds_count_the_minority(kind: str, tmp_path: Path) -> None:
    df = _frame(
        case=["a", "a", "b", "b"],
        tp=["x", "y", "x", "y"],
        ts=[
            "2024-01-01T10:00:00Z",
            "2024-01-01T11:00:00+0100",
            "2024-01-01 10:00",
            "2024-01-02T10:00:00-05:00",
        ],
    )
    prof = _engine(df, kind, tmp_path).profile(_cols(kind))
    assert (prof.n_bad_time, prof.bad_time_reason, prof.timezone_aware) == (1, "mixed", True)
    assert prof.bad_time_sample["row"].tolist() == [2]
    assert prof.bad_time_sample["ts"].tolist() == ["2024-01-01 10:00"]


@pytest.mark.parametrize("kind", ["csv", "relation"])
def test_unparseable_text_is_reported_before_mixed_kinds(kind: str, tmp_path: Path) -> None:
    df = _frame(
        case=["a", "a", "b"], tp=["x", "y", "x"], ts=["2024-01-01T10:00Z", "soon", "2024-01-01"]
    )
    prof = _engine(df, kind, tmp_path).profile(_cols(kind))
    assert (prof.n_bad_time, prof.bad_time_reason) == (1, "unparseable")
    assert prof.bad_time_sample.to_dict("list") == {"row": [1], "ts": ["soon"]}


def test_naive_text_and_dates_are_wall_clock(tmp_path: Path) -> None:
    con = duckdb.connect()
    rel = con.sql(
        "SELECT * FROM (VALUES (0, 'a', 'x', DATE '2024-01-01'), "
        "(1, 'a', 'y', DATE '2024-01-03')) t(row_id, \"case\", tp, ts)"
    )
    t = DuckDBEngine(rel, connection=con).timings(_cols("relation"), _coding(["x", "y"]))
    assert t.transitions["median_ns"].tolist() == [2 * 86400 * 1e9]
    csv = tmp_path / "t.csv"
    csv.write_text(
        "case,tp,ts\na,x,2024-01-01T00:00:00.000000001\na,y,2024-01-01T00:00:00.000000004\n"
    )
    t = DuckDBEngine(csv).timings(_cols("csv"), _coding(["x", "y"]))
    assert t.transitions["median_ns"].tolist() == [3.0]


def test_numbers_as_timestamps_are_refused_like_the_in_memory_path(tmp_path: Path) -> None:
    df = _frame(case=["a"], tp=["x"], ts=[1700000000])
    engine = _engine(df, "parquet", tmp_path)
    with pytest.raises(InputTypeError, match=r"ts holds numbers \(BIGINT\), which are ambiguous"):
        engine.profile(_cols("parquet"))


# ---------------------------------------------------------------------------------------
# missing keys, ids, names
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_missing_keys_are_counted_sampled_and_dropped(kind: str, tmp_path: Path) -> None:
    df = _frame(
        case=["a", None, "b", "", "b", "a"],
        tp=["x", "y", "", "x", "y", "y"],
        ts=_ts("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "NaT"),
    )
    engine = _engine(df, kind, tmp_path)
    for drop in (False, True):
        cols = _cols(kind, drop_missing=drop)
        prof = engine.profile(cols)
        ref = reference_profile(df, cols)
        assert (prof.n_rows, prof.n_missing, prof.n_cases) == (6, 4, ref.n_cases)
        assert prof.missing_sample["row"].tolist() == [1, 2, 3, 5]
        assert list(prof.missing_sample.columns) == ["row", "case", "tp", "ts"]
        pd.testing.assert_frame_equal(prof.touchpoints, ref.touchpoints, check_dtype=False)
    coding = _coding(["x", "y"], success=("y",))
    assert_variants(engine, df, _cols(kind, drop_missing=True), coding)
    assert_timings(engine, df, _cols(kind, drop_missing=True), coding)


def test_csv_keeps_ids_as_written(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(
        "case,tp,ts,out\n"
        "NA,007,2024-01-01,NA\n"
        "NA,7,2024-01-02,True\n"
        "007,NULL,2024-01-01,False\n"
        "7,007,NA,\n"
    )
    engine = DuckDBEngine(path)
    cols = ScanColumns(case="case", touchpoint="tp", timestamp="ts", outcome="out")
    prof = engine.profile(cols)
    # as the in-memory reader: key columns are text as written, NA in the timestamp is missing
    assert (prof.n_rows, prof.n_missing, prof.n_cases) == (4, 1, 3)
    assert prof.touchpoints.to_dict("list") == {"label": ["007", "7", "NULL"], "events": [2, 1, 1]}
    assert sorted(prof.outcome_values["value"].tolist()) == [False, True]
    coding = _coding(["007", "7", "NULL"], by_value={True: 1, False: 2})
    v = engine.variants(ScanColumns(**{**_kw(cols), "drop_missing": True}), coding).to_pandas()
    assert sorted(zip(v["tp"].map(tuple), v["eo"].map(tuple), strict=True)) == [
        ((0, 1), (0, 1)),
        ((2,), (2,)),
    ]


def _kw(cols: ScanColumns) -> dict[str, Any]:
    return {f: getattr(cols, f) for f in ("case", "touchpoint", "timestamp", "order", "outcome")}


@pytest.mark.parametrize("kind", KINDS)
def test_column_names_with_spaces_and_quotes(kind: str, tmp_path: Path) -> None:
    df = _frame(
        **{
            'case "id"': ["a", "a", "b"],
            "touch point": ["x", "y", "x"],
            "time stamp": _ts("2024-01-01", "2024-01-02", "2024-01-01"),
            "seg ment": ["s1", "s1", None],
        }
    )
    engine = _engine(df, kind, tmp_path)
    cols = ScanColumns(
        case='case "id"',
        touchpoint="touch point",
        timestamp="time stamp",
        order="row_id" if kind == "relation" else None,
        case_cols=("seg ment",),
    )
    coding = _coding(["x", "y"])
    assert_variants(engine, df, cols, coding)
    assert_timings(engine, df, cols, coding)
    assert list(engine.variants(cols, coding).to_pandas().columns)[-1] == "seg ment"


# ---------------------------------------------------------------------------------------
# outcomes, when_both, values, case attributes
# ---------------------------------------------------------------------------------------
@pytest.fixture
def decided() -> pd.DataFrame:
    # j1: ok, fail, ok -> the four rules cut differently; j2: fail, x, ok; j3 open
    return _frame(
        case=["j1"] * 5 + ["j2"] * 4 + ["j3"] * 2,
        tp=["x", "ok", "fail", "ok", "x", "fail", "x", "ok", "x", "x", "x"],
        ts=_ts(
            *[f"2024-01-01 10:{m:02d}" for m in (0, 1, 3, 7, 15)],
            *[f"2024-01-02 10:{m:02d}" for m in (0, 2, 6, 30)],
            *[f"2024-01-03 10:{m:02d}" for m in (0, 9)],
        ),
        value=[1.0, None, 2.5, None, 4.0, None, None, None, None, 7.0, np.nan],
        seg=[None, "gold", "x", None, None, "silver", None, None, None, None, None],
    )


@pytest.mark.parametrize("when_both", ["first", "last", "success", "failure"])
@pytest.mark.parametrize("kind", KINDS)
def test_dwell_cut_follows_when_both(
    decided: pd.DataFrame, kind: str, when_both: str, tmp_path: Path
) -> None:
    engine = _engine(decided, kind, tmp_path)
    coding = _coding(["x", "ok", "fail"], success=("ok",), failure=("fail",), when_both=when_both)
    assert_timings(engine, decided, _cols(kind), coding)


@pytest.mark.parametrize("agg", ["last", "first", "sum", "max"])
@pytest.mark.parametrize("kind", KINDS)
def test_value_agg_and_case_cols(
    decided: pd.DataFrame, kind: str, agg: str, tmp_path: Path
) -> None:
    engine = _engine(decided, kind, tmp_path)
    cols = _cols(kind, value="value", value_agg=agg, case_cols=("seg",))
    coding = _coding(["x", "ok", "fail"], success=("ok",), failure=("fail",))
    assert_variants(engine, decided, cols, coding)


@pytest.mark.parametrize("kind", KINDS)
def test_outcome_column_and_stages(kind: str, tmp_path: Path) -> None:
    df = _frame(
        case=["a", "a", "b", "b", "c"],
        tp=["x", "y", "x", "y", "x"],
        ts=_ts("2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03", "2024-01-05"),
        out=["", "won", None, "lost", "meh"],
        stage=["browse", "buy", "browse", "buy", ""],
    )
    engine = _engine(df, kind, tmp_path)
    cols = _cols(kind, outcome="out", stage="stage")
    prof = engine.profile(cols)
    ref = reference_profile(df, cols)
    key = ["value"]
    pd.testing.assert_frame_equal(
        prof.outcome_values.sort_values(key).reset_index(drop=True),
        ref.outcome_values.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(
        prof.stages.sort_values(["touchpoint", "stage"]).reset_index(drop=True),
        ref.stages.sort_values(["touchpoint", "stage"]).reset_index(drop=True),
        check_dtype=False,
    )
    coding = _coding(["x", "y"], by_value={"won": 1, "lost": 2})
    assert_variants(engine, df, cols, coding)
    assert_timings(engine, df, cols, coding)


def test_boolean_and_integer_touchpoints_are_labelled_like_str(tmp_path: Path) -> None:
    df = _frame(
        case=["a", "a", "b"],
        tp=[True, False, True],
        ts=_ts("2024-01-01", "2024-01-02", "2024-01-01"),
    )
    prof = _engine(df, "parquet", tmp_path).profile(_cols("parquet"))
    assert prof.touchpoints["label"].tolist() == ["False", "True"]
    df = df.assign(tp=[10, 2, 10])
    prof = _engine(df, "parquet", tmp_path).profile(_cols("parquet"))
    assert prof.touchpoints["label"].tolist() == ["10", "2"]


# ---------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------
def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.parquet"
    with pytest.raises(ValidationError, match=r"nope\.parquet") as info:
        DuckDBEngine(path)
    assert info.value.field == "source"
    with pytest.raises(ValidationError, match="no file matches"):
        DuckDBEngine(str(tmp_path / "*.parquet"))


def test_unsupported_sources_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputTypeError, match="DataFrame"):
        DuckDBEngine(pd.DataFrame({"a": [1]}))
    (tmp_path / "log.json").write_text("{}")
    with pytest.raises(ValidationError, match="suffix"):
        DuckDBEngine(tmp_path / "log.json")


def test_a_relation_needs_an_order_column(basic: pd.DataFrame) -> None:
    con = duckdb.connect()
    engine = DuckDBEngine(con.from_df(basic))
    with pytest.raises(ValidationError, match="order_col is required") as info:
        engine.profile(ScanColumns(case="case", touchpoint="tp", timestamp="ts"))
    assert "row_number()" in (info.value.hint or "")


def test_settings_are_applied_to_the_connection(basic: pd.DataFrame, tmp_path: Path) -> None:
    _parquet(basic, tmp_path / "log.parquet")
    con = duckdb.connect()
    DuckDBEngine(
        tmp_path / "log.parquet",
        connection=con,
        memory_limit="500MB",
        threads=1,
        temp_directory=tmp_path / "spill",
    )
    got = con.execute(
        "SELECT current_setting('threads'), current_setting('temp_directory')"
    ).fetchone()
    assert got == (1, str(tmp_path / "spill"))
    with pytest.raises(ValidationError, match="threads"):
        DuckDBEngine(tmp_path / "log.parquet", threads=0)


def test_missing_duckdb_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulate the missing extra, so the test runs whether or not duckdb is installed.
    import frictionkit._compat as compat

    real = compat.importlib.import_module

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == "duckdb":
            raise ImportError("No module named 'duckdb'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(compat.importlib, "import_module", fake)
    with pytest.raises(OptionalDependencyError, match="duckdb") as info:
        DuckDBEngine("log.parquet")
    assert "frictionkit[duckdb]" in (info.value.hint or "")


# ---------------------------------------------------------------------------------------
# property: random small logs with ties
# ---------------------------------------------------------------------------------------
@st.composite
def logs(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    case = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n))
    tp = draw(st.lists(st.sampled_from(["p", "q", "r", "s"]), min_size=n, max_size=n))
    minutes = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))  # many ties
    ts = pd.Timestamp("2024-01-01") + pd.to_timedelta(minutes, unit="min")
    return _frame(case=case, tp=tp, ts=pd.Series(ts))


def _random_log_coding(labels: list[str], when_both: str) -> Any:
    """The coding of a random log: ``q`` is success and ``r`` failure where they occur."""
    return _coding(
        labels,
        success=tuple(t for t in ("q",) if t in labels),
        failure=tuple(t for t in ("r",) if t in labels),
        when_both=when_both,
    )


@settings(max_examples=25, deadline=None)
@given(df=logs(), when_both=st.sampled_from(["first", "last", "success", "failure"]))
def test_random_logs_match_the_reference(df: pd.DataFrame, when_both: str) -> None:
    con = duckdb.connect()
    engine = DuckDBEngine(con.from_df(df), connection=con)
    cols = _cols("relation")
    labels = sorted(set(df["tp"]))
    coding = _random_log_coding(labels, when_both)
    assert_variants(engine, df, cols, coding)
    assert_timings(engine, df, cols, coding)


def _temp_tables(con: Any) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]


@settings(max_examples=25, deadline=None)
@given(df=logs(), when_both=st.sampled_from(["first", "last", "success", "failure"]))
def test_timings_from_the_per_case_table_match_the_reference_in_any_call_order(
    df: pd.DataFrame, when_both: str
) -> None:
    # variants() keeps one row per case (lists in event order) for timings(); timings()
    # must give the reference alone, after variants() with the same coding (the table is
    # reused) and after variants() with another coding (the table is rebuilt)
    con = duckdb.connect()
    engine = DuckDBEngine(con.from_df(df), connection=con)
    cols = _cols("relation")
    labels = sorted(set(df["tp"]))
    coding = _random_log_coding(labels, when_both)
    other = _coding(labels, success=tuple(t for t in ("p",) if t in labels))
    assert_timings(engine, df, cols, coding)
    assert _temp_tables(con) == []
    assert_variants(engine, df, cols, other)
    assert len(_temp_tables(con)) == 1
    assert_timings(engine, df, cols, coding)
    assert _temp_tables(con) == []
    assert_variants(engine, df, cols, coding)
    engine.release()
    assert _temp_tables(con) == []


def test_a_scan_leaves_no_table_behind_also_after_an_error(tmp_path: Path) -> None:
    from frictionkit.events import EventLog

    con = duckdb.connect()
    df = _frame(
        case=["a", "a", "b"], tp=["x", "y", "x"], ts=_ts("2024-01-01", "2024-01-02", "2024-01-01")
    )
    df["stage"] = ["s1", "s2", None]
    rel = con.from_df(df)
    kw: dict[str, Any] = {"case_col": "case", "touchpoint_col": "tp", "timestamp_col": "ts"}
    log = EventLog.scan(rel, engine=DuckDBEngine(rel, connection=con), order_col="row_id", **kw)
    assert log.n_journeys == 2
    assert _temp_tables(con) == []
    df.loc[2, "stage"] = "s2"  # x in two stages: refused after the variants
    rel = con.from_df(df)
    with pytest.raises(ValidationError, match="more than one stage"):
        EventLog.scan(
            rel,
            engine=DuckDBEngine(rel, connection=con),
            order_col="row_id",
            stage_col="stage",
            **kw,
        )
    assert _temp_tables(con) == []


def test_scan_pseudonymises_the_rows_of_an_error_and_refuses_channel_col(tmp_path: Path) -> None:
    from frictionkit.events import EventLog
    from frictionkit.exceptions import DataError, DroppedRowsWarning
    from frictionkit.privacy import pseudonymise

    df = _frame(
        case=["secret-1", "secret-2"], tp=["x", "y"], ts=["2024-01-01", None], ch=["web", "app"]
    )
    path = tmp_path / "log.parquet"
    _parquet(df, path)
    key = "a key of at least sixteen bytes"
    kw: dict[str, Any] = {"case_col": "case", "touchpoint_col": "tp", "timestamp_col": "ts"}
    with pytest.raises(DataError) as err:
        EventLog.scan(path, engine="duckdb", pseudonymise=key, **kw)
    sample = err.value.failure_cases
    expected = pseudonymise(pd.DataFrame({"case": ["secret-2"]}), "case", key=key)["case"]
    assert sample["case"].tolist() == expected.tolist()
    assert "secret" not in str(err.value)
    with pytest.raises(ValidationError, match="channel_col"):
        EventLog.scan(path, engine="duckdb", channel_col="ch", **kw)
    with pytest.warns(DroppedRowsWarning):
        ok = EventLog.scan(path, engine="duckdb", pseudonymise=key, on_null="drop", **kw)
    assert ok.n_journeys == 1
