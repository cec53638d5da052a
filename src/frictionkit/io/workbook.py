"""Workbooks: a journey kept in spreadsheets.

A workbook is either a folder of CSV files or one Excel file, with one table per entity
kind (``stages``, ``touchpoints``, ``personas``, ``owners``, ``pain_points``,
``improvements``) and an optional ``journey`` table of ``key, value`` rows (``version``,
``name``). Columns are those of :meth:`frictionkit.Journey.to_frames`; lists of ids are
comma-separated; estimates use the shorthand (``2..4..12``, ``M``).

Cells are read as text, exactly as typed: a case id ``NA`` stays ``NA``. Text cells that
start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are written with a
leading apostrophe, so spreadsheet programs never run them as formulas; a leading
apostrophe is removed again when reading (so write ``''x`` for a text that must start
with an apostrophe).
"""

from __future__ import annotations

import csv
import os
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from frictionkit._compat import require
from frictionkit.exceptions import FrictionkitError, SchemaError, did_you_mean
from frictionkit.io.files import SCHEMA_VERSION
from frictionkit.io.frames import LIST_FIELDS, _prefixed, journey_from_frames
from frictionkit.model import ENTITIES, Journey, require_journey
from frictionkit.privacy import safe_cell

__all__ = ["read_workbook", "write_workbook"]

_META = "journey"


def _escape(value: Any) -> Any:
    # An apostrophe is escaped too, so that reading strips exactly one and round-trips.
    if isinstance(value, str) and value.startswith("'"):
        return "'" + value
    return safe_cell(value)


def _unescape(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def _cells(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    out = frame.copy()
    for col in LIST_FIELDS.get(kind, ()):
        for item_list in out[col]:
            for item in item_list:
                if "," in item:
                    raise SchemaError(
                        f"{kind}.{col} item {item!r} contains a comma, which a workbook cell "
                        "uses to separate items",
                        field=col,
                        value=item,
                        hint="Use a journey file (YAML/JSON) or rename the id",
                    )
        out[col] = [", ".join(v) for v in out[col]]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_escape).astype(object)
    return out


def write_workbook(journey: Journey, path: str | os.PathLike[str]) -> None:
    """Write a journey as a workbook: an ``.xlsx`` file or a folder of CSV files.

    Parameters
    ----------
    journey : Journey
    path : str or path-like
        A path ending in ``.xlsx`` writes one Excel file (needs ``frictionkit[excel]``);
        any other path is a folder (created if needed) that receives one CSV per table.

    Examples
    --------
    >>> import frictionkit as fk
    >>> j = fk.datasets.load_autoparts()
    >>> fk.write_workbook(j, "autoparts_workbook")
    >>> sorted(p.name for p in __import__("pathlib").Path("autoparts_workbook").iterdir())[:3]
    ['improvements.csv', 'journey.csv', 'owners.csv']
    >>> fk.read_workbook("autoparts_workbook") == j
    True
    """
    require_journey(journey, "write_workbook")
    p = Path(path)
    tables = {kind: _cells(frame, kind) for kind, frame in journey.to_frames().items()}
    meta = pd.DataFrame(
        {"key": ["version", "name"], "value": [str(SCHEMA_VERSION), journey.name or ""]}
    )
    tables = {_META: meta.map(_escape), **tables}
    if p.suffix.lower() == ".xlsx":
        require("openpyxl", extra="excel", feature="Writing Excel workbooks")
        with pd.ExcelWriter(p, engine="openpyxl") as writer:
            for kind, frame in tables.items():
                frame.to_excel(writer, sheet_name=kind, index=False)
        return
    if p.suffix.lower() in {".xls", ".xlsm", ".ods", ".csv"}:
        raise SchemaError(
            f"cannot write a workbook to {str(p)!r}",
            field="path",
            value=str(p),
            hint="Give a folder (one CSV per table) or an .xlsx file",
        )
    p.mkdir(parents=True, exist_ok=True)
    for kind, frame in tables.items():
        # A lone carriage return is not quoted by the csv writer when lines end in "\n",
        # and readers take it for a line break: quote every field of such a table.
        text = frame.select_dtypes(exclude="number").astype(str)
        has_cr = bool(text.apply(lambda col: col.str.contains("\r", regex=False)).any().any())
        frame.to_csv(
            p / f"{kind}.csv",
            index=False,
            lineterminator="\n",
            quoting=csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL,
        )


_MANGLED = re.compile(r"^(.*)\.(\d+)$")


def _check_header(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Report a repeated column name, which pandas renames ``name.1`` while reading."""
    names = [str(c) for c in frame.columns]
    for name in names:
        match = _MANGLED.match(name)
        if match and match.group(1) in names:
            raise SchemaError(
                f"{table}: column {match.group(1)!r} appears twice",
                field=table,
                value=match.group(1),
                hint="Delete or rename one of the two columns",
            )
    return frame


def _read_csv_table(f: Path, opts: dict[str, Any]) -> pd.DataFrame:
    try:
        # utf-8-sig: a byte order mark (as Excel writes "CSV UTF-8") is not part of a name.
        # index_col=False: a row longer than the header is an error, never shifted into
        # an index (pandas would otherwise read "a,b," under "id,name" as id "b").
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(f, encoding="utf-8-sig", index_col=False, **opts)
    except pd.errors.ParserWarning:
        raise SchemaError(
            f"{f.name} has a row with more cells than the header",
            field=f.stem,
            value=str(f),
            hint="Remove the extra cells (often a trailing comma) or add the missing column names",
        ) from None
    except pd.errors.EmptyDataError:
        raise SchemaError(
            f"{f.name} is empty: a table needs at least a header row",
            field=f.stem,
            value=str(f),
            hint=f"Write the column names on the first line ({', '.join(_columns(f.stem))})",
        ) from None
    except UnicodeDecodeError as err:
        raise SchemaError(
            f"{f.name} is not UTF-8 text: {err.reason} at byte {err.start}",
            field=f.stem,
            value=str(f),
            hint="Save the file as 'CSV UTF-8' (Excel) or re-encode it to UTF-8",
        ) from None
    except (pd.errors.ParserError, ValueError) as err:
        raise SchemaError(
            f"{f.name} cannot be read as CSV: {str(err).strip()}",
            field=f.stem,
            value=str(f),
            hint="Check quotes and separators (a comma between cells)",
        ) from None
    return _check_header(frame, f.stem)


def _columns(table: str) -> tuple[str, ...]:
    from frictionkit.io.frames import entity_columns

    return ("key", "value") if table not in ENTITIES else entity_columns(table)


def _read_tables(p: Path) -> dict[str, pd.DataFrame]:
    opts: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_filter": False}
    if p.is_dir():
        files = {f.stem: f for f in sorted(p.glob("*.csv"))}
        if not files:
            raise SchemaError(
                f"no CSV files in {str(p)!r}",
                field="path",
                value=str(p),
                hint=f"Expected {', '.join(f'{k}.csv' for k in ENTITIES)}",
            )
        return {name: _read_csv_table(f, opts) for name, f in files.items()}
    if p.suffix.lower() in {".xlsx", ".xlsm"}:
        require("openpyxl", extra="excel", feature="Reading Excel workbooks")
        if not p.is_file():
            raise SchemaError(f"no workbook at {str(p)!r}", field="path", value=str(p))
        try:
            sheets: dict[str, pd.DataFrame] = pd.read_excel(
                p, sheet_name=None, engine="openpyxl", **opts
            )
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as err:
            raise SchemaError(
                f"{p.name} is not a readable Excel workbook ({type(err).__name__}: {err})",
                field="path",
                value=str(p),
                hint="Save it again from a spreadsheet program as .xlsx, or use a folder of CSV",
            ) from None
        return {name: _check_header(frame, name) for name, frame in sheets.items()}
    if not p.exists():
        raise SchemaError(f"no workbook at {str(p)!r}", field="path", value=str(p))
    raise SchemaError(
        f"cannot read a workbook from {str(p)!r}",
        field="path",
        value=str(p),
        hint="Give a folder of CSV files or an .xlsx file",
    )


def read_workbook(path: str | os.PathLike[str]) -> Journey:
    """Read a journey from a workbook (a folder of CSV files or an ``.xlsx`` file).

    Parameters
    ----------
    path : str or path-like
        The folder or the Excel file.

    Returns
    -------
    Journey

    Raises
    ------
    SchemaError
        Unknown tables or columns (with the allowed names), a wrong version.
    FrictionkitError
        A bad cell; the message names the table, row and id.
    """
    p = Path(path)
    tables = _read_tables(p)
    name: str | None = None
    meta = tables.pop(_META, None)
    if meta is not None:
        if list(meta.columns) != ["key", "value"]:
            raise SchemaError(
                f"the {_META!r} table needs the columns key, value; got {list(meta.columns)}",
                field=_META,
                value=list(meta.columns),
            )
        values = dict(zip(meta["key"], meta["value"].map(_unescape), strict=True))
        unknown = [k for k in values if k not in ("version", "name")]
        if unknown:
            raise SchemaError(
                f"unknown key {unknown[0]!r} in the {_META!r} table"
                + did_you_mean(unknown[0], ("version", "name")),
                field=_META,
                value=unknown[0],
            )
        version = values.get("version", str(SCHEMA_VERSION)).strip()
        if version not in (str(SCHEMA_VERSION), f"{SCHEMA_VERSION}.0"):
            raise SchemaError(
                f"unsupported workbook version {version!r}; this frictionkit reads version "
                f"{SCHEMA_VERSION}",
                field="version",
                value=version,
            )
        name = values.get("name") or None
    frames = {kind: frame.map(_unescape) for kind, frame in tables.items()}
    try:
        return journey_from_frames(frames, name=name)
    except FrictionkitError as err:
        raise _prefixed(err, p.name) from err
