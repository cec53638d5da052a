"""Workbooks: a journey kept in spreadsheets.

A workbook is either a folder of CSV files or one Excel file, with one table per entity
kind (``stages``, ``touchpoints``, ``personas``, ``owners``, ``pain_points``,
``improvements``) and an optional ``journey`` table of ``key, value`` rows (``version``,
``name``, and ``currency`` and ``period`` when the journey sets them). Columns are those
of :meth:`frictionkit.Journey.to_frames`; lists of ids are
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

from frictionkit._atomic import atomic_path
from frictionkit._compat import require
from frictionkit.exceptions import FileAccessError, FrictionkitError, SchemaError, did_you_mean
from frictionkit.io.files import MAX_NODES, SCHEMA_VERSION, unreadable
from frictionkit.io.frames import LIST_FIELDS, journey_from_frames
from frictionkit.model import ENTITIES, Journey, require_journey
from frictionkit.model._frames import _prefixed
from frictionkit.privacy import safe_cell

__all__ = ["read_workbook", "write_workbook"]

_META = "journey"
#: Keys of the ``journey`` table written only when the journey sets them.
_META_OPTIONAL = ("currency", "period")


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
        An existing workbook is overwritten: each file is written to a temporary file in
        the same folder and moved into place, so a failed write (a full disk, an
        interruption) leaves the previous file as it was. Existing files keep their
        permission bits; symbolic links are followed.

    Raises
    ------
    FileAccessError
        ``path`` is an existing file where a folder is meant, the folder cannot be
        created, or the system refused the write (permissions, a full disk).

    Notes
    -----
    In an ``.xlsx`` file, control characters and carriage returns (which a cell cannot
    hold as such) are written with the standard ``_xHHHH_`` escape, so text reads back
    exactly, a carriage return and line feed included.

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
    keys, texts = ["version", "name"], [str(SCHEMA_VERSION), journey.name or ""]
    for key in _META_OPTIONAL:
        if getattr(journey, key) is not None:
            keys.append(key)
            texts.append(str(getattr(journey, key)))
    meta = pd.DataFrame({"key": keys, "value": texts})
    tables = {_META: meta.map(_escape), **tables}
    if p.suffix.lower() == ".xlsx":
        require("openpyxl", extra="excel", feature="Writing Excel workbooks")
        with atomic_path(p, field="path") as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as out:
            for kind, frame in tables.items():
                frame.map(_xlsx_escape).to_excel(out, sheet_name=kind, index=False)
        return
    if p.suffix.lower() in {".xls", ".xlsm", ".ods", ".csv"}:
        raise SchemaError(
            f"cannot write a workbook to {str(p)!r}",
            field="path",
            value=str(p),
            hint="Give a folder (one CSV per table) or an .xlsx file",
        )
    if p.exists() and not p.is_dir():
        raise FileAccessError(
            f"cannot write a workbook folder at {str(p)!r}: it is a file",
            field="path",
            value=str(p),
            hint="Give a folder (created if needed) or a path ending in .xlsx",
        )
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FileAccessError(
            f"cannot create the workbook folder {str(p)!r}: {err.strerror or type(err).__name__}",
            field="path",
            value=str(p),
            hint="check that no file of that name is in the way and the permissions",
        ) from None
    for kind, frame in tables.items():
        # A lone carriage return is not quoted by the csv writer when lines end in "\n",
        # and readers take it for a line break: quote every field of such a table.
        text = frame.select_dtypes(exclude="number").astype(str)
        has_cr = bool(text.apply(lambda col: col.str.contains("\r", regex=False)).any().any())
        with atomic_path(p / f"{kind}.csv", field="path") as tmp:
            frame.to_csv(
                tmp,
                index=False,
                lineterminator="\n",
                quoting=csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL,
            )


# Characters an .xlsx cell cannot hold as such (XML 1.0 forbids most control characters,
# and XML readers turn "\r\n" into "\n"): written with the OOXML escape ``_xHHHH_``,
# which Excel and this reader decode; a literal "_x" that would read as an escape is
# itself escaped (``_x005F_``), as the standard says.
_XLSX_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
_XLSX_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xlsx_escape(value: Any) -> Any:
    if isinstance(value, str):
        return _XLSX_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value


def _xlsx_unescape(value: Any) -> Any:
    if isinstance(value, str) and "_x" in value:
        return _XLSX_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


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
    except OSError as err:
        raise unreadable(f, err, field=f.stem) from None
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


#: Most bytes the files inside an .xlsx workbook may expand to (a real one: a few MB).
MAX_WORKBOOK_BYTES = 256 * 2**20
#: Most cells a workbook sheet may span (rows times columns, as the table it becomes).
MAX_CELLS = MAX_NODES


def _table_name(name: str, seen: dict[str, str], where: str) -> str:
    """The table a file or sheet stands for: known names match whatever their case."""
    key = name.lower() if name.lower() in (_META, *ENTITIES) else name
    if key in seen:
        raise SchemaError(
            f"{where}: tables {seen[key]!r} and {name!r} both name the {key!r} table",
            field=key,
            value=name,
            hint="Keep one of them (table names are matched whatever their case)",
        )
    seen[key] = name
    return key


def _check_xlsx(p: Path) -> None:
    """Refuse a workbook that would unpack to too much, or hide values behind formulas.

    The zip members' sizes are read from the archive's directory (the decompressor stops
    there), so a small file that would expand to gigabytes is refused before reading.
    Then each sheet is scanned once, bounding the cells its table would span, and
    formula cells are looked up: a value computed by a formula is read from the value
    the spreadsheet program saved with it; one saved without it is refused, as are
    error values (``#N/A``), rather than read as empty cells.
    """
    import openpyxl

    try:
        with zipfile.ZipFile(p) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (PermissionError, IsADirectoryError) as err:
        raise unreadable(p, err) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise SchemaError(
            f"{p.name} is not a readable Excel workbook ({type(err).__name__}: {err})",
            field="path",
            value=str(p),
            hint="Save it again from a spreadsheet program as .xlsx, or use a folder of CSV",
        ) from None
    if unpacked > MAX_WORKBOOK_BYTES:
        raise SchemaError(
            f"{p.name} would unpack to {unpacked:,} bytes, more than the "
            f"{MAX_WORKBOOK_BYTES:,} a workbook may hold",
            field="path",
            value=str(p),
            hint="A journey workbook is small: remove unused sheets, or use a folder of CSV",
        )
    formulas: list[tuple[str, str]] = []
    book = openpyxl.load_workbook(p, read_only=True, data_only=False)
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # the declared size may lie; cells are counted
            rows = width = spanned = last = 0
            for row in sheet.iter_rows():
                rows += 1
                spanned += len(row)
                used = 0
                for cell in row:
                    kind = getattr(cell, "data_type", "n")
                    if cell.value is None:
                        continue
                    used = cell.column
                    if kind == "f":
                        formulas.append((sheet.title, cell.coordinate))
                    elif kind == "e":
                        raise SchemaError(
                            f"{p.name}: cell {sheet.title}!{cell.coordinate} holds the error "
                            f"value {cell.value}",
                            field=sheet.title,
                            value=cell.coordinate,
                            hint="Fix or clear the cell in the spreadsheet program",
                        )
                if used:
                    last, width = rows, max(width, used)
                if last * width > MAX_CELLS or spanned > 4 * MAX_CELLS:
                    raise SchemaError(
                        f"{p.name}: sheet {sheet.title!r} spans more than {MAX_CELLS:,} cells",
                        field=sheet.title,
                        value=f"{last} rows x {width} columns",
                        hint="A journey table has one row per entity: remove stray cells far "
                        "below or to the right of the table",
                    )
    finally:
        book.close()
    if not formulas:
        return
    book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    try:
        missing = [
            f"{title}!{coord}" for title, coord in formulas if book[title][coord].value is None
        ]
    finally:
        book.close()
    if missing:
        more = f" (and {len(missing) - 1:,} more)" if len(missing) > 1 else ""
        raise SchemaError(
            f"{p.name}: cell {missing[0]}{more} holds a formula without its computed value",
            field="cells",
            value=missing[0],
            hint="Open and save the workbook in a spreadsheet program (which stores the "
            "values), or type the values instead of formulas",
        )


def _read_tables(p: Path) -> dict[str, pd.DataFrame]:
    opts: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_filter": False}
    if p.is_dir():
        seen: dict[str, str] = {}
        files = {
            _table_name(f.stem, seen, p.name): f
            for f in sorted(p.iterdir())
            if f.suffix.lower() == ".csv" and not f.name.startswith(".")
        }
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
            _check_xlsx(p)
            sheets: dict[str, pd.DataFrame] = pd.read_excel(
                p, sheet_name=None, engine="openpyxl", **opts
            )
        except FrictionkitError:
            raise
        except (PermissionError, IsADirectoryError) as err:
            raise unreadable(p, err) from None
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as err:
            raise SchemaError(
                f"{p.name} is not a readable Excel workbook ({type(err).__name__}: {err})",
                field="path",
                value=str(p),
                hint="Save it again from a spreadsheet program as .xlsx, or use a folder of CSV",
            ) from None
        seen = {}
        return {
            _table_name(name, seen, p.name): _check_header(frame, name).map(_xlsx_unescape)
            for name, frame in sheets.items()
        }
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
    extra: dict[str, str | None] = {}
    meta = tables.pop(_META, None)
    if meta is not None:
        if list(meta.columns) != ["key", "value"]:
            raise SchemaError(
                f"the {_META!r} table needs the columns key, value; got {list(meta.columns)}",
                field=_META,
                value=list(meta.columns),
            )
        keys = [str(k) for k in meta["key"]]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise SchemaError(
                f"the {_META!r} table has {len(keys) - len(set(keys))} repeated key(s): "
                f"{twice[0]!r} appears {keys.count(twice[0])} times",
                field=_META,
                value=twice[0],
                hint="Keep one row per key",
            )
        values = dict(zip(keys, meta["value"].map(_unescape), strict=True))
        allowed = ("version", "name", *_META_OPTIONAL)
        unknown = [k for k in values if k not in allowed]
        if unknown:
            raise SchemaError(
                f"unknown key {unknown[0]!r} in the {_META!r} table"
                + did_you_mean(unknown[0], allowed),
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
        extra = {k: (values.get(k) or None) for k in _META_OPTIONAL}
    frames = {kind: frame.map(_unescape) for kind, frame in tables.items()}
    try:
        return journey_from_frames(
            frames, name=name, currency=extra.get("currency"), period=extra.get("period")
        )
    except FrictionkitError as err:
        raise _prefixed(err, p.name) from err
