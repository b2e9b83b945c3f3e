"""Coordinated-care structures from a FINESS extraction in the 2026 format (issue 15, part 3), and
France Santé planning taking them as its existing sites."""

from __future__ import annotations

from finess_structures import write_structures

from accesoins.services.data.imports import import_file
from accesoins.services.observatory import structures
from accesoins.services.planning.france_sante import france_sante_plan


def test_rules_cite_the_finess_nomenclature():
    rules = structures.structure_rules()
    assert rules["kinds"]["maison_sante"]["finess_categories"] == ["603"]
    assert rules["kinds"]["centre_sante"]["finess_categories"] == ["124"]
    assert "2012/135" in rules["nomenclature"]["checked"]
    assert rules["hopitaux_proximite_finess"] == []  # no labelling order read: none invented


def test_structures_counted_per_territory(store_copy, tmp_path):
    import_file(store_copy, "finess", write_structures(tmp_path / "etalab-cs1100502-stock-20260512.csv"))
    table = structures.territory_counts(store_copy).set_index("code")
    assert table.loc["15", "maison_sante"] == 2 and table.loc["15", "centre_sante"] == 1
    assert table.loc["63", "maison_sante"] == 1
    # FINESS 603/124 replace the demonstration's MSP and centres everywhere
    assert table["maison_sante"].sum() == 3 and table["centre_sante"].sum() == 1
    per = table.loc["15", "total"] / table.loc["15", "population"] * 100_000
    assert abs(table.loc["15", "pour_100000"] - per) < 1e-9
    block = structures.portrait(store_copy, "commune", "15014")
    assert {k["type"]: k["nombre"] for k in block["kinds"]}["maison_sante"] == 1
    # the imported sites by name (the demonstration's hôpitaux de proximité stay, marked fictitious)
    assert {s["nom"] for s in block["sites"] if not s["fictif"]} == {"MSP FICTIVE AURILLAC",
                                                                     "CENTRE DE SANTE FICTIF AURILLAC"}
    prov = structures.provenance(store_copy)
    assert any(s["type"] == "maison_sante" and s["millesime"] == "2026-05-12" and not s["fictif"]
               for s in prov["sources"])


def test_listed_finess_numbers_are_hopitaux_de_proximite(store_copy, tmp_path, monkeypatch):
    import_file(store_copy, "finess", write_structures(tmp_path / "etalab-cs1100502-stock-20260512.csv"))
    before = structures.existing_site_counts(store_copy).get("15138", 0)
    monkeypatch.setattr(structures, "_hp_list", lambda: ["150000045"])  # the ex-hôpital local of Murat
    sites = structures.coordinated_sites(store_copy)
    assert sites.loc[sites["identifiant"] == "150000045", "type"].tolist() == ["hopital_proximite"]
    assert structures.existing_site_counts(store_copy)["15138"] == before + 1


def test_planning_takes_the_structures_as_existing_sites(store_copy, tmp_path):
    import_file(store_copy, "finess", write_structures(tmp_path / "etalab-cs1100502-stock-20260512.csv"))
    counts = structures.existing_site_counts(store_copy, ["maison_sante", "centre_sante", "hopital_proximite"])
    assert counts["15014"] >= 2 and counts["15187"] >= 1
    plan = france_sante_plan(store_copy, departement="15", k=1)
    # a commune with an existing structure is never proposed again
    assert not {s["code_commune"] for s in plan["sites"]} & {"15014", "15187"}
    assert plan["existing_covered"] > 0
    without = france_sante_plan(store_copy, departement="15", k=1, existing=False)
    assert without["existing_covered"] == 0
