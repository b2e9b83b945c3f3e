"""Annuaire santé (RPPS) extraction ``PS_LibreAcces_Personne_activite``.

The public extraction of the Agence du numérique en santé
(https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/PS_LibreAcces,
a zip) holds ``PS_LibreAcces_Personne_activite_<AAAAMMJJhhmm>.txt``: ``|``-separated,
UTF-8, no quoting, a header line, and a trailing ``|`` on every line. One line per
professional activity (situation d'exercice). Its header names, in order::

    Type d'identifiant PP | Identifiant PP | Identification nationale PP |
    Code civilité d'exercice | Libellé civilité d'exercice | Code civilité |
    Libellé civilité | Nom d'exercice | Prénom d'exercice | Code profession |
    Libellé profession | Code catégorie professionnelle |
    Libellé catégorie professionnelle | Code type savoir-faire |
    Libellé type savoir-faire | Code savoir-faire | Libellé savoir-faire |
    Code mode exercice | Libellé mode exercice | Numéro SIRET site |
    Numéro SIREN site | Numéro FINESS site |
    Numéro FINESS établissement juridique | Identifiant technique de la structure |
    Raison sociale site | Enseigne commerciale site | … (coord. structure) … |
    Code postal (coord. structure) | Code commune (coord. structure) |
    Libellé commune (coord. structure) | … | Code Département (structure) | … |
    Autorité d'enregistrement | Code secteur d'activité |
    Libellé secteur d'activité | Code section tableau pharmaciens |
    Libellé section tableau pharmaciens | (Code rôle | Libellé rôle |
    Code genre activité | Libellé genre activité in recent files)

Only the columns used here are required; the others are kept or ignored.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from accesoins.errors import InputError
from accesoins.offer import _csv
from accesoins.offer.batch import ImportBatch
from accesoins.territory.codes import CommuneIndex

COL_ID = "Identifiant PP"
COL_PROFESSION = "Code profession"
COL_SAVOIR_FAIRE = "Code savoir-faire"
COL_MODE = "Code mode exercice"
COL_COMMUNE = "Code commune (coord. structure)"
REQUIRED = [COL_ID, COL_PROFESSION, COL_SAVOIR_FAIRE, COL_MODE, COL_COMMUNE]
COL_STRUCTURE = "Identifiant technique de la structure"

# Further columns carried into ``attributes`` when present (JSON key: column).
ATTRIBUTE_COLUMNS = {
    "type_identifiant": "Type d'identifiant PP",
    "profession": "Libellé profession",
    "savoir_faire": COL_SAVOIR_FAIRE,
    "libelle_savoir_faire": "Libellé savoir-faire",
    "mode_exercice": COL_MODE,
    "libelle_mode_exercice": "Libellé mode exercice",
    "structure": COL_STRUCTURE,
    "siret_site": "Numéro SIRET site",
    "finess_site": "Numéro FINESS site",
    "raison_sociale_site": "Raison sociale site",
    "code_postal": "Code postal (coord. structure)",
    "secteur_activite": "Libellé secteur d'activité",
}

MODES = {"L": "libéral", "S": "salarié", "B": "bénévole"}

TITLE = "Annuaire santé (RPPS) — professionnels de santé et leurs activités"
LICENCE = "Licence Ouverte / Open Licence 2.0"
ATTRIBUTION = "Agence du numérique en santé, Annuaire santé (extraction PS_LibreAcces)"


def read_rpps(
    path: str | Path,
    *,
    communes: CommuneIndex,
    skip_unknown: bool = False,
    vintage: str | None = None,
) -> ImportBatch:
    """Read ``PS_LibreAcces_Personne_activite_*.txt`` into one offer row per activity.

    Parameters
    ----------
    path : str or Path
        The ``|``-separated UTF-8 file (or a ``.zip`` holding only it).
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    skip_unknown : bool, default False
        Put activities whose commune code is unknown in ``batch.rejected`` instead of raising.
    vintage : str, optional
        Defaults to the timestamp in the file name (``…_202401150930.txt`` → ``2024-01-15``).

    Returns
    -------
    ImportBatch
        ``kind='offer'``, ``source='rpps'``: unit ``count``, quantity 1, ``site_id``
        the RPPS (or ADELI) identifier; category from ``Code profession`` (doctors:
        ``medecin_generaliste`` when the savoir-faire is general practice, else
        ``medecin_specialiste``). Activities with no commune code (no practice
        address) are always put in ``rejected`` and counted in a warning. The same
        professional listed twice at the same structure for the same category
        (one line per savoir-faire) is counted once.

    Raises
    ------
    InputError
        Missing column or wrong separator, truncated line, non-UTF-8 bytes,
        unknown commune (unless ``skip_unknown``), empty file.
    """
    table = _csv.read_table(path, seps=("|",), encoding="utf-8", quoting=False)
    table.require(REQUIRED, hint=" (extraction PS_LibreAcces_Personne_activite, séparateur « | »)")
    f = table.frame
    rules = _csv.load_rules()["sources"]["rpps"]
    professions: dict[str, str] = rules["profession"]
    gp_codes = set(rules["generaliste_savoir_faire"])
    warnings = list(table.warnings)

    prof = f[COL_PROFESSION].str.strip()
    kept = prof.isin(professions)
    if (~kept).any():
        warnings.append(f"{int((~kept).sum())} activités d'autres professions ignorées")
    f = f[kept]
    prof = prof[kept]
    pp = f[COL_ID].str.strip()
    empty_id = pp == ""
    if empty_id.any():
        raise InputError(
            "identifiant du professionnel vide",
            file=table.file,
            line=_csv.first_bad(empty_id),
            field=COL_ID,
        )
    category = prof.map(professions)
    is_gp = (prof == "10") & f[COL_SAVOIR_FAIRE].str.strip().isin(gp_codes)
    category = category.where(~is_gp, "medecin_generaliste")

    raw_code = f[COL_COMMUNE].str.strip()
    no_address = raw_code == ""
    rejected_parts = []
    if no_address.any():
        warnings.append(
            f"{int(no_address.sum())} activités sans code commune d'exercice écartées (voir rejected)"
        )
        rejected_parts.append(
            pd.DataFrame(
                {
                    "line": f.index[no_address].astype(int),
                    "field": COL_COMMUNE,
                    "value": "",
                    "reason": "activité sans adresse d'exercice (code commune vide)",
                }
            )
        )
    f = f[~no_address]
    category = category[~no_address]
    pp = pp[~no_address]
    res = _csv.resolve_communes(
        f[COL_COMMUNE], communes, file=table.file, field=COL_COMMUNE, skip_unknown=skip_unknown
    )
    if len(res.rejected):
        rejected_parts.append(res.rejected)
    ok = res.code.notna()

    # One line per savoir-faire: count a professional once per structure × category.
    structure = f[COL_STRUCTURE].str.strip() if COL_STRUCTURE in f else res.code
    key = pd.DataFrame(
        {"pp": pp, "where": structure.where(structure != "", res.code), "cat": category}
    )[ok]
    dup = key.duplicated(keep="first")
    if dup.any():
        warnings.append(
            f"{int(dup.sum())} lignes en double (même professionnel, même structure, même catégorie) comptées une fois"
        )
    keep_idx = key.index[~dup]

    present = {k: c for k, c in ATTRIBUTE_COLUMNS.items() if c in f.columns}
    attrs = f.loc[keep_idx, list(present.values())].copy()
    attrs.columns = list(present)
    if "mode_exercice" in attrs:
        attrs["mode"] = attrs["mode_exercice"].str.strip().map(MODES)
    name = None
    if "Nom d'exercice" in f and "Prénom d'exercice" in f:
        name = (
            f.loc[keep_idx, "Prénom d'exercice"].str.strip()
            + " "
            + f.loc[keep_idx, "Nom d'exercice"].str.strip()
        ).str.strip()
    rows = _csv.offer_rows(
        keep_idx,
        category=category[keep_idx],
        code_commune=res.code[keep_idx],
        quantity=pd.Series(1.0, index=keep_idx),
        unit="count",
        site_id=pp[keep_idx],
        name=name,
        attributes=_csv.to_json_column(attrs),
    )
    rejected = pd.concat(rejected_parts, ignore_index=True) if rejected_parts else None
    return _csv.finish(
        kind="offer",
        source="rpps",
        title=TITLE,
        vintage=vintage or _vintage_from_name(Path(path).name) or "non précisé",
        licence=LICENCE,
        attribution=ATTRIBUTION,
        file=table.file,
        rows=rows,
        parameters={"skip_unknown": skip_unknown},
        remapped=res.remapped,
        rejected=rejected,
        warnings=warnings,
    )


def _vintage_from_name(name: str) -> str | None:
    import re

    m = re.search(r"_(\d{4})(\d{2})(\d{2})\d{0,4}\.(txt|zip|csv)$", name)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


__all__ = ["read_rpps"]
