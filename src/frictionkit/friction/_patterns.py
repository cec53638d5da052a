"""Part of :mod:`frictionkit.friction` (see its documentation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from frictionkit.events._outcomes import FAILURE
from frictionkit.exceptions import InputTypeError, ValidationError
from frictionkit.routes import route_text

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog
from frictionkit.events._reductions import decided_paths, pair_counts
from frictionkit.friction._paths import _check_min_support
from frictionkit.friction._stats import (
    _INT,
    _MAX_CODE,
    benjamini_hochberg,
    fisher_exact_p,
    odds_ratio_prior,
)


# ---------------------------------------------------------------------------------------
# failure patterns
# ---------------------------------------------------------------------------------------
def failure_patterns(log: EventLog, *, max_len: int = 3, min_support: int = 30) -> pd.DataFrame:
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
        are left out of the table.

    Returns
    -------
    pandas.DataFrame
        One row per supported pattern, sorted by ``excess_failures`` (largest first),
        then ``q_value``, then pattern:

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
          failures beyond what the comparison rate predicts: the ranking score.

    Raises
    ------
    ValidationError
        All journeys are open; ``max_len`` below 2, above 10, or so large that
        patterns cannot be coded in 62 bits; a bad ``min_support``.

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
    support = _check_min_support(min_support)
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
    tp = paths.tp
    off = paths.offsets
    n_j = len(off) - 1
    fail = paths.outcome == FAILURE
    jj = np.repeat(np.arange(n_j, dtype=_INT), np.diff(off))
    base = np.int64(k + 1)
    digit = tp + 1  # digits 1..k, so patterns of different lengths never share a code
    codes_list, starts_list, lens_list = [], [], []
    code = digit.copy()
    for m in range(2, length + 1):
        n_ok = len(tp) - (m - 1)
        if n_ok <= 0:
            break
        code = code[:n_ok] * base + digit[m - 1 :]
        ok = jj[m - 1 :] == jj[:n_ok]
        idx = np.flatnonzero(ok)
        codes_list.append(code[idx])
        starts_list.append(idx)
        lens_list.append(np.full(len(idx), m, dtype=_INT))
    empty = _empty_patterns()
    if not codes_list or sum(len(c) for c in codes_list) == 0:
        return empty
    codes = np.concatenate(codes_list)
    first_ev = np.concatenate(starts_list)
    lens = np.concatenate(lens_list)
    inv_raw, uniq_raw = pd.factorize(codes)
    inv = inv_raw.astype(_INT)
    uniq = np.asarray(uniq_raw, dtype=_INT)
    n_pat = len(uniq)
    wd = np.ones(n_j) if paths.weight is None else paths.weight.astype(float)
    pj = pd.unique(jj[first_ev] * np.int64(n_pat) + inv)
    p_pat, p_j = pj % n_pat, pj // n_pat
    journeys = np.bincount(p_pat, weights=wd[p_j], minlength=n_pat)
    failures = np.bincount(p_pat, weights=(fail * wd)[p_j], minlength=n_pat)
    # first step of each pattern: journeys (and failures) that visited it
    rep = np.empty(n_pat, dtype=_INT)
    rep[inv[::-1]] = np.arange(len(inv) - 1, -1, -1, dtype=_INT)
    first_tp = tp[first_ev[rep]]
    pat_len = lens[rep]
    vis_j, vis_t, _ = pair_counts(jj, tp, n_j, k)
    t_journeys = np.bincount(vis_t, weights=wd[vis_j], minlength=k)
    t_fail = np.bincount(vis_t, weights=(fail * wd)[vis_j], minlength=k)
    n1 = journeys.astype(float)
    a = failures
    n0 = t_journeys[first_tp] - n1
    c = t_fail[first_tp] - a
    keep = (n1 >= support) & (n0 >= support)
    if not keep.any():
        return empty
    sel = np.flatnonzero(keep)
    n1, a, n0, c = n1[sel], a[sel], n0[sel], c[sel]
    odds, low, high = odds_ratio_prior(a, n1 - a, c, n0 - c)
    p = fisher_exact_p(a, n1, a + c, n1 + n0, "greater")
    rate0 = c / n0
    excess = a - n1 * rate0
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
        }
    )
    order = np.lexsort(
        (out["pattern_text"].to_numpy(dtype=object), out["q_value"].to_numpy(), -excess)
    )
    return out.iloc[order].reset_index(drop=True)


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
    }
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})
