"""Personal data: pseudonymisation, small-group suppression, formula-safe exports."""

from __future__ import annotations

import hashlib
import hmac
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.privacy import (
    SUPPRESSED_LABEL,
    pseudonymise,
    safe_cell,
    suppress_small_groups,
    write_csv,
)

KEY = "k" * 32


def test_pseudonyms_are_hmac_sha256_of_the_text_form():
    # RFC 4231 style check: the pseudonym is exactly HMAC-SHA256(key, str(value)).
    out = pseudonymise(pd.DataFrame({"id": ["ann", 42]}), "id", key=KEY)
    expected = [
        hmac.new(KEY.encode(), v.encode(), hashlib.sha256).hexdigest() for v in ("ann", "42")
    ]
    assert out["id"].tolist() == expected


def test_pseudonyms_are_stable_across_tables_and_columns_and_keyed():
    a = pseudonymise(pd.DataFrame({"x": ["ann", "bob"]}), "x", key=KEY)
    b = pseudonymise(pd.DataFrame({"y": ["bob", "ann"], "z": ["ann", "ann"]}), ["y", "z"], key=KEY)
    assert a["x"].tolist() == b["y"].tolist()[::-1]
    assert set(b["z"]) == {a["x"][0]}
    other = pseudonymise(pd.DataFrame({"x": ["ann", "bob"]}), "x", key="q" * 32)
    assert set(other["x"]).isdisjoint(a["x"])


def test_pseudonymise_keeps_missing_values_and_the_input():
    df = pd.DataFrame({"id": ["NA", None, "c"], "v": [1, 2, 3]})
    before = df.copy()
    out = pseudonymise(df, "id", key=KEY, length=16)
    pd.testing.assert_frame_equal(df, before)
    assert out["id"][1] is None
    assert out["id"][0] != "NA"
    assert len(out["id"][0]) == 16
    assert out["v"].tolist() == [1, 2, 3]


@given(st.lists(st.text(max_size=5), min_size=1, max_size=30))
def test_pseudonymise_is_a_bijection_on_the_values_seen(values):
    out = pseudonymise(pd.DataFrame({"id": values}), "id", key=KEY)
    pairs = set(zip(values, out["id"], strict=True))
    assert len(pairs) == len(set(values)) == len(set(out["id"]))


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"key": "short"}, fk.ValidationError, r"key is too short \(5 bytes\)"),
        ({"key": None}, fk.InputTypeError, r"key must be text or bytes"),
        ({"key": KEY, "cols": "ids"}, fk.MissingColumnError, r"did you mean 'id'"),
        ({"key": KEY, "cols": []}, fk.InputTypeError, r"must name one or more columns"),
        ({"key": KEY, "length": 4}, fk.ValidationError, r"length must be a whole number"),
    ],
)
def test_pseudonymise_bad_input(kwargs, error, pattern):
    kwargs.setdefault("cols", "id")
    with pytest.raises(error, match=pattern):
        pseudonymise(pd.DataFrame({"id": ["a"]}), **kwargs)


def test_key_is_required():
    with pytest.raises(TypeError):
        pseudonymise(pd.DataFrame({"id": ["a"]}), "id")  # type: ignore[call-arg]


ROUTES = pd.DataFrame(
    {
        "route": ["a", "b", "c", "d", "e"],
        "journeys": [50, 20, 9, 1, 1],
        "successes": [40, 5, 3, 1, 0],
    }
)


def test_small_groups_are_folded_and_totals_kept():
    out = suppress_small_groups(
        ROUTES, count_col="journeys", label_col="route", sum_cols=["successes"]
    )
    assert out["route"].tolist() == ["a", "b", SUPPRESSED_LABEL]
    assert out["journeys"].sum() == ROUTES["journeys"].sum()
    assert out["successes"].sum() == ROUTES["successes"].sum()
    assert out["suppressed_groups"].tolist() == [1, 1, 3]
    assert out["journeys"].dtype == ROUTES["journeys"].dtype


def test_a_single_small_group_is_not_exposed_by_the_fold():
    out = suppress_small_groups(ROUTES.iloc[:3], count_col="journeys", label_col="route")
    assert out["route"].tolist() == ["a", SUPPRESSED_LABEL]
    assert out["journeys"].tolist() == [50, 29]


def test_threshold_one_keeps_everything():
    out = suppress_small_groups(ROUTES, count_col="journeys", min_group_size=1)
    assert len(out) == len(ROUTES)
    assert (out["suppressed_groups"] == 1).all()


@given(st.lists(st.integers(0, 30), min_size=1, max_size=20), st.integers(1, 15))
def test_no_shown_group_is_below_the_threshold(counts, k):
    table = pd.DataFrame({"g": [f"g{i}" for i in range(len(counts))], "n": counts})
    out = suppress_small_groups(table, count_col="n", min_group_size=k, label_col="g")
    shown = out[out["g"] != SUPPRESSED_LABEL]
    assert (shown["n"] >= k).all()
    assert out["n"].sum() == sum(counts)
    folded = out[out["g"] == SUPPRESSED_LABEL]
    assert len(folded) <= 1
    if len(folded):
        assert folded["suppressed_groups"].iloc[0] >= 2 or len(table) == 1


def test_suppression_bad_input():
    with pytest.raises(fk.ValidationError, match="at least 1"):
        suppress_small_groups(ROUTES, count_col="journeys", min_group_size=0)
    with pytest.raises(fk.MissingColumnError, match="did you mean 'journeys'"):
        suppress_small_groups(ROUTES, count_col="journey")
    with pytest.raises(fk.ValidationError, match="counts >= 0"):
        suppress_small_groups(ROUTES.assign(journeys=[-1, 2, 3, 4, 5]), count_col="journeys")
    with pytest.raises(fk.InputTypeError, match="whole number"):
        suppress_small_groups(ROUTES, count_col="journeys", min_group_size=2.5)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_write_csv_neutralises_text_but_not_numbers(tmp_path):
    table = pd.DataFrame({"=evil": ["=cmd|' /C calc'!A0", "ok"], "n": [-1, 2]})
    write_csv(table, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["'=evil", "n"]
    assert back.iloc[0, 0] == "'=cmd|' /C calc'!A0"
    assert back["n"].tolist() == ["-1", "2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to ana.lopez+cx@example.co.uk please", "write to [email] please"),
        ("card 4111-1111-1111-1111 declined", "card [card number] declined"),
        ("card 4111111111111111 declined", "card [card number] declined"),
        ("call +44 20 7946 0958", "call [phone]"),
        ("call 0034 612 34 56 78 today", "call [card number] today"),  # masked either way
        ("call (612) 345-6789", "call ([phone]"),
        ("my number is 612.345.678", "my number is [phone]"),
        ("order 123456 arrived on 2024-01-15", "order 123456 arrived on 2024-01-15"),
        ("3 of 12 parts broken, 5 days late", "3 of 12 parts broken, 5 days late"),
        ("<b>great</b> service", "<b>great</b> service"),
        ("", ""),
    ],
)
def test_mask_personal_data(text, expected):
    from frictionkit.privacy import mask_personal_data

    assert mask_personal_data(text) == expected


@given(st.emails())
def test_every_email_is_masked(email):
    from frictionkit.privacy import mask_personal_data

    assert "@" not in mask_personal_data(f"contact {email} now")


def test_mask_refuses_non_text():
    from frictionkit.privacy import mask_personal_data

    with pytest.raises(fk.InputTypeError):
        mask_personal_data(None)  # type: ignore[arg-type]


# The plain email pattern that _mask_emails reproduces without its quadratic search.
_PLAIN_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


@given(st.text(alphabet=st.sampled_from("ab1.-_@+ <>é\u00e9\t"), max_size=60))
def test_email_masking_matches_the_plain_pattern(text: str) -> None:
    from frictionkit.privacy import _mask_emails

    assert _mask_emails(text) == _PLAIN_EMAIL.sub("[email]", text)


@pytest.mark.parametrize(
    "text", ["a" * 200_000, "a-" * 100_000, "+" + "1-" * 100_000, "." * 200_000, "a@" * 100_000]
)
def test_masking_a_long_comment_is_linear(text: str) -> None:
    """A hang guard, not a benchmark: the old search took minutes on these 200,000 chars."""
    import time

    start = time.perf_counter()
    fk.privacy.mask_personal_data(text)
    assert time.perf_counter() - start < 5.0
