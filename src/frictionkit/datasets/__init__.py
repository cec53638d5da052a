"""Bundled sample journeys and a seeded journey simulator, for examples, tests and docs.

Examples
--------
>>> import frictionkit as fk
>>> j = fk.datasets.load_autoparts()
>>> [s.id for s in j.stages]
['discovery', 'consideration', 'purchase', 'retention', 'recommendation']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

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


def autoparts_path() -> Path:
    """Path of the bundled autoparts journey file (YAML), to copy or inspect.

    Examples
    --------
    >>> autoparts_path().name
    'autoparts.yaml'
    """
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
