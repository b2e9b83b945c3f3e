"""National-sources benchmark: ``accesoins build`` on the real files of ../shared/data/real.

A local server (tests/sources_server.py) plays INSEE's catalogue and the
data.gouv.fr API and serves the real files available here: the BPE GPs and
maternities per commune (zipped, as INSEE publishes) and the FINESS hospitals
(AtlaSanté 2020). Two runs, each ``accesoins build`` as a subprocess:

1. a fresh store, online: territory, demonstration offer, fetch and import of
   the real files, every indicator;
2. a store first built offline (``ACCESOINS_OFFLINE=1``), then built online:
   what going online costs (fetch, import, indicators recomputed).

Writes ``bench/results/national_sources.json`` (seconds, store size, download size).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REAL = ROOT.parent / "shared" / "data" / "real"
sys.path.insert(0, str(ROOT / "tests"))
from sources_server import SourceServer, zip_bytes  # noqa: E402

RULES = {"sources": {
    "bpe": {"title": "INSEE, BPE (médecins généralistes, extrait réel)", "catalogue": "insee", "dataset": "BPE_ENS",
            "importer": "bpe", "categories": ["medecin_generaliste"], "licence": "Licence Ouverte 2.0",
            "attribution": "INSEE, Base permanente des équipements"},
    "bpe_maternites": {"title": "INSEE, BPE (maternités, extrait réel)", "catalogue": "datagouv",
                       "dataset": "bpe-maternites", "resource": {"format": "csv"}, "importer": "bpe",
                       "categories": ["maternite"], "licence": "Licence Ouverte 2.0",
                       "attribution": "INSEE, Base permanente des équipements"},
    "finess_hopitaux": {"title": "FINESS, établissements hospitaliers (AtlaSanté 2020)", "catalogue": "datagouv",
                        "dataset": "finess-hopitaux-atlasante", "resource": {"format": "csv"},
                        "importer": "finess-atlasante", "categories": ["hopital", "etablissement_soins", "psychiatrie"],
                        "licence": "EUPL-1.2", "attribution": "FINESS via AtlaSanté, Eurostat"},
}}


def publish(srv: SourceServer) -> None:
    gps = REAL / "bpe_medecins_generalistes_par_commune.csv"
    srv.insee_file("BPE_ENS", "2023-01-01", "DS_BPE_CSV_FR.zip", zip_bytes({gps.name: gps}), member=gps.name)
    mat = REAL / "bpe_maternites_par_commune.csv"
    srv.datagouv_resource("bpe-maternites", mat.name, mat.read_bytes(), format="csv")
    hosp = REAL / "finess_hopitaux_2020.csv"
    srv.datagouv_resource("finess-hopitaux-atlasante", hosp.name, hosp.read_bytes(), format="csv")


def build(env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "accesoins.cli", "build"], env=env, capture_output=True, text=True,
                          cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return seconds, done.stdout


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="accesoins-national-"))
    rules = tmp / "sources.yaml"
    rules.write_text(yaml.safe_dump(RULES, allow_unicode=True), encoding="utf-8")
    base = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "ACCESOINS_NODE_MODULES": str(ROOT / "node_modules"),
            "ACCESOINS_SOURCES_RULES": str(rules), "COLUMNS": "200"}
    result: dict[str, object] = {"machine": platform.platform(), "cpus": os.cpu_count(),
                                 "files": sorted(p.name for p in REAL.glob("*.csv") if p.name != "communes_cog2024.csv"
                                                 and "sirene" not in p.name)}
    try:
        with SourceServer() as srv:
            publish(srv)
            fresh = tmp / "fresh.duckdb"
            env = {**base, **srv.env(), "ACCESOINS_DB": str(fresh), "ACCESOINS_SOURCES_DIR": str(tmp / "s1")}
            seconds, out = build(env)
            result["fresh_online_build_seconds"] = round(seconds, 1)
            result["fresh_store_mb"] = round(fresh.stat().st_size / 1e6, 1)
            result["downloaded_mb"] = round(du(tmp / "s1") / 1e6, 2)
            result["fresh_output"] = [line for line in out.splitlines() if line.startswith(("Source", "Base"))]

            later = tmp / "later.duckdb"
            env2 = {**base, **srv.env(), "ACCESOINS_DB": str(later), "ACCESOINS_SOURCES_DIR": str(tmp / "s2")}
            offline_s, _ = build({**env2, "ACCESOINS_OFFLINE": "1"})
            demo_mb = later.stat().st_size / 1e6
            online_s, _ = build(env2)
            result.update(offline_build_seconds=round(offline_s, 1), offline_store_mb=round(demo_mb, 1),
                          going_online_seconds=round(online_s, 1),
                          store_mb_after_going_online=round(later.stat().st_size / 1e6, 1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "national_sources.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
