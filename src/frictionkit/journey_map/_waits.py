"""The long-wait test of :func:`frictionkit.journey_map.derive_pain_points`.

Part of :mod:`frictionkit.journey_map` (see its documentation): a wait after a
touchpoint is a signal only when the visitors who waited longer failed more.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.events import EventLog


#: Fewest visitors on each side (waited longer than the threshold / not) of the wait test.
MIN_WAIT_GROUP = 10


def _wait_tests(log: EventLog, waits: dict[str, float], q_max: float) -> dict[str, dict[str, Any]]:
    """Whether longer waits after a touchpoint go with more failure (the ``long_wait`` test).

    For each candidate touchpoint (median wait past both thresholds), its decided visitors
    are split by their longest wait after it: above ``threshold_s`` or at or below it.
    The failure rates of the two groups are compared: risk ratio with its Katz 95 %
    interval, one-sided Fisher exact p-value (more failure above), Benjamini-Hochberg
    q-values over the candidates. It is friction when ``q <= q_max`` and the interval is
    above 1. Without single journeys (a compact log) or with fewer than
    :data:`MIN_WAIT_GROUP` visitors on a side (everyone waits as long: the process's
    pace) nothing can be told, and the wait is not a signal.
    """
    from frictionkit.events._reductions import decided_paths
    from frictionkit.friction import benjamini_hochberg, risk_ratio
    from frictionkit.friction._stats import fisher_exact_p

    if not waits or log.is_compact:
        return {}
    index = {t: i for i, t in enumerate(log.touchpoints)}
    paths = decided_paths(log, "long_wait")
    off = paths.offsets_all
    ja = np.repeat(np.arange(len(off) - 1, dtype=np.int64), np.diff(off))
    inner = np.flatnonzero(ja[1:] == ja[:-1])
    ev = paths.event_all
    tpa = log.event_touchpoint[ev][inner]
    ts = log.event_timestamp_ns[ev]
    gap_s = (ts[inner + 1] - ts[inner]) / 1e9
    jj = ja[inner]
    failed = paths.outcome == 2
    names = list(waits)
    n_l, f_l, n_s, f_s = (np.zeros(len(names)) for _ in range(4))
    for i, t in enumerate(names):
        sel = tpa == index[t]
        longest = pd.Series(gap_s[sel]).groupby(jj[sel]).max()
        j = longest.index.to_numpy(dtype=np.int64)
        long = longest.to_numpy() > waits[t]
        n_l[i], f_l[i] = long.sum(), failed[j][long].sum()
        n_s[i], f_s[i] = (~long).sum(), failed[j][~long].sum()
    ok = (n_l >= MIN_WAIT_GROUP) & (n_s >= MIN_WAIT_GROUP)
    rr, low, high = risk_ratio(f_l, n_l, f_s, n_s)
    p = np.full(len(names), np.nan)
    if ok.any():
        p[ok] = fisher_exact_p(f_l[ok], n_l[ok], (f_l + f_s)[ok], (n_l + n_s)[ok], "greater")
    q = benjamini_hochberg(p)
    out: dict[str, dict[str, Any]] = {}
    for i, t in enumerate(names):
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_l = f_l[i] / n_l[i] if n_l[i] else math.nan
            rate_s = f_s[i] / n_s[i] if n_s[i] else math.nan
        out[t] = {
            "threshold_s": waits[t],
            "n_long": int(n_l[i]),
            "n_short": int(n_s[i]),
            "rate_long": rate_l,
            "rate_short": rate_s,
            "risk_ratio": float(rr[i]),
            "low": float(low[i]),
            "high": float(high[i]),
            "q_value": float(q[i]),
            "friction": bool(ok[i] and q[i] <= q_max and low[i] > 1),
        }
    return out
