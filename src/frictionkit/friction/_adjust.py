"""Adjustment for case attributes: the groups behind ``adjust_for=`` (see :func:`friction`).

Part of :mod:`frictionkit.friction` (see its documentation). ``adjust_for`` names case
attributes kept with ``case_cols=`` when the log was built; every combination of their
values is a group, and the estimates are stratified by group as well as by the step
before the exposure (standardisation within strata of the confounders; Rothman,
Greenland and Lash, *Modern Epidemiology*, 3rd ed., 2008, ch. 15).

Attributes are read as categories. A numeric attribute with more than
:data:`MAX_LEVELS` distinct values is refused: band it first (for instance
``pd.qcut(df["basket_value"], 4)``) so that the bands are a choice the analyst makes and
can name, not one made here. An attribute whose values differ within a case (recorded
at ingest, see :data:`frictionkit.events._ingest.VARYING_KEY`) is refused: it is not the
case's own and may change because of the journey. An attribute with missing values is
refused (say what a
missing value means, e.g. ``fillna("unknown")``), and so is a set of groups with fewer
than ``min_support`` decided journeys per group on average: the strata would be too thin
to compare anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.events._ingest import check_constant_in_case
from frictionkit.exceptions import InputTypeError, UnknownReferenceError, ValidationError
from frictionkit.exceptions import did_you_mean as _did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog

#: Most distinct values of a numeric attribute read as categories (more: band it first).
MAX_LEVELS = 20
_INT = np.int64


def adjustment_names(log: EventLog, adjust_for: Iterable[str] | str | None) -> tuple[str, ...]:
    """The case attributes named by ``adjust_for``, checked against the log's."""
    if adjust_for is None:
        return ()
    if isinstance(adjust_for, str):
        names = [adjust_for]
    elif isinstance(adjust_for, Iterable):
        names = list(adjust_for)
    else:
        raise InputTypeError(
            f"adjust_for must name case attributes (a str or a list of str), got "
            f"{type(adjust_for).__name__}",
            field="adjust_for",
            value=adjust_for,
            hint='e.g. adjust_for=["segment"]',
        )
    kept = [str(c) for c in log.case_attributes.columns]
    out: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise InputTypeError(
                f"adjust_for must name case attributes (str), got {name!r}",
                field="adjust_for",
                value=name,
            )
        if name not in kept:
            raise UnknownReferenceError(
                f"adjust_for names {name!r}, not a case attribute of this log"
                + _did_you_mean(name, kept),
                field="adjust_for",
                value=name,
                hint="Keep it with case_cols= when building the log"
                + (f" (kept: {', '.join(map(repr, kept))})" if kept else " (none kept)"),
            )
        check_constant_in_case(log.case_attributes, name, "adjust_for")
        if name not in out:
            out.append(name)
    return tuple(out)


def journey_groups(
    log: EventLog,
    names: tuple[str, ...],
    decided: np.ndarray,
    weight: np.ndarray,
    min_support: int,
) -> tuple[np.ndarray, int]:
    """Group code of each decided journey (one group per combination of values).

    Parameters
    ----------
    log : EventLog
    names : tuple of str
        Checked names (:func:`adjustment_names`), at least one.
    decided : ndarray of int
        Index of each decided journey among the log's journeys.
    weight : ndarray of float
        Journeys each decided journey stands for.
    min_support : int
        Fewest decided journeys per group on average.

    Returns
    -------
    codes : ndarray of int64
        Group of each decided journey.
    n_groups : int
    """
    codes = np.zeros(len(decided), dtype=_INT)
    for name in names:
        values = log.case_attributes[name].to_numpy(dtype=object)[log.journey_case[decided]]
        col = pd.Series(values, dtype=object)
        missing = col.isna().to_numpy()
        if missing.any():
            n_miss = round(float(weight[missing].sum()))
            raise ValidationError(
                f"adjust_for: {n_miss} of the {round(float(weight.sum()))} decided journeys "
                f"have no value for {name!r}",
                field="adjust_for",
                value=name,
                hint="Say what a missing value means before adjusting, e.g. "
                f'df[{name!r}] = df[{name!r}].fillna("unknown")',
            )
        numeric = pd.to_numeric(col, errors="coerce")
        levels = col.nunique()
        if not _is_bool(col) and numeric.notna().all() and levels > MAX_LEVELS:
            raise ValidationError(
                f"adjust_for: {name!r} looks continuous ({levels} distinct numeric values); "
                f"it is read as categories, at most {MAX_LEVELS} for a number",
                field="adjust_for",
                value=name,
                hint=f'Band it first, e.g. df["{name}_band"] = pd.qcut(df[{name!r}], 4), and '
                "keep the band with case_cols=",
            )
        sub, _ = pd.factorize(col.astype(str), sort=True)
        codes = codes * (int(sub.max()) + 1) + sub.astype(_INT)
    uniq, codes = np.unique(codes, return_inverse=True)
    n_groups = len(uniq)
    total = float(weight.sum())
    if n_groups * min_support > total:
        raise ValidationError(
            f"adjust_for={list(names)!r} makes {n_groups} groups for "
            f"{round(total)} decided journeys, fewer than min_support={min_support} per "
            "group on average: the strata are too thin to compare",
            field="adjust_for",
            value=list(names),
            hint="Adjust for fewer attributes, or band them more coarsely",
        )
    return codes.astype(_INT).ravel(), n_groups


def _is_bool(col: pd.Series[Any]) -> bool:
    return bool(col.map(lambda v: isinstance(v, (bool, np.bool_))).all())
