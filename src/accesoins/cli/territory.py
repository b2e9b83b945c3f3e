"""``accesoins territory …``: rebuild the territory, its statistics."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..config import settings_from_env
from ..errors import AccesoinsError
from ..progress import steps
from ..store import open_store
from .common import _store, fail, out

territory_app = typer.Typer(help="Le territoire : communes, points, contours.", no_args_is_help=True)


@territory_app.command("build")
def territory_build() -> None:
    """Reconstruire le territoire depuis les paquets (hors ligne)."""
    from ..services.data.build import ensure_territory

    settings = settings_from_env()
    store = open_store(settings.db_path)
    try:
        with steps("Territoire") as step:
            report = ensure_territory(store, settings.node_modules, force=True, step=step)
        out.print_json(json.dumps(report, default=str))
    finally:
        store.close()


@territory_app.command("stats")
def territory_stats_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Communes, population et couverture par source de localisation."""
    from ..store.territory import territory_stats

    store = _store(read_only=True)
    try:
        stats = territory_stats(store)
    except AccesoinsError as e:
        fail(e)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps(stats, default=str))
        return
    out.print(
        f"Communes : {stats['communes']}  —  placées : {stats['communes_placed']} "
        f"({stats['share_placed']:.2%})  —  avec contour : {stats['communes_with_contour']}"
    )
    out.print(
        f"Population : {stats['population']:,}  —  couverte : {stats['population_placed']:,} "
        f"({stats['share_population_placed']:.2%})".replace(",", " ")
    )
    table = Table(title="Localisation des communes par méthode")
    for col in ("Méthode", "Communes", "Population"):
        table.add_column(col, justify="right" if col != "Méthode" else "left")
    for row in stats["by_point_method"]:
        table.add_row(str(row["methode"]), str(row["communes"]), f"{int(row['population'] or 0):,}".replace(",", " "))
    out.print(table)
    print_arrondissements(out, stats)
    zones = Table(title="Par zone")
    for col in ("Zone", "Communes", "Population"):
        zones.add_column(col)
    for row in stats["by_zone"]:
        zones.add_row(str(row["zone"]), str(row["communes"]), f"{int(row['population']):,}".replace(",", " "))
    out.print(zones)


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
