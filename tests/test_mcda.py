"""Tests for frictionkit.mcda: golden cases from published examples, loop cross-checks,
properties (permutation, scale invariance, monotonicity, bounds, determinism), bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from frictionkit import mcda
from frictionkit.exceptions import InputTypeError, UnknownReferenceError, ValidationError
from frictionkit.weights import WeightsNormalisedWarning

# ---------------------------------------------------------------------------------------
# golden cases

# Hwang and Yoon (1981), "Multiple Attribute Decision Making: Methods and Applications",
# Springer LNEMS 186, the fighter-aircraft selection example (reproduced in Yoon and
# Hwang, 1995, "Multiple Attribute Decision Making: An Introduction", Sage): criteria
# max speed (Mach), ferry range (NM), max payload (lb), acquisition cost ($M, cost),
# reliability and maneuverability (interval scale 1-9); weights 0.2, 0.1, 0.1, 0.1, 0.2,
# 0.3. Published relative closeness: A1 0.643, A2 0.268, A3 0.613, A4 0.312.
FIGHTER = np.array(
    [
        [2.0, 1500, 20000, 5.5, 5, 9],
        [2.5, 2700, 18000, 6.5, 3, 5],
        [1.8, 2000, 21000, 4.5, 7, 7],
        [2.2, 1800, 20000, 5.0, 5, 5],
    ]
)
FIGHTER_W = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
FIGHTER_BENEFIT = [True, True, True, False, True, True]

# Triantaphyllou (2000), "Multi-Criteria Decision Making Methods: A Comparative Study",
# Kluwer, ch. 2, the WSM/WPM example (also the worked tables of the Wikipedia articles
# "Weighted sum model" and "Weighted product model"): three alternatives, four benefit
# criteria on one scale, weights 0.20, 0.15, 0.40, 0.25.
# Published WSM scores: 21.50, 22.00, 22.00. Published WPM ratios:
# R(A1/A2) = 1.007, R(A1/A3) = 1.067, R(A2/A3) = 1.059.
TRIANTAPHYLLOU = np.array([[25, 20, 15, 30], [10, 30, 20, 30], [30, 10, 30, 10]], dtype=float)
TRIANTAPHYLLOU_W = [0.20, 0.15, 0.40, 0.25]


def test_topsis_hwang_yoon_fighter_aircraft():
    closeness = mcda.topsis(FIGHTER, FIGHTER_W, FIGHTER_BENEFIT)
    # the book rounds intermediate tables to 3-4 decimals: agree to 1e-3
    np.testing.assert_allclose(closeness, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    assert mcda.rank(closeness).tolist() == [1, 4, 2, 3]


def test_weighted_sum_triantaphyllou_raw_scores():
    scores = mcda.weighted_sum(TRIANTAPHYLLOU, TRIANTAPHYLLOU_W, True, normalisation="none")
    np.testing.assert_allclose(scores, [21.50, 22.00, 22.00], atol=1e-12)
    # tie between A2 and A3 goes to the one listed first
    assert mcda.rank(scores).tolist() == [3, 1, 2]


def test_weighted_product_triantaphyllou_ratios():
    p = mcda.weighted_product(TRIANTAPHYLLOU, TRIANTAPHYLLOU_W, True)
    assert p[0] / p[1] == pytest.approx(1.007, abs=5e-4)
    assert p[0] / p[2] == pytest.approx(1.067, abs=5e-4)
    assert p[1] / p[2] == pytest.approx(1.059, abs=5e-4)
    assert mcda.rank(p).tolist() == [1, 2, 3]


def test_vikor_hand_computed_two_criteria():
    # Worked by hand from the definitions (Opricovic and Tzeng, 2004, eqs. 1-3):
    # f1 benefit best 5 worst 1, f2 cost best 3000 worst 4500, w = 0.5 each.
    # A1: gaps (1, 0) -> S 0.5, R 0.5; A2: (0.75, 0.5) -> S 0.625, R 0.375;
    # A3: (0, 1) -> S 0.5, R 0.5. Q = 0.5 * (S - 0.5) / 0.125 + 0.5 * (R - 0.375) / 0.125.
    res = mcda.vikor([[1, 3000], [2, 3750], [5, 4500]], [0.5, 0.5], [True, False])
    np.testing.assert_allclose(res.S, [0.5, 0.625, 0.5])
    np.testing.assert_allclose(res.R, [0.5, 0.375, 0.5])
    np.testing.assert_allclose(res.Q, [0.5, 0.5, 0.5])
    assert res.compromise().tolist() == [0, 1, 2]


def test_vikor_papathanasiou_ploskas_q():
    # Papathanasiou and Ploskas (2018), "Multiple Criteria Decision Aid: Methods, Examples and
    # Python Implementations", Springer Optimization and Its Applications 136, ch. 2 "VIKOR",
    # pp. 31-55 (doi:10.1007/978-3-319-91648-4_2), numerical example: six alternatives, four
    # benefit criteria, w = (0.4, 0.3, 0.1, 0.2), v = 0.625 = (n + 1) / 2n. Published Q to three
    # decimals. Read from one transcription only (the matrix, weights and Q copied into the test
    # suites of one author's MCDA packages); the book's S and R columns were not available, so
    # only Q and its order are pinned here.
    x = [[8, 7, 2, 1], [5, 3, 7, 5], [7, 5, 6, 4], [9, 9, 7, 3], [11, 10, 3, 7], [6, 9, 5, 4]]
    res = mcda.vikor(x, [0.4, 0.3, 0.1, 0.2], True, v=0.625)
    np.testing.assert_allclose(res.Q, [0.640, 1.000, 0.693, 0.271, 0.000, 0.694], atol=5e-4)
    assert mcda.rank(res.Q, higher_is_better=False).tolist() == [3, 6, 4, 2, 1, 5]


def test_vikor_compromise_conditions():
    # DQ = 1/3; Q(A2) - Q(A1) = 0.4167 >= DQ and A1 is best by S: a single compromise.
    res = mcda.vikor([[9, 1], [5, 5], [3, 7], [1, 9]], [0.8, 0.2], True)
    np.testing.assert_allclose(res.Q, [0.0, 5 / 12, 17 / 24, 1.0])
    assert res.compromise().tolist() == [0]
    # Advantage fails (three alternatives, DQ = 0.5): A1 and A2 both kept.
    assert mcda.vikor([[9, 1], [5, 5], [1, 9]], [0.8, 0.2], True).compromise().tolist() == [0, 1]
    frame = res.to_frame()
    assert list(frame.columns) == ["S", "R", "Q"]
    assert "VikorResult" in repr(res)


def test_promethee_usual_hand_computed():
    # Row 3 beats both others on both criteria (benefit up, cost down): phi+ = 1, phi- = 0.
    flows = mcda.promethee_ii([[1, 9], [2, 8], [3, 7]], [0.5, 0.5], [True, False])
    np.testing.assert_allclose(flows, [-1.0, 0.0, 1.0])


# The next cases were read from one transcription each (the decision matrices, weights,
# thresholds and published results copied into the test suite of an open-source MCDA package,
# pyrepo-mcda, which cites the sources); the journal and book tables themselves were not seen.
# Three papers by different authors, all reproduced to the published number of decimals.


def test_promethee_papathanasiou_ploskas_linear():
    # Papathanasiou and Ploskas (2018), "Multiple Criteria Decision Aid: Methods, Examples and
    # Python Implementations", Springer, ch. 3 "PROMETHEE", pp. 57-89
    # (doi:10.1007/978-3-319-91648-4_3), numerical example: the six alternatives and four
    # benefit criteria of the VIKOR chapter, w = (0.4, 0.3, 0.1, 0.2), linear preference
    # (type V) with q = 1 and p = 2 on every criterion. Published net flows to two decimals.
    x = [[8, 7, 2, 1], [5, 3, 7, 5], [7, 5, 6, 4], [9, 9, 7, 3], [11, 10, 3, 7], [6, 9, 5, 4]]
    flows = mcda.promethee_ii(x, [0.4, 0.3, 0.1, 0.2], True, preference="linear", p=2, q=1)
    np.testing.assert_allclose(flows, [-0.26, -0.52, -0.22, 0.36, 0.70, -0.06], atol=5e-3)
    assert mcda.rank(flows).tolist() == [5, 6, 4, 2, 1, 3]


def test_promethee_ziemba_2019_prosa_example():
    # Ziemba (2019), "Towards strong sustainability management - a generalized PROSA method",
    # Sustainability 11(6), 1555 (doi:10.3390/su11061555): 9 alternatives x 12 criteria, linear
    # preference with per-criterion q and p, weights normalised to sum 1. Published PROMETHEE II
    # net flows to four decimals.
    x = np.array(
        [
            [38723, 34913, 25596, 34842, 22570, 39773, 19500, 34525, 16486],
            [33207, 32085, 2123, 32095, 1445, 17485, 868, 16958, 958],
            [0, 0.2, 5, 0.2, 0.2, 0.2, 99, 99, 99],
            [3375, 3127, 3547, 3115, 3090, 4135, 3160, 4295, 3653],
            [11.36, 12.78, 12.78, 12.86, 12.86, 17, 12.86, 17, 12.86],
            [-320.9, -148.4, -148.4, -9.9, -9.9, 0, -9.9, 0, -9.9],
            [203.7, 463, 356.2, 552.5, 295, 383, 264, 352, 264],
            [0, 11.7, 44.8, 11.7, 95.9, 95.9, 116.8, 116.8, 164.9],
            [0, 4.9, 10.7, 5.4, 11.2, 11.2, 11.2, 11.2, 11.2],
            [1, 1, 1, 3.5, 4, 4, 4, 4, 4],
            [21.5, 47.9, 27.7, 39.7, 1.5, 22.7, 2.7, 23.9, 1],
            [0, 3.7, 4.5, 10.3, 11.5, 11.5, 11.3, 11.3, 11.4],
        ]
    ).T
    raw = np.array([0.3333, 0.1667, 0.1667, 0.3333, 0.25, 0.75, 1, 1, 0.4, 0.20, 0.40, 1])
    benefit = [False, False, True, False, True, True, False, True, True, False, False, True]
    p = [2100, 5000, 50, 200, 5, 20, 100, 80, 4, 2, 23, 3]
    q = [420, 1000, 10, 40, 1, 7, 50, 20, 1, 1, 4.6, 1]
    with pytest.warns(WeightsNormalisedWarning):  # the paper's raw weights sum to 6
        flows = mcda.promethee_ii(x, raw, benefit, preference="linear", p=p, q=q)
    published = [-0.4143, -0.5056, -0.2317, -0.2892, 0.3313, 0.0619, 0.4296, 0.1626, 0.4554]
    np.testing.assert_allclose(flows, published, atol=5e-5)


def test_promethee_ziemba_2017_v_shape():
    # Ziemba, Watrobski, Ziolo and Karczmarczyk (2017), "Using the PROSA method in offshore
    # wind farm location problems", Energies 10(11), 1755 (doi:10.3390/en10111755): 4
    # locations x 12 criteria, V-shape preference (type III: linear with q = 0) with
    # per-criterion p. Published PROMETHEE II net flows to four decimals.
    x = np.array(
        [
            [16347, 14219, 8160, 8160],
            [9, 8.5, 9, 8.5],
            [73.8, 55, 64.8, 62.5],
            [36.7, 36, 28.5, 29.5],
            [1.5, 2, 2, 1.5],
            [3730, 3240, 1860, 1860],
            [2, 1, 2, 1],
            [1, 1, 2, 3],
            [38.8, 33.1, 45.8, 27.3],
            [4, 2, 4, 3],
            [1720524, 1496512, 858830, 858830],
            [40012, 34803, 19973, 19973],
        ]
    ).T
    raw = np.array([20, 5, 5, 1.67, 1.67, 11.67, 11.67, 5, 5, 16.67, 8.33, 8.33])
    benefit = [False] * 5 + [True, False, False, True, False, True, True]
    p = [7280, 4, 13.4, 7.4, 3, 1662, 3, 3, 13.8, 3, 766240, 17820]
    flows = mcda.promethee_ii(x, raw / raw.sum(), benefit, preference="linear", p=p)
    np.testing.assert_allclose(flows, [-0.0445, 0.1884, -0.0954, -0.0485], atol=5e-5)


def test_topsis_ersoy_2021_equipment_selection():
    # Ersoy (2021), "Equipment selection for an e-commerce company using entropy-based TOPSIS,
    # EDAS and CODAS methods during the COVID-19", LogForum 17(3): 6 alternatives x 6 criteria
    # (the last two costs), entropy weights as published. Published closeness to three
    # decimals; the paper rounds its intermediate tables, so agreement is to 2e-3.
    x = [
        [256, 8, 41, 1.6, 1.77, 7347.16],
        [256, 8, 32, 1.0, 1.8, 6919.99],
        [256, 8, 53, 1.6, 1.9, 8400],
        [256, 8, 41, 1.0, 1.75, 6808.9],
        [512, 8, 35, 1.6, 1.7, 8479.99],
        [256, 4, 35, 1.6, 1.7, 7499.99],
    ]
    w = [0.405, 0.221, 0.134, 0.199, 0.007, 0.034]
    closeness = mcda.topsis(x, w, [True] * 4 + [False] * 2)
    np.testing.assert_allclose(closeness, [0.308, 0.254, 0.327, 0.263, 0.857, 0.192], atol=2e-3)
    assert mcda.rank(closeness).tolist() == [3, 5, 2, 4, 1, 6]


def test_weighted_sum_rizan_2020_linear_max():
    # Rizan, Wahyuningsih, Pradana and Ramadella (2020), "SAW method in supporting the process
    # of admission of new junior high school students", CITSM 2020
    # (doi:10.1109/CITSM50537.2020.9268874): 4 students x 7 benefit criteria, each divided by
    # its column maximum. Published scores 0.35, 0.375, 0.825, 0.642.
    x = [
        [0.75, 0.50, 0.75, 0, 0, 0, 1],
        [0.75, 1, 0.75, 0, 0, 0, 0.75],
        [0.75, 0.75, 0.75, 0, 0.50, 0.25, 1],
        [0.50, 0.50, 0.75, 1, 0.50, 0, 0.75],
    ]
    w = [0.1, 0.1, 0.1, 0.15, 0.2, 0.25, 0.1]
    scores = mcda.weighted_sum(x, w, True, normalisation="max")
    np.testing.assert_allclose(scores, [0.35, 0.375, 0.825, 0.642], atol=5e-4)


# ---------------------------------------------------------------------------------------
# independent loop implementations (straight from the textbook definitions)


def loop_promethee(x, w, benefit, q, p):
    n, m = x.shape
    pi = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            if a == b:
                continue
            for j in range(m):
                d = x[a, j] - x[b, j]
                if not benefit[j]:
                    d = -d
                if d <= q[j]:
                    pref = 0.0
                elif d > p[j]:
                    pref = 1.0
                else:
                    pref = (d - q[j]) / (p[j] - q[j])
                pi[a, b] += w[j] * pref
    if n == 1:
        return np.zeros(1)
    return (pi.sum(axis=1) - pi.sum(axis=0)) / (n - 1)


def loop_vikor(x, w, benefit, v):
    n, m = x.shape
    s, r = np.zeros(n), np.zeros(n)
    for i in range(n):
        terms = []
        for j in range(m):
            col = x[:, j]
            best = col.max() if benefit[j] else col.min()
            worst = col.min() if benefit[j] else col.max()
            # w_j times the normalised gap (in this order: w_j * (f* - f) alone can underflow
            # for subnormal values, found by Hypothesis)
            terms.append(0.0 if best == worst else w[j] * ((best - x[i, j]) / (best - worst)))
        s[i], r[i] = sum(terms), max(terms)
    q = np.zeros(n)
    for i in range(n):
        # ranges of at most 1e-12 are rounding noise: ties (as documented)
        a = 0.0 if s.max() - s.min() <= 1e-12 else (s[i] - s.min()) / (s.max() - s.min())
        b = 0.0 if r.max() - r.min() <= 1e-12 else (r[i] - r.min()) / (r.max() - r.min())
        q[i] = v * a + (1 - v) * b
    return s, r, q


def loop_topsis(x, w, benefit):
    n, m = x.shape
    v = np.zeros((n, m))
    for j in range(m):
        # divide by the largest |x| first (vector normalisation is scale-free), so that tiny
        # values such as 1e-168 do not underflow to 0 when squared
        big = max(abs(x[i, j]) for i in range(n))
        col = [x[i, j] / big if big else 0.0 for i in range(n)]
        norm = sum(c**2 for c in col) ** 0.5
        for i in range(n):
            v[i, j] = w[j] * col[i] / norm if norm else 0.0
    out = []
    for i in range(n):
        dp = dm = 0.0
        for j in range(m):
            best = v[:, j].max() if benefit[j] else v[:, j].min()
            worst = v[:, j].min() if benefit[j] else v[:, j].max()
            dp += (v[i, j] - best) ** 2
            dm += (v[i, j] - worst) ** 2
        dp, dm = dp**0.5, dm**0.5
        out.append(0.5 if dp + dm == 0 else dm / (dp + dm))
    return np.array(out)


# ---------------------------------------------------------------------------------------
# strategies


@st.composite
def problems(draw, min_n=1, max_n=7, max_m=4, positive=False, integers=False):
    n = draw(st.integers(min_n, max_n))
    m = draw(st.integers(1, max_m))
    if integers:
        elems = st.integers(1 if positive else 0, 6).map(float)
    elif positive:
        elems = st.floats(0.5, 100, allow_nan=False)
    else:
        elems = st.floats(-50, 100, allow_nan=False)
    x = draw(arrays(np.float64, (n, m), elements=elems))
    raw = draw(arrays(np.float64, (m,), elements=st.floats(0.05, 1.0)))
    w = raw / raw.sum()
    benefit = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    return x, w, benefit


# ---------------------------------------------------------------------------------------
# cross-checks against the loops


@given(problems(integers=True), st.data())
def test_promethee_matches_loop_with_ties(problem, data):
    x, w, benefit = problem
    m = x.shape[1]
    usual = mcda.promethee_ii(x, w, benefit)
    np.testing.assert_allclose(usual, loop_promethee(x, w, benefit, [0] * m, [0] * m), atol=1e-12)
    p = data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.5]), min_size=m, max_size=m))
    q = [data.draw(st.sampled_from([0.0, 0.25 * pj, pj])) for pj in p]
    lin = mcda.promethee_ii(x, w, benefit, preference="linear", p=p, q=q)
    np.testing.assert_allclose(lin, loop_promethee(x, w, benefit, q, p), atol=1e-12)


@given(problems(min_n=2), st.floats(0.01, 50), st.floats(0.0, 1.0))
def test_promethee_linear_matches_loop_real_values(problem, p, frac):
    x, w, benefit = problem
    m = x.shape[1]
    q = frac * p
    got = mcda.promethee_ii(x, w, benefit, preference="linear", p=p, q=q)
    np.testing.assert_allclose(got, loop_promethee(x, w, benefit, [q] * m, [p] * m), atol=1e-9)


def test_promethee_linear_threshold_far_above_subnormal_values():
    # Found by Hypothesis: values near 2e-313 with p = 1 overflowed the scaled threshold
    # (a RuntimeWarning, an error under the test settings). The flows are exact here.
    x = [[2.22507386e-313], [2.22507386e-313]]
    assert mcda.promethee_ii(x, [1.0], [False], preference="linear", p=1.0).tolist() == [0, 0]
    x = [[1e-313], [3e-313], [0.0]]
    got = mcda.promethee_ii(x, [1.0], True, preference="linear", p=1.0)
    np.testing.assert_allclose(got, loop_promethee(np.array(x), [1.0], [True], [0.0], [1.0]))


def test_vikor_rows_equal_in_exact_arithmetic_tie():
    # S of both rows is 1/2 in exact arithmetic (weights 6/18, 9/18, 3/18; gaps summed in a
    # different order give 0.5 and 0.5 - 1 ulp). Scaled up, that one ulp became Q = 0 vs 1;
    # a spread of S or R at most 1e-12 is now a tie. (A Hypothesis run found the pattern.)
    x = [[2.0, 0.0, 1.0], [1.0, 2.0, 0.0]]
    w = np.array([6.0, 9.0, 3.0]) / 18
    res = mcda.vikor(x, w, True, v=1.0)
    assert res.S[0] != res.S[1]  # the rounding is there...
    assert abs(res.S[0] - res.S[1]) < 1e-15
    assert res.Q.tolist() == [0.0, 0.0]  # ...and is not blown up


def test_vikor_subnormal_spread_is_a_real_spread():
    # 0 and 5e-324 differ (the smallest positive double): the gap of the worse row is 1
    # and its weighted regret 0.5, as for any other pair of values.
    res = mcda.vikor([[0.0, 5e-324], [5e-324, 5e-324]], [0.5, 0.5], False, v=0.0)
    assert res.S.tolist() == [0.0, 0.5]
    assert res.R.tolist() == [0.0, 0.5]
    assert res.Q.tolist() == [0.0, 1.0]


@given(problems(), st.floats(0.0, 1.0))
def test_vikor_matches_loop(problem, v):
    x, w, benefit = problem
    res = mcda.vikor(x, w, benefit, v=v)
    s, r, q = loop_vikor(x, w, benefit, v)
    np.testing.assert_allclose(res.S, s, atol=1e-12)
    np.testing.assert_allclose(res.R, r, atol=1e-12)
    np.testing.assert_allclose(res.Q, q, atol=1e-12)


@given(problems())
def test_topsis_matches_loop(problem):
    x, w, benefit = problem
    np.testing.assert_allclose(mcda.topsis(x, w, benefit), loop_topsis(x, w, benefit), atol=1e-9)


def test_weighted_sum_normalisations_by_hand():
    x = np.array([[2.0, 10.0], [4.0, 20.0], [1.0, 40.0]])
    w = [0.5, 0.5]
    ben = [True, False]
    # minmax: col1 (x-1)/3, col2 (40-x)/30
    np.testing.assert_allclose(
        mcda.weighted_sum(x, w, ben), 0.5 * np.array([1 / 3 + 1, 1 + 2 / 3, 0 + 0])
    )
    # max: col1 x/4, col2 1 - x/40
    np.testing.assert_allclose(
        mcda.weighted_sum(x, w, ben, "max"), 0.5 * np.array([0.5 + 0.75, 1 + 0.5, 0.25 + 0])
    )
    n1, n2 = np.sqrt(21.0), np.sqrt(2100.0)
    np.testing.assert_allclose(
        mcda.weighted_sum(x, w, ben, "vector"),
        0.5 * np.array([2 / n1 + 1 - 10 / n2, 4 / n1 + 1 - 20 / n2, 1 / n1 + 1 - 40 / n2]),
    )


# ---------------------------------------------------------------------------------------
# properties

METHODS = {
    "wsm": lambda x, w, b: mcda.weighted_sum(x, w, b),
    "wsm_max": lambda x, w, b: mcda.weighted_sum(x, w, b, "max"),
    "wsm_vector": lambda x, w, b: mcda.weighted_sum(x, w, b, "vector"),
    "wpm": lambda x, w, b: mcda.weighted_product(x, w, b),
    "topsis": lambda x, w, b: mcda.topsis(x, w, b),
    "vikor_q": lambda x, w, b: mcda.vikor(x, w, b).Q,
    "promethee": lambda x, w, b: mcda.promethee_ii(x, w, b),
    "promethee_linear": lambda x, w, b: mcda.promethee_ii(x, w, b, "linear", p=5.0, q=1.0),
}


@pytest.mark.parametrize("name", sorted(METHODS))
@given(problem=problems(positive=True), seed=st.integers(0, 2**16))
def test_permuting_rows_permutes_outputs(name, problem, seed):
    x, w, benefit = problem
    perm = np.random.default_rng(seed).permutation(x.shape[0])
    fn = METHODS[name]
    np.testing.assert_allclose(fn(x[perm], w, benefit), fn(x, w, benefit)[perm], atol=1e-12)


@pytest.mark.parametrize("name", ["wsm", "wsm_max", "wsm_vector", "wpm", "topsis", "vikor_q"])
@given(problem=problems(positive=True), data=st.data())
def test_scaling_a_criterion_changes_nothing(name, problem, data):
    x, w, benefit = problem
    j = data.draw(st.integers(0, x.shape[1] - 1))
    c = data.draw(st.sampled_from([0.001, 0.5, 3.0, 1000.0]))
    scaled = x.copy()
    scaled[:, j] *= c
    fn = METHODS[name]
    np.testing.assert_allclose(fn(scaled, w, benefit), fn(x, w, benefit), atol=1e-9)


def test_promethee_usual_is_scale_invariant():
    x = np.array([[3.0, 2.0], [1.0, 5.0], [2.0, 2.0]])
    base = mcda.promethee_ii(x, [0.6, 0.4], [True, False])
    np.testing.assert_allclose(mcda.promethee_ii(x * [7.0, 0.01], [0.6, 0.4], [True, False]), base)


@given(problems(min_n=2, integers=True), st.integers(-1070, 1020), st.data())
def test_promethee_is_exactly_invariant_to_power_of_two_scaling(problem, exp, data):
    # Scaling values and thresholds by 2^exp, up to values near 1e308 (where differences
    # and prefix sums would overflow unscaled), gives the same flows without a warning.
    x, w, benefit = problem
    m = x.shape[1]
    p = data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.5]), min_size=m, max_size=m))
    q = [0.25 * pj for pj in p]
    scale = 2.0**exp
    assume(np.isfinite(x * scale).all())
    for kwargs in ({}, {"preference": "linear", "p": p, "q": q}):
        base = mcda.promethee_ii(x, w, benefit, **kwargs)
        if kwargs:
            kwargs = {**kwargs, "p": [v * scale for v in p], "q": [v * scale for v in q]}
        got = mcda.promethee_ii(x * scale, w, benefit, **kwargs)
        np.testing.assert_array_equal(got, base)


def test_promethee_near_float_max_does_not_overflow():
    x = np.array([[1.7e308, 1.0], [-1.7e308, 2.0], [1e308, 3.0]])
    flows = mcda.promethee_ii(x, [0.5, 0.5], [False, True])  # warnings are errors here
    # by hand: cost criterion nets (-2, 2, 0), benefit criterion (-2, 0, 2); / (n - 1)
    np.testing.assert_allclose(flows, [-1.0, 0.5, 0.5])
    lin = mcda.promethee_ii(x, [0.5, 0.5], [False, True], preference="linear", p=[1.7e308, 1.0])
    assert np.isfinite(lin).all()
    assert abs(lin.sum()) < 1e-12


# TOPSIS is left out on purpose: raising one alternative on a benefit criterion moves the
# ideal and anti-ideal points and can lower its closeness (a known non-monotonicity).
@pytest.mark.parametrize("name", ["wsm", "wsm_max", "wsm_vector", "wpm", "promethee"])
@given(problem=problems(positive=True), data=st.data())
def test_improving_a_benefit_criterion_never_lowers_the_score(name, problem, data):
    x, w, benefit = problem
    assume(any(benefit))
    i = data.draw(st.integers(0, x.shape[0] - 1))
    j = data.draw(st.sampled_from([k for k, b in enumerate(benefit) if b]))
    better = x.copy()
    better[i, j] += data.draw(st.floats(0.01, 50))
    fn = METHODS[name]
    assert fn(better, w, benefit)[i] >= fn(x, w, benefit)[i] - 1e-12


@given(problems(positive=True), st.data())
def test_vikor_improving_a_benefit_criterion_never_raises_s(problem, data):
    x, w, benefit = problem
    assume(any(benefit))
    i = data.draw(st.integers(0, x.shape[0] - 1))
    j = data.draw(st.sampled_from([k for k, b in enumerate(benefit) if b]))
    better = x.copy()
    better[i, j] += data.draw(st.floats(0.01, 50))
    assert mcda.vikor(better, w, benefit).S[i] <= mcda.vikor(x, w, benefit).S[i] + 1e-12


@given(problems())
def test_outputs_finite_and_in_documented_bounds(problem):
    x, w, benefit = problem
    tol = 1e-12
    for scores in (mcda.weighted_sum(x, w, benefit), mcda.topsis(x, w, benefit)):
        assert np.all(np.isfinite(scores))
        assert np.all((scores >= -tol) & (scores <= 1 + tol))
    res = mcda.vikor(x, w, benefit)
    for arr in (res.S, res.R, res.Q):
        assert np.all(np.isfinite(arr))
        assert np.all((arr >= -tol) & (arr <= 1 + tol))
    assert np.all(res.S + tol >= res.R)
    flows = mcda.promethee_ii(x, w, benefit)
    assert np.all((flows >= -1 - tol) & (flows <= 1 + tol))
    assert abs(flows.sum()) < 1e-9
    ranks = mcda.rank(mcda.topsis(x, w, benefit))
    assert sorted(ranks.tolist()) == list(range(1, x.shape[0] + 1))


@given(problems(positive=True))
def test_wsm_other_normalisations_and_wpm_bounds(problem):
    x, w, benefit = problem
    for how in ("max", "vector"):
        s = mcda.weighted_sum(x, w, benefit, how)
        assert np.all((s >= -1e-12) & (s <= 1 + 1e-12))
    p = mcda.weighted_product(x, w, benefit)
    assert np.all((p > 0) & (p <= 1 + 1e-12))


@pytest.mark.parametrize("name", sorted(METHODS))
@given(problem=problems(positive=True))
def test_deterministic_and_inputs_untouched(name, problem):
    x, w, benefit = problem
    x_before, w_before = x.copy(), w.copy()
    fn = METHODS[name]
    first, second = fn(x, w, benefit), fn(x, w, benefit)
    assert np.array_equal(first, second)
    assert np.array_equal(x, x_before)
    assert np.array_equal(w, w_before)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_constant_criterion_is_defined(name):
    x = np.array([[3.0, 5.0], [4.0, 5.0], [1.0, 5.0]])
    out = METHODS[name](x, [0.5, 0.5], [True, True])
    assert np.all(np.isfinite(out))
    # the constant column cannot change the order: same as with the varying column alone
    assert mcda.rank(out, higher_is_better=name != "vikor_q").tolist() == [2, 1, 3]


@pytest.mark.parametrize("name", sorted(METHODS))
def test_all_constant_gives_a_tie_not_nan(name):
    out = METHODS[name](np.full((3, 2), 2.0), [0.5, 0.5], [True, False])
    assert np.all(np.isfinite(out))
    assert np.ptp(out) == 0


def test_topsis_all_constant_is_one_half():
    np.testing.assert_array_equal(mcda.topsis(np.ones((4, 3)), [0.2, 0.3, 0.5], True), [0.5] * 4)


def test_single_alternative():
    x = [[3.0, 4.0]]
    assert mcda.promethee_ii(x, [0.5, 0.5], True).tolist() == [0.0]
    assert mcda.vikor(x, [0.5, 0.5], True).compromise().tolist() == [0]
    assert mcda.rank([1.0]).tolist() == [1]


def test_dataframe_input_and_single_bool_benefit():
    frame = pd.DataFrame({"impact": [3.0, 5.0, 4.0], "effort": [2.0, 1.0, 3.0]})
    a = mcda.topsis(frame, [0.5, 0.5], [True, False])
    b = mcda.topsis(frame.to_numpy(), np.array([0.5, 0.5]), np.array([True, False]))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        mcda.weighted_sum(frame, [0.5, 0.5], True),
        mcda.weighted_sum(frame, [0.5, 0.5], [True, True]),
    )


# ---------------------------------------------------------------------------------------
# rank


def test_rank_ties_broken_by_input_order():
    assert mcda.rank([0.5, 0.9, 0.5, 0.9, 0.1]).tolist() == [3, 1, 4, 2, 5]
    assert mcda.rank([0.5, 0.9, 0.5], higher_is_better=False).tolist() == [1, 3, 2]


@given(st.lists(st.integers(0, 4).map(float), min_size=1, max_size=12))
def test_rank_is_a_permutation_consistent_with_scores(scores):
    ranks = mcda.rank(scores)
    assert sorted(ranks.tolist()) == list(range(1, len(scores) + 1))
    for a, b in itertools.combinations(range(len(scores)), 2):
        if scores[a] > scores[b]:
            assert ranks[a] < ranks[b]
        if scores[a] == scores[b]:
            assert ranks[a] < ranks[b]  # earlier input wins the tie


def test_rank_bad_input():
    with pytest.raises(ValidationError, match="finite"):
        mcda.rank([1.0, float("nan")])
    with pytest.raises(ValidationError, match="1-d"):
        mcda.rank([[1.0]])
    with pytest.raises(InputTypeError):
        mcda.rank(["a", "b"])
    with pytest.raises(InputTypeError, match="higher_is_better"):
        mcda.rank([1.0], higher_is_better="yes")


# ---------------------------------------------------------------------------------------
# bad input

X = [[1.0, 2.0], [2.0, 1.0]]


def test_weights_not_summing_to_one_are_normalised_with_a_warning():
    with pytest.warns(WeightsNormalisedWarning, match="sum to 2"):
        got = mcda.topsis(X, [1.0, 1.0], True)
    np.testing.assert_array_equal(got, mcda.topsis(X, [0.5, 0.5], True))


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([-0.5, 1.5], ">= 0, got -0.5 at position 0"),
        ([float("nan"), 1.0], "finite"),
        ([0.0, 0.0], "all zero"),
        ([0.5, 0.3, 0.2], "3 values but the matrix has 2 criteria"),
    ],
)
def test_bad_weights_refused(weights, match):
    with pytest.raises(ValidationError, match=match) as info:
        mcda.weighted_sum(X, weights, True)
    assert info.value.field == "weights"


def test_mapping_weights_refused():
    with pytest.raises(InputTypeError, match="mapping"):
        mcda.topsis(X, {"a": 0.5, "b": 0.5}, True)


def test_bad_matrix_refused():
    with pytest.raises(ValidationError, match=r"matrix\[1, 0\] must be finite") as info:
        mcda.topsis([[1.0, 2.0], [np.nan, 1.0]], [0.5, 0.5], True)
    assert info.value.field == "matrix[1, 0]"
    with pytest.raises(ValidationError, match="2-d"):
        mcda.topsis([1.0, 2.0], [1.0], True)
    with pytest.raises(InputTypeError):
        mcda.topsis([["a", "b"]], [0.5, 0.5], True)
    with pytest.raises(InputTypeError):
        mcda.topsis("matrix", [0.5, 0.5], True)


def test_bad_benefit_refused():
    with pytest.raises(ValidationError, match="benefit has 1 values"):
        mcda.topsis(X, [0.5, 0.5], [True])
    with pytest.raises(InputTypeError, match=r"benefit\[1\]"):
        mcda.topsis(X, [0.5, 0.5], [True, "max"])  # type: ignore[list-item]
    with pytest.raises(InputTypeError):
        mcda.topsis(X, [0.5, 0.5], "max")


def test_unknown_options_suggest_the_closest():
    with pytest.raises(UnknownReferenceError, match="did you mean 'minmax'"):
        mcda.weighted_sum(X, [0.5, 0.5], True, normalisation="min-max")
    with pytest.raises(UnknownReferenceError, match="did you mean 'linear'"):
        mcda.promethee_ii(X, [0.5, 0.5], True, preference="lineal")


def test_method_specific_refusals():
    with pytest.raises(ValidationError, match="positive values, got matrix"):
        mcda.weighted_product([[1.0, 0.0], [2.0, 1.0]], [0.5, 0.5], True)
    with pytest.raises(ValidationError, match="non-negative"):
        mcda.weighted_sum([[1.0, -1.0], [2.0, 1.0]], [0.5, 0.5], True, "vector")
    with pytest.raises(ValidationError, match="cost criterion 1"):
        mcda.weighted_sum(X, [0.5, 0.5], [True, False], "none")
    with pytest.raises(ValidationError, match="between 0 and 1"):
        mcda.vikor(X, [0.5, 0.5], True, v=1.5)
    with pytest.raises(InputTypeError):
        mcda.vikor(X, [0.5, 0.5], True, v="half")
    with pytest.raises(ValidationError, match="needs a preference threshold p"):
        mcda.promethee_ii(X, [0.5, 0.5], True, preference="linear")
    with pytest.raises(ValidationError, match="q must not exceed p"):
        mcda.promethee_ii(X, [0.5, 0.5], True, preference="linear", p=1.0, q=[0.5, 2.0])
    with pytest.raises(ValidationError, match="takes no thresholds"):
        mcda.promethee_ii(X, [0.5, 0.5], True, p=1.0)
    with pytest.raises(ValidationError, match=r"p\[0\] must be a finite number >= 0"):
        mcda.promethee_ii(X, [0.5, 0.5], True, preference="linear", p=[-1.0, 1.0])
    with pytest.raises(ValidationError, match="one number or 2 numbers"):
        mcda.promethee_ii(X, [0.5, 0.5], True, preference="linear", p=[1.0, 1.0, 1.0])
