"""Estimates: numbers that are guesses, with their spread.

Every effort, cost and impact figure in a customer-experience plan is a guess. An
:class:`Estimate` records the guess as a distribution, so later steps (ranking under
uncertainty, planning) can sample it.

Conventions (pinned)
--------------------
- ``Estimate.point(x)``: exactly ``x``.
- ``Estimate.range(low, high)``: uniform on ``[low, high]``; mean ``(low + high) / 2``.
- ``Estimate.three_point(low, likely, high, dist="pert")``: the PERT (beta) distribution
  with the classic weight 4 on the mode, mean ``(a + 4m + b) / 6``, shape parameters
  ``alpha = 1 + 4 (m - a) / (b - a)`` and ``beta = 1 + 4 (b - m) / (b - a)``
  (Malcolm, Roseboom, Clark and Fazar, 1959; Vose, *Risk Analysis*, 2008, ch. 9).
- ``dist="triangular"``: the triangular distribution, mean ``(a + m + b) / 3``.
- ``Estimate.tshirt(size)``: a PERT three-point estimate from a table of sizes,
  :data:`TSHIRT_DAYS` by default (illustrative person-day spreads; pass your own
  ``scale``).

Examples
--------
>>> from frictionkit import Estimate
>>> Estimate.three_point(2, 4, 12).mean
5.0
>>> Estimate.three_point(2, 4, 12, dist="triangular").mean
6.0
>>> Estimate.parse("2..4..12") == Estimate.three_point(2, 4, 12)
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from frictionkit._resources import array_bytes, check_allocation
from frictionkit._validate import as_float
from frictionkit.exceptions import (
    InputTypeError,
    SchemaError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

__all__ = ["DISTRIBUTIONS", "TSHIRT_DAYS", "Estimate", "Quantity", "SeedLike"]

Distribution: TypeAlias = Literal["point", "uniform", "pert", "triangular"]
#: The distributions an :class:`Estimate` can follow.
DISTRIBUTIONS: tuple[str, ...] = ("point", "uniform", "pert", "triangular")

#: Default T-shirt sizes as (low, likely, high) person-days. Illustrative: teams should
#: calibrate their own scale from past work and pass it as ``scale=``.
TSHIRT_DAYS: Mapping[str, tuple[float, float, float]] = {
    "XS": (0.5, 1.0, 2.0),
    "S": (1.0, 3.0, 5.0),
    "M": (3.0, 5.0, 10.0),
    "L": (8.0, 13.0, 25.0),
    "XL": (20.0, 30.0, 60.0),
    "XXL": (40.0, 60.0, 120.0),
}

SeedLike: TypeAlias = "int | np.random.Generator | None"

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_SHORTHAND = re.compile(
    rf"^\s*(?:(?P<label>[A-Za-z]+)\s*(?::\s*)?)?"
    rf"(?:(?P<a>{_NUM})(?:\s*\.\.\s*(?P<b>{_NUM}))?(?:\s*\.\.\s*(?P<c>{_NUM}))?)?"
    rf"\s*(?P<dist>pert|triangular|uniform)?\s*$"
)


def _fmt(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _rng(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise InputTypeError(
            f"seed must be an int, a numpy Generator or None, got {seed!r}",
            field="seed",
            value=seed,
        )
    return np.random.default_rng(seed)


def _low(v: Any) -> float:
    return as_float(v, "Estimate.low")


def _likely(v: Any) -> float | None:
    return None if v is None else as_float(v, "Estimate.likely")


def _high(v: Any) -> float:
    return as_float(v, "Estimate.high")


@attrs.frozen(kw_only=True, repr=False)
class Estimate:
    """A guessed quantity with its spread.

    Build one with a named constructor: :meth:`point`, :meth:`range`,
    :meth:`three_point`, :meth:`tshirt` or :meth:`parse`.

    Parameters
    ----------
    low, likely, high : float
        Smallest, most likely and largest value. ``likely`` is ``None`` for a uniform
        range. All finite, ``low <= likely <= high``.
    dist : {"point", "uniform", "pert", "triangular"}
        The distribution the value follows between ``low`` and ``high``.
    label : str, optional
        The T-shirt size this estimate came from, if any.

    Examples
    --------
    >>> e = Estimate.range(10, 20)
    >>> e.mean, e.low, e.high
    (15.0, 10.0, 20.0)
    >>> e.sample(3, seed=1).round(2)
    array([15.12, 19.5 , 11.44])
    """

    low: float = attrs.field(converter=_low)
    likely: float | None = attrs.field(converter=_likely)
    high: float = attrs.field(converter=_high)
    dist: Distribution = attrs.field()
    label: str | None = attrs.field(default=None)

    @dist.validator
    def _check_dist(self, _: Any, value: Any) -> None:
        if value not in DISTRIBUTIONS:
            raise UnknownReferenceError(
                f"Estimate.dist must be one of {', '.join(DISTRIBUTIONS)}, got {value!r}"
                + did_you_mean(value, DISTRIBUTIONS),
                field="Estimate.dist",
                value=value,
            )

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            raise ValidationError(
                f"Estimate low ({_fmt(self.low)}) is greater than high ({_fmt(self.high)})",
                field="Estimate.low",
                value=(self.low, self.high),
                hint="Swap them: low comes first",
            )
        if self.dist == "uniform":
            if self.likely is not None:
                raise ValidationError(
                    "a uniform range has no most likely value",
                    field="Estimate.likely",
                    value=self.likely,
                    hint="Use Estimate.three_point(low, likely, high) for a peaked estimate",
                )
            return
        if self.likely is None:
            raise ValidationError(
                f"a {self.dist} estimate needs a most likely value",
                field="Estimate.likely",
                hint="Use Estimate.range(low, high) when there is no most likely value",
            )
        if not self.low <= self.likely <= self.high:
            raise ValidationError(
                f"Estimate likely ({_fmt(self.likely)}) must lie between low "
                f"({_fmt(self.low)}) and high ({_fmt(self.high)})",
                field="Estimate.likely",
                value=self.likely,
            )
        if self.dist == "point" and self.low != self.high:
            raise ValidationError(
                "a point estimate has low == likely == high",
                field="Estimate.dist",
                value=(self.low, self.likely, self.high),
            )

    # -- constructors ---------------------------------------------------------------
    @classmethod
    def point(cls, value: float) -> Estimate:
        """An exact value (no spread).

        Examples
        --------
        >>> Estimate.point(3).mean
        3.0
        """
        v = as_float(value, "Estimate.point")
        return cls(low=v, likely=v, high=v, dist="point")

    @classmethod
    def range(cls, low: float, high: float) -> Estimate:
        """Any value between ``low`` and ``high``, equally likely (uniform).

        Examples
        --------
        >>> Estimate.range(2, 12).mean
        7.0
        """
        return cls(low=low, likely=None, high=high, dist="uniform")

    @classmethod
    def three_point(
        cls,
        low: float,
        likely: float,
        high: float,
        dist: Literal["pert", "triangular"] = "pert",
    ) -> Estimate:
        """A three-point estimate (optimistic, most likely, pessimistic).

        Parameters
        ----------
        low, likely, high : float
            Optimistic, most likely and pessimistic values.
        dist : {"pert", "triangular"}, default "pert"
            PERT weighs the most likely value four times
            (mean ``(a + 4m + b) / 6``); triangular gives mean ``(a + m + b) / 3``.

        Examples
        --------
        >>> Estimate.three_point(2, 4, 12).mean  # PERT: (2 + 16 + 12) / 6
        5.0
        """
        if dist not in ("pert", "triangular"):
            raise UnknownReferenceError(
                f"three_point dist must be 'pert' or 'triangular', got {dist!r}"
                + did_you_mean(dist, ("pert", "triangular")),
                field="dist",
                value=dist,
            )
        return cls(low=low, likely=likely, high=high, dist=dist)

    @classmethod
    def tshirt(
        cls,
        size: str,
        scale: Mapping[str, tuple[float, float, float]] | float = 1.0,
    ) -> Estimate:
        """A PERT estimate from a T-shirt size (XS, S, M, L, XL, XXL).

        Parameters
        ----------
        size : str
            The size, case-insensitive.
        scale : mapping or float, default 1.0
            Either a table ``{size: (low, likely, high)}`` replacing :data:`TSHIRT_DAYS`,
            or a factor applied to it (e.g. a day rate to turn days into cost).

        Examples
        --------
        >>> Estimate.tshirt("M").mean
        5.5
        >>> Estimate.tshirt("s", scale=1000).high
        5000.0
        """
        if isinstance(scale, Mapping):
            table = {str(k).upper(): v for k, v in scale.items()}
            factor = 1.0
        else:
            table = dict(TSHIRT_DAYS)
            factor = as_float(scale, "scale")
            if factor <= 0:
                raise ValidationError(
                    f"scale must be positive, got {factor:g}", field="scale", value=scale
                )
        key = str(size).strip().upper()
        if key not in table:
            raise UnknownReferenceError(
                f"unknown T-shirt size {size!r}; known sizes: {', '.join(table)}"
                + did_you_mean(key, table),
                field="size",
                value=size,
            )
        low, likely, high = (as_float(v, f"scale[{key!r}]") * factor for v in table[key])
        return cls(low=low, likely=likely, high=high, dist="pert", label=key)

    @classmethod
    def parse(cls, text: str) -> Estimate:
        """Read the cell shorthand used in workbooks and by ``str(estimate)``.

        Grammar: ``"5"`` (point), ``"2..12"`` (uniform range), ``"2..4..12"`` (PERT),
        ``"2..4..12 triangular"``, ``"M"`` (T-shirt with the default scale) or
        ``"M: 3..5..10"`` (T-shirt with explicit values).

        Examples
        --------
        >>> Estimate.parse("2..4..12 triangular").mean
        6.0
        >>> str(Estimate.parse(" m "))
        'M'
        """
        if not isinstance(text, str):
            raise InputTypeError(
                f"an estimate shorthand must be text, got {text!r}", field="text", value=text
            )
        m = _SHORTHAND.match(text)
        if m is None or not (m["label"] or m["a"]):
            raise SchemaError(
                f"cannot read {text!r} as an estimate",
                field="estimate",
                value=text,
                hint="Write '5', '2..12' (range), '2..4..12' (PERT), "
                "'2..4..12 triangular', or a T-shirt size such as 'M'",
            )
        label, dist = m["label"], m["dist"]
        nums = [float(x) for x in (m["a"], m["b"], m["c"]) if x is not None]
        if label and not nums:
            if dist not in (None, "pert"):
                raise SchemaError(
                    f"T-shirt estimates are PERT; {text!r} asks for {dist}",
                    field="estimate",
                    value=text,
                )
            return cls.tshirt(label)
        if label and len(nums) != 3:
            raise SchemaError(
                f"a T-shirt estimate with values needs three of them, got {text!r}",
                field="estimate",
                value=text,
                hint="Write e.g. 'M: 3..5..10'",
            )
        if len(nums) == 1:
            if dist is not None:
                raise SchemaError(
                    f"a single number is an exact value; drop {dist!r} from {text!r}",
                    field="estimate",
                    value=text,
                )
            return cls.point(nums[0])
        if len(nums) == 2:
            if dist not in (None, "uniform"):
                raise SchemaError(
                    f"a two-value range is uniform; {dist} needs three values in {text!r}",
                    field="estimate",
                    value=text,
                )
            return cls.range(nums[0], nums[1])
        if dist == "uniform":
            raise SchemaError(
                f"a uniform range takes two values, got three in {text!r}",
                field="estimate",
                value=text,
            )
        est = cls.three_point(nums[0], nums[1], nums[2], dist=dist or "pert")  # type: ignore[arg-type]
        return attrs.evolve(est, label=label.upper()) if label else est

    # -- mapping form (journey files) -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The mapping written to journey files (see :meth:`from_dict`)."""
        if self.dist == "point":
            return {"point": self.low}
        out: dict[str, Any] = {}
        if self.label is not None:
            out["tshirt"] = self.label
        out["low"] = self.low
        if self.likely is not None:
            out["likely"] = self.likely
        out["high"] = self.high
        if self.dist != "uniform":
            out["dist"] = self.dist
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, field: str = "estimate") -> Estimate:
        """Build an estimate from its mapping form.

        Accepted keys: ``point``; or ``low``, ``high`` (uniform); or ``low``, ``likely``,
        ``high`` with optional ``dist`` (``pert`` by default); or ``tshirt`` alone
        (default scale) or with ``low``/``likely``/``high``.

        Examples
        --------
        >>> Estimate.from_dict({"low": 2, "likely": 4, "high": 12}).mean
        5.0
        """
        allowed = {"point", "low", "likely", "high", "dist", "tshirt"}
        unknown = sorted(set(map(str, data)) - allowed)
        if unknown:
            raise SchemaError(
                f"{field}: unknown key {unknown[0]!r}" + did_you_mean(unknown[0], allowed),
                field=field,
                value=unknown[0],
                hint=f"Allowed keys: {', '.join(sorted(allowed))}",
            )
        if "point" in data:
            if len(data) != 1:
                raise SchemaError(f"{field}: 'point' stands alone", field=field, value=dict(data))
            return cls.point(data["point"])
        label = data.get("tshirt")
        if label is not None and not {"low", "likely", "high"} & set(data):
            if data.get("dist", "pert") != "pert":
                raise SchemaError(f"{field}: T-shirt estimates are PERT", field=field)
            return cls.tshirt(str(label))
        if "low" not in data or "high" not in data:
            raise SchemaError(
                f"{field}: an estimate needs 'low' and 'high'",
                field=field,
                value=dict(data),
                hint="Or give a plain number, {point: x}, or {tshirt: M}",
            )
        likely = data.get("likely")
        dist = data.get("dist", "uniform" if likely is None else "pert")
        return cls(
            low=data["low"],
            likely=likely,
            high=data["high"],
            dist=dist,
            label=None if label is None else str(label).upper(),
        )

    # -- statistics ---------------------------------------------------------------
    @property
    def mean(self) -> float:
        """Expected value under the distribution."""
        a, b = self.low, self.high
        if self.dist == "uniform":
            return (a + b) / 2
        m = self.likely if self.likely is not None else a
        if self.dist == "pert":
            return (a + 4 * m + b) / 6
        if self.dist == "triangular":
            return (a + m + b) / 3
        return a

    @property
    def std(self) -> float:
        """Standard deviation under the distribution (exact, not the ``(b - a) / 6`` rule)."""
        a, b = self.low, self.high
        m = self.likely if self.likely is not None else a
        if self.dist == "point" or a == b:
            return 0.0
        if self.dist == "uniform":
            var = (b - a) ** 2 / 12
        elif self.dist == "triangular":
            # (a^2 + b^2 + m^2 - ab - am - bm) / 18, written with differences: the same
            # in exact arithmetic, but never negative from cancellation for a narrow range
            # far from zero (e.g. 524288..524288.0078125)
            var = ((b - a) ** 2 + (m - a) ** 2 + (b - m) ** 2) / 36
        else:
            alpha, beta = self._pert_shape()
            var = alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1)) * (b - a) ** 2
        return math.sqrt(var)

    def _pert_shape(self) -> tuple[float, float]:
        a, b = self.low, self.high
        m = self.likely if self.likely is not None else a
        return 1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a)

    def sample(self, n: int, seed: SeedLike = None) -> npt.NDArray[np.float64]:
        """Draw ``n`` values.

        Parameters
        ----------
        n : int
            Number of draws (>= 0).
        seed : int or numpy.random.Generator, optional
            Same seed, same draws, bit for bit. ``None`` draws fresh entropy (not
            reproducible).

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)``, float64.
        """
        count: Any = n
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise ValidationError(f"n must be a whole number >= 0, got {n!r}", field="n", value=n)
        # the beta sampler holds about three float64 arrays of n at its peak
        check_allocation(
            array_bytes(int(n), 3), what=f"drawing {int(n):,} values", hint="Draw fewer values"
        )
        rng = _rng(seed)
        a, b = self.low, self.high
        if self.dist == "point" or a == b:
            return np.full(int(n), a, dtype=np.float64)
        if self.dist == "uniform":
            return rng.uniform(a, b, size=int(n))
        m = self.likely if self.likely is not None else a
        if self.dist == "triangular":
            return rng.triangular(a, m, b, size=int(n))
        alpha, beta = self._pert_shape()
        return a + (b - a) * rng.beta(alpha, beta, size=int(n))

    # -- display ---------------------------------------------------------------------
    def __str__(self) -> str:
        if self.dist == "point":
            return _fmt(self.low)
        if self.label is not None and self.dist == "pert":
            default = TSHIRT_DAYS.get(self.label)
            if default is not None and default == (self.low, self.likely, self.high):
                return self.label
        nums = [self.low] + ([self.likely] if self.likely is not None else []) + [self.high]
        body = "..".join(_fmt(x) for x in nums)
        if self.dist == "triangular":
            body += " triangular"
        return f"{self.label}: {body}" if self.label else body

    def __repr__(self) -> str:
        return f"Estimate({self!s}, mean={self.mean:.4g})"


#: A model quantity: a plain number, or an :class:`Estimate` with a spread.
Quantity: TypeAlias = "float | Estimate"


def as_quantity(
    value: Any,
    field: str,
    *,
    low: float | None = 0.0,
    high: float | None = None,
    hint: str | None = None,
) -> float | Estimate:
    """Validate a number or an estimate; point estimates become plain numbers.

    The whole support of an estimate must lie within ``[low, high]``.
    """
    if isinstance(value, Estimate):
        lo, hi = value.low, value.high
        out: float | Estimate = value.low if value.dist == "point" else value
    else:
        lo = hi = as_float(value, field)
        out = lo
    if (low is not None and lo < low) or (high is not None and hi > high):
        if low is not None and high is not None:
            allowed = f"between {low:g} and {high:g}"
        elif low is not None:
            allowed = f">= {low:g}"
        else:
            allowed = f"<= {high:g}"
        shown = str(value) if isinstance(value, Estimate) else f"{lo:g}"
        raise ValidationError(
            f"{field} must be {allowed}, got {shown}", field=field, value=value, hint=hint
        )
    return out
