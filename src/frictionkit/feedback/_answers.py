"""Validation helpers for tables of survey answers (private).

Examples
--------
>>> import pandas as pd
>>> _labels(pd.Series(["a", "", None])).tolist()
['a', None, None]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._validate import as_pandas, column
from frictionkit.events._times import check_time_options, parse_text_times
from frictionkit.exceptions import (
    DataError,
    InputTypeError,
    UnknownReferenceError,
    did_you_mean,
)
from frictionkit.feedback._metrics import _NPS_SCALE, FloatArray

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model import Journey


def _as_pandas(df: Any) -> pd.DataFrame:
    return as_pandas(df, "the survey answers")


def _missing(s: pd.Series) -> npt.NDArray[np.bool_]:
    miss = s.isna().to_numpy(dtype=bool, copy=True)
    if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
        values = s.astype(object).to_numpy()
        miss |= np.array([isinstance(v, str) and v == "" for v in values], dtype=bool)
    return miss


def _labels(s: pd.Series) -> npt.NDArray[np.object_]:
    """Text labels of a column (``str(value)``); missing or empty values become None."""
    miss = _missing(s)
    values = s.astype(object).to_numpy()
    return np.array(
        [None if m else str(v) for v, m in zip(values, miss, strict=True)], dtype=object
    )


_TEXT: frozenset[str] = frozenset(
    {"case_id", "metric", "touchpoint", "stage", "persona", "comment"}
)


def _obj(s: pd.Series) -> npt.NDArray[np.object_]:
    """Values of a column as an object array, missing values (None, NaN, NA) as None."""
    values = s.to_numpy(dtype=object, copy=True)
    values[pd.isna(s).to_numpy()] = None
    return values


def _rows_text(labels: Iterable[Any], candidates: Sequence[str]) -> str:
    return ", ".join(repr(x) + did_you_mean(x, candidates) for x in labels)


def _parse_timestamps(
    s: pd.Series,
    df: pd.DataFrame,
    field: str,
    *,
    timestamp_format: str | None = None,
    dayfirst: bool | None = None,
) -> pd.Series:
    """Answer times: ISO 8601, else one format for the whole column (as event logs)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return pd.Series(s.to_numpy(), index=pd.RangeIndex(len(s)))
    check_time_options(timestamp_format, dayfirst)
    miss = _missing(s)
    values = s.astype(object).where(~miss, None)
    text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    timelike = values.map(lambda v: v is None or isinstance(v, (str, dt.date, np.datetime64)))
    one_format = text.any() and bool(timelike.all())
    try:
        if timestamp_format is not None and one_format:
            raise ValueError(timestamp_format)
        parsed = pd.to_datetime(values, format="ISO8601")
    except (ValueError, TypeError):
        if one_format:
            # text: one format for the column, or a clear refusal (never per-value guessing)
            try:
                parsed = parse_text_times(
                    values.map(_iso_or_text),
                    field,
                    timestamp_format=timestamp_format,
                    dayfirst=dayfirst,
                )
            except DataError as err:  # failure cases as the input rows, as elsewhere here
                cases = err.failure_cases
                rows: Any = [] if cases is None else cases["row"].to_numpy()
                raise DataError(
                    err.message,
                    field=field,
                    value=err.value,
                    failure_cases=df.iloc[rows],
                    hint=err.hint,
                ) from None
            return pd.Series(parsed.to_numpy(), index=pd.RangeIndex(len(s)))
        try:
            parsed = pd.to_datetime(values, format="mixed", errors="coerce")
        except (ValueError, TypeError) as exc:
            raise DataError(
                f"{field}: timestamps could not be read ({exc})",
                field=field,
                hint="Convert the column with pandas.to_datetime first",
            ) from None
    bad = parsed.isna().to_numpy() & ~miss
    if bad.any():
        raise DataError(
            f"{field}: {int(bad.sum())} value(s) are not timestamps, "
            f"e.g. {values[bad].head(3).tolist()}",
            field=field,
            value=values[bad].head(3).tolist(),
            failure_cases=df.iloc[np.flatnonzero(bad)],
            hint="Fix or blank those cells; answers without a timestamp are allowed",
        )
    return pd.Series(parsed.to_numpy(), index=pd.RangeIndex(len(s)))


def _iso_or_text(v: Any) -> Any:
    """A date/time object as ISO 8601 text (text and None unchanged)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, np.datetime64):
        return pd.Timestamp(v).isoformat()
    return v.isoformat()


def _link_to_journey(
    answers: pd.DataFrame, journey: Journey, source: pd.DataFrame, names: Mapping[str, str]
) -> pd.DataFrame:
    """Check touchpoints, stages and personas against ``journey``; fill stages. A copy."""
    from frictionkit.model import Journey

    if not isinstance(journey, Journey):
        raise InputTypeError(
            f"journey must be a frictionkit.Journey, got {type(journey).__name__}",
            field="journey",
            value=type(journey).__name__,
            hint="Load one with frictionkit.load_journey(path)",
        )
    out = answers.copy()
    tp_ids = journey.ids("touchpoints")
    st_ids = journey.ids("stages")
    tp = _obj(out["touchpoint"])
    st = _obj(out["stage"])
    for field, values, known, kind in (
        ("touchpoint", tp, tp_ids, "touchpoint"),
        ("stage", st, st_ids, "stage"),
    ):
        seen = {v for v in values if v is not None}
        unknown = sorted(seen - set(known))
        if unknown:
            raise UnknownReferenceError(
                f"{len(unknown)} {kind}(s) in {names.get(field, field)!r} are not in the "
                f"journey: {_rows_text(unknown[:12], known)}" + (" …" if len(unknown) > 12 else ""),
                field=f"{field}_col",
                value=unknown,
                hint=f"Known {kind}s: {', '.join(map(repr, known[:15]))}"
                + (" …" if len(known) > 15 else ""),
            )
    stage_of = {t.id: t.stage for t in journey.touchpoints}
    filled = np.array(
        [stage_of[t] if t is not None else s for t, s in zip(tp, st, strict=True)], dtype=object
    )
    clash = np.array(
        [s is not None and f != s for f, s in zip(filled, st, strict=True)], dtype=bool
    )
    if clash.any():
        pos = np.flatnonzero(clash)
        raise DataError(
            f"{len(pos)} answer(s) name a stage that is not the stage of their touchpoint, "
            f"e.g. touchpoint {tp[pos[0]]!r} is in stage {filled[pos[0]]!r}, "
            f"not {st[pos[0]]!r}",
            field="stage_col",
            value=st[pos[0]],
            failure_cases=source.iloc[out["row"].to_numpy()[pos]]
            if "row" in out and len(source) != len(out)
            else source.iloc[pos],
            hint="Leave the stage empty to take it from the journey, or fix the touchpoint",
        )
    out["stage"] = pd.Series(filled, index=out.index, dtype=object)
    if journey.personas:
        known_p = journey.ids("personas")
        seen_p = {v for v in _obj(out["persona"]) if v is not None}
        unknown_p = sorted(seen_p - set(known_p))
        if unknown_p:
            raise UnknownReferenceError(
                f"{len(unknown_p)} persona(s) in {names.get('persona', 'persona')!r} are not "
                f"in the journey: {_rows_text(unknown_p[:12], known_p)}",
                field="persona_col",
                value=unknown_p,
                hint=f"Known personas: {', '.join(map(repr, known_p))}",
            )
    return out


def _metric_arrays(
    metric: npt.NDArray[np.object_],
    csat_scale: tuple[float, float],
    ces_scale: tuple[float, float],
    ces_variant: str,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per answer: scale low, scale high, is-NPS, reversed direction (CES effort)."""
    scales = {"csat": csat_scale, "ces": ces_scale, "nps": _NPS_SCALE}
    low = np.array([scales[m][0] for m in metric], dtype=np.float64)
    high = np.array([scales[m][1] for m in metric], dtype=np.float64)
    is_nps = np.asarray(metric == "nps", dtype=bool)
    reverse = np.asarray((metric == "ces") & (ces_variant == "effort"), dtype=bool)
    return low, high, is_nps, reverse


def _sort_key(v: Any) -> tuple[int, str]:
    return (1, "") if v is None else (0, str(v))


def _check_column(df: pd.DataFrame, col: Any, field: str) -> str:
    return column(df, col, field=field, what="the survey answers")
