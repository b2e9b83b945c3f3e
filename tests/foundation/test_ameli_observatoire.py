"""Observatoire de l'accès aux soins: excerpts in the published data.ameli.fr layout are imported
exactly, and the national series page shows the Assurance Maladie's published figures.

Fixtures: ``tests/fixtures/ameli_observatoire`` (written from the published column lists; values
are published figures with their source in that folder's README, every other cell is ``NS``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accesoins.api.app import create_app
from accesoins.config import Settings
from accesoins.errors import InputError
from accesoins.indicators.ameli import read_ameli_series
from accesoins.services.data.imports import import_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ameli_observatoire"
DEPS, REGS = {"15", "75"}, {"84", "11"}


def test_assistants_export_dimensions_belong_to_their_own_value():
    s = read_ameli_series(FIXTURES / "contrats-aide-assistantsmed-infra-annuelle.csv", departements=DEPS,
                          regions=REGS)
    keys = set(s.indicator)
    # the number of contracts is qualified by « Médecins », the adhesion rate by « Médecins généralistes »
    assert keys == {"nombre_contrat_assmed.medecins", "taux_adhesions.medecins-generalistes"}
    v = s.set_index(["indicator", "level", "code", "period"])["value"]
    assert v[("nombre_contrat_assmed.medecins", "france", "FR", "2024-10")] == 7240
    assert v[("nombre_contrat_assmed.medecins", "france", "FR", "2025-06")] == 8558
    assert v[("taux_adhesions.medecins-generalistes", "france", "FR", "2025-06")] == 15  # « 15 % » as text
    assert v.isna().sum() == 3 and s.attrs["masked"] == 3  # « NS » cells and the unpublished rate


def test_evolution_rate_belongs_to_the_main_indicator_and_ns_is_masked():
    s = read_ameli_series(FIXTURES / "medgen-zones-sous-dotees-annuelle.csv", departements=DEPS, regions=REGS)
    assert set(s.indicator) == {"effectif_medecin_install_zsd.medecins-generalistes",
                                "effectif_medecin_install_zsd.taux_evolution_annuel.medecins-generalistes"}
    assert s["value"].isna().all()
    label = s.loc[s.indicator.str.contains("taux_evolution"), "label"].iloc[0]
    assert label.startswith("Installations de médecins généralistes en zone sous-dotée — évolution annuelle")


def test_national_only_ages_dataset_reads_as_france_and_other_files_still_need_a_territory(tmp_path):
    s = read_ameli_series(FIXTURES / "demographie-ages-moyens-part-des-femmes-part-des-plus-de-60-ans.csv",
                          departements=DEPS, regions=REGS)
    assert set(s.level) == {"france"} and len(s) == 7
    assert "age_moyen_global.medecins-generalistes" in set(s.indicator)
    bad = tmp_path / "sans-territoire.csv"
    bad.write_text("annee;effectif\n2023;12\n", encoding="utf-8")
    with pytest.raises(InputError, match="territoire absente"):
        read_ameli_series(bad, departements=DEPS, regions=REGS)


def test_an_unmasked_text_value_is_still_refused(tmp_path):
    text = (FIXTURES / "contrats-aide-assistantsmed-infra-annuelle.csv").read_text(encoding="utf-8")
    bad = tmp_path / "contrats.csv"
    bad.write_text(text.replace(";7240;", ";sept mille;"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_ameli_series(bad, departements=DEPS, regions=REGS)
    assert (err.value.line, err.value.field) == (2, "nombre_contrat_assmed")


def test_national_page_shows_published_figures(store_copy, tmp_path):
    detailed = tmp_path / "demographie-effectifs-et-les-densites.csv"
    detailed.write_text(  # one age × sex cell of the demography export, masked (no figure invented)
        "annee;profession_sante;region;libelle_region;departement;libelle_departement;classe_age;"
        "libelle_classe_age;libelle_sexe;effectif;densite\n"
        "2023-01-01;Infirmiers;99;France;999;;moins_40;moins de 40 ans;femmes;NS;NS\n", encoding="utf-8")
    assert import_file(store_copy, "ameli", detailed)["rows"] == 2
    for name in ("patients-longueduree-annuelle", "patients-longueduree-infra-annuelle",
                 "contrats-aide-assistantsmed-infra-annuelle", "medgen-zones-sous-dotees-annuelle",
                 "medgen-zones-sous-dotees-infra-annuelle", "couverture-sas"):
        report = import_file(store_copy, "ameli", FIXTURES / f"{name}.csv")
        assert report["rows"] >= 1
    path = store_copy.path
    store_copy.close()
    with TestClient(create_app(Settings(db_path=path, node_modules=Path("node_modules")))) as client:
        data = client.get("/observatoire/series/france.json").json()
        by_key = {i["indicator"]: i for i in data["indicators"]}
        ald = by_key["taux_patients_ald_sans_mt"]
        assert [(p["period"], p["value"]) for p in ald["points"]] == [("2022", 5.4), ("2024-12", 3.8),
                                                                      ("2025-06", 4.2)]
        # each point names the export it comes from: annual and infra-annual datasets meet here
        assert [p["dataset"] for p in ald["points"]] == ["patients-longueduree-annuelle"] + [
            "patients-longueduree-infra-annuelle"] * 2
        assert ald["coverage"] == {"france": 1, "region": 0, "departement": 1}
        assert "médecin traitant" in ald["definition"] and ald["url"].startswith("https://www.data.gouv.fr/")
        assert by_key["nombre_contrat_assmed.medecins"]["latest"] == {"period": "2025-06", "value": 8558}
        assert by_key["taux_adhesions.medecins-generalistes"]["latest"] == {"period": "2025-06", "value": 15}
        assert by_key["taux_population_couverte"]["latest"] == {"period": "2025", "value": 96}
        zsd = by_key["effectif_medecin_install_zsd.taux_evolution_annuel.medecins-generalistes"]
        assert zsd["latest"] == {"period": "2025-06", "value": -1.7} and zsd["unit"] == "%"
        assert by_key["effectif_medecin_install_zsd.medecins-generalistes"]["latest"] is None  # masked
        # figures published without an export are listed apart, each with its source
        published = {r["key"]: r for r in data["published"]["items"]}
        assert published["teleconsultations_part_plateformes"]["value"] == 43
        assert all(r["url"].startswith("https://") and r["source"] for r in published.values())
        assert data["detailed"] == 2 and not any(k.startswith("effectif.infirmiers") for k in by_key)
        html = client.get("/observatoire/series/france", headers={"accept": "text/html"}).text
        text = re.sub(r"\s+", " ", html)
        assert "5,40" in text and "3,80" in text and "4,20" in text and re.search(r"8[\s\u202f\u00a0]558", text)
        assert "Repères publiés sans fichier importable" in text
        assert re.search(r"13[\s\u202f\u00a0]900[\s\u202f\u00a0]000", text)
        assert "<svg" in html and "<table>" in html and "Définition" in html
        # the accessible alternative: every charted figure is in a table row
        assert re.search(r'<th scope="row">2024-10</th><td class="num">7[\s\u202f\u00a0]240</td>', html)
        # French CSV: « ; », decimal comma, BOM
        raw = client.get("/observatoire/series.csv", params={"indicateur": "taux_patients_ald_sans_mt"}).content
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert {(r["niveau"], r["periode"], r["valeur"]) for r in rows} >= {("france", "2022", "5,4"),
                                                                              ("france", "2024-12", "3,8")}
        assert client.get("/observatoire/series.csv", params={"indicateur": "nope"}).status_code == 400
        # the per-territory page shows the definition too; a masked département has no figure
        page = client.get("/observatoire/series.json", params={"indicateur": "nombre_contrat_assmed.medecins",
                                                              "niveau": "france"}).json()
        assert page["points"] == [{"period": "2024-10", "value": 7240}, {"period": "2025-06", "value": 8558}]
        assert page["meta"]["definition"].startswith("Nombre de contrats")
        page = client.get("/observatoire/series.json", params={"indicateur": "nombre_contrat_assmed.medecins"}).json()
        assert page["code"] == "15" and page["points"][0]["value"] is None
        assert client.get("/", headers={"accept": "text/html"}).status_code == 200
