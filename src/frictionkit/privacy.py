"""Personal data: keyed pseudonymisation, small-group suppression, formula-safe exports.

Journey data is personal data. This module holds the three tools every output path uses:

- :func:`pseudonymise` replaces identifiers with keyed hashes (HMAC-SHA256): stable for one
  key, so joins across tables still work, and irreversible without the key. There is no
  default key: keep yours in a secret store, never in code or next to the data, and use a
  new key when the pseudonyms must not be linkable to earlier exports.
- :func:`suppress_small_groups` folds the rows of a grouped table that fewer than
  ``min_group_size`` journeys stand behind into one ``"other (suppressed)"`` row, so totals
  stay right and no route or segment that only a handful of people followed is shown.
- :func:`safe_cell` and :func:`write_csv` neutralise spreadsheet formula injection: a text
  cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
  with an apostrophe, so spreadsheet programs show it as text and never run it.

Examples
--------
>>> import pandas as pd
>>> from frictionkit.privacy import pseudonymise
>>> df = pd.DataFrame({"customer": ["ann", "bob", "ann"], "page": ["home", "cart", "cart"]})
>>> out = pseudonymise(df, ["customer"], key="a long secret kept elsewhere", length=12)
>>> out["customer"].tolist()
['448a7f7cef58', '2cd1454793f9', '448a7f7cef58']
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Sequence
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._atomic import atomic_path
from frictionkit.exceptions import (
    InputTypeError,
    MissingColumnError,
    ValidationError,
    did_you_mean,
)

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "SUPPRESSED_LABEL",
    "check_min_group_size",
    "folded_rows",
    "hidden_nested_counts",
    "hide_small_figures",
    "mask_personal_data",
    "pseudonymise",
    "safe_cell",
    "small_counts",
    "small_groups",
    "suppress_small_groups",
    "write_csv",
]

#: Default smallest number of journeys a shown group must stand for.
DEFAULT_MIN_GROUP_SIZE = 10
#: Label of the row that gathers the suppressed groups.
SUPPRESSED_LABEL = "other (suppressed)"
_MIN_KEY_BYTES = 16
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _key_bytes(key: Any) -> bytes:
    if isinstance(key, str):
        try:
            raw = key.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                "key holds lone surrogate characters, which are not valid text",
                field="key",
                hint="Use a key generated with secrets.token_hex(32)",
            ) from None
    elif isinstance(key, (bytes, bytearray)):
        raw = bytes(key)
    else:
        raise InputTypeError(
            f"key must be text or bytes, got {type(key).__name__}",
            field="key",
            value=type(key).__name__,
            hint="Pass a secret of at least 16 bytes, e.g. from os.environ or a secret store",
        )
    if len(raw) < _MIN_KEY_BYTES:
        raise ValidationError(
            f"key is too short ({len(raw)} bytes); use at least {_MIN_KEY_BYTES}",
            field="key",
            hint="A short key can be guessed by trying them all; generate one with "
            "secrets.token_hex(32)",
        )
    return raw


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _columns(df: pd.DataFrame, cols: Any, field: str = "cols") -> list[Any]:
    if isinstance(cols, str):
        cols = [cols]
    if not isinstance(cols, Sequence) or not cols:
        raise InputTypeError(
            f"{field} must name one or more columns, got {cols!r}", field=field, value=cols
        )
    for col in cols:
        if col not in df.columns:
            raise MissingColumnError(
                f"column {col!r} is not in the table" + did_you_mean(col, df.columns),
                field=field,
                value=col,
                hint=f"Columns: {', '.join(map(str, df.columns))}",
            )
        if isinstance(df[col], pd.DataFrame):
            raise ValidationError(
                f"column {col!r} appears more than once in the table",
                field=field,
                value=col,
                hint="Drop or rename the duplicates, e.g. df.loc[:, ~df.columns.duplicated()]",
            )
    return list(cols)


def pseudonymise(
    df: pd.DataFrame,
    cols: str | Sequence[str],
    *,
    key: str | bytes,
    length: int | None = None,
) -> pd.DataFrame:
    """Replace identifier columns with keyed hashes (HMAC-SHA256, hexadecimal).

    The same value gives the same pseudonym under the same key (in every column and every
    table), so joins still work; without the key the original cannot be recovered or
    confirmed by guessing. Values are hashed as their text form (``str(value)``), so the
    integer ``42`` and the text ``"42"`` get the same pseudonym. Missing values stay missing.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; it is not modified.
    cols : str or sequence of str
        The identifier columns.
    key : str or bytes
        The secret, at least 16 bytes. Required: there is no default key.
    length : int, optional
        Keep the first ``length`` hexadecimal characters (8–64). The full 64 by default;
        16 characters (64 bits) keep collisions negligible for tens of millions of ids.

    Returns
    -------
    pandas.DataFrame
        A copy with the columns replaced by text pseudonyms.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"case": ["NA", "c2"], "touchpoint": ["home", "cart"]})
    >>> pseudonymise(df, "case", key=b"0123456789abcdef", length=8)["case"].tolist()
    ['a90aeebe', '82d10c4c']
    """
    if not isinstance(df, pd.DataFrame):
        raise InputTypeError(
            f"pseudonymise needs a pandas DataFrame, got {type(df).__name__}",
            field="df",
            value=type(df).__name__,
        )
    raw_key = _key_bytes(key)
    size: Any = length
    if size is not None and (
        isinstance(size, bool) or not isinstance(size, int) or not 8 <= size <= 64
    ):
        raise ValidationError(
            f"length must be a whole number from 8 to 64, got {length!r}",
            field="length",
            value=length,
        )
    names = _columns(df, cols)
    out = df.copy()
    cache: dict[str, str] = {}

    def digest(value: Any) -> Any:
        if _missing(value):
            return value
        text = str(value)
        hit = cache.get(text)
        if hit is None:
            # surrogatepass: text with lone surrogates still gets its own stable pseudonym
            data = text.encode("utf-8", "surrogatepass")
            hit = hmac.new(raw_key, data, hashlib.sha256).hexdigest()[:length]
            cache[text] = hit
        return hit

    for col in names:
        column = out[col]
        try:
            codes, uniques = pd.factorize(column, use_na_sentinel=True)
        except TypeError:  # unhashable cells (lists, dicts): hash their text form
            column = column.map(lambda v: v if _missing(v) else str(v))
            codes, uniques = pd.factorize(column, use_na_sentinel=True)
        mapped = np.array([digest(u) for u in uniques] + [None], dtype=object)
        values = mapped[codes]  # -1 (missing) picks the trailing None
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


@overload
def check_min_group_size(value: Any, *, optional: Literal[False] = ...) -> int: ...
@overload
def check_min_group_size(value: Any, *, optional: bool) -> int | None: ...
def check_min_group_size(value: Any, *, optional: bool = False) -> int | None:
    """Validate a ``min_group_size`` argument: a whole number >= 1 (or ``None`` if optional).

    Examples
    --------
    >>> check_min_group_size(10), check_min_group_size(None, optional=True)
    (10, None)
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputTypeError(
            f"min_group_size must be a whole number, got {value!r}",
            field="min_group_size",
            value=value,
        )
    if value < 1:
        raise ValidationError(
            f"min_group_size must be at least 1, got {value}",
            field="min_group_size",
            value=value,
            hint=f"The default {DEFAULT_MIN_GROUP_SIZE} hides routes and segments of fewer "
            "journeys; 1 shows everything",
        )
    return int(value)


def small_groups(counts: npt.ArrayLike, min_group_size: int) -> npt.NDArray[np.bool_]:
    """Which groups to fold: those under ``min_group_size``, and never a single one.

    When exactly one group is small, folding it alone would show it exactly (by
    subtraction from the total), so the smallest of the shown groups is folded with it.

    Examples
    --------
    >>> small_groups([40, 12, 3], 10).tolist()
    [False, True, True]
    """
    arr = np.asarray(counts)
    small = arr < min_group_size
    if small.sum() == 1 and (~small).any():
        shown = np.flatnonzero(~small)
        small[shown[np.argmin(arr[shown])]] = True
    return small


def folded_rows(table: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Which rows of a table are folded rows of :func:`suppress_small_groups`.

    Read from the ``suppressed_groups`` column (a folded row stands for two groups or
    more), never from the label text: a touchpoint, route or segment may itself be named
    ``"other (suppressed)"``. A table without the column has no folded row.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"touchpoint": ["other (suppressed)", "other (suppressed)"],
    ...                   "journeys": [40, 5], "suppressed_groups": [1, 2]})
    >>> folded_rows(t).tolist()
    [False, True]
    """
    if "suppressed_groups" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    groups = pd.to_numeric(table["suppressed_groups"], errors="coerce")
    return np.asarray(groups.fillna(1).to_numpy(dtype=np.float64) > 1, dtype=bool)


def small_counts(counts: npt.ArrayLike, min_group_size: int | None) -> npt.NDArray[np.bool_]:
    """Which groups are too small to show a figure about: 1 to ``min_group_size - 1``.

    An empty group (0) or a missing count exposes nobody and is not small;
    ``min_group_size=None`` marks nothing.

    Examples
    --------
    >>> small_counts([40, 9, 0, float("nan")], 10).tolist()
    [False, True, False, False]
    """
    arr = np.asarray(counts, dtype=np.float64)
    if min_group_size is None:
        return np.zeros(arr.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return (arr > 0) & (arr < min_group_size)


def hidden_nested_counts(
    counts: npt.ArrayLike, min_group_size: int | None, *, start: float | None = None
) -> npt.NDArray[np.bool_]:
    """Which counts of a nested sequence to hide so no difference of two shown is small.

    Nested counts (the journeys reaching each stage of a funnel, each a subset of the one
    before) give away the group between two of them by subtraction: 50 journeys reach
    *delivery* and 48 reach *payment*, so 2 stopped at delivery. The rule (complementary
    suppression), walking the sequence in order: a count is hidden when it is itself small
    (:func:`small_counts`) or when it lies 1 to ``min_group_size - 1`` below the last
    count shown (the first is compared with ``start``, e.g. all journeys, when given);
    otherwise it is shown and becomes the count the next ones are compared with. So the
    smaller of two close counts is hidden, and no difference of two shown counts (nor of
    a shown count and ``start``) is a small group. Missing counts are skipped.

    Every table with nested counts hides with this one rule (the funnel, the stages
    reached in the friction table); the figures computed from a hidden count are then
    hidden by :func:`hide_small_figures`.

    Examples
    --------
    >>> hidden_nested_counts([50, 48, 30, 29, 12], 10).tolist()
    [False, True, False, True, False]
    >>> hidden_nested_counts([50, 30], 10, start=52).tolist()
    [True, False]
    """
    arr = np.asarray(counts, dtype=np.float64).reshape(-1)
    hidden = small_counts(arr, min_group_size)
    if min_group_size is None:
        return hidden
    last = np.nan if start is None else float(start)
    for i, c in enumerate(arr.tolist()):
        if hidden[i] or np.isnan(c):
            continue
        if not np.isnan(last) and 0 < last - c < min_group_size:
            hidden[i] = True
        else:
            last = c
    return hidden


def hide_small_figures(
    table: pd.DataFrame,
    groups: Sequence[tuple[npt.ArrayLike, Sequence[str]]],
    *,
    min_group_size: int | None,
    flag_col: str | None = "suppressed",
) -> pd.DataFrame:
    """Hide every figure computed from a group of fewer than ``min_group_size`` journeys.

    The one rule of every table and chart: a row's numbers may rest on several groups
    (the visitors of a touchpoint, the journeys that skipped it, the comparison journeys
    of an estimate, the journeys reaching a stage…). Each group is given with the columns
    computed from it; where the group is small (:func:`small_counts`: 1 to
    ``min_group_size - 1`` journeys) those columns become missing. Whole-number columns
    become nullable (``Int64``) and yes/no columns ``boolean``, so they can hold the gap.
    A ``flag_col`` column (default ``suppressed``) says which rows lost a figure.
    Rows of groups to be left out entirely are folded with :func:`suppress_small_groups`.

    Parameters
    ----------
    table : pandas.DataFrame
        The table; not modified.
    groups : sequence of (counts, columns)
        For each group behind the figures: its size per row (array-like of the table's
        length) and the columns computed from it.
    min_group_size : int or None
        Smallest group a figure may rest on; ``None`` hides nothing (the flag column is
        still added, all False).
    flag_col : str or None, default "suppressed"
        Name of the column flagging the rows with hidden figures; ``None``: no column.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"tp": ["a", "b"], "visited": [40, 30], "skipped": [25, 2],
    ...                   "risk_skipped": [0.2, 0.5]})
    >>> hide_small_figures(t, [(t["skipped"], ["skipped", "risk_skipped"])],
    ...                    min_group_size=10)
      tp  visited  skipped  risk_skipped  suppressed
    0  a       40       25           0.2       False
    1  b       30     <NA>           NaN        True
    """
    if not isinstance(table, pd.DataFrame):
        raise InputTypeError(
            f"table must be a pandas DataFrame, got {type(table).__name__}",
            field="table",
            value=type(table).__name__,
        )
    size = check_min_group_size(min_group_size, optional=True)
    out = table.copy()
    flagged = np.zeros(len(out), dtype=bool)
    for counts, cols in groups:
        names = _columns(out, list(cols), "groups")
        small = small_counts(np.asarray(counts, dtype=np.float64).reshape(-1), size)
        if len(small) != len(out):
            raise ValidationError(
                f"a group's counts have {len(small)} values for a table of {len(out)} rows",
                field="groups",
            )
        for col in names:
            column = out[col]
            if pd.api.types.is_bool_dtype(column):
                column = column.astype("boolean")
            elif pd.api.types.is_integer_dtype(column):
                column = column.astype("Int64")
            elif not pd.api.types.is_float_dtype(column):
                column = column.astype(object)
            out[col] = column.mask(small)
        flagged |= small
    if flag_col is not None:
        out[flag_col] = (
            flagged
            if flag_col not in out.columns
            else out[flag_col].fillna(False).astype(bool).to_numpy() | flagged
        )
    return out


def suppress_small_groups(
    table: pd.DataFrame,
    *,
    count_col: str,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    label_col: str | None = None,
    sum_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Fold the rows backed by fewer than ``min_group_size`` journeys into one row.

    Rows whose ``count_col`` is below the threshold are removed and replaced by a single
    ``"other (suppressed)"`` row at the end, whose ``count_col`` and ``sum_cols`` are the
    sums of the removed rows (so totals stay right) and whose other columns are missing.
    A ``suppressed_groups`` column says how many groups each row stands for. When only one
    row falls below the threshold the fold would expose it, so the smallest shown row is
    folded in too.

    Parameters
    ----------
    table : pandas.DataFrame
        A grouped table (one row per route, segment, touchpoint…); not modified.
    count_col : str
        The column with the number of journeys (or people) behind each row.
    min_group_size : int, default 10
        Smallest count a row may show. ``1`` keeps every row.
    label_col : str, optional
        The column that names each group; the folded row gets ``"other (suppressed)"`` there.
    sum_cols : sequence of str, optional
        Further additive columns (successes, failures…) summed into the folded row;
        negative values (sentinels such as ``-1`` for "not applicable") are left out.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> routes = pd.DataFrame({"route": ["a>b", "a>c", "a>d", "b"],
    ...                        "journeys": [40, 12, 3, 2], "successes": [30, 6, 1, 0]})
    >>> suppress_small_groups(routes, count_col="journeys", label_col="route",
    ...                       sum_cols=["successes"])
                    route  journeys  successes  suppressed_groups
    0                 a>b        40         30                  1
    1                 a>c        12          6                  1
    2  other (suppressed)         5          1                  2
    """
    if not isinstance(table, pd.DataFrame):
        raise InputTypeError(
            f"table must be a pandas DataFrame, got {type(table).__name__}",
            field="table",
            value=type(table).__name__,
        )
    min_group_size = check_min_group_size(min_group_size)
    cols = _columns(table, [count_col], "count_col")
    additive = [*cols, *(_columns(table, list(sum_cols), "sum_cols") if sum_cols else [])]
    if label_col is not None:
        _columns(table, [label_col], "label_col")
    counts = pd.to_numeric(table[count_col], errors="coerce")
    if counts.isna().any() or (counts < 0).any():
        raise ValidationError(
            f"{count_col} must hold counts >= 0",
            field="count_col",
            value=count_col,
        )
    small = small_groups(counts.to_numpy(), min_group_size)
    kept = table.loc[~small].copy()
    kept["suppressed_groups"] = 1
    if not small.any():
        return kept.reset_index(drop=True)
    removed = table.loc[small]
    folded: dict[str, Any] = dict.fromkeys(table.columns, pd.NA)
    for col in additive:
        # counts only: a negative sentinel (-1: "not applicable") is no journey
        values = removed[col]
        folded[col] = values.where(values >= 0, 0).sum() if col != count_col else values.sum()
    if label_col is not None:
        folded[label_col] = SUPPRESSED_LABEL
    folded["suppressed_groups"] = int(small.sum())
    extra = pd.DataFrame([folded], columns=kept.columns)
    return pd.concat(
        [kept, extra.astype(kept.dtypes.to_dict(), errors="ignore")], ignore_index=True
    )


# Card-like numbers: 13 to 19 digits, optionally grouped by spaces or dashes.
_CARD = re.compile(r"(?<![\w])(?:\d[ -]?){12,18}\d(?![\w])")
# Emails are found from their "@" and domain; the local part is the run of allowed
# characters just before the "@". Searching for the whole address at every position
# instead re-read long runs of such characters again and again (quadratic: a
# 40,000-character comment took seconds). The matches are those of the plain pattern
# ``[local chars]+@[\w-]+(?:\.[\w-]+)+``, scanned left to right.
_EMAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_EMAIL_LOCAL = frozenset("!#$%&'*+/=?^`{|}~-.")


_WORD = re.compile(r"\w")


def _is_local(ch: str) -> bool:
    return ch in _EMAIL_LOCAL or _WORD.match(ch) is not None


def _mask_emails(text: str) -> str:
    parts: list[str] = []
    done = 0  # end of the previous match
    for m in _EMAIL_DOMAIN.finditer(text):
        at = m.start()
        start = at
        while start > done and _is_local(text[start - 1]):
            start -= 1
        if start == at:
            continue
        parts.append(text[done:start])
        parts.append("[email]")
        done = m.end()
    parts.append(text[done:])
    return "".join(parts)


# Phone numbers: an optional +country code, then 9 or more digits with the usual separators
# (so plain dates such as 2024-01-15, 8 digits, are left alone).
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d(?:[\s./()-]{0,2}\d){8,}(?![\w])")


def mask_personal_data(text: str) -> str:
    """Mask obvious personal data in free text: emails, card-like and phone numbers.

    A masking pass for showing comments to people, not an anonymiser: names, addresses and
    anything unusual stay as written, so comments are never shown by default. It errs on
    the side of masking: a long run of digits (9 or more, such as a date with its time)
    may be masked as a phone number.

    Parameters
    ----------
    text : str
        A free-text comment.

    Returns
    -------
    str
        The text with ``[email]``, ``[card number]`` and ``[phone]`` in place of matches.

    Examples
    --------
    >>> mask_personal_data("Call me on +34 612 345 678 or mail ana.lopez@example.com")
    'Call me on [phone] or mail [email]'
    >>> mask_personal_data("Charged twice on 4111 1111 1111 1111, order 12345")
    'Charged twice on [card number], order 12345'
    """
    if not isinstance(text, str):
        raise InputTypeError(
            f"text must be a string, got {type(text).__name__}", field="text", value=text
        )
    out = _mask_emails(text)
    out = _CARD.sub("[card number]", out)
    return _PHONE.sub("[phone]", out)


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would run as a formula.

    Examples
    --------
    >>> safe_cell("=SUM(A1:A9)"), safe_cell("-3 days"), safe_cell(-3), safe_cell("ok")
    ("'=SUM(A1:A9)", "'-3 days", -3, 'ok')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a table as CSV with every text cell passed through :func:`safe_cell`.

    Numbers stay numbers; column names are neutralised too. The file is replaced in one
    step: a failed write (a full disk) leaves the previous file as it was.

    Examples
    --------
    >>> import pandas as pd
    >>> write_csv(pd.DataFrame({"comment": ["=1+1", "fine"], "n": [1, 2]}), "out.csv")
    >>> from pathlib import Path
    >>> print(Path("out.csv").read_text(encoding="utf-8"))
    comment,n
    '=1+1,1
    fine,2
    <BLANKLINE>
    """
    if not isinstance(table, pd.DataFrame):
        raise InputTypeError(
            f"write_csv needs a pandas DataFrame, got {type(table).__name__}",
            field="table",
            value=type(table).__name__,
        )
    out = table.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map(safe_cell).astype(object)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    with atomic_path(path) as tmp:
        out.to_csv(tmp, index=False, lineterminator="\n")
