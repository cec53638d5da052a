"""The route flow: success and failure routes drawn as a Sankey-style flow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.plot._common import (
    FAILURE_COLOR,
    NEUTRAL_COLOR,
    OPEN_COLOR,
    SUCCESS_COLOR,
    TEXT_GREY,
    axes,
    check_labels,
    check_top,
    count_label,
    full_text,
    is_log,
    label_of,
    plain_labels,
    shorten,
    wrong_type,
)
from frictionkit.privacy import DEFAULT_MIN_GROUP_SIZE
from frictionkit.routes import route_text

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["OTHER_ROUTES", "route_flow", "route_flow_data"]

#: Label of the row that groups the routes not shown by name.
OTHER_ROUTES = "(other routes)"

# ---------------------------------------------------------------------------------------
# route flow


def _route_label(route: tuple[str, ...] | None, text: str, width: int) -> str:
    if not route or len(text) <= width:
        return shorten(text, width)
    arrow = " → "
    if len(route) > 4:
        hidden = len(route) - 4
        text = arrow.join([route_text(route[:2]), f"…({hidden})", route_text(route[-2:])])
    return shorten(text, width)


def route_flow_data(
    log: Any,
    *,
    top: int = 8,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    labels: Any = None,
) -> pd.DataFrame:
    """The table behind :func:`route_flow`: the top routes and their outcomes.

    Routes followed by fewer than ``min_group_size`` journeys are folded first (see
    :func:`frictionkit.privacy.suppress_small_groups`), so no route of a handful of
    people is named; then the ``top`` most followed routes are kept and every other one
    is grouped in a last row, ``"(other routes)"``.

    Parameters
    ----------
    log : EventLog
        The event log.
    top : int, default 8
        Routes shown by name.
    min_group_size : int, default frictionkit.privacy.DEFAULT_MIN_GROUP_SIZE
        Fewest journeys a named route must have.
    labels : mapping of str to str, optional
        Display name of each touchpoint, e.g. ``{tp.id: tp.label for tp in
        journey.touchpoints}``; touchpoints not in it keep their name in the log.

    Returns
    -------
    pandas.DataFrame
        One row per drawn route: ``route`` (full text, the log's touchpoint names, as in
        ``log.routes()["route_text"]``), ``route_label`` (the same in ``labels``),
        ``label`` (the text drawn: ``route_label``, long routes shortened), ``n_routes``
        (routes the row stands for), ``journeys``, ``successes``, ``failures``, ``open``
        (the three bands) and ``success_rate`` (of the decided).

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.plot import route_flow_data
    >>> log = fk.EventLog.from_frame(simulate_journeys(1000, seed=1), case_col="case_id",
    ...     touchpoint_col="touchpoint", timestamp_col="timestamp", outcome_col="outcome",
    ...     strict=False)
    >>> t = route_flow_data(log, top=3)
    >>> t[["n_routes", "journeys"]].sum().tolist() == [len(log.routes()), log.n_journeys]
    True
    >>> names = {"home": "Home page", "search": "Site search"}
    >>> route_flow_data(log, top=1, labels=names)["label"].iloc[0]
    'Home page → Site search → …(3) → payment → confirmation'
    """
    from frictionkit.privacy import suppress_small_groups

    if not is_log(log):
        raise wrong_type(
            log, "log", "an EventLog", "Build one with frictionkit.EventLog.from_frame(...)"
        )
    k = check_top(top)
    assert k is not None
    names = check_labels(labels)
    routes = log.routes()
    counts = ["journeys", "successes", "failures", "open"]
    table = routes[["route_text", *counts]].assign(
        route_index=np.arange(len(routes)), route_text=routes["route_text"].astype(object)
    )
    folded = suppress_small_groups(
        table,
        count_col="journeys",
        min_group_size=min_group_size,
        label_col="route_text",
        sum_cols=counts[1:],
    )
    named = folded[folded["route_index"].notna()]
    other = folded[folded["route_index"].isna()]
    shown = named.head(k)
    rest = pd.concat([named.iloc[k:], other])
    route_tuples = routes["route"].tolist()
    shown_rows: Any = shown.itertuples()
    rows = []
    for r in shown_rows:
        route = tuple(label_of(names, t) for t in route_tuples[int(r.route_index)])
        text = route_text(route) if names else str(r.route_text)
        rows.append(
            {
                "route": str(r.route_text),
                "route_label": text,
                "label": _route_label(route, text, 60),
                "n_routes": 1,
                **{c: int(getattr(r, c)) for c in counts},
            }
        )
    if len(rest):
        n_rest = int(rest["suppressed_groups"].sum()) if "suppressed_groups" in rest else len(rest)
        rows.append(
            {
                "route": OTHER_ROUTES,
                "route_label": OTHER_ROUTES,
                "label": f"{OTHER_ROUTES}: {n_rest:,} routes",
                "n_routes": n_rest,
                **{c: int(rest[c].sum()) for c in counts},
            }
        )
    out = pd.DataFrame(rows, columns=["route", "route_label", "label", "n_routes", *counts])
    for c in ("route", "route_label", "label"):
        out[c] = out[c].astype(object)
    for c in ("n_routes", *counts):
        out[c] = out[c].astype(np.int64)
    decided = (out["successes"] + out["failures"]).to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["success_rate"] = np.where(decided > 0, out["successes"] / decided, np.nan)
    return out


def _spread(centres: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions near ``centres`` (top to bottom) at least ``gap`` apart."""
    out: list[float] = []
    for c in centres:
        out.append(min(c, out[-1] - gap) if out else min(c, high))
    if out and out[-1] < low:  # pushed off the bottom: pack upwards from it
        out[-1] = low
        for i in range(len(out) - 2, -1, -1):
            out[i] = max(out[i], out[i + 1] + gap)
    return out


def _band(x0: float, x1: float, top0: float, bot0: float, top1: float, bot1: float) -> Any:
    from matplotlib.path import Path

    xm = (x0 + x1) / 2
    verts = [
        (x0, top0),
        (xm, top0),
        (xm, top1),
        (x1, top1),
        (x1, bot1),
        (xm, bot1),
        (xm, bot0),
        (x0, bot0),
        (x0, top0),
    ]
    codes = [
        Path.MOVETO,
        Path.CURVE4,
        Path.CURVE4,
        Path.CURVE4,
        Path.LINETO,
        Path.CURVE4,
        Path.CURVE4,
        Path.CURVE4,
        Path.CLOSEPOLY,
    ]
    return Path(verts, codes)


@plain_labels
def route_flow(
    log: Any,
    *,
    top: int = 8,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    labels: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Success and failure routes as a flow: each route splits into its outcomes.

    Left, the ``top`` most followed routes (bar height = journeys) and the rest grouped;
    right, the outcomes (success, failure, open). Each band carries the journeys of one
    route to one outcome, so a route whose band mostly goes to failure is a failure
    route. Routes of fewer than ``min_group_size`` journeys are never named. Touchpoints
    are named by their ``labels`` when given; a long route is shortened, its full text
    kept as the label's tooltip in SVG output of the report.

    Parameters
    ----------
    log : EventLog
        The event log (with outcomes).
    top : int, default 8
        Routes shown by name.
    min_group_size : int, default frictionkit.privacy.DEFAULT_MIN_GROUP_SIZE
        Fewest journeys a named route must have.
    labels : mapping of str to str, optional
        Display name of each touchpoint (see :func:`route_flow_data`).
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    route_flow_data : the table drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.plot import route_flow
    >>> log = fk.EventLog.from_frame(simulate_journeys(1000, seed=1), case_col="case_id",
    ...     touchpoint_col="touchpoint", timestamp_col="timestamp", outcome_col="outcome",
    ...     strict=False)
    >>> ax = route_flow(log, top=5)
    >>> ax.get_title(loc="left")
    'Routes and their outcomes (1,000 journeys)'
    >>> matplotlib.pyplot.close(ax.figure)
    >>> ax = route_flow(log, top=1, labels={"home": "Home page"})
    >>> [t.get_text().splitlines()[0] for t in ax.texts][-2:]
    ['Home page → search → …(3) → payment → confirmation', '(other routes): 333 routes']
    >>> matplotlib.pyplot.close(ax.figure)
    """
    from matplotlib.patches import PathPatch, Rectangle

    data = route_flow_data(log, top=top, min_group_size=min_group_size, labels=labels)
    n = len(data)
    ax = axes(ax, (10.0, 1.5 + 0.55 * max(n, 3)))
    total = float(data["journeys"].sum()) or 1.0
    outcomes = [
        ("successes", "success", SUCCESS_COLOR),
        ("failures", "failure", FAILURE_COLOR),
        ("open", "open", OPEN_COLOR),
    ]
    outcomes = [o for o in outcomes if data[o[0]].sum() > 0]
    gap_left = 0.012 if n > 1 else 0.0
    scale_left = (1.0 - gap_left * max(n - 1, 0)) / total
    gap_right = 0.04 if len(outcomes) > 1 else 0.0
    scale_right = (1.0 - gap_right * max(len(outcomes) - 1, 0)) / total
    xl, xr, node_w = 0.5, 0.87, 0.012
    # right nodes: outcome totals, stacked from the top
    right_top: dict[str, float] = {}
    y = 1.0
    for col, name, color in outcomes:
        h = float(data[col].sum()) * scale_right
        node = Rectangle((xr, y - h), node_w, h, facecolor=color, edgecolor="none")
        node.set_gid("route_flow_outcome")
        ax.add_patch(node)
        share = float(data[col].sum()) / total
        ax.text(
            xr + node_w + 0.008,
            y - h / 2,
            f"{name}\n{count_label(data[col].sum())} ({share:.0%})",
            va="center",
            ha="left",
            fontsize=9,
            color=color,
            fontweight="bold",
        )
        right_top[col] = y
        y -= h + gap_right
    # left nodes and bands
    y = 1.0
    centres: list[float] = []
    route_rows: Any = data.itertuples()
    for row in route_rows:
        h = row.journeys * scale_left
        other = row.route == OTHER_ROUTES
        node = Rectangle(
            (xl - node_w, y - h),
            node_w,
            h,
            facecolor=NEUTRAL_COLOR if other else "#555555",
            edgecolor="none",
        )
        node.set_gid("route_flow_route")
        ax.add_patch(node)
        centres.append(y - h / 2)
        y0 = y
        for col, _name, color in outcomes:
            count = int(getattr(row, col))
            if count == 0:
                continue
            h0, h1 = count * scale_left, count * scale_right
            t1 = right_top[col]
            band = PathPatch(
                _band(xl, xr, y0, y0 - h0, t1, t1 - h1),
                facecolor=color,
                alpha=0.35,
                edgecolor="none",
            )
            band.set_gid("route_flow_band")
            ax.add_patch(band)
            right_top[col] = t1 - h1
            y0 -= h0
        y -= h + gap_left
    bottom = min(y, 0.0) - 0.01
    fig: Any = ax.figure
    fig_h = float(fig.get_size_inches()[1]) * ax.get_position().height
    slots = _spread(centres, 0.30 / max(fig_h, 0.5) * (1.02 - bottom), bottom + 0.01, 1.0)
    label_rows: Any = data.itertuples()
    for row, centre, slot in zip(label_rows, centres, slots, strict=True):
        other = row.route == OTHER_ROUTES
        rate = "" if np.isnan(row.success_rate) else f", {row.success_rate:.0%} success"
        x_text = xl - node_w - 0.03
        figures = f"{count_label(row.journeys)} journeys{rate}"
        text = ax.text(
            x_text,
            slot,
            f"{row.label}\n{figures}",
            ha="right",
            va="center",
            fontsize=8,
            color=TEXT_GREY if other else "#222222",
        )
        if not other:
            full_text(text, str(row.label), str(row.route_label))
        ax.plot(
            [x_text + 0.004, xl - node_w - 0.003], [slot, centre], color="#AAAAAA", linewidth=0.6
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom, 1.01)
    ax.axis("off")
    ax.set_title(f"Routes and their outcomes ({count_label(total)} journeys)", loc="left")
    return ax
