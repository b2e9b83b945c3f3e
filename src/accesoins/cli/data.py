"""``accesoins data …``: the national sources, their catalogues and checked downloads."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ..config import settings_from_env
from ..errors import AccesoinsError
from ..progress import steps
from .common import fail, out

data_app = typer.Typer(help="Sources nationales : catalogues (INSEE, data.gouv.fr), téléchargement vérifié.",
                       no_args_is_help=True)


@data_app.command("sources")
def data_sources(as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Les sources nationales : catalogue, jeu de données, fichier et millésime actuels, importeur."""
    from ..services.data.sources import source_plan

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
    from ..offer.catalogue import load_source_rules
    from ..offer.sources import fetch_source
    from ..services.data.sources import catalogues

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
    from ..offer.catalogue import CATALOGUE_LABELS, load_source_rules

    settings = settings_from_env()
    table = Table(title="Sources nationales déclarées")
    for col in ("Nom", "Titre", "Catalogue", "Jeu de données", "Importeur", "Licence"):
        table.add_column(col, overflow="fold")
    for rule in load_source_rules(settings.sources_rules).values():
        table.add_row(rule.name, rule.title, CATALOGUE_LABELS[rule.catalogue], rule.dataset, rule.importer,
                      rule.licence)
    out.print(table)
