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


def end_sql(when_both: str) -> str:
    """SQL of the cut ``end`` (0-based, exclusive) of a journey's outcome list ``l``.

    Null for open journeys. ``d`` is 1-based here (DuckDB lists).
    """
    nz_list = "list_transform(l, lambda x: x <> 0)"
    nz = f"list_position({nz_list}, true)"
    if when_both == "first":
        d = nz
    elif when_both == "last":
        d = "(len(l) + 1 - list_position(list_reverse(" + nz_list + "), true))"
    elif when_both in ("success", "failure"):
        pref = 1 if when_both == "success" else 2
        d = f"coalesce(list_position(l, {pref}), {nz})"
    else:
        raise ValidationError(
            f"when_both must be 'first', 'last', 'success' or 'failure', got {when_both!r}",
            field="when_both",
            value=when_both,
        )
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
