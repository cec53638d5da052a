"""Result objects of prioritisation: :class:`Ranking` and :class:`MethodComparison`.

Both are frozen; build them with :func:`frictionkit.scoring.prioritise` and
:func:`frictionkit.scoring.compare_methods`.

Examples
--------
>>> import frictionkit as fk
>>> from frictionkit.scoring import prioritise
>>> ranking = prioritise(fk.datasets.load_autoparts())
>>> ranking  # doctest: +NORMALIZE_WHITESPACE
Ranking(method='value_per_cost', n=12, quick_wins=2,
        top=['onboarding_plan', 'guided_selling', 'callback_sla'], impact in EUR per year)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result
from frictionkit.exceptions import (
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.scoring._methods import _TIE_RTOL, SCORING, lookup

FloatArray: TypeAlias = npt.NDArray[np.float64]

__all__ = [
    "EASY_AND_SMART",
    "FILL_IN",
    "IMPACT_MISSING",
    "MAJOR_PROJECT",
    "QUADRANTS",
    "QUICK_WIN",
    "THANKLESS",
    "UNOWNED",
    "MethodComparison",
    "Ranking",
    "non_dominated",
    "weighted_spearman",
]

#: Quadrant of high impact and low effort: the quick wins. One name for the concept in
#: legends, tables and prose ("quick win", as in :meth:`Ranking.quick_wins`, the
#: ``quick_win`` column of a roadmap and ``p_quick_win`` of a rank risk).
QUICK_WIN = "quick win"
#: The former name of :data:`QUICK_WIN` (the "easy & smart" quadrant), kept as an alias:
#: it holds the same label, ``"quick win"``.
EASY_AND_SMART = QUICK_WIN
#: High impact, high effort.
MAJOR_PROJECT = "major project"
#: Low impact, low effort.
FILL_IN = "fill-in"
#: Low impact, high effort.
THANKLESS = "thankless"
#: The four quadrants, best first.
QUADRANTS: tuple[str, ...] = (QUICK_WIN, MAJOR_PROJECT, FILL_IN, THANKLESS)
#: The label of an improvement without any impact (no declared impact and no value at
#: stake for what it fixes): it is in no quadrant, and never a quick win.
IMPACT_MISSING = "impact missing"
#: Shown in place of a missing owner.
UNOWNED = "unowned"


_QUICK_WIN_COLUMNS = [
    "rank",
    "id",
    "title",
    "owner",
    "score",
    "impact",
    "impact_source",
    "effort_days",
    "cost",
]


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _days(x: float) -> str:
    return "day" if x == 1 else "days"


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Ranking(Result):
    """Improvements ranked by one method, with the reasons.

    Attributes
    ----------
    method : str
        The method used (one of :data:`frictionkit.scoring.METHODS`).
    label : str
        Its name in plain words ("value per cost").
    table : pandas.DataFrame
        One row per improvement, best first: ``id, title, owner, impact, impact_source,
        effort_days, cost, confidence, reach, score, rank, quadrant, non_dominated,
        mandatory`` and the ``contrib_<criterion>`` breakdown of the score (see
        ``docs/concepts/prioritisation.md`` for how each method's breakdown combines).
    weights : pandas.Series or None
        The normalised criterion weights (MCDA methods).
    criteria : dict or None
        Criterion -> True (benefit) / False (cost) (MCDA methods).
    thresholds : dict
        ``{"impact": .., "effort_days": ..}`` used for the quadrants.
    source : object
        The input that was ranked (for :meth:`evolve`).
    options : dict
        The keyword arguments of :func:`~frictionkit.scoring.prioritise` (for :meth:`evolve`).
    currency : str or None
        The currency of ``impact`` and ``cost`` (the journey's or the call's), for display.
    period : str or None
        The period ``impact`` is counted per (``"year"`` unless the journey or the call
        says otherwise; None for a table or list of improvements without ``per``).
    value_at_stake : pandas.DataFrame or None
        With ``evidence=``: the measured value at stake of each pain point
        (``pain_point``, ``touchpoint``, ``value_at_stake_per_<period>`` with ``_low`` /
        ``_high``, ``visitors_per_<period>``).
    impact_draws : pandas.DataFrame or None
        With ``evidence=``: bootstrap draws of each improvement's impact (one row per
        draw, one column per improvement id in rank order; constant for improvements
        not valued from the evidence), for rank risk and robust plans.
    value_draws : dict or None
        With ``evidence=``: pain point id -> bootstrap draws of its value at stake (the
        form ``rank_risk(value_at_stake=...)`` takes).
    """

    method: str
    label: str
    table: pd.DataFrame
    weights: pd.Series | None = None
    criteria: Mapping[str, bool] | None = None
    thresholds: Mapping[str, float] = attrs.field(factory=dict)
    source: Any = None
    options: Mapping[str, Any] = attrs.field(factory=dict)
    currency: str | None = None
    period: str | None = None
    value_at_stake: pd.DataFrame | None = None
    impact_draws: pd.DataFrame | None = None
    value_draws: Mapping[str, Any] | None = None

    #: :func:`frictionkit.scoring.prioritise`, which builds every Ranking: set when its
    #: module loads, so that :meth:`evolve` ranks again without importing it back.
    _prioritise: ClassVar[Callable[..., Ranking]]

    _charts: ClassVar[Mapping[str, str]] = {"impact_effort": "impact_effort"}

    def __len__(self) -> int:
        return len(self.table)

    def to_frame(self) -> pd.DataFrame:
        """The ranking as a new DataFrame, best first.

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.scoring import prioritise
        >>> prioritise(fk.datasets.load_autoparts()).to_frame()["id"].head(2).tolist()
        ['onboarding_plan', 'guided_selling']
        """
        return self.table.copy()

    def quick_wins(self) -> pd.DataFrame:
        """The quick wins (high impact, low effort), best rank first, each with why.

        A quick win has an impact strictly above the impact threshold (and above 0) and
        an effort strictly below the effort threshold; an improvement without any impact
        is never one. Missing owners are shown as ``"unowned"``. The ``why`` column says
        why each one is there.

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.scoring import prioritise
        >>> wins = prioritise(fk.datasets.load_autoparts()).quick_wins()
        >>> wins["id"].tolist()
        ['guided_selling', 'callback_sla']
        >>> print(wins["why"].iloc[1])
        impact 150,000 above median 80,000; effort 6 days below median 11
        """
        rows = self.table[self.table["quadrant"] == QUICK_WIN]
        out = rows[_QUICK_WIN_COLUMNS].reset_index(drop=True)
        out["owner"] = out["owner"].astype(object).where(out["owner"].notna(), UNOWNED)
        out["why"] = [
            self._why(float(i), float(e))
            for i, e in zip(out["impact"], out["effort_days"], strict=True)
        ]
        return out

    def _threshold_names(self) -> tuple[str, str]:
        spec = self.options.get("quadrant_thresholds", "median")
        if isinstance(spec, str):
            return "median", "median"
        given = set(spec) if isinstance(spec, Mapping) else {"impact", "effort_days"}
        return (
            "threshold" if "impact" in given else "median",
            "threshold" if "effort_days" in given else "median",
        )

    def _why(self, impact: float, effort: float) -> str:
        t_imp, t_eff = self.thresholds["impact"], self.thresholds["effort_days"]
        n_imp, n_eff = self._threshold_names()
        return (
            f"impact {_num(impact)} above {n_imp} {_num(t_imp)}; "
            f"effort {_num(effort)} {_days(effort)} below {n_eff} {_num(t_eff)}"
        )

    def by_owner(self) -> pd.DataFrame:
        """One row per owner: how many improvements, quick wins, effort, cost and impact.

        Rows are ordered by each owner's best rank; ``ids`` lists the owner's
        improvements in rank order.

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.scoring import prioritise
        >>> t = prioritise(fk.datasets.load_autoparts()).by_owner()
        >>> t[["owner", "improvements", "quick_wins", "best_rank"]].head(1).to_dict("records")
        [{'owner': 'sales', 'improvements': 3, 'quick_wins': 1, 'best_rank': 1}]
        """
        t = self.table.assign(
            owner=self.table["owner"].astype(object).where(self.table["owner"].notna(), UNOWNED),
            quick_win=self.table["quadrant"] == QUICK_WIN,
        )
        rows = []
        for owner, grp in t.groupby("owner", sort=False):
            rows.append(
                {
                    "owner": str(owner),
                    "improvements": len(grp),
                    "quick_wins": int(grp["quick_win"].sum()),
                    "effort_days": float(grp["effort_days"].sum()),
                    "cost": float(grp["cost"].sum()),
                    "impact": float(grp["impact"].sum()),
                    "best_rank": int(grp["rank"].min()),
                    "ids": ", ".join(grp["id"]),
                }
            )
        out = pd.DataFrame(rows)
        return out.sort_values("best_rank", kind="stable").reset_index(drop=True)

    def explain(self, id: str) -> str:
        """A plain-language sentence saying why ``id`` ranks where it does.

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.scoring import prioritise
        >>> print(prioritise(fk.datasets.load_autoparts()).explain("callback_sla"))
        callback_sla ranks 3rd of 12 by value per cost (score 18.8): impact 150,000 EUR per year (declared) for cost 8,000 EUR and 6 effort days, owner customer_service. It is a quick win: impact 150,000 above median 80,000; effort 6 days below median 11. No other improvement beats it on impact, effort and cost at once.
        """  # noqa: E501
        ids = self.table["id"].tolist()
        if id not in ids:
            raise UnknownReferenceError(
                f"no improvement {id!r} in this ranking" + did_you_mean(id, ids),
                field="id",
                value=id,
            )
        row = self.table.iloc[ids.index(id)]
        n = len(self.table)
        owner = row["owner"] if isinstance(row["owner"], str) else UNOWNED
        t_imp, t_eff = self.thresholds["impact"], self.thresholds["effort_days"]
        cur = f" {self.currency}" if self.currency else ""
        per = f" per {self.period}" if self.period else ""
        source = str(row["impact_source"])
        low, high = (float(row.get(c, math.nan)) for c in ("impact_low", "impact_high"))
        if math.isfinite(low) and math.isfinite(high):
            source += f", 95 % interval {_num(low)} to {_num(high)}"
        impact = "missing" if row["impact_source"] == "missing" else _num(float(row["impact"]))
        parts = [
            f"{id} ranks {_ordinal(int(row['rank']))} of {n} by {self.label} "
            f"(score {row['score']:.3g}): impact {impact}{cur}{per} "
            f"({source}) for cost {_num(float(row['cost']))}{cur} and "
            f"{_num(float(row['effort_days']))} effort days, owner {owner}."
        ]
        if self.weights is not None:
            contrib = {
                c[len("contrib_") :]: float(row[c])
                for c in self.table.columns
                if c.startswith("contrib_")
            }
            # VIKOR's breakdown is weighted regrets (smaller is better); for the other
            # methods a larger contribution is better
            spec = SCORING.get(self.method)
            regret = spec is not None and spec.regret_breakdown
            best = (min if regret else max)(contrib, key=contrib.__getitem__)
            worst = (max if regret else min)(contrib, key=contrib.__getitem__)

            def shown(k: str) -> str:
                return f"regret {contrib[k]:.3g}" if regret else f"{contrib[k]:+.3g}"

            parts.append(
                f"Its strongest criterion is {best} ({shown(best)}), its weakest "
                f"{worst} ({shown(worst)})."
            )
        quadrant = row["quadrant"]
        n_imp, n_eff = self._threshold_names()
        rule = (
            f"impact above the {n_imp} {_num(t_imp)} and effort below the {n_eff} "
            f"{_num(t_eff)} days"
        )
        if quadrant == QUICK_WIN:
            why = self._why(float(row["impact"]), float(row["effort_days"]))
            parts.append(f"It is a quick win: {why}.")
        elif quadrant == IMPACT_MISSING:
            parts.append(f"It is not a quick win: its impact is missing (quick wins need {rule}).")
        else:
            parts.append(f"It is not a quick win: it is a {quadrant} (quick wins need {rule}).")
        if bool(row["non_dominated"]):
            parts.append("No other improvement beats it on impact, effort and cost at once.")
        else:
            t = self.table
            dom = t[
                (t["impact"] >= row["impact"])
                & (t["effort_days"] <= row["effort_days"])
                & (t["cost"] <= row["cost"])
                & (
                    (t["impact"] > row["impact"])
                    | (t["effort_days"] < row["effort_days"])
                    | (t["cost"] < row["cost"])
                )
            ]
            parts.append(
                f"{dom['id'].iloc[0]} beats it on impact, effort and cost at once"
                + (f" (and {len(dom) - 1} more)." if len(dom) > 1 else ".")
            )
        return " ".join(parts)

    def evolve(self, **changes: Any) -> Ranking:
        """Rank the same input again with some arguments changed (method, weights, ...).

        Switching to a method that takes no weights drops the previous weights and
        criteria unless they are given again.

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.scoring import prioritise
        >>> r = prioritise(fk.datasets.load_autoparts())
        >>> r.evolve(method="rice").method
        'rice'
        """
        opts = dict(self.options)
        opts.update(changes)
        method = opts.pop("method", self.method)
        spec = lookup(method)
        if spec is None or not spec.mcda:
            for key in ("weights", "criteria"):
                if key not in changes:
                    opts[key] = None
        return Ranking._prioritise(self.source, method, **opts)

    def _repr_body(self) -> str:
        top = self.table["id"].head(3).tolist()
        wins = int((self.table["quadrant"] == QUICK_WIN).sum())
        body = f"method={self.method!r}, n={len(self.table)}, quick_wins={wins}, top={top}"
        unit = (f" in {self.currency}" if self.currency else "") + (
            f" per {self.period}" if self.period else ""
        )
        return body + (f", impact{unit}" if unit else "")

    def _repr_facts(self) -> list[tuple[str, str]]:
        return [("method", self.label)]

    def _repr_frame(self) -> pd.DataFrame:
        cols = ["rank", "id", "owner", "score", "impact", "impact_source", "effort_days"]
        return self.table[[*cols, "cost", "quadrant"]]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class MethodComparison(Result):
    """Several methods side by side (see :func:`frictionkit.scoring.compare_methods`).

    Attributes
    ----------
    ranks : pandas.DataFrame
        Rank of each improvement (index ``id``, in the first method's order) per method.
    kendall_tau : pandas.DataFrame
        Kendall's tau-b for every pair of methods.
    weighted_spearman : pandas.DataFrame
        da Costa and Soares' top-weighted r_W for every pair of methods.
    rankings : dict
        Method -> :class:`Ranking`.
    """

    ranks: pd.DataFrame
    kendall_tau: pd.DataFrame
    weighted_spearman: pd.DataFrame
    rankings: Mapping[str, Ranking]

    def to_frame(self) -> pd.DataFrame:
        """Ranks per method with ``best``, ``worst`` and ``spread`` columns (one row per id).

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.scoring import compare_methods
        >>> cmp = compare_methods(fk.datasets.load_autoparts(), ["value_per_cost", "rice"])
        >>> [int(v) for v in cmp.to_frame().loc["onboarding_plan"]]
        [1, 2, 1, 2, 1]
        """
        out = self.ranks.copy()
        out["best"] = self.ranks.min(axis=1)
        out["worst"] = self.ranks.max(axis=1)
        out["spread"] = out["worst"] - out["best"]
        return out

    def most_sensitive(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` improvements whose rank depends most on the method (largest spread).

        Ties keep the first method's order.

        Examples
        --------
        >>> import frictionkit as fk
        >>> from frictionkit.scoring import compare_methods
        >>> cmp = compare_methods(fk.datasets.load_autoparts(), ["value_per_cost", "rice"])
        >>> cmp.most_sensitive(1).index.tolist()
        ['delivery_notifications']
        """
        return self.to_frame().sort_values("spread", ascending=False, kind="stable").head(n)

    def _repr_body(self) -> str:
        methods = list(self.ranks.columns)
        return f"methods={methods}, n={len(self.ranks)}"


# ---------------------------------------------------------------------------------------
# ranking rules


def _rank(score: FloatArray, cost: FloatArray, effort: FloatArray) -> npt.NDArray[np.int64]:
    n = score.size
    order = np.argsort(-score, kind="stable")
    s = score[order]
    scale = float(np.abs(score).max()) if n else 0.0
    new = np.ones(n, dtype=bool)
    new[1:] = (s[:-1] - s[1:]) > _TIE_RTOL * max(scale, 1e-300)
    ranks = np.empty(n, dtype=np.int64)
    if new.all():  # no ties: the score order is the ranking
        ranks[order] = np.arange(1, n + 1)
        return ranks
    group = np.empty(n, dtype=np.int64)
    group[order] = np.cumsum(new)
    # only the tied places need the tie-breaks: sort the improvements in tied groups
    # (taken in input order; lexsort is stable) by group, cost, effort, in their places
    alone = new.copy()
    alone[:-1] &= new[1:]
    tied_places = np.flatnonzero(~alone)
    tied = np.sort(order[tied_places])
    final = order.copy()
    final[tied_places] = tied[np.lexsort((effort[tied], cost[tied], group[tied]))]
    ranks[final] = np.arange(1, n + 1)
    return ranks


def _thresholds(spec: Any, impact: FloatArray, effort: FloatArray) -> dict[str, float]:
    med = {
        "impact": float(np.median(impact)) if impact.size else math.nan,
        "effort_days": float(np.median(effort)) if effort.size else math.nan,
    }
    if isinstance(spec, str):
        if spec != "median":
            raise UnknownReferenceError(
                f"unknown quadrant_thresholds {spec!r}; use 'median' or "
                "{'impact': value, 'effort_days': value}" + did_you_mean(spec, ["median"]),
                field="quadrant_thresholds",
                value=spec,
            )
        return med
    if isinstance(spec, Mapping):
        for key in spec:
            if key not in med:
                raise UnknownReferenceError(
                    f"quadrant_thresholds key {key!r} is unknown; use 'impact' and/or "
                    "'effort_days'" + did_you_mean(key, list(med)),
                    field="quadrant_thresholds",
                    value=key,
                )
        pairs = dict(spec)
    elif isinstance(spec, Sequence) and len(spec) == 2:
        pairs = {"impact": spec[0], "effort_days": spec[1]}
    else:
        raise InputTypeError(
            "quadrant_thresholds must be 'median', a mapping {'impact': .., 'effort_days': ..} "
            f"or a pair (impact, effort_days); got {spec!r}",
            field="quadrant_thresholds",
            value=spec,
        )
    out = dict(med)
    for key, raw in pairs.items():
        if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, (int, float, np.number)):
            raise InputTypeError(
                f"quadrant_thresholds[{key!r}] must be a number, got {raw!r}",
                field="quadrant_thresholds",
                value=raw,
            )
        if not math.isfinite(float(raw)):
            raise ValidationError(
                f"quadrant_thresholds[{key!r}] must be finite, got {raw!r}",
                field="quadrant_thresholds",
                value=raw,
            )
        out[str(key)] = float(raw)
    return out


_QUADRANT_BY_CODE = np.array([THANKLESS, FILL_IN, MAJOR_PROJECT, QUICK_WIN], dtype=object)


def _quadrants(
    impact: FloatArray,
    effort: FloatArray,
    t: Mapping[str, float],
    missing: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.object_]:
    """Quadrant of each improvement; thresholds are strict.

    High impact is strictly above the impact threshold and above 0 (a zero impact is
    never high); low effort is strictly below the effort threshold. An improvement whose
    impact is ``missing`` gets :data:`IMPACT_MISSING` instead of a quadrant.
    """
    with np.errstate(invalid="ignore"):
        high = (impact > t["impact"]) & (impact > 0)
        easy = effort < t["effort_days"]
    code = 2 * high.astype(np.intp) + easy
    out: npt.NDArray[np.object_] = _QUADRANT_BY_CODE[code]
    if missing is not None:
        out = np.where(missing, IMPACT_MISSING, out).astype(object)
    return out


def non_dominated(
    impact: npt.ArrayLike, effort: npt.ArrayLike, cost: npt.ArrayLike, *, block: int = 256
) -> npt.NDArray[np.bool_]:
    """Flag the improvements that no other beats on impact, effort and cost at once.

    ``j`` dominates ``i`` when ``impact_j >= impact_i``, ``effort_j <= effort_i`` and
    ``cost_j <= cost_i`` with at least one strict. Exact duplicates do not dominate each
    other. Points are visited in lexicographic order (impact descending, effort and cost
    ascending), so a dominator always comes first. Each step takes the next ``block``
    points still in play, keeps those that no other point of the block dominates (they are
    on the front), and drops every later point one of them dominates: a dominated point
    always has a dominator on the front, so few steps remain once the front's strongest
    points are known, and the work is about ``n`` times the size of the front.

    Parameters
    ----------
    impact, effort, cost : array-like
        One finite value per improvement.
    block : int, default 256
        Block size of the vectorised comparison.

    Returns
    -------
    numpy.ndarray
        Boolean flags aligned with the inputs.

    Examples
    --------
    >>> non_dominated([10, 8, 10], [2, 1, 3], [5, 5, 5])
    array([ True,  True, False])
    """
    imp = np.asarray(impact, dtype=np.float64)
    eff = np.asarray(effort, dtype=np.float64)
    cst = np.asarray(cost, dtype=np.float64)
    n = imp.size
    pts = np.stack([-imp, eff, cst])  # one row per criterion, all "lower is better"
    order = _lexicographic(pts)
    pts = pts[:, order]
    keep = np.zeros(n, dtype=bool)
    live = np.arange(n)  # positions in lexicographic order still in play
    while live.size:
        head, live = live[:block], live[block:]
        # no point before the block in play dominates it (those were dropped already),
        # so the block's own non-dominated points are on the front
        block_pts = pts[:, head]
        front = head[~_dominated_by(block_pts, block_pts)]
        keep[front] = True
        if live.size:
            live = live[~_dominated_by(pts[:, front], pts[:, live])]
    out = np.empty(n, dtype=bool)
    out[order] = keep
    return out


def _lexicographic(pts: FloatArray) -> npt.NDArray[np.intp]:
    """Order of the columns of ``pts`` by row 0, then row 1, then row 2 (all ascending)."""
    if pts.shape[1] == 0:
        return np.arange(0)
    codes = [np.unique(row, return_inverse=True)[1].astype(np.int64) for row in pts]
    size = math.prod(int(code.max()) + 1 for code in codes)
    if size >= 2**62:  # the combined key would overflow int64
        return np.lexsort(codes[::-1])
    key = codes[0]
    for code in codes[1:]:
        key = key * (int(code.max()) + 1) + code
    # equal keys are equal points, which never dominate each other: any order will do
    return np.argsort(key)


def _dominated_by(cands: FloatArray, pts: FloatArray) -> npt.NDArray[np.bool_]:
    """Flag each column of ``pts`` that a column of ``cands`` dominates (lower is better)."""
    c = [row[:, None] for row in cands]
    at_least = pts[0] >= c[0]
    worse = pts[0] > c[0]
    for k in (1, 2):
        at_least &= pts[k] >= c[k]
        worse |= pts[k] > c[k]
    at_least &= worse
    return np.asarray(at_least.any(axis=0), dtype=bool)


# ---------------------------------------------------------------------------------------
# comparing rankings


def weighted_spearman(ranks_a: npt.ArrayLike, ranks_b: npt.ArrayLike) -> float:
    """Top-weighted rank correlation r_W of da Costa and Soares (2005).

    ``r_W = 1 - 6 sum_i (R_i - Q_i)^2 ((n - R_i + 1) + (n - Q_i + 1)) / (n^4 + n^3 - n^2 - n)``
    for two rankings ``R`` and ``Q`` of ``n >= 2`` items (1 = best): disagreements near
    the top weigh more than at the bottom. It is 1 for identical rankings and -1 for
    reversed ones (J. Pinto da Costa and C. Soares, "A weighted rank measure of
    correlation", *Australian & New Zealand Journal of Statistics* 47(4), 515-529, 2005).

    Parameters
    ----------
    ranks_a, ranks_b : array-like
        Two rankings of the same items, aligned.

    Returns
    -------
    float

    Examples
    --------
    >>> weighted_spearman([1, 2, 3], [1, 2, 3])
    1.0
    >>> weighted_spearman([1, 2], [2, 1])
    -1.0
    >>> round(weighted_spearman([1, 2, 3, 4], [2, 1, 3, 4]), 4), round(
    ...     weighted_spearman([1, 2, 3, 4], [1, 2, 4, 3]), 4)
    (0.72, 0.88)
    """
    r = np.asarray(ranks_a, dtype=np.float64)
    q = np.asarray(ranks_b, dtype=np.float64)
    if r.shape != q.shape or r.ndim != 1 or r.size < 2:
        raise ValidationError(
            f"need two rankings of the same n >= 2 items, got shapes {r.shape} and {q.shape}",
            field="ranks",
        )
    n = float(r.size)
    num = 6.0 * float(np.sum((r - q) ** 2 * ((n - r + 1) + (n - q + 1))))
    return 1.0 - num / (n**4 + n**3 - n**2 - n)
