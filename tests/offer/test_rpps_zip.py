"""RPPS: the published zip (three files) built from the real extraction excerpt, the bare file,
GPs chosen as the DREES does, specialties from the SavoirFaire member, collectivities outside
the territory reported, bad zips refused with the member named."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accesoins.cli import app
from accesoins.errors import InputError
from accesoins.offer.rpps import GP_SCOPE, read_rpps

EXCERPT = (Path(__file__).resolve().parents[2].parent / "shared" / "data" / "formats" / "rpps"
           / "PS_LibreAcces_Personne_activite_202112020908-excerpt.txt")
STAMP = "202112020908"
# Headers of the two other members of the published zip (ANS extraction PS_LibreAcces).
SAVOIR_HEADER = ("Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|"
                 "Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|"
                 "Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|"
                 "Code savoir-faire|Libellé savoir-faire|")
DIPL_HEADER = ("Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|"
               "Prénom d'exercice|Code type diplôme obtenu|Libellé type diplôme obtenu|Code diplôme obtenu|"
               "Libellé diplôme obtenu|Code type autorisation|Libellé type autorisation|"
               "Code discipline autorisation|Libellé discipline autorisation|")


def excerpt_lines() -> list[str]:
    return EXCERPT.read_text(encoding="utf-8").rstrip("\n").split("\n")


def make_zip(tmp_path: Path, activity: list[str], savoir: list[str] = (), name: str | None = None) -> Path:
    path = tmp_path / (name or f"PS_LibreAcces_{STAMP}.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"PS_LibreAcces_Personne_activite_{STAMP}.txt", "\n".join(activity) + "\n")
        zf.writestr(f"PS_LibreAcces_Dipl_AutExerc_{STAMP}.txt", DIPL_HEADER + "\n")
        zf.writestr(f"PS_LibreAcces_SavoirFaire_{STAMP}.txt", "\n".join([SAVOIR_HEADER, *savoir]) + "\n")
    return path


def with_fields(line: str, fields: dict[str, str]) -> str:
    header = excerpt_lines()[0].split("|")
    parts = line.split("|")
    for name, value in fields.items():
        parts[header.index(name)] = value
    return "|".join(parts)


DOCTOR = excerpt_lines()[22]  # the real médecin line (SM20, salaried, no address)


def doctor(pp: str, sf: str, mode: str, secteur: str, commune: str, label: str = "") -> str:
    return with_fields(DOCTOR, {"Identifiant PP": pp, "Code savoir-faire": sf, "Libellé savoir-faire": label,
                                "Code type savoir-faire": "S" if sf else "", "Code mode exercice": mode,
                                "Code secteur d'activité": secteur, "Code commune (coord. structure)": commune,
                                "Identifiant technique de la structure": f"S{pp}"})


def test_real_excerpt_in_the_published_zip(communes, tmp_path):
    b = read_rpps(make_zip(tmp_path, excerpt_lines()), communes=communes)
    assert b.vintage == "2021-12-02" and b.file.endswith(f"PS_LibreAcces_Personne_activite_{STAMP}.txt")
    counts = b.parameters["comptes"]
    # 22 activities: 20 of professions outside the categories (opticians, ergotherapists…),
    # the orthoptist (line 11) and the gynaecologist (line 23) have no practice address
    assert counts == {"activites_lues": 22, "autres_professions": 20, "generalistes_hors_perimetre_drees": 0,
                      "generalistes_hors_perimetre_hopital": 0, "medecins_sans_specialite": 0,
                      "specialites_completees_par_savoirfaire": 0, "sans_adresse": 2, "hors_territoire": 0,
                      "activites_retenues": 0}
    assert b.rejected.line.tolist() == [11, 23] and len(b.rows) == 0
    assert "Opticien-Lunetier : 5" in b.warnings[0]
    assert any("date de naissance" in w for w in b.warnings)
    assert b.parameters["perimetre_generalistes"] == GP_SCOPE
    bare = read_rpps(EXCERPT, communes=communes)
    assert bare.parameters["comptes"] == counts and bare.vintage == "2021-12-02"


def test_gps_as_the_drees_counts_them(communes, tmp_path):
    nurse = with_fields(excerpt_lines()[10], {"Code profession": "60", "Libellé profession": "Infirmier",
                                             "Code commune (coord. structure)": "01004"})
    lines = excerpt_lines() + [
        doctor("10000000001", "SM54", "L", "SA07", "01004", "Médecine générale"),     # cabinet: in
        doctor("10000000001", "81", "L", "SA07", "01004", "Acupuncture"),             # same GP, 2nd line
        doctor("10000000002", "SM26", "S", "SA05", "01001", "Qualifié en MG"),        # centre de santé: in
        doctor("10000000003", "SM54", "S", "SA01", "01451", "Médecine générale"),     # hospital: out
        doctor("10000000004", "SM54", "L", "SA01", "01451", "Médecine générale"),     # libéral at hospital: out
        doctor("10000000005", "", "L", "SA08", "75113"),                              # specialty from SavoirFaire
        doctor("10000000006", "SM29", "L", "SA08", "50602", "Médecine physique"),     # particular practice: in
        doctor("10000000007", "SM04", "S", "SA01", "13055", "Cardiologie"),           # specialist, kept
        doctor("10000000008", "SM54", "L", "SA07", "97801", "Médecine générale"),     # Saint-Martin: reported
        doctor("10000000009", "", "L", "SA07", "01001"),                              # no specialty anywhere
        nurse,
    ]
    savoir = ["8|10000000005|810000000005|X|Y|10|Médecin|C|Civil|S|Spécialité ordinale|SM53|"
              "Spécialiste en Médecine Générale|"]
    b = read_rpps(make_zip(tmp_path, lines, savoir), communes=communes)
    rows = b.rows.set_index("site_id")
    gp = rows[rows.category == "medecin_generaliste"]
    assert sorted(gp.index) == ["10000000001", "10000000002", "10000000005", "10000000006"]
    assert gp.loc["10000000006", "code_commune"] == "50129" and gp.loc["10000000005", "code_commune"] == "75056"
    assert json.loads(gp.loc["10000000005", "attributes"])["specialite"] == "SM53"
    assert json.loads(gp.loc["10000000001", "attributes"])["specialite"] == "SM54"  # S line kept
    cardio = json.loads(rows.loc["10000000007", "attributes"])
    assert rows.loc["10000000007", "category"] == "medecin_specialiste"
    assert (cardio["specialite"], cardio["libelle_specialite"], cardio["perimetre_apl"]) == ("SM04", "Cardiologie",
                                                                                          False)
    assert rows.loc[rows.category == "infirmier", "code_commune"].tolist() == ["01004"]
    counts = b.parameters["comptes"]
    assert counts["generalistes_hors_perimetre_drees"] == 2 and counts["generalistes_hors_perimetre_hopital"] == 2
    assert counts["specialites_completees_par_savoirfaire"] == 1 and counts["medecins_sans_specialite"] == 1
    assert counts["hors_territoire"] == 1 and counts["activites_retenues"] == 6
    assert b.rejected.reason.str.contains("hors du territoire").sum() == 1
    assert b.rejected.line.tolist() == [11, 23, 32]
    assert b.rows.quantity.sum() == 6.0


def test_cli_imports_the_zip(built_db, tmp_path, monkeypatch):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(built_db, db)
    monkeypatch.setenv("ACCESOINS_DB", str(db))
    lines = excerpt_lines() + [doctor("10000000001", "SM54", "L", "SA07", "15014", "Médecine générale"),
                               doctor("10000000002", "SM54", "S", "SA05", "15014", "Médecine générale")]
    result = CliRunner().invoke(app, ["import", "rpps", str(make_zip(tmp_path, lines))])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "(2021-12-02) : 2 lignes importées" in text and "périmètre de l'APL DREES" in text
    from accesoins.store import open_store

    store = open_store(db)
    try:
        assert store.scalar("SELECT count(*) FROM offer WHERE source_id = 'rpps:2021-12-02' "
                            "AND category = 'medecin_generaliste' AND code_commune = '15014'") == 2
        params = json.loads(store.scalar("SELECT parameters FROM sources WHERE source_id = 'rpps:2021-12-02'"))
        assert params["perimetre_generalistes"] == GP_SCOPE and "date de naissance" in params["age_praticiens"]
    finally:
        store.close()


def test_bad_zips(communes, tmp_path):
    empty = tmp_path / "vide.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("LISEZMOI.pdf", "x")
    with pytest.raises(InputError, match="Personne_activite") as err:
        read_rpps(empty, communes=communes)
    assert err.value.file == str(empty)
    lines = excerpt_lines()
    lines[5] = "|".join(lines[5].split("|")[:20])  # truncated line 6
    with pytest.raises(InputError, match="tronquée") as err:
        read_rpps(make_zip(tmp_path, lines), communes=communes)
    assert err.value.line == 6 and "Personne_activite" in err.value.file and err.value.field == "Numéro SIREN site"
    bad = tmp_path / "pas_un_zip.zip"
    bad.write_bytes(b"PK nope")
    with pytest.raises(InputError, match="zip"):
        read_rpps(bad, communes=communes)
