"""Command line: ``accesoins …`` (Typer and Rich), one module per command group.

:mod:`.main` holds the root application and the top-level commands and mounts the groups;
``accesoins = "accesoins.cli:main"`` (pyproject) and ``python -m accesoins.cli`` start it.
"""

from .main import app, main

__all__ = ["app", "main"]
