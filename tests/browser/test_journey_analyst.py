"""An analyst's journey in a real browser, screenshot at each step (tests/artifacts/journey-analyst-*.png).

Choose an indicator on the observatory map, open a département portrait from the ranking, open one
of its communes, compare two communes typed by name, download the comparison as a CSV.
"""

from __future__ import annotations

import csv
import io

from livesite import shot


def step(page, n: int, name: str) -> None:
    shot(page, f"journey-analyst-{n:02d}-{name}")


def test_analyst_journey(page, live_site):
    # 1. the observatory: choose an indicator, the map redraws
    page.goto(live_site.url + "/observatoire")
    page.locator("#indicateur").select_option("temps_maternite")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**indicateur=temps_maternite**")
    page.wait_for_selector("#map[data-ready]", timeout=30_000)
    assert int(page.get_attribute("#map", "data-ready")) == 101
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    step(page, 1, "observatoire-indicateur")

    # 2. a département portrait, from the ranking: its map, its communes ranked
    best = page.get_by_role("table", name="Les mieux placés").get_by_role("link").first
    departement = best.inner_text()
    best.click()
    page.wait_for_selector("#portrait-map[data-ready]", timeout=30_000)
    assert page.get_by_role("heading", level=1).inner_text().startswith(departement)
    assert page.locator(".legend li").count() >= 5
    ranking = page.get_by_role("region", name="communes de")
    assert ranking.get_attribute("tabindex") == "0"
    step(page, 2, "portrait-departement")

    # sort the ranking by population (a header button), the largest commune first
    page.get_by_role("button", name="Population").click()
    page.get_by_role("button", name="Population").click()
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Population")
    largest = ranking.locator("tbody tr").first.get_by_role("link")
    commune = largest.inner_text()
    step(page, 3, "classement-trie")

    # 3. the commune's portrait: a map with its neighbours, the nearest care
    largest.click()
    page.wait_for_selector("#portrait-map[data-ready]", timeout=30_000)
    assert page.get_by_role("heading", level=1).inner_text().startswith(commune)
    assert int(page.get_attribute("#portrait-map", "data-ready")) >= 3  # the commune and neighbours
    step(page, 4, "portrait-commune")

    # 4. compare two communes typed by name, as people type them
    page.get_by_role("link", name="Comparer avec d'autres communes").click()
    page.get_by_label("Territoires").fill("aurillac, Saint-Flour")
    page.get_by_role("button", name="Comparer").click()
    table = page.get_by_role("table", name="Comparaison de Aurillac, Saint-Flour")
    # the figure the JSON twin gives, written the French way on the page
    twin = page.request.get(live_site.url + "/comparer.json?niveau=commune&codes=15014").json()
    row = next(r for r in twin["rows"] if r["indicator"] == "apl_medecin_generaliste_65")
    aurillac_apl = f"{row['values'][0]:.2f}".replace(".", ",")
    assert table.is_visible() and aurillac_apl in table.inner_text()
    step(page, 5, "comparaison-par-nom")

    # an unknown name: a French message, the form kept
    page.get_by_label("Territoires").fill("Aurillac, Sainte-Colombe, Vilneuve-sur-Rien")
    page.get_by_role("button", name="Comparer").click()
    assert "ne s'appelle « Vilneuve-sur-Rien »" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Territoires").input_value() == "Aurillac, Sainte-Colombe, Vilneuve-sur-Rien"
    step(page, 6, "comparaison-a-preciser")
    page.get_by_role("link", name="Sainte-Colombe").first.click()
    assert page.get_by_role("table", name="Comparaison de Aurillac, Sainte-Colombe").is_visible()

    # 5. download the comparison: French spreadsheet convention, names beside codes
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger cette comparaison (CSV, tableur français)").click()
    raw = open(info.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert {r["nom"] for r in rows} == {"Aurillac", "Sainte-Colombe"}
    apl = next(r for r in rows if r["code"] == "15014" and r["indicateur"] == "apl_medecin_generaliste_65")
    assert abs(float(apl["valeur"].replace(",", ".")) - row["values"][0]) < 1e-3  # decimal comma, same figure
    step(page, 7, "telechargement-csv")
