"""``accesoins planning …``: France Santé plans, solidarity rotas, scenarios, installation checks.

Mounted by the main CLI (``app.add_typer(planning.app, name="planning")`` in :mod:`accesoins.cli.main`). Every
command calls :mod:`accesoins.services.planning` (one module per tool), as the pages do; ``--json`` prints
the same JSON as the API. Bad input exits with status 2 and a French message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from .common import JsonOpt, err, out
from .common import print_json as _print_json
from .common import run_with_store as _run

app = typer.Typer(help="Planification : réseau France Santé, médecins solidaires, scénarios, règles d'installation.",
                  no_args_is_help=True)
scenario_app = typer.Typer(help="Scénarios nommés : enregistrer, lister, calculer.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")


@app.command("france-sante")
def france_sante(
    departement: Annotated[str | None, typer.Option(help="Code du département (vide : France entière).")] = None,
    k: Annotated[int, typer.Option(help="Nombre de nouveaux sites.")] = 10,
    minutes: Annotated[float | None, typer.Option(help="Seuil en minutes (défaut : règle, 30).")] = None,
    toutes: Annotated[bool, typer.Option("--toutes", help="Toutes les communes candidates.")] = False,
    sans_existants: Annotated[bool, typer.Option("--sans-existants", help="Partir de zéro.")] = False,
    exact: Annotated[bool, typer.Option("--exact", help="Comparer au MILP exact (département).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Choisir K sites France Santé maximisant la population à moins de 30 minutes."""
    from ..services.planning.france_sante import france_sante_plan

    data = _run(lambda s: france_sante_plan(s, departement=departement, k=k, max_minutes=minutes,
                                            candidates="toutes" if toutes else "eligibles",
                                            existing=not sans_existants, exact=exact))
    if as_json:
        return _print_json(data)
    table = Table(title=f"{data['title']} — {data['territory']}")
    for col in ("K", "Commune", "Gain", "Couverts", "Part"):
        table.add_column(col)
    for s in data["sites"]:
        table.add_row(str(s["rank"]), f"{s['nom']} ({s['code_commune']})", f"{s['gain']:,.0f}",
                      f"{s['covered']:,.0f}", f"{s['share']:.2%}")
    out.print(table)
    if "exact" in data:
        e = data["exact"]
        out.print(f"MILP : {e['objective']:,.0f} habitants ; relaxation LP {e['lp_bound']:,.0f} ; "
                  f"écart du glouton {e['gap']:.3%} ({e['seconds']} s).")


@app.command("solidaires")
def solidaires(
    departement: Annotated[str, typer.Option(help="Code du département.")],
    annee: Annotated[int, typer.Option(help="Année.")],
    mois: Annotated[int, typer.Option(help="Mois (1 à 12).")],
    minutes: Annotated[float | None, typer.Option(help="Trajet maximal (minutes).")] = None,
    part: Annotated[float, typer.Option(help="Part des généralistes volontaires.")] = 0.1,
    as_json: JsonOpt = False,
) -> None:
    """Planning mensuel des médecins solidaires et APL après planning."""
    from ..services.planning.rotas import solidarity_rota

    data = _run(lambda s: solidarity_rota(s, departement=departement, year=annee, month=mois,
                                          max_minutes=minutes, volunteer_share=part))
    if as_json:
        return _print_json(data)
    table = Table(title=f"{data['title']} — {data['territory']} {mois:02d}/{annee}")
    for col in ("Date", "Volontaire", "Depuis", "Commune aidée", "Minutes"):
        table.add_column(col)
    for a in data["assignments"]:
        table.add_row(f"{a['weekday']} {a['date']}", a["volunteer"], a["origin_nom"], a["commune_nom"],
                      f"{a['minutes']:.0f}")
    out.print(table)
    s = data["summary"]
    out.print(f"Déficit couvert : {s['consultations_covered']:,.0f} / {s['deficit']:,.0f} consultations par mois ; "
              f"APL moyenne {s['apl_mean_before']:.3f} → {s['apl_mean_after']:.3f}.")


@scenario_app.command("save")
def scenario_save(path: Annotated[Path, typer.Argument(help="Fichier YAML ou JSON du scénario.")]) -> None:
    """Valider et enregistrer un scénario (remplace un scénario du même nom)."""
    from ..services.planning.scenarios import save_scenario

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        err.print(f"[bold red]Erreur[/] : fichier {path} illisible : {e}")
        raise typer.Exit(2) from None
    scen = _run(lambda s: save_scenario(s, raw), read_only=False)
    out.print(f"Scénario « {scen['name']} » enregistré.")


@scenario_app.command("list")
def scenario_list(as_json: JsonOpt = False) -> None:
    """Lister les scénarios enregistrés."""
    from ..services.planning.scenarios import list_scenarios

    data = _run(list_scenarios)
    if as_json:
        return _print_json(data)
    for s in data["scenarios"]:
        out.print(f"{s['name']} — {s['title']}")


@scenario_app.command("run")
def scenario_run(
    name: Annotated[str, typer.Argument(help="Nom du scénario enregistré.")],
    indicateur: Annotated[str, typer.Option(help="apl, nearest ou coverage.")] = "apl",
    profession: Annotated[str, typer.Option(help="Profession (APL).")] = "medecin_generaliste",
    categorie: Annotated[str, typer.Option(help="Catégorie (nearest, coverage).")] = "urgences",
    departement: Annotated[str | None, typer.Option(help="Département affiché.")] = None,
    niveau: Annotated[str, typer.Option(help="departement ou region.")] = "departement",
    as_json: JsonOpt = False,
) -> None:
    """Calculer un scénario enregistré : indicateur avant / après par territoire."""
    from ..services.planning.scenarios import get_scenario, run_scenario

    data = _run(lambda s: run_scenario(s, get_scenario(s, name), indicator=indicateur, profession=profession,
                                       category=categorie, departement=departement, level=niveau))
    if as_json:
        return _print_json(data)
    for n in data["notes"]:
        out.print(f"• {n}")
    table = Table(title=f"{data['indicator_label']} ({data['unit']})")
    for col in ("Territoire", "Avant", "Après", "Différence"):
        table.add_column(col)
    for t in data["territories"]:
        table.add_row(f"{t['nom']} ({t['code']})", f"{t['before']:.3f}", f"{t['after']:.3f}", f"{t['difference']:+.3f}")
    out.print(table)


@app.command("installation")
def installation(
    type_: Annotated[str, typer.Option("--type", help="un_pour_un, officine, aide_officine, zonage_medecin.")],
    commune: Annotated[str, typer.Option(help="Code INSEE de la commune.")],
    profession: Annotated[str | None, typer.Option(help="Profession (un_pour_un).")] = None,
    zone: Annotated[str | None, typer.Option(help="Zone ARS (un_pour_un).")] = None,
    departs: Annotated[int, typer.Option(help="Départs non remplacés dans la zone.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Vérifier une installation et dire quelle règle s'applique et pourquoi."""
    from ..services.planning.installation import installation_check

    data = _run(lambda s: installation_check(s, kind=type_, commune=commune, profession=profession,
                                             zone=zone, departures=departs))
    if as_json:
        return _print_json(data)
    a = data["answer"]
    out.print(f"[bold]{a['question']}[/] — {data['commune']['nom']} : [bold]{a['decision']}[/]")
    for r in a["reasons"]:
        out.print(f"• {r}")
    for r in a["rules"]:
        out.print(f"  règle {r['id']} : {r['source']['title']} — {r['source']['url']}")
