"""The bundled datasets: the demo scenario behind ``frictionkit demo``."""

from __future__ import annotations

import attrs
import pandas as pd
import pytest

import frictionkit as fk
from frictionkit.datasets import DemoScenario, demo_scenario


@pytest.fixture(scope="module")
def demo() -> DemoScenario:
    return demo_scenario(journeys=400, seed=11, budget=80_000, start="2027-03-01")


def test_demo_scenario_holds_the_main_job(demo):
    assert demo.journey == fk.datasets.load_autoparts()
    assert demo.log.n_journeys == 400
    assert "reference_visit" not in set(demo.events["touchpoint"])  # kept as the outcome
    assert list(demo.log.case_attributes.columns) == ["persona"]
    assert demo.feedback.n_answers > 0
    assert demo.ranking.label == "value per cost"
    assert len(demo.ranking) == len(demo.journey.improvements)
    assert demo.plan.budget == 80_000
    assert demo.plan.cost <= 80_000
    assert sorted(demo.roadmap["id"]) == sorted(demo.plan.selected)
    assert pd.Timestamp(demo.roadmap["start"].min()) == pd.Timestamp("2027-03-01")
    assert (demo.seed, demo.budget, demo.start, demo.period_days) == (11, 80_000, "2027-03-01", 20)


def test_demo_scenario_is_frozen_and_its_repr_is_one_line(demo):
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        demo.seed = 3  # type: ignore[misc]
    text = repr(demo)
    assert "\n" not in text
    assert text.startswith("DemoScenario('Autoparts B2B supplier', 400 journeys, seed 11")


def test_demo_scenario_same_seed_same_scenario(demo):
    again = demo_scenario(journeys=400, seed=11, budget=80_000, start="2027-03-01")
    pd.testing.assert_frame_equal(again.events, demo.events)
    pd.testing.assert_frame_equal(again.feedback.answers, demo.feedback.answers)
    pd.testing.assert_frame_equal(again.roadmap, demo.roadmap)
    other = demo_scenario(journeys=400, seed=12, budget=80_000, start="2027-03-01")
    assert not other.events.equals(demo.events)


def test_default_demo_scenario_is_the_cli_demo():
    demo = demo_scenario()
    assert repr(demo.log).startswith("EventLog(27,429 events, 3,000 journeys")
    assert demo.plan.budget == 150_000
    assert len(demo.plan.selected) == 8


def test_demo_survey_is_an_outcome_marker_not_a_step_that_helps():
    """Buyers reach the satisfaction survey one step before the reference visit that marks
    success: undeclared it reads as a large "helps" (its place in the journey, not an
    effect); the scenario declares it an outcome marker."""
    demo = demo_scenario()
    assert demo.outcome_markers == ("satisfaction_survey",)
    plain = demo.log.friction().set_index("touchpoint").loc["satisfaction_survey"]
    assert plain["verdict"] == "helps"
    assert plain["attributable_failures"] < -100  # a large negative figure
    assert plain["failures_visited"] / plain["journeys"] < 0.1  # 91 % of visitors succeed
    table = demo.log.friction(outcome_markers=demo.outcome_markers).set_index("touchpoint")
    assert table.loc["satisfaction_survey", "verdict"] == "outcome marker"
    assert table["verdict"].eq("friction").sum() == 1
    assert table.loc["support_hotline", "verdict"] == "friction"
