"""SQL pieces of the DuckDB engine (types, quoting, missing values, the outcome cut)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from frictionkit.exceptions import InputTypeError, ValidationError

_FEATURE = "engine='duckdb'"
_NAIVE_TYPES = frozenset(
    {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE", "DATETIME"}
)
_AWARE_TYPES = frozenset({"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMPTZ_NS"})
_TEXT_TYPES = frozenset({"VARCHAR", "TEXT", "STRING"})
_FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE", "REAL"})
_NUMBER = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|"
    r"FLOAT|DOUBLE|REAL|DECIMAL.*|BOOLEAN|VARINT|BIGNUM)$"
)
# text that ends with a UTC offset is an instant (the rule of the in-memory reader)
_OFFSET_RE = r"(Z|[+-]\d{2}:?\d{2})\s*$"
_PARAM = re.compile(r"\$(\w+)")
_PY_BOOL_TRUE = ("True", "TRUE", "true")
_PY_BOOL_FALSE = ("False", "FALSE", "false")


def quote_ident(name: str) -> str:
    """Quote a column or table name for DuckDB SQL (double quotes, inner quotes doubled).

    Examples
    --------
    >>> quote_ident('a b')
    '"a b"'
    """
    return '"' + name.replace('"', '""') + '"'


def _sql_text(expr: str, typ: str) -> str:
    """SQL giving the text of a value as Python's ``str`` would (booleans: True/False)."""
    if typ == "BOOLEAN":
        return f"(CASE WHEN {expr} THEN 'True' WHEN NOT {expr} THEN 'False' END)"
    if typ in _TEXT_TYPES:
        return expr
    return f"CAST({expr} AS VARCHAR)"


def _sql_missing(expr: str, typ: str) -> str:
    """SQL true when a value is missing: null, empty text, or a float NaN."""
    if typ in _TEXT_TYPES:
        return f"({expr} IS NULL OR {expr} = '')"
    if typ in _FLOAT_TYPES:
        return f"({expr} IS NULL OR isnan({expr}))"
    return f"({expr} IS NULL)"


def _python(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, (str, bytes)) else value


def decide_sql(when_both: str) -> str:
    """SQL of the deciding position ``d`` (1-based) of an outcome list ``l`` (null: open)."""
    nz_list = "list_transform(l, lambda x: x <> 0)"
    nz = f"list_position({nz_list}, true)"
    if when_both == "first":
        return nz
    if when_both == "last":
        return "(len(l) + 1 - list_position(list_reverse(" + nz_list + "), true))"
    if when_both in ("success", "failure"):
        pref = 1 if when_both == "success" else 2
        return f"coalesce(list_position(l, {pref}), {nz})"
    raise ValidationError(
        f"when_both must be 'first', 'last', 'success' or 'failure', got {when_both!r}",
        field="when_both",
        value=when_both,
    )


def cut_sql(d: str) -> str:
    """SQL of the cut of an outcome list ``l`` from its deciding position ``d`` (SQL)."""
    rest = f"list_transform(l[{d} + 1:], lambda x: x <> l[{d}])"
    end = f"coalesce({d} + list_position({rest}, true) - 1, len(l))"
    return f"CASE WHEN {d} IS NULL THEN NULL ELSE {end} END"


def source_paths(source: Any) -> tuple[str, list[str]]:
    """The kind (``"csv"`` or ``"parquet"``) and the files of a path source."""
    if isinstance(source, (str, Path)):
        items: list[Any] = [source]
    elif isinstance(source, (list, tuple)) and source:
        items = list(source)
    else:
        raise InputTypeError(
            f"engine='duckdb' reads a path, a list of paths or a DuckDB relation, got "
            f"{type(source).__name__}",
            field="source",
            value=type(source).__name__,
            hint="Pass the path of a Parquet or CSV file, a glob such as "
            "'logs/*.parquet', or a duckdb relation",
        )
    out: list[str] = []
    kinds: set[str] = set()
    for item in items:
        if not isinstance(item, (str, Path)):
            raise InputTypeError(
                f"paths must be text or pathlib.Path, got {type(item).__name__}",
                field="source",
                value=type(item).__name__,
            )
        text = str(item)
        name = text.lower()
        if name.endswith((".csv", ".csv.gz")):
            kinds.add("csv")
        elif name.endswith((".parquet", ".pq")):
            kinds.add("parquet")
        else:
            raise ValidationError(
                f"cannot tell the format of {text!r} from its suffix",
                field="source",
                value=text,
                hint="engine='duckdb' reads .parquet, .csv and .csv.gz files",
            )
        if any(ch in Path(text).name for ch in "*?["):
            import glob

            found = sorted(glob.glob(text))
            if not found:
                raise ValidationError(
                    f"no file matches {text!r}",
                    field="source",
                    value=text,
                    hint="Check the directory and the pattern",
                )
            out.extend(found)
        else:
            if not Path(text).is_file():
                raise ValidationError(
                    f"event log file {text!r} does not exist",
                    field="source",
                    value=text,
                    hint="Check the path (relative paths start at the working directory)",
                )
            out.append(text)
    if len(kinds) > 1 or ("csv" in kinds and len(out) > 1):
        raise ValidationError(
            "engine='duckdb' reads one CSV file, or one or more Parquet files",
            field="source",
            value=out[:3],
            hint="Convert the CSV files to Parquet, or read one at a time",
        )
    kind = kinds.pop()
    return kind, sorted(out) if kind == "parquet" else out


def case_table_sql(events: str, *, value: bool, value_agg: str, n_case_cols: int) -> str:
    """SELECT of one row per case of ``events`` (c, ns, r, tp, eo, [__v], [__a0 ...]).

    Columns: ``tp``, ``eo`` and ``ns``, lists of the case's events in event order (by
    timestamp, then row order); ``v``, the case's value by ``value_agg`` (null without a
    value column); ``__a0`` ..., the first non-null value of each case attribute.

    The events of a case are gathered in one plain list of structs, then sorted: DuckDB
    spills plain list aggregates, not ordered ones (those ran out of memory on 100M events).

    Examples
    --------
    >>> import duckdb
    >>> events = ("SELECT * FROM (VALUES ('a', 20, 0, 1, 0), ('a', 10, 1, 2, 1)) "
    ...           "t(c, ns, r, tp, eo)")
    >>> sql = case_table_sql(events, value=False, value_agg="last", n_case_cols=0)
    >>> duckdb.sql(sql).fetchall()
    [([2, 1], [1, 0], [10, 20], None)]
    """
    names = [f"__a{i}" for i in range(n_case_cols)]
    fields = ["ns", "r", "tp", "eo"] + (["__v"] if value else [])
    packed = ", ".join(f"{f} := {f}" for f in fields + names)
    per_case = [
        "list_transform(l, lambda x: CAST(x.tp AS INTEGER)) AS tp",
        "list_transform(l, lambda x: CAST(x.eo AS TINYINT)) AS eo",
        "list_transform(l, lambda x: x.ns) AS ns",
    ]
    if value:
        per_case.append(
            {
                "last": "list_filter(l, lambda x: x.__v IS NOT NULL)[-1].__v",
                "first": "list_filter(l, lambda x: x.__v IS NOT NULL)[1].__v",
                "sum": "v_sum",
                "max": "v_max",
            }[value_agg]
            + " AS v"
        )
    else:
        per_case.append("CAST(NULL AS DOUBLE) AS v")
    per_case += [f"list_filter(l, lambda x: x.{a} IS NOT NULL)[1].{a} AS {a}" for a in names]
    extra = ", sum(__v) AS v_sum, max(__v) AS v_max" if value else ""
    return (
        f"WITH e AS ({events}), "
        f"k AS (SELECT list_sort(list(struct_pack({packed}))) AS l{extra} FROM e GROUP BY c) "
        f"SELECT {', '.join(per_case)} FROM k"
    )


def pairs_sql(cases: str, when_both: str) -> str:
    """SELECT of the pairs of consecutive events from the per-case table ``cases``.

    Columns ``src``, ``dst`` (touchpoint codes), ``dt`` (nanoseconds) and ``kept``: the
    events at positions ``i`` and ``i + 1`` (1-based) of a case's lists; the pair counts in
    the dwell when ``i`` is before the cut of a decided journey (see :func:`decide_sql`
    and :func:`cut_sql`; the deciding position is computed once per case).

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE k AS SELECT [0, 1, 2] AS tp, CAST([0, 1, 0] AS "
    ...                 "TINYINT[]) AS eo, [0, 5, 15]::BIGINT[] AS ns")
    >>> con.sql(pairs_sql("k", "first")).fetchall()
    [(0, 1, 5, True), (1, 2, 10, False)]
    """
    return (
        "SELECT src, dst, t1 - t0 AS dt, coalesce(i < stop, false) AS kept FROM ("
        "SELECT unnest(list_slice(tp, 1, len(tp) - 1)) AS src, "
        "unnest(list_slice(tp, 2, len(tp))) AS dst, "
        "unnest(list_slice(ns, 1, len(ns) - 1)) AS t0, "
        "unnest(list_slice(ns, 2, len(ns))) AS t1, "
        "unnest(range(1, len(tp))) AS i, stop FROM ("
        f"SELECT tp, ns, {cut_sql('d')} AS stop FROM ("
        f"SELECT tp, ns, l, {decide_sql(when_both)} AS d "
        f"FROM (SELECT tp, ns, eo AS l FROM {cases} WHERE len(tp) > 1))))"
    )
