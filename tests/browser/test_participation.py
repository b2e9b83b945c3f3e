"""Answering a questionnaire with the keyboard only, on a phone, in a real browser."""

from __future__ import annotations

from livesite import shot

QUESTIONS = 7  # experience-consultation, version 1


def _tab_to(pg, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with the Tab key")


def test_answer_with_the_keyboard_on_a_phone(phone, live_site):
    phone.goto(live_site.url + "/participation/repondre/experience-consultation?facile=1")
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "no horizontal scrolling"
    shot(phone, "participation-form-easy-phone")
    _tab_to(phone, "site")
    phone.keyboard.type("750712184")
    for i in range(QUESTIONS):
        phone.keyboard.press("Tab")  # into the next radio group (its first option gets focus)
        assert phone.evaluate("document.activeElement.type") == "radio", f"question {i + 1}"
        for _ in range(3):
            phone.keyboard.press("ArrowDown")  # arrows move and select: 4th option, "Oui, tout à fait"
    assert phone.locator("input[type=radio]:checked").count() == QUESTIONS
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.tagName") == "BUTTON"
    shot(phone, "participation-form-filled-phone")
    phone.keyboard.press("Enter")
    ack = phone.get_by_role("status")
    ack.wait_for()
    assert "Merci" in ack.inner_text()
    assert phone.evaluate("document.activeElement.id") == "accuse", "focus moves to the acknowledgement"
    shot(phone, "participation-thanks-phone")


def test_missing_answers_are_announced(phone, live_site):
    phone.goto(live_site.url + "/participation/repondre/sante-percue?site=750712184")
    phone.get_by_role("button", name="Envoyer mes réponses").press("Enter")
    alert = phone.get_by_role("alert")
    alert.wait_for()
    assert "pas répondu" in alert.inner_text()
    assert phone.evaluate("document.activeElement.id") == "erreurs"
    shot(phone, "participation-errors-phone")
