"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from frictionkit.estimates import SeedLike, _rng
from frictionkit.events._kinds import with_kind_column
from frictionkit.events._outcomes import FAILURE
from frictionkit.exceptions import InputTypeError, ValidationError
from frictionkit.routes import route_text

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
from frictionkit.events._reductions import decided_paths, pair_counts
from frictionkit.friction._adjust import adjustment_names, journey_groups
from frictionkit.friction._attributable import (
    MAX_VISIT,
    Cells,
    attributable_failures,
)
from frictionkit.friction._paths import (
    _check_fdr,
    _check_markers,
    _check_min_support,
    _check_n_boot,
    without_markers,
)
from frictionkit.friction._stats import (
    _INT,
    _MAX_CODE,
    benjamini_hochberg,
    e_value,
    fisher_exact_p,
    odds_ratio_prior,
)
from frictionkit.friction._table import _verdicts
from frictionkit.markov._memory import offset_blocks


# ---------------------------------------------------------------------------------------
# failure patterns
# ---------------------------------------------------------------------------------------
def failure_patterns(
    log: EventLog,
    *,
    max_len: int = 3,
    min_support: int = 30,
    adjust_for: Iterable[str] | str | None = None,
    n_boot: int = 500,
    seed: SeedLike = 0,
    fdr: float = 0.05,
    failure_kind: str | None = None,
    outcome_markers: Iterable[str] | str | None = None,
) -> pd.DataFrame:
    """Sub-routes over-represented in failing journeys, against journeys at their first step.

    Every run of 2 to ``max_len`` consecutive touchpoints of a decided journey (loops
    included, such as ``checkout → payment_error → checkout``) is a pattern. Journeys
    with the pattern are compared with the decided journeys that visited the pattern's
    first touchpoint without following the pattern (not with all journeys: reaching the
    first step is the matching).

    Parameters
    ----------
    log : EventLog
        The event log.
    max_len : int, default 3
        Longest pattern (2 or more; the number of touchpoints limits it, see Raises).
    min_support : int, default 30
        Fewest journeys on each side (with the pattern / comparison); patterns below it
        are left out of the table; with ``adjust_for``, also the fewest comparison
        journeys of a group for the group to count (as in :func:`friction`).
    adjust_for : str or iterable of str, optional
        Case attributes (kept with ``case_cols=`` when the log was built) to adjust for,
        checked and grouped exactly as by :func:`friction` (see
        :mod:`frictionkit.friction._adjust`): journeys with the pattern are compared only
        with the journeys of their own group (combination of the attributes' values)
        that visited the first step without the pattern, and the groups are added up
        (standardisation). Without it the whole log is one group.
    n_boot : int, default 500
        Bootstrap draws of the interval of ``attributable_failures`` (0: no interval).
    seed : int or numpy.random.Generator, default 0
        Seed of the bootstrap; the same seed gives the same table bit for bit.
    fdr : float in (0, 1), default 0.05
        False discovery rate of the verdicts (Benjamini-Hochberg over the rows).
    failure_kind : str, optional
        One failure kind of the log (``failure={"declined": [...], ...}``; see
        :attr:`EventLog.outcome_kinds <frictionkit.events.EventLog.outcome_kinds>`). The failure
        patterns of that kind only: journeys that failed in *another* kind are censored at their
        outcome (:meth:`EventLog.with_failure_kind <frictionkit.events.EventLog.with_failure_kind>`:
        neither a success nor a failure of this kind, left out like open journeys), so a pattern's
        attributable failures are failures of this kind among the journeys that ended in success or
        in this kind. The table gains a ``failure_kind`` column naming the kind. Default: every
        failure, whatever its kind.
    outcome_markers : str or iterable of str, optional
        Touchpoints declared outcome markers (a record or a consequence of the outcome, not
        a cause), as in :func:`friction`: their events leave the journeys before the
        patterns are read, so no pattern holds one, and a journey whose next step was one
        ended right there. Declare the same markers as for the friction table (see its
        ``verdict_rests_on``).

    Returns
    -------
    pandas.DataFrame
        One row per supported pattern, the decisions first (see the end of this list):

        - ``pattern`` (tuple of touchpoints), ``pattern_text`` (joined by ``" → "``),
          ``length``;
        - ``journeys``: decided journeys containing it (``support``);
        - ``failures``: those that failed; ``failure_rate``;
        - ``comparison_journeys``, ``comparison_failure_rate``: decided journeys that
          visited the first step without the pattern, and their failure rate;
        - ``odds_ratio`` with ``odds_ratio_low`` / ``odds_ratio_high``: odds of failure
          with the pattern against the comparison, 0.5 added to every cell
          (Haldane–Anscombe prior), Woolf 95 % interval;
        - ``p_value``: one-sided Fisher exact test (hypergeometric upper tail: failures
          at least as many as observed), ``q_value``: Benjamini–Hochberg over the rows;
        - ``excess_failures``: ``failures - journeys * comparison_failure_rate``, the
          failures beyond what the comparison rate predicts (crude: not adjusted);
        - ``attributable_failures`` with ``attributable_failures_low`` / ``_high``: the
          failures of the pattern's journeys beyond those expected at their own group's
          comparison rate, summed over the groups whose comparison has at least
          ``min_support`` journeys (and 5 % of the group's journeys at the first step),
          with the 95 % bootstrap interval of :func:`friction` (stratified by group;
          without ``adjust_for`` it equals ``excess_failures`` wherever the one group
          counts); ``visitors_comparable`` / ``visitors_not_comparable``: the
          pattern's journeys in groups that count / do not; ``expected_failures``;
        - ``af_p_value``: Cochran-Mantel-Haenszel test over the groups (two-sided),
          ``af_q_value``: its Benjamini-Hochberg adjustment over the rows;
        - ``standardised_risk_ratio`` (failures of the comparable journeys over their
          expected failures), ``e_value`` and ``e_value_ci`` (VanderWeele and Ding 2017,
          as in :func:`friction`);
        - ``adjusted_for``: the case attributes adjusted for, comma-separated (``""``:
          none; also ``table.attrs["adjusted_for"]``);
        - ``verdict``: ``"friction"``, ``"helps"``, ``"no evidence"``, ``"not
          comparable"`` (no group with a comparison) or ``"outcome marker"`` (at least
          98 % of the comparable journeys with the pattern end in one outcome, and
          significantly), by the rules of :func:`friction`.

        The rows are sorted as by :func:`friction`: by verdict (``friction`` first,
        ``outcome marker`` last, every other verdict between), then by
        ``attributable_failures`` (largest first; NaN, the ``not comparable`` rows,
        last), then ``excess_failures`` (largest first), then ``q_value``
        (``af_q_value`` with ``adjust_for``), then pattern. A
        pattern with a large crude ``excess_failures`` but no comparison therefore never
        heads the table.

    Raises
    ------
    ValidationError
        All journeys are open; ``max_len`` below 2, above 10, or so large that
        patterns cannot be coded in 62 bits; a bad ``min_support``, ``n_boot`` or
        ``fdr``; ``adjust_for`` naming an attribute with missing values, a continuous
        one, one that varies within a case, or making too many groups.
    UnknownReferenceError
        ``adjust_for`` naming a column that is not a case attribute of the log, or
        ``outcome_markers`` naming a touchpoint the log does not have.
    InputTypeError
        A ``seed`` that is not an int, a Generator or None; ``outcome_markers`` that are
        not touchpoint names (str).

    Examples
    --------
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.events import EventLog
    >>> df = simulate_journeys(4000, seed=3)
    >>> log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
    ...     timestamp_col="timestamp", outcome_col="outcome", strict=False)
    >>> log.failure_patterns(max_len=2)["pattern_text"].iloc[0]
    'payment → payment_error'
    """
    if failure_kind is not None:
        return with_kind_column(
            failure_patterns(
                log.with_failure_kind(failure_kind),
                max_len=max_len,
                min_support=min_support,
                adjust_for=adjust_for,
                n_boot=n_boot,
                seed=seed,
                fdr=fdr,
                outcome_markers=outcome_markers,
            ),
            failure_kind,
        )
    support = _check_min_support(min_support)
    boots = _check_n_boot(n_boot)
    rng = _rng(seed)
    alpha = _check_fdr(fdr)
    markers = _check_markers(log, outcome_markers)
    adjusted = adjustment_names(log, adjust_for)
    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)):
        raise InputTypeError(
            f"max_len must be a whole number, got {max_len!r}", field="max_len", value=max_len
        )
    k = len(log.touchpoints)
    if not 2 <= max_len <= 10 or (k + 1) ** int(max_len) >= _MAX_CODE:
        raise ValidationError(
            f"max_len must be between 2 and 10 (and (touchpoints + 1) ** max_len < 2**62), "
            f"got {max_len} with {k} touchpoints",
            field="max_len",
            value=max_len,
            hint="Patterns of 2 to 4 steps are the readable ones; e.g. max_len=3",
        )
    length = int(max_len)
    paths = decided_paths(log, "failure_patterns")
    # declared outcome markers are read like outcome steps (friction's rule)
    tp, off = (
        without_markers(paths.tp, paths.offsets, markers)
        if markers.any()
        else (paths.tp, paths.offsets)
    )
    n_j = len(off) - 1
    fail = paths.outcome == FAILURE
    wd = np.ones(n_j) if paths.weight is None else paths.weight.astype(float)
    empty = _empty_patterns()
    empty.attrs["adjusted_for"] = adjusted
    base = k + 1
    ids = _pattern_ids(tp, off, length, base)
    if ids is None:
        return empty
    uniq = ids.uniq
    n_pat = len(uniq)
    # the decided journeys with each pattern and those that visited each touchpoint,
    # counted block of journeys by block (see _journey_blocks)
    journeys, failures = np.zeros(n_pat), np.zeros(n_pat)
    t_journeys, t_fail = np.zeros(k), np.zeros(k)
    for lo, hi in _journey_blocks(off, n_pat):
        e0, e1 = int(off[lo]), int(off[hi])
        tp_b, jl = tp[e0:e1], _local_journeys(off, lo, hi)
        wd_b, wf_b = wd[lo:hi], (fail[lo:hi] * wd[lo:hi])
        p_pat, p_j, _ = _block_pairs(tp_b, jl, length, base, ids)
        journeys += np.bincount(p_pat, weights=wd_b[p_j], minlength=n_pat)
        failures += np.bincount(p_pat, weights=wf_b[p_j], minlength=n_pat)
        vis_j, vis_t, _ = pair_counts(jl, tp_b, hi - lo, k)
        t_journeys += np.bincount(vis_t, weights=wd_b[vis_j], minlength=k)
        t_fail += np.bincount(vis_t, weights=wf_b[vis_j], minlength=k)
    # first step and length of each pattern, read off its code
    pat_len, first_tp = _decode_heads(uniq, base, length)
    n1 = journeys
    a = failures
    n0 = t_journeys[first_tp] - n1
    c = t_fail[first_tp] - a
    keep = (n1 >= support) & (n0 >= support)
    if not keep.any():
        return empty
    # patterns are numbered in the order of their codes, so the rows are too: the
    # bootstrap draws go to the same rows whatever the journeys' order (full and compact
    # logs agree)
    sel = np.flatnonzero(keep)
    n1, a, n0, c = n1[sel], a[sel], n0[sel], c[sel]
    odds, low, high = odds_ratio_prior(a, n1 - a, c, n0 - c)
    p = fisher_exact_p(a, n1, a + c, n1 + n0, "greater")
    rate0 = c / n0
    excess = a - n1 * rate0
    if adjusted:
        decided = np.flatnonzero(log.journey_outcome != 0)
        groups, n_groups = journey_groups(log, adjusted, decided, wd, support)
    else:
        groups, n_groups = np.zeros(n_j, dtype=_INT), 1
    cells = _blocked_cells(
        sel, ids, (length, base), tp, off, wd, fail, (groups, n_groups), first_tp=first_tp[sel], k=k
    )
    res = attributable_failures(cells, len(sel), min_support=support, n_boot=boots, rng=rng)
    no = np.zeros(len(sel), dtype=bool)
    af = res.af
    af_q = benjamini_hochberg(res.p_value)
    verdict = _verdicts(no, no, res, af, af_q, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        exp = res.expected_failures
        undefined = (exp <= 0) & (res.failures_comparable <= 0)
        srr = np.where(undefined, np.nan, res.failures_comparable / exp)
        srr_low = np.maximum(1 + res.low / exp, 0.0)
        srr_high = np.maximum(1 + res.high / exp, 0.0)
    ev, ev_ci = e_value(srr, srr_low, srr_high)
    # decode the patterns of the kept rows
    names = np.asarray(log.touchpoints, dtype=object)
    plen = pat_len[sel]
    digits = np.zeros((len(sel), length), dtype=_INT)
    rest = uniq[sel].copy()
    for j in range(length - 1, -1, -1):
        digits[:, j] = rest % base
        rest //= base
    patterns = []
    for row, m in zip(digits.tolist(), plen.tolist(), strict=True):
        patterns.append(tuple(names[d - 1] for d in row[length - m :]))
    out = pd.DataFrame(
        {
            "pattern": pd.Series(patterns, dtype=object),
            "pattern_text": pd.Series([route_text(x) for x in patterns], dtype=object),
            "length": plen.astype(_INT),
            "journeys": n1.astype(_INT),
            "failures": a.astype(_INT),
            "failure_rate": a / n1,
            "comparison_journeys": n0.astype(_INT),
            "comparison_failure_rate": rate0,
            "odds_ratio": odds,
            "odds_ratio_low": low,
            "odds_ratio_high": high,
            "p_value": p,
            "q_value": benjamini_hochberg(p),
            "excess_failures": excess,
            "attributable_failures": af,
            "attributable_failures_low": res.low,
            "attributable_failures_high": res.high,
            "visitors_comparable": res.visitors_comparable.astype(_INT),
            "visitors_not_comparable": res.visitors_not_comparable.astype(_INT),
            "expected_failures": res.expected_failures,
            "af_p_value": res.p_value,
            "af_q_value": af_q,
            "standardised_risk_ratio": srr,
            "e_value": ev,
            "e_value_ci": ev_ci,
            "adjusted_for": ", ".join(adjusted),
            "verdict": pd.Series(verdict, dtype=object),
        }
    )
    text = out["pattern_text"].to_numpy(dtype=object)
    # the decisions first, as in friction(): friction, then the other verdicts, outcome
    # markers last; within a verdict group the attributable failures (NaN, "not
    # comparable", last), so a process consequence with a large crude excess but no
    # comparison never heads the table
    rank = np.where(verdict == "friction", 0, np.where(verdict == "outcome marker", 2, 1))
    q = np.nan_to_num(af_q if adjusted else out["q_value"].to_numpy(), nan=2.0)
    order = np.lexsort((text, q, -excess, -np.nan_to_num(af, nan=-np.inf), rank))
    out = out.iloc[order].reset_index(drop=True)
    out.attrs["adjusted_for"] = adjusted
    return out


#: Events per block of journeys in :func:`failure_patterns` (journeys are never split).
#: Every array of a block stays in the processor's cache and is reused from block to
#: block: the whole log's arrays (tens of occurrences per event) would be gathered at
#: random from main memory, and their fresh pages faulted in, which made 10M events
#: cost far more than ten times 1M. Results never depend on it (weights are counts).
_BLOCK_EVENTS = 1 << 16


class _PatternIds(NamedTuple):
    """The distinct pattern codes (sorted) and how to number an occurrence's code."""

    uniq: np.ndarray
    lut: np.ndarray | None  # dense table from code to number, else None (binary search)

    def number(self, codes: np.ndarray) -> np.ndarray:
        """Each code's index among :attr:`uniq`."""
        if self.lut is not None:
            out: np.ndarray = self.lut[codes]
            return out
        return np.searchsorted(self.uniq, codes).astype(_INT)


def _journey_blocks(off: np.ndarray, least: int = 0) -> list[tuple[int, int]]:
    """Consecutive ranges of journeys of about :data:`_BLOCK_EVENTS` events (or ``least``)."""
    return offset_blocks(off, max(_BLOCK_EVENTS, int(least), 1))


def _local_journeys(off: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The journey of each event of journeys ``lo`` to ``hi``, numbered from 0."""
    return np.repeat(np.arange(hi - lo, dtype=_INT), np.diff(off[lo : hi + 1]))


def _block_codes(
    tp: np.ndarray, jl: np.ndarray, length: int, base: int
) -> tuple[np.ndarray, np.ndarray]:
    """The code and start event of every run of 2 to ``length`` steps within a journey.

    A run of touchpoints ``t1 .. tm`` has the code with digits ``t1 + 1 .. tm + 1`` in
    base ``base`` (touchpoints + 1), so runs of different lengths never share a code.
    Occurrences come length by length, each length in event order.
    """
    digit = tp.astype(_INT) + 1
    code = digit.copy()
    codes, starts = [], []
    for m in range(2, length + 1):
        n_ok = len(tp) - (m - 1)
        if n_ok <= 0:
            break
        code = code[:n_ok] * np.int64(base) + digit[m - 1 :]
        idx = np.flatnonzero(jl[m - 1 :] == jl[:n_ok])
        codes.append(code[idx])
        starts.append(idx)
    if not codes:
        return np.zeros(0, dtype=_INT), np.zeros(0, dtype=_INT)
    return np.concatenate(codes), np.concatenate(starts).astype(_INT)


def _pattern_ids(tp: np.ndarray, off: np.ndarray, length: int, base: int) -> _PatternIds | None:
    """The distinct pattern codes of the journeys (None: no pattern at all)."""
    n_space = base**length
    dense = n_space <= _DENSE_CODES
    present = np.zeros(n_space if dense else 0, dtype=bool)
    parts = []
    for lo, hi in _journey_blocks(off):
        e0, e1 = int(off[lo]), int(off[hi])
        codes, _ = _block_codes(tp[e0:e1], _local_journeys(off, lo, hi), length, base)
        if dense:
            present[codes] = True
        else:
            parts.append(np.unique(codes))
    if dense:
        uniq = np.flatnonzero(present).astype(_INT)
        lut = np.cumsum(present, dtype=_INT) - 1
    else:
        uniq = np.unique(np.concatenate(parts)).astype(_INT) if parts else np.zeros(0, _INT)
        lut = None
    return _PatternIds(uniq, lut) if len(uniq) else None


def _block_pairs(
    tp: np.ndarray, jl: np.ndarray, length: int, base: int, ids: _PatternIds
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (pattern, journey) pairs of a block, with the first occurrence's start."""
    codes, starts = _block_codes(tp, jl, length, base)
    p_pat, p_j, p_start, _ = _first_occurrences(ids.number(codes), starts, jl, len(ids.uniq))
    return p_pat, p_j, p_start


def _decode_heads(uniq: np.ndarray, base: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The length and the first touchpoint of each pattern code."""
    powers = np.int64(base) ** np.arange(length + 1, dtype=_INT)
    pat_len = np.searchsorted(powers, uniq, side="right").astype(_INT)
    first_tp = (uniq // powers[pat_len - 1] - 1).astype(_INT)
    return pat_len, first_tp


#: Largest code space (``(touchpoints + 1) ** max_len``) numbered through a dense table
#: rather than a sort.
_DENSE_CODES = 1 << 22


def _distinct_codes(codes: np.ndarray, n_space: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pattern codes, sorted, and each occurrence's index among them."""
    if n_space <= _DENSE_CODES:
        present = np.bincount(codes, minlength=n_space) > 0
        uniq = np.flatnonzero(present).astype(_INT)
        lut = np.cumsum(present, dtype=_INT) - 1
        return uniq, lut[codes]
    uniq, inv = np.unique(codes, return_inverse=True)
    return uniq.astype(_INT), inv.ravel().astype(_INT)


def _first_occurrences(
    inv: np.ndarray, first_ev: np.ndarray, jj: np.ndarray, n_pat: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (pattern, journey) pairs, sorted, with the start of the first occurrence.

    ``inv`` numbers the occurrences' patterns, ``first_ev`` their start events, in event
    order within each pattern (one pattern has one length). Returns the pairs' pattern,
    journey and first start event, and the stable order of the occurrences by pattern.
    """
    # a stable sort by pattern keeps each pattern's occurrences in event order (a radix
    # sort while the patterns fit 16 bits)
    key = inv.astype(np.uint16) if n_pat <= 1 << 16 else inv
    by_pat = np.argsort(key, kind="stable")
    pat = inv[by_pat]
    start = first_ev[by_pat]
    jour = jj[start]
    new = np.ones(len(pat), dtype=bool)
    new[1:] = (pat[1:] != pat[:-1]) | (jour[1:] != jour[:-1])
    return pat[new], jour[new], start[new], by_pat[new]


def _blocked_cells(
    sel: np.ndarray,
    ids: _PatternIds,
    code_shape: tuple[int, int],
    tp: np.ndarray,
    off: np.ndarray,
    wd: np.ndarray,
    fail: np.ndarray,
    grouping: tuple[np.ndarray, int],
    *,
    first_tp: np.ndarray,
    k: int,
) -> Cells:
    """The (row, stratum) cells of the kept patterns, at the point of exposure, by group.

    As :func:`friction` does for a touchpoint: a journey's exposure is the *first*
    occurrence of the pattern; its stratum is which visit of the pattern's first step
    that occurrence starts at (1st, 2nd, ... up to
    :data:`~frictionkit.friction._attributable.MAX_VISIT`, later ones pooled) and the
    journey's group. The comparison of a stratum is the risk set: the journeys of the
    group at that visit of the first step, not exposed before, that went on from it
    (not their last event) without starting the pattern there; those that ended there
    are the stratum's ``ended``. The kernel of :func:`friction`
    (:func:`~frictionkit.friction._attributable.attributable_failures`) sums the cells,
    with its interval and Cochran-Mantel-Haenszel test.

    Counted block of journeys by block (:func:`_journey_blocks`), each block as
    :func:`_pattern_cells` counts a whole log; the counts are added up.
    """
    groups, n_groups = grouping
    length, base = code_shape
    n_rows = len(sel)
    row_of = np.full(len(ids.uniq), -1, dtype=_INT)
    row_of[sel] = np.arange(n_rows, dtype=_INT)
    counts: list[np.ndarray] | None = None
    least = n_rows * 2 * MAX_VISIT * n_groups  # a block counts at least its cells
    for lo, hi in _journey_blocks(off, least):
        e0, e1 = int(off[lo]), int(off[hi])
        tp_b, jl = tp[e0:e1], _local_journeys(off, lo, hi)
        p_pat, _, p_start = _block_pairs(tp_b, jl, length, base, ids)
        part = _cell_counts(
            row_of[p_pat],
            p_start,
            tp_b,
            off[lo : hi + 1] - e0,
            jl,
            wd[lo:hi],
            fail[lo:hi],
            (groups[lo:hi], n_groups),
            n_rows=n_rows,
            n_tp=k,
        )
        if counts is None:
            counts = part
        else:
            for total, add in zip(counts, part, strict=True):
                total += add  # the same dtypes block after block
    assert counts is not None  # a kept pattern has journeys, so there is a block
    return _cells_of(counts, first_tp, n_rows, MAX_VISIT * n_groups)


def _pattern_cells(
    sel: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray],
    tp: np.ndarray,
    off: np.ndarray,
    jj: np.ndarray,
    wd: np.ndarray,
    fail: np.ndarray,
    grouping: tuple[np.ndarray, int],
    *,
    first_tp: np.ndarray,
) -> Cells:
    """The (row, stratum) cells of the kept patterns over the whole log in one go.

    ``pairs`` holds the (pattern, journey) pairs' pattern and first start event
    (:func:`_first_occurrences`); ``sel`` the kept patterns, ``first_tp`` their first
    steps. :func:`failure_patterns` counts the same block by block
    (:func:`_blocked_cells`).
    """
    n_groups = grouping[1]
    p_pat, p_start = pairs
    n_rows = len(sel)
    row_of = np.full(int(p_pat.max(initial=-1)) + 1, -1, dtype=_INT)
    row_of[sel] = np.arange(n_rows, dtype=_INT)
    n_tp = int(tp.max(initial=0)) + 1
    counts = _cell_counts(
        row_of[p_pat], p_start, tp, off, jj, wd, fail, grouping, n_rows=n_rows, n_tp=n_tp
    )
    return _cells_of(counts, first_tp, n_rows, MAX_VISIT * n_groups)


def _cell_counts(
    pr: np.ndarray,
    p_start: np.ndarray,
    tp: np.ndarray,
    off: np.ndarray,
    jj: np.ndarray,
    wd: np.ndarray,
    fail: np.ndarray,
    grouping: tuple[np.ndarray, int],
    *,
    n_rows: int,
    n_tp: int,
) -> list[np.ndarray]:
    """The counts behind the cells: every event at each step, and the exposed journeys.

    No loop over patterns: the events at each step are counted once by stratum and by
    whether they end their journey; a pattern's exposed journeys contribute the event
    its first occurrence starts at (its visitors) and their later visits to the step
    (exposed before). ``pr`` is the row of each (pattern, journey) pair (-1: a pattern
    not kept), ``p_start`` its first start event. Returns the weighted journeys and
    failures of the events by (step, ends its journey, stratum), then of the exposing
    events and of the later visits by (row, ends its journey, stratum).
    """
    groups, n_groups = grouping
    n = len(tp)
    m = MAX_VISIT
    width = m * n_groups
    # the how-many-th visit of its step each event is (1-based), and the last events:
    # a stable sort by step (a radix sort while the steps fit 16 bits) leaves each
    # journey's visits to a step together, in order
    order = np.argsort(tp.astype(np.uint16) if n_tp <= 1 << 16 else tp, kind="stable")
    sj, st = jj[order], tp[order]
    head = np.ones(n, dtype=bool)
    head[1:] = (sj[1:] != sj[:-1]) | (st[1:] != st[:-1])
    heads = np.flatnonzero(head)
    run = np.arange(n) - np.repeat(heads, np.diff(np.r_[heads, n]))
    visit_no = np.empty(n, dtype=_INT)
    visit_no[order] = run + 1
    rank = np.empty(n, dtype=_INT)
    rank[order] = np.arange(n, dtype=_INT)
    run_end = np.repeat(np.r_[heads[1:], n], np.diff(np.r_[heads, n]))  # by sorted position
    is_last = np.zeros(n, dtype=bool)
    has = np.flatnonzero(np.diff(off) > 0)
    is_last[off[1:][has] - 1] = True
    cell = (np.minimum(visit_no, m) - 1) * np.int64(n_groups) + groups[jj]
    w_ev = wd[jj]
    wf_ev = (wd * fail)[jj]
    # every event at each step, by (ends its journey, stratum)
    key = (tp * 2 + is_last) * np.int64(width) + cell
    size = n_tp * 2 * width
    base_n = np.bincount(key, weights=w_ev, minlength=size)
    base_f = np.bincount(key, weights=wf_ev, minlength=size)
    # the kept patterns' exposed journeys: the first occurrence's start event (exposed
    # at this visit) and the journey's later visits to the step (exposed before)
    kept = pr >= 0
    row0, ev0 = pr[kept], p_start[kept]
    q = rank[ev0]
    n_later = run_end[q] - q - 1
    total = int(n_later.sum())
    row3 = np.repeat(row0, n_later)
    ev3 = order[np.repeat(q + 1 - np.cumsum(np.r_[0, n_later[:-1]]), n_later) + np.arange(total)]
    size = n_rows * 2 * width
    k0 = (row0 * 2 + is_last[ev0]) * np.int64(width) + cell[ev0]
    k3 = (row3 * 2 + is_last[ev3]) * np.int64(width) + cell[ev3]
    return [
        base_n,
        base_f,
        np.bincount(k0, weights=w_ev[ev0], minlength=size),
        np.bincount(k0, weights=wf_ev[ev0], minlength=size),
        np.bincount(k3, weights=w_ev[ev3], minlength=size),
        np.bincount(k3, weights=wf_ev[ev3], minlength=size),
    ]


def _cells_of(counts: list[np.ndarray], first_tp: np.ndarray, n_rows: int, width: int) -> Cells:
    """The cells from the counts of :func:`_cell_counts` (rows with visitors only)."""
    base_n, base_f = (x.reshape(-1, 2, width) for x in counts[:2])
    n0, f0, n3, f3 = (x.reshape(n_rows, 2, width) for x in counts[2:])
    # not exposed by this visit: went on (comparison) or ended there
    rest_n = base_n[first_tp] - n0 - n3
    rest_f = base_f[first_tp] - f0 - f3
    visitors = n0.sum(axis=1)
    nz = np.flatnonzero(visitors > 0)
    rows, strata = nz // width, nz % width
    return Cells(
        rows.astype(_INT),
        strata.astype(_INT),
        visitors[rows, strata],
        f0.sum(axis=1)[rows, strata],
        rest_n[rows, 0, strata],
        rest_f[rows, 0, strata],
        rest_n[rows, 1, strata],
    )


def _empty_patterns() -> pd.DataFrame:
    cols = {
        "pattern": object,
        "pattern_text": object,
        "length": _INT,
        "journeys": _INT,
        "failures": _INT,
        "failure_rate": float,
        "comparison_journeys": _INT,
        "comparison_failure_rate": float,
        "odds_ratio": float,
        "odds_ratio_low": float,
        "odds_ratio_high": float,
        "p_value": float,
        "q_value": float,
        "excess_failures": float,
        "attributable_failures": float,
        "attributable_failures_low": float,
        "attributable_failures_high": float,
        "visitors_comparable": _INT,
        "visitors_not_comparable": _INT,
        "expected_failures": float,
        "af_p_value": float,
        "af_q_value": float,
        "standardised_risk_ratio": float,
        "e_value": float,
        "e_value_ci": float,
        "adjusted_for": object,
        "verdict": object,
    }
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})
