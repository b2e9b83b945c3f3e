"""An RPPS Personne_activite file of specialists, written in the published format for tests.

WRITTEN FOR THE TESTS, not a real extract: the header and the médecin line are those of the real
extraction PS_LibreAcces_Personne_activite of 2 December 2021 (../shared/data/formats/rpps),
and only the fields below are changed (identifier, savoir-faire of TRE_R38, mode, secteur,
commune, structure). Names and structures are fictitious.
"""

from __future__ import annotations

from pathlib import Path

from accesoins.config import PROJECT_ROOT

EXCERPT = (PROJECT_ROOT.parent / "shared" / "data" / "formats" / "rpps"
           / "PS_LibreAcces_Personne_activite_202112020908-excerpt.txt")

# (identifier, SM code, label as in TRE_R38, mode, secteur, commune code, structure id, raison sociale, postcode)
CARDIO = "Cardiologie et Maladies vasculaires"  # TRE_R38 label of SM04
SPECIALISTS = [
    ("10000000001", "SM04", CARDIO, "L", "SA07", "15014", "S1", "CABINET FICTIF A", "15000"),
    ("10000000002", "SM73", "Médecine cardiovasculaire", "S", "SA01", "15014", "S2", "HOPITAL FICTIF B", "15000"),
    ("10000000003", "SM04", CARDIO, "L", "SA08", "15187", "S3", "CABINET FICTIF C", "15100"),
    ("10000000003", "SM04", CARDIO, "L", "SA08", "15014", "S1", "CABINET FICTIF A", "15000"),
    ("10000000004", "SM04", CARDIO, "L", "SA07", "75115", "S4", "CABINET FICTIF D", "75015"),
    ("10000000005", "SM57", "Allergologie", "L", "SA07", "63113", "S5", "CABINET FICTIF E", "63000"),
    ("10000000006", "SM40", "Pédiatrie", "S", "SA01", "69383", "S6", "HOPITAL FICTIF F", "69003"),
    ("10000000007", "SM38", "Ophtalmologie", "L", "SA07", "15187", "S7", "CABINET FICTIF G", "15100"),
    ("10000000008", "SM54", "Médecine générale", "L", "SA07", "15014", "S8", "CABINET FICTIF H", "15000"),
]


def header_and_doctor() -> tuple[list[str], str]:
    lines = EXCERPT.read_text(encoding="utf-8").rstrip("\n").split("\n")
    return lines[0].split("|"), lines[22]  # the real médecin line (SM20, salaried, no address)


def write_specialists(path: Path, rows=SPECIALISTS) -> Path:
    header, doctor = header_and_doctor()
    out = ["|".join(header)]
    for pp, sm, label, mode, secteur, commune, struct, name, cp in rows:
        parts = doctor.split("|")
        for col, value in {"Identifiant PP": pp, "Identification nationale PP": "8" + pp,
                           "Code savoir-faire": sm, "Libellé savoir-faire": label, "Code type savoir-faire": "S",
                           "Code mode exercice": mode, "Code secteur d'activité": secteur,
                           "Code commune (coord. structure)": commune, "Identifiant technique de la structure": struct,
                           "Raison sociale site": name, "Code postal (coord. structure)": cp,
                           "Nom d'exercice": f"FICTIF{pp[-2:]}"}.items():
            parts[header.index(col)] = value
        out.append("|".join(parts))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path
