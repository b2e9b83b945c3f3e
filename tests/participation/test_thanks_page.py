"""The thank-you page after a questionnaire says the real publication threshold, never a raw placeholder."""

from __future__ import annotations

from importlib import resources

import jinja2

RESULT = {"response_id": "a1b2c3d4e5f6a7b8", "site": "demo-1"}


def _render(**page) -> str:
    root = resources.files("accesoins.web") / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(root)), autoescape=True)
    template = env.get_template("participation/thanks.html")
    # Only the thanks block matters here: render it without the site's layout.
    block = template.blocks["content"]
    return "".join(block(template.new_context({"page": page, "json_url": None})))


def test_threshold_is_rendered_as_a_number():
    html = _render(title="Merci", easy=False, result=RESULT, questionnaire={}, threshold=10, demo_notice=None)
    assert "au moins 10 réponses par résultat" in html
    assert "{{" not in html and "page.threshold" not in html


def test_easy_read_version():
    html = _render(title="Merci", easy=True, result=RESULT, questionnaire={}, threshold=10, demo_notice=None)
    assert "Personne ne peut savoir que c'est vous." in html and "réponses par résultat" not in html
