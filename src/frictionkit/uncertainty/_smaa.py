"""SMAA-2 (Lahdelma and Salminen, 2001): batched scoring kernels, ranking and tallies.

Why this module is long: the exact confidence factors (screen, group bounds, check and
their reference) share the block layout of the acceptability pass; split apart they would
hand private arrays across modules.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result
from frictionkit._resources import array_bytes, check_allocation
from frictionkit._threads import map_ordered, thread_count
from frictionkit._validate import as_benefit as _as_benefit
from frictionkit.estimates import SeedLike, _rng
from frictionkit.exceptions import (
    InputTypeError,
    ValidationError,
)
from frictionkit.mcda import _as_matrix, _minmax_kernel
from frictionkit.scoring._kernels import (
    _TOPSIS_SMALL_NORM,
    _closeness,
    _column_extremes,
    _minmax_batch_kernel,
    _topsis_batch_ideals,
    _topsis_batch_parts,
    _topsis_fixed_kernel,
    _topsis_fixed_parts,
    _ws_fixed_kernel,
)
from frictionkit.uncertainty._common import (
    DEFAULT_DRAWS,
    BoolArray,
    FloatArray,
    IntArray,
    Method,
    WeightsSpec,
    _count,
    _k,
    _labels,
    _matrix_draws,
    _method,
)
from frictionkit.uncertainty._sampling import _WEIGHT_COPIES, _draw_weights, _weights_sampler

# Arrays of the size of one block of values alive at once per block in flight (the values
# criteria first, their parts, scores and sort keys).
_BLOCK_COPIES = 4
# Values (draws x alternatives x criteria) per block of draws by default (4 MiB).
_BLOCK_VALUES = 2**19
# Rival alternatives each candidate is screened against before the full check (the ones
# most often first), and the stages of the screen (each on the candidate-draw pairs the
# stages before left).
_RIVALS = 32
_RIVAL_STAGES = (2, 8, _RIVALS)
# Each candidate meets first the rivals that beat it most in the first draws (up to
# _GREEDY rivals, picked from at most _LEARN_DRAWS draws).
_GREEDY = 8
_LEARN_DRAWS = 32
# Candidate-draw pairs checked at once.
_CHECK_PAIRS = 256
# Values (draws x alternatives x criteria) whose confidence factors are checked at once.
_CHECK_VALUES = 2**18
# Alternatives per group of the check (each group bounded per draw, scored exactly only
# where its bound reaches the candidate's score).
_GROUP = 16
# A TOPSIS closeness this far above a candidate's beats it however both are rounded.
_SCREEN_MARGIN = 1e-9
# A TOPSIS closeness this far below a candidate's is below it however both are rounded.
_CLOSENESS_MARGIN = 1e-9

# ---------------------------------------------------------------------------------------
# batched kernels (numpy in, numpy out, no validation)


class _Scorer:
    """Scores for a block of weights, on a fixed matrix or on matrix draws."""

    def __init__(self, method: str, benefit: BoolArray, x: FloatArray) -> None:
        self.method = method
        self.benefit = benefit
        self.x = x
        self.fixed = x.ndim == 2
        self._ideals: dict[tuple[int, int | None], Any] = {}
        if self.fixed and method == "weighted_sum":
            self.r = _minmax_kernel(x, benefit)
        elif self.fixed:
            self.gap_best, self.gap_worst = _topsis_fixed_parts(x, benefit)

    def __call__(self, w: FloatArray, start: int = 0, stop: int | None = None) -> FloatArray:
        if self.fixed:
            if self.method == "weighted_sum":
                return _ws_fixed_kernel(self.r, w)
            return _topsis_fixed_kernel(self.gap_best, self.gap_worst, w)
        # as SCORING[method].kernel (_ws_batch_kernel, _topsis_batch_kernel), from parts
        # whose per-draw extremes are kept for the confidence factors (parts())
        parts = self.parts(start, stop)
        if self.method == "weighted_sum":
            return np.asarray(np.einsum("dnm,dm->dn", parts[0], w), dtype=np.float64)
        w2 = w * w
        d_best = np.sqrt(np.maximum(np.einsum("dnm,dm->dn", parts[0], w2), 0.0))
        d_worst = np.sqrt(np.maximum(np.einsum("dnm,dm->dn", parts[1], w2), 0.0))
        return _closeness(d_best, d_worst)

    def parts(self, start: int, stop: int | None) -> tuple[FloatArray, ...]:
        """Min-max normalised values, or TOPSIS squared gaps, of draws ``start:stop``."""
        return self.parts_of(self.x[start:stop], self.ideals(start, stop))

    def ideals(self, start: int, stop: int | None) -> Any:
        """Per-draw extremes (and TOPSIS norms) of draws ``start:stop``.

        Kept the first time a block is asked for, so that the confidence factors
        (:func:`_confidence`) reuse those of the acceptability pass.
        """
        known = self._ideals.get((start, stop))
        if known is None:
            x = self.x[start:stop]
            fresh = _column_extremes if self.method == "weighted_sum" else _topsis_batch_ideals
            known = self._ideals[(start, stop)] = fresh(x)
        return known

    def parts_of(self, x: FloatArray, ideals: Any) -> tuple[FloatArray, ...]:
        """:meth:`parts` of some draws ``x``, any subset of their alternatives.

        From the ideals of those draws: value by value the same numbers as for the whole
        block.
        """
        if self.method == "weighted_sum":
            return (_minmax_batch_kernel(x, self.benefit, ideals),)
        return _topsis_batch_parts(x, self.benefit, ideals)


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
    # one bincount of the pairs (alternative, rank) as alternative * n + rank
    pairs = order * n + np.arange(n, dtype=np.int64)
    return np.bincount(pairs.ravel(), minlength=n * n).reshape(n, n).astype(np.int64, copy=False)


def _top_k_sets(scores: FloatArray, k: int) -> BoolArray:
    """Membership ``(rows, n)`` of the top-k set per row (ties by input order)."""
    order = _order_kernel(scores)
    member = np.zeros(scores.shape, dtype=bool)
    np.put_along_axis(member, order[:, :k], True, axis=1)
    return member


# ---------------------------------------------------------------------------------------
# SMAA


@attrs.frozen(kw_only=True, repr=False)
class SMAAResult(Result):
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
        matrix it is 1.0 or 0.0; NaN when ``i`` is never first (or every entry, when
        ``smaa(confidence=False)`` skipped them).
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

    _charts: ClassVar[Mapping[str, str]] = {
        "rank_risk": "rank_risk",
        "rank_acceptability": "rank_acceptability",
    }

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

    def _repr_body(self) -> str:
        n, m = self.central_weights.shape
        return (
            f"method={self.method!r}, weights={self.weights!r}, "
            f"draws={self.draws}, alternatives={n}, criteria={m}"
        )

    def _repr_frame(self) -> pd.DataFrame:
        return self.to_frame().sort_values("expected_rank", kind="stable")


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
    confidence: bool = True,
    threads: int | None = None,
) -> SMAAResult:
    """Stochastic multicriteria acceptability analysis (SMAA-2).

    For each draw, a weight vector (and, with ``matrix_draws``, a matrix of criteria
    values) is scored with ``method`` and the alternatives are ranked (ties to the one
    listed first). Tallied over draws this gives the rank acceptability indices, the
    central weight vectors and the confidence factors of Lahdelma and Salminen (2001),
    "SMAA-2: Stochastic multicriteria acceptability analysis for group decision making",
    *Operations Research* 49(3), 444-454.

    The work is vectorised across draws (batched array operations per block of ``chunk``
    draws, the blocks on ``threads`` worker threads), so memory stays bounded whatever
    ``draws`` is. Every score is summed criterion by criterion in the same order whatever
    the block or thread, so the result does not depend on ``chunk`` or ``threads``.

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
        Draws scored per block (default: blocks of about 500,000 values). The result does
        not depend on it.
    alternatives, criteria : sequence of names, optional
        Row and column names (default: from a DataFrame, else positions).
    confidence : bool, default True
        Compute the confidence factors. With ``matrix_draws`` they are most of the work
        (each alternative that is ever first is scored again, at its central weights,
        against every alternative of every draw); ``False`` leaves
        ``SMAAResult.confidence`` NaN and changes nothing else.
    threads : int, optional
        Worker threads for the draw blocks; None uses the available cores (or
        ``FRICTIONKIT_THREADS``). Results are the same for any value.

    Returns
    -------
    SMAAResult

    Raises
    ------
    InfeasibleError
        Weight bounds that no weight vector satisfies.
    ValidationError
        Repeated alternative or criterion names (from ``alternatives=``/``criteria=`` or
        the DataFrame's index and columns): results indexed by name would merge them.
    MemoryBudgetError
        The weight draws (``draws x criteria``), the ``n x n`` tallies or one block of
        ``chunk`` draws would exceed the memory budget
        (:func:`frictionkit.set_options`).

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
    if not isinstance(confidence, bool | np.bool_):
        raise InputTypeError(
            f"confidence must be True or False, not {type(confidence).__name__}",
            field="confidence",
            value=confidence,
            hint="Pass confidence=False to skip the confidence factors",
        )
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
    per_row = n if x.ndim == 2 else n * m
    size = _chunk_rows(chunk, per_row) or max(1, _BLOCK_VALUES // per_row)
    workers = min(thread_count(threads), -(-total // size))  # no more threads than blocks
    check_allocation(
        # the weight draws (and their sampling temporaries) and the first alternative of
        # each draw, the n x n tallies and rank acceptabilities (one per block in flight),
        # and the temporaries of the blocks in flight
        (0 if fixed is not None else _WEIGHT_COPIES * array_bytes(total, m))
        + array_bytes(total)
        + (workers + 3) * array_bytes(n, n)
        + (workers + 1) * _BLOCK_COPIES * array_bytes(min(size, total), per_row),
        what=f"smaa with {total:,} draws x {n:,} alternatives x {m:,} criteria",
        hint="Ask for fewer draws (10,000 give acceptabilities within about 0.01), "
        "or a smaller chunk, or fewer threads",
    )
    if fixed is not None:
        w_all = np.broadcast_to(fixed, (total, m))
    else:
        w_all = _draw_weights(wkind, params, rng, total, crits)
    blocks = _Blocks(kind_method, ben, x)
    spans = _blocks(total, size)
    counts, first, ideals = _acceptability(blocks, w_all, spans, workers)
    firsts = counts[:, 0]
    # central weights: sums in draw order (one bincount over all draws), whatever the blocks
    central = np.stack(
        [np.bincount(first, weights=w_all[:, j], minlength=n) for j in range(m)], axis=1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        central_w = central / firsts[:, None]
    central_w[firsts == 0] = np.nan
    if confidence:
        conf = _confidence(blocks, central_w, counts, spans, ideals, workers)
    else:
        conf = np.full(n, np.nan)
    acc = pd.DataFrame(counts / total, index=alts, columns=pd.Index(range(1, n + 1), name="rank"))
    return SMAAResult(
        rank_acceptability=acc,
        central_weights=pd.DataFrame(central_w, index=alts, columns=crits),
        confidence=pd.Series(conf, index=alts, name="confidence"),
        method=kind_method,
        weights=wkind,
        draws=total,
    )


# ---------------------------------------------------------------------------------------
# SMAA-2 block kernels. Values are laid out criteria first, ``(draws, m, n)``, and every
# score is the same function of (weights, values) whatever the block, batch or thread.


def _weighted_sum(terms: Iterable[tuple[Any, Any]]) -> FloatArray:
    """``sum_j w_j * p_j``, criterion by criterion in criterion order (element-wise ufuncs).

    Each element is ``((w_0 p_0 + w_1 p_1) + w_2 p_2) + ...``, rounded step by step: the
    same bits whatever the shapes, the block or the thread, unlike a matrix product, whose
    order of summation may depend on its shape, the BLAS library and its threads.
    """
    acc: FloatArray | None = None
    tmp: FloatArray | None = None
    for wj, pj in terms:
        if acc is None:
            acc = np.multiply(wj, pj, dtype=np.float64)
            continue
        if tmp is None:
            tmp = np.empty_like(acc)
        np.multiply(wj, pj, out=tmp)
        acc += tmp
    assert acc is not None
    return acc


def _closeness_of(db2: FloatArray, dw2: FloatArray) -> FloatArray:
    """TOPSIS closeness from squared distances (``db2``, ``dw2`` are overwritten)."""
    d_best = np.sqrt(np.maximum(db2, 0.0, out=db2), out=db2)
    d_worst = np.sqrt(np.maximum(dw2, 0.0, out=dw2), out=dw2)
    return _closeness(d_best, d_worst)


class _Blocks:
    """Normalised values (weighted sum) or squared gaps (TOPSIS), criteria first.

    ``parts(start, stop)`` gives one ``(draws, m, n)`` array (weighted sum: the min-max
    normalised values of :func:`~frictionkit.scoring._kernels._minmax_batch_kernel`) or
    two (TOPSIS: squared gaps to the best and worst normalised values), with the per-draw
    extremes (``ideals``) computed draw by draw: the same values whatever the block.
    A fixed matrix gives ``(1, m, n)`` arrays, the same for every block.
    """

    def __init__(self, method: str, benefit: BoolArray, x: FloatArray) -> None:
        self.topsis = method == "topsis"
        self.benefit = benefit
        self.x = x
        self.fixed: tuple[FloatArray, ...] | None = None
        if x.ndim == 2:
            if self.topsis:
                fixed_parts: tuple[FloatArray, ...] = _topsis_fixed_parts(x, benefit)
            else:
                fixed_parts = (_minmax_kernel(x, benefit),)
            self.fixed = tuple(np.ascontiguousarray(p.T)[None] for p in fixed_parts)

    def parts(
        self, start: int, stop: int, ideals: Any = None
    ) -> tuple[tuple[FloatArray, ...], Any]:
        """The parts of draws ``start:stop`` and their ideals (pass them back to reuse)."""
        if self.fixed is not None:
            return self.fixed, None
        # a copy (modified in place below), criteria first
        xt = np.swapaxes(self.x[start:stop], 1, 2).copy(order="C")
        ben = self.benefit
        if not self.topsis:
            if ideals is None:
                ideals = (xt.min(axis=2), xt.max(axis=2))
            lo, hi = ideals
            span = hi - lo
            # as _minmax_batch_kernel: (x - lo) / span, (x - hi) / -span for costs, 0 where
            # a criterion does not vary; -0.0 to 0.0
            divisor = np.where(span > 0, np.where(ben, span, -span), np.inf)
            np.subtract(xt, np.where(ben, lo, hi)[:, :, None], out=xt)
            xt /= divisor[:, :, None]
            xt += 0.0
            return (xt,), ideals
        if ideals is None:
            ideals = self._topsis_ideals(xt)
        exp, divisor, rmin, rmax = ideals
        if exp is not None:
            xt = np.ldexp(xt, -exp)
        xt /= divisor[:, :, None]
        gap_best = np.subtract(xt, np.where(ben, rmax, rmin)[:, :, None])
        gap_worst = np.subtract(xt, np.where(ben, rmin, rmax)[:, :, None], out=xt)
        np.square(gap_best, out=gap_best)
        np.square(gap_worst, out=gap_worst)
        return (gap_best, gap_worst), ideals

    def grouped(
        self, start: int, stop: int, ideals: Any, groups: IntArray
    ) -> tuple[FloatArray, FloatArray]:
        """The parts of draws ``start:stop`` by group, and the groups' bounds.

        ``groups`` (:func:`_groups`) names the alternatives of each group; ``ideals`` are
        those of the whole draws (from :meth:`parts`). The parts, ``(parts, m, draws,
        groups, size)``, are value by value the same numbers as :meth:`parts` (the same
        operations on the same values), laid out so that the members of a group in a
        draw are a contiguous row for each part and criterion.

        The bounds, ``(parts, m, draws, groups)``: per criterion the largest part of the
        members (TOPSIS: the smallest squared gap to the ideal and the largest to the
        anti-ideal). Each part is a non-decreasing function of the value (benefit) or a
        non-increasing one (cost), rounding included (each step, a subtraction, division
        by a positive or a negative number, power-of-two scaling or square of a number of
        known sign, rounds monotonically), so the parts of the largest value of a benefit
        criterion (the smallest of a cost one) are those extremes, bit for bit: one
        extreme of the values per group and criterion instead of one per part.
        """
        count, size = groups.shape
        x = np.take(self.x[start:stop], groups.ravel(), axis=1)  # (draws, count * size, m)
        d, m = x.shape[0], x.shape[2]
        # (m, draws, count, size), and per criterion the extreme value of each group
        xt = np.ascontiguousarray(x.reshape(d, count, size, m).transpose(3, 0, 1, 2))
        top = np.empty(xt.shape[:-1])
        for j in range(m):
            pick = np.maximum if self.benefit[j] else np.minimum
            tj = top[j]
            tj[...] = xt[j, ..., 0]
            for i in range(1, size):
                pick(tj, xt[j, ..., i], out=tj)
        return self._parts_of_values(xt, ideals), self._parts_of_values(top, ideals)

    def _parts_of_values(self, xt: FloatArray, ideals: Any) -> FloatArray:
        """Parts ``(parts, m, draws, ...)`` of values ``xt``, ``(m, draws, ...)``.

        From the ideals of those draws: the operations of :meth:`parts`, value by value.
        """
        ben = self.benefit
        ones = (None,) * (xt.ndim - 2)

        def per_draw(a: FloatArray) -> FloatArray:  # (draws, m) -> (m, draws, 1, ...)
            return np.asarray(a.T[(slice(None), slice(None), *ones)])

        out = np.empty((2 if self.topsis else 1, *xt.shape))
        if not self.topsis:
            lo, hi = ideals
            span = hi - lo
            divisor = np.where(span > 0, np.where(ben, span, -span), np.inf)
            v = out[0]
            np.subtract(xt, per_draw(np.where(ben, lo, hi)), out=v)
            v /= per_draw(divisor)
            v += 0.0
            return out
        exp, divisor, rmin, rmax = ideals
        r = xt if exp is None else np.ldexp(xt, -per_draw(exp[:, :, 0]))
        r = np.divide(r, per_draw(divisor))
        np.subtract(r, per_draw(np.where(ben, rmax, rmin)), out=out[0])
        np.subtract(r, per_draw(np.where(ben, rmin, rmax)), out=out[1])
        np.square(out, out=out)
        return out

    @staticmethod
    def _topsis_ideals(xt: FloatArray) -> Any:
        """Per draw: power-of-two exponents (or None), column norms, normalised extremes.

        As :func:`~frictionkit.scoring._kernels._topsis_normalised`, but a draw is rescaled
        (exactly, by powers of two) only when one of its own norms overflows or is tiny.
        """
        norm = np.sqrt(np.einsum("dmn,dmn->dm", xt, xt))
        bad = ~np.all((norm >= _TOPSIS_SMALL_NORM) & (norm < np.inf), axis=1)
        exp = None
        if bad.any():
            exp = np.zeros((*xt.shape[:2], 1), dtype=np.int64)
            _, exp[bad] = np.frexp(np.abs(xt[bad]).max(axis=2, keepdims=True))
            xs = np.ldexp(xt[bad], -exp[bad])
            norm[bad] = np.sqrt(np.einsum("dmn,dmn->dm", xs, xs))
        divisor = np.where(norm > 0, norm, 1.0)
        r = (xt if exp is None else np.ldexp(xt, -exp)) / divisor[:, :, None]
        return exp, divisor, r.min(axis=2), r.max(axis=2)

    def scores(self, parts: tuple[FloatArray, ...], w: FloatArray) -> FloatArray:
        """Scores ``(rows, n)`` for weights ``w`` (rows, m), one row per draw of ``parts``."""
        m = w.shape[1]
        if not self.topsis:
            return _weighted_sum((w[:, j, None], parts[0][:, j]) for j in range(m))
        w2 = w * w
        db2, dw2 = (_weighted_sum((w2[:, j, None], p[:, j]) for j in range(m)) for p in parts)
        return _closeness_of(db2, dw2)


def _blocks(total: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(total, start + size)) for start in range(0, total, size)]


def _acceptability(
    blocks: _Blocks, w_all: FloatArray, spans: list[tuple[int, int]], threads: int
) -> tuple[IntArray, IntArray, list[Any]]:
    """Rank counts ``(n, n)``, the first alternative of every draw, and each block's ideals.

    Blocks run on ``threads`` worker threads; their counts are added in block order.
    """
    n = blocks.x.shape[-2]

    def block(span: tuple[int, int]) -> tuple[IntArray, IntArray, Any]:
        start, stop = span
        parts, ideals = blocks.parts(start, stop)
        order_ = _order_kernel(blocks.scores(parts, w_all[start:stop]))
        del parts
        return _tally_kernel(order_, n), order_[:, 0].copy(), ideals

    counts = np.zeros((n, n), dtype=np.int64)
    firsts: list[IntArray] = []
    ideals: list[Any] = []
    for c, first, ideal in map_ordered(block, spans, threads=threads):
        counts += c
        firsts.append(first)
        ideals.append(ideal)
    return counts, np.concatenate(firsts), ideals


def _confidence(
    blocks: _Blocks,
    central_w: FloatArray,
    counts: IntArray,
    spans: list[tuple[int, int]],
    ideals: Sequence[Any],
    threads: int,
) -> FloatArray:
    """Confidence factors ``p_i^c`` (NaN where ``i`` is never first).

    The counts are those of scoring every candidate (an alternative ever first) at its
    central weights against every alternative of every draw (:func:`_confidence_reference`),
    block by block on ``threads`` worker threads; :func:`_block_confidence` gets there
    with a small part of those scores.
    """
    n = central_w.shape[0]
    conf = np.full(n, np.nan)
    cands = np.flatnonzero(~np.isnan(central_w[:, 0]))
    if cands.size == 0:
        return conf
    wc = central_w[cands]
    wp = wc * wc if blocks.topsis else wc  # the weights that multiply the parts
    m = wp.shape[1]
    if blocks.fixed is not None:
        sc = blocks.scores(blocks.fixed, wc)
        best = _order_kernel(sc)[:, 0]
        conf[cands] = (best == cands).astype(np.float64)
        return conf
    firsts = counts[:, 0]
    groups = _groups(blocks.x)
    # the place of each alternative in the groups (its first, where it is repeated)
    flat = groups.ravel()
    place = np.empty(n, dtype=np.int64)
    place[flat[::-1]] = np.arange(flat.size - 1, -1, -1)
    # rivals: the alternatives most often first (ties by input order), best first
    pool = np.argsort(-firsts, kind="stable")[: min(n, _RIVALS)]
    # the first draws, no more than a block's worth of (draw, candidate, rival) scores
    start, stop = spans[0]
    stop = min(stop, start + _LEARN_DRAWS, start + _BLOCK_VALUES // (cands.size * pool.size))
    stop = max(stop, start + 1)
    grouped, _ = blocks.grouped(start, stop, _draw_rows(ideals[0], 0, stop - start), groups)
    order = _rival_order(grouped, place[cands], place[pool], wp, blocks.topsis)

    step = max(1, _CHECK_VALUES // (n * m))  # draws checked at once

    def block(k: int) -> IntArray:
        start, stop = spans[k]
        hits = np.zeros(cands.size, dtype=np.int64)
        for lo in range(start, stop, step):
            hi = min(stop, lo + step)
            ideal = _draw_rows(ideals[k], lo - start, hi - start)
            grouped, extreme = blocks.grouped(lo, hi, ideal, groups)
            hits += _block_confidence(
                grouped, extreme, cands, place, wp, pool, order, blocks.topsis, groups
            )
        return hits

    hits = np.zeros(cands.size, dtype=np.int64)
    for h in map_ordered(block, range(len(spans)), threads=threads):
        hits += h
    conf[cands] = hits / blocks.x.shape[0]
    return conf


def _draw_rows(ideals: Any, lo: int, hi: int) -> Any:
    """The ideals (:meth:`_Blocks.parts`) of draws ``lo:hi`` of their block."""
    return tuple(None if a is None else a[lo:hi] for a in ideals)


def _columns(grouped: FloatArray, places: IntArray) -> FloatArray:
    """The parts ``(parts, m, draws, len(places))`` at ``places`` of the grouped parts."""
    g, i = np.divmod(places, grouped.shape[-1])
    return np.asarray(grouped[:, :, :, g, i])


def _own_scores(parts: FloatArray, wp: FloatArray, topsis: bool) -> FloatArray:
    """Scores ``(draws, c)`` of the columns ``parts`` (:func:`_columns`).

    Each column at its own weights, a row of ``wp`` ``(c, m)``.
    """
    m = wp.shape[1]
    own = [_weighted_sum((wp[:, j], p[j]) for j in range(m)) for p in parts]
    return _closeness_of(own[0], own[1]) if topsis else own[0]


def _beaten(riv: list[FloatArray], own: FloatArray, topsis: bool) -> BoolArray:
    """Where a rival's score (``riv``: sums of parts) is above ``own`` (certainly, TOPSIS)."""
    if not topsis:
        return np.asarray(riv[0] > own)
    # C_u > lead exactly when dw_u^2 > q^2 db_u^2, q = lead / (1 - lead)
    lead = own + _SCREEN_MARGIN
    with np.errstate(divide="ignore", invalid="ignore"):  # inf * 0: nan, not beaten
        q = np.where(lead < 1.0, lead / (1.0 - lead), np.inf)
        return np.asarray(riv[1] > q * q * riv[0])


def _rival_order(
    grouped: FloatArray, own: IntArray, pool: IntArray, wp: FloatArray, topsis: bool
) -> IntArray:
    """Per candidate, the rivals of ``pool`` (places) in the order it is screened against.

    From a few draws (``grouped``): first, one by one, the rival that beats the candidate
    in the most of those draws it is not yet beaten in (up to :data:`_GREEDY`), then the
    others in pool order. Any order gives the same counts; this one makes the screen
    short.
    """
    m = wp.shape[1]
    c_own = _own_scores(_columns(grouped, own), wp, topsis)  # (draws, c)
    pp = _columns(grouped, pool)
    riv = [_weighted_sum((wp[None, :, j, None], p[j][:, None, :]) for j in range(m)) for p in pp]
    beaten = _beaten(riv, c_own[:, :, None], topsis)  # (draws, c, pool)
    c_count, size = own.size, pool.size
    left = np.ones(c_own.shape, dtype=bool)
    taken = np.zeros((c_count, size), dtype=bool)
    rows = np.arange(c_count)
    picks: list[IntArray] = []
    for _ in range(min(_GREEDY, size)):
        gain = (beaten & left[:, :, None]).sum(axis=0)
        gain[taken] = -1
        best = gain.argmax(axis=1)
        picks.append(best)
        taken[rows, best] = True
        left &= ~beaten[:, rows, best]
    # the greedy picks in the order picked, then the others in pool order
    rest = np.argsort(taken, axis=1, kind="stable")[:, : size - len(picks)]
    return np.concatenate([np.stack(picks, axis=1), rest], axis=1) if picks else rest


def _groups(x: FloatArray) -> IntArray:
    """The groups of the check: ``(groups, size)`` alternatives close in criteria values.

    A k-d split of the alternatives by their mean values over the draws (each criterion
    scaled to its range): halves, cut at a multiple of :data:`_GROUP` along the criterion
    of widest range, split again until a part has at most :data:`_GROUP` alternatives.
    Alternatives alike in every criterion make tight group bounds. A short group is filled
    up by repeating its last alternative (a repeat has the same scores and the same
    position as its original, so it changes no decision). Any grouping gives the same
    counts; this one only makes the check cheap.
    """
    means = x.mean(axis=0)
    low, high = means.min(axis=0), means.max(axis=0)
    scaled = (means - low) / np.where(high > low, high - low, 1.0)
    size = max(1, _GROUP)
    out: list[IntArray] = []
    todo = [np.arange(means.shape[0])]
    while todo:
        idx = todo.pop()
        if idx.size <= size:
            out.append(np.concatenate([idx, np.full(size - idx.size, idx[-1])]))
            continue
        sub = scaled[idx]
        j = int(np.argmax(sub.max(axis=0) - sub.min(axis=0)))
        idx = idx[np.argsort(sub[:, j], kind="stable")]
        half = min(max(size, (idx.size // size + 1) // 2 * size), idx.size - 1)
        todo += [idx[half:], idx[:half]]
    return np.stack(out)


def _block_confidence(
    grouped: FloatArray,
    extreme: FloatArray,
    cands: IntArray,
    place: IntArray,
    wp: FloatArray,
    pool: IntArray,
    order: IntArray,
    topsis: bool,
    groups: IntArray,
) -> IntArray:
    """Draws of one block in which each candidate is first at its own weights ``wp``.

    ``grouped`` holds the parts by group, ``(parts, m, draws, groups, size)``, and
    ``extreme`` the groups' bounds, ``(parts, m, draws, groups)`` (:meth:`_Blocks.grouped`);
    ``place`` is where each alternative is in ``grouped`` (its first place, where it is
    repeated): the members of a group in a draw are one contiguous row per part and
    criterion, so gathering them for many candidate-draw pairs is one row gather
    (``np.take``), not one fancy index per criterion.

    1. Screen: each candidate against a few rivals (``pool``, the alternatives most often
       first, in the order ``order`` of :func:`_rival_order`), in stages
       (:data:`_RIVAL_STAGES`), each stage on the candidate-draw pairs left. A rival with
       a higher score (for TOPSIS, a closeness certainly higher, from squared distances:
       no square root; :func:`_beaten`) means the candidate is not first there.
    2. Check: the pairs left (those first, and a few close calls) against every
       alternative of their draw, group by group (``groups``, :func:`_groups`). Per draw,
       group and criterion the bound holds the largest part of the group's members (for
       TOPSIS the smallest squared gap to the ideal and the largest to the anti-ideal);
       the group's bound score, the same :func:`_weighted_sum` of those, is at least the
       score of every member (below). A group whose bound is below the candidate's score
       (for TOPSIS: certainly below, as :func:`_topsis_ahead` decides) has no member
       ahead of it; the others are scored exactly, and the pair counts when none of their
       members is ahead (a higher score, or an equal one listed first: as argmax and
       :func:`_topsis_ahead` decide on the whole row). The scores are the same numbers as
       in :func:`_confidence_reference`, so the counts are too.

    Why a bound is a bound, rounding included: every weight ``w_j`` is >= 0, and the
    rounded product ``fl(w x)`` is non-decreasing in ``x`` for ``w >= 0``, the rounded sum
    ``fl(a + b)`` is non-decreasing in ``a`` and in ``b`` (rounding to nearest is
    monotone), so ``_weighted_sum``, a chain of such steps in the same order, is
    non-decreasing in every part: from parts ``>=`` a member's, criterion by criterion,
    it gives a score ``>=`` the member's. TOPSIS: the bound gives ``db2_B <= db2_a`` and
    ``dw2_B >= dw2_a`` for every member ``a``; :func:`_topsis_ahead` counts ``a`` only
    where ``dw2_a >= fl(db2_a q^2)``, and ``fl(db2_a q^2) >= fl(db2_B q^2)`` (``q^2 >=
    0``), so ``dw2_B < fl(db2_B q^2)`` gives ``dw2_a < fl(db2_a q^2)`` for every member:
    none is counted, whether or not its group is scored.
    """
    c_count = cands.size
    n_parts, m, d, count, size = grouped.shape
    c_own = _own_scores(_columns(grouped, place[cands]), wp, topsis)  # (d, c)
    pool_parts = _columns(grouped, place[pool])  # (parts, m, draws, pool)
    alive = np.ones(c_own.shape, dtype=bool)
    lo = 0
    for hi in _RIVAL_STAGES:
        stage = order[:, lo:hi]
        lo = hi
        if stage.shape[1] == 0:
            break
        pd_, pc = np.nonzero(alive)
        if pd_.size == 0:
            break
        if pd_.size == alive.size:
            # every pair alive (the first stage): (draws, candidates, rivals)
            rp = pool_parts[..., stage]
            riv = [
                _weighted_sum((wp[None, :, j, None], p[j]) for j in range(m)).reshape(pd_.size, -1)
                for p in rp
            ]
        else:
            at = pd_[:, None] * pool.size + stage[pc]  # (pairs, rivals)
            rows = np.take(pool_parts.reshape(n_parts, m, -1), at, axis=2)
            w_pairs = wp[pc].T
            riv = [_weighted_sum((w_pairs[j, :, None], p[j]) for j in range(m)) for p in rows]
        beaten = _beaten(riv, c_own[pd_, pc][:, None], topsis).any(axis=1)
        alive[pd_[beaten], pc[beaten]] = False
    pd_, pc = np.nonzero(alive)
    hits = np.zeros(c_count, dtype=np.int64)
    if pd_.size == 0:
        return hits
    rows_of = grouped.reshape(n_parts, m, d * count, size)  # a row per (draw, group)
    for lo in range(0, pd_.size, _CHECK_PAIRS):
        dd, cc = pd_[lo : lo + _CHECK_PAIRS], pc[lo : lo + _CHECK_PAIRS]
        c_pair = c_own[dd, cc]
        w_pairs = wp[cc].T
        # (pairs, groups): each pair's bound score of every group of its draw
        b_rows = np.take(extreme, dd, axis=2)
        bound = [_weighted_sum((w_pairs[j, :, None], b[j]) for j in range(m)) for b in b_rows]
        if topsis:
            qq = _topsis_q2(c_pair)
            near = np.greater_equal(bound[1], np.multiply(bound[0], qq[:, None]))
        else:
            near = np.greater_equal(bound[0], c_pair[:, None])
        # (pair, group) with a bound that reaches the candidate: its members, exactly
        pi, gi = np.nonzero(near)
        at = dd[pi] * count + gi
        alt = groups[gi]  # (near groups, size)
        e_rows = np.take(rows_of, at, axis=2)  # (parts, m, near, size)
        w_near = w_pairs[:, pi]
        exact = [_weighted_sum((w_near[j, :, None], e[j]) for j in range(m)) for e in e_rows]
        mine = cands[cc[pi]][:, None]
        if topsis:
            ahead = _topsis_ahead(exact[0], exact[1], alt, qq[pi], c_pair[pi], mine)
        else:
            top = c_pair[pi][:, None]
            ahead = (exact[0] > top) | ((exact[0] == top) & (alt < mine))
        lost = np.zeros(dd.size, dtype=bool)
        lost[pi[ahead.any(axis=1)]] = True
        hits += np.bincount(cc[~lost], minlength=c_count)
    return hits


def _topsis_q2(c_own: FloatArray) -> FloatArray:
    """``q^2`` of the certificate of :func:`_topsis_ahead` for own closeness ``c_own``.

    With ``C_c`` the own closeness and ``q = (C_c - e) / (1 - C_c + e)``, ``e`` =
    :data:`_CLOSENESS_MARGIN`: where ``dw_a^2 < q^2 db_a^2``, ``C_a = dw_a / (db_a + dw_a)
    < C_c - e`` up to rounding far below ``e``, so ``a`` is below ``c`` whichever way both
    are rounded (two square roots and a division per alternative saved). No certificate
    (``q = 0``) where the own closeness is within ``e`` of 0.
    """
    lead = c_own - _CLOSENESS_MARGIN
    q = np.where(lead > 0, lead / (1.0 - lead), 0.0)
    return np.asarray(q * q, dtype=np.float64)


def _topsis_ahead(
    db2: FloatArray,
    dw2: FloatArray,
    alt: IntArray,
    qq: FloatArray,
    c_own: FloatArray,
    own: IntArray,
) -> BoolArray:
    """Where alternative ``alt`` (rows of squared distances) is ahead of the row's own.

    The closeness is computed only where ``dw2 >= fl(db2 q^2)`` (:func:`_topsis_q2`: the
    others are certainly below); ahead when higher than the own closeness, or equal and
    listed first (as argmax breaks ties).
    """
    near = np.flatnonzero(np.greater_equal(dw2, np.multiply(db2, qq[:, None])))
    row = near // db2.shape[1]
    c_near = _closeness(
        np.sqrt(np.maximum(db2.flat[near], 0.0)), np.sqrt(np.maximum(dw2.flat[near], 0.0))
    )
    c_row = c_own[row]
    ahead = np.zeros(db2.shape, dtype=bool)
    ahead.flat[near] = (c_near > c_row) | ((c_near == c_row) & (alt.flat[near] < own[row, 0]))
    return ahead


def _confidence_reference(
    blocks: _Blocks, central_w: FloatArray, spans: Sequence[tuple[int, int]]
) -> FloatArray:
    """Confidence factors, every candidate against every alternative of every draw.

    The straightforward computation that :func:`_confidence` reproduces (tests only).
    """
    n = central_w.shape[0]
    conf = np.full(n, np.nan)
    cands = np.flatnonzero(~np.isnan(central_w[:, 0]))
    if cands.size == 0:
        return conf
    wc = central_w[cands]
    wp = wc * wc if blocks.topsis else wc
    m = wc.shape[1]
    if blocks.fixed is not None:
        best = _order_kernel(blocks.scores(blocks.fixed, wc))[:, 0]
        conf[cands] = (best == cands).astype(np.float64)
        return conf
    hits = np.zeros(cands.size, dtype=np.int64)
    for start, stop in spans:
        parts, _ = blocks.parts(start, stop)
        for d in range(parts[0].shape[0]):
            # (c, n): each candidate's weights against every alternative of draw d
            sc = [
                _weighted_sum((wp[:, j, None], p[d, j][None, :]) for j in range(m)) for p in parts
            ]
            score = _closeness_of(sc[0], sc[1]) if blocks.topsis else sc[0]
            hits += score.argmax(axis=1) == cands  # argmax: ties to the one listed first
    conf[cands] = hits / spans[-1][1]
    return conf
