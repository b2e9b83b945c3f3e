"""``python -m accesoins.cli``: the same entry point as the ``accesoins`` command."""

from .main import main

main()
