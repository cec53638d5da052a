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
    assert t.loc[small, "satisfaction"].isna().all() | t.loc[small, "journeys"].isna().all()
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
    assert t.loc[1, "touchpoint"] == "cart"
    assert "loop" in t.loc[1, "signals"]
    assert t.loc[0, "severity"] >= t.loc[1, "severity"]
    assert (t["status"] == "proposed").all()
    assert t.loc[0, "value_at_stake"] == pytest.approx(80.0 * t.loc[0, "extra_successes"])
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
