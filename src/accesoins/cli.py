"""Command line: ``accesoins …`` (Typer and Rich).

Every command calls the same service functions as the API and the pages;
messages are in French. Errors on bad input name the file, the line and the
field and exit with status 2, leaving the store unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .config import settings_from_env
from .errors import AccesoinsError, InputError
from .progress import steps
from .store import open_store

app = typer.Typer(help="accesoins : mesurer et améliorer l'accès aux soins en France.",
                  no_args_is_help=True, rich_markup_mode="rich")
territory_app = typer.Typer(help="Le territoire : communes, points, contours.", no_args_is_help=True)
app.add_typer(territory_app, name="territory")
import_app = typer.Typer(help="Importer un fichier national ou votre propre fichier (une transaction).",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")
observatoire_app = typer.Typer(help="L'observatoire : indicateurs par commune et territoire.",
                               no_args_is_help=True)
app.add_typer(observatoire_app, name="observatoire")
access_app = typer.Typer(help="Accessibilité : temps vers le soin le plus proche, couverture.",
                         no_args_is_help=True)
app.add_typer(access_app, name="access")
data_app = typer.Typer(help="Sources nationales : catalogues (INSEE, data.gouv.fr), téléchargement vérifié.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")
out = Console()
err = Console(stderr=True)


def _store(read_only: bool = False):
    return open_store(settings_from_env().db_path, read_only=read_only)


def fail(error: Exception, code: int = 2) -> None:
    err.print(f"[bold red]Erreur[/] : {error}")
    raise typer.Exit(code)


@app.command()
def build(force: Annotated[bool, typer.Option(help="Reconstruire même si à jour.")] = False) -> None:
    """Construire le territoire, l'offre de démonstration et les calculs (ce qui n'est pas à jour)."""
    from .services.build import build_all

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
    from .services.territory import demo_notice

    notice = demo_notice(store)
    if notice:
        out.print(f"[bold yellow]⚠ {notice}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Processus serveurs (un par cœur).")] = 1,
    access_log: Annotated[bool, typer.Option(help="Journal des requêtes (contient les adresses demandées).")] = False,
) -> None:
    """Servir le site et l'API (lecture seule de la base)."""
    import uvicorn

    out.print(f"Site : http://{host}:{port}/  —  API : http://{host}:{port}/docs")
    # no access log by default: orientation forms carry age or sex in their addresses
    uvicorn.run("accesoins.api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="info", access_log=access_log)


@territory_app.command("build")
def territory_build() -> None:
    """Reconstruire le territoire depuis les paquets (hors ligne)."""
    from .services.build import ensure_territory

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
    from .store.territory import territory_stats

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
    zones = Table(title="Par zone")
    for col in ("Zone", "Communes", "Population"):
        zones.add_column(col)
    for row in stats["by_zone"]:
        zones.add_row(str(row["zone"]), str(row["communes"]), f"{int(row['population']):,}".replace(",", " "))
    out.print(zones)


@app.command()
def sources(as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Sources des données, millésimes, licences et attributions."""
    from .services.territory import sources as list_sources

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


FileArg = Annotated[Path, typer.Argument(help="Fichier à importer.", exists=False)]
SkipOpt = Annotated[bool, typer.Option(
    "--skip-unknown", help="Écarter (et lister) les lignes à commune inconnue au lieu d'échouer.")]
VintageOpt = Annotated[str | None, typer.Option(help="Millésime des données (ex. 2023).")]


MAX_INPUT_BYTES = 4 * 1024**3  # the largest national file (RPPS) is under 1 GB


def checked_input(path: Path) -> Path:
    """``path`` if it is a regular file of a sane size; else a French error (no endless read of /dev/zero)."""
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError("fichier introuvable : vérifiez le chemin.", file=str(path)) from None
    except OSError as e:
        raise InputError(f"fichier illisible ({e.strerror}).", file=str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("c'est un dossier, pas un fichier : donnez le chemin du fichier à importer.",
                         file=str(path))
    if not stat.S_ISREG(st.st_mode):
        raise InputError("ce n'est pas un fichier ordinaire (périphérique, tube…) : donnez un fichier CSV.",
                         file=str(path))
    if st.st_size > MAX_INPUT_BYTES:
        raise InputError(f"fichier trop gros ({st.st_size / 1e9:.1f} Go ; au plus "
                         f"{MAX_INPUT_BYTES / 1e9:.1f} Go).", file=str(path))
    return path


def reader_error(e: Exception, path: Path) -> InputError | None:
    """A reader's own exception (pandas, csv, codecs) as a French :class:`InputError` naming the file."""
    import csv
    import re

    import pandas as pd

    text = str(e)
    if isinstance(e, pd.errors.ParserError | csv.Error):
        row = re.search(r"(?:row|line) (\d+)", text)
        line = int(row.group(1)) + 1 if row else None  # pandas counts rows from 0 after the header
        if "EOF inside string" in text or "unexpected end of data" in text or "quote" in text.lower():
            return InputError("guillemet ouvert jamais refermé : le texte entre guillemets court jusqu'à la fin "
                              "du fichier.", file=str(path), line=line)
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
        if fields:
            return InputError(f"{fields.group(3)} colonnes au lieu de {fields.group(1)}.", file=str(path),
                              line=int(fields.group(2)))
        return InputError("CSV illisible (séparateurs ou guillemets incohérents).", file=str(path), line=line)
    if isinstance(e, UnicodeDecodeError):
        return InputError(f"encodage illisible (octet {e.start}) : enregistrez le fichier en UTF-8.",
                          file=str(path))
    if isinstance(e, IsADirectoryError | PermissionError | FileNotFoundError):
        return InputError(f"fichier illisible ({e.strerror}).", file=str(path))
    return None


def store_busy(e: Exception) -> str | None:
    """The French message for a store locked by another process (the server running), else None."""
    import duckdb

    if isinstance(e, duckdb.IOException) and "lock" in str(e).lower():
        return ("la base est ouverte par un autre processus (le serveur accesoins est-il lancé ?) : "
                "arrêtez-le, ou relancez la commande quand il aura fini ; rien n'a été modifié.")
    return None


def _import(kind: str, path: Path, skip_unknown: bool, vintage: str | None, **options) -> None:
    from .services.imports import import_file

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
        with steps(f"Import {kind}") as step:
            step(f"Lecture et validation de {path}")
            report = import_file(store, kind, path, skip_unknown=skip_unknown, vintage=vintage, **options)
    except AccesoinsError as e:
        fail(e)  # the store is unchanged: the reader failed before any write
    except Exception as e:  # noqa: BLE001 - readers' own exceptions, in French
        french = reader_error(e, path)
        if french is None:
            raise
        fail(french)
    finally:
        store.close()
    out.print(f"[green]{report['title']}[/] ({report['vintage']}) : {report['rows']} lignes importées, "
              f"{report['remapped']} codes anciens rattachés, {report['rejected']} lignes écartées.")
    _print_coverage(report)
    for w in report["warnings"]:
        out.print(f"[yellow]Avertissement[/] : {w}")
    for r in report["rejected_sample"]:
        out.print(f"  écartée : ligne {r['line']}, champ « {r['field']} » = {r['value']!r} ({r['reason']})")
    if report["replaced_demo_categories"]:
        out.print("Données de démonstration remplacées pour : " + ", ".join(report["replaced_demo_categories"]))


def _fr(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


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


@import_app.command("bpe")
def import_bpe(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
    """INSEE BPE : Melodi (DS_BPE_data.csv), géolocalisé (BPE23/24.csv), communal ou « CODGEO;NB_Dxxx »."""
    _import("bpe", path, skip_unknown, vintage)


@import_app.command("finess")
def import_finess(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
    """FINESS : extraction Etalab (CSV) ou FINESS+ (.json), format détecté automatiquement."""
    _import("finess", path, skip_unknown, vintage)


@import_app.command("finess-plus")
def import_finess_plus(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
    """FINESS+ : fichier national des structures publié en JSON par l'ANS (lu en flux)."""
    _import("finess-plus", path, skip_unknown, vintage)


@import_app.command("finess-atlasante")
def import_finess_atlasante(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
    """FINESS hospitaliers géolocalisés (extraction AtlaSanté / Eurostat, lat/lon WGS84)."""
    _import("finess-atlasante", path, skip_unknown, vintage)


@import_app.command("rpps")
def import_rpps(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
    """Annuaire santé, extraction PS_LibreAcces (Personne_activite, séparateur « | »)."""
    _import("rpps", path, skip_unknown, vintage)


@import_app.command("population")
def import_population(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
    """INSEE, population par sexe et âge quinquennal (POP1B, format long ou large)."""
    _import("population", path, skip_unknown, vintage)


@import_app.command("ameli")
def import_ameli_cmd(path: FileArg, vintage: VintageOpt = None) -> None:
    """Séries de l'Observatoire de l'accès aux soins (export CSV de data.ameli.fr)."""
    _import("ameli", path, False, vintage)


@import_app.command("drees-apl")
def import_drees_apl_cmd(path: FileArg, skip_unknown: SkipOpt = False, vintage: VintageOpt = None) -> None:
    """APL officiel de la DREES : classeur .xlsx (toutes les feuilles) ou CSV 2018 (--vintage 2018)."""
    from .services.references import import_drees_apl

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


@data_app.command("sources")
def data_sources(as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Les sources nationales : catalogue, jeu de données, fichier et millésime actuels, importeur."""
    from .services.sources import source_plan

    try:
        plan = source_plan(settings_from_env())
    except AccesoinsError as e:
        fail(e)
    if as_json:
        out.print_json(json.dumps(plan, default=str, ensure_ascii=False))
        return
    table = Table(title=f"Sources nationales ({plan['rules_file']})")
    for col in ("Source", "Catalogue", "Jeu de données", "Fichier actuel", "Millésime", "Taille", "Importeur", "État"):
        table.add_column(col, overflow="fold")
    for r in plan["sources"]:
        size = (f"{r['size'] / 1e6:.1f} Mo" if r["size"] >= 1e5 else f"{r['size'] / 1e3:.1f} ko").replace(".", ",") \
            if r["size"] else ""
        state = r["error"] or ("en cache" if r["cached"] else ("à télécharger" if r["url"] else ""))
        if r["stale"]:
            state += " (catalogue en cache)"
        if not r["build"]:
            state += " — hors construction"
        if not r["importer_available"]:
            state += f" — importateur « {r['importer']} » absent"
        table.add_row(r["name"], r["catalogue"], r["dataset"], r["url"] or "", r["published"] or "", size,
                      r["importer"], state)
    out.print(table)
    if plan["notice"]:
        out.print(f"[yellow]{plan['notice']}")
    out.print(f"Cache : {plan['cache']}")


@data_app.command("download")
def data_download(
    name: Annotated[str, typer.Argument(help="Nom de la source (voir `accesoins data sources`).")],
) -> None:
    """Télécharger le fichier actuel d'une source dans var/sources (vérifié, reprise possible)."""
    from .offer.catalogue import load_source_rules
    from .offer.sources import fetch_source
    from .services.sources import catalogues

    settings = settings_from_env()
    try:
        rules = load_source_rules(settings.sources_rules)
        if name not in rules:
            raise AccesoinsError(f"source « {name} » inconnue ; sources : {', '.join(rules)}")
        with steps("Téléchargement") as step, catalogues(settings) as cat:
            step(f"Catalogue : {rules[name].dataset}")
            resolved = cat.resolve(rules[name])
            step(f"Téléchargement de {resolved.url}")
            fetched = fetch_source(resolved, settings.sources_dir, client=cat.client, progress=step.transfer)
    except AccesoinsError as e:
        fail(e)
    state = "téléchargé" if fetched.downloaded else "déjà en cache, vérifié"
    out.print(f"{fetched.path} ({fetched.path.stat().st_size / 1e6:.1f} Mo, {state}) ; "
              f"importer avec : accesoins import {resolved.rule.importer} {fetched.path}", soft_wrap=True)


@data_app.command("list")
def data_list() -> None:
    """Les sources déclarées dans rules/sources.yaml (sans interroger les catalogues)."""
    from .offer.catalogue import CATALOGUE_LABELS, load_source_rules

    settings = settings_from_env()
    table = Table(title="Sources nationales déclarées")
    for col in ("Nom", "Titre", "Catalogue", "Jeu de données", "Importeur", "Licence"):
        table.add_column(col, overflow="fold")
    for rule in load_source_rules(settings.sources_rules).values():
        table.add_row(rule.name, rule.title, CATALOGUE_LABELS[rule.catalogue], rule.dataset, rule.importer,
                      rule.licence)
    out.print(table)


@observatoire_app.command("build")
def observatoire_build() -> None:
    """Recalculer tous les indicateurs (communes, EPCI, départements, régions, France)."""
    from .services.observatory import build_observatory

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


OutOpt = Annotated[Path | None, typer.Option(
    "--out", help="Fichier de sortie .csv ou .parquet (avec son .provenance.json).")]


def _finish_computation(computed, out_path: Path | None, extra: dict | None = None) -> None:
    """Store the result, write the file and its provenance, print a summary."""
    from .services.results import save_result

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


@app.command()
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
    from .services.access import compute_apl

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
    from .services.access import compute_nearest

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
    from .services.access import compute_coverage

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


def _mount_area_commands() -> None:
    """Each area of the platform brings its own command group."""
    from . import cli_orientation, cli_participation, cli_planning, cli_quality

    app.add_typer(cli_orientation.app, name="orientation",
                  help="Orientation : pharmacies de garde, parcours, simulateurs.")
    app.add_typer(cli_planning.app, name="planning",
                  help="Planification : France Santé, médecins solidaires, scénarios, règles.")
    app.add_typer(cli_participation.app, name="participation",
                  help="Participation : questionnaires, réponses, annuaire, comptes.")
    app.add_typer(cli_quality.app, name="qualite", help="Qualité des établissements : indicateurs officiels de la HAS.")


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


if __name__ == "__main__":  # python -m accesoins.cli
    main()
