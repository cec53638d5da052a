"""Charts of decisions: the impact-effort matrix and the rank risk of SMAA."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit.exceptions import InputTypeError, ValidationError
from frictionkit.plot._common import (
    TEXT_GREY,
    axes,
    check_labels,
    check_top,
    color_map,
    full_text,
    label_of,
    plain_labels,
    pyplot,
    side_legend,
    thousands,
    thousands_formatter,
    wrap,
    wrong_type,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "impact_effort",
    "impact_effort_data",
    "rank_acceptability",
    "rank_acceptability_data",
    "rank_risk",
    "rank_risk_data",
]

#: Width (characters) of a line of an improvement's name beside its bubble (two lines).
_LABEL_WIDTH = 20

#: Smallest and largest bubble area (points squared) of the impact-effort matrix.
_MIN_AREA, _MAX_AREA = 60.0, 1400.0


def _bubble_area(cost: npt.NDArray[np.float64], largest: float) -> npt.NDArray[np.float64]:
    if largest <= 0:
        return np.full(cost.shape, (_MIN_AREA + _MAX_AREA) / 4)
    out: npt.NDArray[np.float64] = (
        _MIN_AREA + (_MAX_AREA - _MIN_AREA) * np.clip(cost, 0, None) / largest
    )
    return out


def _nice(x: float) -> float:
    """``x`` rounded to one significant digit (for legend keys)."""
    if x <= 0:
        return 0.0
    mag = 10 ** math.floor(math.log10(x))
    return float(round(x / mag) * mag)


def _dot_key(
    label: str, face: str, edge: str, *, size: float = 8.0, edge_width: float | None = None
) -> Any:
    """A round legend key (a marker-only line) for the bubbles of the matrix."""
    from matplotlib.lines import Line2D

    return Line2D(
        [],
        [],
        marker="o",
        linestyle="",
        markersize=size,
        markerfacecolor=face,
        markeredgecolor=edge,
        markeredgewidth=edge_width,
        label=label,
    )


def _by_name(item: tuple[str, tuple[str, str]]) -> tuple[str, str]:
    """Sort key of a legend entry ``(owner id, (name, colour))``: by name, then id."""
    return item[1][0].casefold(), item[0]


# ---------------------------------------------------------------------------------------
# impact-effort matrix


def _check_ranking(ranking: Any) -> Any:
    from frictionkit.ranking import Ranking

    if not isinstance(ranking, Ranking):
        raise wrong_type(
            ranking, "ranking", "a Ranking", "Build one with frictionkit.prioritise(journey)"
        )
    return ranking


def impact_effort_data(
    ranking: Any, *, owner_labels: Any = None, improvement_labels: Any = None
) -> pd.DataFrame:
    """The table behind :func:`impact_effort`: one row per bubble.

    Parameters
    ----------
    ranking : Ranking
        From :func:`frictionkit.prioritise`.
    owner_labels : mapping of str to str, optional
        Display name of each owner, e.g. ``{ow.id: ow.label for ow in journey.owners}``;
        owners not in it keep their id.
    improvement_labels : mapping of str to str, optional
        Display name of each improvement, e.g. ``{imp.id: imp.title for imp in
        journey.improvements}``; improvements not in it keep their id.

    Returns
    -------
    pandas.DataFrame
        In rank order: ``id``, ``title``, ``label`` (the name in ``improvement_labels``,
        else ``id``: the text beside the bubble), ``owner`` (``"unowned"`` when missing),
        ``owner_label`` (its name in ``owner_labels``, else ``owner``: the name in the
        legend), ``rank``, ``effort_days`` (x), ``impact`` (y), ``cost``, ``quadrant``,
        ``non_dominated`` (outlined), ``area_pt2`` (bubble area in points squared: 60 +
        1,340 x cost / largest cost) and ``color`` (the owner's colour, by id).

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.plot import impact_effort_data
    >>> t = impact_effort_data(fk.prioritise(fk.datasets.load_autoparts()))
    >>> t[["id", "effort_days", "impact", "quadrant"]].head(2)
                   id  effort_days   impact      quadrant
    0  onboarding_plan          5.0  70000.0       fill-in
    1   guided_selling          5.5  90000.0     quick win
    >>> t = impact_effort_data(fk.prioritise(fk.datasets.load_autoparts()),
    ...                        owner_labels={"sales": "Sales team"})
    >>> t[["owner", "owner_label"]].head(2)
       owner owner_label
    0  sales  Sales team
    1  sales  Sales team
    >>> t = impact_effort_data(fk.prioritise(fk.datasets.load_autoparts()),
    ...                        improvement_labels={"guided_selling": "Guided selling"})
    >>> t[["id", "label"]].head(2)
                    id            label
    0  onboarding_plan  onboarding_plan
    1   guided_selling   Guided selling
    """
    from frictionkit.ranking import UNOWNED

    t = _check_ranking(ranking).table
    names = check_labels(owner_labels, "owner_labels")
    titles = check_labels(improvement_labels, "improvement_labels")
    owner = t["owner"].astype(object).where(t["owner"].notna(), UNOWNED).astype(str)
    colors = color_map(owner)
    cost = t["cost"].to_numpy(dtype=np.float64)
    largest = float(np.nanmax(cost)) if len(cost) else 0.0
    ids = t["id"].astype(str).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "id": ids,
            "title": t["title"].astype(object).to_numpy(),
            "label": np.array([label_of(titles, i) for i in ids], dtype=object),
            "owner": owner.to_numpy(dtype=object),
            "owner_label": np.array([label_of(names, o) for o in owner], dtype=object),
            "rank": t["rank"].to_numpy(),
            "effort_days": t["effort_days"].to_numpy(dtype=np.float64),
            "impact": t["impact"].to_numpy(dtype=np.float64),
            "cost": cost,
            "quadrant": t["quadrant"].astype(str).to_numpy(dtype=object),
            "non_dominated": t["non_dominated"].to_numpy(dtype=bool),
            "area_pt2": _bubble_area(cost, largest),
            "color": [colors[o] for o in owner],
        }
    )


@plain_labels
def impact_effort(
    ranking: Any,
    *,
    annotate: bool | Literal["id"] = True,
    owner_labels: Any = None,
    improvement_labels: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Impact-effort matrix: the quick wins top left.

    Each improvement is a bubble at (effort, impact), its area growing with its cost and
    its colour naming its owner (in the legend by its ``owner_labels`` name when given,
    else by its id). Dashed lines at the ranking's quadrant thresholds split
    the chart into the four quadrants (quick win, major project, fill-in, thankless;
    the quick-win one is shaded). Improvements that no other beats on impact, effort
    and cost at once (non-dominated) are outlined in black.

    Parameters
    ----------
    ranking : Ranking
        From :func:`frictionkit.prioritise`.
    annotate : bool or "id", default True
        Write each improvement's name beside its bubble: its ``improvement_labels`` name
        when given (wrapped on two lines of 20 characters, cut with an ellipsis past
        them), else its id. ``"id"`` writes the ids even when ``improvement_labels`` are
        given, a single short line each where bubbles crowd. Either way a name drawn
        otherwise than ``"name (id)"`` keeps that full text as the text's gid, which the
        HTML report shows as a tooltip.
    owner_labels : mapping of str to str, optional
        Display name of each owner, e.g. ``{ow.id: ow.label for ow in journey.owners}``
        (see :func:`impact_effort_data`).
    improvement_labels : mapping of str to str, optional
        Display name of each improvement, e.g. ``{imp.id: imp.title for imp in
        journey.improvements}``; improvements not in it keep their id.
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    impact_effort_data : the table drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.plot import impact_effort
    >>> ax = impact_effort(fk.prioritise(fk.datasets.load_autoparts()))
    >>> ax.get_xlabel()
    'Effort (person-days)'
    >>> ax.figure.savefig("impact-effort.png")
    >>> matplotlib.pyplot.close(ax.figure)
    >>> journey = fk.datasets.load_autoparts()
    >>> ax = impact_effort(fk.prioritise(journey),
    ...                    owner_labels={ow.id: ow.label for ow in journey.owners})
    >>> owners = next(a for a in ax.artists if a.get_gid() == "owner_legend")
    >>> [t.get_text() for t in owners.get_texts()][:3]
    ['Customer service', 'IT', 'Logistics']
    >>> matplotlib.pyplot.close(ax.figure)
    >>> ax = impact_effort(fk.prioritise(journey),
    ...                    improvement_labels={"guided_selling": "Guided selling"})
    >>> sorted(t.get_text() for t in ax.texts if t.get_text().startswith("Guided"))
    ['Guided selling']
    >>> matplotlib.pyplot.close(ax.figure)
    >>> ax = impact_effort(fk.prioritise(journey), annotate="id",
    ...                    improvement_labels={"guided_selling": "Guided selling"})
    >>> sorted(t.get_text() for t in ax.texts if t.get_text().startswith("guided"))
    ['guided_selling']
    >>> matplotlib.pyplot.close(ax.figure)
    """
    from matplotlib.patches import Rectangle

    from frictionkit.ranking import EASY_AND_SMART, FILL_IN, MAJOR_PROJECT, THANKLESS

    if not (isinstance(annotate, bool) or annotate == "id"):
        raise ValidationError(
            f'annotate must be True, False or "id", got {annotate!r}',
            field="annotate",
            value=annotate,
            hint='Pass "id" to write the ids beside the bubbles, False for no text',
        )
    data = impact_effort_data(
        ranking, owner_labels=owner_labels, improvement_labels=improvement_labels
    )
    ax = axes(ax, (9.0, 6.5))
    t_imp = float(ranking.thresholds.get("impact", np.nan))
    t_eff = float(ranking.thresholds.get("effort_days", np.nan))
    x, y = data["effort_days"].to_numpy(), data["impact"].to_numpy()
    x_hi = max(float(np.nanmax(x)) if len(x) else 1.0, t_eff if math.isfinite(t_eff) else 0.0)
    y_hi = max(float(np.nanmax(y)) if len(y) else 1.0, t_imp if math.isfinite(t_imp) else 0.0)
    x_hi, y_hi = (x_hi or 1.0) * 1.12, (y_hi or 1.0) * 1.15
    ax.set_xlim(0, x_hi)
    ax.set_ylim(-0.04 * y_hi, y_hi)
    if math.isfinite(t_eff) and math.isfinite(t_imp):
        shade = Rectangle(
            (0, t_imp), t_eff, y_hi - t_imp, facecolor="#009E73", alpha=0.07, zorder=0, lw=0
        )
        shade.set_gid("easy_and_smart_area")
        ax.add_patch(shade)
    for value, draw in ((t_eff, ax.axvline), (t_imp, ax.axhline)):
        if math.isfinite(value):
            line = draw(value, color="#777777", linestyle="--", linewidth=1.0, zorder=1)
            line.set_gid("quadrant_line")
    corner: dict[str, Any] = {"fontsize": 11, "transform": ax.transAxes, "zorder": 1}
    ax.text(
        0.015,
        0.985,
        EASY_AND_SMART,
        ha="left",
        va="top",
        color="#007A5A",
        fontweight="bold",
        **corner,
    )
    ax.text(0.985, 0.985, MAJOR_PROJECT, ha="right", va="top", color=TEXT_GREY, **corner)
    ax.text(0.015, 0.015, FILL_IN, ha="left", va="bottom", color=TEXT_GREY, **corner)
    ax.text(0.985, 0.015, THANKLESS, ha="right", va="bottom", color=TEXT_GREY, **corner)

    nd = data["non_dominated"].to_numpy()
    bubbles = ax.scatter(
        x,
        y,
        s=data["area_pt2"].to_numpy(),
        c=data["color"].tolist(),
        alpha=0.8,
        edgecolors=["black" if v else "white" for v in nd],
        linewidths=[2.2 if v else 0.8 for v in nd],
        zorder=3,
    )
    bubbles.set_gid("impact_effort_bubbles")
    if annotate:
        radius = np.sqrt(data["area_pt2"].to_numpy()) / 2  # marker size is the diameter
        rows = zip(x, y, radius, data["id"], data["label"], strict=True)
        for xi, yi, r, id_, label in rows:
            left = xi > 0.78 * x_hi  # near the right edge: write on the left
            by_id = label == id_ or annotate == "id"
            drawn = str(id_) if by_id else wrap(str(label), _LABEL_WIDTH)
            note = ax.annotate(
                drawn,
                (xi, yi),
                xytext=(-(r + 3) if left else r + 3, 0),
                textcoords="offset points",
                fontsize=8,
                ha="right" if left else "left",
                va="center",
                color="#222222",
                zorder=4,
                linespacing=1.0,
            )
            full_text(note, drawn, str(id_) if label == id_ else f"{label} ({id_})")
    ax.set_xlabel("Effort (person-days)")
    unit = " ".join(
        x for x in (ranking.currency, f"per {ranking.period}" if ranking.period else None) if x
    )
    ax.set_ylabel(f"Impact ({unit})" if unit else "Impact (value at stake)")
    ax.yaxis.set_major_formatter(thousands_formatter())
    ax.set_title(f"Impact–effort matrix (ranked by {ranking.label})", loc="left")
    ax.grid(alpha=0.25)
    # colours by owner id (as in every chart), the legend by the owners' names
    by_owner = dict(
        zip(data["owner"], zip(data["owner_label"], data["color"], strict=True), strict=True)
    )
    owner_handles = [
        _dot_key(name, c, "white") for _, (name, c) in sorted(by_owner.items(), key=_by_name)
    ]
    owner_handles.append(_dot_key("non-dominated", "white", "black", edge_width=2.2))
    leg = side_legend(ax, owner_handles, "Owner")
    leg.set_gid("owner_legend")
    ax.add_artist(leg)
    leg.set_clip_on(False)  # add_artist clips to the Axes: keep it visible and in the layout
    largest = float(data["cost"].max()) if len(data) else 0.0
    keys = sorted({_nice(largest * f) for f in (0.25, 0.5, 1.0)} - {0.0})
    if keys:
        areas = _bubble_area(np.asarray(keys), largest)
        size_handles = [
            _dot_key(thousands(k), "#DDDDDD", "#777777", size=math.sqrt(a))
            for k, a in zip(keys, areas, strict=True)
        ]
        side_legend(ax, size_handles, "Cost", lower=True, labelspacing=1.6, borderpad=1.0)
    return ax


# ---------------------------------------------------------------------------------------
# rank risk


def _check_rank_result(result: Any) -> pd.DataFrame:
    acc = getattr(result, "rank_acceptability", None)
    if not isinstance(acc, pd.DataFrame) or not callable(getattr(result, "p_top_k", None)):
        raise InputTypeError(
            "result must have a rank_acceptability DataFrame and a p_top_k(k) method (an "
            f"SMAAResult), got {type(result).__name__}",
            field="result",
            value=type(result).__name__,
            hint="Build one with frictionkit.smaa(...)",
        )
    return acc


def _check_k(k: Any, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= max(n, 1):
        raise ValidationError(
            f"k must be a whole number from 1 to {n}, got {k!r}", field="k", value=k
        )
    return int(k)


def rank_risk_data(result: Any, k: int = 3) -> pd.DataFrame:
    """The table behind :func:`rank_risk`: P(top ``k``) and its split by rank.

    Parameters
    ----------
    result : SMAAResult
        Or any object with a ``rank_acceptability`` DataFrame (alternatives x ranks) and a
        ``p_top_k(k)`` method.
    k : int, default 3
        Size of the top group.

    Returns
    -------
    pandas.DataFrame
        One row per alternative, most likely in the top ``k`` first (ties by expected
        rank): ``alternative``, ``p_top_k``, ``rank_1`` ... ``rank_<k>`` (the stacked
        segments) and ``expected_rank``.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.plot import rank_risk_data
    >>> res = fk.smaa([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]], True, seed=1, draws=4000)
    >>> rank_risk_data(res, k=1)[["alternative", "p_top_k"]].round(2)
       alternative  p_top_k
    0            1     0.41
    1            0     0.40
    2            2     0.20
    """
    acc = _check_rank_result(result)
    kk = _check_k(k, acc.shape[1])
    p = pd.Series(result.p_top_k(kk)).reindex(acc.index).to_numpy(dtype=np.float64)
    ranks = np.arange(1, acc.shape[1] + 1, dtype=np.float64)
    values = acc.to_numpy(dtype=np.float64)
    out = pd.DataFrame({"alternative": list(acc.index), "p_top_k": p})
    for r in range(kk):
        out[f"rank_{r + 1}"] = values[:, r]
    out["expected_rank"] = values @ ranks
    order = np.lexsort((out["expected_rank"].to_numpy(), -out["p_top_k"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


@plain_labels
def rank_risk(result: Any, k: int = 3, *, top: int | None = 15, ax: Axes | None = None) -> Axes:
    """How likely each alternative is to rank in the top ``k``: stacked horizontal bars.

    Each bar is P(rank <= k), split into the probabilities of rank 1, 2, ..., k (darker is
    better), from the rank acceptability indices of SMAA.

    Parameters
    ----------
    result : SMAAResult
        Or any object with ``rank_acceptability`` and ``p_top_k(k)``.
    k : int, default 3
        Size of the top group.
    top : int or None, default 15
        Show this many alternatives (most likely first); None shows all.
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    rank_risk_data : the table drawn.
    rank_acceptability : the whole rank distribution as a heat map.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.plot import rank_risk
    >>> res = fk.smaa([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]], True, seed=1, draws=4000)
    >>> ax = rank_risk(res, k=2)
    >>> ax.get_xlabel()
    'Probability of ranking in the top 2'
    >>> matplotlib.pyplot.close(ax.figure)
    """
    plt = pyplot()
    data = rank_risk_data(result, k)
    kk = _check_k(k, result.rank_acceptability.shape[1])
    shown = check_top(top)
    if shown is not None:
        data = data.head(shown)
    n = len(data)
    ax = axes(ax, (8.0, 1.2 + 0.38 * max(n, 1)))
    y = np.arange(n)
    left = np.zeros(n)
    cmap = plt.get_cmap("Blues")
    for r in range(kk):
        shade = cmap(0.9 - 0.6 * (r / max(kk - 1, 1))) if kk > 1 else cmap(0.8)
        seg = data[f"rank_{r + 1}"].to_numpy()
        bars = ax.barh(
            y, seg, left=left, color=shade, edgecolor="white", linewidth=0.5, label=f"rank {r + 1}"
        )
        for patch in bars.patches:
            patch.set_gid("rank_risk_segment")
        left = left + seg
    for yi, total in zip(y.tolist(), data["p_top_k"].tolist(), strict=True):
        ax.text(total + 0.01, yi, f"{total:.0%}", va="center", fontsize=8, color="#222222")
    ax.set_yticks(y, [str(a) for a in data["alternative"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.08)
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(f"Probability of ranking in the top {kk}")
    ax.set_title(f"Rank risk: chance of a top-{kk} place", loc="left")
    ax.grid(axis="x", alpha=0.25)
    ax.legend(loc="lower right", frameon=False, fontsize=8, ncols=min(kk, 5))
    return ax


def rank_acceptability_data(result: Any) -> pd.DataFrame:
    """The matrix behind :func:`rank_acceptability`: share of draws per alternative and rank.

    Parameters
    ----------
    result : SMAAResult
        Or any object with a ``rank_acceptability`` DataFrame.

    Returns
    -------
    pandas.DataFrame
        Alternatives (rows, by expected rank, best first) x ranks (columns ``1`` ... ``n``).

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.plot import rank_acceptability_data
    >>> res = fk.smaa([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]], True, seed=1, draws=4000)
    >>> rank_acceptability_data(res).round(2)
    rank            1    2    3
    alternative
    2            0.20  0.8  0.0
    1            0.41  0.1  0.5
    0            0.40  0.1  0.5
    """
    acc = _check_rank_result(result)
    ranks = np.arange(1, acc.shape[1] + 1, dtype=np.float64)
    expected = acc.to_numpy(dtype=np.float64) @ ranks
    order = np.argsort(expected, kind="stable")
    return acc.iloc[order].astype(np.float64)


@plain_labels
def rank_acceptability(result: Any, *, annotate: bool = True, ax: Axes | None = None) -> Axes:
    """Rank acceptability heat map: the share of draws in which each alternative takes each rank.

    Parameters
    ----------
    result : SMAAResult
        Or any object with a ``rank_acceptability`` DataFrame.
    annotate : bool, default True
        Write the percentage in each cell of at least 1 %.
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    rank_acceptability_data : the matrix drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.plot import rank_acceptability
    >>> res = fk.smaa([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]], True, seed=1, draws=4000)
    >>> ax = rank_acceptability(res)
    >>> ax.images[0].get_array().shape
    (3, 3)
    >>> matplotlib.pyplot.close(ax.figure)
    """
    data = rank_acceptability_data(result)
    n_alt, n_rank = data.shape
    ax = axes(ax, (1.8 + 0.55 * max(n_rank, 1), 1.4 + 0.38 * max(n_alt, 1)))
    values = data.to_numpy()
    image = ax.imshow(values, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    if annotate:
        for i in range(n_alt):
            for j in range(n_rank):
                v = values[i, j]
                if v >= 0.01:
                    ax.text(
                        j,
                        i,
                        f"{v:.0%}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if v > 0.55 else "#222222",
                    )
    ax.set_xticks(np.arange(n_rank), [str(c) for c in data.columns])
    ax.set_yticks(np.arange(n_alt), [str(a) for a in data.index])
    ax.set_xlabel("Rank (1 = best)")
    ax.set_title("Rank acceptability (share of draws)", loc="left")
    ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02, format="{x:.0%}")
    return ax
