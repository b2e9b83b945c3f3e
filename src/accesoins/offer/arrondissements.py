"""Rows given for a whole city (Paris, Lyon, Marseille) onto its arrondissements, by a stated rule.

The territory computes these three cities per arrondissement (as DREES does). A file that
gives only the city total (e.g. the BPE by commune for Lyon and Marseille, INSEE's population
by age) is stored as given, at commune level, and placed when the engine reads it
(``services.inputs``) by the rule of ``rules/arrondissements.yaml``: a located row goes to the
arrondissement holding its point, a single site without coordinates to the arrondissement of
the town hall, a count to all arrondissements pro rata their legal population (whole units by
largest remainders, so the city's total is exact). Pure: frames in, frames and a report out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

Locate = Callable[[np.ndarray, np.ndarray], np.ndarray]


@lru_cache(maxsize=1)
def load_rule() -> dict:
    """The parsed ``rules/arrondissements.yaml``."""
    return yaml.safe_load((resources.files("accesoins") / "rules" / "arrondissements.yaml")
                          .read_text(encoding="utf-8"))


def largest_remainders(total: float, weights: np.ndarray) -> np.ndarray:
    """Whole parts of ``total`` (rounded) proportional to ``weights``, summing exactly to it."""
    n = int(round(total))
    w = np.asarray(weights, float)
    if n <= 0 or w.sum() <= 0:
        return np.zeros(len(w))
    exact = n * w / w.sum()
    base = np.floor(exact)
    rest = n - int(base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:rest]] += 1
    return base


def spread_city_rows(rows: pd.DataFrame, arrondissements: pd.DataFrame, *, code: str = "code_commune",
                     quantity: str = "quantity", seats: dict[str, str] | None = None,
                     locate: Locate | None = None) -> tuple[pd.DataFrame, dict[str, object]]:
    """Move the rows of the three cities onto their arrondissements.

    Parameters
    ----------
    rows : offer rows (``OFFER_COLUMNS``) or population rows (``code_commune, age_band, population``).
    arrondissements : ``code_arrondissement, code_commune, population``.
    code, quantity : the columns of the unit code and of the quantity to spread.
    seats : city code → arrondissement of its town hall (single sites without coordinates).
    locate : point locator returning unit codes (rows with ``lat``/``lon``).

    Returns the rows (city rows replaced) and a report: lines of the cities, and how many
    were located, placed at the town hall or spread.
    """
    report: dict[str, object] = {"lignes_ville": 0, "localisees": 0, "mairie": 0, "reparties": 0}
    if rows.empty or arrondissements.empty:
        return rows, report
    cities = set(arrondissements["code_commune"])
    is_city = rows[code].isin(cities)
    if not is_city.any():
        return rows, report
    city = rows[is_city].copy()
    report["lignes_ville"] = int(len(city))
    of_city = arrondissements.groupby("code_commune")
    located = pd.Series(None, index=city.index, dtype=object)
    if locate is not None and {"lat", "lon"} <= set(city.columns):
        has = city["lat"].notna() & city["lon"].notna()
        if has.any():
            found = pd.Series(locate(city.loc[has, "lat"].to_numpy(float), city.loc[has, "lon"].to_numpy(float)),
                              index=city.index[has], dtype=object)
            parent = found.map(arrondissements.set_index("code_arrondissement")["code_commune"])
            located[has] = found.where(parent == city.loc[has, code])
    single = pd.Series(False, index=city.index)
    for col in ("site_id", "name"):
        if col in city:
            single |= city[col].notna() & city[col].astype(str).str.strip().ne("")
    seat = city[code].map(seats or {})
    to_seat = located.isna() & single & seat.notna()
    out_parts = [rows[~is_city]]
    if located.notna().any():
        out_parts.append(city[located.notna()].assign(**{code: located[located.notna()]}))
    if to_seat.any():
        out_parts.append(city[to_seat].assign(**{code: seat[to_seat]}))
    spread = city[located.isna() & ~to_seat]
    pieces = []
    for _, row in spread.iterrows():
        arm = of_city.get_group(row[code])
        w = arm["population"].fillna(0).to_numpy(float)
        whole = row.get("unit") in ("count", "sites") and float(row[quantity]).is_integer()
        q = largest_remainders(row[quantity], w) if whole else row[quantity] * w / w.sum()
        part = pd.DataFrame([row] * len(arm)).assign(**{code: arm["code_arrondissement"].to_numpy(),
                                                       quantity: q})
        pieces.append(part[part[quantity] > 0] if whole else part)
    if pieces:
        out_parts.append(pd.concat(pieces, ignore_index=True))
    report.update({"localisees": int(located.notna().sum()), "mairie": int(to_seat.sum()),
                   "reparties": int(len(spread))})
    out = pd.concat(out_parts, ignore_index=True)
    return out[rows.columns], report


def summary_line(report: dict[str, object]) -> str | None:
    """The French line of the import summary, or None when the file has no line for these cities."""
    if not report.get("lignes_ville"):
        return None
    rules = load_rule()["regles"]
    said = []
    for key, rule in (("localisees", "localisee"), ("mairie", "site"), ("reparties", "total")):
        if report.get(key):
            said.append(f"{report[key]} {rules[rule]['label']}")
    return (f"Paris, Lyon, Marseille : {report['lignes_ville']} ligne(s) données pour la ville entière, "
            "gardées telles quelles ; les calculs par arrondissement les placent ainsi "
            "(rules/arrondissements.yaml) — " + " ; ".join(said))


@lru_cache(maxsize=1)
def city_of_arrondissement() -> dict[str, str]:
    """Arrondissement code → city code, from the ranges of ``rules/arrondissements.yaml``."""
    out = {}
    for city, rule in load_rule()["villes"].items():
        first, last = (int(x) for x in str(rule["arrondissements"]).split("-"))
        out.update({f"{code:05d}": str(city) for code in range(first, last + 1)})
    return out


def keep_levels(level: pd.Series, codes: pd.Series) -> tuple[pd.Series, str | None]:
    """Lines to keep in a file with a geographic level column (INSEE ``NIVGEO``, Melodi ``GEO_OBJECT``).

    Communes (``COM``), except Paris, Lyon or Marseille when the file has all their
    arrondissements (``ARM``): those are kept instead, under their own code. Returns the mask
    and a line for the import summary (None when no arrondissement is kept).
    """
    level = level.astype(str).str.strip().str.upper()
    codes = codes.astype(str).str.strip()
    city = codes.map(city_of_arrondissement())
    arm = level.eq("ARM") & city.notna()
    # only a city whose every arrondissement is in the file: a partial set would lose inhabitants
    full = pd.Series(city_of_arrondissement()).value_counts()
    have = codes[arm].drop_duplicates().map(city_of_arrondissement()).value_counts()
    replaced = {c for c, n in have.items() if n == full.get(c)}
    arm &= city.isin(replaced)
    keep = (level.eq("COM") & ~codes.isin(replaced)) | arm
    if not replaced:
        return keep, None
    names = {c: load_rule()["villes"][c]["nom"] for c in sorted(replaced)}
    return keep, (f"{int(arm.sum())} lignes d'arrondissements municipaux (ARM) gardées sous leur code, "
                  f"à la place des lignes de la ville entière ({', '.join(names.values())})")
