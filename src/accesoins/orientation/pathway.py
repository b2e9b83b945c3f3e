"""« À qui m'adresser ? » — a step-by-step orientation that never diagnoses.

:func:`next_step` takes the answers given so far (plain strings, as GET
parameters carry them) and returns either the next question or the result:
an ordered list of places to turn to, each with its official source. Red-flag
signs always lead to the 15 / 112 first, and every result shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .rules import source_of, value

MOTIFS = {
    "soin_courant": "Un problème de santé pas grave, mais qui ne peut pas attendre",
    "fievre": "De la fièvre (adulte)",
    "enfant": "Mon enfant est malade (fièvre, toux, vomissements…)",
    "suivi": "Un suivi, un renouvellement d'ordonnance, une question à mon médecin",
    "gorge": "Mal de gorge",
    "urinaire": "Brûlures ou envies fréquentes en urinant",
    "ist": "Me faire dépister pour les infections sexuellement transmissibles (IST)",
    "grossesse": "Je suis enceinte",
    "specialiste": "Voir un spécialiste (yeux, gynécologie, santé mentale, bouche, enfant)",
}
MEDECIN = {"dispo": "Oui, et il peut me recevoir rapidement",
           "indispo": "Oui, mais il n'est pas disponible",
           "non": "Non, je n'ai pas de médecin traitant"}
MOMENTS = {"jour": "En semaine, dans la journée (cabinets médicaux ouverts)",
           "garde": "Le soir après 20 h, la nuit, le week-end ou un jour férié"}
SEXES = {"femme": "Femme", "homme": "Homme", "autre": "Autre ou je préfère ne pas répondre"}
NEEDS_AGE = {"gorge", "urinaire", "ist", "specialiste", "enfant"}
NEEDS_SEX = {"urinaire"}
NEEDS_MOMENT = {"soin_courant", "gorge", "urinaire", "fievre", "enfant"}
NEEDS_DOCTOR = {"soin_courant", "suivi", "gorge", "urinaire", "fievre", "enfant"}


@dataclass
class Question:
    """One step of the form: a field name, its legend, its kind and its choices."""

    name: str
    legend: str
    kind: str  # radio | number
    choices: dict[str, str] = field(default_factory=dict)
    hint: str | None = None
    items: list[str] = field(default_factory=list)  # e.g. the red-flag list shown with the question


class AnswerError(ValueError):
    """A given answer is not acceptable; ``field`` names the form field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _check(answers: dict[str, str]) -> dict[str, object]:
    a: dict[str, object] = {}
    for name, allowed in (("urgence", {"oui", "non"}), ("motif", set(MOTIFS)), ("medecin", set(MEDECIN)),
                          ("signes_enfant", {"oui", "non"}), ("moment", set(MOMENTS)),
                          ("sexe", set(SEXES)), ("specialite", set(value("pathway", "direct_access_specialists")))):
        v = (answers.get(name) or "").strip()
        if v:
            if v not in allowed:
                raise AnswerError(name, "Choisissez l'une des réponses proposées.")
            a[name] = v
    age = (answers.get("age") or "").strip()
    if age:
        if not age.isdigit() or not 0 <= int(age) <= 120:
            raise AnswerError("age", "Indiquez un âge en années, entre 0 et 120.")
        a["age"] = int(age)
    return a


def questions() -> dict[str, Question]:
    """Every question of the flow, by field name."""
    specialists = value("pathway", "direct_access_specialists")
    return {
        "urgence": Question("urgence", "Avez-vous, ou la personne que vous aidez, l'un de ces signes ?", "radio",
                            {"oui": "Oui, au moins un de ces signes", "non": "Non, aucun de ces signes"},
                            items=list(value("pathway", "red_flags"))),
        "motif": Question("motif", "Pour quoi cherchez-vous un soin ?", "radio", dict(MOTIFS)),
        "age": Question("age", "Quel âge a la personne concernée ?", "number", hint="En années, par exemple 34."),
        "sexe": Question("sexe", "La personne concernée est :", "radio", dict(SEXES)),
        "signes_enfant": Question("signes_enfant", "Votre enfant a-t-il l'un de ces signes ?", "radio",
                                  {"oui": "Oui, au moins un de ces signes", "non": "Non, aucun de ces signes"},
                                  items=list(value("pathway", "child_warning_signs"))),
        "moment": Question("moment", "Quand cherchez-vous ce soin ?", "radio", dict(MOMENTS),
                           hint="Le soir, la nuit, le week-end et les jours fériés, un médecin de garde répond."),
        "medecin": Question("medecin", "Avez-vous un médecin traitant ?", "radio", dict(MEDECIN)),
        "specialite": Question("specialite", "Quel spécialiste ?", "radio",
                               {k: v["label"] for k, v in specialists.items()}),
    }


def next_step(answers: dict[str, str]) -> tuple[Question | None, dict[str, object]]:
    """The next question to ask (or None when done) and the validated answers so far.

    Raises
    ------
    AnswerError
        When a given answer is invalid (the page shows it in its error summary).
    """
    a = _check(answers)
    qs = questions()
    if "urgence" not in a:
        return qs["urgence"], a
    if a["urgence"] == "oui":
        return None, a
    if "motif" not in a:
        return qs["motif"], a
    motif = a["motif"]
    if motif == "enfant":
        if "signes_enfant" not in a:
            return qs["signes_enfant"], a
        if a["signes_enfant"] == "oui":
            return None, a
    if motif in NEEDS_AGE and "age" not in a:
        return qs["age"], a
    if motif in NEEDS_SEX and "sexe" not in a:
        return qs["sexe"], a
    if motif == "specialiste" and "specialite" not in a:
        return qs["specialite"], a
    if motif in NEEDS_MOMENT and "moment" not in a:
        return qs["moment"], a
    if motif in NEEDS_DOCTOR and a.get("moment") != "garde" and "medecin" not in a:
        return qs["medecin"], a
    return None, a


def _option(title: str, text: str, rule: str, **extra: str) -> dict[str, object]:
    name, key = rule.split(".")
    return {"title": title, "text": text, "source": source_of(name, key), **extra}


def emergency_box() -> dict[str, object]:
    """The 15 / 112 / 114 block shown on every page of the flow."""
    return {"numbers": value("pathway", "emergency_numbers"), "source": source_of("pathway", "emergency_numbers")}


def result(a: dict[str, object]) -> dict[str, object]:
    """The ordered options for complete, validated answers (never a diagnosis)."""
    if a.get("urgence") == "oui" or a.get("signes_enfant") == "oui":
        return {"emergency": True, "options": [_option(
            "Appelez le 15 (ou le 112) maintenant",
            "Ces signes peuvent être graves : appelez tout de suite le 15 (SAMU) ou le 112. "
            "Si vous ne pouvez pas parler ou entendre, utilisez le 114 (SMS, tchat, visio).",
            "pathway.red_flags", kind="urgence")]}
    motif, age, sexe, doc = a.get("motif"), a.get("age"), a.get("sexe"), a.get("medecin")
    opts: list[dict[str, object]] = []
    doctor_first = _option("Votre médecin traitant", "Contactez d'abord votre médecin traitant : il connaît votre "
                           "dossier.", "pathway.treating_doctor_first", kind="medecin_traitant")
    sas = _option("Appelez le 15 si votre médecin n'est pas disponible",
                  "Le service d'accès aux soins (SAS), au 15, évalue l'urgence et vous oriente vers une consultation "
                  "sans rendez-vous habituel, une téléconsultation ou les urgences.", "pathway.sas_15", kind="sas")
    minutes = value("pathway", "france_sante_max_minutes")
    hours = value("pathway", "france_sante_appointment_hours")
    france_sante = _option(
        f"Un lieu de soins « France Santé » à moins de {minutes} minutes",
        f"Maison de santé pluriprofessionnelle, centre de santé ou hôpital de proximité : l'objectif est un "
        f"rendez-vous sous {hours} heures.", "pathway.france_sante_max_minutes", kind="france_sante")
    tele = _option("La téléconsultation", "De préférence avec votre médecin traitant ; sinon avec un médecin "
                   "de votre territoire.", "pathway.teleconsultation", kind="teleconsultation")
    pds = value("pathway", "permanence_des_soins")
    garde = _option(f"Le médecin de garde : appelez le {pds['number']}",
                    f"Cabinets fermés ({pds['hours']}) : le {pds['number']}, gratuit, vous met en relation avec un "
                    "médecin de garde qui conseille, oriente vers une consultation ou une maison médicale de garde, "
                    "ou déclenche les secours. Là où il n'est pas ouvert, appelez le 15.",
                    "pathway.permanence_des_soins", kind="permanence_des_soins")
    pharmacy = _option("La pharmacie de garde",
                       f"Pour un conseil ou des médicaments sans ordonnance, une pharmacie de garde est ouverte (liste "
                       f"sur ce site, ou le {value('pathway', 'pharmacie_de_garde')['number']}).",
                       "pathway.pharmacie_de_garde", kind="pharmacie_garde")
    declare = _option("Déclarer un médecin traitant", "Sans médecin traitant, vous êtes moins bien remboursé : "
                      "demandez à un généraliste près de chez vous s'il peut devenir le vôtre.",
                      "pathway.treating_doctor_first", kind="declarer")
    if a.get("moment") == "garde":
        general = [garde, pharmacy, tele]
    else:
        general = ([doctor_first, sas, france_sante, tele] if doc == "dispo"
                   else [sas, france_sante, tele] if doc == "indispo"
                   else [sas, france_sante, tele, declare])
    if motif == "gorge":
        rule = value("pathway", "pharmacist_sore_throat")
        if age is not None and age >= rule["min_age"]:
            opts.append(_option("Le pharmacien (test angine)", "Le pharmacien peut faire un test rapide (TROD angine) "
                                "et, s'il est positif, vous délivrer un antibiotique sans ordonnance.",
                                "pathway.pharmacist_sore_throat", kind="pharmacien"))
        opts.extend(general)
    elif motif == "urinaire":
        rule = value("pathway", "pharmacist_cystitis")
        if sexe == rule["sex"] and age is not None and rule["min_age"] <= age <= rule["max_age"]:
            opts.append(_option("Le pharmacien (test urinaire)", "Pour une femme de 16 à 65 ans sans fièvre ni "
                                "grossesse, le pharmacien peut faire un test urinaire et, s'il est positif, délivrer "
                                "un antibiotique sans ordonnance.", "pathway.pharmacist_cystitis", kind="pharmacien"))
        opts.extend(general)
    elif motif == "ist":
        free = value("pathway", "mon_test_ist")["free_under_age"]
        text = ("Dans tout laboratoire, sans ordonnance ni rendez-vous : VIH, chlamydia, gonocoque, syphilis, "
                "hépatite B. " + (f"Gratuit pour vous (moins de {free} ans)." if age is not None and age < free
                                  else "Le test VIH est gratuit ; les autres sont remboursés à 60 %."))
        opts.append(_option("Mon test IST au laboratoire", text, "pathway.mon_test_ist", kind="laboratoire"))
        opts.append(_option("Un CeGIDD", "Centre gratuit d'information, de dépistage et de diagnostic : gratuit, "
                            "anonyme si vous le souhaitez, y compris pour les mineurs.", "ist.cegidd", kind="cegidd"))
    elif motif == "grossesse":
        opts.append(_option("Votre sage-femme référente", "Pendant la grossesse, une sage-femme référente coordonne "
                            "votre suivi ; vous pouvez la choisir et la déclarer.",
                            "pathway.pregnancy_referent_midwife", kind="sage_femme"))
        opts.append(doctor_first)
    elif motif == "specialiste":
        spec = value("pathway", "direct_access_specialists")[a["specialite"]]
        lo, hi = spec.get("min_age"), spec.get("max_age")
        fits = (lo is None or (age is not None and age >= lo)) and (hi is None or (age is not None and age <= hi))
        if fits:
            opts.append(_option(f"{spec['label']} en accès direct", "Vous pouvez prendre rendez-vous directement, "
                                "sans passer par votre médecin traitant, et être remboursé normalement.",
                                "pathway.direct_access_specialists", kind="specialiste"))
        else:
            opts.append(_option(f"{spec['label']} : passez par votre médecin traitant",
                                "À votre âge, cet accès direct n'est pas prévu : votre médecin traitant vous adresse "
                                "au spécialiste (sinon, remboursement réduit).",
                                "pathway.direct_access_specialists", kind="medecin_traitant"))
    elif motif == "suivi":
        # A renewal or a question is not urgent: the 15 is never the answer here.
        days = value("pathway", "chronic_renewal_pharmacist")["max_days"]
        opts.append(doctor_first if doc == "dispo" else _option(
            "Un rendez-vous avec un médecin", "Prenez rendez-vous avec votre médecin traitant, ou un généraliste "
            "ou une maison de santé près de chez vous.", "pathway.treating_doctor_first", kind="medecin_traitant"))
        opts.append(tele)
        opts.append(_option("Le pharmacien, si votre traitement au long cours arrive à son terme",
                            f"Si l'ordonnance d'un traitement chronique a expiré, le pharmacien peut vous délivrer une "
                            f"fois la suite du traitement (jusqu'à {days} jours) le temps de voir un médecin.",
                            "pathway.chronic_renewal_pharmacist", kind="pharmacien"))
        if doc == "non":
            opts.append(declare)
    elif motif == "enfant":
        night = a.get("moment") == "garde"
        if isinstance(age, int) and age <= 15:
            # at night the paediatrician's office is closed: the 116 117 and the duty pharmacy come first
            opts.append(_option("Le pédiatre ou le médecin de votre enfant" + (", quand le cabinet rouvre"
                                                                              if night else ""),
                                "Jusqu'à 15 ans, vous pouvez consulter un pédiatre directement, ou le médecin "
                                "traitant de votre enfant.", "pathway.direct_access_specialists", kind="pediatre"))
        others = [o for o in general if o["kind"] != "medecin_traitant"]
        opts = others + opts if night else opts + others
    elif motif == "fievre":
        opts.extend(general)
        d = value("pathway", "fever_adult_consult")["days"]
        opts.append(_option(f"Consultez si la fièvre dure plus de {d} jours",
                            f"Même sans signe de gravité, une fièvre de plus de {d} jours demande l'avis d'un médecin.",
                            "pathway.fever_adult_consult", kind="conseil"))
    else:  # soin_courant
        opts.extend(general)
    return {"emergency": False, "options": opts}
