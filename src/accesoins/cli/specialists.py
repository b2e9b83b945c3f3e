"""``accesoins specialistes …``: compute access to specialists, find the nearest, count structures.

Mounted by the main CLI. Every command calls :mod:`accesoins.services.observatory.specialists` or
:mod:`accesoins.services.observatory.structures`, as the pages do; ``--json`` prints the same JSON as the API.
Bad input exits with status 2 and a French message.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .common import JsonOpt, err, out
from .common import print_json as _print_json
from .common import run_with_store as _run

app = typer.Typer(help="Spécialistes (Annuaire santé) et structures d'exercice coordonné (FINESS).",
                  no_args_is_help=True)


def _fr(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:,.{digits}f}".replace(",", " ").replace(".", ",")


@app.command("build")
def build(as_json: JsonOpt = False) -> None:
    """Calculer l'accès à chaque spécialité suivie, pour toutes les communes et tous les territoires."""
    from ..services.observatory.specialists import build_specialists

    report = _run(lambda s: build_specialists(s, step=lambda m: err.print(m)), read_only=False)
    if as_json:
        return _print_json(report)
    t = Table(title="Accès aux spécialistes")
    for col in ("spécialité", "professionnels", "communes d'exercice", "départements sans"):
        t.add_column(col)
    for key, r in report["specialites"].items():
        t.add_row(key, str(r["professionnels"]), str(r["communes"]), str(len(r["departements_sans"])))
    out.print(t)


@app.command("acces")
def access(
    specialite: Annotated[str, typer.Option(help="Spécialité suivie (ex. cardiologie, allergologie).")] = "cardiologie",
    niveau: Annotated[str, typer.Option(help="departement ou region.")] = "departement",
    as_json: JsonOpt = False,
) -> None:
    """Temps, population au-delà de 30/45/60 minutes et densité d'une spécialité par territoire."""
    from ..services.observatory.specialists import observatory

    data = _run(lambda s: observatory(s, specialite, niveau))
    if as_json:
        return _print_json(data)
    if not data["status"]["built"]:
        out.print(data["status"]["message"])
        return
    t = Table(title=data["title"])
    for col in ("territoire", "spécialistes", "pour 100 000", "minutes", "> 30 min", "> 45 min", "> 60 min"):
        t.add_column(col)
    for r in data["rows"]:
        t.add_row(f"{r['code']} {r['nom']}", str(r["professionals"]), _fr(r["density"]), _fr(r["minutes"]),
                  _fr(r["beyond_30"], 0), _fr(r["beyond_45"], 0), _fr(r["beyond_60"], 0))
    out.print(t)
    out.print("Départements sans aucun spécialiste : "
              + (", ".join(f"{d['nom']} ({d['code']})" for d in data["without"]) or "aucun"))


@app.command("trouver")
def find(
    lieu: Annotated[str, typer.Argument(help="Commune, code postal ou code INSEE.")],
    specialite: Annotated[str, typer.Option(help="Spécialité suivie.")] = "cardiologie",
    as_json: JsonOpt = False,
) -> None:
    """Les lieux d'exercice les plus proches d'une commune, par temps de trajet."""
    from ..services.observatory.specialists import nearest_places

    data = _run(lambda s: nearest_places(s, specialite, lieu))
    if as_json:
        return _print_json(data)
    for e in data["errors"]:
        err.print(f"[bold red]Erreur[/] : {e['message']}")
        raise typer.Exit(2)
    if not data["status"]["imported"]:
        out.print(data["status"]["message"])
        return
    out.print(data["advice"]["text"].strip())
    for p in data["places"]:
        out.print(f"{_fr(p['minutes'], 0)} min — {p['nom']} : {p['specialists']} spécialiste(s) "
                  f"{'; '.join(p['structures'])}")


@app.command("structures")
def structures_cmd(
    niveau: Annotated[str, typer.Option(help="departement ou region.")] = "departement",
    as_json: JsonOpt = False,
) -> None:
    """Maisons de santé, centres de santé et hôpitaux de proximité par territoire."""
    from ..services.observatory.structures import overview

    data = _run(lambda s: overview(s, niveau))
    if as_json:
        return _print_json(data)
    t = Table(title=data["title"])
    for col in ("territoire", *[k["label"] for k in data["kinds"].values()], "total", "pour 100 000"):
        t.add_column(col)
    for r in data["rows"]:
        t.add_row(f"{r['code']} {r['nom']}", *[str(int(r[k])) for k in data["kinds"]], str(int(r["total"])),
                  _fr(r["pour_100000"]))
    out.print(t)
