"""The Spark engine: the three reductions of the evidence layer as Spark DataFrame operations.

:class:`SparkEngine` answers :meth:`~frictionkit.events._engine.Engine.profile`,
:meth:`~frictionkit.events._engine.Engine.variants` and
:meth:`~frictionkit.events._engine.Engine.timings` on a ``pyspark.sql.DataFrame`` (a table
of a lake or a warehouse, or a Parquet path read by Spark). The events stay in Spark: each
reduction is one aggregation (events sorted within a case by ``sort_array`` over
``collect_list``, journeys grouped by their arrays, exact quantiles with Spark's
``percentile``), and only the small results are collected to the driver.

Conventions particular to this engine (the shared ones are in
:mod:`frictionkit.events._engine`):

- **Row order.** A distributed DataFrame has no defined row order (partitions are read
  and shuffled in parallel), so ties of timestamps within a case cannot fall back on "the
  read order". The engine refuses to run without an ``order_col``. Add one right after
  reading, e.g. ``df.withColumn("row", F.monotonically_increasing_id())``: it follows
  the read order within a single file (across files it is unique, but the file order is
  Spark's).
- **Timestamps.** ``TimestampType`` columns are instants (UTC); ``TimestampNTZType`` and
  ``DateType`` columns are naive wall-clock times. Text is parsed as ISO 8601 by Spark's
  own cast: text ending with ``Z`` or an offset (``+hh:mm``, ``+hhmm``, ``-hh:mm``) is an
  instant, other text is wall-clock time. Numbers are refused, as on every engine. The
  results do not depend on ``spark.sql.session.timeZone``.
- **Precision.** Spark timestamps hold microseconds, so timings on this engine are exact
  to the microsecond (a fraction of a second written with nanoseconds is truncated to
  microseconds); nanoseconds are microseconds times 1,000. Times outside the range of
  int64 nanoseconds (1677-09-21 to 2262-04-11) are counted as unparseable.
- **Labels.** Touchpoints, stages and case attributes are labelled by Spark's cast to
  text (``CAST(x AS STRING)``: booleans read ``true`` / ``false``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from frictionkit._compat import require
from frictionkit._validate import column
from frictionkit.events._engine import SAMPLE_ROWS, Coding, Engine, Profile, ScanColumns, Timings
from frictionkit.exceptions import DataError, InputTypeError, ValidationError

__all__ = ["SparkEngine"]

_FEATURE = "engine='spark'"
# Text that ends with a UTC offset is an instant (the same rule as the in-memory path).
_OFFSET_RE = r"(Z|[+-]\d{2}:?\d{2})\s*$"
# Microseconds that fit int64 nanoseconds (pandas.Timestamp.min / max).
_MIN_US = -9_223_372_036_854_775
_MAX_US = 9_223_372_036_854_775
_DAY_US = 86_400_000_000
_NUMERIC = frozenset(
    {"ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType", "BooleanType"}
)
_TEXT = frozenset({"StringType", "VarcharType", "CharType"})


def _modules() -> tuple[Any, Any, Any]:
    sql = require("pyspark.sql", extra="spark", feature=_FEATURE)
    functions = require("pyspark.sql.functions", extra="spark", feature=_FEATURE)
    types = require("pyspark.sql.types", extra="spark", feature=_FEATURE)
    return sql, functions, types


#: Spark types that hold lists or records: refused in key columns, as DuckDB's and pandas'.
_NESTED_TYPES = frozenset({"ArrayType", "StructType", "MapType", "VariantType"})


def _kind(dtype: Any) -> str:
    return type(dtype).__name__


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value Spark expects."""
    return value.item() if isinstance(value, np.generic) else value


class SparkEngine(Engine):
    """Events in a Spark DataFrame (or a Parquet path read by Spark).

    Parameters
    ----------
    source : pyspark.sql.DataFrame or str or os.PathLike
        The events: a Spark DataFrame (classic or Spark Connect), or the path of a Parquet
        file or folder, read with ``spark.read.parquet``.
    spark : pyspark.sql.SparkSession, optional
        The session that reads a path (default: the active session). Not used for a
        DataFrame.

    Notes
    -----
    The engine needs an explicit row-order column (``order_col``): a Spark DataFrame has
    no defined row order. Timings are exact to the microsecond (Spark's timestamp
    precision). See the module documentation for the conventions.

    Examples
    --------
    >>> from frictionkit.events._spark import SparkEngine
    >>> try:
    ...     SparkEngine([("c1", "visit", "2024-01-01")])
    ... except TypeError as err:
    ...     print(type(err).__name__, err.field)
    InputTypeError source
    """

    name: ClassVar[str] = "spark"

    def __init__(self, source: Any, *, spark: Any = None) -> None:
        sql, _, _ = _modules()
        if isinstance(source, sql.DataFrame):
            self._df: Any = source
            return
        if not isinstance(source, (str, os.PathLike)):
            raise InputTypeError(
                f"engine='spark' reads a Spark DataFrame or a Parquet path, got "
                f"{type(source).__name__}",
                field="source",
                value=type(source).__name__,
                hint="Pass a pyspark.sql.DataFrame (e.g. spark.table('events')) or the path "
                "of a Parquet file; for a pandas DataFrame use the in-memory engine",
            )
        path = os.fspath(source)
        session = spark if spark is not None else sql.SparkSession.getActiveSession()
        if session is None:
            raise ValidationError(
                f"engine='spark' needs a SparkSession to read {path!r}, and none is active",
                field="spark",
                value=None,
                hint="Start one (SparkSession.builder.getOrCreate()) and pass it as spark=, "
                "or pass a Spark DataFrame instead of a path",
            )
        if "://" not in path and not Path(path).exists():
            raise ValidationError(
                f"the Parquet source {path!r} does not exist",
                field="source",
                value=path,
                hint="Check the path (relative paths are read from the driver's working "
                f"directory, {os.getcwd()!r})",
            )
        errors = require("pyspark.errors", extra="spark", feature=_FEATURE)
        try:
            self._df = session.read.parquet(path)
        except errors.PySparkException as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ValidationError(
                f"the Parquet source {path!r} cannot be read by Spark: {first}",
                field="source",
                value=path,
                hint="Check that it is a Parquet file or a folder of Parquet files",
            ) from None

    # ------------------------------------------------------------------------------------
    # the contract
    # ------------------------------------------------------------------------------------
    def columns(self) -> list[str]:
        """Column names of the source."""
        return [str(c) for c in self._df.columns]

    def profile(self, cols: ScanColumns) -> Profile:
        """Sizes, missing keys, distinct labels and timestamp problems (see the contract)."""
        _, fn, _ = _modules()
        ev, text_time, type_aware = self._events(cols)
        keep = ~fn.col("_miss") if cols.drop_missing else fn.lit(True)
        bad_parse = keep & ~fn.col("_tsmiss") & fn.col("_us").isNull()
        good = keep & fn.col("_us").isNotNull()

        def n_if(cond: Any) -> Any:
            return fn.sum(fn.when(cond, 1).otherwise(0))

        kept_case = fn.when(keep & ~fn.col("_cmiss"), fn.col("_case"))
        row = (
            ev.agg(
                fn.count(fn.lit(1)).alias("n_rows"),
                n_if(fn.col("_miss")).alias("n_missing"),
                fn.count_distinct(kept_case).alias("n_cases"),
                n_if(bad_parse).alias("n_unparseable"),
                n_if(good & fn.col("_aware")).alias("n_aware"),
                n_if(good & ~fn.col("_aware")).alias("n_naive"),
                n_if(keep & fn.col("_vbad")).alias("n_bad_value"),
            )
            .collect()[0]
            .asDict()
        )
        n_rows = int(row["n_rows"] or 0)
        n_missing = int(row["n_missing"] or 0)
        n_aware, n_naive = int(row["n_aware"] or 0), int(row["n_naive"] or 0)
        n_unparseable = int(row["n_unparseable"] or 0)
        aware = (n_aware > 0 and n_naive <= n_aware) if text_time else type_aware
        n_bad, reason, bad = 0, "", None
        if n_unparseable:
            n_bad, reason, bad = n_unparseable, "unparseable", bad_parse
        elif text_time and n_aware and n_naive:
            n_bad, reason = min(n_aware, n_naive), "mixed"
            bad = good & (fn.col("_aware") != fn.lit(aware))
        kept = ev.where(keep)
        return Profile(
            n_bad_value=int(row["n_bad_value"] or 0),
            n_rows=n_rows,
            n_missing=n_missing,
            missing_sample=self._missing_sample(ev, cols) if n_missing else _empty_sample(cols),
            n_cases=int(row["n_cases"] or 0),
            **self._labels(kept, cols),
            timezone_aware=aware,
            n_bad_time=n_bad,
            bad_time_sample=(
                self._bad_sample(ev.where(bad), cols)
                if bad is not None
                else pd.DataFrame({"row": [], cols.timestamp: []})
            ),
            bad_time_reason=reason,
        )

    def variants(self, cols: ScanColumns, coding: Coding) -> pd.DataFrame:
        """One row per distinct journey variant (see the contract)."""
        _, fn, _ = _modules()
        per_case = self._journeys(cols, coding)
        evs = fn.col("_evs")
        groups = [
            fn.transform(evs, lambda x: x["c"]).alias("tp"),
            fn.transform(evs, lambda x: x["e"]).alias("eo"),
        ]
        attrs_ = [f"_a{i}" for i in range(len(cols.case_cols))]
        for name in attrs_:
            present = fn.filter(evs, _field_present(name))
            groups.append(fn.try_element_at(present, fn.lit(1))[name].alias(name))
        if cols.value is not None:
            vals = fn.transform(fn.filter(evs, lambda x: x["v"].isNotNull()), lambda x: x["v"])
            how = cols.value_agg
            if how == "last":
                jv = fn.try_element_at(vals, fn.lit(-1))
            elif how == "first":
                jv = fn.try_element_at(vals, fn.lit(1))
            elif how == "sum":
                jv = fn.when(
                    fn.size(vals) > 0, fn.aggregate(vals, fn.lit(0.0), lambda acc, x: acc + x)
                )
            else:
                jv = fn.array_max(vals)
            per_case = per_case.select(*groups, jv.alias("_jv"))
            aggs = [
                fn.count(fn.lit(1)).alias("journeys"),
                fn.coalesce(fn.sum("_jv"), fn.lit(0.0)).alias("value_sum"),
                fn.count("_jv").alias("value_n"),
            ]
        else:
            per_case = per_case.select(*groups)
            aggs = [
                fn.count(fn.lit(1)).alias("journeys"),
                fn.lit(0.0).alias("value_sum"),
                fn.lit(0).alias("value_n"),
            ]
        rows = per_case.groupBy("tp", "eo", *attrs_).agg(*aggs).collect()
        out: dict[str, Any] = {
            "tp": pd.Series([[int(c) for c in r["tp"]] for r in rows], dtype=object),
            "eo": pd.Series([[int(e) for e in r["eo"]] for r in rows], dtype=object),
            "journeys": np.array([r["journeys"] for r in rows], dtype=np.int64),
            "value_sum": np.array([r["value_sum"] for r in rows], dtype=float),
            "value_n": np.array([r["value_n"] for r in rows], dtype=np.int64),
        }
        for col, name in zip(cols.case_cols, attrs_, strict=True):
            out[col] = pd.Series([r[name] for r in rows], dtype=object)
        return pd.DataFrame(out)

    def timings(self, cols: ScanColumns, coding: Coding) -> Timings:
        """Quantiles of times between consecutive events (see :class:`Timings`)."""
        _, fn, _ = _modules()
        evs = fn.col("_evs")
        eo = fn.transform(evs, lambda x: x["e"])
        n = fn.size(evs)

        def first_where(pred: Any) -> Any:
            return fn.array_min(fn.transform(eo, lambda x, i: fn.when(pred(x), i)))

        decided = first_where(lambda x: x != 0)
        if coding.when_both == "last":
            d = fn.array_max(fn.transform(eo, lambda x, i: fn.when(x != 0, i)))
        elif coding.when_both in ("success", "failure"):
            pref = 1 if coding.when_both == "success" else 2
            d = fn.coalesce(first_where(lambda x: x == pref), decided)
        else:
            d = decided
        per_case = self._journeys(cols, coding).select("_evs", d.alias("_d"))
        outcome = fn.try_element_at(eo, fn.col("_d") + 1)
        end = fn.coalesce(
            fn.array_min(
                fn.transform(eo, lambda x, i: fn.when((i > fn.col("_d")) & (x != outcome), i))
            ),
            n,
        )
        per_case = per_case.select("_evs", "_d", end.alias("_end"))

        def record(kind: int, a: Any, b: Any, gap: Any) -> Any:
            return fn.struct(
                fn.lit(kind).alias("k"), a.cast("long").alias("a"), b.cast("long").alias("b"),
                gap.alias("g"),
            )  # fmt: skip

        def pair_records(x: Any, i: Any) -> Any:
            nxt = fn.try_element_at(evs, i + 2)
            gap = nxt["t"] - x["t"]
            dwell = fn.col("_d").isNotNull() & (i + 1 < fn.col("_end"))
            none = fn.array().cast("array<struct<k:int,a:bigint,b:bigint,g:bigint>>")
            return fn.when(i + 1 < n, fn.array(
                record(0, x["c"], nxt["c"], gap),
                *(fn.when(dwell, record(k, x["c"], fn.lit(-1), gap)) for k in (1, 2)),
            )).otherwise(none)  # fmt: skip

        recs = per_case.select(
            fn.explode(fn.flatten(fn.transform(evs, pair_records))).alias("r")
        ).select("r.*")
        recs = recs.where(fn.col("k").isNotNull())
        stage_of = _lookup(
            self._session(),
            [(int(c), int(s)) for c, s in enumerate(np.asarray(coding.touchpoint_stage))],
            "_sc long, _st long",
        )
        recs = recs.join(fn.broadcast(stage_of), recs["a"] == stage_of["_sc"], "left").select(
            "k",
            fn.when(fn.col("k") == 2, fn.col("_st")).otherwise(fn.col("a")).alias("a"),
            "b",
            "g",
        )
        rows = (
            recs.groupBy("k", "a", "b")
            .agg(fn.percentile(fn.col("g"), [0.5, 0.95]).alias("q"))
            .collect()
        )
        by_kind: dict[int, list[Any]] = {0: [], 1: [], 2: []}
        for r in rows:
            by_kind[int(r["k"])].append(r)

        def table(kind: int, names: list[str], quantiles: list[str]) -> pd.DataFrame:
            rs = sorted(by_kind[kind], key=lambda r: (r["a"], r["b"]))
            keys: dict[str, Any] = {
                names[0]: np.array([r["a"] for r in rs], dtype=np.int64),
            }
            if len(names) > 1:
                keys[names[1]] = np.array([r["b"] for r in rs], dtype=np.int64)
            for j, q in enumerate(quantiles):
                keys[q] = np.array([float(r["q"][j]) for r in rs], dtype=float)
            return pd.DataFrame(keys)

        return Timings(
            transitions=table(0, ["src", "dst"], ["median_ns", "p95_ns"]),
            dwell=table(1, ["tp"], ["median_ns", "p95_ns"]),
            stage_dwell=table(2, ["stage"], ["median_ns"]),
        )

    # ------------------------------------------------------------------------------------
    # building blocks
    # ------------------------------------------------------------------------------------
    def _session(self) -> Any:
        return self._df.sparkSession

    def _check_columns(self, cols: ScanColumns) -> str:
        """Check the column names; returns the order column."""
        names = pd.DataFrame(columns=self.columns())
        for field, col in cols.named():
            column(names, col, field=field, what="the Spark source")
        if cols.order is None:
            raise ValidationError(
                "engine='spark' needs order_col: a Spark DataFrame has no defined row order, "
                "so events of a case with equal timestamps could come in any order",
                field="order_col",
                value=None,
                hint="Add a row-order column right after reading, e.g. "
                "df = df.withColumn('row', F.monotonically_increasing_id()) (the read order "
                "within a single file), and pass order_col='row'",
            )
        schema = {f.name: f.dataType for f in self._df.schema.fields}
        keys = (cols.case, cols.touchpoint, cols.outcome, cols.stage, *cols.case_cols)
        for key in (k for k in keys if k is not None):
            kind = _kind(schema[key])
            if kind in _NESTED_TYPES:
                raise DataError(
                    f"{key} holds {schema[key].simpleString()} values (lists or records), "
                    "not single ids or names",
                    field=key,
                    value=kind,
                    hint="Give one id or name per cell, e.g. explode or flatten it first",
                )
        return cols.order

    def _events(self, cols: ScanColumns) -> tuple[Any, bool, bool]:
        """The source with standard columns; whether times are text; whether instants.

        The columns: ``_case``, ``_tp`` (label), ``_ord``, ``_us`` and ``_ns`` (null when
        missing or unparseable), ``_tsmiss``, ``_cmiss``, ``_tpmiss``, ``_miss`` (a key is
        missing) and ``_aware`` (the row's text has an offset).
        """
        _, fn, _ = _modules()
        order = self._check_columns(cols)
        schema = {f.name: f.dataType for f in self._df.schema.fields}

        def missing(name: str) -> Any:
            return _missing(_col(name), schema[name])

        ts = _col(cols.timestamp)
        us, aware, text = _micros(ts, schema[cols.timestamp], cols.timestamp)
        us = fn.when((us >= _MIN_US) & (us <= _MAX_US), us)
        tsmiss = missing(cols.timestamp)
        ev = self._df.select(
            *(_col(c) for c in self.columns()),
            _col(cols.case).alias("_case"),
            _text(_col(cols.touchpoint), schema[cols.touchpoint]).alias("_tp"),
            _col(order).alias("_ord"),
            fn.when(~tsmiss, us).alias("_us"),
            (fn.when(~tsmiss, us) * 1000).alias("_ns"),
            tsmiss.alias("_tsmiss"),
            missing(cols.case).alias("_cmiss"),
            missing(cols.touchpoint).alias("_tpmiss"),
            (missing(cols.case) | missing(cols.touchpoint) | tsmiss).alias("_miss"),
            aware.alias("_aware"),
            self._bad_value(cols).alias("_vbad"),
        )
        return ev, text, _kind(schema[cols.timestamp]) == "TimestampType"

    def _bad_value(self, cols: ScanColumns) -> Any:
        """True where the value column holds something that is not a finite number."""
        _, fn, _ = _modules()
        if cols.value is None:
            return fn.lit(False)
        v = _col(cols.value)
        num = v.try_cast("double")
        present = ~_missing(v, self._df.schema[cols.value].dataType)
        bad = num.isNull() | fn.isnan(num) | (fn.abs(num) == float("inf"))
        return fn.coalesce(present & bad, fn.lit(False))

    def _journeys(self, cols: ScanColumns, coding: Coding) -> Any:
        """One row per case: ``_evs``, its events sorted by (timestamp, order)."""
        _, fn, types = _modules()
        ev, _, _ = self._events(cols)
        ev = ev.where(~fn.col("_miss"))
        session = self._session()
        codes = _lookup(
            session,
            [(str(lab), int(c)) for lab, c in zip(
                coding.touchpoints["label"], coding.touchpoints["code"], strict=True
            )],
            "_lab string, _code long",
        )  # fmt: skip
        ev = ev.join(fn.broadcast(codes), ev["_tp"] == codes["_lab"], "left")
        eo = fn.lit(0)
        if cols.outcome is not None and coding.outcome_by_value is not None:
            dtype = self._df.schema[cols.outcome].dataType
            schema = types.StructType(
                [types.StructField("_oval", dtype), types.StructField("_oeo", types.IntegerType())]
            )
            table = coding.outcome_by_value
            rows = [(_plain(v), int(e)) for v, e in zip(table["value"], table["eo"], strict=True)]
            lut = session.createDataFrame(rows, schema)
            ev = ev.join(fn.broadcast(lut), _col(cols.outcome) == lut["_oval"], "left")
            eo = fn.coalesce(fn.col("_oeo"), fn.lit(0))
        elif cols.outcome is None and coding.outcome_by_touchpoint is not None:
            table = coding.outcome_by_touchpoint
            rows = [(int(c), int(e)) for c, e in zip(table["code"], table["eo"], strict=True)]
            lut = _lookup(session, rows, "_ocode long, _oeo int")
            ev = ev.join(fn.broadcast(lut), ev["_code"] == lut["_ocode"], "left")
            eo = fn.coalesce(fn.col("_oeo"), fn.lit(0))
        fields = [
            fn.col("_ns").alias("t"),
            fn.col("_ord").alias("o"),
            fn.col("_code").alias("c"),
            eo.cast("int").alias("e"),
        ]
        if cols.value is not None:
            v = _col(cols.value).try_cast("double")
            fields.append(fn.when(~fn.isnan(v), v).alias("v"))
        schema = self._df.schema
        for i, col in enumerate(cols.case_cols):
            a = _col(col)
            fields.append(
                fn.when(~_missing(a, schema[col].dataType), _text(a, schema[col].dataType)).alias(
                    f"_a{i}"
                )
            )
        return ev.groupBy("_case").agg(
            fn.sort_array(fn.collect_list(fn.struct(*fields))).alias("_evs")
        )

    def _labels(self, kept: Any, cols: ScanColumns) -> dict[str, Any]:
        """Touchpoints, stages and outcome values of the kept rows (one aggregation)."""
        _, fn, _ = _modules()
        schema = self._df.schema
        stage = fn.lit(None).cast("string")
        if cols.stage is not None:
            sc, st = _col(cols.stage), schema[cols.stage].dataType
            stage = fn.when(~_missing(sc, st), _text(sc, st))
        value, convert = fn.lit(None).cast("string"), _converter(None)
        if cols.outcome is not None:
            oc, ot = _col(cols.outcome), schema[cols.outcome].dataType
            value, convert = fn.when(~_missing(oc, ot), _collectable(oc, ot)), _converter(ot)
        rows = (
            kept.groupBy(
                fn.when(~fn.col("_tpmiss"), fn.col("_tp")).alias("_tp"),
                stage.alias("_stage"),
                value.alias("_value"),
            )
            .agg(fn.count(fn.lit(1)).alias("n"))
            .collect()
        )
        per_tp: dict[str, int] = {}
        per_stage: dict[tuple[str, str], int] = {}
        per_value: dict[Any, int] = {}
        for r in rows:
            tp, n = r["_tp"], int(r["n"])
            if tp is not None:
                per_tp[tp] = per_tp.get(tp, 0) + n
                if r["_stage"] is not None:
                    key = (tp, r["_stage"])
                    per_stage[key] = per_stage.get(key, 0) + n
            if r["_value"] is not None:
                per_value[r["_value"]] = per_value.get(r["_value"], 0) + n
        labels = sorted(per_tp)
        out: dict[str, Any] = {
            "touchpoints": pd.DataFrame(
                {
                    "label": pd.Series(labels, dtype=object),
                    "events": np.array([per_tp[t] for t in labels], dtype=np.int64),
                }
            )
        }
        if cols.stage is not None:
            pairs = sorted(per_stage)
            out["stages"] = pd.DataFrame(
                {
                    "touchpoint": pd.Series([p[0] for p in pairs], dtype=object),
                    "stage": pd.Series([p[1] for p in pairs], dtype=object),
                    "events": np.array([per_stage[p] for p in pairs], dtype=np.int64),
                }
            )
        if cols.outcome is not None:
            values = sorted(per_value, key=lambda v: (-per_value[v], str(v)))
            out["outcome_values"] = pd.DataFrame(
                {
                    "value": pd.Series([convert(v) for v in values], dtype=object),
                    "events": np.array([per_value[v] for v in values], dtype=np.int64),
                }
            )
        return out

    def _missing_sample(self, ev: Any, cols: ScanColumns) -> pd.DataFrame:
        _, fn, _ = _modules()
        shown = [(c, _collectable(_col(c), self._df.schema[c].dataType)) for c in cols.keys]
        rows = (
            ev.where(fn.col("_miss"))
            .orderBy("_ord")
            .limit(SAMPLE_ROWS)
            .select(fn.col("_ord").alias("row"), *(e.alias(f"_k{i}") for i, (_, e) in
                                                  enumerate(shown)))
            .collect()
        )  # fmt: skip
        out: dict[str, Any] = {"row": pd.Series([r["row"] for r in rows], dtype=object)}
        for i, (name, _) in enumerate(shown):
            convert = _converter(self._df.schema[name].dataType)
            out[name] = pd.Series([convert(r[f"_k{i}"]) for r in rows], dtype=object)
        return pd.DataFrame(out)

    def _bad_sample(self, bad: Any, cols: ScanColumns) -> pd.DataFrame:
        _, fn, _ = _modules()
        rows = (
            bad.orderBy("_ord")
            .limit(SAMPLE_ROWS)
            .select(fn.col("_ord").alias("row"), _col(cols.timestamp).cast("string").alias("_text"))
            .collect()
        )
        return pd.DataFrame(
            {
                "row": pd.Series([r["row"] for r in rows], dtype=object),
                cols.timestamp: pd.Series([r["_text"] for r in rows], dtype=object),
            }
        )


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
def _col(name: str) -> Any:
    """A column by its exact name (dots and spaces are part of the name)."""
    _, fn, _ = _modules()
    return fn.col("`" + name.replace("`", "``") + "`")


def _field_present(name: str) -> Any:
    """A one-argument predicate for ``filter``: the struct field ``name`` is not null."""
    return lambda x: x[name].isNotNull()


def _missing(c: Any, dtype: Any) -> Any:
    """True when a value is missing: null, empty text, or a float NaN."""
    _, fn, _ = _modules()
    kind = _kind(dtype)
    if kind in _TEXT:
        return c.isNull() | (c == "")
    if kind in ("FloatType", "DoubleType"):
        return c.isNull() | fn.isnan(c)
    return c.isNull()


def _text(c: Any, dtype: Any) -> Any:
    """The text of a value (booleans as Python writes them: True / False)."""
    _, fn, _ = _modules()
    kind = _kind(dtype)
    if kind == "BooleanType":
        return fn.when(c, fn.lit("True")).when(~c, fn.lit("False"))
    if kind in _TEXT:
        return c
    return c.cast("string")


def _lookup(session: Any, rows: list[tuple[Any, ...]], schema: str) -> Any:
    """A small lookup table as a Spark DataFrame (values are data, never SQL text)."""
    return session.createDataFrame(rows, schema)


def _wall_micros(ntz: Any) -> Any:
    """Microseconds of a wall-clock time (TIMESTAMP_NTZ) as if it were UTC.

    Built from the calendar fields, which need no time zone: Spark's conversions of
    TIMESTAMP_NTZ to instants (and ``timestampdiff``) go through the session time zone and
    move wall-clock times that fall in its daylight-saving gaps.
    """
    _, fn, _ = _modules()
    return (
        fn.unix_date(ntz.cast("date")).cast("long") * _DAY_US
        + fn.hour(ntz).cast("long") * 3_600_000_000
        + fn.minute(ntz).cast("long") * 60_000_000
        + (fn.extract(fn.lit("SECOND"), ntz) * 1_000_000).cast("long")
    )


def _micros(ts: Any, dtype: Any, name: str) -> tuple[Any, Any, bool]:
    """Microseconds since the epoch, whether each row is an instant, whether text.

    Naive values count as wall-clock time; the result does not depend on the session time
    zone.
    """
    _, fn, _ = _modules()
    kind = _kind(dtype)
    if kind == "TimestampType":
        return fn.unix_micros(ts), fn.lit(True), False
    if kind == "TimestampNTZType":
        return _wall_micros(ts), fn.lit(False), False
    if kind == "DateType":
        return fn.unix_date(ts).cast("long") * _DAY_US, fn.lit(False), False
    if kind in _TEXT:
        aware = ts.rlike(_OFFSET_RE)
        instant = fn.unix_micros(ts.try_cast("timestamp"))
        wall = _wall_micros(ts.try_cast("timestamp_ntz"))
        return fn.when(aware, instant).otherwise(wall), fn.coalesce(aware, fn.lit(False)), True
    if kind in _NUMERIC or kind == "DecimalType":
        raise InputTypeError(
            f"{name} holds numbers ({dtype.simpleString()}), which are ambiguous as times",
            field=name,
            value=dtype.simpleString(),
            hint="Convert them first, e.g. F.timestamp_seconds(col) for Unix seconds "
            "(F = pyspark.sql.functions)",
        )
    raise InputTypeError(
        f"{name} holds values of type {dtype.simpleString()}, which are not timestamps",
        field=name,
        value=dtype.simpleString(),
        hint="Give a timestamp, date or ISO 8601 text column",
    )


def _collectable(c: Any, dtype: Any) -> Any:
    """A column as values that collect the same whatever the session or local time zone."""
    _, fn, _ = _modules()
    kind = _kind(dtype)
    if kind == "TimestampType":
        return fn.unix_micros(c)
    if kind == "TimestampNTZType":
        return _wall_micros(c)
    return c


def _converter(dtype: Any) -> Any:
    kind = _kind(dtype)
    if kind == "TimestampType":
        return lambda v: None if v is None else pd.Timestamp(v, unit="us", tz="UTC")
    if kind == "TimestampNTZType":
        return lambda v: None if v is None else pd.Timestamp(v, unit="us")
    return lambda v: v


def _empty_sample(cols: ScanColumns) -> pd.DataFrame:
    return pd.DataFrame({"row": [], **{c: [] for c in cols.keys}})
