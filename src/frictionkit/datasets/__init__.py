"""Bundled sample journeys and a seeded journey simulator, for examples, tests and docs.

Examples
--------
>>> import frictionkit as fk
>>> j = fk.datasets.load_autoparts()
>>> [s.id for s in j.stages]
['discovery', 'consideration', 'purchase', 'retention', 'recommendation']
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frictionkit.datasets.demo import DemoScenario, demo_scenario
    from frictionkit.datasets.planted import PlantedTruth
    from frictionkit.datasets.simulate import SimulationTruth, simulate_journeys
    from frictionkit.datasets.survey import simulate_survey
    from frictionkit.model import Journey

__all__ = [
    "DemoScenario",
    "PlantedTruth",
    "SimulationTruth",
    "autoparts_path",
    "demo_scenario",
    "load_autoparts",
    "simulate_journeys",
    "simulate_survey",
]

# The simulator, the demo (which runs the whole chain) and the survey load on first use.
_LAZY: dict[str, str] = {
    "DemoScenario": "frictionkit.datasets.demo",
    "PlantedTruth": "frictionkit.datasets.planted",
    "SimulationTruth": "frictionkit.datasets.simulate",
    "demo_scenario": "frictionkit.datasets.demo",
    "simulate_journeys": "frictionkit.datasets.simulate",
    "simulate_survey": "frictionkit.datasets.survey",
}


def __getattr__(name: str) -> Any:
    """Import a name of the simulator, the demo or the survey on first use."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'frictionkit.datasets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def autoparts_path() -> Path:
    """Path of the bundled autoparts journey file (YAML), to copy or inspect.

    Examples
    --------
    >>> autoparts_path().name
    'autoparts.yaml'
    """
    from importlib import resources

    return Path(str(resources.files("frictionkit.datasets").joinpath("autoparts.yaml")))


def load_autoparts() -> Journey:
    """The worked example: a B2B supplier of spare parts selling to car manufacturers.

    Five stages (discovery, consideration, purchase, retention, recommendation), fifteen
    touchpoints over web, search, events, email, phone, meetings and delivery, three
    personas (purchasing manager, design engineer, plant manager), five owners
    (marketing, sales, customer service, logistics, IT), eight pain points and twelve
    candidate improvements. The figures are illustrative, not a real company's.

    Returns
    -------
    Journey

    Examples
    --------
    >>> j = load_autoparts()
    >>> j.pain_point("no_comparison").touchpoint
    'product_catalogue'
    >>> j.improvement("guided_selling").effort_days
    Estimate(M, mean=5.5)
    """
    from frictionkit.io.files import load_journey

    return load_journey(autoparts_path())
