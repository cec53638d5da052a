"""Tests for frictionkit.weights: published AHP and ROC values, loop cross-checks for
entropy and CRITIC, the consistent-matrix property, and bad input."""

from __future__ import annotations

import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from frictionkit.exceptions import InputTypeError, UnknownReferenceError, ValidationError
from frictionkit.weights import (
    RANDOM_INDEX,
    AHPInconsistencyWarning,
    WeightsNormalisedWarning,
    ahp,
    critic_weights,
    entropy_weights,
    normalise_weights,
    rank_order_centroid,
    rank_sum,
    swing_weights,
)

# ---------------------------------------------------------------------------------------
# AHP golden case

# Saaty (2008), "Decision making with the analytic hierarchy process", Int. J. Services
# Sciences 1(1), 83-98: relative consumption of drinks in the United States (Table 2).
# Published eigenvector: coffee .177, wine .019, tea .042, beer .116, sodas .190,
# milk .129, water .327; consistency ratio C.R. = .022.
DRINKS = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
DRINKS_MATRIX = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]
DRINKS_WEIGHTS = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]


def test_ahp_saaty_2008_drinks():
    res = ahp(DRINKS_MATRIX, criteria=DRINKS)
    assert isinstance(res.weights, pd.Series)
    assert list(res.weights.index) == DRINKS
    np.testing.assert_allclose(res.weights.to_numpy(), DRINKS_WEIGHTS, atol=5e-4)
    assert res.cr == pytest.approx(0.022, abs=5e-4)
    assert res.random_index == 1.32
    assert res.ci == pytest.approx((res.lambda_max - 7) / 6)
    assert res.consistent
    assert "cr=0.0223" in repr(res)


def test_ahp_papathanasiou_ploskas_full_hierarchy():
    # Papathanasiou and Ploskas (2018), "Multiple Criteria Decision Aid", Springer, ch. 5
    # "AHP", pp. 109-129 (doi:10.1007/978-3-319-91648-4_5), numerical example: four criteria
    # and six alternatives, every level by principal eigenvector, global priority = local
    # priorities x criteria weights. Published global priorities to three decimals. Read
    # from one transcription (the test suite of the open-source MCDA package pyrepo-mcda), not
    # from the book itself.
    criteria = [[1, 1, 5, 3], [1, 1, 5, 3], [1 / 5, 1 / 5, 1, 1 / 3], [1 / 3, 1 / 3, 3, 1]]
    by_criterion = [
        [
            [1, 5, 1, 1, 1 / 3, 3],
            [1 / 5, 1, 1 / 3, 1 / 5, 1 / 7, 1],
            [1, 3, 1, 1 / 3, 1 / 5, 1],
            [1, 5, 3, 1, 1 / 3, 3],
            [3, 7, 5, 3, 1, 7],
            [1 / 3, 1, 1, 1 / 3, 1 / 7, 1],
        ],
        [
            [1, 7, 3, 1 / 3, 1 / 3, 1 / 3],
            [1 / 7, 1, 1 / 3, 1 / 7, 1 / 9, 1 / 7],
            [1 / 3, 3, 1, 1 / 5, 1 / 5, 1 / 5],
            [3, 7, 5, 1, 1, 1],
            [3, 9, 5, 1, 1, 1],
            [3, 7, 5, 1, 1, 1],
        ],
        [
            [1, 1 / 9, 1 / 7, 1 / 9, 1, 1 / 5],
            [9, 1, 1, 1, 5, 3],
            [7, 1, 1, 1, 5, 1],
            [9, 1, 1, 1, 7, 3],
            [1, 1 / 5, 1 / 5, 1 / 7, 1, 1 / 3],
            [5, 1 / 3, 1, 1 / 3, 3, 1],
        ],
        [
            [1, 1 / 5, 1 / 5, 1 / 3, 1 / 7, 1 / 5],
            [5, 1, 1, 3, 1 / 3, 1],
            [5, 1, 1, 1, 1 / 3, 1],
            [3, 1 / 3, 1, 1, 1 / 7, 1],
            [7, 3, 3, 7, 1, 5],
            [5, 1, 1, 1, 1 / 5, 1],
        ],
    ]
    w = ahp(criteria)
    assert w.consistent
    local = np.column_stack([np.asarray(ahp(m).weights) for m in by_criterion])
    overall = local @ np.asarray(w.weights)
    np.testing.assert_allclose(overall, [0.117, 0.071, 0.095, 0.212, 0.350, 0.155], atol=5e-4)


def test_ahp_dict_input_matches_matrix_input():
    comparisons = {
        (DRINKS[i], DRINKS[j]): DRINKS_MATRIX[i][j] for i in range(7) for j in range(i + 1, 7)
    }
    # give some pairs the other way round: the reciprocal is filled in
    flipped = dict(comparisons)
    del flipped[("coffee", "wine")]
    flipped[("wine", "coffee")] = 1 / 9
    a = ahp(flipped, criteria=DRINKS)
    b = ahp(DRINKS_MATRIX, criteria=DRINKS)
    np.testing.assert_allclose(a.weights.to_numpy(), b.weights.to_numpy(), atol=1e-12)
    assert a.lambda_max == pytest.approx(b.lambda_max, abs=1e-9)


def test_ahp_random_index_tables():
    assert len(RANDOM_INDEX["saaty"]) == 15
    assert len(RANDOM_INDEX["alonso_lamata"]) == 15
    a = ahp(DRINKS_MATRIX, random_index="alonso_lamata")
    assert a.random_index == 1.3417
    assert a.table == "alonso_lamata"
    assert a.cr == pytest.approx(a.ci / 1.3417)


# ---------------------------------------------------------------------------------------
# AHP properties


@given(arrays(np.float64, st.integers(1, 12), elements=st.floats(0.05, 20.0)))
def test_ahp_consistent_matrix_reproduces_its_vector(raw):
    w = raw / raw.sum()
    res = ahp(np.outer(w, 1.0 / w))
    np.testing.assert_allclose(res.weights, w, atol=1e-9)
    assert abs(res.cr) < 1e-9
    assert res.lambda_max == pytest.approx(w.size, abs=1e-9)
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_ahp_n1_and_n2_are_consistent_by_definition():
    one = ahp([[1.0]])
    assert one.weights.tolist() == [1.0]
    assert one.cr == 0.0
    two = ahp({("a", "b"): 4})
    assert two.weights.to_dict() == pytest.approx({"a": 0.8, "b": 0.2})
    assert (two.ci, two.cr, two.lambda_max) == (0.0, 0.0, 2.0)


def test_ahp_inconsistent_matrix_warns():
    # a > b, b > c but c > a: a preference cycle
    with pytest.warns(AHPInconsistencyWarning, match=r"consistency ratio is \d\.\d+ > 0.10"):
        res = ahp({("a", "b"): 5, ("b", "c"): 5, ("c", "a"): 5})
    assert not res.consistent
    assert res.weights.sum() == pytest.approx(1.0)


def test_ahp_dataframe_input_uses_index_names():
    frame = pd.DataFrame([[1, 3], [1 / 3, 1]], index=["x", "y"], columns=["x", "y"])
    assert ahp(frame).weights.to_dict() == pytest.approx({"x": 0.75, "y": 0.25})


# ---------------------------------------------------------------------------------------
# AHP bad input


def test_ahp_not_reciprocal_names_the_cell():
    with pytest.raises(ValidationError, match=r"cell \(0, 1\) = 3 but cell \(1, 0\) = 3") as info:
        ahp([[1, 3, 1], [3, 1, 1], [1, 1, 1]])
    assert info.value.field == "pairwise[1, 0]"


def test_ahp_not_positive_names_the_cell():
    with pytest.raises(ValidationError, match=r"pairwise\[0, 2\] must be a positive.*got 0\. "):
        ahp([[1, 3, 0], [1 / 3, 1, 1], [np.inf, 1, 1]])
    # the value is shown as the user wrote it, not as a numpy repr
    with pytest.raises(ValidationError, match=r"pairwise\[0, 1\] .* got -2\. "):
        ahp([[1, -2], [-0.5, 1]])
    with pytest.raises(ValidationError, match=r"pairwise\[1, 1\] must be 1"):
        ahp([[1, 2], [0.5, 2]])


def test_ahp_not_square():
    with pytest.raises(ValidationError, match="square"):
        ahp([[1, 2, 3], [0.5, 1, 2]])


def test_ahp_missing_pairs_are_listed():
    with pytest.raises(ValidationError, match=r"missing 2 comparison\(s\): \('a', 'c'\), "):
        ahp({("a", "b"): 3, ("c", "d"): 2, ("a", "d"): 1, ("b", "d"): 1})


def test_ahp_contradictory_pair_and_bad_values():
    with pytest.raises(ValidationError, match="contradicts"):
        ahp({("a", "b"): 3, ("b", "a"): 3})
    with pytest.raises(ValidationError, match="positive finite"):
        ahp({("a", "b"): -3})
    with pytest.raises(InputTypeError):
        ahp({("a", "b"): "3"})  # type: ignore[dict-item]
    with pytest.raises(InputTypeError, match="pairs"):
        ahp({"a": 3})  # type: ignore[dict-item]
    with pytest.raises(UnknownReferenceError, match="did you mean 'effort'"):
        ahp({("impact", "efort"): 3}, criteria=["impact", "effort"])


def test_ahp_table_limits_and_names():
    with pytest.raises(ValidationError, match="stops at n = 15, got 16"):
        ahp(np.ones((16, 16)))
    with pytest.raises(UnknownReferenceError, match="did you mean 'saaty'"):
        ahp([[1.0]], random_index="saty")


# ---------------------------------------------------------------------------------------
# entropy and CRITIC: independent loop implementations


def loop_entropy(x):
    n, m = len(x), len(x[0])
    d = []
    for j in range(m):
        col = [x[i][j] for i in range(n)]
        total = sum(col)
        e = 0.0
        for v in col:
            share = v / total if total else 1 / n
            if share > 0:
                e -= share * math.log(share)
        d.append(max(1 - e / math.log(n), 0.0))
    s = sum(d)
    return [v / s for v in d] if s > 1e-12 else [1 / m] * m


def loop_critic(x, benefit):
    n, m = len(x), len(x[0])
    cols = []
    for j in range(m):
        col = [x[i][j] for i in range(n)]
        lo, hi = min(col), max(col)
        if hi == lo:
            cols.append([0.0] * n)
        elif benefit[j]:
            cols.append([(v - lo) / (hi - lo) for v in col])
        else:
            cols.append([(hi - v) / (hi - lo) for v in col])

    def mean(c):
        return sum(c) / len(c)

    def sd(c):
        mu = mean(c)
        return math.sqrt(sum((v - mu) ** 2 for v in c) / (len(c) - 1))

    def one_minus_corr(a, b):
        # 1 - r = sum((z_a - z_b)^2) / (2 (n - 1)) for standardised columns z: the same as
        # 1 - sum(z_a z_b) / (n - 1) in exact arithmetic, without its cancellation when r is
        # close to 1 (found by Hypothesis: the naive form was off by 1e-7 there)
        sa, sb = sd(a), sd(b)
        if sa == 0 or sb == 0:
            return 1.0
        ma, mb = mean(a), mean(b)
        diff = sum(((u - ma) / sa - (v - mb) / sb) ** 2 for u, v in zip(a, b, strict=True))
        return diff / (2 * (len(a) - 1))

    info = [sd(cols[j]) * sum(one_minus_corr(cols[j], cols[k]) for k in range(m)) for j in range(m)]
    s = sum(info)
    return [v / s for v in info] if s > 0 else [1 / m] * m


@st.composite
def matrices(draw, min_value=0.0):
    n = draw(st.integers(2, 8))
    m = draw(st.integers(1, 5))
    elems = st.one_of(st.integers(0, 5).map(float), st.floats(min_value, 100.0))
    return draw(arrays(np.float64, (n, m), elements=elems))


@given(matrices())
def test_entropy_matches_loop(x):
    got = entropy_weights(x)
    np.testing.assert_allclose(got, loop_entropy(x.tolist()), atol=1e-9)
    assert got.sum() == pytest.approx(1.0)
    assert np.all(got >= 0)


@given(matrices(min_value=-50.0), st.data())
def test_critic_matches_loop(x, data):
    benefit = data.draw(st.lists(st.booleans(), min_size=x.shape[1], max_size=x.shape[1]))
    got = critic_weights(x, benefit)
    np.testing.assert_allclose(got, loop_critic(x.tolist(), benefit), atol=1e-9)
    assert got.sum() == pytest.approx(1.0)
    assert np.all(got >= 0)


def test_critic_is_accurate_for_almost_collinear_criteria():
    # Found by Hypothesis: with r close to 1, 1 - corrcoef lost about 7 digits. Checked
    # against the definition evaluated in 60-digit decimal arithmetic.
    with localcontext() as ctx:
        ctx.prec = 60
        x = np.array([[0.0, 0.0], [0.0, 2.0**-14], [1.0, 2.0], [0.0, 0.0]])
        cols = []
        for j in range(2):
            c = [Decimal(float(v)) for v in x[:, j]]
            cols.append([(max(c) - v) / (max(c) - min(c)) for v in c])  # cost criteria

        def sd(c):
            mu = sum(c) / len(c)
            return (sum((v - mu) ** 2 for v in c) / (len(c) - 1)).sqrt()

        def corr(a, b):
            ma, mb = sum(a) / len(a), sum(b) / len(b)
            cov = sum((u - ma) * (v - mb) for u, v in zip(a, b, strict=True)) / (len(a) - 1)
            return cov / (sd(a) * sd(b))

        info = [sd(cols[j]) * sum(1 - corr(cols[j], cols[k]) for k in range(2)) for j in range(2)]
        exact = [float(v / sum(info)) for v in info]
    np.testing.assert_allclose(critic_weights(x, [False, False]), exact, rtol=1e-13)


def test_entropy_and_critic_constant_criteria():
    x = [[1.0, 3.0, 0.0], [2.0, 3.0, 0.0], [4.0, 3.0, 0.0]]
    ent = entropy_weights(x)
    np.testing.assert_allclose(ent, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(critic_weights(x, True), [1.0, 0.0, 0.0])
    # nothing varies at all: equal weights, not NaN
    np.testing.assert_allclose(entropy_weights(np.ones((3, 4))), [0.25] * 4)
    np.testing.assert_allclose(critic_weights(np.ones((3, 4))), [0.25] * 4)


def test_entropy_and_critic_named_results():
    frame = pd.DataFrame({"reach": [100.0, 400.0, 250.0], "effort_days": [5.0, 3.0, 8.0]})
    ent = entropy_weights(frame)
    assert list(ent.index) == ["reach", "effort_days"]
    crit = critic_weights(frame.to_numpy(), [True, False], criteria=["r", "e"])
    assert list(crit.index) == ["r", "e"]


def test_entropy_and_critic_bad_input():
    with pytest.raises(ValidationError, match=r"scores >= 0, got matrix\[1, 0\] = -1"):
        entropy_weights([[1.0], [-1.0]])
    with pytest.raises(ValidationError, match="at least 2"):
        entropy_weights([[1.0, 2.0]])
    with pytest.raises(ValidationError, match="at least 2"):
        critic_weights([[1.0, 2.0]])
    with pytest.raises(ValidationError, match=r"matrix\[0, 1\] must be finite"):
        critic_weights([[1.0, np.nan], [1.0, 2.0]])
    with pytest.raises(ValidationError, match="benefit has 1 values"):
        critic_weights([[1.0, 2.0], [2.0, 1.0]], [True])
    with pytest.raises(ValidationError, match="criteria has 1 names"):
        critic_weights([[1.0, 2.0], [2.0, 1.0]], criteria=["a"])


# ---------------------------------------------------------------------------------------
# ordering- and points-based weights


def test_rank_order_centroid_barron_barrett_table():
    # Barron and Barrett (1996), Management Science 42(11), Table 1: ROC weights for
    # n = 4 attributes are .5208, .2708, .1458, .0625; for n = 3: .6111, .2778, .1111.
    np.testing.assert_allclose(
        rank_order_centroid(list("abcd")).to_numpy(), [0.5208, 0.2708, 0.1458, 0.0625], atol=5e-5
    )
    np.testing.assert_allclose(
        rank_order_centroid(list("abc")).to_numpy(), [0.6111, 0.2778, 0.1111], atol=5e-5
    )


def test_rank_sum_definition():
    # Stillwell, Seaver and Edwards (1981): w_i = 2 (n + 1 - i) / (n (n + 1)).
    np.testing.assert_allclose(rank_sum(list("abcd")).to_numpy(), [0.4, 0.3, 0.2, 0.1])
    assert rank_sum(["only"]).tolist() == [1.0]


@given(st.integers(1, 30))
def test_ordering_weights_sum_to_one_and_decrease(n):
    names = [f"c{i}" for i in range(n)]
    for w in (rank_order_centroid(names), rank_sum(names)):
        assert w.sum() == pytest.approx(1.0)
        assert np.all(np.diff(w.to_numpy()) <= 0)
        assert list(w.index) == names


def test_ordering_bad_input():
    with pytest.raises(ValidationError, match="twice"):
        rank_order_centroid(["a", "a"])
    with pytest.raises(ValidationError, match="no criteria"):
        rank_sum([])
    with pytest.raises(InputTypeError):
        rank_sum("abc")  # type: ignore[arg-type]


def test_swing_weights():
    w = swing_weights({"impact": 100, "effort": 60, "risk": 40})
    assert w.to_dict() == pytest.approx({"impact": 0.5, "effort": 0.3, "risk": 0.2})
    with pytest.raises(ValidationError, match=">= 0"):
        swing_weights({"a": 100, "b": -5})
    with pytest.raises(InputTypeError, match="map criterion names"):
        swing_weights([100, 50])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# direct weights


def test_normalise_weights_exact_sum_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = normalise_weights([0.2, 0.3, 0.5])
    np.testing.assert_array_equal(out, [0.2, 0.3, 0.5])


def test_normalise_weights_warns_and_scales():
    with pytest.warns(WeightsNormalisedWarning, match="sum to 4"):
        out = normalise_weights({"a": 1, "b": 3})
    assert out.to_dict() == {"a": 0.25, "b": 0.75}


@given(arrays(np.float64, st.integers(1, 10), elements=st.floats(0.0, 1e6)))
def test_normalise_weights_sum_to_one(raw):
    if raw.sum() <= 0:
        with pytest.raises(ValidationError):
            normalise_weights(raw)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeightsNormalisedWarning)
        out = normalise_weights(raw)
    assert out.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(out >= 0)


def test_normalise_weights_criteria_order_and_mismatch():
    out = normalise_weights({"a": 0.25, "b": 0.75}, criteria=["b", "a"])
    assert list(out.index) == ["b", "a"]
    with pytest.raises(UnknownReferenceError, match="did you mean 'b'"):
        normalise_weights({"a": 0.5, "b": 0.5}, criteria=["a", "bb"])
    with pytest.raises(UnknownReferenceError, match=r"key\(s\) \['c'\]"):
        normalise_weights({"a": 0.5, "b": 0.25, "c": 0.25}, criteria=["a", "b"])
    with pytest.raises(ValidationError, match="criteria has 1 names"):
        normalise_weights([0.5, 0.5], criteria=["a"])


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([0.5, -0.1, 0.6], "must be >= 0, got -0.1 at position 1"),
        ([0.5, float("nan")], "finite"),
        ([0, 0], "all zero"),
        ([], "non-empty"),
    ],
)
def test_normalise_weights_refusals(weights, match):
    with pytest.raises(ValidationError, match=match):
        normalise_weights(weights)


def test_normalise_weights_type_errors():
    with pytest.raises(InputTypeError):
        normalise_weights("0.5,0.5")  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        normalise_weights(["a", "b"])  # type: ignore[list-item]


# ---------------------------------------------------------------------------------------
# entropy and CRITIC golden cases
#
# Xu, X. (2004), "A note on the subjective and objective integrated approach to determine
# attribute weights", European Journal of Operational Research 156(2), 530-532: 4
# alternatives x 4 attributes, entropy weights .4630, .3992, .1378, .0000 (the fourth
# attribute is almost constant). Zavadskas, E. K. and Podvezko, V. (2016), "Integrated
# determination of objective criteria weights in MCDM", Int. J. Information Technology &
# Decision Making 15(2), 267-283: 4 x 4 matrix (criteria 1 and 3 minimised), entropy weights
# .1146, .1981, .4185, .2689, computed on the raw shares. Both tables were read from
# transcriptions in the test suites of several open-source MCDA packages that share one
# author, not from the journals themselves: two copies, but not independent ones.
XU_2004 = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
ZAVADSKAS_PODVEZKO_2016 = [[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]]

# Tus, A. and Aytac Adali, E. (2019), "The new combination with CRITIC and WASPAS methods for
# the time and attendance software selection problem", Opsearch 56(2), 528-538: 5 software
# packages x 6 criteria (price first), CRITIC weights .157, .249, .168, .121, .154, .151.
# Same caveat as above (transcriptions by one author, journal table not seen). The published
# weights are reproduced with every criterion normalised in the benefit direction; with the
# price criterion reversed the weights differ (.184, .213, ...), because reversing a
# criterion flips the sign of its correlations.
TUS_ADALI_2019 = [
    [5000, 3, 3, 4, 3, 2],
    [680, 5, 3, 2, 2, 1],
    [2000, 3, 2, 3, 4, 3],
    [600, 4, 3, 1, 2, 2],
    [800, 2, 4, 3, 3, 4],
]


def test_entropy_xu_2004():
    got = entropy_weights(XU_2004)
    np.testing.assert_allclose(got, [0.4630, 0.3992, 0.1378, 0.0000], atol=5e-5)


def test_entropy_zavadskas_podvezko_2016():
    # the method works on raw shares: the published weights do not depend on direction
    expected = [0.1146, 0.1981, 0.4185, 0.2689]
    np.testing.assert_allclose(entropy_weights(ZAVADSKAS_PODVEZKO_2016), expected, atol=5e-5)
    directions = [False, True, False, True]
    got = entropy_weights(ZAVADSKAS_PODVEZKO_2016, directions)
    np.testing.assert_allclose(got, expected, atol=5e-5)


def test_critic_tus_adali_2019():
    got = critic_weights(TUS_ADALI_2019)
    np.testing.assert_allclose(got, [0.157, 0.249, 0.168, 0.121, 0.154, 0.151], atol=5e-4)
    reversed_price = critic_weights(TUS_ADALI_2019, [False] + [True] * 5)
    assert abs(reversed_price[0] - 0.157) > 0.01
