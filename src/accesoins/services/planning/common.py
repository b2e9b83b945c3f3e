"""Planning glue shared by the tools: the store's inputs kept in a small cache, labelled choices, the home page.

Used by the planning pages (``/planification…``), their JSON twins and the
``accesoins planning …`` commands. Heavy inputs that do not change while a
store is open (the 30-minute commune matrix, the GP APL) are kept in a small
in-process cache keyed by the store file and its territory.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import NotBuiltError, ParameterError
from ...offer._csv import load_rules as load_category_rules
from ...offer._csv import load_rules_file
from ...planning import installation as rules_check
from ...planning.rules import cite
from ...store.db import Store
from ...store.territory import stored_territory_key
from ..access.travel import travel_times
from ..data import inputs
from ..data.territory import demo_notice

GP = "medecin_generaliste"
PROFESSIONS = ("medecin_generaliste", "infirmier", "masseur_kinesitherapeute", "sage_femme",
               "chirurgien_dentiste")
HOLIDAYS_PATH = Path(__file__).resolve().parents[2] / "rules" / "orientation" / "holidays.yaml"
MAP_MAX_COMMUNES = 5000  # a scenario map beyond this is too heavy for one request
_CACHE: dict[tuple, Any] = {}
_LOCK = threading.Lock()


def _cached(store: Store, name: str, fn):
    key = (str(store.path), stored_territory_key(store), name)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    value = fn()
    with _LOCK:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = value
    return value


def _cost30(store: Store, max_minutes: float = 30.0) -> pd.DataFrame:
    return _cached(store, f"cost{max_minutes:g}", lambda: travel_times(store, max_minutes=max_minutes))


def _points(store: Store) -> pd.DataFrame:
    """The road model's commune points (with road zones), as the observatory uses them."""
    return _cached(store, "points", lambda: inputs.commune_points(store))


def _communes(store: Store) -> pd.DataFrame:
    def load():
        store.require_territory()
        frame = store.df(
            "SELECT c.code_commune, c.nom, c.code_departement, d.nom AS departement, c.code_region, "
            "r.nom AS region, coalesce(c.population, 0) AS population, c.lat, c.lon, "
            "coalesce(c.population, 0) / greatest(c.area_km2, 0.01) AS density "
            "FROM territory_units c JOIN departements d USING (code_departement) "
            "JOIN regions r ON r.code_region = c.code_region ORDER BY 1")
        return frame.set_index("code_commune")
    return _cached(store, "communes", load)


def _scope(store: Store, departement: str | None, region: str | None = None) -> pd.DataFrame:
    communes = _communes(store)
    if departement:
        sel = communes[communes["code_departement"] == departement.upper()]
        if sel.empty:
            raise ParameterError(f"département inconnu « {departement} » (ex. 15, 2A, 971).")
        return sel
    if region:
        sel = communes[communes["code_region"] == region]
        if sel.empty:
            raise ParameterError(f"région inconnue « {region} » (code INSEE, ex. 84).")
        return sel
    return communes


def category_label(code: str) -> str:
    """The French label of an offer category (``rules/categories.yaml``), e.g. « Médecin généraliste »."""
    cats = load_category_rules().get("categories", {})
    return str(cats.get(code, {}).get("label") or code.replace("_", " "))


def profession_choices() -> list[dict[str, str]]:
    """The professions with an APL, as labelled choices for the forms."""
    labels = load_rules_file("observatory.yaml").get("apl_professions", {})
    return [{"code": p, "label": labels.get(p, category_label(p))} for p in PROFESSIONS]


def category_choices(store: Store) -> list[dict[str, str]]:
    """The offer categories present in the store, labelled, sorted by label."""
    return sorted(({"code": c, "label": category_label(c)} for c in _categories(store)),
                  key=lambda c: c["label"])


def form_choices(store: Store) -> dict[str, Any]:
    """Labelled choices of the planning forms: professions, categories, départements."""
    return {"professions": profession_choices(), "categories": category_choices(store),
            "departements": store.records("SELECT code_departement AS code, nom FROM departements ORDER BY 1")}


def readable_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rule citations with ``display``: the value in plain French (lists and mappings spelled out)."""
    known = load_category_rules().get("categories", {})

    def name(k: Any) -> str:
        return category_label(str(k)) if str(k) in known else str(k).replace("_", " ")

    def text(v: Any) -> str:
        if isinstance(v, Mapping):
            return " ; ".join(f"{name(k)} : {text(x)}" for k, x in v.items())
        if isinstance(v, list | tuple):
            return ", ".join(text(x) for x in v)
        if isinstance(v, str):
            return name(v)
        if isinstance(v, float):
            return f"{v:g}".replace(".", ",")
        return str(v)
    return [{**r, "display": text(r.get("value"))} for r in rules]


def _categories(store: Store) -> set[str]:
    return {r["category"] for r in store.records("SELECT DISTINCT category FROM offer")}


def _counts(store: Store, categories: list[str]) -> pd.Series:
    known = _categories(store)
    present = [c for c in categories if c in known]
    if not present:
        return pd.Series(dtype=float)
    return pd.concat([inputs.site_counts(store, c) for c in present]).groupby(level=0).sum()


def _apl65(store: Store) -> pd.Series:
    from ..access.compute import compute_apl

    return _cached(store, "apl65", lambda: compute_apl(store, GP, max_age=65).values.iloc[:, 0])


def _base(store: Store, title: str) -> dict[str, Any]:
    return {"title": title, "demo_notice": demo_notice(store)}


def index(store: Store) -> dict[str, Any]:
    """The planning home page: what each tool does and its main rules."""
    data = _base(store, "Planifier et réguler l'offre de soins")
    data["departements"] = store.records("SELECT code_departement AS code, nom FROM departements ORDER BY 1")
    data["professions"] = list(PROFESSIONS)
    data["categories"] = sorted(_categories(store))
    data["zones"] = list(rules_check.ZONES)
    data["rules"] = readable_rules([cite(r) for r in ("france_sante.max_minutes", "france_sante.target_sites",
                                                      "zoning.gp_apl_threshold", "solidarity.max_days_per_month")])
    return data


def require_built(store: Store) -> None:
    if not store.has_territory():
        raise NotBuiltError("Le territoire n'est pas encore construit : lancez `accesoins build`.")
