"""The command line: demo, analyse, prioritise, report, validate; exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

import frictionkit as fk
from frictionkit.cli import build_parser, main
from frictionkit.datasets import simulate_journeys

EVENT_COLS = ["--case-col", "case_id", "--touchpoint-col", "touchpoint"]
EVENT_COLS += ["--timestamp-col", "timestamp", "--outcome-col", "outcome", "--lenient"]


@pytest.fixture(scope="module")
def events_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("events") / "events.csv"
    simulate_journeys(600, seed=4).to_csv(path, index=False)
    return path


def test_demo_prints_the_main_job_and_writes_the_report(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "out"), "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert "Journey 'Autoparts B2B supplier' (valid)" in out
    assert "Improvements by owner" in out
    # Evidence, then the main job: ranking, quick wins with owners, plan, roadmap.
    assert "0. Evidence: a simulated event log (seed 2027)" in out
    assert "EventLog(27,429 events, 3,000 journeys" in out
    assert "friction: Support hotline" in out  # the simulated error step comes first
    assert "survey: CSAT" in out  # simulated answers, lower after the faulty-batch hotline
    assert "1. Ranking by value per cost" in out
    # the mandatory item is marked, the others are not
    must = [line for line in out.splitlines() if "(must-do)" in line]
    assert len(must) == 1
    assert "consent_management" in must[0]
    assert "| rank | id | owner | title | impact | effort_days | cost |" in out
    assert (
        "| 2 | guided_selling | Sales | Guided selling with at most three options per need "
        "| 90,000 | 5.5 | 4,000 |" in out
    )
    assert "| 3 | callback_sla | Customer service |" in out
    assert "Plan(optimal, 8 of 12 improvements" in out
    assert "'sales_training' is out: it excludes 'guided_selling'" in out
    assert "wave 1-1  2027-01-04 .. 2027-01-29  callback_sla" in out
    # touchpoints and owners by their labels, as in the report; the plan gives titles
    assert "  + callback_sla             Customer service  Call back within 4 hours" in out
    assert "needs 48.3 days of IT, 13.3 left" in out
    labels = {ow.label for ow in fk.datasets.load_autoparts().owners}
    ranked = re.findall(r"^ +\d+\. \S+ +(.+?) +score", out, re.M)
    waves = re.findall(r"^  wave .* \S+ {2,}(\S.*)$", out, re.M)
    assert len(ranked) == 12
    assert len(waves) == 8
    assert set(ranked) | set(waves) <= labels
    assert "days of '" not in out
    report = tmp_path / "out" / "report.html"
    assert f"5. Report written to {report}" in out
    assert "Voice of the customer" in report.read_text(encoding="utf-8")
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'id="table-quick-wins"' in page
    assert 'id="table-roadmap"' in page
    # the satisfaction survey is declared an outcome marker (it was "helps -384"): the
    # report says so in its methods
    assert "Declared outcome markers" in page
    assert "satisfaction_survey" in page.split('id="methods"')[1]


def test_demo_rejects_a_bad_budget(tmp_path, capsys):
    assert main(["demo", "--budget", "lots", "--out", str(tmp_path)]) == 2
    assert "invalid float value: 'lots'" in capsys.readouterr().err


def test_validate_files_and_workbooks(tmp_path, capsys):
    fk.save_journey(fk.datasets.load_autoparts(), tmp_path / "a.yaml")
    fk.write_workbook(fk.datasets.load_autoparts(), tmp_path / "wb")
    assert main(["validate", str(tmp_path / "a.yaml")]) == 0
    assert main(["validate", str(tmp_path / "wb")]) == 0
    assert capsys.readouterr().out.count("(valid)") == 2


def test_validate_lists_every_problem_with_its_line(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text(
        "version: 1\n"
        "stages: [{id: s}]\n"
        "touchpoints:\n"
        "  - {id: t, stage: x, channel: web}\n"
        "  - {id: u, stage: s, channel: web, owner: nobody}\n"
    )
    assert main(["validate", str(tmp_path / "bad.yaml")]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines[0].startswith(
        "error: bad.yaml:4: Touchpoint.stage of 't' refers to unknown stage 'x'"
    )
    assert lines[1].startswith(
        "error: bad.yaml:5: Touchpoint.owner of 'u' refers to unknown owner 'nobody'"
    )
    assert lines[2] == "bad.yaml: 2 problems"
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_validate_finds_the_line_of_a_bad_item_and_of_a_duplicate(tmp_path, capsys):
    (tmp_path / "item.yaml").write_text(
        "version: 1\nstages:\n  - {id: s}\ntouchpoints:\n  - id: t\n    stage: s\n"
        "    channel: web\n    online: maybe\n"
    )
    assert main(["validate", str(tmp_path / "item.yaml")]) == 2
    assert capsys.readouterr().err.startswith("error: item.yaml:8: touchpoints[0] (id 't')")
    (tmp_path / "dup.yaml").write_text(
        "version: 1\nstages: [{id: s}]\ntouchpoints:\n  - {id: t, stage: s, channel: web}\n"
        "  - {id: t, stage: s, channel: email}\n"
    )
    assert main(["validate", str(tmp_path / "dup.yaml")]) == 2
    assert capsys.readouterr().err.startswith("error: dup.yaml:5: two touchpoints share the id")


def test_validate_missing_file_is_bad_input(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: nope.yaml: no journey file at")
    assert err.count("\n") == 1


def test_usage_errors_exit_2_and_help_exits_0(capsys):
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "Exit codes: 0 success" in capsys.readouterr().out


def test_analyse_markdown_folds_small_routes(events_csv, capsys):
    assert main(["analyse", str(events_csv), *EVENT_COLS]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## routes\n")
    assert "## funnel" in out
    assert "## friction" in out
    routes = out.split("## funnel")[0]
    assert "| other (suppressed) |" in routes
    # every route shown stands for at least 10 journeys
    rows = [r for r in routes.splitlines() if r.startswith("| ") and "→" in r]
    assert rows
    assert all(int(r.split(" | ")[2]) >= 10 for r in rows)


def test_analyse_says_which_verdicts_rest_on_found_outcome_markers(tmp_path, capsys):
    path = tmp_path / "planted.csv"
    simulate_journeys(5000, seed=0, scenario="planted").to_csv(path, index=False)
    assert main(["analyse", str(path), *EVENT_COLS]) == 0
    friction = capsys.readouterr().out.split("## friction")[1]
    row = next(r for r in friction.splitlines() if r.startswith("| reminder_email |"))
    assert "| friction (see below) |" in row
    assert "reminder_email is friction only while confirmation, order_cancelled count" in friction
    assert "--outcome-marker confirmation --outcome-marker order_cancelled" in friction
    declared = ["--outcome-marker", "confirmation", "--outcome-marker", "order_cancelled"]
    assert main(["analyse", str(path), *EVENT_COLS, *declared]) == 0
    friction = capsys.readouterr().out.split("## friction")[1]
    assert "see below" not in friction
    assert "only while" not in friction


def test_analyse_on_duckdb_prints_the_same_tables(events_csv, capsys):
    pytest.importorskip("duckdb", reason="the duckdb engine needs frictionkit[duckdb]")
    assert main(["analyse", str(events_csv), *EVENT_COLS]) == 0
    in_memory = capsys.readouterr().out
    args = ["analyse", str(events_csv), *EVENT_COLS, "--engine", "duckdb"]
    assert main([*args, "--memory-limit", "500MB"]) == 0
    assert capsys.readouterr().out == in_memory
    assert main(["analyse", str(events_csv), *EVENT_COLS, "--memory-limit", "1GB"]) == 2
    assert "--memory-limit applies to --engine duckdb" in capsys.readouterr().err


def test_analyse_csv_and_json_are_formula_safe(tmp_path, capsys):
    frame = pd.DataFrame(
        {
            "case": ["a", "a", "b", "b"],
            "step": ["=HYPERLINK(1)", "buy", "=HYPERLINK(1)", "leave"],
            "time": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03"],
        }
    )
    path = tmp_path / "ev.csv"
    frame.to_csv(path, index=False)
    args = ["analyse", str(path), "--case-col", "case", "--touchpoint-col", "step"]
    args += ["--timestamp-col", "time", "--success", "buy", "--failure", "leave"]
    assert main([*args, "--format", "csv", "--tables", "routes", "--min-group-size", "1"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("route_text,n_steps,journeys")
    assert "'=HYPERLINK(1) → buy" in out
    assert "\n=HYPERLINK" not in out
    assert main([*args, "--format", "json", "--tables", "funnel", "routes"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["funnel", "routes"]
    assert data["routes"][0]["route_text"] == "other (suppressed)"  # 2 journeys < 10
    assert data["routes"][0]["journeys"] == 2


def test_analyse_writes_one_file_per_table(events_csv, tmp_path, capsys):
    out_dir = tmp_path / "tables"
    assert (
        main(["analyse", str(events_csv), *EVENT_COLS, "--format", "csv", "--out", str(out_dir)])
        == 0
    )
    assert sorted(p.name for p in out_dir.iterdir()) == ["friction.csv", "funnel.csv", "routes.csv"]
    routes = pd.read_csv(out_dir / "routes.csv")
    assert routes["journeys"].sum() == 600
    assert (routes["journeys"] >= 10).all()


def test_analyse_bad_input_exits_2_with_one_message(events_csv, tmp_path, capsys):
    assert main(["analyse", str(events_csv), "--case-col", "case", *EVENT_COLS[2:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --case-col case is not a column")  # the CLI's own flag
    assert "did you mean 'case_id'" in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert main(["analyse", str(tmp_path / "none.csv"), *EVENT_COLS]) == 2
    assert "no event log at" in capsys.readouterr().err
    assert main(["analyse", str(events_csv), *EVENT_COLS, "--min-group-size", "0"]) == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_analyse_without_outcomes_fails_the_friction_step(tmp_path, capsys):
    path = tmp_path / "open.csv"
    pd.DataFrame({"c": ["a", "a"], "t": ["x", "y"], "ts": ["2024-01-01", "2024-01-02"]}).to_csv(
        path, index=False
    )
    args = ["analyse", str(path), "--case-col", "c", "--touchpoint-col", "t"]
    assert main([*args, "--timestamp-col", "ts", "--min-group-size", "1"]) == 1
    captured = capsys.readouterr()
    assert "## routes" in captured.out
    assert "## friction" not in captured.out
    assert captured.err.startswith("error: friction not computed:")


def test_prioritise_ranks_and_plans(tmp_path, capsys):
    path = tmp_path / "a.yaml"
    fk.save_journey(fk.datasets.load_autoparts(), path)
    assert main(["prioritise", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ranking by value per cost; quick wins: 2")
    assert "| 1 | onboarding_plan |" in out
    assert "## plan" not in out
    args = ["prioritise", str(path), "--budget", "60000", "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    selected = [r["id"] for r in data["plan"] if r["selected"]]
    # the same plan as the portfolio module's own worked example at this budget
    assert selected == list(
        fk.optimise_portfolio(fk.datasets.load_autoparts(), budget=60_000).selected
    )
    assert [r["id"] for r in data["quick_wins"]] == ["guided_selling", "callback_sla"]


def test_prioritise_capacity_and_its_errors(tmp_path, capsys):
    path = tmp_path / "a.yaml"
    fk.save_journey(fk.datasets.load_autoparts(), path)
    caps = ["marketing=40", "sales=30", "customer_service=25", "logistics=20", "it=0"]
    assert main(["prioritise", str(path), "--capacity", *caps]) == 0
    out = capsys.readouterr().out
    assert "Plan(optimal" in out
    assert "'compare_tool' is out" in out
    assert main(["prioritise", str(path), "--capacity", "it:5"]) == 2
    assert "--capacity expects OWNER=DAYS" in capsys.readouterr().err
    assert main(["prioritise", str(path), "--method", "ricee"]) == 2
    assert "invalid choice: 'ricee'" in capsys.readouterr().err


def test_infeasible_plan_is_a_failed_analysis(tmp_path, capsys):
    path = tmp_path / "a.yaml"
    fk.save_journey(fk.datasets.load_autoparts(), path)
    # the mandatory consent management costs 3,000: a budget of 100 cannot hold it
    assert main(["prioritise", str(path), "--budget", "100"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "consent_management" in err


def test_report_command_writes_the_page(events_csv, tmp_path, capsys):
    path = tmp_path / "a.yaml"
    fk.save_journey(fk.datasets.load_autoparts(), path)
    out = tmp_path / "r" / "report.html"
    assert main(["report", str(path), "-o", str(out), "--budget", "60000", "--no-figures"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == f"Report written to {out}"
    # then the ranking's first and the plan, money per year (no currency in this journey)
    assert (
        lines[1] == "Ranking by value per cost: first onboarding_plan (impact 70,000 EUR per year)"
    )
    assert lines[2].startswith("Plan: 7 improvements, value 540,000 EUR per year, cost 58,500 EUR;")
    page = out.read_text(encoding="utf-8")
    assert 'id="plan"' in page
    assert 'id="routes"' not in page
    # without --lenient the "open" outcome value is an error, named with the fix
    args = ["report", str(path), "-o", str(out), "--events", str(events_csv), *EVENT_COLS[:-1]]
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("error: outcome has value(s) ['open']")


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(fk.FrictionkitError):
        main(["--debug", "validate", str(tmp_path / "nope.yaml")])


def test_parser_lists_every_command():
    text = build_parser().format_help()
    for command in ("demo", "analyse", "prioritise", "report", "validate"):
        assert command in text


def test_module_entry_point_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "frictionkit", "validate", str(fk.datasets.autoparts_path())],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0
    assert "(valid)" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "frictionkit", "validate", "missing.yaml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: ")
    assert "Traceback" not in bad.stderr


def test_progress_is_quiet_off_a_terminal(tmp_path, capsys):
    # Standard error is captured (not a terminal): no progress bar, only the outcome.
    assert main(["demo", "--out", str(tmp_path / "out"), "--no-figures"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_bar_on_a_terminal(monkeypatch, capsys):
    import io

    from frictionkit.cli import _Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    fake = Tty()
    monkeypatch.setattr("sys.stderr", fake)
    bar = _Progress(2, "job")
    bar.step("one")
    bar.step("two")
    bar.close()
    assert "job" in fake.getvalue()


# -- hostile text is shown, never run (issue 21) --------------------------------------

OSC = "\x1b]52;c;ZXZpbA==\x07"  # sets the clipboard in many terminals
CLEAR = "\x1b[2J"
HOSTILE = f"Quote{OSC}{CLEAR}\x9b31m\u202e <script>alert(1)</script>"


def _hostile_journey(tmp_path):
    j = fk.datasets.load_autoparts()
    j = j.replace("touchpoints", j.touchpoints[0].id, name=HOSTILE)
    j = j.replace("improvements", j.improvements[0].id, title=HOSTILE)
    j = j.replace("improvements", j.improvements[1].id, title="x" * 5000 + "\x07")
    path = tmp_path / "hostile.yaml"
    fk.save_journey(j, path)
    return path


def _no_controls(text):
    import re

    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)


def test_validate_and_prioritise_print_control_characters_escaped(tmp_path, capsys):
    path = _hostile_journey(tmp_path)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr()
    _no_controls(out.out + out.err)
    assert main(["prioritise", str(path), "--budget", "60000"]) == 0
    out = capsys.readouterr()
    _no_controls(out.out + out.err)
    assert "Quote\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J\\x9b31m\\u202e" in out.out
    # Markdown shows HTML as text
    assert "<script>" not in out.out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out.out
    # JSON keeps the text exactly, as JSON escapes
    assert main(["prioritise", str(path), "--format", "json"]) == 0
    text = capsys.readouterr().out
    _no_controls(text)
    titles = [row["title"] for row in json.loads(text)["ranking"]]
    assert HOSTILE in titles


def test_errors_print_control_characters_escaped(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"version: 1\nstages: [{{id: s, name: {json.dumps(OSC)}}}]\n"
        f"touchpoints: [{{id: t, stage: nope{json.dumps(CLEAR)[1:-1]}, channel: web}}]\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    _no_controls(err)
    assert "error: " in err


def test_analyse_prints_control_characters_escaped(tmp_path, capsys):
    frame = pd.DataFrame(
        {
            "case": ["a", "a", "b", "b"],
            "step": [HOSTILE, "buy", HOSTILE, "leave"],
            "time": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03"],
        }
    )
    path = tmp_path / "ev.csv"
    frame.to_csv(path, index=False)
    args = ["analyse", str(path), "--case-col", "case", "--touchpoint-col", "step"]
    args += ["--timestamp-col", "time", "--success", "buy", "--failure", "leave"]
    for fmt in ("markdown", "csv", "json"):
        assert main([*args, "--format", fmt, "--min-group-size", "1"]) == 0
        out = capsys.readouterr()
        _no_controls(out.out + out.err)
        assert "<script>" not in out.out or fmt != "markdown"


# -- report --feedback reads text as typed, with clear errors (issue 21) --------------


def test_feedback_file_is_read_as_text(tmp_path):
    from frictionkit.cli import _read_feedback_csv

    path = tmp_path / "fb.csv"
    path.write_text("case_id,metric,score\nNA,nps,9\n007,nps,\n", encoding="utf-8")
    frame = _read_feedback_csv(path)
    assert frame["case_id"].tolist() == ["NA", "007"]
    assert frame["score"].tolist() == ["9", ""]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        ("metric,score,comment\nnps,9,tr\xe8s bien\n".encode("latin-1"), "not UTF-8"),
        (b"metric,score\nnps,9,extra\n", "more cells than the header"),
    ],
    ids=["empty", "latin-1", "extra-cell"],
)
def test_report_feedback_bad_files_exit_2(tmp_path, capsys, content, message):
    journey = tmp_path / "a.yaml"
    fk.save_journey(fk.datasets.load_autoparts(), journey)
    fb = tmp_path / "fb.csv"
    fb.write_bytes(content)
    args = ["report", str(journey), "-o", str(tmp_path / "r.html"), "--feedback", str(fb)]
    assert main([*args, "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the feedback file fb.csv")
    assert message in err


def test_duckdb_and_parquet_input_errors_exit_2(tmp_path, capsys):
    pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    path = tmp_path / "ev.parquet"
    pd.DataFrame({"case_id": ["a"], "touchpoint": ["x"], "timestamp": ["2024-01-01"]}).to_parquet(
        path
    )
    args = ["analyse", str(path), "--engine", "duckdb", *EVENT_COLS[:6], "--tables", "routes"]
    assert main([*args, "--memory-limit", "lots"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    args[1] = str(broken)
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("error: ")


# ---------------------------------------------------------------------------------------
# list options, outcome checks, the CLI's own words, lifecycle and delimiters (issue 18)
# ---------------------------------------------------------------------------------------
LOAN_COLS = ["--case-col", "case", "--touchpoint-col", "step", "--timestamp-col", "time"]


@pytest.fixture
def loan_csv(tmp_path):
    """Three cases: one declined, one cancelled, one paid."""
    path = tmp_path / "loan.csv"
    pd.DataFrame(
        {
            "case": ["a", "a", "b", "b", "c", "c"],
            "step": ["apply", "declined", "apply", "cancelled", "apply", "Payment"],
            "time": ["2024-01-01", "2024-01-02"] * 3,
        }
    ).to_csv(path, index=False)
    return path


def _outcomes(capsys) -> tuple[int, int, int]:
    routes = json.loads(capsys.readouterr().out)["routes"]
    return tuple(sum(r[k] for r in routes) for k in ("successes", "failures", "open"))


def test_list_options_take_several_values_and_repeating_adds(loan_csv, capsys):
    base = ["analyse", str(loan_csv), *LOAN_COLS, "--format", "json", "--tables", "routes"]
    base += ["--min-group-size", "1"]
    assert main([*base, "--failure", "declined", "cancelled"]) == 0
    assert _outcomes(capsys) == (0, 2, 1)
    # repeating the flag appends (it used to keep only the last value)
    assert main([*base, "--failure", "declined", "--failure", "cancelled"]) == 0
    assert _outcomes(capsys) == (0, 2, 1)
    args = build_parser().parse_args(
        ["analyse", "x.csv", "--success", "a", "--success", "b", "c", "--tables", "routes"]
    )
    assert args.success == ["a", "b", "c"]
    args = build_parser().parse_args(
        ["prioritise", "j.yaml", "--capacity", "it=1", "--capacity", "ops=2"]
    )
    assert args.capacity == ["it=1", "ops=2"]


def test_an_outcome_value_that_matches_nothing_errors_or_warns(loan_csv, capsys):
    base = ["analyse", str(loan_csv), *LOAN_COLS, "--tables", "routes", "--min-group-size", "1"]
    assert main([*base, "--success", "Paymnet"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'Payment'" in err
    assert "--lenient" in err
    assert "strict=False" not in err
    assert main([*base, "--success", "Paymnet", "--lenient"]) == 0
    err = capsys.readouterr().err
    assert err == (
        "warning: --success 'Paymnet': no such touchpoint in the log (did you mean "
        "'Payment'?); every such journey stays open\n"
    )


def test_outcome_column_values_that_match_nothing(tmp_path, capsys):
    path = tmp_path / "status.csv"
    pd.DataFrame(
        {"case": ["a", "b"], "step": ["x", "y"], "time": ["2024-01-01"] * 2, "status": ["ok", "ko"]}
    ).to_csv(path, index=False)
    base = ["analyse", str(path), *LOAN_COLS, "--outcome-col", "status", "--tables", "routes"]
    base += ["--success", "done", "--failure", "ko"]
    assert main(base) == 2  # "ok" is neither: the library's error, in the CLI's words
    err = capsys.readouterr().err
    assert "--lenient" in err
    assert "strict=" not in err
    assert "success=" not in err
    assert main([*base, "--lenient", "--min-group-size", "1"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: --success 'done': no value of --outcome-col 'status'")
    assert err.count("\n") == 1


def test_errors_speak_in_flags(tmp_path, capsys):
    path = tmp_path / "gaps.csv"
    pd.DataFrame(
        {"case": ["a", "a", "b"], "step": ["x", "y", "x"], "time": ["2024-01-01", "", "2024-01-03"]}
    ).to_csv(path, index=False)
    base = ["analyse", str(path), *LOAN_COLS, "--tables", "routes", "--min-group-size", "1"]
    assert main(base) == 2
    err = capsys.readouterr().err
    assert "pass --on-null drop to leave them out" in err
    assert "on_null" not in err
    # warnings print as one plain line, in the CLI's words, without a file or a line number
    assert main([*base, "--on-null", "drop"]) == 0
    err = capsys.readouterr().err
    assert err == "warning: dropped 1 row(s) with a missing case id, touchpoint or timestamp\n"
    weird = tmp_path / "log.dat"
    weird.write_text("case,step,time\na,x,2024-01-01\n")
    assert main(["analyse", str(weird), *LOAN_COLS]) == 2
    err = capsys.readouterr().err
    assert "--events-format csv" in err
    assert "format=" not in err
    assert main(["analyse", str(weird), *LOAN_COLS, "--events-format", "csv"]) == 1  # no outcomes


def test_cli_words_translates_from_one_table():
    from frictionkit.cli import FLAGS, cli_words

    assert cli_words("pass format='csv'") == "pass --events-format csv"
    assert cli_words("strict=False") == "--lenient"
    assert cli_words("lifecycle='start_complete' needs lifecycle_col=") == (
        "--lifecycle start_complete needs --lifecycle-col"
    )
    assert cli_words("sep='\\t' or sep=';'") == "--sep '\\t' or --sep ';'"
    assert cli_words("lifecycle_col is not supported by engine='duckdb'") == (
        "--lifecycle-col is not supported by --engine duckdb"
    )
    assert cli_words("the format of 'x.dat' and success rates") == (
        "the format of 'x.dat' and success rates"
    )
    parser_flags = {
        opt
        for action in build_parser()._subparsers._group_actions[0].choices["analyse"]._actions
        for opt in action.option_strings
    }
    parser_flags |= {"--capacity", "--budget", "--method"}
    # the value flags belong to prioritise and report
    parser_flags |= {
        opt
        for action in build_parser()._subparsers._group_actions[0].choices["prioritise"]._actions
        for opt in action.option_strings
    }
    assert set(FLAGS.values()) <= parser_flags


def test_when_both_flag(tmp_path, capsys):
    path = tmp_path / "both.csv"
    pd.DataFrame(
        {"case": ["a", "a"], "step": ["buy", "refund"], "time": ["2024-01-01", "2024-01-02"]}
    ).to_csv(path, index=False)
    base = ["analyse", str(path), *LOAN_COLS, "--format", "json", "--tables", "routes"]
    base += ["--min-group-size", "1", "--success", "buy", "--failure", "refund"]
    assert main(base) == 0
    assert _outcomes(capsys) == (1, 0, 0)
    assert main([*base, "--when-both", "failure"]) == 0
    assert _outcomes(capsys) == (0, 1, 0)
    assert main([*base, "--when-both", "never"]) == 2


@pytest.mark.parametrize("sep", [";", "\t"])
def test_sep_flag_and_detection(tmp_path, capsys, sep):
    path = tmp_path / "semi.csv"
    path.write_text(sep.join(["case", "step", "time"]) + "\na" + sep + "x" + sep + "2024-01-01\n")
    base = ["analyse", str(path), *LOAN_COLS, "--tables", "routes", "--format", "csv"]
    base += ["--min-group-size", "1"]
    assert main(base) == 0  # detected
    detected = capsys.readouterr().out
    assert main([*base, "--sep", "tab" if sep == "\t" else sep]) == 0
    assert capsys.readouterr().out == detected
    assert main([*base, "--sep", ","]) == 2
    err = capsys.readouterr().err
    assert "wrong delimiter" in err
    assert "--sep " in err
    assert "sep=" not in err


def test_lifecycle_flags(tmp_path, capsys):
    from tests.test_lifecycle import write_xes

    path = write_xes(tmp_path / "loan.xes")
    base = ["analyse", str(path), "--tables", "routes", "--format", "json"]
    base += ["--min-group-size", "1", "--success", "approve", "--failure", "decline"]
    assert main(base) == 0
    routes = json.loads(capsys.readouterr().out)["routes"]
    assert {r["route_text"] for r in routes} == {
        "apply → check → call → approve",
        "apply → check → check → decline",
    }
    assert main([*base, "--lifecycle", "touchpoint", "--lenient"]) == 0
    captured = capsys.readouterr()
    assert "check+start" in captured.out
    assert captured.err.count("warning: --success 'approve'") == 1
    assert main([*base, "--lifecycle-col", "nope"]) == 2
    assert "--lifecycle-col nope is not a column" in capsys.readouterr().err


def test_help_lists_the_new_flags_and_every_exit_code(capsys):
    assert main(["analyse", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--when-both", "--lifecycle", "--lifecycle-col", "--sep", "--encoding"):
        assert flag in out
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "0 success, 1 the analysis failed" in out
    assert "2 bad usage or bad input" in out
    assert "130 interrupted" in out


def test_interrupt_exits_130(monkeypatch, capsys):
    import frictionkit.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_validate", interrupted)
    assert main(["validate", "x.yaml"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_prioritise_shows_missing_impact_blank_and_plans_on_the_ranking(tmp_path, capsys):
    j = fk.datasets.load_autoparts()
    j = j.replace("improvements", "compare_tool", impact=None)
    path = tmp_path / "a.yaml"
    fk.save_journey(j, path)
    # a missing impact is an error naming the improvement, as with --budget (issue 19:
    # prioritise and report agree); --lenient ranks it with its impact blank
    assert main(["prioritise", str(path)]) == 2
    assert "1 improvement without any impact" in capsys.readouterr().err
    assert main(["prioritise", str(path), "--lenient"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    # the CLI prints the missing-impact warning as one plain line
    assert any(
        line.startswith("warning:") and "compare_tool" in line for line in captured.err.splitlines()
    )
    row = next(line for line in out.splitlines() if "| compare_tool |" in line)
    assert "| impact missing |" in row
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[6] == ""  # impact: blank, not 0
    # the plan uses the ranking and names the improvement without impact
    assert main(["prioritise", str(path), "--budget", "60000"]) == 2
    assert "'compare_tool'" in capsys.readouterr().err
    # with --lenient it is planned as worth 0, never with a declared figure
    assert main(["prioritise", str(path), "--budget", "60000", "--lenient"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "| compare_tool |" in line)
    assert "| 0 |" in row
    # and the reason it is out says why it is worth nothing
    assert "a missing impact counts as 0 with --lenient" in out
    assert "objective 'score'" not in out


def test_analyse_and_report_take_outcome_markers_and_adjust_for(tmp_path, capsys):
    events = tmp_path / "planted.csv"
    simulate_journeys(4000, seed=0, scenario="planted").to_csv(events, index=False)
    out_dir = tmp_path / "tables"
    flags = ["--outcome-marker", "confirmation", "--outcome-marker", "order_cancelled"]
    flags += ["--adjust-for", "segment"]
    args = ["analyse", str(events), *EVENT_COLS, "--tables", "friction", "--format", "csv"]
    assert main([*args, "--out", str(out_dir), *flags]) == 0
    table = pd.read_csv(out_dir / "friction.csv", keep_default_na=False).set_index("touchpoint")
    assert table.loc["confirmation", "verdict"] == "outcome marker"
    assert table.loc["order_cancelled", "verdict"] == "outcome marker"
    assert (table["adjusted_for"] == "segment").all()
    # bad names are bad input (exit 2), named with the fix
    assert main([*args, "--out", str(tmp_path / "t2"), "--adjust-for", "segmnt"]) == 2
    assert "segmnt" in capsys.readouterr().err
    assert main([*args, "--outcome-marker", "confirmaton"]) == 2
    assert "did you mean 'confirmation'" in capsys.readouterr().err


def test_report_command_declares_markers_and_adjustment(tmp_path, capsys):
    journey = fk.datasets.load_autoparts()
    path = tmp_path / "a.yaml"
    fk.save_journey(journey, path)
    events = tmp_path / "events.csv"
    df = simulate_journeys(1500, seed=4, journey=journey, personas={"a": 0.6, "b": 0.4})
    df.to_csv(events, index=False)
    out = tmp_path / "report.html"
    args = ["report", str(path), "-o", str(out), "--events", str(events), *EVENT_COLS]
    args += ["--no-figures", "--outcome-marker", "order_delivery", "--adjust-for", "persona"]
    assert main(args) == 0
    # no --value-per-success and no value column: ranked on the declared impacts, said so
    assert "note: ranked on the journey's declared impacts" in capsys.readouterr().err
    methods = out.read_text(encoding="utf-8").split('id="methods"')[1]
    assert "Declared outcome markers" in methods
    assert "order_delivery" in methods
    assert "Adjusted for the case attributes persona" in methods


# -- funnel and session flags (issue 18) ----------------------------------------------------
def _clickstream_csv(tmp_path):
    """Two visitors: a browses, comes back after 2 h and buys; b browses twice, never buys."""
    rows = [
        ("a", "home", "2024-01-01 10:00"), ("a", "product", "2024-01-01 10:05"),
        ("a", "home", "2024-01-01 12:30"), ("a", "cart", "2024-01-01 12:35"),
        ("a", "buy", "2024-01-01 12:40"),
        ("b", "home", "2024-01-02 09:00"), ("b", "product", "2024-01-02 09:02"),
        ("b", "home", "2024-01-03 09:00"),
    ]  # fmt: skip
    path = tmp_path / "clicks.csv"
    pd.DataFrame(rows, columns=["case_id", "touchpoint", "timestamp"]).to_csv(path, index=False)
    return path


CLICK_COLS = ["--case-col", "case_id", "--touchpoint-col", "touchpoint"]
CLICK_COLS += ["--timestamp-col", "timestamp", "--success", "buy"]


def _json_tables(capsys):
    return json.loads(capsys.readouterr().out)


def test_analyse_splits_sessions_before_analysing(tmp_path, capsys):
    path = _clickstream_csv(tmp_path)
    base = ["analyse", str(path), *CLICK_COLS, "--tables", "routes", "--format", "json"]
    base += ["--min-group-size", "1"]
    assert main(base) == 0
    routes = _json_tables(capsys)["routes"]
    assert sum(r["journeys"] for r in routes) == 2
    assert main([*base, "--session-gap", "3600"]) == 0
    routes = _json_tables(capsys)["routes"]
    # four sessions: a's two, b's two; the unfinished ones stay open
    assert sum(r["journeys"] for r in routes) == 4
    assert sum(r["open"] for r in routes) == 3
    assert main([*base, "--session-gap", "3600", "--session-end", "failure"]) == 0
    routes = _json_tables(capsys)["routes"]
    assert (sum(r["successes"] for r in routes), sum(r["failures"] for r in routes)) == (1, 3)
    # the same tables as the library's split
    log = fk.read_events(
        path, case_col="case_id", touchpoint_col="touchpoint", timestamp_col="timestamp",
        success="buy",
    ).split(gap_s=3600, end="failure")  # fmt: skip
    assert sorted(r["route_text"] for r in routes) == sorted(log.routes()["route_text"])
    # --session-end alone: the journeys without a purchase failed
    assert main([*base, "--session-end", "failure"]) == 0
    routes = _json_tables(capsys)["routes"]
    assert sum(r["failures"] for r in routes) == 1


def test_analyse_branch_threshold(tmp_path, capsys):
    rows = []
    for i in range(100):
        path = ["fine_issued"] + ["appeal_filed"] * (i < 12) + ["reminder"] * (i < 80)
        path += ["paid"] * (i < 60)
        rows += [(f"j{i:03d}", t, f"2024-01-{k + 1:02d}") for k, t in enumerate(path)]
    df = pd.DataFrame(rows, columns=["case_id", "touchpoint", "timestamp"])
    df["stage"] = df["touchpoint"].map({"appeal_filed": "appeal", "fine_issued": "fine"})
    df["stage"] = df["stage"].fillna("pay")
    path = tmp_path / "fines.csv"
    df.to_csv(path, index=False)
    args = ["analyse", str(path), "--case-col", "case_id", "--touchpoint-col", "touchpoint"]
    args += ["--timestamp-col", "timestamp", "--stage-col", "stage", "--success", "paid"]
    args += ["--tables", "funnel", "--format", "json"]
    assert main(args) == 0
    kinds = [r["kind"] for r in _json_tables(capsys)["funnel"]]
    assert kinds == ["main", "branch", "main"]
    assert main([*args, "--branch-threshold", "0"]) == 0
    assert [r["kind"] for r in _json_tables(capsys)["funnel"]] == ["main"] * 3
    assert main([*args, "--branch-threshold", "0.1"]) == 0  # 12 % took the appeal
    assert [r["kind"] for r in _json_tables(capsys)["funnel"]] == ["main"] * 3


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--branch-threshold", "2"], "--branch-threshold: must be a share between 0 and 1, got 2"),
        (["--branch-threshold", "half"], "--branch-threshold: must be a number, got 'half'"),
        (["--session-gap", "-5"], "--session-gap"),
        (["--session-end", "closed"], "--session-end: invalid choice: 'closed'"),
    ],
)
def test_funnel_and_session_flags_refuse_bad_values(tmp_path, capsys, flags, message):
    path = _clickstream_csv(tmp_path)
    assert main(["analyse", str(path), *CLICK_COLS, *flags]) == 2
    assert message in capsys.readouterr().err.replace("argument ", "")


def test_session_messages_speak_in_flags():
    from frictionkit.cli import cli_words

    assert cli_words("gap_s must be at least 0") == "--session-gap must be at least 0"
    assert (
        cli_words('pass end="failure" to count them') == "pass --session-end failure to count them"
    )
    assert cli_words("branch_threshold=0.5") == "--branch-threshold 0.5"


def test_report_takes_the_funnel_and_session_flags(tmp_path, capsys):
    journey = fk.Journey(
        stages=[fk.Stage(id="browse"), fk.Stage(id="basket")],
        touchpoints=[
            fk.Touchpoint(id="home", stage="browse", channel="web"),
            fk.Touchpoint(id="product", stage="browse", channel="web"),
            fk.Touchpoint(id="cart", stage="basket", channel="web"),
            fk.Touchpoint(id="buy", stage="basket", channel="web"),
        ],
    )
    jpath = tmp_path / "shop.yaml"
    fk.save_journey(journey, jpath)
    events = _clickstream_csv(tmp_path)
    out = tmp_path / "report.html"
    args = ["report", str(jpath), "--events", str(events), "-o", str(out), "--no-figures"]
    args += [*CLICK_COLS, "--min-group-size", "1", "--branch-threshold", "0"]
    assert main([*args, "--session-gap", "3600", "--session-end", "failure"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "4 journeys: 1 ended in success, 3 in failure and 0 are still open" in page
    assert "fewer than half" not in page.split('id="methods"')[1]
    assert "Every stage is a main stage" in page
    capsys.readouterr()


# -- Markdown for people, CSV and JSON for machines ---------------------------------------
FINES_COLS = ["--case-col", "case_id", "--touchpoint-col", "activity"]
FINES_COLS += ["--timestamp-col", "timestamp", "--success", "Payment"]
FINES_COLS += ["--failure", "Send for Credit Collection"]
#: The Markdown friction table: the decision columns, then what a manager reads beside them.
READABLE_FRICTION = [
    "touchpoint",
    "stage",
    "verdict",
    "attributable_failures [95% CI]",
    "af_q_value",
    "journeys",
    "risk_visited",
    "risk_not_visited",
    "median_dwell",
]


def _md_tables(text):
    """Each Markdown table of the output: its name, header cells, rows and the lines under it."""
    out = {}
    for block in text.split("## ")[1:]:
        name, _, body = block.partition("\n")
        lines = body.strip("\n").splitlines()
        table = [line for line in lines if line.startswith("|")]
        cells = [[c.strip() for c in line.strip("|").split(" | ")] for line in table]
        notes = [line for line in lines if line and not line.startswith("|")]
        out[name.strip()] = {"header": cells[0], "rows": cells[2:], "notes": notes}
    return out


@pytest.fixture(scope="module")
def fines_path():
    from tests.helpers import shared_data

    return shared_data("road_traffic_fines_10k.csv.gz")


def test_analyse_markdown_friction_of_the_fines_log_is_readable(fines_path, capsys):
    args = ["analyse", str(fines_path), *FINES_COLS, "--tables", "friction"]
    assert main(args) == 0
    table = _md_tables(capsys.readouterr().out)["friction"]
    # the decision columns in the order of friction(), a few descriptive ones: 9, not 41
    assert table["header"] == READABLE_FRICTION
    rows = {r[0]: dict(zip(table["header"], r, strict=True)) for r in table["rows"]}
    appeal = rows["Insert Date Appeal to Prefecture"]
    assert appeal["verdict"] == "helps"
    assert re.fullmatch(
        r"-\d+\.\d \[-\d+\.\d, -\d+\.\d\]", appeal["attributable_failures [95% CI]"]
    )
    assert appeal["risk_visited"].endswith("%")
    # waits in days (the formatter of the report and explain), never raw seconds
    assert rows["Add penalty"]["median_dwell"] == "407 days"
    assert "691,200" not in str(table)
    # a verdict hidden for a small group says so, and so do hidden figures
    hidden = rows["Notify Result Appeal to Offender"]
    assert hidden["verdict"] == "hidden: fewer than 10 journeys"
    assert hidden["attributable_failures [95% CI]"] == "hidden"
    assert rows["Send Appeal to Prefecture"]["risk_not_visited"] == "hidden"
    assert rows["Payment"]["verdict"] == "outcome marker"
    assert rows["Payment"]["attributable_failures [95% CI]"] == "–"  # does not apply
    # the lines under the table: how many are hidden, how to show them, the other columns
    assert table["notes"][0].startswith(
        "Hidden for privacy: the verdict of 1 touchpoint and figures of 3 more touchpoints, "
        "which rest on a group of fewer than 10 journeys"
    )
    assert table["notes"][1] == "--min-group-size 1 shows them."
    assert table["notes"][2].startswith("9 columns of 42; --all-columns")
    # with --min-group-size 1 nothing is hidden, and no line says otherwise
    assert main([*args, "--min-group-size", "1"]) == 0
    table = _md_tables(capsys.readouterr().out)["friction"]
    assert not any("hidden" in cell for row in table["rows"] for cell in row)
    assert [n for n in table["notes"] if "Hidden" in n or "--min-group-size" in n] == []


def test_analyse_all_columns_and_csv_json_keep_every_column(fines_path, capsys):
    log = fk.read_events(
        fines_path, case_col="case_id", touchpoint_col="activity", timestamp_col="timestamp",
        success="Payment", failure="Send for Credit Collection",
    )  # fmt: skip
    expected = log.friction(min_support=30, min_group_size=10)
    args = ["analyse", str(fines_path), *FINES_COLS, "--tables", "friction", "routes", "funnel"]
    assert main([*args, "--all-columns"]) == 0
    tables = _md_tables(capsys.readouterr().out)
    assert tables["friction"]["header"] == list(expected.columns)
    assert tables["friction"]["rows"][0][0] == expected["touchpoint"].iloc[0]
    assert "691,200" in str(tables["friction"]["rows"])  # raw seconds, as csv has them
    assert tables["routes"]["header"][:3] == ["route_text", "n_steps", "journeys"]
    assert tables["funnel"]["header"] == list(log.funnel(min_group_size=10).columns)
    # the privacy lines stay (they are about the rows, not the columns)
    assert any(n.startswith("Hidden for privacy") for n in tables["friction"]["notes"])
    # CSV and JSON: every column, raw figures, as the library returns them
    assert main([*args, "--format", "csv"]) == 0
    csv_text = capsys.readouterr().out
    friction_csv = csv_text.split("# friction\n")[1].split("\n\n")[0]
    assert friction_csv.splitlines()[0].split(",") == list(expected.columns)
    assert "hidden" not in csv_text
    assert "days" not in csv_text
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    shown = pd.DataFrame(data["friction"])
    assert list(shown.columns) == list(expected.columns)
    assert shown["median_dwell_s"].tolist() == pytest.approx(
        expected["median_dwell_s"].tolist(), nan_ok=True
    )
    assert "route" not in data["routes"][0]
    assert "route_text" in data["routes"][0]


def test_analyse_markdown_of_routes_and_funnel(events_csv, capsys):
    assert main(["analyse", str(events_csv), *EVENT_COLS, "--tables", "routes", "funnel"]) == 0
    tables = _md_tables(capsys.readouterr().out)
    routes = tables["routes"]
    assert routes["header"] == [
        "route", "n_steps", "journeys", "successes", "failures", "open",
        "success_rate [95% CI]", "share",
    ]  # fmt: skip
    folded = next(r for r in routes["rows"] if r[0] == "other (suppressed)")
    assert folded[1] == "–"  # its length is unknown
    assert routes["notes"][0].startswith('"other (suppressed)" gathers ')
    assert routes["notes"][0].endswith("routes followed by fewer than 10 journeys.")
    assert routes["notes"][1] == "--min-group-size 1 shows them."
    assert all(re.fullmatch(r"\d+(\.\d+)?%", r[-1]) for r in routes["rows"])
    funnel = tables["funnel"]
    assert funnel["header"][:3] == ["stage", "kind", "journeys"]
    assert len(funnel["header"]) <= 12
    assert funnel["notes"][-1].startswith(f"{len(funnel['header'])} columns of ")


def test_analyse_markdown_marks_hidden_funnel_figures(capsys):
    from tests.helpers import shared_data

    path = shared_data("helpdesk.csv.gz")
    args = ["analyse", str(path), "--case-col", "case_id", "--touchpoint-col", "activity"]
    args += ["--timestamp-col", "timestamp", "--success", "Closed", "--failure", "Require upgrade"]
    assert main([*args, "--when-both", "failure", "--tables", "funnel"]) == 0
    funnel = _md_tables(capsys.readouterr().out)["funnel"]
    rows = {r[0]: dict(zip(funnel["header"], r, strict=True)) for r in funnel["rows"]}
    assert rows["inferred_2"]["journeys"] == "hidden"
    assert rows["inferred_3"]["kind"] == "branch"
    assert rows["inferred_3"]["step_conversion"] == "–"  # a branch is not a step: not hidden
    assert funnel["notes"][0].startswith("Hidden for privacy: figures of 3 stages")


def test_analyse_markdown_names_touchpoints_and_stages_by_label(tmp_path, capsys):
    journey = fk.datasets.load_autoparts()
    path = tmp_path / "a.yaml"
    fk.save_journey(journey, path)
    events = tmp_path / "events.csv"
    simulate_journeys(400, seed=4, journey=journey).to_csv(events, index=False)
    args = ["analyse", str(events), *EVENT_COLS, "--journey", str(path)]
    assert main(args) == 0
    tables = _md_tables(capsys.readouterr().out)
    labels = {tp.label for tp in journey.touchpoints}
    assert {r[0] for r in tables["friction"]["rows"]} <= labels | {"other (suppressed)"}
    assert tables["funnel"]["rows"][0][0] == journey.stages[0].label
    assert any("Parts website → " in r[0] for r in tables["routes"]["rows"])
    # csv keeps the ids
    assert main([*args, "--format", "csv", "--tables", "routes"]) == 0
    assert "parts_website" in capsys.readouterr().out


def test_prioritise_markdown_names_owners_and_puts_the_interval_in_one_cell(tmp_path, capsys):
    path = tmp_path / "a.yaml"
    fk.save_journey(fk.datasets.load_autoparts(), path)
    assert main(["prioritise", str(path), "--budget", "150000"]) == 0
    out = capsys.readouterr().out
    assert (
        "| 3 | callback_sla | Call back within 4 hours on quality incidents | Customer service |"
        in out
    )
    assert "needs 48.3 days of IT, 13.3 left" in out  # the owner's label, as in the table
    assert "start and end: working days from the first day of wave 1 (day 0)." in out
    assert main(["prioritise", str(path), "--budget", "150000", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["owner"] for r in data["ranking"]} >= {"it", "customer_service"}  # ids, as ever
