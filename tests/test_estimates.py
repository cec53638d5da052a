"""Estimates: published means, sampling, shorthand, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import frictionkit as fk
from tests.strategies import estimates


def test_pert_and_triangular_means_follow_the_standard_formulas():
    # Issue #2 and the classic PERT formula (Malcolm et al. 1959): a=2, m=4, b=12.
    assert fk.Estimate.three_point(2, 4, 12).mean == 5.0  # (2 + 4*4 + 12) / 6
    assert fk.Estimate.three_point(2, 4, 12, dist="triangular").mean == 6.0  # (2+4+12)/3


def test_standard_deviations_are_the_exact_ones():
    # Uniform on [0, 12]: sd = 12 / sqrt(12).
    assert fk.Estimate.range(0, 12).std == pytest.approx(12 / math.sqrt(12))
    # Triangular(0, 0, 1): variance 1/18.
    assert fk.Estimate.three_point(0, 0, 1, dist="triangular").std == pytest.approx(
        math.sqrt(1 / 18)
    )
    # Symmetric PERT(0, 1, 2): Beta(3, 3) on [0, 2], variance 4 * 9 / (36 * 7) = 1/7.
    assert fk.Estimate.three_point(0, 1, 2).std == pytest.approx(math.sqrt(1 / 7))
    assert fk.Estimate.point(3).std == 0.0


@pytest.mark.parametrize(
    "est",
    [
        fk.Estimate.range(2, 12),
        fk.Estimate.three_point(2, 4, 12),
        fk.Estimate.three_point(2, 4, 12, dist="triangular"),
        fk.Estimate.tshirt("L"),
    ],
    ids=str,
)
def test_samples_match_mean_and_std(est):
    draws = est.sample(200_000, seed=7)
    assert draws.min() >= est.low
    assert draws.max() <= est.high
    assert draws.mean() == pytest.approx(est.mean, rel=0.01)
    assert draws.std() == pytest.approx(est.std, rel=0.02)


def test_sampling_is_reproducible_bit_for_bit():
    est = fk.Estimate.three_point(1, 2, 9)
    assert np.array_equal(est.sample(50, seed=3), est.sample(50, seed=3))
    assert not np.array_equal(est.sample(50, seed=3), est.sample(50, seed=4))
    gen = np.random.default_rng(3)
    assert np.array_equal(est.sample(50, seed=gen), est.sample(50, seed=3))
    assert est.sample(0, seed=1).shape == (0,)
    assert np.all(fk.Estimate.point(4).sample(3, seed=1) == 4.0)
    assert np.all(fk.Estimate.range(4, 4).sample(3, seed=1) == 4.0)


def test_tshirt_sizes_and_scales():
    assert fk.Estimate.tshirt("m") == fk.Estimate.tshirt("M")
    assert fk.Estimate.tshirt("S", scale=100).high == 100 * fk.TSHIRT_DAYS["S"][2]
    own = fk.Estimate.tshirt("big", scale={"small": (1, 2, 3), "big": (5, 8, 20)})
    assert (own.low, own.likely, own.high, own.label) == (5, 8, 20, "BIG")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", fk.Estimate.point(5)),
        ("2..12", fk.Estimate.range(2, 12)),
        (" 2 .. 4 .. 12 ", fk.Estimate.three_point(2, 4, 12)),
        ("2..4..12 pert", fk.Estimate.three_point(2, 4, 12)),
        ("2..4..12 triangular", fk.Estimate.three_point(2, 4, 12, dist="triangular")),
        ("0.5..1e3", fk.Estimate.range(0.5, 1000)),
        ("M", fk.Estimate.tshirt("M")),
        ("xl", fk.Estimate.tshirt("XL")),
        ("M: 3..5..10", fk.Estimate.tshirt("M")),
    ],
)
def test_shorthand_parses(text, expected):
    assert fk.Estimate.parse(text) == expected


@given(estimates(low=-1e6))
def test_shorthand_and_mapping_round_trip(est):
    assert fk.Estimate.parse(str(est)) == est
    assert fk.Estimate.from_dict(est.to_dict()) == est


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6), st.floats(0, 1))
def test_mean_lies_within_the_support(low, width, frac):
    likely, high = low + frac * width, low + width
    for est in (
        fk.Estimate.range(low, high),
        fk.Estimate.three_point(low, likely, high),
        fk.Estimate.three_point(low, likely, high, dist="triangular"),
    ):
        assert est.low - 1e-9 <= est.mean <= est.high + 1e-9
        assert est.std >= 0


def test_triangular_std_of_a_narrow_range_far_from_zero():
    # Found by Hypothesis: the textbook (a^2 + b^2 + m^2 - ab - am - bm) / 18 cancelled to a
    # negative variance for 524288..524288.0078125 (math domain error in the square root).
    est = fk.Estimate.three_point(524288.0, 524288.0078125, 524288.0078125, dist="triangular")
    # same shape as 0..w..w shifted: std = w / sqrt(18)
    assert est.std == pytest.approx(0.0078125 / math.sqrt(18), rel=1e-9)


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (
            lambda: fk.Estimate.range(12, 2),
            fk.ValidationError,
            r"low \(12\) is greater than high \(2\)",
        ),
        (
            lambda: fk.Estimate.three_point(2, 20, 12),
            fk.ValidationError,
            r"likely \(20\) must lie between",
        ),
        (
            lambda: fk.Estimate.three_point(2, 4, 12, dist="beta"),
            fk.UnknownReferenceError,
            r"'pert' or 'triangular'",
        ),
        (lambda: fk.Estimate.range(math.nan, 2), fk.ValidationError, r"must be finite"),
        (lambda: fk.Estimate.point(math.inf), fk.ValidationError, r"must be finite"),
        (
            lambda: fk.Estimate.tshirt("XXXL"),
            fk.UnknownReferenceError,
            r"unknown T-shirt size 'XXXL'; known sizes: XS, S, M, L, XL, XXL",
        ),
        (lambda: fk.Estimate.tshirt("MM"), fk.UnknownReferenceError, r"did you mean 'M'"),
        (lambda: fk.Estimate.tshirt("M", scale=0), fk.ValidationError, r"scale must be positive"),
        (
            lambda: fk.Estimate(low=1, likely=None, high=2, dist="gauss"),
            fk.UnknownReferenceError,
            r"dist must be one of",
        ),
        (
            lambda: fk.Estimate(low=1, likely=None, high=2, dist="pert"),
            fk.ValidationError,
            r"needs a most likely value",
        ),
        (
            lambda: fk.Estimate(low=1, likely=1.5, high=2, dist="uniform"),
            fk.ValidationError,
            r"uniform range has no most likely",
        ),
        (lambda: fk.Estimate.parse("two"), fk.UnknownReferenceError, r"unknown T-shirt size"),
        (lambda: fk.Estimate.parse("1..2..3..4"), fk.SchemaError, r"cannot read"),
        (lambda: fk.Estimate.parse("2..12 triangular"), fk.SchemaError, r"needs three"),
        (lambda: fk.Estimate.parse("5 pert"), fk.SchemaError, r"single number"),
        (lambda: fk.Estimate.parse(5), fk.InputTypeError, r"must be text"),
        (
            lambda: fk.Estimate.from_dict({"lo": 1, "high": 2}),
            fk.SchemaError,
            r"unknown key 'lo' \(did you mean 'low'\?\)",
        ),
        (lambda: fk.Estimate.from_dict({"likely": 1}), fk.SchemaError, r"needs 'low' and 'high'"),
        (lambda: fk.Estimate.range(1, 2).sample(-1), fk.ValidationError, r"whole number >= 0"),
        (lambda: fk.Estimate.range(1, 2).sample(3, seed=1.5), fk.InputTypeError, r"seed must be"),
    ],
)
def test_bad_estimates(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
