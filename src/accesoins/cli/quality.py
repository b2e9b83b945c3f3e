"""Command line of the quality of establishments: import the HAS open-data files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..config import settings_from_env
from ..errors import AccesoinsError
from ..services.observatory import quality as svc
from ..store import open_store

app = typer.Typer(help="Qualité des établissements : indicateurs officiels de la HAS.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@app.command("import")
def import_has(
    values: Annotated[Path, typer.Argument(help="Fichier des valeurs de la HAS (CSV : finess, key, annee, value_*).")],
    metadata: Annotated[Path | None, typer.Option(
        "--metadonnees", help="Fichier des métadonnées des indicateurs (CSV : name, title…).")] = None,
    vintage: Annotated[str | None, typer.Option(
        "--millesime", help="Millésime à afficher (sinon les années du fichier).")] = None,
) -> None:
    """Importer les indicateurs de qualité par établissement (IQSS, e-Satis) publiés par la HAS."""
    for p in (values, metadata):
        if p is not None and not p.is_file():
            err.print(f"[bold red]Erreur[/] : fichier introuvable : {p}")
            raise typer.Exit(2)
    store = open_store(settings_from_env().db_path)
    try:
        report = svc.import_has(store, values, metadata, vintage=vintage)
    except AccesoinsError as e:
        where = ", ".join(x for x in (getattr(e, "file", None), f"ligne {e.line}" if getattr(e, "line", None) else None,
                                      f"champ {e.field}" if getattr(e, "field", None) else None) if x)
        err.print(f"[bold red]Erreur[/] : {getattr(e, 'message', str(e))}" + (f" ({where})" if where else ""))
        raise typer.Exit(2) from None
    finally:
        store.close()
    fams = ", ".join(f"{k} : {v}" for k, v in sorted(report["families"].items()))
    out.print(f"{report['rows']} valeurs importées pour {report['establishments']} établissements, "
              f"{report['indicators']} indicateurs, millésime {report['vintage']} ({fams}).")
    if report["without_metadata"]:
        out.print(f"Indicateurs sans métadonnées : {', '.join(report['without_metadata'][:10])}")
