"""The sections of the report on decisions: ranked improvements, plan and roadmap."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from frictionkit._protocol import money_text
from frictionkit.model import Journey
from frictionkit.portfolio import Plan
from frictionkit.ranking import QUICK_WIN, Ranking
from frictionkit.report._format import (
    _DASH,
    _ROADMAP_PERIOD_DAYS,
    _Figures,
    _h3,
    _missing,
    _num,
    _p,
    _table,
    _tbl,
)
from frictionkit.report._sections import _owner_names

#: Steps of the budget frontier the report draws (each is one solve with owner capacities).
REPORT_FRONTIER_POINTS = 40


def _units(
    ranking: Ranking | None, journey: Journey, plan: Plan | None = None
) -> tuple[str | None, str | None]:
    """The currency and period of money on the report: the ranking's, else the plan's."""
    if ranking is not None:
        return ranking.currency, ranking.period
    if plan is not None:
        return plan.currency, plan.period
    return journey.currency, journey.period or "year"


def _per(currency: str | None, period: str | None) -> str:
    """A column's unit: ``"EUR per year"``, ``"per year"``, ``"EUR"`` or ``""``."""
    return " ".join(x for x in (currency, f"per {period}" if period else None) if x)


def _head(name: str, unit: str) -> str:
    """A column header with its unit: ``"Impact (EUR per year)"``."""
    return f"{name} ({unit})" if unit else name


def _titles(ids: Any, titles: Any) -> dict[str, str]:
    """The improvements' titles by id (those without a title, or titled by id, left out)."""
    return {
        str(i): t
        for i, t in zip(ids, titles, strict=True)
        if isinstance(t, str) and t.strip() and t != str(i)
    }


def _named(id_: Any, titles: dict[str, str]) -> str:
    """An improvement as the report names it: ``"Title (id)"``, or its id without a title."""
    title = titles.get(str(id_))
    return f"{title} ({id_})" if title and title != str(id_) else str(id_)


def _named_list(ids: Any, titles: dict[str, str]) -> str:
    """Improvements by ``"Title (id)"``, separated by semicolons (titles hold commas)."""
    return "; ".join(_named(i, titles) for i in ids) or _DASH


def _with_interval(table: pd.DataFrame, low: str, high: str, by: pd.DataFrame) -> pd.DataFrame:
    """``table`` with an ``interval`` text column from ``by``'s ``low``-``high`` by id."""
    if low not in by.columns:
        return table
    t = by.set_index(by["id"].astype(str))
    lows = table["id"].astype(str).map(t[low])
    highs = table["id"].astype(str).map(t[high])
    return table.assign(
        interval=[
            _DASH if _missing(a) or _missing(b) else f"{a:,.0f}–{b:,.0f}"
            for a, b in zip(lows, highs, strict=True)
        ]
    )


def _ranking_section(
    ranking: Ranking, journey: Journey, figs: _Figures
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    owners = _owner_names(journey)
    currency, period = _units(ranking, journey)
    table = ranking.to_frame()
    titles = _titles(table["id"], table["title"])
    table = table.assign(
        improvement=[_named(i, titles) for i in table["id"]],
        owner_name=[owners.get(o, o) if isinstance(o, str) else "unowned" for o in table["owner"]],
    )
    table = table.sort_values("rank", kind="stable")
    # a missing impact (scored 0) is shown as missing, never as 0
    table["impact"] = table["impact"].where(table["impact_source"] != "missing", np.nan)
    wins = table[table["quadrant"] == QUICK_WIN]
    wins = wins.assign(why=ranking.quick_wins().set_index("id").loc[wins["id"], "why"].to_numpy())
    t_imp = ranking.thresholds.get("impact", math.nan)
    t_eff = ranking.thresholds.get("effort_days", math.nan)
    blocks: list[dict[str, Any]] = []
    if len(wins):
        blocks.append(
            {
                "kind": "callout",
                "warn": False,
                "text": f"Start with the {_count(len(wins), 'quick win')}: "
                + "; ".join(
                    f"{r['improvement']}, owner {r['owner_name']}" for r in wins.to_dict("records")
                )
                + ".",
            }
        )
    else:
        blocks.append(_p("No improvement is both high-impact and low-effort here."))
    blocks.append(
        _p(
            f"Ranked by {ranking.label}. Quick win: impact above {_num(t_imp)} and "
            f"effort below {_num(t_eff)} person-days (a value on a threshold is neither)."
        )
    )
    table = _with_interval(table, "impact_low", "impact_high", ranking.table)
    wins = _with_interval(wins, "impact_low", "impact_high", ranking.table)
    spec = [
        ("rank", "Rank", "int"),
        ("improvement", "Improvement", "text"),
        ("owner_name", "Owner", "text"),
        ("quadrant", "Quadrant", "tag"),
        ("impact", _head("Impact", _per(currency, period)), "money"),
        *([("interval", "95 % interval", "tag")] if "interval" in table.columns else []),
        ("impact_source", "Impact from", "text"),
        ("effort_days", "Effort (days)", "num"),
        ("cost", _head("Cost", currency or ""), "money"),
        ("score", "Score", "num"),
    ]
    blocks.append(_h3("Quick wins"))
    blocks.append(
        _tbl(
            _table(
                wins,
                [*(s for s in spec if s[0] != "quadrant"), ("why", "Why", "text")],
                key="quick-wins",
                caption="Quick wins, best rank first, with their owners and why each is one",
            )
        )
    )
    fig = figs.draw(
        "impact_effort",
        "Impact against effort: bubbles sized by cost, coloured by owner; quadrant lines at "
        "the thresholds.",
        ranking,
        size=(8.0, 5.5),
        owner_labels=owners,
        improvement_labels=titles,
        # the ids, one short line each: two-line titles collide where bubbles crowd (the
        # demo's fill-ins); each id keeps "Title (id)" as its tooltip
        annotate="id",
    )
    if fig is not None:
        blocks.append(fig)
    blocks.append(_h3("All improvements"))
    blocks.append(
        _tbl(
            _table(
                table,
                [*spec, ("non_dominated", "Non-dominated", "bool")],
                key="ranking",
                caption=f"Improvements ranked by {ranking.label}, in rank order (quick wins "
                "highlighted)",
                row_class=lambda r: "win" if r["quadrant"] == QUICK_WIN else "",
            )
        )
    )
    by_owner = ranking.by_owner()
    by_owner = by_owner.assign(
        name=[owners.get(o, o) for o in by_owner["owner"]],
        named=[_ids_named(str(ids), titles) for ids in by_owner["ids"]],
    )
    blocks.append(
        _tbl(
            _table(
                by_owner,
                [
                    ("name", "Owner", "text"),
                    ("improvements", "Improvements", "int"),
                    ("quick_wins", "Quick wins", "int"),
                    ("effort_days", "Effort (days)", "num"),
                    ("cost", _head("Cost", currency or ""), "money"),
                    ("best_rank", "Best rank", "int"),
                    ("named", "Improvements, by rank", "text"),
                ],
                key="by-owner",
                caption="Improvements by owner",
            )
        )
    )
    tables = {
        "ranking": ranking.to_frame(),
        "quick_wins": ranking.quick_wins(),
        "by_owner": ranking.by_owner(),
    }
    section = {"id": "ranking", "title": "Ranked improvements", "blocks": blocks}
    return section, tables


def _count(n: int, noun: str) -> str:
    """``"1 quick win"``, ``"2 quick wins"``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _plan_values(plan: Plan) -> pd.Series:
    """The value of every improvement as the plan counted it, by id."""
    frame = plan.to_frame()
    return pd.Series(frame["value"].to_numpy(dtype=float), index=frame["id"], name="value")


def _check_same_impact(plan: Plan, ranking: Ranking | None, notes: list[str]) -> None:
    """Note when the plan was made on other figures than the ranking's impact."""
    if ranking is None or plan.objective != "value":
        return
    values = _plan_values(plan)
    t = ranking.table.set_index("id")
    common = [i for i in values.index if i in t.index]
    if not common:
        return
    impact = t.loc[common, "impact"].to_numpy(dtype=float)
    shown = values.loc[common].to_numpy(dtype=float)
    known = t.loc[common, "impact_source"].astype(str).to_numpy() != "missing"
    differ = [
        i
        for i, a, b, k in zip(common, impact, shown, known, strict=True)
        if k and not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    ]
    if differ:
        titles = _titles(ranking.table["id"], ranking.table["title"])
        shown_ids = _named_list(differ[:5], titles) + (" …" if len(differ) > 5 else "")
        notes.append(
            f"The plan values {_count(len(differ), 'improvement')} differently from the "
            f"ranking's impact ({shown_ids}): make the plan from the ranking shown, "
            "optimise_portfolio(ranking, budget=...), and pass both to the report, so that "
            "they use the same figures."
        )


def _plan_section(
    plan: Plan,
    journey: Journey,
    roadmap: pd.DataFrame | None,
    figs: _Figures,
    notes: list[str],
    ranking: Ranking | None = None,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    owners = _owner_names(journey)
    _check_same_impact(plan, ranking, notes)
    currency, period = _units(ranking, journey, plan)
    if plan.objective != "value":
        period = None  # a score, not money per period
    frame = plan.to_frame()
    titles = _titles(frame["id"], frame["title"])
    sel = frame[frame["selected"]]
    if ranking is not None:
        sel = _with_interval(sel, "impact_low", "impact_high", ranking.table)
    status = "proven optimal" if plan.status == "optimal" else f"best found (gap {plan.gap:.2%})"
    budget = (
        "no budget limit"
        if plan.budget is None
        else f"a budget of {money_text(plan.budget, currency)}"
    )
    worth = (
        money_text(plan.value, currency, period)
        if plan.objective == "value"
        else f"{plan.value:,.0f} ({plan.objective})"
    )
    blocks: list[dict[str, Any]] = [
        {
            "kind": "callout",
            "warn": False,
            "text": f"The plan does {len(sel)} of {_count(len(frame), 'improvement')}, worth "
            f"{worth}, for a cost of {money_text(plan.cost, currency)} within {budget} and "
            f"each owner's capacity; {status}.",
        }
    ]
    value_head = _head("Value", _per(currency, period))
    sel = sel.assign(
        improvement=[_named(i, titles) for i in sel["id"]],
        owner_name=[owners.get(o, o) if isinstance(o, str) else "unowned" for o in sel["owner"]],
    )
    blocks.append(
        _tbl(
            _table(
                sel,
                [
                    ("improvement", "Improvement", "text"),
                    ("owner_name", "Owner", "text"),
                    ("value", value_head, "money"),
                    *([("interval", "95 % interval", "tag")] if "interval" in sel.columns else []),
                    ("cost", _head("Cost", currency or ""), "money"),
                    ("effort_days", "Effort (days)", "num"),
                    ("mandatory", "Mandatory", "bool"),
                ],
                key="plan",
                caption="Improvements in the plan",
            )
        )
    )
    cons = plan.constraints()
    cons = cons.assign(
        blocks_text=[_named_list(b, titles) for b in cons["blocks"]],
        constraint_name=_constraint_names(cons["constraint"], plan, owners, currency),
    )
    blocks.append(
        _tbl(
            _table(
                cons,
                [
                    ("constraint_name", "Constraint", "text"),
                    ("used", "Used", "num"),
                    ("limit", "Limit", "num"),
                    ("slack", "Left", "num"),
                    ("binding", "Binding", "bool"),
                    ("blocks_text", "Keeps out", "text"),
                ],
                key="constraints",
                caption="Budget and staff: used, left, and what each limit keeps out",
            )
        )
    )
    out = [i for i in frame["id"] if i not in set(plan.selected)]
    if out:
        blocks.append(_h3("Why the others are out"))
        # Exact reasons (one solve each, about a third of the plan's own) for the three most
        # valuable; the others cost no solve.
        reasons = plan.explain(
            exact_limit=3, improvement_labels=titles, owner_labels=owners
        ).set_index("id")["reason"]
        blocks.append(
            {
                "kind": "list",
                "items": [str(reasons[i]) for i in out],
            }
        )
    tables = {"plan": frame, "constraints": cons.drop(columns=["blocks_text", "constraint_name"])}
    if figs.available and hasattr(figs._plot, "frontier"):
        from frictionkit.portfolio import frontier

        try:
            # the frontier of the plan's own improvements, values and staff limits (the
            # ranking's impact when the plan was made from the ranking), never the map's
            # declared figures behind its back; 40 steps draw the curve, and with owner
            # capacities each step is one solve
            front = frontier(plan, max_points=REPORT_FRONTIER_POINTS)
            front.attrs.update(currency=currency, period=period)
        except Exception as err:  # the frontier is extra; the plan stands without it
            notes.append(f"The budget frontier could not be computed: {err}")
        else:
            fig = figs.draw(
                "frontier",
                "Best value at every budget (exact) beside the greedy value-per-cost order"
                + (f"; value in {_per(currency, period)}" if _per(currency, period) else "")
                + ".",
                front,
            )
            if fig is not None:
                blocks.append(_h3("Value at every budget"))
                blocks.append(fig)
            tables["frontier"] = front
    if roadmap is None:
        from frictionkit.roadmap import roadmap as make_roadmap

        roadmap = make_roadmap(plan, period_days=_ROADMAP_PERIOD_DAYS)
    blocks.append(_h3("Roadmap"))
    titles |= _titles(roadmap["id"], roadmap["title"]) if "title" in roadmap.columns else {}
    fig = figs.draw(
        "roadmap",
        "The roadmap by owner, wave by wave.",
        roadmap,
        owner_labels=owners,
        improvement_labels=titles,
    )
    if fig is not None:
        blocks.append(fig)
    rm = roadmap.assign(
        waves=[
            f"{a}" if a == b else f"{a}–{b}"
            for a, b in zip(roadmap["wave"], roadmap["end_wave"], strict=True)
        ],
        when=[_days(s, e) for s, e in zip(roadmap["start"], roadmap["end"], strict=True)],
        owner_name=[
            owners.get(o, o) if isinstance(o, str) else "unowned" for o in roadmap["owner"]
        ],
        improvement=[_named(i, titles) for i in roadmap["id"]],
    )
    blocks.append(
        _tbl(
            _table(
                rm,
                [
                    ("waves", "Wave", "tag"),
                    ("when", "When", "tag"),
                    ("improvement", "Improvement", "text"),
                    ("owner_name", "Owner", "text"),
                    ("effort_days", "Effort (days)", "num"),
                    *([("value", value_head, "money")] if "value" in rm.columns else []),
                    ("quick_win", "Quick win", "bool"),
                ],
                key="roadmap",
                caption="Roadmap: quick wins first, dependencies and staff respected",
            )
        )
    )
    tables["roadmap"] = roadmap.copy()
    section = {"id": "plan", "title": "Plan and roadmap", "blocks": blocks}
    return section, tables


def _constraint_names(
    constraints: pd.Series, plan: Plan, owners: dict[str, str], currency: str | None
) -> list[str]:
    """The plan's constraints as a reader names them: ``"Capacity of Sales (person-days)"``.

    ``budget`` becomes ``"Budget (EUR)"`` and ``capacity[<owner id>]`` the capacity of the
    owner's label (an owner not in the journey keeps its id); the data table keeps the
    solver's names.
    """
    capacity = {f"capacity[{o}]": o for o in plan.capacity}
    names = []
    for name in constraints.astype(str):
        if name == "budget":
            names.append(_head("Budget", currency or ""))
        elif name in capacity:
            owner = capacity[name]
            names.append(f"Capacity of {owners.get(owner, owner)} (person-days)")
        else:  # pragma: no cover - the plan has no other constraints
            names.append(name)
    return names


def _ids_named(ids: str, titles: dict[str, str]) -> str:
    """A ranking's ``"a, b"`` list of ids as ``"Title a (a); Title b (b)"``."""
    parts = ids.split(", ")
    if not all(p in titles for p in parts):  # an id with a comma, or untitled ones
        return ", ".join(_named(p, titles) for p in parts) if ids else _DASH
    return _named_list(parts, titles)


def _days(start: Any, end: Any) -> str:
    if isinstance(start, (pd.Timestamp, np.datetime64)):
        return f"{_day(start)} to {_day(end)}"
    return f"days {_day(start)}–{_day(end)}"


def _day(value: Any) -> str:
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return str(pd.Timestamp(value).date())
    if _missing(value):
        return _DASH
    return _num(float(value))
