"""A seeded, fictitious care offer on the real communes, for demonstration only.

No registry package carries real data on health professionals, so ``make run``
starts with this offer. It is stored under the source ``demo`` flagged
``is_demo`` and every figure computed from it says so; importing a real file of
a category replaces the demonstration rows of that category.

The national orders of magnitude are realistic (about 52,000 GPs in private
practice, 20,000 pharmacies…) so that pages and benchmarks behave as they
would on real data, but no individual row is real.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .batch import OFFER_COLUMNS, ImportBatch

DEMO_TITLE = "Offre de soins FICTIVE de démonstration (générée, graine {seed})"
DEMO_NOTICE = (
    "Données fictives de démonstration : aucune ligne ne décrit un professionnel ou un "
    "établissement réel. Importez les fichiers nationaux (BPE, FINESS, RPPS) pour des résultats réels."
)

# category: (national total, unit, concentration exponent on commune population)
# Professionals are spread in proportion to population^alpha; sites are drawn.
_PROFESSIONALS = {
    "medecin_generaliste": (52_000, 1.05),
    "infirmier": (100_000, 1.0),
    "masseur_kinesitherapeute": (72_000, 1.05),
    "chirurgien_dentiste": (37_000, 1.1),
    "sage_femme": (8_000, 1.1),
}
_SITES = {
    "pharmacie": (20_000, 1.0),
    "maison_sante": (2_500, 0.8),
    "centre_sante": (2_300, 1.2),
    "urgences": (690, 1.6),
    "maternite": (450, 1.6),
    "hopital_proximite": (240, 1.0),
}


# Every département, DROM included, has at least one emergency service and one maternity; a draw
# weighted by population can leave Guyane or Mayotte without, which no reader would believe.
_ONE_PER_DEPARTEMENT = ("urgences", "maternite")


def _departement_codes(communes: pd.DataFrame) -> np.ndarray:
    if "code_departement" in communes:
        return communes["code_departement"].astype(str).to_numpy()
    code = communes["code_commune"].astype(str)
    return np.where(code.str.startswith("97"), code.str[:3], code.str[:2])


def _one_per_departement(n: np.ndarray, pop: np.ndarray, dep: np.ndarray) -> np.ndarray:
    """``n`` with one site added in the most populous commune of each département that has none."""
    n = n.copy()
    frame = pd.DataFrame({"dep": dep, "pop": pop, "n": n})
    have = frame.groupby("dep")["n"].transform("sum")
    empty = frame[have == 0]
    if len(empty):
        n[empty.groupby("dep")["pop"].idxmax().to_numpy()] = 1
    return n


def _spread(pop: np.ndarray, total: int, alpha: float, rng: np.random.Generator) -> np.ndarray:
    weight = np.power(np.maximum(pop, 0), alpha)
    return rng.poisson(total * weight / weight.sum())


def _draw_sites(pop: np.ndarray, total: int, alpha: float, rng: np.random.Generator) -> np.ndarray:
    weight = np.power(np.maximum(pop, 1), alpha)
    picks = rng.choice(len(pop), size=total, replace=True, p=weight / weight.sum())
    return np.bincount(picks, minlength=len(pop))


def demo_offer(communes: pd.DataFrame, *, seed: int = 2026) -> ImportBatch:
    """Generate the demonstration offer on ``communes`` (code_commune, population, lat, lon)."""
    rng = np.random.default_rng(seed)
    pop = communes["population"].fillna(0).to_numpy(float)
    frames = []
    for category, (total, alpha) in _PROFESSIONALS.items():
        n = _spread(pop, total, alpha, rng)
        idx = np.repeat(np.arange(len(pop)), n)
        attrs = None
        if category == "medecin_generaliste":  # individual rows: age and activity feed the APL
            age = np.clip(rng.normal(51, 11, len(idx)).round(), 28, 78).astype(int)
            activity = np.clip(rng.normal(4_800, 1_300, len(idx)).round(), 100, 9_000).astype(int)
            attrs = [json.dumps({"age": int(a), "activite": int(b)}) for a, b in zip(age, activity, strict=True)]
            qty = np.ones(len(idx))
        else:  # aggregated per commune
            idx = np.flatnonzero(n)
            qty = n[idx].astype(float)
        frames.append(_rows(communes, idx, category, qty, "count", attrs))
    dep = _departement_codes(communes)
    for category, (total, alpha) in _SITES.items():
        n = _draw_sites(pop, total, alpha, rng)
        if category in _ONE_PER_DEPARTEMENT:
            n = _one_per_departement(n, pop, dep)
        idx = np.flatnonzero(n)
        frames.append(_rows(communes, idx, category, n[idx].astype(float), "sites", None))
    rows = pd.concat(frames, ignore_index=True)
    return ImportBatch(
        kind="offer",
        source="demo",
        title=DEMO_TITLE.format(seed=seed),
        vintage="fictif",
        licence="Données fictives générées par accesoins",
        attribution=DEMO_NOTICE,
        file="(généré)",
        rows=rows,
        parameters={"seed": seed, "generator": "accesoins.offer.demo", "is_demo": True},
    )


def _rows(communes: pd.DataFrame, idx: np.ndarray, category: str, qty: np.ndarray,
          unit: str, attrs: list[str] | None) -> pd.DataFrame:
    sel = communes.iloc[idx]
    frame = pd.DataFrame({
        "category": category,
        "code_commune": sel["code_commune"].to_numpy(),
        "quantity": qty,
        "unit": unit,
        "site_id": None,
        "name": None,
        "lat": sel["lat"].to_numpy(),
        "lon": sel["lon"].to_numpy(),
        "attributes": attrs if attrs is not None else None,
    })
    return frame[OFFER_COLUMNS]
