"""Harm removal: a counterfactual that remembers whether a step was met.

Part of :mod:`frictionkit.markov` (see its documentation, "Harm removal").

For a touchpoint ``t`` the moves of the chain are split by whether the journey has met
``t``: ``(touchpoint, met)``. Moves of a journey before its first visit to ``t`` are
counted in the ``met = 0`` copy, the first visit is the move from the ``met = 0`` copy
into ``t``, and everything from there on lives in the ``met = 1`` copy. The
counterfactual "``t``'s harm removed" lets each visitor, at the state it met ``t`` from,
go on like the journeys of the ``met = 0`` copy that made a comparable move there
(:mod:`frictionkit.markov._comparison`, the rule the friction table uses), with their
whole observed future: the visitor succeeds at their success share. Nothing after the
move is assumed first order, so harm that outlives the step and who the comparable
journeys are (a window shopper or a customer) are both remembered. Journeys that never
meet ``t`` are unchanged.

Pure kernels: numpy in, numpy out, no validation.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from scipy import sparse

from frictionkit.markov._comparison import MIN_OVERLAP
from frictionkit.markov._core import FloatArray, IntArray, Routes

# Largest number of float64 entries of one batch of dense count matrices.
_BATCH_ENTRIES = 20_000_000


class Keys(NamedTuple):
    """Sparse route-to-count maps: ``matrix @ route_weights`` gives the counts.

    ``full`` maps routes to the flat ``(src, dst)`` transition counts (``s * s``);
    ``before`` to the counts of transitions made before the first visit to each
    touchpoint (the ``met = 0`` copy; flat ``(t, src, dst)``, ``t`` the touchpoint's state
    index), kept only out of the states ``src`` that first visits to ``t`` are made from
    (the only ones compared); ``first`` to the first visits (flat ``(t, src)``);
    ``visits`` / ``visits_success`` to the visitors of each touchpoint (all / successful).
    """

    n_states: int
    full: sparse.csc_matrix
    before: sparse.csc_matrix
    before_key: IntArray
    first: sparse.csc_matrix
    first_key: IntArray
    visits: sparse.csc_matrix
    visits_success: sparse.csc_matrix


#: Largest key space numbered through a dense table rather than a sort.
_DENSE_KEYS = 1 << 24


def _distinct(key: IntArray, n_space: int) -> tuple[IntArray, IntArray]:
    """The distinct keys, sorted, and each key's index among them."""
    if n_space <= _DENSE_KEYS:
        present = np.bincount(key, minlength=n_space) > 0
        lut = np.cumsum(present, dtype=np.int64) - 1
        return np.flatnonzero(present).astype(np.int64), lut[key]
    uniq, row = np.unique(key, return_inverse=True)
    return uniq.astype(np.int64), row.ravel().astype(np.int64)


#: Visits per block of routes in :func:`route_keys` (routes are never split): a block's
#: arrays stay in the processor's cache and are reused block after block, where arrays
#: over every transition of every route (one per touchpoint first visited from its
#: source) were gathered at random from main memory and their fresh pages faulted in.
#: The keys never depend on it.
_BLOCK_VISITS = 1 << 16


def _by_route(row: IntArray, route: IntArray, n_rows: int, n_routes: int) -> sparse.csc_matrix:
    """A count matrix from (row, route) pairs listed route by route (one column per route).

    The pairs come in route order, so the compressed columns are the pairs themselves:
    no scatter into rows and no sort. A pair repeated within a route stays as two
    entries (a tenth of them or so): products with the matrix add them up, exactly, as
    the weights are whole numbers.
    """
    from scipy import sparse  # lazy: scipy loads on first use, not with frictionkit

    indptr = np.r_[0, np.cumsum(np.bincount(route, minlength=n_routes))]
    idx = np.int32 if max(n_rows, len(row)) < 2**31 else np.int64
    return sparse.csc_matrix(
        (np.ones(len(row)), row.astype(idx), indptr.astype(idx)), shape=(n_rows, n_routes)
    )


def _keyed(
    key: IntArray, route: IntArray, n_routes: int, n_space: int
) -> tuple[sparse.csc_matrix, IntArray]:
    """The count matrix of (key, route) pairs listed route by route, one row per key."""
    uniq, row = _distinct(key, n_space)
    return _by_route(row, route, len(uniq), n_routes), uniq


def _cat(parts: list[IntArray]) -> IntArray:
    """The arrays joined end to end (empty: no array)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def offset_blocks(off: IntArray, size: int) -> list[tuple[int, int]]:
    """Consecutive ranges ``(lo, hi)`` of the sequences of ``off`` of about ``size`` items.

    ``off`` are the offsets of sequences (routes, journeys) laid end to end; a sequence
    is never split, and a range holds at least one sequence.

    Examples
    --------
    >>> offset_blocks(np.array([0, 3, 5, 9, 10]), 4)
    [(0, 2), (2, 3), (3, 4)]
    """
    n = len(off) - 1
    cuts = np.searchsorted(off, np.arange(size, int(off[-1]), size))
    bounds = np.unique(np.r_[0, cuts, n].clip(0, n)).tolist()
    return list(pairwise(bounds)) if n else []


class _Moves(NamedTuple):
    """The transitions and the first visits of a block of routes (routes numbered from 0)."""

    src: IntArray  # every transition, route after route
    dst: IntArray
    route: IntArray
    pos: IntArray  # the transition into visit ``pos`` (the route's length: into the end)
    first_t: IntArray  # the first visit of each touchpoint in its route, in visit order
    first_prev: IntArray  # the state it is made from
    first_route: IntArray
    first_pos: IntArray


def _block_moves(code: IntArray, off: IntArray, success: npt.NDArray[np.bool_], s: int) -> _Moves:
    """Every transition of the routes and the first visit of each touchpoint in each."""
    n_r = len(off) - 1
    lengths = np.diff(off)
    rj = np.repeat(np.arange(n_r, dtype=np.int64), lengths)
    end = np.where(success, s - 2, s - 1).astype(np.int64)
    pos = np.arange(len(code), dtype=np.int64) - off[:-1][rj]  # position within route
    prev = np.where(pos == 0, 0, np.r_[0, code[:-1]])
    # every transition, route after route: into each visit (from START or the visit
    # before), then into the outcome (from the last visit, or START for an empty route)
    n_tr = len(code) + n_r
    out_at = off[1:] + np.arange(1, n_r + 1)  # one past each route's transitions
    into_end = np.zeros(n_tr, dtype=bool)
    into_end[out_at - 1] = True
    tr_r = np.repeat(np.arange(n_r, dtype=np.int64), lengths + 1)
    tr_pos = np.arange(n_tr, dtype=np.int64) - (out_at - lengths - 1)[tr_r]
    tr_src = np.zeros(n_tr, dtype=np.int64)
    tr_dst = np.empty(n_tr, dtype=np.int64)
    visit = ~into_end
    tr_src[visit] = prev
    tr_dst[visit] = code
    has = lengths > 0
    tr_src[out_at[has] - 1] = code[off[1:][has] - 1]
    tr_dst[into_end] = end
    # first visit of each touchpoint in its route: a stable sort by touchpoint (a radix
    # sort while the touchpoints fit 16 bits) keeps each route's visits in order
    by_tp = np.argsort(code.astype(np.uint16) if s <= 1 << 16 else code, kind="stable")
    c_s, r_s = code[by_tp], rj[by_tp]
    head = np.ones(len(code), dtype=bool)
    head[1:] = (c_s[1:] != c_s[:-1]) | (r_s[1:] != r_s[:-1])
    is_first = np.zeros(len(code), dtype=bool)
    is_first[by_tp[head]] = True
    fe = np.flatnonzero(is_first)
    return _Moves(tr_src, tr_dst, tr_r, tr_pos, code[fe], prev[fe], rj[fe], pos[fe])


def route_keys(routes: Routes, n_touchpoints: int) -> Keys:
    """Index every transition of the routes by the touchpoints whose first visit it precedes.

    No route is expanded once per touchpoint: each transition is paired only with the
    touchpoints first visited somewhere from its source state, and kept where the route
    has not met the touchpoint yet. The routes are read block by block
    (:data:`_BLOCK_VISITS`), twice: once for the transitions and first visits, once for
    the transitions before each first visit (which touchpoints are first visited from a
    state is known only after the first pass).
    """
    from scipy import sparse

    code, off, success = routes.code, routes.offsets, routes.success
    n_r = len(off) - 1
    s = n_touchpoints + 3
    blocks = offset_blocks(off, _BLOCK_VISITS)

    def moves(lo: int, hi: int) -> _Moves:
        return _block_moves(code[off[lo] : off[hi]], off[lo : hi + 1] - off[lo], success[lo:hi], s)

    full_key, full_r, f_t, f_prev, f_r = [], [], [], [], []
    for lo, hi in blocks:
        mv = moves(lo, hi)
        full_key.append(mv.src * s + mv.dst)
        full_r.append(mv.route + lo)
        f_t.append(mv.first_t)
        f_prev.append(mv.first_prev)
        f_r.append(mv.first_route + lo)
    full = _by_route(_cat(full_key), _cat(full_r), s * s, n_r)
    t_first, r_first = _cat(f_t), _cat(f_r)
    first, first_key = _keyed(t_first * s + _cat(f_prev), r_first, n_r, s * s)
    visits = _by_route(t_first, r_first, s, n_r)
    visits_success = sparse.csc_matrix(visits @ sparse.diags(success.astype(np.float64)))
    # the transitions before each first visit, out of the states first visits are made
    # from: pair each transition with the touchpoints first visited from its source
    # (targets[tptr[src]:tptr[src + 1]]) and keep those the route has not met yet
    src_of = first_key % s
    t_of = first_key // s
    by_src = np.argsort(src_of, kind="stable")
    targets = t_of[by_src]
    tptr = np.searchsorted(src_of[by_src], np.arange(s + 1))
    b_parts, r_parts = [], []
    for lo, hi in blocks:
        mv = moves(lo, hi)
        n_cand = (tptr[1:] - tptr[:-1])[mv.src]
        cand_tr = np.repeat(np.arange(len(mv.src), dtype=np.int64), n_cand)
        cand_t = targets[
            np.repeat(tptr[:-1][mv.src] - np.cumsum(np.r_[0, n_cand[:-1]]), n_cand)
            + np.arange(int(n_cand.sum()), dtype=np.int64)
        ]
        fe_pos = _first_positions(mv.first_route, mv.first_t, mv.first_pos, hi - lo, s)
        met = fe_pos(mv.route[cand_tr], cand_t)  # position of the first visit (or past the end)
        keep = mv.pos[cand_tr] < met
        cand_tr, cand_t = cand_tr[keep], cand_t[keep]
        b_parts.append((cand_t * s + mv.src[cand_tr]) * s + mv.dst[cand_tr])
        r_parts.append(mv.route[cand_tr] + lo)
    before, before_key = _keyed(_cat(b_parts), _cat(r_parts), n_r, s * s * s)
    return Keys(s, full, before, before_key, first, first_key, visits, visits_success)


def _first_positions(
    route: IntArray, t: IntArray, at: IntArray, n_routes: int, n_states: int
) -> Callable[[IntArray, IntArray], IntArray]:
    """Look up the position of the first visit to ``t`` in a route (max int: never)."""
    never = np.iinfo(np.int64).max
    key = route * n_states + t
    if n_routes * n_states <= _DENSE_KEYS:
        table = np.full(n_routes * n_states, never, dtype=np.int64)
        table[key] = at  # one first visit per (route, touchpoint)
        return lambda r, u: table[r * n_states + u]
    order = np.argsort(key)
    sorted_key, sorted_at = key[order], at[order]

    def lookup(r: IntArray, u: IntArray) -> IntArray:
        want = r * n_states + u
        i = np.minimum(np.searchsorted(sorted_key, want), max(len(sorted_key) - 1, 0))
        hit = (len(sorted_key) > 0) & (sorted_key[i] == want)
        return np.where(hit, sorted_at[i] if len(sorted_at) else never, never)

    return lookup


class HarmRemoval(NamedTuple):
    """Counterfactual success probabilities per touchpoint and resample."""

    success_probability: FloatArray  # (B,)
    without_harm: FloatArray  # (B, n_touchpoints) success probability with t's harm removed
    supported_share: FloatArray  # (B, n_touchpoints)
    compared_share: FloatArray  # (B, n_touchpoints) first visits with any comparable move
    ended_share: FloatArray  # (B, n_touchpoints) non-takers that ended (visitor-weighted)
    visitors: FloatArray  # (B, n_touchpoints)
    failed_visitors: FloatArray  # (B, n_touchpoints)


def end_counts(keys: Keys, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Journeys ending right at each transient state, successful and failed (one weight row)."""
    moves = move_counts(keys, weights)
    s = keys.n_states
    return moves[:, s - 2], moves[:, s - 1]


def move_counts(keys: Keys, weights: FloatArray) -> FloatArray:
    """Moves out of each transient state (rows) into each state (columns), one weight row."""
    s = keys.n_states
    full = np.asarray(keys.full @ np.asarray(weights, dtype=np.float64)).reshape(s, s)
    out: FloatArray = full[: s - 2]
    return out


def harm_removal(
    keys: Keys,
    weights: FloatArray,
    min_support: float,
    targets: IntArray | None = None,
    *,
    success: npt.NDArray[np.bool_],
    ends_move: npt.NDArray[np.bool_] | None = None,
    successors: npt.NDArray[np.bool_] | None = None,
    last: npt.NDArray[np.bool_] | None = None,
) -> HarmRemoval:
    """Success probability with each touchpoint's harm removed, for each weight vector.

    ``weights`` is ``(B, n_routes)``: journeys per route in each resample (the observed
    weights for the point estimate); ``success`` says which routes succeed. For
    touchpoint ``t``, the moves of the ``met = 0`` copy (moves made before the first
    visit to ``t``) out of each state are split into *comparable* ones by the rule of
    :mod:`frictionkit.markov._comparison`: moves to touchpoints other than ``t``, and
    moves to an outcome where ``ends_move`` (per transient state) says ending there is a
    move, unless ``last[t]`` (``t`` is a last step); where the moves to
    ``successors[t]`` (per state: ``t``'s successors, or a last step's siblings) number
    at least ``min_support``, only those and the endings count. Each first visit to ``t``
    made from that state then succeeds at the success share of the journeys that made a
    comparable move there: their whole observed future, not a first-order chain after
    the move (so harm that outlives the step, and who the comparable journeys are, are
    remembered). A state with fewer than ``min_support`` comparable moves, or fewer than
    ``MIN_OVERLAP`` of the moves on from it, keeps its visitors' own outcome (they are
    not comparable). ``supported_share`` is the share of first visits made from the
    states that count, ``compared_share`` from states with any comparable move, and
    ``ended_share`` the visitor-weighted share of the journeys that did not take ``t``
    and ended there while ending was no move. ``targets`` restricts the computation to some
    touchpoints (0-based touchpoint indices; the other columns are NaN).
    """
    s = keys.n_states
    n_t = s - 2  # transient: START and the touchpoints
    k = s - 3
    w = np.asarray(weights, dtype=np.float64)
    ws = w * np.asarray(success, dtype=np.float64)[None]
    n_b = w.shape[0]
    before = np.asarray(keys.before @ w.T).T  # (B, len(before_key))
    before_s = np.asarray(keys.before @ ws.T).T
    first = np.asarray(keys.first @ w.T).T
    visitors = np.asarray(keys.visits @ w.T).T[:, 1 : k + 1]  # (B, k)
    succ_visitors = np.asarray(keys.visits_success @ w.T).T[:, 1 : k + 1]
    total = w.sum(axis=1)
    n_success = ws.sum(axis=1)
    p = np.divide(n_success, total, out=np.zeros(n_b), where=total > 0)
    without = np.full((n_b, k), np.nan)
    supported = np.full((n_b, k), np.nan)
    compared = np.full((n_b, k), np.nan)
    ended_share = np.full((n_b, k), np.nan)
    b_t = keys.before_key // (s * s)
    f_t = keys.first_key // s
    dest = np.ones((n_t, s), dtype=bool)  # comparable destinations of each state
    if ends_move is not None:
        dest[:, n_t:] = np.asarray(ends_move, dtype=bool)[:, None]
    for j in range(k) if targets is None else targets.tolist():
        t = j + 1
        sel_b = np.flatnonzero(b_t == t)
        sel_f = np.flatnonzero(f_t == t)
        if len(sel_f) == 0:
            without[:, j] = p
            continue
        flat = keys.before_key[sel_b] % (s * s)
        src, dst = flat // s, flat % s
        src_f = keys.first_key[sel_f] % s
        rows = np.unique(src_f)  # states first visits are made from
        # the moves out of those states made before meeting t (the met = 0 copy); the
        # keys hold only these states, each (src, dst) once
        pos = np.searchsorted(rows, src)
        c = np.zeros((n_b, len(rows), s))
        cs = np.zeros((n_b, len(rows), s))
        c[:, pos, dst] = before[:, sel_b]
        cs[:, pos, dst] = before_s[:, sel_b]
        end_dest = dest[rows][:, n_t:].copy()
        if last is not None and last[t]:
            end_dest[:] = False  # a last step: ending right at s is no comparable move
        like = np.concatenate([dest[rows][:, :n_t], end_dest], axis=1)[None] & np.ones(
            (n_b, 1, 1), dtype=bool
        )
        like[:, :, t] = False
        if successors is not None:
            narrow = like.copy()
            narrow[:, :, :n_t] &= np.asarray(successors[t], dtype=bool)[None, None, :n_t]
            n_narrow = (c * narrow).sum(axis=-1)
            like = np.where((n_narrow >= max(min_support, 1))[..., None], narrow, like)
        n_like = (c * like).sum(axis=-1)
        n_ok = (cs * like).sum(axis=-1)
        ft = np.zeros((n_b, len(rows)))
        ft[:, np.searchsorted(rows, src_f)] = first[:, sel_f]
        rate = np.divide(n_ok, n_like, out=np.zeros_like(n_like), where=n_like > 0)
        # a state counts with min_support comparable moves making up MIN_OVERLAP of the
        # moves on from it (as a stratum of the friction table); else its visitors keep
        # their own outcome (they are not comparable)
        keep = (n_like <= 0) | (n_like < min_support) | (n_like < MIN_OVERLAP * (n_like + ft))
        ended = (c[:, :, n_t:] * ~end_dest[None]).sum(axis=-1)
        e_share = np.divide(
            ended, ended + n_like, out=np.ones_like(ended), where=ended + n_like > 0
        )
        vis = visitors[:, j]
        gain = (ft * rate * ~keep).sum(axis=1)
        own = np.divide(succ_visitors[:, j], vis, out=np.zeros(n_b), where=vis > 0)
        gain += (ft * keep).sum(axis=1) * own
        without[:, j] = p + np.divide(
            gain - succ_visitors[:, j], total, out=np.zeros(n_b), where=total > 0
        )
        ok = ~keep
        n_first = ft.sum(axis=1)
        supported[:, j] = np.divide(
            (ft * ok).sum(axis=1), n_first, out=np.full(n_b, np.nan), where=n_first > 0
        )
        compared[:, j] = np.divide(
            (ft * (n_like > 0)).sum(axis=1), n_first, out=np.full(n_b, np.nan), where=n_first > 0
        )
        ended_share[:, j] = np.divide(
            (ft * e_share).sum(axis=1), n_first, out=np.full(n_b, np.nan), where=n_first > 0
        )
    return HarmRemoval(
        p, without, supported, compared, ended_share, visitors, visitors - succ_visitors
    )


def batches(n_b: int, n_states: int) -> list[slice]:
    """Slices of at most as many resamples as fit one batch of dense count matrices."""
    size = max(1, _BATCH_ENTRIES // max(1, n_states * n_states))
    return [slice(lo, min(n_b, lo + size)) for lo in range(0, n_b, size)]
