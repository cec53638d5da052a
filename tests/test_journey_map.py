"""Tests for frictionkit.journey_map: the journey-map table and derived pain points."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.datasets import simulate_journeys
from frictionkit.datasets.survey import simulate_survey
from frictionkit.feedback import Feedback
from frictionkit.journey_map import (
    SEVERITY_THRESHOLDS,
    UnmappedEvidenceWarning,
    _severity,
    accept_pain_points,
    derive_pain_points,
    journey_map,
    to_pain_points,
)
from frictionkit.journey_map._map import journey_from_log
from frictionkit.journey_map._pain import _slug

JOURNEY = fk.datasets.load_autoparts()


def _shop_log(n=4000, seed=2, loop_rate=0.4):
    events = simulate_journeys(n, seed=seed, loop_rate=loop_rate)
    log = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
                                 timestamp_col="timestamp", stage_col="stage",
                                 outcome_col="outcome", strict=False)  # fmt: skip
    return events, log


def _autoparts(n=1500, seed=4):
    events = simulate_journeys(n, seed=seed, journey=JOURNEY, error_touchpoint="support_hotline",
                               error_rate=0.4)  # fmt: skip
    log = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
                                 timestamp_col="timestamp", outcome_col="outcome",
                                 strict=False, journey=JOURNEY)  # fmt: skip
    answers = simulate_survey(events, seed=seed, friction_penalty={"support_hotline": 1.5})
    fb = Feedback.from_frame(answers, metric_col="metric", score_col="score",
                             case_col="case_id", touchpoint_col="touchpoint",
                             journey=JOURNEY)  # fmt: skip
    return events, log, fb


def test_journey_map_declared_only_in_journey_order():
    t = journey_map(JOURNEY)
    expected = [tp.id for s in JOURNEY.ids("stages") for tp in JOURNEY.touchpoints_in(s)]
    assert t["touchpoint"].tolist() == expected
    assert (t["backed_by"] == "declared only").all()
    assert t["journeys"].isna().all()
    assert t["satisfaction"].isna().all()
    assert t.loc[t["touchpoint"] == "support_hotline", "pain_points"].item() == (
        "faulty_batch_calls",
    )
    assert t["stage_position"].is_monotonic_increasing


def test_journey_map_with_events_and_answers_matches_direct_counts():
    events, log, fb = _autoparts()
    t = journey_map(JOURNEY, log, fb).set_index("touchpoint")
    visits = events.groupby("touchpoint")["case_id"].nunique()
    for tp, n in visits.items():
        assert t.loc[tp, "journeys"] == n
    decided = events[events["outcome"] != "open"].drop_duplicates(["case_id", "touchpoint"])
    rate = decided.groupby("touchpoint")["outcome"].apply(lambda s: (s == "success").mean())
    assert np.allclose(t.loc[rate.index, "success_rate"], rate)
    curve = fb.emotion_curve().dropna(subset=["touchpoint"]).set_index("touchpoint")
    assert np.allclose(t["n_answers"], curve.loc[t.index, "n"])
    assert set(t["backed_by"]) <= {"events and answers", "events", "answers", "declared only"}
    # the planted error step is the friction hot spot and the low point of the emotions
    assert "support_hotline" in t["friction_score"].nlargest(2).index
    assert t.loc["support_hotline", "risk_ratio"] > 1


def test_min_group_size_suppresses_small_cells():
    _, log, fb = _autoparts(400)
    t = journey_map(JOURNEY, log, fb, min_group_size=40)
    small = t["suppressed"]
    assert small.any()
    # each suppressed row lost a figure: answers, traffic, or (since the friction table's
    # own rule applies) a friction figure resting on a small comparison group
    lost = t[["satisfaction", "journeys", "friction_score", "attributable_failures"]].isna()
    lost = lost.any(axis=1)
    assert lost[small].all()
    assert not (t["journeys"].fillna(10**9) < 40).any()
    with pytest.raises(fk.ValidationError):
        journey_map(JOURNEY, log, min_group_size=0)


def test_unknown_touchpoints_in_answers_and_log_are_reported():
    bad = pd.DataFrame({"tp": ["parts_webiste"], "m": ["csat"], "s": [3]})
    fb = Feedback.from_frame(bad, metric_col="m", score_col="s", touchpoint_col="tp")
    with pytest.raises(fk.UnknownReferenceError, match="parts_website"):
        journey_map(JOURNEY, feedback=fb)
    _, shop = _shop_log(300)
    with pytest.warns(UnmappedEvidenceWarning, match="not in the journey map"):
        journey_map(JOURNEY, shop)
    with pytest.raises(fk.InputTypeError):
        journey_map("journey.yaml")  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [2, 4])
def test_derive_pain_points_recovers_planted_friction_first(seed):
    # simulate_journeys plants an error step (payment_error) and a checkout -> cart loop
    _, log = _shop_log(seed=seed)
    t = derive_pain_points(None, log, value_per_success=80.0)
    assert t.loc[0, "touchpoint"] == "payment_error"
    assert t.loc[0, "verdict"] == "friction"
    # the checkout -> cart loop is not friction here: journeys reaching the cart buy more
    # than comparable ones (verdict helps), so its loop signal gets a low severity
    cart = t[t["touchpoint"] == "cart"].iloc[0]
    assert "loop" in cart["signals"]
    assert cart["verdict"] == "helps"
    assert cart["severity"] <= 2
    assert t.loc[0, "severity"] >= cart["severity"]
    assert (t["status"] == "proposed").all()
    # the value at stake is the attributable failures per year times the value per
    # success (issue 19: money per period, the period in the column's name)
    scale = t.attrs["scale"]
    assert t.attrs["period"] == "year"
    assert t.loc[0, "value_at_stake_per_year"] == pytest.approx(
        80.0 * t.loc[0, "attributable_failures"] * scale
    )
    assert t.loc[0, "value_at_stake_per_year_low"] == pytest.approx(
        80.0 * t.loc[0, "attributable_failures_low"] * scale
    )
    assert t.loc[0, "extra_successes"] == pytest.approx(t.loc[0, "attributable_failures"])
    verdicts = t.loc[t["signals"] != "", "verdict"].tolist()
    n_friction = verdicts.count("friction")
    assert verdicts[:n_friction] == ["friction"] * n_friction  # friction rows first
    assert all(len(ev) >= 1 for ev in t["evidence"])
    assert t["reach"].between(0, 1).all()


def test_declared_pain_points_keep_ids_and_gain_figures():
    _, log, fb = _autoparts()
    t = derive_pain_points(JOURNEY, log, fb)
    declared = t[t["status"] == "declared"]
    assert sorted(declared["pain_point"]) == sorted(JOURNEY.ids("pain_points"))
    row = t[t["pain_point"] == "faulty_batch_calls"].iloc[0]
    assert row["signals"]
    assert row["touchpoint"] == "support_hotline"
    assert "complaint log" in row["evidence"]  # declared evidence kept first
    assert any(e.startswith("survey:") for e in row["evidence"])
    assert not math.isnan(row["reach"])
    assert row["severity_declared"] == 5
    j2 = accept_pain_points(JOURNEY, t, ["faulty_batch_calls"])
    p = j2.pain_point("faulty_batch_calls")
    assert p.reach == pytest.approx(row["reach"])
    assert p.description.startswith("A faulty")
    assert len(j2.pain_points) == len(JOURNEY.pain_points)
    proposed = t[t["status"] == "proposed"]
    j3 = accept_pain_points(JOURNEY, t)
    assert len(j3.pain_points) == len(JOURNEY.pain_points) + len(proposed)
    with pytest.raises(fk.UnknownReferenceError, match="did you mean"):
        to_pain_points(t, ["faulty_batch_cals"])


def test_declared_only_without_evidence():
    t = derive_pain_points(JOURNEY)
    assert (t["signals"] == "").all()
    assert t["severity"].tolist() == t["severity_declared"].tolist()
    with pytest.raises(fk.ValidationError, match="journey"):
        derive_pain_points(None)


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1))
def test_severity_mapping_is_monotone_and_bounded(a, b):
    lo, hi = sorted((a, b))
    assert 1 <= _severity(lo) <= _severity(hi) <= 5
    assert _severity(SEVERITY_THRESHOLDS[-1]) == 5


def _frame_log(routes, *, gaps_s=None, stage_of=None):
    """A log from (route, outcome, count) triples; ``gaps_s`` maps a step to the seconds
    until the next event (default 60); a 4th item of a triple overrides it for that route."""
    rows = []
    start = pd.Timestamp("2024-01-01", tz="UTC")
    case = 0
    for route, outcome, count, *own in routes:
        gaps = {**(gaps_s or {}), **(own[0] if own else {})}
        for _ in range(count):
            t = start
            for step in route:
                rows.append({"case_id": f"c{case}", "touchpoint": step, "timestamp": t,
                             "outcome": outcome,
                             "stage": (stage_of or {}).get(step, "all")})  # fmt: skip
                t = t + pd.Timedelta(seconds=gaps.get(step, 60.0))
            case += 1
    df = pd.DataFrame(rows)
    return fk.EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
                                  timestamp_col="timestamp", stage_col="stage",
                                  outcome_col="outcome", strict=False)  # fmt: skip


def test_not_comparable_step_gets_no_headline_nor_high_severity():
    # the road-fines shape: the only journeys that skip "Send Fine" paid on the spot and
    # ended right away, so the step has no comparable group (verdict "not comparable")
    log = _frame_log([
        (["Create Fine"], "success", 300),
        (["Create Fine", "Send Fine", "Add penalty"], "failure", 250),
        (["Create Fine", "Send Fine", "Add penalty", "Pay"], "success", 80),
    ])  # fmt: skip
    table = log.friction()
    assert table.set_index("touchpoint").loc["Send Fine", "verdict"] == "not comparable"
    t = derive_pain_points(None, log, value_per_success=10.0)
    for rec in t.to_dict("records"):
        if rec["verdict"] != "friction":
            assert rec["severity"] <= 2, rec
            assert "friction" not in rec["signals"].split(", ")
    send = t[t["touchpoint"] == "Send Fine"]
    if len(send):
        assert send["value_at_stake_per_year"].isna().all()  # no comparable estimate, no value
    signalled = t[t["signals"] != ""]
    if len(signalled):
        assert signalled.iloc[0]["verdict"] == "friction" or signalled.iloc[0]["severity"] <= 2


@pytest.mark.parametrize("scenario", ["shop", "planted"])
def test_only_friction_verdicts_reach_high_severity(scenario):
    events = simulate_journeys(4000, seed=3, scenario=scenario, loop_rate=0.4)
    log = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
                                 timestamp_col="timestamp", stage_col="stage",
                                 outcome_col="outcome", strict=False)  # fmt: skip
    t = derive_pain_points(None, log, value_per_success=50.0)
    other = t[t["verdict"] != "friction"]
    assert (other["severity"] <= 2).all()
    assert set(t["verdict"].dropna()) <= {
        "friction", "helps", "no evidence", "not comparable", "outcome marker"
    }  # fmt: skip
    assert t.loc[0, "verdict"] == "friction"
    assert t.loc[0, "touchpoint"] == "payment_error"
    assert "outcome marker" not in set(t["verdict"])  # outcome markers are not proposed
    # the legacy valuation still works
    old = derive_pain_points(None, log, value_per_success=50.0, reduce_failure_by=1.0)
    assert old["value_at_stake_per_year_low"].isna().all()
    effects = log.repair_effects(reduce_failure_by=1.0, value_per_success=50.0)
    row = old.iloc[0]
    expected = effects.set_index("touchpoint").loc[row["touchpoint"], "extra_value"]
    assert row["value_at_stake_per_year"] == pytest.approx(expected * old.attrs["scale"])


def test_proposed_ids_are_identifiers():
    log = _frame_log([
        (["Home page", "Pay-ment (card)", "3DS check", "Pay-ment (card)"], "failure", 200),
        (["Home page", "Pay-ment (card)"], "success", 200),
        (["Home page", "Basket"], "success", 200),
        (["Home page", "3DS check"], "failure", 40),
    ])  # fmt: skip
    t = derive_pain_points(None, log, min_support=10, min_repeat_rate=0.0)
    proposed = t[t["status"] == "proposed"]
    assert len(proposed) >= 1
    ids = proposed["pain_point"].tolist()
    assert all(i.isidentifier() for i in ids), ids
    assert len(set(ids)) == len(ids)
    assert accept_pain_points(journey_from_log(log), t).pain_points  # accepted as is


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_slug_is_an_identifier(text):
    assert _slug(text).isidentifier()


def test_long_wait_needs_the_absolute_floor():
    # a 37-second automatic step next to 1-second ones: 37x its stage's median, but short
    routes = [
        (["start", "auto", "end_step"], "success", 40),
        (["start", "auto", "end_step"], "failure", 20),
        (["start", "quick", "end_step"], "success", 40),
        (["start", "quick", "end_step"], "failure", 20),
        (["start", "end_step"], "success", 40),
        (["start", "end_step"], "failure", 20),
    ]
    fast = _frame_log(routes, gaps_s={"start": 1.0, "auto": 37.0, "quick": 1.0})
    row = fast.friction().set_index("touchpoint").loc["auto"]
    assert row["dwell_ratio"] >= 2
    t = derive_pain_points(None, fast)
    assert "long_wait" not in ",".join(t["signals"])
    # with a 10-second floor the 37 seconds pass it, but every visitor waits as long, so
    # nothing ties the wait to failing: still no signal (it was one before the wait test)
    relaxed = derive_pain_points(None, fast, min_wait_s=10.0)
    assert "long_wait" not in ",".join(relaxed["signals"])
    # ... unless the quick ones (5 s) never fail and those who wait a minute do
    late = [
        (["start", "auto", "end_step"], "success", 20, {"auto": 5.0}),
        (["start", "auto", "end_step"], "success", 20),
        (["start", "auto", "end_step"], "failure", 20, {"auto": 60.0}),
        *routes[2:],
    ]
    relaxed = derive_pain_points(
        None, _frame_log(late, gaps_s={"start": 1.0, "auto": 37.0, "quick": 1.0}), min_wait_s=10.0
    )
    assert "long_wait" in relaxed.set_index("touchpoint").loc["auto", "signals"]
    # two days after the step, in a stage of one-minute steps, and the journeys that wait
    # that long fail more (those served within half an hour never fail): flagged
    two_days, half_hour = {"auto": 2 * 86400.0}, {"auto": 1800.0}
    waits = [
        (["start", "auto", "end_step"], "success", 20, two_days),
        (["start", "auto", "end_step"], "success", 20, half_hour),
        (["start", "auto", "end_step"], "failure", 20, two_days),
        *routes[2:],
    ]
    slow = _frame_log(waits, gaps_s={"start": 60.0, "quick": 60.0})
    t = derive_pain_points(None, slow).set_index("touchpoint")
    assert "long_wait" in t.loc["auto", "signals"]
    assert t.loc["auto", "median_dwell_s"] >= 3600
    assert "failed 50% vs 0%" in t.loc["auto", "evidence"][0]


def test_a_long_wait_that_does_not_go_with_failure_is_no_signal():
    """Two days after the step for everyone (the process's pace), or long and short waits
    failing alike: the wait is long, but nothing says it costs customers."""
    routes = [
        (["start", "end_step"], "success", 40),
        (["start", "end_step"], "failure", 20),
    ]
    same = _frame_log(
        [(["start", "auto", "end_step"], "success", 40), (["start", "auto", "end_step"],
          "failure", 20), *routes],
        gaps_s={"auto": 2 * 86400.0},
    )  # fmt: skip
    t = derive_pain_points(None, same)
    assert "long_wait" not in ",".join(t["signals"])
    two_days, half_hour = {"auto": 2 * 86400.0}, {"auto": 1800.0}
    alike = _frame_log([
        (["start", "auto", "end_step"], "success", 30, two_days),
        (["start", "auto", "end_step"], "failure", 15, two_days),
        (["start", "auto", "end_step"], "success", 20, half_hour),
        (["start", "auto", "end_step"], "failure", 10, half_hour),
        *routes,
    ])  # fmt: skip
    assert alike.friction().set_index("touchpoint").loc["auto", "median_dwell_s"] >= 3600
    t = derive_pain_points(None, alike)
    assert "long_wait" not in ",".join(t["signals"])
    # and on the compact form of a log no wait can be tested: no signal either
    assert "long_wait" not in ",".join(derive_pain_points(None, alike.compact())["signals"])


def test_declared_outcome_markers_reach_the_friction_verdicts() -> None:
    """The planted shop's reminder is a consequence of not paying: with the shop's outcome
    events declared, it is not comparable and proposes no friction pain point."""
    from frictionkit.datasets import simulate_journeys
    from frictionkit.events import EventLog
    from frictionkit.journey_map import derive_pain_points

    df = simulate_journeys(5000, seed=0, scenario="planted")
    log = EventLog.from_frame(
        df, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
        stage_col="stage", outcome_col="outcome", strict=False,
    )  # fmt: skip
    table = derive_pain_points(
        None, log, outcome_markers=["confirmation", "order_cancelled"]
    ).set_index("touchpoint")
    assert table.loc["reminder_email", "verdict"] == "not comparable"
    assert "friction" not in table.loc["reminder_email", "signals"]
    assert table.loc["payment_error", "verdict"] == "friction"
    # undeclared, reminder_email is friction only while they count as steps: its
    # evidence says so, and what to do if it is a consequence
    undeclared = derive_pain_points(None, log).set_index("touchpoint")
    evidence = " ".join(undeclared.loc["reminder_email", "evidence"])
    assert "friction only while confirmation, order_cancelled count as steps" in evidence
    assert "only while" not in " ".join(undeclared.loc["edit_cart", "evidence"])
    # the map's table and its figure mark the verdict too
    from frictionkit.journey_map import journey_from_log, journey_map
    from frictionkit.plot import journey_map as draw

    shop = journey_from_log(log)
    cards = journey_map(shop, log).set_index("touchpoint")
    assert cards.loc["reminder_email", "verdict_rests_on"] == "confirmation, order_cancelled"
    assert cards.loc["payment_error", "verdict_rests_on"] == ""
    ax = draw(shop, log)
    notes = [t.get_text() for t in ax.texts if t.get_text().startswith("friction")]
    assert sum(n.startswith("friction*") for n in notes) == 1
    legend = next(a for a in ax.get_children() if a.get_gid() == "verdict_legend")
    assert "friction* rests on outcome markers found in the data" in legend.get_title().get_text()
    ax.figure.clf()
    declared = journey_map(shop, log, outcome_markers=["confirmation", "order_cancelled"])
    assert (declared["verdict_rests_on"] == "").all()


def test_adjust_for_reaches_the_friction_verdicts() -> None:
    """The planted shop's ``compare`` does nothing, but browsers use it far more and buy
    less anyway: unadjusted it is called friction, adjusted for segment it is not."""
    from frictionkit.datasets import simulate_journeys
    from frictionkit.events import EventLog
    from frictionkit.journey_map import derive_pain_points

    df = simulate_journeys(8000, seed=0, scenario="planted")
    log = EventLog.from_frame(
        df, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
        stage_col="stage", outcome_col="outcome", case_cols=["segment"], strict=False,
    )  # fmt: skip
    markers = ["confirmation", "order_cancelled"]
    plain = derive_pain_points(None, log, outcome_markers=markers).set_index("touchpoint")
    adjusted = derive_pain_points(
        None, log, outcome_markers=markers, adjust_for="segment"
    ).set_index("touchpoint")
    assert "friction" in plain.loc["compare", "signals"].split(", ")
    # adjusted, its sub-route (product_view → compare) is no friction either, so with no
    # signal left it is no longer proposed at all
    assert "compare" not in adjusted.index
    assert adjusted.loc["payment_error", "verdict"] == "friction"


def test_swapped_journey_and_log_say_the_order():
    """derive_pain_points(log, journey) names the order (journey first, then the log)."""
    from frictionkit.exceptions import InputTypeError

    journey = fk.datasets.load_autoparts()
    log = fk.EventLog.from_frame(
        fk.datasets.simulate_journeys(200, seed=1, journey=journey),
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        outcome_col="outcome",
        strict=False,
    )
    with pytest.raises(InputTypeError, match="journey comes first"):
        fk.derive_pain_points(log, journey)
    with pytest.raises(InputTypeError, match="journey comes first"):
        fk.derive_pain_points(log)
