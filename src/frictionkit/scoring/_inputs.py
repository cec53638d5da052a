"""The standard input table of :func:`frictionkit.scoring.prioritise`, its criteria and weights.

Private: reads a Journey, a DataFrame or a list of Improvement objects into one table of
arrays (``_Inputs``), resolves ``value_at_stake``, and builds the MCDA criteria matrix and
weights. :mod:`frictionkit.scoring` re-exports the helpers other modules use.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import plural
from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    DataError,
    DuplicateIdError,
    InputTypeError,
    MissingColumnError,
    SchemaError,
    UnknownReferenceError,
    ValidationError,
    _short,
    did_you_mean,
)
from frictionkit.model import Improvement, Journey
from frictionkit.weights import normalise_weights

FloatArray: TypeAlias = npt.NDArray[np.float64]

# ---------------------------------------------------------------------------------------
# the standard input table


@attrs.frozen(kw_only=True)
class _Inputs:
    ids: list[str]
    titles: list[str]
    owners: list[str | None]
    declared: FloatArray  # NaN when none
    effort: FloatArray
    cost: FloatArray
    confidence: FloatArray  # NaN when none
    fix_share: FloatArray  # NaN when none
    fixes: list[tuple[str, ...]] | None
    reach: FloatArray
    mandatory: npt.NDArray[np.bool_]
    extra: Mapping[str, FloatArray]  # further numeric columns usable as criteria
    names: Mapping[str, str]  # user column name -> standard name


def _mean(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, Estimate):
        return float(value.mean)
    return float(value)


def _rows_from_improvements(
    items: Sequence[Improvement], reach: FloatArray, names: Mapping[str, str]
) -> _Inputs:
    return _Inputs(
        ids=[i.id for i in items],
        titles=[i.title for i in items],
        owners=[i.owner for i in items],
        declared=np.array([_mean(i.impact) for i in items], dtype=np.float64),
        effort=np.array([_mean(i.effort_days) for i in items], dtype=np.float64),
        cost=np.array([_mean(i.cost) for i in items], dtype=np.float64),
        confidence=np.array([_mean(i.confidence) for i in items], dtype=np.float64),
        fix_share=np.array([_mean(i.fix_share) for i in items], dtype=np.float64),
        fixes=[i.fixes for i in items],
        reach=reach,
        mandatory=np.array([i.mandatory for i in items], dtype=bool),
        extra={},
        names=names,
    )


def _columns(names: Iterable[Any], limit: int = 30) -> str:
    """Column names for a hint, at most ``limit`` of them, long ones cut."""
    shown = list(itertools.islice(names, limit + 1))
    texts = [str(c) for c in shown[:limit]]
    cut = [t if len(t) <= 60 else f"{t[:60]}… ({len(t):,} characters)" for t in texts]
    return ", ".join(cut) + (" …" if len(shown) > limit else "")


def _column(
    df: pd.DataFrame, name: str | None, param: str, default: str | None, *, required: bool
) -> pd.Series | None:
    if name is None:
        return None
    if name in df.columns:
        repeats = 1 if df.columns.is_unique else int((df.columns == name).sum())
        if repeats > 1:  # df[name] would be a DataFrame
            raise SchemaError(
                f"{param}: column {_short(name)} appears {repeats} times in the table",
                field=param,
                value=name,
                hint="Drop or rename the duplicates, e.g. df.loc[:, ~df.columns.duplicated()]",
            )
        column: pd.Series = df[name]
        return column
    if required or name != default:
        raise MissingColumnError(
            f"{param}={_short(name)} is not a column of the table"
            + did_you_mean(name, [str(c) for c in df.columns]),
            field=param,
            value=name,
            hint=f"Columns: {_columns(df.columns)}",
        )
    return None


def _numeric(
    series: pd.Series, ids: Sequence[str], param: str, *, allow_missing: bool
) -> FloatArray:
    raw = series
    if raw.dtype == object:
        raw = raw.map(lambda v: v.mean if isinstance(v, Estimate) else v)
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    given = ~series.isna().to_numpy()
    # True and False are not numbers here (pandas would score True as 1)
    if pd.api.types.is_bool_dtype(series.dtype):
        is_bool = given.copy()
    elif series.dtype == object:
        is_bool = np.fromiter(
            (isinstance(v, (bool, np.bool_)) for v in series), dtype=bool, count=len(series)
        )
    else:
        is_bool = np.zeros(len(values), dtype=bool)
    values = np.where(is_bool, np.nan, values)
    bad_type = given & np.isnan(values)
    bad_inf = np.isinf(values)
    bad_neg = values < 0
    bad_na = np.zeros(len(values), dtype=bool) if allow_missing else np.isnan(values)
    bad = bad_type | bad_inf | bad_neg | bad_na
    if bad.any():
        rows = np.flatnonzero(bad)
        shown = [ids[int(k)] for k in rows[:5]]
        what = (
            "not numbers"
            if bad_type.any()
            else "infinite"
            if bad_inf.any()
            else "negative"
            if bad_neg.any()
            else "missing (NaN)"
        )
        raise DataError(
            f"{param} column {_short(series.name)} has values that are {what} for "
            f"{plural(len(rows), 'improvement')}: {', '.join(map(_short, shown))}"
            + (" ..." if len(rows) > 5 else ""),
            field=param,
            value=series.iloc[int(rows[0])],
            hint="Give finite numbers >= 0",
            failure_cases=pd.DataFrame(
                {"id": [ids[int(k)] for k in rows], str(series.name): series.iloc[rows].tolist()}
            ),
        )
    return np.asarray(values, dtype=np.float64)


def _from_frame(df: pd.DataFrame, cols: Mapping[str, Any], value_given: bool) -> _Inputs:
    id_s = _column(df, cols["id_col"], "id_col", "id", required=True)
    assert id_s is not None
    if id_s.isna().any():
        rows = np.flatnonzero(id_s.isna().to_numpy())
        raise DataError(
            f"id column {_short(cols['id_col'])} is empty in {plural(len(rows), 'row')} "
            f"(first at position {int(rows[0])})",
            field="id_col",
            value=None,
            failure_cases=df.iloc[rows],
        )
    ids = _texts(id_s)
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise DuplicateIdError(
            f"improvement id {_short(dup)} appears more than once in column "
            f"{_short(cols['id_col'])}",
            field="id_col",
            value=dup,
            hint="Give every improvement a unique id",
        )
    effort_s = _column(df, cols["effort_col"], "effort_col", "effort_days", required=True)
    cost_s = _column(df, cols["cost_col"], "cost_col", "cost", required=True)
    assert effort_s is not None
    assert cost_s is not None
    impact_s = _column(df, cols["impact_col"], "impact_col", "impact", required=not value_given)
    title_s = _column(df, cols["title_col"], "title_col", "title", required=False)
    owner_s = _column(df, cols["owner_col"], "owner_col", "owner", required=False)
    conf_s = _column(df, cols["confidence_col"], "confidence_col", "confidence", required=False)
    share_s = _column(df, cols["fix_share_col"], "fix_share_col", "fix_share", required=False)
    fixes_s = _column(df, cols["fixes_col"], "fixes_col", "fixes", required=False)
    reach_s = _column(df, cols["reach_col"], "reach_col", None, required=True)
    mand_s = _column(df, "mandatory", "mandatory", "mandatory", required=False)
    n = len(ids)
    nan = np.full(n, np.nan)
    owners: list[str | None]
    if owner_s is None:
        owners = [None] * n
    else:
        if isinstance(owner_s.dtype, pd.StringDtype):
            text = owner_s.str.strip()
        else:
            text = owner_s.astype(object).where(owner_s.notna(), "").astype(str).str.strip()
        blank = (text.isna() | (text == "")).to_numpy(dtype=bool)
        owners = text.astype(object).where(~blank, None).tolist()
    fixes: list[tuple[str, ...]] | None = None
    if fixes_s is not None and value_given:
        fixes = [_as_fixes(v) for v in fixes_s.tolist()]
    names = {
        str(cols["impact_col"]): "impact",
        str(cols["effort_col"]): "effort_days",
        str(cols["cost_col"]): "cost",
        str(cols["confidence_col"]): "confidence",
    }
    if cols["reach_col"] is not None:
        names[str(cols["reach_col"])] = "reach"
    return _Inputs(
        ids=ids,
        titles=_texts(title_s) if title_s is not None else list(ids),
        owners=owners,
        declared=nan.copy()
        if impact_s is None
        else _numeric(impact_s, ids, "impact_col", allow_missing=True),
        effort=_numeric(effort_s, ids, "effort_col", allow_missing=False),
        cost=_numeric(cost_s, ids, "cost_col", allow_missing=False),
        confidence=nan.copy()
        if conf_s is None
        else _numeric(conf_s, ids, "confidence_col", allow_missing=True),
        fix_share=nan.copy()
        if share_s is None
        else _numeric(share_s, ids, "fix_share_col", allow_missing=True),
        fixes=fixes,
        reach=np.ones(n)
        if reach_s is None
        else _numeric(reach_s, ids, "reach_col", allow_missing=False),
        mandatory=np.zeros(n, dtype=bool)
        if mand_s is None
        else mand_s.fillna(False).astype(bool).to_numpy(),
        extra=_Extra(df, ids),
        names=names,
    )


def _texts(series: pd.Series) -> list[str]:
    """The values of a column as text (``str(v)``); a text column is taken as it is."""
    values: list[Any] = series.tolist()
    if isinstance(series.dtype, pd.StringDtype) and not series.hasnans:
        return values
    return [str(v) for v in values]


class _Extra(Mapping[str, FloatArray]):
    """Lazy numeric view of a table's other columns (converted only when used)."""

    def __init__(self, df: pd.DataFrame, ids: list[str]) -> None:
        self._df = df
        self._ids = ids

    def __getitem__(self, key: str) -> FloatArray:
        if key not in self._df.columns:
            raise KeyError(key)
        return _numeric(self._df[key], self._ids, f"criteria[{_short(key)}]", allow_missing=False)

    def __iter__(self) -> Any:
        return iter(str(c) for c in self._df.columns)

    def __len__(self) -> int:
        return len(self._df.columns)


def _as_fixes(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.replace(";", ",").split(",") if p.strip())
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return (str(value),)


_VALUE_COL = re.compile(r"value_at_stake(_per_(year|quarter|month|week|day))?")


def _value_map(value_at_stake: Any) -> dict[str, float]:
    if isinstance(value_at_stake, pd.DataFrame):
        cols = [str(c) for c in value_at_stake.columns]
        found = [c for c in cols if _VALUE_COL.fullmatch(c)]
        if "pain_point" not in cols or len(found) != 1:
            need = "pain_point" if "pain_point" not in cols else "value_at_stake"
            raise MissingColumnError(
                "value_at_stake table needs columns 'pain_point' and one of "
                "'value_at_stake' or 'value_at_stake_per_<period>'; "
                + (f"{_short(need)} is missing" if not found or need == "pain_point"
                   else f"it has {len(found)}: {found}")
                + did_you_mean(need, cols),
                field="value_at_stake",
                value=cols,
            )  # fmt: skip
        rows = value_at_stake
        if "status" in cols:  # the table of derive_pain_points: rows without a value
            rows = rows[pd.to_numeric(rows[found[0]], errors="coerce").notna()]
        pairs: list[tuple[Any, Any]] = list(
            zip(rows["pain_point"].tolist(), rows[found[0]].tolist(), strict=True)
        )
    elif isinstance(value_at_stake, pd.Series):
        pairs = list(zip(value_at_stake.index.tolist(), value_at_stake.tolist(), strict=True))
    elif isinstance(value_at_stake, Mapping):
        pairs = list(value_at_stake.items())
    else:
        raise InputTypeError(
            "value_at_stake must be a mapping or Series (pain point id -> value) or a "
            f"DataFrame with columns pain_point, value_at_stake; got "
            f"{type(value_at_stake).__name__}",
            field="value_at_stake",
            value=value_at_stake,
        )
    out: dict[str, float] = {}
    for key, raw in pairs:
        try:
            v = float(raw)
        except (TypeError, ValueError) as exc:
            raise InputTypeError(
                f"value_at_stake[{_short(key)}] must be a number, got {_short(raw)}",
                field="value_at_stake",
                value=raw,
            ) from exc
        if not math.isfinite(v) or v < 0:
            raise ValidationError(
                f"value_at_stake[{_short(key)}] must be a finite number >= 0, got {_short(raw)}",
                field="value_at_stake",
                value=raw,
            )
        out[str(key)] = v
    return out


def _assemble(data: Any, cols: Mapping[str, Any], value_map: dict[str, float] | None) -> _Inputs:
    std = {"impact": "impact", "effort_days": "effort_days", "cost": "cost"}
    std["confidence"] = "confidence"
    if isinstance(data, Journey):
        if value_map is not None:
            known = data.ids("pain_points")
            for key in value_map:
                if key not in known:
                    raise UnknownReferenceError(
                        f"value_at_stake names pain point {_short(key)}, which is not in the "
                        "journey" + did_you_mean(key, known),
                        field="value_at_stake",
                        value=key,
                    )
        pp_reach = {pp.id: (pp.reach or 0.0) for pp in data.pain_points}
        items = list(data.improvements)
        reach = np.array([sum(pp_reach[f] for f in i.fixes) for i in items], dtype=np.float64)
        std["reach"] = "reach"
        return _rows_from_improvements(items, reach, std)
    if isinstance(data, pd.DataFrame):
        return _from_frame(data, cols, value_map is not None)
    if isinstance(data, Improvement):
        data = [data]
    if isinstance(data, Iterable) and not isinstance(data, (str, bytes, Mapping)):
        items = list(data)
        for k, item in enumerate(items):
            if not isinstance(item, Improvement):
                raise InputTypeError(
                    f"improvements[{k}] must be an Improvement, got {type(item).__name__}",
                    field="journey_or_improvements",
                    value=item,
                )
        ids = [i.id for i in items]
        if len(set(ids)) != len(ids):
            dup = next(i for k, i in enumerate(ids) if i in ids[:k])
            raise DuplicateIdError(
                f"improvement id {_short(dup)} appears more than once", field="id", value=dup
            )
        return _rows_from_improvements(items, np.ones(len(items)), std)
    raise InputTypeError(
        "prioritise needs a Journey, a DataFrame of improvements or a list of Improvement "
        f"objects, got {type(data).__name__}",
        field="journey_or_improvements",
        value=data,
        hint="Load a journey with frictionkit.load_journey or pass journey.to_frames()"
        "['improvements']",
    )


# ---------------------------------------------------------------------------------------
# criteria and weights


def _direction(value: Any, name: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("benefit", "cost"):
        return value.lower() == "benefit"
    raise InputTypeError(
        f"criteria[{_short(name)}] must be 'benefit', 'cost', True (benefit) or False (cost), "
        f"got {_short(value)}",
        field="criteria",
        value=value,
    )


_KNOWN_DIRECTION: Mapping[str, bool] = {
    "impact": True,
    "effort_days": False,
    "cost": False,
    "confidence": True,
    "reach": True,
}


def _criteria_matrix(
    criteria: Any, inp: _Inputs, standard: Mapping[str, FloatArray]
) -> tuple[list[str], FloatArray, npt.NDArray[np.bool_]]:
    by_user = {user: standard[std] for user, std in inp.names.items() if std in standard}
    if criteria is None:
        users = {std: user for user, std in inp.names.items()}
        spec: dict[str, bool] = {
            users.get(k, k): _KNOWN_DIRECTION[k]
            for k in ("impact", "effort_days", "cost", "confidence")
        }
    elif isinstance(criteria, Mapping):
        spec = {str(k): _direction(v, str(k)) for k, v in criteria.items()}
    elif isinstance(criteria, Iterable) and not isinstance(criteria, (str, bytes)):
        spec = {}
        for name in criteria:
            std = inp.names.get(str(name), str(name))
            if std not in _KNOWN_DIRECTION:
                raise ValidationError(
                    f"criterion {_short(name)} has no known direction",
                    field="criteria",
                    value=name,
                    hint="Pass a mapping such as {'" + str(name) + "': 'benefit'} or 'cost'",
                )
            spec[str(name)] = _KNOWN_DIRECTION[std]
    else:
        raise InputTypeError(
            f"criteria must be a mapping (column -> 'benefit'/'cost') or a list of columns, "
            f"got {_short(criteria)}",
            field="criteria",
            value=criteria,
        )
    if not spec:
        raise ValidationError("criteria is empty; give at least one", field="criteria")
    names = list(spec)
    columns = []
    for name in names:
        if name in by_user:
            columns.append(by_user[name])
        elif name in standard and name not in inp.names.values():
            columns.append(standard[name])
        elif name in inp.extra:
            columns.append(inp.extra[name])
        else:
            pool = list(by_user) + list(inp.extra)
            raise MissingColumnError(
                f"criterion {_short(name)} is not a column of the improvements"
                + did_you_mean(name, pool),
                field="criteria",
                value=name,
                hint=f"Available: {_columns(dict.fromkeys(pool))}",
            )
    matrix = np.column_stack(columns).astype(np.float64)
    return names, matrix, np.array([spec[c] for c in names], dtype=bool)


def _weights(weights: Any, names: list[str]) -> FloatArray:
    if weights is None:
        return np.full(len(names), 1.0 / len(names))
    if isinstance(weights, (Mapping, pd.Series)):
        keys = (
            [str(k) for k in weights.index]
            if isinstance(weights, pd.Series)
            else [str(k) for k in weights]
        )
        for key in keys:
            if key not in names:
                raise UnknownReferenceError(
                    f"weights names criterion {_short(key)}, which is not among the criteria "
                    f"{names}" + did_you_mean(key, names),
                    field="weights",
                    value=key,
                    hint="Pass criteria= to choose the columns, or fix the weight's name",
                )
        missing = [n for n in names if n not in keys]
        if missing:
            raise ValidationError(
                f"weights has no value for criteria {missing}",
                field="weights",
                value=dict(weights),
                hint="Give one weight per criterion (0 to ignore one)",
            )
        w = normalise_weights({str(k): v for k, v in weights.items()}, criteria=names)
    else:
        w = normalise_weights(weights, criteria=names)
    return np.asarray(w, dtype=np.float64)
