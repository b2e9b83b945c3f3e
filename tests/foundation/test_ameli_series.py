"""Time series of the Assurance Maladie's open data: import, errors, page and twin."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accesoins.api.app import create_app
from accesoins.config import Settings
from accesoins.errors import InputError
from accesoins.indicators.ameli import normalise_period
from accesoins.services.data.imports import import_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ameli_observatoire_acces_soins.csv"


@pytest.mark.parametrize(("raw", "period"), [("2024", "2024"), ("2024-T3", "2024-T3"), ("T2 2023", "2023-T2"),
                                             ("2024T1", "2024-T1"), ("2024-03", "2024-03"), ("2024-13", None),
                                             ("hier", None)])
def test_periods(raw, period):
    assert normalise_period(raw) == period


def test_import_page_and_twin(store_copy, tmp_path):
    report = import_file(store_copy, "ameli", FIXTURE)
    assert report["rows"] == 33 and report["periods"] == ["2021", "2022", "2023", "2024"]
    assert store_copy.scalar("SELECT value FROM ameli_series WHERE indicator='patients_ald_sans_mt' "
                             "AND code='15' AND period='2023'") == 1388
    assert store_copy.scalar("SELECT count(*) FROM ameli_series WHERE level='france'") == 3
    path = store_copy.path
    store_copy.close()
    settings = Settings(db_path=path, node_modules=Path("node_modules"))
    with TestClient(create_app(settings)) as client:
        data = client.get("/observatoire/series.json",
                          params={"indicateur": "patients_ald_sans_mt", "code": "15"}).json()
        assert [p["value"] for p in data["points"]] == [1210, 1302, 1388, 1350]
        assert data["label"].startswith("Patients en affection de longue durée")
        html = client.get("/observatoire/series?indicateur=teleconsultations&code=75",
                          headers={"accept": "text/html"}).text
        assert "<svg" in html and "431\u202f200" in html
        assert client.get("/observatoire/series.json", params={"indicateur": "nope"}).status_code == 400


@pytest.mark.parametrize(("text", "line", "field"), [
    ("annee;departement;x\n2024;99;3\n", 2, "departement"),
    ("annee;departement;x\nhier;15;3\n", 2, "annee"),
    ("annee;departement;x\n2024;15;trois\n", 2, "x"),
    ("departement;x\n15;3\n", 1, "annee"),
])
def test_bad_series_files(store_copy, tmp_path, text, line, field):
    path = tmp_path / "serie.csv"
    path.write_text(text, encoding="utf-8")
    before = store_copy.scalar("SELECT count(*) FROM ameli_series")
    with pytest.raises(InputError) as err:
        import_file(store_copy, "ameli", path)
    assert err.value.line == line and err.value.field == field
    assert store_copy.scalar("SELECT count(*) FROM ameli_series") == before
