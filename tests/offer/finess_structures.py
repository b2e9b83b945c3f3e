"""A FINESS Etalab extraction of coordinated-care structures, written in the 2026 format for tests.

WRITTEN FOR THE TESTS, not a real extract: the first line and the ``structureet`` line of the CH de
Fleyriat are those of the real stock extraction of 12 May 2026 (../shared/data/formats/finess);
only the establishment number, names, commune, département and category (FINESS nomenclature:
603 « Maison de santé (L.6223-3) », 124 « Centre de Santé », 106 « Centre hospitalier, ex Hôpital
local ») are changed. The names are fictitious.
"""

from __future__ import annotations

from pathlib import Path

from accesoins.config import PROJECT_ROOT

EXCERPT = (PROJECT_ROOT.parent / "shared" / "data" / "formats" / "finess"
           / "etalab-cs1100502-stock-20260512-excerpt.csv")
LABELS = {"603": "Maison de santé (L.6223-3)", "124": "Centre de Santé",
          "106": "Centre hospitalier, ex Hôpital local"}
# (FINESS ET, category, département, commune within it, département label, name)
STRUCTURES = [
    ("150000011", "603", "15", "014", "CANTAL", "MSP FICTIVE AURILLAC"),
    ("150000029", "603", "15", "187", "CANTAL", "MSP FICTIVE SAINT-FLOUR"),
    ("150000037", "124", "15", "014", "CANTAL", "CENTRE DE SANTE FICTIF AURILLAC"),
    ("150000045", "106", "15", "138", "CANTAL", "CH FICTIF MURAT"),
    ("630000012", "603", "63", "113", "PUY-DE-DOME", "MSP FICTIVE CLERMONT"),
]


def write_structures(path: Path, rows=STRUCTURES) -> Path:
    lines = EXCERPT.read_text(encoding="utf-8").rstrip("\n").split("\n")
    first, model = lines[0], lines[1].split(";")  # the CH de Fleyriat line
    out = [first]
    for et, cat, dep, com, deplabel, name in rows:
        f = list(model)
        f[1], f[2], f[3], f[4] = et, et[:2] + "0" + et[3:], name, name
        f[12], f[13], f[14] = com, dep, deplabel
        f[18], f[19] = cat, LABELS[cat]
        out.append(";".join(f))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path
