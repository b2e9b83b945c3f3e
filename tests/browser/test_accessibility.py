"""Automated accessibility audit (axe-core, WCAG 2.1 A/AA rules) of the main pages in Chromium.

axe-core comes from the npm registry (installed by ``make test``) and is injected into each
page; serious and critical violations fail the test, with what and where in the message.
"""

from __future__ import annotations

import pytest

from accesoins.config import PROJECT_ROOT

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# each page with the start of its level-1 heading: the audit runs only on the page it names, never on an
# error page
PAGES = [
    ("/", "accesoins — l'accès aux soins"),
    ("/sources", "Sources et licences"),
    ("/communes?q=saint", "Rechercher une commune"),
    ("/commune/15014", "Aurillac"),
    ("/observatoire", "Observatoire de l'accès aux soins"),
    ("/territoire/departement/15", "Cantal"),
    ("/comparer?niveau=departement&codes=15,75", "Comparer des territoires"),
    ("/donnees", "Données ouvertes"),
    ("/observatoire/series", "Séries de l'Observatoire"),
    ("/orientation", "S'orienter dans le système de soins"),
    ("/orientation/pharmacies?cp=15000&at=2026-12-25T03:00", "Pharmacies ouvertes près de chez vous"),
    ("/orientation/a-qui-m-adresser", "À qui m'adresser ?"),
    ("/orientation/simulateurs/css", "Complémentaire santé solidaire"),
    ("/orientation/conseils", "Mes conseils santé"),
    ("/orientation/specialiste?specialite=allergologie&lieu=Aurillac", "Trouver un spécialiste près de chez moi"),
    ("/observatoire/specialistes?specialite=cardiologie", "Accès aux spécialistes — Cardiologie"),
    ("/observatoire/structures", "Structures d'exercice coordonné"),
    ("/planification", "Planifier et réguler l'offre de soins"),
    ("/planification/france-sante?departement=48&k=3", "Réseau France Santé"),
    ("/planification/scenario?installations=15014:medecin_generaliste:20&departement=15", "Scénario"),
    ("/planification/scenario?installations=15014:inconnue:2", "Scénario : à corriger"),
    ("/planification/installation", "Vérifier une installation"),
    ("/orientation/a-qui-m-adresser?urgence=non&motif=enfant&signes_enfant=non&age=4&moment=garde&lieu=Aurillac",
     "À qui m'adresser ?"),
    ("/orientation/simulateurs/css?personnes=2&ressources=15000", "Complémentaire santé solidaire"),
    ("/orientation/simulateurs/certificat", "Faut-il un certificat médical ?"),
    ("/orientation/simulateurs/ist", "Dépistage des IST"),
    ("/orientation/regles", "Règles et sources de l'orientation"),
    ("/planification/scenario?inst_commune_1=Aurillac&inst_type_1=medecin_generaliste&inst_nombre_1=20"
     "&departement=15", "Scénario"),
    ("/planification/scenario?inst_commune_2=Zorglub&inst_nombre_2=3", "Scénario : à corriger"),
    ("/planification/scenarios", "Scénarios enregistrés"),
    ("/planification/medecins-solidaires", "Médecins solidaires"),
    ("/participation", "Expérience des patients et participation"),
    ("/participation/questionnaire/experience-consultation", "Votre expérience lors de votre venue"),
    ("/participation/annuaire", "Annuaire de la participation"),
    ("/participation/site/150780096", "150780096"),
    ("/participation/repondre/experience-consultation", "Votre expérience lors de votre venue"),
]


@pytest.fixture(params=["bureau", "telephone"])
def audit_page(browser, request):
    """A page whose CSP lets axe-core be injected (the site's own CSP is checked by test_csp.py), on a
    desktop and on a phone (the folded menu is audited too)."""
    size = {"width": 1280, "height": 900} if request.param == "bureau" else {"width": 390, "height": 844}
    context = browser.new_context(locale="fr-FR", viewport=size, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_no_serious_accessibility_violation(audit_page, live_site, path, heading):
    page = audit_page
    response = page.goto(live_site.url + path)
    assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    h1 = page.get_by_role("heading", level=1)
    assert h1.count() == 1 and h1.inner_text().startswith(heading), f"{path}: h1 {h1.all_inner_texts()}"
    if page.viewport_size["width"] < 500 and page.locator(".menu-toggle").is_visible():
        page.locator(".menu-toggle").click()  # audit the open menu too
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa']}, resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    detail = "; ".join(f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
                       for v in serious)
    assert not serious, f"{path}: {detail}"
