"""The participation database: a DuckDB file written by the web server only.

Separate from the main store (which the server opens read-only), with its own
numbered migrations (``migrations/NNN_name.sql``). See :mod:`.db`.
"""

from .db import ParticipationStore, default_path, open_participation

__all__ = ["ParticipationStore", "default_path", "open_participation"]
