"""Kinds of outcome: ``failure=`` / ``success=`` as a mapping of kind to values (issue 18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frictionkit.cli import main
from frictionkit.events import EventLog, read_events
from frictionkit.exceptions import InputTypeError, ValidationError
from tests.helpers import shared_data

KEYS = {"case_col": "c", "touchpoint_col": "t", "timestamp_col": "ts"}
FAILURES = {"declined": ["Decline", "Reject"], "cancelled": ["Cancel"]}


def _loans() -> pd.DataFrame:
    """A hand case: 2 approved, 2 declined (one by Reject), 1 cancelled, 1 open."""
    rows = [
        ("a", "Apply"), ("a", "Check"), ("a", "Approve"),
        ("b", "Apply"), ("b", "Check"), ("b", "Approve"),
        ("c", "Apply"), ("c", "Check"), ("c", "Decline"),
        ("d", "Apply"), ("d", "Reject"),
        ("e", "Apply"), ("e", "Cancel"),
        ("f", "Apply"), ("f", "Check"),
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["c", "t"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(df)), unit="min")
    return df


def _log(**kw: object) -> EventLog:
    return EventLog.from_frame(_loans(), **KEYS, success="Approve", failure=FAILURES, **kw)  # type: ignore[arg-type]


# -- hand cases ------------------------------------------------------------------------
def test_kinds_table_and_journey_kinds() -> None:
    log = _log()
    assert log.outcome_kinds == ("open", "success", "declined", "cancelled")
    assert log.kind_outcome.tolist() == [0, 1, 2, 2]
    assert log.has_kinds
    assert log.kind_counts == {"open": 1, "success": 2, "declined": 2, "cancelled": 1}
    # the two-outcome code is unchanged
    assert log.outcome_counts == {"success": 2, "failure": 3, "open": 1}
    j = log.journeys()
    assert j["outcome_kind"].tolist() == [
        "success", "success", "declined", "declined", "cancelled", "open",
    ]  # fmt: skip
    frame = log.to_frame()
    assert frame.loc[frame["case_id"] == "e", "outcome_kind"].tolist() == ["cancelled"] * 2


def test_plain_forms_have_the_outcomes_as_kinds() -> None:
    log = EventLog.from_frame(_loans(), **KEYS, success="Approve", failure=["Decline", "Cancel"])
    assert log.outcome_kinds == ("open", "success", "failure")
    assert not log.has_kinds
    assert log.event_kind is None
    assert log.journey_kind.tolist() == log.journey_outcome.tolist()
    assert "failures_failure" not in log.routes().columns
    assert log.to_frame()["outcome_kind"].isin(["success", "failure", "open"]).all()


def test_success_kinds_hospital_style() -> None:
    df = pd.DataFrame(
        {
            "c": ["p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4"],
            "t": ["Admit", "Discharge", "Admit", "Transfer", "Admit", "Death",
                  "Admit", "Return"],
            "ts": pd.date_range("2024-01-01", periods=8, freq="h"),
        }
    )  # fmt: skip
    log = EventLog.from_frame(
        df,
        **KEYS,
        success={"discharged": ["Discharge"], "transferred": ["Transfer"]},
        failure={"deceased": "Death", "returned": "Return"},
    )
    assert log.kind_counts == {
        "open": 0, "discharged": 1, "transferred": 1, "deceased": 1, "returned": 1,
    }  # fmt: skip
    routes = log.routes()
    assert {"successes_discharged", "successes_transferred", "failures_deceased"} <= set(
        routes.columns
    )
    assert routes[["successes_discharged", "successes_transferred"]].sum().tolist() == [1, 1]


def test_kinds_from_an_outcome_column() -> None:
    df = _loans().assign(o=None)
    df.loc[df["t"].isin(["Approve"]), "o"] = "ok"
    df.loc[df["t"].isin(["Decline", "Reject"]), "o"] = "bank"
    df.loc[df["t"].eq("Cancel"), "o"] = "customer"
    log = EventLog.from_frame(
        df, **KEYS, outcome_col="o", success="ok",
        failure={"declined": ["bank"], "cancelled": ["customer"]},
    )  # fmt: skip
    assert log.kind_counts == _log().kind_counts


def test_routes_and_funnel_count_per_kind() -> None:
    log = _log()
    routes = log.routes()
    assert routes["failures_declined"].sum() == 2
    assert routes["failures_cancelled"].sum() == 1
    assert (routes["failures_declined"] + routes["failures_cancelled"]).equals(routes["failures"])
    pooled = log.routes(min_group_size=2)
    assert pooled["failures_declined"].sum() == 2
    funnel = log.funnel()
    first = funnel.iloc[0]
    assert first["failures_declined"] + first["failures_cancelled"] == first["failures"]
    assert first["failures_declined"] == 2
    assert first["failures_cancelled"] == 1


def test_failure_kind_view_censors_the_other_kinds() -> None:
    log = _log()
    view = log.with_failure_kind("cancelled")
    assert view.outcome_counts == {"success": 2, "failure": 1, "open": 3}
    # the outcome step stays an outcome step: the funnel of the view reaches no "Cancel"
    assert view.journey_outcome[log.journey_kind == 2].tolist() == [0, 0]
    with pytest.raises(ValidationError, match="did you mean 'declined'"):
        log.with_failure_kind("declind")
    with pytest.raises(ValidationError, match="failure kinds"):
        log.with_failure_kind("success")


def test_repair_of_one_kind_does_not_approve_the_other() -> None:
    """Removing cancellations never turns a declined journey into a success."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(400):
        end = rng.choice(["Approve", "Decline", "Cancel"], p=[0.5, 0.3, 0.2])
        steps = ["Apply", "Wait", end] if end == "Cancel" else ["Apply", "Check", end]
        rows += [(f"c{i}", s) for s in steps]
    df = pd.DataFrame(rows, columns=["c", "t"])
    df["ts"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(df)), unit="min")
    log = EventLog.from_frame(
        df, **KEYS, success="Approve", failure={"declined": "Decline", "cancelled": "Cancel"}
    )
    cancelled = log.repair_effects(failure_kind="cancelled")
    assert set(cancelled["failure_kind"]) == {"cancelled"}
    assert cancelled.attrs["failure_kind"] == "cancelled"
    n_cancelled = log.kind_counts["cancelled"]
    assert cancelled["extra_successes"].max() <= n_cancelled + 1e-9
    by_tp = cancelled.set_index("touchpoint")["extra_successes"]
    # the declined journeys are no part of the "cancelled" repair: Check repairs nothing
    assert by_tp.get("Check", 0) == 0 or np.isnan(by_tp.get("Check", 0))
    declined = log.repair_effects(failure_kind="declined").set_index("touchpoint")
    assert declined["extra_successes"].max() <= log.kind_counts["declined"] + 1e-9
    assert declined["extra_successes"].max() > 0


def test_friction_and_patterns_take_a_failure_kind() -> None:
    from frictionkit.datasets import simulate_journeys

    df = simulate_journeys(2000, seed=5)
    # two kinds of failure, by the journey's last touchpoint being a payment error or not
    last = df.groupby("case_id")["touchpoint"].transform("last")
    df["o"] = df["outcome"].where(df["outcome"] != "failure")
    df.loc[df["outcome"].eq("failure"), "o"] = np.where(
        last[df["outcome"].eq("failure")].eq("payment_error"), "error", "left"
    )
    log = EventLog.from_frame(
        df, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
        outcome_col="o", success="success", failure={"error": "error", "left": "left"},
        strict=False,
    )  # fmt: skip
    table = log.friction(failure_kind="error", n_boot=50)
    assert table.columns[1] == "failure_kind"
    assert set(table["failure_kind"]) == {"error"}
    plain = log.with_failure_kind("error").friction(n_boot=50)
    pd.testing.assert_frame_equal(table.drop(columns="failure_kind"), plain)
    patterns = log.failure_patterns(max_len=2, n_boot=20, failure_kind="left")
    assert set(patterns["failure_kind"]) <= {"left"}
    # declared outcome markers reach the kind's table too
    marked = log.failure_patterns(
        max_len=2, n_boot=20, failure_kind="left", outcome_markers=["confirmation"]
    )
    plain = log.with_failure_kind("left").failure_patterns(
        max_len=2, n_boot=20, outcome_markers=["confirmation"]
    )
    pd.testing.assert_frame_equal(marked.drop(columns="failure_kind"), plain)
    assert not marked["pattern"].map(lambda p: "confirmation" in p).any()
    assert patterns["pattern"].map(lambda p: "confirmation" in p).any()


def test_compact_and_split_keep_kinds() -> None:
    log = _log()
    small = log.compact()
    assert small.kind_counts == log.kind_counts
    assert small.routes().equals(log.routes())
    sessions = log.split(end="failure")
    assert sessions.outcome_kinds[-1] == "failure"
    assert sessions.kind_counts["failure"] == 1  # the open journey f
    assert sessions.kind_counts["declined"] == 2


# -- the plain form is unchanged -------------------------------------------------------
@st.composite
def _event_logs(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    cases = draw(st.lists(st.sampled_from("abcdefgh"), min_size=n, max_size=n))
    steps = draw(st.lists(st.sampled_from(["x", "y", "z", "buy", "no"]), min_size=n, max_size=n))
    return pd.DataFrame(
        {"c": cases, "t": steps, "ts": pd.Timestamp("2024-01-01") + pd.to_timedelta(range(n), "s")}
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=_event_logs(), name=st.sampled_from(["failure", "declined"]))
def test_one_kind_mapping_equals_the_plain_list(df: pd.DataFrame, name: str) -> None:
    plain = EventLog.from_frame(df, **KEYS, success="buy", failure=["no", "z"], strict=False)
    kinds = EventLog.from_frame(
        df, **KEYS, success="buy", failure={name: ["no", "z"]}, strict=False
    )
    assert kinds.journey_outcome.tolist() == plain.journey_outcome.tolist()
    assert kinds.journey_kind.tolist() == plain.journey_outcome.tolist()
    cols = list(plain.routes().columns)
    pd.testing.assert_frame_equal(kinds.routes()[cols], plain.routes())
    if plain.journey_outcome.any():
        pd.testing.assert_frame_equal(kinds.funnel()[list(plain.funnel().columns)], plain.funnel())


# -- bad input ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("failure", "error", "match"),
    [
        ({"declined": ["Decline"], "cancelled": ["Decline"]}, ValidationError, "two kinds"),
        ({"open": ["Decline"]}, ValidationError, "clashes with the outcome 'open'"),
        ({"success": ["Decline"]}, ValidationError, "clashes with the outcome 'success'"),
        ({}, ValidationError, "empty mapping"),
        ({1: ["Decline"]}, InputTypeError, "kind names must be non-empty text"),
        ({"declined": []}, ValidationError, "lists no value"),
        ({"declined": ["Decline"], "x": ["Nope"]}, Exception, "do not occur"),
    ],
)
def test_bad_kinds(failure: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        EventLog.from_frame(_loans(), **KEYS, success="Approve", failure=failure)


def test_a_value_in_a_success_and_a_failure_kind() -> None:
    with pytest.raises(ValidationError, match="two kinds"):
        EventLog.from_frame(
            _loans(), **KEYS, success={"ok": ["Approve"]}, failure={"no": ["Approve"]}
        )
    with pytest.raises(ValidationError, match="both success and failure"):
        EventLog.from_frame(_loans(), **KEYS, success={"x": ["Approve"]}, failure={"x": ["Cancel"]})


def test_engines_refuse_kinds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("duckdb")
    path = tmp_path / "loans.csv"
    _loans().to_csv(path, index=False)
    with pytest.raises(ValidationError, match="mapping of kinds is not supported"):
        EventLog.scan(str(path), **KEYS, engine="duckdb", failure=FAILURES)


def test_pandas_scan_keeps_kinds() -> None:
    log = EventLog.scan(_loans(), **KEYS, success="Approve", failure=FAILURES)
    assert log.kind_counts == _log().kind_counts


# -- command line ------------------------------------------------------------------------
def test_cli_failure_kinds(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "loans.csv"
    _loans().to_csv(path, index=False)
    code = main([
        "analyse", str(path), "--case-col", "c", "--touchpoint-col", "t",
        "--timestamp-col", "ts", "--success", "Approve",
        "--failure-kind", "declined=Decline,Reject", "--failure-kind", "cancelled=Cancel",
        "--tables", "routes", "--format", "csv",
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "failures_declined" in out
    assert "failures_cancelled" in out
    bad = main(["analyse", str(path), "--case-col", "c", "--touchpoint-col", "t",
                "--timestamp-col", "ts", "--failure-kind", "declined"])  # fmt: skip
    assert bad == 2
    assert "KIND=VALUE" in capsys.readouterr().err
    code = main([
        "analyse", str(path), "--case-col", "c", "--touchpoint-col", "t",
        "--timestamp-col", "ts", "--success", "Approve",
        "--failure-kind", "declined=Decline,Reject", "--failure-kind", "cancelled=Cancel",
        "--tables", "friction", "--format", "csv", "--min-support", "1",
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert "friction_by_kind" in out
    assert "declined" in out.split("friction_by_kind")[-1]


def test_cli_kind_matching_no_outcome_value(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    df = _loans().assign(o=None)
    df.loc[df["t"].eq("Approve"), "o"] = "ok"
    df.loc[df["t"].eq("Cancel"), "o"] = "customer"
    path = tmp_path / "loans.csv"
    df.to_csv(path, index=False)
    argv = [
        "analyse", str(path), "--case-col", "c", "--touchpoint-col", "t",
        "--timestamp-col", "ts", "--outcome-col", "o", "--success", "ok",
        "--failure-kind", "cancelled=customer", "--failure-kind", "declined=bank",
        "--tables", "routes", "--format", "csv",
    ]  # fmt: skip
    assert main(argv) == 2
    assert "--failure-kind declined=bank" in capsys.readouterr().err
    assert main([*argv, "--lenient"]) == 0
    assert "warning: --failure-kind declined=bank" in capsys.readouterr().err


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=_event_logs(), when_both=st.sampled_from(["first", "last", "failure"]))
def test_kinds_add_up_and_survive_compaction(df: pd.DataFrame, when_both: str) -> None:
    log = EventLog.from_frame(
        df, **KEYS, success="buy", failure={"no": ["no"], "zed": ["z"]},
        when_both=when_both, strict=False,
    )  # fmt: skip
    counts = log.kind_counts
    assert counts["no"] + counts["zed"] == log.outcome_counts["failure"]
    routes = log.routes()
    assert (routes["failures_no"] + routes["failures_zed"]).equals(routes["failures"])
    small = log.compact()
    assert small.kind_counts == counts
    pd.testing.assert_frame_equal(small.routes(), routes)
    for kind in ("no", "zed"):
        view = log.with_failure_kind(kind)
        assert view.outcome_counts["failure"] == counts[kind]
        assert view.outcome_counts["success"] == counts["success"]


# -- a real log ---------------------------------------------------------------------------
def test_fines_kinds_golden() -> None:
    """Road-traffic fines (de Leoni & Mannhardt, 4TU doi:10.4121/uuid:270fd440-1057-4fb9-
    89a9-b699b47990f5), first 10,000 cases. The log has no kinds of failure of its own:
    they are built here, "collection" (Send for Credit Collection) and "appealed" (the fine
    contested: Send Appeal to Prefecture or Appeal to Judge), success "Payment"; the first
    outcome event decides. The figures are checked against a plain pandas count.
    """
    path = shared_data("road_traffic_fines_10k.csv.gz")
    appeal = ["Send Appeal to Prefecture", "Appeal to Judge"]
    log = read_events(
        path, case_col="case_id", touchpoint_col="activity", timestamp_col="timestamp",
        success="Payment",
        failure={"collection": ["Send for Credit Collection"], "appealed": appeal},
    )  # fmt: skip
    assert log.kind_counts == {"open": 1891, "success": 4596, "collection": 3277, "appealed": 236}
    raw = pd.read_csv(path, dtype={"case_id": str})
    raw["ts"] = pd.to_datetime(raw["timestamp"])
    raw = raw.sort_values(["case_id", "ts"], kind="stable")
    kind = raw["activity"].map(
        {"Payment": "success", "Send for Credit Collection": "collection"}
        | dict.fromkeys(appeal, "appealed")
    )
    first = kind.dropna().groupby(raw.loc[kind.notna(), "case_id"]).first()
    assert first.value_counts().to_dict() == {"success": 4596, "collection": 3277, "appealed": 236}
    funnel = log.funnel()
    assert funnel["failures_collection"].iloc[0] == 3277
