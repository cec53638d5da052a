"""The whole chain, end to end, in every surface (issue 19).

From an event log and a journey whose improvements fix its pain points: the evidence-based
ranking, the plan, the frontier, the roadmap, the report and the command line must show
the same impact for the same improvement, in the same unit (money per year, with the
journey's currency) and with the same interval. Two logs: the planted shop of the
simulator, whose true costs are known, and the road-traffic fines log (real data, read
through ``tests/helpers.py::shared_data``).
"""

from __future__ import annotations

import json
import re
import warnings

import attrs
import numpy as np
import pandas as pd
import pytest

import frictionkit as fk
from frictionkit.cli import main
from frictionkit.datasets import simulate_journeys
from frictionkit.events import read_events
from frictionkit.journey_map import journey_from_log
from frictionkit.model import Improvement, Journey, Owner, PainPoint, Stage, Touchpoint
from frictionkit.portfolio import frontier, optimise_portfolio
from frictionkit.report import report
from frictionkit.roadmap import roadmap

VALUE_PER_SUCCESS = 25.0
BUDGET = 40_000.0
PLANTED_COLS = {
    "case_col": "case_id",
    "touchpoint_col": "touchpoint",
    "timestamp_col": "timestamp",
    "outcome_col": "outcome",
}
# (improvement, pain point, planted touchpoint, fix share, cost, effort days, owner)
PLANTED_FIXES = (
    ("fix_payment", "payment_fails", "payment_error", 0.8, 30_000.0, 20.0, "it"),
    ("fix_loop", "cart_loop", "edit_cart", 0.5, 15_000.0, 10.0, "ux"),
    ("fix_address", "address_rejects", "address_check", 1.0, 5_000.0, 5.0, "it"),
)


def _flags(cols: dict[str, str]) -> list[str]:
    return [x for name, col in cols.items() for x in (f"--{name.replace('_', '-')}", col)]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The planted shop (3,000 journeys) as files, its journey, truth and ranking."""
    folder = tmp_path_factory.mktemp("planted")
    df, truth = simulate_journeys(3000, seed=0, scenario="planted", return_truth=True)
    df.loc[df["outcome"] == "open", "outcome"] = None  # open: no outcome
    events = folder / "events.csv"
    df.to_csv(events, index=False)
    log = read_events(events, **PLANTED_COLS, stage_col="stage")
    journey = attrs.evolve(journey_from_log(log), name="Planted shop", currency="EUR")
    journey = journey.add(
        "owners", Owner(id="it", capacity_days=60.0), Owner(id="ux", capacity_days=40.0)
    )
    journey = journey.add(
        "pain_points", *(PainPoint(id=p, touchpoint=t) for _, p, t, *_ in PLANTED_FIXES)
    )
    journey = journey.add(
        "improvements",
        *(
            Improvement(
                id=i,
                title=i.replace("_", " "),
                owner=o,
                effort_days=e,
                cost=c,
                fixes=(p,),
                fix_share=s,
            )
            for i, p, _, s, c, e, o in PLANTED_FIXES
        ),
    )
    path = folder / "journey.yaml"
    fk.save_journey(journey, path)
    journey = fk.load_journey(path)
    log = read_events(events, **PLANTED_COLS, journey=journey)
    ranking = fk.prioritise(journey, evidence=log, value_per_success=VALUE_PER_SUCCESS)
    return {
        "events": events,
        "journey_path": path,
        "journey": journey,
        "log": log,
        "truth": truth.to_frame().set_index("touchpoint"),
        "ranking": ranking,
        "folder": folder,
    }


def _by_id(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(table["id"].astype(str))


def test_planted_python_one_impact_unit_and_interval_everywhere(planted):
    ranking = planted["ranking"]
    assert (ranking.currency, ranking.period) == ("EUR", "year")
    t = _by_id(ranking.to_frame())
    assert set(t["impact_source"]) == {"evidence"}
    assert (t["impact_low"] <= t["impact"]).all()
    assert (t["impact"] <= t["impact_high"]).all()
    plan = optimise_portfolio(ranking, budget=BUDGET)
    assert (plan.currency, plan.period) == ("EUR", "year")
    assert "EUR per year" in repr(plan)
    assert "EUR per year" in repr(ranking)
    values = _by_id(plan.to_frame())["value"]
    for id_ in t.index:
        assert values[id_] == pytest.approx(t.loc[id_, "impact"])
    curve = frontier(ranking)
    assert curve.loc[curve["cost"] <= BUDGET, "value"].max() == pytest.approx(plan.value)
    waves = _by_id(roadmap(plan))
    assert set(waves.index) == set(plan.selected)
    for id_ in waves.index:
        assert waves.loc[id_, "value"] == pytest.approx(t.loc[id_, "impact"])


def test_planted_impacts_cover_the_true_cost_per_year(planted):
    # the impact of a fix is its fix share of the planted step's value at stake; the
    # step's true cost (failed journeys that succeed when the same journeys are replayed
    # with the step fixed), per year of the log's span, is inside the 95 % interval
    ranking, truth, log = planted["ranking"], planted["truth"], planted["log"]
    scale = log.value_at_stake(VALUE_PER_SUCCESS).attrs["scale"]
    t = _by_id(ranking.to_frame())
    for id_, _, touchpoint, share, *_ in PLANTED_FIXES:
        true = (
            share * VALUE_PER_SUCCESS * scale * truth.loc[touchpoint, "true_attributable_failures"]
        )
        assert t.loc[id_, "impact_low"] <= true <= t.loc[id_, "impact_high"], id_


def test_planted_cli_shows_the_python_figures(planted, capsys):
    args = [str(planted["events"]), str(planted["journey_path"]), *_flags(PLANTED_COLS)]
    args += ["--value-per-success", "25", "--per", "year", "--budget", f"{BUDGET:.0f}"]
    assert main(["prioritise", *args, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    t = _by_id(planted["ranking"].to_frame())
    shown = {r["id"]: r for r in out["ranking"]}
    assert [r["rank"] for r in out["ranking"]] == sorted(r["rank"] for r in out["ranking"])
    for id_ in t.index:
        for col in ("impact", "impact_low", "impact_high"):
            assert shown[id_][col] == pytest.approx(t.loc[id_, col]), (id_, col)
    plan = optimise_portfolio(planted["ranking"], budget=BUDGET)
    for r in out["plan"]:
        assert r["value"] == pytest.approx(t.loc[r["id"], "impact"])
        assert r["value_low"] == pytest.approx(t.loc[r["id"], "impact_low"])
    assert {r["id"] for r in out["plan"] if r["selected"]} == set(plan.selected)
    best = max(r["value"] for r in out["frontier"] if r["cost"] <= BUDGET)
    assert best == pytest.approx(plan.value)
    assert {r["id"] for r in out["roadmap"]} == set(plan.selected)
    # the markdown lines say the unit
    assert main(["prioritise", *args]) == 0
    text = capsys.readouterr().out
    assert "Impact and value in EUR per year, cost in EUR" in text
    # Markdown for people: each evidence-based impact and value with its interval in a cell
    assert "| impact [95% CI] |" in text
    assert "| value [95% CI] |" in text
    assert f"Value of the plan: {plan.value:,.0f} EUR per year" in text


def test_planted_report_from_the_cli_shows_the_python_figures(planted, capsys):
    target = planted["folder"] / "report.html"
    args = ["report", str(planted["events"]), str(planted["journey_path"])]
    args += [*_flags(PLANTED_COLS), "--value-per-success", "25", "--budget", f"{BUDGET:.0f}"]
    assert main([*args, "-o", str(target), "--no-figures"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ranking = planted["ranking"]
    plan = optimise_portfolio(ranking, budget=BUDGET)
    top = ranking.table.iloc[0]
    assert lines[1] == (
        f"Ranking by value per cost: first {top['id']} (impact {top['impact']:,.0f} EUR per year)"
    )
    assert f"value {plan.value:,.0f} EUR per year" in lines[2]
    page = target.read_text(encoding="utf-8")
    assert "Impact (EUR per year)" in page
    assert "Value (EUR per year)" in page
    assert f"worth {plan.value:,.0f} EUR per year" in page
    for rec in ranking.to_frame().to_dict("records"):
        assert f"{rec['impact']:,.0f}" in page
        assert f"{rec['impact_low']:,.0f}–{rec['impact_high']:,.0f}" in page


def test_planted_report_tables_agree_with_the_ranking(planted):
    ranking = planted["ranking"]
    plan = optimise_portfolio(ranking, budget=BUDGET)
    page = report(planted["journey"], planted["log"], ranking=ranking, plan=plan, figures=False)
    t = _by_id(ranking.to_frame())
    shown = _by_id(page.tables["ranking"])
    for col in ("impact", "impact_low", "impact_high"):
        assert shown[col].to_dict() == pytest.approx(t[col].to_dict())
    for id_, v in _by_id(page.tables["plan"])["value"].items():
        assert v == pytest.approx(t.loc[id_, "impact"])
    for id_, v in _by_id(page.tables["roadmap"])["value"].items():
        assert v == pytest.approx(t.loc[id_, "impact"])
    assert not any("differently from the ranking" in n for n in page.notes)


def test_missing_impact_is_the_same_error_in_prioritise_and_report(planted, tmp_path, capsys):
    j = planted["journey"].add(
        "improvements", Improvement(id="unvalued", title="x", owner="ux", effort_days=1, cost=1)
    )
    path = tmp_path / "j.yaml"
    fk.save_journey(j, path)
    base = [str(planted["events"]), str(path), *_flags(PLANTED_COLS), "--value-per-success", "25"]
    for command in (["prioritise"], ["report", "-o", str(tmp_path / "r.html"), "--no-figures"]):
        for extra in ([], ["--budget", "40000"]):
            assert main([*command, *base, *extra]) == 2
            err = capsys.readouterr().err
            assert err.startswith("error: 1 improvement without any impact"), err
            assert "'unvalued'" in err
            assert "--lenient" in err
    assert main(["prioritise", *base, "--budget", "40000", "--lenient"]) == 0
    assert "warning: 1 improvement without any impact" in capsys.readouterr().err


def test_value_flags_need_an_event_log(planted, capsys):
    assert main(["prioritise", str(planted["journey_path"]), "--value-per-success", "25"]) == 2
    assert "--value-per-success value an event log" in capsys.readouterr().err
    both = [str(planted["events"]), str(planted["journey_path"]), "--events", "x.csv"]
    assert main(["prioritise", *both]) == 2
    assert "the event log is given twice" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------
# the road-traffic fines log (real data)
# ---------------------------------------------------------------------------------------
FINES_COLS = {"case_col": "case_id", "touchpoint_col": "activity", "timestamp_col": "timestamp"}


def fines_journey() -> Journey:
    """A journey of the fines log by hand: its stages, touchpoints and three fixes."""
    stage = {
        "Create Fine": "fine", "Send Fine": "fine",
        "Insert Fine Notification": "notification", "Add penalty": "notification",
        "Insert Date Appeal to Prefecture": "appeal", "Send Appeal to Prefecture": "appeal",
        "Receive Result Appeal from Prefecture": "appeal",
        "Notify Result Appeal to Offender": "appeal", "Appeal to Judge": "appeal",
        "Payment": "outcome", "Send for Credit Collection": "outcome",
    }  # fmt: skip
    return Journey(
        name="Road-traffic fines",
        currency="EUR",
        period="year",
        stages=tuple(Stage(id=s) for s in ("fine", "notification", "appeal", "outcome")),
        touchpoints=tuple(Touchpoint(id=t, stage=s, channel="post") for t, s in stage.items()),
        owners=(Owner(id="office", capacity_days=100.0),),
        pain_points=(
            PainPoint(id="appeal_result_slow", touchpoint="Receive Result Appeal from Prefecture"),
            PainPoint(id="penalty_unpaid", touchpoint="Add penalty"),
        ),
        improvements=(
            Improvement(id="appeal_tracker", title="Appeal tracker", owner="office",
                        effort_days=10, cost=8_000, fixes=("appeal_result_slow",)),
            Improvement(id="payment_plan", title="Payment plans", owner="office",
                        effort_days=30, cost=20_000, fixes=("penalty_unpaid",), impact=5_000),
        ),
    )  # fmt: skip


def test_fines_log_one_impact_in_python_cli_and_report(tmp_path, capsys):
    # road-traffic fines, first 10,000 cases (de Leoni & Mannhardt, 4TU.ResearchData,
    # doi:10.4121/uuid:270fd440-1057-4fb9-89a9-b699b47990f5)
    from tests.helpers import shared_data

    path = shared_data("road_traffic_fines_10k.csv.gz")
    journey = fines_journey()
    outcome = {"success": "Payment", "failure": "Send for Credit Collection"}
    log = read_events(path, **FINES_COLS, **outcome, when_both="failure", journey=journey)
    ranking = fk.prioritise(journey, evidence=log, value_per_success=VALUE_PER_SUCCESS)
    t = _by_id(ranking.to_frame())
    # 'Add penalty' is not comparable: the payment plan keeps its declared impact; the
    # appeal step is measured (per year of the log's six years, with its interval)
    assert t.loc["payment_plan", "impact_source"] == "declared"
    assert t.loc["payment_plan", "impact"] == 5_000
    assert t.loc["appeal_tracker", "impact_source"] == "evidence"
    assert np.isfinite(t.loc["appeal_tracker", "impact_high"])
    plan = optimise_portfolio(ranking, budget=30_000)
    values = _by_id(plan.to_frame())["value"]
    for id_ in t.index:
        assert values[id_] == pytest.approx(t.loc[id_, "impact"])
    jpath = tmp_path / "fines.yaml"
    fk.save_journey(journey, jpath)
    args = [str(path), str(jpath), *_flags(FINES_COLS), "--success", "Payment"]
    args += ["--failure", "Send for Credit Collection", "--when-both", "failure"]
    args += ["--value-per-success", "25", "--budget", "30000"]
    assert main(["prioritise", *args, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for r in out["ranking"]:
        assert r["impact"] == pytest.approx(t.loc[r["id"], "impact"])
    for r in out["plan"]:
        assert r["value"] == pytest.approx(values[r["id"]])
    target = tmp_path / "fines.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["report", *args, "-o", str(target), "--no-figures"]) == 0
    capsys.readouterr()
    page = target.read_text(encoding="utf-8")
    assert "Impact (EUR per year)" in page
    assert f"worth {plan.value:,.0f} EUR per year" in page
    assert re.search(r"\b5,000\b", page)


def test_no_sentinel_in_shown_routes_tables(planted, capsys):
    # the folded row of the routes table has n_steps -1 in the library's table; the
    # report's tables and the CLI show it missing
    log = planted["log"]
    assert (log.routes(min_group_size=10)["n_steps"] == -1).any()
    page = report(planted["journey"], log, ranking=planted["ranking"], figures=False)
    steps = page.tables["routes"]["n_steps"]
    assert not (steps.dropna() < 0).any()
    assert steps.isna().any()
    args = ["analyse", str(planted["events"]), *_flags(PLANTED_COLS), "--tables", "routes"]
    assert main([*args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["routes"]
    assert all(r["n_steps"] is None or r["n_steps"] > 0 for r in rows)
    assert any(r["n_steps"] is None for r in rows)


def test_rank_risk_counts_a_touchpoint_once_as_prioritise_does(planted):
    # 'both' fixes two pain points at the same touchpoint, 'one' only the first: the
    # evidence values the touchpoint, so both have the same impact in the ranking and in
    # every draw of rank_risk; the tie goes to the one listed first ('one')
    from frictionkit.uncertainty import rank_risk

    j = planted["journey"].remove("improvements", *(i for i, *_ in PLANTED_FIXES))
    j = j.add("pain_points", PainPoint(id="payment_again", touchpoint="payment_error"))
    j = j.add(
        "improvements",
        Improvement(id="one", title="one", owner="it", effort_days=5, cost=5_000,
                    fixes=("payment_fails",)),
        Improvement(id="both", title="both", owner="it", effort_days=5, cost=5_000,
                    fixes=("payment_fails", "payment_again")),
    )  # fmt: skip
    log = planted["log"]
    ranking = fk.prioritise(j, evidence=log, value_per_success=VALUE_PER_SUCCESS)
    t = _by_id(ranking.to_frame())
    assert t.loc["both", "impact"] == pytest.approx(t.loc["one", "impact"])
    risk = rank_risk(j, draws=200, seed=1, evidence=log, value_per_success=VALUE_PER_SUCCESS)
    assert risk.rank_acceptability.loc["one", 1] == pytest.approx(1.0)


def test_rice_with_a_value_at_stake_mapping_counts_the_value_once():
    # a value at stake is money per period over every journey affected: RICE must not
    # multiply it again by the pain points' reach (hand computation: impact x confidence /
    # effort for the improvements valued from it; reach x impact x confidence / effort
    # for the others)
    j = fk.datasets.load_autoparts()
    stake = {"no_comparison": 200_000.0, "slow_quotes": 50_000.0}
    ranking = fk.prioritise(j, "rice", value_at_stake=stake)
    t = _by_id(ranking.to_frame())
    valued = t[t["impact_source"] == "evidence"]
    assert len(valued) >= 1
    expected = valued["impact"] * valued["confidence"] / valued["effort_days"]
    assert valued["score"].tolist() == pytest.approx(expected.tolist())
    others = t[t["impact_source"] == "declared"]
    expected = others["reach"] * others["impact"] * others["confidence"] / others["effort_days"]
    assert others["score"].tolist() == pytest.approx(expected.tolist())


def test_cli_asks_for_the_value_of_a_success_when_the_log_has_none(planted, capsys):
    args = [str(planted["events"]), str(planted["journey_path"]), *_flags(PLANTED_COLS)]
    assert main(["prioritise", *args]) == 2
    err = capsys.readouterr().err
    assert "gives no value to its successful journeys" in err
    assert "--value-per-success" in err


def test_fines_log_waits_read_in_days():
    # issue 19 quoted "median wait after it 35164800 s": waits read in days
    # (road-traffic fines, first 10,000 cases; source as above)
    from tests.helpers import shared_data

    journey = fines_journey()
    log = read_events(shared_data("road_traffic_fines_10k.csv.gz"), **FINES_COLS,
                      success="Payment", failure="Send for Credit Collection",
                      when_both="failure", journey=journey)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = fk.derive_pain_points(journey, log, value_per_success=VALUE_PER_SUCCESS)
    waits = [e for ev in table["evidence"] for e in ev if "median wait" in e]
    assert waits  # waits that go with more failure (the long_wait test) are reported
    assert all(re.search(r"median wait after it \d+ days, ", e) for e in waits)
    assert all(re.search(r"waited over \d+ days failed", e) for e in waits)
    assert not any(re.search(r"\d s\b", e) for e in waits)
