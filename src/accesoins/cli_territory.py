"""Command-line display of the arrondissements of Paris, Lyon and Marseille (``territory stats``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_arrondissements(out: Console, stats: dict) -> None:
    """One line of totals, then each city beside the sum of its arrondissements."""
    out.print(f"Arrondissements municipaux : {stats.get('arrondissements', 0)} "
              "(unités de calcul à la place de Paris, Lyon et Marseille, comme la DREES)")
    table = Table(title="Arrondissements par ville")
    for col in ("Ville", "Arrondissements", "placés", "avec contour", "Population", "Population de la ville"):
        table.add_column(col, justify="left" if col == "Ville" else "right")
    for row in stats.get("arrondissements_by_city", []):
        table.add_row(str(row["nom"]), str(row["arrondissements"]), str(row["placed"]), str(row["with_contour"]),
                      f"{int(row['population'] or 0):,}".replace(",", " "),
                      f"{int(row['population_commune'] or 0):,}".replace(",", " "))
    out.print(table)
