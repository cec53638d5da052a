"""Sampling of estimates (vectorised by distribution kind) and of SMAA weight vectors."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from frictionkit._resources import array_bytes, check_allocation
from frictionkit._validate import as_weights as _check_weights
from frictionkit.estimates import Estimate, SeedLike, _rng
from frictionkit.exceptions import (
    InfeasibleError,
    InputTypeError,
    SMAAAcceptanceWarning,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.uncertainty._common import (
    FloatArray,
    IntArray,
    WeightsSpec,
    _count,
    _criterion_position,
    _labels,
)

# Acceptance rate of the rejection sampler under which a warning is issued.
_LOW_ACCEPTANCE = 1e-3
# Proposals tried before bounds are declared too tight to sample.
_MAX_PROPOSALS = 20_000_000
# Arrays of the size of the weight draws alive at once while sampling them (exponentials,
# their normalised copy, the sorted or accepted copy).
_WEIGHT_COPIES = 3


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


def _check_draws_memory(
    fill: FloatArray, packed: Mapping[str, tuple[Any, ...]], rows: int, what: str
) -> None:
    """Budget for :func:`_draw_block`: the output and the temporaries of the largest kind."""
    widest = max((pos.size for pos, *_ in packed.values()), default=0)
    check_allocation(
        array_bytes(rows, fill.size + 3 * widest),
        what=f"{what} of {rows:,} draws x {fill.size:,} values",
        hint="Ask for fewer draws, or use iter_estimate_draws(..., chunk=) to sample in blocks",
    )


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

    Raises
    ------
    MemoryBudgetError
        One block of ``chunk`` draws would exceed the memory budget; use a smaller chunk.

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
    _check_draws_memory(fill, packed, min(size, total), "iter_estimate_draws, one block")
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

    Raises
    ------
    MemoryBudgetError
        The array (and the temporaries of sampling it) would exceed the memory budget
        (:func:`frictionkit.set_options`); sample in blocks with :func:`iter_estimate_draws`.

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
    _check_draws_memory(fill, packed, total, "sample_estimates")
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
    MemoryBudgetError
        ``draws x criteria`` weights (and their sampling temporaries) would exceed the
        memory budget (:func:`frictionkit.set_options`).

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
    check_allocation(
        # the draws and their sampling temporaries, plus the DataFrame's own copy
        (_WEIGHT_COPIES + 1) * array_bytes(rows, len(names)),
        what=f"sample_weights of {rows:,} draws x {len(names):,} criteria",
        hint="Ask for fewer draws",
    )
    if fixed is not None:
        w = np.broadcast_to(fixed, (rows, fixed.size)).copy()
    else:
        w = _draw_weights(kind, params, rng, rows, names)
    return pd.DataFrame(w, columns=names)


# ---------------------------------------------------------------------------------------
# block draws of one vector of estimates (rank_risk)

#: Rows of a stream block: draws ``[k B, (k + 1) B)`` of a vector come from random streams
#: keyed by ``k`` alone, so any block of draws can be made on any thread, in any order.
_STREAM_ROWS = 1024
# PERT estimates sharing one shape (alpha, beta) get streams of their own when at least
# this many share it (one scalar-shape gamma call serves them all); the others share a
# pair of streams with a shape per column. At most this many such groups per vector.
_PERT_GROUP_MIN = 16
_PERT_GROUPS_MAX = 64


def _pert_unit(
    streams: Sequence[np.random.Generator], shapes: tuple[Any, Any], size: tuple[int, int]
) -> FloatArray:
    """Beta draws ``Ga / (Ga + Gb)`` in float64 from standard gammas drawn in float32.

    The gammas come from numpy's float32 path (faster than float64 and than
    ``Generator.beta``); the sum and the ratio are taken in float64.
    """
    ga = streams[0].standard_gamma(shapes[0], size=size, dtype=np.float32)
    gb = streams[1].standard_gamma(shapes[1], size=size, dtype=np.float32)
    total = np.add(ga, gb, dtype=np.float64)
    return np.divide(ga, total, out=total, dtype=np.float64)


# one part of a vector: kind, positions, then (low, high) for uniform and triangular draws
# with the mode in between, or (low, span, shapes) for PERT; and the tags of its streams
_Part = tuple[str, IntArray, Any, Any, Any, list[tuple[int, ...]]]


class _VectorDraws:
    """Draws of a vector of ``n`` estimates in stream blocks, for :func:`rank_risk`.

    The distributions are those of :func:`sample_estimates` (ranges uniform, three-point
    PERT or triangular, constants as they are); PERT is drawn as ``a + (b - a) X`` with
    ``X = G_alpha / (G_alpha + G_beta)`` (independent standard gammas, the exact Beta
    construction), the gammas sampled in float32 and the ratio taken in float64.

    Draws ``[k B, (k + 1) B)`` (``B`` = :data:`_STREAM_ROWS`) form stream block ``k``:
    :meth:`streams` gives its draws, from generators seeded by ``(*key, k, tag)`` alone.
    Within a stream block each distribution kind, each side of the PERT ratio and each
    large group of PERT estimates sharing a shape has its own stream, consumed in draw
    order, so the block's draws are the same however its rows are split into calls. A
    vector of constants is a read-only broadcast view.
    """

    def __init__(self, values: Sequence[Any], key: tuple[int, ...]) -> None:
        _, fill, packed = _spec(list(values))
        self.key = tuple(int(k) for k in key)
        self.n = fill.size
        self.fill = fill
        self.constant = not packed
        self.const_pos = np.flatnonzero(~np.isnan(fill))
        self.parts: list[_Part] = []
        for kind, (pos, a, mode, b) in packed.items():
            if kind != "pert":
                self.parts.append((kind, pos, a, mode, b, [(0, _KINDS.index(kind))]))
                continue
            alpha = 1.0 + 4.0 * (mode - a) / (b - a)
            beta = 1.0 + 4.0 * (b - mode) / (b - a)
            shapes = np.stack([alpha, beta], axis=1)
            uniq, inverse, counts = np.unique(
                shapes, axis=0, return_inverse=True, return_counts=True
            )
            inverse = inverse.ravel()
            big = [g for g in np.argsort(-counts, kind="stable") if counts[g] >= _PERT_GROUP_MIN]
            big = sorted(big[:_PERT_GROUPS_MAX], key=lambda g: int(np.argmax(inverse == g)))
            rest = np.ones(pos.size, dtype=bool)
            for k, g in enumerate(big):
                cols = np.flatnonzero(inverse == g)
                rest[cols] = False
                self.parts.append(
                    (
                        "pert",
                        pos[cols],
                        a[cols],
                        b[cols] - a[cols],
                        (float(uniq[g, 0]), float(uniq[g, 1])),
                        [(1, k, side) for side in (0, 1)],
                    )
                )
            if rest.any():
                cols = np.flatnonzero(rest)
                self.parts.append(
                    (
                        "pert",
                        pos[cols],
                        a[cols],
                        b[cols] - a[cols],
                        (alpha[cols].astype(np.float32), beta[cols].astype(np.float32)),
                        [(2, side) for side in (0, 1)],
                    )
                )

    def streams(self, number: int) -> _StreamBlock:
        """The draws of stream block ``number``, to be taken in order with ``block``."""
        return _StreamBlock(self, number)

    def first(self, rows: int) -> FloatArray:
        """The first ``rows`` draws (stream blocks 0, 1, ...), ``(rows, n)``."""
        parts = [
            self.streams(k).block(min(_STREAM_ROWS, rows - k * _STREAM_ROWS))
            for k in range(-(-rows // _STREAM_ROWS))
        ]
        return parts[0] if len(parts) == 1 else np.vstack(parts)


class _StreamBlock:
    """The draws of one stream block of a :class:`_VectorDraws`, taken in row order."""

    def __init__(self, draws: _VectorDraws, number: int) -> None:
        self.draws = draws
        prefix = [*draws.key, int(number)]
        self.gens = [
            [np.random.default_rng([*prefix, *tag]) for tag in part[5]] for part in draws.parts
        ]

    def block(self, rows: int) -> FloatArray:
        """The next ``rows`` draws of this stream block, ``(rows, n)``."""
        d = self.draws
        if d.constant:
            return np.broadcast_to(d.fill, (rows, d.n))
        out: FloatArray | None = None
        for (kind, pos, a, mid, b, _), streams in zip(d.parts, self.gens, strict=True):
            size = (rows, pos.size)
            if kind == "uniform":
                block = streams[0].random(size)
                block *= b - a
                block += a
            elif kind == "triangular":
                block = streams[0].triangular(a, mid, b, size=size)
            else:  # PERT: a + span * Ga / (Ga + Gb); here mid is the span, b the shapes
                block = _pert_unit(streams, b, size)
                block *= mid
                block += a
            if pos.size == d.n:  # every position, in order: the block is the draws
                return np.asarray(block, dtype=np.float64)
            if out is None:
                out = np.empty((rows, d.n))
                out[:, d.const_pos] = d.fill[d.const_pos]
            out[:, pos] = block
        assert out is not None
        return out
