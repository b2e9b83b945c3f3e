"""The France Santé planning page in a real browser: form by keyboard, coverage curve table, phone."""

from __future__ import annotations

from livesite import shot


def test_plan_for_a_departement_shows_the_coverage_curve(page, live_site):
    page.goto(live_site.url + "/planification/france-sante?departement=48&k=3&existants=false&candidats=toutes")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Réseau France Santé")
    page.get_by_label("Nombre de nouveaux sites").fill("5")
    page.get_by_label("Nombre de nouveaux sites").press("Enter")
    page.wait_for_url("**k=5**")
    table = page.get_by_role("table", name="Sites choisis, du plus utile au moins utile")
    chosen = int(page.locator(".plan-keyfigures li").first.locator("strong").inner_text())
    assert 1 <= chosen <= 5 and table.locator("tbody tr").count() == chosen + 1  # 0 … chosen sites
    assert "%" in table.locator("tbody tr").last.inner_text()
    shot(page, "planning-france-sante")


def test_plan_on_a_phone(phone, live_site):
    response = phone.goto(live_site.url + "/planification/france-sante?departement=48&k=5&existants=false"
                          "&candidats=toutes")
    assert response.status == 200
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Réseau France Santé")
    table = phone.get_by_role("table", name="Sites choisis, du plus utile au moins utile")
    chosen = int(phone.locator(".plan-keyfigures li").first.locator("strong").inner_text())
    assert 1 <= chosen <= 5 and table.locator("tbody tr").count() == chosen + 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "planning-france-sante-phone")


def test_scenario_form_with_labelled_choices_and_percentages(page, live_site):
    page.goto(live_site.url + "/planification/scenario?departement=15")
    page.get_by_label("Commune (installation 1)").fill("Aurillac")
    page.get_by_label("Type d'offre (installation 1)").select_option(label="Médecin généraliste")
    page.get_by_label("Nombre (installation 1)").fill("20")
    page.get_by_label("Part de l'activité en téléconsultation (%)").fill("20")
    page.get_by_label("Profession (pour l'APL)").select_option(label="Médecins généralistes")
    page.get_by_label("Territoire affiché").select_option(label="15 — Cantal")
    page.get_by_role("button", name="Comparer").click()
    page.wait_for_url("**teleconsultation=20**", timeout=240_000)
    assert "Aurillac (15014)" in page.get_by_role("heading", name="Ce que change le scénario").locator(
        "xpath=following-sibling::ul[1]").inner_text()
    table = page.get_by_role("table", name="Communes qui changent le plus")
    assert table.locator("tbody tr").count() > 10
    page.get_by_text("Méthode").first.click()
    shot(page, "planning-scenario")


def test_france_sante_for_all_of_france(page, live_site):
    page.goto(live_site.url + "/planification/france-sante?departement=48&k=3")
    page.get_by_label("Territoire").select_option(label="France entière")
    page.get_by_role("button", name="Calculer").click()
    page.wait_for_url("**departement=&**")
    assert page.get_by_role("status").first.inner_text().startswith("France entière")
