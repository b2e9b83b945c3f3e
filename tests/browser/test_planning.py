"""The France Santé planning page in a real browser: form by keyboard, coverage curve table, phone."""

from __future__ import annotations

from livesite import shot


def test_plan_for_a_departement_shows_the_coverage_curve(page, live_site):
    page.goto(live_site.url + "/planification/france-sante?departement=48&k=3&existants=false&candidats=toutes")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Réseau France Santé")
    page.get_by_label("Nouveaux sites (K)").fill("5")
    page.get_by_label("Nouveaux sites (K)").press("Enter")
    page.wait_for_url("**k=5**")
    table = page.get_by_role("table", name="Courbe de couverture et sites choisis")
    assert table.locator("tbody tr").count() == 6  # K = 0 … 5
    assert "%" in table.locator("tbody tr").last.inner_text()
    shot(page, "planning-france-sante")


def test_plan_on_a_phone(phone, live_site):
    response = phone.goto(live_site.url + "/planification/france-sante?departement=48&k=5&existants=false"
                          "&candidats=toutes")
    assert response.status == 200
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Réseau France Santé")
    table = phone.get_by_role("table", name="Courbe de couverture et sites choisis")
    assert table.locator("tbody tr").count() == 6  # K = 0 … 5
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "planning-france-sante-phone")
