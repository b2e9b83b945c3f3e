"""Installation rules: « un pour un », pharmacy licences, pharmacy aid, under-served zoning.

Every check returns a JSON-ready answer: ``decision`` (``autorisé``, ``refusé``,
``éligible``, ``non éligible``, ``à vérifier``), ``reasons`` in French, the
figures used and the rules applied (id, value, unit, source, dates), so that
a reader can check each answer against the text.
"""

from __future__ import annotations

from typing import Any

from accesoins.errors import ParameterError
from accesoins.planning.rules import cite
from accesoins.planning.rules import value as rule_value

REGULATED = ("chirurgien_dentiste", "masseur_kinesitherapeute", "infirmier", "sage_femme")
ZONES = ("tres_sous_dotee", "sous_dotee", "intermediaire", "tres_dotee", "sur_dotee", "non_prioritaire")
ZONE_LABELS = {"tres_sous_dotee": "très sous-dotée", "sous_dotee": "sous-dotée",
               "intermediaire": "intermédiaire", "tres_dotee": "très dotée",
               "sur_dotee": "sur-dotée", "non_prioritaire": "non prioritaire"}


def _n(x: float) -> str:
    """A number with thin spaces between thousands, French style."""
    return f"{x:,.0f}".replace(",", "\u202f")


def _answer(question: str, decision: str, reasons: list[str], figures: dict[str, Any],
            rules: list[str]) -> dict[str, Any]:
    return {"question": question, "decision": decision, "reasons": reasons, "figures": figures,
            "rules": [cite(r) for r in rules]}


def check_one_for_one(*, profession: str, zone: str | None, departures: int = 0) -> dict[str, Any]:
    """May a new conventioned practitioner settle in a zone? (« un pour un »).

    Parameters
    ----------
    profession : str
        ``chirurgien_dentiste``, ``masseur_kinesitherapeute``, ``infirmier`` or ``sage_femme``.
    zone : str or None
        Zoning class of the place, as arrêté by the ARS (one of :data:`ZONES`); ``None`` if unknown.
    departures : int
        Conventioned practitioners of the profession who stopped for good in the zone and
        whose place is still free.
    """
    if profession not in REGULATED:
        raise ParameterError(f"profession non régulée par le « un pour un » : « {profession} » "
                             f"(professions : {', '.join(REGULATED)}).")
    if zone is not None and zone not in ZONES:
        raise ParameterError(f"zone inconnue « {zone} » (zones : {', '.join(ZONES)}).")
    if int(departures) < 0:
        raise ParameterError("le nombre de départs ne peut pas être négatif.")
    regulated = rule_value("regulation.one_for_one")[profession]
    zone_label = ZONE_LABELS.get(zone, "inconnue") if zone is not None else "inconnue"
    question = f"Conventionnement d'un(e) {profession.replace('_', ' ')} en zone {zone_label}"
    figures = {"profession": profession, "zone": zone, "departures": int(departures),
               "regulated_zone": regulated["zone"], "regulated_since": regulated["since"]}
    if zone is None:
        return _answer(question, "à vérifier", [
            "Le zonage de la profession est arrêté par l'ARS (consultable sur CartoSanté) : "
            "indiquez la zone du lieu d'installation."], figures, ["regulation.one_for_one"])
    if zone != regulated["zone"]:
        return _answer(question, "autorisé", [
            f"La zone « {ZONE_LABELS[zone]} » n'est pas soumise à la régulation ; seule la zone "
            f"« {ZONE_LABELS[regulated['zone']]} » l'est pour cette profession."],
            figures, ["regulation.one_for_one"])
    if int(departures) >= 1:
        return _answer(question, "autorisé", [
            f"Zone « {ZONE_LABELS[zone]} » régulée : le conventionnement suit la cessation "
            f"définitive d'activité d'un confrère ({int(departures)} place(s) libérée(s))."],
            figures, ["regulation.one_for_one"])
    return _answer(question, "refusé", [
        f"Zone « {ZONE_LABELS[zone]} » régulée : aucun départ définitif d'un confrère conventionné "
        "dans la zone, donc pas de nouveau conventionnement (hors dérogations individuelles)."],
        figures, ["regulation.one_for_one"])


def pharmacy_quota(population: float, *, departement: str) -> tuple[int, int]:
    """(first-pharmacy threshold, pharmacies allowed) for a commune's municipal population."""
    if population is None or population < 0:
        raise ParameterError("la population doit être un nombre positif.")
    derog = rule_value("pharmacy.derogation_threshold")
    threshold = derog["threshold"] if departement in derog["departements"] else rule_value(
        "pharmacy.first_threshold")
    step = rule_value("pharmacy.additional_step")
    allowed = 0 if population < threshold else 1 + int((population - threshold) // step)
    return int(threshold), allowed


def check_pharmacy_opening(*, population: float, existing: int, departement: str,
                           last_pharmacy_served: float | None = None,
                           fragile_group: list[float] | None = None) -> dict[str, Any]:
    """May a pharmacy open (by transfer or regroupement) in a commune? (CSP L.5125-4).

    Parameters
    ----------
    population : float
        Municipal population of the commune (last census published).
    existing : int
        Pharmacies already licensed in the commune.
    departement : str
        Code of the département (derogations for 973, 57, 67, 68).
    last_pharmacy_served : float, optional
        For a commune whose last pharmacy closed for good: the population it served.
    fragile_group : list of float, optional
        Populations of a group of contiguous communes without a pharmacy in a fragile
        territory arrêté by the ARS (first one = the commune asked).
    """
    if int(existing) < 0:
        raise ParameterError("le nombre d'officines existantes ne peut pas être négatif.")
    threshold, allowed = pharmacy_quota(population, departement=departement)
    step = rule_value("pharmacy.additional_step")
    figures: dict[str, Any] = {"population": population, "existing": int(existing),
                               "threshold": threshold, "step": step, "allowed": allowed,
                               "departement": departement}
    rules = ["pharmacy.first_threshold", "pharmacy.additional_step"]
    if threshold != rule_value("pharmacy.first_threshold"):
        rules.append("pharmacy.derogation_threshold")
    question = "Ouverture d'une officine par transfert ou regroupement"
    if int(existing) < allowed:
        nxt = "première" if int(existing) == 0 else f"{int(existing) + 1}e"
        return _answer(question, "autorisé", [
            f"{_n(population)} habitants : {allowed} officine(s) possible(s) (seuil {_n(threshold)} "
            f"puis une par tranche entière de {_n(step)}) ; {int(existing)} existante(s), une "
            f"{nxt} officine peut être autorisée."], figures, rules)
    if int(existing) == 0 and population < threshold and last_pharmacy_served is not None:
        rules.append("pharmacy.last_pharmacy_served")
        served_min = rule_value("pharmacy.last_pharmacy_served")
        figures["last_pharmacy_served"] = last_pharmacy_served
        if last_pharmacy_served >= served_min:
            return _answer(question, "autorisé", [
                f"Commune de moins de {_n(threshold)} habitants dont la dernière officine, fermée, "
                f"desservait {_n(last_pharmacy_served)} habitants (≥ {_n(served_min)}) : une nouvelle "
                "autorisation peut être délivrée."], figures, rules)
    if int(existing) == 0 and fragile_group:
        rules.append("pharmacy.fragile_group")
        g = rule_value("pharmacy.fragile_group")
        figures["fragile_group"] = list(fragile_group)
        if max(fragile_group) >= g["largest_commune"] and sum(fragile_group) >= g["total"]:
            return _answer(question, "autorisé", [
                f"Territoire fragile : groupe de communes contiguës sans officine totalisant "
                f"{_n(sum(fragile_group))} habitants (≥ {_n(g['total'])}) dont une de "
                f"{_n(max(fragile_group))} (≥ {_n(g['largest_commune'])})."],
                figures, rules)
    missing = threshold + max(int(existing), allowed) * step - population
    return _answer(question, "refusé", [
        f"{_n(population)} habitants : {allowed} officine(s) possible(s) et {int(existing)} "
        f"existante(s) ; il manque {_n(missing)} habitants pour une autorisation "
        "supplémentaire."], figures, rules)


def check_pharmacy_aid(*, pharmacies_in_commune: int, turnover_euros: float | None,
                       fragile_territory: bool | None, gp_underserved: bool | None,
                       gp_apl: float | None = None) -> dict[str, Any]:
    """Is a pharmacy eligible to the aid for pharmacies in fragile territories (avenant 1)?

    ``gp_underserved`` is the ARS zoning (ZIP or ZAC); when unknown, a GP APL below the
    national threshold is used as evidence, and said so.
    """
    aid = rule_value("pharmacy.fragile_aid")
    rules = ["pharmacy.fragile_aid"]
    reasons: list[str] = []
    figures: dict[str, Any] = {"pharmacies_in_commune": int(pharmacies_in_commune),
                               "turnover_euros": turnover_euros, "fragile_territory": fragile_territory,
                               "gp_underserved": gp_underserved, "gp_apl": gp_apl,
                               "max_euros_per_year": aid["max_euros_per_year"]}
    failed, unknown = False, False
    if int(pharmacies_in_commune) != 1:
        failed = True
        reasons.append(f"{int(pharmacies_in_commune)} officine(s) dans la commune : l'aide est "
                       "réservée à la seule officine de la commune.")
    if turnover_euros is None:
        unknown = True
        reasons.append("Chiffre d'affaires non indiqué (il doit être inférieur à 1 000 000 € TTC).")
    elif turnover_euros >= aid["max_turnover_euros"]:
        failed = True
        reasons.append(f"Chiffre d'affaires {_n(turnover_euros)} € ≥ 1 000 000 € TTC.")
    if fragile_territory is None:
        unknown = True
        reasons.append("Territoire fragile (art. L. 5125-6) non indiqué : il est arrêté par l'ARS.")
    elif not fragile_territory:
        failed = True
        reasons.append("Hors territoire fragile arrêté par l'ARS.")
    if gp_underserved is None and gp_apl is not None:
        threshold = rule_value("zoning.gp_apl_threshold")
        rules.append("zoning.gp_apl_threshold")
        if gp_apl < threshold:
            gp_underserved = True
            reasons.append(f"APL médecins généralistes {gp_apl:.2f} < {threshold} : zone sous-dense "
                           "(vivier ZIP de la méthode nationale ; estimation à la commune).")
        else:
            unknown = True
            reasons.append(f"APL {gp_apl:.2f} ≥ {threshold} : la commune peut encore être en ZAC "
                           "selon l'arrêté de l'ARS ; à vérifier.")
    if gp_underserved is False:
        failed = True
        reasons.append("Hors zone sous-dense en médecins (1° de l'article L. 1434-4).")
    elif gp_underserved is None and gp_apl is None:
        unknown = True
        reasons.append("Zonage médecin non indiqué.")
    decision = "non éligible" if failed else ("à vérifier" if unknown else "éligible")
    if decision == "éligible":
        reasons.append(f"Toutes les conditions sont réunies : aide jusqu'à "
                       f"{_n(aid['max_euros_per_year'])} € par an.")
    return _answer("Aide aux officines des territoires fragiles", decision, reasons, figures, rules)


def check_gp_zoning(*, gp_apl_65: float, commune: str | None = None) -> dict[str, Any]:
    """Does a commune fall under the national threshold of priority zoning (APL < 2.5)?"""
    threshold = rule_value("zoning.gp_apl_threshold")
    figures = {"commune": commune, "gp_apl_65": gp_apl_65, "threshold": threshold}
    rules = ["zoning.gp_apl_threshold", "zoning.gp_apl_max_age", "zoning.zip_aids"]
    q = "Zone d'intervention prioritaire (aides à l'installation des médecins)"
    if gp_apl_65 is None:
        return _answer(q, "à vérifier", ["APL inconnue pour cette commune."], figures, rules)
    if gp_apl_65 < threshold:
        return _answer(q, "éligible", [
            f"APL aux généralistes de 65 ans ou moins = {gp_apl_65:.2f} < {threshold} : la méthode "
            "nationale retient obligatoirement le territoire en zone d'intervention prioritaire "
            "(aides conventionnelles à l'installation). Calcul à la commune, la méthode officielle "
            "porte sur le territoire de vie-santé."], figures, rules)
    return _answer(q, "à vérifier", [
        f"APL = {gp_apl_65:.2f} ≥ {threshold} : pas de classement automatique ; l'ARS peut retenir "
        "la zone en ZIP ou ZAC selon ses critères (arrêté régional)."], figures, rules)
