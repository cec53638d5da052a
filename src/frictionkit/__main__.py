"""``python -m frictionkit`` runs the command line."""

from frictionkit.cli import main

raise SystemExit(main())
