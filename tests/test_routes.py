"""Routes, transitions and funnel: golden figures on real logs, hand cases, properties."""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frictionkit.events import EventLog, read_events
from frictionkit.events._reductions import stage_reach
from frictionkit.exceptions import InputTypeError, UnknownReferenceError, ValidationError
from frictionkit.model import Journey, Stage, Touchpoint
from frictionkit.routes import route_codes, wilson_interval
from tests.helpers import shared_data

FINES = "road_traffic_fines_10k.csv.gz"
HELPDESK = "helpdesk.csv.gz"


# ---------------------------------------------------------------------------------------
# independent reference: plain Python, csv module, stable sort by timestamp then file row
# ---------------------------------------------------------------------------------------
def plain_variants(path, case="case_id", activity="activity", time="timestamp"):
    """Variants by a plain-Python groupby (no pandas, no frictionkit)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    cases: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    with opener(path, "rt", newline="", encoding="utf-8") as fh:
        for row_no, row in enumerate(csv.DictReader(fh)):
            cases[row[case]].append((row[time], row_no, row[activity]))
    # ISO timestamps in one offset sort as text; `sorted` is stable, ties keep file order
    traces = {c: tuple(a for _, _, a in sorted(ev, key=lambda e: e[0])) for c, ev in cases.items()}
    return traces, Counter(traces.values())


def fines_outcome(trace):
    if "Send for Credit Collection" in trace:
        return "failure"
    return "success" if "Payment" in trace else "open"


@pytest.fixture(scope="module")
def fines_log():
    path = shared_data(FINES)
    return path, read_events(
        path,
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
        success="Payment",
        failure="Send for Credit Collection",
        when_both="failure",
    )


# These counts equal the variant counts of pm4py 2.7.23 on the same file
# (pm4py.format_dataframe + pm4py.get_variants, run by benchmarks/evidence.py
# --compare-pm4py in its own environment): 44 variants over 10,000 cases, top five
# 3428, 3273, 1890, 758, 250, the same routes. pm4py orders events by timestamp with ties
# in file order, as the log does. The data are
# the first 10,000 cases of de Leoni & Mannhardt's Road Traffic Fine Management log
# (4TU.ResearchData, doi:10.4121/uuid:270fd440-1057-4fb9-89a9-b699b47990f5).
def test_fines_routes_match_plain_groupby(fines_log):
    path, log = fines_log
    traces, variants = plain_variants(path)
    r = log.routes()
    assert log.n_events == 34_724
    assert log.n_journeys == len(traces) == 10_000
    assert len(touchpoints := log.touchpoints) == 11, touchpoints
    assert len(r) == len(variants) == 44
    assert dict(zip(r["route"], r["journeys"], strict=True)) == dict(variants)
    top5 = [(" → ".join(v), n) for v, n in variants.most_common(5)]
    assert list(zip(r["route_text"].head(5), r["journeys"].head(5), strict=True)) == top5
    assert r["journeys"].head(5).tolist() == [3428, 3273, 1890, 758, 250]
    assert r["route_text"].iloc[0] == "Create Fine → Payment"
    assert r["route_text"].iloc[1] == (
        "Create Fine → Send Fine → Insert Fine Notification → Add penalty → "
        "Send for Credit Collection"
    )
    expected = Counter(fines_outcome(t) for t in traces.values())
    assert log.outcome_counts == dict(expected)
    assert log.outcome_counts == {"success": 4540, "failure": 3387, "open": 2073}
    # route-level outcomes add up to the log's
    assert r["successes"].sum() == 4540
    assert r["failures"].sum() == 3387
    assert r["open"].sum() == 2073


def test_fines_outcome_from_a_case_column_gives_the_same_counts(fines_log):
    path, log = fines_log
    traces, _ = plain_variants(path)
    df = pd.read_csv(path, dtype={"case_id": str, "activity": str}, keep_default_na=False)
    df["result"] = df["case_id"].map({c: fines_outcome(t) for c, t in traces.items()})
    df["result"] = df["result"].replace("open", None)
    log2 = EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
        outcome_col="result",
    )
    assert log2.outcome_counts == log.outcome_counts


def test_fines_first_reached_rule_differs_from_failure_wins(fines_log):
    path, log = fines_log
    first = read_events(
        path,
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
        success="Payment",
        failure="Send for Credit Collection",
    )
    traces, _ = plain_variants(path)
    both = sum(
        1
        for t in traces.values()
        if "Payment" in t
        and "Send for Credit Collection" in t
        and t.index("Payment") < t.index("Send for Credit Collection")
    )
    assert both > 0
    assert first.outcome_counts["success"] == log.outcome_counts["success"] + both
    assert first.outcome_counts["failure"] == log.outcome_counts["failure"] - both


# pm4py 2.7.23 (format_dataframe + get_variants) on the same file: 226 variants over 4,580
# cases, top five 2366, 552, 228, 213, 164 (Verenich, Helpdesk event log, 2016).
def test_helpdesk_routes_match_plain_groupby():
    path = shared_data(HELPDESK)
    _, variants = plain_variants(path)
    log = read_events(
        path, case_col="case_id", touchpoint_col="activity", timestamp_col="timestamp"
    )
    r = log.routes()
    assert (log.n_events, log.n_journeys, len(log.touchpoints)) == (21_348, 4_580, 14)
    assert len(r) == len(variants) == 226
    assert dict(zip(r["route"], r["journeys"], strict=True)) == dict(variants)
    assert r["journeys"].head(5).tolist() == [2366, 552, 228, 213, 164]
    assert r["route_text"].iloc[0] == (
        "Assign seriousness → Take in charge ticket → Resolve ticket → Closed"
    )
    # no outcome rule given: every journey is open, never a failure
    assert log.outcome_counts == {"success": 0, "failure": 0, "open": 4580}
    assert r["success_rate"].isna().all()


def test_roadtraffic_100_traces_xes_style_columns():
    path = shared_data("roadtraffic100traces.csv")
    log = read_events(path, success="Payment", failure="Send for Credit Collection")
    _, variants = plain_variants(
        path, case="case:concept:name", activity="concept:name", time="time:timestamp"
    )
    assert (log.n_events, log.n_journeys) == (390, 100)
    # offsets +01:00 / +02:00 (daylight saving) are instants: stored in UTC
    assert log.timezone == "UTC"
    assert len(log.routes()) == len(variants)
    assert dict(zip(log.routes()["route"], log.routes()["journeys"], strict=True)) == dict(variants)


# ---------------------------------------------------------------------------------------
# hand-made cases
# ---------------------------------------------------------------------------------------
def small_log(**kw):
    df = pd.DataFrame(
        {
            "c": ["a", "a", "a", "b", "b", "c", "c", "d"],
            "t": ["home", "cart", "pay", "home", "cart", "home", "exit", "home"],
            "ts": pd.to_datetime(
                [
                    "2024-01-01 10:00:00",
                    "2024-01-01 10:01:00",
                    "2024-01-01 10:03:00",
                    "2024-01-01 11:00:00",
                    "2024-01-01 11:02:00",
                    "2024-01-01 12:00:00",
                    "2024-01-01 12:00:30",
                    "2024-01-01 13:00:00",
                ]
            ),
            "persona": ["new", "new", "new", "pro", "pro", "new", "new", "pro"],
        }
    )
    kw.setdefault("success", "pay")
    kw.setdefault("failure", "exit")
    return EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts", **kw)


def test_routes_columns_and_order():
    r = small_log().routes()
    assert r["route_text"].tolist() == ["home", "home → cart", "home → cart → pay", "home → exit"]
    assert r["journeys"].tolist() == [1, 1, 1, 1]
    assert r.loc[2, ["successes", "failures", "open"]].tolist() == [1, 0, 0]
    assert r.loc[3, "success_rate"] == 0.0
    assert np.isnan(r.loc[0, "success_rate"])
    assert r["share"].sum() == pytest.approx(1.0)


def test_routes_min_group_size_pools_small_routes():
    r = small_log().routes(min_group_size=2)
    # the same label as every other folded table (privacy.SUPPRESSED_LABEL)
    assert r["route_text"].tolist() == ["other (suppressed)"]
    assert r["journeys"].tolist() == [4]
    assert r["suppressed_groups"].tolist() == [len(small_log().routes())]
    assert "suppressed_groups" not in small_log().routes().columns
    kept = small_log().routes(min_group_size=1)
    assert kept["suppressed_groups"].tolist() == [1] * len(kept)
    with pytest.raises(ValidationError, match="min_group_size"):
        small_log().routes(min_group_size=0)
    with pytest.raises(InputTypeError):
        small_log().routes(min_group_size=1.5)  # type: ignore[arg-type]


def test_wilson_interval_newcombe_1998_table_1():
    # Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    # comparison of seven methods. Statistics in Medicine 17, 857-872, Table I (method 3,
    # score interval without continuity correction).
    low, high = wilson_interval(np.array([81, 15, 0, 1]), np.array([263, 148, 20, 29]))
    assert np.round(low, 4).tolist() == [0.2553, 0.0624, 0.0, 0.0061]
    assert np.round(high, 4).tolist() == [0.3662, 0.1605, 0.1611, 0.1718]
    lo0, hi0 = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(lo0[0])
    assert np.isnan(hi0[0])


def test_transitions_hand_case():
    t = small_log().transitions().set_index(["source", "target"])
    assert t.loc[("START", "home"), "count"] == 4
    assert t.loc[("home", "cart"), "count"] == 2
    assert t.loc[("home", "cart"), "share"] == pytest.approx(0.5)
    # home -> cart took 60 s and 120 s: median 90, p95 = 60 + 0.95 * 60
    assert t.loc[("home", "cart"), "median_s"] == pytest.approx(90.0)
    assert t.loc[("home", "cart"), "p95_s"] == pytest.approx(117.0)
    assert t.loc[("pay", "SUCCESS"), "count"] == 1
    assert t.loc[("exit", "FAILURE"), "count"] == 1
    assert t.loc[("home", "OPEN"), "count"] == 1
    assert t.loc[("cart", "OPEN"), "count"] == 1
    assert np.isnan(t.loc[("START", "home"), "median_s"])
    assert t["count"].sum() == small_log().n_events + small_log().n_journeys


def test_transitions_journeys_count_repeats_once():
    df = pd.DataFrame(
        {
            "c": ["a"] * 5,
            "t": ["x", "y", "x", "y", "x"],
            "ts": pd.date_range("2024-01-01", periods=5, freq="min"),
        }
    )
    t = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
    tr = t.transitions().set_index(["source", "target"])
    assert tr.loc[("x", "y"), "count"] == 2
    assert tr.loc[("x", "y"), "journeys"] == 1
    assert tr.loc[("x", "y"), "median_s"] == 60.0


def test_funnel_with_journey_map_and_segments():
    journey = Journey(
        stages=[Stage(id="browse"), Stage(id="buy"), Stage(id="after")],
        touchpoints=[
            Touchpoint(id="home", stage="browse", channel="web"),
            Touchpoint(id="cart", stage="buy", channel="web"),
            Touchpoint(id="pay", stage="buy", channel="web"),
            Touchpoint(id="exit", stage="browse", channel="web"),
        ],
    )
    log = small_log(journey=journey, case_cols=["persona"])
    f = log.funnel()
    assert f["stage"].tolist() == ["browse", "buy", "after"]
    assert f["journeys"].tolist() == [4, 2, 0]
    assert f["drop_off"].tolist() == [2, 2, 0]
    assert f["step_conversion"].tolist()[:2] == [1.0, 0.5]
    assert f["successes"].tolist() == [1, 1, 0]
    assert f.loc[1, "success_rate"] == 1.0
    assert (f["stage_source"] == "journey").all()
    assert log.channels == ("web", "web", "web", "web")
    fb = log.funnel(by="persona")
    assert fb["segment"].unique().tolist() == ["new", "pro"]
    assert fb.groupby("stage", sort=False)["journeys"].sum().tolist() == [4, 2, 0]
    fm = log.funnel(by={"a": "x"})
    assert set(fm["segment"]) == {"(none)", "x"}
    with pytest.raises(UnknownReferenceError, match="did you mean 'persona'"):
        log.funnel(by="persna")


def test_route_codes_kernel_is_exact_and_lexicographic():
    # routes: (0,1) (0) (0,1) (1) (0,1,0)
    tp = np.array([0, 1, 0, 0, 1, 1, 0, 1, 0])
    off = np.array([0, 2, 3, 5, 6, 9])
    key = route_codes(tp, off, 2)
    assert key[0] == key[2]
    assert len(set(key.tolist())) == 4
    # lexicographic: (0) < (0,1) < (0,1,0) < (1)
    assert key[1] < key[0] < key[4] < key[3]


# ---------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------
TPS = ["home", "search", "cart", "pay", "help"]


@st.composite
def event_tables(draw):
    n_cases = draw(st.integers(1, 6))
    rows = []
    for c in range(n_cases):
        n = draw(st.integers(1, 6))
        times = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))  # many ties
        tps = draw(st.lists(st.sampled_from(TPS), min_size=n, max_size=n))
        rows += [(f"c{c}", tp, t) for tp, t in zip(tps, times, strict=True)]
    df = pd.DataFrame(rows, columns=["case", "tp", "minute"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["minute"], unit="min")
    return df


def build(df, **kw):
    return EventLog.from_frame(
        df,
        case_col="case",
        touchpoint_col="tp",
        timestamp_col="ts",
        success="pay",
        failure="help",
        strict=False,
        **kw,
    )


@given(event_tables(), st.randoms(use_true_random=False))
def test_shuffling_rows_keeping_tie_order_changes_nothing(df, rnd):
    log = build(df)
    # shuffle the groups of (case, timestamp) ties, keeping rows inside a group in order
    groups = list(df.groupby(["case", "minute"], sort=False).indices.values())
    rnd.shuffle(groups)
    shuffled = df.iloc[np.concatenate(groups)].reset_index(drop=True)
    log2 = build(shuffled)
    pd.testing.assert_frame_equal(log.routes(), log2.routes())
    pd.testing.assert_frame_equal(log.transitions(), log2.transitions())
    pd.testing.assert_frame_equal(log.funnel(), log2.funnel())
    assert log.outcome_counts == log2.outcome_counts


@given(event_tables())
def test_renaming_touchpoints_only_relabels(df):
    rename = {"home": "z_home", "search": "a_search", "cart": "m_cart", "pay": "p", "help": "h"}
    log = build(df)
    df2 = df.assign(tp=df["tp"].map(rename))
    log2 = EventLog.from_frame(
        df2,
        case_col="case",
        touchpoint_col="tp",
        timestamp_col="ts",
        success="p",
        failure="h",
        strict=False,
    )
    r1 = log.routes()
    r2 = log2.routes()
    relabelled = {
        tuple(rename[t] for t in route): n
        for route, n in zip(r1["route"], r1["journeys"], strict=True)
    }
    assert dict(zip(r2["route"], r2["journeys"], strict=True)) == relabelled
    names = {**rename, "START": "START", "SUCCESS": "SUCCESS", "FAILURE": "FAILURE", "OPEN": "OPEN"}
    t1 = log.transitions()
    t1 = t1.assign(source=t1["source"].map(names), target=t1["target"].map(names))
    t2 = log2.transitions()
    key = ["source", "target"]
    pd.testing.assert_frame_equal(
        t1.sort_values(key).reset_index(drop=True), t2.sort_values(key).reset_index(drop=True)
    )
    assert log.outcome_counts == log2.outcome_counts


@given(event_tables())
def test_route_sums_and_transition_shares(df):
    log = build(df)
    r = log.routes()
    assert r["journeys"].sum() == log.n_journeys
    assert (r["successes"] + r["failures"] + r["open"] == r["journeys"]).all()
    assert r["journeys"].is_monotonic_decreasing
    t = log.transitions()
    assert np.allclose(t.groupby("source")["share"].sum(), 1.0)
    assert t["count"].sum() == log.n_events + log.n_journeys
    assert (t["journeys"] <= t["count"]).all()
    ok = t["median_s"].notna()
    assert (t.loc[ok, "median_s"] <= t.loc[ok, "p95_s"] + 1e-9).all()
    f = log.funnel()
    assert f["journeys"].is_monotonic_decreasing
    # journeys made of outcome steps alone reach no stage (issue 18)
    reaching = int((stage_reach(log).furthest >= 0).sum())
    assert (f["journeys"].iloc[0] if len(f) else 0) == reaching <= log.n_journeys
    assert f["drop_off"].sum() == reaching
    lo, hi = r["success_rate_low"], r["success_rate_high"]
    dec = r["success_rate"].notna()
    assert ((lo[dec] <= r.loc[dec, "success_rate"]) & (r.loc[dec, "success_rate"] <= hi[dec])).all()


@given(event_tables())
def test_route_codes_agree_with_python_tuples(df):
    log = build(df)
    key = route_codes(log.event_touchpoint, log.journey_offsets, len(log.touchpoints))
    seqs = [
        tuple(log.event_touchpoint[a:b].tolist())
        for a, b in zip(log.journey_offsets[:-1], log.journey_offsets[1:], strict=True)
    ]
    for i in range(len(seqs)):
        for j in range(len(seqs)):
            assert (key[i] == key[j]) == (seqs[i] == seqs[j])
            assert (key[i] < key[j]) == (seqs[i] < seqs[j])


@settings(max_examples=200)
@given(
    st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=40), min_size=1, max_size=30),
    st.sampled_from([4, 300, 70_000]),
)
def test_route_codes_by_sorting_equal_the_prefix_tree(journeys, n_tp):
    # routes are hashed and sorted (issue 22): the very same keys as level by level,
    # whatever width the codes are written in (one or two bytes, or a key per route)
    from frictionkit.events import _reductions

    tp = np.array([c * (n_tp // 4) for j in journeys for c in j], dtype=np.int64)
    off = np.r_[0, np.cumsum([len(j) for j in journeys])].astype(np.int64)
    levels = _reductions._route_codes_tree(tp, off, n_tp)
    assert route_codes(tp, off, n_tp).tolist() == levels.tolist()
    # an empty journey takes the tree: the same keys for the others
    assert route_codes(tp, np.r_[off, off[-1]], n_tp)[:-1].tolist() == levels.tolist()


@settings(max_examples=100)
@given(
    st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=12), min_size=1, max_size=30),
    st.sampled_from([4, 300]),
    st.booleans(),
)
def test_route_codes_stay_exact_on_hash_collisions_and_without_the_padded_sort(
    journeys, n_tp, collide
):
    # a hash base of 0 keeps only the first code and the length: routes collide, and the
    # check event by event falls back to the tree; a padded-sort budget of 0 sorts the
    # distinct routes one key each: both give the keys of the tree (issue 22)
    from frictionkit.events import _reductions

    tp = np.array([c * (n_tp // 4) for j in journeys for c in j], dtype=np.int64)
    off = np.r_[0, np.cumsum([len(j) for j in journeys])].astype(np.int64)
    expected = _reductions._route_codes_tree(tp, off, n_tp).tolist()
    with pytest.MonkeyPatch.context() as mp:
        if collide:
            mp.setattr(_reductions, "_ROUTE_HASH_BASE", np.uint64(0))
        else:
            mp.setattr(_reductions, "_MAX_PADDED_BYTES", 0)
        assert route_codes(tp, off, n_tp).tolist() == expected


# -- small-group suppression ------------------------------------------------------------
def _small_log():
    df = pd.DataFrame(
        {
            "c": ["a", "a", "b", "b", "c", "c", "d", "e"],
            "t": ["x", "y", "x", "y", "x", "y", "z", "x"],
            "ts": pd.date_range("2024-01-01", periods=8, freq="min"),
        }
    )
    segments = {"a": "new", "b": "new", "c": "new", "d": "loyal", "e": "pro"}
    log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="y")
    return log, segments


def test_transitions_fold_pairs_of_few_journeys():
    log, _ = _small_log()
    full = log.transitions()
    out = log.transitions(min_group_size=2)
    assert out["journeys"].iloc[:-1].min() >= 2
    assert out["source"].iloc[-1] == "other (suppressed)"
    assert out["count"].sum() == full["count"].sum()  # totals stay right
    assert out["suppressed_groups"].sum() == len(full)


def test_funnel_pools_small_segments():
    log, segments = _small_log()
    out = log.funnel(by=segments, min_group_size=2)
    # loyal (1 journey) and pro (1 journey) are pooled; new (3) stays
    assert sorted(set(out["segment"])) == ["new", "other (suppressed)"]
    first = out[out["position"] == 0].set_index("segment")["journeys"]
    assert first.to_dict() == {"new": 3, "other (suppressed)": 2}
    # one small segment alone would be shown through the pool: the next smallest joins it
    one = log.funnel(by={**segments, "e": "new"}, min_group_size=2)
    assert set(one["segment"]) == {"other (suppressed)"}
    with pytest.raises(ValidationError):
        log.funnel(by=segments, min_group_size=0)


def test_routes_never_pool_a_single_small_route_alone():
    df = pd.DataFrame(
        {
            "c": list("aabbccddeef"),
            "t": ["x", "y", "x", "y", "x", "y", "x", "z", "x", "z", "x"],
            "ts": pd.date_range("2024-01-01", periods=11, freq="min"),
        }
    )
    log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
    assert log.routes()["journeys"].tolist() == [3, 2, 1]  # x→y, x→z, x
    # only x is below 2: pooled alone it would show x exactly, so the smallest shown
    # route (x→z) joins the pool
    r = log.routes(min_group_size=2)
    assert r["route_text"].tolist() == ["x → y", "other (suppressed)"]
    assert r["journeys"].tolist() == [3, 3]
    assert r["suppressed_groups"].tolist() == [1, 2]
    # two routes below 3: pooled as usual
    r3 = log.routes(min_group_size=3)
    assert r3["journeys"].tolist() == [3, 3]


# -- stage routes and outcomes by segment ----------------------------------------------
def _staged_log():
    df = pd.DataFrame(
        {
            "c": ["a", "a", "a", "b", "b", "c", "c", "c", "d", "e", "e"],
            "t": [
                "home",
                "search",
                "pay",
                "home",
                "search",
                "home",
                "help",
                "home",
                "home",
                "home",
                "pay",
            ],
            "s": [
                "look",
                "look",
                "buy",
                "look",
                "look",
                "look",
                "care",
                "look",
                "look",
                "look",
                "buy",
            ],
            "persona": ["new"] * 5 + ["pro"] * 3 + ["new", "loyal", "loyal"],
            "ts": pd.date_range("2024-01-01", periods=11, freq="min"),
        }
    )
    return EventLog.from_frame(
        df,
        case_col="c",
        touchpoint_col="t",
        timestamp_col="ts",
        stage_col="s",
        success="pay",
        failure="help",
        strict=False,
        case_cols=["persona"],
    )


def test_stage_routes_collapse_repeats_and_count_outcomes():
    from frictionkit.routes import stage_routes

    log = _staged_log()
    out = stage_routes(log, labels={"buy": "Purchase"})
    # journeys (descending), then the route's text
    assert out["route_text"].tolist() == ["look", "look → Purchase", "look → care → look"]
    assert out["route"].tolist() == [("look",), ("look", "Purchase"), ("look", "care", "look")]
    assert out["n_steps"].tolist() == [1, 2, 3]
    assert out["journeys"].tolist() == [2, 2, 1]
    assert out["successes"].tolist() == [0, 2, 0]
    assert out["open"].tolist() == [2, 0, 0]
    assert out["failures"].tolist() == [0, 0, 1]
    assert out["share"].tolist() == [0.4, 0.4, 0.2]
    assert "suppressed_groups" not in out.columns
    assert out.index.tolist() == [0, 1, 2]
    pd.testing.assert_frame_equal(log.stage_routes(labels={"buy": "Purchase"}), out)


def test_stage_routes_fold_small_routes_and_keep_totals():
    from frictionkit.routes import stage_routes

    log = _staged_log()
    out = stage_routes(log, min_group_size=2)
    # one small route alone would be shown through the fold: the smallest shown joins it
    assert out["route_text"].tolist() == ["look → buy", "other (suppressed)"]
    assert out["route"].tolist() == [("look", "buy"), ()]
    assert out["n_steps"].tolist() == [2, -1]
    assert out["journeys"].tolist() == [2, 3]
    assert out["suppressed_groups"].tolist() == [1, 2]
    assert out["journeys"].sum() == log.n_journeys
    with pytest.raises(ValidationError):
        stage_routes(log, min_group_size=0)


def test_stage_routes_of_a_compact_log_equal_the_full_log():
    from frictionkit.routes import stage_routes

    log = _staged_log()
    pd.testing.assert_frame_equal(stage_routes(log.compact()), stage_routes(log))


@given(event_tables())
def test_stage_routes_and_outcomes_add_up(df):
    from itertools import pairwise

    from frictionkit.routes import outcomes_by, stage_routes

    log = build(df)
    r = stage_routes(log)
    assert r["journeys"].sum() == log.n_journeys
    assert (r["successes"] + r["failures"] + r["open"] == r["journeys"]).all()
    assert r["journeys"].is_monotonic_decreasing
    assert all(a != b for route in r["route"] for a, b in pairwise(route))
    by = {c: str(i % 2) for i, c in enumerate(df["case"].unique())}
    o = outcomes_by(log, by)
    oc = log.outcome_counts
    assert o[["successes", "failures", "open"]].sum().tolist() == [
        oc["success"],
        oc["failure"],
        oc["open"],
    ]


def test_outcomes_by_segment_column_or_mapping():
    from frictionkit.routes import outcomes_by

    log = _staged_log()
    out = outcomes_by(log, "persona")
    assert out["segment"].tolist() == ["new", "loyal", "pro"]
    assert out["journeys"].tolist() == [3, 1, 1]
    assert out["successes"].tolist() == [1, 1, 0]
    assert out["failures"].tolist() == [0, 0, 1]
    assert out["success_rate"].iloc[0] == 1.0
    assert np.isnan(out["success_rate"].iloc[1:].to_numpy()).tolist() == [False, False]
    mapping = {"a": "new", "b": "new", "c": "pro", "d": "new", "e": "loyal"}
    pd.testing.assert_frame_equal(outcomes_by(log, mapping), out)
    pd.testing.assert_frame_equal(log.outcomes_by("persona"), out)
    with pytest.raises(UnknownReferenceError):
        outcomes_by(log, "region")


def test_outcomes_by_folds_small_segments():
    from frictionkit.routes import outcomes_by

    log = _staged_log()
    out = outcomes_by(log, "persona", min_group_size=2)
    assert out["segment"].tolist() == ["new", "other (suppressed)"]
    assert out["journeys"].tolist() == [3, 2]
    assert out["suppressed_groups"].tolist() == [1, 2]
    assert out["successes"].sum() == log.outcome_counts["success"]


# -- the funnel agrees with friction; branches (issue 18) --------------------------------
STAGE_OF = {"home": "browse", "search": "browse", "cart": "buy", "pay": "buy", "help": "care"}


def _reference_reach(df, log):
    """Journeys reaching each stage by plain Python: a journey is read up to its first
    outcome event (pay or help) and the same-outcome events right after it; outcome
    touchpoints never count (unless every decided journey is made of its outcome events
    alone, read as an outcome column repeated per case); a journey reaches every stage up
    to its furthest one (stage order from the log)."""
    order = {s: i for i, s in enumerate(log.stages)}
    tps = log.touchpoint_table()
    stage_of = dict(zip(tps["touchpoint"], tps["stage"], strict=True))
    ordered = df.assign(row=range(len(df))).sort_values(["case", "ts", "row"], kind="stable")
    read, whole = [], True
    for _, events in ordered.groupby("case", sort=False):
        tps = events["tp"].tolist()
        first = next((i for i, t in enumerate(tps) if t in ("pay", "help")), None)
        if first is None:
            read.append(tps)
            continue
        end = first + 1
        while end < len(tps) and tps[end] == tps[first]:
            end += 1
        read.append(tps[:end])
        whole &= all(t == tps[first] for t in tps)
    steps = set() if whole else {"pay", "help"}
    reach = Counter()
    for tps in read:
        furthest = max((order[stage_of[t]] for t in tps if t not in steps), default=-1)
        for s in range(furthest + 1):
            reach[log.stages[s]] += 1
    return reach


@settings(max_examples=60, deadline=None)
@given(event_tables(), st.booleans())
def test_funnel_reach_agrees_with_friction_for_every_stage(df, staged):
    kw = {"stage_col": "stage"} if staged else {}
    log = build(df.assign(stage=df["tp"].map(STAGE_OF)), **kw)
    f = log.funnel(branch_threshold=None).set_index("stage")
    reference = _reference_reach(df, log)
    assert f["journeys"].to_dict() == {s: reference[s] for s in f.index}
    if log.outcome_counts["success"] + log.outcome_counts["failure"] == 0:
        return
    table = log.friction(min_support=1, n_boot=0)
    decided = (f["successes"] + f["failures"]).to_dict()
    for stage, reached in table.groupby("stage")["reached_stage"]:
        assert reached.nunique() == 1
        if stage in decided:  # a stage made of outcome steps alone is no funnel row
            assert decided[stage] == reached.iloc[0]
    # branches change no reach figure
    pd.testing.assert_series_equal(log.funnel()["journeys"], f["journeys"].reset_index(drop=True))


def test_outcome_steps_do_not_reach_their_stage():
    # the clickstream of the issue: checkout holds the pay page and the buy step;
    # 3 sessions reach checkout, 1 pays, 2 leave at the pay page, 1 buys without it (an
    # outcome step alone does not reach checkout)
    df = pd.DataFrame(
        {
            "c": ["a", "a", "a", "b", "b", "c", "c", "d", "d"],
            "t": ["home", "pay_page", "buy", "home", "pay_page", "home", "pay_page", "home", "buy"],
            "ts": pd.date_range("2024-01-01", periods=9, freq="min"),
        }
    )
    stage = {"home": "browse", "pay_page": "checkout", "buy": "checkout"}
    df["s"] = df["t"].map(stage)
    log = EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", stage_col="s", success="buy"
    )
    f = log.funnel().set_index("stage")
    assert f["journeys"].to_dict() == {"browse": 4, "checkout": 3}
    assert f.loc["checkout", "step_conversion"] == 0.75
    assert f.loc["checkout", "visited"] == 3
    assert f.loc["browse", "drop_off"] == 1  # d: bought straight from home
    # friction reads decided journeys only: a reached checkout and bought, d did not
    friction = log.friction(min_support=1, n_boot=0).set_index("touchpoint")
    assert friction.loc["pay_page", "reached_stage"] == 1
    assert f.loc["checkout", "successes"] + f.loc["checkout", "failures"] == 1


def _branch_log(n_appeal=2, n_ended=3, n_fined=12):
    """fine -> [appeal] -> pay journeys, plus journeys that end after the fine."""
    rows = []
    for i in range(n_fined):
        path = ["fine"]
        if i < n_appeal:
            path += ["appeal", "pay"]
        elif i < n_fined - n_ended:
            path += ["pay"]
        rows += [(f"j{i:02d}", t, k) for k, t in enumerate(path)]
    df = pd.DataFrame(rows, columns=["c", "t", "k"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["k"], unit="h")
    return EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", stage_col="t"
    )


def test_a_stage_few_go_through_is_a_branch():
    log = _branch_log()
    f = log.funnel().set_index("stage")
    assert f["kind"].to_dict() == {"fine": "main", "appeal": "branch", "pay": "main"}
    # 2 of the 12 fined journeys appealed; of the 10 others, 7 went on to pay, 3 ended
    assert f.loc["appeal", "visited"] == 2
    assert f.loc["appeal", "branch_share"] == pytest.approx(2 / 12)
    assert f.loc["appeal", "went_instead"] == "pay"
    assert f.loc["appeal", "went_instead_share"] == pytest.approx(7 / 10)
    assert np.isnan(f.loc["appeal", "step_conversion"])
    # pay converts from the main stage before the branch, not through it
    assert f.loc["pay", "step_conversion"] == pytest.approx(9 / 12)
    assert f.loc["appeal", "journeys"] == f.loc["pay", "journeys"] == 9  # reach is unchanged
    # without branches the old reading: appeal "from the stage before" 100 %
    linear = log.funnel(branch_threshold=None).set_index("stage")
    assert (linear["kind"] == "main").all()
    assert linear.loc["appeal", "step_conversion"] == pytest.approx(9 / 12)
    assert linear.loc["pay", "step_conversion"] == 1.0
    assert linear["branch_share"].isna().all()
    # a threshold below the share that took it makes it main again
    assert log.funnel(branch_threshold=0.2).set_index("stage").loc["appeal", "kind"] == "main"


def test_branch_threshold_refuses_bad_values():
    log = _branch_log()
    with pytest.raises(ValidationError, match="branch_threshold"):
        log.funnel(branch_threshold=1.5)
    with pytest.raises(InputTypeError, match="branch_threshold"):
        log.funnel(branch_threshold="half")


def test_branch_figures_of_few_journeys_are_hidden():
    log = _branch_log()
    f = log.funnel(min_group_size=3).set_index("stage")
    # 2 took the appeal: its count and share are hidden; the 7 who went on and the 3 who
    # ended are both >= 3, but they rest on the 10 that did not take it, shown
    assert pd.isna(f.loc["appeal", "visited"])
    assert pd.isna(f.loc["appeal", "branch_share"])
    assert f.loc["appeal", "went_instead_share"] == pytest.approx(0.7)
    assert bool(f.loc["appeal", "suppressed"])
    f2 = _branch_log(n_ended=2).funnel(min_group_size=3).set_index("stage")
    assert pd.isna(f2.loc["appeal", "went_instead_share"])  # 2 ended: hidden
    by = log.funnel(by={f"j{i:02d}": "x" for i in range(12)})
    assert by["kind"].tolist() == ["main", "branch", "main"]


# -- golden funnels on real logs -----------------------------------------------------------
FINES_STAGE = {
    "Create Fine": "fine",
    "Send Fine": "notify",
    "Insert Fine Notification": "notify",
    "Add penalty": "penalty",
    "Insert Date Appeal to Prefecture": "appeal",
    "Send Appeal to Prefecture": "appeal",
    "Receive Result Appeal from Prefecture": "appeal",
    "Notify Result Appeal to Offender": "appeal",
    "Appeal to Judge": "appeal",
    "Payment": "payment",
    "Send for Credit Collection": "collection",
}


def test_fines_funnel_shows_the_appeal_as_a_branch():
    # Golden: the first 10,000 cases of de Leoni & Mannhardt's Road Traffic Fine
    # Management log (4TU.ResearchData, doi:10.4121/uuid:270fd440-1057-4fb9-89a9-b699b47990f5).
    # Independent check: 248 cases hold an appeal activity before their outcome
    # (counted by plain Python below); Payment and Send for Credit Collection decide the
    # outcome and are not stages of the funnel.
    path = shared_data(FINES)
    df = pd.read_csv(path, dtype={"case_id": str}, keep_default_na=False)
    df["stage"] = df["activity"].map(FINES_STAGE)
    log = EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
        stage_col="stage",
        success="Payment",
        failure="Send for Credit Collection",
        when_both="failure",
    )
    f = log.funnel().set_index("stage")
    assert f.index.tolist() == ["fine", "notify", "appeal", "penalty"]
    assert f["kind"].tolist() == ["main", "main", "branch", "main"]
    assert f["journeys"].tolist() == [10000, 6561, 4620, 4617]
    assert f.loc["appeal", "visited"] == 248
    assert f.loc["appeal", "branch_share"] == pytest.approx(248 / 6561)
    assert f.loc["appeal", "went_instead"] == "penalty"
    assert f.loc["penalty", "step_conversion"] == pytest.approx(4617 / 6561)
    appealed = 0
    ordered = df.assign(row=range(len(df))).sort_values(["case_id", "timestamp", "row"])
    for _, acts in ordered.groupby("case_id")["activity"]:
        for a in acts:
            if a in ("Payment", "Send for Credit Collection"):
                break
            if FINES_STAGE[a] == "appeal":
                appealed += 1
                break
    assert appealed == 248
    friction = log.friction(n_boot=0).set_index("touchpoint")
    decided = (f["successes"] + f["failures"]).to_dict()
    for tp, stage in FINES_STAGE.items():
        if stage in decided:
            assert friction.loc[tp, "reached_stage"] == decided[stage]


def test_helpdesk_funnel_has_the_waiting_stage_as_a_branch():
    # Golden: Verenich's Helpdesk event log (2016, Mendeley Data, CC BY 4.0). With
    # inferred stages the third stage (Wait, Require upgrade, SW anomalies) is taken by
    # 1,358 of 4,580 tickets; before issue 18 it read "100 % from the stage before".
    # Closed decides the outcome, so its stage keeps only VERIFIED (2 tickets).
    log = read_events(
        shared_data(HELPDESK),
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
        success="Closed",
    )
    f = log.funnel()
    assert f["kind"].tolist() == ["main", "main", "branch", "main", "main"]
    assert f["journeys"].tolist() == [4580, 4580, 4580, 4569, 2]
    assert f["visited"].tolist()[2] == 1358
    assert f["branch_share"].iloc[2] == pytest.approx(1358 / 4580)
    assert f["went_instead_share"].iloc[2] == 1.0
    assert f["step_conversion"].iloc[3] == pytest.approx(4569 / 4580)
    wait = log.touchpoint_table().set_index("touchpoint").loc["Wait", "stage"]
    assert f.loc[2, "stage"] == wait


def test_olist_funnel_from_its_milestones():
    # Golden: Olist's Brazilian E-Commerce Public Dataset (CC BY-NC-SA 4.0), the orders
    # subsample in ../shared/data: purchase (8,135 orders) -> carrier (6,353 have a
    # carrier date) -> delivery (5,170 have a delivery date); the outcome is the order
    # status on every event, so no touchpoint is an outcome step and no stage a branch.
    path = shared_data("olist/olist_orders_dataset.csv.gz")
    orders = pd.read_csv(path, dtype=str, keep_default_na=False)
    steps = {
        "purchase": ("order_purchase_timestamp", "purchase"),
        "approved": ("order_approved_at", "purchase"),
        "carrier": ("order_delivered_carrier_date", "fulfilment"),
        "delivered": ("order_delivered_customer_date", "delivery"),
    }
    parts = [
        pd.DataFrame(
            {
                "order_id": orders["order_id"],
                "touchpoint": name,
                "stage": stage,
                "time": pd.to_datetime(orders[col].replace("", None)),
            }
        )
        for name, (col, stage) in steps.items()
    ]
    events = pd.concat(parts).dropna(subset=["time"])
    outcome = orders.set_index("order_id")["order_status"].map(
        {"delivered": "success", "canceled": "failure", "unavailable": "failure"}
    )
    events["outcome"] = events["order_id"].map(outcome)
    log = EventLog.from_frame(
        events,
        case_col="order_id",
        touchpoint_col="touchpoint",
        timestamp_col="time",
        stage_col="stage",
        outcome_col="outcome",
        strict=False,
    )
    f = log.funnel().set_index("stage")
    assert f.index.tolist() == ["purchase", "fulfilment", "delivery"]
    assert (f["kind"] == "main").all()
    assert f["journeys"].tolist() == [8135, 6353, 5170]
    assert f["journeys"].tolist()[1] == (orders["order_delivered_carrier_date"] != "").sum()
    assert f.loc["delivery", "successes"] == 5164


# ---------------------------------------------------------------------------------------
# kinds of outcome in transitions, stage routes and outcomes by segment (issue 18)
# ---------------------------------------------------------------------------------------
_KIND_FAILURES = {"declined": ["Decline"], "cancelled": ["Cancel"]}


def _kinds_log(df=None, **kw):
    if df is None:
        rows = [
            ("a", "Apply", "in", "new"), ("a", "Check", "check", "new"),
            ("a", "Approve", "end", "new"),
            ("b", "Apply", "in", "new"), ("b", "Check", "check", "new"),
            ("b", "Decline", "end", "new"),
            ("c", "Apply", "in", "old"), ("c", "Decline", "end", "old"),
            ("d", "Apply", "in", "old"), ("d", "Check", "check", "old"),
            ("d", "Cancel", "end", "old"),
            ("e", "Apply", "in", "old"), ("e", "Check", "check", "old"),
        ]  # fmt: skip
        df = pd.DataFrame(rows, columns=["c", "t", "s", "seg"])
        df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(df)), unit="min")
    return EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="Approve",
        failure=_KIND_FAILURES, **kw,
    )  # fmt: skip


def test_transitions_count_journeys_per_kind():
    t = _kinds_log().transitions().set_index(["source", "target"])
    # hand count: Apply → Check in a (success), b (declined), d (cancelled), e (open)
    row = t.loc[("Apply", "Check")]
    assert (row["journeys"], row["failures_declined"], row["failures_cancelled"]) == (4, 1, 1)
    assert t.loc[("Apply", "Decline"), "failures_declined"] == 1
    assert t.loc[("Cancel", "FAILURE"), "failures_cancelled"] == 1
    assert t.loc[("Cancel", "FAILURE"), "failures_declined"] == 0
    # every journey leaves START once: the START rows hold the kind counts
    start = t.loc["START"].sum()
    counts = _kinds_log().kind_counts
    assert start["failures_declined"] == counts["declined"] == 2
    assert start["failures_cancelled"] == counts["cancelled"] == 1
    plain = EventLog.from_frame(
        _kinds_log().to_frame().rename(columns={"case_id": "c", "touchpoint": "t",
                                                "timestamp": "ts"}),
        case_col="c", touchpoint_col="t", timestamp_col="ts", success="Approve",
        failure=["Decline", "Cancel"],
    ).transitions()  # fmt: skip
    assert not any(c.startswith("failures_") for c in plain.columns)
    pd.testing.assert_frame_equal(_kinds_log().transitions()[list(plain.columns)], plain)


def test_transitions_fold_kind_counts_with_small_pairs():
    t = _kinds_log().transitions(min_group_size=2)
    assert t["failures_declined"].sum() == _kinds_log().transitions()["failures_declined"].sum()


def test_stage_routes_and_outcomes_by_count_per_kind():
    log = _kinds_log(stage_col="s", case_cols=["seg"])
    sr = log.stage_routes()
    assert (sr["failures_declined"] + sr["failures_cancelled"]).equals(sr["failures"])
    assert sr["failures_declined"].sum() == 2
    assert sr["failures_cancelled"].sum() == 1
    cols = list(sr.columns)
    assert cols.index("failures_declined") == cols.index("open") + 1
    folded = log.stage_routes(min_group_size=2)
    assert folded["failures_declined"].sum() == 2
    by = log.outcomes_by("seg").set_index("segment")
    assert by.loc["new", "failures_declined"] == 1
    assert by.loc["old", "failures_declined"] == 1
    assert by.loc["old", "failures_cancelled"] == 1
    assert by["failures_cancelled"].sum() == 1


@st.composite
def _kind_logs(draw):
    n = draw(st.integers(1, 40))
    cases = draw(st.lists(st.sampled_from("abcdefgh"), min_size=n, max_size=n))
    steps = draw(
        st.lists(st.sampled_from(["x", "y", "Approve", "Decline", "Cancel"]), min_size=n,
                 max_size=n)
    )  # fmt: skip
    seg = draw(st.lists(st.sampled_from(["p", "q"]), min_size=n, max_size=n))
    df = pd.DataFrame({"c": cases, "t": steps, "seg": seg})
    df["seg"] = df.groupby("c")["seg"].transform("first")
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(range(n), "s")
    return df


@settings(max_examples=40, deadline=None)
@given(df=_kind_logs(), size=st.sampled_from([None, 2]))
def test_kind_columns_add_up_and_agree_with_routes(df, size):
    log = _kinds_log(df, case_cols=["seg"], strict=False)
    counts = log.kind_counts
    for table in (
        log.routes(min_group_size=size),
        log.stage_routes(min_group_size=size),
        log.outcomes_by("seg", min_group_size=size),
    ):
        assert (table["failures_declined"] + table["failures_cancelled"]).equals(table["failures"])
        assert table["failures_declined"].sum() == counts["declined"]
        assert table["failures_cancelled"].sum() == counts["cancelled"]
    t = log.transitions()
    into = t[t["target"] == "FAILURE"]
    assert into["failures_declined"].sum() == counts["declined"]
    assert (into["failures_declined"] + into["failures_cancelled"]).sum() == into["journeys"].sum()
    assert (t["failures_declined"] + t["failures_cancelled"] <= t["journeys"]).all()


def _transitions_by_hand(log):
    # the straightforward version: walk each journey, collect its edges, then count
    names = ["START", *log.touchpoints, "SUCCESS", "FAILURE", "OPEN"]
    end = {0: "OPEN", 1: "SUCCESS", 2: "FAILURE"}
    count, journeys, gaps = Counter(), defaultdict(set), defaultdict(list)
    off, tp, ts = log.journey_offsets, log.event_touchpoint, log.event_timestamp_ns
    for j in range(log.n_journeys):
        a, b = int(off[j]), int(off[j + 1])
        states = ["START", *(names[int(t) + 1] for t in tp[a:b])]
        states.append(end[int(log.journey_outcome[j])])
        for i, pair in enumerate(pairwise(states)):
            count[pair] += 1
            journeys[pair].add(j)
            if 0 < i < len(states) - 2:
                gaps[pair].append(int(ts[a + i]) - int(ts[a + i - 1]))
    rank = {n: i for i, n in enumerate(names)}
    rows = sorted(count, key=lambda p: (rank[p[0]], rank[p[1]]))
    return pd.DataFrame(
        {
            "source": [p[0] for p in rows],
            "target": [p[1] for p in rows],
            "count": [count[p] for p in rows],
            "journeys": [len(journeys[p]) for p in rows],
            "median_s": [np.quantile(gaps[p], 0.5) / 1e9 if gaps[p] else np.nan for p in rows],
            "p95_s": [np.quantile(gaps[p], 0.95) / 1e9 if gaps[p] else np.nan for p in rows],
        }
    )


@given(event_tables())
def test_transitions_equal_the_journey_by_journey_count(df):
    # the narrowed, gather-free kernel (issue 22) against a walk over the journeys
    log = build(df)
    got = log.transitions()[["source", "target", "count", "journeys", "median_s", "p95_s"]]
    want = _transitions_by_hand(log)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want, check_dtype=False, rtol=1e-9, atol=0
    )


@given(event_tables())
def test_decided_paths_visitors_and_kept_lengths_equal_the_pair_counts(df):
    # the flag table and running count (issue 22) against distinct (journey, touchpoint)
    # pairs and a count of kept events per journey
    from frictionkit.events import _reductions

    log = build(df)
    if not (log.journey_outcome != 0).any():
        return
    paths = _reductions._decided_paths(log, "test")
    lengths = np.diff(paths.offsets_all)
    jj = np.repeat(np.arange(len(lengths)), lengths)
    tp_all = log.event_touchpoint[paths.event_all]
    k = len(log.touchpoints)
    _, pt, _ = _reductions.pair_counts(jj, tp_all, len(lengths), k)
    assert paths.visitors_all.tolist() == np.bincount(pt, minlength=k).tolist()
    keep = ~paths.outcome_step[tp_all]
    kept = np.bincount(jj[keep], minlength=len(lengths))
    assert paths.offsets.tolist() == np.r_[0, np.cumsum(kept)].tolist()
    assert paths.tp.tolist() == tp_all[keep].tolist()


@settings(max_examples=100)
@given(
    st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=12), min_size=1, max_size=30),
    st.integers(1, 7),
)
def test_route_codes_hashed_in_blocks_equal_the_prefix_tree(journeys, block):
    # routes are hashed block by block of events (issue 22): the same keys for any block
    from frictionkit.events import _reductions

    tp = np.array([c for j in journeys for c in j], dtype=np.int64)
    off = np.r_[0, np.cumsum([len(j) for j in journeys])].astype(np.int64)
    expected = _reductions._route_codes_tree(tp, off, 4).tolist()
    old = _reductions._HASH_BLOCK
    try:
        _reductions._HASH_BLOCK = block
        assert route_codes(tp, off, 4).tolist() == expected
    finally:
        _reductions._HASH_BLOCK = old


@given(event_tables())
def test_journey_ends_stage_reach_and_dwell_equal_their_definition(df):
    # the read part of each journey, the counted events, the furthest stage and the dwell
    # from the few outcome events (issue 22) against a walk over each journey
    from frictionkit.events import _reductions

    log = build(df)
    eo, off, tp = log.event_outcome, log.journey_offsets, log.event_touchpoint
    k = len(log.touchpoints)
    coded = np.bincount(tp, weights=eo != 0, minlength=k)
    steps = coded == np.bincount(tp, minlength=k)
    # an outcome carried by every event of every decided journey (a case column): no
    # touchpoint decides by itself
    carried = [
        all(eo[i] == log.journey_outcome[j] for i in range(off[j], off[j + 1]))
        for j in range(log.n_journeys)
        if log.journey_outcome[j] != 0
    ]
    if carried and all(carried):
        steps[:] = False
    assert _reductions.outcome_steps(log).tolist() == steps.tolist()
    stage_of = log.touchpoint_stage
    ends, counted, furthest = [], [], []
    gaps: dict[int, list[int]] = defaultdict(list)
    for j in range(log.n_journeys):
        a, b = int(off[j]), int(off[j + 1])
        dec = int(log.journey_deciding_event[j])
        end = b
        if dec >= 0:  # up to the first event after the deciding one without its outcome
            end = dec
            while end < b and eo[end] == log.journey_outcome[j]:
                end += 1
        ends.append(end)
        mine = [a <= i < end and not steps[tp[i]] for i in range(a, b)]
        counted += mine
        stages = [int(stage_of[tp[i]]) for i, c in zip(range(a, b), mine, strict=True) if c]
        furthest.append(max(stages, default=-1))
        if log.journey_outcome[j] != 0:
            for i in range(a, end - 1):
                gaps[int(tp[i])].append(
                    int(log.event_timestamp_ns[i + 1] - log.event_timestamp_ns[i])
                )
    assert _reductions.journey_ends(log).tolist() == ends
    reach = _reductions.stage_reach(log)
    assert reach.counted.tolist() == counted
    assert reach.furthest.tolist() == furthest
    if (log.journey_outcome != 0).any():
        dwell = _reductions.dwell_ns(log)[0].set_index("tp")
        assert sorted(dwell.index.tolist()) == sorted(gaps)
        for t, g in gaps.items():
            assert dwell.loc[t, "median_ns"] == pytest.approx(np.quantile(g, 0.5), rel=1e-12)
            assert dwell.loc[t, "p95_ns"] == pytest.approx(np.quantile(g, 0.95), rel=1e-12)


@settings(max_examples=50)
@given(event_tables(), st.booleans())
def test_transitions_the_same_from_the_flag_table_and_the_grouping(df, compact):
    # distinct journeys per pair from a (journey, pair) flag table, or from the edges
    # grouped by pair where that table would be large: the same table bit for bit
    import frictionkit.routes as routes_mod

    log = build(df)
    log = log.compact() if compact else log
    flagged = log.transitions()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(routes_mod, "_SEEN_CELLS", 0)
        grouped = (build(df).compact() if compact else build(df)).transitions()
    pd.testing.assert_frame_equal(flagged, grouped)


def test_transitions_per_kind_the_same_from_the_flag_table_and_the_grouping(monkeypatch):
    import frictionkit.routes as routes_mod

    flagged = _kinds_log().transitions()
    monkeypatch.setattr(routes_mod, "_SEEN_CELLS", 0)
    pd.testing.assert_frame_equal(flagged, _kinds_log().transitions())
