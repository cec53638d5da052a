"""read_events on CSV: delimiters (detected or given) and encodings."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frictionkit.events import EventLog, read_events
from frictionkit.events._readers import sniff_sep
from frictionkit.exceptions import MissingColumnError, SchemaError, ValidationError

COLS = {"case_col": "case", "touchpoint_col": "step", "timestamp_col": "time"}


@pytest.mark.parametrize("sep", [";", "\t", "|", ","])
def test_the_delimiter_is_detected_and_logged(tmp_path, caplog, sep):
    p = tmp_path / "log.csv"
    # values holding commas (a decimal comma), as in sepsis-style exports
    comma = "." if sep == "," else ","
    p.write_text(
        sep.join(["case", "step", "time", "amount"])
        + "\n"
        + "\n".join(
            sep.join(row)
            for row in [
                ["a", "visit", "2024-01-01 10:00", f"1{comma}5"],
                ["a", "buy", "2024-01-01 10:05", f"2{comma}0"],
                ["b", "visit", "2024-01-02 09:00", "3"],
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.INFO, logger="frictionkit.events"):
        log = read_events(p, **COLS, success="buy")
    assert log.n_events == 3
    assert log.outcome_counts["success"] == 1
    assert f"read with sep={sep!r} (detected)" in caplog.text
    assert read_events(p, **COLS, sep=sep).n_events == 3


def test_a_wrong_delimiter_says_so_and_suggests_sep(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("case;step;time\na;visit;2024-01-01\n", encoding="utf-8")
    with pytest.raises(MissingColumnError) as err:
        read_events(p, **COLS, sep=",")
    text = str(err.value)
    assert "one column, 'case;step;time', whose name holds ';'" in text
    assert "sep=';'" in text
    # from_frame says the same of a table read with the wrong delimiter
    df = pd.DataFrame({"case\tstep\ttime": ["a\tvisit\t2024-01-01"]})
    with pytest.raises(MissingColumnError, match=r"holds tab.*sep='\\t'"):
        EventLog.from_frame(df, **COLS)
    assert read_events(p, **COLS, sep=";").n_events == 1


def test_a_wrong_delimiter_with_decimal_commas_suggests_sep(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("case;step;time;x\na;visit;2024-01-01;2,5\n", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        read_events(p, **COLS, sep=",")
    assert "row 1 has 2 cells but the header has 1" in str(err.value)
    assert "The header is one cell holding ';'" in str(err.value)
    assert "pass sep=';'" in str(err.value)


def test_bad_sep_is_refused(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("case,step,time\na,visit,2024-01-01\n", encoding="utf-8")
    for bad in ("", ";;", "\n", 1):
        with pytest.raises(ValidationError, match="sep must be one character"):
            read_events(p, **COLS, sep=bad)


def test_encoding_errors_name_the_encoding_and_suggest_encoding(tmp_path):
    p = tmp_path / "log.csv"
    p.write_bytes("case,step,time\nb,café,2024-01-01\n".encode("latin-1"))
    with pytest.raises(SchemaError) as err:
        read_events(p, **COLS)
    assert "not UTF-8 text" in str(err.value)
    assert "encoding='latin-1'" in str(err.value)
    log = read_events(p, **COLS, encoding="latin-1")
    assert log.touchpoints == ("café",)
    with pytest.raises(SchemaError, match="not ascii text"):
        read_events(p, **COLS, encoding="ascii")
    with pytest.raises(ValidationError, match="encoding='klingon' is not a text encoding"):
        read_events(p, **COLS, encoding="klingon")


def test_sniff_falls_back_to_a_comma():
    assert sniff_sep("") == ","
    assert sniff_sep("case\na\nb\n") == ","
    assert sniff_sep("case;step\na;b\n") == ";"


_TEXT = st.text(alphabet="abcxyz019 .:-", min_size=1, max_size=8).map(str.strip).filter(bool)


@settings(max_examples=40, deadline=None)
@given(
    sep=st.sampled_from([",", ";", "\t", "|"]),
    cases=st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=12),
)
def test_any_delimiter_round_trips(tmp_path_factory, sep, cases):
    """A table written with any of the four delimiters reads back the same (detected)."""
    p = tmp_path_factory.mktemp("sniff") / "log.csv"
    df = pd.DataFrame(
        {
            "case": [c for c, _ in cases],
            "step": [t for _, t in cases],
            "time": pd.date_range("2024-01-01", periods=len(cases), freq="min").astype(str),
        }
    )
    df.to_csv(p, sep=sep, index=False)
    log = read_events(p, **COLS, on_null="raise")
    frame = log.to_frame().sort_values("row")
    assert frame["case_id"].tolist() == df["case"].tolist()
    assert frame["touchpoint"].tolist() == df["step"].tolist()
