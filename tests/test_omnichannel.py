"""Tests for frictionkit.omnichannel: identity maps and channel switches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.omnichannel import (
    IdentityConflictWarning,
    channel_switches,
    identity_map,
    link_identities,
)


def test_chains_and_cycles_resolve_to_one_person():
    # hand-solved: c1-K1, c2-K1, p9-c2, K1-p9 (a cycle) and an unrelated pair c3-K2
    pairs = pd.DataFrame({"a": ["c1", "c2", "p9", "c3", "K1"], "b": ["K1", "K1", "c2", "K2", "p9"]})
    m = identity_map(pairs, "a", "b").set_index("id")
    assert set(m.loc[["c1", "c2", "p9", "K1"], "person_id"]) == {"K1"}
    assert m.loc["c3", "person_id"] == "K2"
    assert m.loc["K1", "n_ids"] == 4
    assert not m["conflict"].any()
    assert pairs.equals(
        pd.DataFrame({"a": ["c1", "c2", "p9", "c3", "K1"], "b": ["K1", "K1", "c2", "K2", "p9"]})
    )


def test_conflicts_merge_drop_or_raise():
    pairs = pd.DataFrame({"phone": ["p1", "p1", "p2"], "crm": ["K1", "K2", "K3"]})
    with pytest.warns(IdentityConflictWarning, match="merged"):
        merged = identity_map(pairs, "phone", "crm").set_index("id")
    assert merged.loc["K2", "person_id"] == "K1"
    assert merged.loc["K1", "conflict"]
    assert not merged.loc["p2", "conflict"]
    with pytest.warns(IdentityConflictWarning, match="unlinked"):
        dropped = identity_map(pairs, "phone", "crm", on_conflict="drop").set_index("id")
    assert dropped.loc["p1", "person_id"] == "p1"
    assert dropped.loc["K2", "person_id"] == "K2"
    with pytest.raises(fk.DataError) as err:
        identity_map(pairs, "phone", "crm", on_conflict="raise")
    assert err.value.failure_cases.index.tolist() == [0, 1]
    with pytest.raises(fk.UnknownReferenceError, match="did you mean"):
        identity_map(pairs, "phone", "crm", on_conflict="merj")  # type: ignore[arg-type]
    with pytest.raises(fk.MissingColumnError, match="did you mean 'phone'"):
        identity_map(pairs, "phon", "crm")


def test_missing_ids_never_join_people():
    pairs = pd.DataFrame({"a": ["c1", None, "c2"], "b": [None, "K1", ""]})
    m = identity_map(pairs, "a", "b")
    assert (m["id"] == m["person_id"]).all()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcdefg"), st.sampled_from("KLMN")), min_size=1,
             max_size=15),
    st.randoms(use_true_random=False),
)  # fmt: skip
def test_identity_map_is_order_invariant_and_transitive(pairs, rnd):
    df = pd.DataFrame(pairs, columns=["a", "b"])
    shuffled = df.sample(frac=1.0, random_state=rnd.randint(0, 10**6)).reset_index(drop=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IdentityConflictWarning)
        m1 = identity_map(df, "a", "b")
        m2 = identity_map(shuffled, "a", "b")
    pd.testing.assert_frame_equal(m1, m2)
    person = dict(zip(m1["id"], m1["person_id"], strict=True))
    for a, b in pairs:
        assert person[a] == person[b]
    assert (m1.groupby("person_id")["id"].count() == m1.groupby("person_id")["n_ids"].first()).all()


def test_link_identities_gives_one_journey_per_person():
    m = identity_map(pd.DataFrame({"web": ["w1"], "crm": ["K1"]}), "web", "crm")
    events = pd.DataFrame({
        "who": ["w1", "K1", "x"], "tp": ["site", "call", "site"],
        "ts": ["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-02 09:00"],
    })  # fmt: skip
    linked = link_identities(events, m, id_col="who")
    assert "person_id" not in events.columns
    log = fk.EventLog.from_frame(linked, case_col="person_id", touchpoint_col="tp",
                                 timestamp_col="ts")  # fmt: skip
    assert log.n_journeys == 2
    with pytest.raises(fk.ValidationError):
        link_identities(linked, m, id_col="who")


def _events():
    # hand-counted: a web->phone (fails), b web->web (succeeds), c web->phone->web and back a
    # stage (succeeds), d store->web (fails)
    return pd.DataFrame({
        "c": ["a", "a", "b", "b", "c", "c", "c", "d", "d"],
        "ch": ["web", "phone", "web", "web", "web", "phone", "web", "store", "web"],
        "st": ["buy", "help", "browse", "buy", "buy", "help", "browse", "browse", "buy"],
        "ts": pd.date_range("2024-01-01", periods=9, freq="h"),
        "out": ["failure"] * 2 + ["success"] * 5 + ["failure"] * 2,
    })  # fmt: skip


def test_channel_switches_hand_counted():
    t = channel_switches(_events(), case_col="c", channel_col="ch", timestamp_col="ts",
                         stage_col="st", outcome_col="out")  # fmt: skip
    sw = t[t["kind"] == "channel_switch"].set_index(["source", "target"])
    assert sw.loc[("web", "phone"), "journeys"] == 2
    assert sw.loc[("web", "phone"), "moves"] == 2
    assert sw.loc[("web", "phone"), "failure_rate"] == 0.5
    assert sw.loc[("web", "phone"), "comparison_failure_rate"] == 0.5
    assert sw.loc[("phone", "web"), "failure_rate"] == 0.0
    assert sw.loc[("store", "web"), "failure_rate"] == 1.0
    back = t[t["kind"] == "stage_back"]
    assert back["journeys"].sum() >= 1
    assert set(back["source"]) <= {"buy", "help"}
    assert set(back["target"]) <= {"browse", "buy"}
    small = channel_switches(_events(), case_col="c", channel_col="ch", timestamp_col="ts",
                             outcome_col="out", min_group_size=2)  # fmt: skip
    assert small[["source", "target"]].values.tolist() == [["web", "phone"]]


def test_channel_switches_from_a_log_with_a_journey_map():
    from frictionkit.datasets import simulate_journeys

    events = simulate_journeys(1000, seed=3)
    log = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
                                 timestamp_col="timestamp", channel_col="channel",
                                 stage_col="stage", outcome_col="outcome",
                                 strict=False)  # fmt: skip
    t = channel_switches(log)
    row = t[(t["source"] == "web") & (t["target"] == "phone")].iloc[0]
    direct = events.assign(nxt=events.groupby("case_id")["channel"].shift(-1))
    direct = direct[(direct["channel"] == "web") & (direct["nxt"] == "phone")]
    assert row["moves"] == len(direct)
    assert row["journeys"] == direct["case_id"].nunique()
    bare = fk.EventLog.from_frame(events, case_col="case_id", touchpoint_col="touchpoint",
                                  timestamp_col="timestamp")  # fmt: skip
    with pytest.raises(fk.ValidationError, match="no channels"):
        channel_switches(bare)
    with pytest.raises(fk.ValidationError, match="case_col"):
        channel_switches(events)
    assert np.isfinite(t["journey_share"]).all()


def test_column_names_must_be_text_and_unique():
    # omnichannel uses the shared column lookup: a non-text name is a type error (it used to
    # be reported as a missing column), a repeated column a schema error (df[col] would be a
    # table), a typo gets a did-you-mean.
    pairs = pd.DataFrame({"phone": ["p1"], "crm": ["K1"]})
    with pytest.raises(fk.InputTypeError, match="column name"):
        identity_map(pairs, 0, "crm")  # type: ignore[arg-type]
    twice = pd.DataFrame([["p1", "K1", "K2"]], columns=["phone", "crm", "crm"])
    with pytest.raises(fk.SchemaError, match="appears 2 times"):
        identity_map(twice, "phone", "crm")
    with pytest.raises(fk.MissingColumnError, match="did you mean 'crm'"):
        identity_map(pairs, "phone", "cmr")
