"""Specialist and coordinated-care pages, their JSON twins, open-data tables and portrait blocks.

Driven in-process on a copy of the built store, before and after importing an RPPS extraction and a
FINESS extraction written in their published formats (tests/offer/rpps_specialists.py,
tests/offer/finess_structures.py).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accesoins.api.app import create_app
from accesoins.config import Settings
from accesoins.services.data.imports import import_file
from accesoins.services.observatory.specialists import build_specialists
from accesoins.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "offer"))
from finess_structures import write_structures  # noqa: E402
from rpps_specialists import write_specialists  # noqa: E402

HTML = {"accept": "text/html"}


def _client(path: Path, settings: Settings) -> TestClient:
    return TestClient(create_app(Settings(db_path=path, node_modules=settings.node_modules)))


@pytest.fixture(scope="module")
def imported(built_db, settings, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("specialists")
    path = tmp / "store.duckdb"
    shutil.copyfile(built_db, path)
    store = open_store(path)
    try:
        import_file(store, "rpps", write_specialists(tmp / "PS_LibreAcces_Personne_activite_202601050000.txt"))
        import_file(store, "finess", write_structures(tmp / "etalab-cs1100502-stock-20260512.csv"))
        build_specialists(store)
    finally:
        store.close()
    with _client(path, settings) as c:
        yield c


def test_without_rpps_the_pages_say_how_to_import(settings):
    with _client(settings.db_path, settings) as c:
        html = c.get("/observatoire/specialistes", headers=HTML).text
        assert "accesoins import rpps" in html and "Aucun spécialiste fictif" in html
        data = c.get("/observatoire/specialistes.json").json()
        assert data["rows"] == [] and not data["status"]["imported"]
        found = c.get("/orientation/specialiste.json?lieu=Aurillac").json()
        assert found["places"] == [] and "médecin traitant" in found["advice"]["text"]
        portrait = c.get("/commune/15014.json").json()
        assert portrait["blocks"]["specialistes"]["rows"] == []


def test_observatory_family_by_specialty(imported):
    data = imported.get("/observatoire/specialistes.json?specialite=allergologie").json()
    assert data["status"]["built"] and {"15", "43", "48"} <= {d["code"] for d in data["without"]}
    assert data["specialty"]["code_labels"] == {"SM57": "Allergologie"}
    html = imported.get("/observatoire/specialistes?specialite=allergologie", headers=HTML).text
    assert "Départements sans aucun spécialiste" in html and "Cantal (15)" in html
    assert "TRE_R38" in html and 'data-values="/observatoire/specialistes/carte.json' in html
    m = imported.get("/observatoire/specialistes/carte.json?specialite=cardiologie&mesure=part_60").json()
    assert 0 < m["values"]["15"] < 100 and m["values"]["75"] == 0 and m["unit"] == "%"
    assert imported.get("/observatoire/specialistes.json?specialite=astrologie").status_code == 400
    assert imported.get("/observatoire/specialistes/carte.json?mesure=x").status_code == 400


def test_find_a_specialist_page(imported):
    r = imported.get("/orientation/specialiste?specialite=cardiologie&lieu=Murat", headers=HTML)
    assert r.status_code == 200 and "no-store" in r.headers["cache-control"]
    assert "Saint-Flour" in r.text and "médecin traitant" in r.text and "ameli.fr" in r.text
    bad = imported.get("/orientation/specialiste?lieu=Zzzzqq", headers=HTML)
    assert bad.status_code == 200 and "Aucune commune ne correspond" in bad.text and 'aria-invalid="true"' in bad.text
    assert "/orientation/specialiste" in imported.get("/orientation", headers=HTML).text


def test_structures_page_map_and_open_data(imported):
    data = imported.get("/observatoire/structures.json").json()
    cantal = {r["code"]: r for r in data["rows"]}["15"]
    assert cantal["maison_sante"] == 2 and cantal["centre_sante"] == 1
    assert imported.get("/observatoire/structures/carte.json?mesure=maison_sante").json()["values"]["15"] == 2
    html = imported.get("/observatoire/structures", headers=HTML).text
    assert "catégorie FINESS 603" in html and "France Santé" in html
    rows = imported.get("/donnees/structures.json?departement=15&type=maison_sante").json()["rows"]
    assert sorted(r["nom"] for r in rows) == ["MSP FICTIVE AURILLAC", "MSP FICTIVE SAINT-FLOUR"]
    csv = imported.get("/telecharger/structures_territoires.csv?niveau=departement&code=15").text
    assert "departement;15;maison_sante;2,0" in csv  # French convention: ";" and decimal comma
    spec = imported.get("/donnees/acces_specialistes.json?specialite=cardiologie&niveau=departement&code=15").json()
    assert spec["rows"][0]["professionnels"] == 3
    assert imported.get("/telecharger/acces_specialistes.csv?specialite=allergologie&niveau=region").status_code == 200
    names = {t["name"] for t in imported.get("/donnees.json").json()["tables"]}
    assert {"acces_specialistes", "structures", "structures_territoires"} <= names


def test_portrait_blocks(imported):
    html = imported.get("/commune/15014", headers=HTML).text
    assert 'id="t-specialistes"' in html and 'id="t-structures"' in html and "MSP FICTIVE AURILLAC" in html
    dep = imported.get("/territoire/departement/15.json").json()["blocks"]
    assert {r["specialty"]: r["professionals"] for r in dep["specialistes"]["rows"]}["cardiologie"] == 3
    assert {k["type"]: k["nombre"] for k in dep["structures"]["kinds"]}["maison_sante"] == 2
    assert "/observatoire/specialistes" in imported.get("/observatoire", headers=HTML).text
