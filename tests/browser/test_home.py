"""The home page in a real browser: keyboard, search, phone layout."""

from __future__ import annotations

from livesite import shot


def test_home_keyboard_and_search(page, live_site):
    page.goto(live_site.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Aller au contenu" in focused  # the skip link comes first
    assert page.get_by_role("note").count() == 1  # demonstration notice
    page.get_by_label("Nom, code postal ou code INSEE").fill("Aurillac")
    page.keyboard.press("Enter")
    page.wait_for_url("**/communes?q=Aurillac")
    page.get_by_role("link", name="Aurillac").first.click()
    page.wait_for_url("**/commune/15014")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Aurillac")
    shot(page, "commune-portrait-basic")


def test_home_on_a_phone(phone, live_site):
    response = phone.goto(live_site.url + "/")
    assert response.status == 200
    assert phone.get_by_role("heading", level=1).inner_text().startswith("accesoins — l'accès aux soins")
    assert phone.get_by_label("Nom, code postal ou code INSEE").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    shot(phone, "home-phone")
