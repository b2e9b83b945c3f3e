"""Orientation for people: on-duty pharmacies, « À qui m'adresser ? », simulators, prevention advice.

Pages are registered with :func:`private_page`, the shared
:func:`accesoins.api.rendering.page` with ``Cache-Control: private, no-store`` (answers depend on the time
and on what a person typed);
each has its JSON twin. On the HTML page a bad entry is shown in an error
summary linked to its field; on the JSON twin it is a 400 with the shared
error shape. Logic lives in :mod:`accesoins.services.orientation.orientation`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..errors import ParameterError
from ..orientation.rules import all_rules
from ..orientation.rules import value as rule_value
from ..services.orientation import orientation as svc
from .rendering import page, store_of

router = APIRouter()
NO_STORE = {"Cache-Control": "private, no-store"}


def private_page(path: str, template: str, *, summary: str, inline: bool = False) -> Callable:
    """:func:`~accesoins.api.rendering.page` on this router, never cached."""
    return page(router, path, template, summary=summary, tags=["orientation"], headers=NO_STORE, inline=inline)


def _is_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def _fail(request: Request, data: dict, field: str, message: str) -> dict:
    """On the JSON twin raise (400); on the page, add the error to the summary."""
    if _is_json(request):
        raise ParameterError(message)
    data.setdefault("errors", []).append({"field": field, "message": message})
    return data


def _data(request: Request):
    cached = getattr(request.app.state, "orientation_data", None)
    return cached if cached is not None else svc.orientation_data(request.app.state, store_of(request))


@private_page("/orientation", "orientation/index.html", summary="Orientation : services proposés")
def orientation_home(request: Request) -> dict:
    return {"title": "S'orienter dans le système de soins", "demo_notice": None,
            "links": [
                {"href": "/orientation/pharmacies", "label": "Trouver une pharmacie ouverte ou de garde"},
                {"href": "/orientation/a-qui-m-adresser", "label": "À qui m'adresser ?"},
                {"href": "/orientation/specialiste", "label": "Trouver un spécialiste près de chez moi"},
                {"href": "/orientation/simulateurs/css", "label": "Simulateur : Complémentaire santé solidaire"},
                {"href": "/orientation/simulateurs/certificat",
                 "label": "Simulateur : faut-il un certificat médical ?"},
                {"href": "/orientation/simulateurs/ist", "label": "Simulateur : prise en charge du dépistage des IST"},
                {"href": "/orientation/conseils", "label": "Mes conseils santé (prévention)"},
                {"href": "/orientation/regles", "label": "Les règles utilisées et leurs sources"},
            ]}


@private_page("/orientation/pharmacies", "orientation/pharmacies.html", inline=True,
              summary="Pharmacies ouvertes (horaires ou garde) les plus proches, maintenant ou à une date")
def pharmacies(
    request: Request,
    commune: Annotated[str, Query(max_length=100, description="Nom de commune ou code postal")] = "",
    cp: Annotated[str, Query(max_length=5, description="Code postal")] = "",
    code: Annotated[str, Query(max_length=5, description="Code INSEE de commune")] = "",
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Latitude WGS84")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="Longitude WGS84")] = None,
    at: Annotated[str, Query(max_length=30, description="Date-heure locale ISO, ex. 2026-12-25T03:00")] = "",
    date: Annotated[str, Query(max_length=10, description="Date (AAAA-MM-JJ), avec heure")] = "",
    heure: Annotated[str, Query(max_length=5, description="Heure (HH:MM), avec date")] = "",
    limit: Annotated[int, Query(ge=1, le=20, description="Nombre de pharmacies")] = 5,
) -> dict:
    out: dict = {"title": "Pharmacies ouvertes près de chez vous", "q": {"commune": commune, "cp": cp, "date": date,
                 "heure": heure, "at": at}, "errors": [], "result": None, "demo_notice": None}
    if date or heure:
        if not (date and heure):
            return _fail(request, out, "date" if not date else "heure", "Donnez la date et l'heure ensemble.")
        at = f"{date}T{heure}"
    if not any([commune.strip(), cp.strip(), code.strip(), lat is not None, lon is not None]):
        if _is_json(request):
            raise ParameterError("Indiquez une commune, un code postal ou des coordonnées.")
        return out
    data = _data(request)
    out["demo_notice"] = svc.DEMO_NOTICE if data.is_demo else None
    try:
        out["result"] = svc.nearest_pharmacies(data, commune=commune, cp=cp, code=code, lat=lat, lon=lon, at=at,
                                               limit=limit)
    except ParameterError as exc:
        field = "date" if str(exc).startswith("Date") else "commune"
        return _fail(request, out, field, str(exc))
    return out


@private_page("/orientation/a-qui-m-adresser", "orientation/flow.html",
              summary="« À qui m'adresser ? » : orientation pas à pas (jamais un diagnostic)")
def flow(
    request: Request,
    urgence: Annotated[str, Query(max_length=10)] = "",
    motif: Annotated[str, Query(max_length=30)] = "",
    age: Annotated[str, Query(max_length=5)] = "",
    sexe: Annotated[str, Query(max_length=10)] = "",
    medecin: Annotated[str, Query(max_length=10)] = "",
    specialite: Annotated[str, Query(max_length=20)] = "",
    signes_enfant: Annotated[str, Query(max_length=10)] = "",
    moment: Annotated[str, Query(max_length=10)] = "",
    lieu: Annotated[str, Query(max_length=100, description="Commune ou code postal (facultatif)")] = "",
) -> dict:
    answers = {"urgence": urgence, "motif": motif, "age": age, "sexe": sexe, "medecin": medecin,
               "specialite": specialite, "signes_enfant": signes_enfant, "moment": moment}
    data = _data(request) if lieu.strip() else None
    out = svc.orientation_flow(data, answers, lieu=lieu)
    out["lieu"] = lieu
    out["demo_notice"] = None
    if out["errors"] and _is_json(request):
        raise ParameterError(f"{out['errors'][0]['field']} : {out['errors'][0]['message']}")
    return out


def _int(request, out, field, text, low, high, label):
    text = (text or "").strip().replace(" ", "").replace("\u202f", "")
    try:
        v = int(float(text.replace(",", ".")))
    except ValueError:
        _fail(request, out, field, f"{label} : indiquez un nombre.")
        return None
    if not low <= v <= high:
        _fail(request, out, field, f"{label} : entre {low} et {high}.")
        return None
    return v


@private_page("/orientation/simulateurs/css", "orientation/css.html",
              summary="Simulateur : Complémentaire santé solidaire (gratuite ou avec participation)")
def sim_css(
    request: Request,
    personnes: Annotated[str, Query(max_length=10, description="Personnes du foyer")] = "",
    ressources: Annotated[str, Query(max_length=12, description="Ressources des 12 derniers mois (euros)")] = "",
    territoire: Annotated[str, Query(max_length=5, description="metro, 971, 972, 973, 974 ou 976")] = "metro",
    ages: Annotated[str, Query(max_length=80, description="Âges au 1er janvier, séparés par des virgules")] = "",
    alsace_moselle: Annotated[bool, Query(description="Régime local d'Alsace-Moselle")] = False,
) -> dict:
    out: dict = {"title": "Complémentaire santé solidaire : y avez-vous droit ?", "errors": [], "result": None,
                 "q": {"personnes": personnes, "ressources": ressources, "territoire": territoire, "ages": ages,
                       "alsace_moselle": alsace_moselle}, "demo_notice": None,
                 "period": svc.css_period()}
    if not personnes and not ressources:
        return out
    n = _int(request, out, "personnes", personnes, 1, 20, "Personnes du foyer")
    r = _int(request, out, "ressources", ressources, 0, 10_000_000, "Ressources")
    age_list = []
    for part in [a for a in ages.split(",") if a.strip()]:
        a = _int(request, out, "ages", part, 0, 120, "Âges")
        if a is None:
            break
        age_list.append(a)
    if territoire not in ("metro", "971", "972", "973", "974", "976"):
        _fail(request, out, "territoire", "Territoire : choisissez dans la liste.")
    if out["errors"]:
        return out
    out["result"] = svc.css(persons=n, resources=r, territory=territoire, ages=age_list, alsace_moselle=alsace_moselle)
    return out


@private_page("/orientation/simulateurs/certificat", "orientation/certificate.html",
              summary="Simulateur : faut-il un certificat médical (sport, crèche, école) ?")
def sim_certificate(
    request: Request,
    situation: Annotated[str, Query(max_length=10, description="sport, creche ou ecole")] = "",
    age: Annotated[str, Query(max_length=10)] = "",
    contraintes: Annotated[bool, Query(description="Discipline à contraintes particulières")] = False,
    renouvellement: Annotated[bool, Query(description="Renouvellement de licence")] = False,
    annees: Annotated[str, Query(max_length=2, description="Années depuis le dernier certificat")] = "",
    questionnaire_oui: Annotated[bool, Query(description="Au moins un « oui » au questionnaire")] = False,
) -> dict:
    out: dict = {"title": "Faut-il un certificat médical ?", "errors": [], "result": None, "demo_notice": None,
                 "q": {"situation": situation, "age": age, "contraintes": contraintes,
                       "renouvellement": renouvellement, "annees": annees, "questionnaire_oui": questionnaire_oui},
                 "disciplines": rule_value("certificates", "special_constraints_disciplines")}
    if not situation:
        return out
    if situation not in ("sport", "creche", "ecole"):
        return _fail(request, out, "situation", "Choisissez une situation dans la liste.")
    a = _int(request, out, "age", age, 0, 120, "Âge") if situation == "sport" else None
    y = _int(request, out, "annees", annees, 0, 99, "Années") if annees.strip() else None
    if out["errors"]:
        return out
    out["result"] = svc.certificate(situation=situation, age=a, discipline_special=contraintes, renewal=renouvellement,
                                    years_since_certificate=y, questionnaire_yes=questionnaire_oui)
    return out


@private_page("/orientation/simulateurs/ist", "orientation/ist.html",
              summary="Simulateur : prise en charge du dépistage des IST (Mon test IST)")
def sim_ist(request: Request, age: Annotated[str, Query(max_length=10)] = "") -> dict:
    out: dict = {"title": "Dépistage des IST : combien ça coûte ?", "errors": [], "result": None,
                 "q": {"age": age}, "demo_notice": None}
    if not age:
        return out
    a = _int(request, out, "age", age, 0, 120, "Âge")
    if out["errors"]:
        return out
    out["result"] = svc.ist(age=a)
    return out


@private_page("/orientation/conseils", "orientation/advice.html",
              summary="Mes conseils santé : recommandations de prévention (rien n'est conservé)")
def advice(
    request: Request,
    consentement: Annotated[bool, Query(
        description="Consentement explicite à l'affichage de conseils personnalisés")] = False,
    age: Annotated[str, Query(max_length=10)] = "",
    sexe: Annotated[str, Query(max_length=10)] = "",
    enceinte: Annotated[bool, Query()] = False,
    maladie_chronique: Annotated[bool, Query()] = False,
    fumeur: Annotated[bool, Query()] = False,
) -> dict:
    out: dict = {"title": "Mes conseils santé", "errors": [], "result": None, "demo_notice": None,
                 "q": {"consentement": consentement, "age": age, "sexe": sexe, "enceinte": enceinte,
                       "maladie_chronique": maladie_chronique, "fumeur": fumeur}}
    if not age and not consentement:
        return out
    if not consentement:
        return _fail(request, out, "consentement", "Cochez la case de consentement pour voir des conseils "
                     "personnalisés (rien n'est conservé).")
    a = _int(request, out, "age", age, 0, 120, "Âge")
    if sexe not in ("", "femme", "homme", "autre"):
        _fail(request, out, "sexe", "Choisissez une réponse proposée.")
    if enceinte and sexe == "homme":
        _fail(request, out, "enceinte", "La grossesse ne peut être cochée que pour une femme ou « autre ».")
    if out["errors"]:
        return out
    out["result"] = svc.advice(age=a, sex=sexe or None, pregnant=enceinte, chronic=maladie_chronique, smoker=fumeur)
    return out


@private_page("/orientation/regles", "orientation/rules.html",
              summary="Règles d'orientation utilisées, avec leur source officielle et leurs dates")
def rules(request: Request) -> dict:
    rows = [{"file": f, "key": k, "unit": r.get("unit"), "value": r.get("value"), "source": r["source"],
             "text_date": str(r["text_date"]), "applies_from": str(r["applies_from"])} for f, k, r in all_rules()]
    return {"title": "Règles et sources de l'orientation", "rules": rows, "demo_notice": None}
