"""The report's friction section: attributable failures, the verdicts and their cautions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from frictionkit._protocol import and_list
from frictionkit.events import EventLog
from frictionkit.friction import hide_small_comparisons
from frictionkit.friction._table import OUTCOME_MARKER_SHARE, count_as_steps
from frictionkit.model import Journey
from frictionkit.privacy import folded_rows, suppress_small_groups
from frictionkit.report._format import (
    _TOP_FRICTION,
    _af_interval,
    _af_intervals,
    _cell,
    _Figures,
    _h3,
    _interval,
    _p,
    _table,
    _tbl,
)
from frictionkit.report._kinds import _friction_by_kind_block
from frictionkit.report._sections import _stage_names, _tp_names

_REPAIR_BOOTSTRAP = 100


def _rests_on(row: Mapping[Any, Any]) -> str:
    """The found outcome markers a row's friction verdict rests on ("" for none)."""
    value = row.get("verdict_rests_on")
    return value if isinstance(value, str) else ""


def _listed(markers: str, names: dict[str, str]) -> str:
    """``"confirmation, order_cancelled"`` as ``"Confirmation and Order cancelled"``."""
    return and_list([names.get(m, m) for m in markers.split(", ")])


def _steps(markers: str, names: dict[str, str]) -> str:
    """``"Confirmation counts as a step"`` / ``"A and B count as steps"``."""
    return count_as_steps(_listed(markers, names), len(markers.split(", ")))


def _rests_on_callouts(kept: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    """A caution for each friction verdict that rests on found outcome markers.

    Such a verdict would be "not comparable" with the markers declared: the data cannot
    tell a consequence of the outcome from its cause, so the reader must (see
    :func:`frictionkit.friction.friction`, ``verdict_rests_on``).
    """
    out = []
    for r in kept[kept["verdict"] == "friction"].to_dict("records"):
        markers = _rests_on(r)
        if not markers:
            continue
        step = names.get(r["touchpoint"], r["touchpoint"])
        listed = _listed(markers, names)
        one = markers.count(", ") == 0
        out.append(
            {
                "kind": "callout",
                "warn": True,
                "text": f"Check before acting on {step}: it is friction only while "
                f"{count_as_steps(listed, 1 if one else 2)} of the journey. At least "
                f"{OUTCOME_MARKER_SHARE * 100:.0f} % of {'its' if one else 'their'} visitors "
                f"end in one outcome, so {'it' if one else 'they'} may only record the outcome; if "
                f"{'it does' if one else 'they do'}, the journeys that skip "
                f"{step} end right where its visitors met it, and nothing is left to compare "
                f"it with. Ask what {step} is. If it happens because the outcome was already "
                "decided (a reminder sent to those who did not pay), it is a consequence, not "
                f"a cause: declare {listed} as outcome markers and it reads not comparable. "
                "If it causes failures (an error just before success), the verdict stands. "
                "The data cannot tell which.",
            }
        )
    return out


def _rests_on_note(kept: pd.DataFrame, shown: set[str], names: dict[str, str]) -> str:
    """A sentence naming the repairs that rest on outcome markers found in the data."""
    rests = [
        names.get(r["touchpoint"], r["touchpoint"])
        for r in kept.to_dict("records")
        if r["touchpoint"] in shown and _rests_on(r)
    ]
    if not rests:
        return ""
    return (
        f" The repair of {and_list(rests)} rests on outcome markers found in the data "
        "counting as steps, as its friction verdict does: check it as the caution above says."
    )


def _friction_section(
    log: EventLog,
    journey: Journey,
    min_group_size: int,
    figs: _Figures,
    *,
    outcome_markers: tuple[str, ...] = (),
    adjust_for: tuple[str, ...] = (),
) -> tuple[dict[str, Any], dict[str, pd.DataFrame], pd.DataFrame]:
    names = _tp_names(journey)
    table = log.friction(outcome_markers=outcome_markers, adjust_for=adjust_for)
    full = hide_small_comparisons(table, min_group_size=min_group_size)
    scored = full[~full["outcome_step"].astype(bool)].reset_index(drop=True)
    cols = [
        "touchpoint",
        "stage",
        "journeys",
        "failures_visited",
        "risk_visited",
        "risk_not_visited",
        "risk_ratio",
        "risk_ratio_low",
        "risk_ratio_high",
        "q_value",
        "supported",
        "exit_share",
        "repeat_rate",
        "friction_score",
        "attributable_failures",
        "attributable_failures_low",
        "attributable_failures_high",
        "af_q_value",
        "verdict",
        "verdict_rests_on",
    ]
    folded = suppress_small_groups(
        scored[cols],
        count_col="journeys",
        min_group_size=min_group_size,
        label_col="touchpoint",
        sum_cols=["failures_visited"],
    )
    kept = folded[~folded_rows(folded)]
    shown = pd.concat(
        [kept.head(_TOP_FRICTION), folded[folded_rows(folded)]],
        ignore_index=True,
    )
    stage_names = _stage_names(journey)
    shown = shown.assign(
        name=[names.get(t, t) for t in shown["touchpoint"]],
        stage_name=[
            stage_names.get(st, st) if isinstance(st, str) else st for st in shown["stage"]
        ],
        rr_ci=[
            _interval(lo, hi, "ratio")
            for lo, hi in zip(shown["risk_ratio_low"], shown["risk_ratio_high"], strict=True)
        ],
        af_ci=_af_intervals(shown),
    )
    blocks: list[dict[str, Any]] = [
        _p(
            "Each touchpoint is judged by its attributable failures: how many of the failed "
            "journeys that visited it would have succeeded had they gone on, from where they "
            "met it, like comparable journeys that were at the same step and went on without "
            "it. Only a significant, comparable estimate gets the verdict friction; the "
            "touchpoints are ranked by verdict, then by attributable failures (see Methods)."
        )
    ]
    top = kept[kept["verdict"] == "friction"].head(3)
    if len(top):
        blocks.append(
            {
                "kind": "callout",
                "warn": True,
                "text": "Worst friction points: "
                + "; ".join(
                    f"{names.get(r['touchpoint'], r['touchpoint'])} "
                    f"({_cell(r['attributable_failures'], 'num1')} attributable failures, "
                    "95 % interval "
                    + _af_interval(r["attributable_failures_low"], r["attributable_failures_high"])
                    + ", "
                    f"q {_cell(r['af_q_value'], 'p')}"
                    + (
                        f"; only while {_steps(_rests_on(r), names)}, see below"
                        if _rests_on(r)
                        else ""
                    )
                    + ")"
                    for r in top.to_dict("records")
                )
                + ".",
            }
        )
        blocks.extend(_rests_on_callouts(kept, names))
    else:
        blocks.append(
            {
                "kind": "callout",
                "warn": False,
                "text": "No touchpoint has the verdict friction: no significant, comparable "
                "estimate of failures it causes.",
            }
        )
    fig = figs.draw(
        "friction",
        "Attributable failures by touchpoint with 95 % intervals, by verdict"
        + (f", adjusted for {', '.join(adjust_for)}" if adjust_for else "")
        + ".",
        # the table shown, touchpoints by their names as in the tables
        full.assign(touchpoint=[names.get(t, t) for t in full["touchpoint"]]),
        size=(8.0, 5.0),
    )
    if fig is not None:
        blocks.append(fig)
    blocks.append(
        _tbl(
            _table(
                shown,
                [
                    ("name", "Touchpoint", "text"),
                    ("stage_name", "Stage", "text"),
                    ("journeys", "Journeys visiting", "int"),
                    ("failures_visited", "Failed visitors", "int"),
                    ("attributable_failures", "Attributable failures", "num1"),
                    ("af_ci", "95 % interval", "text"),
                    ("af_q_value", "q-value", "p"),
                    ("verdict", "Verdict", "text"),
                    ("risk_ratio", "Risk ratio (stage-matched)", "ratio"),
                    ("rr_ci", "95 % interval", "text"),
                    ("exit_share", "Exit share", "pct"),
                    ("repeat_rate", "Repeat rate", "pct"),
                ],
                key="friction",
                caption=f"The first {min(_TOP_FRICTION, len(kept))} touchpoints by verdict, "
                "then attributable failures",
                note=f"Touchpoints visited by fewer than {min_group_size} decided journeys are "
                "folded. A dash: no comparable journeys (or too few on one side), or a "
                "figure hidden because, with the others shown, it would reveal a group of "
                f"fewer than {min_group_size} journeys (such as the few visitors left out of "
                "the comparison); the estimate and verdict are never hidden for that. Each "
                "interval is for its own row; the verdict also allows for testing every "
                "touchpoint at once (false discovery rate), so an interval clear of 0 can "
                "still read no evidence.",
            )
        )
    )
    tables = {"friction": shown.drop(columns=["name", "stage_name", "rr_ci", "af_ci"])}
    # harm removal with the table's markers and adjustment, so its extra successes are the
    # table's attributable failures; only where the table's verdict is friction or no
    # evidence (markers and touchpoints without comparable journeys have no repair)
    repair = log.repair_effects(
        kind="harm_removal",
        outcome_markers=outcome_markers or None,
        adjust_for=adjust_for or None,
        bootstrap=_REPAIR_BOOTSTRAP,
        seed=0,
    )
    verdict_of = dict(zip(kept["touchpoint"], kept["verdict"], strict=True))
    repair = repair.assign(verdict=repair["touchpoint"].map(verdict_of))
    repair = repair[repair["verdict"].isin(["friction", "no evidence"])]
    repair = repair[repair["delta_success_probability"].notna()]
    # the repairs whose harm is established first (the chart and the table agree): a
    # large but uncertain gain of a step with no friction verdict never heads them
    repair = repair.iloc[np.argsort(~repair["verdict"].eq("friction").to_numpy(), kind="stable")]
    repair = repair.head(8).reset_index(drop=True)
    if len(repair):
        blocks.append(_h3("What repairing a touchpoint would be worth"))
        fig = figs.draw(
            "repair_effects",
            "Gain in success probability per touchpoint whose harm is removed, with 95 % "
            "intervals.",
            repair.assign(touchpoint=[names.get(t, t) for t in repair["touchpoint"]]),
        )
        if fig is not None:
            blocks.append(fig)
        repair = repair.assign(
            name=[names.get(t, t) for t in repair["touchpoint"]],
            extra_ci=_af_intervals(repair, "extra_successes"),
        )
        blocks.append(
            _tbl(
                _table(
                    repair,
                    [
                        ("name", "Touchpoint", "text"),
                        ("delta_success_probability", "Gain in success probability", "pp"),
                        ("extra_successes", "Extra successes (whole log)", "num1"),
                        ("extra_ci", "95 % interval", "text"),
                        ("verdict", "Friction verdict", "text"),
                    ],
                    key="repair",
                    caption="Repair effects: each touchpoint's harm removed (Markov chain of "
                    "the decided journeys that remembers the step)",
                    note="Each row removes the touchpoint's harm: its visitors go on, from "
                    "where they met it, like comparable journeys that did not meet it, and "
                    "succeed at their rate. Extra successes are the touchpoint's attributable "
                    "failures in the friction table (same comparison"
                    + (", same outcome markers" if outcome_markers else "")
                    + (f", adjusted for {', '.join(adjust_for)}" if adjust_for else "")
                    + "); a negative gain means its visitors did better than comparable "
                    "journeys. Interval: 100 journey resamples. Only touchpoints with the "
                    "verdict friction or no evidence are shown, friction first: a gain "
                    "without a friction verdict is not established."
                    + _rests_on_note(kept, set(repair["touchpoint"]), names),
                )
            )
        )
        tables["repair_effects"] = repair.drop(columns=["name", "extra_ci"])
    by_kind = _friction_by_kind_block(
        log,
        names,
        min_group_size,
        outcome_markers=outcome_markers,
        adjust_for=adjust_for,
        stage_names=stage_names,
    )
    if by_kind is not None:
        blocks.extend(by_kind[0])
        if len(by_kind[1].columns):
            tables["friction_by_kind"] = by_kind[1]
    section = {"id": "friction", "title": "Friction points", "blocks": blocks}
    return section, tables, full
