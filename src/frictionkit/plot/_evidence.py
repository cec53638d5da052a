"""Charts of evidence from event logs: funnel, friction and repair effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frictionkit.exceptions import ValidationError, did_you_mean
from frictionkit.markov import REDUCE_FAILURE_BY
from frictionkit.plot._common import (
    FAILURE_COLOR,
    NEUTRAL_COLOR,
    OKABE_ITO,
    SUCCESS_COLOR,
    axes,
    check_labels,
    check_top,
    count_label,
    full_text,
    is_log,
    label_of,
    need_columns,
    plain_labels,
    wrap,
    wrong_type,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "friction",
    "friction_data",
    "funnel",
    "funnel_data",
    "repair_effects",
    "repair_effects_data",
]


def _log_or_table(obj: Any, field: str, what: str, columns: tuple[str, ...]) -> None:
    if is_log(obj):
        return
    if not isinstance(obj, pd.DataFrame):
        raise wrong_type(
            obj,
            field,
            f"an EventLog or {what} (a DataFrame)",
            "Build a log with frictionkit.EventLog.from_frame(...)",
        )
    need_columns(obj, columns, field, f"Pass the log itself or the table of log.{what}")


# ---------------------------------------------------------------------------------------
# funnel

_FUNNEL_COLUMNS = ("stage", "journeys", "step_conversion")


def funnel_data(
    log_or_table: Any,
    *,
    min_group_size: int | None = None,
    branch_threshold: float | None = 0.5,
    labels: Any = None,
) -> pd.DataFrame:
    """The table behind :func:`funnel`: journeys reaching each stage.

    Parameters
    ----------
    log_or_table : EventLog or pandas.DataFrame
        An event log, or the table of ``log.funnel()`` (one segment).
    min_group_size : int, optional
        With a log: stages reached by fewer journeys are hidden (``log.funnel(
        min_group_size=...)``; their bars are not drawn).
    branch_threshold : float or None, default 0.5
        With a log: passed to ``log.funnel()`` (which stages are branches).
    labels : mapping of str to str, optional
        Display name of each stage, e.g. ``{st.id: st.label for st in journey.stages}``;
        stages not in it keep their name.

    Returns
    -------
    pandas.DataFrame
        One row per stage in journey order: ``stage``, ``stage_label`` (its name in
        ``labels``, else ``stage``: the name drawn), ``journeys``,
        ``step_conversion`` (share of the previous main stage's journeys), and when the
        input has them ``kind`` (``"main"`` or ``"branch"``), ``visited``,
        ``branch_share``, ``went_instead``, ``went_instead_share``, ``drop_off``,
        ``success_rate`` and, when the log names kinds of failure, ``failures_<kind>``
        (see :func:`frictionkit.routes.funnel`). The bar of a main stage is its
        ``journeys``; the bar of a branch is its ``visited`` (the journeys that took it);
        the ``failures_<kind>`` are the stacked segments inside a main stage's bar.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.plot import funnel_data
    >>> log = fk.EventLog.from_frame(simulate_journeys(500, seed=1), case_col="case_id",
    ...     touchpoint_col="touchpoint", timestamp_col="timestamp", stage_col="stage",
    ...     outcome_col="outcome", strict=False)
    >>> funnel_data(log)[["stage", "journeys"]]
               stage  journeys
    0      discovery       500
    1  consideration       439
    2        service       364
    3       purchase       356
    >>> funnel_data(log, labels={"discovery": "Discovery"})["stage_label"].tolist()
    ['Discovery', 'consideration', 'service', 'purchase']
    """
    names = check_labels(labels)
    _log_or_table(log_or_table, "log_or_table", "funnel()", _FUNNEL_COLUMNS)
    t = (
        log_or_table.funnel(min_group_size=min_group_size, branch_threshold=branch_threshold)
        if is_log(log_or_table)
        else log_or_table
    )
    if "segment" in t.columns and len(set(t["segment"].tolist())) > 1:
        raise ValidationError(
            "the funnel table has several segments; draw one at a time",
            field="log_or_table",
            hint="Filter it first: table[table['segment'] == 'x']",
        )
    cols = [
        c
        for c in (
            "stage",
            "kind",
            "journeys",
            "visited",
            "step_conversion",
            "branch_share",
            "went_instead",
            "went_instead_share",
            "drop_off",
            "success_rate",
        )
        if c in t.columns
    ]
    cols += [str(c) for c in t.columns if str(c).startswith("failures_")]
    out: pd.DataFrame = t[cols].reset_index(drop=True).copy()
    out["stage"] = out["stage"].astype(str).astype(object)
    out.insert(1, "stage_label", [label_of(names, s) for s in out["stage"]])
    out["stage_label"] = out["stage_label"].astype(object)
    return out


@plain_labels
def funnel(
    log_or_table: Any,
    *,
    ax: Axes | None = None,
    min_group_size: int | None = None,
    branch_threshold: float | None = 0.5,
    labels: Any = None,
) -> Axes:
    """The funnel: journeys reaching each stage, with the step conversion and branches.

    Bars are centred, so the chart narrows like a funnel; each main stage is labelled
    with its journeys and the share of the previous main stage's journeys that reached
    it. A branch (a stage only some journeys pass through, ``kind == "branch"``) is drawn
    apart: a hatched bar of the journeys that took it, labelled with their share of the
    stage before and where the others went. A stage whose figures are hidden (too few
    journeys) has no bar and says so. When the log names kinds of failure
    (``failure={"declined": [...], ...}``), each main stage's bar holds a thin stacked
    bar of the journeys reaching it that failed in each kind (``failures_<kind>``, one
    colour per kind, in the legend). Stages are named by their ``labels`` when given;
    a long name is wrapped on two lines (cut beyond, the full name kept as its tooltip
    in the report's SVG).

    Parameters
    ----------
    log_or_table : EventLog or pandas.DataFrame
        An event log, or the table of ``log.funnel()`` (one segment).
    min_group_size : int, optional
        Passed to :func:`funnel_data`.
    branch_threshold : float or None, default 0.5
        Passed to :func:`funnel_data`.
    labels : mapping of str to str, optional
        Display name of each stage (see :func:`funnel_data`).
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        Main stages' bars have the gid ``"funnel_bar"``, branches' ``"funnel_branch"``,
        the per-kind failure segments ``"funnel_failures_<kind>"``.

    See Also
    --------
    funnel_data : the table drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.plot import funnel
    >>> log = fk.EventLog.from_frame(simulate_journeys(500, seed=1), case_col="case_id",
    ...     touchpoint_col="touchpoint", timestamp_col="timestamp", stage_col="stage",
    ...     outcome_col="outcome", strict=False)
    >>> ax = funnel(log)
    >>> len(ax.patches)
    4
    >>> matplotlib.pyplot.close(ax.figure)
    >>> ax = funnel(log, labels={"discovery": "Discovery"})
    >>> [t.get_text() for t in ax.get_yticklabels()][:2]
    ['Discovery', 'consideration']
    >>> matplotlib.pyplot.close(ax.figure)
    """
    data = funnel_data(
        log_or_table,
        min_group_size=min_group_size,
        branch_threshold=branch_threshold,
        labels=labels,
    )
    n = len(data)
    ax = axes(ax, (8.0, 1.2 + 0.6 * max(n, 1)))
    branch = (
        (data["kind"].astype(object) == "branch").to_numpy(dtype=bool)
        if "kind" in data.columns
        else np.zeros(n, dtype=bool)
    )
    shown = data["journeys"].astype("float64").to_numpy(dtype=np.float64)
    if "visited" in data.columns:
        visited = data["visited"].astype("float64").to_numpy(dtype=np.float64)
        shown = np.where(branch, visited, shown)
    hidden = np.isnan(shown)
    width = np.nan_to_num(shown)
    y = np.arange(n)
    main_i = np.flatnonzero(~branch)
    branch_i = np.flatnonzero(branch)
    bars = ax.barh(
        y[main_i],
        width[main_i],
        left=-width[main_i] / 2,
        height=0.7,
        color=OKABE_ITO[0],
        alpha=0.85,
    )
    for patch in bars.patches:
        patch.set_gid("funnel_bar")
    if len(branch_i):
        side = ax.barh(
            y[branch_i],
            width[branch_i],
            left=-width[branch_i] / 2,
            height=0.5,
            color="white",
            edgecolor=OKABE_ITO[1],
            hatch="//",
            linewidth=1.2,
        )
        for patch in side.patches:
            patch.set_gid("funnel_branch")
    _kind_segments(ax, data, y[main_i], width[main_i], main_i)
    top = float(width.max()) if n else 1.0
    conv = data["step_conversion"].astype("float64").to_numpy(dtype=np.float64)
    stages = data["stage_label"].astype(str).tolist()
    names = dict(zip(data["stage"].tolist(), stages, strict=True))
    for i in range(n):
        if hidden[i]:
            text = "too few journeys to show"
        elif branch[i]:
            text = _branch_label(data, i, width[i], stages, branch, names)
        else:
            text = f"{count_label(width[i])}"
            if main_i[0] != i and np.isfinite(conv[i]):
                text += f"  ({conv[i]:.0%} of previous)"
        ax.text(top / 2 + top * 0.02, i, text, va="center", fontsize=9, color="#222222")
    full = [f"{s} (branch)" if b else s for s, b in zip(stages, branch.tolist(), strict=True)]
    drawn = [wrap(t, 26) for t in full]
    ax.set_yticks(y, drawn)
    for tick, shown_text, full_name in zip(ax.get_yticklabels(), drawn, full, strict=True):
        full_text(tick, shown_text, full_name)
    ax.invert_yaxis()
    ax.set_xlim(-top / 2 * 1.05, top / 2 * 1.75 if top else 1)
    ax.set_xticks([])
    for side_name in ("top", "right", "bottom"):
        ax.spines[side_name].set_visible(False)
    ax.set_xlabel("Journeys reaching the stage (bar width; hatched: took the branch)")
    ax.set_title("Funnel by stage", loc="left")
    return ax


def _kind_segments(
    ax: Axes, data: pd.DataFrame, y: np.ndarray, width: np.ndarray, rows: np.ndarray
) -> None:
    """Stacked bars of the failures of each kind inside the main stages' bars."""
    cols = [str(c) for c in data.columns if str(c).startswith("failures_")]
    if not cols or not len(rows):
        return
    left = -width / 2
    # not the bars' blue nor the branches' orange
    palette = (FAILURE_COLOR, OKABE_ITO[5], OKABE_ITO[6], OKABE_ITO[7], OKABE_ITO[4])
    for i, col in enumerate(cols):
        vals = np.nan_to_num(data[col].astype("float64").to_numpy(dtype=np.float64)[rows])
        seg = ax.barh(
            y,
            vals,
            left=left,
            height=0.28,
            color=palette[i % len(palette)],
            alpha=0.95,
            label=f"failed: {col[len('failures_') :]}",
        )
        for patch in seg.patches:
            patch.set_gid(f"funnel_{col}")
        left = left + vals
    # under the axis label, clear of the bars' labels on the right
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=min(len(cols), 4),
        frameon=False,
        fontsize=8,
    )


def _branch_label(
    data: pd.DataFrame,
    i: int,
    took: float,
    stages: list[str],
    branch: np.ndarray,
    names: dict[str, str],
) -> str:
    """``"248 took this branch (3 % of Send Fine); others: 97 % went on to Payment"``."""
    before = [j for j in range(i) if not branch[j]]
    origin = stages[before[-1]] if before else "all journeys"
    text = f"{count_label(took)} took this branch"
    share = data["branch_share"].iloc[i] if "branch_share" in data.columns else np.nan
    if pd.notna(share):
        text += f" ({float(share):.0%} of {origin})"
    instead = data["went_instead"].iloc[i] if "went_instead" in data.columns else None
    on = data["went_instead_share"].iloc[i] if "went_instead_share" in data.columns else np.nan
    if instead == "(end)":
        text += "; no main stage follows"
    elif isinstance(instead, str) and pd.notna(on):
        text += f"; others: {float(on):.0%} went on to {names.get(instead, instead)}"
    return text


# ---------------------------------------------------------------------------------------
# friction

_FRICTION_COLUMNS = (
    "touchpoint",
    "attributable_failures",
    "attributable_failures_low",
    "attributable_failures_high",
    "verdict",
)


def friction_data(
    log_or_table: Any, *, top: int | None = 12, failure_kind: str | None = None
) -> pd.DataFrame:
    """The table behind :func:`friction`: attributable failures per touchpoint, by verdict.

    Parameters
    ----------
    log_or_table : EventLog or pandas.DataFrame
        An event log, or the table of ``log.friction()`` (or of
        :func:`frictionkit.friction.friction_by_kind`).
    top : int or None, default 12
        Keep this many touchpoints; None keeps all.
    failure_kind : str, optional
        One kind of failure: with a log, ``log.friction(failure_kind=...)`` (the other
        kinds censored); with a table holding a ``failure_kind`` column, its rows of that
        kind.

    Returns
    -------
    pandas.DataFrame
        In the table's order (verdict ``friction`` first, then attributable failures,
        largest first), without outcome steps and rows whose attributable failures are
        missing (no comparable journeys): ``touchpoint``, ``stage``,
        ``attributable_failures`` (bar end), ``attributable_failures_low``,
        ``attributable_failures_high`` (the whisker, 95 % interval), ``verdict`` (the
        colour), ``journeys``, ``failures_visited``, the stage-matched ``risk_ratio``,
        ``risk_ratio_low``, ``risk_ratio_high`` (descriptive) and ``signal``
        (``"more failure"`` when the risk-ratio interval lies above 1, ``"less
        failure"`` below 1, ``"unclear"`` otherwise).

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.plot import friction_data
    >>> log = fk.EventLog.from_frame(simulate_journeys(3000, seed=5), case_col="case_id",
    ...     touchpoint_col="touchpoint", timestamp_col="timestamp", stage_col="stage",
    ...     outcome_col="outcome", strict=False)
    >>> friction_data(log, top=1)[["touchpoint", "verdict"]]
          touchpoint   verdict
    0  payment_error  friction
    """
    k = check_top(top)
    _log_or_table(log_or_table, "log_or_table", "friction()", _FRICTION_COLUMNS)
    t = _friction_of_kind(log_or_table, failure_kind)
    keep = t["attributable_failures"].notna().to_numpy().copy()
    if "outcome_step" in t.columns:
        keep &= ~t["outcome_step"].fillna(False).to_numpy(dtype=bool)
    t = t[keep]
    if k is not None:
        t = t.head(k)
    out = pd.DataFrame({"touchpoint": t["touchpoint"].astype(str).to_numpy(dtype=object)})
    if "stage" in t.columns:
        out["stage"] = t["stage"].astype(object).to_numpy()
    for col in _FRICTION_COLUMNS[1:4]:
        out[col] = t[col].to_numpy(dtype=np.float64)
    out["verdict"] = t["verdict"].astype(object).to_numpy()
    for col in ("journeys", "failures_visited"):
        if col in t.columns:
            out[col] = t[col].to_numpy()
    rr_cols = ("risk_ratio", "risk_ratio_low", "risk_ratio_high")
    for col in rr_cols:
        out[col] = t[col].to_numpy(dtype=np.float64) if col in t.columns else np.nan
    low, high = out["risk_ratio_low"].to_numpy(), out["risk_ratio_high"].to_numpy()
    out["signal"] = np.where(low > 1, "more failure", np.where(high < 1, "less failure", "unclear"))
    out["signal"] = out["signal"].astype(object)
    return out


def _friction_of_kind(log_or_table: Any, failure_kind: str | None) -> pd.DataFrame:
    """The friction table of a log or a table, for one failure kind when given."""
    if is_log(log_or_table):
        table: pd.DataFrame = log_or_table.friction(failure_kind=failure_kind)
        return table
    t: pd.DataFrame = log_or_table
    if "failure_kind" in t.columns:
        kinds = list(dict.fromkeys(t["failure_kind"].astype(str).tolist()))
        if failure_kind is None:
            if len(kinds) > 1:
                raise ValidationError(
                    f"the friction table has several failure kinds {kinds}; draw one at a time",
                    field="failure_kind",
                    hint=f"Pass failure_kind=, one of {kinds}",
                )
            return t
        if failure_kind not in kinds:
            raise ValidationError(
                f"failure_kind must be one of the table's kinds {kinds}, got {failure_kind!r}"
                + did_you_mean(str(failure_kind), kinds),
                field="failure_kind",
                value=failure_kind,
            )
        return t[t["failure_kind"].astype(str) == failure_kind]
    if failure_kind is not None and t.attrs.get("failure_kind") != failure_kind:
        raise ValidationError(
            f"the friction table is not of the failure kind {failure_kind!r}",
            field="failure_kind",
            value=failure_kind,
            hint="Pass the log itself, or log.friction(failure_kind=...)",
        )
    return t


#: Bar colours of the verdicts (colour-blind safe: Okabe-Ito and greys).
VERDICT_COLORS: dict[str, str] = {
    "friction": FAILURE_COLOR,
    "helps": OKABE_ITO[0],
    "no evidence": NEUTRAL_COLOR,
    "not comparable": "#E0E0E0",
    "outcome marker": "#CC79A7",
}


@plain_labels
def friction(
    log_or_table: Any,
    *,
    top: int | None = 12,
    ax: Axes | None = None,
    failure_kind: str | None = None,
) -> Axes:
    """Friction points ranked: attributable failures of each touchpoint with their interval.

    Bars run from 0 to the touchpoint's attributable failures (failed journeys among its
    visitors that would have succeeded had its harm been removed; see
    :meth:`EventLog.friction`); whiskers show the 95 % interval. Rows keep the friction
    table's order (verdict ``friction`` first, then attributable failures, largest
    first). Colour = verdict: vermillion ``friction``, blue ``helps`` (negative:
    visitors fail less than comparable journeys), grey ``no evidence``, light grey
    ``not comparable``, purple ``outcome marker``.

    Parameters
    ----------
    log_or_table : EventLog or pandas.DataFrame
        An event log, or the table of ``log.friction()``.
    top : int or None, default 12
        Show this many touchpoints; None shows all.
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.
    failure_kind : str, optional
        One kind of failure (see :func:`friction_data`); the title names it.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    friction_data : the table drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.plot import friction
    >>> log = fk.EventLog.from_frame(simulate_journeys(3000, seed=5), case_col="case_id",
    ...     touchpoint_col="touchpoint", timestamp_col="timestamp", stage_col="stage",
    ...     outcome_col="outcome", strict=False)
    >>> ax = friction(log, top=5)
    >>> len(ax.patches)
    5
    >>> matplotlib.pyplot.close(ax.figure)
    """
    from matplotlib.patches import Patch

    data = friction_data(log_or_table, top=top, failure_kind=failure_kind)
    n = len(data)
    ax = axes(ax, (8.5, 1.3 + 0.42 * max(n, 1)))
    af = data["attributable_failures"].to_numpy()
    low = data["attributable_failures_low"].to_numpy()
    high = data["attributable_failures_high"].to_numpy()
    y = np.arange(n)
    colors = [VERDICT_COLORS.get(str(v), NEUTRAL_COLOR) for v in data["verdict"]]
    bars = ax.barh(y, af, left=0.0, height=0.6, color=colors, alpha=0.9)
    for patch in bars.patches:
        patch.set_gid("friction_bar")
    ok = np.isfinite(low) & np.isfinite(high)
    ax.errorbar(
        af[ok],
        y[ok],
        xerr=[af[ok] - low[ok], high[ok] - af[ok]],
        fmt="none",
        ecolor="#222222",
        elinewidth=1.1,
        capsize=3,
        zorder=3,
    )
    ax.axvline(0.0, color="#222222", linewidth=1.0)
    ax.set_yticks(y, data["touchpoint"].tolist())
    ax.invert_yaxis()
    ax.set_xlabel("Attributable failures (failed journeys its harm explains; 95 % CI)")
    ax.set_title(
        "Friction points by verdict, then attributable failures"
        + ("" if failure_kind is None else f" (failed: {failure_kind})"),
        loc="left",
    )
    ax.grid(axis="x", alpha=0.2)
    present = [v for v in VERDICT_COLORS if v in set(data["verdict"])]
    ax.legend(
        handles=[Patch(color=VERDICT_COLORS[v], label=v) for v in present],
        loc="lower right",
        frameon=False,
        fontsize=8,
        title="verdict",
        title_fontsize=8,
    )
    return ax


# ---------------------------------------------------------------------------------------
# repair effects

_REPAIR_COLUMNS = ("touchpoint", "delta_success_probability")


def repair_effects_data(
    log_or_table: Any,
    *,
    top: int | None = 12,
    reduce_failure_by: float = REDUCE_FAILURE_BY,
    bootstrap: int = 0,
    seed: Any = None,
) -> pd.DataFrame:
    """The table behind :func:`repair_effects`: gain in success probability per repair.

    Parameters
    ----------
    log_or_table : EventLog or pandas.DataFrame
        An event log, or the table of ``log.repair_effects(...)``.
    top : int or None, default 12
        Keep this many touchpoints (largest gain first); None keeps all.
    reduce_failure_by, bootstrap, seed
        Passed to ``log.repair_effects`` when a log is given (``bootstrap`` > 0 gives the
        intervals); ignored for a table.

    Returns
    -------
    pandas.DataFrame
        Largest gain first, rows with a missing gain left out: ``touchpoint``,
        ``delta_pp`` (gain in percentage points: the bar), ``delta_low_pp`` and
        ``delta_high_pp`` (the whisker; NaN without bootstrap) and ``extra_successes``
        when present. A table with a ``verdict`` column (the friction verdict of each
        touchpoint, joined by the caller) keeps it, and its ``friction`` rows come first,
        so a repair whose harm is not established never heads the chart.

    Examples
    --------
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.plot import repair_effects_data
    >>> log = fk.EventLog.from_frame(simulate_journeys(2000, seed=5), case_col="case_id",
    ...     touchpoint_col="touchpoint", timestamp_col="timestamp", outcome_col="outcome",
    ...     strict=False)
    >>> repair_effects_data(log, top=1, bootstrap=50, seed=1)["touchpoint"].tolist()
    ['payment_error']
    """
    k = check_top(top)
    _log_or_table(log_or_table, "log_or_table", "repair_effects()", _REPAIR_COLUMNS)
    if is_log(log_or_table):
        t = log_or_table.repair_effects(
            reduce_failure_by=reduce_failure_by, bootstrap=bootstrap, seed=seed
        )
    else:
        t = log_or_table
    t = t[t["delta_success_probability"].notna()]
    t = t.sort_values("delta_success_probability", ascending=False, kind="stable")
    if "verdict" in t.columns:
        t = t.iloc[np.argsort(~t["verdict"].eq("friction").to_numpy(), kind="stable")]
    if k is not None:
        t = t.head(k)
    out = pd.DataFrame(
        {
            "touchpoint": t["touchpoint"].astype(str).to_numpy(dtype=object),
            "delta_pp": 100.0 * t["delta_success_probability"].to_numpy(dtype=np.float64),
        }
    )
    for src, dst in (("delta_low", "delta_low_pp"), ("delta_high", "delta_high_pp")):
        col = t[src].to_numpy(dtype=np.float64) if src in t.columns else np.full(len(t), np.nan)
        out[dst] = 100.0 * col
    if "extra_successes" in t.columns:
        out["extra_successes"] = t["extra_successes"].to_numpy(dtype=np.float64)
    if "verdict" in t.columns:
        out["verdict"] = t["verdict"].to_numpy(dtype=object)
    return out


@plain_labels
def repair_effects(
    log_or_table: Any,
    *,
    top: int | None = 12,
    reduce_failure_by: float = REDUCE_FAILURE_BY,
    bootstrap: int = 0,
    seed: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Repair effects ranked: how many points of success probability each fix would add.

    Bars are the Markov-chain repair effect of each touchpoint (its direct failures
    reduced by ``reduce_failure_by`` and handed to its other next steps); whiskers are
    the bootstrap percentile interval when the table has one. A table with a
    ``verdict`` column (see :func:`repair_effects_data`) draws its ``friction`` rows
    first and in colour, the others grey, with a legend.

    Parameters
    ----------
    log_or_table : EventLog or pandas.DataFrame
        An event log, or the table of ``log.repair_effects(...)``.
    top : int or None, default 12
        Show this many touchpoints; None shows all.
    reduce_failure_by, bootstrap, seed
        Passed to ``log.repair_effects`` when a log is given.
    ax : matplotlib.axes.Axes, optional
        Draw here; by default on a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    repair_effects_data : the table drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frictionkit as fk
    >>> from frictionkit.datasets import simulate_journeys
    >>> from frictionkit.plot import repair_effects
    >>> log = fk.EventLog.from_frame(simulate_journeys(2000, seed=5), case_col="case_id",
    ...     touchpoint_col="touchpoint", timestamp_col="timestamp", outcome_col="outcome",
    ...     strict=False)
    >>> ax = repair_effects(log.repair_effects(bootstrap=50, seed=1), top=4)
    >>> len(ax.patches)
    4
    >>> matplotlib.pyplot.close(ax.figure)
    """
    data = repair_effects_data(
        log_or_table,
        top=top,
        reduce_failure_by=reduce_failure_by,
        bootstrap=bootstrap,
        seed=seed,
    )
    n = len(data)
    ax = axes(ax, (8.0, 1.3 + 0.42 * max(n, 1)))
    y = np.arange(n)
    d = data["delta_pp"].to_numpy()
    established = (
        data["verdict"].eq("friction").to_numpy()
        if "verdict" in data.columns
        else np.ones(n, dtype=bool)
    )
    colours = np.where(established, SUCCESS_COLOR, NEUTRAL_COLOR)
    bars = ax.barh(y, d, height=0.6, color=colours.tolist(), alpha=0.85)
    for patch in bars.patches:
        patch.set_gid("repair_bar")
    if "verdict" in data.columns and not established.all():
        from matplotlib.patches import Patch

        ax.legend(
            handles=[
                Patch(color=SUCCESS_COLOR, alpha=0.85, label="friction (harm established)"),
                Patch(color=NEUTRAL_COLOR, alpha=0.85, label="no friction verdict"),
            ],
            loc="lower right",
            fontsize=8,
        )
    low, high = data["delta_low_pp"].to_numpy(), data["delta_high_pp"].to_numpy()
    ok = np.isfinite(low) & np.isfinite(high)
    if ok.any():
        ax.errorbar(
            d[ok],
            y[ok],
            xerr=[np.clip(d[ok] - low[ok], 0, None), np.clip(high[ok] - d[ok], 0, None)],
            fmt="none",
            ecolor="#222222",
            elinewidth=1.1,
            capsize=3,
            zorder=3,
        )
    ax.set_yticks(y, data["touchpoint"].tolist())
    ax.invert_yaxis()
    ends = np.concatenate([d, high[ok]]) if len(d) else d
    widest = float(np.nanmax(ends)) if np.isfinite(ends).any() else 0.0
    if widest > 0:
        ax.set_xlim(left=0)
    elif not (np.isfinite(ends) & (ends < 0)).any():
        ax.set_xlim(0, 1)  # every gain 0, or none: a unit axis, not an empty one
    # every gain below 0: the axis as drawn, so the losses show (matplotlib would warn
    # on a left limit of 0 past the right one)
    ci = " (bootstrap 95 % CI)" if ok.any() else ""
    ax.set_xlabel(f"Gain in success probability, percentage points{ci}")
    ax.set_title("Repair effects: success gained by fixing each touchpoint", loc="left")
    ax.grid(axis="x", alpha=0.25)
    return ax
