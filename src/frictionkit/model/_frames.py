"""A journey as one table per entity kind, and back (re-exported by :mod:`frictionkit.model`).

Columns are the attribute names of the model classes. Lists of ids (``fixes``,
``requires``, ``excludes``, ``personas``, ``evidence``) are Python lists. Each quantity of
an improvement (``effort_days``, ``cost``, ``impact``, ``confidence``, ``fix_share``) is a
numeric column
holding the mean, beside a ``<name>_estimate`` text column holding the estimate's
shorthand (``"2..4..12"``) where the figure is an estimate, and empty where it is a plain
number. When reading, the shorthand wins; a number that disagrees with it is an error.

Reading also accepts text cells (as read from CSV or Excel): numbers, ``true``/``false``,
and comma-separated lists.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    FrictionkitError,
    InputTypeError,
    MissingColumnError,
    SchemaError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model._entities import ENTITIES, Improvement

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.model._journey import Journey

# journey_from_frames, which builds the Journey, is in frictionkit.model._journey
__all__ = [
    "LIST_FIELDS",
    "QUANTITY_FIELDS",
    "entity_columns",
    "journey_to_frames",
]

#: Fields holding lists of ids or texts, per entity kind.
LIST_FIELDS: Mapping[str, tuple[str, ...]] = {
    "pain_points": ("personas", "evidence"),
    "improvements": ("fixes", "requires", "excludes"),
}
#: Improvement fields that may be an Estimate.
QUANTITY_FIELDS: tuple[str, ...] = ("effort_days", "cost", "impact", "confidence", "fix_share")
_BOOL_FIELDS = {"online", "mandatory"}
_NUMBER_FIELDS = {"share", "value_per_customer", "capacity_days", "severity", "reach"}


def entity_columns(kind: str) -> tuple[str, ...]:
    """Column names of one entity kind's table, in order.

    Examples
    --------
    >>> entity_columns("owners")
    ('id', 'name', 'capacity_days')
    """
    cls = ENTITIES[kind]
    cols = [f.name for f in attrs.fields(cls)]
    if cls is Improvement:
        cols += [f"{q}_estimate" for q in QUANTITY_FIELDS]
    return tuple(cols)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def journey_to_frames(journey: Journey) -> dict[str, pd.DataFrame]:
    """One DataFrame per entity kind, keyed by kind.

    Parameters
    ----------
    journey : Journey

    Returns
    -------
    dict of str to pandas.DataFrame
        Keys ``stages``, ``touchpoints``, ``personas``, ``owners``, ``pain_points``,
        ``improvements``; empty kinds give empty frames with their columns.

    Examples
    --------
    >>> import frictionkit as fk
    >>> frames = fk.datasets.load_autoparts().to_frames()
    >>> list(frames["improvements"].columns[:5])
    ['id', 'title', 'owner', 'effort_days', 'cost']
    """
    out: dict[str, pd.DataFrame] = {}
    for kind in ENTITIES:
        cols = entity_columns(kind)
        rows = []
        for item in getattr(journey, kind):
            row: dict[str, Any] = {}
            for f in attrs.fields(type(item)):
                value = getattr(item, f.name)
                if isinstance(value, tuple):
                    value = list(value)
                if f.name in QUANTITY_FIELDS and kind == "improvements":
                    row[f"{f.name}_estimate"] = str(value) if isinstance(value, Estimate) else None
                    value = value.mean if isinstance(value, Estimate) else value
                row[f.name] = value
            rows.append(row)
        frame = pd.DataFrame(rows, columns=list(cols))
        for q in QUANTITY_FIELDS if kind == "improvements" else ():
            frame[q] = pd.to_numeric(frame[q]).astype("float64")
        out[kind] = frame
    return out


def _cell_number(value: Any, where: str) -> float | None:
    if isinstance(value, str):
        value = value.strip()
    if _is_missing(value):
        return None
    if isinstance(value, str):
        try:
            return float(value.strip().replace("_", ""))
        except ValueError:
            raise ValidationError(
                f"{where}: {value!r} is not a number", field=where, value=value
            ) from None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"{where}: {value!r} is not a number", field=where, value=value)
    return float(value)


def _cell_bool(value: Any, where: str) -> bool | None:
    if _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"true", "yes", "y", "1", "1.0"}:
        return True
    if text in {"false", "no", "n", "0", "0.0"}:
        return False
    raise ValidationError(
        f"{where}: {value!r} is not true or false",
        field=where,
        value=value,
        hint="Write true or false (yes/no also work)",
    )


def _cell_list(value: Any, where: str) -> tuple[Any, ...]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(value)
    if _is_missing(value):
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    raise InputTypeError(
        f"{where}: expected a list or comma-separated text, got {value!r}",
        field=where,
        value=value,
    )


def _cell_text(value: Any) -> Any:
    if _is_missing(value):
        return None
    return value


def _quantity(row: Mapping[str, Any], name: str, where: str) -> Any:
    est_text = row.get(f"{name}_estimate")
    cell = row.get(name)
    if isinstance(cell, str) and not _is_missing(cell.strip()):
        # A hand-written sheet may put the shorthand ("2..4..12", "M") in the column itself.
        try:
            float(cell.strip().replace("_", ""))
        except ValueError:
            if not _is_missing(est_text):
                raise ValidationError(
                    f"{where}: both {name} ({cell!r}) and {name}_estimate ({est_text!r}) "
                    "hold an estimate",
                    field=name,
                    value=(cell, est_text),
                    hint=f"Keep one of them; {name} may hold a number or an estimate",
                ) from None
            try:
                return Estimate.parse(cell)
            except FrictionkitError:
                raise ValidationError(
                    f"{where}.{name}: {cell!r} is not a number or an estimate",
                    field=name,
                    value=cell,
                    hint="Write a number, or an estimate such as 2..12, 2..4..12 or M",
                ) from None
    number = _cell_number(cell, f"{where}.{name}")
    if _is_missing(est_text):
        return number
    if not isinstance(est_text, str):
        raise InputTypeError(
            f"{where}.{name}_estimate must be estimate text such as '2..4..12', got {est_text!r}",
            field=f"{name}_estimate",
            value=est_text,
        )
    est = Estimate.parse(est_text)
    if number is not None and not math.isclose(number, est.mean, rel_tol=1e-9, abs_tol=1e-12):
        raise ValidationError(
            f"{where}: {name} is {number:g} but {name}_estimate {est_text!r} has mean {est.mean:g}",
            field=name,
            value=(number, est_text),
            hint=f"Change one of them, or leave {name} empty to use the estimate",
        )
    return est


def _prefixed(err: FrictionkitError, prefix: str) -> FrictionkitError:
    new = type(err).__new__(type(err))
    new.__dict__.update(err.__dict__)
    new.message = f"{prefix}: {err.message}"
    new.args = (new._render(),)
    return new


def _rows(frame: Any, kind: str) -> list[dict[str, Any]]:
    if not isinstance(frame, pd.DataFrame):
        raise InputTypeError(
            f"frames[{kind!r}] must be a pandas DataFrame, got {type(frame).__name__}",
            field=kind,
            value=type(frame).__name__,
        )
    cols = entity_columns(kind)
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        dup = next(c for c in names if names.count(c) > 1)
        raise SchemaError(f"{kind}: column {dup!r} appears twice", field=kind, value=dup)
    unknown = [c for c in names if c not in cols]
    if unknown:
        raise SchemaError(
            f"{kind}: unknown column {unknown[0]!r}" + did_you_mean(unknown[0], cols),
            field=kind,
            value=unknown[0],
            hint=f"Allowed columns: {', '.join(cols)}",
        )
    if "id" not in names:
        raise MissingColumnError(
            f"{kind}: the table has no 'id' column",
            field=kind,
            value=names,
            hint=f"Columns: {', '.join(cols)}",
        )
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in rec.items()} for rec in frame.to_dict(orient="records")
    ]
    return records


def _entity_from_row(kind: str, row: Mapping[str, Any], pos: int) -> Any:
    cls = ENTITIES[kind]
    ident = row.get("id")
    where = f"{kind} row {pos + 1}" + ("" if _is_missing(ident) else f" (id {ident!r})")
    kwargs: dict[str, Any] = {}
    for f in attrs.fields(cls):
        if not f.init:
            continue
        if f.name not in row and not (
            kind == "improvements" and f.name in QUANTITY_FIELDS and f"{f.name}_estimate" in row
        ):
            continue
        if kind == "improvements" and f.name in QUANTITY_FIELDS:
            value = _quantity(row, f.name, where)
        elif f.name in LIST_FIELDS.get(kind, ()):
            value = _cell_list(row[f.name], f"{where}.{f.name}")
        elif f.name in _BOOL_FIELDS:
            value = _cell_bool(row[f.name], f"{where}.{f.name}")
            if value is None and f.name == "mandatory":
                value = False
        elif f.name in _NUMBER_FIELDS:
            value = _cell_number(row[f.name], f"{where}.{f.name}")
            if f.name == "severity" and value is None:
                value = 1
        else:
            value = _cell_text(row[f.name])
            if value is None and f.name == "description":
                value = ""
        kwargs[f.name] = value
    return cls(**kwargs)


def _entities_from_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """The entities of each kind from one DataFrame per kind (see ``journey_from_frames``)."""
    if not isinstance(frames, Mapping):
        raise InputTypeError(
            f"frames must be a mapping of table name to DataFrame, got {type(frames).__name__}",
            field="frames",
            value=type(frames).__name__,
        )
    unknown = [k for k in frames if k not in ENTITIES]
    if unknown:
        raise UnknownReferenceError(
            f"unknown table {unknown[0]!r}" + did_you_mean(unknown[0], ENTITIES),
            field="frames",
            value=unknown[0],
            hint=f"Tables: {', '.join(ENTITIES)}",
        )
    entities: dict[str, Any] = {}
    for kind in ENTITIES:
        if kind not in frames:
            continue
        items = []
        for pos, row in enumerate(_rows(frames[kind], kind)):
            try:
                items.append(_entity_from_row(kind, row, pos))
            except FrictionkitError as err:
                where = f"{kind} row {pos + 1}"
                if not _is_missing(row.get("id")):
                    where += f" (id {row.get('id')!r})"
                if err.message.startswith(where):
                    raise
                raise _prefixed(err, where) from err
        entities[kind] = items
    return entities
