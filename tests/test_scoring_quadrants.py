"""Quadrants of a Ranking (issue 19): strict thresholds, no quick win without impact, a
label for a missing impact, and the quick-wins list says why each one is there."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.exceptions import MissingImpactWarning
from frictionkit.ranking import (
    EASY_AND_SMART,
    FILL_IN,
    IMPACT_MISSING,
    MAJOR_PROJECT,
    QUADRANTS,
    QUICK_WIN,
    THANKLESS,
)


def _rank(impact, effort, **kw):
    df = pd.DataFrame(
        {
            "id": [f"i{k}" for k in range(len(impact))],
            "owner": "team",
            "impact": impact,
            "effort_days": effort,
            "cost": 1.0,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingImpactWarning)
        return fk.prioritise(df, **kw)


def _quadrant(r):
    return r.to_frame().set_index("id")["quadrant"].to_dict()


def test_one_name_with_the_old_one_as_an_alias():
    assert QUICK_WIN == EASY_AND_SMART == "quick win"
    assert QUADRANTS == (QUICK_WIN, MAJOR_PROJECT, FILL_IN, THANKLESS)


def test_zero_impact_is_never_a_quick_win():
    # the case: most impacts 0, so the median impact is 0
    r = _rank([0.0, 0.0, 0.0, 12_000.0], [1.0, 2.0, 3.0, 1.0])
    assert r.thresholds["impact"] == 0.0
    q = _quadrant(r)
    assert q["i3"] == QUICK_WIN
    assert all(q[i] != QUICK_WIN for i in ("i0", "i1", "i2"))
    # even with a threshold below 0, a zero impact is not high
    r = _rank([0.0, 5.0], [1.0, 9.0], quadrant_thresholds={"impact": -1.0, "effort_days": 5.0})
    assert _quadrant(r)["i0"] == FILL_IN


def test_a_value_on_the_threshold_is_not_high_nor_low():
    r = _rank([10.0, 20.0], [5.0, 2.0], quadrant_thresholds={"impact": 10.0, "effort_days": 5.0})
    q = _quadrant(r)
    assert q["i0"] == THANKLESS  # impact on the threshold: not high; effort on it: not low
    assert q["i1"] == QUICK_WIN


def test_missing_impact_is_its_own_label():
    r = _rank([np.nan, 30.0, 20.0], [1.0, 2.0, 3.0])
    assert _quadrant(r)["i0"] == IMPACT_MISSING
    assert "i0" not in r.quick_wins()["id"].tolist()
    assert "its impact is missing" in r.explain("i0")


def test_quick_wins_say_why():
    # golden: impact 12,000 above the median 8,000 and effort 3 below the median 17.5
    r = _rank([12_000.0, 8_000.0, 4_000.0, 9_000.0], [3.0, 17.0, 18.0, 30.0])
    assert r.thresholds == {"impact": 8_500.0, "effort_days": 17.5}
    wins = r.quick_wins()
    assert wins["id"].tolist() == ["i0"]
    assert (
        wins["why"].iloc[0] == "impact 12,000 above median 8,500; effort 3 days below median 17.5"
    )
    r = _rank([12_000.0, 1.0], [1.0, 5.0], quadrant_thresholds={"impact": 8_000.0})
    assert r.quick_wins()["why"].iloc[0] == (
        "impact 12,000 above threshold 8,000; effort 1 day below median 3"
    )


def test_autoparts_quick_wins_unchanged():
    r = fk.prioritise(fk.datasets.load_autoparts())
    assert r.quick_wins()["id"].tolist() == ["guided_selling", "callback_sla"]
    # the must-do without impact is labelled, not a quadrant
    assert _quadrant(r)["consent_management"] == IMPACT_MISSING


@given(
    st.lists(
        st.tuples(
            st.one_of(st.just(np.nan), st.just(0.0), st.floats(0.0, 100.0)),
            st.floats(0.0, 50.0),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_quick_win_is_strictly_better_on_both(rows):
    impact = [r[0] for r in rows]
    effort = [r[1] for r in rows]
    r = _rank(impact, effort)
    t = r.to_frame()
    t_imp, t_eff = r.thresholds["impact"], r.thresholds["effort_days"]
    for row in t.itertuples():
        if row.impact_source == "missing":
            assert row.quadrant == IMPACT_MISSING
            continue
        assert row.quadrant in QUADRANTS
        high = row.impact > t_imp and row.impact > 0
        low = row.effort_days < t_eff
        assert (row.quadrant == QUICK_WIN) == (high and low)
    assert (t["rank"].to_numpy() == np.arange(1, len(t) + 1)).all()  # rank order


@pytest.mark.parametrize("method", ["rice", "topsis"])
def test_rank_risk_agrees_on_strict_quadrants(method):
    from frictionkit.uncertainty import rank_risk

    df = pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "owner": "t", "impact": [0.0, 0.0, 5.0, 7.0],
         "effort_days": [1.0, 2.0, 2.0, 3.0], "cost": 1.0, "confidence": 0.5}
    )  # fmt: skip
    risk = rank_risk(df, method, draws=3, seed=1)
    det = fk.prioritise(df, method).to_frame()
    p = risk.to_frame().set_index("id")["p_quick_win"]
    for id_, quad in zip(det["id"], det["quadrant"], strict=True):
        assert p[id_] == (1.0 if quad == QUICK_WIN else 0.0)
