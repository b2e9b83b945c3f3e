"""The build pipeline behind ``accesoins build`` and ``make run``.

Idempotent: the territory is rebuilt only when the packages it comes from
change; the demonstration offer is generated only when no offer exists; the
national sources (``rules/sources.yaml``) are fetched when the settings are
given and the catalogues reachable, and imported only when their file changed.
Real rows replace the demonstration rows of the categories they bring, so a
category no source covered stays labelled as demonstration.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ...config import Settings
from ...offer.demo import demo_offer
from ...store.db import Store
from ...store.loading import load_batch
from ...store.territory import stored_territory_key, write_territory
from ...territory.build import build_territory
from ...territory.sources import TERRITORY_SOURCES

Step = Callable[[str], None]
ProgressFactory = Callable[[str], Callable[[int, int | None], None]]


TERRITORY_BUILD_VERSION = 3  # bump when the build itself changes what it stores


def territory_key() -> str:
    packages = ";".join(f"{s.package}=={s.version}" for s in TERRITORY_SOURCES)
    return f"v{TERRITORY_BUILD_VERSION};{packages}"


def ensure_territory(store: Store, node_modules: Path, *, force: bool = False,
                     step: Step | None = None) -> dict[str, object] | None:
    """Build and store the territory unless the stored one is current; returns the report."""
    if not force and store.has_territory() and stored_territory_key(store) == territory_key():
        return None
    started = time.perf_counter()
    territory = build_territory(node_modules, step=step)
    if step:
        step("Écriture du territoire dans la base")
    territory.report["build_key"] = territory_key()
    territory.report["build_seconds"] = round(time.perf_counter() - started, 2)
    write_territory(store, territory)  # the report, key included, is stored with each source
    return territory.report


def ensure_offer(store: Store, *, step: Step | None = None) -> dict[str, object] | None:
    """Generate the demonstration offer when the store holds no offer at all."""
    if store.scalar("SELECT count(*) FROM offer"):
        return None
    if step:
        step("Génération de l'offre de démonstration (fictive)")
    # on the units of computation: the three cities' offer is drawn per arrondissement
    communes = store.df("SELECT code_commune, population, lat, lon FROM territory_units ORDER BY code_commune")
    return load_batch(store, demo_offer(communes))


def observatory_is_current(store: Store) -> bool:
    """True when the last observatory build is newer than every source in the store."""
    return bool(store.scalar(
        "SELECT (SELECT max(built_at) FROM observatory_builds) >= (SELECT max(imported_at) FROM sources "
        "WHERE kind IN ('territory', 'offer', 'population_by_age'))"
    ))


def ensure_orientation(store: Store, *, step: Step | None = None) -> dict[str, object] | None:
    """Store the fictitious pharmacies and duty rotas when none are stored (labelled as such)."""
    from ..orientation.orientation import write_demo

    if store.scalar("SELECT count(*) FROM orientation_pharmacies"):
        return None
    if step:
        step("Pharmacies et gardes de démonstration (fictives)")
    return write_demo(store)


def ensure_observatory(store: Store, *, force: bool = False, step: Step | None = None) -> dict[str, object] | None:
    """Recompute every indicator when a source changed since the last build."""
    from ..observatory.build import build_observatory

    if not force and observatory_is_current(store):
        return None
    return build_observatory(store, step=step)


def ensure_national(store: Store, settings: Settings, *, step: Step | None = None,
                    progress: ProgressFactory | None = None) -> dict[str, object]:
    """Fetch and import the national sources (or say in one line why not)."""
    from .sources import fetch_and_import

    return fetch_and_import(store, settings, step=step, progress=progress)


def build_all(store: Store, node_modules: Path, *, force: bool = False, step: Step | None = None,
              settings: Settings | None = None, progress: ProgressFactory | None = None) -> dict[str, object]:
    """Everything ``make run`` needs, skipping what is current.

    Without ``settings`` no national source is fetched (the demonstration offer only).
    """
    report: dict[str, object] = {}
    report["territory"] = ensure_territory(store, node_modules, force=force, step=step)
    report["offer"] = ensure_offer(store, step=step)
    report["national"] = ensure_national(store, settings, step=step, progress=progress) if settings else None
    report["orientation"] = ensure_orientation(store, step=step)
    if report["orientation"] is None and report["national"] and "pharmacie" in report["national"]["categories"]:
        # officines just imported (FINESS): the demonstration hours and rotas move onto them
        from ..orientation.orientation import write_demo

        if step:
            step("Pharmacies réelles (FINESS), horaires et gardes de démonstration (fictifs)")
        report["orientation"] = write_demo(store)
    report["observatory"] = ensure_observatory(store, force=force, step=step)
    from ..observatory.specialists import ensure_specialists  # access to specialists, when the RPPS is imported

    specialists = ensure_specialists(store, force=force, step=step)
    if specialists is not None:  # only when the RPPS is imported (the report stays the same otherwise)
        report["specialists"] = specialists
    return report
