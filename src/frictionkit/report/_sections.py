"""The sections of the report on evidence: journey map, routes, friction, feedback."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from frictionkit.events import EventLog
from frictionkit.exceptions import InputTypeError
from frictionkit.feedback import Feedback
from frictionkit.model import Journey
from frictionkit.privacy import (
    SUPPRESSED_LABEL,
    folded_rows,
    mask_personal_data,
    suppress_small_groups,
)
from frictionkit.report._format import (
    _DASH,
    _ROUTE_FLOW_TOP,
    _TOP_ROUTES,
    _TOP_SPLIT,
    _cell,
    _Figures,
    _h3,
    _interval,
    _missing,
    _note,
    _p,
    _table,
    _tbl,
)
from frictionkit.report._kinds import (
    _kind_sentence,
    _kind_spec,
    _with_kinds,
)
from frictionkit.routes import outcomes_by, route_text, stage_routes


# helpers on the inputs
# ---------------------------------------------------------------------------------------
def _tp_names(journey: Journey) -> dict[str, str]:
    return {tp.id: tp.label for tp in journey.touchpoints}


def _stage_names(journey: Journey) -> dict[str, str]:
    return {st.id: st.label for st in journey.stages}


def _owner_names(journey: Journey) -> dict[str, str]:
    return {ow.id: ow.label for ow in journey.owners}


def _check_type(value: Any, cls: type, field: str, hint: str) -> None:
    if value is not None and not isinstance(value, cls):
        raise InputTypeError(
            f"{field} must be a {cls.__name__} or None, got {type(value).__name__}",
            field=field,
            value=type(value).__name__,
            hint=hint,
        )


def _route_rows(log: EventLog, journey: Journey, min_group_size: int) -> pd.DataFrame:
    """The routes table, with ``route_label``: its text in the journey's touchpoint labels.

    Touchpoints the journey does not map keep their name in the log; the folded row keeps
    its label.
    """
    table = log.routes(min_group_size=min_group_size)
    names = _tp_names(journey)
    shown = [
        route_text(names.get(t, t) for t in route) if route else text
        for route, text in zip(table["route"], table["route_text"], strict=True)
    ]
    return table.drop(columns=["route"]).assign(route_label=pd.Series(shown, dtype=object))


def _plural(n: int, word: str) -> str:
    head, _, tail = word.rpartition(" ")
    noun = tail if n == 1 else tail + "s"
    return f"{n} {head} {noun}".replace("  ", " ")


def _with_ci(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(
        ci=[
            _interval(lo, hi, "pct")
            for lo, hi in zip(table["success_rate_low"], table["success_rate_high"], strict=True)
        ]
    )


# The columns of the report's stage-route table, in their order.
_STAGE_ROUTE_COLS = [
    "route_text",
    "journeys",
    "successes",
    "failures",
    "open",
    "suppressed_groups",
    "success_rate",
    "success_rate_low",
    "success_rate_high",
    "share",
]


def _stage_route_rows(log: EventLog, journey: Journey, min_group_size: int) -> pd.DataFrame:
    """Routes through the stages (consecutive repeats of a stage collapsed), small folded."""
    labels = {st.id: st.label for st in journey.stages}
    table = stage_routes(log, labels=labels, min_group_size=min_group_size)
    kinds = [c for c, _, _ in _kind_spec(table)]
    cols = [*_STAGE_ROUTE_COLS]
    cols[cols.index("open") + 1 : cols.index("open") + 1] = kinds
    return table[cols]


def _went_instead_text(rec: dict[Any, Any], names: dict[str, str]) -> str:
    """Where the journeys that skipped a branch went: "97.0 % went on to Payment"."""
    target = rec.get("went_instead")
    if target == "(end)":
        return "no main stage follows"
    share = rec.get("went_instead_share")
    if not isinstance(target, str) or _missing(share):
        return _DASH
    return f"{_cell(share, 'pct')} went on to {names.get(target, target)}"


def _segment_rows(log: EventLog, column: str, min_group_size: int) -> pd.DataFrame:
    return outcomes_by(log, column, min_group_size=min_group_size)


# ---------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------
def _journey_map_size(journey: Journey, lane: bool) -> tuple[float, float]:
    """Figure size of the journey map: taller for stages with many touchpoints.

    A card keeps about 0.6 inch (its name, owner line and verdict line in 7-8.5 pt type)
    however many touchpoints a stage holds; 5.5 inches at least.
    """
    per_stage = Counter(tp.stage for tp in journey.touchpoints)
    rows = max(per_stage.values(), default=1)
    return (10.0, max(5.5, 1.2 + 0.55 * (0.7 + 1.25 * rows) + (1.2 if lane else 0.0)))


def _journey_section(
    journey: Journey,
    log: EventLog | None,
    feedback: Feedback | None,
    friction: pd.DataFrame | None,
    figs: _Figures,
    *,
    outcome_markers: tuple[str, ...] = (),
    adjust_for: tuple[str, ...] = (),
) -> tuple[dict[str, Any], pd.DataFrame]:
    blocks: list[dict[str, Any]] = [
        _p(
            f"{len(journey.stages)} stages, {len(journey.touchpoints)} touchpoints, "
            f"{len(journey.pain_points)} pain points and {len(journey.improvements)} candidate "
            "improvements. Each touchpoint has a stage, a channel and the team that owns it."
        )
    ]
    fig = figs.draw(
        "journey_map",
        "Journey map: stages as columns, touchpoints as cards"
        + (", coloured by friction verdict" if log is not None else "")
        + (", with the emotion curve from the survey" if feedback is not None else "")
        + ".",
        journey,
        log=log,
        feedback=feedback,
        size=_journey_map_size(journey, feedback is not None),
        **(
            {"outcome_markers": outcome_markers, "adjust_for": adjust_for}
            if log is not None and friction is not None
            else {}
        ),
    )
    if fig is not None:
        blocks.append(fig)
    owners = _owner_names(journey)
    verdicts: dict[str, Any] = {}
    af: dict[str, Any] = {}
    if friction is not None:
        verdicts = dict(zip(friction["touchpoint"], friction["verdict"], strict=True))
        af = dict(zip(friction["touchpoint"], friction["attributable_failures"], strict=True))
    rows = []
    for st in journey.stages:
        for tp in journey.touchpoints_in(st.id):
            pains = journey.pain_points_at(tp.id)
            rows.append(
                {
                    "stage": st.label,
                    "touchpoint": tp.label,
                    "channel": tp.channel,
                    "owner": owners.get(tp.owner, tp.owner) if tp.owner else _DASH,
                    "pain_points": "; ".join(
                        f"{pp.description or pp.id}" + f" (severity {pp.severity})" for pp in pains
                    )
                    or _DASH,
                    "verdict": verdicts.get(tp.id, _DASH),
                    "attributable_failures": af.get(tp.id, np.nan),
                }
            )
    frame = pd.DataFrame(rows)
    spec = [
        ("stage", "Stage", "text"),
        ("touchpoint", "Touchpoint", "text"),
        ("channel", "Channel", "text"),
        ("owner", "Owner", "text"),
        ("pain_points", "Pain points", "text"),
    ]
    if friction is not None:
        spec.append(("verdict", "Friction verdict", "text"))
        spec.append(("attributable_failures", "Attributable failures", "num1"))
    blocks.append(_tbl(_table(frame, spec, key="journey", caption="Touchpoints by stage")))
    return {"id": "journey", "title": "Journey map", "blocks": blocks}, frame


def _routes_section(
    log: EventLog,
    journey: Journey,
    min_group_size: int,
    figs: _Figures,
    *,
    branch_threshold: float | None = 0.5,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    routes = _route_rows(log, journey, min_group_size)
    kept = routes[~folded_rows(routes)]
    folded = routes[folded_rows(routes)]
    oc = log.outcome_counts
    decided = oc["success"] + oc["failure"]
    rate = oc["success"] / decided if decided else math.nan
    blocks: list[dict[str, Any]] = [
        _p(
            f"{log.n_journeys:,} journeys: {oc['success']:,} ended in success, "
            f"{oc['failure']:,} in failure and {oc['open']:,} are still open; "
            f"{_cell(rate, 'pct')} of the decided journeys succeeded. They follow "
            f"{len(log.routes()):,} distinct routes."
        )
    ]
    kinds_text = _kind_sentence(log, min_group_size)
    if kinds_text is not None:
        blocks.append(_p(kinds_text))
    if len(folded):
        blocks.append(
            _note(
                f"Routes followed by fewer than {min_group_size} journeys are folded into "
                f"one row, “{SUPPRESSED_LABEL}” ({int(folded['suppressed_groups'].iloc[0]):,} "
                f"routes, {int(folded['journeys'].iloc[0]):,} journeys), so no route of only "
                "a handful of people is shown."
            )
        )
    top_counts = kept["journeys"].head(_ROUTE_FLOW_TOP)
    # Drawn when the plot folds small routes itself, or when every route it names is large.
    if len(top_counts) and (figs.folds("route_flow") or int(top_counts.min()) >= min_group_size):
        fig = figs.draw(
            "route_flow",
            "The most common routes as a flow, ending in success, failure or still open; "
            f"routes of fewer than {min_group_size} journeys are grouped.",
            log,
            top=_ROUTE_FLOW_TOP,
            size=(10.0, 5.0),
            labels=_tp_names(journey),
        )
        if fig is not None:
            blocks.append(fig)
    spec = [
        ("route_text", "Route", "text"),
        ("journeys", "Journeys", "int"),
        ("share", "Share", "pct"),
        ("successes", "Successes", "int"),
        ("failures", "Failures", "int"),
        ("success_rate", "Success rate", "pct"),
        ("ci", "95 % interval", "text"),
    ]
    routes = _with_ci(routes)
    stage_routes = _with_ci(_stage_route_rows(log, journey, min_group_size))
    kept = routes[~folded_rows(routes)]
    shown = pd.concat([kept.head(_TOP_ROUTES), routes[folded_rows(routes)]])
    st_kept = stage_routes[~folded_rows(stage_routes)]
    success = st_kept[st_kept["successes"] > 0].sort_values(
        ["successes", "success_rate"], ascending=False, kind="stable"
    )
    failure = st_kept[st_kept["failures"] > 0].sort_values(
        ["failures", "success_rate"], ascending=[False, True], kind="stable"
    )
    blocks.append(
        _p(
            "Touchpoint routes are many and mostly unique in a long journey, so success and "
            "failure routes are first shown through the stages (a journey's stages in "
            "order, a stage repeated only when the journey came back to it)."
        )
    )
    for key, title, rows, what in (
        ("success-routes", "Success routes", success, "successes"),
        ("failure-routes", "Failure routes", failure, "failures"),
    ):
        n = min(_TOP_SPLIT, len(rows))
        blocks.append(_h3(title))
        blocks.append(
            _tbl(
                _table(
                    rows.head(_TOP_SPLIT),
                    _with_kinds(spec, rows),
                    key=key,
                    caption=f"The {_plural(n, 'stage route')} with the most {what}",
                    note=f"Stage routes of fewer than {min_group_size} journeys are not shown."
                    if len(rows)
                    else None,
                )
            )
        )
    blocks.append(_h3("Most common touchpoint routes"))
    blocks.append(
        _tbl(
            _table(
                shown,
                # touchpoints by their labels, as in the journey map
                _with_kinds([("route_label", "Route", "text"), *spec[1:]], shown),
                key="routes",
                caption=f"The {_plural(min(_TOP_ROUTES, len(kept)), 'most common route')}",
                note=f"Routes with fewer than {min_group_size} journeys are folded into the "
                "last row.",
            )
        )
    )
    tables = {
        "routes": _no_sentinel(shown.drop(columns=["ci", "route_label"]).reset_index(drop=True)),
        "stage_routes": _no_sentinel(stage_routes.drop(columns=["ci"])),
    }
    funnel = log.funnel(min_group_size=min_group_size, branch_threshold=branch_threshold)
    stage_names = _stage_names(journey)
    fig = figs.draw(
        "funnel",
        "Journeys reaching each stage.",
        log,
        branch_threshold=branch_threshold,
        labels=stage_names,
    )
    blocks.append(_h3("Funnel"))
    if fig is not None:
        blocks.append(fig)
    is_branch = (funnel["kind"] == "branch").to_numpy(dtype=bool)
    funnel = funnel.assign(
        stage_label=[
            f"{stage_names.get(s, s)} (branch)" if b else stage_names.get(s, s)
            for s, b in zip(funnel["stage"], is_branch.tolist(), strict=True)
        ],
        others_text=[
            _went_instead_text(rec, stage_names) if b else _DASH
            for rec, b in zip(funnel.to_dict("records"), is_branch.tolist(), strict=True)
        ],
    )
    spec = [
        ("stage_label", "Stage", "text"),
        ("journeys", "Journeys reaching it", "int"),
        ("step_conversion", "From the stage before", "pct"),
        ("drop_off", "Went no further", "int"),
        ("success_rate", "Success rate", "pct"),
    ]
    kind_cols = _kind_spec(funnel)
    spec += kind_cols
    note = (
        "A journey reaches a stage when its furthest stage is that one or a later one "
        "(outcome steps, which decide the outcome, do not count); the success rate is over "
        "the decided journeys reaching it."
    )
    if is_branch.any():
        spec[3:3] = [
            ("visited", "Took the branch", "int"),
            ("branch_share", "Share taking the branch", "pct"),
            ("others_text", "The others", "text"),
        ]
        note += (
            " A branch is a stage that most journeys going further skip: it shows the "
            "journeys that took it, their share of the main stage before, and where the "
            "others went; the next main stage converts from the main stage before the branch."
        )
    if kind_cols:
        note += (
            " The columns by kind count the journeys reaching the stage that ended in each "
            "kind of outcome."
        )
    # a branch's row shows the journeys that took it, not those that went this far
    shown_funnel = funnel.assign(
        journeys=funnel["journeys"].astype("Float64").mask(is_branch),
        success_rate=funnel["success_rate"].astype("Float64").mask(is_branch),
        **{col: funnel[col].astype("Float64").mask(is_branch) for col, _, _ in kind_cols},
    )
    blocks.append(
        _tbl(
            _table(
                shown_funnel,
                spec,
                key="funnel",
                caption="Funnel by stage",
                note=note,
            )
        )
    )
    tables["funnel"] = funnel.drop(columns=["stage_label", "others_text"])
    if "persona" in log.case_attributes.columns:
        seg = _segment_rows(log, "persona", min_group_size)
        personas = {p.id: p.label for p in journey.personas}
        seg = seg.assign(
            label=[personas.get(s, s) if isinstance(s, str) else s for s in seg["segment"]]
        )
        blocks.append(_h3("By persona"))
        blocks.append(
            _tbl(
                _table(
                    seg,
                    [
                        ("label", "Persona", "text"),
                        ("journeys", "Journeys", "int"),
                        ("successes", "Successes", "int"),
                        ("failures", "Failures", "int"),
                        ("success_rate", "Success rate", "pct"),
                    ],
                    key="segments",
                    caption="Outcomes by persona",
                    note=f"Personas with fewer than {min_group_size} journeys are folded.",
                )
            )
        )
        tables["segments"] = seg.drop(columns=["label"])
    return {"id": "routes", "title": "Success and failure routes", "blocks": blocks}, tables


#: journey resamples behind the repair table's intervals (about 0.1 s on the demo)
_COMMENTS_PER_TOUCHPOINT = 5


def _comments_block(
    feedback: Feedback, journey: Journey, min_group_size: int
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Masked comments, only for touchpoints with at least ``min_group_size`` answers."""
    answers = feedback.answers
    texts = answers[answers["comment"].map(lambda c: isinstance(c, str) and c.strip() != "")]
    counts = answers.groupby("touchpoint", dropna=True).size()
    shown_tps = [tp for tp, n in counts.items() if n >= min_group_size]
    texts = texts[texts["touchpoint"].isin(shown_tps)]
    # Lowest scores first (the friction), then answer order, a few per touchpoint.
    texts = texts.assign(_order=range(len(texts))).sort_values(
        ["touchpoint", "score", "_order"], kind="stable"
    )
    picked = texts.groupby("touchpoint", sort=False).head(_COMMENTS_PER_TOUCHPOINT)
    names = _tp_names(journey)
    table = pd.DataFrame(
        {
            "touchpoint": picked["touchpoint"].to_numpy(),
            "metric": picked["metric"].to_numpy(),
            "score": picked["score"].to_numpy(),
            "comment": [mask_personal_data(str(c)) for c in picked["comment"]],
        }
    )
    display = table.assign(name=[names.get(t, t) for t in table["touchpoint"]])
    blocks = [
        _h3("What customers wrote"),
        _tbl(
            _table(
                display,
                [
                    ("name", "Touchpoint", "text"),
                    ("metric", "Metric", "text"),
                    ("score", "Score", "num"),
                    ("comment", "Comment (personal data masked)", "text"),
                ],
                key="comments",
                caption="Comments with the lowest scores",
                note=f"At most {_COMMENTS_PER_TOUCHPOINT} per touchpoint, only where "
                f"{min_group_size} or more answers stand behind it; emails, phone and "
                "card-like numbers are masked.",
            )
        ),
    ]
    return blocks, table


def _feedback_section(
    feedback: Feedback, journey: Journey, min_group_size: int, *, comments: bool = False
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    names = _tp_names(journey)
    scores = feedback.scores(by=("metric", "touchpoint"), include_empty=False)
    parts = []
    for _, grp in scores.groupby("metric", sort=False):
        grp = grp.assign(
            touchpoint=[t if isinstance(t, str) else "(no touchpoint)" for t in grp["touchpoint"]]
        )
        parts.append(
            suppress_small_groups(
                grp.reset_index(drop=True),
                count_col="n",
                min_group_size=min_group_size,
                label_col="touchpoint",
            ).assign(metric=grp["metric"].iloc[0])
        )
    table = pd.concat(parts, ignore_index=True) if parts else scores.assign(suppressed_groups=1)
    fmt: dict[str, str] = {"csat": "pct", "nps": "num", "ces": "num", "csat_mean": "num"}
    display = table.assign(
        name=[names.get(t, t) for t in table["touchpoint"]],
        value_text=[
            _cell(v, fmt.get(str(m), "num"))
            for v, m in zip(table["value"], table["metric"], strict=True)
        ],
        ci=[
            _interval(lo, hi, fmt.get(str(m), "num"))
            for lo, hi, m in zip(table["ci_low"], table["ci_high"], table["metric"], strict=True)
        ],
        metric_name=[str(m).upper().replace("_MEAN", " mean") for m in table["metric"]],
    )
    blocks: list[dict[str, Any]] = [
        _p(
            f"{feedback.n_answers:,} survey answers "
            f"({', '.join(m.upper() for m in feedback.metrics)}). "
            + (
                "Selected comments are shown below with personal data masked."
                if comments
                else "Free-text comments are not shown in this report."
            )
        ),
        _tbl(
            _table(
                display,
                [
                    ("metric_name", "Metric", "text"),
                    ("name", "Touchpoint", "text"),
                    ("value_text", "Value", "text"),
                    ("ci", "95 % interval", "text"),
                    ("n", "Answers", "int"),
                ],
                key="feedback",
                caption="Survey scores by touchpoint",
                note=f"Groups with fewer than {min_group_size} answers are folded per metric.",
            )
        ),
    ]
    out_tables = {"feedback": table}
    if comments:
        extra, comment_table = _comments_block(feedback, journey, min_group_size)
        blocks.extend(extra)
        out_tables["comments"] = comment_table
    section = {"id": "feedback", "title": "Voice of the customer", "blocks": blocks}
    return section, out_tables


def _no_sentinel(table: pd.DataFrame) -> pd.DataFrame:
    """The folded row's ``n_steps`` (-1 in the routes tables) shown missing, not as -1."""
    if "n_steps" not in table.columns:
        return table
    steps = table["n_steps"].astype("Int64")
    return table.assign(n_steps=steps.mask(steps < 0))
