"""Decisions under uncertainty: sampled estimates, SMAA-2, weight stability, value of information.

Every effort, cost and impact figure is a guess (an :class:`~frictionkit.estimates.Estimate`)
and the criterion weights are rarely known exactly. This module works on plain decision
matrices (``n`` alternatives x ``m`` criteria) and answers three questions:

- **How likely is each alternative to end up at each rank?** :func:`smaa` runs stochastic
  multicriteria acceptability analysis (SMAA-2; Lahdelma and Salminen, 2001) over uncertain
  weights (uniform on the simplex, ordered, bounded or fixed) and, optionally, sampled
  criteria values (:func:`sample_estimates`).
- **How far can a weight move before the top-k set changes?** :func:`stability_intervals`
  and :func:`weight_sweep`.
- **Which guess is worth checking first?** :func:`value_of_information` estimates the
  expected value of perfect information about each uncertain cell.

Conventions (pinned)
--------------------
- Scores are those of :func:`frictionkit.mcda.weighted_sum` (min-max normalisation, per
  draw of the matrix) and :func:`frictionkit.mcda.topsis` (vector normalisation); higher
  is better.
- Ranks: 1 = best; ties go to the alternative listed first, as :func:`frictionkit.mcda.rank`.
  Scores that agree to a relative ``2^(b - 52)`` (``b`` the number of bits needed to number
  the alternatives: ``2^-42`` for up to 1,024) count as tied: ranking packs the score and
  the position into one 64-bit key so that one fast sort does it.
- Weights uniform on the simplex are Dirichlet(1) draws (normalised standard
  exponentials), never independent uniforms divided by their sum (that is not uniform).
- Randomness only through ``seed``: the same seed gives the same output bit for bit,
  whatever ``chunk`` is.

Examples
--------
>>> from frictionkit.uncertainty import smaa
>>> res = smaa([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]], [True, True], seed=1, draws=4000)
>>> res.rank_acceptability.round(1)  # exact: 0.4 0.1 0.5 / 0.4 0.1 0.5 / 0.2 0.8 0
rank           1    2    3
alternative
0            0.4  0.1  0.5
1            0.4  0.1  0.5
2            0.2  0.8  0.0
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.estimates import Estimate, SeedLike, _rng
from frictionkit.exceptions import (
    FrictionkitWarning,
    InfeasibleError,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.mcda import _as_benefit, _as_matrix, _minmax_kernel
from frictionkit.weights import _check_weights

__all__ = [
    "DEFAULT_DRAWS",
    "METHODS",
    "SMAAAcceptanceWarning",
    "SMAAResult",
    "iter_estimate_draws",
    "sample_estimates",
    "sample_weights",
    "smaa",
    "stability_intervals",
    "value_of_information",
    "weight_sweep",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
Method: TypeAlias = Literal["weighted_sum", "topsis"]
WeightsSpec: TypeAlias = "str | Mapping[Any, Any] | npt.ArrayLike | None"

#: Scoring methods available under uncertainty.
METHODS: tuple[str, ...] = ("weighted_sum", "topsis")
#: Number of Monte Carlo draws when none is given.
DEFAULT_DRAWS = 10_000

# Elements per temporary array when ``chunk`` is not given (2**21 float64 = 16 MiB).
_CHUNK_ELEMENTS = 2**21
# Acceptance rate of the rejection sampler under which a warning is issued.
_LOW_ACCEPTANCE = 1e-3
# Proposals tried before bounds are declared too tight to sample.
_MAX_PROPOSALS = 20_000_000


class SMAAAcceptanceWarning(FrictionkitWarning):
    """Weight bounds leave a tiny share of the simplex: rejection sampling is slow.

    Issued by :func:`sample_weights` and :func:`smaa` when fewer than 1 in 1,000 proposed
    weight vectors satisfy the bounds. Widen the bounds, or give fixed weights.
    """


# ---------------------------------------------------------------------------------------
# validation helpers


def _count(value: Any, field: str, *, low: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputTypeError(
            f"{field} must be a whole number, got {value!r}", field=field, value=value
        )
    if int(value) < low:
        raise ValidationError(
            f"{field} must be >= {low}, got {int(value)}", field=field, value=value
        )
    return int(value)


def _method(value: Any) -> str:
    if not isinstance(value, str) or value not in METHODS:
        raise UnknownReferenceError(
            f"unknown method {value!r}; choose one of {list(METHODS)}"
            + did_you_mean(value, METHODS),
            field="method",
            value=value,
        )
    return value


def _labels(given: Any, default: Sequence[Hashable] | None, size: int, field: str) -> pd.Index:
    if given is None:
        return pd.Index(list(default) if default is not None else range(size), name=field)
    if isinstance(given, (str, bytes)) or not hasattr(given, "__iter__"):
        raise InputTypeError(
            f"{field} must be a list of {size} names, got {given!r}", field=field, value=given
        )
    names = list(given)
    if len(names) != size:
        raise ValidationError(
            f"{field} has {len(names)} names but the matrix has {size}",
            field=field,
            value=given,
        )
    if len(set(names)) != len(names):
        raise ValidationError(f"{field} lists a name twice", field=field, value=given)
    return pd.Index(names, name=field)  # type: ignore[no-any-return]


def _matrix_draws(value: Any) -> FloatArray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            "matrix_draws must be a 3-d array of numbers (draws x alternatives x criteria)",
            field="matrix_draws",
            value=type(value).__name__,
            hint="Build it with sample_estimates(matrix_of_estimates, draws, seed)",
        ) from exc
    if arr.ndim != 3 or 0 in arr.shape:
        raise ValidationError(
            "matrix_draws must be a non-empty 3-d array (draws x alternatives x criteria), "
            f"got shape {arr.shape}",
            field="matrix_draws",
            value=arr.shape,
        )
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        d, i, j = (int(x) for x in bad[0])
        raise ValidationError(
            f"matrix_draws[{d}, {i}, {j}] must be finite, got {arr[d, i, j]!r}",
            field=f"matrix_draws[{d}, {i}, {j}]",
            value=arr[d, i, j],
            hint="Fill or drop missing estimates before sampling",
        )
    return arr


def _k(value: Any, n: int) -> int:
    k = _count(value, "k")
    if k > n:
        raise ValidationError(
            f"k must be <= the number of alternatives ({n}), got {k}",
            field="k",
            value=value,
            hint=f"Use k between 1 and {n}",
        )
    return k


def _criterion_position(key: Any, criteria: pd.Index, field: str) -> int:
    if key in criteria:
        loc = criteria.get_loc(key)
        if isinstance(loc, int):
            return loc
    if (
        isinstance(key, (int, np.integer))
        and not isinstance(key, bool)
        and 0 <= int(key) < len(criteria)
    ):
        return int(key)
    raise UnknownReferenceError(
        f"{field} names unknown criterion {key!r}; criteria are {list(criteria)}"
        + did_you_mean(key, list(criteria)),
        field=field,
        value=key,
    )


# ---------------------------------------------------------------------------------------
# sampling estimates


_KINDS = ("uniform", "triangular", "pert")


def _flatten_estimates(values: Any) -> tuple[tuple[int, ...], list[Any]]:
    if isinstance(values, (Estimate, numbers.Real)):
        raise InputTypeError(
            "values must be a sequence (or nested sequence) of numbers or Estimates, "
            f"got a single {type(values).__name__}",
            field="values",
            value=values,
            hint="Wrap it in a list: [value]",
        )
    if isinstance(values, pd.DataFrame | pd.Series):
        values = values.to_numpy(dtype=object)
    if isinstance(values, (str, bytes)):
        raise InputTypeError(
            f"values must be numbers or Estimates, got {values!r}", field="values", value=values
        )
    arr = np.empty(0, dtype=object)
    try:
        arr = np.array(values, dtype=object)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            "values must be a rectangular (nested) sequence of numbers or Estimates",
            field="values",
            value=type(values).__name__,
        ) from exc
    if arr.size == 0:
        raise ValidationError("values is empty", field="values", value=values)
    return arr.shape, list(arr.ravel())


def _spec(values: Any) -> tuple[tuple[int, ...], FloatArray, dict[str, tuple[IntArray, ...]]]:
    """Shape, constant fill and per-kind (positions, low, mode, high) of a set of estimates."""
    shape, items = _flatten_estimates(values)
    fill = np.zeros(len(items))
    groups: dict[str, list[tuple[int, float, float, float]]] = {k: [] for k in _KINDS}
    for pos, item in enumerate(items):
        if isinstance(item, Estimate):
            a, b = item.low, item.high
            if item.dist == "point" or a == b:
                fill[pos] = a
                continue
            mode = item.likely if item.likely is not None else a
            groups[item.dist].append((pos, a, mode, b))
            fill[pos] = np.nan
            continue
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
            where = np.unravel_index(pos, shape)
            raise InputTypeError(
                f"values{list(map(int, where))} must be a number or an Estimate, "
                f"got {item!r} ({type(item).__name__})",
                field="values",
                value=item,
            )
        x = float(item)
        if not math.isfinite(x):
            where = np.unravel_index(pos, shape)
            raise ValidationError(
                f"values{list(map(int, where))} must be finite, got {x!r}",
                field="values",
                value=item,
                hint="Replace missing values with a number or an Estimate.range(low, high)",
            )
        fill[pos] = x
    packed: dict[str, tuple[Any, ...]] = {}
    for kind, rows in groups.items():
        if rows:
            cols = np.array(rows, dtype=np.float64)
            packed[kind] = (cols[:, 0].astype(np.int64), cols[:, 1], cols[:, 2], cols[:, 3])
    return shape, fill, packed


def _draw_block(
    fill: FloatArray,
    packed: Mapping[str, tuple[Any, ...]],
    gens: Mapping[str, np.random.Generator],
    rows: int,
) -> FloatArray:
    out = np.broadcast_to(fill, (rows, fill.size)).copy()
    for kind, (pos, a, mode, b) in packed.items():
        gen = gens[kind]
        size = (rows, pos.size)
        if kind == "uniform":
            block = a + (b - a) * gen.random(size)
        elif kind == "triangular":
            block = gen.triangular(a, mode, b, size=size)
        else:
            alpha = 1.0 + 4.0 * (mode - a) / (b - a)
            beta = 1.0 + 4.0 * (b - mode) / (b - a)
            block = a + (b - a) * gen.beta(alpha, beta, size=size)
        out[:, pos] = block
    return out


def _kind_generators(seed: SeedLike) -> dict[str, np.random.Generator]:
    rng = _rng(seed)
    seeds = rng.integers(0, 2**63 - 1, size=len(_KINDS))
    return {k: np.random.default_rng(int(s)) for k, s in zip(_KINDS, seeds, strict=True)}


def iter_estimate_draws(
    values: Any, draws: int, seed: SeedLike = None, *, chunk: int = 10_000
) -> Iterator[FloatArray]:
    """Sample estimates block by block, to keep memory bounded for huge ``draws``.

    The blocks, stacked, equal :func:`sample_estimates` with the same ``values``,
    ``draws`` and ``seed``, bit for bit, whatever ``chunk`` is: each distribution kind
    has its own random stream, consumed in draw order.

    Parameters
    ----------
    values : sequence (or nested sequence) of float or Estimate
        The quantities to sample, of any shape ``S``.
    draws : int
        Total number of draws, ``>= 1``.
    seed : int or numpy.random.Generator, optional
        Same seed, same draws.
    chunk : int, default 10000
        Draws per block.

    Yields
    ------
    numpy.ndarray
        Blocks of shape ``(rows, *S)`` with ``rows <= chunk``.

    Examples
    --------
    >>> from frictionkit import Estimate
    >>> blocks = list(iter_estimate_draws([Estimate.range(0, 1), 5.0], 5, seed=3, chunk=2))
    >>> [b.shape for b in blocks]
    [(2, 2), (2, 2), (1, 2)]
    >>> bool((np.vstack(blocks) == sample_estimates([Estimate.range(0, 1), 5.0], 5, 3)).all())
    True
    """
    total = _count(draws, "draws")
    size = _count(chunk, "chunk")
    shape, fill, packed = _spec(values)
    gens = _kind_generators(seed)
    return _iter_blocks(shape, fill, packed, gens, total, size)


def _iter_blocks(
    shape: tuple[int, ...],
    fill: FloatArray,
    packed: Mapping[str, tuple[Any, ...]],
    gens: Mapping[str, np.random.Generator],
    total: int,
    size: int,
) -> Iterator[FloatArray]:
    for start in range(0, total, size):
        rows = min(size, total - start)
        yield _draw_block(fill, packed, gens, rows).reshape((rows, *shape))


def sample_estimates(values: Any, draws: int, seed: SeedLike = None) -> FloatArray:
    """Draw every estimate of ``values`` at once, vectorised by distribution kind.

    Plain numbers, point estimates and zero-width estimates (``low == high``) are
    constants. Ranges are uniform, three-point estimates PERT or triangular, as pinned in
    :mod:`frictionkit.estimates` (T-shirt sizes are PERT estimates). Estimates of one kind
    are drawn together in one numpy call from that kind's own stream, so the values
    differ from calling :meth:`Estimate.sample` on each estimate in turn (same
    distributions, different streams).

    Parameters
    ----------
    values : sequence (or nested sequence, or DataFrame) of float or Estimate
        The quantities, of any shape ``S``: a list of ``n`` gives ``(draws, n)``; an
        ``n x m`` matrix of estimates gives ``(draws, n, m)``, ready for
        ``smaa(matrix_draws=...)``.
    draws : int
        Number of draws, ``>= 1``.
    seed : int or numpy.random.Generator, optional
        Same seed, same array, bit for bit. ``None`` draws fresh entropy.

    Returns
    -------
    numpy.ndarray
        Shape ``(draws, *S)``, float64. For memory-bounded blocks use
        :func:`iter_estimate_draws`.

    Examples
    --------
    >>> from frictionkit import Estimate
    >>> x = sample_estimates([Estimate.range(2, 4), Estimate.three_point(1, 2, 9), 7], 3, 0)
    >>> x.shape
    (3, 3)
    >>> x[:, 2]
    array([7., 7., 7.])
    """
    total = _count(draws, "draws")
    shape, fill, packed = _spec(values)
    gens = _kind_generators(seed)
    return _draw_block(fill, packed, gens, total).reshape((total, *shape))


# ---------------------------------------------------------------------------------------
# sampling weights


def _dirichlet1(rng: np.random.Generator, rows: int, m: int) -> FloatArray:
    e = rng.standard_exponential((rows, m))
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def _order_positions(order: Any, criteria: pd.Index) -> IntArray:
    if order is None:
        raise ValidationError(
            "weights='ordinal' needs order=, the criteria from most to least important",
            field="order",
            value=None,
            hint="Pass e.g. order=['impact', 'effort', 'cost'] (names or column positions)",
        )
    if isinstance(order, (str, bytes)) or not hasattr(order, "__iter__"):
        raise InputTypeError(
            f"order must be a list of criteria, got {order!r}", field="order", value=order
        )
    pos = [_criterion_position(key, criteria, "order") for key in order]
    if sorted(pos) != list(range(len(criteria))):
        missing = [criteria[j] for j in range(len(criteria)) if j not in pos]
        raise ValidationError(
            f"order must list every criterion exactly once; got {list(order)!r}"
            + (f", missing {missing!r}" if missing else ", with a repeat"),
            field="order",
            value=order,
        )
    return np.asarray(pos, dtype=np.int64)


def _bounds(spec: Any, criteria: pd.Index) -> tuple[FloatArray, FloatArray]:
    m = len(criteria)
    lo, hi = np.zeros(m), np.ones(m)
    if isinstance(spec, Mapping):
        for key, pair in spec.items():
            j = _criterion_position(key, criteria, "weights")
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise InputTypeError(
                    f"weights bound for {criteria[j]!r} must be a (low, high) pair, got {pair!r}",
                    field="weights",
                    value=pair,
                    hint="Use None for an open side, e.g. (0.2, None)",
                )
            for side, val, arr in (("low", pair[0], lo), ("high", pair[1], hi)):
                if val is None:
                    continue
                if isinstance(val, (bool, np.bool_)) or not isinstance(val, numbers.Real):
                    raise InputTypeError(
                        f"weights {side} bound for {criteria[j]!r} must be a number, got {val!r}",
                        field="weights",
                        value=val,
                    )
                arr[j] = float(val)
    else:
        try:
            arr2 = np.array(spec, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputTypeError(
                "weight bounds must be a mapping {criterion: (low, high)} or an m x 2 array",
                field="weights",
                value=spec,
            ) from exc
        if arr2.shape != (m, 2):
            raise ValidationError(
                f"weight bounds as an array must have shape ({m}, 2), got {arr2.shape}",
                field="weights",
                value=spec,
            )
        lo, hi = arr2[:, 0].copy(), arr2[:, 1].copy()
    for j in range(m):
        name = criteria[j]
        if not (np.isfinite(lo[j]) and np.isfinite(hi[j])):
            raise ValidationError(
                f"weight bounds for {name!r} must be finite, got ({lo[j]}, {hi[j]})",
                field="weights",
                value=(lo[j], hi[j]),
            )
        if not 0.0 <= lo[j] <= hi[j] <= 1.0:
            raise InfeasibleError(
                f"weight bounds for {name!r} must satisfy 0 <= low <= high <= 1, "
                f"got ({lo[j]:g}, {hi[j]:g})",
                field="weights",
                value=(lo[j], hi[j]),
                conflicts=(f"{lo[j]:g} <= w[{name}] <= {hi[j]:g}",),
            )
    if lo.sum() > 1.0 + 1e-12:
        named = tuple(f"w[{criteria[j]}] >= {lo[j]:g}" for j in range(m) if lo[j] > 0)
        raise InfeasibleError(
            f"weight bounds are infeasible: the lower bounds sum to {lo.sum():g} > 1 "
            f"({', '.join(named)})",
            field="weights",
            value=spec,
            conflicts=named,
            hint="Lower some lower bounds so that they sum to at most 1",
        )
    if hi.sum() < 1.0 - 1e-12:
        named = tuple(f"w[{criteria[j]}] <= {hi[j]:g}" for j in range(m))
        raise InfeasibleError(
            f"weight bounds are infeasible: the upper bounds sum to {hi.sum():g} < 1 "
            f"({', '.join(named)})",
            field="weights",
            value=spec,
            conflicts=named,
            hint="Raise some upper bounds so that they sum to at least 1",
        )
    return lo, hi


def _bounded(
    rng: np.random.Generator, rows: int, lo: FloatArray, hi: FloatArray, criteria: pd.Index
) -> FloatArray:
    slack = 1.0 - float(lo.sum())
    if slack <= 1e-12:  # the lower bounds pin every weight
        return np.broadcast_to(lo / lo.sum(), (rows, lo.size)).copy()
    if float(hi.sum()) <= 1.0 + 1e-12:  # the upper bounds pin every weight
        return np.broadcast_to(hi / hi.sum(), (rows, hi.size)).copy()
    # Uniform on {w >= lo, sum w = 1} is lo + slack * Dirichlet(1) (an affine image of the
    # simplex keeps uniformity); only the upper bounds need rejection.
    cap = (hi - lo) / slack
    if bool((cap >= 1.0).all()):
        return np.asarray(lo + slack * _dirichlet1(rng, rows, lo.size), dtype=np.float64)
    kept: list[FloatArray] = []
    have, tried, batch, warned = 0, 0, max(rows, 1024), False
    while have < rows:
        if tried >= _MAX_PROPOSALS:
            tight = tuple(
                f"w[{criteria[j]}] <= {hi[j]:g}" for j in np.flatnonzero(cap < 1).tolist()
            )
            raise InfeasibleError(
                f"weight bounds leave too small a region to sample: {have} of {tried:,} "
                f"proposals accepted ({', '.join(tight)})",
                field="weights",
                conflicts=tight,
                hint="Widen the bounds, or pass fixed weights",
            )
        u = _dirichlet1(rng, batch, lo.size)
        ok = u[(u <= cap).all(axis=1)]
        tried += batch
        kept.append(ok)
        have += ok.shape[0]
        rate = have / tried
        if rate < _LOW_ACCEPTANCE and not warned and tried >= 100_000:
            warnings.warn(
                f"weight bounds accept only {rate:.2e} of proposed weight vectors; "
                "sampling is slow",
                SMAAAcceptanceWarning,
                stacklevel=4,
            )
            warned = True
        need = rows - have
        batch = int(min(2**20, max(1024, need / max(rate, 1e-6) * 1.2)))
        batch = max(1, min(batch, _MAX_PROPOSALS - tried))
    return np.asarray(lo + slack * np.vstack(kept)[:rows], dtype=np.float64)


def _weights_sampler(
    weights: Any, order: Any, criteria: pd.Index
) -> tuple[str, FloatArray | None, Any]:
    """Classify the weight specification: (kind, fixed vector, parameters)."""
    m = len(criteria)
    if weights is None:
        if order is not None:
            raise ValidationError(
                "order= is only used with weights='ordinal'",
                field="order",
                value=order,
                hint="Pass weights='ordinal' as well",
            )
        return "uniform", None, None
    if isinstance(weights, str):
        if weights != "ordinal":
            raise UnknownReferenceError(
                f"unknown weights {weights!r}; use None (uniform), 'ordinal', bounds or a "
                "vector" + did_you_mean(weights, ["ordinal"]),
                field="weights",
                value=weights,
            )
        return "ordinal", None, _order_positions(order, criteria)
    if order is not None:
        raise ValidationError(
            "order= is only used with weights='ordinal'", field="order", value=order
        )
    if isinstance(weights, Mapping):
        return "bounds", None, _bounds(weights, criteria)
    arr = np.asarray(weights, dtype=object)
    if arr.ndim == 2:
        return "bounds", None, _bounds(weights, criteria)
    return "fixed", _check_weights(weights, m), None


def _draw_weights(
    kind: str, params: Any, rng: np.random.Generator, rows: int, criteria: pd.Index
) -> FloatArray:
    m = len(criteria)
    if kind == "uniform":
        return _dirichlet1(rng, rows, m)
    if kind == "ordinal":
        u = _dirichlet1(rng, rows, m)
        out = np.empty_like(u)
        out[:, params] = -np.sort(-u, axis=1)
        return out
    lo, hi = params
    return _bounded(rng, rows, lo, hi, criteria)


def sample_weights(
    criteria: int | Sequence[Hashable],
    draws: int,
    *,
    weights: WeightsSpec = None,
    order: Sequence[Hashable] | None = None,
    seed: SeedLike = None,
) -> pd.DataFrame:
    """Sample criterion weight vectors for SMAA (each row sums to 1).

    - ``weights=None``: uniform on the simplex (Dirichlet(1), drawn as normalised
      standard exponentials): no preference information (Lahdelma and Salminen, 2001).
    - ``weights="ordinal"`` with ``order=`` (most important first): uniform on the region
      ``w[order[0]] >= w[order[1]] >= ...``, drawn by sorting each uniform simplex draw in
      decreasing order and assigning the components by ``order``. The ordered region is
      one of the ``m!`` congruent cells the simplex splits into, so this is exactly
      uniform on it (Butler, Jia and Dyer, 1997; Lahdelma and Salminen, 2001). The mean of
      these draws is the rank-order centroid (Barron and Barrett, 1996).
    - bounds ``{criterion: (low, high)}`` (``None`` for an open side) or an ``m x 2``
      array: uniform on the simplex intersected with the box. Lower bounds are exact
      (``lo + (1 - sum lo) * Dirichlet(1)``), upper bounds by rejection.
    - a vector of ``m`` weights: fixed (every row equal).

    Independent uniforms divided by their sum are *not* uniform on the simplex (they
    crowd the centre) and are never used.

    Parameters
    ----------
    criteria : int or sequence of names
        Number of criteria, or their names.
    draws : int
        Number of weight vectors, ``>= 1``.
    weights : None, "ordinal", mapping, array-like
        See above.
    order : sequence of names or positions, optional
        Required with ``weights="ordinal"``.
    seed : int or numpy.random.Generator, optional
        Same seed, same draws.

    Returns
    -------
    pandas.DataFrame
        ``draws`` rows, one column per criterion.

    Raises
    ------
    InfeasibleError
        Bounds that no weight vector can satisfy (the lower bounds sum above 1, the upper
        bounds below 1), named in the message and in ``conflicts``.

    Warns
    -----
    SMAAAcceptanceWarning
        When fewer than 1 in 1,000 proposals satisfy the bounds.

    Examples
    --------
    >>> w = sample_weights(["impact", "effort", "cost"], 20_000, weights="ordinal",
    ...                    order=["impact", "effort", "cost"], seed=7)
    >>> w.mean().round(2).tolist()  # rank-order centroid: 0.611, 0.278, 0.111
    [0.61, 0.28, 0.11]
    >>> bool(sample_weights(2, 3, weights={0: (0.6, None)}, seed=1)[0].min() >= 0.6)
    True
    """
    if isinstance(criteria, (int, np.integer)) and not isinstance(criteria, bool):
        names = pd.Index(range(_count(criteria, "criteria")), name="criterion")
    else:
        names = _labels(criteria, None, len(list(criteria)), "criterion")  # type: ignore[arg-type]
        if len(names) == 0:
            raise ValidationError("criteria is empty", field="criteria", value=criteria)
    rows = _count(draws, "draws")
    rng = _rng(seed)
    kind, fixed, params = _weights_sampler(weights, order, names)
    if fixed is not None:
        w = np.broadcast_to(fixed, (rows, fixed.size)).copy()
    else:
        w = _draw_weights(kind, params, rng, rows, names)
    return pd.DataFrame(w, columns=names)


# ---------------------------------------------------------------------------------------
# batched kernels (numpy in, numpy out, no validation)


def _ws_fixed_kernel(r: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted-sum scores ``(rows, n)`` for a normalised matrix ``r`` and weights ``w``."""
    return np.asarray(w @ r.T, dtype=np.float64)


def _minmax_batch_kernel(x: FloatArray, benefit: BoolArray) -> FloatArray:
    lo = x.min(axis=1, keepdims=True)
    hi = x.max(axis=1, keepdims=True)
    span = hi - lo
    live = span > 0
    r = np.where(benefit, x - lo, hi - x) / np.where(live, span, 1.0)
    return np.asarray(np.where(live, r, 0.0), dtype=np.float64)


def _ws_batch_kernel(x: FloatArray, w: FloatArray, benefit: BoolArray) -> FloatArray:
    """Weighted-sum scores ``(d, n)`` for matrices ``(d, n, m)`` and weights ``(d, m)``."""
    r = _minmax_batch_kernel(x, benefit)
    return np.asarray(np.einsum("dnm,dm->dn", r, w), dtype=np.float64)


def _topsis_fixed_parts(x: FloatArray, benefit: BoolArray) -> tuple[FloatArray, FloatArray]:
    norm = np.sqrt(np.einsum("ij,ij->j", x, x))
    r = x / np.where(norm > 0, norm, 1.0)
    best = np.where(benefit, r.max(axis=0), r.min(axis=0))
    worst = np.where(benefit, r.min(axis=0), r.max(axis=0))
    return np.square(r - best), np.square(r - worst)


def _topsis_fixed_kernel(gap_best: FloatArray, gap_worst: FloatArray, w: FloatArray) -> FloatArray:
    """TOPSIS closeness ``(rows, n)``: ``D^2 = (w^2) @ gap^T`` as the ideals scale with w."""
    w2 = w * w
    d_best = np.sqrt(np.maximum(w2 @ gap_best.T, 0.0))
    d_worst = np.sqrt(np.maximum(w2 @ gap_worst.T, 0.0))
    return _closeness(d_best, d_worst)


def _closeness(d_best: FloatArray, d_worst: FloatArray) -> FloatArray:
    total = d_best + d_worst
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.divide(d_worst, total, out=total)
    out[~np.isfinite(out)] = 0.5  # every alternative equals both ideals
    return out


def _topsis_batch_parts(x: FloatArray, benefit: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Squared gaps ``(d, n, m)`` of the normalised matrices to their best and worst values."""
    norm = np.sqrt(np.einsum("dij,dij->dj", x, x))
    r = x / np.where(norm > 0, norm, 1.0)[:, None, :]
    rmax, rmin = r.max(axis=1), r.min(axis=1)
    best = np.where(benefit, rmax, rmin)[:, None, :]
    worst = np.where(benefit, rmin, rmax)[:, None, :]
    return np.square(r - best), np.square(r - worst)


def _topsis_batch_kernel(x: FloatArray, w: FloatArray, benefit: BoolArray) -> FloatArray:
    """TOPSIS closeness ``(d, n)`` for matrices ``(d, n, m)`` and weights ``(d, m)``."""
    gb, gw = _topsis_batch_parts(x, benefit)
    w2 = w * w
    d_best = np.sqrt(np.maximum(np.einsum("dnm,dm->dn", gb, w2), 0.0))
    d_worst = np.sqrt(np.maximum(np.einsum("dnm,dm->dn", gw, w2), 0.0))
    return _closeness(d_best, d_worst)


class _Scorer:
    """Scores for a block of weights, on a fixed matrix or on matrix draws."""

    def __init__(self, method: str, benefit: BoolArray, x: FloatArray) -> None:
        self.method = method
        self.benefit = benefit
        self.x = x
        self.fixed = x.ndim == 2
        if self.fixed and method == "weighted_sum":
            self.r = _minmax_kernel(x, benefit)
        elif self.fixed:
            self.gap_best, self.gap_worst = _topsis_fixed_parts(x, benefit)

    def __call__(self, w: FloatArray, start: int = 0, stop: int | None = None) -> FloatArray:
        if self.fixed:
            if self.method == "weighted_sum":
                return _ws_fixed_kernel(self.r, w)
            return _topsis_fixed_kernel(self.gap_best, self.gap_worst, w)
        x = self.x[start:stop]
        wb = np.broadcast_to(w, (x.shape[0], x.shape[2]))
        if self.method == "weighted_sum":
            return _ws_batch_kernel(x, wb, self.benefit)
        return _topsis_batch_kernel(x, wb, self.benefit)


def _order_kernel(scores: FloatArray) -> IntArray:
    """Alternatives best first per row; ties by input order (as ``mcda.rank``).

    One sort of packed 64-bit keys: the score's IEEE bits (non-negative scores order as
    unsigned integers) without their lowest ``b`` bits, then the position in ``b`` bits,
    ``b = bit_length(n - 1)``. Scores closer than about ``2^(b - 52)`` relative therefore
    count as tied, far below the rounding error of the scores themselves.
    """
    rows, n = scores.shape
    if n == 1:
        return np.zeros((rows, 1), dtype=np.int64)
    b = np.uint64(max(1, (n - 1).bit_length()))
    top = np.uint64((1 << 63) - 1) >> b
    # + 0.0 turns -0.0 into 0.0; every score here is >= 0 (weighted sum and TOPSIS).
    bits = (np.ascontiguousarray(scores, dtype=np.float64) + 0.0).view(np.uint64) >> b
    key = ((top - bits) << b) | np.arange(n, dtype=np.uint64)
    key.sort(axis=1)
    return np.asarray(key & ((np.uint64(1) << b) - np.uint64(1)), dtype=np.int64)


def _tally_kernel(order: IntArray, n: int) -> IntArray:
    """``counts[i, r]``: draws in which alternative ``i`` has rank ``r + 1``."""
    cols = np.ascontiguousarray(order.T)
    out = np.empty((n, n), dtype=np.int64)
    for r in range(n):
        out[:, r] = np.bincount(cols[r], minlength=n)
    return out


def _top_k_sets(scores: FloatArray, k: int) -> BoolArray:
    """Membership ``(rows, n)`` of the top-k set per row (ties by input order)."""
    order = _order_kernel(scores)
    member = np.zeros(scores.shape, dtype=bool)
    np.put_along_axis(member, order[:, :k], True, axis=1)
    return member


# ---------------------------------------------------------------------------------------
# SMAA


@attrs.frozen(kw_only=True, repr=False)
class SMAAResult:
    """The outcome of :func:`smaa` (SMAA-2; Lahdelma and Salminen, 2001).

    Attributes
    ----------
    rank_acceptability : pandas.DataFrame
        ``b_i^r``: share of draws in which alternative ``i`` (row) has rank ``r``
        (column, 1 = best). Rows and columns sum to 1.
    central_weights : pandas.DataFrame
        ``w_i^c``: mean weight vector over the draws in which ``i`` ranks first
        (alternatives x criteria). A row is NaN when ``i`` is never first.
    confidence : pandas.Series
        ``p_i^c``: share of the draws of the criteria values (the matrix) in which ``i``
        ranks first when the weights are fixed at its central weight vector. With a fixed
        matrix it is 1.0 or 0.0; NaN when ``i`` is never first.
    method : str
        ``"weighted_sum"`` or ``"topsis"``.
    weights : str
        How weights were drawn: ``"uniform"``, ``"ordinal"``, ``"bounds"`` or ``"fixed"``.
    draws : int
        Number of Monte Carlo draws.
    """

    rank_acceptability: pd.DataFrame = attrs.field(eq=False)
    central_weights: pd.DataFrame = attrs.field(eq=False)
    confidence: pd.Series = attrs.field(eq=False)
    method: str
    weights: str
    draws: int

    def p_top_k(self, k: int) -> pd.Series:
        """Probability that each alternative ranks in the top ``k``.

        Parameters
        ----------
        k : int
            ``1 <= k <= n``.

        Returns
        -------
        pandas.Series
            ``sum_{r <= k} b_i^r`` per alternative.

        Examples
        --------
        >>> res = smaa([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]], True, seed=1, draws=4000)
        >>> res.p_top_k(2).round(1).tolist()
        [0.5, 0.5, 1.0]
        """
        kk = _k(k, self.rank_acceptability.shape[0])
        out = self.rank_acceptability.iloc[:, :kk].sum(axis=1)
        return out.rename(f"p_top_{kk}")

    @property
    def expected_rank(self) -> pd.Series:
        """Expected rank ``sum_r r b_i^r`` per alternative (1 = best)."""
        ranks = np.arange(1, self.rank_acceptability.shape[1] + 1, dtype=np.float64)
        values = self.rank_acceptability.to_numpy() @ ranks
        return pd.Series(values, index=self.rank_acceptability.index, name="expected_rank")

    def to_frame(self) -> pd.DataFrame:
        """One row per alternative: first-rank acceptability, expected rank, confidence.

        Followed by the central weights, one column per criterion named
        ``central_weight[<criterion>]``.
        """
        out = pd.DataFrame(
            {
                "p_first": self.rank_acceptability.iloc[:, 0],
                "expected_rank": self.expected_rank,
                "confidence": self.confidence,
            }
        )
        central = self.central_weights.copy()
        central.columns = pd.Index([f"central_weight[{c}]" for c in central.columns])
        return pd.concat([out, central], axis=1)

    def __repr__(self) -> str:
        n, m = self.central_weights.shape
        return (
            f"SMAAResult(method={self.method!r}, weights={self.weights!r}, "
            f"draws={self.draws}, alternatives={n}, criteria={m})"
        )

    def _repr_html_(self) -> str:
        head = self.to_frame().sort_values("expected_rank").head(20)
        return f"<p>{self!r}</p>" + head.to_html(float_format=lambda v: f"{v:.3f}")


def _prepare(
    matrix: Any,
    matrix_draws: Any,
    benefit: Any,
    alternatives: Any,
    criteria: Any,
) -> tuple[FloatArray, BoolArray, pd.Index, pd.Index]:
    if matrix is not None and matrix_draws is not None:
        raise ValidationError(
            "give either matrix (fixed values) or matrix_draws (sampled values), not both",
            field="matrix_draws",
            hint="Name the rows and columns with alternatives= and criteria=",
        )
    if matrix is None and matrix_draws is None:
        raise ValidationError(
            "a matrix (alternatives x criteria) or matrix_draws is required", field="matrix"
        )
    alt_default: list[Hashable] | None = None
    crit_default: list[Hashable] | None = None
    if matrix is not None:
        if isinstance(matrix, pd.DataFrame):
            alt_default, crit_default = list(matrix.index), list(matrix.columns)
        x = _as_matrix(matrix)
        n, m = x.shape
    else:
        x = _matrix_draws(matrix_draws)
        n, m = x.shape[1], x.shape[2]
    ben = _as_benefit(benefit, m)
    alts = _labels(alternatives, alt_default, n, "alternative")
    crits = _labels(criteria, crit_default, m, "criterion")
    return x, ben, alts, crits


def _chunk_rows(chunk: Any, per_row: int) -> int | None:
    if chunk is None:
        return None
    return _count(chunk, "chunk")


def smaa(
    matrix: Any = None,
    benefit: Sequence[bool] | bool = True,
    *,
    method: Method = "weighted_sum",
    weights: WeightsSpec = None,
    order: Sequence[Hashable] | None = None,
    draws: int | None = None,
    seed: SeedLike = None,
    matrix_draws: npt.ArrayLike | None = None,
    chunk: int | None = None,
    alternatives: Sequence[Hashable] | None = None,
    criteria: Sequence[Hashable] | None = None,
) -> SMAAResult:
    """Stochastic multicriteria acceptability analysis (SMAA-2).

    For each draw, a weight vector (and, with ``matrix_draws``, a matrix of criteria
    values) is scored with ``method`` and the alternatives are ranked (ties to the one
    listed first). Tallied over draws this gives the rank acceptability indices, the
    central weight vectors and the confidence factors of Lahdelma and Salminen (2001),
    "SMAA-2: Stochastic multicriteria acceptability analysis for group decision making",
    *Operations Research* 49(3), 444-454.

    The work is vectorised across draws (one matrix product or batched array operation
    per block of ``chunk`` draws), so memory stays bounded whatever ``draws`` is.

    Parameters
    ----------
    matrix : array-like or DataFrame, optional
        Fixed ``n x m`` criteria values (a DataFrame names rows and columns).
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
        Scores as :func:`frictionkit.mcda.weighted_sum` (min-max, per draw) or
        :func:`frictionkit.mcda.topsis`.
    weights : None, "ordinal", mapping, m x 2 array or vector, default None
        None: uniform on the simplex; ``"ordinal"``: ordered by ``order``; bounds
        ``{criterion: (low, high)}``; a vector: fixed. See :func:`sample_weights`.
    order : sequence of names or positions, optional
        Criteria from most to least important, for ``weights="ordinal"``.
    draws : int, optional
        Number of draws, default 10,000 (or the first dimension of ``matrix_draws``,
        which ``draws`` must then equal).
    seed : int or numpy.random.Generator, optional
        Seeds the weight draws; same seed, same result bit for bit.
    matrix_draws : array-like, optional
        Sampled criteria values, shape ``(draws, n, m)``, e.g. from
        :func:`sample_estimates`. Replaces ``matrix``.
    chunk : int, optional
        Draws scored per block (default: blocks of about 2 million values).
    alternatives, criteria : sequence of names, optional
        Row and column names (default: from a DataFrame, else positions).

    Returns
    -------
    SMAAResult

    Raises
    ------
    InfeasibleError
        Weight bounds that no weight vector satisfies.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"impact": [9, 5, 7], "effort_days": [30, 5, 12]},
    ...                  index=["portal", "faq", "chatbot"])
    >>> res = smaa(m, [True, False], method="topsis", seed=0, draws=2000)
    >>> res.p_top_k(1).round(2).to_dict()
    {'portal': 0.24, 'faq': 0.53, 'chatbot': 0.23}
    >>> res.central_weights.round(2).loc["faq"].tolist()
    [0.26, 0.74]
    """
    kind_method = _method(method)
    x, ben, alts, crits = _prepare(matrix, matrix_draws, benefit, alternatives, criteria)
    n, m = len(alts), len(crits)
    if x.ndim == 3:
        total = x.shape[0]
        if draws is not None and _count(draws, "draws") != total:
            raise ValidationError(
                f"draws ({draws}) must equal the number of matrix draws ({total})",
                field="draws",
                value=draws,
                hint="Leave draws out when you pass matrix_draws",
            )
    else:
        total = DEFAULT_DRAWS if draws is None else _count(draws, "draws")
    rng = _rng(seed)
    wkind, fixed, params = _weights_sampler(weights, order, crits)
    if fixed is not None:
        w_all = np.broadcast_to(fixed, (total, m))
    else:
        w_all = _draw_weights(wkind, params, rng, total, crits)
    per_row = n if x.ndim == 2 else n * m
    size = _chunk_rows(chunk, per_row) or max(1, _CHUNK_ELEMENTS // per_row)
    scorer = _Scorer(kind_method, ben, x)
    counts = np.zeros((n, n), dtype=np.int64)
    central = np.zeros((n, m))
    for start in range(0, total, size):
        stop = min(total, start + size)
        w = w_all[start:stop]
        order_ = _order_kernel(scorer(w, start, stop))
        counts += _tally_kernel(order_, n)
        first = order_[:, 0]
        for j in range(m):
            central[:, j] += np.bincount(first, weights=w[:, j], minlength=n)
    firsts = counts[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        central_w = central / firsts[:, None]
    central_w[firsts == 0] = np.nan
    conf = _confidence(scorer, central_w, x, size)
    acc = pd.DataFrame(counts / total, index=alts, columns=pd.Index(range(1, n + 1), name="rank"))
    return SMAAResult(
        rank_acceptability=acc,
        central_weights=pd.DataFrame(central_w, index=alts, columns=crits),
        confidence=pd.Series(conf, index=alts, name="confidence"),
        method=kind_method,
        weights=wkind,
        draws=total,
    )


def _confidence(scorer: _Scorer, central_w: FloatArray, x: FloatArray, size: int) -> FloatArray:
    n = central_w.shape[0]
    conf = np.full(n, np.nan)
    cands = np.flatnonzero(~np.isnan(central_w[:, 0]))
    if cands.size == 0:
        return conf
    wc = central_w[cands]
    if x.ndim == 2:
        best = _order_kernel(scorer(wc))[:, 0]
        conf[cands] = (best == cands).astype(np.float64)
        return conf
    total = x.shape[0]
    hits = np.zeros(cands.size, dtype=np.int64)
    rows = max(1, _CHUNK_ELEMENTS // (cands.size * n))
    for start in range(0, total, rows):
        xc = x[start : start + rows]
        if scorer.method == "weighted_sum":
            sc = np.einsum("dnm,cm->dcn", _minmax_batch_kernel(xc, scorer.benefit), wc)
        else:
            gb, gw = _topsis_batch_parts(xc, scorer.benefit)
            w2 = wc * wc
            d_best = np.sqrt(np.maximum(np.einsum("dnm,cm->dcn", gb, w2), 0.0))
            d_worst = np.sqrt(np.maximum(np.einsum("dnm,cm->dcn", gw, w2), 0.0))
            sc = _closeness(d_best, d_worst)
        hits += np.count_nonzero(sc.argmax(axis=2) == cands[None, :], axis=0)
    conf[cands] = hits / total
    return conf


# ---------------------------------------------------------------------------------------
# weight sensitivity


def _fixed_inputs(
    matrix: Any, weights: Any, benefit: Any, method: Any
) -> tuple[str, FloatArray, FloatArray, BoolArray, pd.Index, pd.Index]:
    kind = _method(method)
    x, ben, alts, crits = _prepare(matrix, None, benefit, None, None)
    w = _check_weights(weights, len(crits))
    return kind, x, w, ben, alts, crits


def _moved(w: FloatArray, j: int, t: FloatArray) -> FloatArray:
    """Weight vectors with ``w_j = t`` and the others rescaled to keep the sum 1."""
    t = np.asarray(t, dtype=np.float64)
    rest = 1.0 - w[j]
    if rest > 1e-15:
        out = w[None, :] * ((1.0 - t) / rest)[:, None]
    else:
        m = w.size
        out = np.broadcast_to(((1.0 - t) / max(m - 1, 1))[:, None], (t.size, m)).copy()
    out[:, j] = t
    return np.asarray(out, dtype=np.float64)


def _swap(old: BoolArray, new: BoolArray, alts: pd.Index) -> tuple[object, object]:
    gone = [alts[i] for i in np.flatnonzero(old & ~new).tolist()]
    came = [alts[i] for i in np.flatnonzero(new & ~old).tolist()]
    return (gone[0] if len(gone) == 1 else (gone or None)), (
        came[0] if len(came) == 1 else (came or None)
    )


def _ws_interval(r: FloatArray, w: FloatArray, j: int, member: BoolArray) -> tuple[float, float]:
    """Exact interval of ``w_j`` keeping the top-k set (weighted sum: scores linear in t)."""
    rest = 1.0 - w[j]
    m = w.size
    if rest > 1e-15:
        others = (r @ w - r[:, j] * w[j]) / rest
    else:
        others = (r.sum(axis=1) - r[:, j]) / max(m - 1, 1)
    # score_i(t) = others_i + t (r_ij - others_i)
    a, b = others, r[:, j] - others
    tj = float(w[j])
    ins, outs = np.flatnonzero(member), np.flatnonzero(~member)
    if outs.size == 0:
        return 0.0, 1.0
    da = a[outs][None, :] - a[ins][:, None]  # a_out - a_in
    db = b[ins][:, None] - b[outs][None, :]  # b_in - b_out
    with np.errstate(divide="ignore", invalid="ignore"):
        t = da / db  # crossing point of each (in, out) pair
    up = (db < 0) & (t >= tj - 1e-12)  # out line steeper: overtakes as t grows
    down = (db > 0) & (t <= tj + 1e-12)  # out line flatter: overtakes as t falls
    hi = float(min(1.0, t[up].min())) if up.any() else 1.0
    lo = float(max(0.0, t[down].max())) if down.any() else 0.0
    return max(lo, 0.0), min(hi, 1.0)


def _scores_for(kind: str, x: FloatArray, ben: BoolArray, w: FloatArray) -> FloatArray:
    return _Scorer(kind, ben, x)(w)


def _bisect_edge(
    kind: str,
    x: FloatArray,
    ben: BoolArray,
    w: FloatArray,
    j: int,
    same: float,
    diff: float,
    member: BoolArray,
    k: int,
) -> float:
    for _ in range(60):
        mid = 0.5 * (same + diff)
        sc = _scores_for(kind, x, ben, _moved(w, j, np.array([mid])))
        if (_top_k_sets(sc, k)[0] == member).all():
            same = mid
        else:
            diff = mid
        if abs(diff - same) < 1e-12:
            break
    return same


def _change_pct(value: float, base: float) -> float:
    return (value - base) / base * 100.0 if base > 0 else math.nan


def stability_intervals(
    matrix: Any,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | bool,
    method: Method = "weighted_sum",
    k: int = 1,
    *,
    grid: int = 2001,
) -> pd.DataFrame:
    """For each criterion, the weight interval over which the top-k set is unchanged.

    The weight of criterion ``j`` moves to ``t`` while the other weights are rescaled in
    proportion, ``w_l(t) = w_l (1 - t) / (1 - w_j)``, so the weights still sum to 1 and
    keep their ratios (if ``w_j = 1`` the others share ``1 - t`` equally). The interval
    ``[low, high]`` contains the current weight; at an endpoint two alternatives tie and
    the tie rule (input order) decides.

    - Weighted sum (min-max normalisation): every score is linear in ``t``, so the
      endpoints are the exact crossing points of a member and a non-member of the top-k
      set (solved in closed form).
    - TOPSIS: the closeness is evaluated on a grid of ``grid`` values of ``t`` in
      ``[0, 1]`` and each endpoint refined by bisection to ``1e-12``. A change that
      reverses within one grid step (``1 / (grid - 1)``) can be missed.

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` criteria values.
    weights : array-like
        ``m`` weights (normalised to sum 1 with a warning if needed).
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
    k : int, default 1
        Size of the top set, ``1 <= k <= n``.
    grid : int, default 2001
        Grid size for TOPSIS.

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion: ``weight``, ``low``, ``high`` (bounds of that criterion's
        weight), ``low_change_pct`` and ``high_change_pct`` (relative to ``weight``),
        ``out_at_low``/``in_at_low`` and ``out_at_high``/``in_at_high`` (the alternatives
        that leave and enter the top-k set beyond each endpoint; missing at 0 or 1).

    Examples
    --------
    >>> m = [[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]]
    >>> stability_intervals(m, [0.5, 0.5], [True, True])[["low", "high"]]
                low  high
    criterion
    0           0.4   0.6
    1           0.4   0.6
    """
    kind, x, w, ben, alts, crits = _fixed_inputs(matrix, weights, benefit, method)
    n, m = x.shape
    kk = _k(k, n)
    grid_n = _count(grid, "grid", low=3)
    member = _top_k_sets(_scores_for(kind, x, ben, w[None, :]), kk)[0]
    rows = []
    r = _minmax_kernel(x, ben)
    for j in range(m):
        tj = float(w[j])
        if kind == "weighted_sum":
            lo, hi = _ws_interval(r, w, j, member)
        else:
            ts = np.linspace(0.0, 1.0, grid_n)
            same = (_top_k_sets(_scores_for(kind, x, ben, _moved(w, j, ts)), kk) == member).all(
                axis=1
            )
            above = np.flatnonzero((ts > tj) & ~same)
            below = np.flatnonzero((ts < tj) & ~same)
            hi = 1.0
            if above.size:
                i = int(above[0])
                hi = _bisect_edge(kind, x, ben, w, j, max(tj, ts[i - 1]), ts[i], member, kk)
            lo = 0.0
            if below.size:
                i = int(below[-1])
                lo = _bisect_edge(kind, x, ben, w, j, min(tj, ts[i + 1]), ts[i], member, kk)
        swaps: list[object] = []
        for edge, step in ((lo, -1e-9), (hi, 1e-9)):
            probe = edge + step
            if 0.0 <= probe <= 1.0 and ((edge > 0.0) if step < 0 else (edge < 1.0)):
                sc = _scores_for(kind, x, ben, _moved(w, j, np.array([probe])))
                swaps.extend(_swap(member, _top_k_sets(sc, kk)[0], alts))
            else:
                swaps.extend([None, None])
        rows.append(
            {
                "weight": tj,
                "low": lo,
                "high": hi,
                "low_change_pct": _change_pct(lo, tj),
                "high_change_pct": _change_pct(hi, tj),
                "out_at_low": swaps[0],
                "in_at_low": swaps[1],
                "out_at_high": swaps[2],
                "in_at_high": swaps[3],
            }
        )
    return pd.DataFrame(rows, index=crits)


def weight_sweep(
    matrix: Any,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | bool,
    method: Method = "weighted_sum",
    pct: Sequence[float] = (-50, -25, -10, 0, 10, 25, 50),
) -> pd.DataFrame:
    """One-at-a-time sweep: move each criterion's weight by ``pct`` percent and rank again.

    The moved weight is ``w_j (1 + pct / 100)``, clipped to ``[0, 1]``; the other weights
    are rescaled in proportion so the weights sum to 1 (as in
    :func:`stability_intervals`).

    Parameters
    ----------
    matrix : array-like or DataFrame
        ``n x m`` criteria values.
    weights : array-like
        ``m`` weights.
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
    pct : sequence of float, default (-50, -25, -10, 0, 10, 25, 50)
        Relative changes in percent, each ``>= -100``.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (criterion, pct, alternative) with columns ``criterion``,
        ``pct``, ``weight`` (the moved criterion's new weight), ``alternative``,
        ``score`` and ``rank``.

    Examples
    --------
    >>> m = [[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]]
    >>> t = weight_sweep(m, [0.5, 0.5], True, pct=[-50, 50])
    >>> t.pivot_table(index=["criterion", "pct"], columns="alternative", values="rank")
    alternative      0    1    2
    criterion pct
    0         -50  3.0  1.0  2.0
               50  1.0  3.0  2.0
    1         -50  1.0  3.0  2.0
               50  3.0  1.0  2.0
    """
    kind, x, w, ben, alts, crits = _fixed_inputs(matrix, weights, benefit, method)
    if isinstance(pct, (str, bytes)) or not hasattr(pct, "__iter__"):
        raise InputTypeError(f"pct must be a list of numbers, got {pct!r}", field="pct", value=pct)
    steps = np.array([_pct(p) for p in pct], dtype=np.float64)
    if steps.size == 0:
        raise ValidationError("pct is empty", field="pct", value=pct)
    n = x.shape[0]
    frames = []
    for j in range(len(crits)):
        t = np.clip(w[j] * (1.0 + steps / 100.0), 0.0, 1.0)
        sc = _scores_for(kind, x, ben, _moved(w, j, t))
        order_ = _order_kernel(sc)
        ranks = np.empty_like(order_)
        np.put_along_axis(ranks, order_, np.arange(1, n + 1)[None, :], axis=1)
        frames.append(
            pd.DataFrame(
                {
                    "criterion": np.repeat(np.array(list(crits) * 1, dtype=object)[j], sc.size),
                    "pct": np.repeat(steps, n),
                    "weight": np.repeat(t, n),
                    "alternative": np.tile(np.array(list(alts), dtype=object), steps.size),
                    "score": sc.ravel(),
                    "rank": ranks.ravel(),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    if all(float(p).is_integer() for p in steps):
        out["pct"] = out["pct"].astype(np.int64)
    return out


def _pct(p: Any) -> float:
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise InputTypeError(f"pct values must be numbers, got {p!r}", field="pct", value=p)
    v = float(p)
    if not math.isfinite(v) or v < -100:
        raise ValidationError(
            f"pct values must be finite and >= -100, got {p!r}", field="pct", value=p
        )
    return v


# ---------------------------------------------------------------------------------------
# value of information


def _top_k_sum(values: FloatArray, k: int) -> FloatArray:
    """Sum of the ``k`` largest values per row."""
    if k == values.shape[1]:
        return np.asarray(values.sum(axis=1), dtype=np.float64)
    part = -np.partition(-values, k - 1, axis=1)[:, :k]
    return np.asarray(part.sum(axis=1), dtype=np.float64)


def _evppi_kernel(scores: FloatArray, key: FloatArray, k: int, bins: int) -> float:
    """``sum_b p_b max_S mean(V_S | bin b) - max_S mean(V_S)`` with equal-count bins."""
    d = scores.shape[0]
    perm = np.argsort(key, kind="stable")
    starts = (np.arange(bins) * d) // bins
    sizes = np.diff(np.append(starts, d)).astype(np.float64)
    cond = np.add.reduceat(scores[perm], starts, axis=0) / sizes[:, None]
    base = _top_k_sum(scores.mean(axis=0)[None, :], k)[0]
    return float((sizes * _top_k_sum(cond, k)).sum() / d - base)


def value_of_information(
    matrix_draws: npt.ArrayLike,
    weights: npt.ArrayLike,
    benefit: Sequence[bool] | bool,
    method: Method = "weighted_sum",
    *,
    k: int = 1,
    bins: int = 20,
    alternatives: Sequence[Hashable] | None = None,
    criteria: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Which estimates to check first: expected value of perfect information per cell.

    **Decision and its value.** The decision is the top-k set ``S`` chosen before the
    true values are known. Its value in draw ``d`` is the sum of the *true* scores of its
    members, ``V(S, d) = sum_{i in S} score_i(d)``, with scores computed by ``method`` on
    the sampled matrix of that draw (fixed ``weights``). Without further information the
    best set is the top-k by mean score, worth ``V0 = max_S E[V(S)]``.

    **EVPI** (whole matrix known): ``E[max_S V(S, d)] - V0``, reported in
    ``df.attrs["evpi"]``.

    **EVPPI** of one uncertain cell ``(i, j)`` (only that value known):
    ``E_x[max_S E[V(S) | x_ij = x]] - V0``. Estimator: the draws are sorted by ``x_ij``
    and cut into ``bins`` equal-count bins; the conditional means are the bin means and
    ``EVPPI ~= sum_b p_b max_S mean_b(V(S)) - V0``. It is never negative. Two biases: few
    draws per bin make the bin maxima noisy and bias the estimate *up*; coarse bins blur
    the conditioning and bias it *down*. The upward part is measured by the same
    estimator on a partition of the draws that carries no information (by draw index:
    the draws are independent), reported as ``df.attrs["bias_floor"]``; ``evppi_net`` is
    ``max(evppi - bias_floor, 0)``.

    Cost: ``O(cells x draws x n)``; constant cells (points, zero-width estimates) are
    skipped.

    Parameters
    ----------
    matrix_draws : array-like
        Sampled criteria values ``(draws, n, m)``, e.g. :func:`sample_estimates` of a
        matrix of estimates.
    weights : array-like
        ``m`` fixed weights.
    benefit : sequence of bool or bool
        True where more is better, False for cost criteria.
    method : {"weighted_sum", "topsis"}, default "weighted_sum"
    k : int, default 1
        Size of the chosen set.
    bins : int, default 20
        Equal-count bins for the conditioning (at most ``draws``).
    alternatives, criteria : sequence of names, optional
        Row and column names.

    Returns
    -------
    pandas.DataFrame
        One row per uncertain cell, best to check first: ``alternative``, ``criterion``,
        ``evppi``, ``evppi_net`` and ``share_of_evpi`` (``evppi_net / evpi``).

    Examples
    --------
    >>> from frictionkit import Estimate
    >>> cells = [[Estimate.range(0, 10), 5], [5, Estimate.range(4, 6)], [4, 4]]
    >>> x = sample_estimates(cells, 4000, seed=2)
    >>> voi = value_of_information(x, [0.5, 0.5], True, criteria=["impact", "reach"])
    >>> voi[["alternative", "criterion"]].to_dict("records")
    [{'alternative': 0, 'criterion': 'impact'}, {'alternative': 1, 'criterion': 'reach'}]
    """
    kind = _method(method)
    x, ben, alts, crits = _prepare(None, matrix_draws, benefit, alternatives, criteria)
    d, n, m = x.shape
    w = _check_weights(weights, m)
    kk = _k(k, n)
    nb = min(_count(bins, "bins"), d)
    scorer = _Scorer(kind, ben, x)
    size = max(1, _CHUNK_ELEMENTS // (n * m))
    scores = np.vstack([scorer(w[None, :], s, min(d, s + size)) for s in range(0, d, size)])
    base = _top_k_sum(scores.mean(axis=0)[None, :], kk)[0]
    evpi = float(_top_k_sum(scores, kk).mean() - base)
    floor = _evppi_kernel(scores, (np.arange(d) % nb).astype(np.float64), kk, nb)
    varies = np.flatnonzero((x.max(axis=0) > x.min(axis=0)).ravel())
    flat = x.reshape(d, n * m)
    values = np.array([_evppi_kernel(scores, flat[:, c], kk, nb) for c in varies])
    net = np.maximum(values - floor, 0.0) if values.size else values
    out = pd.DataFrame(
        {
            "alternative": pd.Series([alts[c // m] for c in varies], dtype=object),
            "criterion": pd.Series([crits[c % m] for c in varies], dtype=object),
            "evppi": np.maximum(values, 0.0),
            "evppi_net": net,
            "share_of_evpi": net / evpi if evpi > 0 else np.zeros(values.size),
        }
    )
    out = out.sort_values(["evppi", "evppi_net"], ascending=False, kind="stable")
    out = out.reset_index(drop=True)
    out.attrs["evpi"] = evpi
    out.attrs["bias_floor"] = max(floor, 0.0)
    out.attrs["bins"] = nb
    return out
