"""Tests for frictionkit.uncertainty.rank_risk: agreement with prioritise when every estimate
is a point (every method, ties included), a hand-solved three-improvement case, dominance,
evidence draws, reproducibility, chunk invariance, the result object, and bad input."""

from __future__ import annotations

import importlib.util
import itertools

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.estimates import Estimate
from frictionkit.exceptions import (
    InputTypeError,
    OptionalDependencyError,
    UnknownReferenceError,
    ValidationError,
)
from frictionkit.model import Improvement
from frictionkit.ranking import EASY_AND_SMART, IMPACT_MISSING, QUADRANTS
from frictionkit.scoring import METHODS, prioritise
from frictionkit.uncertainty import RankRisk, rank_risk
from frictionkit.uncertainty import _rank_risk as rr_module

FIELDS = ("impact", "effort_days", "cost", "confidence", "fix_share")


def _pointed(journey: fk.Journey) -> fk.Journey:
    """The journey with every estimate replaced by its mean."""

    def pt(v):
        return v.mean if isinstance(v, Estimate) else v

    imps = tuple(
        attrs.evolve(i, **{f: pt(getattr(i, f)) for f in FIELDS}) for i in journey.improvements
    )
    return attrs.evolve(journey, improvements=imps)


@pytest.fixture(scope="module")
def autoparts() -> fk.Journey:
    return fk.datasets.load_autoparts()


@pytest.fixture(scope="module")
def autoparts_points(autoparts) -> fk.Journey:
    return _pointed(autoparts)


def _imp(id_: str, impact, cost=1.0, effort=1.0, **kw) -> Improvement:
    return Improvement(
        id=id_, title=id_, owner="team", impact=impact, cost=cost, effort_days=effort, **kw
    )


def _binomial_tol(p, draws: int, z: float = 5.0):
    return z * np.sqrt(np.asarray(p) * (1 - np.asarray(p)) / draws) + 1e-12


# ---------------------------------------------------------------------------------------
# agreement with the deterministic ranking


def _assert_agrees(risk: RankRisk, det: pd.DataFrame) -> None:
    acc = risk.rank_acceptability
    n = len(det)
    expected = np.zeros((n, n))
    for row, (id_, rank) in enumerate(zip(det["id"], det["rank"], strict=True)):
        assert acc.index[row] == id_
        expected[row, rank - 1] = 1.0
    np.testing.assert_array_equal(acc.to_numpy(), expected)
    quads = risk.quadrant_probabilities
    for id_, quadrant in zip(det["id"], det["quadrant"], strict=True):
        assert quads.loc[id_, quadrant] == 1.0
    out = risk.to_frame()
    np.testing.assert_allclose(out["expected_score"], det["score"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(out["rank_p5"], det["rank"])
    np.testing.assert_array_equal(out["rank_p95"], det["rank"])
    np.testing.assert_array_equal(out["p_quick_win"], (det["quadrant"] == EASY_AND_SMART) * 1.0)


@pytest.mark.parametrize("method", [m for m in METHODS if m != "weighted_product"])
@pytest.mark.parametrize("evidence", [False, True])
def test_points_agree_with_prioritise(autoparts_points, method, evidence):
    # weighted_product needs every criterion > 0; consent_management has impact 0
    vs = {"faulty_batch_calls": 400_000, "slow_quotes": 120_000} if evidence else None
    risk = rank_risk(autoparts_points, method, draws=20, seed=0, value_at_stake=vs)
    _assert_agrees(risk, prioritise(autoparts_points, method, value_at_stake=vs).to_frame())


def test_points_agree_weighted_product_and_options():
    imps = [
        _imp(f"i{k}", impact=10.0 + k % 3, cost=2.0 + k % 2, effort=1.0 + k % 4) for k in range(9)
    ]
    cases = [
        (
            "weighted_product",
            {
                "weights": {"impact": 0.5, "effort_days": 0.25, "cost": 0.25},
                "criteria": ["impact", "effort_days", "cost"],
            },
        ),
        ("ice", {"ice_variant": "average"}),
        ("vikor", {"vikor_v": 0.2, "criteria": ["impact", "cost"]}),
        ("value_per_cost", {"quadrant_thresholds": {"impact": 11.0}}),
        ("topsis", {"criteria": {"impact": "benefit", "confidence": "benefit"}}),
    ]
    for method, opts in cases:
        risk = rank_risk(imps, method, draws=5, seed=1, **opts)
        w = opts.pop("weights", None)
        _assert_agrees(risk, prioritise(imps, method, w, **opts).to_frame())


def test_batched_vikor_uses_the_kernel_tie_rule():
    # the per-draw VIKOR of rank_risk equals mcda.vikor, including the rule that a spread of
    # S or R of at most 1e-12 (rounding noise) is a tie
    from frictionkit import mcda
    from frictionkit.uncertainty._rank_inputs import _vikor_batch

    # S of both rows is 1/2 in exact arithmetic (weights 6, 2, 3, 1 over 12); the batched
    # sums differ by one ulp, which used to give 1 - Q = 1 and 0
    x = np.array([[2.0, 0.0, 1.0, 0.0], [0.0, 2.0, 2.0, 1.0]])
    w = np.array([6.0, 2.0, 3.0, 1.0]) / 12
    benefit = np.ones(4, dtype=bool)
    for v in (0.0, 0.5, 1.0):
        batch = _vikor_batch(x[None, :, :], w, benefit, v)[0]
        np.testing.assert_allclose(batch, 1.0 - mcda.vikor(x, w, True, v=v).Q, atol=1e-12)
    assert _vikor_batch(x[None, :, :], w, benefit, 1.0)[0].tolist() == [1.0, 1.0]


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.integers(0, 4), st.integers(1, 3), st.integers(1, 3), st.sampled_from([0.5, 1.0])
        ),
        min_size=1,
        max_size=8,
    ),
    method=st.sampled_from(METHODS),
)
def test_points_agree_on_tied_tables(data, method):
    # small integers make many exact ties: the tie rule (score, cost, effort, order) decides
    df = pd.DataFrame(
        {
            "id": [f"x{k}" for k in range(len(data))],
            "owner": "team",
            "impact": [float(d[0]) + (1.0 if method == "weighted_product" else 0.0) for d in data],
            "effort_days": [float(d[1]) for d in data],
            "cost": [float(d[2]) for d in data],
            "confidence": [d[3] for d in data],
        }
    )
    k = min(3, len(df))
    risk = rank_risk(df, method, draws=3, seed=2, k=k)
    _assert_agrees(risk, prioritise(df, method).to_frame())


# ---------------------------------------------------------------------------------------
# a case solved by hand
#
# Three improvements, cost 1 each, value per cost = impact:
#   A ~ U(0, 4), B = 1, C = 3; effort 1, 2 and 3 days.
# A ranks first iff U > 3 (1/4), second iff 1 < U < 3 (1/2), third iff U < 1 (1/4);
# B is second iff U < 1 (1/4), else third; C is first unless U > 3.
# Quadrants (thresholds strict: a value equal to the threshold is neither high impact nor
# low effort): the effort median is 2 days, so only A is "easy" (1 < 2). The impact
# median of {U, 1, 3} is the middle value, and A is "high" (impact > median) iff U > 3:
# P = 1/4. B and C are never easy, so never quick wins.
HAND_ACC = np.array([[1 / 4, 1 / 2, 1 / 4], [0.0, 1 / 4, 3 / 4], [3 / 4, 1 / 4, 0.0]])
HAND_QUICK = np.array([1 / 4, 0.0, 0.0])


def test_hand_solved_three_improvements():
    imps = [
        _imp("A", Estimate.range(0, 4)),
        _imp("B", 1.0, effort=2.0),
        _imp("C", 3.0, effort=3.0),
    ]
    draws = 20_000
    risk = rank_risk(imps, draws=draws, seed=11, k=1)
    acc = risk.rank_acceptability.loc[["A", "B", "C"]].to_numpy()
    assert (np.abs(acc - HAND_ACC) <= _binomial_tol(HAND_ACC, draws)).all()
    out = risk.to_frame().set_index("id").loc[["A", "B", "C"]]
    assert (np.abs(out["p_quick_win"] - HAND_QUICK) <= _binomial_tol(HAND_QUICK, draws)).all()
    assert out.loc["A", ["rank_p5", "rank_p50", "rank_p95"]].tolist() == [1, 2, 3]
    assert abs(out.loc["A", "expected_score"] - 2.0) < 5 * (4 / np.sqrt(12)) / np.sqrt(draws)
    assert abs(out.loc["A", "expected_rank"] - 2.0) < 0.03


def test_convergence_as_draws_grow():
    imps = [_imp("A", Estimate.range(0, 4)), _imp("B", 1.0), _imp("C", 3.0)]
    errors = []
    for draws in (100, 1_000, 10_000, 100_000):
        acc = rank_risk(imps, draws=draws, seed=5).rank_acceptability.loc[["A", "B", "C"]]
        errors.append(np.abs(acc.to_numpy() - HAND_ACC).max())
    assert errors[-1] < 0.01
    assert errors[-1] < errors[0]


# ---------------------------------------------------------------------------------------
# properties


@pytest.fixture(scope="module")
def evidence_risk(autoparts) -> RankRisk:
    vs = {"faulty_batch_calls": Estimate.three_point(100_000, 250_000, 600_000)}
    return rank_risk(autoparts, "cd3", draws=3000, seed=3, value_at_stake=vs, k=4)


def test_rows_and_columns_sum_to_one(evidence_risk):
    acc = evidence_risk.rank_acceptability
    np.testing.assert_allclose(acc.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(acc.sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(evidence_risk.quadrant_probabilities.sum(axis=1), 1.0, atol=1e-12)
    assert list(evidence_risk.quadrant_probabilities.columns) == [*QUADRANTS, IMPACT_MISSING]


def test_top_k_monotone_and_percentiles_ordered(evidence_risk):
    n = len(evidence_risk.rank_acceptability)
    tops = [evidence_risk.p_top_k(k).to_numpy() for k in range(1, n + 1)]
    assert all((b >= a - 1e-12).all() for a, b in itertools.pairwise(tops))
    np.testing.assert_allclose(tops[-1], 1.0)
    out = evidence_risk.to_frame()
    assert (out["rank_p5"] <= out["rank_p50"]).all()
    assert (out["rank_p50"] <= out["rank_p95"]).all()
    np.testing.assert_allclose(out["p_top_4"], evidence_risk.p_top_k().to_numpy())
    assert out["p_first"].sum() == pytest.approx(1.0)


def test_seed_reproducible_bit_for_bit(autoparts):
    vs = {"faulty_batch_calls": np.random.default_rng(0).gamma(4.0, 60_000.0, size=700)}
    a = rank_risk(autoparts, "rice", draws=1500, seed=42, value_at_stake=vs)
    b = rank_risk(autoparts, "rice", draws=1500, seed=np.random.default_rng(42), value_at_stake=vs)
    c = rank_risk(autoparts, "rice", draws=1500, seed=42, value_at_stake=vs)
    pd.testing.assert_frame_equal(a.to_frame(), c.to_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.rank_acceptability, c.rank_acceptability, check_exact=True)
    pd.testing.assert_frame_equal(a.check_first(), c.check_first(), check_exact=True)
    d = rank_risk(autoparts, "rice", draws=1500, seed=43, value_at_stake=vs)
    assert not a.to_frame()["expected_score"].equals(d.to_frame()["expected_score"])
    assert isinstance(b, RankRisk)


def test_same_result_whatever_the_block_size(autoparts, monkeypatch):
    whole = rank_risk(autoparts, "topsis", draws=500, seed=9)
    monkeypatch.setattr(rr_module, "_CHUNK_ELEMENTS", 64)  # a few draws per block
    blocks = rank_risk(autoparts, "topsis", draws=500, seed=9)
    pd.testing.assert_frame_equal(whole.to_frame(), blocks.to_frame(), check_exact=True)


def _same_risk(a: RankRisk, b: RankRisk) -> None:
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.rank_acceptability, b.rank_acceptability, check_exact=True)
    pd.testing.assert_frame_equal(
        a.quadrant_probabilities, b.quadrant_probabilities, check_exact=True
    )


@pytest.mark.parametrize("method", ["value_per_cost", "topsis", "rice"])
def test_same_result_whatever_the_threads_and_block_sizes(autoparts, monkeypatch, method):
    # stream blocks of 64 draws: 700 draws are 11 blocks, the last one short; memory
    # blocks of 1 draw, of 5 (a stream block split unevenly) and of whole stream blocks
    monkeypatch.setattr(rr_module, "_STREAM_ROWS", 64)
    vs = {"faulty_batch_calls": np.linspace(1e5, 6e5, 37)}  # resampled replicates
    kw = {"draws": 700, "seed": 12, "value_at_stake": vs}
    one = rank_risk(autoparts, method, threads=1, **kw)
    for threads in (2, 3):
        _same_risk(one, rank_risk(autoparts, method, threads=threads, **kw))
    per_draw = 12 * (rr_module._ARRAYS_PER_BLOCK + 5 + 3)
    for elements in (64, 5 * per_draw):
        monkeypatch.setattr(rr_module, "_CHUNK_ELEMENTS", elements)
        for threads in (1, 3):
            _same_risk(one, rank_risk(autoparts, method, threads=threads, **kw))
    # check_first draws the same scores again on this thread
    first = one.check_first()
    assert first.equals(rank_risk(autoparts, method, threads=2, **kw).check_first())


def test_threads_from_the_environment(three, monkeypatch):
    monkeypatch.setenv("FRICTIONKIT_THREADS", "2")
    a = rank_risk(three, draws=3000, seed=4)
    monkeypatch.setenv("FRICTIONKIT_THREADS", "x")
    with pytest.raises(ValidationError, match="FRICTIONKIT_THREADS"):
        rank_risk(three, draws=10, seed=4)
    _same_risk(a, rank_risk(three, draws=3000, seed=4, threads=1))


def test_dominating_impact_has_higher_top_k():
    # A's impact U(60, 100) first-order dominates B's U(40, 80); others sit in between
    imps = [
        _imp("B", Estimate.range(40, 80)),
        _imp("A", Estimate.range(60, 100)),
        _imp("M1", 70.0),
        _imp("M2", 65.0),
    ]
    risk = rank_risk(imps, draws=4000, seed=1, k=2)
    top = risk.p_top_k()
    assert top["A"] > top["B"] + 0.2
    assert risk.to_frame().set_index("id").loc["A", "expected_rank"] < 2.5
    # strict dominance (A's low end above B's high end): A always ranks above B
    strict = [_imp("B", Estimate.range(10, 20)), _imp("A", Estimate.range(30, 50))]
    acc = rank_risk(strict, draws=500, seed=2, k=1).rank_acceptability
    assert acc.loc["A", 1] == 1.0
    assert acc.loc["B", 2] == 1.0


# ---------------------------------------------------------------------------------------
# evidence and input forms


def test_value_draws_flow_into_impact():
    draws = 2000
    values = np.random.default_rng(1).uniform(0, 100, size=draws)
    imps = [
        _imp("fix", None, cost=2.0, fixes=("pp",), fix_share=0.5),
        _imp("other", 20.0, cost=1.0),
    ]
    risk = rank_risk(imps, draws=draws, seed=0, value_at_stake={"pp": values}, k=1)
    out = risk.to_frame().set_index("id")
    # draws of the same length are used in order: the expected score is their mean
    assert out.loc["fix", "expected_score"] == pytest.approx(values.mean() * 0.5 / 2.0, 1e-12)
    assert out.loc["fix", "p_first"] == pytest.approx(np.mean(values * 0.25 > 20.0))
    # a different length: replicates are resampled; a constant array is a number
    const = rank_risk(imps, draws=300, seed=0, value_at_stake={"pp": np.full(50, 100.0)})
    plain = rank_risk(imps, draws=300, seed=0, value_at_stake={"pp": 100.0})
    pd.testing.assert_frame_equal(const.to_frame(), plain.to_frame())


def test_frame_input_matches_journey(autoparts):
    frame = autoparts.to_frames()["improvements"]
    a = rank_risk(autoparts, "cd3", draws=800, seed=4).to_frame()
    b = rank_risk(frame, "cd3", draws=800, seed=4).to_frame()
    pd.testing.assert_frame_equal(a.drop(columns="owner"), b.drop(columns="owner"))


def test_check_first_finds_the_only_uncertain_input():
    imps = [_imp("A", Estimate.range(0, 4)), _imp("B", 1.0), _imp("C", 3.0, cost=1.0)]
    out = rank_risk(imps, draws=4000, seed=3, k=1).check_first()
    assert out[["id", "field"]].to_dict("records") == [{"id": "A", "field": "impact"}]
    assert out.loc[0, "evppi"] > 0
    assert out.attrs["evpi"] >= out.loc[0, "evppi_net"] - 1e-12
    # choosing every improvement leaves nothing to learn
    everything = rank_risk(imps, draws=1000, seed=3, k=3).check_first()
    assert everything.attrs["evpi"] == pytest.approx(0.0, abs=1e-9)


def test_repr_is_cheap_and_html_escaped():
    imps = [_imp("a", 2.0), attrs.evolve(_imp("b", 1.0), title="<script>alert(1)</script>")]
    risk = rank_risk(imps, draws=10, seed=0, k=1)
    assert repr(risk) == "RankRisk(method='value_per_cost', draws=10, improvements=2, k=1)"
    page = risk._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


# ---------------------------------------------------------------------------------------
# bad input


@pytest.fixture(scope="module")
def three() -> list[Improvement]:
    return [_imp("A", Estimate.range(0, 4)), _imp("B", 1.0), _imp("C", 3.0)]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"draws": 0}, ValidationError, "draws must be >= 1"),
        ({"draws": 2.5}, InputTypeError, "draws must be a whole number"),
        ({"k": 4}, ValidationError, r"k must be <= the number of improvements \(3\)"),
        ({"k": 0}, ValidationError, "k must be >= 1"),
        ({"method": "rise"}, UnknownReferenceError, "did you mean 'rice'"),
        ({"seed": "7"}, InputTypeError, "seed must be an int"),
        ({"seed": 1.5}, InputTypeError, "seed must be an int"),
        ({"progress": "yes"}, InputTypeError, "progress must be True or False"),
        ({"threads": 0}, ValidationError, "threads must be at least 1"),
        ({"threads": "2"}, ValidationError, "threads must be a positive integer"),
    ],
)
def test_bad_arguments(three, kwargs, error, match):
    with pytest.raises(error, match=match):
        rank_risk(three, **kwargs)


def test_divisor_that_can_be_zero_is_refused():
    imps = [_imp("A", 5.0, cost=Estimate.range(0, 10)), _imp("B", 1.0)]
    with pytest.raises(ValidationError, match="divides by cost, which can be 0") as info:
        rank_risk(imps, draws=10, seed=0)
    assert info.value.field == "cost"


def test_bad_value_draws():
    imps = [_imp("A", None, fixes=("p", "q")), _imp("B", 1.0)]
    with pytest.raises(ValidationError, match="same length"):
        rank_risk(imps, draws=10, seed=0, value_at_stake={"p": [1.0, 2.0], "q": [1.0]})
    with pytest.raises(ValidationError, match="finite and >= 0"):
        rank_risk(imps, draws=10, seed=0, value_at_stake={"p": [1.0, -2.0]})
    with pytest.raises(ValidationError, match="1-d array"):
        rank_risk(imps, draws=10, seed=0, value_at_stake={"p": np.ones((2, 2))})


def test_progress_without_tqdm_names_the_extra(three, monkeypatch):
    # Simulate the missing extra, so the test runs whether or not tqdm is installed.
    import frictionkit._compat as compat

    real = compat.importlib.import_module

    def fake(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.split(".")[0] == "tqdm":
            raise ImportError("No module named 'tqdm'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(compat.importlib, "import_module", fake)
    with pytest.raises(OptionalDependencyError, match="tqdm") as info:
        rank_risk(three, draws=10, seed=0, progress=True)
    assert "frictionkit[progress]" in (info.value.hint or "")


@pytest.mark.skipif(importlib.util.find_spec("tqdm") is None, reason="tqdm is not installed")
def test_progress_with_tqdm_gives_the_same_result(three, capsys):
    a = rank_risk(three, draws=200, seed=0, progress=True).to_frame()
    pd.testing.assert_frame_equal(a, rank_risk(three, draws=200, seed=0).to_frame())
    # three stream blocks on two threads: the bar counts every draw, in block order
    b = rank_risk(three, draws=2500, seed=0, progress=True, threads=2)
    assert "2500/2500" in capsys.readouterr().err
    _same_risk(b, rank_risk(three, draws=2500, seed=0, threads=1))


# ---------------------------------------------------------------------------------------
# fast kernels against the straightforward versions


def _stable_rank_order(score: np.ndarray, cost: np.ndarray, effort: np.ndarray) -> np.ndarray:
    """The tie rule of prioritise, one row at a time (the reference)."""
    from frictionkit.scoring._methods import _TIE_RTOL

    out = []
    for s, c, e in zip(score, cost, effort, strict=True):
        order = np.argsort(-s, kind="stable")
        v = s[order]
        scale = max(float(np.abs(s).max()), 1e-300)
        group = np.concatenate([[0], np.cumsum((v[:-1] - v[1:]) > _TIE_RTOL * scale)])
        g = np.empty(len(s), dtype=np.int64)
        g[order] = group
        out.append(np.lexsort((np.arange(len(s)), e, c, g)))
    return np.array(out, dtype=np.int64)


# few distinct values make exact ties and near ties (within 1e-9 relative) common
_tie_values = st.sampled_from([0.0, -0.0, 1.0, 1.0 + 1e-12, 1.0 + 1e-6, 2.0, 3.5, -1.0])


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda rows: st.integers(1, 9).flatmap(
            lambda n: st.tuples(
                st.lists(_tie_values, min_size=rows * n, max_size=rows * n),
                st.lists(st.sampled_from([1.0, 2.0]), min_size=rows * n, max_size=rows * n),
                st.lists(st.sampled_from([1.0, 3.0]), min_size=rows * n, max_size=rows * n),
                st.just((rows, n)),
            )
        )
    )
)
def test_rank_order_equals_the_stable_reference(case) -> None:
    from frictionkit.uncertainty._rank_inputs import _rank_order

    s, c, e, shape = case
    score, cost, effort = (np.array(a).reshape(shape) for a in (s, c, e))
    assert np.array_equal(_rank_order(score, cost, effort), _stable_rank_order(score, cost, effort))


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda rows: st.integers(1, 12).flatmap(
            lambda n: st.lists(
                st.one_of(st.sampled_from([0.0, 1.0, 2.0]), st.floats(-1e6, 1e6)),
                min_size=rows * n,
                max_size=rows * n,
            ).map(lambda v: np.array(v).reshape(rows, n))
        )
    )
)
def test_row_medians_equal_numpy_median_bit_for_bit(a: np.ndarray) -> None:
    assert np.array_equal(rr_module._row_medians(a), np.median(a, axis=1))


# ---------------------------------------------------------------------------------------
# fast paths against their straightforward versions


@pytest.mark.parametrize(
    ("low", "likely", "high", "copies"),
    [(0.0, 1.0, 3.0, 40), (2.0, 2.0, 7.0, 40), (1.0, 9.0, 9.0, 3), (0.5, 1.0, 2.0, 1)],
)
def test_pert_draws_follow_the_beta_distribution(low, likely, high, copies):
    # copies >= 16 take the grouped scalar-shape path, fewer the per-column one
    from scipy import stats

    from frictionkit.uncertainty._sampling import _VectorDraws

    est = Estimate.three_point(low, likely, high)
    cells = [est] * copies + [Estimate.three_point(0.0, 0.3, 1.0)]
    sampler = _VectorDraws(cells, (7, 0))
    x = sampler.first(21_000)[:, 0]
    a, b = est._pert_shape()
    ref = stats.beta(a, b, loc=low, scale=high - low)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-4
    assert x.mean() == pytest.approx(est.mean, abs=5 * est.std / np.sqrt(x.size))
    assert x.std() == pytest.approx(est.std, rel=0.03)
    assert low <= x.min()
    assert x.max() <= high


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 9),
    st.lists(st.integers(1, 30), min_size=1, max_size=4),
    st.integers(0, 2**32 - 1),
)
def test_add_rows_adds_row_by_row_in_order(rows, n, splits, seed) -> None:
    # the running sums of rank_risk: any split of the rows gives the sequential sum
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, n)) * 10.0 ** rng.integers(-8, 8, (rows, n))
    expected = np.zeros(n)
    for row in x:
        expected = expected + row
    got, start = np.zeros(n), 0
    for size in [*splits, rows]:
        if start < rows:
            got = rr_module._add_rows(got, x[start : start + size])
            start += size
    assert np.array_equal(got, expected)
    squares = rr_module._add_rows(np.zeros(n), x, square=True)
    assert np.array_equal(squares, np.add.accumulate(np.square(x), axis=0)[-1])


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(["pert", "pert2", "tri", "uni", "const"]), min_size=1, max_size=40),
    st.lists(st.integers(1, 7), min_size=1, max_size=5),
)
def test_vector_draws_do_not_depend_on_the_block_size(kinds, sizes):
    from frictionkit.uncertainty import _sampling

    make = {
        "pert": Estimate.three_point(1.0, 2.0, 5.0),
        "pert2": Estimate.three_point(0.0, 4.0, 5.0),
        "tri": Estimate.three_point(1.0, 2.0, 5.0, dist="triangular"),
        "uni": Estimate.range(3.0, 4.0),
        "const": 2.5,
    }
    cells = [make[k] for k in kinds]
    total = sum(sizes)
    old = _sampling._PERT_GROUP_MIN
    try:
        _sampling._PERT_GROUP_MIN = 3  # small groups get streams of their own too
        whole = _sampling._VectorDraws(cells, (1, 2)).streams(3).block(total)
        parts = _sampling._VectorDraws(cells, (1, 2)).streams(3)
        stacked = np.vstack([parts.block(r) for r in sizes])
    finally:
        _sampling._PERT_GROUP_MIN = old
    np.testing.assert_array_equal(whole, stacked)
    for j, k in enumerate(kinds):
        if k == "const":
            assert (whole[:, j] == 2.5).all()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_topsis_columns_match_the_batch_kernel(d, n, m, seed, ties):
    from frictionkit.scoring._kernels import _topsis_batch_kernel, _topsis_columns

    rng = np.random.default_rng(seed)
    x = rng.uniform(0.1, 100.0, size=(d, n, m))
    if ties:
        x = np.round(x / 25.0) * 25.0 + 1.0  # repeated values and constant columns
    w = rng.dirichlet(np.ones(m))
    benefit = rng.random(m) < 0.5
    fast = _topsis_columns([x[:, :, j] for j in range(m)], w, benefit)
    slow = _topsis_batch_kernel(x, np.broadcast_to(w, (d, m)), benefit)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)
