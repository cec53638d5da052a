"""Friction estimates against the planted shop's truth (issue: what fixing a step is worth).

The planted shop (``simulate_journeys(scenario="planted")``) knows what every touchpoint
truly costs: the same journeys are replayed with the step fixed. These tests hold the
friction table and the harm-removal repair against that truth, on one log of 20,000
journeys, and say plainly what is not recovered yet.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frictionkit.datasets import simulate_journeys
from frictionkit.events import EventLog
from frictionkit.exceptions import InputTypeError, UnknownReferenceError
from tests.helpers import assert_decisions_first


@pytest.fixture(scope="module")
def planted_log() -> tuple[pd.DataFrame, EventLog]:
    """The planted shop's truth and its log (20,000 journeys), built once for the module."""
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
    return truth.to_frame().set_index("touchpoint"), log


@pytest.fixture(scope="module")
def planted(planted_log) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    truth, log = planted_log
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # confirmation is the success event and order_cancelled the failure one: declared
        # as such, as an analyst who knows the shop would (the data alone cannot tell)
        table = log.friction(seed=1, outcome_markers=["confirmation", "order_cancelled"]).set_index(
            "touchpoint"
        )
        harm = log.repair_effects(kind="harm_removal").set_index("touchpoint")
    return truth, table, harm


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


def test_the_step_that_loses_customers_on_the_spot_is_friction_at_its_true_cost(planted) -> None:
    """address_check: 12 % of the customers who meet it after the checkout leave there.

    Its comparison is the journeys that went from the same checkout visit to its
    successor (payment), not those sent round the loop (checkout -> edit_cart, itself
    friction) nor the window shoppers who ended at the checkout, all of them failures
    (frictionkit.markov._comparison). Measured on this log: truth 309 (expected; 327
    replayed), table 334 [276, 400], harm removal 332. Before the shared rule: 35
    [-34, 101] and -380."""
    truth, table, harm = planted
    row = table.loc["address_check"]
    exp = truth.loc["address_check", "expected_attributable_failures"]
    assert row["verdict"] == "friction"
    assert row["attributable_failures_low"] <= exp <= row["attributable_failures_high"]
    assert row["attributable_failures"] == pytest.approx(exp, rel=0.15)
    assert harm.loc["address_check", "extra_successes"] == pytest.approx(exp, rel=0.15)


@pytest.mark.parametrize("touchpoint", ["payment_error", "edit_cart", "address_check"])
def test_the_table_and_harm_removal_agree_on_every_planted_friction(planted, touchpoint) -> None:
    """One comparison rule, one estimand: the friction table's attributable failures and
    the harm removal's extra successes agree within 5 % on every planted friction (and
    with the truth within 15 %)."""
    truth, table, harm = planted
    af = table.loc[touchpoint, "attributable_failures"]
    extra = harm.loc[touchpoint, "extra_successes"]
    assert harm.loc[touchpoint, "method"] == "memory"
    assert extra == pytest.approx(af, rel=0.05)
    exp = truth.loc[touchpoint, "expected_attributable_failures"]
    assert af == pytest.approx(exp, rel=0.15)
    assert extra == pytest.approx(exp, rel=0.15)


def test_harmless_steps_are_never_called_friction(planted) -> None:
    truth, table, _ = planted
    harmless = truth.index[truth["kind"].isin(["browsing", "optional_branch", "none"])]
    called = table.loc[harmless, "verdict"]
    assert not (called == "friction").any(), called[called == "friction"]


def test_the_process_consequence_is_not_comparable(planted) -> None:
    """The road-fines log's Send Fine: the journeys that skip it paid on the spot."""
    _, table, _ = planted
    assert table.loc["reminder_email", "verdict"] == "not comparable"


def test_a_friction_verdict_resting_on_found_markers_says_so(planted_log) -> None:
    """Undeclared, confirmation and order_cancelled are found in the data (98 % of their
    visitors end in one outcome) but stay steps of the paths. reminder_email is then
    friction (its 485 attributable failures are the cancelled orders), and the table says
    which markers that verdict rests on: declared, it is "not comparable". The planted
    frictions rest on nothing."""
    truth, log = planted_log
    table = log.friction(seed=1).set_index("touchpoint")
    assert table.attrs["found_outcome_markers"] == ("confirmation", "order_cancelled")
    assert table.loc["reminder_email", "verdict"] == "friction"
    assert table.loc["reminder_email", "verdict_rests_on"] == "confirmation, order_cancelled"
    rests = table["verdict_rests_on"]
    assert (rests[rests != ""].index == ["reminder_email"]).all()
    for step in ("payment_error", "edit_cart", "address_check"):
        assert table.loc[step, "verdict"] == "friction"
        assert table.loc[step, "verdict_rests_on"] == ""
    # the decision columns come first, the caution with them
    assert list(table.reset_index().columns[:7]) == [
        "touchpoint", "stage", "verdict", "attributable_failures",
        "attributable_failures_low", "attributable_failures_high", "verdict_rests_on",
    ]  # fmt: skip
    # declared, as the caution says: not comparable, and nothing left to caution about
    declared = log.friction(seed=1, outcome_markers=["order_cancelled", "confirmation"])
    assert declared.attrs["found_outcome_markers"] == ()
    assert (declared["verdict_rests_on"] == "").all()
    row = declared.set_index("touchpoint").loc["reminder_email"]
    assert row["verdict"] == "not comparable"
    # adjusted for segment the check runs on the adjusted comparison, with the same answer
    adjusted = log.friction(seed=1, adjust_for=["segment"]).set_index("touchpoint")
    assert adjusted.loc["reminder_email", "verdict_rests_on"] == "confirmation, order_cancelled"
    assert truth.loc["reminder_email", "true_attributable_failures"] == 0


def test_an_error_before_a_found_success_record_is_cautioned_too() -> None:
    """The other side of the same shape: in the default simulator the payment error sits
    right before confirmation, which records success. Its verdict rests on confirmation
    being a step as reminder_email's does; here it is a cause (truth: the harm planted at
    the error), which only the analyst can tell, so the table cautions and keeps it."""
    df, truth = simulate_journeys(6000, seed=11, return_truth=True)
    log = EventLog.from_frame(
        df, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
        stage_col="stage", outcome_col="outcome", strict=False,
    )  # fmt: skip
    table = log.friction().set_index("touchpoint")
    assert table.index[0] == truth.error_touchpoint
    assert table.loc[truth.error_touchpoint, "verdict"] == "friction"
    assert table.loc[truth.error_touchpoint, "verdict_rests_on"] == "confirmation"
    assert table.attrs["found_outcome_markers"] == ("confirmation",)


def test_failure_patterns_take_the_declared_outcome_markers(planted_log) -> None:
    """Undeclared, order_placed -> reminder_email heads the friction patterns with the
    cancelled orders as its attributable failures; declared as for the friction table,
    the markers' events leave the journeys: no pattern holds one, the reminder's pattern
    is not comparable, and the planted frictions keep their figures."""
    _, log = planted_log
    markers = ["confirmation", "order_cancelled"]
    crude = log.failure_patterns(max_len=2, seed=1).set_index("pattern_text")
    assert crude.loc["order_placed → reminder_email", "verdict"] == "friction"
    declared = log.failure_patterns(max_len=2, seed=1, outcome_markers=markers)
    assert not declared["pattern"].map(lambda p: bool(set(p) & set(markers))).any()
    assert_decisions_first(declared)
    declared = declared.set_index("pattern_text")
    assert declared.loc["order_placed → reminder_email", "verdict"] == "not comparable"
    friction = declared.index[declared["verdict"] == "friction"]
    assert "payment → payment_error" in friction
    assert "checkout → edit_cart" in friction
    # the same comparison as the friction table with the same markers
    table = log.friction(seed=1, outcome_markers=markers).set_index("touchpoint")
    assert declared.loc["payment → payment_error", "attributable_failures"] == pytest.approx(
        table.loc["payment_error", "attributable_failures"], rel=0.01
    )
    with pytest.raises(UnknownReferenceError, match="outcome_markers names 'confirmed'"):
        log.failure_patterns(outcome_markers=["confirmed"])
    with pytest.raises(InputTypeError, match="outcome_markers must name touchpoints"):
        log.failure_patterns(outcome_markers=[3])


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


# --- adjustment for case attributes and the E-value -------------------------------------
@pytest.fixture(scope="module")
def planted_adjusted(planted_log):
    _, log = planted_log
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = log.friction(
            seed=1, outcome_markers=["confirmation", "order_cancelled"], adjust_for=["segment"]
        )
    return log, table


def test_adjusting_for_segment_removes_the_confounded_step(planted, planted_adjusted) -> None:
    truth, unadjusted, _ = planted
    _, table = planted_adjusted
    table = table.set_index("touchpoint")
    # unadjusted, the step browsers use (and browsers buy less) looks like friction
    assert unadjusted.loc["compare", "verdict"] == "friction"
    assert unadjusted.loc["compare", "attributable_failures"] > 200
    row = table.loc["compare"]
    assert row["verdict"] != "friction"
    assert row["attributable_failures_low"] <= 0 <= row["attributable_failures_high"]
    assert abs(row["attributable_failures"]) < 100
    assert row["e_value_ci"] == 1.0  # its interval covers 0
    # the planted error keeps its true cost
    exp = truth.loc["payment_error", "expected_attributable_failures"]
    assert table.loc["payment_error", "attributable_failures"] == pytest.approx(exp, rel=0.1)
    assert table.loc["payment_error", "verdict"] == "friction"
    assert (table["adjusted_for"] == "segment").all()
    assert table.attrs["adjusted_for"] == ("segment",)
    # harm removal adjusted the same way agrees (-402 before the shared comparison rule)
    log, _ = planted_adjusted
    harm = log.repair_effects(kind="harm_removal", adjust_for="segment", bootstrap=100, seed=3)
    harm = harm.set_index("touchpoint").loc["compare"]
    assert harm["extra_successes_low"] <= 0 <= harm["extra_successes_high"]
    assert abs(harm["extra_successes"]) < 100
    assert harm["extra_successes"] == pytest.approx(row["attributable_failures"], abs=30)
    assert (unadjusted["adjusted_for"] == "").all()


def test_e_values_follow_the_standardised_ratio(planted_adjusted) -> None:
    from frictionkit.friction import e_value

    _, table = planted_adjusted
    ok = table["standardised_risk_ratio"].notna()
    rr = table.loc[ok, "standardised_risk_ratio"].to_numpy()
    srr = table.loc[ok, "attributable_failures"] / table.loc[ok, "expected_failures"] + 1
    assert rr == pytest.approx(srr.to_numpy(), rel=1e-9)
    assert table.loc[ok, "e_value"].to_numpy() == pytest.approx(e_value(rr)[0])
    assert (table.loc[ok, "e_value"] >= table.loc[ok, "e_value_ci"]).all()
    covers = (table["attributable_failures_low"] <= 0) & (table["attributable_failures_high"] >= 0)
    assert (table.loc[ok & covers, "e_value_ci"] == 1.0).all()


def test_adjust_for_bad_input(planted_adjusted) -> None:
    from frictionkit.exceptions import UnknownReferenceError

    log, table = planted_adjusted
    with pytest.raises(UnknownReferenceError, match="did you mean 'segment'"):
        log.friction(adjust_for=["segmnt"], n_boot=0)
    with pytest.raises(UnknownReferenceError, match="not a case attribute"):
        log.friction(adjust_for="channel", n_boot=0)
    # one name as a str is accepted
    one = log.friction(
        adjust_for="segment", seed=1, outcome_markers=["confirmation", "order_cancelled"]
    )
    pd.testing.assert_frame_equal(one, table)


def _small_log(**extra):
    import numpy as np

    df = simulate_journeys(3000, seed=4)
    ids = df["case_id"].unique()
    rng = np.random.default_rng(0)
    for name, values in extra.items():
        df[name] = df["case_id"].map(dict(zip(ids, values(rng, len(ids)), strict=True)))
    return EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        stage_col="stage",
        outcome_col="outcome",
        case_cols=list(extra),
        strict=False,
    )


def test_adjust_for_refuses_missing_continuous_and_thin_strata() -> None:
    import numpy as np

    from frictionkit.exceptions import InputTypeError, ValidationError

    log = _small_log(
        band=lambda rng, n: np.where(rng.random(n) < 0.05, None, "a"),
        spend=lambda rng, n: rng.gamma(2.0, 30.0, n),
        user=lambda rng, n: [f"u{i}" for i in range(n)],
    )
    with pytest.raises(ValidationError, match=r"\d+ of the \d+ decided journeys have no value"):
        log.friction(adjust_for="band", n_boot=0)
    with pytest.raises(ValidationError, match="looks continuous") as err:
        log.friction(adjust_for="spend", n_boot=0)
    assert "qcut" in str(err.value.hint)
    with pytest.raises(ValidationError, match="too thin"):
        log.friction(adjust_for="user", n_boot=0)
    with pytest.raises(InputTypeError):
        log.friction(adjust_for=3, n_boot=0)  # type: ignore[arg-type]


def test_adjusting_for_a_constant_changes_nothing() -> None:
    import numpy as np

    log = _small_log(everyone=lambda rng, n: np.full(n, "x", dtype=object))
    plain = log.friction(seed=2)
    same = log.friction(seed=2, adjust_for="everyone")
    cols = [c for c in plain.columns if c != "adjusted_for"]
    pd.testing.assert_frame_equal(plain[cols], same[cols])


def test_harm_removal_adjusted_for_segment_adds_up_the_groups() -> None:
    """``adjust_for=`` fits the memory chain within each segment and adds the groups up:
    the same figures as fitting each segment's own log; the lasting error keeps its cost."""
    from frictionkit.exceptions import UnknownReferenceError, ValidationError

    df, truth = simulate_journeys(8000, seed=0, scenario="planted", return_truth=True)

    def build(frame: pd.DataFrame) -> EventLog:
        return EventLog.from_frame(
            frame, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
            stage_col="stage", outcome_col="outcome", case_cols=["segment"], strict=False,
        )  # fmt: skip

    log = build(df)
    adjusted = log.repair_effects(kind="harm_removal", adjust_for="segment", bootstrap=100, seed=2)
    adjusted = adjusted.set_index("touchpoint")
    assert adjusted.attrs["adjusted_for"] == ("segment",)
    total = sum(
        build(part).repair_effects(kind="harm_removal").set_index("touchpoint")["extra_successes"]
        for _, part in df.groupby("segment")
    )
    for t in ("payment_error", "edit_cart", "compare"):
        assert adjusted.loc[t, "extra_successes"] == pytest.approx(total[t])
    # the confounded step: near 0, its interval covering 0, as in the adjusted table
    row = adjusted.loc["compare"]
    assert row["extra_successes_low"] <= 0 <= row["extra_successes_high"]
    table = log.friction(seed=1, adjust_for="segment").set_index("touchpoint").loc["compare"]
    assert abs(row["extra_successes"] - table["attributable_failures"]) < 40
    row = adjusted.loc["payment_error"]
    exp = truth.to_frame().set_index("touchpoint").loc["payment_error"]
    assert row["extra_successes"] == pytest.approx(exp["expected_attributable_failures"], rel=0.15)
    assert row["extra_successes_low"] <= row["extra_successes"] <= row["extra_successes_high"]
    with pytest.raises(ValidationError, match="harm_removal"):
        log.repair_effects(adjust_for="segment")
    with pytest.raises(UnknownReferenceError, match="did you mean 'segment'"):
        log.repair_effects(kind="harm_removal", adjust_for="segmnt")


def test_failure_patterns_adjusted_for_segment_remove_the_confounded_pattern(planted_log) -> None:
    """``product_view → compare`` has no true cost (planted.py: browsers compare more and
    buy less); unadjusted it looks like friction, adjusted for segment it goes to ~0 with
    an interval covering 0, while the lasting payment error keeps its figure."""
    _, log = planted_log
    crude = log.failure_patterns(max_len=2, seed=1).set_index("pattern_text")
    adjusted = log.failure_patterns(max_len=2, seed=1, adjust_for=["segment"])
    assert adjusted.attrs["adjusted_for"] == ("segment",)
    assert (adjusted["adjusted_for"] == "segment").all()
    assert (crude["adjusted_for"] == "").all()
    adjusted = adjusted.set_index("pattern_text")
    assert crude.loc["product_view → compare", "verdict"] == "friction"
    assert crude.loc["product_view → compare", "attributable_failures"] > 200
    row = adjusted.loc["product_view → compare"]
    assert abs(row["attributable_failures"]) < 60
    assert row["attributable_failures_low"] <= 0 <= row["attributable_failures_high"]
    assert row["verdict"] == "no evidence"
    assert row["e_value_ci"] == 1.0
    err = adjusted.loc["payment → payment_error"]
    assert err["verdict"] == "friction"
    assert err["attributable_failures"] == pytest.approx(
        crude.loc["payment → payment_error", "attributable_failures"], rel=0.01
    )
    # the decisions first, then by the adjusted estimate
    assert_decisions_first(adjusted.reset_index())
    # the crude columns are the same with or without adjustment
    for col in ("journeys", "failures", "excess_failures", "odds_ratio"):
        assert adjusted[col].sort_index().equals(crude[col].sort_index())


def test_failure_patterns_adjust_for_bad_input(planted_log) -> None:
    from frictionkit.exceptions import InputTypeError, UnknownReferenceError

    _, log = planted_log
    with pytest.raises(UnknownReferenceError, match="did you mean 'segment'"):
        log.failure_patterns(adjust_for=["segmnt"], n_boot=0)
    with pytest.raises(InputTypeError, match="seed"):
        log.failure_patterns(seed="one")  # type: ignore[arg-type]


# --- harm removal with declared outcome markers (issue 17) ------------------------------
_MARKERS = ["confirmation", "order_cancelled"]


@pytest.fixture(scope="module")
def planted_marked(planted_log) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The friction table and the harm removal, both with the shop's outcome markers."""
    _, log = planted_log
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = log.friction(seed=1, outcome_markers=_MARKERS).set_index("touchpoint")
        harm = log.repair_effects(kind="harm_removal", outcome_markers=_MARKERS)
    return table, harm.set_index("touchpoint")


def test_harm_removal_reads_outcome_markers_as_the_table_does(planted_marked) -> None:
    """Markers' events leave the chain: reminder_email (which only precedes the
    cancellation marker) is not comparable, as in the table, instead of the 485 extra
    successes harm removal gave without markers; markers get their own method."""
    table, harm = planted_marked
    assert harm.loc["reminder_email", "method"] == "not_comparable"
    assert np.isnan(harm.loc["reminder_email", "extra_successes"])
    for marker in _MARKERS:
        assert harm.loc[marker, "method"] == "outcome_marker"
        assert np.isnan(harm.loc[marker, ["delta_success_probability", "extra_successes"]]).all()
        assert harm.loc[marker, "visitors"] == table.loc[marker, "journeys"]
    comparable = table.index[table["verdict"].isin(["friction", "no evidence", "helps"])]
    assert (harm.loc[comparable, "method"] == "memory").all()
    assert (
        harm.loc[table.index[table["verdict"] == "not comparable"], "extra_successes"].isna().all()
    )


@pytest.mark.parametrize("touchpoint", ["payment_error", "edit_cart", "address_check"])
def test_harm_removal_with_markers_agrees_with_the_table(planted_marked, touchpoint) -> None:
    """Same markers, same comparison: extra successes = attributable failures within 1 %
    (or one journey) on the planted frictions."""
    table, harm = planted_marked
    af = table.loc[touchpoint, "attributable_failures"]
    assert harm.loc[touchpoint, "extra_successes"] == pytest.approx(af, rel=0.01, abs=1.0)


def test_demo_harm_removal_with_markers_agrees_with_the_table() -> None:
    """The demo (satisfaction_survey declared an outcome marker): without the markers harm
    removal gave order_tracking 197 extra successes and support_hotline 156 while the
    table said -25 and 216 (frictionkit main, issue 17)."""
    from frictionkit.datasets import demo_scenario

    demo = demo_scenario()
    markers = list(demo.outcome_markers)
    table = demo.log.friction(outcome_markers=markers).set_index("touchpoint")
    harm = demo.log.repair_effects(kind="harm_removal", outcome_markers=markers)
    harm = harm.set_index("touchpoint")
    friction_rows = table.index[table["verdict"] == "friction"]
    assert list(friction_rows) == ["support_hotline"]
    for t in friction_rows:
        assert harm.loc[t, "extra_successes"] == pytest.approx(
            table.loc[t, "attributable_failures"], rel=0.01, abs=1.0
        )
    # every comparable touchpoint: inside the table's 95 % interval (the two estimators
    # stratify differently: previous step and visit number against the chain's states)
    comparable = table.index[table["verdict"].isin(["friction", "no evidence", "helps"])]
    extra = harm.loc[comparable, "extra_successes"]
    assert (extra >= table.loc[comparable, "attributable_failures_low"]).all()
    assert (extra <= table.loc[comparable, "attributable_failures_high"]).all()
    assert harm.loc["order_tracking", "extra_successes"] < 0
    assert harm.loc["satisfaction_survey", "method"] == "outcome_marker"


def test_harm_removal_markers_bad_input(planted_log) -> None:
    from frictionkit.exceptions import UnknownReferenceError, ValidationError

    _, log = planted_log
    with pytest.raises(UnknownReferenceError, match="did you mean 'confirmation'"):
        log.repair_effects(kind="harm_removal", outcome_markers=["confirmaton"])
    with pytest.raises(ValidationError, match="outcome_markers"):
        log.repair_effects(outcome_markers=["confirmation"])  # first-order repair


def test_harm_removal_markers_adjusted_and_bootstrapped(planted_log) -> None:
    """Adjusted for segment, markers are dropped in every group: the marker keeps its
    row, reminder_email stays not comparable; the bootstrap interval brackets the
    estimate."""
    _, log = planted_log
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        harm = log.repair_effects(
            kind="harm_removal", outcome_markers=_MARKERS, adjust_for="segment",
            bootstrap=50, seed=0,
        ).set_index("touchpoint")  # fmt: skip
    assert harm.loc["confirmation", "method"] == "outcome_marker"
    assert np.isnan(harm.loc["reminder_email", "extra_successes"])
    row = harm.loc["payment_error"]
    assert row["extra_successes_low"] <= row["extra_successes"] <= row["extra_successes_high"]


def _traces_log(traces, drop: str | None = None) -> EventLog:
    rows = []
    for i, (steps, ok) in enumerate(traces):
        kept = [s for s in steps if s != drop]
        for j, s in enumerate([*kept, "buy" if ok else "quit"]):
            rows.append((f"c{i}", s, j))
    df = pd.DataFrame(rows, columns=["c", "t", "n"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["n"], unit="s")
    return EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="buy",
        failure="quit", strict=False,
    )  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(
    traces=st.lists(
        st.tuples(st.lists(st.sampled_from("abcd"), min_size=1, max_size=6), st.booleans()),
        min_size=4,
        max_size=30,
    ).filter(lambda ts: {ok for _, ok in ts} == {True, False}),
    marker=st.sampled_from("abcd"),
)
def test_a_declared_marker_is_harm_removal_on_the_log_without_it(traces, marker) -> None:
    """Declaring a marker is removing its events: the other rows equal harm removal on
    the log without them; the marker keeps its row with NaN effects."""
    log = _traces_log(traces)
    if marker not in log.touchpoints:
        return
    marked = log.repair_effects(kind="harm_removal", outcome_markers=marker, min_support=1)
    marked = marked.set_index("touchpoint")
    assert marked.loc[marker, "method"] == "outcome_marker"
    assert np.isnan(marked.loc[marker, "extra_successes"])
    others = marked.drop(index=marker)
    if set(others.index):
        without = _traces_log(traces, drop=marker).repair_effects(
            kind="harm_removal", min_support=1
        )
        without = without.set_index("touchpoint").loc[others.index]
        pd.testing.assert_frame_equal(others, without, check_dtype=False)
        ok = others["extra_successes"].notna()
        assert (others.loc[ok, "extra_successes"] <= others.loc[ok, "failed_visitors"] + 1e-9).all()
