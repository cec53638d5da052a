"""The DuckDB engine: the three reductions of the evidence step as SQL run by DuckDB.

DuckDB reads Parquet and CSV files (or a relation) where they are and runs the reductions
of :mod:`frictionkit.events._engine` out of core: with ``memory_limit`` and
``temp_directory`` it spills sorts, windows and aggregations to disk, so a log larger than
memory is reduced to small tables without ever reaching Python as rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from frictionkit._compat import require
from frictionkit.events._duckdb_sql import (
    _AWARE_TYPES,
    _FEATURE,
    _NAIVE_TYPES,
    _NUMBER,
    _OFFSET_RE,
    _PARAM,
    _PY_BOOL_FALSE,
    _PY_BOOL_TRUE,
    _TEXT_TYPES,
    _python,
    _sql_missing,
    _sql_text,
    case_table_sql,
    pairs_sql,
    quote_ident,
    source_paths,
)
from frictionkit.events._engine import (
    SAMPLE_ROWS,
    Coding,
    Engine,
    Profile,
    ScanColumns,
    Timings,
)
from frictionkit.events._readers import _DEFAULT_NA
from frictionkit.exceptions import DataError, InputTypeError, ValidationError

__all__ = ["DuckDBEngine"]


class DuckDBEngine(Engine):
    r"""Run the evidence reductions in DuckDB, on files or a relation, out of core.

    Parameters
    ----------
    source : str, pathlib.Path, list of paths, or duckdb.DuckDBPyRelation
        A Parquet file (``.parquet``), a CSV file (``.csv``, ``.csv.gz``), a glob of
        Parquet files (``"logs/*.parquet"``) or a list of Parquet paths; or a DuckDB
        relation (then give ``order_col``, see Notes).
    connection : duckdb.DuckDBPyConnection, optional
        The connection to run on. For a path, a new in-memory connection is opened when
        none is given; for a relation, the relation's own connection is used.
    memory_limit : str, optional
        DuckDB's ``memory_limit`` (e.g. ``"3GB"``): beyond it, DuckDB spills to disk.
    threads : int, optional
        DuckDB's ``threads``.
    temp_directory : str or pathlib.Path, optional
        Where DuckDB spills (``temp_directory``).

    Notes
    -----
    *Row order* (the tie-break of equal timestamps within a case, unless ``order_col`` is
    given): Parquet files are read in their row order (``file_row_number``); several files
    are taken in sorted path order, one after the other, so the row of an event is its
    position in that concatenation. CSV files are read in line order (row 0 is the first
    line after the header). A relation has no defined order, so ``order_col`` is required
    (add one when you build it, e.g. ``row_number() OVER ()`` over an ordered read).

    *Timestamps*: ``TIMESTAMP`` (any precision) and ``DATE`` columns are naive wall-clock
    times, kept as written; ``TIMESTAMP WITH TIME ZONE`` values are instants, in UTC
    nanoseconds. Text is ISO 8601: a value ending with a UTC offset (``Z``, ``+01:00``,
    ``+0100``) is an instant (microsecond precision), any other value is naive (nanosecond
    precision). Numbers are refused as ambiguous. Connections the engine opens use the
    ``UTC`` time zone; no result depends on the session time zone.

    *CSV*: the case id and touchpoint columns are read as text exactly as written (``NA``
    and ``007`` are ids; only an empty field is missing), like the in-memory reader. In
    the other columns the usual missing-value markers (``NA``, ``null``, ``NaN`` ...) are
    missing, and each column used is typed as pandas would type it: booleans
    (``True``/``False``), then integers (floats when a value is missing), then floats,
    else text.

    *Labels*: touchpoints, stages and case attributes are labelled by their text
    (``CAST(... AS VARCHAR)``), which equals Python's ``str`` for text, integers, floats,
    dates and timestamps; booleans are labelled ``True`` / ``False`` as in Python.

    Examples
    --------
    >>> import os, tempfile
    >>> from frictionkit.events._engine import ScanColumns
    >>> text = "case,step,time\na,visit,2024-01-01\na,buy,2024-01-02\nb,visit,2024-01-01\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = os.path.join(d, "log.csv")
    ...     with open(path, "w") as fh:
    ...         _ = fh.write(text)
    ...     engine = DuckDBEngine(path, memory_limit="1GB", threads=1)
    ...     prof = engine.profile(ScanColumns(case="case", touchpoint="step", timestamp="time"))
    >>> prof.n_rows, prof.n_cases, prof.touchpoints["label"].tolist()
    (3, 2, ['buy', 'visit'])
    """

    name: ClassVar[str] = "duckdb"

    def __init__(
        self,
        source: Any,
        *,
        connection: Any = None,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | Path | None = None,
    ) -> None:
        duckdb = require("duckdb", extra="duckdb", feature=_FEATURE)
        self._view = f"__fk_src_{uuid.uuid4().hex}"
        self._offsets: str | None = None
        self._cases: tuple[tuple[Any, ...], str] | None = None
        self._added: tuple[str, ...] = ()
        self._csv_types: dict[str, str] = {}
        if isinstance(source, duckdb.DuckDBPyRelation):
            self._kind = "relation"
            own = getattr(source, "_con", None)
            con = connection if connection is not None else own
            if con is None:
                raise ValidationError(
                    "cannot tell the connection of this DuckDB relation",
                    field="connection",
                    value=None,
                    hint="Pass connection= (the connection the relation was made on)",
                )
            self._con = con
            self._settings(memory_limit, threads, temp_directory, own=False)
            source.create_view(self._view)
            try:
                self._con.execute(f"SELECT * FROM {quote_ident(self._view)} LIMIT 0").fetchall()
            except duckdb.Error as err:
                raise ValidationError(
                    "the DuckDB relation belongs to another connection than connection=",
                    field="connection",
                    value=None,
                    hint="Pass the connection the relation was made on, or none",
                ) from err
            self._describe()
            return
        self._kind, paths = source_paths(source)
        opened = connection is None
        self._con = duckdb.connect() if opened else connection
        self._settings(memory_limit, threads, temp_directory, own=opened)
        if self._kind == "csv":
            rel = self._con.read_csv(paths[0], header=True, all_varchar=True)
            rel.create_view(self._view)
        else:
            rel = self._con.read_parquet(paths, file_row_number=True, filename=len(paths) > 1)
            rel.create_view(self._view)
            self._added = ("file_row_number",) + (("filename",) if len(paths) > 1 else ())
            if len(paths) > 1:
                self._file_offsets(paths)
        self._describe()

    # -- setup -----------------------------------------------------------------
    def _settings(
        self,
        memory_limit: str | None,
        threads: int | None,
        temp_directory: str | Path | None,
        *,
        own: bool,
    ) -> None:
        if own:
            self._con.execute("SET TimeZone = 'UTC'")
        if memory_limit is not None:
            limit: Any = memory_limit
            if not isinstance(limit, str):
                raise InputTypeError(
                    f"memory_limit must be text such as '3GB', got {memory_limit!r}",
                    field="memory_limit",
                    value=memory_limit,
                )
            try:
                self._con.execute("SET memory_limit = $m", {"m": memory_limit})
            except require("duckdb", extra="duckdb", feature=_FEATURE).Error as err:
                raise ValidationError(
                    f"memory_limit={memory_limit!r} is not a memory size: "
                    f"{str(err).strip().splitlines()[0] if str(err).strip() else err}",
                    field="memory_limit",
                    value=memory_limit,
                    hint="Give a size such as '2GB', '500MB' or '80%'",
                ) from err
        if threads is not None:
            given: Any = threads
            if not isinstance(given, int) or isinstance(given, bool) or given < 1:
                raise ValidationError(
                    f"threads must be a positive integer, got {threads!r}",
                    field="threads",
                    value=threads,
                )
            self._con.execute("SET threads = $t", {"t": int(threads)})
        if temp_directory is not None:
            self._con.execute("SET temp_directory = $d", {"d": str(temp_directory)})

    def _file_offsets(self, paths: list[str]) -> None:
        counts = dict(
            self._con.execute(
                f"SELECT filename, count(*) FROM {quote_ident(self._view)} GROUP BY filename"
            ).fetchall()
        )
        start = np.concatenate(([0], np.cumsum([int(counts.get(p, 0)) for p in paths])[:-1]))
        self._offsets = f"__fk_off_{uuid.uuid4().hex}"
        self._con.register(
            self._offsets,
            pd.DataFrame({"filename": pd.Series(paths, dtype=object), "start": start}),
        )

    def _describe(self) -> None:
        rows = self._con.execute(f"DESCRIBE SELECT * FROM {quote_ident(self._view)}").fetchall()
        self._types: dict[str, str] = {str(r[0]): str(r[1]).upper() for r in rows}

    # -- helpers -----------------------------------------------------------------
    def _run(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        used = set(_PARAM.findall(sql))
        bound = {k: v for k, v in (params or {}).items() if k in used}
        return self._con.execute(sql, bound) if bound else self._con.execute(sql)

    def _one(self, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...]:
        """The single row of a query (fetched to the end, as DuckDB requires)."""
        rows = self._run(sql, params).fetchall()
        return tuple(rows[0])

    def _df(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """A small query result as a DataFrame of Python objects."""
        result = self._run(sql, params)
        rows = result.fetchall()
        names = [d[0] for d in result.description]
        return pd.DataFrame(
            {n: pd.Series([r[i] for r in rows], dtype=object) for i, n in enumerate(names)}
        )

    @contextmanager
    def _registered(self, frame: pd.DataFrame) -> Iterator[str]:
        name = f"__fk_lut_{uuid.uuid4().hex}"
        self._con.register(name, frame)
        try:
            yield name
        finally:
            self._con.unregister(name)

    def columns(self) -> list[str]:
        """Column names of the source (without the row numbers the engine adds).

        Examples
        --------
        >>> import duckdb
        >>> con = duckdb.connect()
        >>> DuckDBEngine(con.sql("SELECT 1 AS a, 2 AS b"), connection=con).columns()
        ['a', 'b']
        """
        return [c for c in self._types if c not in self._added]

    def _check_cols(self, cols: ScanColumns) -> None:
        if self._kind == "relation" and cols.order is None:
            raise ValidationError(
                "a DuckDB relation has no defined row order: order_col is required",
                field="order_col",
                value=None,
                hint="Add an order column when building the relation, e.g. "
                "SELECT *, row_number() OVER () AS row_id FROM read_csv(...), "
                "and pass order_col='row_id'",
            )
        keys = (cols.case, cols.touchpoint, cols.outcome, cols.stage, *cols.case_cols)
        for col in keys:
            typ = self._col_type(col) if col is not None else ""
            if typ.endswith("]") or typ.startswith(("STRUCT", "MAP", "UNION")):
                raise DataError(
                    f"{col} holds {typ} values (lists or records), not single ids or names",
                    field=col,
                    value=typ,
                    hint="Give one id or name per cell, e.g. unnest the list first",
                )
        ts_type = self._col_type(cols.timestamp)
        if ts_type in _TEXT_TYPES or ts_type in _NAIVE_TYPES or ts_type in _AWARE_TYPES:
            return
        if _NUMBER.match(ts_type):
            raise InputTypeError(
                f"{cols.timestamp} holds numbers ({ts_type}), which are ambiguous as times",
                field=cols.timestamp,
                value=ts_type,
                hint="Convert them first, e.g. to_timestamp(col) for Unix seconds",
            )
        raise InputTypeError(
            f"{cols.timestamp} holds {ts_type} values, which are not timestamps",
            field=cols.timestamp,
            value=ts_type,
            hint="Give timestamps as TIMESTAMP, TIMESTAMPTZ, DATE or ISO 8601 text",
        )

    def _col_type(self, col: str) -> str:
        return self._types.get(col, "VARCHAR")

    def _csv_infer(self, cols: Sequence[str]) -> None:
        """Type CSV columns as pandas would (bool, int, float when missing, else text)."""
        todo = [c for c in dict.fromkeys(cols) if c not in self._csv_types]
        if not todo:
            return
        parts = []
        params: dict[str, Any] = {"na": list(_DEFAULT_NA)}
        params |= {"bt": list(_PY_BOOL_TRUE + _PY_BOOL_FALSE)}
        for i, c in enumerate(todo):
            v = self._csv_value(c)
            parts.append(
                f"bool_and({v} IS NULL OR {v} IN (SELECT unnest($bt))) AS b{i}, "
                f"bool_and({v} IS NULL OR TRY_CAST({v} AS BIGINT) IS NOT NULL) AS i{i}, "
                f"bool_and({v} IS NULL OR TRY_CAST({v} AS DOUBLE) IS NOT NULL) AS f{i}, "
                f"count({v}) AS n{i}, count(*) AS r{i}"
            )
        row = self._one(f"SELECT {', '.join(parts)} FROM {quote_ident(self._view)}", params)
        for i, c in enumerate(todo):
            b, n_int, f, n, rows = row[5 * i : 5 * i + 5]
            if n == 0:
                typ = "DOUBLE"
            elif b:
                typ = "BOOLEAN"
            elif n_int:
                typ = "BIGINT" if n == rows else "DOUBLE"
            elif f:
                typ = "DOUBLE"
            else:
                typ = "VARCHAR"
            self._csv_types[c] = typ

    def _csv_value(self, col: str) -> str:
        """A CSV column with the missing-value markers as null (text)."""
        q = quote_ident(col)
        return f"(CASE WHEN {q} IN (SELECT unnest($na)) THEN NULL ELSE {q} END)"

    def _typed(self, col: str) -> tuple[str, str]:
        """SQL of a non-key column and its type (CSV columns typed as pandas would)."""
        if self._kind != "csv":
            return quote_ident(col), self._col_type(col)
        typ = self._csv_types[col]
        v = self._csv_value(col)
        if typ == "BOOLEAN":
            return f"({v} IN (SELECT unnest($bt_true)))", typ
        return f"TRY_CAST({v} AS {typ})", typ

    def _base(self, cols: ScanColumns) -> tuple[str, dict[str, Any]]:
        """SELECT of the standard columns of every row (``__m``: a key is missing)."""
        self._check_cols(cols)
        extra = [
            c
            for c in (cols.order, cols.outcome, cols.stage, cols.value, *cols.case_cols)
            if c is not None and c not in (cols.case, cols.touchpoint, cols.timestamp)
        ]
        params: dict[str, Any] = {
            "na": list(_DEFAULT_NA),
            "bt": list(_PY_BOOL_TRUE + _PY_BOOL_FALSE),
            "bt_true": list(_PY_BOOL_TRUE),
        }
        if self._kind == "csv":
            self._csv_infer(extra)
        case_t, tp_t = self._col_type(cols.case), self._col_type(cols.touchpoint)
        case, tp = quote_ident(cols.case), quote_ident(cols.touchpoint)
        if self._kind == "csv":
            ts, ts_t = self._csv_value(cols.timestamp), "VARCHAR"
        else:
            ts, ts_t = quote_ident(cols.timestamp), self._col_type(cols.timestamp)
        sel = [
            f"{case} AS __c",
            f"{_sql_missing(case, case_t)} AS __cm",
            f"{_sql_text(tp, tp_t)} AS __tp",
            f"{_sql_missing(tp, tp_t)} AS __tpm",
            f"{tp} AS __tp_raw",
            f"{ts} AS __ts",
            f"{_sql_missing(ts, ts_t)} AS __tsm",
        ]
        if ts_t in _TEXT_TYPES:
            sel.append(f"regexp_matches({ts}, '{_OFFSET_RE}') AS __aware")
            sel.append(
                f"CASE WHEN regexp_matches({ts}, '{_OFFSET_RE}') "
                f"THEN epoch_ns(TRY_CAST({ts} AS TIMESTAMPTZ)) "
                f"ELSE epoch_ns(TRY_CAST({ts} AS TIMESTAMP_NS)) END AS __ns"
            )
        else:
            sel.append(f"{'true' if ts_t in _AWARE_TYPES else 'false'} AS __aware")
            sel.append(f"epoch_ns({ts}) AS __ns")
        if cols.order is not None:
            sel.append(f"{self._typed(cols.order)[0]} AS __r")
        elif self._kind == "csv":
            sel.append("row_number() OVER () - 1 AS __r")
        elif self._offsets is not None:
            sel.append("__o.start + file_row_number AS __r")
        else:
            sel.append("file_row_number AS __r")
        if cols.outcome is not None:
            o, o_t = self._typed(cols.outcome)
            sel.append(f"CASE WHEN {_sql_missing(o, o_t)} THEN NULL ELSE {o} END AS __o")
        if cols.stage is not None:
            s, s_t = self._typed(cols.stage)
            sel.append(
                f"CASE WHEN {_sql_missing(s, s_t)} THEN NULL ELSE {_sql_text(s, s_t)} END AS __s"
            )
        if cols.value is not None:
            v, v_t = self._typed(cols.value)
            num = f"TRY_CAST({v} AS DOUBLE)"
            sel.append(f"CASE WHEN isnan({num}) THEN NULL ELSE {num} END AS __v")
            bad = f"({num} IS NULL OR NOT isfinite({num}))"
            sel.append(f"(NOT {_sql_missing(v, v_t)} AND {bad}) AS __vbad")
        for i, c in enumerate(cols.case_cols):
            a, a_t = self._typed(c)
            sel.append(
                f"CASE WHEN {_sql_missing(a, a_t)} THEN NULL ELSE {_sql_text(a, a_t)} END AS __a{i}"
            )
        src = quote_ident(self._view)
        if self._offsets is not None and cols.order is None:
            src += f" JOIN {quote_ident(self._offsets)} AS __o USING (filename)"
        inner = f"SELECT {', '.join(sel)} FROM {src}"
        return f"SELECT *, (__cm OR __tpm OR __tsm) AS __m FROM ({inner})", params

    def _outcome_type(self, cols: ScanColumns) -> str:
        assert cols.outcome is not None
        if self._kind == "csv":
            return self._csv_types[cols.outcome]
        return self._col_type(cols.outcome)

    # -- reductions --------------------------------------------------------------
    def profile(self, cols: ScanColumns) -> Profile:
        """Sizes, missing keys, distinct labels and timestamp problems.

        See :class:`frictionkit.events._engine.Profile`.

        Examples
        --------
        >>> import duckdb
        >>> from frictionkit.events._engine import ScanColumns
        >>> con = duckdb.connect()
        >>> rel = con.sql("SELECT * FROM (VALUES (1, 'a', 'x', '2024-01-01'), "
        ...               "(2, 'a', '', '2024-01-02')) t(r, c, tp, ts)")
        >>> p = DuckDBEngine(rel, connection=con).profile(
        ...     ScanColumns(case="c", touchpoint="tp", timestamp="ts", order="r"))
        >>> p.n_rows, p.n_missing, p.missing_sample["row"].tolist()
        (2, 1, [2])
        """
        base, params = self._base(cols)
        kept = f"SELECT * FROM ({base})" + (" WHERE NOT __m" if cols.drop_missing else "")
        n_rows, n_missing = self._one(
            f"SELECT count(*), count(*) FILTER (WHERE __m) FROM ({base})", params
        )
        sample = self._df(
            f"SELECT __r AS row, __c, __tp_raw, __ts FROM ({base}) WHERE __m "
            f"ORDER BY __r LIMIT {SAMPLE_ROWS}",
            params,
        )
        sample.columns = ["row", cols.case, cols.touchpoint, cols.timestamp]
        touchpoints = self._df(
            f"SELECT __tp AS label, count(*) AS events FROM ({kept}) WHERE NOT __tpm "
            "GROUP BY __tp ORDER BY __tp",
            params,
        )
        touchpoints["label"] = touchpoints["label"].astype(object)
        touchpoints["events"] = touchpoints["events"].astype(np.int64)
        n_cases = self._one(f"SELECT count(DISTINCT __c) FROM ({kept}) WHERE NOT __cm", params)[0]
        outcome_values = None
        if cols.outcome is not None:
            rows = self._run(
                f"SELECT __o, count(*) FROM ({kept}) WHERE __o IS NOT NULL GROUP BY __o "
                "ORDER BY count(*) DESC, CAST(__o AS VARCHAR)",
                params,
            ).fetchall()
            outcome_values = pd.DataFrame(
                {
                    "value": pd.Series([r[0] for r in rows], dtype=object),
                    "events": np.array([r[1] for r in rows], dtype=np.int64),
                }
            )
        stages = None
        if cols.stage is not None:
            stages = self._df(
                f"SELECT __tp AS touchpoint, __s AS stage, count(*) AS events FROM ({kept}) "
                "WHERE __s IS NOT NULL AND NOT __tpm GROUP BY __tp, __s ORDER BY __tp, __s",
                params,
            )
            stages["touchpoint"] = stages["touchpoint"].astype(object)
            stages["stage"] = stages["stage"].astype(object)
            stages["events"] = stages["events"].astype(np.int64)
        aware, n_bad, bad_sample, reason = self._time_profile(cols, kept, params)
        n_bad_value = 0
        if cols.value is not None:
            n_bad_value = self._one(f"SELECT count(*) FROM ({kept}) WHERE __vbad", params)[0]
        return Profile(
            n_bad_value=int(n_bad_value),
            n_rows=int(n_rows),
            n_missing=int(n_missing),
            missing_sample=sample,
            touchpoints=touchpoints,
            n_cases=int(n_cases),
            outcome_values=outcome_values,
            stages=stages,
            timezone_aware=aware,
            n_bad_time=n_bad,
            bad_time_sample=bad_sample,
            bad_time_reason=reason,
        )

    def _time_profile(
        self, cols: ScanColumns, kept: str, params: dict[str, Any]
    ) -> tuple[bool, int, pd.DataFrame, str]:
        ts_t = "VARCHAR" if self._kind == "csv" else self._col_type(cols.timestamp)
        empty = pd.DataFrame({"row": pd.Series([], dtype=np.int64), cols.timestamp: []})
        if ts_t not in _TEXT_TYPES:
            return ts_t in _AWARE_TYPES, 0, empty, ""
        n_unparse, n_aware, n_naive = self._one(
            "SELECT count(*) FILTER (WHERE __ns IS NULL), "
            "count(*) FILTER (WHERE __ns IS NOT NULL AND __aware), "
            "count(*) FILTER (WHERE __ns IS NOT NULL AND NOT __aware) "
            f"FROM ({kept}) WHERE NOT __tsm",
            params,
        )
        aware = n_aware > 0 and n_aware >= n_naive
        if n_unparse:
            where, n, reason = "__ns IS NULL", int(n_unparse), "unparseable"
        elif n_aware and n_naive:
            where = "NOT __aware" if aware else "__aware"
            n, reason = int(min(n_aware, n_naive)), "mixed"
        else:
            return aware, 0, empty, ""
        sample = self._df(
            f"SELECT __r AS row, CAST(__ts AS VARCHAR) AS ts FROM ({kept}) "
            f"WHERE NOT __tsm AND {where} ORDER BY __r LIMIT {SAMPLE_ROWS}",
            params,
        )
        sample.columns = ["row", cols.timestamp]
        return aware, n, sample, reason

    def _events(
        self, cols: ScanColumns, coding: Coding, tp_lut: str, stack: list[str]
    ) -> tuple[str, dict[str, Any]]:
        """SELECT of the coded events of the kept rows: c, ns, r, tp, eo (+ __v, __a*)."""
        base, params = self._base(cols)
        joins = f" JOIN {quote_ident(tp_lut)} AS __t ON b.__tp = __t.label"
        eo = "0"
        if cols.outcome is not None and coding.outcome_by_value is not None:
            typ = self._outcome_type(cols)
            values = []
            for i, (v, e) in enumerate(
                zip(coding.outcome_by_value["value"], coding.outcome_by_value["eo"], strict=True)
            ):
                v = _python(v)
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    continue
                params[f"ov{i}"] = v
                params[f"oe{i}"] = int(e)
                values.append(f"(TRY_CAST($ov{i} AS {typ}), CAST($oe{i} AS INTEGER))")
            if values:
                lut = f"(SELECT * FROM (VALUES {', '.join(values)}) AS l(v, eo))"
                joins += f" LEFT JOIN {lut} AS __ol ON b.__o = __ol.v"
                eo = "coalesce(__ol.eo, 0)"
        elif cols.outcome is None and coding.outcome_by_touchpoint is not None:
            frame = pd.DataFrame(
                {
                    "code": coding.outcome_by_touchpoint["code"].to_numpy(dtype=np.int64),
                    "eo": coding.outcome_by_touchpoint["eo"].to_numpy(dtype=np.int64),
                }
            )
            name = f"__fk_lut_{uuid.uuid4().hex}"
            self._con.register(name, frame)
            stack.append(name)
            joins += f" LEFT JOIN {quote_ident(name)} AS __ot ON __t.code = __ot.code"
            eo = "coalesce(__ot.eo, 0)"
        extra = "".join(
            [", b.__v" if cols.value is not None else ""]
            + [f", b.__a{i}" for i in range(len(cols.case_cols))]
        )
        sql = (
            f"SELECT b.__c AS c, b.__ns AS ns, b.__r AS r, CAST(__t.code AS BIGINT) AS tp, "
            f"CAST({eo} AS INTEGER) AS eo{extra} FROM ({base}) AS b{joins} WHERE NOT b.__m"
        )
        return sql, params

    def _tp_lut(self, coding: Coding) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "label": pd.Series(
                    [str(x) for x in coding.touchpoints["label"]], dtype=object
                ).astype("str"),
                "code": coding.touchpoints["code"].to_numpy(dtype=np.int64),
            }
        )

    def _case_key(self, cols: ScanColumns, coding: Coding) -> tuple[Any, ...]:
        """What the per-case table depends on (the touchpoint stages do not matter)."""

        def rows(frame: pd.DataFrame | None) -> tuple[str, ...]:
            if frame is None:
                return ()
            return tuple(repr(tuple(map(_python, r))) for r in frame.itertuples(index=False))

        return (
            cols,
            rows(coding.touchpoints),
            rows(coding.outcome_by_value),
            rows(coding.outcome_by_touchpoint),
        )

    def _case_table(self, cols: ScanColumns, coding: Coding, *, reuse: bool) -> str:
        """A temporary table with one row per case of the kept events, in event order.

        Columns: ``tp`` (INTEGER list), ``eo`` (TINYINT list) and ``ns`` (BIGINT list) of
        the case's events sorted by (timestamp, row order); ``v``, the case's value by
        ``cols.value_agg`` (null without ``cols.value``); ``__a0`` ... the first non-null
        value of each case attribute. One pass over the events serves both
        :meth:`variants` and :meth:`timings`: :meth:`variants` builds it (``reuse=False``)
        and :meth:`timings` takes it over when it was built for the same columns and
        coding, else builds its own; :meth:`release` drops it.
        """
        key = self._case_key(cols, coding)
        if reuse and self._cases is not None and self._cases[0] == key:
            return self._cases[1]
        self.release()
        name = f"__fk_cases_{uuid.uuid4().hex}"
        stack: list[str] = []
        try:
            with self._registered(self._tp_lut(coding)) as tp_lut:
                events, params = self._events(cols, coding, tp_lut, stack)
                sql = case_table_sql(
                    events,
                    value=cols.value is not None,
                    value_agg=cols.value_agg,
                    n_case_cols=len(cols.case_cols),
                )
                self._run(f"CREATE TEMP TABLE {quote_ident(name)} AS {sql}", params)
        finally:
            for lut in stack:
                self._con.unregister(lut)
        self._cases = (key, name)
        return name

    def release(self) -> None:
        """Drop the per-case table kept between :meth:`variants` and :meth:`timings`.

        Examples
        --------
        >>> import duckdb
        >>> con = duckdb.connect()
        >>> DuckDBEngine(con.sql("SELECT 1 AS a"), connection=con).release()
        """
        if self._cases is not None:
            name = self._cases[1]
            self._cases = None
            self._con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")

    def variants(self, cols: ScanColumns, coding: Coding) -> Any:
        """One row per distinct journey variant (see :meth:`Engine.variants`).

        Returned as a pyarrow Table whose ``tp`` and ``eo`` are list columns, so millions
        of variants reach Python as flat arrays, not as Python lists.

        The journeys are grouped by case first (lists in event order, kept in a temporary
        table that :meth:`timings` reads too), then by the lists, so DuckDB holds one list
        per case at most and spills beyond its memory limit.

        Examples
        --------
        >>> import duckdb, pandas as pd
        >>> from frictionkit.events._engine import Coding, ScanColumns
        >>> con = duckdb.connect()
        >>> rel = con.sql("SELECT * FROM (VALUES (0, 'a', 'x', '2024-01-01'), "
        ...               "(1, 'a', 'y', '2024-01-01'), (2, 'b', 'x', '2024-01-02')) "
        ...               "t(r, c, tp, ts)")
        >>> coding = Coding(touchpoints=pd.DataFrame({"label": ["x", "y"], "code": [0, 1]}))
        >>> v = DuckDBEngine(rel, connection=con).variants(
        ...     ScanColumns(case="c", touchpoint="tp", timestamp="ts", order="r"), coding)
        >>> sorted(zip(map(tuple, v["tp"].to_pylist()), v["journeys"].to_pylist()))
        [((0,), 1), ((0, 1), 1)]
        """
        cases = quote_ident(self._case_table(cols, coding, reuse=False))
        names = [f"__a{i}" for i in range(len(cols.case_cols))]
        group = ", ".join(["tp", "eo", *names])
        out_attrs = "".join(
            f", {a} AS {quote_ident(c)}" for a, c in zip(names, cols.case_cols, strict=True)
        )
        return self._arrow(
            "SELECT tp, eo, count(*) AS journeys, coalesce(sum(v), 0.0) AS value_sum, "
            f"count(v) AS value_n{out_attrs} FROM {cases} GROUP BY {group}",
            {},
        )

    def _arrow(self, sql: str, params: dict[str, Any]) -> Any:
        """A query result as a pyarrow Table (no Python object per value)."""
        require("pyarrow", extra="duckdb", feature=_FEATURE)
        used = set(_PARAM.findall(sql))
        rel = self._con.sql(sql, params={k: v for k, v in params.items() if k in used})
        return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()

    def timings(self, cols: ScanColumns, coding: Coding) -> Timings:
        """Quantiles of times between consecutive events (see :class:`Timings`).

        Examples
        --------
        >>> import duckdb, pandas as pd
        >>> from frictionkit.events._engine import Coding, ScanColumns
        >>> con = duckdb.connect()
        >>> rel = con.sql("SELECT * FROM (VALUES (0, 'a', 'x', '2024-01-01 00:00:00'), "
        ...               "(1, 'a', 'y', '2024-01-01 00:00:10')) t(r, c, tp, ts)")
        >>> coding = Coding(touchpoints=pd.DataFrame({"label": ["x", "y"], "code": [0, 1]}),
        ...                 touchpoint_stage=np.array([0, 0]))
        >>> t = DuckDBEngine(rel, connection=con).timings(
        ...     ScanColumns(case="c", touchpoint="tp", timestamp="ts", order="r"), coding)
        >>> t.transitions["median_ns"].tolist()
        [10000000000.0]
        """
        pairs = f"__fk_pairs_{uuid.uuid4().hex}"
        stage = pd.DataFrame(
            {
                "code": np.arange(len(coding.touchpoint_stage), dtype=np.int64),
                "stage": np.asarray(coding.touchpoint_stage, dtype=np.int64),
            }
        )
        try:
            cases = quote_ident(self._case_table(cols, coding, reuse=True))
            sql = pairs_sql(cases, coding.when_both)
            self._run(f"CREATE TEMP TABLE {quote_ident(pairs)} AS {sql}")
            self.release()
            with self._registered(stage) as stage_lut:
                q = quote_ident(pairs)
                trans = self._run(
                    f"SELECT src, dst, quantile_cont(dt, [0.5, 0.95]) FROM {q} "
                    "GROUP BY src, dst ORDER BY src, dst"
                ).fetchall()
                dwell = self._run(
                    f"SELECT src, quantile_cont(dt, [0.5, 0.95]) FROM {q} WHERE kept "
                    "GROUP BY src ORDER BY src"
                ).fetchall()
                st = self._run(
                    f"SELECT l.stage, quantile_cont(p.dt, 0.5) FROM {q} AS p "
                    f"JOIN {quote_ident(stage_lut)} AS l ON p.src = l.code WHERE p.kept "
                    "GROUP BY l.stage ORDER BY l.stage"
                ).fetchall()
        finally:
            self._con.execute(f"DROP TABLE IF EXISTS {quote_ident(pairs)}")
            self.release()

        def qs(rows: list[Any], i: int, j: int) -> np.ndarray:
            return np.array([float(r[i][j]) for r in rows], dtype=float)

        return Timings(
            transitions=pd.DataFrame(
                {
                    "src": np.array([r[0] for r in trans], dtype=np.int64),
                    "dst": np.array([r[1] for r in trans], dtype=np.int64),
                    "median_ns": qs(trans, 2, 0),
                    "p95_ns": qs(trans, 2, 1),
                }
            ),
            dwell=pd.DataFrame(
                {
                    "tp": np.array([r[0] for r in dwell], dtype=np.int64),
                    "median_ns": qs(dwell, 1, 0),
                    "p95_ns": qs(dwell, 1, 1),
                }
            ),
            stage_dwell=pd.DataFrame(
                {
                    "stage": np.array([r[0] for r in st], dtype=np.int64),
                    "median_ns": np.array([float(r[1]) for r in st], dtype=float),
                }
            ),
        )
