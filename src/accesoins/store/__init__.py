"""The store: one DuckDB file with a versioned schema.

Everything imported or computed lives here with its provenance (``sources``
for inputs, ``results`` for computations). Pages and the API only read it.
"""

from .db import Store, open_store

__all__ = ["Store", "open_store"]
