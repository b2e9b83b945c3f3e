"""Command line of the orientation area: ``accesoins orientation …``.

Commands call :mod:`accesoins.services.orientation`. Bad input files exit with
status 2 and a French message naming the file, the line and the field; the
store is left unchanged (one transaction per import).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from ..config import settings_from_env
from ..errors import AccesoinsError
from ..services.orientation import orientation as svc
from ..store import open_store

app = typer.Typer(help="Orientation : pharmacies de garde, données de démonstration.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _fail(exc: AccesoinsError) -> NoReturn:
    err.print(f"[bold red]Erreur[/] : {exc}")
    raise typer.Exit(2)


def _with_store(fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``fn(store, *args, **kwargs)`` on the store (closed afterwards); a clear error and exit 2 on failure."""
    store = open_store(settings_from_env().db_path)
    try:
        return fn(store, *args, **kwargs)
    except AccesoinsError as exc:
        _fail(exc)
    finally:
        store.close()


@app.command("pharmacies")
def pharmacies(
    commune: Annotated[str, typer.Option(help="Nom de commune ou code postal")] = "",
    cp: Annotated[str, typer.Option(help="Code postal")] = "",
    lat: Annotated[float | None, typer.Option(help="Latitude WGS84")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude WGS84")] = None,
    at: Annotated[str, typer.Option(help="Date-heure locale, ex. 2026-12-25T03:00 (défaut : maintenant)")] = "",
    limit: Annotated[int, typer.Option(min=1, max=50)] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON")] = False,
) -> None:
    """Pharmacies ouvertes (horaires ou garde) les plus proches, maintenant ou à une date."""
    store = open_store(settings_from_env().db_path, read_only=True)
    try:
        data = svc.load_orientation_data(store)
        r = svc.nearest_pharmacies(data, commune=commune, cp=cp, lat=lat, lon=lon, at=at, limit=limit)
    except AccesoinsError as exc:
        _fail(exc)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps(r, ensure_ascii=False, default=str))
        return
    if r["is_demo"]:
        out.print(f"[bold yellow]FICTIF[/] — {r['demo_notice']}")
    out.print(f"Ouvertes le {r['at_label']} près de {r['place']['label']}"
              + (f" — jour férié : {r['holiday']}" if r["holiday"] else ""))
    for p in r["pharmacies"]:
        extra = " — appeler avant de venir" if p["call_before"] else ""
        out.print(f"• {p['minutes']:.0f} min — {p['name']} — {p['open_by_label']} — tél. {p['phone'] or '?'}"
                  f" — {p['address'] or ''}{extra}")
    if not r["pharmacies"]:
        out.print(f"Aucune pharmacie ouverte trouvée : appelez le {r['help']['phone']}.")


@app.command("import-pharmacies")
def import_pharmacies(file: Path) -> None:
    """Importer un CSV de pharmacies (coordonnées, horaires, accès) ; une transaction."""
    report = _with_store(svc.import_pharmacies, file)
    out.print(f"{report['pharmacies']} pharmacies importées ({report['source_id']}) ; "
              f"{report['replaced_demo_pharmacies']} pharmacies fictives remplacées.")


@app.command("import-rota")
def import_rota(file: Path) -> None:
    """Importer un CSV de tours de garde (pharmacie, début, fin, type, secteur) ; une transaction."""
    report = _with_store(svc.import_rota, file)
    out.print(f"{report['slots']} créneaux de garde importés pour {report['pharmacies']} pharmacies "
              f"({report['source_id']}).")


@app.command("demo")
def demo(
    seed: Annotated[int, typer.Option(help="Graine aléatoire")] = 2026,
    first_year: Annotated[int | None, typer.Option(help="Première année des gardes (défaut : cette année)")] = None,
    last_year: Annotated[int | None, typer.Option(help="Dernière année des gardes (défaut : l'an prochain)")] = None,
) -> None:
    """Générer les pharmacies, horaires et gardes FICTIFS de démonstration dans la base."""
    years = (first_year, last_year or first_year) if first_year else None
    report = _with_store(svc.write_demo, seed=seed, years=years)
    out.print(f"[bold yellow]FICTIF[/] — {report['pharmacies']} pharmacies et {report['slots']} créneaux de garde "
              f"générés ({report['years'][0]}–{report['years'][1]}, emplacements : {report['locations_from']}).")
    out.print(report["notice"])
