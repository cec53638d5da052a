"""Kano categories and coefficients, and DSDM's MoSCoW effort check (private).

:mod:`frictionkit.frameworks` re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import (
    InputTypeError,
    MissingColumnError,
    UnknownReferenceError,
    ValidationError,
    _short,
    did_you_mean,
)
from frictionkit.frameworks._checks import _arr

#: DSDM's ceiling on the share of effort that "Must Have" items may take.
MOSCOW_MUST_LIMIT = 0.60

#: The five Kano answers, in the order of the evaluation table's rows and columns.
KANO_ANSWERS: tuple[str, ...] = ("like", "must-be", "neutral", "live-with", "dislike")
#: Kano evaluation table (Berger et al., 1993, table 1): ``KANO_TABLE[functional][dysfunctional]``.
#: A attractive, O one-dimensional, M must-be, I indifferent, R reverse, Q questionable.
KANO_TABLE: tuple[tuple[str, ...], ...] = (
    ("Q", "A", "A", "A", "O"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "R", "R", "R", "Q"),
)
_KANO_SYNONYMS: Mapping[str, int] = {
    "like": 0,
    "i like it": 0,
    "must-be": 1,
    "must be": 1,
    "mustbe": 1,
    "expect": 1,
    "i expect it": 1,
    "neutral": 2,
    "i am neutral": 2,
    "live-with": 3,
    "live with": 3,
    "tolerate": 3,
    "i can tolerate it": 3,
    "i can live with it": 3,
    "dislike": 4,
    "i dislike it": 4,
}


# ---------------------------------------------------------------------------------------
# Kano


def _kano_index(answer: Any, field: str) -> int:
    if not isinstance(answer, str):
        raise InputTypeError(
            f"{field} must be a Kano answer text, got {_short(answer)}", field=field, value=answer
        )
    key = " ".join(answer.strip().lower().replace("_", "-").split())
    if key not in _KANO_SYNONYMS:
        raise UnknownReferenceError(
            f"unknown Kano answer {_short(answer)} in {field}; use one of {list(KANO_ANSWERS)}"
            + did_you_mean(key, KANO_ANSWERS),
            field=field,
            value=answer,
        )
    return _KANO_SYNONYMS[key]


def kano_category(functional: Any, dysfunctional: Any) -> Any:
    """Kano category from the functional and dysfunctional answers (evaluation table).

    The functional question asks how the customer feels if the feature is present, the
    dysfunctional one if it is absent; each is answered with like, must-be (expect),
    neutral, live-with (tolerate) or dislike. The standard 5 x 5 evaluation table
    (:data:`KANO_TABLE`; Kano et al., 1984; Berger et al., 1993, *Center for Quality of
    Management Journal* 2(4), table 1) gives A (attractive), O (one-dimensional),
    M (must-be), I (indifferent), R (reverse) or Q (questionable).

    Parameters
    ----------
    functional, dysfunctional : str or sequence of str
        One answer each, or two sequences of the same length.

    Returns
    -------
    str or numpy.ndarray
        One letter, or an array of letters.

    Examples
    --------
    >>> kano_category("like", "dislike")
    'O'
    >>> kano_category(["like", "expect", "neutral"], ["live-with", "dislike", "neutral"])
    array(['A', 'M', 'I'], dtype='<U1')
    """
    if isinstance(functional, str) and isinstance(dysfunctional, str):
        f = _kano_index(functional, "functional")
        d = _kano_index(dysfunctional, "dysfunctional")
        return KANO_TABLE[f][d]
    if isinstance(functional, str) or isinstance(dysfunctional, str):
        raise InputTypeError(
            "functional and dysfunctional must both be one answer or both be sequences",
            field="functional",
            value=(functional, dysfunctional),
        )
    fs, ds = list(functional), list(dysfunctional)
    if len(fs) != len(ds):
        raise ValidationError(
            f"functional has {len(fs)} answers but dysfunctional has {len(ds)}",
            field="dysfunctional",
            value=len(ds),
        )
    out = [
        KANO_TABLE[_kano_index(a, f"functional[{k}]")][_kano_index(b, f"dysfunctional[{k}]")]
        for k, (a, b) in enumerate(zip(fs, ds, strict=True))
    ]
    return np.asarray(out, dtype="<U1")


def _counts(counts: Mapping[str, Any], field: str) -> tuple[float, float, float, float]:
    vals = []
    for key in ("A", "O", "M", "I"):
        if key not in counts:
            raise MissingColumnError(
                f"{field} needs a count for {_short(key)} (A, O, M and I are required)"
                + did_you_mean(key, list(counts)),
                field=field,
                value=key,
            )
        v = _arr(counts[key], f"{field}[{_short(key)}]")
        if v.ndim != 0:
            raise ValidationError(
                f"{field}[{_short(key)}] must be one count", field=field, value=counts[key]
            )
        vals.append(float(v))
    a, o, m, i = vals
    if a + o + m + i <= 0:
        raise ValidationError(
            f"{field}: A + O + M + I must be > 0, got 0",
            field=field,
            value=dict(counts),
            hint="Only reverse or questionable answers: the coefficients are undefined",
        )
    return a, o, m, i


def kano_coefficients(counts: Mapping[str, Any] | pd.DataFrame) -> Any:
    """Better and Worse customer-satisfaction coefficients (Berger et al., 1993).

    ``Better = (A + O) / (A + O + M + I)`` in ``[0, 1]`` (how much satisfaction rises if
    the feature is there) and ``Worse = -(O + M) / (A + O + M + I)`` in ``[-1, 0]`` (how
    much it falls if it is missing). Reverse and questionable answers are left out.

    Parameters
    ----------
    counts : mapping or DataFrame
        Counts of answers per category ``{"A": .., "O": .., "M": .., "I": ..}`` (extra
        keys such as ``R`` and ``Q`` are ignored), or a DataFrame with columns ``A``,
        ``O``, ``M``, ``I`` (one row per feature).

    Returns
    -------
    tuple of float or DataFrame
        ``(better, worse)``, or a DataFrame with columns ``better`` and ``worse``.

    Examples
    --------
    >>> kano_coefficients({"A": 20, "O": 10, "M": 5, "I": 15, "R": 2})
    (0.6, -0.3)
    """
    if isinstance(counts, pd.DataFrame):
        rows = [
            _counts({str(k): v for k, v in row.items()}, f"counts row {pos}")
            for pos, (_, row) in enumerate(counts.iterrows())
        ]
        arr = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
        total = arr.sum(axis=1)
        return pd.DataFrame(
            {
                "better": (arr[:, 0] + arr[:, 1]) / total,
                "worse": -(arr[:, 1] + arr[:, 2]) / total,
            },
            index=counts.index,
        )
    if not isinstance(counts, Mapping):
        raise InputTypeError(
            f"counts must be a mapping or a DataFrame, got {type(counts).__name__}",
            field="counts",
            value=counts,
        )
    a, o, m, i = _counts(counts, "counts")
    total = a + o + m + i
    return (a + o) / total, -(o + m) / total


# ---------------------------------------------------------------------------------------
# MoSCoW

_MOSCOW: Mapping[str, str] = {
    "must": "Must",
    "must have": "Must",
    "m": "Must",
    "should": "Should",
    "should have": "Should",
    "s": "Should",
    "could": "Could",
    "could have": "Could",
    "c": "Could",
    "won't": "Won't",
    "wont": "Won't",
    "won't have": "Won't",
    "won't have this time": "Won't",
    "w": "Won't",
}


@attrs.frozen(kw_only=True, repr=False)
class MoscowCheck:
    """The outcome of :func:`moscow_check`.

    Attributes
    ----------
    effort_by_category : pandas.Series
        Effort per category (Must, Should, Could, Won't).
    must_share : float
        Must effort / (Must + Should + Could effort); Won't items are out of scope.
    limit : float
        The ceiling (0.60 by default).
    passed : bool
        ``must_share <= limit``.
    """

    effort_by_category: pd.Series = attrs.field(eq=False)
    must_share: float
    limit: float
    passed: bool

    def __repr__(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        return f"MoscowCheck(must_share={self.must_share:.1%}, limit={self.limit:.0%}, {verdict})"


def moscow_check(
    categories: Iterable[str], effort: npt.ArrayLike, limit: float = MOSCOW_MUST_LIMIT
) -> MoscowCheck:
    """Check DSDM's rule that Must Have items take at most 60 % of the effort.

    The DSDM Agile Project Framework (Agile Business Consortium, 2014), ch. 10 "MoSCoW
    prioritisation", recommends that Must Have effort stay at or below 60 % of the total
    so that Should and Could items form the contingency. The total counts Must, Should
    and Could items; Won't Have (this time) items are out of the timebox.

    Parameters
    ----------
    categories : iterable of str
        ``"Must"``, ``"Should"``, ``"Could"``, ``"Won't"`` (case-insensitive; also
        ``"M"``/``"S"``/``"C"``/``"W"`` and ``"... have"``).
    effort : array-like
        Effort per item, ``>= 0``, same length.
    limit : float, default 0.6
        The ceiling on the Must share.

    Returns
    -------
    MoscowCheck

    Examples
    --------
    >>> moscow_check(["Must", "Should", "Could", "Won't"], [6, 3, 1, 10])
    MoscowCheck(must_share=60.0%, limit=60%, pass)
    >>> moscow_check(["M", "M", "C"], [4, 3, 3]).passed
    False
    """
    if isinstance(categories, str):
        raise InputTypeError(
            "categories must be a list of MoSCoW labels, not one string",
            field="categories",
            value=categories,
        )
    labels = []
    for k, raw in enumerate(categories):
        key = str(raw).strip().lower().replace("’", "'")
        if key not in _MOSCOW:
            raise UnknownReferenceError(
                f"unknown MoSCoW category {_short(raw)} at position {k}; use Must, Should, Could "
                "or Won't" + did_you_mean(key, list(_MOSCOW)),
                field="categories",
                value=raw,
            )
        labels.append(_MOSCOW[key])
    eff = _arr(effort, "effort")
    if eff.ndim != 1 or eff.size != len(labels):
        raise ValidationError(
            f"effort must have one value per category ({len(labels)}), got shape {eff.shape}",
            field="effort",
            value=effort,
        )
    lim = float(_arr(limit, "limit", high=1.0))
    order = ["Must", "Should", "Could", "Won't"]
    by = pd.Series(
        [float(eff[np.asarray([c == lab for c in labels], dtype=bool)].sum()) for lab in order],
        index=pd.Index(order, name="category"),
        name="effort",
    )
    in_scope = float(by["Must"] + by["Should"] + by["Could"])
    if in_scope <= 0:
        raise ValidationError(
            "the Must, Should and Could items have no effort in total",
            field="effort",
            value=effort,
            hint="Give the items in scope a positive effort",
        )
    share = float(by["Must"]) / in_scope
    return MoscowCheck(
        effort_by_category=by, must_share=share, limit=lim, passed=share <= lim + 1e-12
    )
