"""Files with a geographic level: Paris's ARM lines are kept under their own code instead of
the city's COM line (INSEE POP1B long layout) when the file has all of them, and the summary says so."""

from __future__ import annotations

from accesoins.offer.population import read_population_by_age
from accesoins.territory.codes import CommuneIndex

PARIS = [f"751{i:02d}" for i in range(1, 21)]


def _write(path, rows):
    lines = ["NIVGEO;CODGEO;LIBGEO;SEXE;AGED100;NB"]
    for level, code, nb in rows:
        for sex in ("1", "2"):
            for age in range(101):
                lines.append(f"{level};{code};x;{sex};{age:03d};{nb}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_pop1b_keeps_arrondissement_lines_instead_of_the_city(tmp_path):
    path = tmp_path / "BTT_TD_POP1B_2021.csv"
    _write(path, [("COM", "75056", 30.0), *[("ARM", c, 1.5) for c in PARIS], ("COM", "01001", 5.0)])
    index = CommuneIndex(frozenset({"01001", "75056", *PARIS}))
    batch = read_population_by_age(path, communes=index, vintage="2021")
    totals = batch.rows.groupby("code_commune")["population"].sum()
    assert "75056" not in totals and totals[PARIS].eq(1.5 * 202).all() and totals["01001"] == 5.0 * 202
    assert any("arrondissements municipaux (ARM) gardées" in w and "Paris" in w for w in batch.warnings)


def test_pop1b_partial_arrondissements_keep_the_city(tmp_path):
    path = tmp_path / "BTT_TD_POP1B_2021.csv"
    _write(path, [("COM", "75056", 30.0), ("ARM", "75111", 10.0), ("COM", "01001", 5.0)])
    index = CommuneIndex(frozenset({"01001", "75056", *PARIS}))
    batch = read_population_by_age(path, communes=index, vintage="2021")
    totals = batch.rows.groupby("code_commune")["population"].sum()
    assert totals.to_dict() == {"01001": 5.0 * 202, "75056": 30.0 * 202}  # a partial set would lose people
