"""Lazy imports of optional extras, with a clear install message when missing.

Also the package version (``frictionkit.__version__`` re-exports it): it lives in the
foundation so that every layer (the report's footer) can read it without importing the
package root.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from frictionkit.exceptions import OptionalDependencyError

__all__ = ["__version__", "require"]

#: The package version (keep equal to ``version`` in pyproject.toml).
__version__ = "0.1.0.dev0"


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise :class:`OptionalDependencyError` naming the extra.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"matplotlib.pyplot"``.
    extra : str
        The frictionkit extra that provides it, e.g. ``"plot"``.
    feature : str
        What the user tried to do, for the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".")[0]
        raise OptionalDependencyError(
            f"{feature} needs the optional package {top!r}, which is not installed",
            field=module,
            hint=(
                f"Install it with: pip install 'frictionkit[{extra}]' "
                f"(from a clone of frictionkit: pip install -e '.[{extra}]')"
            ),
        ) from err
