"""Plans from a Ranking: the plan, the frontier, the robust plan and the roadmap use the
ranking's impact (issue 19), never the declared figures behind its back."""

from __future__ import annotations

import warnings

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.exceptions import DataError, MissingImpactWarning
from frictionkit.portfolio import frontier, optimise_portfolio, robust_portfolio
from frictionkit.ranking import QUICK_WIN, Ranking
from frictionkit.roadmap import roadmap

# Value at stake per year of three of the sample journey's pain points (figures from
# elsewhere, as prioritise(value_at_stake=...) takes them): they replace the declared
# impact of the improvements that fix them.
VALUE_AT_STAKE = {"late_delivery": 400_000.0, "no_tracking": 120_000.0, "slow_quotes": 30_000.0}


@pytest.fixture(scope="module")
def journey() -> fk.Journey:
    return fk.datasets.load_autoparts()


@pytest.fixture(scope="module")
def evidence_ranking(journey) -> Ranking:
    return fk.prioritise(journey, value_at_stake=VALUE_AT_STAKE)


def _impact(ranking: Ranking) -> pd.Series:
    t = ranking.to_frame()
    return pd.Series(t["impact"].to_numpy(dtype=float), index=t["id"])


def test_plan_of_a_ranking_uses_its_evidence_based_impact(journey, evidence_ranking):
    t = evidence_ranking.to_frame().set_index("id")
    assert (t["impact_source"] == "evidence").sum() >= 2
    plan = optimise_portfolio(evidence_ranking, budget=60_000)
    # the documented recipe and the ranking give the same plan
    by_hand = optimise_portfolio(journey, budget=60_000, objective=_impact(evidence_ranking))
    assert plan.selected == by_hand.selected
    assert plan.value == pytest.approx(by_hand.value)
    values = plan.to_frame().set_index("id")["value"]
    for id_ in t.index[t["impact_source"] == "evidence"]:
        assert values[id_] == pytest.approx(t.loc[id_, "impact"])
    # the journey's owners' capacities and rules are kept
    assert plan.capacity == optimise_portfolio(journey, budget=60_000).capacity


def test_plan_of_a_declared_ranking_equals_the_plan_of_the_journey(journey):
    plan_j = optimise_portfolio(journey, budget=60_000)
    plan_r = optimise_portfolio(fk.prioritise(journey), budget=60_000)
    assert plan_r.selected == plan_j.selected
    assert plan_r.value == plan_j.value


def test_frontier_of_a_ranking_uses_its_impact(journey, evidence_ranking):
    f = frontier(evidence_ranking)
    by_hand = frontier(journey, objective=_impact(evidence_ranking))
    pd.testing.assert_frame_equal(f, by_hand)
    plan = optimise_portfolio(evidence_ranking, budget=60_000)
    # the value at the plan's budget on the frontier is the plan's value
    at = f[f["cost"] <= 60_000]["value"].max()
    assert at == pytest.approx(plan.value)


def test_roadmap_quick_wins_are_the_rankings(evidence_ranking):
    plan = optimise_portfolio(evidence_ranking, budget=60_000)
    rm = roadmap(plan).set_index("id")
    quad = evidence_ranking.to_frame().set_index("id")["quadrant"]
    for id_, quick in rm["quick_win"].items():
        assert bool(quick) == (quad[id_] == QUICK_WIN)


def _table(impacts):
    return pd.DataFrame(
        {
            "id": [f"i{k}" for k in range(len(impacts))],
            "owner": "team",
            "cost": [10.0 * (k + 1) for k in range(len(impacts))],
            "effort_days": 1.0,
            "impact": impacts,
        }
    )


def test_missing_impact_is_an_error_naming_the_improvements():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingImpactWarning)
        ranking = fk.prioritise(_table([5.0, np.nan, 3.0, np.nan]))
    with pytest.raises(DataError, match="'i1', 'i3'") as err:
        optimise_portfolio(ranking, budget=20)
    assert "no impact for 2 improvements" in str(err.value)
    assert err.value.failure_cases["id"].tolist() == ["i1", "i3"]
    for call in (lambda: frontier(ranking), lambda: robust_portfolio(ranking, draws=2, seed=1)):
        with pytest.raises(DataError, match="'i1', 'i3'"):
            call()


def test_bad_objective_names_the_rows():
    with pytest.raises(DataError, match=r"2 rows are not \(first: missing\): 'i1', 'i3'"):
        optimise_portfolio(_table([5.0, np.nan, 3.0, np.nan]), budget=20)


def test_a_non_plan_input_suggests_prioritise():
    with pytest.raises(fk.InputTypeError, match="Ranking"):
        optimise_portfolio([1, 2], budget=1)  # type: ignore[arg-type]


def _with_draws(ranking: Ranking, draws: pd.DataFrame) -> Ranking:
    """The ranking with impact draws, as evidence-based rankings carry them."""
    return attrs.evolve(ranking, impact_draws=draws)


def test_robust_plan_samples_the_rankings_impact_draws():
    # two improvements of cost 1 under a budget of 1: 'a' is worth 0 or 3 (alternate
    # draws), 'b' is worth 1. The optimum takes 'a' exactly in the draws where it is 3.
    df = pd.DataFrame(
        {"id": ["a", "b"], "owner": "team", "cost": [1.0, 1.0], "effort_days": 1.0,
         "impact": [1.5, 1.0]}
    )  # fmt: skip
    ranking = _with_draws(fk.prioritise(df), pd.DataFrame({"a": [0.0, 3.0]}))
    r = robust_portfolio(ranking, budget=1.0, draws=10, seed=3)
    assert r.probability["a"] == pytest.approx(0.5)
    assert r.probability["b"] == pytest.approx(0.5)
    assert r.value_mean == pytest.approx(2.0)
    # without draws the impact is fixed: 'a' (1.5) always wins
    fixed = robust_portfolio(fk.prioritise(df), budget=1.0, draws=10, seed=3)
    assert fixed.probability["a"] == 1.0


def test_robust_plan_refuses_negative_draws():
    df = _table([1.0, 2.0])
    ranking = _with_draws(fk.prioritise(df), pd.DataFrame({"i0": [-1.0, 1.0]}))
    with pytest.raises(fk.ValidationError, match="'i0'"):
        robust_portfolio(ranking, budget=10.0, draws=2, seed=1)


@settings(max_examples=30, deadline=None)
@given(
    impacts=st.lists(st.floats(0.0, 1e4), min_size=1, max_size=7),
    budget=st.floats(0.0, 300.0),
)
def test_plan_of_a_ranking_equals_the_plan_on_its_impact(impacts, budget):
    df = _table(impacts)
    ranking = fk.prioritise(df)
    a = optimise_portfolio(ranking, budget=budget)
    b = optimise_portfolio(df, budget=budget, objective=_impact(ranking))
    assert a.selected == b.selected
    assert a.value == pytest.approx(b.value)


def test_end_to_end_on_the_simulator_one_impact_everywhere():
    # evidence from the simulated shop: the value at stake of the declared pain points
    # (25 per extra success), then the ranking, the plan, the frontier, the roadmap and
    # the report: the same improvement has the same impact in each
    from frictionkit.report import report

    demo = fk.datasets.demo_scenario(journeys=1500)
    # derive_pain_points' table is taken as it comes (money per year, issue 19)
    table = fk.derive_pain_points(demo.journey, demo.log, value_per_success=25.0)
    ranking = fk.prioritise(demo.journey, value_at_stake=table)
    t = ranking.to_frame().set_index("id")
    evidence = t.index[t["impact_source"] == "evidence"].tolist()
    assert evidence
    plan = optimise_portfolio(ranking, budget=demo.budget)
    values = plan.to_frame().set_index("id")["value"]
    for id_ in evidence:
        assert values[id_] == pytest.approx(t.loc[id_, "impact"])
    curve = frontier(ranking)
    assert curve.loc[curve["cost"] <= demo.budget, "value"].max() == pytest.approx(plan.value)
    waves = roadmap(plan).set_index("id")
    for id_ in waves.index:
        assert waves.loc[id_, "value"] == pytest.approx(values[id_])
    page = report(demo.journey, demo.log, ranking=ranking, plan=plan, figures=False)
    shown = page.tables["plan"].set_index("id")["value"]
    for id_ in evidence:
        assert shown[id_] == pytest.approx(t.loc[id_, "impact"])
    assert not any("differently from the ranking" in n for n in page.notes)


def test_report_takes_a_ranking_for_its_journey(journey, evidence_ranking):
    from frictionkit.report import report

    plan = optimise_portfolio(evidence_ranking, budget=60_000)
    page = report(evidence_ranking, plan=plan, figures=False)
    assert (
        page.tables["ranking"]["impact"].tolist() == evidence_ranking.to_frame()["impact"].tolist()
    )
    with pytest.raises(fk.ValidationError, match="two different rankings"):
        report(evidence_ranking, ranking=fk.prioritise(journey), figures=False)
    with pytest.raises(fk.InputTypeError, match=r"optimise_portfolio\(ranking"):
        roadmap(evidence_ranking)  # type: ignore[arg-type]
