"""The journey map: stages as columns, touchpoints as cards, the emotion curve below."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.plot._common import (
    TEXT_GREY,
    axes,
    full_text,
    plain_labels,
    pyplot,
    readable_on,
    shorten,
    wrap,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["journey_map", "journey_map_data"]

_CARD_H, _CARD_GAP, _HEADER_H = 1.0, 0.25, 0.7
# the verdict line's height above a card's lower edge, and the height of one small line
# (points: the owner line stands on the verdict line)
_NOTE_PT, _LINE_PT = 2.5, 9.5
#: Characters per line of a card's name (two lines at most); narrower beside the sentiment
#: badge and its figure, which take the card's top right corner.
_NAME_WIDTH, _NAME_WIDTH_BADGE = 22, 18
_LANE_H, _LANE_GAP = 2.2, 0.7

#: Card fills of the verdicts other than ``friction`` (friction: a warm colour scaled by
#: the attributable failures).
VERDICT_FILLS: dict[str, str] = {
    "helps": "#dcebf5",
    "no evidence": "#f1f1f1",
    "not comparable": "#ffffff",
    "outcome marker": "#e6e0ef",
}


def _resolve(journey: Any, log: Any) -> Any:
    """The journey, or the bare one taken from the log when none is given."""
    if journey is None and log is not None:
        from frictionkit.journey_map import journey_from_log

        return journey_from_log(log)
    return journey


def journey_map_data(
    journey: Any,
    log: Any = None,
    feedback: Any = None,
    *,
    min_group_size: int | None = None,
    min_support: int = 30,
    outcome_markers: Any = None,
    adjust_for: Any = None,
) -> pd.DataFrame:
    """The table behind :func:`journey_map`: one row per touchpoint card.

    It is :func:`frictionkit.journey_map.journey_map` (same arguments, same columns and
    checks) with the layout and the emotion curve added.

    Parameters
    ----------
    journey : Journey or None
        The journey map (stages, touchpoints, channels, owners); None takes the stages
        and touchpoints of ``log``.
    log : EventLog, optional
        Its event log: the friction of each touchpoint (``log.friction(min_support)``).
    feedback : Feedback, optional
        Survey answers: the sentiment per touchpoint and per stage, from
        ``feedback.emotion_curve(journey)``.
    min_group_size : int, optional
        Hide figures resting on fewer journeys or answers than this (also the stage
        sentiment of the emotion curve).
    min_support : int, default 30
        Passed to ``log.friction``.
    outcome_markers, adjust_for : optional
        Passed to ``log.friction`` (declared outcome markers; case attributes to adjust
        for).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`frictionkit.journey_map.journey_map` (``verdict`` and
        ``attributable_failures`` give the card's fill, ``satisfaction`` and
        ``n_answers`` its badge), then
        ``stage_label``, ``row`` (card position in its column; the column is
        ``stage_position``), ``stage_sentiment`` and ``stage_answers`` (the emotion
        curve: mean sentiment of all answers about the stage or its touchpoints,
        weighted by answers; NaN and 0 without answers).

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.plot import journey_map_data
    >>> t = journey_map_data(fk.datasets.load_autoparts())
    >>> t[["stage", "stage_position", "row", "touchpoint", "channel"]].head(4)
               stage  stage_position  row         touchpoint channel
    0      discovery               0    0      parts_website     web
    1      discovery               0    1         search_ads  search
    2      discovery               0    2         trade_fair   event
    3  consideration               1    0  product_catalogue     web
    """
    from frictionkit.journey_map import journey_map as table

    out = table(
        journey,
        log,
        feedback,
        min_group_size=min_group_size,
        min_support=min_support,
        outcome_markers=outcome_markers,
        adjust_for=adjust_for,
    )
    journey = _resolve(journey, log)
    labels = {s.id: s.label for s in journey.stages}
    out["stage_label"] = out["stage"].map(labels).astype(object)
    out["row"] = out.groupby("stage_position", sort=False).cumcount().astype(np.int64)
    out["stage_sentiment"] = np.nan
    out["stage_answers"] = np.zeros(len(out), dtype=np.int64)
    if feedback is not None:
        curve = feedback.emotion_curve(journey)
        answered = curve[curve["stage"].notna() & (curve["n"] > 0)]
        weight = answered["n"].to_numpy(dtype=np.float64)
        stage = answered["stage"].to_numpy(dtype=object)
        sums = pd.Series(answered["sentiment"].to_numpy(dtype=np.float64) * weight).groupby(stage)
        counts = pd.Series(weight).groupby(stage).sum()
        mean = sums.sum() / counts
        if min_group_size is not None:
            mean = mean.where(counts >= min_group_size)
            counts = counts.where(counts >= min_group_size, 0.0)
        out["stage_sentiment"] = out["stage"].map(mean).to_numpy(dtype=np.float64)
        out["stage_answers"] = out["stage"].map(counts).fillna(0).to_numpy(dtype=np.int64)
    return out


def _rests(value: Any) -> bool:
    """A friction verdict that rests on outcome markers found in the data (see friction)."""
    return isinstance(value, str) and bool(value)


def _stage_table(journey: Any, data: pd.DataFrame) -> pd.DataFrame:
    stages = pd.DataFrame(
        {
            "stage": [s.id for s in journey.stages],
            "stage_label": [s.label for s in journey.stages],
            "column": np.arange(len(journey.stages)),
        }
    )
    first = data.drop_duplicates("stage").set_index("stage")
    stages["stage_sentiment"] = stages["stage"].map(first["stage_sentiment"]).astype(float)
    stages["stage_answers"] = stages["stage"].map(first["stage_answers"]).fillna(0)
    return stages


@plain_labels
def journey_map(
    journey: Any,
    log: Any = None,
    feedback: Any = None,
    *,
    min_group_size: int | None = None,
    min_support: int = 30,
    outcome_markers: Any = None,
    adjust_for: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """The journey map: stages as columns, touchpoints as cards, the emotion curve below.

    Each card names the touchpoint, its channel and owner (by their labels; a name cut
    to fit keeps its full text as its tooltip in the report's SVG). With a log, its fill shows
    the touchpoint's friction verdict (:meth:`EventLog.friction`): ``friction`` in a
    warm colour from light to dark orange with its attributable failures (the most in
    this journey darkest), ``helps`` light blue, ``no evidence`` light grey, ``not
    comparable`` white with a dashed border, ``outcome marker`` light violet (legend
    below the map); the verdict and the attributable failures with their 95 % interval
    are written on it (text too faint on a fill, below WCAG contrast 4.5, turns
    near-black or white); with feedback, a badge in its corner
    shows the mean sentiment of the answers about it (-1 to +1; red negative, blue
    positive; the card's name wraps narrower beside it) and the lane below draws the
    emotion curve, the mean sentiment per stage.

    Parameters
    ----------
    journey : Journey or None
        The journey map; None takes the stages and touchpoints of ``log``.
    log : EventLog, optional
        Its event log, for friction.
    feedback : Feedback, optional
        Survey answers, for satisfaction and the emotion curve.
    min_group_size : int, optional
        Hide figures resting on fewer journeys or answers than this (see
        :func:`frictionkit.journey_map.journey_map`); use it before sharing the figure.
    min_support : int, default 30
        Passed to ``log.friction``.
    outcome_markers, adjust_for : optional
        Passed to ``log.friction`` (see :func:`journey_map_data`).
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    journey_map_data : the table drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.plot import journey_map
    >>> ax = journey_map(fk.datasets.load_autoparts())
    >>> sum(p.get_gid() == "journey_card" for p in ax.patches)
    15
    >>> matplotlib.pyplot.close(ax.figure)
    """
    plt = pyplot()
    from matplotlib.colors import LinearSegmentedColormap, Normalize
    from matplotlib.patches import FancyBboxPatch, Patch

    data = journey_map_data(
        journey,
        log,
        feedback,
        min_group_size=min_group_size,
        min_support=min_support,
        outcome_markers=outcome_markers,
        adjust_for=adjust_for,
    )
    journey = _resolve(journey, log)
    stages = _stage_table(journey, data)
    n_cols = max(len(stages), 1)
    n_rows = int(data["row"].max()) + 1 if len(data) else 1
    has_friction = log is not None and bool(data["verdict"].notna().any())
    has_feedback = feedback is not None
    cards_bottom = _HEADER_H + n_rows * (_CARD_H + _CARD_GAP)
    lane_top = cards_bottom + _LANE_GAP
    height = lane_top + (_LANE_H + 0.3 if has_feedback else 0.0)
    ax = axes(ax, (2.5 * n_cols + 0.8, 0.9 + 0.75 * height))

    base = plt.get_cmap("YlOrBr")
    heat = LinearSegmentedColormap.from_list("friction", [base(x) for x in np.linspace(0, 0.6, 8)])
    is_friction = (data["verdict"] == "friction").to_numpy(dtype=bool)
    af_all = data["attributable_failures"].to_numpy(dtype=np.float64)
    top_af = float(np.nanmax(af_all[is_friction])) if is_friction.any() else 0.0
    heat_norm = Normalize(0.0, top_af if top_af > 0 else 1.0)
    mood = plt.get_cmap("RdBu")
    mood_norm = Normalize(-1.0, 1.0)

    stage_rows: Any = stages.itertuples()
    for s in stage_rows:
        ax.add_patch(
            FancyBboxPatch(
                (s.column + 0.04, 0.08),
                0.92,
                _HEADER_H - 0.2,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor="#E8EEF4",
                edgecolor="none",
            )
        )
        header = ax.text(
            s.column + 0.5,
            0.08 + (_HEADER_H - 0.2) / 2,
            shorten(str(s.stage_label), 24),
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
        )
        full_text(header, header.get_text(), str(s.stage_label))
        if s.column > 0:
            ax.plot([s.column, s.column], [0.0, cards_bottom], color="#E3E3E3", lw=0.8, zorder=0)

    owner_names = {ow.id: ow.label for ow in getattr(journey, "owners", ())}
    card_rows: Any = data.itertuples()
    badge_x: list[float] = []
    badge_y: list[float] = []
    badge_v: list[float] = []
    for c in card_rows:
        x0 = c.stage_position + 0.06
        y0 = _HEADER_H + c.row * (_CARD_H + _CARD_GAP)
        verdict = c.verdict if isinstance(c.verdict, str) else None
        af = float(c.attributable_failures)
        fill: Any = "white"
        if verdict == "friction":
            fill = heat(0.25 + 0.75 * float(heat_norm(max(af, 0.0) if math.isfinite(af) else 0)))
        elif verdict is not None:
            fill = VERDICT_FILLS.get(verdict, "white")
        card = FancyBboxPatch(
            (x0, y0),
            0.88,
            _CARD_H,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor=fill,
            edgecolor="#9A9A9A",
            linewidth=0.8,
            linestyle="--" if verdict == "not comparable" else "-",
        )
        card.set_gid("journey_card")
        ax.add_patch(card)
        badge = has_feedback and c.n_answers > 0 and math.isfinite(c.satisfaction)
        title = ax.text(
            x0 + 0.05,
            y0 + 0.1,
            wrap(str(c.name), _NAME_WIDTH_BADGE if badge else _NAME_WIDTH),
            ha="left",
            va="top",
            fontsize=8.5,
            fontweight="bold",
            color=readable_on(fill, "#222222"),
            linespacing=1.1,
        )
        full_text(title, title.get_text(), str(c.name))
        owner = "no owner" if c.owner is None or c.owner != c.owner else str(c.owner)
        owner = owner_names.get(owner, owner)
        meta_full = f"{c.channel} · {owner}"
        meta = shorten(meta_full, 32)
        # the two small lines stand on the card's lower edge at offsets in points, so they
        # never overlap however small the figure draws the card
        bottom = (x0 + 0.05, y0 + _CARD_H)
        meta_text = ax.annotate(
            meta,
            bottom,
            xytext=(0, _NOTE_PT + _LINE_PT if has_friction else _NOTE_PT),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=7.5,
            color=readable_on(fill, TEXT_GREY),
        )
        full_text(meta_text, meta, meta_full)
        if has_friction:
            note = (verdict or "no figure") + ("*" if _rests(c.verdict_rests_on) else "")
            lo, hi = float(c.attributable_failures_low), float(c.attributable_failures_high)
            if verdict in ("friction", "helps", "no evidence") and math.isfinite(af):
                note += f" · AF {af:.0f}"
                if math.isfinite(lo) and math.isfinite(hi):
                    note += f" [{lo:.0f}, {hi:.0f}]"
            ax.annotate(
                note,
                bottom,
                xytext=(0, _NOTE_PT),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=7,
                color=readable_on(fill, "#333333"),
            )
        if badge:
            badge_x.append(x0 + 0.8)
            badge_y.append(y0 + 0.22)
            badge_v.append(float(c.satisfaction))
            ax.text(
                x0 + 0.8,
                y0 + 0.5,
                f"{c.satisfaction:+.1f}",
                ha="center",
                va="center",
                fontsize=7,
                color=readable_on(fill, "#333333"),
            )
    if badge_v:
        badges = ax.scatter(
            badge_x,
            badge_y,
            c=badge_v,
            cmap=mood,
            norm=mood_norm,
            s=110,
            edgecolors="#555555",
            linewidths=0.6,
            zorder=3,
        )
        badges.set_gid("sentiment_badges")

    if has_feedback:
        mid = lane_top + _LANE_H / 2

        def lane_y(v: Any) -> Any:
            return mid - np.asarray(v, dtype=np.float64) * (_LANE_H / 2 - 0.35)

        ax.add_patch(
            FancyBboxPatch(
                (0.04, lane_top),
                n_cols - 0.08,
                _LANE_H,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor="#F7F7F7",
                edgecolor="none",
                zorder=0,
            )
        )
        ax.plot([0.04, n_cols - 0.04], [mid, mid], color="#BBBBBB", linewidth=0.8, linestyle=":")
        ax.text(
            0.06,
            lane_top - 0.08,
            "Emotion curve: mean sentiment per stage (+1 delighted, -1 frustrated)",
            fontsize=9,
            fontweight="bold",
            va="bottom",
            color=TEXT_GREY,
        )
        known = stages[stages["stage_answers"] > 0]
        xs = known["column"].to_numpy() + 0.5
        ys = known["stage_sentiment"].to_numpy(dtype=np.float64)
        line = ax.plot(
            xs, lane_y(ys), color="#333333", linewidth=1.8, zorder=3, label="emotion curve"
        )[0]
        line.set_gid("emotion_curve")
        ax.scatter(
            xs,
            lane_y(ys),
            c=ys,
            cmap=mood,
            norm=mood_norm,
            s=70,
            edgecolors="#333333",
            linewidths=0.8,
            zorder=4,
        )
        for x, v, n in zip(xs, ys, known["stage_answers"], strict=True):
            ax.text(
                x,
                lane_y(v) + (-0.3 if v >= 0 else 0.3),
                f"{v:+.2f} (n={int(n)})",
                ha="center",
                va="center",
                fontsize=7.5,
                color="#222222",
            )
        empty: Any = stages[stages["stage_answers"] == 0].itertuples()
        for s in empty:
            ax.text(
                s.column + 0.5,
                mid,
                "no answers",
                ha="center",
                va="center",
                fontsize=7,
                color="#999999",
            )

    ax.set_xlim(0, n_cols)
    ax.set_ylim(height + 0.05, 0)
    ax.axis("off")
    parts = []
    if has_friction:
        handles = [
            Patch(facecolor=heat(0.9), edgecolor="#9A9A9A", label="friction (darker: more "
                  "attributable failures)"),
            *(Patch(facecolor=col, edgecolor="#9A9A9A", label=v,
                    linestyle="--" if v == "not comparable" else "-")
              for v, col in VERDICT_FILLS.items()),
        ]  # fmt: skip
        legend = ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.0, 0.0),
            ncol=min(len(handles), 5),
            fontsize=7.5,
            frameon=False,
            title="verdict (EventLog.friction)"
            + (
                "; friction* rests on outcome markers found in the data"
                if any(_rests(v) for v in data["verdict_rests_on"])
                else ""
            ),
            title_fontsize=8,
        )
        legend.set_gid("verdict_legend")
        parts.append("fill = friction verdict; AF = attributable failures [95% interval]")
    if has_feedback:
        parts.append("badge = sentiment")
    note = f" ({'; '.join(parts)})" if parts else ""
    name = getattr(journey, "name", None) or "Journey map"
    ax.set_title(f"{shorten(str(name), 60)}{note}", loc="left")
    return ax
