"""Rank risk: how likely each improvement is to land at each rank when its estimates are guesses."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd

from frictionkit import scoring
from frictionkit._compat import require
from frictionkit._protocol import Result
from frictionkit._resources import array_bytes, check_allocation
from frictionkit._threads import map_ordered, thread_count
from frictionkit.estimates import SeedLike, _rng
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model import Improvement, Journey
from frictionkit.scoring._methods import lookup
from frictionkit.scoring._prioritise import _known_only
from frictionkit.scoring._ranking import (
    FILL_IN,
    IMPACT_MISSING,
    MAJOR_PROJECT,
    QUADRANTS,
    QUICK_WIN,
    THANKLESS,
    Ranking,
)
from frictionkit.uncertainty._common import (
    _CHUNK_ELEMENTS,
    BoolArray,
    FloatArray,
    IntArray,
    _count,
)
from frictionkit.uncertainty._rank_inputs import (
    _COST,
    _EFFORT,
    _F,
    _IMPACT,
    _SHARE,
    FIELDS,
    _impact,
    _Problem,
    _problem,
    _rank_order,
    _score,
    _split_values,
)
from frictionkit.uncertainty._sampling import _STREAM_ROWS, _VectorDraws
from frictionkit.uncertainty._voi import _evppi_kernel, _top_k_sum

__all__ = ["RankRisk", "rank_risk"]

#: Rank percentiles reported by :meth:`RankRisk.to_frame`.
PERCENTILES: tuple[int, ...] = (5, 50, 95)

#: Shortlist size when ``k`` is not given.
DEFAULT_K = 3

# Temporaries per block: about this many (rows x n) float arrays are alive at once.
_ARRAYS_PER_BLOCK = 16
_SEED_MAX = 2**63 - 1


@attrs.define
class _Block:
    start: int
    impact: FloatArray
    effort: FloatArray
    cost: FloatArray
    score: FloatArray
    fields: list[FloatArray]  # one (rows, n) array per entry of FIELDS
    values: FloatArray


def _block_rows(n: int, m: int) -> int:
    """Draws per memory block: at most a stream block, fewer for many improvements."""
    return max(1, min(_STREAM_ROWS, _CHUNK_ELEMENTS // (max(n, 1) * (_ARRAYS_PER_BLOCK + m))))


def _stream_blocks(draws: int) -> int:
    return -(-draws // _STREAM_ROWS)


@attrs.define
class _Samplers:
    """The samplers of one run: one per field, one for the pain points, the replicate index."""

    fields: list[_VectorDraws]
    pain_points: _VectorDraws | None
    index: IntArray | None  # replicate of the value draws used in each draw


def _samplers(p: _Problem, draws: int) -> _Samplers:
    n, npp = p.n, len(p.pain_points)
    head = p.cells[: n * _F]
    fields = [_VectorDraws(head[f::_F], (p.seeds[0], f)) for f in range(_F)]
    pp = _VectorDraws(p.cells[n * _F :], (p.seeds[0], _F)) if npp else None
    index: IntArray | None = None
    if p.pp_draws:
        size = next(iter(p.pp_draws.values())).size
        if size == draws:
            index = np.arange(draws, dtype=np.int64)
        else:  # resample the replicates jointly (keeps their correlation)
            index = np.random.default_rng(p.seeds[1]).integers(0, size, size=draws)
    return _Samplers(fields, pp, index)


def _scored_blocks(p: _Problem, s: _Samplers, number: int, draws: int) -> Iterator[_Block]:
    """The memory blocks of stream block ``number``, in draw order.

    The draws are those of the stream block whatever the memory block size is (each
    stream is consumed in draw order), so a block can be scored on any thread.
    """
    rows = _block_rows(p.n, _F + len(p.criteria))
    first = number * _STREAM_ROWS
    stop = min(draws, first + _STREAM_ROWS)
    streams = [v.streams(number) for v in s.fields]
    pp = None if s.pain_points is None else s.pain_points.streams(number)
    for start in range(first, stop, rows):
        r = min(rows, stop - start)
        fields = [f.block(r) for f in streams]
        values = np.zeros((r, 0)) if pp is None else pp.block(r)
        if s.index is not None:
            values = np.array(values)
            for j, arr in p.pp_draws.items():
                values[:, j] = arr[s.index[start : start + r]]
        impact = _impact(p, fields, values)
        score = _score(p, fields, impact)
        yield _Block(start, impact, fields[_EFFORT], fields[_COST], score, fields, values)


def _iter_scored(p: _Problem, draws: int) -> Iterator[_Block]:
    """Every memory block of the run, in draw order, on this thread."""
    s = _samplers(p, draws)
    for number in range(_stream_blocks(draws)):
        yield from _scored_blocks(p, s, number, draws)


def _add_rows(acc: FloatArray, x: FloatArray, *, square: bool = False) -> FloatArray:
    """``acc + x[0] + x[1] + ...`` (of ``x ** 2`` with ``square``), added row by row in order.

    The sum of a stream block is then the same however its rows are split into memory
    blocks. With ``acc`` as the first row of a C-ordered buffer, numpy's sum over axis 0
    adds the rows one after the other into the running row (a property test pins it);
    a single column would be summed pairwise, so it is accumulated instead.
    """
    buf = np.empty((x.shape[0] + 1, x.shape[1]))
    buf[0] = acc
    if square:
        np.square(x, out=buf[1:])
    else:
        buf[1:] = x
    if x.shape[1] == 1:
        return np.array(np.add.accumulate(buf[:, 0])[-1:], dtype=np.float64)
    return np.asarray(buf.sum(axis=0), dtype=np.float64)


class _RankCounts:
    """Rank tallies ``counts[i * n + r]``, one array per worker thread.

    The counts are integers, so their total does not depend on which thread counted
    which draws.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.cols = np.arange(n, dtype=np.int64)
        self._lock = threading.Lock()
        self._by_thread: dict[int, IntArray] = {}

    def add(self, order: IntArray) -> None:
        """Count ``order[d, r] = i`` (improvement ``i`` at rank ``r + 1`` in draw ``d``).

        ``order`` is overwritten.
        """
        key = threading.get_ident()
        counts = self._by_thread.get(key)
        if counts is None:
            with self._lock:
                counts = self._by_thread.setdefault(key, np.zeros(self.n * self.n, np.int64))
        # in place: the index of each cell, counts[i * n + r]; no n x n temporary
        order *= self.n
        order += self.cols
        np.add.at(counts, order.ravel(), 1)

    def total(self) -> IntArray:
        """The counts of every thread added, ``(n, n)``."""
        arrays = list(self._by_thread.values())
        if not arrays:
            return np.zeros((self.n, self.n), dtype=np.int64)
        out = arrays[0]
        for counts in arrays[1:]:
            out += counts
        return out.reshape(self.n, self.n)


@attrs.define
class _Tally:
    """The tallies of one stream block, but the rank counts (see :class:`_RankCounts`)."""

    rows: int
    quad: IntArray  # (n, 5): the four quadrants, then "impact missing"
    s1: FloatArray  # sum of the scores
    s2: FloatArray  # sum of their squares


def _quadrants(p: _Problem, blk: _Block, no_impact: BoolArray) -> IntArray:
    """Draws of the block in each quadrant, then "impact missing", per improvement."""
    n, rows = p.n, blk.impact.shape[0]
    t_imp = (
        np.full(rows, p.fixed_impact) if p.fixed_impact is not None else _row_medians(blk.impact)
    )
    t_eff = (
        np.full(rows, p.fixed_effort) if p.fixed_effort is not None else _row_medians(blk.effort)
    )
    # strict thresholds and a positive impact, as Ranking's quadrants; the quadrant of
    # each cell as 2 * low impact + hard, tallied per improvement in one bincount
    high = (blk.impact > t_imp[:, None]) & (blk.impact > 0)
    easy = blk.effort < t_eff[:, None]
    code = np.invert(high, out=high).view(np.int8) * np.int8(2)
    code += np.invert(easy, out=easy).view(np.int8)
    cols = np.arange(n, dtype=np.int64)
    tally = np.bincount((code.astype(np.int64) * n + cols).ravel(), minlength=4 * n)
    quad = np.zeros((n, 5), dtype=np.int64)
    quad[:, :4] = np.where(no_impact[:, None], 0, tally.reshape(4, n).T)
    quad[:, 4] = np.where(no_impact, rows, 0)
    return quad


def _tally_block(p: _Problem, s: _Samplers, number: int, draws: int, ranks: _RankCounts) -> _Tally:
    """Score, rank and tally stream block ``number`` (on a worker thread)."""
    n = p.n
    no_impact = ~p.declared & ~p.evidence
    out = _Tally(0, np.zeros((n, 5), dtype=np.int64), np.zeros(n), np.zeros(n))
    for blk in _scored_blocks(p, s, number, draws):
        ranks.add(_rank_order(blk.score, blk.cost, blk.effort))
        out.rows += blk.score.shape[0]
        out.s1 = _add_rows(out.s1, blk.score)
        out.s2 = _add_rows(out.s2, blk.score, square=True)
        out.quad += _quadrants(p, blk, no_impact)
    return out


# ---------------------------------------------------------------------------------------
# the result


def _row_medians(a: FloatArray) -> FloatArray:
    """``np.median(a, axis=1)`` bit for bit (finite values), with one partition per row.

    For an even row length ``2h`` the median is ``(lower + upper) / 2`` of the ``h``-th
    and ``h + 1``-th smallest values, as numpy computes it (the mean of the two); the
    ``h``-th is the largest value left of the partition point.
    """
    n = a.shape[1]
    h = n // 2
    part = np.partition(a, h, axis=1)
    upper = part[:, h]
    if n % 2:
        return np.asarray(upper, dtype=np.float64)
    lower = part[:, :h].max(axis=1)
    return np.asarray((lower + upper) / 2.0, dtype=np.float64)


def _percentile_ranks(cum: IntArray, draws: int, q: float) -> IntArray:
    """Smallest rank ``r`` with ``P(rank <= r) >= q`` (inverted empirical CDF).

    ``cum`` holds the rank counts summed along each row (``np.cumsum(counts, axis=1)``).
    """
    need = math.ceil(q * draws - 1e-9)
    return np.asarray((cum >= max(need, 1)).argmax(axis=1) + 1, dtype=np.int64)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class RankRisk(Result):
    """How likely each improvement is to land at each rank: the outcome of :func:`rank_risk`.

    Attributes
    ----------
    method : str
        The scoring method (one of :data:`frictionkit.scoring.METHODS`).
    draws : int
        Number of Monte Carlo draws.
    k : int
        Size of the shortlist for ``p_top_k`` and :meth:`check_first`.
    ranking : Ranking
        The deterministic ranking with every estimate at its mean (what
        :func:`~frictionkit.scoring.prioritise` returns).
    rank_acceptability : pandas.DataFrame
        ``P(rank = r)``: one row per improvement (by id, in the order of ``ranking``), one
        column per rank (1 = best). Rows and columns sum to 1.
    quadrant_probabilities : pandas.DataFrame
        Share of draws in each quadrant (``"quick win"``, ``"major project"``,
        ``"fill-in"``, ``"thankless"``; thresholds strict, as in a Ranking), with the
        thresholds recomputed per draw (medians, unless ``quadrant_thresholds`` fixes
        them), and ``"impact missing"`` (1 for an improvement without any impact). Rows
        sum to 1.
    """

    method: str
    draws: int
    k: int
    ranking: Ranking
    rank_acceptability: pd.DataFrame
    quadrant_probabilities: pd.DataFrame
    _summary: pd.DataFrame = attrs.field(alias="summary")
    _problem: _Problem = attrs.field(alias="problem")

    _charts: ClassVar[Mapping[str, str]] = {
        "rank_risk": "rank_risk",
        "rank_acceptability": "rank_acceptability",
    }

    def p_top_k(self, k: int | None = None) -> pd.Series:
        """Probability that each improvement ranks in the top ``k``.

        Parameters
        ----------
        k : int, optional
            ``1 <= k <= n``; default the ``k`` given to :func:`rank_risk`.

        Returns
        -------
        pandas.Series
            Indexed by improvement id, named ``p_top_<k>``.

        Examples
        --------
        >>> import frictionkit as fk
        >>> risk = rank_risk(fk.datasets.load_autoparts(), "cd3", draws=2000, seed=1)
        >>> risk.p_top_k(1).round(2).head(2).to_dict()
        {'callback_sla': 0.95, 'guided_selling': 0.05}
        """
        kk = self.k if k is None else _k_of(k, self._problem.n)
        out = self.rank_acceptability.iloc[:, :kk].sum(axis=1)
        return out.rename(f"p_top_{kk}")

    def to_frame(self) -> pd.DataFrame:
        """One row per improvement, in the order of the deterministic ranking.

        Columns: ``id``, ``title``, ``owner``, ``rank`` and ``score`` (every estimate at its
        mean, as :func:`~frictionkit.scoring.prioritise`), ``expected_score`` and
        ``score_std`` over the draws, ``expected_rank``, ``p_first``, ``p_top_<k>``,
        ``p_quick_win`` (share of draws in the ``"quick win"`` quadrant) and the rank
        percentiles ``rank_p5``, ``rank_p50``, ``rank_p95`` (smallest rank ``r`` with
        ``P(rank <= r) >= q``).

        Examples
        --------
        >>> import frictionkit as fk
        >>> risk = rank_risk(fk.datasets.load_autoparts(), draws=2000, seed=1)
        >>> list(risk.to_frame().columns)  # doctest: +NORMALIZE_WHITESPACE
        ['id', 'title', 'owner', 'rank', 'score', 'expected_score', 'score_std',
         'expected_rank', 'p_first', 'p_top_3', 'p_quick_win', 'rank_p5', 'rank_p50',
         'rank_p95']
        """
        return self._summary.copy()

    def check_first(self, *, k: int | None = None, bins: int = 20) -> pd.DataFrame:
        """Which estimates to check first: EVPPI of each uncertain input on the top-k choice.

        The decision is the top-``k`` set chosen before the true values are known; its value
        in a draw is the sum of its members' scores in that draw (as
        :func:`value_of_information`). For each uncertain input (one estimate of one
        improvement, or the value at stake of one pain point given as an estimate or as
        draws) the expected value of partial perfect information is estimated with the
        same binned estimator and bias floor as :func:`value_of_information`, on the same
        draws as the result (they are drawn again from the stored seed). Inputs that do not
        enter the score of ``method`` (e.g. confidence for value per cost, the declared
        impact when evidence sets it) are left out.

        Memory: about ``draws x (3 n + uncertain inputs)`` floats; beyond the memory
        budget (:func:`frictionkit.set_options`) a ``MemoryBudgetError`` is raised.

        Parameters
        ----------
        k : int, optional
            Size of the chosen set; default the ``k`` of :func:`rank_risk`.
        bins : int, default 20
            Equal-count bins for the conditioning.

        Returns
        -------
        pandas.DataFrame
            Best to check first: ``id`` (improvement, or pain point when ``field`` is
            ``"value_at_stake"``), ``field``, ``evppi``, ``evppi_net``, ``share_of_evpi``;
            ``attrs`` holds ``evpi``, ``bias_floor`` and ``bins``. Values are in units of
            the method's score.

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit import Estimate
        >>> at_stake = {"faulty_batch_calls": Estimate.three_point(100_000, 250_000, 600_000)}
        >>> risk = rank_risk(fk.datasets.load_autoparts(), value_at_stake=at_stake,
        ...                  draws=2000, seed=1)
        >>> first = risk.check_first()
        >>> first.loc[first["evppi"] > 0, ["id", "field"]].to_dict("records")
        [{'id': 'faulty_batch_calls', 'field': 'value_at_stake'}]
        """
        p = self._problem
        kk = self.k if k is None else _k_of(k, p.n)
        nb = min(_count(bins, "bins"), self.draws)
        used = _used_inputs(p)
        check_allocation(
            # scores and keys for every draw, plus the sorted copy and the top-k partition
            array_bytes(self.draws, 3 * p.n + len(used) + 2),
            what=f"check_first with {self.draws:,} draws x {p.n:,} improvements x "
            f"{len(used):,} uncertain inputs",
            hint="Run rank_risk with fewer draws before check_first",
        )
        scores = np.empty((self.draws, p.n))
        keys = np.empty((self.draws, len(used)))
        for blk in _iter_scored(p, self.draws):
            stop = blk.start + blk.score.shape[0]
            scores[blk.start : stop] = blk.score
            for c, (kind, a, b) in enumerate(used):
                keys[blk.start : stop, c] = blk.fields[b][:, a] if kind == "i" else blk.values[:, a]
        varies = keys.max(axis=0) > keys.min(axis=0) if len(used) else np.zeros(0, dtype=bool)
        d = self.draws
        base = _top_k_sum(scores.mean(axis=0)[None, :], kk)[0]
        evpi = float(_top_k_sum(scores, kk).mean() - base)
        floor = _evppi_kernel(scores, (np.arange(d) % nb).astype(np.float64), kk, nb)
        chosen = [c for c in range(len(used)) if varies[c]]
        values = np.array([_evppi_kernel(scores, keys[:, c], kk, nb) for c in chosen])
        # rounding noise of the bin sums (about 1e-16 of the scores) counts as 0
        noise = 1e-12 * max(float(np.abs(scores).max()), 1e-300)
        if values.size:
            values = np.where(values > noise, values, 0.0)
            floor = floor if floor > noise else 0.0
        net = np.maximum(values - floor, 0.0) if values.size else values
        ids = [
            p.ids[used[c][1]] if used[c][0] == "i" else p.pain_points[used[c][1]] for c in chosen
        ]
        fields = [FIELDS[used[c][2]] if used[c][0] == "i" else "value_at_stake" for c in chosen]
        out = pd.DataFrame(
            {
                "id": pd.Series(ids, dtype=object),
                "field": pd.Series(fields, dtype=object),
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

    def _repr_body(self) -> str:
        return (
            f"method={self.method!r}, draws={self.draws}, "
            f"improvements={self._problem.n}, k={self.k}"
        )

    def _repr_frame(self) -> pd.DataFrame:
        return self._summary


def _used_inputs(p: _Problem) -> list[tuple[str, int, int]]:
    """Inputs that enter the score: ("i", improvement, field) or ("p", pain point, 0)."""
    if scoring.SCORING[p.method].mcda:
        fields = {s for s in p.sources if isinstance(s, int)}
    else:  # what the method reads, as its entry in frictionkit.scoring.SCORING declares
        fields = set(p.reads)
    out: list[tuple[str, int, int]] = []
    for i in range(p.n):
        for f in sorted(fields):
            if f == _IMPACT:
                if p.evidence[i]:
                    out.append(("i", i, _SHARE))
                elif p.declared[i]:
                    out.append(("i", i, _IMPACT))
            else:
                out.append(("i", i, f))
    if _IMPACT in fields:
        out.extend(("p", j, 0) for j in range(len(p.pain_points)))
    return out


# ---------------------------------------------------------------------------------------
# public function


def _k_of(value: Any, n: int) -> int:
    k = _count(value, "k")
    if k > n:
        raise ValidationError(
            f"k must be <= the number of improvements ({n}), got {k}",
            field="k",
            value=value,
            hint=f"Use k between 1 and {n}",
        )
    return k


def rank_risk(
    journey_or_improvements: Journey | pd.DataFrame | Iterable[Improvement],
    method: str = "value_per_cost",
    *,
    draws: int = 10_000,
    seed: SeedLike = None,
    k: int | None = None,
    weights: Mapping[str, float] | Sequence[float] | pd.Series | None = None,
    value_at_stake: Mapping[str, Any] | pd.Series | pd.DataFrame | None = None,
    progress: bool = False,
    threads: int | None = None,
    **prioritise_kwargs: Any,
) -> RankRisk:
    """Rank improvements under uncertain estimates: rank probabilities, top-k, quick wins.

    Every :class:`~frictionkit.Estimate` of the improvements (``impact``,
    ``effort_days``, ``cost``, ``confidence``, ``fix_share``) is sampled ``draws`` times
    (:func:`sample_estimates`: ranges uniform, three-point PERT or triangular, T-shirt
    sizes PERT; plain numbers are constants). Each draw is scored with the same
    definitions as :func:`~frictionkit.scoring.prioritise` (impact from evidence or
    declared, per-draw normalisation for the MCDA methods, ICE's per-draw maximum
    impact and minimum effort), vectorised over the draws, and ranked with the same tie
    rule (scores within ``1e-9`` relative tie; then lower cost, lower effort, listed
    first). Quadrants use per-draw median thresholds (unless ``quadrant_thresholds``
    fixes them), with a value equal to a threshold on the favourable side. With every
    estimate a point, the result is the deterministic ranking with probability 1.

    **Evidence uncertainty.** With ``evidence=log`` (passed to ``prioritise``, with
    ``value_per_success=``, ``per=``), the value at stake of each pain point is sampled
    from its bootstrap draws (:attr:`Ranking.value_draws`). ``value_at_stake`` maps a
    pain point id to money per year at stake: a number, an
    :class:`~frictionkit.Estimate`, or a 1-d array of draws (for example bootstrap
    draws of a Markov repair effect times the value of a success). An
    improvement that fixes pain points with a value gets ``impact = sum(values) x
    fix_share`` in each draw. Arrays of draws must share one length ``L`` (one replicate
    per position, so the correlation between pain points is kept): with ``L == draws``
    they are used in order, otherwise replicates are resampled jointly (with
    replacement, from ``seed``).

    Memory is bounded: draws are processed in blocks of about 16 MB, one per worker
    thread. Blocks of 1,024 draws take their random numbers from streams of their own,
    so the result is the same bit for bit whatever ``threads`` is.

    Parameters
    ----------
    journey_or_improvements : Journey, DataFrame or list of Improvement
        As for :func:`~frictionkit.scoring.prioritise`. In a table, a cell may hold an
        :class:`~frictionkit.Estimate`, and a ``<column>_estimate`` column (as written
        by ``Journey.to_frames``) holds estimate text such as ``"2..4..12"``.
    method : str, default "value_per_cost"
        One of :data:`frictionkit.scoring.METHODS`.
    draws : int, default 10000
        Number of Monte Carlo draws, ``>= 1``.
    seed : int or numpy.random.Generator, optional
        Same seed, same result bit for bit.
    k : int, optional
        Size of the shortlist for ``p_top_<k>`` and :meth:`RankRisk.check_first`,
        ``1 <= k <= n``; default 3 (or ``n`` when there are fewer improvements).
    weights : mapping, sequence or Series, optional
        MCDA methods: fixed criterion weights, as for ``prioritise``.
    value_at_stake : mapping or Series, optional
        Pain point id -> number, Estimate, or array of draws (see above); a DataFrame
        with columns ``pain_point`` and ``value_at_stake`` holds numbers.
    progress : bool, default False
        Show a progress bar (needs ``tqdm``: ``pip install 'frictionkit[progress]'``).
    threads : int, optional
        Worker threads for the draw blocks; None uses the available cores (or
        ``FRICTIONKIT_THREADS``). Results are the same for any value.
    **prioritise_kwargs
        Further arguments of ``prioritise`` (``criteria``, ``*_col`` names,
        ``ice_variant``, ``vikor_v``, ``default_confidence``, ``quadrant_thresholds``, ...).

    Returns
    -------
    RankRisk

    Raises
    ------
    ValidationError
        ``draws < 1``, ``k`` larger than the number of improvements, a divisor whose
        estimate can be 0, value draws of different lengths, ``threads`` not a positive
        integer.
    InputTypeError
        A seed that is not an int, a Generator or None; ``draws``/``k`` not whole numbers.
    UnknownReferenceError
        Unknown method (with a suggestion), column, criterion or pain point.
    MemoryBudgetError
        The ``n x n`` rank tallies, or the per-draw index into arrays of value draws,
        would exceed the memory budget (:func:`frictionkit.set_options`).

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit import Estimate
    >>> at_stake = {"faulty_batch_calls": Estimate.three_point(100_000, 250_000, 600_000)}
    >>> risk = rank_risk(fk.datasets.load_autoparts(), value_at_stake=at_stake,
    ...                  draws=2000, seed=1)
    >>> risk
    RankRisk(method='value_per_cost', draws=2000, improvements=12, k=3)
    >>> t = risk.to_frame().set_index("id")
    >>> t.loc[["guided_selling", "callback_sla", "cad_library"],
    ...       ["rank", "p_top_3", "p_quick_win"]].round(2)
                    rank  p_top_3  p_quick_win
    id
    guided_selling     2     1.00         1.00
    callback_sla       3     0.94         0.99
    cad_library        4     0.06         0.01
    """
    if lookup(method) is None:
        raise UnknownReferenceError(
            f"unknown method {method!r}; choose one of {list(scoring.SCORING)}"
            + did_you_mean(method, list(scoring.SCORING)),
            field="method",
            value=method,
        )
    total = _count(draws, "draws")
    if k is not None:
        _count(k, "k")
    if not isinstance(progress, (bool, np.bool_)):
        raise InputTypeError(
            f"progress must be True or False, got {progress!r}", field="progress", value=progress
        )
    workers = thread_count(threads)
    rng = _rng(seed)
    if progress:
        require("tqdm", extra="progress", feature="rank_risk(progress=True)")
    means, cells_vs = _split_values(value_at_stake)
    if isinstance(journey_or_improvements, Journey) and isinstance(means, dict):
        # the table of derive_pain_points as it comes: proposed ids the journey lacks
        means = _known_only(means, value_at_stake, journey_or_improvements)
        cells_vs = {k: v for k, v in cells_vs.items() if k in means}
    ranking = scoring.prioritise(
        journey_or_improvements,
        method,
        weights,
        value_at_stake=means,
        **prioritise_kwargs,
    )
    if ranking.value_draws:  # evidence=: sample the value at stake from its bootstrap
        cells_vs = {**ranking.value_draws, **cells_vs}
    n = len(ranking)
    kk = min(DEFAULT_K, n) if k is None else _k_of(k, n)
    seeds = (int(rng.integers(0, _SEED_MAX)), int(rng.integers(0, _SEED_MAX)))
    p = _problem(journey_or_improvements, ranking, cells_vs, means, seeds)
    blocks = _stream_blocks(total)
    workers = min(workers, blocks)
    check_allocation(
        # n x n rank tallies (and their copies in the result) plus one per worker thread,
        # the replicate index of value draws, and the block temporaries of each worker
        (4 + workers) * array_bytes(n, n)
        + (array_bytes(total) if p.pp_draws else 0)
        + workers
        * array_bytes(max(_CHUNK_ELEMENTS, n * (_ARRAYS_PER_BLOCK + _F + len(p.criteria)))),
        what=f"rank_risk with {total:,} draws x {n:,} improvements",
        hint="Ask for fewer draws (10,000 give rank probabilities within about 0.01)",
    )
    samplers = _samplers(p, total)
    ranks = _RankCounts(n)
    quad = np.zeros((n, 5), dtype=np.int64)  # the four quadrants, then "impact missing"
    s1, s2 = np.zeros(n), np.zeros(n)
    bar = None
    if progress:
        tqdm = require("tqdm", extra="progress", feature="rank_risk(progress=True)")
        bar = tqdm.tqdm(total=total, unit="draw", desc="rank_risk")
    try:
        # stream blocks on worker threads; their tallies added here in block order
        for part in map_ordered(
            lambda number: _tally_block(p, samplers, number, total, ranks),
            range(blocks),
            threads=workers,
        ):
            quad += part.quad
            s1 += part.s1
            s2 += part.s2
            if bar is not None:
                bar.update(part.rows)
    finally:
        if bar is not None:
            bar.close()
    return _result(p, ranking, ranks.total(), quad, s1, s2, total, kk)


def _result(
    p: _Problem,
    ranking: Ranking,
    counts: IntArray,
    quad: IntArray,
    s1: FloatArray,
    s2: FloatArray,
    total: int,
    k: int,
) -> RankRisk:
    n = p.n
    table = ranking.table
    at = {i: pos for pos, i in enumerate(p.ids)}
    rows = np.array([at[i] for i in table["id"].tolist()], dtype=np.int64)
    ids = pd.Index(table["id"].tolist(), name="id")
    ordered = counts[rows]
    acc = pd.DataFrame(
        ordered / total, index=ids, columns=pd.Index(range(1, n + 1), name="rank"), copy=False
    )
    assert QUADRANTS == (QUICK_WIN, MAJOR_PROJECT, FILL_IN, THANKLESS)
    quads = pd.DataFrame(
        quad[rows] / total,
        index=ids,
        columns=pd.Index([*QUADRANTS, IMPACT_MISSING], name="quadrant"),
    )
    mean = s1[rows] / total
    var = np.maximum(s2[rows] / total - mean * mean, 0.0)
    std = np.sqrt(var * total / (total - 1)) if total > 1 else np.zeros(n)
    expected_rank = acc.to_numpy() @ np.arange(1, n + 1, dtype=np.float64)
    cum = np.cumsum(ordered, axis=1, out=ordered)
    summary = pd.DataFrame(
        {
            "id": table["id"].to_numpy(dtype=object),
            "title": table["title"].to_numpy(dtype=object),
            "owner": table["owner"].to_numpy(dtype=object),
            "rank": table["rank"].to_numpy(dtype=np.int64),
            "score": table["score"].to_numpy(dtype=np.float64),
            "expected_score": mean,
            "score_std": std,
            "expected_rank": expected_rank,
            "p_first": acc.iloc[:, 0].to_numpy(),
            f"p_top_{k}": acc.iloc[:, :k].sum(axis=1).to_numpy(),
            "p_quick_win": quads[QUICK_WIN].to_numpy(),
            **{f"rank_p{q}": _percentile_ranks(cum, total, q / 100.0) for q in PERCENTILES},
        }
    )
    return RankRisk(
        method=p.method,
        draws=total,
        k=k,
        ranking=ranking,
        rank_acceptability=acc,
        quadrant_probabilities=quads,
        summary=summary,
        problem=p,
    )
