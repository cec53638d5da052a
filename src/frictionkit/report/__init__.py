"""The HTML report: one self-contained page to share with people who never open Python.

:func:`report` gathers the journey map, the success and failure routes, the friction
points, the ranked improvements (the quick wins first, each with its owner), the
plan under budget with its roadmap, and a methods section that states every formula,
convention and data source used. The page embeds its CSS and its figures (inline SVG from
:mod:`frictionkit.plot` when that is available), loads nothing from the network, runs no
script, prints cleanly and reads on a phone.

Text from the input files is escaped everywhere (Jinja2 with autoescaping), free-text
survey comments are never shown, and every grouped table passes through
:func:`frictionkit.privacy.suppress_small_groups` (``min_group_size``, default 10).

Jinja2 is the optional ``report`` extra: ``pip install 'frictionkit[report]'``.

Examples
--------
>>> import frictionkit as fk
>>> from frictionkit.report import report
>>> r = report(fk.datasets.load_autoparts(), figures=False)
>>> r.title
'Autoparts B2B supplier: journey report'
>>> path = r.save("journey-report.html")
"""

from __future__ import annotations

from frictionkit.report._build import Report, report

__all__ = ["Report", "report"]
