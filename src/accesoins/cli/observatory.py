"""``accesoins observatoire …``: the observatory build."""

from __future__ import annotations

import typer

from ..config import settings_from_env
from ..errors import AccesoinsError
from ..progress import steps
from ..store import open_store
from .common import fail, out

observatoire_app = typer.Typer(help="L'observatoire : indicateurs par commune et territoire.",
                               no_args_is_help=True)


@observatoire_app.command("build")
def observatoire_build() -> None:
    """Recalculer tous les indicateurs (communes, EPCI, départements, régions, France)."""
    from ..services.observatory.build import build_observatory

    store = open_store(settings_from_env().db_path)
    try:
        with steps("Observatoire") as step:
            report = build_observatory(store, step=step)
    except AccesoinsError as e:
        fail(e)
    finally:
        store.close()
    out.print(f"{len(report['indicators'])} indicateurs, {report['rows']} valeurs, {report['seconds']} s.")
    for name, why in report["skipped"].items():
        out.print(f"[yellow]Non calculé[/] {name} : {why}")
    if report["is_demo"]:
        out.print("[bold yellow]⚠ Calculé sur des données FICTIVES de démonstration.")
