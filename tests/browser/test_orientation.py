"""Orientation pages in headless Chromium: keyboard flow, pharmacy search, simulator, no external request."""

from __future__ import annotations

from livesite import shot


def _no_external(pg, base):
    seen = []
    pg.on("request", lambda req: seen.append(req.url))
    return lambda: [u for u in seen if not u.startswith(base) and not u.startswith("data:")]


def test_orientation_flow_with_keyboard_only(page, live_site):
    external = _no_external(page, live_site.url)
    page.goto(live_site.url + "/orientation/a-qui-m-adresser")
    assert page.get_by_role("complementary", name="Urgence vitale ?").count() == 1
    # answer "non" to the red flags with the keyboard: focus the radio group, arrow keys, Enter submits
    page.get_by_label("Non, aucun de ces signes").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url("**urgence=non**")
    page.get_by_label("Brûlures ou envies fréquentes en urinant").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url("**motif=urinaire**")
    # a wrong age shows an error summary linked to the field
    page.get_by_label("Quel âge a la personne concernée ?").focus()
    page.keyboard.type("abc")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    assert "âge" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "erreurs"  # focus moved to the summary
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # follow the link to the field
    page.get_by_label("Quel âge a la personne concernée ?").fill("34")
    page.keyboard.press("Enter")
    page.get_by_label("Femme").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.get_by_label("En semaine, dans la journée (cabinets médicaux ouverts)").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.get_by_label("Oui, mais il n'est pas disponible").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_selector("#resultat")
    text = page.locator("main").inner_text()
    assert "Le pharmacien (test urinaire)" in text and "15" in text
    shot(page, "orientation-flow-result")
    assert external() == []


def test_open_pharmacy_from_postcode_on_a_phone(phone, live_site):
    external = _no_external(phone, live_site.url)
    phone.goto(live_site.url + "/orientation/pharmacies")
    phone.get_by_label("Commune ou code postal").fill("15000")
    phone.get_by_label("Date").fill("2026-12-25")
    phone.get_by_label("Heure").fill("03:00")
    phone.get_by_role("button", name="Chercher les pharmacies ouvertes").click()
    phone.wait_for_selector("#resultats")
    cards = phone.locator(".o-card")
    assert cards.count() >= 1
    assert "garde" in cards.first.inner_text()
    assert "FICTIFS" in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "orientation-pharmacies-phone")
    assert external() == []


def test_css_simulator_and_advice_consent(page, live_site):
    external = _no_external(page, live_site.url)
    page.goto(live_site.url + "/orientation/simulateurs/css")
    page.get_by_label("Nombre de personnes dans le foyer").fill("1")
    page.get_by_label("Ressources du foyer sur les 12 derniers mois (en euros)").fill("10339")
    page.get_by_role("button", name="Estimer").click()
    assert "gratuite" in page.get_by_role("status").inner_text()
    shot(page, "orientation-css")
    page.goto(live_site.url + "/orientation/conseils")
    page.get_by_label("Votre âge").fill("52")
    page.get_by_label("Une femme").check()
    page.get_by_role("button", name="Voir mes conseils").click()
    assert "consentement" in page.get_by_role("alert").inner_text()
    page.get_by_label("J'accepte").check()
    page.get_by_role("button", name="Voir mes conseils").click()
    assert "cancer du sein" in page.locator("main").inner_text()
    shot(page, "orientation-advice")
    assert external() == []
