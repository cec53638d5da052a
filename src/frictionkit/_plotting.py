"""The ``.plot`` accessor shared by result objects (matplotlib is imported only on use)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from frictionkit.plot import PlotAccessor

__all__ = ["HasPlot"]


class HasPlot:
    """Mixin giving a result a ``plot`` property: ``x.plot.<chart>()``, ``x.plot()``."""

    __slots__ = ()

    @property
    def plot(self) -> PlotAccessor:
        """Charts of this result (needs the ``plot`` extra); ``x.plot()`` draws the first."""
        from frictionkit.plot import accessor

        return accessor(self)
