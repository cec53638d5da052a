"""The demo scenario: the main job of frictionkit on the bundled autoparts journey.

:func:`demo_scenario` builds, from one seed, everything ``frictionkit demo`` shows: a
simulated event log over the autoparts touchpoints (with personas, a faulty-batch hotline
and a negotiation loop), simulated CSAT answers, the ranking of the improvements, the best
plan within a budget and each owner's capacity, and its roadmap in waves. The figures are
illustrative; use it to try the library, in examples and in tests.

Examples
--------
>>> from frictionkit.datasets import demo_scenario
>>> demo = demo_scenario(journeys=500, seed=7)
>>> demo.log.n_journeys, len(demo.plan.selected) > 0
(500, True)
"""

from __future__ import annotations

import attrs
import pandas as pd

from frictionkit.events import EventLog
from frictionkit.feedback import Feedback
from frictionkit.model import Journey
from frictionkit.portfolio import Plan, optimise_portfolio
from frictionkit.ranking import Ranking
from frictionkit.roadmap import roadmap
from frictionkit.scoring import prioritise

__all__ = ["DemoScenario", "demo_scenario"]

# The simulated journeys: the faulty-batch hotline is the error step, quotes loop through
# negotiation meetings, and the three personas of the journey file share the customers.
_ERROR_TOUCHPOINT = "support_hotline"
_LOOP = ("negotiation_meeting", "quote_portal")
_DROP_RATE = 0.06
_PERSONAS = {"purchasing_manager": 0.5, "engineer": 0.3, "plant_manager": 0.2}
_SIMULATION_START = "2026-01-05"
# The simulator ends a successful journey on the last touchpoint (reference visits): it
# marks the outcome, so it is kept as the outcome column and not as a step.
_OUTCOME_STEP = "reference_visit"
# The satisfaction survey is sent once the order has arrived, on the way to the reference
# visit that marks success: in the simulation a buyer who reaches it has all but succeeded
# (91 % of its visitors do), so it records the outcome rather than causing it. Left
# undeclared, the friction table reads it as "helps" with hundreds of failures "avoided"
# (the buyers at the step before it who did not take it went back or left), an artefact
# of its place in the journey, not an effect of surveying anyone.
_OUTCOME_MARKERS = ("satisfaction_survey",)
# Simulated CSAT answers are lower after the faulty-batch hotline (and after loops).
_SURVEY_PENALTY = {"support_hotline": 1.5}


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DemoScenario:
    """Everything the demo shows, built by :func:`demo_scenario`.

    Attributes
    ----------
    journey : Journey
        The bundled autoparts journey (:func:`frictionkit.datasets.load_autoparts`).
    events : pandas.DataFrame
        The simulated events the log was built from (one row per event).
    log : EventLog
        The event log of the simulated journeys, with the ``persona`` case column.
    feedback : Feedback
        Simulated CSAT answers linked to the journeys.
    ranking : Ranking
        The improvements ranked by value per cost.
    plan : Plan
        The best plan within ``budget`` and each owner's capacity.
    roadmap : pandas.DataFrame
        The plan in waves of ``period_days`` working days from ``start``
        (:func:`frictionkit.roadmap.roadmap`).
    seed : int
        The seed of the simulations.
    budget : float
        The budget of the plan.
    start : str
        The first day of the roadmap.
    period_days : int
        Working days per wave of the roadmap.
    outcome_markers : tuple of str
        Touchpoints that record the outcome rather than cause it, for
        ``log.friction(outcome_markers=...)`` and the report: the satisfaction survey,
        which buyers reach once the order has arrived, one step before the reference
        visit that marks success (undeclared, its place in the journey reads as a large
        ``helps``).
    """

    journey: Journey
    events: pd.DataFrame
    log: EventLog
    feedback: Feedback
    ranking: Ranking
    plan: Plan
    roadmap: pd.DataFrame
    seed: int
    budget: float
    start: str
    period_days: int
    outcome_markers: tuple[str, ...] = _OUTCOME_MARKERS

    def __repr__(self) -> str:
        return (
            f"DemoScenario({self.journey.name!r}, {self.log.n_journeys:,} journeys, "
            f"seed {self.seed}, {len(self.plan.selected)} of {len(self.journey.improvements)} "
            f"improvements planned within {self.budget:,.0f})"
        )


def demo_scenario(
    *,
    journeys: int = 3000,
    seed: int = 2027,
    budget: float = 150_000.0,
    start: str = "2027-01-04",
    period_days: int = 20,
) -> DemoScenario:
    """The main job on the bundled autoparts journey: evidence, ranking, plan, roadmap.

    Parameters
    ----------
    journeys : int, default 3000
        Simulated journeys (:func:`frictionkit.datasets.simulate_journeys`).
    seed : int, default 2027
        Seed of the journey and survey simulations; the same seed gives the same scenario.
    budget : float, default 150,000
        Budget of the plan (:func:`frictionkit.optimise_portfolio`).
    start : str, default "2027-01-04"
        First day of the roadmap.
    period_days : int, default 20
        Working days per wave of the roadmap.

    Returns
    -------
    DemoScenario
        The journey, the simulated events and their log, the survey answers, the ranking
        (value per cost), the plan and its roadmap.

    Examples
    --------
    >>> demo = demo_scenario(journeys=500, seed=7)
    >>> demo  # doctest: +ELLIPSIS
    DemoScenario('Autoparts B2B supplier', 500 journeys, seed 7, ... improvements planned ...)
    >>> demo.ranking.label
    'value per cost'
    >>> sorted(demo.roadmap["id"]) == sorted(demo.plan.selected)  # the plan, in waves
    True
    """
    from frictionkit.datasets import load_autoparts, simulate_journeys, simulate_survey

    journey = load_autoparts()
    frame = simulate_journeys(
        journeys,
        seed=seed,
        journey=journey,
        error_touchpoint=_ERROR_TOUCHPOINT,
        loop=_LOOP,
        drop_rate=_DROP_RATE,
        personas=_PERSONAS,
        start=_SIMULATION_START,
    )
    frame = frame[frame["touchpoint"] != _OUTCOME_STEP]
    log = EventLog.from_frame(
        frame,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        outcome_col="outcome",
        journey=journey,
        case_cols=["persona"],
        strict=False,  # "open" is neither success nor failure
    )
    answers = simulate_survey(frame, seed, friction_penalty=_SURVEY_PENALTY)
    feedback = Feedback.from_frame(
        answers,
        metric_col="metric",
        score_col="score",
        case_col="case_id",
        touchpoint_col="touchpoint",
        stage_col="stage",
        timestamp_col="timestamp",
        journey=journey,
    )
    ranking = prioritise(journey, method="value_per_cost")
    plan = optimise_portfolio(journey, budget=budget)
    waves = roadmap(plan, period_days=period_days, start=start)
    return DemoScenario(
        journey=journey,
        events=frame,
        log=log,
        feedback=feedback,
        ranking=ranking,
        plan=plan,
        roadmap=waves,
        seed=seed,
        budget=budget,
        start=start,
        period_days=period_days,
    )
