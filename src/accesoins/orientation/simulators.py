"""Simulators: Complémentaire santé solidaire, medical certificates, STI test coverage.

Pure functions of what the person enters; every figure comes from the rule
files, and every answer carries its sources. Nothing is stored.
"""

from __future__ import annotations

from datetime import date

from ..errors import ParameterError
from .rules import rule, source_of, value

DROM = ("971", "972", "973", "974")


def css_ceilings(persons: int, territory: str = "metro") -> dict[str, int]:
    """Yearly ceilings (euros) without and with participation for a household size and territory.

    ``territory`` is ``"metro"`` or a DROM code (``"971"`` … ``"974"``); DROM
    ceilings are the métropole ones times ``css.drom_coefficient``, rounded to the euro.
    """
    if persons < 1:
        raise ParameterError("Le foyer compte au moins une personne.")
    out = {}
    for key, name in (("free", "ceilings_free"), ("participation", "ceilings_participation")):
        table = value("css", name)
        base = table[str(min(persons, 4))] + max(persons - 4, 0) * table["extra_person"]
        if territory in DROM:
            # each published amount is raised then rounded (per size, and the per-person step)
            coef = value("css", "drom_coefficient")
            base = round(table[str(min(persons, 4))] * coef) + max(persons - 4, 0) * round(table["extra_person"] * coef)
        out[key] = int(base)
    return out


def ceilings_period(on: date | None = None) -> dict[str, object]:
    """The period the CSS ceilings of the rules cover, and whether ``on`` (default today) falls in it.

    The ceilings are revalued each 1 April by arrêté; until the new ones are entered in
    ``rules/orientation/css.yaml`` (with their source), every answer says which period its
    figures belong to instead of presenting past ceilings as current.
    """
    r = rule("css", "ceilings_free")
    start = date.fromisoformat(str(r["applies_from"]))
    until = date.fromisoformat(str(r["applies_until"]))
    on = on or date.today()
    current = start <= on <= until
    text = f"Plafonds applicables du {start:%d/%m/%Y} au {until:%d/%m/%Y}"
    note = (None if current else
            f"Ces plafonds ne sont plus en vigueur depuis le {until:%d/%m/%Y} : ceux revalorisés au 1er avril "
            f"suivant n'ont pas encore été vérifiés dans une source officielle. L'estimation ci-dessous est "
            f"indicative ; vérifiez votre droit sur ameli.fr ou auprès de votre caisse.")
    return {"from": start.isoformat(), "until": until.isoformat(), "current": current, "text": text,
            "note": note}


def _participation(age: int, alsace_moselle: bool) -> float:
    bands = value("css", "participation_by_age_alsace_moselle" if alsace_moselle else "participation_by_age")
    for band in bands:
        if band["max_age"] is None or age <= band["max_age"]:
            return float(band["euros"])
    raise AssertionError("unreachable: the last band is open")


def simulate_css(*, persons: int, resources: float, territory: str = "metro", ages: list[int] | None = None,
                 alsace_moselle: bool = False, on: date | None = None) -> dict[str, object]:
    """Whether a household can get the CSS, free or with a monthly participation.

    Parameters
    ----------
    persons : int
        Number of persons in the household.
    resources : float
        Household resources over the 12 months before the month preceding the application (euros).
    territory : str
        ``"metro"``, a DROM code (``"971"`` … ``"974"``) or ``"976"`` (Mayotte, not covered).
    ages : list of int, optional
        Ages on 1 January of each member, for the participation amount.
    alsace_moselle : bool
        Régime local d'Alsace-Moselle (reduced participation).
    on : date, optional
        Date of the simulation (default today), to warn when the ceilings are past their period.
    """
    if not 1 <= persons <= 20:
        raise ParameterError("Nombre de personnes du foyer : entre 1 et 20.")
    if resources < 0:
        raise ParameterError("Les ressources ne peuvent pas être négatives.")
    sources = [source_of("css", "ceilings_free"), source_of("css", "ceilings_participation")]
    if territory == "976":
        return {"status": "non_applicable", "label": value("css", "mayotte"), "ceilings": None,
                "monthly_participation": None, "sources": [source_of("css", "mayotte")], "warning": None}
    if territory != "metro" and territory not in DROM:
        raise ParameterError(f"Territoire « {territory} » inconnu (metro, 971, 972, 973, 974 ou 976).")
    if territory in DROM:
        sources.append(source_of("css", "drom_coefficient"))
    ceilings = css_ceilings(persons, territory)
    period = ceilings_period(on)
    warning = period["note"]
    members = ages or []
    monthly: float | None
    if resources <= ceilings["free"]:
        status, label, monthly = "gratuite", "CSS sans participation financière (gratuite)", 0.0
    elif resources <= ceilings["participation"]:
        status = "participation"
        label = "CSS avec une participation financière (moins de 1 € par jour et par personne)"
        per = [_participation(a, alsace_moselle) for a in members]
        monthly = float(sum(per)) if per else None
        sources.append(source_of("css", "participation_by_age_alsace_moselle" if alsace_moselle
                                 else "participation_by_age"))
    else:
        status, label, monthly = "non_eligible", "Ressources au-dessus des plafonds : pas de CSS", None
    if not period["current"]:  # never present past ceilings as today's
        label = f"D'après les {str(period['text']).lower()} (plus en vigueur) : {label[0].lower()}{label[1:]}"
    return {"period": period, "status": status, "label": label, "ceilings": ceilings, "monthly_participation": monthly,
            "per_member": [{"age": a, "euros": _participation(a, alsace_moselle)} for a in members]
            if status == "participation" else [], "sources": sources, "warning": warning}


def certificate(*, situation: str, age: int | None = None, discipline_special: bool = False,
                renewal: bool = False, years_since_certificate: int | None = None,
                questionnaire_yes: bool = False) -> dict[str, object]:
    """Whether a medical certificate is needed.

    Parameters
    ----------
    situation : str
        ``"sport"`` (a licence in a sports federation), ``"creche"`` or ``"ecole"``.
    age : int, optional
        Age of the person (years), needed for ``"sport"``.
    discipline_special : bool
        A discipline à contraintes particulières (yearly certificate for everyone).
    renewal : bool
        Renewal of a licence held without interruption in the same federation.
    years_since_certificate : int, optional
        Years since the last certificate given to the federation (adult renewal).
    questionnaire_yes : bool
        At least one "yes" answer to the health questionnaire.
    """
    if situation == "creche":
        return {"needed": False, "label": value("certificates", "creche"),
                "sources": [source_of("certificates", "creche")]}
    if situation == "ecole":
        return {"needed": False, "label": value("certificates", "school"),
                "sources": [source_of("certificates", "school")]}
    if situation != "sport":
        raise ParameterError("Situation inconnue (sport, creche ou ecole).")
    if age is None or not 0 <= age <= 120:
        raise ParameterError("Indiquez l'âge (entre 0 et 120 ans) pour une licence sportive.")
    if discipline_special:
        return {"needed": True, "label": "Certificat médical de moins d'un an, chaque année (discipline à "
                "contraintes particulières).",
                "sources": [source_of("certificates", "special_constraints_disciplines")]}
    if age <= value("certificates", "minor_questionnaire")["max_age"]:
        src = [source_of("certificates", "minor_questionnaire")]
        if questionnaire_yes:
            return {"needed": True, "label": "Une réponse « oui » au questionnaire de santé : certificat médical de "
                    "moins de 6 mois.", "sources": src}
        return {"needed": False, "label": "Pas de certificat : le questionnaire de santé du mineur, rempli avec ses "
                "parents, suffit (attestation à remettre au club).", "sources": src}
    every = value("certificates", "adult_renewal_every")
    if not renewal:
        return {"needed": True, "label": "Première licence d'un adulte : certificat médical de moins d'un an.",
                "sources": [source_of("certificates", "adult_first_licence")]}
    src = [source_of("certificates", "adult_renewal_every")]
    if years_since_certificate is None or years_since_certificate >= every:
        return {"needed": True, "label": f"Renouvellement : un nouveau certificat tous les {every} ans (le "
                "dernier a 3 ans ou plus), sauf règle de votre fédération.", "sources": src}
    if questionnaire_yes:
        return {"needed": True, "label": "Renouvellement : une réponse « oui » au questionnaire QS-Sport impose un "
                "nouveau certificat.", "sources": src}
    return {"needed": False, "label": f"Renouvellement : le questionnaire QS-Sport suffit (certificat de moins de "
            f"{every} ans), sauf règle de votre fédération.", "sources": src}


def ist_coverage(*, age: int) -> dict[str, object]:
    """Coverage of the five Mon test IST tests for a person of ``age``."""
    if not 0 <= age <= 120:
        raise ParameterError("Indiquez un âge entre 0 et 120 ans.")
    below = value("ist", "under_26_all_free")["below_age"]
    tests = rule("ist", "under_26_all_free")["tests"]
    if age < below:
        rows = [{"test": t, "assurance_maladie_pct": 100, "free": True} for t in tests]
        src = [source_of("ist", "under_26_all_free")]
    else:
        other = value("ist", "others_from_26")
        rows = [{"test": t, "assurance_maladie_pct": 100 if t == "VIH" else other, "free": t == "VIH"} for t in tests]
        src = [source_of("ist", "hiv_always_free"), source_of("ist", "others_from_26")]
    notes = []
    if age < value("ist", "minors")["below_age"]:
        notes.append("Mineur : au laboratoire sans ordonnance avec un représentant légal, ou dans un CeGIDD (gratuit, "
                     "anonyme si vous le souhaitez).")
        src.append(source_of("ist", "minors"))
    return {"age": age, "tests": rows, "all_free": all(r["free"] for r in rows), "notes": notes, "sources": src}
