"""Small-group suppression covers every group a figure rests on, in every surface.

Issue 21 ("Small groups leak"): with ``min_group_size=10`` the funnel showed stages
reached by 2 journeys, friction rows showed the risk of the 2 journeys that skipped a
step, the journey map showed friction figures of a touchpoint the friction table folds
away, and the folded friction row of ``analyse`` summed the ``-1`` sentinel.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.cli import main
from frictionkit.journey_map import journey_map
from frictionkit.journey_map._map import journey_from_log
from frictionkit.privacy import hide_small_figures, small_counts

STAGES = {"home": "shop", "search": "shop", "help": "shop", "pay": "pay", "upsell": "after"}


def _log(home: str = "home") -> fk.EventLog:
    routes = [
        (["home", "pay"], "success", 25),
        (["home"], "failure", 20),
        (["search"], "failure", 2),  # the 2 journeys that skip "home" in its stage
        (["home", "pay", "upsell"], "success", 2),  # stage "after": 2 journeys
        (["home", "help"], None, 12),  # "help": 15 journeys, only 3 decided
        (["home", "help"], "failure", 3),
    ]
    rows = []
    case = 0
    for route, outcome, count in routes:
        for _ in range(count):
            t = pd.Timestamp("2024-01-01")
            for step in route:
                rows.append({"case_id": f"c{case}", "touchpoint": home if step == "home" else step,
                             "timestamp": t, "outcome": outcome,
                             "stage": STAGES[step]})  # fmt: skip
                t += pd.Timedelta(seconds=60)
            case += 1
    df = pd.DataFrame(rows)
    df["stage"] = pd.Categorical(df["stage"], ["shop", "pay", "after"], ordered=True)
    return fk.EventLog.from_frame(df, case_col="case_id",
                                  touchpoint_col="touchpoint", timestamp_col="timestamp",
                                  stage_col="stage", outcome_col="outcome",
                                  strict=False)  # fmt: skip


def test_funnel_hides_a_stage_reached_by_two_journeys():
    log = _log()
    assert log.funnel().set_index("stage").loc["after", "journeys"] == 2  # the data
    t = log.funnel(min_group_size=10).set_index("stage")
    assert pd.isna(t.loc["after", "journeys"])
    assert pd.isna(t.loc["after", "success_rate"])
    assert t.loc["after", "suppressed"]
    # drop_off of "pay" = journeys(pay) - journeys(after) would show the 2
    assert pd.isna(t.loc["pay", "drop_off"])
    assert t.loc["pay", "journeys"] == 27
    assert pd.isna(t.loc["after", "visited"])
    assert not t.loc["shop", "suppressed"]
    for col in ("journeys", "visited"):
        assert (t[col].dropna() >= 10).all()


def test_funnel_chart_data_hides_small_stages():
    pytest.importorskip("matplotlib")
    from frictionkit.plot import funnel_data

    data = funnel_data(_log(), min_group_size=10).set_index("stage")
    assert pd.isna(data.loc["after", "journeys"])


def test_friction_hides_the_risk_of_a_small_complement_group():
    log = _log()
    full = log.friction(min_support=1, n_boot=0).set_index("touchpoint")
    assert full.loc["home", "reached_stage"] - full.loc["home", "journeys"] == 2
    assert np.isfinite(full.loc["home", "risk_not_visited"])  # the 2 journeys' risk
    t = log.friction(min_support=1, n_boot=0, min_group_size=10)
    shown = t[t["suppressed_groups"] == 1].set_index("touchpoint")
    home = shown.loc["home"]
    assert home["suppressed"]
    for col in ("risk_not_visited", "risk_ratio", "failures_not_visited", "reached_stage",
                "friction_score", "p_value"):  # fmt: skip
        assert pd.isna(home[col]), col
    assert home["journeys"] == 50
    assert home["risk_visited"] == pytest.approx(23 / 50)
    assert (shown["journeys"] >= 10).all()
    # a comparison group below the threshold hides the attributable failures too
    small = shown["comparison_journeys"].dropna()
    assert not ((small > 0) & (small < 10)).any()


def test_journey_map_follows_the_friction_tables_rule():
    log = _log()
    journey = journey_from_log(log)
    plain = journey_map(journey, log, min_support=1).set_index("touchpoint")
    assert np.isfinite(plain.loc["help", "friction_score"])  # 3 decided journeys
    t = journey_map(journey, log, min_group_size=10, min_support=1).set_index("touchpoint")
    assert t.loc["help", "journeys"] == 15  # traffic is 15 journeys: shown
    assert np.isnan(t.loc["help", "friction_score"])
    assert np.isnan(t.loc["help", "risk_ratio"])
    assert t.loc["help", "suppressed"]
    assert np.isnan(t.loc["home", "risk_ratio"])
    assert t.loc["home", "suppressed"]


def _events_csv(tmp_path):
    rows = []
    routes = [(["home", "buy"], 30), (["home", "cart", "leave"], 3), (["home", "exit"], 20)]
    case = 0
    for route, count in routes:
        for _ in range(count):
            for i, step in enumerate(route):
                rows.append({"case": f"c{case}", "step": step, "time": f"2024-01-01 00:0{i}"})
            case += 1
    path = tmp_path / "ev.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    args = ["analyse", str(path), "--case-col", "case", "--touchpoint-col", "step"]
    return [*args, "--timestamp-col", "time", "--success", "buy", "--failure", "leave",
            "exit", "--min-support", "1"]  # fmt: skip


def test_analyse_folded_friction_row_counts_no_sentinel(tmp_path, capsys):
    args = _events_csv(tmp_path)
    assert main([*args, "--format", "json", "--tables", "friction", "funnel"]) == 0
    data = json.loads(capsys.readouterr().out)
    folded = [r for r in data["friction"] if r["touchpoint"] == "other (suppressed)"]
    assert len(folded) == 1
    # "cart" (3 failures) and the outcome step "leave" (missing: not applicable) are folded
    assert folded[0]["failures_visited"] == 3
    assert all(r["failures_visited"] is None or r["failures_visited"] >= 0
               for r in data["friction"])  # fmt: skip
    assert folded[0]["failures_visited"] >= 0


def test_hide_small_figures_marks_rows_and_keeps_zero():
    t = pd.DataFrame({"n": [0, 3, 30], "x": [1.0, 2.0, 3.0], "k": [1, 2, 3],
                      "ok": [True, False, True], "v": ["a", "b", "c"]})  # fmt: skip
    out = hide_small_figures(t, [(t["n"], ["x", "k", "ok", "v"])], min_group_size=10)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out["x"].isna().tolist() == [False, True, False]
    assert out["k"].dtype == "Int64"
    assert out["ok"].dtype == "boolean"
    assert pd.isna(out.loc[1, "v"])
    assert pd.isna(out.loc[1, "k"])
    assert t["x"].notna().all()  # not modified
    with pytest.raises(fk.FrictionkitError):
        hide_small_figures(t, [([1, 2], ["x"])], min_group_size=10)
    with pytest.raises(fk.FrictionkitError):
        hide_small_figures(t, [(t["n"], ["nope"])], min_group_size=10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=20), st.integers(1, 20))
def test_no_figure_rests_on_a_small_group(counts, k):
    t = pd.DataFrame({"n": counts, "f": np.arange(len(counts), dtype=float)})
    out = hide_small_figures(t, [(t["n"], ["n", "f"])], min_group_size=k)
    shown = out["n"].dropna()
    assert ((shown == 0) | (shown >= k)).all()
    assert (out["suppressed"] == small_counts(counts, k)).all()


def _report(log):
    journey = journey_from_log(log)
    return fk.report.report(journey, log, min_group_size=10, figures=False)


def test_report_funnel_and_friction_follow_the_rule():
    page = _report(_log())
    funnel = page.tables["funnel"].set_index("stage")
    assert pd.isna(funnel.loc["after", "journeys"])
    friction = page.tables["friction"]
    shown = friction[friction["suppressed_groups"] == 1].set_index("touchpoint")
    assert pd.isna(shown.loc["home", "risk_not_visited"])


def test_a_touchpoint_named_like_the_folded_row_is_not_taken_for_it():
    from frictionkit.privacy import SUPPRESSED_LABEL, folded_rows

    base = _log()
    t = base.friction(min_support=1, n_boot=0, min_group_size=10)
    t.loc[t["touchpoint"] == "home", "touchpoint"] = SUPPRESSED_LABEL
    assert folded_rows(t).sum() == 1
    assert t.loc[folded_rows(t), "suppressed_groups"].iloc[0] > 1
    # the report places and styles rows by their group count, not their text
    page = _report(_log(home=SUPPRESSED_LABEL))
    friction = page.tables["friction"]
    named = friction[friction["touchpoint"] == SUPPRESSED_LABEL]
    assert sorted(named["suppressed_groups"].tolist())[0] == 1  # the real touchpoint is kept

    def folded_rows_in(report):
        rows = html.unescape(report._repr_html_()).split("<tr")
        return sum(r.startswith(' class="folded"') for r in rows)

    assert folded_rows_in(page) == folded_rows_in(_report(_log()))


def test_one_visitor_left_out_of_the_comparison_hides_no_verdict():
    """The demo's support hotline has one visitor out of 420 left out of the comparison:
    the figures over all visitors are hidden (they would give that visitor's outcome
    away), never the attributable failures and the verdict that headline the report."""
    from frictionkit.datasets import demo_scenario

    demo = demo_scenario()
    table = demo.log.friction(outcome_markers=demo.outcome_markers, min_group_size=10)
    row = table.set_index("touchpoint").loc["support_hotline"]
    assert row["verdict"] == "friction"
    assert row["attributable_failures"] > 150
    assert bool(row["suppressed"])
    for col in ("failures_visited", "risk_visited", "visitors_not_comparable"):
        assert pd.isna(row[col])
    plain = demo.log.friction(outcome_markers=demo.outcome_markers).set_index("touchpoint")
    assert plain.loc["support_hotline", "visitors_not_comparable"] == 1
    assert row["attributable_failures"] == plain.loc["support_hotline", "attributable_failures"]
