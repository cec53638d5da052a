"""Tests for frictionkit.plot: every chart draws its data twin, headless (Agg).

No published figure exists to pin a chart against, so each chart is checked against its
data twin (the artists carry exactly the twin's numbers), and each twin against the
library table it comes from (``log.friction()``, ``fk.frontier(...)``...).
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import frictionkit as fk
from frictionkit import plot as fp
from frictionkit.datasets import simulate_journeys
from frictionkit.plot._routes import _spread
from frictionkit.privacy import DEFAULT_MIN_GROUP_SIZE


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def journey():
    return fk.datasets.load_autoparts()


@pytest.fixture(scope="module")
def ranking(journey):
    return fk.prioritise(journey)


@pytest.fixture(scope="module")
def log(journey):
    df = simulate_journeys(1200, seed=3, journey=journey)
    return fk.EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        outcome_col="outcome",
        journey=journey,
        strict=False,
    )


@pytest.fixture(scope="module")
def shop_log():
    return fk.EventLog.from_frame(
        simulate_journeys(2000, seed=5),
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        stage_col="stage",
        outcome_col="outcome",
        strict=False,
    )


@pytest.fixture(scope="module")
def feedback(journey):
    answers = pd.DataFrame(
        {
            "touchpoint": ["parts_website", "parts_website", "support_hotline",
                           "support_hotline", "order_delivery", None],
            "stage": [None, None, None, None, None, "recommendation"],
            "metric": ["csat", "csat", "csat", "ces", "csat", "nps"],
            "score": [4, 5, 1, 2, 2, 9],
        }
    )  # fmt: skip
    return fk.Feedback.from_frame(
        answers,
        metric_col="metric",
        score_col="score",
        touchpoint_col="touchpoint",
        stage_col="stage",
        journey=journey,
    )


@pytest.fixture(scope="module")
def smaa_result(ranking):
    t = ranking.to_frame().set_index("id")
    return fk.smaa(t[["impact", "effort_days", "cost"]], [True, False, False], seed=1, draws=500)


@pytest.fixture(scope="module")
def plan(journey):
    return fk.optimise_portfolio(journey, budget=60_000)


def _gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


# ---------------------------------------------------------------------------------------
# importing and the optional dependency


def test_importing_frictionkit_plot_does_not_import_matplotlib():
    code = "import sys, frictionkit, frictionkit.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_matplotlib_names_the_install_line(monkeypatch, ranking):
    import frictionkit._compat

    real = frictionkit._compat.importlib.import_module

    def fake(name, *args, **kwargs):
        if name.split(".")[0] == "matplotlib":
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(frictionkit._compat.importlib, "import_module", fake)
    with pytest.raises(fk.OptionalDependencyError) as err:
        fp.impact_effort(ranking)
    assert "pip install 'frictionkit[plot]'" in str(err.value.hint)
    assert isinstance(err.value, ImportError)
    # the data twins need no matplotlib
    assert len(fp.impact_effort_data(ranking)) == len(ranking)


# ---------------------------------------------------------------------------------------
# impact-effort matrix


def test_impact_effort_draws_its_twin(ranking):
    data = fp.impact_effort_data(ranking)
    ax = fp.impact_effort(ranking)
    (bubbles,) = _gid(ax.collections, "impact_effort_bubbles")
    assert len(bubbles.get_offsets()) == len(ranking) == len(data)
    np.testing.assert_allclose(
        np.asarray(bubbles.get_offsets()), data[["effort_days", "impact"]].to_numpy()
    )
    np.testing.assert_allclose(bubbles.get_sizes(), data["area_pt2"])
    # outlined = non-dominated
    edges = bubbles.get_edgecolors()
    black = np.all(np.isclose(edges[:, :3], 0.0), axis=1)
    assert black.tolist() == data["non_dominated"].tolist()
    # quadrant lines at the ranking's thresholds
    lines = _gid(ax.lines, "quadrant_line")
    assert len(lines) == 2
    assert lines[0].get_xdata()[0] == pytest.approx(ranking.thresholds["effort_days"])
    assert lines[1].get_ydata()[0] == pytest.approx(ranking.thresholds["impact"])
    texts = {t.get_text() for t in ax.texts}
    assert {"quick win", "major project", "fill-in", "thankless"} <= texts
    assert set(data["id"]) <= texts


def test_impact_effort_twin_matches_the_ranking(ranking):
    data = fp.impact_effort_data(ranking)
    table = ranking.to_frame()
    assert data["id"].tolist() == table["id"].tolist()
    assert data["quadrant"].tolist() == table["quadrant"].tolist()
    # area = 60 + 1,340 x cost / largest cost (points squared)
    largest = table["cost"].max()
    np.testing.assert_allclose(data["area_pt2"], 60 + 1340 * table["cost"] / largest)
    # one colour per owner
    assert data.groupby("owner")["color"].nunique().eq(1).all()
    assert data["color"].nunique() == data["owner"].nunique()


def test_impact_effort_with_odd_names_and_no_owner():
    table = pd.DataFrame(
        {
            "id": ["<script>alert(1)</script>", "a & b", "ok"],
            "title": ["<b>x</b>", "$\\alpha$ 50% {x}", "plain"],
            "owner": ["<i>team</i>", "it", "it"],
            "impact": [10.0, 20.0, 30.0],
            "effort_days": [1.0, 2.0, 3.0],
            "cost": [0.0, 0.0, 0.0],
        }
    )
    ranking = fk.prioritise(table, "rice")
    ax = fp.impact_effort(ranking)
    ax.figure.canvas.draw()  # rendering the text must not fail either
    assert "<script>alert(1)</script>" in {t.get_text() for t in ax.texts}


def _owner_legend(ax):
    (legend,) = [a for a in ax.artists if a.get_gid() == "owner_legend"]
    return legend


def test_impact_effort_names_owners_by_their_labels(journey, ranking):
    names = {ow.id: ow.label for ow in journey.owners}
    data = fp.impact_effort_data(ranking, owner_labels=names)
    plain = fp.impact_effort_data(ranking)
    pd.testing.assert_frame_equal(
        data.drop(columns="owner_label"), plain.drop(columns="owner_label")
    )
    assert data["owner_label"].tolist() == [names[o] for o in data["owner"]]
    assert plain["owner_label"].tolist() == plain["owner"].tolist()
    ax = fp.impact_effort(ranking, owner_labels=names)
    legend = _owner_legend(ax)
    shown = [t.get_text() for t in legend.get_texts()]
    assert shown == [*sorted(names.values(), key=str.casefold), "non-dominated"]
    # colours stay the owners' (by id), whatever they are called
    colors = dict(zip(plain["owner"], plain["color"], strict=True))
    keys = dict(zip(shown, legend.legend_handles, strict=True))
    for owner, label in names.items():
        assert matplotlib.colors.same_color(keys[label].get_markerfacecolor(), colors[owner])
    texts = _svg_texts(ax)
    assert not set(texts) & set(names)
    # an owner missing from the mapping keeps its id
    partial = fp.impact_effort_data(ranking, owner_labels={"it": "IT"})
    assert set(partial["owner_label"]) == {"IT", "sales", "marketing", "logistics",
                                           "customer_service"}  # fmt: skip
    with pytest.raises(fk.InputTypeError, match="owner_labels"):
        fp.impact_effort(ranking, owner_labels=["IT"])


def _full_texts(ax):
    """{drawn text: full text} of the texts of ``ax`` that keep a full text in their gid."""
    from frictionkit.plot._common import FULL_TEXT_GID

    texts = [*ax.texts, *ax.get_yticklabels()]
    return {
        t.get_text(): bytes.fromhex(t.get_gid()[len(FULL_TEXT_GID) :]).decode()
        for t in texts
        if (t.get_gid() or "").startswith(FULL_TEXT_GID)
    }


def test_impact_effort_names_improvements_by_their_labels(journey, ranking):
    titles = {imp.id: imp.title for imp in journey.improvements}
    data = fp.impact_effort_data(ranking, improvement_labels=titles)
    plain = fp.impact_effort_data(ranking)
    pd.testing.assert_frame_equal(data.drop(columns="label"), plain.drop(columns="label"))
    assert data["label"].tolist() == [titles[i] for i in data["id"]]
    assert plain["label"].tolist() == plain["id"].tolist()
    ax = fp.impact_effort(ranking, improvement_labels=titles)
    full = _full_texts(ax)
    assert full["Online order status\npage"] == "Online order status page (order_status_page)"
    for drawn, text in full.items():
        assert all(len(line) <= 20 for line in drawn.splitlines()), drawn
        assert len(drawn.splitlines()) <= 2
        assert "".join(text.split()).startswith("".join(drawn.rstrip("…").split()))
    assert len(full) == len(titles)
    assert not set(_svg_texts(ax)) & set(titles)
    # "id": the ids are written, the titles kept as their full text
    ax = fp.impact_effort(ranking, improvement_labels=titles, annotate="id")
    full = _full_texts(ax)
    assert full == {i: f"{t} ({i})" for i, t in titles.items()}
    plt.close(ax.figure)
    # an improvement missing from the mapping keeps its id, without a full text
    ax = fp.impact_effort(ranking, improvement_labels={"cad_library": "CAD library"})
    assert "crm_integration" in [t.get_text() for t in ax.texts]
    assert _full_texts(ax) == {"CAD library": "CAD library (cad_library)"}
    plt.close(ax.figure)
    with pytest.raises(fk.InputTypeError, match="improvement_labels"):
        fp.impact_effort_data(ranking, improvement_labels=["CAD library"])
    with pytest.raises(fk.ValidationError, match="annotate"):
        fp.impact_effort(ranking, annotate="title")


def test_roadmap_names_improvements_by_their_labels(journey, plan):
    titles = {imp.id: imp.title for imp in journey.improvements}
    table = fk.roadmap.roadmap(plan)
    data = fp.roadmap_data(table, improvement_labels=titles)
    plain = fp.roadmap_data(table)
    pd.testing.assert_frame_equal(data.drop(columns="label"), plain.drop(columns="label"))
    assert data["label"].tolist() == [titles[i] for i in data["id"]]
    assert plain["label"].tolist() == plain["id"].tolist()
    ax = fp.roadmap(table, improvement_labels=titles)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == len(data)
    full = _full_texts(ax)
    assert sorted(full.values()) == sorted(f"{titles[i]} ({i})" for i in data["id"])
    for drawn, text in full.items():
        assert all(len(line) <= 30 for line in drawn.splitlines()), drawn
        assert "".join(text.split()).startswith("".join(drawn.rstrip("…").split()))
    assert not set(_svg_texts(ax)) & set(titles)
    # through the plan's accessor, too
    ax = fp.accessor(plan).roadmap(improvement_labels=titles)
    assert "Online order status page" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close(ax.figure)
    with pytest.raises(fk.InputTypeError, match="improvement_labels"):
        fp.roadmap(table, improvement_labels="titles")


# ---------------------------------------------------------------------------------------
# ax= is honoured by every chart


def _every_chart(ranking, log, shop_log, journey, feedback, smaa_result, plan):
    return {
        "impact_effort": lambda ax: fp.impact_effort(ranking, ax=ax),
        "journey_map": lambda ax: fp.journey_map(journey, log, feedback, ax=ax),
        "route_flow": lambda ax: fp.route_flow(log, ax=ax),
        "funnel": lambda ax: fp.funnel(log, ax=ax),
        "friction": lambda ax: fp.friction(shop_log, ax=ax),
        "repair_effects": lambda ax: fp.repair_effects(shop_log, ax=ax),
        "rank_risk": lambda ax: fp.rank_risk(smaa_result, ax=ax),
        "rank_acceptability": lambda ax: fp.rank_acceptability(smaa_result, ax=ax),
        "frontier": lambda ax: fp.frontier(fk.frontier(journey), ax=ax),
        "roadmap": lambda ax: fp.roadmap(fk.roadmap.roadmap(plan), ax=ax),
    }


def test_every_chart_honours_ax_and_rejects_a_non_axes(
    ranking, log, shop_log, journey, feedback, smaa_result, plan
):
    charts = _every_chart(ranking, log, shop_log, journey, feedback, smaa_result, plan)
    assert set(charts) == {n for n in fp.__all__ if hasattr(fp, f"{n}_data")}
    for name, draw in charts.items():
        fig, ax = plt.subplots()
        assert draw(ax) is ax, name
        assert ax.get_title(loc="left"), name
        plt.close(fig)
        with pytest.raises(fk.InputTypeError, match="matplotlib Axes"):
            draw("not an axes")
        new = draw(None)
        assert new.figure is not fig, name


# ---------------------------------------------------------------------------------------
# journey map


def test_journey_map_cards_badges_and_emotion_curve(journey, log, feedback):
    data = fp.journey_map_data(journey, log, feedback)
    assert data["touchpoint"].tolist() == [t.id for s in journey.stages
                                           for t in journey.touchpoints_in(s.id)]  # fmt: skip
    friction = log.friction().set_index("touchpoint")
    np.testing.assert_allclose(
        data["friction_score"], friction.loc[data["touchpoint"], "friction_score"]
    )
    curve = feedback.emotion_curve(journey).set_index("touchpoint")
    row = data.set_index("touchpoint").loc["support_hotline"]
    assert row["n_answers"] == 2
    assert row["satisfaction"] == pytest.approx(curve.loc["support_hotline", "sentiment"])
    assert row["satisfaction"] < 0  # CSAT 1 and a hard CES
    # the twin is the library's journey map table plus the layout
    from frictionkit.journey_map import journey_map as table

    pd.testing.assert_frame_equal(data[list(table(journey, log, feedback).columns)],
                                  table(journey, log, feedback))  # fmt: skip
    ax = fp.journey_map(journey, log, feedback)
    assert len(_gid(ax.patches, "journey_card")) == len(journey.touchpoints)
    (badges,) = _gid(ax.collections, "sentiment_badges")
    assert len(badges.get_offsets()) == int((data["n_answers"] > 0).sum()) == 3
    answered = data["n_answers"] > 0
    np.testing.assert_allclose(badges.get_array(), data.loc[answered, "satisfaction"])
    (curve,) = _gid(ax.lines, "emotion_curve")
    stages = data.drop_duplicates("stage")
    answered = stages[stages["stage_answers"] > 0]
    np.testing.assert_allclose(curve.get_xdata(), answered["stage_position"] + 0.5)
    assert len(curve.get_xdata()) == 3  # discovery, retention, recommendation


def test_journey_map_card_names_stay_clear_of_the_sentiment_badge(journey, log):
    """With a badge on every card (the report's size), no card's name runs under the
    badge or its figure; a name cut to fit keeps its full text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from frictionkit.plot._common import FULL_TEXT_GID

    answers = pd.DataFrame(
        {
            "touchpoint": [tp.id for tp in journey.touchpoints],
            "metric": "csat",
            "score": [1 + i % 5 for i in range(len(journey.touchpoints))],
        }
    )
    feedback = fk.Feedback.from_frame(
        answers, metric_col="metric", score_col="score", touchpoint_col="touchpoint",
        journey=journey,
    )  # fmt: skip
    fig = Figure(figsize=(10.0, 5.5), layout="constrained")
    ax = fig.add_subplot()
    fp.journey_map(journey, log, feedback, ax=ax)
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    (badges,) = _gid(ax.collections, "sentiment_badges")
    assert len(badges.get_offsets()) == len(journey.touchpoints)
    radius = np.sqrt(badges.get_sizes()[0]) / 2 * fig.dpi / 72  # pixels
    labels = {tp.label for tp in journey.touchpoints}
    titles = [t for t in ax.texts if t.get_fontweight() == "bold" and t.get_fontsize() == 8.5]
    assert len(titles) == len(journey.touchpoints)
    for (bx, by), title in zip(badges.get_offsets(), titles, strict=True):
        centre = ax.transData.transform((bx, by))
        (figure,) = [
            t for t in ax.texts if np.allclose(t.get_position(), (bx, by + 0.28), atol=1e-9)
        ]
        clear = min(centre[0] - radius, figure.get_window_extent(renderer).x0)
        assert title.get_window_extent(renderer).x1 < clear, title.get_text()
        full = " ".join(title.get_text().split())
        if full not in labels:  # cut: the full name is kept
            gid = title.get_gid()
            assert bytes.fromhex(gid[len(FULL_TEXT_GID) :]).decode() in labels


def test_journey_map_colours_follow_the_verdicts(journey, log):
    # the fixture log has no significant friction: no card is warm, whatever its score
    data = fp.journey_map_data(journey, log)
    friction = log.friction().set_index("touchpoint")
    assert data["verdict"].tolist() == friction.loc[data["touchpoint"], "verdict"].tolist()
    np.testing.assert_allclose(
        data["attributable_failures"],
        friction.loc[data["touchpoint"], "attributable_failures"],
    )
    assert "friction" not in set(data["verdict"])
    ax = fp.journey_map(journey, log)
    fills = {matplotlib.colors.to_hex(p.get_facecolor())
             for p in _gid(ax.patches, "journey_card")}  # fmt: skip
    assert fills <= set(fp._journey.VERDICT_FILLS.values()) | {"#ffffff"}
    assert ax.get_legend() is not None
    assert ax.get_legend().get_gid() == "verdict_legend"
    # with a planted error, that card alone is warm and says its verdict and interval
    planted = _planted_log(journey)
    data = fp.journey_map_data(journey, planted).set_index("touchpoint")
    assert data.loc["support_hotline", "verdict"] == "friction"
    ax = fp.journey_map(journey, planted)
    assert any(t.get_text().startswith("friction · AF ") and "[" in t.get_text()
               for t in ax.texts)  # fmt: skip
    warm = [p for p in _gid(ax.patches, "journey_card")
            if matplotlib.colors.to_hex(p.get_facecolor())
            not in set(fp._journey.VERDICT_FILLS.values()) | {"#ffffff"}]  # fmt: skip
    assert len(warm) == int((data["verdict"] == "friction").sum())


def test_journey_map_without_evidence_and_with_odd_names(journey):
    odd = journey.replace("touchpoints", "parts_website", name="<script>alert(1)</script>")
    data = fp.journey_map_data(odd)
    assert data["friction_score"].isna().all()
    assert (data["n_answers"] == 0).all()
    ax = fp.journey_map(odd)
    ax.figure.canvas.draw()
    assert not _gid(ax.lines, "emotion_curve")
    assert any("<script>" in t.get_text() for t in ax.texts)


def _wcag_contrast(a, b):
    # WCAG 2.2, "contrast ratio" and "relative luminance" definitions (w3.org/TR/WCAG22)
    def lum(c):
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
               for v in matplotlib.colors.to_rgb(c)]  # fmt: skip
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_wcag_contrast_of_published_pairs():
    # black on white is 21:1, the top of the WCAG 2 scale; #777777 on #FFFFFF is "4.47:1. So
    # this is not enough" (wcag.eu knowledge base, "Use enough contrast for text", truncated)
    assert _wcag_contrast("black", "white") == pytest.approx(21.0)
    assert 4.47 <= _wcag_contrast("#777777", "white") < 4.48


def _planted_log(journey):
    df = simulate_journeys(1500, seed=4, journey=journey, error_touchpoint="support_hotline",
                           error_rate=0.4)  # fmt: skip
    return fk.EventLog.from_frame(df, case_col="case_id", touchpoint_col="touchpoint",
                                  timestamp_col="timestamp", outcome_col="outcome",
                                  journey=journey, strict=False)  # fmt: skip


def test_journey_map_text_on_the_darkest_card_is_readable(journey, feedback):
    # the cards are coloured by verdict: only a "friction" touchpoint gets the dark orange,
    # so the log has a planted error step (the fixture log has no friction verdict)
    log = _planted_log(journey)
    ax = fp.journey_map(journey, log, feedback)
    cards = _gid(ax.patches, "journey_card")
    darkest = max(cards, key=lambda p: _wcag_contrast(p.get_facecolor(), "white"))
    fill = darkest.get_facecolor()
    assert _wcag_contrast(fill, "white") > 2.5  # it is the dark orange of the most friction
    on_card = _texts_on(ax, darkest)
    assert len(on_card) >= 3  # name, channel and owner, friction
    for text in on_card:
        assert _wcag_contrast(text.get_color(), fill) >= 4.5, text.get_text()


def _texts_on(ax, card):
    """The texts anchored on a card (a small line is anchored at the card's lower edge)."""
    from matplotlib.text import Annotation

    x0, y0 = card.get_x(), card.get_y()
    out = []
    for t in ax.texts:
        x, y = t.xy if isinstance(t, Annotation) else t.get_position()
        if x0 <= x <= x0 + card.get_width() and y0 <= y <= y0 + card.get_height():
            out.append(t)
    return out


@pytest.mark.parametrize("height_in", [6.5, None])
def test_journey_map_card_lines_never_overlap(height_in):
    # the planted shop has 8 touchpoints in one stage: the cards are short, and the owner
    # line and the verdict line used to run into each other (at any height below 7.6
    # inches at this width); None: the report's size for this map
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from frictionkit.journey_map import journey_from_log
    from frictionkit.report._sections import _journey_map_size

    df = simulate_journeys(3000, seed=0, scenario="planted")
    log = fk.EventLog.from_frame(
        df, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
        stage_col="stage", outcome_col="outcome", strict=False,
    )  # fmt: skip
    journey = journey_from_log(log)
    size = (10.0, height_in) if height_in else _journey_map_size(journey, lane=False)
    assert size[1] >= 6.5  # the report gives many touchpoints per stage room
    fig = Figure(figsize=size, layout="constrained")
    ax = fp.journey_map(journey, log, ax=fig.add_subplot())
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    for card in _gid(ax.patches, "journey_card"):
        boxes = sorted(
            (t.get_window_extent(renderer) for t in _texts_on(ax, card)), key=lambda b: -b.y1
        )
        assert len(boxes) == 3  # name, channel and owner, verdict
        for upper, lower in itertools.pairwise(boxes):
            assert lower.y1 <= upper.y0 + 0.5  # display pixels: no overlap


@settings(max_examples=60, deadline=None)
@given(
    fill=st.tuples(*[st.floats(0, 1)] * 3),
    preferred=st.sampled_from(["#222222", "#555555", "#333333", "#999999", "white"]),
)
def test_text_colour_is_readable_on_any_fill(fill, preferred):
    from frictionkit.plot._common import readable_on

    colour = readable_on(fill, preferred)
    assert _wcag_contrast(colour, fill) >= 4.5
    if _wcag_contrast(preferred, fill) >= 4.5:
        assert colour == preferred  # a readable colour is kept


def test_journey_map_rejects_wrong_inputs(journey, ranking):
    with pytest.raises(fk.InputTypeError, match="journey"):
        fp.journey_map(ranking)
    with pytest.raises(fk.InputTypeError, match="log"):
        fp.journey_map(journey, log=pd.DataFrame())


# ---------------------------------------------------------------------------------------
# route flow


def test_route_flow_folds_small_routes_and_keeps_totals(log):
    data = fp.route_flow_data(log, top=5)
    routes = log.routes()
    assert len(data) == 6
    assert data["route"].iloc[-1] == fp.OTHER_ROUTES
    assert data["journeys"].sum() == log.n_journeys
    assert data["n_routes"].sum() == len(routes)
    for col in ("successes", "failures", "open"):
        assert data[col].sum() == routes[col].sum()
    named = data[data["route"] != fp.OTHER_ROUTES]
    assert (named["journeys"] >= DEFAULT_MIN_GROUP_SIZE).all()
    assert named["route"].tolist() == routes["route_text"].head(5).tolist()


def test_route_flow_draws_one_band_per_route_and_outcome(log):
    data = fp.route_flow_data(log, top=4)
    ax = fp.route_flow(log, top=4)
    cells = data[["successes", "failures", "open"]].to_numpy()
    assert len(_gid(ax.patches, "route_flow_band")) == int((cells > 0).sum())
    assert len(_gid(ax.patches, "route_flow_route")) == len(data)
    assert len(_gid(ax.patches, "route_flow_outcome")) == 3
    heights = [p.get_height() for p in _gid(ax.patches, "route_flow_route")]
    ratio = np.asarray(heights) / data["journeys"].to_numpy()
    np.testing.assert_allclose(ratio, ratio[0])  # heights proportional to journeys


def test_route_flow_never_names_a_small_route(log):
    data = fp.route_flow_data(log, top=100, min_group_size=30)
    named = data[data["route"] != fp.OTHER_ROUTES]
    assert (named["journeys"] >= 30).all()
    everything = fp.route_flow_data(log, top=10_000, min_group_size=1)
    assert fp.OTHER_ROUTES not in everything["route"].tolist()
    assert len(everything) == len(log.routes())


@settings(max_examples=25, deadline=None)
@given(
    centres=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12).map(
        lambda v: sorted(v, reverse=True)
    ),
    gap=st.floats(0.0, 0.08),
)
def test_spread_keeps_order_gap_and_bounds(centres, gap):
    out = _spread(centres, gap, 0.0, 1.0)
    assert len(out) == len(centres)
    assert all(a - b >= gap - 1e-12 for a, b in itertools.pairwise(out))
    if gap * (len(centres) - 1) <= 1.0:
        assert all(-1e-12 <= y <= 1.0 + 1e-12 for y in out)


def _svg_texts(ax):
    """The text of every SVG ``<text>`` element of the figure of ``ax``."""
    import io
    import re

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        ax.figure.savefig(buf, format="svg")
    plt.close(ax.figure)
    return re.findall(r"<text[^>]*>([^<]*)</text>", buf.getvalue())


def test_route_flow_names_touchpoints_by_their_labels(journey, log):
    names = {tp.id: tp.label for tp in journey.touchpoints}
    data = fp.route_flow_data(log, top=5, labels=names)
    plain = fp.route_flow_data(log, top=5)
    assert data["route"].tolist() == plain["route"].tolist()  # the log's names, to match
    first = log.routes()["route"].iloc[0]
    assert data["route_label"].iloc[0] == " → ".join(names[t] for t in first)
    assert plain["route_label"].tolist() == plain["route"].tolist()
    texts = " ".join(_svg_texts(fp.route_flow(log, top=5, labels=names)))
    for tp in journey.touchpoints:
        assert tp.id not in texts
    assert names[first[0]] in texts
    # a touchpoint missing from the mapping keeps its name
    partial = fp.route_flow_data(log, top=5, labels={first[0]: "Start here"})
    assert partial["route_label"].iloc[0].startswith("Start here")
    with pytest.raises(fk.InputTypeError, match="labels"):
        fp.route_flow_data(log, labels=["not", "a", "mapping"])


def test_long_route_labels_are_cut_and_keep_their_full_text(log):
    from frictionkit.plot._common import FULL_TEXT_GID

    names = {t: f"A rather long name for the touchpoint {t}" for t in log.touchpoints}
    ax = fp.route_flow(log, top=4, labels=names)
    data = fp.route_flow_data(log, top=4, labels=names)
    titled = [t for t in ax.texts if str(t.get_gid()).startswith(FULL_TEXT_GID)]
    named = data[data["route"] != fp.OTHER_ROUTES]
    long = named.loc[named["route_label"].str.len() > 60, "route_label"]
    assert len(titled) == len(long) > 0  # only the routes too long to draw whole
    for text, full in zip(titled, long, strict=True):
        assert bytes.fromhex(text.get_gid()[len(FULL_TEXT_GID) :]).decode() == full
        assert len(text.get_text().splitlines()[0]) <= 60
    plt.close(ax.figure)


def test_funnel_names_stages_by_their_labels(journey, log):
    names = {st.id: st.label for st in journey.stages}
    data = fp.funnel_data(log, labels=names)
    assert data["stage"].tolist() == fp.funnel_data(log)["stage"].tolist()
    assert data["stage_label"].tolist() == [names[s] for s in data["stage"]]
    assert fp.funnel_data(log)["stage_label"].tolist() == data["stage"].tolist()
    texts = _svg_texts(fp.funnel(log, labels=names))
    assert [t for t in texts if t in names.values()] == [names[s] for s in data["stage"]]
    assert not set(texts) & set(names)
    # a long name wraps on two lines, its full text kept
    long = {s: f"The stage where customers {s} things before going on" for s in names}
    ax = fp.funnel(log, labels=long)
    assert all(t.get_text().count("\n") == 1 for t in ax.get_yticklabels())
    assert all(t.get_gid().startswith("fk-full-text-") for t in ax.get_yticklabels())
    plt.close(ax.figure)


def test_funnel_branch_names_the_stage_gone_on_to_by_its_label():
    log = _fines_like_log()
    ax = fp.funnel(log, labels={"pay": "Payment", "fine": "Fine issued"})
    texts = [t.get_text() for t in ax.texts]
    assert any("of Fine issued" in t and "went on to Payment" in t for t in texts)
    assert [t.get_text() for t in ax.get_yticklabels()][1] == "appeal (branch)"
    plt.close(ax.figure)


# ---------------------------------------------------------------------------------------
# funnel, friction, repair effects


def test_funnel_bars_are_the_twin(log):
    data = fp.funnel_data(log)
    assert data["journeys"].tolist() == log.funnel()["journeys"].tolist()
    ax = fp.funnel(log)
    bars = _gid(ax.patches, "funnel_bar")
    assert len(bars) == len(data) == 5
    np.testing.assert_allclose([b.get_width() for b in bars], data["journeys"])
    assert fp.funnel_data(log.funnel())["stage"].tolist() == data["stage"].tolist()


def _fines_like_log():
    rows = []
    for i in range(100):
        path = ["fine_issued"]
        if i < 12:
            path.append("appeal_filed")
        if i < 80:
            path.append("reminder")
        if i < 60:
            path.append("paid")
        rows += [(f"j{i:03d}", t, k) for k, t in enumerate(path)]
    df = pd.DataFrame(rows, columns=["c", "t", "k"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["k"], unit="D")
    stage = {"fine_issued": "fine", "appeal_filed": "appeal", "reminder": "pay", "paid": "pay"}
    df["s"] = df["t"].map(stage)
    return fk.EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", stage_col="s", success="paid"
    )


def test_funnel_draws_a_branch_apart_with_its_share():
    log = _fines_like_log()
    data = fp.funnel_data(log)
    assert data["kind"].tolist() == ["main", "branch", "main"]
    ax = fp.funnel(log)
    main = _gid(ax.patches, "funnel_bar")
    branch = _gid(ax.patches, "funnel_branch")
    assert [b.get_width() for b in main] == [100, 80]
    assert [b.get_width() for b in branch] == [12]  # the journeys that took it
    texts = [t.get_text() for t in ax.texts]
    assert "12 took this branch (12% of fine); others: 77% went on to pay" in texts
    assert any("80% of previous" in t for t in texts)  # pay converts from fine
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["fine", "appeal (branch)", "pay"]
    # a table without the branch columns still draws
    old = log.funnel()[["stage", "journeys", "step_conversion"]]
    assert len(_gid(fp.funnel(old).patches, "funnel_bar")) == 3


def test_funnel_refuses_several_segments(shop_log):
    table = shop_log.funnel()
    by_seg = table.assign(segment=["a"] + ["b"] * (len(table) - 1))
    with pytest.raises(fk.ValidationError, match="segments"):
        fp.funnel(by_seg)


def test_friction_bars_and_whiskers_are_the_twin(shop_log):
    table = shop_log.friction()
    data = fp.friction_data(table, top=None)
    expected = table[table["attributable_failures"].notna() & ~table["outcome_step"]]
    assert data["touchpoint"].tolist() == expected["touchpoint"].tolist()
    ax = fp.friction(shop_log, top=None)
    bars = _gid(ax.patches, "friction_bar")
    assert len(bars) == len(data)
    # each bar runs from 0 to the attributable failures (no longer the risk ratio)
    starts = np.asarray([b.get_x() for b in bars])
    widths = np.asarray([b.get_width() for b in bars])
    np.testing.assert_allclose(starts, 0.0)
    np.testing.assert_allclose(widths, data["attributable_failures"])
    (err,) = ax.containers[1:]  # the error bars after the bar container
    segs = err.lines[2][0].get_segments()
    np.testing.assert_allclose([s[0][0] for s in segs], data["attributable_failures_low"])
    np.testing.assert_allclose([s[1][0] for s in segs], data["attributable_failures_high"])
    top = data.iloc[0]
    assert top["touchpoint"] == "payment_error"
    assert top["verdict"] == "friction"
    assert top["signal"] == "more failure"
    # colour = verdict
    for bar, verdict in zip(bars, data["verdict"], strict=True):
        assert matplotlib.colors.to_hex(bar.get_facecolor()) == matplotlib.colors.to_hex(
            fp._evidence.VERDICT_COLORS[verdict]
        )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "friction"


def test_repair_effects_bars_and_intervals(shop_log):
    table = shop_log.repair_effects(bootstrap=40, seed=2)
    data = fp.repair_effects_data(table, top=5)
    assert len(data) == 5
    np.testing.assert_allclose(data["delta_pp"], 100 * table["delta_success_probability"][:5])
    np.testing.assert_allclose(data["delta_low_pp"], 100 * table["delta_low"][:5])
    ax = fp.repair_effects(table, top=5)
    bars = _gid(ax.patches, "repair_bar")
    np.testing.assert_allclose([b.get_width() for b in bars], data["delta_pp"])
    assert "CI" in ax.get_xlabel()
    # from the log itself, without bootstrap: no interval, no error bars
    plain = fp.repair_effects(shop_log, top=3)
    assert len(plain.containers) == 1
    assert "CI" not in plain.get_xlabel()


# ---------------------------------------------------------------------------------------
# rank risk


def test_rank_risk_segments_sum_to_p_top_k(smaa_result):
    data = fp.rank_risk_data(smaa_result, k=3)
    p = smaa_result.p_top_k(3)
    np.testing.assert_allclose(data["p_top_k"], p.loc[data["alternative"]].to_numpy())
    np.testing.assert_allclose(data[["rank_1", "rank_2", "rank_3"]].sum(axis=1), data["p_top_k"])
    assert data["p_top_k"].is_monotonic_decreasing
    ax = fp.rank_risk(smaa_result, k=3, top=5)
    segments = _gid(ax.patches, "rank_risk_segment")
    assert len(segments) == 3 * 5
    right = max(s.get_x() + s.get_width() for s in segments)
    assert right == pytest.approx(data["p_top_k"].iloc[0])


def test_rank_acceptability_heat_map_is_the_twin(smaa_result):
    data = fp.rank_acceptability_data(smaa_result)
    assert sorted(data.index) == sorted(smaa_result.rank_acceptability.index)
    np.testing.assert_allclose(data.sum(axis=1), 1.0)
    ax = fp.rank_acceptability(smaa_result)
    np.testing.assert_allclose(ax.images[0].get_array(), data.to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(i) for i in data.index]


def test_rank_risk_accepts_any_object_with_the_interface():
    class Result:
        rank_acceptability = pd.DataFrame(
            [[0.7, 0.3], [0.3, 0.7]], index=["a", "b"], columns=[1, 2]
        )

        def p_top_k(self, k):
            return self.rank_acceptability.iloc[:, :k].sum(axis=1)

    data = fp.rank_risk_data(Result(), k=1)
    assert data["alternative"].tolist() == ["a", "b"]
    assert data["p_top_k"].tolist() == [0.7, 0.3]
    assert fp.accessor(Result()).rank_risk(k=1).get_xlabel().endswith("top 1")
    with pytest.raises(fk.ValidationError, match="k must be"):
        fp.rank_risk_data(Result(), k=3)
    with pytest.raises(fk.InputTypeError, match="rank_acceptability"):
        fp.rank_risk(object())


# ---------------------------------------------------------------------------------------
# frontier and roadmap


def test_frontier_draws_exact_greedy_and_knee(journey):
    table = fk.frontier(journey)
    data = fp.frontier_data(table)
    pd.testing.assert_frame_equal(
        data.drop(columns="greedy_loss"),
        table[["cost", "value", "greedy_value", "knee"]].reset_index(drop=True),
        check_dtype=False,
    )
    ax = fp.frontier(table)
    exact, greedy, knee = ax.get_lines()[:3]
    np.testing.assert_allclose(exact.get_xdata(), data["cost"])
    np.testing.assert_allclose(exact.get_ydata(), data["value"])
    np.testing.assert_allclose(greedy.get_ydata(), data["greedy_value"])
    k = data[data["knee"]].iloc[0]
    assert (knee.get_xdata()[0], knee.get_ydata()[0]) == (k["cost"], k["value"])
    assert k["cost"] == 64_500  # the knee of the bundled example (see fk.frontier docs)


def test_roadmap_bars_by_owner_with_dates_and_working_days(plan):
    dated = fk.roadmap.roadmap(plan, start="2025-01-06")
    data = fp.roadmap_data(dated)
    assert sorted(data["id"]) == sorted(dated["id"])
    # grouped by owner: each owner's rows are contiguous
    runs = (data["owner"] != data["owner"].shift()).sum()
    assert runs == data["owner"].nunique()
    ax = fp.roadmap(dated)
    bars = _gid(ax.patches, "roadmap_bar")
    assert len(bars) == len(dated)
    first = data.iloc[0]
    width_days = (pd.Timestamp(first["finish"]) - pd.Timestamp(first["start"])).days
    assert bars[0].get_width() == pytest.approx(width_days)
    assert sum(b.get_hatch() == "///" for b in bars) == int(dated["quick_win"].sum())
    plain = fk.roadmap.roadmap(plan)
    pdata = fp.roadmap_data(plain)
    assert (pdata["finish"] - pdata["start"]).tolist() == [
        e + 1 - s for s, e in zip(pdata["start"], plain.set_index("id").loc[pdata["id"], "end"],
                                  strict=True)
    ]  # fmt: skip
    assert fp.roadmap(plain).get_xlabel() == "Working days from the start"


def test_roadmap_names_owners_by_their_labels(journey, plan):
    names = {ow.id: ow.label for ow in journey.owners}
    table = fk.roadmap.roadmap(plan)
    data = fp.roadmap_data(table, owner_labels=names)
    plain = fp.roadmap_data(table)
    pd.testing.assert_frame_equal(
        data.drop(columns="owner_label"), plain.drop(columns="owner_label")
    )
    assert data["owner_label"].tolist() == [names[o] for o in data["owner"]]
    ax = fp.roadmap(table, owner_labels=names)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[: data["owner"].nunique()] == [names[o] for o in data["owner"].unique()]
    assert not set(_svg_texts(ax)) & set(names)
    # through the plan's accessor, too
    ax = fp.accessor(plan).roadmap(owner_labels=names)
    assert "Customer service" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(fk.InputTypeError, match="owner_labels"):
        fp.roadmap_data(table, owner_labels="IT")


# ---------------------------------------------------------------------------------------
# the accessor


def test_accessor_binds_the_charts(ranking, log, journey, plan, smaa_result):
    acc = fp.accessor(ranking)
    assert repr(acc) == "PlotAccessor(Ranking: impact_effort)"
    assert "impact_effort" in dir(acc)
    assert acc().get_xlabel() == acc.impact_effort().get_xlabel() == "Effort (person-days)"
    assert set(dir(fp.accessor(log))) >= {"route_flow", "funnel", "friction", "repair_effects"}
    assert fp.accessor(journey).journey_map(log=log).get_title(loc="left")
    ax = fp.accessor(plan).roadmap(start="2025-01-06")
    assert ax.get_xlabel() == "Date"
    assert set(dir(fp.accessor(smaa_result))) >= {"rank_risk", "rank_acceptability"}
    assert "frontier" in dir(fp.accessor(fk.frontier(journey)))
    assert "roadmap" in dir(fp.accessor(fk.roadmap.roadmap(plan)))
    with pytest.raises(AttributeError, match="did you mean 'impact_effort'"):
        _ = acc.impact_efort
    with pytest.raises(fk.InputTypeError, match="no charts for a int"):
        fp.accessor(3)


# ---------------------------------------------------------------------------------------
# bad input


def test_bad_inputs_name_the_argument(ranking, log):
    with pytest.raises(fk.InputTypeError, match="ranking must be a Ranking"):
        fp.impact_effort(log)
    with pytest.raises(fk.MissingColumnError, match="'knee'") as err:
        fp.frontier(pd.DataFrame({"cost": [1.0], "value": [1.0], "greedy_value": [1.0]}))
    assert err.value.field == "frontier_table"
    with pytest.raises(fk.MissingColumnError, match=r"no column 'owner'.*did you mean 'ownr'"):
        fp.roadmap(pd.DataFrame({"start": [0], "end": [1], "id": ["a"], "ownr": ["x"]}))
    with pytest.raises(fk.InputTypeError, match="roadmap_table must be a roadmap table"):
        fp.roadmap([1, 2])
    with pytest.raises(fk.ValidationError, match="top must be"):
        fp.friction(log, top=0)
    with pytest.raises(fk.InputTypeError, match="log must be an EventLog"):
        fp.route_flow(log.routes())
    with pytest.raises(fk.InputTypeError, match="EventLog or friction"):
        fp.friction("log")
    with pytest.raises(fk.ValidationError, match="min_group_size"):
        fp.route_flow(log, min_group_size=0)
    assert math.isfinite(fp.friction_data(log)["risk_ratio"].iloc[0])


def _fines_log_with_kinds():
    """The fines-like log; of the 20 unpaid reminded, 15 go to collection, 5 are dismissed."""
    rows = []
    for i in range(100):
        path = ["fine_issued"]
        if i < 12:
            path.append("appeal_filed")
        if i < 80:
            path.append("reminder")
        if i < 60:
            path.append("paid")
        elif i < 75:
            path.append("collection")
        elif i < 80:
            path.append("dismissed")
        rows += [(f"j{i:03d}", t, k) for k, t in enumerate(path)]
    df = pd.DataFrame(rows, columns=["c", "t", "k"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["k"], unit="D")
    stage = {"fine_issued": "fine", "appeal_filed": "appeal", "reminder": "pay"}
    df["s"] = df["t"].map(stage).fillna("pay")
    return fk.EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", stage_col="s",
        success="paid", failure={"collected": ["collection"], "dismissed": ["dismissed"]},
    )  # fmt: skip


def test_funnel_stacks_the_failures_of_each_kind():
    log = _fines_log_with_kinds()
    data = fp.funnel_data(log)
    table = log.funnel()
    assert data["failures_collected"].tolist() == table["failures_collected"].tolist()
    assert data["failures_dismissed"].tolist() == table["failures_dismissed"].tolist()
    ax = fp.funnel(log)
    main = _gid(ax.patches, "funnel_bar")
    collected = _gid(ax.patches, "funnel_failures_collected")
    dismissed = _gid(ax.patches, "funnel_failures_dismissed")
    assert [b.get_width() for b in main] == [100, 80]
    rows = (data["kind"] == "main").to_numpy()
    assert [b.get_width() for b in collected] == data.loc[rows, "failures_collected"].tolist()
    assert [b.get_width() for b in dismissed] == data.loc[rows, "failures_dismissed"].tolist()
    assert [b.get_width() for b in collected] == [15, 15]
    # stacked: each kind starts where the one before ends, from the bar's left edge
    for bar, c, d in zip(main, collected, dismissed, strict=True):
        assert c.get_x() == pytest.approx(bar.get_x())
        assert d.get_x() == pytest.approx(c.get_x() + c.get_width())
    # the branch keeps its hatch, with no kind segments on it
    (branch,) = _gid(ax.patches, "funnel_branch")
    assert branch.get_hatch() == "//"
    assert len(collected) == 2
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["failed: collected", "failed: dismissed"]
    # a plain log draws no segments and no legend
    plain = _fines_like_log()
    ax2 = fp.funnel(plain)
    assert not [p for p in ax2.patches if (p.get_gid() or "").startswith("funnel_failures_")]
    assert ax2.get_legend() is None


def test_funnel_takes_the_branch_threshold():
    log = _fines_like_log()
    assert set(fp.funnel_data(log, branch_threshold=None)["kind"]) == {"main"}
    ax = fp.funnel(log, branch_threshold=0)
    assert not _gid(ax.patches, "funnel_branch")


def test_friction_chart_of_one_failure_kind():
    rng = np.random.default_rng(4)
    rows = []
    for i in range(400):
        call = rng.random() < 0.4
        path = ["apply"] + ["call"] * call + ["docs"] * (rng.random() < 0.5)
        r = rng.random()
        path.append(
            "approve" if r < (0.3 if call else 0.6) else ("decline" if r < 0.85 else "cancel")
        )
        rows += [(f"j{i:03d}", t, k) for k, t in enumerate(path)]
    df = pd.DataFrame(rows, columns=["c", "t", "k"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["k"], unit="h")
    log = fk.EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="approve",
        failure={"declined": ["decline"], "cancelled": ["cancel"]},
    )  # fmt: skip
    data = fp.friction_data(log, top=None, failure_kind="declined")
    table = log.friction(failure_kind="declined")
    expected = table[table["attributable_failures"].notna() & ~table["outcome_step"]]
    assert data["touchpoint"].tolist() == expected["touchpoint"].tolist()
    np.testing.assert_allclose(data["attributable_failures"], expected["attributable_failures"])
    ax = fp.friction(log, top=None, failure_kind="declined")
    widths = [b.get_width() for b in _gid(ax.patches, "friction_bar")]
    np.testing.assert_allclose(widths, data["attributable_failures"])
    assert "(failed: declined)" in ax.get_title(loc="left")
    # the table of friction_by_kind: one kind at a time
    by_kind = fk.friction.friction_by_kind(log)
    twin = fp.friction_data(by_kind, top=None, failure_kind="declined")
    pd.testing.assert_frame_equal(twin, data)
    with pytest.raises(fk.ValidationError, match="several failure kinds"):
        fp.friction_data(by_kind)
    with pytest.raises(fk.ValidationError, match="did you mean"):
        fp.friction(by_kind, failure_kind="declind")
    with pytest.raises(fk.ValidationError, match="failure kinds"):
        fp.friction(log, failure_kind="declind")
    with pytest.raises(fk.ValidationError, match="not of the failure kind"):
        fp.friction_data(log.friction(), failure_kind="declined")


def test_repair_chart_puts_established_harm_first_and_greys_the_rest():
    # the help-desk shape: a step with no friction verdict has the largest (uncertain)
    # gain; with the verdicts joined it no longer heads the chart, and its bar is grey
    from matplotlib.colors import to_hex

    from frictionkit.plot._common import NEUTRAL_COLOR, SUCCESS_COLOR

    table = pd.DataFrame(
        {
            "touchpoint": ["take_in_charge", "wait", "anomaly", "upgrade"],
            "delta_success_probability": [0.016, 0.014, 0.004, 0.003],
            "delta_low": [-0.02, 0.005, 0.001, 0.0005],
            "delta_high": [0.06, 0.022, 0.007, 0.006],
            "verdict": ["no evidence", "friction", "friction", "friction"],
        }
    )
    data = fp.repair_effects_data(table)
    assert data["touchpoint"].tolist() == ["wait", "anomaly", "upgrade", "take_in_charge"]
    assert data["verdict"].tolist() == ["friction"] * 3 + ["no evidence"]
    ax = fp.repair_effects(table)
    colours = [to_hex(p.get_facecolor(), keep_alpha=False) for p in _gid(ax.patches, "repair_bar")]
    assert colours == [to_hex(SUCCESS_COLOR)] * 3 + [to_hex(NEUTRAL_COLOR)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "friction (harm established)",
        "no friction verdict",
    ]
    plt.close(ax.figure)
    # without verdicts: the gains alone, as before, and one colour
    plain = fp.repair_effects_data(table.drop(columns="verdict"))
    assert plain["touchpoint"].tolist() == ["take_in_charge", "wait", "anomaly", "upgrade"]
    assert "verdict" not in plain.columns


@pytest.mark.parametrize("gain", [0.0, -0.01])
def test_repair_chart_without_gains_draws_without_a_warning(gain):
    # the fines log's repair chart once warned "identical low and high xlims": every
    # repair there changes nothing or loses, and the axis was pinned at 0 on the left
    import warnings

    import frictionkit as fk
    from frictionkit.datasets import simulate_journeys
    from frictionkit.plot import repair_effects

    log = fk.EventLog.from_frame(
        simulate_journeys(500, seed=5), case_col="case_id", touchpoint_col="touchpoint",
        timestamp_col="timestamp", outcome_col="outcome", strict=False,
    )  # fmt: skip
    table = log.repair_effects()
    for col in table.columns:
        if col.startswith(("delta", "extra")):
            table[col] = gain
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = repair_effects(table)
    low, high = ax.get_xlim()
    assert low < high
    assert (low < 0) == (gain < 0)
    ax.figure.clf()
