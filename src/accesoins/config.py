"""Settings read from the environment, passed explicitly (no global mutable state)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Where things live. Build one with :func:`settings_from_env` or directly in tests."""

    db_path: Path
    node_modules: Path

    @property
    def var_dir(self) -> Path:
        return self.db_path.parent


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    db = Path(env.get("ACCESOINS_DB", str(PROJECT_ROOT / "var" / "accesoins.duckdb")))
    node = Path(env.get("ACCESOINS_NODE_MODULES", str(PROJECT_ROOT / "node_modules")))
    return Settings(db_path=db, node_modules=node)
