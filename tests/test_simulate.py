"""Tests of the seeded journey simulator (frictionkit.datasets.simulate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.datasets.simulate import SimulationTruth, simulate_journeys
from frictionkit.exceptions import InputTypeError, UnknownReferenceError, ValidationError

COLUMNS = ["case_id", "touchpoint", "timestamp", "stage", "channel", "outcome"]


def test_columns_types_and_order():
    df = simulate_journeys(500, seed=1)
    assert list(df.columns) == COLUMNS
    assert str(df["timestamp"].dtype) == "datetime64[ns, UTC]"
    for col in ("case_id", "touchpoint", "stage", "channel", "outcome"):
        assert pd.api.types.is_string_dtype(df[col]), col
    assert df["case_id"].nunique() == 500
    # rows are grouped by case and in time order within each case
    assert df["case_id"].is_monotonic_increasing
    assert (df.groupby("case_id")["timestamp"].diff().dropna() >= pd.Timedelta(0)).all()
    # one outcome per journey, from the allowed set
    assert (df.groupby("case_id")["outcome"].nunique() == 1).all()
    assert set(df["outcome"]) <= {"success", "failure", "open"}
    # each touchpoint has one stage and one channel
    assert (df.groupby("touchpoint")[["stage", "channel"]].nunique() == 1).all().all()


def test_success_journeys_end_at_confirmation_and_only_they_reach_it():
    df = simulate_journeys(2000, seed=2, open_share=0.0)
    last = df.groupby("case_id").tail(1).set_index("case_id")
    succ = last["outcome"] == "success"
    assert (last.loc[succ, "touchpoint"] == "confirmation").all()
    assert (last.loc[~succ, "touchpoint"] != "confirmation").all()
    assert (df["outcome"] != "open").all()


@given(st.integers(0, 2**31 - 1))
def test_same_seed_same_frame(seed):
    a = simulate_journeys(50, seed=seed)
    b = simulate_journeys(50, seed=seed)
    pd.testing.assert_frame_equal(a, b)


def test_different_seeds_differ():
    a = simulate_journeys(200, seed=1)
    b = simulate_journeys(200, seed=2)
    assert not a.equals(b)


def test_truth_matrix_and_estimates():
    df, truth = simulate_journeys(30_000, seed=4, return_truth=True)
    assert isinstance(truth, SimulationTruth)
    tm = truth.transition_matrix
    np.testing.assert_allclose(tm.sum(axis=1), 1.0)
    assert truth.error_touchpoint == "payment_error"
    assert truth.loop == ("cart", "checkout")
    assert tm.loc["checkout", "cart"] == pytest.approx(0.2)
    assert tm.loc["payment", "payment_error"] == pytest.approx(0.3)
    assert truth.error_effect > 0.05  # the error step truly lowers conversion
    # decided journeys succeed at the true rate
    outcome = df.groupby("case_id")["outcome"].first()
    decided = outcome[outcome != "open"]
    assert (decided == "success").mean() == pytest.approx(truth.success_probability, abs=0.015)
    assert (outcome == "open").mean() == pytest.approx(0.05, abs=0.01)
    # observed directly-follows shares of complete journeys match the truth
    full = df[df["outcome"] != "open"]
    nxt = full.groupby("case_id")["touchpoint"].shift(-1)
    pay = full.loc[full["touchpoint"] == "payment", "touchpoint"].index
    share = (nxt.loc[pay] == "payment_error").mean()
    assert share == pytest.approx(0.3, abs=0.02)


def test_error_rate_zero_removes_the_error_step():
    df, truth = simulate_journeys(2000, seed=3, error_rate=0.0, return_truth=True)
    assert "payment_error" not in set(df["touchpoint"])
    assert truth.error_effect == pytest.approx(0.0, abs=1e-12)
    _, t2 = simulate_journeys(10, seed=3, error_rate=0.6, return_truth=True)
    assert t2.success_probability < truth.success_probability


def test_truth_repair_effects_rank_error_first():
    _, truth = simulate_journeys(10, seed=0, return_truth=True)
    table = truth.touchpoints.sort_values("repair_effect", ascending=False)
    assert table.iloc[0]["touchpoint"] == "payment_error"
    assert table.set_index("touchpoint").loc["confirmation", "repair_effect"] == 0.0


def test_with_a_journey_map():
    journey = fk.datasets.load_autoparts()
    df, truth = simulate_journeys(
        1500,
        seed=5,
        journey=journey,
        error_touchpoint=journey.touchpoints[3].id,
        loop=(journey.touchpoints[1].id, journey.touchpoints[2].id),
        return_truth=True,
    )
    ids = set(journey.ids("touchpoints"))
    assert set(df["touchpoint"]) <= ids
    stage_of = {tp.id: tp.stage for tp in journey.touchpoints}
    assert (df["stage"] == df["touchpoint"].map(stage_of)).all()
    assert truth.error_touchpoint == journey.touchpoints[3].id
    assert truth.error_effect > 0
    np.testing.assert_allclose(truth.transition_matrix.sum(axis=1), 1.0)
    with pytest.raises(UnknownReferenceError, match="did you mean"):
        simulate_journeys(
            10, seed=1, journey=journey, error_touchpoint=journey.touchpoints[3].id[:-1]
        )


def test_personas_column():
    df = simulate_journeys(3000, seed=6, personas={"buyer": 3, "browser": 1})
    assert list(df.columns) == [*COLUMNS, "persona"]
    assert (df.groupby("case_id")["persona"].nunique() == 1).all()
    share = (df.groupby("case_id")["persona"].first() == "buyer").mean()
    assert share == pytest.approx(0.75, abs=0.03)


def test_bad_arguments():
    with pytest.raises(ValidationError):
        simulate_journeys(0, seed=1)
    with pytest.raises(InputTypeError):
        simulate_journeys(10, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="error_rate"):
        simulate_journeys(10, seed=1, error_rate=1.5)
    with pytest.raises(UnknownReferenceError):
        simulate_journeys(10, seed=1, error_touchpoint="nope")
    with pytest.raises(ValidationError, match="loop"):
        simulate_journeys(10, seed=1, loop=("home", "search"))
    with pytest.raises(ValidationError, match="personas"):
        simulate_journeys(10, seed=1, personas={"a": -1})
