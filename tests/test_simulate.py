"""Tests of the seeded journey simulator (frictionkit.datasets.simulate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.datasets.planted import FIXABLE, KINDS, PLANTED_TOUCHPOINTS, PlantedTruth
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


# ---------------------------------------------------------------------------------------
# the planted shop (scenario="planted"): known true cost of every touchpoint

PLANTED_COLUMNS = [*COLUMNS, "segment"]


def _planted(n=4000, seed=0, **kw):
    return simulate_journeys(n, seed=seed, scenario="planted", **kw)


def _outcomes(df):
    return df.groupby("case_id", sort=True)["outcome"].first()


def test_planted_columns_and_outcomes():
    df = _planted(3000, seed=1, personas=["a", "b"])
    assert list(df.columns) == [*PLANTED_COLUMNS, "persona"]
    assert df["case_id"].nunique() == 3000
    assert df["case_id"].is_monotonic_increasing
    assert (df.groupby("case_id")["timestamp"].diff().dropna() >= pd.Timedelta(0)).all()
    for col in ("outcome", "segment", "persona"):
        assert (df.groupby("case_id")[col].nunique() == 1).all(), col
    assert set(df["touchpoint"]) == set(PLANTED_TOUCHPOINTS)
    assert set(df["segment"]) == {"buyer", "browser"}
    assert (df.groupby("touchpoint")[["stage", "channel"]].nunique() == 1).all().all()
    outcome = _outcomes(df)
    assert (outcome == "open").mean() == pytest.approx(0.05, abs=0.015)
    # decided journeys: success exactly when confirmation is reached, and it is the last step
    last = df[df["outcome"] != "open"].groupby("case_id").tail(1).set_index("case_id")
    assert ((last["touchpoint"] == "confirmation") == (last["outcome"] == "success")).all()
    reached = df.loc[df["touchpoint"] == "order_cancelled", "case_id"].unique()
    assert (outcome.loc[reached].isin(["failure", "open"])).all()  # an outcome marker


@given(st.integers(0, 2**63 - 1))
def test_planted_same_seed_same_frame(seed):
    a = _planted(60, seed=seed)
    b = _planted(60, seed=seed)
    pd.testing.assert_frame_equal(a, b)


def test_planted_is_deterministic_with_truth_and_seeds_differ():
    a, ta = _planted(2000, seed=3, return_truth=True)
    b, tb = _planted(2000, seed=3, return_truth=True)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ta.to_frame(), tb.to_frame())
    assert not a.equals(_planted(2000, seed=4))


def test_planted_default_scenario_is_unchanged():
    # scenario="shop" is the default: the same frame bit for bit
    pd.testing.assert_frame_equal(
        simulate_journeys(300, seed=9), simulate_journeys(300, seed=9, scenario="shop")
    )


def test_replay_without_fix_is_the_log():
    pd.testing.assert_frame_equal(_planted(1500, seed=5), _planted(1500, seed=5, fix=None))


HARMLESS = ["compare", "gift_options", "reminder_email", "order_cancelled", "catalog", "checkout"]


@pytest.mark.parametrize("fix", HARMLESS)
def test_fixing_a_step_without_harm_changes_nothing(fix):
    pd.testing.assert_frame_equal(_planted(1500, seed=6), _planted(1500, seed=6, fix=fix))


@pytest.mark.parametrize("fix", FIXABLE)
def test_replay_changes_nothing_before_the_friction_point(fix):
    # no open journeys: an open journey may meet the step after its cut
    log = _planted(4000, seed=7, open_share=0.0)
    replay = _planted(4000, seed=7, fix=fix, open_share=0.0)
    cols = ["touchpoint", "timestamp", "stage", "channel", "segment"]
    for df in (log, replay):
        df["pos"] = df.groupby("case_id").cumcount()
        df["n"] = df.groupby("case_id")["pos"].transform("size")
    hit = log.loc[log["touchpoint"] == fix]
    first = hit.groupby("case_id")["pos"].min()
    assert len(first) > 50  # the step is met
    # journeys that never meet the step are identical; the others up to the step
    upto = log["case_id"].map(first).fillna(np.inf)
    before = log[log["pos"] < upto]
    both = before.merge(replay, on=["case_id", "pos"], how="left", suffixes=("", "_r"))
    for col in cols:
        assert (both[col] == both[f"{col}_r"]).all(), col
    untouched = log[~log["case_id"].isin(first.index)]
    pd.testing.assert_frame_equal(
        untouched.reset_index(drop=True),
        replay[replay["case_id"].isin(untouched["case_id"])].reset_index(drop=True),
    )
    # ... and the fix changes some of the journeys that meet it
    out_log = _outcomes(log).loc[first.index]
    out_fix = _outcomes(replay).loc[first.index]
    assert ((out_log == "failure") & (out_fix == "success")).sum() > 10


def test_truth_table_and_replayed_attributable_failures():
    n = 20_000
    df, truth = _planted(n, seed=0, return_truth=True)
    assert isinstance(truth, PlantedTruth)
    assert repr(truth).startswith("PlantedTruth(20,000 journeys")
    table = truth.to_frame().set_index("touchpoint")
    assert list(table.index) == sorted(table.index, key=list(table.index).index)
    assert set(table.index) == set(PLANTED_TOUCHPOINTS)
    assert set(table["kind"]) <= set(KINDS)
    assert set(table["expected_verdict"]) <= {
        "friction",
        "helps",
        "no evidence",
        "not comparable",
        "outcome marker",
    }
    outcome = _outcomes(df)
    assert truth.failures == (outcome == "failure").sum()
    assert truth.n_decided == (outcome != "open").sum()
    # no-effect steps: exactly 0; harmful steps: clearly positive, near their expectation
    harmless = table.drop(index=list(FIXABLE))
    assert (harmless["true_attributable_failures"] == 0).all()
    assert (harmless["expected_attributable_failures"] == 0).all()
    for name in FIXABLE:
        row = table.loc[name]
        assert row["true_attributable_failures"] > 150, name
        assert row["true_attributable_failures"] <= row["failed_visitors"], name
        assert row["true_attributable_failures"] == pytest.approx(
            row["expected_attributable_failures"], rel=0.15
        ), name
        # the truth is the replay: failures of the log minus failures with the step fixed
        replay = _outcomes(_planted(n, seed=0, fix=name))
        assert row["true_attributable_failures"] == truth.failures - (replay == "failure").sum()
    assert list(table.index[:3]) == ["payment_error", "edit_cart", "address_check"]
    assert table.loc["payment_error", "kind"] == "error_lasting"
    assert table.loc["reminder_email", "expected_verdict"] == "not comparable"
    assert table.loc["order_cancelled", "expected_verdict"] == "outcome marker"
    # the exact success probability matches the simulated one
    decided = outcome[outcome != "open"]
    assert (decided == "success").mean() == pytest.approx(truth.success_probability, abs=0.015)


def test_payment_error_harm_outlives_its_page():
    df = _planted(20_000, seed=2, open_share=0.0)
    nxt = df.groupby("case_id")["touchpoint"].shift(-1)
    at_error = df["touchpoint"] == "payment_error"
    # part of the cost is abandonment after the error page: hurt journeys leave later on
    hurt = set(df.loc[at_error & nxt.notna(), "case_id"])
    later = df[df["case_id"].isin(hurt)]
    after = later.groupby("case_id").tail(1)
    left_later = (after["outcome"] == "failure") & (after["touchpoint"] != "payment_error")
    assert left_later.sum() > 100
    # payment exits of hurt journeys far exceed those of the others
    last = df.groupby("case_id").tail(1)
    pay_exit = last[(last["touchpoint"] == "payment") & (last["outcome"] == "failure")]
    assert pay_exit["case_id"].isin(hurt).mean() > 0.9


def test_confounded_step_is_used_mostly_by_the_segment_that_buys_less():
    df = _planted(20_000, seed=3)
    case = df.groupby("case_id")[["segment", "outcome"]].first()
    users = set(df.loc[df["touchpoint"] == "compare", "case_id"])
    share_browser = (case.loc[list(users), "segment"] == "browser").mean()
    assert share_browser > 0.7
    decided = case[case["outcome"] != "open"]
    rate = (decided["outcome"] == "success").groupby(decided["segment"]).mean()
    assert rate["browser"] < rate["buyer"] / 2
    # it looks harmful without adjustment, yet fixing it changes nothing
    pv = set(df.loc[df["touchpoint"] == "product_view", "case_id"])
    fail = decided["outcome"] == "failure"
    assert fail.loc[fail.index.isin(users)].mean() > fail.loc[fail.index.isin(pv - users)].mean()


def test_optional_branch_and_process_consequence_shares():
    df = _planted(20_000, seed=4, open_share=0.0)
    cart = df["touchpoint"] == "cart"
    nxt = df.groupby("case_id")["touchpoint"].shift(-1)
    assert (nxt[cart] == "gift_options").mean() == pytest.approx(0.10, abs=0.015)
    # reminder_email follows order_placed only for those who did not pay at once; the
    # journeys that skip it confirmed on the spot (they all succeed)
    placed = df["touchpoint"] == "order_placed"
    skip = df.loc[placed & (nxt == "confirmation"), "case_id"]
    assert (_outcomes(df).loc[skip] == "success").all()
    assert (nxt[placed] == "reminder_email").mean() == pytest.approx(0.2, abs=0.02)


def test_planted_100k_is_fast():
    import time

    start = time.perf_counter()
    df = _planted(100_000, seed=0)
    assert time.perf_counter() - start < 10  # about 1.5 s on the 2-core dev machine
    assert df["case_id"].nunique() == 100_000


def test_planted_bad_input():
    with pytest.raises(UnknownReferenceError, match="did you mean 'planted'"):
        simulate_journeys(10, seed=1, scenario="plantd")
    with pytest.raises(InputTypeError, match="scenario"):
        simulate_journeys(10, seed=1, scenario=3)  # type: ignore[call-overload]
    with pytest.raises(UnknownReferenceError, match="did you mean 'payment_error'"):
        _planted(10, fix="paymnt_error")
    with pytest.raises(InputTypeError, match="fix"):
        _planted(10, fix=1)  # type: ignore[call-overload]
    with pytest.raises(ValidationError, match="scenario='planted'"):
        simulate_journeys(10, seed=1, fix="payment_error")  # type: ignore[call-overload]
    with pytest.raises(ValidationError, match="journey"):
        _planted(10, journey=fk.datasets.load_autoparts())
    with pytest.raises(ValidationError, match="loop"):
        _planted(10, loop=("cart", "checkout"))
    with pytest.raises(ValidationError, match="error_rate"):
        _planted(10, error_rate=1.0)
    with pytest.raises(InputTypeError):
        _planted(10, seed="0")
