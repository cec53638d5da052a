"""Tests for stage-matched friction, failure sub-routes and EventLog.markov()."""

from __future__ import annotations

import csv
import gzip
import itertools
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from frictionkit.datasets.simulate import simulate_journeys
from frictionkit.events import EventLog, read_events
from frictionkit.exceptions import InputTypeError, UnknownReferenceError, ValidationError
from frictionkit.friction import (
    benjamini_hochberg,
    fisher_exact_p,
    odds_ratio_prior,
    risk_ratio,
)
from frictionkit.markov import MarkovModel
from frictionkit.model import Journey, Stage, Touchpoint
from tests.helpers import assert_decisions_first, shared_data

SIM_MAP = (
    ("home", "discovery"),
    ("search", "discovery"),
    ("product", "consideration"),
    ("cart", "purchase"),
    ("checkout", "purchase"),
    ("payment", "purchase"),
    ("payment_error", "purchase"),
    ("support", "service"),
    ("confirmation", "purchase"),
)


def sim_log(n=6000, seed=11, **kw):
    df = simulate_journeys(n, seed=seed)
    return df, EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        outcome_col="outcome",
        strict=False,
        **kw,
    )


# ---------------------------------------------------------------------------------------
# golden kernels
# ---------------------------------------------------------------------------------------
def test_risk_ratio_katz_actg076():
    # Connor et al. (1994), NEJM 331:1173, ACTG 076: 13/180 (zidovudine) vs 40/183
    # (placebo) infants infected; RR 0.33, 95 % CI 0.18 to 0.60 (the worked example of
    # J. McGready, Johns Hopkins Bloomberg School of Public Health, "Comparing proportions
    # between two independent populations", section on relative risk).
    rr, low, high = risk_ratio(np.array([13]), np.array([180]), np.array([40]), np.array([183]))
    assert rr[0] == pytest.approx((13 / 180) / (40 / 183))
    assert round(float(rr[0]), 2) == 0.33
    assert round(float(low[0]), 2) == 0.18
    assert round(float(high[0]), 2) == 0.60


def test_risk_ratio_zero_cell_is_corrected_and_finite():
    rr, low, high = risk_ratio(
        np.array([0, 5]), np.array([10, 5]), np.array([5, 0]), np.array([10, 10])
    )
    # 0.5 added to each cell: (0.5 / 11) / (5.5 / 11) = 1 / 11
    assert rr[0] == pytest.approx(1 / 11)
    assert np.isfinite([rr, low, high]).all()
    nan = risk_ratio(np.array([1]), np.array([0]), np.array([1]), np.array([3]))[0]
    assert np.isnan(nan).all()


def test_benjamini_hochberg_paper_example_and_scipy():
    # Benjamini & Hochberg (1995), JRSS B 57:289, section 4: 15 p-values, 4 discoveries
    # at q = 0.05.
    p = np.array([0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459])
    p = np.r_[p, [0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0]]
    q = benjamini_hochberg(p)
    assert (q <= 0.05).sum() == 4
    np.testing.assert_allclose(q, scipy.stats.false_discovery_control(p), rtol=1e-12)
    with_nan = benjamini_hochberg(np.array([np.nan, 0.01, 0.04]))
    assert np.isnan(with_nan[0])
    assert with_nan[1:].tolist() == pytest.approx([0.02, 0.04])


def test_odds_ratio_prior_by_hand():
    odds, low, high = odds_ratio_prior(np.array([3]), np.array([7]), np.array([2]), np.array([8]))
    assert odds[0] == pytest.approx((3.5 * 8.5) / (7.5 * 2.5))
    se = np.sqrt(1 / 3.5 + 1 / 7.5 + 1 / 2.5 + 1 / 8.5)
    assert low[0] == pytest.approx(odds[0] * np.exp(-1.959963984540054 * se))
    assert high[0] == pytest.approx(odds[0] * np.exp(1.959963984540054 * se))


# ---------------------------------------------------------------------------------------
# the key test: naive lift rewards late steps, stage matching does not
# ---------------------------------------------------------------------------------------
def naive_failure_ratio(df):
    """Hand-computed naive comparison: failure risk of journeys that touched X vs all others."""
    dec = df[df["outcome"] != "open"]
    failed = dec.groupby("case_id")["outcome"].first() == "failure"
    out = {}
    for tp in sorted(dec["touchpoint"].unique()):
        touched = dec.loc[dec["touchpoint"] == tp, "case_id"].unique()
        mask = failed.index.isin(touched)
        out[tp] = failed[mask].mean() / failed[~mask].mean()
    return out


@pytest.mark.parametrize("stages", ["column", "journey", "inferred"])
def test_stage_matching_flags_the_error_step_that_naive_lift_understates(stages):
    df = simulate_journeys(6000, seed=11)
    kw: dict = {}
    if stages == "column":
        kw["stage_col"] = "stage"
    elif stages == "journey":
        kw["journey"] = Journey(
            stages=[Stage(id=s) for s in ["discovery", "consideration", "purchase", "service"]],
            touchpoints=[Touchpoint(id=t, stage=s, channel="web") for t, s in SIM_MAP],
        )
    log = EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        outcome_col="outcome",
        strict=False,
        **kw,
    )
    naive = naive_failure_ratio(df)
    # naive lift rewards the late-funnel steps: reaching them is progress
    assert naive["payment"] < 0.3
    assert naive["checkout"] < 0.4
    # ... and makes the error step look much less bad than it is
    table = log.friction().set_index("touchpoint")
    assert (table["stage_source"] == stages).all()
    matched = table.loc["payment_error", "risk_ratio"]
    assert naive["payment_error"] < 1.6 < 2.0 < matched
    # the stage-matched table puts the true friction point first, significantly
    assert log.friction()["touchpoint"].iloc[0] == "payment_error"
    assert table.loc["payment_error", "q_value"] < 1e-6
    assert table.loc["payment_error", "risk_ratio_low"] > 1.5
    if stages != "inferred":  # inferred: payment shares its stage with few others
        assert table.loc["payment", "risk_ratio"] < 1


def test_friction_columns_against_plain_pandas():
    df, log = sim_log(3000, seed=4, stage_col="stage")
    table = log.friction(min_support=5).set_index("touchpoint")
    dec = df[df["outcome"] != "open"]
    failed = dec.groupby("case_id")["outcome"].first() == "failure"
    visits = dec.groupby(["case_id", "touchpoint"]).size()
    for tp in ["cart", "checkout", "payment_error", "search"]:
        v = visits.xs(tp, level="touchpoint")
        assert table.loc[tp, "journeys"] == len(v)
        assert table.loc[tp, "repeat_rate"] == pytest.approx((v >= 2).mean())
        assert table.loc[tp, "failures_visited"] == failed[v.index].sum()
    last = dec.groupby("case_id")["touchpoint"].last()[failed]
    share = last.value_counts() / failed.sum()
    assert table.loc["payment_error", "exit_share"] == pytest.approx(share["payment_error"])
    assert table["exit_share"].sum() == pytest.approx(1.0)
    gaps = dec.groupby("case_id")["timestamp"].diff().shift(-1).dt.total_seconds()
    med = gaps.groupby(dec["touchpoint"]).median()
    assert table.loc["cart", "median_dwell_s"] == pytest.approx(med["cart"])
    # issue 17: sorted by verdict ("friction" first), then attributable failures
    first = table[table["verdict"] == "friction"]["attributable_failures"]
    assert first.is_monotonic_decreasing
    rest = table[table["verdict"] != "friction"]["attributable_failures"].dropna()
    assert rest.is_monotonic_decreasing


def test_min_support_guard():
    _, log = sim_log(800, seed=2, stage_col="stage")
    table = log.friction(min_support=100_000)
    assert not table["supported"].any()
    assert table["risk_ratio"].isna().all()
    assert table["q_value"].isna().all()
    for bad, err in ((0, ValidationError), (2.5, InputTypeError), (True, InputTypeError)):
        with pytest.raises(err, match="min_support"):
            log.friction(min_support=bad)
        with pytest.raises(err, match="min_support"):
            log.failure_patterns(min_support=bad)


# ---------------------------------------------------------------------------------------
# failure patterns
# ---------------------------------------------------------------------------------------
def test_failure_patterns_counts_match_plain_python():
    df, log = sim_log(1500, seed=8)
    table = log.failure_patterns(max_len=3, min_support=1).set_index("pattern")
    dec = df[df["outcome"] != "open"]
    traces = dec.groupby("case_id")["touchpoint"].agg(tuple)
    failed = dec.groupby("case_id")["outcome"].first() == "failure"
    has: dict[tuple, set] = defaultdict(set)
    for case, trace in traces.items():
        for m in (2, 3):
            for i in range(len(trace) - m + 1):
                has[trace[i : i + m]].add(case)
    loop = ("checkout", "cart", "checkout")
    assert loop in table.index  # back-and-forth loops are patterns too
    for pat in [loop, ("payment", "payment_error"), ("cart", "checkout")]:
        cases = has[pat]
        first = {c for c, t in traces.items() if pat[0] in t}
        row = table.loc[[pat]].iloc[0]
        assert row["journeys"] == len(cases)
        assert row["failures"] == sum(failed[c] for c in cases)
        assert row["comparison_journeys"] == len(first - cases)
    top = log.failure_patterns(max_len=3, min_support=30)
    assert "payment_error" in top["pattern"].iloc[0]
    assert_decisions_first(top)


def test_max_len_validation():
    _, log = sim_log(300, seed=1)
    for bad in (1, 0, 11):
        with pytest.raises(ValidationError, match="max_len"):
            log.failure_patterns(max_len=bad)
    with pytest.raises(InputTypeError, match="max_len"):
        log.failure_patterns(max_len=2.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Markov
# ---------------------------------------------------------------------------------------
def test_log_markov_counts_loops_and_matches_from_paths():
    df, log = sim_log(2000, seed=6)
    model = log.markov()
    dec = df[df["outcome"] != "open"]
    g = dec.groupby("case_id", sort=True)
    ref = MarkovModel.from_paths(g["touchpoint"].agg(tuple).tolist(), g["outcome"].first().tolist())
    np.testing.assert_array_equal(model.counts, ref.counts)
    assert model.n_open == (df.groupby("case_id")["outcome"].first() == "open").sum()
    # loops count every time round, not once per journey
    i, j = model.states.index("checkout"), model.states.index("cart")
    pairs = Counter((a, b) for t in g["touchpoint"].agg(tuple) for a, b in itertools.pairwise(t))
    assert model.counts[i, j] == pairs[("checkout", "cart")]
    a = log.repair_effects(reduce_failure_by=0.5, bootstrap=30, seed=3)
    b = ref.repair_effects(reduce_failure_by=0.5, bootstrap=30, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a["touchpoint"].iloc[0] == "payment_error"


def test_repair_value_defaults_to_mean_value_of_successes():
    df = pd.DataFrame(
        {
            "c": ["a", "a", "b", "b", "c", "c", "d"],
            "t": ["x", "buy", "x", "buy", "x", "quit", "x"],
            "ts": pd.date_range("2024-01-01", periods=7, freq="h"),
            "v": [None, 10.0, None, 30.0, None, None, 99.0],
        }
    )
    log = EventLog.from_frame(
        df,
        case_col="c",
        touchpoint_col="t",
        timestamp_col="ts",
        success="buy",
        failure="quit",
        value_col="v",
    )
    table = log.repair_effects(reduce_failure_by=0.5).set_index("touchpoint")
    row = table.loc["x"]
    assert row["extra_value"] == pytest.approx(row["extra_successes"] * 20.0)
    own = log.repair_effects(reduce_failure_by=0.5, value_per_success=1.0).set_index("touchpoint")
    assert own.loc["x", "extra_value"] == pytest.approx(row["extra_successes"])
    assert log.markov().n_open == 1


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------
def test_all_open_log_is_refused_with_a_clear_message():
    df = pd.DataFrame({"c": ["a", "a", "b"], "t": ["x", "y", "x"], "ts": ["2024-01-01"] * 3})
    log = EventLog.from_frame(df, case_col="c", touchpoint_col="t", timestamp_col="ts")
    for call in (log.friction, log.markov, log.failure_patterns, log.repair_effects):
        with pytest.raises(ValidationError, match="all 2 journeys are open"):
            call()


def test_single_journey_log():
    df = pd.DataFrame({"c": ["a"] * 3, "t": ["x", "y", "buy"], "ts": ["2024-01-01"] * 3})
    log = EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="buy"
    )
    table = log.friction(min_support=1)
    assert not table["supported"].any()
    assert log.failure_patterns(min_support=1).empty
    with pytest.raises(ValidationError, match="no journey ends in failure"):
        log.markov()


# ---------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------
SMALL = simulate_journeys(400, seed=21)


def _log(df):
    return EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        stage_col="stage",
        outcome_col="outcome",
        strict=False,
    )


BASE = _log(SMALL)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_shuffling_rows_changes_nothing(seed):
    shuffled = SMALL.sample(frac=1.0, random_state=seed % (2**31))
    log = _log(shuffled)
    pd.testing.assert_frame_equal(log.friction(min_support=5), BASE.friction(min_support=5))
    pd.testing.assert_frame_equal(
        log.failure_patterns(min_support=5), BASE.failure_patterns(min_support=5)
    )
    np.testing.assert_array_equal(log.markov().counts, BASE.markov().counts)


@settings(max_examples=10, deadline=None)
@given(prefix=st.sampled_from(["z_", "A ", "step-", "ü"]))
def test_renaming_touchpoints_relabels(prefix):
    renamed = SMALL.assign(touchpoint=prefix + SMALL["touchpoint"])
    log = _log(renamed)
    a = log.friction(min_support=5).set_index("touchpoint").sort_index()
    b = BASE.friction(min_support=5).set_index("touchpoint").sort_index()
    b.index = prefix + b.index
    # the found outcome markers a verdict rests on are touchpoints too
    b["verdict_rests_on"] = pd.Series(
        [", ".join(prefix + m for m in v.split(", ")) if v else v for v in b["verdict_rests_on"]],
        index=b.index,
        dtype=object,
    )
    pd.testing.assert_frame_equal(a, b.sort_index())
    ra = log.markov().removal_effects().set_index("touchpoint")["removal_effect"]
    rb = BASE.markov().removal_effects().set_index("touchpoint")["removal_effect"]
    rb.index = prefix + rb.index
    pd.testing.assert_series_equal(ra.sort_index(), rb.sort_index())


def _log_of_traces(traces):
    """A log of ``(steps, succeeded)`` traces, each ending in ``buy`` or ``quit``."""
    rows = []
    for i, (steps, ok) in enumerate(traces):
        for j, s in enumerate([*steps, "buy" if ok else "quit"]):
            rows.append((f"c{i}", s, j))
    df = pd.DataFrame(rows, columns=["c", "t", "n"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["n"], unit="s")
    return EventLog.from_frame(
        df,
        case_col="c",
        touchpoint_col="t",
        timestamp_col="ts",
        success="buy",
        failure="quit",
        strict=False,
    )


@settings(max_examples=40, deadline=None)
@given(
    traces=st.lists(
        st.tuples(st.lists(st.sampled_from("abcd"), min_size=1, max_size=6), st.booleans()),
        min_size=2,
        max_size=30,
    ),
    support=st.integers(1, 5),
)
def test_risk_ratios_are_finite_or_nan_and_unsupported(traces, support):
    log = _log_of_traces(traces)
    table = log.friction(min_support=support)
    rr = table[["risk_ratio", "risk_ratio_low", "risk_ratio_high"]].to_numpy()
    assert not np.isinf(rr).any()
    assert (np.isfinite(rr).all(axis=1) == table["supported"].to_numpy()).all()
    ok = table["supported"].to_numpy()
    assert (table["risk_ratio_low"][ok] <= table["risk_ratio"][ok] + 1e-12).all()
    score = table["friction_score"].dropna()
    assert ((score >= 0) & (score <= 1 + 1e-12)).all()


# ---------------------------------------------------------------------------------------
# real data: the road-traffic fines log
# ---------------------------------------------------------------------------------------
SFCC = "Send for Credit Collection"


@pytest.fixture(scope="module")
def fines():
    path = shared_data("road_traffic_fines_10k.csv.gz")
    log = read_events(
        path,
        case_col="case_id",
        touchpoint_col="activity",
        timestamp_col="timestamp",
        success="Payment",
        failure=SFCC,
        when_both="failure",
    )
    cases: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    with gzip.open(path, "rt", newline="", encoding="utf-8") as fh:
        for row_no, row in enumerate(csv.DictReader(fh)):
            cases[row["case_id"]].append((row["timestamp"], row_no, row["activity"]))
    traces = {c: [a for _, _, a in sorted(ev, key=lambda e: e[0])] for c, ev in cases.items()}
    return log, traces


def plain_paths(traces):
    """Decided journeys cut at the outcome, outcome steps removed (plain Python)."""
    out = []
    for trace in traces.values():
        if SFCC in trace:
            cut, outcome = trace.index(SFCC), "failure"
        elif "Payment" in trace:
            cut, outcome = trace.index("Payment"), "success"
        else:
            continue
        out.append(([a for a in trace[:cut] if a not in (SFCC, "Payment")], outcome))
    return out


def dense_success_probability(paths, removed=None):
    """Independent dense solve of the absorbing chain from raw transition counts."""
    counts: Counter = Counter()
    for steps, outcome in paths:
        seq = ["START", *steps, outcome.upper()]
        for a, b in itertools.pairwise(seq):
            counts[(a, b)] += 1
    states = ["START", *sorted({a for a, _ in counts} - {"START"})]
    idx = {s: i for i, s in enumerate(states)}
    t = len(states)
    q = np.zeros((t, t))
    r = np.zeros(t)
    for (a, b), n in counts.items():
        if b == removed:
            continue  # flow into the removed state goes to failure
        if b == "SUCCESS":
            r[idx[a]] += n
        elif b != "FAILURE":
            q[idx[a], idx[b]] += n
    totals = np.array([sum(n for (a, _), n in counts.items() if a == s) for s in states])
    q /= totals[:, None]
    r /= totals
    return float(np.linalg.solve(np.eye(t) - q, r)[0])


def test_fines_markov_against_a_dense_solve(fines):
    log, traces = fines
    model = log.markov()
    paths = plain_paths(traces)
    assert model.n_journeys == len(paths) == 7927
    assert model.n_successes == 4540
    assert model.n_open == 2073
    p = dense_success_probability(paths)
    assert model.success_probability == pytest.approx(p, rel=1e-12)
    assert model.success_probability == pytest.approx(0.5727261258988269, rel=1e-12)
    removal = model.removal_effects().set_index("touchpoint")["removal_effect"]
    for name, pinned in (("Send Fine", 0.242511), ("Add penalty", 0.229103)):
        expected = 1 - dense_success_probability(paths, removed=name) / p
        assert removal[name] == pytest.approx(expected, rel=1e-9)
        assert removal[name] == pytest.approx(pinned, abs=1e-6)
    repair = log.repair_effects(reduce_failure_by=1.0).set_index("touchpoint")
    assert repair["delta_success_probability"].idxmax() == "Add penalty"


def test_fines_friction_table(fines):
    log, traces = fines
    table = log.friction()
    top = table.set_index("touchpoint")
    # issue 17: Add penalty (a consequence of not paying) is no longer headlined
    assert table["touchpoint"].iloc[0] != "Add penalty"
    assert top.loc["Payment", "outcome_step"]
    assert top.loc[SFCC, "outcome_step"]
    paths = plain_paths(traces)
    failed_last = Counter(s[-1] for s, o in paths if o == "failure" and s)
    assert top.loc["Add penalty", "exit_share"] == pytest.approx(failed_last["Add penalty"] / 3387)
    assert round(top.loc["Add penalty", "exit_share"], 4) == 0.9938
    row = top.loc["Receive Result Appeal from Prefecture"]
    assert row["supported"]
    assert (row["failures_visited"], row["journeys"]) == (22, 48)
    assert round(row["risk_ratio"], 4) == 0.5978
    assert (round(row["risk_ratio_low"], 4), round(row["risk_ratio_high"], 4)) == (0.4394, 0.8134)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(2, 400))
def test_fisher_exact_p_matches_scipy(data, n):
    n1 = data.draw(st.integers(1, n - 1))
    f = data.draw(st.integers(0, n))
    a = data.draw(st.integers(max(0, n1 + f - n), min(n1, f)))
    table = [[a, n1 - a], [f - a, n - n1 - f + a]]
    args = (np.array([a]), np.array([n1]), np.array([f]), np.array([n]))
    for alt in ("two-sided", "greater"):
        expected = scipy.stats.fisher_exact(table, alternative=alt).pvalue
        assert fisher_exact_p(*args, alt)[0] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_friction_folds_touchpoints_of_few_journeys():
    df = simulate_journeys(600, seed=3)
    log = EventLog.from_frame(
        df,
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        outcome_col="outcome",
        strict=False,
    )
    full = log.friction()
    size = int(full["journeys"].median()) + 1
    out = log.friction(min_group_size=size)
    assert out["touchpoint"].iloc[-1] == "other (suppressed)"
    assert (out["journeys"].iloc[:-1] >= size).all()
    assert out["journeys"].sum() == full["journeys"].sum()


# ---------------------------------------------------------------------------------------
# attributable failures (issue 17)
# ---------------------------------------------------------------------------------------
def hand_log():
    """A hand-made log whose attributable failures are computed by hand below."""
    spec = [
        (["pay", "err", "quit"], 6),  # visitors of err after pay, failed
        (["pay", "err", "pay", "buy"], 4),  # visitors after pay, succeeded
        (["pay", "help", "buy"], 8),  # went on from pay without err: comparison
        (["pay", "help", "quit"], 2),  # comparison, failed
        (["pay", "buy"], 10),  # ended at pay (paid): no comparison
        (["err", "quit"], 3),  # visitors of err at START
        (["help", "buy"], 5),
        (["help", "quit"], 5),
        (["pay", "help", "pay", "err", "quit"], 2),  # met err later: risk set at pay
    ]
    rows = []
    for i, (steps, times) in enumerate(spec):
        for r in range(times):
            rows += [(f"c{i}_{r}", s, j) for j, s in enumerate(steps)]
    df = pd.DataFrame(rows, columns=["c", "t", "n"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["n"], unit="min")
    return EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="buy", failure="quit"
    )


def test_attributable_failures_golden_hand_case():
    # Standardisation at the point of exposure (Rothman, Greenland & Lash, Modern
    # Epidemiology, 3rd ed., ch. 4; Greenland & Drescher 1993, Biometrics 49:865), by hand;
    # a stratum is the step before the first visit *and* which visit of it that was:
    # stratum pay (1st visit): visitors 6 + 4 = 10, 6 failed; risk set = 8 + 2 (help) + 2
    #   (met err only later) = 12 journeys, 4 failed -> expected 10 * 4/12 -> 6 - 10/3
    # stratum pay (2nd visit): visitors 2 (pay -> help -> pay -> err); nobody went on from
    #   a 2nd pay without err: not comparable
    # stratum START: visitors 3, 3 failed. err is followed by pay (4 of the 15 moves out
    #   of it; the comparison rule of frictionkit.markov._comparison narrows to the moves
    #   to a successor where there are min_support of them): the risk set is the 32
    #   journeys that went from START to pay, 6 + 2 + 2 = 10 failed -> 3 - 3 * 10/32.
    #   (At pay the narrower comparison is empty, pay -> pay never happens, so every
    #   journey that went on counts; the 10 that ended at pay all succeeded, so ending
    #   there is no move.)
    # err ends 11 of the 15 journeys that meet it, all of them failed: customers leaving
    # after it, not a last step (rule 3 of frictionkit.markov._comparison), so the rules
    # above apply to it.
    row = hand_log().friction(min_support=1, n_boot=0).set_index("touchpoint").loc["err"]
    assert row["attributable_failures"] == pytest.approx(6 - 10 / 3 + 3 - 30 / 32, rel=1e-12)
    assert row["expected_failures"] == pytest.approx(10 / 3 + 30 / 32, rel=1e-12)
    assert row["visitors_comparable"] == 13
    assert row["visitors_not_comparable"] == 2
    assert row["comparison_journeys"] == 12 + 32
    # 10 journeys ended at a 1st pay without err (they paid), 12 went on: 10/22 for its 10
    # visitors; the 2nd pay has no journey that did not take err (1.0); 0 for START
    assert row["ended_share"] == pytest.approx((10 * 10 / 22 + 2 * 1.0) / 15, rel=1e-12)
    # Cochran-Mantel-Haenszel (Mantel & Haenszel 1959, JNCI 22:719), no correction
    strata = [(6, 10, 4, 12), (3, 3, 10, 32)]  # failures, visitors, comp. failures, comp.
    num = var = 0.0
    for a, n1, c, n0 in strata:
        n, m1 = n1 + n0, a + c
        num += a - n1 * m1 / n
        var += n1 * n0 * m1 * (n - m1) / (n * n * (n - 1))
    p = 2 * scipy.stats.norm.sf(abs(num) / np.sqrt(var))
    assert row["af_p_value"] == pytest.approx(p, rel=1e-9)
    # "never met": 1st pay -> 10 comparison journeys, 2 failed; START -> pay, 20, 2 failed
    never = hand_log().friction(min_support=1, n_boot=0, comparison="never met")
    af = never.set_index("touchpoint").loc["err", "attributable_failures"]
    assert af == pytest.approx(6 - 10 * 2 / 10 + 3 - 3 * 2 / 20, rel=1e-12)
    # outcome steps are not scored
    table = hand_log().friction(min_support=1).set_index("touchpoint")
    assert table.loc[["buy", "quit"], "verdict"].eq("outcome marker").all()
    assert table.loc[["buy", "quit"], "attributable_failures"].isna().all()
    # min_support leaves strata out and counts their visitors
    row = hand_log().friction(min_support=13, n_boot=0).set_index("touchpoint").loc["err"]
    assert row["visitors_not_comparable"] == 12
    assert row["attributable_failures"] == pytest.approx(3 - 30 / 32, rel=1e-12)


def _delivery_log(late_ok=4):
    """Orders ``ship -> on_time | late``, then the review; some never delivered."""
    spec = [
        (["ship", "on_time", "buy"], 40),
        (["ship", "on_time", "quit"], 10),
        (["ship", "late", "buy"], late_ok),
        (["ship", "late", "quit"], 20 - late_ok),
        (["ship", "quit"], 30),  # never delivered: left before they could be late
        (["ship", "buy"], 5),  # journeys end at ship both ways (5 of 35 succeed)
    ]
    rows = []
    for i, (steps, times) in enumerate(spec):
        for r in range(times):
            rows += [(f"c{i}_{r}", s, j) for j, s in enumerate(steps)]
    df = pd.DataFrame(rows, columns=["c", "t", "n"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["n"], unit="h")
    return EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="buy", failure="quit"
    )


def test_a_last_step_is_compared_with_its_siblings_not_with_journeys_that_left_before():
    # Rule 3 of frictionkit.markov._comparison, by hand: late and on_time are last steps
    # (their visitors end right after them). Journeys that ended right at ship (never
    # delivered) left before they could meet late, so even though ending at ship goes
    # both ways (rule 2) they are no comparison for it: late (16 of 20 failed) is
    # compared with on_time, its sibling last step (10 of 50 failed):
    # 16 - 20 * 10 / 50 = 12 (the Olist review log's late delivery). Counting the 35
    # endings at ship (30 failed) would give 16 - 20 * 30 / 35 < 0: "helps".
    log = _delivery_log()
    table = log.friction(min_support=1, n_boot=0).set_index("touchpoint")
    late = table.loc["late"]
    assert late["attributable_failures"] == pytest.approx(16 - 20 * 10 / 50, rel=1e-12)
    assert late["comparison_journeys"] == 50
    # the 35 journeys that ended at ship count as ended: 35 / (35 + 50)
    assert late["ended_share"] == pytest.approx(35 / 85, rel=1e-12)
    on_time = table.loc["on_time"]
    assert on_time["attributable_failures"] == pytest.approx(10 - 50 * 16 / 20, rel=1e-12)
    # harm removal uses the same rule
    harm = MarkovModel.from_paths(
        *zip(*[(p, o) for p, o in _delivery_paths()], strict=True)
    ).harm_removal_effects(min_support=1)
    harm = harm.set_index("touchpoint")
    assert harm.loc["late", "extra_successes"] == pytest.approx(12, rel=1e-12)
    assert harm.loc["on_time", "extra_successes"] == pytest.approx(-30, rel=1e-12)
    # A step after which journeys end only by failing (customers leaving after it) is
    # no last step: those ends are the harm measured, and rules 1 and 2 apply. With no
    # successor, its comparison is the 35 journeys that ended at ship (30 failed).
    table = _delivery_log(late_ok=0).friction(min_support=1, n_boot=0)
    row = table.set_index("touchpoint").loc["late"]
    assert row["attributable_failures"] == pytest.approx(20 - 20 * 30 / 35, rel=1e-12)


def _delivery_paths():
    counts = {
        ("ship", "on_time"): (40, 10),
        ("ship", "late"): (4, 16),
        ("ship",): (5, 30),
    }
    for path, (ok, bad) in counts.items():
        yield from [(path, "success")] * ok + [(path, "failure")] * bad


def test_a_step_that_is_not_last_still_counts_endings_both_ways():
    # Rule 2 unchanged where t's visitors go on (the payment error of test_markov): on
    # a step that is not last, ending right at s (both ways) is a comparable move.
    paths = [("pay", "err", "pay")] * 12 + [("pay", "err")] * 8  # err: 8 of 20 moves end
    outcomes = ["success"] * 9 + ["failure"] * 11
    paths += [("pay",)] * 60
    outcomes += ["success"] * 45 + ["failure"] * 15
    model = MarkovModel.from_paths(paths, outcomes)
    # err: 11 of 20 visitors failed; comparison: the 60 that ended at pay, 15 failed
    row = model.harm_removal_effects(min_support=1).set_index("touchpoint").loc["err"]
    assert row["extra_successes"] == pytest.approx(11 - 20 * 15 / 60, rel=1e-12)
    rows = [(f"c{i}", s, j) for i, p in enumerate(paths) for j, s in enumerate(p)]
    df = pd.DataFrame(rows, columns=["c", "t", "n"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["n"], unit="h")
    df["o"] = df["c"].map({f"c{i}": o for i, o in enumerate(outcomes)})
    log = EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", outcome_col="o"
    )
    table = log.friction(min_support=1, n_boot=0).set_index("touchpoint")
    assert table.loc["err", "attributable_failures"] == pytest.approx(6, rel=1e-12)


def test_attributable_failures_interval_is_seeded_and_brackets_the_estimate():
    _, log = sim_log(3000, seed=4)
    a = log.friction(seed=5)
    pd.testing.assert_frame_equal(a, log.friction(seed=5))
    b = log.friction(seed=6)
    assert not np.array_equal(
        a["attributable_failures_low"].to_numpy(), b["attributable_failures_low"].to_numpy()
    )
    ok = a["attributable_failures"].notna()
    assert (a.loc[ok, "attributable_failures_low"] <= a.loc[ok, "attributable_failures"]).all()
    assert (a.loc[ok, "attributable_failures"] <= a.loc[ok, "attributable_failures_high"]).all()
    no = log.friction(n_boot=0)
    assert no["attributable_failures_low"].isna().all()
    pd.testing.assert_series_equal(
        no["attributable_failures"].sort_values(ignore_index=True),
        a["attributable_failures"].sort_values(ignore_index=True),
    )


def test_simulated_error_step_is_friction_and_first():
    _, log = sim_log(6000, seed=11)
    table = log.friction()
    top = table.iloc[0]
    assert top["touchpoint"] == "payment_error"
    assert top["verdict"] == "friction"
    assert top["attributable_failures_low"] > 0
    # every visitor of the success page succeeds: it marks the outcome
    verdicts = table.set_index("touchpoint")["verdict"]
    assert verdicts["confirmation"] == "outcome marker"
    # sorted: verdict friction first, then by attributable failures
    is_f = (table["verdict"] == "friction").to_numpy()
    assert not (np.diff(is_f.astype(int)) > 0).any()


def test_declared_outcome_markers_and_bad_input():
    _, log = sim_log(1500, seed=2)
    table = log.friction(outcome_markers=["support"]).set_index("touchpoint")
    assert table.loc["support", "verdict"] == "outcome marker"
    assert log.friction(outcome_markers="cart").set_index("touchpoint").loc["cart", "verdict"] == (
        "outcome marker"
    )
    with pytest.raises(UnknownReferenceError, match="did you mean 'support'"):
        log.friction(outcome_markers=["suport"])
    with pytest.raises(InputTypeError, match="outcome_markers"):
        log.friction(outcome_markers=[3])
    for bad in ("7", 1.5, True):
        with pytest.raises(InputTypeError, match="seed"):
            log.friction(seed=bad)
    with pytest.raises(InputTypeError, match="n_boot"):
        log.friction(n_boot=10.0)
    with pytest.raises(ValidationError, match="n_boot"):
        log.friction(n_boot=-1)
    for bad in (0, 1, 1.5):
        with pytest.raises(ValidationError, match="fdr"):
            log.friction(fdr=bad)
    with pytest.raises(ValidationError, match="did you mean 'risk set'"):
        log.friction(comparison="risk-set")


def test_all_journeys_one_outcome_gives_verdicts_not_nan_soup():
    df = pd.DataFrame(
        {
            "c": [f"c{i // 3}" for i in range(300)],
            "t": ["a", "b", "buy"] * 50 + ["a", "c", "buy"] * 50,
            "n": list(range(300)),
        }
    )
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["n"], unit="s")
    log = EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="buy"
    )
    table = log.friction().set_index("touchpoint")
    assert set(table["verdict"]) <= {"no evidence", "not comparable", "outcome marker"}
    assert table.loc["buy", "verdict"] == "outcome marker"
    assert table.loc["b", "attributable_failures"] == 0
    assert table.loc["b", "verdict"] == "no evidence"
    assert table.loc["a", "verdict"] == "not comparable"  # every journey starts with it


def markov_log(n, seed, banner=0.0, harm=0.0):
    """A first-order chain a/b/c with exits, and an optional 'banner' shown between steps.

    The banner is shown before each move between two steps with probability ``banner``,
    independently of everything; with ``harm`` it makes the journey quit right after it.
    """
    rng = np.random.default_rng(seed)
    move = {"a": (["b", "c", "buy", "quit"], [0.4, 0.3, 0.1, 0.2]),
            "b": (["a", "c", "buy", "quit"], [0.2, 0.3, 0.2, 0.3]),
            "c": (["a", "b", "buy", "quit"], [0.1, 0.2, 0.4, 0.3])}  # fmt: skip
    cases, steps = [], []
    for i in range(n):
        cur = str(rng.choice(["a", "b", "c"]))
        trace = [cur]
        while cur not in ("buy", "quit") and len(trace) < 40:
            names, probs = move[cur]
            nxt = str(rng.choice(names, p=probs))
            if nxt not in ("buy", "quit") and rng.random() < banner:
                trace.append("banner")
                if rng.random() < harm:
                    nxt = "quit"
            trace.append(nxt)
            cur = nxt
        if trace[-1] not in ("buy", "quit"):
            trace.append("quit")
        cases += [f"j{i}"] * len(trace)
        steps += trace
    df = pd.DataFrame({"c": cases, "t": steps})
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(df)), unit="s")
    return EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="buy", failure="quit"
    )


def test_a_step_independent_of_the_outcome_gets_an_interval_covering_zero():
    covered = []
    for seed in range(12):
        row = markov_log(800, seed, banner=0.15).friction(seed=seed)
        row = row.set_index("touchpoint").loc["banner"]
        covered.append(row["attributable_failures_low"] <= 0 <= row["attributable_failures_high"])
        assert row["verdict"] in ("no evidence", "friction", "helps")
    assert sum(covered) >= 10  # 95 % nominal: P(fewer than 10 of 12) ~ 2 %
    harmful = markov_log(800, 0, banner=0.15, harm=0.3).friction().set_index("touchpoint")
    assert harmful.loc["banner", "verdict"] == "friction"
    assert harmful.loc["banner", "attributable_failures_low"] > 0


@pytest.mark.slow
def test_interval_coverage_near_95_percent():
    # 200 logs with a step that has no effect: the interval covers 0 in about 95 % of
    # them; with 200 trials a binomial(200, 0.95) is >= 180 with probability > 0.999
    hits = 0
    for seed in range(200):
        row = markov_log(300, 1000 + seed, banner=0.2).friction(min_support=10, seed=seed)
        row = row.set_index("touchpoint").loc["banner"]
        hits += bool(row["attributable_failures_low"] <= 0 <= row["attributable_failures_high"])
    assert hits >= 178


@settings(max_examples=40, deadline=None)
@given(
    traces=st.lists(
        st.tuples(st.lists(st.sampled_from("abcd"), min_size=1, max_size=6), st.booleans()),
        min_size=2,
        max_size=40,
    ),
    support=st.integers(1, 5),
    comparison=st.sampled_from(["risk set", "never met"]),
)
def test_attributable_failures_never_exceed_failed_visitors(traces, support, comparison):
    log = _log_of_traces(traces)
    table = log.friction(min_support=support, n_boot=50, comparison=comparison)
    scored = table[~table["outcome_step"]]
    af = scored["attributable_failures"]
    has = af.notna()
    assert (af[has] <= scored.loc[has, "failures_visited"] + 1e-9).all()
    assert (
        af[has] >= -(scored.loc[has, "journeys"] - scored.loc[has, "failures_visited"]) - 1e-9
    ).all()
    assert (
        scored["visitors_comparable"] + scored["visitors_not_comparable"] == scored["journeys"]
    ).all()
    # a verdict rests on found outcome markers only when it is friction, and names them
    rests = table["verdict_rests_on"]
    assert (table.loc[rests != "", "verdict"] == "friction").all()
    found = set(table.attrs["found_outcome_markers"])
    assert found == set(table.loc[table["verdict"] == "outcome marker", "touchpoint"]) - set(
        table.loc[table["outcome_step"], "touchpoint"]
    )
    assert all(set(v.split(", ")) == found for v in rests[rests != ""])
    assert set(table["verdict"]) <= {
        "friction",
        "helps",
        "no evidence",
        "not comparable",
        "outcome marker",
    }
    assert (table.loc[af.isna() & ~table["outcome_step"], "verdict"] != "friction").all()


def test_fines_send_fine_and_add_penalty_are_not_friction(fines):
    # Send Fine: the only journeys that skip it paid on the spot; Add penalty: 99 % of the
    # journeys still open after the notification get it (no overlap). Both are
    # consequences of not paying, not causes.
    log, _ = fines
    table = log.friction().set_index("touchpoint")
    assert table.loc["Send Fine", "verdict"] == "not comparable"
    assert table.loc["Send Fine", "ended_share"] == pytest.approx(1.0)
    assert table.loc["Add penalty", "verdict"] == "not comparable"
    assert table.loc["Add penalty", "visitors_not_comparable"] == 4435
    assert table.loc["Create Fine", "verdict"] == "not comparable"
    assert table.loc["Payment", "verdict"] == "outcome marker"
    assert (table["verdict"] == "friction").sum() <= 1
    row = table.loc["Insert Date Appeal to Prefecture"]
    assert row["verdict"] == "helps"
    # -10.027 before one comparison rule was shared with harm removal: at Add penalty
    # journeys end both ways (paid, or sent for credit collection), so ending there is a
    # comparable move (frictionkit.markov._comparison, rule 2); harm removal agrees
    assert round(row["attributable_failures"], 3) == -17.332
    harm = log.repair_effects(kind="harm_removal").set_index("touchpoint")
    assert harm.loc["Insert Date Appeal to Prefecture", "extra_successes"] == pytest.approx(
        row["attributable_failures"], rel=0.01
    )
    for step in ("Send Fine", "Add penalty", "Create Fine", "Insert Fine Notification"):
        assert harm.loc[step, "method"] == "not_comparable"


def test_fines_failure_patterns_put_no_process_consequence_first(fines):
    # "Create Fine -> Send Fine" has the largest crude excess (3,387 failures) but no
    # comparison (the journeys that skip Send Fine paid on the spot): it used to head the
    # table; a pattern with a verdict that can be acted on now comes first
    log, _ = fines
    table = log.failure_patterns(seed=0)
    assert_decisions_first(table)
    assert table["verdict"].iloc[0] != "not comparable"
    consequences = table[table["verdict"] == "not comparable"]
    assert consequences["pattern_text"].iloc[0] == "Create Fine → Send Fine"
    assert consequences["excess_failures"].iloc[0] == pytest.approx(3387.0)
    assert consequences.index.min() > table.index[table["verdict"] != "not comparable"].max()


def test_attributable_failures_sparse_path_agrees(monkeypatch):
    import frictionkit.friction._attributable as attributable

    _, log = sim_log(1500, seed=9)
    dense = log.friction(min_support=5)
    monkeypatch.setattr(attributable, "_DENSE_MAX", 0)
    log2 = sim_log(1500, seed=9)[1]
    pd.testing.assert_frame_equal(dense, log2.friction(min_support=5))
    hand = hand_log().friction(min_support=1, n_boot=0).set_index("touchpoint")
    assert hand.loc["err", "attributable_failures"] == pytest.approx(
        6 - 10 / 3 + 3 - 30 / 32, rel=1e-12
    )


def _met_sums_by_hand(key, upto, gj, gu, w, fpos, vt, v_ptr, flags, k, n_keys):
    # the definition, one entry and one touchpoint at a time
    out = [np.zeros(n_keys * k) for _ in flags]
    for g in range(len(key)):
        j = gj[g]
        met = {int(vt[i]) for i in range(v_ptr[j], v_ptr[j + 1]) if fpos[i] <= upto[g]}
        for t in met:
            for sums, flag in zip(out, flags, strict=True):
                if flag is None or flag[gu[g], t]:
                    sums[key[g] * k + t] += 1.0 if w is None else w[g]
    return out


@settings(max_examples=60, deadline=None)
@given(
    journeys=st.lists(st.lists(st.integers(0, 69), min_size=1, max_size=9), min_size=1,
                      max_size=12),
    k_extra=st.sampled_from([0, 1, 60]),
    weighted=st.booleans(),
    data=st.data(),
)  # fmt: skip
def test_met_sums_bit_masks_and_pairs_agree_with_the_definition(journeys, k_extra, weighted,
                                                                 data):  # fmt: skip
    # the two implementations behind the comparison's "met t by then" sums (bit masks for
    # up to 512 touchpoint codes, pairs beyond) against a loop over the definition;
    # touchpoint codes up to 69 + 60 span more than one 64-bit word
    from frictionkit.friction._attributable import _met_sums

    k = max(max(j) for j in journeys) + 1 + k_extra
    tp = np.array([t for j in journeys for t in j], dtype=np.int64)
    lengths = np.array([len(j) for j in journeys])
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    jj = np.repeat(np.arange(len(journeys)), lengths)
    seen: set[tuple[int, int]] = set()
    fpos_l = []
    for i, (j, t) in enumerate(zip(jj.tolist(), tp.tolist(), strict=True)):
        if (j, t) not in seen:
            seen.add((j, t))
            fpos_l.append(i)
    fpos = np.array(fpos_l, dtype=np.int64)
    vt = tp[fpos]
    v_ptr = np.r_[0, np.cumsum(np.bincount(jj[fpos], minlength=len(journeys)))].astype(np.int64)
    n_g = data.draw(st.integers(1, 3 * len(tp)))
    gj = np.array(data.draw(st.lists(st.integers(0, len(journeys) - 1), min_size=n_g,
                                     max_size=n_g)), dtype=np.int64)  # fmt: skip
    upto = np.array([data.draw(st.integers(offsets[j], offsets[j + 1] - 1)) for j in gj],
                    dtype=np.int64)  # fmt: skip
    n_keys = 7
    key = np.array(data.draw(st.lists(st.integers(0, n_keys - 1), min_size=n_g, max_size=n_g)),
                   dtype=np.int64)  # fmt: skip
    gu = np.array(data.draw(st.lists(st.integers(0, k), min_size=n_g, max_size=n_g)),
                  dtype=np.int64)  # fmt: skip
    w = np.linspace(0.5, 3.0, n_g) if weighted else None
    rng = np.random.default_rng(len(tp))
    flags = [None, rng.random((k + 1, k)) < 0.5, rng.random((k + 1, k)) < 0.2]
    want = _met_sums_by_hand(key, upto, gj, gu, w, fpos, vt, v_ptr, flags, k, n_keys)
    query = np.arange(n_keys * k)
    starts = offsets[:-1]
    for method in ("masks", "pairs"):
        got = _met_sums(key, upto, gj, gu, w, fpos, vt, v_ptr, starts, len(tp), flags, k,
                        n_keys, query, method=method)  # fmt: skip
        for g, h in zip(got, want, strict=True):
            np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-12)


def test_friction_table_is_the_same_with_either_met_sums(monkeypatch):
    # the whole table (estimate, interval, verdicts) with the bit masks and with the pairs
    import functools

    import frictionkit.friction._attributable as attributable

    orig = attributable._met_sums
    tables = []
    for method in ("masks", "pairs"):
        monkeypatch.setattr(attributable, "_met_sums", functools.partial(orig, method=method))
        _, log = sim_log(1500, seed=9)
        tables.append(log.friction(min_support=5, seed=3))
        tables.append(log.friction(min_support=5, seed=3, comparison="never met"))
    pd.testing.assert_frame_equal(tables[0], tables[2])
    pd.testing.assert_frame_equal(tables[1], tables[3])


def test_e_value_golden_cases():
    from frictionkit.friction import e_value

    # VanderWeele & Ding 2017, Ann Intern Med 167:268: breastfeeding and respiratory
    # infection, RR 3.9 (95 % CI 1.8 to 8.7) -> E-value 7.26, for the CI 3.0.
    # R package EValue vignette (Hammond & Horn smoking and lung cancer): RR 10.73
    # (8.02 to 14.36) -> 20.95 and 15.52.
    point, limit = e_value(np.array([3.9, 10.73]), np.array([1.8, 8.02]), np.array([8.7, 14.36]))
    assert point == pytest.approx([7.26, 20.95], abs=0.005)
    assert limit == pytest.approx([3.0, 15.52], abs=0.005)
    # RR < 1: the same of 1 / RR, the upper limit closest to 1; an interval over 1 gives 1
    point, limit = e_value(
        np.array([1 / 3.9, 0.8]), np.array([1 / 8.7, 0.6]), np.array([1 / 1.8, 1.1])
    )
    assert point[0] == pytest.approx(7.26, abs=0.005)
    assert limit.tolist() == pytest.approx([3.0, 1.0], abs=0.005)
    assert np.isnan(e_value(np.array([np.nan]))[0][0])
    assert e_value(np.array([1.0]))[0][0] == 1.0


def _segment_log(segment_of_event):
    """100 journeys a → b|c → buy|quit; ``segment_of_event(case, i)`` gives each row's segment."""
    rows = []
    for case in range(100):
        steps = ["a", "b" if case % 2 else "c", "buy" if case % 3 else "quit"]
        for i, t in enumerate(steps):
            rows.append((f"k{case}", t, case * 10 + i, segment_of_event(case, i)))
    df = pd.DataFrame(rows, columns=["c", "t", "n", "seg"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["n"], unit="s")
    return EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="buy",
        failure="quit", case_cols=["seg"],
    )  # fmt: skip


def test_a_case_attribute_that_varies_within_a_case_is_refused_with_the_fix():
    # case k4 is "new" at its first event and "loyal" afterwards
    log = _segment_log(lambda case, i: "loyal" if case in (4, 7) and i > 0 else "new")
    varying = log.case_attributes.attrs["varying_within_case"]
    assert varying["seg"] == (2, "k4", ("new", "loyal"))
    assert log.case_attributes["seg"].tolist()[:5] == ["new"] * 5  # first value kept
    calls = (
        lambda lg: lg.friction(adjust_for="seg", n_boot=0),
        lambda lg: lg.failure_patterns(adjust_for=["seg"], n_boot=0),
        lambda lg: lg.funnel(by="seg"),
    )
    for lg in (log, log.compact()):
        for call in calls:
            with pytest.raises(ValidationError, match=r"'seg' varies within a case") as err:
                call(lg)
            assert "'k4'" in str(err.value)
            assert 'transform("first")' in err.value.hint
    # missing values are not variation; a constant attribute passes
    log = _segment_log(lambda case, i: "new" if i == 0 else None)
    assert "varying_within_case" not in log.case_attributes.attrs
    log.friction(adjust_for="seg", n_boot=0, min_support=5)


def test_adjusted_strata_without_comparison_give_a_verdict_not_nan():
    # segment decides the branch: within each segment nobody goes on from a without b (or
    # without c), so no stratum has a comparison
    log = _segment_log(lambda case, i: "odd" if case % 2 else "even")
    table = log.friction(adjust_for="seg", min_support=5, seed=1).set_index("touchpoint")
    for t in ("b", "c"):
        assert table.loc[t, "verdict"] == "not comparable"
        assert table.loc[t, "visitors_comparable"] == 0
        assert table.loc[t, "visitors_not_comparable"] == 50
    assert table["verdict"].notna().all()
    pats = log.failure_patterns(adjust_for="seg", min_support=5, max_len=2)
    assert set(pats["verdict"]) <= {"not comparable", "outcome marker"}
    assert pats["verdict"].notna().all()


def test_failure_patterns_all_journeys_one_outcome_gives_verdicts():
    df = pd.DataFrame(
        {
            "c": [f"c{i // 3}" for i in range(300)],
            "t": ["a", "b", "buy"] * 50 + ["a", "c", "buy"] * 50,
            "n": list(range(300)),
        }
    )
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["n"], unit="s")
    log = EventLog.from_frame(
        df, case_col="c", touchpoint_col="t", timestamp_col="ts", success="buy"
    )
    table = log.failure_patterns(max_len=2, min_support=10)
    assert len(table) > 0
    assert (table["attributable_failures"] == 0).all()
    assert set(table["verdict"]) <= {"no evidence", "not comparable"}


def test_outcome_steps_show_missing_counts_not_a_sentinel():
    """Outcome steps are not compared: their failure counts are missing, never -1."""
    log = EventLog.from_frame(
        simulate_journeys(400, seed=3),
        case_col="case_id",
        touchpoint_col="touchpoint",
        timestamp_col="timestamp",
        success="confirmation",
        strict=False,
    )
    table = log.friction(n_boot=0).set_index("touchpoint")
    assert str(table["failures_visited"].dtype) == "Int64"
    assert table.loc["confirmation", "outcome_step"]
    assert pd.isna(table.loc["confirmation", "failures_visited"])
    assert pd.isna(table.loc["confirmation", "failures_not_visited"])
    counts = table[["failures_visited", "failures_not_visited"]]
    assert not (counts.fillna(0) < 0).any().any()


def test_friction_estimate_is_computed_once_per_log_and_seed(monkeypatch):
    # issue 22: the report's friction section and its journey map (which folds small
    # groups) ask for the same estimate; it is kept with the log for a whole-number seed
    from frictionkit.friction import _table

    calls = []
    real = _table.attributable_failures

    def counted(*args, **kwargs):
        # the estimate with its bootstrap; the check of the verdicts that rest on found
        # outcome markers (no bootstrap) is counted apart
        calls.append(1) if kwargs["n_boot"] else checks.append(1)
        return real(*args, **kwargs)

    checks: list[int] = []
    monkeypatch.setattr(_table, "attributable_failures", counted)
    log = _log(SMALL)
    first = log.friction(seed=3)
    assert (first["verdict_rests_on"] != "").any()  # so the check ran
    folded = log.friction(seed=3, min_group_size=50)
    assert len(calls) == 1
    assert len(checks) == 1  # kept with the log too
    assert "suppressed_groups" in folded.columns
    assert "suppressed_groups" not in first.columns
    first.loc[0, "attributable_failures"] = -1.0  # a caller's copy: the kept estimate stays
    again = log.friction(seed=3)
    assert len(calls) == 1
    assert again["attributable_failures"].iloc[0] != -1.0
    pd.testing.assert_frame_equal(again, _log(SMALL).friction(seed=3))  # another log: 2
    log.friction(seed=4)
    log.friction(seed=np.random.default_rng(3))  # a generator has a state: never kept
    assert len(calls) == 4


@pytest.mark.parametrize("adjust_for", [None, "segment"])
def test_the_estimate_on_a_worker_thread_gives_the_same_table(monkeypatch, adjust_for):
    # on large logs the estimate runs on a worker thread while the descriptive columns
    # are computed: the same table bit for bit, kept seed or generator, and its errors
    # raised as before
    from frictionkit import _threads

    df = simulate_journeys(1500, seed=5, scenario="planted")
    cols = {"case_col": "case_id", "touchpoint_col": "touchpoint", "timestamp_col": "timestamp"}
    cols |= {"outcome_col": "outcome", "strict": False, "case_cols": ["segment"]}

    def table(seed):
        return EventLog.from_frame(df, **cols).friction(seed=seed, adjust_for=adjust_for)

    monkeypatch.setenv("FRICTIONKIT_THREADS", "1")
    in_line = [table(7), table(np.random.default_rng(7))]
    monkeypatch.setenv("FRICTIONKIT_THREADS", "2")
    monkeypatch.setattr(_threads, "BACKGROUND_MIN_SIZE", 0)
    threaded = [table(7), table(np.random.default_rng(7))]
    for a, b in zip(in_line, threaded, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    log = EventLog.from_frame(df, **cols)
    with pytest.raises(UnknownReferenceError, match="segmnt"):
        log.friction(adjust_for="segmnt")


def _pattern_cells_by_loop(sel, inv, first_ev, tp, off, jj, wd, fail, groups, n_groups, first_tp):
    """The straightforward version of ``_pattern_cells``: one pass per pattern."""
    from frictionkit.friction._attributable import MAX_VISIT

    n, n_j, m = len(tp), len(off) - 1, MAX_VISIT
    width = m * n_groups
    order = np.lexsort((np.arange(n), tp, jj))
    sj, st_ = jj[order], tp[order]
    head = np.ones(n, dtype=bool)
    head[1:] = (sj[1:] != sj[:-1]) | (st_[1:] != st_[:-1])
    run = np.arange(n) - np.maximum.accumulate(np.where(head, np.arange(n), 0))
    visit_no = np.empty(n, dtype=np.int64)
    visit_no[order] = run + 1
    is_last = np.zeros(n, dtype=bool)
    has = np.flatnonzero(np.diff(off) > 0)
    is_last[off[1:][has] - 1] = True
    never = np.iinfo(np.int64).max
    cols = [[] for _ in range(7)]
    for row, (pat, step) in enumerate(zip(sel.tolist(), first_tp.tolist(), strict=True)):
        first_visit = np.full(n_j, never, dtype=np.int64)
        starts = np.sort(first_ev[inv == pat])
        oj, at = np.unique(jj[starts], return_index=True)
        first_visit[oj] = visit_no[starts[at]]
        ev = np.flatnonzero(tp == step)
        ej = jj[ev]
        code = (np.minimum(visit_no[ev], m) - 1) * n_groups + groups[ej]
        fo = first_visit[ej]
        kind = np.where(fo == visit_no[ev], 0, np.where(fo > visit_no[ev], 1 + is_last[ev], 3))
        key = kind * width + code
        n_kind = np.bincount(key, weights=wd[ej], minlength=4 * width).reshape(4, -1)
        f_kind = np.bincount(key, weights=(wd * fail)[ej], minlength=4 * width).reshape(4, -1)
        cell = np.flatnonzero(n_kind[0] > 0)
        for col, v in zip(
            cols,
            (np.full(len(cell), row), cell, n_kind[0, cell], f_kind[0, cell],
             n_kind[1, cell], f_kind[1, cell], n_kind[2, cell]),
            strict=True,
        ):  # fmt: skip
            col.append(v)
    return [np.concatenate(c) for c in cols]


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_j=st.integers(1, 40),
    k=st.integers(1, 5),
    n_groups=st.integers(1, 3),
    max_len=st.integers(2, 4),
)
def test_pattern_cells_match_a_loop_over_patterns(seed, n_j, k, n_groups, max_len):
    """The pattern cells counted without a loop equal one pass per pattern, bit for bit."""
    from frictionkit.friction._patterns import (
        _distinct_codes,
        _first_occurrences,
        _pattern_cells,
    )

    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 12, size=n_j)
    off = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    tp = rng.integers(0, k, size=int(off[-1])).astype(np.int64)
    jj = np.repeat(np.arange(n_j, dtype=np.int64), lengths)
    wd = rng.integers(1, 4, size=n_j).astype(float)
    fail = rng.random(n_j) < 0.4
    groups = rng.integers(0, n_groups, size=n_j).astype(np.int64)
    base = k + 1
    codes, first_ev = [], []
    for i in range(len(tp)):
        for m in range(2, max_len + 1):
            if i + m <= len(tp) and jj[i + m - 1] == jj[i]:
                codes.append(int(np.polyval(tp[i : i + m] + 1, base)))
                first_ev.append(i)
    if not codes:
        return
    codes_a = np.asarray(codes, dtype=np.int64)
    first_ev_a = np.asarray(first_ev, dtype=np.int64)
    uniq, inv = _distinct_codes(codes_a, base**max_len)
    assert np.array_equal(uniq, np.unique(codes_a))
    assert np.array_equal(uniq[inv], codes_a)
    p_pat, _, p_start, _ = _first_occurrences(inv, first_ev_a, jj, len(uniq))
    sel = np.flatnonzero((rng.random(len(uniq)) < 0.7) | (np.arange(len(uniq)) == 0))
    first_tp = np.asarray([tp[first_ev_a[inv == p][0]] for p in sel], dtype=np.int64)
    got = _pattern_cells(
        sel, (p_pat, p_start), tp, off, jj, wd, fail, (groups, n_groups), first_tp=first_tp
    )
    want = _pattern_cells_by_loop(
        sel, inv, first_ev_a, tp, off, jj, wd, fail, groups, n_groups, first_tp
    )
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w)


def test_failure_patterns_without_a_dense_code_table_are_the_same(monkeypatch):
    """Pattern codes too many for a dense table are numbered by a sort: same table."""
    import frictionkit.friction._patterns as patterns

    _, log = sim_log(1500, seed=4)
    dense = log.failure_patterns(max_len=3, min_support=5, n_boot=20)
    monkeypatch.setattr(patterns, "_DENSE_CODES", 0)
    pd.testing.assert_frame_equal(
        log.failure_patterns(max_len=3, min_support=5, n_boot=20), dense, check_exact=True
    )


@pytest.mark.parametrize("block", [1, 7, 64])
def test_failure_patterns_block_by_block_are_the_same(monkeypatch, block):
    """Journeys counted in blocks of any size give the table of one block, bit for bit."""
    import frictionkit.friction._patterns as patterns

    kw = {"max_len": 3, "min_support": 5, "n_boot": 20}
    whole = sim_log(1500, seed=4)[1].failure_patterns(**kw)
    assert len(whole) > 5
    monkeypatch.setattr(patterns, "_BLOCK_EVENTS", block)
    got = sim_log(1500, seed=4)[1].failure_patterns(**kw)  # a new log: nothing kept
    pd.testing.assert_frame_equal(got, whole, check_exact=True)


def test_friction_table_is_the_same_with_either_visitor_count(monkeypatch):
    # the descriptive counts from a journey x touchpoint table, or from the distinct
    # (journey, touchpoint) pairs where that table would be large: the same table
    import frictionkit.friction._table as table_mod

    tables = []
    for cells in (table_mod._DENSE_VISITS, 0):
        monkeypatch.setattr(table_mod, "_DENSE_VISITS", cells)
        _, log = sim_log(1500, seed=9)
        tables.append(log.friction(min_support=5, seed=3))
    pd.testing.assert_frame_equal(tables[0], tables[1])


@settings(max_examples=60, deadline=None)
@given(
    journeys=st.lists(st.lists(st.integers(0, 6), min_size=0, max_size=14), min_size=1,
                      max_size=10),
)  # fmt: skip
def test_visit_numbers_equal_a_count_per_journey(journeys):
    # the how-many-th visit of its step each event is (capped), by the radix grouping,
    # against a count along each journey
    from frictionkit.friction._attributable import MAX_VISIT, _visit_numbers

    tp = np.array([t for j in journeys for t in j], dtype=np.int64)
    jj = np.repeat(np.arange(len(journeys), dtype=np.int32), [len(j) for j in journeys])
    want = []
    for j in journeys:
        seen: Counter[int] = Counter()
        for t in j:
            want.append(min(seen[t], MAX_VISIT - 1))
            seen[t] += 1
    assert _visit_numbers(tp, jj, 7).tolist() == want
