"""One value from evidence to ranking: money per period, its unit, interval and draws.

Issue 19: the journey (or the call) states the currency and the period; the value at
stake of a pain point is its touchpoint's attributable failures per period times the
value of a success; ``prioritise(journey, evidence=log, ...)`` measures it itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

import frictionkit as fk
from frictionkit.exceptions import InputTypeError, ValidationError

AUTOPARTS = fk.datasets.load_autoparts()


# -- the journey states its currency and period ------------------------------------------


def test_journey_currency_and_period_default_to_none_and_validate():
    assert AUTOPARTS.currency is None
    assert AUTOPARTS.period is None
    j = attrs.evolve(AUTOPARTS, currency=" EUR ", period="Month")
    assert (j.currency, j.period) == ("EUR", "month")
    assert attrs.evolve(AUTOPARTS, currency="").currency is None
    with pytest.raises(ValidationError, match="did you mean 'year'"):
        attrs.evolve(AUTOPARTS, period="yaer")
    with pytest.raises(ValidationError, match=r"Journey\.currency"):
        attrs.evolve(AUTOPARTS, currency="12 euros")
    with pytest.raises(InputTypeError, match=r"Journey\.currency"):
        attrs.evolve(AUTOPARTS, currency=978)


@pytest.mark.parametrize("name", ["j.yaml", "j.json", "wb", "wb.xlsx"])
def test_currency_and_period_round_trip_through_files(tmp_path: Path, name: str):
    if name.endswith(".xlsx"):
        pytest.importorskip("openpyxl")
    j = attrs.evolve(AUTOPARTS, currency="€", period="quarter")
    path = tmp_path / name
    if name.startswith("wb"):
        fk.write_workbook(j, path)
        back = fk.read_workbook(path)
    else:
        fk.save_journey(j, path)
        back = fk.load_journey(path)
    assert back == j
    assert (back.currency, back.period) == ("€", "quarter")


def test_journey_file_refuses_an_unknown_period(tmp_path: Path):
    path = tmp_path / "j.json"
    data = {"version": 1, "period": "fortnight", "stages": [{"id": "s"}],
            "touchpoints": [{"id": "t", "stage": "s", "channel": "web"}]}  # fmt: skip
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError, match="period"):
        fk.load_journey(path)
