"""``accesoins apl`` and ``accesoins access …``: APL, nearest care, coverage, stored with provenance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..config import settings_from_env
from ..errors import AccesoinsError
from ..progress import steps
from ..store import open_store
from .common import fail, out

access_app = typer.Typer(help="Accessibilité : temps vers le soin le plus proche, couverture.",
                         no_args_is_help=True)


OutOpt = Annotated[Path | None, typer.Option(
    "--out", help="Fichier de sortie .csv ou .parquet (avec son .provenance.json).")]


def _finish_computation(computed, out_path: Path | None, extra: dict | None = None) -> None:
    """Store the result, write the file and its provenance, print a summary."""
    from ..services.access.results import save_result

    store = open_store(settings_from_env().db_path)
    try:
        numeric = computed.values.select_dtypes("number")
        rid = save_result(store, computed.kind, numeric, params=computed.params,
                          vintages=computed.vintages, is_demo=computed.is_demo)
    finally:
        store.close()
    frame = computed.values.rename_axis("code_commune").reset_index()
    if out_path:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if out_path.suffix == ".parquet":
            frame.to_parquet(out_path, index=False)
        elif out_path.suffix == ".csv":
            frame.to_csv(out_path, index=False)
        else:
            fail(ValueError(f"extension « {out_path.suffix} » non prise en charge : .csv ou .parquet"))
        provenance = {"result_id": rid, "parameters": computed.params, "vintages": computed.vintages,
                      "is_demo": computed.is_demo, **(extra or {})}
        out_path.with_suffix(out_path.suffix + ".provenance.json").write_text(
            json.dumps(provenance, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        out.print(f"Écrit : {out_path} ({len(frame)} communes) et sa provenance.")
    table = Table(title=f"Résultat {rid}")
    for col in ("Valeur", "Moyenne", "Médiane", "Min", "Max", "Manquantes"):
        table.add_column(col)
    for col in computed.values.select_dtypes("number").columns:
        v = computed.values[col]
        table.add_row(col, f"{v.mean():.3f}", f"{v.median():.3f}", f"{v.min():.3f}", f"{v.max():.3f}",
                      str(int(v.isna().sum())))
    out.print(table)
    for k, v in (extra or {}).items():
        out.print(f"{k} : {v}")
    if computed.is_demo:
        out.print("[bold yellow]⚠ Calculé sur des données FICTIVES de démonstration.")


def apl(
    profession: Annotated[str, typer.Option(
        help="medecin_generaliste, infirmier, masseur_kinesitherapeute, sage_femme, chirurgien_dentiste.")
    ] = "medecin_generaliste",
    max_age: Annotated[int | None, typer.Option(
        help="Ne compter que les praticiens de cet âge ou moins (65 : variante officielle).")] = None,
    vintage: Annotated[int, typer.Option(help="Millésime des poids par âge (2022 ou 2023).")] = 2023,
    od: Annotated[Path | None, typer.Option(
        help="Matrice origine-destination (CSV ou Parquet : origin, destination, minutes) "
             "à la place du modèle routier.")] = None,
    out_path: OutOpt = None,
) -> None:
    """APL (méthode DREES) de chaque commune, enregistrée avec ses paramètres et millésimes."""
    from ..services.access.compute import compute_apl

    store = open_store(settings_from_env().db_path)
    try:
        with steps("APL") as step:
            step(f"Temps de trajet et APL ({profession})")
            computed = compute_apl(store, profession, max_age=max_age, vintage=vintage,
                                   od_file=str(od) if od else None)
    except AccesoinsError as e:
        fail(e)
    finally:
        store.close()
    _finish_computation(computed, out_path)


@access_app.command("nearest")
def access_nearest(
    category: Annotated[list[str], typer.Option(help="Catégorie(s) d'offre (répétable), ex. urgences, maternite.")],
    out_path: OutOpt = None,
) -> None:
    """Temps vers le site le plus proche et le deuxième plus proche d'une catégorie."""
    from ..services.access.compute import compute_nearest

    store = open_store(settings_from_env().db_path)
    try:
        with steps("Soin le plus proche") as step:
            step(f"Temps vers {', '.join(category)}")
            computed = compute_nearest(store, category)
    except AccesoinsError as e:
        fail(e)
    finally:
        store.close()
    _finish_computation(computed, out_path)


@access_app.command("coverage")
def access_coverage(
    category: Annotated[list[str], typer.Option(help="Catégorie(s) d'offre (répétable).")],
    minutes: Annotated[float, typer.Option(help="Seuil en minutes (inclus).")] = 30.0,
    out_path: OutOpt = None,
) -> None:
    """Part et nombre d'habitants à moins de T minutes d'un site (30 min pour France Santé)."""
    from ..services.access.compute import compute_coverage

    store = open_store(settings_from_env().db_path)
    try:
        with steps("Couverture") as step:
            step(f"Couverture à {minutes:g} min")
            computed, summary = compute_coverage(store, category, minutes)
    except AccesoinsError as e:
        fail(e)
    finally:
        store.close()
    beyond = summary["population_total"] - summary["population_covered"]
    _finish_computation(computed, out_path, {
        "population couverte": f"{summary['population_covered']:,.0f}".replace(",", " "),
        "population au-delà": f"{beyond:,.0f}".replace(",", " "),
        "part couverte": f"{summary['share']:.2%}",
    })
