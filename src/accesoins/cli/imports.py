"""``accesoins import …``: one command per national format, and the generic file (one transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import settings_from_env
from ..errors import AccesoinsError, InputError
from ..progress import steps
from ..store import open_store
from .common import _fr, checked_input, fail, out, reader_error, store_busy

import_app = typer.Typer(help="Importer un fichier national ou votre propre fichier (une transaction).",
                         no_args_is_help=True)


FileArg = Annotated[Path, typer.Argument(help="Fichier à importer.", exists=False)]
SkipOpt = Annotated[bool, typer.Option(
    "--skip-unknown", help="Écarter (et lister) les lignes à commune inconnue au lieu d'échouer.")]
VintageOpt = Annotated[str | None, typer.Option(help="Millésime des données (ex. 2023).")]

def _run_import(kind: str, path: Path, label: str, **kwargs) -> dict:
    """``import_file`` on the configured store; a French error and exit 2 on a bad file (store unchanged)."""
    from ..services.data.imports import import_file

    settings = settings_from_env()
    try:
        checked_input(path)
        store = open_store(settings.db_path)
    except AccesoinsError as e:
        fail(e)
    except Exception as e:  # noqa: BLE001 - only a locked store is expected here
        if store_busy(e) is None:
            raise
        fail(InputError(store_busy(e), file=str(settings.db_path)))
    try:
        with steps(label) as step:
            step(f"Lecture et validation de {path}")
            return import_file(store, kind, path, **kwargs)
    except AccesoinsError as e:
        fail(e)  # the store is unchanged: the reader failed before any write
    except Exception as e:  # noqa: BLE001 - readers' own exceptions, in French
        french = reader_error(e, path)
        if french is None:
            raise
        fail(french)
    finally:
        store.close()
    raise AssertionError("unreachable: fail() exits")


def _import(kind: str, path: Path, skip_unknown: bool, vintage: str | None, **options) -> None:
    report = _run_import(kind, path, f"Import {kind}", skip_unknown=skip_unknown, vintage=vintage, **options)
    out.print(f"[green]{report['title']}[/] ({report['vintage']}) : {report['rows']} lignes importées, "
              f"{report['remapped']} codes anciens rattachés, {report['rejected']} lignes écartées.")
    _print_coverage(report)
    for w in report["warnings"]:
        out.print(f"[yellow]Avertissement[/] : {w}")
    for r in report["rejected_sample"]:
        out.print(f"  écartée : ligne {r['line']}, champ « {r['field']} » = {r['value']!r} ({r['reason']})")
    if report["replaced_demo_categories"]:
        out.print("Données de démonstration remplacées pour : " + ", ".join(report["replaced_demo_categories"]))

def _print_coverage(report: dict) -> None:
    """What the file added, replaced and left in place; what it counted apart."""
    if "added" in report:
        cats = ", ".join(report.get("covered_categories") or []) or "—"
        out.print(f"Ajoutées : {_fr(report['added'])} ; remplacées (même source, catégories {cats}, "
                  f"{report.get('covered_departements', 0)} départements) : {_fr(report['replaced'])} ; "
                  f"laissées en place (même source, hors de ce que couvre le fichier) : "
                  f"{_fr(report['left_in_place'])}.")
    outside = report.get("outside_territory") or {}
    if outside:
        detail = ", ".join(f"{k} {_fr(v)}" for k, v in sorted(outside.items()))
        out.print(f"Hors du territoire couvert (collectivités d'outre-mer, non importées) : "
                  f"{_fr(sum(outside.values()))} lignes — {detail}.")
    scope = report.get("out_of_scope") or {}
    if scope:
        detail = ", ".join(f"{k} : {_fr(v)}" for k, v in sorted(scope.items()))
        out.print(f"Types hors champ (listés dans rules/categories.yaml, non importés) : {detail}.")


_NATIONAL = (  # command, help: the national files read by a reader of offer/ with no option
    ("bpe", "INSEE BPE : Melodi (DS_BPE_data.csv), géolocalisé (BPE23/24.csv), communal ou « CODGEO;NB_Dxxx »."),
    ("finess", "FINESS : extraction Etalab (CSV) ou FINESS+ (.json), format détecté automatiquement."),
    ("finess-plus", "FINESS+ : fichier national des structures publié en JSON par l'ANS (lu en flux)."),
    ("finess-atlasante", "FINESS hospitaliers géolocalisés (extraction AtlaSanté / Eurostat, lat/lon WGS84)."),
    ("rpps", "Annuaire santé, extraction PS_LibreAcces (Personne_activite, séparateur « | »)."),
    ("population", "INSEE, population par sexe et âge quinquennal (POP1B, format long ou large)."),
)


def _national(kind: str, help_text: str) -> None:
    def run(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
        _import(kind, path, skip_unknown, vintage)

    run.__doc__ = help_text
    import_app.command(kind)(run)


for _kind, _help in _NATIONAL:
    _national(_kind, _help)


@import_app.command("ameli")
def import_ameli_cmd(path: FileArg, vintage: VintageOpt = None) -> None:
    """Séries de l'Observatoire de l'accès aux soins (export CSV de data.ameli.fr)."""
    _import("ameli", path, False, vintage)


@import_app.command("drees-apl")
def import_drees_apl_cmd(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
    """APL officiel de la DREES : classeur .xlsx (toutes les feuilles) ou CSV 2018 (--vintage 2018)."""
    from ..services.observatory.references import import_drees_apl

    store = open_store(settings_from_env().db_path)
    try:
        with steps("Import APL DREES") as step:
            step(f"Lecture et validation de {path}")
            report = import_drees_apl(store, path, vintage=vintage, skip_unknown=skip_unknown)
    except AccesoinsError as e:
        fail(e)  # read and validated before any write: the store is unchanged
    finally:
        store.close()
    out.print(f"[green]{report['title']}[/] ({report['vintage']}) : {report['rows']} valeurs, "
              f"{report['communes']} communes, variantes {', '.join(report['variants'])} ; "
              f"{report['remapped']} codes anciens rattachés, {report['rejected']} lignes écartées, "
              f"{report['arrondissements']} arrondissements conservés, {report['replaced']} valeurs remplacées.")
    for w in report["warnings"]:
        out.print(f"[yellow]Avertissement[/] : {w}")
    for r in report["rejected_sample"]:
        out.print(f"  écartée : ligne {r['line']}, champ « {r['field']} » = {r['value']!r} ({r['reason']})")


@import_app.command("hopitaux-proximite")
def import_hopitaux_proximite_cmd(path: FileArg, vintage: VintageOpt = None) -> None:
    """Liste publiée des hôpitaux de proximité labellisés (DGOS / ARS) : CSV ou .xlsx, numéros FINESS ET."""
    report = _run_import("hopitaux-proximite", path, "Import des hôpitaux de proximité", vintage=vintage)
    out.print(f"[green]{report['title']}[/] ({report['vintage']}) : {_fr(report['rows'])} établissements lus "
              f"(liste précédente remplacée : {_fr(report['replaced'])}) ; {_fr(report['placed'])} retrouvés dans "
              f"l'offre FINESS importée, {_fr(report['not_placed'])} non retrouvé(s) ; "
              f"{_fr(report['padded'])} numéro(s) complété(s) d'un zéro initial (perdu par le tableur).")
    out.print("Colonnes (format supposé) : " + " ; ".join(report["assumptions"]) + ".")
    if report["not_placed"]:
        shown = ", ".join(f"{r['finess']} ({r['nom'] or 'sans nom'}, ligne {r['line']})"
                          for r in report["not_placed_sample"])
        more = report["not_placed"] - len(report["not_placed_sample"])
        out.print(f"Non retrouvés dans l'offre : {shown}{f' et {_fr(more)} autres' if more > 0 else ''}.")
    for w in report["warnings"]:
        out.print(f"[yellow]Avertissement[/] : {w}")
    if report["replaced_demo_categories"]:
        out.print(f"Hôpitaux de proximité FICTIFS de la démonstration retirés : {_fr(report['replaced_demo_rows'])}.")


@import_app.command("generic")
def import_generic(
    path: FileArg,
    skip_unknown: SkipOpt = False,
    vintage: VintageOpt = None,
    categorie: Annotated[str | None, typer.Option(help="Catégorie de toutes les lignes.")] = None,
    unit: Annotated[str | None, typer.Option(help="count, fte ou sites.")] = None,
    column: Annotated[list[str] | None, typer.Option(
        help="Correspondance de colonne, ex. code_commune=CODGEO (répétable).")] = None,
    preset: Annotated[str | None, typer.Option(
        help="Format large décrit dans rules/categories.yaml, ex. sirene_naf86.")] = None,
    title: Annotated[str | None, typer.Option(help="Titre de la source.")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence de la source.")] = None,
) -> None:
    """Votre propre fichier d'offre (format générique documenté dans docs/generic-csv.md)."""
    mapping = {}
    for item in column or []:
        if "=" not in item:
            fail(ValueError(f"--column attend champ=colonne, pas « {item} »"))
        key, value = item.split("=", 1)
        mapping[key.strip()] = value.strip()
    _import("generic", path, skip_unknown, vintage, category=categorie, unit=unit,
            mapping=mapping or None, preset=preset, title=title, licence=licence)
