"""data.ameli.fr exports in their published long format: dimension columns are parts of the
indicator, not values; région/département/France rows; masked values; infra-annual dates.

The three fixtures below are WRITTEN FROM THE PUBLISHED COLUMN LISTS of the data.ameli.fr
datasets (``demographie-effectifs-et-les-densites``, ``patients-longueduree-annuelle``,
``patients-longueduree-infra-annuelle``; see ``rules/ameli.yaml``), in the export's layout
(``;``, UTF-8 with a BOM, field names as header). The figures are made up for the test, except
the national shares of ALD patients without a médecin traitant (5.6 % in 2022, 4.2 % mid-2025),
which are those quoted by the Assurance Maladie.
"""

from __future__ import annotations

import re
import shutil

import pytest
from typer.testing import CliRunner

from accesoins.cli import app
from accesoins.errors import InputError
from accesoins.indicators.ameli import read_ameli_series
from accesoins.services.data.imports import import_file

DEPS = {"15", "63", "75", "2A", "971"}
REGS = {"84", "11", "94"}

DEMOGRAPHIE = """\ufeffannee;profession_sante;region;libelle_region;departement;libelle_departement;classe_age;\
libelle_classe_age;libelle_sexe;effectif;densite;vision_generale_all;vision_generale_prescriptions;\
vision_profession_territoire
2022-01-01;Médecins généralistes;84;Auvergne-Rhône-Alpes;15;Cantal;tout_age;Tout âge;tout sexe;150;104,2;;;
2023-01-01;Médecins généralistes;84;Auvergne-Rhône-Alpes;15;Cantal;tout_age;Tout âge;tout sexe;146;101,5;;;
2023-01-01;Médecins généralistes;84;Auvergne-Rhône-Alpes;15;Cantal;moins_40;moins de 40 ans;femmes;21;14,6;;;
2023-01-01;Médecins généralistes;84;Auvergne-Rhône-Alpes;15;Cantal;moins_40;moins de 40 ans;hommes;12;NC;;;
2023-01-01;Infirmiers;84;Auvergne-Rhône-Alpes;15;Cantal;tout_age;Tout âge;tout sexe;611;424,7;;;
2023-01-01;Médecins généralistes;84;Auvergne-Rhône-Alpes;999;;tout_age;Tout âge;tout sexe;7112;88,0;;;
2023-01-01;Médecins généralistes;99;France;999;;tout_age;Tout âge;tout sexe;52180;76,4;;;
2023-01-01;Allergologues;84;Auvergne-Rhône-Alpes;15;Cantal;tout_age;Tout âge;tout sexe;0;0;;;
2023-01-01;Médecins généralistes;inconnu;inconnu;inconnu;inconnu;tout_age;Tout âge;tout sexe;35;;;;
"""

ALD_ANNUELLE = """\ufeffannee;region;libelle_region;departement;libelle_departement;taux_patients_ald_sans_mt;\
taux_patients_ald_sans_mt_integer
2022;99;France;999;;5,6 %;5.6
2023;99;France;999;;4,9 %;4.9
2023;84;Auvergne-Rhône-Alpes;999;;3,8 %;3.8
2023;84;Auvergne-Rhône-Alpes;15;Cantal;2,1 %;2.1
2024;84;Auvergne-Rhône-Alpes;15;Cantal;NC;
2023;inconnu;inconnu;inconnu;inconnu;7,0 %;7.0
"""

ALD_INFRA = """\ufeffannee;date;region;libelle_region;departement;libelle_departement;taux_patients_ald_sans_mt
2025;2025-06-30;99;France;999;;4,2 %
2025;2025-06-30;84;Auvergne-Rhône-Alpes;15;Cantal;1,9 %
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demography_dimensions_are_parts_of_the_indicator(tmp_path):
    s = read_ameli_series(write(tmp_path, "demographie-effectifs-et-les-densites.csv", DEMOGRAPHIE),
                          departements=DEPS, regions=REGS)
    assert len(s) == 8 * 2 and s.attrs["skipped"] == 1 and s.attrs["masked"] == 1
    assert s.attrs["dimensions"] == ["profession_sante", "classe_age", "libelle_classe_age", "libelle_sexe"]
    v = s.set_index(["indicator", "level", "code", "period"])["value"]
    assert v[("effectif.medecins-generalistes", "departement", "15", "2022")] == 150
    assert v[("effectif.medecins-generalistes", "departement", "15", "2023")] == 146
    assert v[("effectif.medecins-generalistes", "region", "84", "2023")] == 7112
    assert v[("effectif.medecins-generalistes", "france", "FR", "2023")] == 52180
    assert v[("effectif.medecins-generalistes.moins-40.femmes", "departement", "15", "2023")] == 21
    assert v[("densite.infirmiers", "departement", "15", "2023")] == pytest.approx(424.7)
    assert v[("effectif.allergologues", "departement", "15", "2023")] == 0
    assert s.set_index("indicator")["value"].isna().sum() == 1  # densité NC of the men under 40
    label = s.loc[s.indicator == "effectif.medecins-generalistes.moins-40.femmes", "label"].iloc[0]
    assert label == "Effectif de professionnels de santé libéraux — Médecins généralistes, moins de 40 ans, femmes"


def test_observatory_rates_and_infra_annual_dates(tmp_path):
    s = read_ameli_series(write(tmp_path, "patients-longueduree-annuelle.csv", ALD_ANNUELLE),
                          departements=DEPS, regions=REGS)
    assert set(s.indicator) == {"taux_patients_ald_sans_mt"} and len(s) == 5 and s.attrs["skipped"] == 1
    fr = s[s.level == "france"].set_index("period")["value"].to_dict()
    assert fr == {"2022": 5.6, "2023": 4.9}
    assert s.label.iloc[0] == "Part des patients en ALD sans médecin traitant"
    cantal = s[s.code == "15"].set_index("period")["value"]
    assert cantal["2023"] == 2.1 and cantal.isna()["2024"]
    infra = read_ameli_series(write(tmp_path, "patients-longueduree-infra-annuelle.csv", ALD_INFRA),
                              departements=DEPS, regions=REGS)
    assert infra.set_index(["code", "period"])["value"].to_dict() == {("FR", "2025-06"): 4.2, ("15", "2025-06"): 1.9}


@pytest.mark.parametrize(("text", "line", "field"), [
    (DEMOGRAPHIE.replace(";146;", ";cent;"), 3, "effectif"),
    (DEMOGRAPHIE.replace("84;Auvergne-Rhône-Alpes;15;Cantal;tout_age;Tout âge;tout sexe;611",
                         "84;Auvergne-Rhône-Alpes;16;Charente;tout_age;Tout âge;tout sexe;611"), 6, "departement"),
    (ALD_ANNUELLE.replace("2023;84;Auvergne-Rhône-Alpes;999", "2023;85;Auvergne-Rhône-Alpes;999"), 4, "region"),
    (ALD_ANNUELLE.replace("2023;99", "vingt-trois;99", 1), 3, "annee"),
    (DEMOGRAPHIE.replace(";611;", ";1e308;"), 6, "effectif"),
    (ALD_ANNUELLE.replace("2,1 %;2.1", "2,1 %;210"), 5, "taux_patients_ald_sans_mt_integer"),
])
def test_bad_exports_name_line_and_field(tmp_path, text, line, field):
    with pytest.raises(InputError) as err:
        read_ameli_series(write(tmp_path, "export.csv", text), departements=DEPS, regions=REGS)
    assert (err.value.line, err.value.field) == (line, field) and err.value.file.endswith("export.csv")


def test_real_store_import_and_cli(store_copy, built_db, tmp_path, monkeypatch):
    report = import_file(store_copy, "ameli", write(tmp_path, "patients-longueduree-annuelle.csv", ALD_ANNUELLE))
    assert report["rows"] == 5 and report["rejected"] == 1 and report["periods"] == ["2022", "2023", "2024"]
    assert store_copy.scalar("SELECT value FROM ameli_series WHERE indicator = 'taux_patients_ald_sans_mt' "
                             "AND level = 'france' AND period = '2022'") == 5.6
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(built_db, db)
    monkeypatch.setenv("ACCESOINS_DB", str(db))
    path = write(tmp_path, "demographie-effectifs-et-les-densites.csv", DEMOGRAPHIE)
    result = CliRunner().invoke(app, ["import", "ameli", str(path)])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "16 lignes importées" in text and "1 lignes écartées" in text and "profession_sante" in text
