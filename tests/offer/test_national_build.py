"""``accesoins build`` (CLI, subprocess) against a local server playing the national sources.

The server answers as INSEE's catalogue and the data.gouv.fr API, and serves the
real files of ../shared/data/real and the published-format fixtures, zipped where
the real source is a zip. The rules are the project's rules/sources.yaml with
the same dataset ids; only the importer and categories of the files available
here are adapted (a 2017 BPE extract of GPs stands in for the current BPE, the
AtlaSanté FINESS hospitals for the hospital part of FINESS).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from accesoins.config import PROJECT_ROOT, SOURCES_RULES
from accesoins.store import open_store
from sources_server import SourceServer, zip_bytes

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
FORMATS = PROJECT_ROOT.parent / "shared" / "data" / "formats"
GPS_IN_FILE = 58_034  # NB_D201 total of bpe_medecins_generalistes_par_commune.csv (see test_real_data)


def play_national_sources(srv: SourceServer, real: Path) -> None:
    """Publish the files and their catalogue entries, as INSEE and data.gouv.fr would."""
    gps = real / "bpe_medecins_generalistes_par_commune.csv"
    srv.insee_file("BPE_ENS", "2023-01-01", "DS_BPE_CSV_FR.zip", zip_bytes({gps.name: gps}), member=gps.name)
    pop = FIXTURES / "BTT_TD_POP1B_2018.csv"
    srv.insee_file("RP_POP1B", "2018-01-01", "BTT_TD_POP1B_2018.zip", zip_bytes({pop.name: pop}), member=pop.name)
    etalab = FIXTURES / "etalab-cs1100507-stock-20240112-0336.csv"
    srv.datagouv_resource("finess-extraction-du-fichier-des-etablissements", etalab.name, etalab.read_bytes(),
                          format="csv", title="Extraction des établissements géolocalisés (cs1100507)")
    hospitals = real / "finess_hopitaux_2020.csv"
    srv.datagouv_resource("finess-hopitaux-atlasante", hospitals.name, hospitals.read_bytes(), format="csv")
    rpps = FIXTURES / "PS_LibreAcces_Personne_activite_202401150930.txt"
    srv.datagouv_resource(
        "annuaire-sante-extractions-des-donnees-en-libre-acces-des-professionnels-intervenant-dans-le-systeme-de-sante",
        "PS_LibreAcces.zip", zip_bytes({rpps.name: rpps, "PS_LibreAcces_Dipl_AutExerc_202401150930.txt": b"x|\n",
                                        "PS_LibreAcces_SavoirFaire_202401150930.txt": b"x|\n"}),
        format="zip", title="Extraction Personne_activite, Dipl_AutExerc, SavoirFaire")
    apl = FORMATS / "drees" / "apl_generalistes_2022_2023-excerpt-cantal.xlsx"
    srv.datagouv_resource("l-accessibilite-potentielle-localisee-apl", "apl_generalistes.xlsx", apl.read_bytes(),
                          format="xlsx", title="APL médecins généralistes 2022-2023")
    # an Observatoire de l'accès aux soins export as data.gouv.fr lists it: the portal's CSV export,
    # an address without a file name, no checksum nor size (the other Observatoire datasets of the
    # rules are not published here: reported as not found)
    ald = FIXTURES / "ameli_observatoire" / "patients-longueduree-annuelle.csv"
    srv.datagouv_resource("acces-aux-soins-part-de-patients-en-affection-longue-duree-sans-medecin-traitant-par-"
                          "territoire-departement-region-par-annee", "exports/csv", ald.read_bytes(), format="csv",
                          title="Export au format CSV", checksum_type=None, filesize=0)
    # a publication whose checksum does not match its bytes: must be refused
    maternities = real / "bpe_maternites_par_commune.csv"
    srv.datagouv_resource("bpe-maternites", maternities.name, maternities.read_bytes(), format="csv",
                          checksum_type="sha256", checksum=hashlib.sha256(b"another file").hexdigest())


def local_rules(path: Path) -> Path:
    """The project's rules, adapted to the files available here (see the module docstring)."""
    rules = yaml.safe_load(SOURCES_RULES.read_text(encoding="utf-8"))
    src = rules["sources"]
    src["bpe"]["categories"] = ["medecin_generaliste"]
    src["finess"]["categories"] = ["pharmacie", "centre_sante", "maison_sante", "laboratoire"]
    src["rpps"]["categories"] = [c for c in src["rpps"]["categories"] if c != "medecin_generaliste"]
    src["finess_hopitaux"] = {**src["finess"], "dataset": "finess-hopitaux-atlasante", "resource": {"format": "csv"},
                              "importer": "finess-atlasante",
                              "categories": ["hopital", "etablissement_soins", "psychiatrie"]}
    src["bpe_maternites"] = {**src["bpe"], "catalogue": "datagouv", "dataset": "bpe-maternites",
                             "resource": {"format": "csv"}, "categories": ["maternite"]}
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return path


def run(args: list[str], env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "accesoins.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=PROJECT_ROOT)


@pytest.fixture()
def env(built_db, tmp_path):
    db = tmp_path / "accesoins.duckdb"
    shutil.copyfile(built_db, db)
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src"), "ACCESOINS_DB": str(db),
            "ACCESOINS_NODE_MODULES": str(PROJECT_ROOT / "node_modules"),
            "ACCESOINS_SOURCES_DIR": str(tmp_path / "sources"),
            "ACCESOINS_SOURCES_RULES": str(local_rules(tmp_path / "sources.yaml"))}


def test_build_fetches_and_imports_the_real_national_files(env, real_data, tmp_path):
    with SourceServer() as srv:
        play_national_sources(srv, real_data)
        env = {**env, **srv.env()}
        first = run(["build"], env)
        assert first.returncode == 0, first.stdout + first.stderr
        out = " ".join(first.stdout.split())
        assert "Source bpe (téléchargé, millésime 2023)" in out
        assert "Source finess (téléchargé" in out and "Source finess_hopitaux (téléchargé" in out
        assert "Source rpps (téléchargé" in out and "Source population_age (téléchargé, millésime 2018)" in out
        assert "Source bpe_maternites refusée : téléchargement de « bpe_maternites » refusé : somme de contrôle " \
               "SHA256" in out and "rien n'a été importé" in out
        assert "Hors ligne" not in out
        assert "Source ameli_ald_sans_mt (téléchargé" in out
        # the DREES workbook is fetched once its importer (named in the rules) is installed
        assert ("Source drees_apl non importée : importateur « drees-apl » non disponible" in out
                or "Source drees_apl (téléchargé" in out)
        requested = len(srv.file_requests())

        second = run(["build"], env)  # idempotent: nothing fetched or imported again
        assert second.returncode == 0, second.stdout + second.stderr
        assert "Source bpe : déjà importée, inchangée." in " ".join(second.stdout.split())
        assert len(srv.file_requests()) == requested + 1  # only the refused file is tried again

    cache = tmp_path / "sources"
    assert not list(cache.rglob("*.part"))
    assert not (cache / "bpe_maternites" / "bpe_maternites_par_commune.csv").exists()
    store = open_store(Path(env["ACCESOINS_DB"]), read_only=True)
    try:
        by_cat = {r["category"]: r for r in store.records(
            "SELECT o.category, bool_or(s.is_demo) AS demo, sum(o.quantity) AS quantity, "
            "list(DISTINCT o.source_id) AS sources FROM offer o JOIN sources s USING (source_id) GROUP BY 1")}
        gp = by_cat["medecin_generaliste"]
        assert not gp["demo"] and gp["sources"] == ["bpe:2023"]
        for cat in ("pharmacie", "centre_sante", "maison_sante", "hopital", "psychiatrie"):
            assert not by_cat[cat]["demo"], cat
        # the store's commune history maps every 2017 code onto a current commune: no GP is lost
        log = {r["file"]: r for r in store.records("SELECT file, rows, rejected FROM import_log")}
        gp_log = log[str(cache / "bpe" / "bpe_medecins_generalistes_par_commune.csv")]
        assert gp_log["rejected"] == 0 and gp["quantity"] == GPS_IN_FILE
        hosp_log = log[str(cache / "finess_hopitaux" / "finess_hopitaux_2020.csv")]
        assert hosp_log["rows"] + hosp_log["rejected"] == 5368 and hosp_log["rejected"] <= 5
        assert 1297 + 367 + 215 - 5 <= by_cat["hopital"]["quantity"] <= 1297 + 367 + 215  # test_real_data's count
        assert by_cat["maternite"]["demo"]  # the refused file left the demonstration in place, labelled
        assert store.scalar("SELECT count(*) FROM sources WHERE kind = 'population_by_age' AND NOT is_demo") == 1
        assert store.scalar("SELECT url FROM sources WHERE source_id = 'bpe:2023'").endswith(
            "/insee/fichier/BPE_ENS/DS_BPE_CSV_FR.zip")
        meta = {r["indicator"]: r["is_demo"] for r in store.records("SELECT indicator, is_demo FROM indicator_meta")}
        assert meta["apl_medecin_generaliste"] is False and meta["densite_medecin_generaliste"] is False
        # officines of FINESS are the orientation pharmacies (hours and rotas stay labelled demonstration)
        finess_pharmacy = store.scalar("SELECT site_id FROM offer WHERE category = 'pharmacie' AND NOT EXISTS "
                                       "(SELECT 1 FROM sources s WHERE s.source_id = offer.source_id AND s.is_demo)")
        assert store.scalar("SELECT count(*) FROM orientation_pharmacies WHERE pharmacy_id = ? AND is_demo",
                            [finess_pharmacy]) == 1
        # the export is cached under its dataset's name, which names its series' source
        ald = store.records("SELECT code, period, value FROM ameli_series WHERE source_id = "
                            "'ameli:patients-longueduree-annuelle' AND level = 'france'")
        assert ald == [{"code": "FR", "period": "2022", "value": 5.4}]
        assert (cache / "ameli_ald_sans_mt" / "patients-longueduree-annuelle.csv").exists()
        params = json.loads(store.scalar("SELECT parameters FROM sources WHERE source_id = 'orientation_demo'"))
        assert params["locations_from"] == "finess"
    finally:
        store.close()


def test_offline_build_says_so_in_one_line_and_keeps_the_demonstration(env):
    srv = SourceServer()  # never started: the port refuses connections
    env = {**env, **srv.env()}
    srv.stop()
    down = run(["build"], env)
    assert down.returncode == 0, down.stdout + down.stderr
    lines = [line for line in down.stdout.splitlines() if "Hors ligne" in line]
    assert len(lines) == 1 and "catalogues des sources nationales injoignables (127.0.0.1)" in lines[0]
    assert "Données fictives de démonstration" in down.stdout and "refusée" not in down.stdout

    with SourceServer() as srv:
        forced = run(["build"], {**env, **srv.env(), "ACCESOINS_OFFLINE": "1"})
        assert srv.requests == []  # nothing asked of the network
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "Hors ligne (ACCESOINS_OFFLINE=1)" in forced.stdout and "Données fictives" in forced.stdout


def test_data_sources_lists_catalogue_answers_and_download_resumes(env, real_data, tmp_path):
    with SourceServer() as srv:
        play_national_sources(srv, real_data)
        env = {**env, **srv.env()}
        listed = run(["data", "sources", "--json"], env)
        assert listed.returncode == 0, listed.stderr
        plan = {s["name"]: s for s in json.loads(listed.stdout)["sources"]}
        assert plan["bpe"]["published"] == "2023-01-01" and plan["bpe"]["url"].endswith("/DS_BPE_CSV_FR.zip")
        assert plan["bpe"]["checksum"].startswith("md5:") and plan["bpe"]["cached"] is False
        assert plan["finess"]["catalogue"] == "API data.gouv.fr" and plan["finess"]["published"] == "2026-11-30"
        assert plan["finess_plus"]["error"].startswith("introuvable dans le catalogue")

        path = "/insee/fichier/BPE_ENS/DS_BPE_CSV_FR.zip"
        srv.cut_once[path] = 50_000
        cut = run(["data", "download", "bpe"], env)
        assert cut.returncode == 2 and "interrompu" in cut.stderr
        resumed = run(["data", "download", "bpe"], env)
        assert resumed.returncode == 0, resumed.stderr
        assert srv.requests[-1][0] == path and srv.requests[-1][1].startswith("bytes=")
        assert "bpe_medecins_generalistes_par_commune.csv" in " ".join(resumed.stdout.split())
        listed = json.loads(run(["data", "sources", "--json"], env).stdout)["sources"]
        assert next(s for s in listed if s["name"] == "bpe")["cached"] is True
    offline = run(["data", "sources"], {**env, "ACCESOINS_OFFLINE": "1"})
    assert offline.returncode == 0 and "Hors ligne (ACCESOINS_OFFLINE=1)" in offline.stdout
