"""Planning for decision makers: France Santé sites, solidarity rotas, scenarios, installation rules.

Pages are registered with :func:`accesoins.api.rendering.page` on this module's
router, so each has its JSON twin; logic lives in :mod:`accesoins.services.planning`'s modules.
GeoJSON endpoints (``application/geo+json``) expose chosen sites and scenario
differences for maps.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ..errors import ParameterError
from ..planning import installation as rules_check
from ..services.planning import common, rotas, views
from ..services.planning import france_sante as france_sante_svc
from ..services.planning import installation as installation_svc
from ..services.planning import saved_scenarios as saved
from ..services.planning import scenarios as scenarios_svc
from .heavy import heavy_for
from .participation.base import participation_store
from .rendering import json_safe, store_of
from .rendering import page as _page

router = APIRouter()
TAGS = ["planification"]


def page(path: str, template: str, **kw):
    return _page(router, path, template, tags=TAGS, **kw)


# Empty = France entière (the forms say so); an unknown code is refused by the service in French.
Dep = Annotated[str | None, Query(max_length=3,
                                  description="Code du département (ex. 15, 2A, 971) ; vide : France entière")]
K = Annotated[int, Query(ge=0, le=10_000, description="Nombre de nouveaux sites")]
# Optional numbers arrive as text: a form's empty field means « not set », not an error.
Minutes = Annotated[str | None, Query(max_length=12, description="Seuil de temps (minutes, 1 à 30) ; vide : 30")]


def _optional_number(text: str | None, label: str, lo: float, hi: float, *, integer: bool = False):
    """``text`` as a number within [lo, hi], None when empty; a French message otherwise."""
    if text is None or not text.strip():
        return None
    try:
        x = float(text.strip().replace(",", "."))
    except ValueError:
        raise ParameterError(f"{label} : un nombre est attendu (reçu « {text} »).") from None
    if integer and x != int(x):
        raise ParameterError(f"{label} : un nombre entier est attendu.")
    if not lo <= x <= hi:
        raise ParameterError(f"{label} : entre {lo:g} et {hi:g}.")
    return int(x) if integer else x


def _minutes(text: str | None) -> float | None:
    return _optional_number(text, "temps de trajet maximal", 1, 30)
Cands = Annotated[Literal["eligibles", "toutes"], Query(description="Communes candidates")]


@page("/planification", "planning/index.html", summary="Planification : outils et règles")
def planning_index(request: Request) -> dict:
    return common.index(store_of(request))


@page("/planification/france-sante", "planning/france_sante.html",
      summary="Réseau France Santé : sites à labelliser (couverture maximale à 30 min)")
def france_sante(request: Request, departement: Dep = "15", k: K = 10, minutes: Minutes = None,
                 candidats: Cands = "eligibles",
                 existants: Annotated[bool, Query(description="Sites existants déjà labellisés")] = True,
                 exact: Annotated[bool, Query(description="Comparer au MILP exact (département)")] = True,
                 ) -> dict:
    store = store_of(request)
    data = france_sante_svc.france_sante_plan(store, departement=departement or None, k=k,
                                 max_minutes=_minutes(minutes), candidates=candidats, existing=existants,
                                 exact=exact and bool(departement))
    data["choices"] = common.form_choices(store)
    return data


@router.get("/planification/france-sante.geojson", tags=TAGS,
            summary="Sites France Santé choisis (GeoJSON)")
def france_sante_geojson(request: Request, departement: Dep = "15", k: K = 10, minutes: Minutes = None,
                         candidats: Cands = "eligibles", existants: bool = True,
                         exact: Annotated[bool, Query(description="Solution exacte (MILP, département)")] = True,
                         ) -> JSONResponse:
    data = france_sante_svc.france_sante_geojson(store_of(request), departement=departement or None, k=k,
                                    max_minutes=_minutes(minutes), candidates=candidats, existing=existants,
                                    exact=exact and bool(departement))
    return JSONResponse(json_safe(data), media_type="application/geo+json")


@page("/planification/medecins-solidaires", "planning/solidaires.html",
      summary="Médecins solidaires : planning mensuel des volontaires et APL après planning")
def solidaires(request: Request, departement: Annotated[str, Query(pattern=r"^(\d{2,3}|2[ABab])$")] = "15",
               annee: Annotated[int, Query(ge=2020, le=2100)] = dt.date.today().year,
               mois: Annotated[int, Query(ge=1, le=12)] = dt.date.today().month,
               minutes: Annotated[float | None, Query(gt=0, le=120)] = None,
               part_volontaires: Annotated[float, Query(gt=0, le=1)] = 0.1,
               jours_volontaire: Annotated[int | None, Query(ge=0, le=31)] = None,
               jours_commune: Annotated[int, Query(ge=1, le=31)] = 8,
               par_jour: Annotated[int, Query(ge=1, le=10)] = 1,
               graine: Annotated[int, Query(ge=0, le=2**31)] = 2026) -> dict:
    params = _rota_params(departement, annee, mois, minutes, part_volontaires, jours_volontaire, jours_commune,
                          par_jour, graine)
    # ~14 s of CPU per parameter set: cached, off the server process, admitted under limits
    client = request.client.host if request.client else "inconnu"
    return heavy_for(request.app.state).run(client, getattr(request.app.state, "etag_seed", ""),
                                            rotas.solidarity_rota, params, store=store_of(request))


def _rota_params(departement="15", annee=None, mois=None, minutes=None, part_volontaires=0.1,
                 jours_volontaire=None, jours_commune=8, par_jour=1, graine=2026) -> dict:
    today = dt.date.today()
    return dict(departement=departement.upper(), year=annee or today.year, month=mois or today.month,
                max_minutes=minutes, volunteer_share=part_volontaires, days_per_volunteer=jours_volontaire,
                days_per_commune=jours_commune, max_per_day=par_jour, seed=graine)


def prewarm(state) -> None:
    """Compute the default médecins-solidaires page once, in the heavy worker, right after start.

    The page's default (Cantal, this month) is the one most visitors open; it costs tens of
    seconds of CPU cold and a few milliseconds once cached, so the server pays it before
    anyone asks. Called from the application's warm-up thread.
    """
    store = getattr(state, "store", None)
    if store is None:
        return
    heavy_for(state).run("démarrage", getattr(state, "etag_seed", ""), rotas.solidarity_rota, _rota_params(),
                         store=store)


def _scenario_args(nom, retraite, installations, fermetures, assistants, teleconsultation, population):
    # the forms and the query take percentages as people type them (20 = 20 %); the scenario, shares
    retraite = _optional_number(retraite, "âge de départ des généralistes", 40, 90, integer=True)
    return scenarios_svc.scenario_from_query(name=nom, retirement_age=retraite, installations=installations,
                                   closures=fermetures, assistants=assistants / 100,
                                   teleconsultation=teleconsultation / 100, population_factor=population)


Nom = Annotated[str, Query(max_length=60, description="Nom du scénario")]
Retraite = Annotated[str | None, Query(max_length=12,
                                       description="Âge de départ des généralistes (40 à 90) ; vide : aucun")]
Items = Annotated[str, Query(max_length=2000, description="commune:catégorie:nombre, séparés par des virgules")]
Share = Annotated[float, Query(ge=0, le=100, description="Part en pourcentage, de 0 à 100 (ex. 20 pour 20 %)")]
Indic = Annotated[Literal["apl", "nearest", "coverage"], Query(description="Indicateur comparé")]
Level = Annotated[Literal["departement", "region"], Query(description="Niveau territorial agrégé")]


@page("/planification/scenario", "planning/scenario.html",
      summary="Scénario calculé sans enregistrement : indicateur avant / après")
def scenario(request: Request, nom: Nom = "essai", retraite: Retraite = None, installations: Items = "",
             fermetures: Items = "", assistants: Share = 0.0, teleconsultation: Share = 0.0,
             population: Annotated[float, Query(ge=0.5, le=2)] = 1.0, indicateur: Indic = "apl",
             profession: Annotated[str, Query(max_length=40)] = "medecin_generaliste",
             categorie: Annotated[str, Query(max_length=40)] = "urgences", departement: Dep = "15",
             niveau: Level = "departement") -> dict:
    store = store_of(request)
    choices = common.form_choices(store)
    rows = _rows(request)
    form = {"nom": nom, "retraite": retraite or "", "assistants": f"{assistants:g}",
            "teleconsultation": f"{teleconsultation:g}", "installations": installations,
            "fermetures": fermetures, "indicateur": indicateur, "profession": profession,
            "categorie": categorie, "departement": departement or "", **rows["form"]}
    try:
        # labelled rows (commune by name, type by label) join the free-text items
        installations, fermetures = _items(store, rows, choices, installations, fermetures, departement)
        definition = _scenario_args(nom, retraite, installations, fermetures, assistants, teleconsultation,
                                    population)
        data = scenarios_svc.run_scenario(store, definition, indicator=indicateur, profession=profession,
                                category=categorie, departement=departement or None, level=niveau)
    except ParameterError as exc:
        if request.url.path.endswith(".json"):
            raise
        # the page keeps what was typed and names the field to correct, like the orientation forms
        data = {"title": "Scénario : à corriger", "demo_notice": None,
                "errors": [{"field": _field_of(str(exc)), "message": str(exc)}]}
    data["query"] = _canonical_query(request, installations, fermetures)
    data["form"] = form
    data["choices"] = choices
    return data


ROWS = {"inst": 3, "ferm": 2}  # labelled rows offered by the form: installations, closures


def _rows(request: Request) -> dict:
    q = request.query_params
    out: dict = {"form": {}}
    for kind, n in ROWS.items():
        out[kind] = []
        for i in range(1, n + 1):
            row = {f: (q.get(f"{kind}_{f}_{i}") or "")[:80] for f in ("commune", "type", "nombre")}
            out[kind].append(row)
            out["form"].update({f"{kind}_{f}_{i}": v for f, v in row.items()})
    return out


def _items(store, rows: dict, choices: dict, installations: str, fermetures: str, departement: str | None):
    cats = choices["categories"]
    inst = views.items_from_rows(store, rows["inst"], cats, closing=False, departement=departement or None)
    ferm = views.items_from_rows(store, rows["ferm"], cats, closing=True, departement=departement or None)
    inst_text = ",".join(x for x in [views.labels_to_codes(installations, cats), *inst] if x)
    ferm_text = ",".join(x for x in [views.labels_to_codes(fermetures, cats), *ferm] if x)
    return inst_text, ferm_text


def _canonical_query(request: Request, installations: str, fermetures: str) -> str:
    """The page's query with the labelled rows folded into ``installations``/``fermetures`` (for maps, saving)."""
    keep = {k: v for k, v in request.query_params.items()
            if not k.startswith(("inst_", "ferm_")) and k not in ("installations", "fermetures")}
    if installations:
        keep["installations"] = installations
    if fermetures:
        keep["fermetures"] = fermetures
    return urlencode(keep)


_FIELDS = (("installations", "installations"), ("fermeture", "fermetures"), ("closures", "fermetures"),
           ("téléconsultation", "teleconsultation"), ("assistant", "assistants"), ("âge", "retraite"),
           ("name", "nom"), ("département", "departement"), ("profession", "profession"),
           ("catégorie", "categorie"))


def _field_of(message: str) -> str:
    """The form field a French error message is about (the first one named)."""
    row = re.match(r"^(Installation|Fermeture) (\d) — (Commune|Type|Nombre)", message)
    if row:  # a labelled row: its commune, type or number field
        kind = "inst" if row[1] == "Installation" else "ferm"
        field = {"Commune": "commune", "Type": "type", "Nombre": "nombre"}[row[3]]
        return f"{kind}_{field}_{row[2]}"
    low = message.lower()
    hits = [(low.find(word), field) for word, field in _FIELDS if word in low]
    return min(hits)[1] if hits else "nom"


@router.get("/planification/scenario.geojson", tags=TAGS, summary="Différences d'un scénario (GeoJSON)")
def scenario_geojson(request: Request, nom: Nom = "essai", retraite: Retraite = None, installations: Items = "",
                     fermetures: Items = "", assistants: Share = 0.0, teleconsultation: Share = 0.0,
                     population: Annotated[float, Query(ge=0.5, le=2)] = 1.0, indicateur: Indic = "apl",
                     profession: Annotated[str, Query(max_length=40)] = "medecin_generaliste",
                     categorie: Annotated[str, Query(max_length=40)] = "urgences",
                     departement: Dep = "15") -> JSONResponse:
    definition = _scenario_args(nom, retraite, installations, fermetures, assistants, teleconsultation,
                                population)
    data = scenarios_svc.scenario_geojson(store_of(request), definition, indicator=indicateur, profession=profession,
                                category=categorie, departement=departement or None)
    return JSONResponse(json_safe(data), media_type="application/geo+json")


@page("/planification/scenarios", "planning/scenarios.html", summary="Scénarios enregistrés",
      headers={"Cache-Control": "private, no-store"})
def scenarios(request: Request) -> dict:
    data = scenarios_svc.list_scenarios(store_of(request))
    data["saved"] = saved.list_saved(participation_store(request))
    return data


@page("/planification/scenarios/{name}", "planning/scenario.html", summary="Calcul d'un scénario enregistré")
def saved_scenario(request: Request, name: str, indicateur: Indic = "apl",
                   profession: Annotated[str, Query(max_length=40)] = "medecin_generaliste",
                   categorie: Annotated[str, Query(max_length=40)] = "urgences", departement: Dep = None,
                   niveau: Level = "departement") -> dict:
    store = store_of(request)
    data = scenarios_svc.run_scenario(store, scenarios_svc.get_scenario(store, name), indicator=indicateur,
                            profession=profession, category=categorie, departement=departement or None,
                            level=niveau)
    data["form"] = scenarios_svc.scenario_form(data["scenario"], data["params"])
    data["choices"] = common.form_choices(store)
    return data


@page("/planification/installation", "planning/installation.html",
      summary="Vérifier une installation : un pour un, licence d'officine, aides, zonage")
def installation(request: Request,
                 type: Annotated[Literal["un_pour_un", "officine", "aide_officine", "zonage_medecin"],
                                 Query(description="Question posée")] = "zonage_medecin",
                 commune: Annotated[str, Query(pattern=r"^(\d{5}|2[ABab]\d{3}|97\d{3})$")] = "15014",
                 profession: Annotated[str | None, Query(max_length=40)] = None,
                 zone: Annotated[str | None, Query(max_length=30)] = None,
                 departs: Annotated[int, Query(ge=0, le=1000)] = 0,
                 derniere_officine: Annotated[float | None, Query(ge=0)] = None,
                 chiffre_affaires: Annotated[float | None, Query(ge=0)] = None,
                 territoire_fragile: bool | None = None, zone_sous_dense: bool | None = None) -> dict:
    data = installation_svc.installation_check(store_of(request), kind=type, commune=commune, profession=profession,
                                  zone=zone or None, departures=departs,
                                  last_pharmacy_served=derniere_officine, turnover=chiffre_affaires,
                                  fragile=territoire_fragile, underserved=zone_sous_dense)
    data["zones"] = [{"code": "", "label": "—"}, *({"code": z, "label": rules_check.ZONE_LABELS.get(z, z)}
                                                  for z in rules_check.ZONES)]
    data["professions"] = [{"code": p, "label": common.category_label(p)} for p in rules_check.REGULATED]
    return data


# saving from the page: routes under /participation (where the session cookie goes)
from .scenarios_saved import router as _saving  # noqa: E402  (registered on this area's router)

router.include_router(_saving)
