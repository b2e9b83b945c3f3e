"""Settings read from the environment, passed explicitly (no global mutable state)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The catalogue INSEE's own packages read (DoReMIFaSol, pynsee.download).
INSEE_CATALOGUE_URL = "https://raw.githubusercontent.com/InseeFrLab/DoReMIFaSol/master/data-raw/liste_donnees.json"
DATAGOUV_API = "https://www.data.gouv.fr/api/1"
SOURCES_RULES = Path(__file__).resolve().parent / "rules" / "sources.yaml"


@dataclass(frozen=True)
class Settings:
    """Where things live. Build one with :func:`settings_from_env` or directly in tests."""

    db_path: Path
    node_modules: Path
    offline: bool = False  # ACCESOINS_OFFLINE=1: never fetch national sources
    insee_catalogue_url: str = INSEE_CATALOGUE_URL
    datagouv_api: str = DATAGOUV_API
    sources_rules: Path = SOURCES_RULES
    sources_dir_override: Path | None = None

    @property
    def var_dir(self) -> Path:
        return self.db_path.parent

    @property
    def sources_dir(self) -> Path:
        """Cache of downloaded national files and catalogue answers (``var/sources``)."""
        return self.sources_dir_override or self.var_dir / "sources"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "oui", "yes", "on")


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    db = Path(env.get("ACCESOINS_DB", str(PROJECT_ROOT / "var" / "accesoins.duckdb")))
    node = Path(env.get("ACCESOINS_NODE_MODULES", str(PROJECT_ROOT / "node_modules")))
    sources_dir = env.get("ACCESOINS_SOURCES_DIR")
    return Settings(
        db_path=db, node_modules=node,
        offline=_flag(env.get("ACCESOINS_OFFLINE")),
        insee_catalogue_url=env.get("ACCESOINS_INSEE_CATALOGUE_URL") or INSEE_CATALOGUE_URL,
        datagouv_api=(env.get("ACCESOINS_DATAGOUV_API") or DATAGOUV_API).rstrip("/"),
        sources_rules=Path(env.get("ACCESOINS_SOURCES_RULES") or SOURCES_RULES),
        sources_dir_override=Path(sources_dir) if sources_dir else None,
    )
