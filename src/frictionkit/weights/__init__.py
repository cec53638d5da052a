"""Criterion weights: direct, AHP, entropy, CRITIC, rank-order centroid, rank sum, swing.

Every function returns weights that are non-negative and sum to 1. When criterion names
are known (a mapping was given, or ``criteria=`` was passed) the result is a
:class:`pandas.Series` indexed by criterion name; otherwise it is a 1-d
:class:`numpy.ndarray` in the order of the input.

Conventions (pinned)
--------------------
- **Direct** (:func:`normalise_weights`): weights are divided by their sum. Negative, NaN
  or all-zero weights are refused; a sum that differs from 1 by more than ``1e-9`` is
  normalised with a :class:`WeightsNormalisedWarning`.
- **AHP** (:func:`ahp`): the weights are the principal (Perron) eigenvector of the
  pairwise comparison matrix, normalised to sum 1 (Saaty, 1977, 1980).
  ``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)`` with a *named* random-index
  table (:data:`RANDOM_INDEX`). For ``n <= 2`` a reciprocal matrix is always consistent:
  CI = CR = 0 by definition. ``CR > 0.10`` issues an :class:`AHPInconsistencyWarning`.
- **Entropy** (:func:`entropy_weights`): Shannon entropy of each criterion's share
  distribution ``p_ij = x_ij / sum_i x_ij``, ``e_j = -sum_i p_ij ln p_ij / ln n``,
  ``w_j = (1 - e_j) / sum_k (1 - e_k)`` (Shannon, 1948; Zeleny, 1982; Hwang and Yoon, 1981).
- **CRITIC** (:func:`critic_weights`): min-max normalised criteria, ``C_j = sigma_j *
  sum_k (1 - r_jk)``, ``w_j = C_j / sum_k C_k`` (Diakoulaki, Mavrotas and Papayannakis,
  1995), with the sample standard deviation (``ddof=1``).
- **Rank-order centroid** (:func:`rank_order_centroid`): ``w_i = (1/n) sum_{k=i}^{n} 1/k``
  (Barron and Barrett, 1996); **rank sum** (:func:`rank_sum`):
  ``w_i = 2 (n + 1 - i) / (n (n + 1))`` (Stillwell, Seaver and Edwards, 1981).
- **Swing** (:func:`swing_weights`): points given to each criterion's swing from worst to
  best (100 for the most important swing), divided by their sum (von Winterfeldt and
  Edwards, 1986).

Examples
--------
>>> from frictionkit.weights import ahp, rank_order_centroid
>>> rank_order_centroid(["impact", "effort", "risk"]).round(4).to_dict()
{'impact': 0.6111, 'effort': 0.2778, 'risk': 0.1111}
>>> res = ahp({("impact", "effort"): 3, ("impact", "risk"): 5, ("effort", "risk"): 2})
>>> res.weights.round(3).to_dict()
{'impact': 0.648, 'effort': 0.23, 'risk': 0.122}
>>> round(res.cr, 4)
0.0032
"""

from __future__ import annotations

from frictionkit.exceptions import AHPInconsistencyWarning, WeightsNormalisedWarning
from frictionkit.weights._ahp import (
    CR_THRESHOLD as CR_THRESHOLD,
)
from frictionkit.weights._ahp import (
    RANDOM_INDEX,
    AHPResult,
    ahp,
)
from frictionkit.weights._derived import (
    critic_weights,
    entropy_weights,
    rank_order_centroid,
    rank_sum,
    swing_weights,
)
from frictionkit.weights._direct import (
    SUM_TOLERANCE as SUM_TOLERANCE,
)
from frictionkit.weights._direct import (
    normalise_weights,
)

__all__ = [
    "RANDOM_INDEX",
    "AHPInconsistencyWarning",
    "AHPResult",
    "WeightsNormalisedWarning",
    "ahp",
    "critic_weights",
    "entropy_weights",
    "normalise_weights",
    "rank_order_centroid",
    "rank_sum",
    "swing_weights",
]
