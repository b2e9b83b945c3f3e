"""Installation rules: one question (one-for-one, pharmacy opening or aid, GP zoning) checked for a
commune with the store's figures."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import ParameterError
from ...planning import installation as rules_check
from ...store.db import Store
from .common import (
    _apl65,
    _base,
    _communes,
    _counts,
    readable_rules,
)


def installation_check(store: Store, *, kind: str, commune: str, profession: str | None = None,
                       zone: str | None = None, departures: int = 0,
                       last_pharmacy_served: float | None = None, turnover: float | None = None,
                       fragile: bool | None = None, underserved: bool | None = None) -> dict[str, Any]:
    """Check one installation question for a commune, with the store's figures.

    ``kind``: ``un_pour_un``, ``officine``, ``aide_officine`` or ``zonage_medecin``.
    """
    communes = _communes(store)
    code = commune.strip().upper()
    if code not in communes.index:
        raise ParameterError(f"commune inconnue « {commune} » (code INSEE à 5 caractères).")
    c = communes.loc[code]
    data = _base(store, "Vérifier une installation")
    data["commune"] = {"code_commune": code, "nom": c["nom"], "departement": c["departement"],
                       "code_departement": c["code_departement"], "population": float(c["population"])}
    data["params"] = {"kind": kind, "commune": code, "profession": profession, "zone": zone,
                      "departures": departures}
    if kind == "un_pour_un":
        answer = rules_check.check_one_for_one(profession=profession or "", zone=zone or None,
                                               departures=departures)
    elif kind == "officine":
        existing = int(_counts(store, ["pharmacie"]).get(code, 0))
        answer = rules_check.check_pharmacy_opening(population=float(c["population"]), existing=existing,
                                                    departement=c["code_departement"],
                                                    last_pharmacy_served=last_pharmacy_served)
    elif kind == "aide_officine":
        existing = int(_counts(store, ["pharmacie"]).get(code, 0))
        answer = rules_check.check_pharmacy_aid(pharmacies_in_commune=existing, turnover_euros=turnover,
                                                fragile_territory=fragile, gp_underserved=underserved,
                                                gp_apl=float(_apl65(store).get(code, np.nan)))
    elif kind == "zonage_medecin":
        answer = rules_check.check_gp_zoning(gp_apl_65=float(_apl65(store).get(code, np.nan)), commune=code)
    else:
        raise ParameterError("type de vérification : un_pour_un, officine, aide_officine ou zonage_medecin.")
    data["answer"] = {**answer, "rules": readable_rules(list(answer.get("rules", [])))}
    return data
