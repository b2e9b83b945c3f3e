"""Command line: ``accesoins …`` (Typer and Rich).

Every command calls the same service functions as the API and the pages;
messages are in French. Errors on bad input name the file, the line and the
field and exit with status 2, leaving the store unchanged.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ..config import settings_from_env
from ..errors import AccesoinsError, InputError
from ..progress import steps
from ..store import open_store
from .access import access_app, apl
from .common import _store, err, fail, out, store_busy
from .data import data_app
from .imports import import_app
from .observatory import observatoire_app
from .territory import territory_app

app = typer.Typer(help="accesoins : mesurer et améliorer l'accès aux soins en France.",
                  no_args_is_help=True, rich_markup_mode="rich")


@app.command()
def build(force: Annotated[bool, typer.Option(help="Reconstruire même si à jour.")] = False) -> None:
    """Construire le territoire, l'offre de démonstration et les calculs (ce qui n'est pas à jour)."""
    from ..services.data.build import build_all

    settings = settings_from_env()
    store = open_store(settings.db_path)
    try:
        with steps("Construction") as step:
            report = build_all(store, settings.node_modules, force=force, step=step, settings=settings,
                               progress=lambda name: step.transfer)
        terr = report["territory"]
        if terr:
            out.print(
                f"Territoire : {terr['communes_placed']} communes placées sur {terr['communes']} "
                f"({terr['share_placed']:.2%}), population couverte {terr['population_placed']:,} "
                f"sur {terr['population']:,} ({terr['share_population_placed']:.2%}), "
                f"construit en {terr['build_seconds']} s".replace(",", " ")
            )
        else:
            out.print("Territoire : déjà à jour.")
        if report["observatory"]:
            obs = report["observatory"]
            out.print(f"Observatoire : {len(obs['indicators'])} indicateurs pour {obs['communes']} communes "
                      f"en {obs['seconds']} s.")
        if report["offer"]:
            out.print(f"[yellow]Offre de démonstration FICTIVE générée : {report['offer']['rows']} lignes.")
        _print_national(report["national"])
        _print_demo_notice(store)
        size = settings.db_path.stat().st_size / 1e6 if settings.db_path.exists() else 0
        out.print(f"Base : {settings.db_path} ({size:.1f} Mo)")
    except AccesoinsError as e:
        fail(e)
    finally:
        store.close()


def _print_national(national: dict | None) -> None:
    """What the build fetched from the national sources (one line when offline)."""
    if not national:
        return
    if national["status"] == "offline":
        out.print(f"[yellow]{national['notice']}", soft_wrap=True)  # one line, whatever the width
        return
    for item in national["imported"]:
        origin = "téléchargé" if item["downloaded"] else "en cache"
        out.print(f"Source {item['name']} ({origin}, millésime {item['vintage']}) : {item['rows']} lignes, "
                  f"{item['rejected']} écartées — {', '.join(item['categories']) or 'population'}.", soft_wrap=True)
    for item in national["unchanged"]:
        out.print(f"Source {item['name']} : déjà importée, inchangée.", soft_wrap=True)
    for item in national["skipped"]:
        out.print(f"[yellow]Source {item['name']} non importée[/] : {item['reason']}.", soft_wrap=True)
    unreachable = [item["name"] for item in national["failed"] if item.get("network")]
    if unreachable:
        out.print(f"[yellow]Hors ligne pour {', '.join(unreachable)} : injoignables, leurs catégories restent "
                  "telles qu'en base (démonstration FICTIVE si jamais importées).", soft_wrap=True)
    for item in national["failed"]:
        if not item.get("network"):
            out.print(f"[bold red]Source {item['name']} refusée[/] : {item['message']}", soft_wrap=True)


def _print_demo_notice(store) -> None:
    from ..services.data.territory import demo_notice

    notice = demo_notice(store)
    if notice:
        out.print(f"[bold yellow]⚠ {notice}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Processus serveurs (un par cœur) ; au-delà d'un, un processus "
                                                "de plus écrit seul la base de participation.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Journal des requêtes (contient les adresses demandées).")] = False,
) -> None:
    """Servir le site et l'API (lecture seule de la base)."""
    from ..api.workers import serve as run_server

    out.print(f"Site : http://{host}:{port}/  —  API : http://{host}:{port}/docs")
    # no access log by default: orientation forms carry age or sex in their addresses
    run_server(host=host, port=port, workers=workers, access_log=access_log)

@app.command()
def sources(as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Sources des données, millésimes, licences et attributions."""
    from ..services.data.territory import sources as list_sources

    store = _store(read_only=True)
    try:
        rows = list_sources(store)
        if as_json:
            out.print_json(json.dumps(rows, default=str))
            return
        table = Table(title="Sources")
        for col in ("Source", "Millésime", "Licence", "Attribution", "Démo"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["title"], r["vintage"], r["licence"], r["attribution"], "oui" if r["is_demo"] else "")
        out.print(table)
        _print_demo_notice(store)
    finally:
        store.close()

app.command()(apl)
app.add_typer(territory_app, name="territory")
app.add_typer(import_app, name="import")
app.add_typer(observatoire_app, name="observatoire")
app.add_typer(access_app, name="access")
app.add_typer(data_app, name="data")

def _mount_area_commands() -> None:
    """Each area of the platform brings its own command group."""
    from .orientation import app as orientation_app
    from .participation import app as participation_app
    from .planning import app as planning_app
    from .quality import app as quality_app
    from .specialists import app as specialists_app

    app.add_typer(orientation_app, name="orientation",
                  help="Orientation : pharmacies de garde, parcours, simulateurs.")
    app.add_typer(planning_app, name="planning",
                  help="Planification : France Santé, médecins solidaires, scénarios, règles.")
    app.add_typer(participation_app, name="participation",
                  help="Participation : questionnaires, réponses, annuaire, comptes.")
    app.add_typer(quality_app, name="qualite", help="Qualité des établissements : indicateurs officiels de la HAS.")
    app.add_typer(specialists_app, name="specialistes",
                  help="Spécialistes : accès par spécialité (RPPS), structures d'exercice coordonné.")


_mount_area_commands()


def main() -> None:  # entry point
    try:
        app(standalone_mode=True)
    except InputError as e:  # pragma: no cover - commands catch their own
        fail(e)
    except Exception as e:  # noqa: BLE001 - the promised form for what commands did not catch
        message = store_busy(e)
        if message is None:
            raise
        err.print(f"[bold red]Erreur[/] : {message}")
        raise SystemExit(2) from None
