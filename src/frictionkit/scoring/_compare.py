"""Several methods side by side: :func:`compare_methods` (private module).

:mod:`frictionkit.scoring` re-exports the public names.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from frictionkit.exceptions import (
    InputTypeError,
    MissingImpactWarning,
    MissingOwnerWarning,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.model import Improvement, Journey
from frictionkit.scoring._methods import SCORING, lookup
from frictionkit.scoring._prioritise import prioritise
from frictionkit.scoring._ranking import MethodComparison, Ranking, weighted_spearman

__all__ = ["DEFAULT_COMPARE_METHODS", "compare_methods"]

#: Methods compared by :func:`compare_methods` when none are given.
DEFAULT_COMPARE_METHODS: tuple[str, ...] = (
    "value_per_cost",
    "rice",
    "wsjf",
    "weighted_sum",
    "topsis",
    "promethee",
)


def compare_methods(
    journey_or_improvements: Journey | pd.DataFrame | Iterable[Improvement],
    methods: Sequence[str] = DEFAULT_COMPARE_METHODS,
    **kwargs: Any,
) -> MethodComparison:
    """Rank the same improvements with several methods and measure their agreement.

    Each method runs through :func:`prioritise` with ``kwargs`` (``weights`` and
    ``criteria`` go to the MCDA methods only). The result holds the rank of every
    improvement under every method, Kendall's tau-b (:func:`scipy.stats.kendalltau`) and
    the weighted Spearman r_W (:func:`weighted_spearman`) for every pair of methods, and
    the spread (worst rank - best rank) of each improvement across methods.

    Parameters
    ----------
    journey_or_improvements : Journey, DataFrame or list of Improvement
    methods : sequence of str, default DEFAULT_COMPARE_METHODS
        At least two distinct methods from :data:`METHODS`.
    **kwargs
        Passed to :func:`prioritise`.

    Returns
    -------
    MethodComparison

    Examples
    --------
    >>> import frictionkit as fk
    >>> cmp = compare_methods(fk.datasets.load_autoparts(), ["value_per_cost", "rice"])
    >>> round(float(cmp.kendall_tau.loc["value_per_cost", "rice"]), 3)
    0.758
    """
    from scipy import stats

    if isinstance(methods, str):
        raise InputTypeError(
            "methods must be a list of method names", field="methods", value=methods
        )
    chosen = list(dict.fromkeys(methods))
    if len(chosen) < 2:
        raise ValidationError(
            f"compare at least two distinct methods, got {chosen}",
            field="methods",
            value=methods,
        )
    for m in chosen:
        if lookup(m) is None:
            raise UnknownReferenceError(
                f"unknown method {m!r}; choose from {list(SCORING)}"
                + did_you_mean(m, list(SCORING)),
                field="methods",
                value=m,
            )
    mcda_only = {k: kwargs.pop(k) for k in ("weights", "criteria") if k in kwargs}
    rankings: dict[str, Ranking] = {}
    for m in chosen:
        extra = mcda_only if SCORING[m].mcda else {}
        with warnings.catch_warnings():
            if rankings:  # warn about the inputs once, not once per method
                warnings.simplefilter("ignore", MissingImpactWarning)
                warnings.simplefilter("ignore", MissingOwnerWarning)
            rankings[m] = prioritise(journey_or_improvements, m, **extra, **kwargs)
    first = rankings[chosen[0]].table
    ids = first["id"].tolist()
    if len(ids) < 2:
        raise ValidationError(
            "compare_methods needs at least two improvements", field="journey_or_improvements"
        )
    ranks = pd.DataFrame(
        {m: r.table.set_index("id")["rank"].reindex(ids).to_numpy() for m, r in rankings.items()},
        index=pd.Index(ids, name="id"),
    )
    tau = pd.DataFrame(np.eye(len(chosen)), index=chosen, columns=chosen)
    rw = tau.copy()
    for a_pos, a in enumerate(chosen):
        for b in chosen[a_pos + 1 :]:
            t = float(stats.kendalltau(ranks[a], ranks[b]).statistic)
            tau.loc[a, b] = tau.loc[b, a] = t
            rw.loc[a, b] = rw.loc[b, a] = weighted_spearman(ranks[a], ranks[b])
    return MethodComparison(ranks=ranks, kendall_tau=tau, weighted_spearman=rw, rankings=rankings)
