"""Attributable failures: the kernels behind the estimate of :func:`~frictionkit.friction.friction`.

Part of :mod:`frictionkit.friction` (see its documentation). Numpy in, numpy out, no
validation: :func:`frictionkit.friction.friction` validates and calls them.

The **attributable failures** of a touchpoint ``t`` are the failed journeys among its
visitors that would have succeeded had they gone on, from where they met ``t``, like
comparable journeys that did not meet it: epidemiology's *attributable number among the
exposed*, estimated by standardisation (Rothman, Greenland and Lash, *Modern
Epidemiology*, 3rd ed., 2008, ch. 4; Greenland and Drescher, 1993, *Biometrics* 49:865).

- **Exposure point**: a visitor's *first* visit to ``t``; its **stratum** is the step
  just before it *and which visit of that step it was* (1st, 2nd, ... up to
  :data:`MAX_VISIT`, later ones pooled; ``START`` when ``t`` is the journey's first
  step). A visitor met at the 3rd visit of a step has survived two rounds already, and is
  compared only with journeys at their 3rd visit of it.
- **Comparison of stratum s**: the journeys that were at ``s`` (that visit of it) before
  meeting ``t`` (or never met it), made a *comparable move* from it and had not met ``t``
  by then: the *risk set* at ``s``, as in a sequential target trial (one trial per
  visit). The comparable moves are those of the rule shared with harm removal
  (:mod:`frictionkit.markov._comparison`): moves to another step, narrowed to ``t``'s
  successors where ``successors`` journeys made one (``s -> t -> u`` against
  ``s -> u``), and ending right at ``s`` only where journeys end there both ways and
  ``t`` is not a last step (a step with no successor after which journeys end is
  narrowed to the other last steps: ``s -> t -> end`` against ``s -> u -> end``).
  (``risk_set=False``: only the journeys that never met ``t``; that conditions on the
  future and favours short journeys, the immortal-time bias of Suissa, 2008,
  *American Journal of Epidemiology* 167:492.)
- ``AF_t = sum over strata s of F_ts - V_ts * FC_ts / C_ts``: failures among the
  visitors of stratum ``s`` minus the failures expected at the comparison's risk.
  Strata whose comparison has fewer than ``min_support`` journeys, or makes up less than
  5 % of the journeys that went on from the stratum (no overlap: nearly everyone takes
  the step there, the positivity condition of causal inference; Petersen et al., 2012,
  *Statistical Methods in Medical Research* 21:31), are left out of the sum (their
  visitors are *not comparable*).

The 95 % interval comes from a parametric bootstrap stratified by cell: each cell's
visitor failures and comparison failures are redrawn from binomials (sizes fixed) at
their risks with half a failure added (``(F + 1/2) / (V + 1)``, so that a cell where all
or none failed still varies), ``n_boot`` times in one array; the draws are shifted to
centre on the estimate, and the 2.5 / 97.5 percentiles of their sums are the interval.
It depends only on the cell counts, so the full and the compact form of a log give the
same interval bit for bit. The p-value is the
Cochran-Mantel-Haenszel test over the comparable strata (Mantel and Haenszel, 1959,
*JNCI* 22:719), without continuity correction.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

import numpy as np

from frictionkit.markov._comparison import (
    MIN_OVERLAP,
    ends_are_moves,
    last_steps,
    narrowing_mask,
)

_INT = np.int64
#: Visits of the step before that get a stratum of their own (later ones share the last).
MAX_VISIT = 5


class Cells(NamedTuple):
    """The (touchpoint, stratum) cells of the standardisation, one entry per cell."""

    tp: np.ndarray  # touchpoint code
    stratum: np.ndarray  # code of the step before the first visit (k = START)
    visitors: np.ndarray  # V: journeys whose first visit to tp follows the stratum
    failures: np.ndarray  # F: failures among them
    comparison: np.ndarray  # C: journeys that went on from the stratum without tp
    comparison_failures: np.ndarray  # FC: failures among them
    ended: np.ndarray  # journeys that never met tp and whose last step is the stratum


class Attributable(NamedTuple):
    """Attributable failures per touchpoint (arrays of length ``k``) and their draws."""

    af: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p_value: np.ndarray
    visitors_comparable: np.ndarray
    visitors_not_comparable: np.ndarray
    failures_comparable: np.ndarray
    expected_failures: np.ndarray
    comparison_journeys: np.ndarray
    ended_share: np.ndarray
    draws: np.ndarray  # (n_boot, k); NaN where nothing is comparable


_DENSE_MAX = 20_000_000


def _keyed_sums(
    key: np.ndarray, weights: np.ndarray | None, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (sorted) with their summed weights (dense bincount when it fits)."""
    if size <= _DENSE_MAX:
        count = np.bincount(key, minlength=size)
        u = np.flatnonzero(count)
        if weights is None:
            return u, count[u].astype(float)
        return u, np.bincount(key, weights=weights, minlength=size)[u]
    u, inv = np.unique(key, return_inverse=True)
    return u, np.bincount(inv.ravel(), weights=weights, minlength=len(u)).astype(float)


def _at(query: np.ndarray, keys: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """The sums at the query keys (0 where a key is absent)."""
    if len(keys) == 0:
        return np.zeros(len(query))
    idx = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[idx] == query, sums[idx], 0.0)


#: Most touchpoint codes for the bit-mask sums (8 words of 64 bits); above, pairs.
_MASK_MAX_K = 512


def _bit_counts(hist: np.ndarray) -> np.ndarray:
    """Counts of each of the 8 bits from counts of the 256 byte values (rows x 256).

    Bit ``i`` is set in the byte values whose index, read as ``(high, bit, low)`` with
    ``2**i`` low values, has ``bit == 1``: a reshape and a sum, no matrix product.

    Examples
    --------
    >>> _bit_counts(np.bincount([1, 3, 128], minlength=256)[None, :]).tolist()
    [[2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]]
    """
    rows = hist.shape[0]
    out = np.empty((rows, 8))
    for i in range(8):
        out[:, i] = hist.reshape(rows, 128 >> i, 2, 1 << i)[:, :, 1, :].sum(axis=(1, 2))
    return out


def _met_sums_pairs(
    key: np.ndarray,
    upto: np.ndarray,
    gj: np.ndarray,
    gu: np.ndarray,
    w: np.ndarray | None,
    fpos: np.ndarray,
    vt: np.ndarray,
    v_ptr: np.ndarray,
    flags: list[np.ndarray | None],
    k: int,
    n_keys: int,
    query: np.ndarray,
) -> list[np.ndarray]:
    """:func:`_met_sums` by listing every (went-on event, touchpoint met) pair.

    The reference implementation, and the one used where touchpoints are too many for
    bit masks: memory and time grow with the pairs (events times touchpoints met so far).
    """
    reps = (np.searchsorted(fpos, upto, side="right") - v_ptr[gj]).astype(_INT)
    total = int(reps.sum())
    run_start = np.cumsum(reps) - reps
    vi = np.arange(total, dtype=_INT) - np.repeat(run_start - v_ptr[gj], reps)
    t = vt[vi]
    pair_key = np.repeat(key * np.int64(k), reps) + t  # (stratum * 2 + failed) * k + t
    pw = np.ones(total) if w is None else np.repeat(w, reps)
    gu_rep = np.repeat(gu, reps) if any(f is not None for f in flags) else gu
    out = []
    for flag in flags:
        weights = pw if flag is None else pw * flag[gu_rep, t]
        keys, sums = _keyed_sums(pair_key, weights, n_keys * k)
        out.append(_at(query, keys, sums))
    return out


def _met_sums_masks(
    upto: np.ndarray,
    w: np.ndarray | None,
    fpos: np.ndarray,
    vt: np.ndarray,
    starts: np.ndarray,
    n: int,
    flags: list[np.ndarray | None],
    k: int,
    n_keys: int,
    query: np.ndarray,
    combo: tuple[np.ndarray, np.ndarray],
) -> list[np.ndarray]:
    """:func:`_met_sums` with a bit mask of the touchpoints met per event.

    Each first visit adds its touchpoint's bit; within a journey the running sum of those
    bits is the set met so far. One cumulative sum serves every journey: each journey's
    first event takes off the bits of the journey before it (wrapping unsigned
    arithmetic), so the sum restarts there. The masks are summed per (key, step
    moved to) by a bincount of each of their bytes, turned into bit counts by
    :func:`_bit_counts`, and the flags are applied to those few sums: time grows with
    entries times touchpoint codes / 8, never with the pairs. ``combo``: the entries'
    ``key * (k + 1) + gu`` and its distinct values (sorted).
    """
    n_u = k + 1
    entry_combo, present = combo
    n_c = len(present)
    cid = np.zeros(n_keys * n_u, dtype=_INT)
    cid[present] = np.arange(0, 256 * n_c, 256, dtype=_INT)
    ids256 = cid[entry_combo]  # each entry's (key, step moved to), times 256
    del cid
    n_words = (k + 63) // 64
    per_combo = np.zeros((n_c, 64 * n_words))
    # journeys with events, where the running sums restart
    first = np.flatnonzero(np.diff(np.r_[starts, n]) > 0)
    j_start = starts[first]
    word = vt // 64
    little = sys.byteorder == "little"
    idx = np.empty(len(upto), dtype=_INT)
    for wd in range(n_words):
        # the touchpoints of this word in the masks: 32 bits when they fit (half the
        # memory of 64), else 64
        n_bits = 32 if n_words == 1 and k <= 32 else 64
        utype = np.uint32 if n_bits == 32 else np.uint64
        bits = np.zeros(n, dtype=utype)
        sel = word == wd
        bits[fpos[sel]] = np.left_shift(utype(1), (vt[sel] % 64).astype(utype))
        if len(j_start):
            # the running sum restarts at a journey: its first event takes off the
            # bits of the journey before (whose own sum started from 0)
            per_journey = np.add.reduceat(bits, j_start, dtype=utype)
            bits[j_start[1:]] -= per_journey[:-1]
            del per_journey
        np.cumsum(bits, dtype=utype, out=bits)  # within each journey: the touchpoints met so far
        mask = bits[upto]
        del bits
        as_bytes = mask.view(np.uint8).reshape(-1, n_bits // 8)
        for b in range(min(n_bits // 8, (k - 64 * wd + 7) // 8)):
            byte = as_bytes[:, b if little else n_bits // 8 - 1 - b]
            np.add(ids256, byte, out=idx)
            hist = np.bincount(idx, weights=w, minlength=n_c * 256)
            col = 64 * wd + 8 * b
            per_combo[:, col : col + 8] = _bit_counts(hist.reshape(n_c, 256))
    per_combo = per_combo[:, :k]
    p_key, p_u = present // n_u, present % n_u
    out = []
    for flag in flags:
        vals = per_combo if flag is None else per_combo * flag[p_u]
        sums = np.zeros((n_keys, k))
        np.add.at(sums, p_key, vals)
        out.append(sums.ravel()[query])
    return out


def _met_sums(
    key: np.ndarray | None,
    upto: np.ndarray,
    gj: np.ndarray,
    gu: np.ndarray | None,
    w: np.ndarray | None,
    fpos: np.ndarray,
    vt: np.ndarray,
    v_ptr: np.ndarray,
    starts: np.ndarray,
    n: int,
    flags: list[np.ndarray | None],
    k: int,
    n_keys: int,
    query: np.ndarray,
    *,
    method: str | None = None,
    combo: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Per ``(key, touchpoint)``, the weight of went-on events whose journey had met it.

    Entry ``g`` (a went-on event, or a journey's start) of journey ``gj[g]`` counts for
    every touchpoint first visited at or before position ``upto[g]``; with a flag table
    ``f`` (rows: the step moved to, ``gu``; columns: touchpoints) only where
    ``f[gu[g], t]``. Returns, for each flag (None: no flag), the sums at ``query``
    (``key * k + t``). ``fpos`` / ``vt`` are the positions and touchpoints of the first
    visits in event order, ``v_ptr`` where each journey's start in them, ``starts`` the
    position of each journey's first event and ``n`` the number of events.
    ``method`` ("masks" or "pairs") forces an implementation (tests); by default the
    bit masks where touchpoints are few enough and the pairs are not fewer. ``combo``:
    the entries' ``key * (k + 1) + gu`` and its distinct values (sorted), when known
    (``key`` and ``gu`` may then be None).
    """
    if method is None:
        # bit masks cost about (k / 8) passes over the entries, pairs one pass per pair:
        # the mean pairs per entry from an even sample of the entries
        every = max(1, len(upto) // 4096)
        s_upto, s_gj = upto[::every], gj[::every]
        met = np.searchsorted(fpos, s_upto, side="right") - v_ptr[s_gj]
        per_entry = float(met.mean()) if len(met) else 1.0
        fast = k <= _MASK_MAX_K and (k + 7) // 8 <= max(per_entry, 1.0)
        method = "masks" if fast else "pairs"
    if method == "masks":
        if combo is None:
            if key is None or gu is None:
                raise TypeError("_met_sums needs key and gu, or combo")
            entry = key * np.int64(k + 1) + gu
            combo = (entry, np.flatnonzero(np.bincount(entry, minlength=n_keys * (k + 1))))
        return _met_sums_masks(upto, w, fpos, vt, starts, n, flags, k, n_keys, query, combo)
    if key is None or gu is None:
        if combo is None:
            raise TypeError("_met_sums needs key and gu, or combo")
        key, gu = np.divmod(combo[0], np.int64(k + 1))
    return _met_sums_pairs(key, upto, gj, gu, w, fpos, vt, v_ptr, flags, k, n_keys, query)


def _narrow_went(
    cs: np.ndarray, ct: np.ndarray, su_key: np.ndarray, su_sums: np.ndarray, succ_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the went-on journeys (successful, failed) whose move went to a successor.

    ``su_key`` are the sorted keys ``(stratum * (k + 1) + next step) * 2 + failed`` of the
    went-on moves and ``su_sums`` their journeys; ``succ_of[u, t]`` says ``u`` follows
    ``t`` (the row of the end, ``k``, is all True).
    """
    k1 = succ_of.shape[0]
    su_s = su_key // (2 * k1)
    lo = np.searchsorted(su_s, cs, side="left")
    hi = np.searchsorted(su_s, cs, side="right")
    cnt = hi - lo
    cell = np.repeat(np.arange(len(cs)), cnt)
    idx = np.arange(int(cnt.sum()), dtype=_INT) - np.repeat(np.cumsum(cnt) - cnt - lo, cnt)
    keys = su_key[idx]
    ok = succ_of[(keys // 2) % k1, ct[cell]]
    w = su_sums[idx] * ok
    failed = (keys % 2).astype(bool)
    n_ok = np.bincount(cell, weights=w * ~failed, minlength=len(cs))
    n_f = np.bincount(cell, weights=w * failed, minlength=len(cs))
    return n_ok, n_f


def _visit_numbers(tp: np.ndarray, jj: np.ndarray, k: int) -> np.ndarray:
    """The how-many-th visit of its step each event is (0-based, capped at ``MAX_VISIT - 1``).

    Events are ordered by touchpoint, then position (a stable radix sort of the codes
    narrowed to the smallest unsigned type), so each (touchpoint, journey) is one run; a
    run starts where the journey or the touchpoint changes. ``jj`` (the journey of each
    event, int32 or int64) sets the dtype of the result.

    Examples
    --------
    >>> _visit_numbers(np.array([0, 1, 0, 0, 1]), np.array([0, 0, 0, 1, 1]), 2).tolist()
    [0, 0, 1, 0, 0]
    """
    n = len(tp)
    narrow = tp.astype(np.uint8 if k <= 256 else np.uint16 if k <= 65536 else np.int64)
    order = np.argsort(narrow, kind="stable")
    del narrow
    head = np.empty(n, dtype=bool)
    if n:
        sj = jj[order]
        head[0] = True
        np.not_equal(sj[1:], sj[:-1], out=head[1:])
        del sj
        bounds = np.cumsum(np.bincount(tp, minlength=k))[:-1]
        head[bounds[bounds < n]] = True  # the touchpoint changes (sorted codes)
    run = np.arange(n, dtype=jj.dtype)
    since = np.where(head, run, 0)
    del head
    np.maximum.accumulate(since, out=since)
    np.subtract(run, since, out=run)  # position in its run
    del since
    np.minimum(run, MAX_VISIT - 1, out=run)
    out = np.empty(n, dtype=jj.dtype)
    out[order] = run
    return out


def attributable_cells(
    tp: np.ndarray,
    offsets: np.ndarray,
    fail: np.ndarray,
    weight: np.ndarray | None,
    k: int,
    *,
    risk_set: bool = True,
    successors: float = 0,
) -> Cells:
    """The cells of the standardisation for every touchpoint (see the module notes).

    Parameters
    ----------
    tp : ndarray of int
        Touchpoint code of each event, in journey order (outcome steps removed).
    offsets : ndarray of int
        Start of each journey in ``tp``, plus the total.
    fail : ndarray of bool
        Whether each journey failed.
    weight : ndarray of float or None
        Journeys each row stands for (None: 1 each, a full log).
    k : int
        Number of touchpoint codes; ``k`` is the code of ``START``.
    risk_set : bool, default True
        The risk set at the stratum (True) or only the journeys that never met ``t``.
    successors : float, default 0
        Fewest journeys of the narrower comparison (journeys whose move went to one of
        the touchpoint's successors, or that ended) for it to be used
        (:mod:`frictionkit.markov._comparison`, rule 1); 0: never narrowed.

    Returns
    -------
    Cells

    Examples
    --------
    Two journeys ``a → b`` (failed) and ``a → c`` (succeeded): ``b`` is met after ``a``,
    and the one journey that went on from ``a`` without it succeeded.

    >>> cells = attributable_cells(np.array([0, 1, 0, 2]), np.array([0, 2, 4]),
    ...     np.array([True, False]), None, 3)
    >>> [(int(t), int(s), float(c)) for t, s, c in
    ...  zip(cells.tp, cells.stratum, cells.comparison) if t == 1]
    [(1, 0, 1.0)]
    """
    n_j = len(offsets) - 1
    n = len(tp)
    lengths = np.diff(offsets)
    # event positions and journey numbers fit int32 on any log below 2**31 events: half
    # the memory traffic of int64 for the per-event arrays
    idx = np.int32 if n < 2**31 - 1 and n_j < 2**31 - 1 else _INT
    jj = np.repeat(np.arange(n_j, dtype=idx), lengths)
    m = MAX_VISIT
    width = (k + 1) * m  # stratum codes: step * m + (visit number - 1, capped); START = k * m
    starts = offsets[:-1]
    visit_no = _visit_numbers(tp, jj, k)
    code = tp * np.int64(m) + visit_no
    start_code = np.int64(k * m)
    # first visit of each (journey, touchpoint), in event order, and the step before it
    has = np.flatnonzero(lengths > 0)
    is_start = np.zeros(n, dtype=bool)
    is_start[starts[has]] = True
    fpos = np.flatnonzero(visit_no == 0)
    del visit_no
    vj, vt = jj[fpos], tp[fpos]
    prev = np.where(is_start[fpos], start_code, code[fpos - 1])
    # went on from a stratum (the comparable moves of frictionkit.markov._comparison):
    # every event that is not the journey's last (each visit of a step is its own
    # stratum), the last event of a journey where its step is one at which journeys end
    # both ways, and START for every journey with a step
    is_last = np.zeros(n, dtype=bool)
    last_ev = offsets[1:][has] - 1
    is_last[last_ev] = True
    w_last = np.ones(len(has)) if weight is None else weight[has]
    end_ok = np.bincount(tp[last_ev], weights=w_last * ~fail[has], minlength=k)
    ends = ends_are_moves(end_ok, np.bincount(tp[last_ev], weights=w_last * fail[has], minlength=k))
    on = ~is_last
    if ends.any():
        on |= ends[tp]
    # the entries: each went-on event keyed (stratum, failed, step moved to; k: the end
    # of the journey), then each journey's START
    per_event = np.full(n, k, dtype=_INT)
    per_event[:-1] = np.where(is_last[:-1], k, tp[1:])
    per_event += (code * 2 + np.repeat(fail, lengths)) * np.int64(k + 1)
    start_key = (start_code * 2 + fail[has]) * np.int64(k + 1) + tp[starts[has]]
    combo = np.concatenate([per_event[on], start_key])
    del per_event
    gj = np.concatenate([jj[on], has.astype(idx)])
    wg = None if weight is None else weight[gj]
    combo_keys, combo_sums = _keyed_sums(combo, wg, 2 * width * (k + 1))
    c_key, c_u = combo_keys // (k + 1), combo_keys % (k + 1)
    c_s, c_f = c_key // 2, c_key % 2
    # the went-on journeys of each (stratum, failed)
    went_ok, went_f = (
        np.bincount(c_key, weights=combo_sums, minlength=2 * width).reshape(width, 2).T
    )
    went = went_ok + went_f
    # the same sums keyed (stratum, step moved to, failed), sorted, for _narrow_went
    by_su = (c_s * np.int64(k + 1) + c_u) * 2 + c_f
    su_order = np.argsort(by_su, kind="stable")
    su_key, su_sums = by_su[su_order], combo_sums[su_order]
    # the moves between steps: those of the went-on events, and the last events that did
    # not go on (to the end); the successors of each touchpoint (rule 1): succ_of[u, t]
    # says u follows t
    c_t = c_s // m
    step = c_t < k  # not START
    move_tab = np.zeros(k * (k + 1))
    move_tab += np.bincount(
        c_t[step] * (k + 1) + c_u[step], weights=combo_sums[step], minlength=k * (k + 1)
    )
    stay = ~ends[tp[last_ev]]
    move_tab += np.bincount(
        tp[last_ev][stay] * (k + 1) + k, weights=w_last[stay], minlength=k * (k + 1)
    )
    moves = move_tab.reshape(k, k + 1)
    # ending right at s is no comparable move for a last step (rule 3): wide_of[u, t]
    # says a move to u (k: the end) is in t's comparison, succ_of the narrower one
    last_t = last_steps(moves, end_ok)
    wide_of = np.ones((k + 1, k), dtype=bool)
    wide_of[k] = ~last_t
    succ_of = wide_of.copy()
    if successors:
        succ_of[:k] = narrowing_mask(moves, end_ok).T
    v_cnt = np.bincount(vj, minlength=n_j)
    v_ptr = np.r_[0, np.cumsum(v_cnt)].astype(_INT)
    wv, fv = (None if weight is None else weight[vj]), fail[vj]
    cell_key = (vt * np.int64(width) + prev) * 2 + fv
    cell_keys, cell_sums = _keyed_sums(cell_key, wv, 2 * width * k)
    ukey, first_of = np.unique(cell_keys // 2, return_index=True)
    visitors = np.add.reduceat(cell_sums, first_of) if len(cell_sums) else cell_sums
    failures = _at(ukey * 2 + 1, cell_keys, cell_sums)
    ct, cs = ukey // width, ukey % width
    # journeys that went on from s but are no comparison for t: for each went-on event of
    # a journey, the touchpoints it met by the step after it ("risk set": a prefix of its
    # first visits, in event order) or at all ("never met"); summed per (stratum,
    # failed, t), once for each comparison the rule needs
    flags: list[np.ndarray | None] = [None]
    wide = bool(len(cs) and (last_t & ends).any())
    if wide:  # a last step's comparison leaves out the journeys that ended right at s
        flags.append(wide_of)
    if successors and len(cs):
        flags.append(succ_of)
    if risk_set:  # the step after a went-on event (itself for a journey's last)
        after = np.arange(n, dtype=idx)
        np.add(after, ~is_last, out=after)
        upto = np.concatenate([after[on], starts[has].astype(idx)])
        del after
    else:
        upto = offsets[1:][gj] - 1
    q_ok = cs * np.int64(2 * k) + ct
    met = _met_sums(
        None, upto, gj, None, wg, fpos, vt, v_ptr, starts, n, flags, k, 2 * width,
        np.concatenate([q_ok, q_ok + k]), combo=(combo, combo_keys),
    )  # fmt: skip
    both_f = met[0][len(cs) :]
    comparison = went[cs] - met[0][: len(cs)] - both_f
    comparison_f = went_f[cs] - both_f
    if wide:
        wb_f = met[1][len(cs) :]
        ww_ok, ww_f = _narrow_went(cs, ct, su_key, su_sums, wide_of)
        comparison = ww_ok + ww_f - met[1][: len(cs)] - wb_f
        comparison_f = ww_f - wb_f
    if successors and len(cs):
        # the narrower comparison: went-on journeys whose move went to one of t's
        # successors (or ended), used where it has at least `successors` journeys
        nb_f = met[-1][len(cs) :]
        nw_ok, nw_f = _narrow_went(cs, ct, su_key, su_sums, succ_of)
        nar = nw_ok + nw_f - met[-1][: len(cs)] - nb_f
        use = nar >= successors
        comparison = np.where(use, nar, comparison)
        comparison_f = np.where(use, nw_f - nb_f, comparison_f)
    # journeys ending at s (START: journeys with no step left) and those of them that met t
    last = np.full(n_j, start_code, dtype=_INT)
    last[has] = code[offsets[1:][has] - 1]
    ended_all = np.bincount(last, weights=weight, minlength=width).astype(float)
    # where ending is a move, it is no end (above), except for a last step (rule 3)
    ended = ended_all * np.r_[~np.repeat(ends, m), np.ones(width - k * m, dtype=bool)]
    ended_key = last[vj] * np.int64(k) + vt
    met_ended = _at(cs * np.int64(k) + ct, *_keyed_sums(ended_key, wv, width * k))
    ended_c = np.where(last_t[ct], ended_all[cs], ended[cs]) - met_ended
    return Cells(
        tp=ct,
        stratum=cs,
        visitors=visitors,
        failures=failures,
        comparison=np.maximum(comparison, 0.0),
        comparison_failures=np.maximum(comparison_f, 0.0),
        ended=np.maximum(ended_c, 0.0),
    )


def grouped_cells(
    tp: np.ndarray,
    offsets: np.ndarray,
    fail: np.ndarray,
    weight: np.ndarray | None,
    k: int,
    groups: np.ndarray,
    n_groups: int,
    *,
    risk_set: bool = True,
    successors: float = 0,
) -> Cells:
    """The cells of the standardisation stratified by journey group as well (adjustment).

    :func:`attributable_cells` within each group of journeys (a combination of case
    attribute values); stratum ``s`` of group ``g`` gets the code ``g * (k + 1) + s``, and
    the cells are ordered by touchpoint, then stratum.

    Examples
    --------
    The two journeys of :func:`attributable_cells` in two groups: each group's stratum
    ``a`` has no comparison left for ``b``.

    >>> cells = grouped_cells(np.array([0, 1, 0, 2]), np.array([0, 2, 4]),
    ...     np.array([True, False]), None, 3, np.array([0, 1]), 2)
    >>> [(int(t), int(s), float(c)) for t, s, c in
    ...  zip(cells.tp, cells.stratum, cells.comparison) if t == 1]
    [(1, 0, 0.0)]
    """
    lengths = np.diff(offsets)
    ev_group = np.repeat(groups, lengths)
    parts: list[Cells] = []
    for g in range(n_groups):
        sel = np.flatnonzero(groups == g)
        if len(sel) == 0:
            continue
        sub_off = np.r_[0, np.cumsum(lengths[sel])].astype(_INT)
        cells = attributable_cells(
            tp[ev_group == g],
            sub_off,
            fail[sel],
            None if weight is None else weight[sel],
            k,
            risk_set=risk_set,
            successors=successors,
        )
        parts.append(cells._replace(stratum=cells.stratum + np.int64(g) * (k + 1) * MAX_VISIT))
    if not parts:
        return attributable_cells(tp[:0], offsets[:1], fail[:0], None, k, risk_set=risk_set)
    merged = Cells(*(np.concatenate(col) for col in zip(*parts, strict=True)))
    order = np.lexsort((merged.stratum, merged.tp))
    return Cells(*(col[order] for col in merged))


def attributable_failures(
    cells: Cells,
    k: int,
    *,
    min_support: int,
    n_boot: int,
    rng: np.random.Generator,
    min_overlap: float = MIN_OVERLAP,
) -> Attributable:
    """Attributable failures per touchpoint, their bootstrap interval and CMH p-value.

    Parameters
    ----------
    cells : Cells
        From :func:`attributable_cells`.
    k : int
        Number of touchpoint codes.
    min_support : int
        Fewest comparison journeys for a stratum to count.
    n_boot : int
        Bootstrap draws (0: no interval).
    rng : numpy.random.Generator
        Source of the draws.
    min_overlap : float, default 0.05
        Smallest share of comparison journeys among the journeys that went on from a
        stratum (visitors plus comparison) for the stratum to count: below it nearly
        every journey takes the step there (no overlap; it is the process's next step,
        not a choice), and the few that do not are no guide.

    Returns
    -------
    Attributable

    Examples
    --------
    One stratum: 30 of 50 visitors failed, 20 of 100 comparison journeys did, so 10 are
    expected and 20 are attributable.

    >>> from frictionkit.friction._attributable import Cells
    >>> one = lambda x: np.array([x])
    >>> cells = Cells(one(0), one(1), one(50.0), one(30.0), one(100.0), one(20.0), one(0.0))
    >>> res = attributable_failures(cells, 1, min_support=30, n_boot=0,
    ...                             rng=np.random.default_rng(0))
    >>> float(res.af[0])
    20.0
    """
    from scipy.special import ndtr

    v, f = cells.visitors, cells.failures
    c, fc = cells.comparison, cells.comparison_failures
    ok = (c >= min_support) & (c >= min_overlap * (v + c))
    t = cells.tp
    with np.errstate(divide="ignore", invalid="ignore"):
        risk_c = np.where(ok, fc / c, 0.0)
    expected = v * risk_c

    def per_tp(x: np.ndarray) -> np.ndarray:
        return np.bincount(t, weights=np.where(ok, x, 0.0), minlength=k)

    vis_ok = per_tp(v)
    fail_ok = per_tp(f)
    exp_ok = per_tp(expected)
    comp = per_tp(c)
    vis_not = np.bincount(t, weights=np.where(ok, 0.0, v), minlength=k)
    any_ok = np.bincount(t, weights=ok, minlength=k) > 0
    af = np.where(any_ok, fail_ok - exp_ok, np.nan)
    # where the journeys that did not take t ended instead of going on (visitor-weighted)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(cells.ended + c > 0, cells.ended / (cells.ended + c), 1.0)
        vis_all = np.bincount(t, weights=v, minlength=k)
        ended_share = np.where(
            vis_all > 0, np.bincount(t, weights=v * share, minlength=k) / vis_all, np.nan
        )
    # Cochran-Mantel-Haenszel test over the comparable strata
    n = v + c
    m1 = f + fc
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(n > 0, v * m1 / n, 0.0)
        var = np.where(n > 1, v * c * m1 * (n - m1) / (n * n * (n - 1)), 0.0)
        stat = per_tp(f - e) / np.sqrt(per_tp(var))
        p = np.where(any_ok & (per_tp(var) > 0), 2 * ndtr(-np.abs(stat)), np.nan)
    p = np.where(any_ok & (per_tp(var) == 0) & (np.abs(per_tp(f - e)) < 1e-9), 1.0, p)
    # parametric bootstrap, stratified by cell: sizes fixed, failures redrawn
    low = np.full(k, np.nan)
    high = np.full(k, np.nan)
    draws = np.full((n_boot, k), np.nan)
    idx = np.flatnonzero(ok)
    if n_boot > 0 and len(idx):
        vi = np.rint(v[idx]).astype(_INT)
        ci = np.rint(c[idx]).astype(_INT)
        # risks drawn at (failures + 1/2) / (size + 1), so that a cell of all failures
        # (or none) still varies; the draws are shifted back to centre on the estimate
        pv = np.clip((f[idx] + 0.5) / (v[idx] + 1), 0.0, 1.0)
        pc = np.clip((fc[idx] + 0.5) / (c[idx] + 1), 0.0, 1.0)
        shift = (f[idx] - v[idx] * fc[idx] / c[idx]) - (vi * pv - v[idx] * pc)
        fb = rng.binomial(vi, pv, size=(n_boot, len(idx)))
        cb = rng.binomial(ci, pc, size=(n_boot, len(idx)))
        contrib = fb - v[idx] * (cb / ci) + shift
        # sum the cells of each touchpoint (cells are ordered by touchpoint)
        ti = t[idx]
        seg = np.flatnonzero(np.r_[True, ti[1:] != ti[:-1]])
        draws = np.full((n_boot, k), np.nan)
        draws[:, ti[seg]] = np.add.reduceat(contrib, seg, axis=1)
        if any_ok.any():
            # every draw of a comparable touchpoint is a number: plain percentiles (the
            # NaN-aware ones loop over the columns)
            q = np.percentile(draws[:, any_ok], [2.5, 97.5], axis=0)
            low[any_ok], high[any_ok] = q[0], q[1]
    return Attributable(
        af=af,
        low=low,
        high=high,
        p_value=p,
        visitors_comparable=vis_ok,
        visitors_not_comparable=vis_not,
        failures_comparable=fail_ok,
        expected_failures=np.where(any_ok, exp_ok, np.nan),
        comparison_journeys=comp,
        ended_share=ended_share,
        draws=draws,
    )


#: Key of ``friction(...).attrs`` that holds the bootstrap draws (:class:`DrawsByTouchpoint`).
DRAWS_ATTR = "attributable_failures_draws"


class DrawsByTouchpoint:
    """The bootstrap draws of the attributable failures, one column per touchpoint.

    Kept in ``friction(...).attrs[DRAWS_ATTR]`` so that the value at stake can carry the
    same draws as the interval. Equality is identity, so pandas can compare the attrs of
    tables without comparing arrays; the draws are read-only and a deep copy is the same
    object, so the attrs that pandas copies to every derived table cost nothing.

    Examples
    --------
    >>> d = DrawsByTouchpoint(("a", "b"), np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> d.of("b").tolist()
    [2.0, 4.0]
    """

    __slots__ = ("draws", "touchpoints")

    def __init__(self, touchpoints: tuple[str, ...], draws: np.ndarray) -> None:
        self.touchpoints = tuple(touchpoints)
        self.draws = np.array(draws, dtype=np.float64)  # (n_boot, k); NaN: not comparable
        self.draws.setflags(write=False)

    def __deepcopy__(self, memo: dict[int, object]) -> DrawsByTouchpoint:
        return self

    def of(self, touchpoint: str) -> np.ndarray:
        """The draws of one touchpoint (length ``n_boot``; NaN when not comparable)."""
        return np.asarray(self.draws[:, self.touchpoints.index(touchpoint)], dtype=np.float64)
