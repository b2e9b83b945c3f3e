"""Paris by arrondissement in a real browser: the commune map zoomed on Paris shows the 45
arrondissements, and the Paris 11e portrait draws its own contour."""

from __future__ import annotations

from livesite import shot


def test_commune_map_zoomed_on_paris_shows_arrondissements(page, live_site):
    page.goto(live_site.url + "/observatoire?niveau=commune&departement=75&indicateur=apl_medecin_generaliste")
    page.wait_for_selector("#map[data-ready]", timeout=60_000)
    assert int(page.get_attribute("#map", "data-ready")) == 1  # Paris, one commune of its département
    page.wait_for_selector("#map[data-arrondissements]", timeout=30_000)  # zoomed in: the arrondissements
    assert int(page.get_attribute("#map", "data-arrondissements")) == 45
    shot(page, "observatoire-paris-arrondissements")


def test_paris_11e_portrait(page, live_site):
    page.goto(live_site.url + "/communes")
    page.get_by_label("Nom, code postal ou code INSEE").fill("Paris 11e")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Paris 11e arrondissement").first.click()
    page.wait_for_selector("#portrait-map[data-ready]", timeout=30_000)
    assert page.get_by_role("link", name="Paris").first.is_visible()
    table = page.get_by_role("table", name="Indicateurs de Paris 11e arrondissement comparés aux territoires qui "
                                           "l'englobent")
    assert "Paris" in table.inner_text() and "Île-de-France" in table.inner_text()
    shot(page, "portrait-paris-11e")
