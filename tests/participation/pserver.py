"""A real uvicorn server for the kill test, run as a subprocess: ``python pserver.py PORT``.

The participation database is ``ACCESOINS_PARTICIPATION_DB``; the main store is
in memory. Rate limits are lifted (every request comes from 127.0.0.1).
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from accesoins.api.app import create_app
from accesoins.config import PROJECT_ROOT, Settings
from accesoins.experience import auth
from accesoins.store import open_store

if __name__ == "__main__":
    app = create_app(
        Settings(db_path=Path("/nonexistent/accesoins.duckdb"), node_modules=PROJECT_ROOT / "node_modules"),
        store=open_store(None),
    )
    app.state.participation_limit_responses = auth.RateLimiter(10**9, 600)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
