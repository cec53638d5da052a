"""One value from evidence to ranking: money per period, its unit, interval and draws.

Issue 19: the journey (or the call) states the currency and the period; the value at
stake of a pain point is its touchpoint's attributable failures per period times the
value of a success; ``prioritise(journey, evidence=log, ...)`` measures it itself.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.exceptions import InputTypeError, ValidationError

AUTOPARTS = fk.datasets.load_autoparts()


# -- the journey states its currency and period ------------------------------------------


def test_journey_currency_and_period_default_to_none_and_validate():
    assert (AUTOPARTS.currency, AUTOPARTS.period) == ("EUR", "year")  # the bundled file states them
    plain = attrs.evolve(AUTOPARTS, currency=None, period=None)  # a file that states neither
    assert plain.currency is None
    assert plain.period is None
    j = attrs.evolve(AUTOPARTS, currency=" EUR ", period="Month")
    assert (j.currency, j.period) == ("EUR", "month")
    assert attrs.evolve(AUTOPARTS, currency="").currency is None
    with pytest.raises(ValidationError, match="did you mean 'year'"):
        attrs.evolve(AUTOPARTS, period="yaer")
    with pytest.raises(ValidationError, match=r"Journey\.currency"):
        attrs.evolve(AUTOPARTS, currency="12 euros")
    with pytest.raises(InputTypeError, match=r"Journey\.currency"):
        attrs.evolve(AUTOPARTS, currency=978)


@pytest.mark.parametrize("name", ["j.yaml", "j.json", "wb", "wb.xlsx"])
def test_currency_and_period_round_trip_through_files(tmp_path: Path, name: str):
    if name.endswith(".xlsx"):
        pytest.importorskip("openpyxl")
    j = attrs.evolve(AUTOPARTS, currency="€", period="quarter")
    path = tmp_path / name
    if name.startswith("wb"):
        fk.write_workbook(j, path)
        back = fk.read_workbook(path)
    else:
        fk.save_journey(j, path)
        back = fk.load_journey(path)
    assert back == j
    assert (back.currency, back.period) == ("€", "quarter")


def test_journey_file_refuses_an_unknown_period(tmp_path: Path):
    path = tmp_path / "j.json"
    data = {"version": 1, "period": "fortnight", "stages": [{"id": "s"}],
            "touchpoints": [{"id": "t", "stage": "s", "channel": "web"}]}  # fmt: skip
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError, match="period"):
        fk.load_journey(path)


# -- one log, one journey with two improvements ------------------------------------------
# simulate_journeys plants a payment error step (and a search step that fails more); the
# journey maps the log's touchpoints and accepts the derived pain points.

VALUE = 80.0


def _log(events: pd.DataFrame) -> fk.EventLog:
    return fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
                                  timestamp_col="timestamp", stage_col="stage",
                                  outcome_col="outcome", strict=False)  # fmt: skip


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return fk.datasets.simulate_journeys(3000, seed=2)


@pytest.fixture(scope="module")
def log(events: pd.DataFrame) -> fk.EventLog:
    return _log(events)


@pytest.fixture(scope="module")
def derived(log: fk.EventLog) -> pd.DataFrame:
    return fk.derive_pain_points(None, log, value_per_success=VALUE)


@pytest.fixture(scope="module")
def journey(log: fk.EventLog, derived: pd.DataFrame) -> fk.Journey:
    stage_of = {
        tp: log.stages[s] for tp, s in zip(log.touchpoints, log.touchpoint_stage, strict=True)
    }
    base = fk.Journey(
        stages=[fk.Stage(id=s) for s in log.stages],
        touchpoints=[fk.Touchpoint(id=t, stage=stage_of[t], channel="web")
                     for t in log.touchpoints],
        owners=[fk.Owner(id="it")],
        currency="EUR",
    )  # fmt: skip
    j = fk.accept_pain_points(base, derived, ["payment_error_friction", "search_friction"])
    imps = [
        fk.Improvement(id="fix_payment", title="Fix payment", owner="it", effort_days=10,
                       cost=5000, fix_share=0.5, confidence=0.8,
                       fixes=("payment_error_friction",)),
        fk.Improvement(id="better_search", title="Better search", owner="it", effort_days=4,
                       cost=2000, fix_share=0.8, confidence=0.5, fixes=("search_friction",)),
        fk.Improvement(id="declared_only", title="A declared figure", owner="it",
                       effort_days=6, cost=3000, impact=20_000),
    ]  # fmt: skip
    return attrs.evolve(j, improvements=imps)


def test_value_at_stake_is_money_per_year_from_the_observed_span(log, events):
    v = log.value_at_stake(VALUE)
    span = (events["timestamp"].max() - events["timestamp"].min()) / pd.Timedelta(days=1)
    scale = 365.25 / span  # the log covers about four weeks
    assert v.attrs["period"] == "year"
    assert v.attrs["scale"] == pytest.approx(scale, rel=1e-6)
    row = v.set_index("touchpoint").loc["payment_error"]
    assert row["value_at_stake_per_year"] == pytest.approx(
        VALUE * row["attributable_failures"] * scale
    )
    assert row["value_at_stake_per_year_low"] <= row["value_at_stake_per_year"]
    assert row["value_at_stake_per_year"] <= row["value_at_stake_per_year_high"]
    assert 0 < row["share_of_journeys"] <= 1
    # the draws are those of the interval, scaled the same way
    draws = v.attrs["value_draws"].of("payment_error")
    assert draws.shape == (500,)
    assert np.percentile(draws, 2.5) == pytest.approx(row["value_at_stake_per_year_low"])
    # per month: a twelfth; from a sample: journeys_per_period sets the scale
    month = log.value_at_stake(VALUE, per="month").set_index("touchpoint")
    assert month.loc["payment_error", "value_at_stake_per_month"] == pytest.approx(
        row["value_at_stake_per_year"] / 12
    )
    n = sum(log.outcome_counts.values())
    sample = log.value_at_stake(VALUE, journeys_per_period=10 * n).set_index("touchpoint")
    assert sample.loc["payment_error", "value_at_stake_per_year"] == pytest.approx(
        10 * VALUE * row["attributable_failures"]
    )


def test_value_at_stake_refuses_what_cannot_be_counted_per_period(log):
    with pytest.raises(ValidationError, match="did you mean 'year'"):
        log.value_at_stake(VALUE, per="yeer")
    with pytest.raises(ValidationError, match="journeys_per_period"):
        log.compact().value_at_stake(VALUE)  # a compact log keeps no event times
    compact = log.compact().value_at_stake(VALUE, journeys_per_period=1000.0)
    assert compact.attrs["journeys_per_period"] == 1000.0
    with pytest.raises(ValidationError, match="journeys_per_period"):
        log.value_at_stake(VALUE, journeys_per_period=0)
    with pytest.raises(InputTypeError, match="value_per_success"):
        log.value_at_stake("80")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="value_per_success"):
        log.value_at_stake(-1.0)


def test_derived_pain_points_share_the_value_and_reach_is_the_share_affected(log, derived):
    v = log.value_at_stake(VALUE).set_index("touchpoint")
    for rec in derived.to_dict("records"):
        t = rec["touchpoint"]
        assert rec["reach"] == pytest.approx(v.loc[t, "share_of_journeys"])
        if rec["verdict"] == "friction":
            assert rec["value_at_stake_per_year"] == pytest.approx(
                v.loc[t, "value_at_stake_per_year"]
            )
    assert derived["reach"].between(0, 1).all()
    oc = log.outcome_counts
    first = derived.iloc[0]
    assert first["reach"] == pytest.approx(first["journeys"] / (oc["success"] + oc["failure"]))
    assert derived.attrs["period"] == "year"
    monthly = fk.derive_pain_points(None, log, value_per_success=VALUE, per="month")
    assert "value_at_stake_per_month" in monthly.columns
    assert "value_at_stake_per_year" not in monthly.columns


def test_prioritise_measures_the_journey_on_the_evidence(journey, log, derived):
    r = fk.prioritise(journey, evidence=log, value_per_success=VALUE)
    t = r.to_frame().set_index("id")
    d = derived.set_index("pain_point")
    pay = d.loc["payment_error_friction"]
    assert t.loc["fix_payment", "impact"] == pytest.approx(0.5 * pay["value_at_stake_per_year"])
    assert t.loc["fix_payment", "impact_low"] == pytest.approx(
        0.5 * pay["value_at_stake_per_year_low"]
    )
    assert t.loc["fix_payment", "impact_high"] == pytest.approx(
        0.5 * pay["value_at_stake_per_year_high"]
    )
    assert t.loc["fix_payment", "impact_source"] == "evidence"
    assert t.loc["declared_only", "impact_source"] == "declared"
    assert math.isnan(t.loc["declared_only", "impact_low"])
    assert (r.currency, r.period) == ("EUR", "year")
    # the draws of the impact, one column per improvement in rank order
    assert list(r.impact_draws.columns) == r.to_frame()["id"].tolist()
    pay_draws = r.impact_draws["fix_payment"].to_numpy()
    assert pay_draws.mean() == pytest.approx(t.loc["fix_payment", "impact"], rel=0.1)
    assert (r.impact_draws["declared_only"] == 20_000).all()
    assert set(r.value_at_stake["pain_point"]) == {"payment_error_friction", "search_friction"}
    # the same figures given as derive_pain_points' table, as it comes (proposed ids the
    # journey does not hold, rows without a value): the same impacts
    given = fk.prioritise(journey, value_at_stake=derived).to_frame().set_index("id")
    assert given["impact"].to_dict() == pytest.approx(t["impact"].to_dict())
    # evolve ranks again with the same evidence
    assert r.evolve(method="roi").to_frame().set_index("id")["impact"].to_dict() == (
        pytest.approx(t["impact"].to_dict())
    )


def test_rice_on_evidence_counts_the_value_once(journey, log, derived):
    # hand computation: reach = journeys visiting the touchpoint per year, impact per
    # journey = value at stake x fix share / reach, so RICE = reach x impact per journey
    # x confidence / effort = value x share x confidence / effort (nothing twice)
    r = fk.prioritise(journey, "rice", evidence=log, value_per_success=VALUE)
    t = r.to_frame().set_index("id")
    d = derived.set_index("pain_point")
    for imp, pp, share, conf, effort in [
        ("fix_payment", "payment_error_friction", 0.5, 0.8, 10.0),
        ("better_search", "search_friction", 0.8, 0.5, 4.0),
    ]:
        value = d.loc[pp, "value_at_stake_per_year"]
        reach = d.loc[pp, "visitors_per_year"]
        assert t.loc[imp, "reach"] == pytest.approx(reach)
        assert t.loc[imp, "contrib_impact"] == pytest.approx(value * share / reach)
        assert t.loc[imp, "score"] == pytest.approx(value * share * conf / effort)
    # a declared impact keeps RICE's published reading (reach 0 without pain points)
    assert t.loc["declared_only", "score"] == pytest.approx(0.0)


def test_prioritise_refuses_evidence_it_cannot_use(journey, log):
    with pytest.raises(ValidationError, match="evidence= needs a Journey"):
        fk.prioritise(journey.to_frames()["improvements"], evidence=log)
    with pytest.raises(InputTypeError, match="EventLog"):
        fk.prioritise(journey, evidence="events.csv")
    with pytest.raises(ValidationError, match="applies with evidence="):
        fk.prioritise(journey, value_per_success=80.0)
    with pytest.raises(ValidationError, match="per must be one of"):
        fk.prioritise(journey, evidence=log, per="decade")


# -- one default for reduce_failure_by ---------------------------------------------------


def test_every_repair_signature_shares_the_one_default(log):
    import inspect

    from frictionkit import plot
    from frictionkit.markov import REDUCE_FAILURE_BY, MarkovModel
    from frictionkit.plot import _accessor
    from frictionkit.report import _format

    assert REDUCE_FAILURE_BY == 1.0
    for fn in (MarkovModel.repair_effects, plot.repair_effects, plot.repair_effects_data,
               _accessor._markov_repair_effects):  # fmt: skip
        assert inspect.signature(fn).parameters["reduce_failure_by"].default == (
            REDUCE_FAILURE_BY
        ), fn
    assert _format._REDUCE_FAILURE_BY == REDUCE_FAILURE_BY  # the report
    # log.repair_effects and derive_pain_points take None: the same whole repair
    pd.testing.assert_frame_equal(log.repair_effects(), log.repair_effects(REDUCE_FAILURE_BY))
    assert inspect.signature(fk.derive_pain_points).parameters["reduce_failure_by"].default is None


def test_markov_repair_effects_keep_the_logs_value():
    events = fk.datasets.simulate_journeys(1500, seed=4)
    events["value"] = np.where(events["outcome"] == "success", 120.0, np.nan)
    log = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
                                 timestamp_col="timestamp", outcome_col="outcome",
                                 value_col="value", strict=False)  # fmt: skip
    via_log = log.repair_effects().set_index("touchpoint")["extra_value"]
    via_model = log.markov().repair_effects().set_index("touchpoint")["extra_value"]
    assert via_model.notna().any()
    pd.testing.assert_series_equal(via_log, via_model)
    assert log.markov().value_per_success == pytest.approx(120.0)


# -- the period is a unit, not a ranking -------------------------------------------------


@functools.cache
def _property_inputs() -> tuple[fk.EventLog, fk.Journey]:
    events = fk.datasets.simulate_journeys(2000, seed=5)
    log = _log(events)
    table = fk.derive_pain_points(None, log, value_per_success=VALUE)
    stage_of = {
        tp: log.stages[s] for tp, s in zip(log.touchpoints, log.touchpoint_stage, strict=True)
    }
    base = fk.Journey(
        stages=[fk.Stage(id=s) for s in log.stages],
        touchpoints=[fk.Touchpoint(id=t, stage=stage_of[t], channel="web")
                     for t in log.touchpoints],
        owners=[fk.Owner(id="it")],
    )  # fmt: skip
    j = fk.accept_pain_points(base, table)
    valued = table.loc[table["value_at_stake_per_year"] > 0, "pain_point"].tolist()
    imps = [
        fk.Improvement(id=f"fix_{k}", title=p, owner="it", effort_days=3 + k, cost=1000 * (k + 1),
                       fix_share=0.3 + 0.1 * k, fixes=(p,))
        for k, p in enumerate(valued)
    ]  # fmt: skip
    return log, attrs.evolve(j, improvements=imps)


@settings(max_examples=8, deadline=None)
@given(years=st.floats(min_value=1.5, max_value=8.0), method=st.sampled_from(
    ["value_per_cost", "rice", "wsjf", "topsis"]))  # fmt: skip
def test_reading_the_log_over_more_years_scales_the_yearly_value_not_the_ranks(years, method):
    log, journey = _property_inputs()
    n = sum(log.outcome_counts.values())
    one = fk.prioritise(journey, method, evidence=log, value_per_success=VALUE,
                        journeys_per_period=n)  # fmt: skip
    many = fk.prioritise(journey, method, evidence=log, value_per_success=VALUE,
                         journeys_per_period=n / years)  # fmt: skip
    a, b = one.to_frame().set_index("id"), many.to_frame().set_index("id")
    assert len(a) >= 2
    assert (b["impact"] * years).to_dict() == pytest.approx(a["impact"].to_dict())
    assert (b["impact_high"] * years).to_dict() == pytest.approx(a["impact_high"].to_dict())
    assert b["rank"].to_dict() == a["rank"].to_dict()


def test_a_log_of_two_years_halves_the_value_per_year():
    log, journey = _property_inputs()
    events = fk.datasets.simulate_journeys(2000, seed=5)
    start = events["timestamp"].min()
    stretched = events.assign(timestamp=start + (events["timestamp"] - start) * 2)
    log2 = _log(stretched)
    v1 = log.value_at_stake(VALUE).set_index("touchpoint")["value_at_stake_per_year"]
    v2 = log2.value_at_stake(VALUE).set_index("touchpoint")["value_at_stake_per_year"]
    pd.testing.assert_series_equal(v2 * 2, v1)
    r1 = fk.prioritise(journey, evidence=log, value_per_success=VALUE).to_frame()
    r2 = fk.prioritise(journey, evidence=log2, value_per_success=VALUE).to_frame()
    assert r1["id"].tolist() == r2["id"].tolist()
    assert (r2["impact"] * 2).tolist() == pytest.approx(r1["impact"].tolist())


def test_rank_risk_samples_the_value_at_stake_from_its_bootstrap(journey, log, derived):
    risk = fk.rank_risk(journey, evidence=log, value_per_success=VALUE, draws=400, seed=1)
    t = risk.to_frame().set_index("id")
    top = fk.prioritise(journey, evidence=log, value_per_success=VALUE).to_frame()["id"].iloc[0]
    assert t.loc[top, "rank"] == 1  # the same leader as the ranking on the point estimates
    assert t.loc["better_search", "score_std"] > 0.0  # the value at stake varies
    assert t.loc["declared_only", "score_std"] < 1e-3 * t.loc["declared_only", "score"]
    # derive_pain_points' table as it comes (proposed ids the journey lacks)
    given = fk.rank_risk(journey, value_at_stake=derived, draws=50, seed=1)
    assert given.to_frame()["id"].tolist() == risk.to_frame()["id"].tolist()


def test_the_fines_log_is_valued_per_year_of_its_span():
    # road-traffic fines, first 10,000 cases (de Leoni & Mannhardt, 4TU.ResearchData,
    # doi:10.4121/uuid:270fd440-1057-4fb9-89a9-b699b47990f5): events from 2006-06-17 to
    # 2012-03-26, so a year is 365.25 / 2109 days of it, not the whole log
    from frictionkit.events import read_events
    from tests.helpers import shared_data

    log = read_events(shared_data("road_traffic_fines_10k.csv.gz"), case_col="case_id",
                      touchpoint_col="activity", timestamp_col="timestamp",
                      success="Payment", failure="Send for Credit Collection",
                      when_both="failure")  # fmt: skip
    v = log.value_at_stake(25.0)
    span = (pd.Timestamp("2012-03-26") - pd.Timestamp("2006-06-17")).days
    assert v.attrs["scale"] == pytest.approx(365.25 / span)
    assert v.attrs["journeys_per_period"] == pytest.approx(10_000 * 365.25 / span)
    # every estimable row (the appeal steps: the log has no touchpoint called friction)
    rows = v[np.isfinite(v["attributable_failures"].astype(float))]
    assert len(rows) >= 3
    expected = 25.0 * rows["attributable_failures"].clip(lower=0) * 365.25 / span  # no stake < 0
    assert rows["value_at_stake_per_year"].tolist() == pytest.approx(expected.tolist())
    assert v["share_of_journeys"].between(0, 1).all()


def test_value_at_stake_of_one_failure_kind():
    """Kinds of failure (issue 18): the value at stake of one kind, the others censored."""
    rows = []
    for i in range(120):
        path = ["apply"] + ["call"] * (i % 3 == 0)
        path.append("approve" if i % 4 == 0 else ("decline" if i % 4 in (1, 2) else "cancel"))
        rows += [(f"j{i:03d}", t, k) for k, t in enumerate(path)]
    df = pd.DataFrame(rows, columns=["c", "t", "k"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["k"] + df.index, unit="min")
    log = fk.EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="approve",
        failure={"declined": ["decline"], "cancelled": ["cancel"]},
    )  # fmt: skip
    options = {"min_support": 5, "n_boot": 50, "journeys_per_period": 1000}
    v = log.value_at_stake(10.0, failure_kind="declined", **options)
    assert v.columns[1] == "failure_kind"
    assert set(v["failure_kind"]) == {"declined"}
    assert v.attrs["failure_kind"] == "declined"
    fr = log.friction(failure_kind="declined", min_support=5, n_boot=50)
    pd.testing.assert_series_equal(
        v["attributable_failures"], fr["attributable_failures"], check_names=False
    )
    # decided journeys of this kind: successes and declined (30 + 60), not the cancelled
    row = v.set_index("touchpoint").loc["apply"]
    assert row["share_of_journeys"] == 1.0
    assert row["journeys"] == 90
    with pytest.raises(ValidationError, match="failure kinds"):
        log.value_at_stake(10.0, failure_kind="declned", **options)
    plain = log.value_at_stake(10.0, **options)
    assert "failure_kind" not in plain.columns


def test_shared_outputs_share_one_min_group_size_and_analyses_hide_nothing_by_default():
    """One default for small-group suppression: every output meant to be shared (the
    report, its figures, route charts, the CLI's analyse and report) folds groups under
    ``privacy.DEFAULT_MIN_GROUP_SIZE`` journeys; the analyses an analyst runs on her own
    data (routes, funnel, friction, journey map, pain points) hide nothing unless asked."""
    import inspect

    from frictionkit import plot, privacy, routes
    from frictionkit.cli import build_parser
    from frictionkit.friction import friction
    from frictionkit.journey_map import derive_pain_points, journey_map
    from frictionkit.report import report
    from frictionkit.report._format import _Figures

    default = privacy.DEFAULT_MIN_GROUP_SIZE
    for fn in (report, plot.route_flow, _Figures.__init__):
        assert inspect.signature(fn).parameters["min_group_size"].default == default, fn
    for fn in (routes.routes, routes.transitions, routes.funnel, friction, journey_map,
               derive_pain_points, plot.funnel):  # fmt: skip
        assert inspect.signature(fn).parameters["min_group_size"].default is None, fn
    sub = build_parser()._subparsers._group_actions[0].choices
    for command in ("analyse", "report"):
        actions = {a.dest: a for a in sub[command]._actions}
        assert actions["min_group_size"].default == default, command
