"""Journey files, tables and workbooks: round trips, schema, safety, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import frictionkit as fk
from frictionkit.io import entity_columns, journey_schema, journey_to_dict
from frictionkit.model import ENTITIES
from tests.strategies import journeys

AUTOPARTS = fk.datasets.load_autoparts()
MINIMAL = "version: 1\nstages: [{id: s}]\ntouchpoints: [{id: t, stage: s, channel: web}]\n"


def write(tmp_path: Path, text: str, name: str = "j.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the bundled example -------------------------------------------------------------


def test_autoparts_is_the_documented_worked_example():
    j = AUTOPARTS
    assert [s.id for s in j.stages] == [s.id for s in fk.STANDARD_STAGES]
    assert len(j.touchpoints) == 15
    assert len(j.improvements) == 12
    assert len(j.pain_points) == 8
    assert {p.id for p in j.personas} == {"purchasing_manager", "engineer", "plant_manager"}
    assert {o.id for o in j.owners} == {"marketing", "sales", "customer_service", "logistics", "it"}
    assert {t.channel for t in j.touchpoints} >= {"web", "email", "phone", "meeting", "delivery"}
    assert "compare" in j.pain_point("no_comparison").description
    assert all(imp.owner for imp in j.improvements)


def test_autoparts_file_validates_against_the_shipped_schema():
    import yaml

    data = yaml.safe_load(fk.datasets.autoparts_path().read_text(encoding="utf-8"))
    jsonschema.validate(data, journey_schema())
    jsonschema.validate(journey_to_dict(AUTOPARTS), journey_schema())


def test_schema_lists_exactly_the_model_fields():
    defs = journey_schema()["$defs"]
    for kind, cls in ENTITIES.items():
        fields = {f.name for f in attrs.fields(cls) if f.init}
        assert set(defs[kind[:-1]]["properties"]) == fields, kind
        required = {f.name for f in attrs.fields(cls) if f.init and f.default is attrs.NOTHING}
        assert set(defs[kind[:-1]]["required"]) == required, kind


def test_schema_rejects_what_the_loader_rejects():
    bad = {"version": 1, "stages": [{"id": "s", "colour": "red"}], "touchpoints": []}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, journey_schema())


# -- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_file_round_trip_of_the_example(tmp_path, suffix):
    path = tmp_path / f"autoparts{suffix}"
    fk.save_journey(AUTOPARTS, path)
    assert fk.load_journey(path) == AUTOPARTS
    assert fk.load_journey(str(path)) == AUTOPARTS


def test_saved_yaml_is_readable_and_skips_defaults(tmp_path):
    fk.save_journey(AUTOPARTS, tmp_path / "a.yaml")
    text = (tmp_path / "a.yaml").read_text(encoding="utf-8")
    assert text.startswith("# frictionkit journey file")
    assert "version: 1" in text
    assert "mandatory: false" not in text
    assert "cost: 18000\n" in text  # integral numbers written as integers


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(journeys())
def test_file_round_trips_of_generated_journeys(tmp_path, j):
    for name in ("g.yaml", "g.json"):
        fk.save_journey(j, tmp_path / name)
        assert fk.load_journey(tmp_path / name) == j


@given(journeys())
def test_frames_round_trip_of_generated_journeys(j):
    frames = j.to_frames()
    assert fk.Journey.from_frames(frames, name=j.name) == j
    for kind, frame in frames.items():
        assert tuple(frame.columns) == entity_columns(kind)
        assert len(frame) == len(getattr(j, kind))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)
@given(journeys())
def test_csv_workbook_round_trip_of_generated_journeys(tmp_path, j):
    folder = tmp_path / "wb"
    fk.write_workbook(j, folder)
    assert fk.read_workbook(folder) == j


def test_a_lone_carriage_return_survives_the_csv_workbook(tmp_path):
    # Found by Hypothesis: an unquoted "\r" in a description was read as a line break,
    # shifting the next cells into the wrong columns.
    pain = attrs.evolve(AUTOPARTS.pain_points[0], description="before\rafter")
    j = attrs.evolve(AUTOPARTS, pain_points=(pain, *AUTOPARTS.pain_points[1:]))
    fk.write_workbook(j, tmp_path / "wb")
    assert fk.read_workbook(tmp_path / "wb") == j


@pytest.mark.parametrize("text", ["\x85", "a\x85b", "x\u2028y", "x\u2029y", "\x85 \u2028\r\n"])
def test_unicode_line_breaks_survive_the_yaml_file(tmp_path, text):
    # Found by Hypothesis: a NEL (U+0085) written raw in a single-quoted YAML scalar was
    # read back as a space. Text with a Unicode line break is now written double-quoted.
    pain = attrs.evolve(AUTOPARTS.pain_points[0], description=text)
    j = attrs.evolve(AUTOPARTS, pain_points=(pain, *AUTOPARTS.pain_points[1:]))
    fk.save_journey(j, tmp_path / "j.yaml")
    assert fk.load_journey(tmp_path / "j.yaml") == j
    # and the file stays readable text: the break is escaped, not written raw
    assert "\x85" not in (tmp_path / "j.yaml").read_text(encoding="utf-8")


def test_excel_workbook_round_trip(tmp_path):
    fk.write_workbook(AUTOPARTS, tmp_path / "a.xlsx")
    assert fk.read_workbook(tmp_path / "a.xlsx") == AUTOPARTS


def test_frames_are_tidy_and_numeric():
    frames = AUTOPARTS.to_frames()
    imps = frames["improvements"]
    assert imps["cost"].dtype == "float64"
    assert imps["effort_days"].dtype == "float64"
    row = imps.set_index("id").loc["compare_tool"]
    assert row["effort_days"] == pytest.approx((15 + 4 * 25 + 45) / 6)
    assert row["effort_days_estimate"] == "15..25..45"
    assert pd.isna(imps.set_index("id").loc["cad_library", "effort_days_estimate"])
    assert imps.set_index("id").loc["quality_alerts", "requires"] == ["callback_sla"]


def test_frames_input_is_not_mutated():
    frames = AUTOPARTS.to_frames()
    before = {k: v.copy(deep=True) for k, v in frames.items()}
    fk.Journey.from_frames(frames)
    for k in frames:
        pd.testing.assert_frame_equal(frames[k], before[k])


def test_workbook_cells_are_read_as_typed(tmp_path):
    folder = tmp_path / "wb"
    fk.write_workbook(AUTOPARTS, folder)
    tps = folder / "touchpoints.csv"
    text = tps.read_text(encoding="utf-8").replace("search_ads", "NA")
    tps.write_text(text, encoding="utf-8")
    assert fk.read_workbook(folder).touchpoint("NA").channel == "search"


def test_workbook_neutralises_formulas(tmp_path):
    j = AUTOPARTS.replace("pain_points", "no_comparison", description='=HYPERLINK("x")')
    folder = tmp_path / "wb"
    fk.write_workbook(j, folder)
    raw = pd.read_csv(folder / "pain_points.csv", dtype=str, keep_default_na=False)
    cell = raw.set_index("id").loc["no_comparison", "description"]
    assert cell.startswith("'=")
    assert fk.read_workbook(folder) == j
    fk.write_workbook(j, tmp_path / "a.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "a.xlsx")["pain_points"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert '\'=HYPERLINK("x")' in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)


def test_workbook_accepts_hand_written_cells(tmp_path):
    folder = tmp_path / "wb"
    folder.mkdir()
    (folder / "stages.csv").write_text("id\nfind\nbuy\n")
    (folder / "owners.csv").write_text("id,capacity_days\nweb, 20 \n")
    (folder / "touchpoints.csv").write_text(
        "id,stage,channel,owner,online\nsite,find,web,web,yes\npay,buy,web,web,\n"
    )
    (folder / "pain_points.csv").write_text("id,touchpoint,severity\nslow,pay,4\n")
    (folder / "improvements.csv").write_text(
        "id,title,owner,effort_days,cost,fixes,mandatory\n"
        "fast,Faster payment,web,2..3..8,1_000,slow,\n"
        "t,Terms,web,M,0,,true\n"
    )
    j = fk.read_workbook(folder)
    assert j.touchpoint("site").online is True
    assert j.touchpoint("pay").online is None
    assert j.improvement("fast").effort_days == fk.Estimate.three_point(2, 3, 8)
    assert j.improvement("fast").cost == 1000.0
    assert j.improvement("t").mandatory is True
    assert j.owner("web").capacity_days == 20.0
    assert j.name is None


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "error", "pattern"),
    [
        (
            MINIMAL + "colour: red\n",
            fk.SchemaError,
            r"unknown key 'colour'.*Allowed keys: version, name, stages",
        ),
        (MINIMAL + "painpoints: []\n", fk.SchemaError, r"did you mean 'pain_points'"),
        (
            MINIMAL.replace("{id: s}", "{id: s, nmae: S}"),
            fk.SchemaError,
            r"stages\[0\] \(id 's'\) has unknown key 'nmae' \(did you mean 'name'\?\).*Allowed "
            r"keys: id, name",
        ),
        (
            MINIMAL.replace("version: 1", "version: 2"),
            fk.SchemaError,
            r"unsupported journey file version 2",
        ),
        (MINIMAL.replace("version: 1\n", ""), fk.SchemaError, r"Add 'version: 1'"),
        (MINIMAL.replace("version: 1", "version: '1'"), fk.SchemaError, r"version '1'"),
        ("- a\n- b\n", fk.SchemaError, r"holds a mapping .* got list"),
        ("just text\n", fk.SchemaError, r"holds a mapping .* got str"),
        ("", fk.SchemaError, r"got NoneType"),
        (
            "version: 1\nname: !!python/object/apply:os.system ['echo hacked']\n",
            fk.SchemaError,
            r"refused YAML content.*safe loader",
        ),
        ("version: 1\nname: !!python/name:os.system\n", fk.SchemaError, r"refused"),
        (MINIMAL + "stages: []\n", fk.SchemaError, r"duplicate key 'stages' on line 4"),
        ("version: 1\nstages: [\n", fk.SchemaError, r"not valid YAML"),
        (
            MINIMAL.replace("stages: [{id: s}]", "stages: {id: s}"),
            fk.SchemaError,
            r"stages must be a list",
        ),
        (
            MINIMAL.replace("stages: [{id: s}]", "stages: [s]"),
            fk.SchemaError,
            r"stages\[0\] must be a mapping",
        ),
        (
            MINIMAL.replace("stage: s, ", ""),
            fk.SchemaError,
            r"lacks required key\(s\) stage.*Required keys: id, stage, channel",
        ),
        (
            MINIMAL.replace("stage: s,", "stage: z,"),
            fk.UnknownReferenceError,
            r"j.yaml: Touchpoint.stage of 't' refers to unknown stage 'z'",
        ),
        (
            MINIMAL.replace("{id: s}", "{id: 2024}"),
            fk.InputTypeError,
            r"stages\[0\] \(id 2024\): Stage.id must be a string id.*Quote ids",
        ),
        (
            "version: 1\nstages: []\ntouchpoints: []\n",
            fk.ValidationError,
            r"a journey needs at least one stage",
        ),
        (
            MINIMAL + "pain_points: [{id: p, touchpoint: t, severity: 9}]\n",
            fk.ValidationError,
            r"pain_points\[0\] \(id 'p'\): PainPoint.severity must be between 1 and 5, got 9",
        ),
        (
            MINIMAL + "pain_points: [{id: p, touchpoint: t, reach: .nan}]\n",
            fk.ValidationError,
            r"reach must be finite",
        ),
        (
            MINIMAL + "owners: [{id: o}]\nimprovements: [{id: i, title: I, owner: o, "
            "effort_days: {low: 5, high: 1}, cost: 0}]\n",
            fk.ValidationError,
            r"improvements\[0\] \(id 'i'\): Estimate low \(5\) is greater than high \(1\)",
        ),
        (
            MINIMAL + "owners: [{id: o}]\nimprovements: [{id: i, title: I, owner: o, "
            "effort_days: {tshirt: XXXL}, cost: 0}]\n",
            fk.UnknownReferenceError,
            r"unknown T-shirt size 'XXXL'",
        ),
        (
            MINIMAL + "owners: [{id: o}]\nimprovements: [{id: i, title: I, owner: o, "
            "effort_days: 1, cost: -.inf}]\n",
            fk.ValidationError,
            r"cost must be finite",
        ),
    ],
)
def test_bad_journey_files(tmp_path, text, error, pattern):
    with pytest.raises(error, match=pattern):
        fk.load_journey(write(tmp_path, text))


def test_no_python_object_is_ever_built(tmp_path):
    marker = tmp_path / "pwned"
    text = f"version: 1\nname: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(fk.SchemaError):
        fk.load_journey(write(tmp_path, text))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('{"version": 1, "stages": [}', r"not valid JSON: .* \(line 1, column 27\)"),
        ('{"version": 1, "name": NaN}', r"JSON value NaN is not allowed"),
        ("[1, 2]", r"holds a mapping"),
    ],
)
def test_bad_json_files(tmp_path, text, pattern):
    with pytest.raises(fk.SchemaError, match=pattern):
        fk.load_journey(write(tmp_path, text, "j.json"))


def test_file_level_errors(tmp_path):
    with pytest.raises(fk.SchemaError, match=r"Use .yaml, .yml or .json"):
        fk.load_journey(tmp_path / "j.txt")
    with pytest.raises(fk.SchemaError, match=r"no journey file at"):
        fk.load_journey(tmp_path / "missing.yaml")
    (tmp_path / "latin.yaml").write_bytes("name: caf\xe9".encode("latin-1"))
    with pytest.raises(fk.SchemaError, match=r"not UTF-8"):
        fk.load_journey(tmp_path / "latin.yaml")
    with pytest.raises(fk.SchemaError, match=r"Use .yaml"):
        fk.save_journey(AUTOPARTS, tmp_path / "j.toml")
    with pytest.raises(fk.InputTypeError, match=r"needs a Journey"):
        fk.save_journey({"version": 1}, tmp_path / "j.yaml")  # type: ignore[arg-type]


def test_failed_save_leaves_no_partial_file(tmp_path, monkeypatch):
    import frictionkit.io.files as files

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    fk.save_journey(AUTOPARTS, tmp_path / "a.yaml")
    before = (tmp_path / "a.yaml").read_text(encoding="utf-8")
    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        fk.save_journey(AUTOPARTS.replace("stages", "discovery", name="X"), tmp_path / "a.yaml")
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


@pytest.mark.parametrize(
    ("kind", "frame", "error", "pattern"),
    [
        (
            "stages",
            pd.DataFrame({"id": ["s"], "nam": ["S"]}),
            fk.SchemaError,
            r"stages: unknown column 'nam' \(did you mean 'name'\?\)",
        ),
        ("stages", pd.DataFrame({"name": ["S"]}), fk.MissingColumnError, r"no 'id' column"),
        ("stages", [{"id": "s"}], fk.InputTypeError, r"must be a pandas DataFrame"),
        (
            "improvements",
            pd.DataFrame(
                {"id": ["i"], "title": ["I"], "owner": ["o"], "effort_days": [3.0], "cost": ["ten"]}
            ),
            fk.ValidationError,
            r"improvements row 1 \(id 'i'\).cost: 'ten' is not a number",
        ),
        (
            "improvements",
            pd.DataFrame(
                {
                    "id": ["i"],
                    "title": ["I"],
                    "owner": ["o"],
                    "effort_days": [3.0],
                    "effort_days_estimate": ["1..2"],
                    "cost": [1.0],
                }
            ),
            fk.ValidationError,
            r"effort_days is 3 but effort_days_estimate '1..2' has mean 1.5",
        ),
        (
            "touchpoints",
            pd.DataFrame({"id": ["t"], "stage": ["s"], "channel": ["web"], "online": ["maybe"]}),
            fk.ValidationError,
            r"'maybe' is not true or false",
        ),
        (
            "touchpoints",
            pd.DataFrame({"id": [None], "stage": ["s"], "channel": ["web"]}),
            fk.InputTypeError,
            r"touchpoints row 1: Touchpoint.id must be a string id",
        ),
    ],
)
def test_bad_frames(kind, frame, error, pattern):
    frames = {
        "stages": pd.DataFrame({"id": ["s"]}),
        "touchpoints": pd.DataFrame({"id": ["t"], "stage": ["s"], "channel": ["web"]}),
        "owners": pd.DataFrame({"id": ["o"]}),
    }
    frames[kind] = frame
    with pytest.raises(error, match=pattern):
        fk.Journey.from_frames(frames)


def test_unknown_table_name_is_refused():
    with pytest.raises(fk.UnknownReferenceError, match=r"did you mean 'pain_points'"):
        fk.Journey.from_frames({"painpoints": pd.DataFrame()})


def test_bad_workbooks(tmp_path):
    with pytest.raises(fk.SchemaError, match="no CSV files"):
        fk.read_workbook(tmp_path)
    with pytest.raises(fk.SchemaError, match="no workbook at"):
        fk.read_workbook(tmp_path / "nope.xlsx.txt")
    folder = tmp_path / "wb"
    fk.write_workbook(AUTOPARTS, folder)
    (folder / "journey.csv").write_text("key,value\nversion,7\n")
    with pytest.raises(fk.SchemaError, match="unsupported workbook version '7'"):
        fk.read_workbook(folder)
    (folder / "journey.csv").write_text("key,value\nversoin,1\n")
    with pytest.raises(fk.SchemaError, match="did you mean 'version'"):
        fk.read_workbook(folder)
    (folder / "journey.csv").unlink()
    (folder / "costs.csv").write_text("id\nx\n")
    with pytest.raises(fk.UnknownReferenceError, match="unknown table 'costs'"):
        fk.read_workbook(folder)
    with pytest.raises(fk.SchemaError, match="cannot write a workbook"):
        fk.write_workbook(AUTOPARTS, tmp_path / "a.csv")
    comma = AUTOPARTS.replace("pain_points", "no_comparison", evidence=["a, b"])
    with pytest.raises(fk.SchemaError, match="contains a comma"):
        fk.write_workbook(comma, tmp_path / "c")


def test_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(journey_schema())
    assert json.loads(json.dumps(journey_schema())) == journey_schema()


def test_missing_excel_extra_names_the_install_line(tmp_path, monkeypatch):
    import importlib

    import frictionkit._compat as compat

    real = importlib.import_module

    def fake(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.startswith("openpyxl"):
            raise ImportError("No module named 'openpyxl'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(compat.importlib, "import_module", fake)
    with pytest.raises(fk.OptionalDependencyError, match=r"pip install 'frictionkit\[excel\]'"):
        fk.write_workbook(AUTOPARTS, tmp_path / "a.xlsx")
    with pytest.raises(ImportError):
        fk.read_workbook(tmp_path / "a.xlsx")


# ---------------------------------------------------------------------------------------
# errors say where in the file
# ---------------------------------------------------------------------------------------
def _load_error(path: Path) -> fk.FrictionkitError:
    with pytest.raises(fk.FrictionkitError) as info:
        fk.load_journey(path)
    return info.value


def test_a_bad_reference_carries_its_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "version: 1\n"
        "stages: [{id: s}]\n"
        "touchpoints:\n"
        "  - {id: t, stage: x, channel: web}\n"
        "  - {id: u, stage: s, channel: web, owner: nobody}\n"
    )
    err = _load_error(path)
    assert isinstance(err, fk.UnknownReferenceError)
    assert (err.line, err.column) == (4, 20)  # the x of "stage: x"
    assert [(p.line, p.column) for p in err.problems] == [(5, 44)]  # 'nobody'


def test_item_errors_carry_the_line_of_their_key(tmp_path):
    path = tmp_path / "item.yaml"
    path.write_text(
        "version: 1\nstages:\n  - {id: s}\ntouchpoints:\n  - id: t\n    stage: s\n"
        "    channel: web\n    colour: red\n"
    )
    err = _load_error(path)
    assert isinstance(err, fk.SchemaError)
    assert (err.line, err.column) == (8, 5)
    path.write_text("version: 1\nstagez: []\n")
    assert (_load_error(path).line, _load_error(path).column) == (2, 1)


def test_a_duplicate_id_points_at_the_second_one(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text(
        '{"version": 1,\n "stages": [{"id": "s"}],\n "touchpoints": [\n'
        '  {"id": "t", "stage": "s", "channel": "web"},\n'
        '  {"id": "t", "stage": "s", "channel": "email"}\n ]\n}\n'
    )
    err = _load_error(path)
    assert isinstance(err, fk.DuplicateIdError)
    assert err.line == 5


def test_syntax_errors_carry_their_place(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nversion: 1\n")
    assert _load_error(path).line == 2  # the duplicate key
    path.write_text("version: 1\nstages: [{id: s}\n")
    assert _load_error(path).line == 3
    bad_json = tmp_path / "broken.json"
    bad_json.write_text('{"version": 1,\n "stages": [\n')
    err = _load_error(bad_json)
    assert (err.line, err.column) == (3, 1)


def test_errors_without_a_file_have_no_place():
    with pytest.raises(fk.FrictionkitError) as info:
        fk.io.journey_from_dict({"version": 1, "stages": [{"id": "s"}], "touchpoints": []})
    assert (info.value.line, info.value.column) == (None, None)
    assert fk.ValidationError("x").line is None
    with pytest.raises(fk.SchemaError) as missing:
        fk.load_journey("no-such-file.yaml")
    assert missing.value.line is None


# -- every writer is atomic (issue 21) ------------------------------------------------


def _save_yaml(path: Path) -> None:
    fk.save_journey(AUTOPARTS, path)


def _save_report(path: Path) -> None:
    from frictionkit.report import report

    report(AUTOPARTS, figures=False).save(path)


def _save_xlsx(path: Path) -> None:
    fk.write_workbook(AUTOPARTS, path)


def _save_csv_folder(path: Path) -> None:
    fk.write_workbook(AUTOPARTS, path.parent)


# Each writer with the file it writes (for the CSV folder: one of its files).
WRITERS = [
    pytest.param(_save_yaml, "j.yaml", id="save_journey"),
    pytest.param(_save_report, "r.html", id="Report.save"),
    pytest.param(_save_xlsx, "w.xlsx", id="write_workbook-xlsx"),
    pytest.param(_save_csv_folder, "stages.csv", id="write_workbook-csv"),
]


@pytest.mark.parametrize(("writer", "name"), WRITERS)
def test_a_full_disk_leaves_the_previous_file(
    writer: Any, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import frictionkit._atomic as atomic

    target = tmp_path / name
    writer(target)
    before = target.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(fk.FileAccessError, match="No space left") as info:
        writer(target)
    assert isinstance(info.value, OSError)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.skipif(os.name != "posix", reason="permission bits and links are POSIX")
@pytest.mark.parametrize(("writer", "name"), WRITERS)
def test_writers_keep_the_mode_and_follow_links(writer: Any, name: str, tmp_path: Path) -> None:
    import stat

    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / name
    writer(target)
    target.chmod(0o640)
    writer(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # a link to the file: the file it points at is replaced, the link stays a link
    link_dir = tmp_path / "links"
    link_dir.mkdir()
    link = link_dir / name
    link.symlink_to(target)
    before = target.stat().st_mtime_ns
    target.write_bytes(b"stale")
    writer(link)
    assert link.is_symlink()
    assert target.read_bytes() != b"stale"
    assert target.stat().st_mtime_ns >= before


@pytest.mark.parametrize(("writer", "name"), WRITERS[:3])
def test_writing_onto_a_folder_is_a_file_access_error(
    writer: Any, name: str, tmp_path: Path
) -> None:
    (tmp_path / name).mkdir()
    with pytest.raises(fk.FileAccessError, match="folder"):
        writer(tmp_path / name)


def test_writing_into_a_missing_folder_is_a_file_access_error(tmp_path: Path) -> None:
    with pytest.raises(fk.FileAccessError, match="does not exist"):
        fk.save_journey(AUTOPARTS, tmp_path / "nope" / "j.yaml")
    with pytest.raises(fk.FileAccessError, match="does not exist"):
        fk.write_workbook(AUTOPARTS, tmp_path / "nope" / "w.xlsx")
    # Report.save and a CSV workbook create their folders, as documented
    _save_report(tmp_path / "made" / "r.html")
    fk.write_workbook(AUTOPARTS, tmp_path / "made" / "csv")
    assert (tmp_path / "made" / "csv" / "stages.csv").is_file()


def test_a_report_or_csv_workbook_under_a_file_is_a_file_access_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(fk.FileAccessError, match="file"):
        _save_report(tmp_path / "file" / "r.html")
    with pytest.raises(fk.FileAccessError, match="it is a file"):
        fk.write_workbook(AUTOPARTS, tmp_path / "file")
    with pytest.raises(fk.FileAccessError):
        fk.write_workbook(AUTOPARTS, tmp_path / "file" / "sub")


def test_write_workbook_overwrites_an_existing_workbook(tmp_path: Path) -> None:
    other = AUTOPARTS.replace("stages", "discovery", name="Renamed")
    for path in (tmp_path / "w.xlsx", tmp_path / "csv"):
        fk.write_workbook(AUTOPARTS, path)
        fk.write_workbook(other, path)
        assert fk.read_workbook(path) == other


# -- workbooks keep every value (issue 21) --------------------------------------------


def test_xlsx_keeps_carriage_returns_and_control_characters(tmp_path: Path) -> None:
    texts = ["two\r\nlines", "bell\x07 and tab\x0b", "lone\rcr", "literal _x000D_ text", "_x0041_"]
    j = AUTOPARTS
    for k, text in enumerate(texts):
        j = j.replace("touchpoints", j.touchpoints[k].id, name=text)
    fk.write_workbook(j, tmp_path / "w.xlsx")
    back = fk.read_workbook(tmp_path / "w.xlsx")
    assert [t.name for t in back.touchpoints[: len(texts)]] == texts
    assert back == j


def _xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


MINIMAL_SHEETS: dict[str, list[list[Any]]] = {
    "stages": [["id", "name"], ["s", "S"]],
    "touchpoints": [["id", "stage", "channel"], ["t", "s", "web"]],
}


def test_xlsx_formula_without_a_cached_value_is_refused(tmp_path: Path) -> None:
    sheets = {**MINIMAL_SHEETS, "touchpoints": [["id", "stage", "channel"], ["t", "s", "=A1"]]}
    path = _xlsx(tmp_path / "f.xlsx", sheets)
    with pytest.raises(fk.SchemaError, match=r"touchpoints!C2 holds a formula without"):
        fk.read_workbook(path)


def test_xlsx_formula_with_a_cached_value_reads_that_value(tmp_path: Path) -> None:
    import zipfile

    path = _xlsx(tmp_path / "f.xlsx", MINIMAL_SHEETS)
    # What a spreadsheet program saves: the formula and the value it computed.
    fixed = tmp_path / "g.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(
                    b'<c r="C2" t="inlineStr"><is><t>web</t></is></c>',
                    b'<c r="C2" t="str"><f>"w"&amp;"eb"</f><v>web</v></c>',
                )
                assert b"<f>" in data
            dst.writestr(info, data)
    assert fk.read_workbook(fixed).touchpoints[0].channel == "web"


def test_xlsx_error_value_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = _xlsx(tmp_path / "f.xlsx", MINIMAL_SHEETS)
    broken = tmp_path / "e.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(
                    b'<c r="C2" t="inlineStr"><is><t>web</t></is></c>',
                    b'<c r="C2" t="e"><v>#N/A</v></c>',
                )
            dst.writestr(info, data)
    with pytest.raises(fk.SchemaError, match=r"touchpoints!C2 holds the error value #N/A"):
        fk.read_workbook(broken)


def test_xlsx_that_would_unpack_to_gigabytes_is_refused(tmp_path: Path) -> None:
    import time

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "stages"
    sheet.append(["id", "name"])
    sheet.append(["s", "S"])
    for row in range(3, 2000):  # stray cells far to the right and below: a 32M-cell table
        sheet.cell(row=row * 500, column=16000, value="x")
    book.save(tmp_path / "bomb.xlsx")
    assert (tmp_path / "bomb.xlsx").stat().st_size < 100_000
    start = time.perf_counter()
    with pytest.raises(fk.SchemaError, match=r"spans more than 2,000,000 cells"):
        fk.read_workbook(tmp_path / "bomb.xlsx")
    assert time.perf_counter() - start < 10


def test_xlsx_members_larger_than_the_bound_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import frictionkit.io.workbook as workbook

    fk.write_workbook(AUTOPARTS, tmp_path / "w.xlsx")
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", 10_000)
    with pytest.raises(fk.SchemaError, match=r"would unpack to [\d,]+ bytes"):
        fk.read_workbook(tmp_path / "w.xlsx")


@pytest.mark.parametrize("suffix", [".CSV", ".Csv"])
def test_csv_tables_are_found_whatever_the_case_of_their_name(tmp_path: Path, suffix: str) -> None:
    fk.write_workbook(AUTOPARTS, tmp_path / "w")
    (tmp_path / "w" / "improvements.csv").rename(tmp_path / "w" / f"Improvements{suffix}")
    assert len(fk.read_workbook(tmp_path / "w").improvements) == len(AUTOPARTS.improvements)


def test_two_tables_differing_by_case_are_refused(tmp_path: Path) -> None:
    fk.write_workbook(AUTOPARTS, tmp_path / "w")
    text = (tmp_path / "w" / "stages.csv").read_text(encoding="utf-8")
    (tmp_path / "w" / "STAGES.csv").write_text(text, encoding="utf-8")
    with pytest.raises(fk.SchemaError, match=r"both name the 'stages' table"):
        fk.read_workbook(tmp_path / "w")


def test_xlsx_sheets_match_whatever_their_case(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "c.xlsx",
        {"Stages": MINIMAL_SHEETS["stages"], "TOUCHPOINTS": MINIMAL_SHEETS["touchpoints"]},
    )
    assert [t.id for t in fk.read_workbook(path).touchpoints] == ["t"]


def test_repeated_journey_keys_are_refused(tmp_path: Path) -> None:
    fk.write_workbook(AUTOPARTS, tmp_path / "w")
    meta = tmp_path / "w" / "journey.csv"
    meta.write_text(meta.read_text(encoding="utf-8") + "name,Other\n", encoding="utf-8")
    with pytest.raises(fk.SchemaError, match=r"'name' appears 2 times"):
        fk.read_workbook(tmp_path / "w")
