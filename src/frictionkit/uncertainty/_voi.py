"""Value of information: EVPI and per-input EVPPI of a top-k decision, by Monte Carlo."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._validate import as_weights as _check_weights
from frictionkit.uncertainty._common import (
    _CHUNK_ELEMENTS,
    FloatArray,
    Method,
    _count,
    _k,
    _method,
)
from frictionkit.uncertainty._smaa import _prepare, _Scorer

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
    >>> from frictionkit.uncertainty import sample_estimates
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
