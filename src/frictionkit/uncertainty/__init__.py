"""Decisions under uncertainty: sampled estimates, SMAA-2, rank risk, weight stability, VOI.

Every effort, cost and impact figure is a guess (an :class:`~frictionkit.estimates.Estimate`)
and the criterion weights are rarely known exactly. This module works on plain decision
matrices (``n`` alternatives x ``m`` criteria) and answers three questions:

- **How likely is each alternative to end up at each rank?** :func:`smaa` runs stochastic
  multicriteria acceptability analysis (SMAA-2; Lahdelma and Salminen, 2001) over uncertain
  weights (uniform on the simplex, ordered, bounded or fixed) and, optionally, sampled
  criteria values (:func:`sample_estimates`).
- **How likely is each improvement of a journey to make the shortlist?** :func:`rank_risk`
  samples the improvements' estimates (and the value at stake) and scores every draw
  with the definitions of :func:`frictionkit.scoring.prioritise`; :class:`RankRisk` holds
  rank probabilities, top-k and quick-win probabilities, and :meth:`RankRisk.check_first`.
- **How far can a weight move before the top-k set changes?** :func:`stability_intervals`
  and :func:`weight_sweep`.
- **Which guess is worth checking first?** :func:`value_of_information` estimates the
  expected value of perfect information about each uncertain cell.

Conventions (pinned)
--------------------
- Scores are those of :func:`frictionkit.mcda.weighted_sum` (min-max normalisation, per
  draw of the matrix) and :func:`frictionkit.mcda.topsis` (vector normalisation); higher
  is better.
- Ranks: 1 = best; ties go to the alternative listed first, as :func:`frictionkit.mcda.rank`.
  Scores that agree to a relative ``2^(b - 52)`` (``b`` the number of bits needed to number
  the alternatives: ``2^-42`` for up to 1,024) count as tied: ranking packs the score and
  the position into one 64-bit key so that one fast sort does it.
- Weights uniform on the simplex are Dirichlet(1) draws (normalised standard
  exponentials), never independent uniforms divided by their sum (that is not uniform).
- Randomness only through ``seed``: the same seed gives the same output bit for bit,
  whatever ``chunk`` is.

Examples
--------
>>> from frictionkit.uncertainty import smaa
>>> res = smaa([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]], [True, True], seed=1, draws=4000)
>>> res.rank_acceptability.round(1)  # exact: 0.4 0.1 0.5 / 0.4 0.1 0.5 / 0.2 0.8 0
rank           1    2    3
alternative
0            0.4  0.1  0.5
1            0.4  0.1  0.5
2            0.2  0.8  0.0
"""

from __future__ import annotations

from frictionkit.exceptions import SMAAAcceptanceWarning

# Private kernels are re-exported (as X as X) for the tests that check them against mcda;
# the scoring kernels live in frictionkit.scoring._kernels.
from frictionkit.scoring._kernels import (
    _topsis_batch_kernel as _topsis_batch_kernel,
)
from frictionkit.scoring._kernels import (
    _topsis_fixed_kernel as _topsis_fixed_kernel,
)
from frictionkit.scoring._kernels import (
    _topsis_fixed_parts as _topsis_fixed_parts,
)
from frictionkit.scoring._kernels import (
    _ws_batch_kernel as _ws_batch_kernel,
)
from frictionkit.uncertainty._common import DEFAULT_DRAWS, SMAA_METHODS
from frictionkit.uncertainty._rank_risk import RankRisk, rank_risk
from frictionkit.uncertainty._sampling import (
    iter_estimate_draws,
    sample_estimates,
    sample_weights,
)
from frictionkit.uncertainty._sensitivity import stability_intervals, weight_sweep
from frictionkit.uncertainty._smaa import (
    SMAAResult,
    smaa,
)
from frictionkit.uncertainty._smaa import (
    _order_kernel as _order_kernel,
)
from frictionkit.uncertainty._voi import value_of_information

__all__ = [
    "DEFAULT_DRAWS",
    "SMAA_METHODS",
    "RankRisk",
    "SMAAAcceptanceWarning",
    "SMAAResult",
    "iter_estimate_draws",
    "rank_risk",
    "sample_estimates",
    "sample_weights",
    "smaa",
    "stability_intervals",
    "value_of_information",
    "weight_sweep",
]
