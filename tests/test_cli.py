"""The command line: demo and validate."""

from __future__ import annotations

import subprocess
import sys

import frictionkit as fk
from frictionkit.cli import main


def test_demo_prints_a_validated_summary(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Journey 'Autoparts B2B supplier' (valid)" in out
    assert "Improvements by owner" in out
    # The main job: ranking, easy & smart wins with owners, the plan and the roadmap.
    assert "1. Ranking by value per cost" in out
    assert "- guided_selling (sales)" in out
    assert "Plan(optimal, 8 of 12 improvements" in out
    assert "'sales_training' is out: it excludes 'guided_selling'" in out
    assert "wave 1-1  2027-01-04 .. 2027-01-29  callback_sla" in out


def test_validate_files_and_workbooks(tmp_path, capsys):
    fk.save_journey(fk.datasets.load_autoparts(), tmp_path / "a.yaml")
    fk.write_workbook(fk.datasets.load_autoparts(), tmp_path / "wb")
    assert main(["validate", str(tmp_path / "a.yaml")]) == 0
    assert main(["validate", str(tmp_path / "wb")]) == 0
    assert capsys.readouterr().out.count("(valid)") == 2


def test_validate_reports_errors_without_traceback(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text(
        "version: 1\nstages: [{id: s}]\ntouchpoints: [{id: t, stage: x, channel: web}]\n"
    )
    assert main(["validate", str(tmp_path / "bad.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: bad.yaml: Touchpoint.stage of 't' refers to unknown stage 'x'")
    assert "Traceback" not in err


def test_module_entry_point_runs():
    done = subprocess.run(
        [sys.executable, "-m", "frictionkit", "demo"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "(valid)" in done.stdout
