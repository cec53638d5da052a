"""Friction estimates against the planted shop's truth (issue: what fixing a step is worth).

The planted shop (``simulate_journeys(scenario="planted")``) knows what every touchpoint
truly costs: the same journeys are replayed with the step fixed. These tests hold the
friction table and the harm-removal repair against that truth, on one log of 20,000
journeys, and say plainly what is not recovered yet.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from frictionkit.datasets import simulate_journeys
from frictionkit.events import EventLog


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    df, truth = simulate_journeys(20_000, seed=0, scenario="planted", return_truth=True)
    log = EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        stage_col="stage",
        outcome_col="outcome",
        case_cols=["segment"],
        strict=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # confirmation is the success event and order_cancelled the failure one: declared
        # as such, as an analyst who knows the shop would (the data alone cannot tell)
        table = log.friction(seed=1, outcome_markers=["confirmation", "order_cancelled"]).set_index(
            "touchpoint"
        )
        harm = log.repair_effects(kind="harm_removal").set_index("touchpoint")
    return truth.to_frame().set_index("touchpoint"), table, harm


def test_the_lasting_error_is_first_and_valued_at_its_true_cost(planted) -> None:
    truth, table, harm = planted
    assert table.index[0] == "payment_error"
    row, expected = table.loc["payment_error"], truth.loc["payment_error"]
    assert row["verdict"] == "friction"
    exp = expected["expected_attributable_failures"]
    assert row["attributable_failures_low"] <= exp <= row["attributable_failures_high"]
    assert row["attributable_failures"] == pytest.approx(exp, rel=0.1)
    # the repair that remembers agrees with the friction table and the truth
    assert harm.loc["payment_error", "extra_successes"] == pytest.approx(exp, rel=0.1)


def test_the_loop_is_friction_with_an_interval_covering_the_truth(planted) -> None:
    truth, table, _ = planted
    exp = truth.loc["edit_cart", "expected_attributable_failures"]
    row = table.loc["edit_cart"]
    assert row["verdict"] == "friction"
    assert row["attributable_failures_low"] <= exp <= row["attributable_failures_high"]


def test_the_step_that_loses_customers_on_the_spot_is_friction(planted) -> None:
    """Its sign and verdict are right; its size is not yet (see the note below)."""
    _, table, _ = planted
    row = table.loc["address_check"]
    assert row["verdict"] == "friction"
    assert row["attributable_failures_low"] > 0
    # Known gap: the estimate (about 80) is well below the truth (about 310), because the
    # journeys that went on from checkout without it include the loop's victims
    # (checkout -> edit_cart), which fail more than the visitors would have.


def test_harmless_steps_are_never_called_friction(planted) -> None:
    truth, table, _ = planted
    harmless = truth.index[truth["kind"].isin(["browsing", "optional_branch", "none"])]
    called = table.loc[harmless, "verdict"]
    assert not (called == "friction").any(), called[called == "friction"]


def test_the_process_consequence_is_not_comparable(planted) -> None:
    """The road-fines log's Send Fine: the journeys that skip it paid on the spot."""
    _, table, _ = planted
    assert table.loc["reminder_email", "verdict"] == "not comparable"


def test_outcome_markers_are_recognised(planted) -> None:
    _, table, _ = planted
    assert table.loc["order_cancelled", "verdict"] == "outcome marker"
    assert table.loc["confirmation", "verdict"] == "outcome marker"


def test_the_planted_frictions_rank_above_everything_harmless(planted) -> None:
    truth, table, _ = planted
    order = list(table.index)
    harmful = truth.index[truth["true_attributable_failures"] > 0]
    harmless = truth.index[
        (truth["kind"] != "confounded") & (truth["true_attributable_failures"] == 0)
    ]
    assert max(order.index(t) for t in harmful) < min(order.index(t) for t in harmless)
