"""``python -m frictionkit`` runs the command line."""

from frictionkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
