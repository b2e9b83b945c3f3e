"""The observatory in a real browser: the map, a commune search, its portrait, a CSV download."""

from __future__ import annotations

import csv
import io

from livesite import shot


def test_dashboard_map_loads_with_every_departement(page, live_site):
    page.goto(live_site.url + "/observatoire")
    page.wait_for_selector("#map[data-ready]", timeout=30_000)
    assert int(page.get_attribute("#map", "data-ready")) == 101
    assert "Carte chargée" in page.inner_text("#map-status")
    assert page.locator(".legend li").count() >= 3
    shot(page, "observatoire-carte-departements")


def test_commune_map_of_all_france(page, live_site):
    page.goto(live_site.url + "/observatoire?niveau=commune&indicateur=temps_urgences")
    page.wait_for_selector("#map[data-ready]", timeout=60_000)
    assert int(page.get_attribute("#map", "data-ready")) == 34_875
    shot(page, "observatoire-carte-communes")


def test_search_portrait_and_download(page, live_site):
    page.goto(live_site.url + "/communes")
    page.get_by_label("Nom, code postal ou code INSEE").fill("15000")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Aurillac").first.click()
    page.wait_for_selector("#portrait-map[data-ready]", timeout=30_000)
    assert page.get_by_role("heading", name="Les soins les plus proches").is_visible()
    table = page.get_by_role("table", name="Indicateurs de Aurillac comparés aux territoires qui l'englobent")
    assert "Cantal" in table.inner_text() and "France" in table.inner_text()
    shot(page, "portrait-commune-aurillac")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger les indicateurs de Aurillac (CSV)").click()
    # French spreadsheet convention: « ; », decimal comma, UTF-8 with BOM, names beside codes
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read()), delimiter=";"))
    assert {r["code"] for r in rows} == {"15014"}
    assert any(r["indicateur"] == "apl_medecin_generaliste_65" for r in rows)
    assert {r["nom"] for r in rows} == {"Aurillac"} and all("." not in r["valeur"] for r in rows)


def _tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches ``selector``; the number of presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


def test_keyboard_reaches_the_indicator_form_and_map(page, live_site):
    response = page.goto(live_site.url + "/observatoire")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Observatoire de l'accès aux soins"
    _tab_to(page, "#indicateur")
    page.select_option("#indicateur", "temps_maternite")
    _tab_to(page, "form.controls button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**indicateur=temps_maternite**")
    page.wait_for_selector("#map[data-ready]", timeout=30_000)
    _tab_to(page, "#map")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
