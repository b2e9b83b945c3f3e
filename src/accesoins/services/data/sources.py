"""National sources: what would be fetched (``accesoins data sources``) and fetch-and-import (build).

Each source of ``rules/sources.yaml`` is resolved through its catalogue,
brought into ``var/sources`` (checked, resumable, cached) and handed to the
importer the rules name, looked up among the import kinds of
:mod:`accesoins.services.data.imports`: a new format plugs in by adding its kind
there and naming it in the rules, without changing this module.

When no catalogue can be reached the build says so in one line and keeps the
labelled demonstration offer; ``ACCESOINS_OFFLINE=1`` forces that.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx

from ...config import Settings
from ...errors import AccesoinsError
from ...offer.catalogue import CATALOGUE_LABELS, Catalogues, load_source_rules
from ...offer.download import NetworkError, NotInCatalogue, Progress
from ...offer.sources import cached, fetch_source
from ...store.db import Store

Step = Callable[[str], None]
ProgressFactory = Callable[[str], Progress]

OFFLINE_FORCED = ("Hors ligne (ACCESOINS_OFFLINE=1) : aucune source nationale téléchargée, "
                  "offre de démonstration FICTIVE.")
OFFLINE_UNREACHABLE = ("Hors ligne : catalogues des sources nationales injoignables ({hosts}), "
                       "offre de démonstration FICTIVE conservée.")


def importer_kinds() -> tuple[str, ...]:
    from .imports import KINDS

    return tuple(KINDS)


def catalogues(settings: Settings, client: httpx.Client | None = None) -> Catalogues:
    return Catalogues(insee_url=settings.insee_catalogue_url, datagouv_api=settings.datagouv_api,
                      cache_dir=settings.sources_dir / "catalogues", client=client)


def _hosts(settings: Settings) -> str:
    return ", ".join(sorted({httpx.URL(u).host or u for u in (settings.insee_catalogue_url, settings.datagouv_api)}))


def source_plan(settings: Settings, *, client: httpx.Client | None = None) -> dict[str, object]:
    """Every declared source, where it comes from and, when reachable, its current file and vintage."""
    rules = load_source_rules(settings.sources_rules)
    kinds = importer_kinds()
    rows: list[dict[str, object]] = []
    network_failures = 0
    with catalogues(settings, client) as cat:
        for rule in rules.values():
            row: dict[str, object] = {
                "name": rule.name, "title": rule.title, "catalogue": CATALOGUE_LABELS[rule.catalogue],
                "dataset": rule.dataset, "importer": rule.importer, "importer_available": rule.importer in kinds,
                "build": rule.build, "licence": rule.licence, "attribution": rule.attribution, "page": rule.page,
                "url": None, "file": None, "published": None, "vintage": None, "size": None, "checksum": None,
                "cached": False, "stale": False, "error": None}
            if not settings.offline:
                try:
                    res = cat.resolve(rule)
                except NetworkError as exc:
                    network_failures += 1
                    row["error"] = str(exc)
                except AccesoinsError as exc:
                    row["error"] = str(exc)
                else:
                    row.update(url=res.url, file=res.filename, published=res.published, vintage=res.vintage,
                               size=res.expected.size, stale=res.stale,
                               checksum=f"{res.expected.checksum_type}:{res.expected.checksum}"
                               if res.expected.checksum else None,
                               cached=cached(res, settings.sources_dir) is not None)
            rows.append(row)
    offline = settings.offline or (bool(rows) and network_failures == len(rows))
    notice = (OFFLINE_FORCED if settings.offline else OFFLINE_UNREACHABLE.format(hosts=_hosts(settings))) \
        if offline else None
    return {"offline": offline, "notice": notice, "sources": rows, "rules_file": str(settings.sources_rules),
            "cache": str(settings.sources_dir)}


def _already_imported(store: Store, path: Path) -> bool:
    return bool(store.scalar("SELECT count(*) FROM sources WHERE file = ? OR file = ?",
                             [str(path), str(path.resolve())]))


def fetch_and_import(store: Store, settings: Settings, *, step: Step | None = None,
                     progress: ProgressFactory | None = None, client: httpx.Client | None = None,
                     only: list[str] | None = None) -> dict[str, object]:
    """Fetch every source marked ``build`` and import what changed; returns the report.

    A source that fails (catalogue, transfer, checksum, bad file) is reported and
    skipped; the store keeps what it had for it (each import is one transaction).
    """
    from .imports import import_file

    report: dict[str, object] = {"status": "online", "notice": None, "imported": [], "unchanged": [],
                                 "failed": [], "skipped": [], "categories": []}
    if settings.offline:
        report.update(status="offline", notice=OFFLINE_FORCED)
        return report
    rules = [r for r in load_source_rules(settings.sources_rules).values()
             if (r.name in only if only else r.build)]
    kinds = importer_kinds()
    attempted = network_failures = 0
    categories: set[str] = set()
    with catalogues(settings, client) as cat:
        for rule in rules:
            if rule.importer not in kinds:
                report["skipped"].append({"name": rule.name, "reason": f"importateur « {rule.importer} » "
                                          "non disponible dans cette version"})
                continue
            attempted += 1
            try:
                if step:
                    step(f"Source {rule.name} : {CATALOGUE_LABELS[rule.catalogue]} « {rule.dataset} »")
                res = cat.resolve(rule)
                fetched = fetch_source(res, settings.sources_dir, client=cat.client,
                                       progress=progress(rule.name) if progress else None)
                if not fetched.downloaded and _already_imported(store, fetched.path):
                    report["unchanged"].append({"name": rule.name, "file": str(fetched.path)})
                    continue
                if step:
                    step(f"Import {rule.importer} : {fetched.path.name}")
                options = {"categories": rule.categories} if rule.categories is not None else {}
                result = import_file(store, rule.importer, fetched.path, skip_unknown=True, vintage=res.vintage,
                                     **options)
            except NotInCatalogue as exc:  # a known gap of the catalogue, not a fault of the file
                report["skipped"].append({"name": rule.name, "reason": f"non trouvée : {exc}"})
                continue
            except NetworkError as exc:
                network_failures += 1
                report["failed"].append({"name": rule.name, "message": str(exc), "network": True})
                continue
            except (AccesoinsError, OSError, ValueError, zipfile.BadZipFile) as exc:
                # a bad or unexpected national file must not stop the build: reported, store unchanged
                report["failed"].append({"name": rule.name, "message": str(exc), "network": False})
                continue
            if result.get("source_id"):
                with store.transaction() as con:  # provenance: the address the catalogue gave
                    con.execute("UPDATE sources SET url = ? WHERE source_id = ?", [res.url, result["source_id"]])
            cats = sorted(store.df("SELECT DISTINCT category FROM offer WHERE source_id = ?",
                                   [result.get("source_id")])["category"]) if result.get("source_id") else []
            categories.update(cats)
            report["imported"].append({
                "name": rule.name, "file": str(fetched.path), "url": res.url, "vintage": result.get("vintage"),
                "rows": result.get("rows"), "rejected": result.get("rejected"), "categories": cats,
                "downloaded": fetched.downloaded,
                "replaced_demo_categories": result.get("replaced_demo_categories", [])})
    if attempted and network_failures == attempted:
        report.update(status="offline", notice=OFFLINE_UNREACHABLE.format(hosts=_hosts(settings)), failed=[])
    report["categories"] = sorted(categories)
    return report


__all__ = ["OFFLINE_FORCED", "OFFLINE_UNREACHABLE", "fetch_and_import", "source_plan"]
