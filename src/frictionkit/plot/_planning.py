"""Charts of plans: the value frontier and the roadmap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.plot._common import (
    OKABE_ITO,
    TEXT_GREY,
    axes,
    check_labels,
    color_map,
    full_text,
    label_of,
    need_columns,
    need_frame,
    plain_labels,
    side_legend,
    thousands,
    thousands_formatter,
    wrap,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["frontier", "frontier_data", "roadmap", "roadmap_data"]

# ---------------------------------------------------------------------------------------
# frontier

_FRONTIER_COLUMNS = ("cost", "value", "greedy_value", "knee")


def frontier_data(frontier_table: Any) -> pd.DataFrame:
    """The table behind :func:`frontier`: the steps of the exact and greedy curves.

    Parameters
    ----------
    frontier_table : pandas.DataFrame
        From :func:`frictionkit.frontier` (columns ``cost``, ``value``, ``greedy_value``,
        ``knee``).

    Returns
    -------
    pandas.DataFrame
        ``cost``, ``value``, ``greedy_value``, ``greedy_loss`` and ``knee``, by cost.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.plot import frontier_data
    >>> t = frontier_data(fk.frontier(fk.datasets.load_autoparts()))
    >>> t.loc[t["knee"], ["cost", "value"]]
           cost     value
    12  64500.0  600000.0
    """
    t = need_frame(
        frontier_table,
        "frontier_table",
        "a frontier table",
        "Build one with frictionkit.frontier(journey)",
    )
    need_columns(
        t,
        _FRONTIER_COLUMNS,
        "frontier_table",
        "Pass the table returned by frictionkit.frontier(...)",
    )
    out = pd.DataFrame(
        {
            "cost": t["cost"].to_numpy(dtype=np.float64),
            "value": t["value"].to_numpy(dtype=np.float64),
            "greedy_value": t["greedy_value"].to_numpy(dtype=np.float64),
        }
    )
    out["greedy_loss"] = out["value"] - out["greedy_value"]
    out["knee"] = t["knee"].to_numpy(dtype=bool)
    return out.sort_values("cost", kind="stable").reset_index(drop=True)


@plain_labels
def frontier(frontier_table: Any, *, ax: Axes | None = None) -> Axes:
    """The best value at every budget, the greedy curve below it, and the knee.

    Both curves are steps: a budget buys the value of the last step at or below it. The
    shaded gap is what funding in value-per-cost order leaves on the table.

    Parameters
    ----------
    frontier_table : pandas.DataFrame
        From :func:`frictionkit.frontier`.
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    frontier_data : the table drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.plot import frontier
    >>> ax = frontier(fk.frontier(fk.datasets.load_autoparts()))
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['best plan (exact)', 'greedy by value per cost']
    >>> matplotlib.pyplot.close(ax.figure)
    """
    data = frontier_data(frontier_table)
    ax = axes(ax, (8.0, 5.0))
    c, v, g = data["cost"].to_numpy(), data["value"].to_numpy(), data["greedy_value"].to_numpy()
    ax.step(c, v, where="post", color=OKABE_ITO[0], linewidth=2.2, label="best plan (exact)")
    ax.step(
        c,
        g,
        where="post",
        color=OKABE_ITO[1],
        linewidth=1.6,
        linestyle="--",
        label="greedy by value per cost",
    )
    if len(c):
        ax.fill_between(
            c, g, v, step="post", color=OKABE_ITO[1], alpha=0.15, lw=0, label="value lost by greedy"
        )
    knee = data[data["knee"]]
    knee_rows: Any = knee.itertuples()
    for row in knee_rows:
        ax.plot(
            [row.cost],
            [row.value],
            marker="o",
            markersize=10,
            color=OKABE_ITO[3],
            linestyle="",
            label="knee",
            zorder=4,
        )
        ax.annotate(
            f"knee: {thousands(float(row.value))} for {thousands(float(row.cost))}",
            (row.cost, row.value),
            xytext=(12, -18),
            textcoords="offset points",
            fontsize=9,
            arrowprops={"arrowstyle": "-", "color": TEXT_GREY},
        )
    currency = frontier_table.attrs.get("currency") if hasattr(frontier_table, "attrs") else None
    period = frontier_table.attrs.get("period") if hasattr(frontier_table, "attrs") else None
    unit = " ".join(x for x in (currency, f"per {period}" if period else None) if x)
    ax.set_xlabel(f"Budget ({currency})" if currency else "Budget (cost)")
    ax.set_ylabel(f"Value of the best plan ({unit})" if unit else "Value of the best plan")
    fmt = thousands_formatter()
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.25)
    ax.set_title("Value frontier: best plan at every budget", loc="left")
    ax.legend(loc="lower right", frameon=False)
    return ax


# ---------------------------------------------------------------------------------------
# roadmap

_ROADMAP_COLUMNS = ("start", "end", "id", "owner")

#: Width (characters) of a line of an improvement's name on the roadmap (two lines).
_LABEL_WIDTH = 30


def roadmap_data(
    roadmap_table: Any, *, owner_labels: Any = None, improvement_labels: Any = None
) -> pd.DataFrame:
    """The table behind :func:`roadmap`: one bar per scheduled improvement.

    Parameters
    ----------
    roadmap_table : pandas.DataFrame
        From :func:`frictionkit.roadmap.roadmap` (columns ``start``, ``end``, ``id``,
        ``owner``; ``quick_win`` and ``wave`` are used when present).
    owner_labels : mapping of str to str, optional
        Display name of each owner, e.g. ``{ow.id: ow.label for ow in journey.owners}``;
        owners not in it keep their id.
    improvement_labels : mapping of str to str, optional
        Display name of each improvement, e.g. ``{imp.id: imp.title for imp in
        journey.improvements}``; improvements not in it keep their id.

    Returns
    -------
    pandas.DataFrame
        Grouped by owner (owners in order of their first start), then by start:
        ``owner``, ``owner_label`` (its name in ``owner_labels``, else ``owner``: the name
        in the legend), ``id``, ``label`` (its name in ``improvement_labels``, else
        ``id``: the bar's name), ``start``, ``finish`` (the day after ``end``: the bar's
        right edge; working-day numbers stay numbers), ``quick_win``, ``row`` (0 = top
        bar) and ``color`` (the owner's colour, by id).

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.plot import roadmap_data
    >>> plan = fk.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
    >>> t = roadmap_data(fk.roadmap.roadmap(plan))
    >>> t[["owner", "id", "start", "finish"]].head(3)
                  owner               id  start  finish
    0             sales   guided_selling      0      20
    1             sales  onboarding_plan      0      20
    2  customer_service     callback_sla      0      20
    >>> names = {"customer_service": "Customer service"}
    >>> roadmap_data(fk.roadmap.roadmap(plan), owner_labels=names)["owner_label"].unique()[:2]
    array(['sales', 'Customer service'], dtype=object)
    >>> titles = {"guided_selling": "Guided selling"}
    >>> roadmap_data(fk.roadmap.roadmap(plan), improvement_labels=titles)["label"].head(2)
    0     Guided selling
    1    onboarding_plan
    Name: label, dtype: object
    """
    names = check_labels(owner_labels, "owner_labels")
    titles = check_labels(improvement_labels, "improvement_labels")
    t = need_frame(
        roadmap_table,
        "roadmap_table",
        "a roadmap table",
        "Build one with frictionkit.roadmap.roadmap(plan)",
    )
    need_columns(
        t,
        _ROADMAP_COLUMNS,
        "roadmap_table",
        "Pass the table returned by frictionkit.roadmap.roadmap(plan)",
    )
    start = t["start"]
    dated = pd.api.types.is_datetime64_any_dtype(start)
    if dated:
        finish = pd.to_datetime(t["end"]) + pd.Timedelta(days=1)
    else:
        finish = pd.to_numeric(t["end"]) + 1
    owner = t["owner"].astype(object).where(t["owner"].notna(), "unowned").astype(str)
    out = pd.DataFrame(
        {
            "owner": owner.to_numpy(dtype=object),
            "id": t["id"].astype(str).to_numpy(dtype=object),
            "start": start.to_numpy(),
            "finish": finish.to_numpy(),
            "quick_win": (
                t["quick_win"].fillna(False).to_numpy(dtype=bool)
                if "quick_win" in t.columns
                else np.zeros(len(t), dtype=bool)
            ),
        }
    )
    first = out.groupby("owner", sort=False)["start"].min()
    owner_order = {o: i for i, o in enumerate(first.sort_values(kind="stable").index)}
    out["_o"] = out["owner"].map(owner_order)
    out = out.sort_values(["_o", "start", "id"], kind="stable").drop(columns="_o")
    out = out.reset_index(drop=True)
    out["row"] = np.arange(len(out))
    colors = color_map(out["owner"])
    out["color"] = [colors[o] for o in out["owner"]]
    out.insert(1, "owner_label", [label_of(names, o) for o in out["owner"]])
    out["owner_label"] = out["owner_label"].astype(object)
    out.insert(3, "label", [label_of(titles, i) for i in out["id"]])
    out["label"] = out["label"].astype(object)
    return out


@plain_labels
def roadmap(
    roadmap_table: Any,
    *,
    owner_labels: Any = None,
    improvement_labels: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """The roadmap as a Gantt chart: one bar per improvement, grouped and coloured by owner.

    Quick wins are hatched. With dated roadmaps (``start=`` given to
    :func:`frictionkit.roadmap.roadmap`) the axis shows dates, otherwise working days.
    The legend names each owner by its ``owner_labels`` name when given, else by its id;
    each bar is named by its ``improvement_labels`` name when given (wrapped on two lines
    of 30 characters, cut with an ellipsis past them; the full name and the id are kept
    as the tick label's gid, which the HTML report shows as a tooltip), else by its id.

    Parameters
    ----------
    roadmap_table : pandas.DataFrame
        From :func:`frictionkit.roadmap.roadmap`.
    owner_labels : mapping of str to str, optional
        Display name of each owner, e.g. ``{ow.id: ow.label for ow in journey.owners}``
        (see :func:`roadmap_data`).
    improvement_labels : mapping of str to str, optional
        Display name of each improvement, e.g. ``{imp.id: imp.title for imp in
        journey.improvements}`` (see :func:`roadmap_data`).
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    roadmap_data : the table drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.plot import roadmap
    >>> plan = fk.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000)
    >>> ax = roadmap(fk.roadmap.roadmap(plan, start="2025-01-06"))
    >>> len(ax.patches)
    7
    >>> matplotlib.pyplot.close(ax.figure)
    >>> journey = fk.datasets.load_autoparts()
    >>> ax = roadmap(fk.roadmap.roadmap(plan),
    ...              owner_labels={ow.id: ow.label for ow in journey.owners})
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:3]
    ['Sales', 'Customer service', 'Marketing']
    >>> matplotlib.pyplot.close(ax.figure)
    >>> ax = roadmap(fk.roadmap.roadmap(plan),
    ...              improvement_labels={imp.id: imp.title for imp in journey.improvements})
    >>> ax.get_yticklabels()[0].get_text().splitlines()
    ['Guided selling with at most', 'three options per need']
    >>> matplotlib.pyplot.close(ax.figure)
    """
    from matplotlib.patches import Patch

    data = roadmap_data(
        roadmap_table, owner_labels=owner_labels, improvement_labels=improvement_labels
    )
    n = len(data)
    ax = axes(ax, (9.0, 1.4 + 0.42 * max(n, 1)))
    dated = pd.api.types.is_datetime64_any_dtype(data["start"])
    if dated:
        import matplotlib.dates

        mdates: Any = matplotlib.dates
        left = mdates.date2num(pd.to_datetime(data["start"]).dt.to_pydatetime())
        right = mdates.date2num(pd.to_datetime(data["finish"]).dt.to_pydatetime())
    else:
        left = data["start"].to_numpy(dtype=np.float64)
        right = data["finish"].to_numpy(dtype=np.float64)
    rows = data["row"].to_numpy()
    bars = ax.barh(
        rows,
        right - left,
        left=left,
        height=0.6,
        color=data["color"].tolist(),
        edgecolor="white",
        linewidth=0.8,
    )
    for patch, quick in zip(bars.patches, data["quick_win"], strict=True):
        patch.set_gid("roadmap_bar")
        if quick:
            patch.set_hatch("///")
            patch.set_edgecolor("#222222")
    ids, labels = data["id"].tolist(), data["label"].tolist()
    drawn = [i if t == i else wrap(t, _LABEL_WIDTH) for i, t in zip(ids, labels, strict=True)]
    ax.set_yticks(rows, drawn)
    for tick, shown, i, t in zip(ax.get_yticklabels(), drawn, ids, labels, strict=True):
        tick.set_linespacing(1.0)
        full_text(tick, shown, i if t == i else f"{t} ({i})")
    ax.invert_yaxis()
    owners = data["owner"].tolist()
    for i in range(1, n):
        if owners[i] != owners[i - 1]:
            ax.axhline(i - 0.5, color="#CCCCCC", linewidth=0.8)
    if dated:
        ax.xaxis_date()
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        ax.set_xlabel("Date")
    else:
        ax.set_xlabel("Working days from the start")
    ax.grid(axis="x", alpha=0.25)
    # colours by owner id, the legend by the owners' names (in the order of the bars)
    keys = dict(
        zip(data["owner"], zip(data["owner_label"], data["color"], strict=True), strict=True)
    )
    handles = [Patch(facecolor=c, label=name) for name, c in keys.values()]
    if bool(data["quick_win"].any()):
        handles.append(
            Patch(facecolor="white", edgecolor="#222222", hatch="///", label="quick win")
        )
    side_legend(ax, handles, "Owner")
    ax.set_title("Roadmap by owner", loc="left")
    return ax
