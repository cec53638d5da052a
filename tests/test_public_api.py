"""The public namespace is curated: __all__ is sorted, complete and importable."""

from __future__ import annotations

import inspect

import frictionkit as fk
from frictionkit import exceptions


def test_all_is_sorted_and_unique():
    assert list(fk.__all__) == sorted(fk.__all__, key=lambda s: (not s.isupper(), s))
    assert len(set(fk.__all__)) == len(fk.__all__)


def test_all_names_exist():
    missing = [name for name in fk.__all__ if not hasattr(fk, name)]
    assert missing == []


PUBLIC_MODULES = {
    "datasets",
    "feedback",
    "frameworks",
    "friction",
    "io",
    "journey_map",
    "mcda",
    "omnichannel",
    "plot",
    "portfolio",
    "privacy",
    "ranking",
    "report",
    "roadmap",
    "scoring",
    "uncertainty",
    "weights",
}


def test_every_public_name_is_in_all():
    public = {
        name
        for name, obj in vars(fk).items()
        if not name.startswith("_")
        and not (inspect.ismodule(obj) and name not in PUBLIC_MODULES)
        and name != "annotations"
    }
    assert public - set(fk.__all__) == set()
    assert set(fk.__all__) >= PUBLIC_MODULES


def test_a_top_level_name_is_a_module_or_an_object_never_both():
    """Modules import under their name; no object hides a submodule of the same name."""
    import importlib
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(fk.__path__)}
    for name in fk.__all__:
        obj = getattr(fk, name)
        if inspect.ismodule(obj):
            assert importlib.import_module(f"frictionkit.{name}") is obj, name
            assert obj.__name__ == f"frictionkit.{name}", name
        else:
            assert name not in submodules, f"fk.{name} is an object and a submodule"
    assert callable(fk.report.report)
    assert callable(fk.journey_map.journey_map)
    assert callable(fk.roadmap.roadmap)


def test_import_as_gives_the_module():
    import frictionkit.journey_map as journey_map_module
    import frictionkit.report as report_module
    import frictionkit.roadmap as roadmap_module

    assert report_module is fk.report
    assert journey_map_module is fk.journey_map
    assert roadmap_module is fk.roadmap
    assert all(map(inspect.ismodule, (report_module, journey_map_module, roadmap_module)))


def test_every_exception_is_in_the_tree_and_exported():
    for name in exceptions.__all__:
        obj = getattr(exceptions, name)
        if inspect.isclass(obj) and issubclass(obj, Warning):
            assert issubclass(obj, fk.FrictionkitWarning), name
        elif inspect.isclass(obj) and issubclass(obj, Exception):
            assert issubclass(obj, fk.FrictionkitError), name
        if inspect.isclass(obj):
            assert name in fk.__all__, name


def test_exception_leaves_subclass_builtins():
    assert issubclass(fk.ValidationError, ValueError)
    assert issubclass(fk.UnknownReferenceError, KeyError)
    assert issubclass(fk.InputTypeError, TypeError)
    assert issubclass(fk.OptionalDependencyError, ImportError)


def test_key_error_messages_are_not_quoted():
    err = fk.UnknownReferenceError("no touchpoint 'x'")
    assert str(err) == "no touchpoint 'x'"


def test_exceptions_page_shows_every_error_of_the_tree():
    from tests.helpers import REPO_ROOT

    page = (REPO_ROOT / "docs" / "reference" / "exceptions.md").read_text(encoding="utf-8")
    for name in exceptions.__all__:
        obj = getattr(exceptions, name)
        if inspect.isclass(obj) and issubclass(obj, fk.FrictionkitError):
            assert name in page, name
