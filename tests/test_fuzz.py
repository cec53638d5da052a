"""Fuzz targets for the journey-file and XES readers (bounded here; longer in ``fuzz/``).

Any exception other than a ``FrictionkitError`` is a failure. The same targets and
strategies run for a given number of seconds with ``python fuzz/journey_files.py
--seconds 60`` and ``python fuzz/xes.py --seconds 60`` (``make fuzz``).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import frictionkit as fk
from frictionkit.io import read_xes_frame

# Bounded under every profile: a few hundred examples at most, no per-example deadline.
FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

_WORKDIR = Path(tempfile.mkdtemp(prefix="frictionkit-fuzz-"))
atexit.register(shutil.rmtree, _WORKDIR, True)

# -- journey files ------------------------------------------------------------------------
_KEYS = [
    "version", "name", "stages", "touchpoints", "personas", "owners", "pain_points",
    "improvements", "id", "stage", "channel", "title", "owner", "effort_days", "cost",
    "impact", "confidence", "fix_share", "requires", "excludes", "fixes", "severity",
    "touchpoint", "low", "likely", "high", "tshirt", "point", "dist", "capacity_days",
]  # fmt: skip
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["s", "t", "web", "o", "a", "M", "2..4..12", "1..nan..2", "", "-", "=1+1"]),
    st.text(max_size=12),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(_KEYS), st.text(max_size=6)), inner, max_size=5),
    ),
    max_leaves=25,
)
_documents = st.one_of(
    _values,
    st.fixed_dictionaries(
        {"version": st.sampled_from([1, 1, 2, "1", None])},
        optional=dict.fromkeys(_KEYS[1:8], _values),
    ),
)
_yaml_tokens = st.sampled_from(
    [
        "version: 1\n", "stages:\n", "  - id: s\n", "touchpoints:\n", "  - {id: t, stage: s,"
        " channel: web}\n", "&a ", "*a", "<<: *a\n", "!!python/object:os.system ", "? ", ": ",
        "[", "]", "{", "}", ",", "- ", "  ", "\t", "\n", "'", '"', "#", "---\n", "...\n",
        "%YAML 1.1\n", "!!binary ", "\ufeff", "\x00", "\u202e", "e\u0301", "\ud800",
    ]
)  # fmt: skip
_yaml_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(_yaml_tokens, st.text(max_size=5)), max_size=40).map("".join),
)


def check_journey_text(text: str | bytes, suffix: str) -> None:
    """The journey-file target: write ``text`` and load it; only FrictionkitError may escape."""
    path = _WORKDIR / f"fuzz{suffix}"
    if isinstance(text, str):
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    else:
        path.write_bytes(text)
    with contextlib.suppress(fk.FrictionkitError):
        fk.load_journey(path)


def _dump(document: Any, suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(document)  # NaN/Infinity written as such: the reader refuses them
    return yaml.safe_dump(document)


@FUZZ_SETTINGS
@given(text=_yaml_text, suffix=st.sampled_from([".yaml", ".json"]))
def test_load_journey_random_text(text: str, suffix: str) -> None:
    check_journey_text(text, suffix)


@FUZZ_SETTINGS
@given(document=_documents, suffix=st.sampled_from([".yaml", ".json"]))
def test_load_journey_random_structures(document: Any, suffix: str) -> None:
    check_journey_text(_dump(document, suffix), suffix)


# -- XES ------------------------------------------------------------------------------------
_attr_kinds = st.sampled_from(["string", "date", "int", "float", "boolean", "id", "list"])
_attr_keys = st.sampled_from(["concept:name", "time:timestamp", "org:resource", "x", ""])
_attr_values = st.one_of(
    st.sampled_from(["c1", "visit", "2024-01-01T10:00:00+00:00", "true", "", "&amp;", "&#0;"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
)


def _attribute(kind: str, key: str, value: str) -> str:
    # Typed values are mostly made valid for their type; a third are left as drawn (a bad
    # <int>/<float> must be a DataError), so the rest of the reader is still reached.
    if kind == "int" and len(value) % 3:
        value = str(len(value))
    elif kind == "float" and len(value) % 3:
        value = f"{len(value)}.5"
    escaped = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'<{kind} key="{key}" value="{escaped}"/>'


_attributes = st.builds(_attribute, _attr_kinds, _attr_keys, _attr_values)
_events = st.lists(_attributes, max_size=4).map(lambda a: "<event>" + "".join(a) + "</event>")
_traces = st.tuples(st.lists(_attributes, max_size=2), st.lists(_events, max_size=4)).map(
    lambda t: "<trace>" + "".join(t[0]) + "".join(t[1]) + "</trace>"
)
_xes_docs = st.lists(_traces, max_size=4).map(lambda ts: "<log>" + "".join(ts) + "</log>")
_noise = st.sampled_from(
    [
        b"<!DOCTYPE log>", b'<!ENTITY a "x">', b"&a;", b"<", b">", b"</event>", b"<trace>",
        b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"<?xml version='1.0'?>", b"]]>", b"<![CDATA[",
    ]
)  # fmt: skip


@st.composite
def _xes_bytes(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(_xes_docs).encode("utf-8"))
    for _ in range(draw(st.integers(0, 3))):  # splice a few hostile fragments in
        pos = draw(st.integers(0, len(data)))
        data[pos:pos] = draw(st.one_of(_noise, st.binary(max_size=4)))
    return bytes(data)


def check_xes_bytes(data: bytes) -> None:
    """The XES target: read ``data`` as an XES file; only FrictionkitError may escape."""
    path = _WORKDIR / "fuzz.xes"
    path.write_bytes(data)
    with contextlib.suppress(fk.FrictionkitError):
        read_xes_frame(path)


@FUZZ_SETTINGS
@given(data=_xes_bytes())
def test_read_xes_random_documents(data: bytes) -> None:
    check_xes_bytes(data)


@FUZZ_SETTINGS
@given(data=st.binary(max_size=300))
def test_read_xes_random_bytes(data: bytes) -> None:
    check_xes_bytes(data)


# -- text timestamps (issue 21: one format per column, never reordered) -------------------
_DATE_FORMATS = [
    ("%Y-%m-%d %H:%M", None),
    ("%Y-%m-%dT%H:%M:%S", None),
    ("%d/%m/%Y", True),
    ("%m/%d/%Y", False),
    ("%d.%m.%Y %H:%M", True),
    ("%d-%m-%Y", True),
    ("%b %d %Y", None),
]
_date_noise = st.sampled_from(
    ["", " ", "x", "2024-13-01", "31/02/2024", "2024-01-01T10:00+01:00", "1704067200", "NaT"]
)


@st.composite
def _date_columns(draw: st.DrawFn) -> tuple[list[str], list[Any] | None, bool | None]:
    """Text timestamps in one format (the true times), maybe spliced with other values."""
    times = draw(
        st.lists(
            st.datetimes(min_value=dt.datetime(1700, 1, 1), max_value=dt.datetime(2260, 1, 1)),
            min_size=1,
            max_size=12,
        )
    )
    fmt, first = draw(st.sampled_from(_DATE_FORMATS))
    truth: list[Any] | None = [
        dt.datetime.strptime(t.strftime(fmt), fmt) for t in times
    ]  # what the text says
    texts = [t.strftime(fmt) for t in times]
    for _ in range(draw(st.integers(0, 2))):
        texts.insert(draw(st.integers(0, len(texts))), draw(_date_noise))
        truth = None
    dayfirst = draw(st.sampled_from([None, first]))
    return texts, truth, dayfirst


def check_date_column(texts: list[str], truth: list[Any] | None, dayfirst: bool | None) -> None:
    """The timestamp target: a log is refused with a FrictionkitError or holds the true times.

    A column written in one format (``truth`` given) is never read in another one.
    """
    df = {"case": ["c"] * len(texts), "tp": [str(i) for i in range(len(texts))], "ts": texts}
    try:
        log = fk.EventLog.from_frame(
            df_from(df), case_col="case", touchpoint_col="tp", timestamp_col="ts", dayfirst=dayfirst
        )
    except fk.FrictionkitError:
        return
    if truth is not None:
        got = log.to_frame().sort_values("row")["timestamp"].tolist()
        assert got == [pd.Timestamp(t) for t in truth], (texts, got)


def df_from(columns: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=object)


@FUZZ_SETTINGS
@given(column=_date_columns())
def test_text_timestamps_one_format(
    column: tuple[list[str], list[Any] | None, bool | None],
) -> None:
    check_date_column(*column)


# -- key cells of event tables and surveys (issue 21) --------------------------------------
# Cells a key column may hold in a hostile table: numbers beside booleans (True equals 1),
# containers, lone surrogates, names holding the route arrow or the folded row's label,
# dollar signs.
_KEY_CELLS = st.one_of(
    st.sampled_from(
        [
            True,
            False,
            0,
            1,
            1.0,
            "1",
            "True",
            "a",
            "b",
            "a → b",
            '"a',
            "other (suppressed)",
            "$5 $",
            "x\ud800",
            "START",
        ]
    ),
    st.integers(-3, 3),
    st.text(min_size=1, max_size=4),
    st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from("ab"), st.integers(0, 2), max_size=1),
)


@st.composite
def _key_tables(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    n = draw(st.integers(1, 8))
    cases = draw(st.lists(_KEY_CELLS, min_size=n, max_size=n))
    touchpoints = draw(st.lists(_KEY_CELLS, min_size=n, max_size=n))
    return cases, touchpoints


def _distinct(cells: list[Any]) -> int:
    """Distinct keys as a key column must keep them: True apart from 1, 1 equal to 1.0."""
    return len({(isinstance(c, bool), c) for c in cells})


def check_key_table(cases: list[Any], touchpoints: list[Any]) -> None:
    """The key-cell target: refused with a FrictionkitError, or no two keys merged.

    An accepted log has one touchpoint per distinct cell and one journey per distinct
    case id, and its routes print differently (no two route texts alike).
    """
    n = len(cases)
    df = pd.DataFrame(
        {
            "case": pd.Series(cases, dtype=object),
            "tp": pd.Series(touchpoints, dtype=object),
            "ts": pd.Series([f"2024-01-01 00:00:{i:02d}" for i in range(n)], dtype=object),
        }
    )
    try:
        log = fk.EventLog.from_frame(df, case_col="case", touchpoint_col="tp", timestamp_col="ts")
        table = log.routes()
    except fk.FrictionkitError:
        return
    assert len(log.touchpoints) == _distinct(touchpoints), (touchpoints, log.touchpoints)
    assert log.n_journeys == _distinct(cases), (cases, log.case_ids)
    assert table["route_text"].is_unique, table["route_text"].tolist()


@FUZZ_SETTINGS
@given(table=_key_tables())
def test_key_cells_are_refused_or_kept_apart(table: tuple[list[Any], list[Any]]) -> None:
    check_key_table(*table)


_SCORE_CELLS = st.one_of(
    st.sampled_from([True, False, 6.5, 8.9, 10, 0, -1, 11, "7", None]),
    st.integers(0, 10),
    st.floats(-1, 11, allow_nan=False),
)


def check_survey(scores: list[Any], metric: str) -> None:
    """The survey target: refused with a FrictionkitError, or every score a real answer.

    An accepted NPS answer is a whole number 0-10; no true/false is read as a score.
    """
    df = pd.DataFrame(
        {
            "case": [f"c{i}" for i in range(len(scores))],
            "m": metric,
            "s": pd.Series(scores, dtype=object),
        }
    )
    try:
        fb = fk.Feedback.from_frame(df, metric_col="m", score_col="s", case_col="case")
    except fk.FrictionkitError:
        return
    assert not any(isinstance(s, bool) for s in scores), scores
    if metric == "nps":
        got = fb.to_frame()["score"].to_numpy(dtype=float)
        assert ((got == got.round()) & (got >= 0) & (got <= 10)).all(), scores


@FUZZ_SETTINGS
@given(
    scores=st.lists(_SCORE_CELLS, min_size=1, max_size=6), metric=st.sampled_from(["nps", "csat"])
)
def test_survey_scores_are_refused_or_real_answers(scores: list[Any], metric: str) -> None:
    check_survey(scores, metric)
