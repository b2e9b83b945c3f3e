"""What an importer returns: validated rows and their provenance, not yet stored."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Columns of the long ``offer`` table (one row per site or per commune × category).
OFFER_COLUMNS = [
    "category",  # profession or equipment code, see rules/categories.yaml
    "code_commune",  # current INSEE code, after mapping of old codes
    "quantity",  # headcount, number of sites or full-time equivalents
    "unit",  # 'count' | 'fte' | 'sites'
    "site_id",  # FINESS number, RPPS number, SIRET… or None
    "name",
    "lat",
    "lon",
    "attributes",  # JSON text of any further fields the source carries, or None
]

# Columns of the ``population_by_age`` table.
POPULATION_COLUMNS = ["code_commune", "age_band", "population"]


@dataclass
class ImportBatch:
    """Rows ready for the store, with their provenance and what was mapped.

    ``kind`` says which table the rows go to: ``"offer"`` or ``"population_by_age"``.
    ``remapped`` lists old commune codes mapped onto current ones (for the report).
    ``outside`` lists the rows located in a collectivity outside the territory
    (Saint-Martin, Wallis-et-Futuna…): counted and reported, not imported, not an error.
    ``out_of_scope`` counts rows of types the rules list as outside the care offer we
    measure (e.g. BPE social-action types), by official label.
    """

    kind: str
    source: str  # short id, e.g. 'bpe', 'finess', 'rpps', 'insee_pop_age', 'generic'
    title: str  # human-readable French title of the source
    vintage: str  # year or date of the data, e.g. '2023' or '2020-03-06'
    licence: str
    attribution: str
    file: str
    rows: pd.DataFrame
    parameters: dict[str, object] = field(default_factory=dict)
    remapped: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["line", "old_code", "code_commune"])
    )
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["line", "field", "value", "reason"])
    )
    warnings: list[str] = field(default_factory=list)
    outside: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["line", "code", "collectivity"])
    )
    out_of_scope: dict[str, int] = field(default_factory=dict)

    def outside_counts(self) -> dict[str, int]:
        """Rows outside the territory, by collectivity."""
        if self.outside.empty:
            return {}
        return {str(k): int(v) for k, v in self.outside["collectivity"].value_counts().items()}
