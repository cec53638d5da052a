r"""Event files to a DataFrame: CSV (plain or compressed), Parquet and XES.

:func:`read_event_frame` reads a file as :func:`~frictionkit.events.read_events` does,
without building the log; the XES parser is in :mod:`frictionkit.events._xes`.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from frictionkit._compat import require
from frictionkit.events._ingest import _check_choice
from frictionkit.events._xes import read_xes_frame
from frictionkit.exceptions import FileAccessError, SchemaError, ValidationError

_LOG = logging.getLogger("frictionkit.events")

#: The delimiters ``sep=None`` chooses from (csv.Sniffer on the first lines of the file).
SNIFFED_SEPS = ",;\t|"
_SNIFF_CHARS = 1 << 16

# pandas' missing-value markers, used for every CSV column but the case id and touchpoint
_DEFAULT_NA = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)


def read_event_frame(
    p: Path,
    text_cols: Sequence[str],
    format: str | None = None,
    *,
    sep: str | None = ",",
    encoding: str | None = None,
) -> pd.DataFrame:
    r"""Read an event file into a DataFrame, as :func:`read_events` does (``text_cols`` as text).

    ``sep`` and ``encoding`` apply to CSV (``sep=None``: detected, see :func:`sniff_sep`).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "log.csv"
    ...     _ = p.write_text("case,step\nNA,visit\n")
    ...     read_event_frame(p, ("case", "step"))
      case   step
    0   NA  visit
    """
    if not p.exists():
        raise ValidationError(
            f"event log file {str(p)!r} does not exist", field="path", value=str(p)
        )
    if p.is_dir():
        raise _unreadable(p, IsADirectoryError(p))
    fmt = format or _guess_format(p)
    _check_choice(fmt, "format", ("csv", "parquet", "xes"))
    _check_sep(sep)
    if fmt == "csv":
        try:
            return _read_csv(p, text_cols, sep=sep, encoding=_check_encoding(encoding))
        except (PermissionError, IsADirectoryError, FileNotFoundError) as err:
            raise _unreadable(p, err) from None
    if fmt == "parquet":
        pa = require("pyarrow", extra="arrow", feature="reading Parquet event logs")
        try:
            return pd.read_parquet(p)
        except (PermissionError, IsADirectoryError, FileNotFoundError) as err:
            raise _unreadable(p, err) from None
        except (pa.ArrowException, OSError) as err:
            if "ermission denied" in str(err):
                raise _unreadable(p, PermissionError(str(err))) from None
            raise ValidationError(
                f"{p} is not a readable Parquet file: {_short_error(err)}",
                field="path",
                value=str(p),
                hint="Check that the file is complete Parquet (or pass format='csv' / 'xes')",
            ) from err
    return read_xes_frame(p)


def _unreadable(p: Path, err: OSError) -> FileAccessError:
    """The error for an event file the system would not let us read (a folder, permissions)."""
    if isinstance(err, IsADirectoryError) or p.is_dir():
        what, hint = "is a folder, not a file", "give the name of a file inside that folder"
    else:
        reason = err.strerror or str(err) or type(err).__name__
        what, hint = f"cannot be read: {reason}", "check the file's permissions"
    return FileAccessError(f"{str(p)!r} {what}", field="path", value=str(p), hint=hint)


def _short_error(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__


def _guess_format(p: Path) -> str:
    name = p.name.lower()
    for suffix, fmt in (
        (".csv", "csv"),
        (".csv.gz", "csv"),
        (".csv.bz2", "csv"),
        (".csv.xz", "csv"),
        (".txt", "csv"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
        (".xes", "xes"),
        (".xes.gz", "xes"),
    ):
        if name.endswith(suffix):
            return fmt
    raise ValidationError(
        f"cannot tell the format of {p.name!r} from its suffix",
        field="format",
        value=p.name,
        hint="Pass format='csv', 'parquet' or 'xes'",
    )


_COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}
_EXTRA_CELLS_HINT = (
    "Remove the extra cells (often a trailing comma) or name the extra columns in the header"
)
_TOO_MANY = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _open_binary(p: Path, stack: contextlib.ExitStack) -> BinaryIO:
    """The file's bytes, decompressed when its suffix says so (one open of the file)."""
    import bz2
    import gzip
    import lzma

    raw = stack.enter_context(open(p, "rb"))  # noqa: SIM115 (the stack closes it)
    kind = _COMPRESSED.get(p.suffix.lower())
    opened: Any = raw
    if kind == "gzip":
        opened = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
    elif kind == "bz2":
        opened = stack.enter_context(bz2.BZ2File(raw, mode="rb"))
    elif kind == "lzma":
        opened = stack.enter_context(lzma.LZMAFile(raw, mode="rb"))  # noqa: SIM115
    stream: BinaryIO = opened
    return stream


def _csv_error(p: Path, message: str, hint: str) -> SchemaError:
    return SchemaError(f"{p.name}: {message}", field="path", value=str(p), hint=hint)


def _check_encoding(encoding: str | None) -> str:
    if encoding is None:
        return "utf-8-sig"
    if not isinstance(encoding, str):
        raise ValidationError(
            f"encoding must be the name of a text encoding, got {encoding!r}",
            field="encoding",
            value=encoding,
            hint="e.g. encoding='latin-1' or 'cp1252'",
        )
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValidationError(
            f"encoding={encoding!r} is not a text encoding Python knows",
            field="encoding",
            value=encoding,
            hint="e.g. encoding='utf-8', 'latin-1' or 'cp1252'",
        ) from None
    return encoding


def _check_sep(sep: Any) -> None:
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1 or sep in "\r\n\"'"):
        raise ValidationError(
            f"sep must be one character (or None to detect it), got {sep!r}",
            field="sep",
            value=sep,
            hint="e.g. sep=';', sep='\\t' or sep='|'",
        )


def sniff_sep(sample: str) -> str:
    r"""The delimiter of a CSV sample: one of ``, ; tab |`` (``,`` when unsure).

    :class:`csv.Sniffer` looks at the first lines; its choice must also split the header.

    Examples
    --------
    >>> sniff_sep("case;step;time\na;x,1;2024\n"), sniff_sep("case\na\n")
    (';', ',')
    """
    import csv

    lines = sample.splitlines()
    if len(sample) >= _SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    text = "\n".join(lines[:200])
    header = lines[0] if lines else ""
    try:
        found = csv.Sniffer().sniff(text, delimiters=SNIFFED_SEPS).delimiter
    except csv.Error:
        found = ""
    if found and found in header:
        return found
    counts = {c: header.count(c) for c in SNIFFED_SEPS}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def _read_csv(
    p: Path, text_cols: Sequence[str], *, sep: str | None = ",", encoding: str = "utf-8-sig"
) -> pd.DataFrame:
    """Read a CSV event log in one pass over the file.

    The header (and the first row, to refuse one longer than the header) are read with the
    :mod:`csv` module, then pandas reads the rows from the same handle, with the text
    columns kept as written.
    """
    import csv
    import gzip
    import lzma
    import zlib

    header: list[str] | None = None
    try:
        with contextlib.ExitStack() as stack:
            raw = _open_binary(p, stack)
            fh = stack.enter_context(io.TextIOWrapper(raw, encoding, newline=""))
            if sep is None:
                sep = sniff_sep(fh.read(_SNIFF_CHARS))
                fh.seek(0)
                _LOG.info("%s: read with sep=%r (detected)", p.name, sep)
            records = csv.reader(iter(fh.readline, ""), delimiter=sep)
            header = next((r for r in records if r), None)
            if header is None:
                raise _csv_error(
                    p,
                    "the file is empty: an event log needs a header row",
                    "Write the column names on the first line, e.g. case,touchpoint,timestamp",
                )
            start = fh.tell()
            try:
                first = next((r for r in records if r), None)
            except csv.Error:  # e.g. a cell beyond the csv module's size limit: pandas reads it
                first = None
            cols = [c if c else f"Unnamed: {i}" for i, c in enumerate(header)]
            _check_csv_header(p, cols, first, sep)
            fh.seek(start)
            text = set(text_cols)
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    fh,
                    sep=sep,
                    header=None,
                    names=cols,
                    index_col=False,
                    dtype={c: str for c in cols if c in text},
                    keep_default_na=False,
                    na_values={c: list(_DEFAULT_NA) for c in cols if c not in text},
                )
                frame.attrs["sep"] = sep
                return frame
    except UnicodeDecodeError as err:
        name = "UTF-8" if encoding == "utf-8-sig" else encoding
        raise _csv_error(
            p,
            f"the file is not {name} text ({err.reason}, byte {err.object[err.start : err.end]!r})",
            "Pass its encoding, e.g. encoding='latin-1' or 'cp1252', or save it as UTF-8 "
            "(in Excel: 'CSV UTF-8'), e.g. iconv -f latin1 -t utf-8",
        ) from None
    except (gzip.BadGzipFile, lzma.LZMAError, zlib.error, EOFError) as err:
        raise _csv_error(
            p,
            f"the compressed file is corrupt or truncated ({err})",
            "Compress it again, or read the uncompressed file",
        ) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning, csv.Error) as err:
        too_many = _TOO_MANY.search(str(err))
        if too_many:
            n, line, saw = too_many.groups()
            raise _csv_error(
                p,
                f"row {line} has {saw} cells but the header has {n}",
                _extra_cells_hint(header, sep),
            ) from None
        raise _csv_error(
            p,
            f"the file cannot be read as CSV: {str(err).strip()}",
            "Check quotes (every opening quote needs a closing one) and the delimiter "
            f"between cells (read with sep={sep!r}; leave sep out to detect it)",
        ) from None
    except OSError as err:
        if isinstance(err, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise
        raise _csv_error(
            p,
            f"the file cannot be read ({err})",
            "Check that it is a complete CSV file (compressed: .gz, .bz2 or .xz)",
        ) from None


def _extra_cells_hint(header: Sequence[str] | None, sep: str | None) -> str:
    """The fix for a row longer than its header: another delimiter when the header says so."""
    if header is not None and len(header) == 1:
        glued = [c for c in SNIFFED_SEPS if c != sep and c in header[0]]
        if glued:
            return (
                f"The header is one cell holding {glued[0]!r}: the file was read with "
                f"sep={sep!r}; pass sep={glued[0]!r} (or leave sep out to detect it)"
            )
    return _EXTRA_CELLS_HINT


def _check_csv_header(p: Path, cols: list[str], first: list[str] | None, sep: str = ",") -> None:
    seen: set[str] = set()
    for col in cols:
        if "\n" in col or "\r" in col:
            raise _csv_error(
                p,
                f"the header holds a line break in column name {col[:40]!r}…",
                "Check quotes in the first line (every opening quote needs a closing one)",
            )
        if col in seen:
            raise _csv_error(
                p,
                f"column {col!r} appears more than once in the header",
                "Delete or rename one of them",
            )
        seen.add(col)
    if first is not None and len(first) > len(cols):
        raise _csv_error(
            p,
            f"row 1 has {len(first)} cells but the header has {len(cols)}",
            _extra_cells_hint(cols, sep),
        )
