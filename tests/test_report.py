"""The HTML report: sections, key tables, escaping, no external requests, small groups folded."""

from __future__ import annotations

import itertools
import re
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.datasets import simulate_journeys
from frictionkit.events import EventLog, read_events
from frictionkit.feedback import Feedback
from frictionkit.journey_map import journey_from_log
from frictionkit.plot._common import wrap
from frictionkit.privacy import SUPPRESSED_LABEL
from frictionkit.report import Report, report
from frictionkit.report._methods import _method_formula
from tests.helpers import shared_data

XSS = "<script>alert(1)</script>"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", re.I)


@pytest.fixture(scope="module")
def journey():
    return fk.datasets.load_autoparts()


@pytest.fixture(scope="module")
def log(journey):
    df = simulate_journeys(
        1500,
        seed=11,
        journey=journey,
        error_touchpoint="support_hotline",
        drop_rate=0.06,
        personas={"purchasing_manager": 0.6, "engineer": 0.395, "plant_manager": 0.005},
    )
    return EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        outcome_col="outcome",
        journey=journey,
        case_cols=["persona"],
        strict=False,
    )


@pytest.fixture(scope="module")
def feedback(journey):
    rng = np.random.default_rng(3)
    tps = ["order_delivery"] * 40 + ["support_hotline"] * 30 + ["parts_website"] * 4
    return Feedback.from_frame(
        pd.DataFrame(
            {
                "touchpoint": tps,
                "metric": ["csat"] * len(tps),
                "score": rng.integers(1, 6, size=len(tps)),
                "comment": ["SECRET-COMMENT-123"] * len(tps),
            }
        ),
        metric_col="metric",
        score_col="score",
        touchpoint_col="touchpoint",
        comment_col="comment",
        journey=journey,
    )


@pytest.fixture(scope="module")
def full(journey, log, feedback):
    plan = fk.optimise_portfolio(journey, budget=60_000)
    return report(journey, log, feedback, plan=plan, figures=False)


def test_sections_in_reading_order(full):
    assert [s for s, _ in full.sections] == [
        "journey",
        "routes",
        "friction",
        "feedback",
        "ranking",
        "plan",
        "methods",
    ]
    for sid, title in full.sections:
        assert f'<section id="{sid}">' in full.html
        assert f'<a href="#{sid}">{title}</a>' in full.html


def test_key_tables_are_in_the_page(full):
    for key in (
        "journey",
        "success-routes",
        "failure-routes",
        "routes",
        "funnel",
        "segments",
        "friction",
        "repair",
        "feedback",
        "quick-wins",
        "ranking",
        "by-owner",
        "plan",
        "constraints",
        "roadmap",
    ):
        assert f'id="table-{key}"' in full.html, key
    assert set(full.tables) >= {"routes", "stage_routes", "funnel", "friction", "ranking"}


def test_quick_wins_listed_with_owners_and_ranking_in_rank_order(full):
    wins = full.tables["quick_wins"]
    assert wins["id"].tolist() == ["guided_selling", "callback_sla"]
    ranking_html = full.html.split('id="table-ranking"')[1].split("</table>")[0]
    rows = re.findall(r"<tr( class=\"win\")?><td class=\"num\">(\d+)</td>", ranking_html)
    # issue 19: the ranking table is in rank order (never 2, 3, 1, 4); the two quick wins
    # (ranks 2 and 3) are highlighted in place
    assert [(bool(w), int(r)) for w, r in rows][:4] == [
        (False, 1),
        (True, 2),
        (True, 3),
        (False, 4),
    ]
    quick = full.html.split('id="table-quick-wins"')[1].split("</table>")[0]
    assert "Customer service" in quick
    assert "Sales" in quick


def test_plan_and_roadmap_match_the_api(full, journey):
    plan = fk.optimise_portfolio(journey, budget=60_000)
    assert full.tables["plan"]["selected"].sum() == len(plan.selected)
    assert full.tables["roadmap"]["id"].tolist() == fk.roadmap.roadmap(plan)["id"].tolist()
    # the reason as the report words it: improvements by "Title (id)", not quoted ids
    reason = plan.why_not("cad_library")
    for imp in journey.improvements:
        reason = reason.replace(repr(imp.id), f"{imp.title} ({imp.id})")
    assert reason.replace("'", "&#39;") in full.html


def test_small_routes_and_segments_are_folded(full, log):
    routes = full.tables["routes"]
    shown = routes[routes["route_text"] != SUPPRESSED_LABEL]
    assert (shown["journeys"] >= 10).all()
    assert routes["route_text"].iloc[-1] == SUPPRESSED_LABEL
    stage_routes = full.tables["stage_routes"]
    assert stage_routes["journeys"].sum() == log.n_journeys  # folding keeps the totals
    segments = full.tables["segments"]
    # 0.5 % plant managers (about 8 journeys) cannot be shown on their own
    assert "plant_manager" not in segments["segment"].tolist()
    assert segments["segment"].iloc[-1] == SUPPRESSED_LABEL
    assert segments["journeys"].sum() == log.n_journeys
    assert SUPPRESSED_LABEL in full.html


def test_min_group_size_one_shows_every_group(journey, log):
    r = report(journey, log, min_group_size=1, figures=False)
    assert SUPPRESSED_LABEL not in r.tables["segments"]["segment"].tolist()
    assert len(r.tables["routes"]) == 10  # the ten most common, nothing folded


def test_feedback_groups_folded_and_comments_never_shown(full):
    fb = full.tables["feedback"]
    # one small group alone would be exposed by the fold: the next smallest joins it
    assert fb["touchpoint"].tolist() == ["order_delivery", SUPPRESSED_LABEL]
    assert fb["n"].tolist() == [40, 34]
    assert "SECRET-COMMENT-123" not in full.html


def test_text_from_input_is_escaped_everywhere():
    stages = [fk.Stage(id="s1", name="<b>Stage</b>"), fk.Stage(id="s2")]
    tps = [
        fk.Touchpoint(id="a", name=XSS, stage="s1", channel="web"),
        fk.Touchpoint(id="b", stage="s2", channel="web"),
    ]
    pains = [fk.PainPoint(id="p", touchpoint="a", description='<img src=x onerror="alert(2)">')]
    j = fk.Journey(name=f"Shop {XSS}", stages=stages, touchpoints=tps, pain_points=pains)
    events = pd.DataFrame(
        {
            "case": [f"c{i}" for i in range(30) for _ in range(2)],
            "step": [XSS, "b"] * 30,
            "time": ["2024-01-01 10:00", "2024-01-01 10:05"] * 30,
        }
    )
    log = EventLog.from_frame(
        events, case_col="case", touchpoint_col="step", timestamp_col="time", success="b"
    )
    r = report(j, log, figures=False)
    assert "<script" not in r.html.lower()
    assert "<img" not in r.html
    assert "<b>Stage</b>" not in r.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.html
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in r.html
    assert "<title>Shop &lt;script&gt;alert(1)&lt;/script&gt;: journey report</title>" in r.html
    # the touchpoint route text is escaped too
    assert "&lt;script&gt;alert(1)&lt;/script&gt; → b" in r.html


def test_no_external_requests(full):
    assert EXTERNAL.search(full.html) is None
    assert "@import" not in full.html
    assert "url(" not in full.html
    assert "<script" not in full.html
    assert "<link" not in full.html


def test_readable_on_a_phone_and_printed(full):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in full.html
    assert "@media (max-width: 640px)" in full.html
    assert "@media print" in full.html


@pytest.mark.slow
def test_figures_are_inline_svg_when_the_plots_exist(journey, log):
    plot = pytest.importorskip("frictionkit.plot", reason="frictionkit.plot is not installed")
    plan = fk.optimise_portfolio(journey, budget=60_000)
    r = report(journey, log, plan=plan)
    expected = [
        n for n in ("journey_map", "route_flow", "impact_effort", "roadmap") if hasattr(plot, n)
    ]
    assert expected, "frictionkit.plot has none of the figures the report embeds"
    for name in expected:
        assert name in r.figures
        assert f'<figure id="figure-{name}">\n<svg' in r.html
    assert EXTERNAL.search(r.html) is None
    assert "<?xml" not in r.html
    assert "<script" not in r.html


def test_methods_state_formulas_and_sources(full):
    methods = full.html.split('<section id="methods">')[1]
    assert "0.6 × excess risk + 0.2 × exit share + 0.2 × repeat rate" in methods
    assert "score = impact / cost" in methods
    assert "impact above 80,000 (and above 0) and effort below 11 person-days" in methods
    assert "fewer than 10 journeys" in methods
    assert "Wilson" in methods
    assert "EventLog(" in methods
    assert "Figures were turned off" in methods


def test_method_formula_comes_from_the_scoring_docs():
    assert _method_formula("value_per_cost") == "impact / cost"
    assert _method_formula("cd3").startswith("(impact / 52) / duration_weeks")
    assert _method_formula("topsis") == "frictionkit.mcda.topsis closeness"
    assert _method_formula("nope") == ""


def test_journey_only_and_determinism(journey):
    a = report(journey, figures=False)
    b = report(journey, figures=False)
    assert a.html == b.html
    assert [s for s, _ in a.sections] == ["journey", "ranking", "methods"]
    assert "computed by the report (default method)" in a.html


def test_report_object(full, tmp_path):
    assert repr(full).startswith("Report('Autoparts B2B supplier: journey report', 7 sections")
    assert full.to_frame()["id"].tolist()[0] == "journey"
    frame = full._repr_html_()
    assert frame.startswith('<iframe title="Autoparts B2B supplier: journey report" sandbox')
    assert "<section" not in frame  # the page is escaped inside srcdoc
    path = full.save(tmp_path / "deep" / "r.html")
    assert path.read_text(encoding="utf-8") == full.html
    assert isinstance(full, Report)


def test_bad_input(journey, log):
    with pytest.raises(fk.InputTypeError, match="journey must be a Journey"):
        report("journey.yaml")  # type: ignore[arg-type]
    with pytest.raises(fk.InputTypeError, match="evidence must be a EventLog"):
        report(journey, pd.DataFrame())  # type: ignore[arg-type]
    with pytest.raises(fk.ValidationError, match="min_group_size must be at least 1"):
        report(journey, min_group_size=0)
    with pytest.raises(fk.InputTypeError, match="min_group_size must be a whole number"):
        report(journey, min_group_size=2.5)  # type: ignore[arg-type]
    with pytest.raises(fk.ValidationError, match="a roadmap needs its plan"):
        report(journey, roadmap=pd.DataFrame())


def test_missing_jinja2_names_the_extra(journey, monkeypatch):
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(fk.OptionalDependencyError, match=r"pip install 'frictionkit\[report\]'"):
        report(journey, figures=False)


def test_comments_shown_only_on_request_masked_and_for_big_groups(journey):
    tps = ["order_delivery"] * 12 + ["parts_website"] * 3
    comments = [
        f"late again, call me on +34 612 345 {i:03d} or mail x{i}@example.com" for i in range(12)
    ] + ["<script>alert(1)</script> 4111 1111 1111 1111"] * 3
    fb = Feedback.from_frame(
        pd.DataFrame(
            {
                "touchpoint": tps,
                "metric": ["csat"] * 15,
                "score": [1, 2, 3] * 5,
                "comment": comments,
            }
        ),
        metric_col="metric",
        score_col="score",
        touchpoint_col="touchpoint",
        comment_col="comment",
        journey=journey,
    )
    hidden = report(journey, feedback=fb, figures=False)
    assert "late again" not in hidden.html
    assert "comments" not in hidden.tables
    shown = report(journey, feedback=fb, figures=False, show_comments=True)
    table = shown.tables["comments"]
    # parts_website has 3 answers (< 10): its comments never appear; order_delivery shows 5,
    # lowest scores first, with the phone numbers and emails masked.
    assert set(table["touchpoint"]) == {"order_delivery"}
    assert len(table) == 5
    assert table["score"].tolist() == sorted(table["score"].tolist())
    assert all("[phone]" in c and "[email]" in c for c in table["comment"])
    assert "612 345" not in shown.html
    assert "@example.com" not in shown.html
    assert "4111" not in shown.html
    assert "masked" in shown.html


def test_method_formulas_survive_python_oo():
    # under -OO docstrings are gone; the formulas come from the scoring registry
    import subprocess
    from pathlib import Path

    src = str(Path(fk.__file__).resolve().parents[1])
    code = (
        "import frictionkit.scoring as s\n"
        "from frictionkit.report._methods import _method_formula\n"
        "assert s.__doc__ is None\n"
        "print(sorted(m for m in s.METHODS if not _method_formula(m)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-OO", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**__import__("os").environ, "PYTHONPATH": src},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _friction_section_html(r):
    return r.html.split('<section id="friction">')[1].split("</section>")[0]


def test_friction_headlines_only_friction_verdicts(full, log, journey):
    table = full.tables["friction"]
    assert {"attributable_failures", "attributable_failures_low", "attributable_failures_high",
            "af_q_value", "verdict"} <= set(table.columns)  # fmt: skip
    # ranked by verdict (friction first), then attributable failures
    kept = table[table["touchpoint"] != SUPPRESSED_LABEL]
    is_friction = (kept["verdict"] == "friction").tolist()
    assert is_friction == sorted(is_friction, reverse=True)
    af = kept.loc[kept["verdict"] == "friction", "attributable_failures"].to_numpy()
    assert (np.diff(af) <= 0).all()
    section = _friction_section_html(full)
    names = {tp.id: tp.label for tp in journey.touchpoints}
    headline = section.split("Worst friction points: ")
    friction_rows = log.friction().query("verdict == 'friction'")
    if len(friction_rows):
        text = headline[1].split("</div>")[0]
        assert "attributable failures, 95 % interval" in text
        for rec in log.friction().to_dict("records"):
            if rec["verdict"] != "friction":
                assert f"{names.get(rec['touchpoint'], rec['touchpoint'])} (" not in text
    else:
        assert len(headline) == 1


def test_a_verdict_resting_on_found_markers_is_cautioned_in_the_headline(tmp_path):
    # the planted shop, its outcome markers undeclared: reminder_email (a consequence of
    # not paying) comes out friction only because confirmation and order_cancelled stay
    # steps; the report says so beside the headline and says what to ask
    from frictionkit.journey_map import journey_from_log

    df = simulate_journeys(5000, seed=0, scenario="planted")
    log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
                              timestamp_col="timestamp", stage_col="stage",
                              outcome_col="outcome", strict=False)  # fmt: skip
    journey = journey_from_log(log)
    section = _friction_section_html(report(journey, log, figures=False))
    headline = section.split("Worst friction points: ")[1].split("</div>")[0]
    assert "reminder_email (" in headline
    assert "only while confirmation and order_cancelled count as steps, see below" in headline
    assert headline.count("only while") == 1  # payment_error, edit_cart: a plain verdict
    assert "Check before acting on reminder_email" in section
    assert "declare confirmation and order_cancelled as outcome markers" in section
    assert "The repair of reminder_email rests on outcome markers found in the data" in section
    declared = report(
        journey, log, figures=False, outcome_markers=["confirmation", "order_cancelled"]
    )
    section = _friction_section_html(declared)
    assert "Check before acting" not in section
    assert "only while" not in section
    assert "rests on outcome markers found" not in section


def test_a_verdict_resting_on_one_found_marker_reads_in_the_singular():
    # the simulator's payment error sits right before confirmation (a success record)
    from frictionkit.journey_map import journey_from_log

    df = simulate_journeys(6000, seed=11)
    log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
                              timestamp_col="timestamp", stage_col="stage",
                              outcome_col="outcome", strict=False)  # fmt: skip
    section = _friction_section_html(report(journey_from_log(log), log, figures=False))
    assert "only while confirmation counts as a step, see below" in section
    assert (
        "only while confirmation counts as a step of the journey. At least 98 % of its" in section
    )
    assert "count as steps" not in section


def test_friction_section_without_friction_has_no_headline(journey):
    df = simulate_journeys(1200, seed=3, journey=journey)
    log = EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
                              timestamp_col="timestamp", outcome_col="outcome",
                              journey=journey, strict=False)  # fmt: skip
    assert "friction" not in set(log.friction()["verdict"])
    section = _friction_section_html(report(journey, log, figures=False))
    assert "Worst friction points" not in section
    assert "No touchpoint has the verdict friction" in section


# ---------------------------------------------------------------------------------------
# issue 19: the report's plan, frontier and sources use the ranking's impact


def test_report_frontier_and_sources_follow_the_rankings_impact():
    journey = fk.datasets.load_autoparts()
    ranking = fk.prioritise(
        journey, value_at_stake={"late_delivery": 400_000.0, "no_tracking": 120_000.0}
    )
    plan = fk.optimise_portfolio(ranking, budget=60_000)
    r = report(journey, ranking=ranking, plan=plan)
    values = r.tables["plan"].set_index("id")["value"]
    impact = ranking.to_frame().set_index("id")["impact"]
    for id_ in values.index:
        if ranking.to_frame().set_index("id").loc[id_, "impact_source"] != "missing":
            assert values[id_] == pytest.approx(impact[id_])
    if "frontier" in r.tables:  # drawn only when the plot module is available
        front = r.tables["frontier"]
        assert front["value"].max() == pytest.approx(fk.portfolio.frontier(ranking)["value"].max())
    methods = r.html.split('<section id="methods">')[1]
    assert "from the evidence" in methods
    assert "declared in the map" in methods
    assert not any("differently from the ranking" in n for n in r.notes)
    # a plan on the declared figures beside an evidence ranking is called out
    other = report(
        journey, ranking=ranking, plan=fk.optimise_portfolio(journey, budget=60_000), figures=False
    )
    assert any("differently from the ranking's impact" in n for n in other.notes)


def test_report_counts_read_right():
    journey = fk.datasets.load_autoparts()
    r = report(journey, plan=fk.optimise_portfolio(journey, budget=60_000), figures=False)
    assert "quick wins of 12" in r.html
    assert "easy &amp; smart" not in r.html.lower()
    assert " 1 improvements" not in r.html


def test_funnel_section_shows_branches():
    journey = fk.Journey(
        stages=[fk.Stage(id="fine"), fk.Stage(id="appeal"), fk.Stage(id="pay")],
        touchpoints=[
            fk.Touchpoint(id="fine_issued", stage="fine", channel="post"),
            fk.Touchpoint(id="appeal_filed", stage="appeal", channel="post"),
            fk.Touchpoint(id="reminder", stage="pay", channel="post"),
            fk.Touchpoint(id="paid", stage="pay", channel="web"),
        ],
    )
    rows = []
    for i in range(100):
        path = ["fine_issued"] + ["appeal_filed"] * (i < 12) + ["reminder"] * (i < 80)
        path += ["paid"] * (i < 60)
        rows += [(f"j{i:03d}", t, k) for k, t in enumerate(path)]
    df = pd.DataFrame(rows, columns=["c", "t", "k"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["k"], unit="D")
    log = EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="paid", journey=journey
    )
    r = report(journey, log, figures=False, min_group_size=10)
    table = r.tables["funnel"].set_index("stage")
    assert table.loc["appeal", "kind"] == "branch"
    assert table.loc["appeal", "visited"] == 12
    html = r.html
    section = html[html.index('id="table-funnel"') :]
    section = section[: section.index("</table>")]
    assert "appeal (branch)" in section
    assert "Took the branch" in section
    assert "12.0\u00a0%" in section  # 12 of the 100 fined
    assert "77.3\u00a0% went on to pay" in section  # 68 of the 88 others


def test_outcome_markers_and_adjust_for_reach_the_friction_and_the_methods(journey, log):
    r = report(
        journey, log, outcome_markers=["order_delivery"], adjust_for="persona", figures=False
    )
    table = r.tables["friction"].set_index("touchpoint")
    assert "order_delivery" not in table.index[table["verdict"] != "outcome marker"]
    expected = log.friction(outcome_markers=["order_delivery"], adjust_for="persona")
    friction_rows = expected.query("verdict == 'friction'")["touchpoint"].tolist()
    assert sorted(table.index[table["verdict"] == "friction"]) == sorted(friction_rows)
    methods = r.html.split('id="methods"')[1]
    assert "Declared outcome markers" in methods
    assert "order_delivery" in methods
    assert "Adjusted for the case attributes persona" in methods
    journey_verdicts = r.tables["journey"].set_index("touchpoint")["verdict"]
    label = {tp.id: tp.label for tp in journey.touchpoints}["order_delivery"]
    assert journey_verdicts[label] == "outcome marker"
    plain = report(journey, log, figures=False).html.split('id="methods"')[1]
    assert "No outcome markers were declared" in plain
    assert "Not adjusted for any case attribute" in plain


def test_outcome_markers_and_adjust_for_bad_input(journey, log):
    from frictionkit.exceptions import UnknownReferenceError, ValidationError

    with pytest.raises(UnknownReferenceError, match="did you mean 'order_delivery'"):
        report(journey, log, outcome_markers=["order_delivry"], figures=False)
    with pytest.raises(UnknownReferenceError, match="did you mean 'persona'"):
        report(journey, log, adjust_for=["persna"], figures=False)
    with pytest.raises(ValidationError, match="no evidence"):
        report(journey, adjust_for="persona", figures=False)


# -- kinds of outcome (issue 18) ------------------------------------------------------------
def _loan_journey():
    return fk.Journey(
        stages=[fk.Stage(id="apply"), fk.Stage(id="check"), fk.Stage(id="decide")],
        touchpoints=[
            fk.Touchpoint(id="apply_form", stage="apply", channel="web"),
            fk.Touchpoint(id="docs", stage="check", channel="web"),
            fk.Touchpoint(id="call", stage="check", channel="phone"),
            fk.Touchpoint(id="approve", stage="decide", channel="web"),
            fk.Touchpoint(id="decline", stage="decide", channel="web"),
            fk.Touchpoint(id="cancel", stage="decide", channel="web"),
            fk.Touchpoint(id="withdraw", stage="decide", channel="web"),
        ],
    )


def _loan_log(journey, failure=None):
    """600 applications; a call doubles the declines; 4 withdrawn (a kind too small to show)."""
    rng = np.random.default_rng(3)
    rows = []
    for i in range(600):
        path = ["apply_form"]
        call = rng.random() < 0.4
        if rng.random() < 0.8:
            path.append("docs")
        if call:
            path.append("call")
        r = rng.random()
        end = "approve" if r < (0.3 if call else 0.6) else ("decline" if r < 0.85 else "cancel")
        if i < 4:
            end = "withdraw"
        elif rng.random() < 0.05:
            end = None
        if end:
            path.append(end)
        rows += [(f"j{i:04d}", t, k) for k, t in enumerate(path)]
    df = pd.DataFrame(rows, columns=["c", "t", "k"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["k"], unit="h")
    if failure is None:
        failure = {"declined": ["decline"], "cancelled": ["cancel"], "withdrawn": ["withdraw"]}
    return EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="approve",
        failure=failure, journey=journey,
    )  # fmt: skip


def _table_html(html, key):
    part = html[html.index(f'id="table-{key}"') :]
    return part[: part.index("</table>")]


def test_report_shows_the_kinds_of_failure():
    journey = _loan_journey()
    log = _loan_log(journey)
    counts = log.kind_counts
    r = report(journey, log, figures=False, min_group_size=10)
    html = r.html
    # the summary: each kind's journeys, the small kind hidden with the next smallest
    assert counts["withdrawn"] == 4
    routes_sec = html.split('id="routes"')[1]
    assert "By kind of outcome, journeys that failed: declined " in routes_sec
    assert "withdrawn fewer than 10" in routes_sec
    assert "cancelled fewer than 10" in routes_sec  # else 4 = failures - declined - cancelled
    assert f"declined {counts['declined']:,}" in routes_sec
    # the funnel's per-kind columns, as log.funnel() gives them
    funnel = _table_html(html, "funnel")
    assert "Failed: declined" in funnel
    assert "Failed: cancelled" in funnel
    expected = log.funnel(min_group_size=10)
    assert (
        r.tables["funnel"]["failures_declined"].tolist() == expected["failures_declined"].tolist()
    )
    assert f">{int(expected['failures_declined'].iloc[0])}<" in funnel
    # routes tables
    assert "Failed: declined" in _table_html(html, "routes")
    assert "Failed: declined" in _table_html(html, "failure-routes")
    # friction per kind: friction/helps rows with an interval only, as friction_by_kind
    by_kind = r.tables["friction_by_kind"]
    assert len(by_kind)
    assert set(by_kind["verdict"]) <= {"friction", "helps"}
    assert by_kind["attributable_failures_low"].notna().all()
    assert (by_kind["journeys"] >= 10).all()
    full = fk.friction.friction_by_kind(log).set_index(["failure_kind", "touchpoint"])
    for rec in by_kind.to_dict("records"):
        ref = full.loc[(rec["failure_kind"], rec["touchpoint"])]
        assert rec["attributable_failures"] == pytest.approx(ref["attributable_failures"])
        assert rec["verdict"] == ref["verdict"]
    assert ("declined", "call") in set(
        zip(by_kind["failure_kind"], by_kind["touchpoint"], strict=True)
    )
    assert "Friction per kind of failure" in html
    # the methods state the per-kind estimand
    methods = html.split('id="methods"')[1]
    assert "Kinds of outcome" in methods
    assert "censored" in methods


def test_report_of_a_plain_log_has_no_kind_columns():
    journey = _loan_journey()
    log = _loan_log(journey, failure=["decline", "cancel", "withdraw"])
    r = report(journey, log, figures=False)
    assert "Failed:" not in r.html
    assert "By kind of outcome" not in r.html
    assert "friction_by_kind" not in r.tables
    assert "Kinds of outcome" not in r.html


def test_kind_names_are_escaped():
    journey = _loan_journey()
    log = _loan_log(journey, failure={XSS: ["decline"], "cancelled": ["cancel", "withdraw"]})
    html = report(journey, log, figures=False).html
    assert XSS not in html
    assert "Failed: &lt;script&gt;" in html


def test_report_branch_threshold_reaches_the_funnel_and_the_methods():
    journey = _loan_journey()
    log = _loan_log(journey)
    r = report(journey, log, figures=False, branch_threshold=0.9)
    expected = log.funnel(min_group_size=10, branch_threshold=0.9)
    assert r.tables["funnel"]["kind"].tolist() == expected["kind"].tolist()
    assert "fewer than 90%" in r.html.split('id="methods"')[1]
    r0 = report(journey, log, figures=False, branch_threshold=0)
    assert set(r0.tables["funnel"]["kind"]) == {"main"}
    assert "Every stage is a main stage" in r0.html


def test_fines_report_shows_the_kinds_golden():
    """Road-traffic fines (de Leoni & Mannhardt, 4TU doi:10.4121/uuid:270fd440-1057-4fb9-
    89a9-b699b47990f5), first 10,000 cases, with the kinds of tests/test_kinds.py: success
    "Payment", failures "collection" (Send for Credit Collection, 3,277 cases) and
    "appealed" (Send Appeal to Prefecture or Appeal to Judge, 236), counted there by pandas.
    """
    path = shared_data("road_traffic_fines_10k.csv.gz")
    log = read_events(
        path, case_col="case_id", touchpoint_col="activity", timestamp_col="timestamp",
        success="Payment",
        failure={
            "collection": ["Send for Credit Collection"],
            "appealed": ["Send Appeal to Prefecture", "Appeal to Judge"],
        },
    )  # fmt: skip
    r = report(journey_from_log(log), log, figures=False)
    assert "journeys that failed: collection 3,277, appealed 236." in r.html
    funnel = r.tables["funnel"]
    assert funnel["failures_collection"].iloc[0] == 3277
    assert funnel["failures_appealed"].iloc[0] == 236
    by_kind = r.tables["friction_by_kind"]
    assert set(by_kind["failure_kind"]) <= {"collection", "appealed"}
    assert by_kind["attributable_failures_low"].notna().all()


def test_repair_section_agrees_with_the_friction_table():
    """Issue 17: the repair block is harm removal with the report's outcome markers, so
    its extra successes are the friction table's attributable failures (the demo's
    support_hotline: 216, where the first-order repair and harm removal without markers
    said otherwise), only for friction / no evidence rows, with intervals."""
    from frictionkit.datasets import demo_scenario

    demo = demo_scenario()
    r = report(demo.journey, demo.log, outcome_markers=demo.outcome_markers, figures=False)
    repair = r.tables["repair_effects"].set_index("touchpoint")
    table = r.tables["friction"].set_index("touchpoint")
    verdicts = demo.log.friction(outcome_markers=demo.outcome_markers).set_index("touchpoint")
    assert set(verdicts.loc[repair.index, "verdict"]) <= {"friction", "no evidence"}
    assert "satisfaction_survey" not in repair.index
    assert repair.index[0] == "support_hotline"
    af = table.loc["support_hotline", "attributable_failures"]
    assert repair.loc["support_hotline", "extra_successes"] == pytest.approx(af, rel=0.01)
    assert (repair["extra_successes_low"] <= repair["extra_successes"]).all()
    assert (repair["extra_successes"] <= repair["extra_successes_high"]).all()
    block = r.html.split('id="table-repair"')[1].split("</table>")[0]
    assert "95 % interval" in block
    assert (
        "removes the touchpoint&#39;s harm" in r.html or "removes the touchpoint's harm" in r.html
    )


def test_repair_section_follows_adjust_for(journey, log):
    r = report(journey, log, outcome_markers=["order_delivery"], adjust_for="persona",
               figures=False)  # fmt: skip
    repair = r.tables["repair_effects"]
    assert (repair["adjusted_for"] == "persona").all()
    assert "order_delivery" not in set(repair["touchpoint"])
    expected = log.repair_effects(
        kind="harm_removal", outcome_markers=["order_delivery"], adjust_for="persona",
        bootstrap=100, seed=0,
    ).set_index("touchpoint")  # fmt: skip
    got = repair.set_index("touchpoint")["extra_successes"]
    pd.testing.assert_series_equal(got, expected.loc[got.index, "extra_successes"])


# ---------------------------------------------------------------------------------------
# figures: drawn with the report's shared text measures, the SVG is matplotlib's own
# ---------------------------------------------------------------------------------------
def _figure(draw, size=(8.0, 4.5)):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    draw(fig.add_subplot())
    return fig


@pytest.mark.slow
def test_shared_text_measures_give_the_same_svg(journey, log):
    """Every report figure, drawn twice: matplotlib's SVG canvas against the measuring one.

    The measures are shared by all the figures, as in a report, so a measure cached from
    one figure and reused by the next would show here.
    """
    plot = pytest.importorskip("frictionkit.plot", reason="frictionkit.plot is not installed")
    from frictionkit.report._format import _svg

    ranking = fk.prioritise(journey)
    plan = fk.optimise_portfolio(journey, budget=60_000)
    draws = [
        lambda ax: plot.journey_map(journey, log=log, ax=ax),
        lambda ax: plot.route_flow(log, top=8, ax=ax),
        lambda ax: plot.funnel(log, ax=ax),
        lambda ax: plot.friction(log.friction(), ax=ax),
        lambda ax: plot.impact_effort(ranking, ax=ax),
        lambda ax: plot.roadmap(fk.roadmap.roadmap(plan), ax=ax),
    ]
    shared: dict = {}
    for draw in draws:
        assert _svg(_figure(draw), shared) == _svg(_figure(draw))
    assert shared  # the measures were kept


# letters, digits, punctuation and spaces DejaVu Sans has (no $: that would be math)
_TEXT = st.characters(min_codepoint=32, max_codepoint=0x24F, categories=("L", "N", "P", "Zs"))


@settings(max_examples=10, deadline=None)
@given(
    labels=st.lists(st.text(_TEXT, max_size=12), min_size=1, max_size=6),
    title=st.text(_TEXT, max_size=30),
    size=st.sampled_from([7, 9, 10, 12.5]),
    weight=st.sampled_from(["normal", "bold"]),
)
def test_shared_text_measures_property(labels, title, size, weight):
    """Random texts, sizes and weights, measured twice with one cache: the same SVG."""
    pytest.importorskip("matplotlib")
    from frictionkit.report._format import _svg

    def draw(ax):
        ax.barh(range(len(labels)), range(1, len(labels) + 1))
        ax.set_yticks(range(len(labels)), labels=labels, fontsize=size)
        ax.set_title(title, fontweight=weight)
        ax.text(0.5, 0.5, title[:8], fontsize=size, fontweight=weight)

    shared: dict = {}
    first = _svg(_figure(draw), shared)
    assert first == _svg(_figure(draw))
    assert _svg(_figure(draw), shared) == first  # every measure from the cache


# ---------------------------------------------------------------------------------------
# one name per thing: touchpoints and stages by their journey labels
# ---------------------------------------------------------------------------------------
def _visible_texts(page_html):
    """(section id, where, text) of the table cells, callouts, list items and, per
    figure, all its SVG text joined (so a label wrapped on two lines reads whole)."""
    from html.parser import HTMLParser

    class Texts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.section = None
            self.stack = []
            self.out = []
            self.figure = None
            self.svg_text = []
            self.cell = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "section":
                self.section = a.get("id")
            if tag == "figure":
                self.figure, self.svg_text = a.get("id"), []
            if tag in ("td", "th", "li") or (tag == "div" and "callout" in (a.get("class") or "")):
                self.cell = []
            self.stack.append(tag)

        def handle_endtag(self, tag):
            while self.stack and self.stack.pop() != tag:
                pass
            if tag in ("td", "th", "li", "div") and self.cell is not None:
                self.out.append((self.section, tag, "".join(self.cell)))
                self.cell = None
            if tag == "figure":
                self.out.append((self.section, self.figure, " ".join(self.svg_text)))
                self.figure = None

        def handle_data(self, data):
            if self.stack and self.stack[-1] == "text" and self.figure:
                self.svg_text.append(data.strip())
            elif self.cell is not None:
                self.cell.append(data)

    parser = Texts()
    parser.feed(page_html)
    return parser.out


def _raw_ids(journey, texts, sections):
    """The ids (touchpoints, stages, personas) labelled otherwise, found as words in
    ``texts`` of ``sections`` once the labels are taken out."""
    things = [*journey.touchpoints, *journey.stages, *journey.personas]
    ids = {x.id for x in things if x.label != x.id}
    labels = sorted({x.label for x in things}, key=len, reverse=True)
    found = []
    for section, where, text in texts:
        if section not in sections:
            continue
        for label in labels:
            text = text.replace(label, " ")
        found += [(section, where, w) for w in re.findall(r"[A-Za-z_]+", text) if w in ids]
    return found


@pytest.fixture(scope="module")
def demo_page():
    from frictionkit.datasets import demo_scenario

    demo = demo_scenario()
    page = report(
        demo.journey, demo.log, demo.feedback, ranking=demo.ranking, plan=demo.plan,
        roadmap=demo.roadmap, outcome_markers=demo.outcome_markers,
    )  # fmt: skip
    return demo, page


@pytest.mark.slow
def test_demo_report_names_touchpoints_and_stages_by_their_labels(demo_page):
    """The route table, the route flow, the funnel (and every table and chart of the
    evidence sections) name touchpoints, stages and personas as the journey map does;
    the data tables keep the ids, to match the reader's data."""
    demo, page = demo_page
    assert {"route_flow", "funnel", "journey_map", "friction"} <= set(page.figures)
    texts = _visible_texts(page.html)
    sections = {"journey", "routes", "friction", "feedback"}
    figures = {where for _, where, _ in texts if str(where).startswith("figure-")}
    assert {"figure-route_flow", "figure-funnel", "figure-journey_map"} <= figures
    assert _raw_ids(demo.journey, texts, sections) == []
    routes = [t for s, w, t in texts if s == "routes" and w == "td"]
    assert "Parts website → Search ads" in routes
    funnel = next(t for _, w, t in texts if w == "figure-funnel")
    assert "Discovery" in funnel
    assert "discovery" not in funnel
    # the data keeps the log's names
    assert "parts_website → search_ads" in page.tables["routes"]["route_text"].tolist()
    assert "discovery" in page.tables["funnel"]["stage"].tolist()


@pytest.mark.slow
def test_shortened_chart_labels_keep_their_full_text_as_a_title(demo_page):
    _demo, page = demo_page
    flow = page.html.split('id="figure-route_flow"')[1].split("</figure>")[0]
    titles = re.findall(r"<g><title>([^<]*)</title>", flow)
    assert titles, "a long route is shortened in the demo's route flow"
    drawn = re.findall(r"<text[^>]*>([^<]*…)</text>", flow)
    assert len(drawn) == len(titles)
    for short, full in zip(drawn, titles, strict=True):
        assert full.startswith(short[:-1].rstrip())
        assert "_" not in full  # labels, not ids
    assert "fk-full-text-" not in page.html


def test_report_keeps_the_raw_names_of_unmapped_touchpoints(journey):
    """A touchpoint of the log that the journey map does not have keeps its name."""
    df = simulate_journeys(600, seed=4, journey=journey)
    df.loc[df["touchpoint"] == "search_ads", "touchpoint"] = "banner_click"
    log = EventLog.from_frame(
        df, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
        outcome_col="outcome", strict=False,
    )  # fmt: skip
    page = report(journey, log)
    cells = [t for s, w, t in _visible_texts(page.html) if s == "routes" and w == "td"]
    assert "Parts website → banner_click" in cells
    flow = next(t for _, w, t in _visible_texts(page.html) if w == "figure-route_flow")
    assert "banner_click" in flow
    assert "parts_website" not in flow


# ---------------------------------------------------------------------------------------
# owners by their labels in the ranking and plan sections
# ---------------------------------------------------------------------------------------
def _owner_ids_shown(journey, texts, sections):
    """The ids of the owners labelled otherwise that ``texts`` of ``sections`` show: as
    words in tables and charts once the improvements' titles and ids and the owners'
    labels are taken out, and in sentences (where "it" is a word) quoted, bracketed or
    after "days of"."""
    ids = {ow.id for ow in journey.owners if ow.label != ow.id}
    known = [ow.label for ow in journey.owners]
    known += [x for imp in journey.improvements for x in (imp.title, imp.id) if x]
    # the titles as the charts draw them, wrapped (and cut) to fit
    known += [
        wrap(imp.title, width).replace("\n", " ")
        for imp in journey.improvements
        for width in (20, 30)
    ]
    known.sort(key=len, reverse=True)
    found = []
    for section, where, text in texts:
        if section not in sections:
            continue
        if where in ("li", "div"):
            found += [
                (section, where, i)
                for i in ids
                if re.search(rf"""['"\[]{re.escape(i)}['"\]]|days of {re.escape(i)}\b""", text)
            ]
            continue
        for name in known:
            text = text.replace(name, " ")
        found += [(section, where, w) for w in re.findall(r"[A-Za-z_]+", text) if w in ids]
    return found


@pytest.mark.slow
def test_demo_report_names_owners_by_their_labels_in_the_ranking_and_plan(demo_page):
    """The impact-effort and roadmap legends, the constraints and the reasons name the
    owners as the journey map does; the data tables keep the ids."""
    demo, page = demo_page
    assert {"impact_effort", "roadmap"} <= set(page.figures)
    texts = _visible_texts(page.html)
    figures = {where for _, where, _ in texts if str(where).startswith("figure-")}
    assert {"figure-impact_effort", "figure-roadmap"} <= figures
    assert _owner_ids_shown(demo.journey, texts, {"ranking", "plan"}) == []
    for figure in ("figure-impact_effort", "figure-roadmap"):
        drawn = next(t for _, w, t in texts if w == figure)
        assert "Customer service" in drawn
        assert "IT" in drawn.split()
    cells = [t for s, w, t in texts if s == "plan" and w == "td"]
    assert "Budget (EUR)" in cells
    assert "Capacity of Sales (person-days)" in cells
    assert "Capacity of Customer service (person-days)" in cells
    reasons = [t for s, w, t in texts if s == "plan" and w == "li"]
    assert any("days of IT," in r for r in reasons)
    methods = page.html.split('<section id="methods"')[1].split("</section>")[0]
    assert "Sales 30 days" in methods
    assert "sales 30 days" not in methods
    # the data keeps the solver's and the map's ids, to match
    assert "capacity[sales]" in page.tables["constraints"]["constraint"].tolist()
    assert "customer_service" in page.tables["roadmap"]["owner"].tolist()
    assert "customer_service" in page.tables["ranking"]["owner"].tolist()


def _bare_improvement_ids(journey, texts, sections, skip=()):
    """The improvement ids that ``texts`` of ``sections`` show bare: as words once each
    "Title (id)" is taken out (figures in ``skip`` aside)."""
    named = sorted(
        (f"{imp.title} ({imp.id})" for imp in journey.improvements), key=len, reverse=True
    )
    ids = {imp.id for imp in journey.improvements}
    found = []
    for section, where, text in texts:
        if section not in sections or where in skip:
            continue
        for name in named:
            text = text.replace(name, " ")
        found += [(section, where, w) for w in re.findall(r"[A-Za-z_]+", text) if w in ids]
    return found


@pytest.mark.slow
def test_demo_report_names_improvements_by_their_titles_in_the_ranking_and_plan(demo_page):
    """Tables and sentences name improvements "Title (id)" (the keeps-out column, the
    improvements by owner, the reasons); the roadmap's rows show the titles, and the
    impact-effort bubbles their ids with "Title (id)" as tooltip. The data keeps ids."""
    demo, page = demo_page
    journey = demo.journey
    titles = {imp.id: imp.title for imp in journey.improvements}
    texts = _visible_texts(page.html)
    assert (
        _bare_improvement_ids(journey, texts, {"ranking", "plan"}, skip={"figure-impact_effort"})
        == []
    )
    cells = [t for s, w, t in texts if s == "plan" and w == "td"]
    assert "One customer view across phone, email and meetings (crm_integration)" in cells
    assert any("Self-service quotes in the portal (quote_automation); " in c for c in cells)
    by_owner = [t for s, w, t in texts if s == "ranking" and w == "td"]
    assert "Call back within 4 hours on quality incidents (callback_sla)" in by_owner
    reasons = [t for s, w, t in texts if s == "plan" and w == "li"]
    assert any(
        r.startswith("Consultative selling training for the sales team (sales_training) is out")
        for r in reasons
    )
    assert not any("'" + i + "'" in r for r in reasons for i in titles)
    roadmap = page.html.split('id="figure-roadmap"')[1].split("</figure>")[0]
    drawn = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", roadmap))
    assert "Online order status page" in drawn
    tips = re.findall(r"<g><title>([^<]*)</title>", roadmap)
    assert "Online order status page (order_status_page)" in tips
    chart = page.html.split('id="figure-impact_effort"')[1].split("</figure>")[0]
    tips = set(re.findall(r"<g><title>([^<]*)</title>", chart))
    assert tips == {f"{t} ({i})" for i, t in titles.items()}
    # the data keeps the ids
    assert "crm_integration" in page.tables["constraints"]["blocks"].explode().tolist()
    assert "callback_sla" in page.tables["by_owner"]["ids"].tolist()


def _plan_with_a_contractor(journey):
    """A ranking whose ``crm_integration`` belongs to an owner the journey lacks, its
    staff limits (the journey's owners and the contractor) and the plan within them."""
    table = (
        fk.prioritise(journey)
        .to_frame()[["id", "title", "owner", "impact", "effort_days", "cost"]]
        .copy()
    )
    table.loc[table["id"] == "crm_integration", "owner"] = "contractor"
    ranking = fk.prioritise(table)
    days = {ow.id: 40.0 for ow in journey.owners} | {"contractor": 10.0}
    return ranking, days, fk.optimise_portfolio(ranking, budget=150_000, capacity=days)


def test_report_keeps_the_id_of_an_owner_not_in_the_journey(journey):
    ranking, _, plan = _plan_with_a_contractor(journey)
    page = report(journey, ranking=ranking, plan=plan)
    texts = _visible_texts(page.html)
    chart = next(t for _, w, t in texts if w == "figure-impact_effort")
    assert "contractor" in chart.split()
    assert "Customer service" in chart
    assert "customer_service" not in chart
    cells = [t for s, w, t in texts if s == "plan" and w == "td"]
    assert "Capacity of contractor (person-days)" in cells
    assert "Capacity of IT (person-days)" in cells
    reasons = " ".join(t for s, w, t in texts if s == "plan" and w == "li")
    assert "days of 'contractor'" in reasons


def test_report_frontier_of_a_plan_with_an_owner_not_in_the_journey(journey):
    """Wherever the plan works, its frontier does: it is drawn from the plan's own
    improvements and staff limits, not from the journey's."""
    ranking, days, plan = _plan_with_a_contractor(journey)
    page = report(journey, ranking=ranking, plan=plan)
    assert not [n for n in page.notes if "frontier" in n]
    assert "frontier" in page.figures
    front = page.tables["frontier"]
    expected = fk.portfolio.frontier(ranking, capacity=days, max_points=40)
    pd.testing.assert_frame_equal(front, expected)
    # the plan's value is the frontier's at the plan's budget
    assert front.loc[front["cost"] <= 150_000, "value"].max() == pytest.approx(plan.value)


@pytest.mark.slow
def test_journey_map_card_names_cut_beside_the_badge_keep_their_full_text(demo_page):
    """Cards with a sentiment badge wrap their name narrower; a name cut to fit keeps its
    full text as the SVG title (the demo's "Call with an application engineer")."""
    demo, page = demo_page
    card = page.html.split('id="figure-journey_map"')[1].split("</figure>")[0]
    titles = re.findall(r"<g><title>([^<]*)</title>", card)
    names = {tp.label for tp in demo.journey.touchpoints}
    cut = [t for t in titles if t in names]
    assert "Call with an application engineer" in cut
    lines = re.findall(r"<text[^>]*>([^<]*)</text>", card)
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(lines)}
    for name in ("Negotiation meetings", "Spec sheets by email"):
        assert name not in lines
        assert name in pairs  # on two lines beside its badge, whole
