"""SMAA-2 (Lahdelma and Salminen, 2001): batched scoring kernels, ranking and tallies."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result
from frictionkit._resources import array_bytes, check_allocation
from frictionkit._validate import as_benefit as _as_benefit
from frictionkit.estimates import SeedLike, _rng
from frictionkit.exceptions import (
    InputTypeError,
    ValidationError,
)
from frictionkit.mcda import _as_matrix, _minmax_kernel
from frictionkit.scoring._kernels import (
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
    _CHUNK_ELEMENTS,
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

# Arrays of the size of one block of scores alive at once (scores, sort keys, order...).
_BLOCK_COPIES = 6
# Scores per matrix product of the confidence factors (2**15 float64 = 256 KiB).
_CONFIDENCE_SCORES = 2**15
# Rival alternatives each candidate is screened against before the full check.
_RIVALS = 32
# A rival this far ahead of a candidate's own score (a weighted sum relative to the total
# weight, a TOPSIS closeness absolute) beats it whichever way the two scores are rounded.
_SCREEN_MARGIN = 1e-9
# A TOPSIS closeness this far below a candidate's is below it however both are rounded.
_CLOSENESS_MARGIN = 1e-9
# Scores per stacked product of the full check of the candidates left (2 MiB).
_CHECK_SCORES = 2**18
# Rival scores per product of the screen (2**20 float64 = 8 MiB).
_SCREEN_SCORES = 2**20

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


def _draw_slice(ideals: Any, lo: int, hi: int) -> Any:
    """The ideals (nested tuples of per-draw arrays, or None) of draws ``lo:hi``."""
    if ideals is None:
        return None
    if isinstance(ideals, tuple):
        return tuple(_draw_slice(part, lo, hi) for part in ideals)
    return ideals[lo:hi]


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
    confidence : bool, default True
        Compute the confidence factors. With ``matrix_draws`` they are most of the work
        (each alternative that is ever first is scored again, at its central weights,
        against every alternative of every draw); ``False`` leaves
        ``SMAAResult.confidence`` NaN and changes nothing else.

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
    size = _chunk_rows(chunk, per_row) or max(1, _CHUNK_ELEMENTS // per_row)
    check_allocation(
        # the weight draws (and their sampling temporaries), the n x n tallies and
        # rank acceptabilities, and the temporaries of one block of scores
        (0 if fixed is not None else _WEIGHT_COPIES * array_bytes(total, m))
        + 3 * array_bytes(n, n)
        + _BLOCK_COPIES * array_bytes(min(size, total), per_row),
        what=f"smaa with {total:,} draws x {n:,} alternatives x {m:,} criteria",
        hint="Ask for fewer draws (10,000 give acceptabilities within about 0.01), "
        "or a smaller chunk",
    )
    if fixed is not None:
        w_all = np.broadcast_to(fixed, (total, m))
    else:
        w_all = _draw_weights(wkind, params, rng, total, crits)
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
    conf = _confidence(scorer, central_w, x, size, firsts) if confidence else np.full(n, np.nan)
    acc = pd.DataFrame(counts / total, index=alts, columns=pd.Index(range(1, n + 1), name="rank"))
    return SMAAResult(
        rank_acceptability=acc,
        central_weights=pd.DataFrame(central_w, index=alts, columns=crits),
        confidence=pd.Series(conf, index=alts, name="confidence"),
        method=kind_method,
        weights=wkind,
        draws=total,
    )


def _confidence(
    scorer: _Scorer, central_w: FloatArray, x: FloatArray, size: int, firsts: IntArray
) -> FloatArray:
    """Confidence factors ``p_i^c`` (NaN where ``i`` is never first).

    With matrix draws, in two stages that give the same counts as scoring every candidate
    against every alternative of every draw (:func:`_confidence_reference`):

    1. Screen: each candidate's own score (an einsum) against its scores for a few rival
       alternatives (the most often first in the acceptability pass; one matrix product
       per block). A rival ahead by more than :data:`_SCREEN_MARGIN` (far beyond the
       rounding difference of the two ways of computing a score) certainly beats the
       candidate: the candidate is not first in that draw, whatever the other scores.
    2. Check: the candidates left in a draw (those first there, and a few close calls)
       are scored against every alternative of that draw, with the same matrix product
       as the reference (BLAS gemm: each score is the same dot product whatever the
       shape of the product, which the property test checks), and counted when the best
       one (ties to the one listed first, as argmax) is the candidate itself; for
       TOPSIS from the few alternatives whose closeness may reach the candidate's
       (:func:`_topsis_first`).

    Measured at 1,000 alternatives x 5 criteria x 10,000 draws: about 220 (weighted sum)
    and 270 (TOPSIS) candidates, of which 11 and 18 per draw are first and 14 and 26 per
    draw are left after the screen, so the check scores about 1/15 of what the reference
    does.
    """
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
    topsis = scorer.method == "topsis"
    # rivals: the alternatives most often first (ties by input order), at most _RIVALS
    rivals = np.sort(np.argsort(-firsts, kind="stable")[: min(n, _RIVALS)])
    w2 = wc * wc
    wp = w2 if topsis else wc  # the weights that multiply the parts
    # a weighted sum scales with the weights' total, a TOPSIS closeness lies in [0, 1]
    margin = _SCREEN_MARGIN * (1.0 if topsis else max(1.0, float(np.abs(wc).sum(axis=1).max())))
    hits = np.zeros(cands.size, dtype=np.int64)
    # draws screened per product: the (c, sub * rivals) scores kept to about 8 MiB
    sub = max(1, _SCREEN_SCORES // (cands.size * rivals.size))
    for start in range(0, total, size):  # the blocks of the acceptability pass
        stop = min(total, start + size)
        xb, ideals, r = x[start:stop], scorer.ideals(start, stop), stop - start
        # stage 1: the candidates not certainly beaten by a rival, (c, r)
        screened = []
        for lo in range(0, r, sub):
            part = _draw_slice(ideals, lo, lo + sub)
            own = scorer.parts_of(xb[lo : lo + sub, cands], part)
            riv = scorer.parts_of(xb[lo : lo + sub, rivals], part)
            screened.append(_screen(own, riv, wp, margin, topsis))
        left = np.concatenate(screened, axis=1)
        # stage 2: the candidates left in each draw against every alternative, a few
        # draws per stacked product (one BLAS product per draw, scores kept in cache)
        per_draw = left.sum(axis=0)
        step = max(1, _CHECK_SCORES // (n * max(2, int(per_draw.max(initial=0)))))
        for lo in range(0, r, step):
            hi = min(r, lo + step)
            k = int(per_draw[lo:hi].max())
            if k == 0:
                continue
            # per draw, the candidates left first (then others, whose rows are ignored);
            # two rows at least, so that numpy calls the same BLAS product (gemm)
            rank = np.argsort(~left[:, lo:hi].T, axis=1, kind="stable")
            sel = rank[:, : max(2, k)] if cands.size > 1 else np.zeros((hi - lo, 2), np.int64)
            valid = np.arange(sel.shape[1]) < per_draw[lo:hi, None]
            parts = scorer.parts_of(xb[lo:hi], _draw_slice(ideals, lo, hi))
            full = [wp[sel] @ np.swapaxes(pp, 1, 2) for pp in parts]
            own_alt = cands[sel]
            if topsis:
                won = valid & _topsis_first(full[0], full[1], own_alt)
            else:
                won = valid & (full[0].argmax(axis=2) == own_alt)
            hits += np.bincount(sel[won], minlength=cands.size)
    conf[cands] = hits / total
    return conf


def _screen(
    own_parts: Sequence[FloatArray],
    riv_parts: Sequence[FloatArray],
    wp: FloatArray,
    margin: float,
    topsis: bool,
) -> BoolArray:
    """``(c, r)``: True where no rival certainly beats the candidate (see _confidence)."""
    r, u, m = riv_parts[0].shape
    own = [np.einsum("cm,dcm->cd", wp, p) for p in own_parts]
    riv = [wp @ p.reshape(r * u, m).T for p in riv_parts]
    lead = _combine(own, topsis) + margin  # (c, r)
    shape = (wp.shape[0], r, u)
    if topsis:
        # C_u > lead exactly when dw_u^2 > q^2 db_u^2, q = lead / (1 - lead): no square
        # root or division over the rivals' distances (as _topsis_first)
        with np.errstate(divide="ignore", invalid="ignore"):  # inf * 0: nan, not beaten
            q = np.where(lead < 1.0, lead / (1.0 - lead), np.inf)[:, :, None]
            dist = q * q * riv[0].reshape(shape)
            beaten = (riv[1].reshape(shape) > dist).any(axis=2)
    else:
        beaten = riv[0].reshape(shape).max(axis=2) > lead
    return ~np.asarray(beaten)


def _topsis_first(db2: FloatArray, dw2: FloatArray, own: IntArray) -> BoolArray:
    """Whether each row's own alternative is the argmax of its TOPSIS closeness row.

    ``db2``, ``dw2``: squared weighted distances ``(..., n)`` to the ideal and anti-ideal,
    one row per candidate; ``own[...]``: the alternative each row is about. The answer is
    that of ``_closeness(sqrt(db2), sqrt(dw2)).argmax(-1) == own`` (ties to the one listed
    first), with the closeness computed only where it may reach the own: with ``C_c`` the
    own closeness and ``q = (C_c - e) / (1 - C_c + e)``, ``e`` = :data:`_CLOSENESS_MARGIN`,
    where ``dw_a^2 < q^2 db_a^2``, ``C_a = dw_a / (db_a + dw_a) < C_c - e`` up to rounding
    far below ``e``: ``a`` is below ``c`` whichever way both are rounded (two square roots
    and a division per alternative saved, the dear part).
    """
    n = db2.shape[-1]
    own_b = np.take_along_axis(db2, own[..., None], axis=-1)[..., 0]
    own_w = np.take_along_axis(dw2, own[..., None], axis=-1)[..., 0]
    c_own = _closeness(np.sqrt(np.maximum(own_b, 0.0)), np.sqrt(np.maximum(own_w, 0.0)))
    lead = c_own - _CLOSENESS_MARGIN
    # no certificate (q = 0) where the own closeness is within e of 0
    q = np.where(lead > 0, lead / (1.0 - lead), 0.0)
    bound = np.multiply(db2, (q * q)[..., None])
    # distances are finite, so no NaN: >= is "not certainly below"
    near = np.flatnonzero(np.greater_equal(dw2, bound))
    row, alt = np.divmod(near, n)
    c_near = _closeness(
        np.sqrt(np.maximum(db2.flat[near], 0.0)), np.sqrt(np.maximum(dw2.flat[near], 0.0))
    )
    c_row, own_row = c_own.ravel()[row], own.ravel()[row]
    ahead = (c_near > c_row) | ((c_near == c_row) & (alt < own_row))
    first = np.ones(own.shape, dtype=bool)
    first.flat[row[ahead]] = False
    return first


def _combine(parts: Sequence[FloatArray], topsis: bool) -> FloatArray:
    """Scores from the weighted parts: the sum itself, or TOPSIS closeness."""
    if not topsis:
        return parts[0]
    d_best = np.sqrt(np.maximum(parts[0], 0.0))
    d_worst = np.sqrt(np.maximum(parts[1], 0.0))
    return _closeness(d_best, d_worst)


def _confidence_reference(scorer: _Scorer, central_w: FloatArray, x: FloatArray) -> FloatArray:
    """Confidence factors, every candidate against every alternative of every draw.

    The straightforward computation that :func:`_confidence` reproduces (tests only).
    """
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
    # One matrix product per block: the c central weight vectors against every
    # alternative of every draw of the block, (c, m) @ (m, rows * n); then the best
    # alternative per candidate and draw (ties to the one listed first, as argmax).
    rows = max(1, _CHUNK_ELEMENTS // (n * x.shape[2]))  # draws normalised at once
    # draws scored per product: the (c, sub * n) scores kept to about 256 KiB, so that
    # the product writes them to cache and argmax reads them there (the speed of this
    # step is the memory traffic of the scores, not the arithmetic)
    sub = max(1, _CONFIDENCE_SCORES // (cands.size * n))
    w2 = wc * wc
    for start in range(0, total, rows):
        xc = x[start : start + rows]
        if scorer.method == "weighted_sum":
            parts: tuple[FloatArray, ...] = (_minmax_batch_kernel(xc, scorer.benefit),)
        else:
            parts = _topsis_batch_parts(xc, scorer.benefit)
        for lo in range(0, xc.shape[0], sub):
            r = min(sub, xc.shape[0] - lo)
            flat = [p[lo : lo + r].reshape(r * n, -1).T for p in parts]
            if scorer.method == "weighted_sum":
                sc = wc @ flat[0]
            else:
                d_best = np.sqrt(np.maximum(w2 @ flat[0], 0.0))
                d_worst = np.sqrt(np.maximum(w2 @ flat[1], 0.0))
                sc = _closeness(d_best, d_worst)
            best = sc.reshape(cands.size, r, n).argmax(axis=2)
            hits += np.count_nonzero(best == cands[:, None], axis=1)
    conf[cands] = hits / total
    return conf
