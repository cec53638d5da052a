"""The methods section: every formula, convention and data source used."""

from __future__ import annotations

import math
from typing import Any

from frictionkit.events import FAILURE, OPEN, SUCCESS, EventLog
from frictionkit.feedback import Feedback
from frictionkit.model import Journey
from frictionkit.portfolio import Plan
from frictionkit.privacy import SUPPRESSED_LABEL
from frictionkit.ranking import IMPACT_MISSING, QUICK_WIN, Ranking
from frictionkit.report._format import (
    _ROADMAP_PERIOD_DAYS,
    _Figures,
    _h3,
    _num,
)
from frictionkit.report._sections import _owner_names, _plural
from frictionkit.scoring import SCORING


def _method_formula(method: str) -> str:
    """The score of ``method`` in plain text, from the scoring registry."""
    spec = SCORING.get(method)
    return "" if spec is None else spec.formula_text()


# ---------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------


def _branch_text(branch_threshold: float | None) -> str:
    """The funnel's branch rule, with the threshold used."""
    if not branch_threshold:
        return "Every stage is a main stage (no branch threshold); "
    share = "half" if branch_threshold == 0.5 else f"{branch_threshold:.0%}"
    return (
        f"A branch is a stage that fewer than {share} of the journeys going further pass "
        "through; it is not a step: "
    )


def _kinds_text(log: EventLog) -> str | None:
    """The per-kind estimand, for a log whose outcomes name kinds."""
    if not log.has_kinds:
        return None
    outcome = log.kind_outcome.tolist()
    named = [
        f"{n} ({'success' if o == SUCCESS else 'failure'})"
        for n, o in zip(log.outcome_kinds, outcome, strict=True)
        if o != OPEN
    ]
    text = (
        "The outcomes name kinds: "
        + ", ".join(named)
        + ". Success rates, routes and the funnel count every kind of an outcome together, "
        "with the journeys of each kind beside them (“Failed: <kind>”). "
    )
    if outcome.count(FAILURE) >= 2:
        text += (
            "The friction per kind of failure is the friction table computed for one kind: "
            "among the journeys that succeeded or failed in that kind, the journeys that "
            "failed in another kind are censored at their outcome (counted as open: neither "
            "a success nor a failure of this kind, so left out of the comparison); its "
            "attributable failures are failures of that kind. The friction table above "
            "counts every kind as failure."
        )
    return text


def _methods_section(
    *,
    journey: Journey,
    log: EventLog | None,
    feedback: Feedback | None,
    ranking: Ranking | None,
    ranking_given: bool,
    plan: Plan | None,
    roadmap_given: bool,
    min_group_size: int,
    figs: _Figures,
    notes: list[str],
    show_comments: bool = False,
    outcome_markers: tuple[str, ...] = (),
    adjust_for: tuple[str, ...] = (),
    branch_threshold: float | None = 0.5,
) -> dict[str, Any]:
    from frictionkit.friction import FRICTION_WEIGHTS
    from frictionkit.routes import ARROW

    items: list[tuple[str, str]] = []
    src = [
        f"Journey map “{journey.name or '(unnamed)'}”: "
        + ", ".join(
            _plural(len(getattr(journey, k)), k[:-1].replace("_", " "))
            for k in ("stages", "touchpoints", "pain_points", "improvements")
        )
        + f", as given ({_impact_sources(ranking)})."
    ]
    if log is not None:
        src.append(
            f"Event log: {log!r}; stages from the {log.stage_source} "
            + ("(the journey map)." if log.stage_source == "journey" else "source.")
        )
    if feedback is not None:
        src.append(f"Survey: {feedback.n_answers:,} answers ({', '.join(feedback.metrics)}).")
    items.append(("Data sources", " ".join(src)))
    items.append(
        (
            "Privacy",
            f"Every grouped table (routes, personas, touchpoints, survey groups) passes "
            f"through small-group suppression: groups of fewer than {min_group_size} "
            f"journeys (or answers) are folded into one “{SUPPRESSED_LABEL}” row whose "
            "counts are the sums of the folded groups; when only one group is small, the "
            "next smallest is folded with it. The figures fold small groups the same way (the "
            "route flow is left out when it could not). "
            + (
                "Free-text comments are shown only where at least "
                f"{min_group_size} answers stand behind the touchpoint, at most five each, "
                "with emails, phone and card-like numbers masked; "
                if show_comments
                else "Free-text comments are never shown; "
            )
            + "all text from the input files is escaped.",
        )
    )
    if log is not None:
        items.append(
            (
                "Routes",
                "A route is the ordered list of a journey's touchpoints (joined by "
                f"“{ARROW.strip()}”; equal timestamps keep the input order). Success rate "
                "= successes / (successes + failures): open journeys are counted apart, "
                "never as failures. Intervals are 95 % Wilson score intervals.",
            )
        )
        items.append(
            (
                "Funnel",
                "A journey reaches a stage when its furthest stage (in journey order) is that "
                "stage or a later one, so the counts never increase along the funnel; outcome "
                "steps (the touchpoints that decide success or failure) never count as "
                "reaching a stage, and decided journeys are read up to their outcome, as in "
                "the friction table. "
                + _branch_text(branch_threshold)
                + "step conversion = journeys reaching a main stage / journeys reaching the "
                "main stage before.",
            )
        )
        kinds = _kinds_text(log)
        if kinds is not None:
            items.append(("Kinds of outcome", kinds))
        w = FRICTION_WEIGHTS
        items.append(
            (
                "Friction",
                "Decided journeys only, read up to their outcome. Touchpoints are ranked by "
                "their attributable failures: how many of the failed journeys that visited "
                "the touchpoint would have succeeded had its harm been removed "
                "(epidemiology's attributable number among the exposed; Rothman, Greenland "
                "and Lash 2008, ch. 4). The comparison is made at the point of exposure: "
                "each visitor's first visit is matched on the step just before it, and "
                "compared with the journeys that were at that step without having met the "
                "touchpoint and went on to another step; attributable failures = the "
                "visitors' failures minus the failures they would have had at the "
                "comparison's risk, summed over those steps (strata with fewer than 30 "
                "comparison journeys, or under 5 % of the journeys going on, are left out). "
                "95 % interval from a seeded parametric bootstrap per stratum; "
                "Cochran–Mantel–Haenszel test, adjusted into q-values by "
                "Benjamini–Hochberg (1995). Verdicts: friction (attributable failures > 0, "
                "q ≤ 0.05, a comparable group present), helps (significantly fewer "
                "failures), no evidence (comparable, not significant), not comparable (no "
                "comparable journeys, or those that skipped it ended right there), outcome "
                "marker (the step is, or reveals, the outcome). Only friction rows are "
                "headlined. The stage-matched risk ratio (visitors against journeys that "
                "reached its stage without it; Katz 1978 log interval, Fisher exact "
                "p-values) is descriptive. So is the friction score, which ranks nothing: "
                f"{w[0]:g} × excess risk + {w[1]:g} × exit share + {w[2]:g} × repeat rate, "
                "where excess risk = 1 − 1 / risk ratio, clipped to [0, 1], exit share = "
                "share of failed journeys whose last step was the touchpoint, repeat rate = "
                "share of visiting journeys that visited it twice or more. "
                + _declared_text(outcome_markers, adjust_for, journey),
            )
        )
        items.append(
            (
                "Repair effects",
                "An absorbing Markov chain of the decided journeys (states: START, the "
                "touchpoints, SUCCESS, FAILURE) whose states remember whether the journey has "
                "met the touchpoint. Removing a touchpoint's harm lets its visitors go on, "
                "from where they met it, like comparable journeys that did not meet it (the "
                "comparison of the friction table, with the same outcome markers and "
                "adjustment); the gain is the change in the probability of reaching SUCCESS; "
                "extra successes = gain × decided journeys = the touchpoint's attributable "
                "failures. Intervals: 100 journey resamples (seed 0).",
            )
        )
    if feedback is not None:
        items.append(
            (
                "Survey metrics",
                "CSAT = share of answers of 4 or 5 on 1–5 (Wilson interval); CES 2.0 = mean "
                "agreement on 1–7, higher is easier (Student t interval); NPS = % promoters "
                "(9–10) − % detractors (0–6), interval from the multinomial variance. No "
                "answers give no value, never zero.",
            )
        )
    if ranking is not None:
        formula = _method_formula(ranking.method)
        how = "given to the report" if ranking_given else "computed by the report (default method)"
        t = ranking.thresholds
        text = (
            f"Ranking {how}: method “{ranking.method}” ({ranking.label})"
            + (f", score = {formula}" if formula else "")
            + ". Rank 1 is best; ties go to the lower cost, then the lower effort, then the "
            "order of the map. "
            f"Quadrants: “{QUICK_WIN}” = impact above {_num(t.get('impact', math.nan))} (and "
            f"above 0) and effort below {_num(t.get('effort_days', math.nan))} person-days "
            "(the medians unless set otherwise; a value on a threshold is neither high nor "
            "low); major project = high impact, high effort; fill-in = low impact, low "
            "effort; thankless = low impact, high effort; an improvement without any impact "
            f"is “{IMPACT_MISSING}”, never a quick win. Non-dominated: no other improvement "
            "is at least as good on impact, effort and cost and better on one."
        )
        if ranking.weights is not None:
            weights = ", ".join(f"{k} {float(v):.3g}" for k, v in ranking.weights.items())
            text += f" Criterion weights: {weights}."
        items.append(("Prioritisation", text))
    if plan is not None:
        owners = _owner_names(journey)
        caps = (
            ", ".join(f"{owners.get(k, k)} {v:g} days" for k, v in plan.capacity.items()) or "none"
        )
        items.append(
            (
                "Plan",
                "Exact 0–1 selection by mixed-integer linear programming (HiGHS through "
                "SciPy): maximise the sum of the objective "
                f"(“{plan.objective}”) subject to the budget "
                f"({'none' if plan.budget is None else f'{plan.budget:,.0f}'}), each owner's "
                f"capacity in person-days ({caps}), requires, excludes and mandatory items. "
                "Among plans of equal value the cheapest is kept, then the one listing "
                f"earlier improvements. Status: {plan.status}; solved in "
                f"{plan.solve_time_s:.2f} s.",
            )
        )
        items.append(
            (
                "Roadmap",
                ("Given to the report. " if roadmap_given else "")
                + f"Waves of {_ROADMAP_PERIOD_DAYS} working days unless given otherwise; an "
                "improvement starts only after everything it requires has finished; each "
                "owner gives at most its capacity per wave; ready quick wins go first, "
                "then the rest by CD3 (value / effort days).",
            )
        )
    items.append(
        (
            "Units",
            "Money in the unit of the map's costs; impact and value per year; effort in "
            "person-days; shares and rates in per cent.",
        )
    )
    if figs.drawn:
        fig_text = "Drawn with frictionkit.plot (matplotlib): " + ", ".join(figs.drawn) + "."
    elif figs.enabled:
        fig_text = (
            "No figures: frictionkit.plot or matplotlib is not available here, so the "
            "report shows tables only."
        )
    else:
        fig_text = "Figures were turned off (figures=False); the report shows tables only."
    for problem in figs.problems:
        notes.append(f"A figure could not be drawn and was left out ({problem}).")
    items.append(("Figures", fig_text))
    blocks: list[dict[str, Any]] = [{"kind": "dl", "items": items}]
    if notes:
        blocks.append(_h3("Notes"))
        blocks.append({"kind": "list", "items": list(notes)})
    return {"id": "methods", "title": "Methods and data", "blocks": blocks}


# ---------------------------------------------------------------------------------------


def _impact_sources(ranking: Ranking | None) -> str:
    """Where the impact of the ranked improvements came from, in words."""
    rest = "effort, cost and owners are the map's own figures"
    if ranking is None or "impact_source" not in ranking.table.columns:
        return f"impact, {rest}"
    counts = ranking.table["impact_source"].astype(str).value_counts()
    words = {
        "declared": "declared in the map",
        "evidence": "from the evidence (the value at stake of the pain points they fix)",
        "missing": "missing",
    }
    parts = [f"{int(counts[k])} {words.get(str(k), str(k))}" for k in counts.index]
    return f"impact: {', '.join(parts)}; {rest}"


def _declared_text(
    outcome_markers: tuple[str, ...], adjust_for: tuple[str, ...], journey: Journey
) -> str:
    """What the analyst declared for the friction table: outcome markers and adjustment.

    A marker is named by its label, with the name the analyst passed (the log's) after it
    when the two differ, as improvements are shown with their id.
    """
    if outcome_markers:
        labels = {tp.id: tp.label for tp in journey.touchpoints}
        named = [m if labels.get(m, m) == m else f"{labels[m]} ({m})" for m in outcome_markers]
        text = (
            "Declared outcome markers (a consequence or a record of the outcome, not a "
            f"cause; verdict outcome marker, their events end the comparison paths): "
            f"{', '.join(named)}. "
        )
    else:
        text = "No outcome markers were declared (only those found in the data). "
    if adjust_for:
        text += (
            f"Adjusted for the case attributes {', '.join(adjust_for)}: the strata are the "
            "step before the first visit within each combination of their values, so "
            "visitors are compared only with journeys of their own group; E-values "
            "(VanderWeele and Ding 2017) say how strong a confounder nobody measured "
            "would have to be to explain an estimate away."
        )
    else:
        text += (
            "Not adjusted for any case attribute: a step one segment uses more, while that "
            "segment fails more anyway, can look like friction; E-values (VanderWeele and "
            "Ding 2017) say how strong such confounding would have to be."
        )
    return text
