"""Tests for frictionkit.uncertainty: SMAA-2 against cases solved by hand, the rank-order
centroid, stability intervals at hand-solved crossing points, value of information on a
case with a known answer, determinism, convergence, kernels against mcda, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from frictionkit import mcda, uncertainty
from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    InfeasibleError,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
)
from frictionkit.uncertainty import (
    SMAAAcceptanceWarning,
    iter_estimate_draws,
    sample_estimates,
    sample_weights,
    smaa,
    stability_intervals,
    value_of_information,
    weight_sweep,
)
from frictionkit.weights import rank_order_centroid

# ---------------------------------------------------------------------------------------
# The hand-solved case
#
# Three alternatives, two benefit criteria already on [0, 1] (min-max leaves them as
# they are): A = (1, 0), B = (0, 1), C = (0.7, 0.5). With weights (w, 1 - w), uniform on
# the simplex, w ~ U(0, 1) and the scores are A = w, B = 1 - w, C = 0.5 + 0.2 w.
# Crossings: A = C at w = 5/8, B = C at w = 5/12, A = B at w = 1/2, giving the orders
#   w in (0, 5/12): B C A;   (5/12, 1/2): C B A;   (1/2, 5/8): C A B;   (5/8, 1): A C B.
# Rank acceptability is the length of the w-intervals:
HAND = [[1.0, 0.0], [0.0, 1.0], [0.7, 0.5]]
HAND_ACCEPTABILITY = np.array(
    [
        [3 / 8, 1 / 8, 1 / 2],  # A
        [5 / 12, 1 / 12, 1 / 2],  # B
        [5 / 24, 19 / 24, 0.0],  # C
    ]
)
# Central weight (mean w over the interval where the alternative is first):
HAND_CENTRAL_W1 = np.array([(5 / 8 + 1) / 2, (0 + 5 / 12) / 2, (5 / 12 + 5 / 8) / 2])
HAND_FIRST_INTERVAL = np.array([3 / 8, 5 / 12, 5 / 24])


def _binomial_tol(p: np.ndarray, draws: int, z: float = 5.0) -> np.ndarray:
    return z * np.sqrt(p * (1 - p) / draws) + 1e-12


def test_hand_case_rank_acceptability_within_binomial_tolerance():
    draws = 40_000
    res = smaa(HAND, [True, True], draws=draws, seed=11)
    got = res.rank_acceptability.to_numpy()
    assert (np.abs(got - HAND_ACCEPTABILITY) <= _binomial_tol(HAND_ACCEPTABILITY, draws)).all()
    # C is never last: exactly zero, not just small
    assert got[2, 2] == 0.0


def test_hand_case_central_weights_and_expected_rank():
    draws = 40_000
    res = smaa(HAND, [True, True], draws=draws, seed=5)
    cw = res.central_weights.to_numpy()
    # sd of a uniform on an interval of length L is L / sqrt(12)
    counts = HAND_FIRST_INTERVAL * draws
    tol = 5 * HAND_FIRST_INTERVAL / math.sqrt(12) / np.sqrt(counts)
    assert (np.abs(cw[:, 0] - HAND_CENTRAL_W1) <= tol).all()
    np.testing.assert_allclose(cw.sum(axis=1), 1.0)
    expected_rank = HAND_ACCEPTABILITY @ np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(res.expected_rank.to_numpy(), expected_rank, atol=0.02)
    # fixed matrix: each alternative wins at its own central weight vector -> confidence 1
    assert res.confidence.tolist() == [1.0, 1.0, 1.0]


def test_hand_case_p_top_k():
    res = smaa(HAND, True, draws=40_000, seed=3)
    np.testing.assert_allclose(
        res.p_top_k(2).to_numpy(), HAND_ACCEPTABILITY[:, :2].sum(axis=1), atol=0.015
    )
    np.testing.assert_allclose(res.p_top_k(3).to_numpy(), 1.0)


def test_ordinal_weights_restrict_to_the_ordered_region():
    # w1 >= w2 means w ~ U(1/2, 1): only A (w > 5/8) and C (1/2 < w < 5/8) can win;
    # P(A first) = (3/8) / (1/2) = 3/4 and P(C first) = 1/4.
    draws = 20_000
    res = smaa(HAND, True, weights="ordinal", order=[0, 1], draws=draws, seed=2)
    first = res.rank_acceptability[1].to_numpy()
    exact = np.array([0.75, 0.0, 0.25])
    assert (np.abs(first - exact) <= _binomial_tol(exact, draws)).all()
    assert np.isnan(res.central_weights.iloc[1]).all()
    assert np.isnan(res.confidence.iloc[1])


def test_bounds_restrict_the_weights():
    # 0.55 <= w1 <= 0.65 (so 0.35 <= w2 <= 0.45): A first iff w1 > 5/8, i.e. 1/4 of it.
    draws = 20_000
    res = smaa(HAND, True, weights={0: (0.55, 0.65)}, draws=draws, seed=8)
    p = res.rank_acceptability[1].to_numpy()
    exact = np.array([0.25, 0.0, 0.75])
    assert (np.abs(p - exact) <= _binomial_tol(exact, draws)).all()
    w = sample_weights(2, 5000, weights={0: (0.55, 0.65)}, seed=1)
    assert w[0].between(0.55, 0.65).all()
    np.testing.assert_allclose(w.sum(axis=1), 1.0)


def test_bounds_as_array_and_by_name():
    names = ["impact", "effort", "risk"]
    a = sample_weights(names, 2000, weights={"impact": (0.3, None), "risk": (None, 0.2)}, seed=4)
    b = sample_weights(names, 2000, weights=[[0.3, 1.0], [0.0, 1.0], [0.0, 0.2]], seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert (a["impact"] >= 0.3).all()
    assert (a["risk"] <= 0.2).all()


def test_bounds_lower_part_is_uniform_on_shifted_simplex():
    # lo = (0.2, 0.2, 0.2): the region is a simplex scaled by 0.4; each weight's mean is 1/3
    # and the marginal of a Dirichlet(1, 1, 1) scaled: P(w1 - 0.2 <= 0.2) = 1 - (1/2)^2.
    w = sample_weights(3, 40_000, weights={0: (0.2, None), 1: (0.2, None), 2: (0.2, None)}, seed=9)
    np.testing.assert_allclose(w.mean().to_numpy(), 1 / 3, atol=0.005)
    assert abs(float((w[0] <= 0.4).mean()) - 0.75) < 0.01


def test_uniform_weights_are_uniform_on_the_simplex_not_normalised_uniforms():
    # Under Dirichlet(1) in 3 criteria, w1 ~ Beta(1, 2): P(w1 > 1/2) = 1/4 exactly.
    # Normalised independent uniforms would give about 0.19 (they crowd the centre).
    w = sample_weights(3, 100_000, seed=123)
    share = float((w[0] > 0.5).mean())
    assert abs(share - 0.25) < 5 * math.sqrt(0.25 * 0.75 / 100_000)


# ---------------------------------------------------------------------------------------
# rank-order centroid (Barron and Barrett, 1996, Management Science 42(11), 1515-1523):
# ROC weights are the centroid of {w1 >= w2 >= ... >= wm, sum 1}, i.e. the mean of
# uniform samples of that region: for m = 4, (0.5208, 0.2708, 0.1458, 0.0625).


def test_ordinal_sample_mean_is_the_rank_order_centroid():
    names = ["a", "b", "c", "d"]
    draws = 40_000
    w = sample_weights(names, draws, weights="ordinal", order=["c", "a", "d", "b"], seed=17)
    roc = rank_order_centroid(["c", "a", "d", "b"])
    tol = 5 * w.std() / math.sqrt(draws)
    assert ((w.mean() - roc[w.columns]).abs() <= tol).all()
    np.testing.assert_allclose(
        roc.loc[["c", "a", "d", "b"]].round(4), [0.5208, 0.2708, 0.1458, 0.0625]
    )
    values = w[["c", "a", "d", "b"]].to_numpy()
    assert (np.diff(values, axis=1) <= 0).all()


# ---------------------------------------------------------------------------------------
# stability intervals: crossing points solved by hand for the 3 x 2 case above


def test_stability_interval_top1_weighted_sum_hand_solved():
    # at w = (0.5, 0.5) C wins; it stays first for w1 in [5/12, 5/8] (so w2 in [3/8, 7/12])
    out = stability_intervals(HAND, [0.5, 0.5], True)
    np.testing.assert_allclose(out.loc[0, ["low", "high"]].to_numpy(float), [5 / 12, 5 / 8])
    np.testing.assert_allclose(out.loc[1, ["low", "high"]].to_numpy(float), [3 / 8, 7 / 12])
    assert out.loc[0, "out_at_high"] == 2
    assert out.loc[0, "in_at_high"] == 0
    assert out.loc[0, "out_at_low"] == 2
    assert out.loc[0, "in_at_low"] == 1
    np.testing.assert_allclose(out.loc[0, "high_change_pct"], (5 / 8 - 0.5) / 0.5 * 100)


def test_stability_interval_top2_uses_the_tie_rule():
    # at w1 = 0.5, A and B tie at 0.5 and A (listed first) joins C in the top 2; below 0.5 B
    # overtakes A, above it nothing changes up to 1: the interval is [0.5, 1].
    out = stability_intervals(HAND, [0.5, 0.5], True, k=2)
    np.testing.assert_allclose(out.loc[0, ["low", "high"]].to_numpy(float), [0.5, 1.0])
    assert pd.isna(out.loc[0, "out_at_high"])


def test_stability_interval_with_cost_criterion_and_three_criteria():
    # x = [[10, 5, 1], [6, 1, 3], [8, 3, 2]], third criterion a cost; min-max gives
    # r = [[1, 1, 1], [0, 0, 0], [.5, .5, .5]]: alternative 0 dominates, so its top-1 is
    # stable over all of [0, 1] for every criterion.
    out = stability_intervals(
        [[10, 5, 1], [6, 1, 3], [8, 3, 2]], [0.5, 0.3, 0.2], [True, True, False]
    )
    np.testing.assert_allclose(out[["low", "high"]].to_numpy(float), [[0, 1]] * 3)


def test_stability_interval_topsis_matches_a_fine_scan():
    rng = np.random.default_rng(4)
    x = rng.uniform(1, 10, size=(6, 3))
    w = np.array([0.5, 0.3, 0.2])
    ben = [True, False, True]
    out = stability_intervals(x, w, ben, method="topsis", k=2)
    top = set(np.flatnonzero(mcda.rank(mcda.topsis(x, w, ben)) <= 2))
    for j in range(3):
        lo, hi = out.iloc[j][["low", "high"]].to_numpy(float)
        assert lo <= w[j] <= hi
        for t in np.linspace(lo, hi, 25)[1:-1]:
            wt = w * (1 - t) / (1 - w[j])
            wt[j] = t
            assert set(np.flatnonzero(mcda.rank(mcda.topsis(x, wt, ben)) <= 2)) == top
        for edge, step in ((lo, -1e-6), (hi, 1e-6)):
            t = edge + step
            if 0 <= t <= 1:
                wt = w * (1 - t) / (1 - w[j])
                wt[j] = t
                assert set(np.flatnonzero(mcda.rank(mcda.topsis(x, wt, ben)) <= 2)) != top


@settings(max_examples=25, deadline=None)
@given(
    arrays(np.float64, (5, 3), elements=st.floats(0, 10, allow_nan=False)),
    st.integers(1, 4),
)
def test_stability_interval_weighted_sum_brackets_current_weight(x, k):
    w = np.array([0.2, 0.5, 0.3])
    ben = [True, False, True]
    out = stability_intervals(x, w, ben, k=k)
    scores = mcda.weighted_sum(x, w, ben)
    top = set(np.flatnonzero(mcda.rank(scores) <= k))
    for j in range(3):
        lo, hi = out.iloc[j][["low", "high"]].to_numpy(float)
        assert 0 <= lo <= w[j] + 1e-9
        assert w[j] - 1e-9 <= hi <= 1
        mid_points = np.linspace(lo, hi, 7)[1:-1]
        for t in mid_points:
            wt = w * (1 - t) / (1 - w[j])
            wt[j] = t
            s = mcda.weighted_sum(x, wt / wt.sum(), ben)
            gaps = np.abs(np.subtract.outer(s, s))[np.triu_indices(5, 1)]
            assume(gaps.min() > 1e-9)
            assert set(np.flatnonzero(mcda.rank(s) <= k)) == top


# ---------------------------------------------------------------------------------------
# weight sweep


def test_weight_sweep_zero_pct_equals_deterministic_ranking_and_rescales():
    x = [[8.0, 400, 10], [6.0, 900, 25], [9.0, 150, 8]]
    w = [0.5, 0.2, 0.3]
    ben = [True, True, False]
    t = weight_sweep(x, w, ben, method="topsis", pct=(-50, 0, 100, 300))
    base = t[(t["criterion"] == 0) & (t["pct"] == 0)]
    assert base["rank"].tolist() == mcda.rank(mcda.topsis(x, w, ben)).tolist()
    np.testing.assert_allclose(base["score"], mcda.topsis(x, w, ben))
    moved = t[(t["criterion"] == 0) & (t["pct"] == -50)]["weight"].unique()
    np.testing.assert_allclose(moved, [0.25])
    clipped = t[(t["criterion"] == 0) & (t["pct"] == 300)]["weight"].unique()
    np.testing.assert_allclose(clipped, [1.0])  # 0.5 * 4 clipped to 1
    s = t[(t["criterion"] == 2) & (t["pct"] == 100)]["score"].to_numpy()
    np.testing.assert_allclose(s, mcda.topsis(x, [0.5 * 0.4 / 0.7, 0.2 * 0.4 / 0.7, 0.6], ben))
    assert len(t) == 3 * 4 * 3


# ---------------------------------------------------------------------------------------
# determinism, chunking, agreement with deterministic ranking


def test_same_seed_same_result_bit_for_bit_and_chunk_invariant():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, size=(7, 3))
    a = smaa(x, [True, False, True], method="topsis", draws=3000, seed=42)
    b = smaa(x, [True, False, True], method="topsis", draws=3000, seed=42, chunk=7)
    pd.testing.assert_frame_equal(a.rank_acceptability, b.rank_acceptability, check_exact=True)
    pd.testing.assert_frame_equal(a.central_weights, b.central_weights, rtol=1e-12)
    c = smaa(x, [True, False, True], method="topsis", draws=3000, seed=43)
    assert not a.rank_acceptability.equals(c.rank_acceptability)
    g1 = smaa(x, True, draws=500, seed=np.random.default_rng(5))
    g2 = smaa(x, True, draws=500, seed=np.random.default_rng(5))
    assert g1.rank_acceptability.equals(g2.rank_acceptability)


def test_sample_estimates_reproducible_chunk_invariant_and_shapes():
    values = [
        Estimate.range(1, 3),
        Estimate.three_point(1, 2, 9),
        Estimate.three_point(0, 1, 2, dist="triangular"),
        Estimate.tshirt("M"),
        4.0,
        Estimate.point(2),
        Estimate.three_point(5, 5, 5),  # zero width: deterministic
    ]
    a = sample_estimates(values, 1001, seed=9)
    b = np.vstack(list(iter_estimate_draws(values, 1001, seed=9, chunk=100)))
    assert a.shape == (1001, 7)
    assert np.array_equal(a, b)
    assert np.array_equal(a, sample_estimates(values, 1001, seed=9))
    assert (a[:, 4] == 4.0).all()
    assert (a[:, 5] == 2.0).all()
    assert (a[:, 6] == 5.0).all()
    for j, est in enumerate(values[:4]):
        assert isinstance(est, Estimate)
        assert est.low <= a[:, j].min()
        assert a[:, j].max() <= est.high
        assert abs(a[:, j].mean() - est.mean) < 5 * est.std / math.sqrt(1001)
    matrix = [[Estimate.range(0, 1), 2.0], [3.0, Estimate.three_point(1, 2, 3)]]
    assert sample_estimates(matrix, 5, seed=1).shape == (5, 2, 2)


def test_sample_estimates_distribution_moments():
    est = Estimate.three_point(2, 4, 12)  # PERT mean 5
    x = sample_estimates([est], 50_000, seed=3)[:, 0]
    assert abs(x.mean() - est.mean) < 5 * est.std / math.sqrt(50_000)
    assert abs(x.std() - est.std) < 0.02 * est.std


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 4)), elements=st.floats(0, 100)),
    st.sampled_from(["weighted_sum", "topsis"]),
    st.integers(0, 2**32),
)
def test_point_estimates_and_fixed_weights_agree_with_deterministic_ranking(x, method, seed):
    n, m = x.shape
    w = np.random.default_rng(seed).dirichlet(np.ones(m))
    ben = [j % 2 == 0 for j in range(m)]
    fn = mcda.weighted_sum if method == "weighted_sum" else mcda.topsis
    scores = fn(x, w, ben)
    srt = np.sort(scores)
    assume(n == 1 or np.diff(srt).min() > 1e-9 or np.diff(srt).max() == 0)
    if n > 1:
        assume(all(d == 0 or d > 1e-9 for d in np.diff(srt)))
    expected = mcda.rank(scores)
    draws = sample_estimates([[Estimate.point(v) for v in row] for row in x], 3, seed=seed)
    for res in (
        smaa(x, ben, method=method, weights=w, draws=3, seed=seed),
        smaa(None, ben, method=method, weights=w, matrix_draws=draws, seed=seed),
    ):
        acc = res.rank_acceptability.to_numpy()
        assert np.array_equal(acc, np.eye(n)[expected - 1])


@settings(max_examples=30, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(1, 7), st.integers(1, 4)), elements=st.floats(-50, 50)
    ),
    st.sampled_from(["weighted_sum", "topsis"]),
    st.integers(0, 1000),
)
def test_rank_acceptability_rows_and_columns_sum_to_one(x, method, seed):
    if method == "topsis":
        x = np.abs(x)
    res = smaa(x, True, method=method, draws=200, seed=seed)
    acc = res.rank_acceptability.to_numpy()
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)
    np.testing.assert_allclose(acc.sum(axis=0), 1.0)
    assert ((acc >= 0) & (acc <= 1)).all()
    first = acc[:, 0] > 0
    assert np.isnan(res.central_weights.to_numpy()[~first]).all()
    np.testing.assert_allclose(res.central_weights.to_numpy()[first].sum(axis=1), 1.0)
    er = res.expected_rank.to_numpy()
    assert ((er >= 1) & (er <= x.shape[0])).all()


@settings(max_examples=20, deadline=None)
@given(
    arrays(np.float64, (3, 4, 3), elements=st.floats(0.1, 100)),
    arrays(np.float64, (3, 3), elements=st.floats(0.01, 1)),
)
def test_batched_kernels_match_mcda_kernels(xd, w):
    ben = np.array([True, False, True])
    w = w / w.sum(axis=1, keepdims=True)
    ws = uncertainty._ws_batch_kernel(xd, w, ben)
    tp = uncertainty._topsis_batch_kernel(xd, w, ben)
    for d in range(3):
        np.testing.assert_allclose(ws[d], mcda._weighted_sum_kernel(xd[d], w[d], ben), atol=1e-12)
        np.testing.assert_allclose(tp[d], mcda._topsis_kernel(xd[d], w[d], ben), atol=1e-12)
        gb, gw = uncertainty._topsis_fixed_parts(xd[d], ben)
        fixed = uncertainty._topsis_fixed_kernel(gb, gw, w)
        for e in range(3):
            np.testing.assert_allclose(fixed[e], mcda._topsis_kernel(xd[d], w[e], ben), atol=1e-12)


def test_order_kernel_breaks_exact_ties_by_input_order():
    s = np.array([[0.5, 0.9, 0.5, 0.9, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    order = uncertainty._order_kernel(s)
    assert order.tolist() == [[1, 3, 0, 2, 4], [0, 1, 2, 3, 4]]


def test_matrix_uncertainty_confidence_factor():
    # A's impact is uncertain, U(0, 2), B fixed at 1 on one criterion plus a constant one:
    # under any weights A is first iff its impact > 1 (prob 1/2); its central weights have
    # w1 > 0, so the confidence factor (A first at its central weights, over matrix draws) is
    # P(impact_A > 1) = 1/2, and B's likewise 1/2.
    cells = [[Estimate.range(0, 2), 1.0], [1.0, 1.0]]
    draws = 20_000
    xd = sample_estimates(cells, draws, seed=1)
    res = smaa(None, True, matrix_draws=xd, seed=2, alternatives=["A", "B"])
    tol = 5 * math.sqrt(0.25 / draws)
    assert abs(res.confidence["A"] - 0.5) < tol
    assert abs(res.confidence["B"] - 0.5) < tol
    assert abs(res.rank_acceptability.loc["A", 1] - 0.5) < tol


def test_zero_width_estimates_are_deterministic():
    cells = [[Estimate.three_point(3, 3, 3), 1.0], [Estimate.range(2, 2), 2.0]]
    xd = sample_estimates(cells, 50, seed=0)
    assert (xd == xd[0]).all()
    res = smaa(None, True, weights=[0.5, 0.5], matrix_draws=xd)
    assert res.rank_acceptability.to_numpy().tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_convergence_error_shrinks_like_one_over_sqrt_draws():
    def rms(draws: int) -> float:
        errs = [
            smaa(HAND, True, draws=draws, seed=s).rank_acceptability.to_numpy() - HAND_ACCEPTABILITY
            for s in range(30)
        ]
        return float(np.sqrt(np.mean(np.square(errs))))

    small, big = rms(250), rms(4000)
    assert 2.5 < small / big < 6.5  # 16x the draws: sqrt(16) = 4


# ---------------------------------------------------------------------------------------
# value of information


def test_value_of_information_known_answer():
    # Two alternatives, impact (weight 1) and reach (weight 0); A's impact ~ U(0, 1) and
    # reach ~ U(0, 1), B = (0.5, 0.5). Min-max scores: the better impact scores 1, the other
    # 0. Choosing blind (k = 1) is worth 1/2; knowing A's impact reveals the winner, so
    # EVPI = EVPPI(A, impact) = 1/2. Reach has weight 0 and never changes anything: its
    # EVPPI is only the estimator's upward bias, removed in evppi_net.
    cells = [[Estimate.range(0, 1), Estimate.range(0, 1)], [0.5, 0.5]]
    draws = 20_000
    xd = sample_estimates(cells, draws, seed=4)
    voi = value_of_information(
        xd, [1.0, 0.0], True, alternatives=["A", "B"], criteria=["impact", "reach"], bins=20
    )
    assert voi["criterion"].tolist() == ["impact", "reach"]
    assert abs(voi.attrs["evpi"] - 0.5) < 5 * math.sqrt(0.25 / draws)
    impact, reach = voi.iloc[0], voi.iloc[1]
    assert abs(impact["evppi"] - 0.5) < 0.02
    assert abs(impact["share_of_evpi"] - 1.0) < 0.05
    assert reach["evppi"] < 0.02
    assert reach["evppi_net"] < 0.01
    assert (voi["evppi"] >= 0).all()
    assert voi.attrs["bias_floor"] < 0.02


def test_value_of_information_is_zero_without_uncertainty_and_k_n():
    xd = np.broadcast_to(np.array([[1.0, 2.0], [3.0, 1.0]]), (100, 2, 2)).copy()
    voi = value_of_information(xd, [0.5, 0.5], True)
    assert voi.empty
    assert voi.attrs["evpi"] == 0.0
    cells = [[Estimate.range(0, 1)], [0.5]]
    out = value_of_information(sample_estimates(cells, 500, seed=1), [1.0], True, k=2)
    np.testing.assert_allclose(out["evppi"], 0.0, atol=1e-12)  # choosing all: nothing to learn


# ---------------------------------------------------------------------------------------
# result object


def test_result_repr_html_and_frame():
    res = smaa(HAND, True, draws=500, seed=1, alternatives=["A", "B", "C"], criteria=["x", "y"])
    assert repr(res) == (
        "SMAAResult(method='weighted_sum', weights='uniform', draws=500, alternatives=3, "
        "criteria=2)"
    )
    html = res._repr_html_()
    assert "<table" in html
    assert "expected_rank" in html
    frame = res.to_frame()
    assert list(frame.columns) == [
        "p_first",
        "expected_rank",
        "confidence",
        "central_weight[x]",
        "central_weight[y]",
    ]
    assert list(frame.index) == ["A", "B", "C"]
    assert res.rank_acceptability.columns.tolist() == [1, 2, 3]


def test_dataframe_names_flow_through():
    m = pd.DataFrame({"impact": [9, 5, 7], "effort_days": [30, 5, 12]}, index=["p", "f", "c"])
    res = smaa(
        m, [True, False], weights="ordinal", order=["effort_days", "impact"], seed=1, draws=300
    )
    assert list(res.central_weights.columns) == ["impact", "effort_days"]
    cw = res.central_weights.dropna()
    assert (cw["effort_days"] >= cw["impact"]).all()


def test_inputs_not_mutated():
    x = np.array(HAND)
    before = x.copy()
    smaa(x, True, draws=100, seed=0)
    stability_intervals(x, [0.5, 0.5], True)
    assert np.array_equal(x, before)


# ---------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("draws", [0, -3])
def test_draws_below_one(draws):
    with pytest.raises(ValidationError, match="draws must be >= 1"):
        smaa(HAND, True, draws=draws)
    with pytest.raises(ValidationError, match="draws"):
        sample_estimates([1.0], draws)


@pytest.mark.parametrize("draws", [1.5, True, "10"])
def test_draws_wrong_type(draws):
    with pytest.raises(InputTypeError, match="draws"):
        smaa(HAND, True, draws=draws)


def test_infeasible_bounds_name_the_constraints():
    with pytest.raises(InfeasibleError, match=r"lower bounds sum to 1\.2") as err:
        smaa(HAND, True, weights={0: (0.7, None), 1: (0.5, None)}, criteria=["impact", "reach"])
    assert err.value.conflicts == ("w[impact] >= 0.7", "w[reach] >= 0.5")
    with pytest.raises(InfeasibleError, match=r"upper bounds sum to 0\.7") as err2:
        sample_weights(["a", "b"], 10, weights={"a": (None, 0.3), "b": (None, 0.4)})
    assert "w[a] <= 0.3" in err2.value.conflicts
    with pytest.raises(InfeasibleError, match="0 <= low <= high <= 1"):
        sample_weights(2, 10, weights={0: (0.6, 0.4)})


def test_pinned_bounds_give_the_single_feasible_point():
    w = sample_weights(2, 4, weights={0: (None, 0.3), 1: (None, 0.7)}, seed=0)
    np.testing.assert_allclose(w.to_numpy(), [[0.3, 0.7]] * 4)


def test_tiny_acceptance_warns():
    bounds = dict.fromkeys(range(5), (0.0, 0.22))  # ~1e-4 of the simplex
    with pytest.warns(SMAAAcceptanceWarning, match="accept only"):
        w = sample_weights(5, 20, weights=bounds, seed=1)
    assert (w.to_numpy() <= 0.22).all()


def test_region_too_small_to_sample_raises(monkeypatch):
    monkeypatch.setattr(uncertainty._sampling, "_MAX_PROPOSALS", 5000)
    bounds = dict.fromkeys(range(5), (0.0, 0.201))
    with pytest.raises(InfeasibleError, match="too small a region"):
        sample_weights(5, 10, weights=bounds, seed=1)


@pytest.mark.parametrize("seed", ["1", 1.5, True, [1]])
def test_seed_of_wrong_type(seed):
    with pytest.raises(InputTypeError, match="seed"):
        smaa(HAND, True, draws=10, seed=seed)
    with pytest.raises(InputTypeError, match="seed"):
        sample_estimates([Estimate.range(0, 1)], 10, seed=seed)


def test_k_larger_than_alternatives():
    res = smaa(HAND, True, draws=10, seed=0)
    with pytest.raises(ValidationError, match=r"k must be <= the number of alternatives \(3\)"):
        res.p_top_k(4)
    with pytest.raises(ValidationError, match="k must be <="):
        stability_intervals(HAND, [0.5, 0.5], True, k=4)
    xd = sample_estimates([[Estimate.range(0, 1)], [0.5]], 10, seed=0)
    with pytest.raises(ValidationError, match="k must be <="):
        value_of_information(xd, [1.0], True, k=3)
    with pytest.raises(ValidationError, match="k must be >= 1"):
        res.p_top_k(0)


def test_nan_in_matrix_and_draws():
    with pytest.raises(ValidationError, match=r"matrix\[1, 0\] must be finite"):
        smaa([[1.0, 2.0], [np.nan, 1.0]], True)
    xd = np.ones((4, 2, 2))
    xd[2, 1, 1] = np.inf
    with pytest.raises(ValidationError, match=r"matrix_draws\[2, 1, 1\] must be finite"):
        smaa(None, True, matrix_draws=xd)
    with pytest.raises(ValidationError, match=r"values\[1\] must be finite"):
        sample_estimates([1.0, float("nan")], 3)


def test_other_bad_input():
    with pytest.raises(UnknownReferenceError, match="did you mean 'topsis'"):
        smaa(HAND, True, method="topsys")
    with pytest.raises(ValidationError, match="needs order="):
        smaa(HAND, True, weights="ordinal")
    with pytest.raises(ValidationError, match="every criterion exactly once"):
        smaa(HAND, True, weights="ordinal", order=[0])
    with pytest.raises(UnknownReferenceError, match="unknown criterion 'z'"):
        smaa(HAND, True, weights="ordinal", order=["z", 0], criteria=["x", "y"])
    with pytest.raises(UnknownReferenceError, match="did you mean 'ordinal'"):
        smaa(HAND, True, weights="ordinl")
    with pytest.raises(ValidationError, match="either matrix"):
        smaa(HAND, True, matrix_draws=np.ones((2, 3, 2)))
    with pytest.raises(ValidationError, match="must equal the number of matrix draws"):
        smaa(None, True, matrix_draws=np.ones((2, 3, 2)), draws=5)
    with pytest.raises(ValidationError, match="3-d"):
        smaa(None, True, matrix_draws=np.ones((3, 2)))
    with pytest.raises(ValidationError, match="benefit has 1 values"):
        smaa(HAND, [True])
    with pytest.raises(InputTypeError, match="number or an Estimate"):
        sample_estimates([1.0, "2"], 3)
    with pytest.raises(InputTypeError, match="single"):
        sample_estimates(Estimate.range(0, 1), 3)
    with pytest.raises(ValidationError, match="pct values must be finite and >= -100"):
        weight_sweep(HAND, [0.5, 0.5], True, pct=[-150])
    with pytest.raises(ValidationError, match="alternative has 2 names"):
        smaa(HAND, True, alternatives=["a", "b"])


def _confidence_problem(data, method, ben, xd):
    """Central weights (some missing), first-rank counts, blocks and their ideals drawn
    for a confidence-factor property test on the matrix draws ``xd``."""
    from frictionkit.uncertainty import _smaa

    draws, n, m = xd.shape
    w = data.draw(arrays(np.float64, (n, m), elements=st.sampled_from([0.0, 0.25, 0.5, 1.0])))
    w[w.sum(axis=1) == 0] = 1.0
    w = w / w.sum(axis=1, keepdims=True)
    w[data.draw(arrays(np.bool_, n))] = np.nan
    counts = np.zeros((n, n), dtype=np.int64)
    counts[:, 0] = data.draw(arrays(np.int64, n, elements=st.integers(0, 5)))
    blocks = _smaa._Blocks(method, ben, xd)
    spans = _smaa._blocks(draws, data.draw(st.integers(1, 3)))
    ideals = [blocks.parts(start, stop)[1] for start, stop in spans]
    return blocks, w, counts, spans, ideals


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.data(),
    st.sampled_from(["weighted_sum", "topsis"]),
    st.booleans(),
    st.integers(1, 3),
)
def test_confidence_fast_path_equals_scoring_every_alternative(data, method, ties, rivals):
    # The screened confidence factors (a few rivals first, then a full check of the
    # candidates left) count exactly the draws that scoring every candidate against every
    # alternative counts, ties included (small integers make many exact ties), whatever
    # the blocks, the stages and the threads.
    from frictionkit.uncertainty import _smaa

    draws = data.draw(st.integers(1, 6))
    n = data.draw(st.integers(1, 8))
    m = data.draw(st.integers(1, 3))
    values = st.integers(0, 3).map(float) if ties else st.floats(0.01, 100)
    xd = data.draw(arrays(np.float64, (draws, n, m), elements=values))
    if method == "topsis":
        xd = xd + 0.5 if ties else xd
    ben = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    blocks, w, counts, spans, ideals = _confidence_problem(data, method, ben, xd)
    old = _smaa._RIVALS, _smaa._RIVAL_STAGES, _smaa._CHECK_PAIRS
    old_learn = _smaa._GREEDY, _smaa._LEARN_DRAWS, _smaa._CHECK_VALUES
    _smaa._RIVALS, _smaa._RIVAL_STAGES = rivals, (1, rivals)
    _smaa._CHECK_PAIRS = data.draw(st.integers(1, 4))
    _smaa._GREEDY, _smaa._LEARN_DRAWS = data.draw(st.integers(0, 3)), data.draw(st.integers(1, 4))
    _smaa._CHECK_VALUES = data.draw(st.integers(1, 2 * n * m))
    try:
        fast = _smaa._confidence(blocks, w, counts, spans, ideals, data.draw(st.integers(1, 3)))
    finally:
        _smaa._RIVALS, _smaa._RIVAL_STAGES, _smaa._CHECK_PAIRS = old
        _smaa._GREEDY, _smaa._LEARN_DRAWS, _smaa._CHECK_VALUES = old_learn
    slow = _smaa._confidence_reference(blocks, w, spans)
    np.testing.assert_array_equal(fast, slow)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 9), st.integers(1, 20), st.integers(0, 2**32 - 1))
def test_tally_kernel_counts_each_alternative_at_each_rank(n, rows, seed):
    from frictionkit.uncertainty import _smaa

    order = np.argsort(np.random.default_rng(seed).random((rows, n)), axis=1)
    expected = np.zeros((n, n), dtype=np.int64)
    for row in order:
        for rank, alt in enumerate(row):
            expected[alt, rank] += 1
    np.testing.assert_array_equal(_smaa._tally_kernel(order, n), expected)


def test_smaa_can_skip_the_confidence_factors():
    # with sampled criteria values the confidence factors are most of the work; skipped,
    # they are NaN and every other figure is the same bit for bit
    from frictionkit.exceptions import InputTypeError
    from frictionkit.uncertainty import smaa

    rng = np.random.default_rng(4)
    draws = rng.normal(size=(400, 6, 3)) + np.arange(6)[None, :, None] * 0.1
    for method in ("weighted_sum", "topsis"):
        full = smaa(matrix_draws=draws, method=method, seed=2)
        quick = smaa(matrix_draws=draws, method=method, seed=2, confidence=False)
        assert full.confidence.notna().any()
        assert quick.confidence.isna().all()
        pd.testing.assert_frame_equal(full.rank_acceptability, quick.rank_acceptability)
        pd.testing.assert_frame_equal(full.central_weights, quick.central_weights)
    with pytest.raises(InputTypeError, match="confidence must be True or False"):
        smaa(matrix_draws=draws, confidence="no")


@pytest.mark.parametrize("method", ["weighted_sum", "topsis"])
@pytest.mark.parametrize("sampled", [True, False])
def test_smaa_same_result_for_any_threads_and_block_size(method, sampled, monkeypatch):
    # every block draws nothing (the weights are drawn once) and its scores are summed
    # criterion by criterion (no BLAS): threads and block sizes change no bit
    from frictionkit.uncertainty import _smaa

    rng = np.random.default_rng(7)
    xd = rng.uniform(1.0, 9.0, size=(300, 25, 4)) + np.arange(25)[None, :, None] * 0.05
    args: dict[str, object] = {"matrix_draws": xd} if sampled else {"matrix": xd[0], "draws": 300}
    ben = [True, False, True, False]
    base = smaa(benefit=ben, method=method, seed=3, threads=1, **args)
    runs = [smaa(benefit=ben, method=method, seed=3, threads=t, **args) for t in (2, 3)]
    runs.append(smaa(benefit=ben, method=method, seed=3, threads=2, chunk=7, **args))
    monkeypatch.setattr(_smaa, "_BLOCK_VALUES", 25 * 4 * 3)
    runs.append(smaa(benefit=ben, method=method, seed=3, threads=3, **args))
    assert base.confidence.notna().any()
    for res in runs:
        pd.testing.assert_frame_equal(
            res.rank_acceptability, base.rank_acceptability, check_exact=True
        )
        pd.testing.assert_frame_equal(res.central_weights, base.central_weights, check_exact=True)
        pd.testing.assert_series_equal(res.confidence, base.confidence, check_exact=True)


def test_smaa_scores_do_not_depend_on_the_batch_shape():
    # the scores are the same numbers whether one draw or many, one weight row or many,
    # are scored at once (the confidence factors compare scores computed in other shapes)
    from frictionkit.uncertainty import _smaa

    rng = np.random.default_rng(11)
    xd = rng.uniform(0.0, 50.0, size=(40, 30, 5))
    w = rng.dirichlet(np.ones(5), size=40)
    for method in ("weighted_sum", "topsis"):
        blocks = _smaa._Blocks(method, np.array([True, False, True, True, False]), xd)
        parts, _ = blocks.parts(0, 40)
        whole = blocks.scores(parts, w)
        for d in (0, 17, 39):
            one, _ = blocks.parts(d, d + 1)
            np.testing.assert_array_equal(blocks.scores(one, w[d : d + 1])[0], whole[d])
            sub, _ = blocks.parts(d // 2, d + 1)
            np.testing.assert_array_equal(blocks.scores(sub, w[d // 2 : d + 1])[-1], whole[d])


@pytest.mark.parametrize("bad", [0, -1, "2", 1.5, True])
def test_smaa_threads_must_be_a_positive_integer(bad):
    with pytest.raises(ValidationError, match="threads") as info:
        smaa(HAND, True, draws=10, seed=0, threads=bad)
    assert info.value.field == "threads"


@pytest.mark.parametrize("method", ["weighted_sum", "topsis"])
def test_smaa_leaves_the_matrix_draws_alone(method):
    # one criterion: the criteria-first view of the draws is already contiguous
    xd = np.random.default_rng(2).uniform(1.0, 5.0, size=(30, 4, 1))
    before = xd.copy()
    smaa(None, False, method=method, matrix_draws=xd, seed=0)
    np.testing.assert_array_equal(xd, before)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["weighted_sum", "topsis"]), st.booleans(), st.integers(1, 5))
def test_confidence_group_bounds_equal_scoring_every_alternative(data, method, ties, group):
    # the check scores exactly only the groups whose bound reaches the candidate: the
    # counts are those of scoring every alternative, bit for bit, whatever the group
    # size (short groups filled with repeats), ties and equal alternatives included
    from frictionkit.uncertainty import _smaa

    draws = data.draw(st.integers(1, 5))
    n = data.draw(st.integers(1, 12))
    m = data.draw(st.integers(1, 3))
    values = st.integers(0, 2).map(float) if ties else st.floats(0.01, 100)
    xd = data.draw(arrays(np.float64, (draws, n, m), elements=values))
    if data.draw(st.booleans()):
        xd[:, n // 2] = xd[:, 0]  # two equal alternatives
    if method == "topsis" and ties:
        xd = xd + 0.5
    ben = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    blocks, w, counts, spans, ideals = _confidence_problem(data, method, ben, xd)
    old = _smaa._GROUP, _smaa._RIVAL_STAGES, _smaa._CHECK_PAIRS, _smaa._CHECK_VALUES
    _smaa._GROUP, _smaa._RIVAL_STAGES = group, (data.draw(st.integers(0, 2)),)
    _smaa._CHECK_PAIRS = data.draw(st.integers(1, 4))
    _smaa._CHECK_VALUES = data.draw(st.integers(1, 2 * n * m))
    try:
        fast = _smaa._confidence(blocks, w, counts, spans, ideals, data.draw(st.integers(1, 2)))
    finally:
        _smaa._GROUP, _smaa._RIVAL_STAGES, _smaa._CHECK_PAIRS, _smaa._CHECK_VALUES = old
    slow = _smaa._confidence_reference(blocks, w, spans)
    np.testing.assert_array_equal(fast, slow)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["weighted_sum", "topsis"]), st.integers(1, 5))
def test_grouped_parts_and_bounds_are_those_of_the_parts(data, method, group):
    # the confidence check's parts by group are the acceptability pass's parts bit for
    # bit, and each group bound (computed from one extreme value per group and criterion)
    # is the extreme of its members' parts bit for bit: zeros of either sign, ties,
    # equal draws, and values a power-of-two rescale or a tiny norm handles included
    from frictionkit.uncertainty import _smaa

    draws = data.draw(st.integers(1, 4))
    n = data.draw(st.integers(1, 12))
    m = data.draw(st.integers(1, 3))
    values = st.one_of(
        st.sampled_from([0.0, -0.0, 1.0, 2.0, 1e-310, 1e300, -3.0]),
        st.floats(-100, 100),
    )
    xd = data.draw(arrays(np.float64, (draws, n, m), elements=values))
    if method == "topsis":
        xd = np.abs(xd)
    ben = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    blocks = _smaa._Blocks(method, ben, xd)
    parts, ideals = blocks.parts(0, draws)
    old = _smaa._GROUP
    _smaa._GROUP = group
    try:
        groups = _smaa._groups(xd)
    finally:
        _smaa._GROUP = old
    grouped, extreme = blocks.grouped(0, draws, ideals, groups)
    for k, p in enumerate(parts):
        members = p[:, :, groups]  # (draws, m, groups, size)
        got = grouped[k].transpose(1, 0, 2, 3)
        np.testing.assert_array_equal(got.view(np.uint64), members.view(np.uint64))
        pick = np.min if method == "topsis" and k == 0 else np.max
        want = pick(members, axis=-1).transpose(1, 0, 2)
        np.testing.assert_array_equal(extreme[k].view(np.uint64), want.view(np.uint64))
