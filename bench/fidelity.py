"""Fidelity benchmark: our GP APL from the real BPE counts against the official DREES APL 2018.

Builds a fresh store (territory only) in a temporary folder, imports the INSEE BPE
counts of GPs (about 2017, ``../shared/data/real/``) and the DREES 2018 reference,
computes the APL with the default road model and compares, by commune and by
département (population-weighted means, as the DREES aggregates). Writes
``bench/results/fidelity.json``.

Demand: the census populations of 2015 (``population_2015`` of the communes file, the vintage
the DREES APL 2018 was computed with; arrondissements summed to Paris, Lyon and Marseille),
not the store's current legal populations; the figures with the current populations are
written beside, for comparison (``--population store`` makes them the main ones). What limits
the agreement further is measured by ``bench/fidelity_hypotheses.py``.

Exclusions, said in the output: Paris (département 75) is absent from the BPE file,
so it is left out; the 2018 reference has no row for Paris, Lyon or Marseille (cities or
arrondissements), so Lyon and Marseille are left out of the commune comparison too
(their GPs still count for their neighbours); communes merged since 2018 are left out.
The petite couronne (92, 93, 94) is kept although it loses the Paris GPs within 20 minutes.

Targets (issue 11): Spearman ≥ 0.80 by commune and ≥ 0.95 by département; share of the
population under 2.5 within 2 points of the official share.

Run: ``.venv/bin/python bench/fidelity.py [--store PATH] [--param name=value ...]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "data"
BPE = SHARED / "real" / "bpe_medecins_generalistes_par_commune.csv"
COMMUNES = SHARED / "real" / "communes_cog2024.csv"
REFERENCE = SHARED / "reference" / "drees_apl_medecins_generalistes_2018.csv"
RESULTS = HERE / "results" / "fidelity.json"
TARGETS = {"spearman_commune": 0.80, "spearman_departement": 0.95, "population_under_2_5_points": 2.0}
EXCLUDED_DEPARTEMENTS = ("75",)


def prepare(store_path: Path) -> tuple[object, dict]:
    from accesoins.services.data.build import ensure_territory
    from accesoins.services.data.imports import import_file
    from accesoins.services.observatory.fidelity import reference_vintages
    from accesoins.store import open_store

    store = open_store(store_path)
    info: dict[str, object] = {}
    t0 = time.perf_counter()
    ensure_territory(store, ROOT / "node_modules")
    info["territory_seconds"] = round(time.perf_counter() - t0, 1)
    if not store.scalar("SELECT count(*) FROM offer WHERE category = 'medecin_generaliste'"):
        report = import_file(store, "bpe", BPE, skip_unknown=True, vintage="2017")
        info["bpe_rows"] = report.get("rows")
    if "2018" not in reference_vintages(store):
        import_file(store, "drees-apl", REFERENCE, vintage="2018")
    return store, info


def census_population(store, column: str = "population_2015") -> tuple[object, str]:
    """Population of ``column`` by current commune (codes of 2024 mapped, arrondissements summed)."""
    import pandas as pd

    from accesoins.store.territory import commune_index

    frame = pd.read_csv(COMMUNES, dtype=str, usecols=["insee_com", "commune_type", "insee_parente", column])
    frame = frame.drop_duplicates(["insee_com", "commune_type"])  # one row per postcode in the file
    frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
    com, arm = frame[frame["commune_type"] == "COM"], frame[frame["commune_type"] == "ARM"]
    current = commune_index(store).resolve_many(com["insee_com"]).to_numpy()
    values = pd.concat([pd.Series(com[column].to_numpy(), index=current),
                        pd.Series(arm[column].to_numpy(), index=arm["insee_parente"].to_numpy())])
    codes = store.df("SELECT code_commune FROM communes ORDER BY 1")["code_commune"]
    out = values[values.index.notna()].groupby(level=0).sum().reindex(codes).fillna(0.0)
    return out, f"{column} (INSEE, fichier des communes COG 2024, arrondissements sommés)"


def measure(store, model=None, *, variant: str = "ensemble", population=None) -> dict[str, object]:
    from accesoins.services.access.compute import compute_apl
    from accesoins.services.observatory.fidelity import agreement, reference_apl, to_current_communes
    from accesoins.store.territory import commune_index

    t0 = time.perf_counter()
    computed = compute_apl(store, model=model, max_age=65 if variant == "65" else None, population=population)
    seconds = time.perf_counter() - t0
    ours = computed.values.iloc[:, 0]
    official, ref_info = reference_apl(store, 2018, variant)
    index = commune_index(store)
    official, mapping = to_current_communes(official, index.resolve_many)
    communes = store.df("SELECT code_commune, code_departement, coalesce(population, 0) AS p FROM communes"
                        ).set_index("code_commune")
    keep = ~communes["code_departement"].isin(EXCLUDED_DEPARTEMENTS)
    ours = ours[ours.index.isin(communes.index[keep])]
    weights = communes["p"] if population is None else population[0]  # the demand's own vintage
    fig = agreement(ours, official, weights, communes["code_departement"])
    under_gap = 100 * (fig["population_under_2_5_ours"] - fig["population_under_2_5_official"])
    by_dep = fig.pop("by_departement")
    by_commune = fig.pop("by_commune")
    worst = by_commune.assign(a=by_commune["difference"].abs()).nlargest(15, "a")
    return {
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in fig.items()},
        "population_under_2_5_gap_points": round(under_gap, 2),
        "apl_seconds": round(seconds, 2),
        "travel_model": computed.params.get("travel_model"),
        "supply": computed.params.get("supply"),
        "demand": computed.params.get("demand"),
        "population": computed.vintages.get("population"),
        "reference": ref_info, "mapping": mapping,
        "excluded_departements": list(EXCLUDED_DEPARTEMENTS),
        "worst_communes": {c: [round(r.ours, 2), round(r.official, 2)] for c, r in worst.iterrows()},
        "worst_departements": {
            d: [round(r.ours, 2), round(r.official, 2)]
            for d, r in by_dep.assign(a=(by_dep.ours - by_dep.official).abs()).nlargest(8, "a").iterrows()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="reuse this store (territory + BPE kept between runs)")
    parser.add_argument("--param", action="append", default=[], help="road model parameter name=value")
    parser.add_argument("--no-write", action="store_true", help="print only, do not write the results file")
    parser.add_argument("--population", choices=("2015", "store"), default="2015",
                        help="demand: census 2015 (DREES 2018 vintage, default) or the store's populations")
    args = parser.parse_args()
    from accesoins.travel import RoadTimeModel

    store_path = args.store or Path(tempfile.mkdtemp(prefix="accesoins-fidelity-")) / "fidelity.duckdb"
    store, info = prepare(store_path)
    params = {k: float(v) for k, v in (p.split("=", 1) for p in args.param)}
    model = RoadTimeModel(**params) if params else None
    census = census_population(store) if args.population == "2015" else None
    other = None if census is not None else census_population(store)
    result = {"generated": time.strftime("%Y-%m-%dT%H:%M:%S"), **info,
              "ensemble": measure(store, model, population=census),
              "65": measure(store, model, variant="65", population=census),
              "targets": TARGETS}
    side = measure(store, model, population=other)
    keys = ("spearman", "pearson", "share_within_0_5", "departement_spearman", "population_under_2_5_ours",
            "population_under_2_5_official", "population_under_2_5_gap_points", "population")
    result["ensemble_" + ("population_2015" if census is None else "population_actuelle")] = {
        k: side[k] for k in keys}
    main_fig = result["ensemble"]
    result["targets_met"] = {
        "spearman_commune": (main_fig["spearman"] or 0) >= TARGETS["spearman_commune"],
        "spearman_departement": (main_fig["departement_spearman"] or 0) >= TARGETS["spearman_departement"],
        "population_under_2_5": abs(main_fig["population_under_2_5_gap_points"])
        <= TARGETS["population_under_2_5_points"],
    }
    store.close()
    if not args.no_write:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    for variant in ("ensemble", "65"):
        f = result[variant]
        print(f"APL {variant:8s} communes {f['communes']}  Spearman {f['spearman']:.3f}  Pearson {f['pearson']:.3f}  "
              f"dép. Spearman {f['departement_spearman']:.3f}  Pearson {f['departement_pearson']:.3f}  "
              f"±0,5 {100 * f['share_within_0_5']:.1f} %  médiane {f['median_ours']:.2f} / {f['median_official']:.2f}  "
              f"pop <2,5 {100 * f['population_under_2_5_ours']:.1f} % / "
              f"{100 * f['population_under_2_5_official']:.1f} %")
    print("objectifs atteints :", result["targets_met"])
    sys.stdout.flush()


if __name__ == "__main__":
    main()
