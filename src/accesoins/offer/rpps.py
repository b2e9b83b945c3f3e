"""Annuaire santé (RPPS) extraction ``PS_LibreAcces`` — the published zip or its files.

The public extraction of the Agence du numérique en santé
(https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/PS_LibreAcces)
is a zip of three ``|``-separated UTF-8 files, each with a header line and a trailing ``|``:
``PS_LibreAcces_Personne_activite_<AAAAMMJJhhmm>.txt`` (one line per professional activity,
53 fields, 57 in recent files with ``Code rôle``/``Code genre activité``),
``PS_LibreAcces_Dipl_AutExerc_….txt`` (diplomas) and ``PS_LibreAcces_SavoirFaire_….txt``
(specialties: ``Identifiant PP``, ``Code type savoir-faire``, ``Code savoir-faire``,
``Libellé savoir-faire``…). data.gouv.fr republishes the same files one by one. This module reads
the zip (the Personne_activite member, and the SavoirFaire member to fill a doctor's specialty
when his activity lines leave it empty), or a bare Personne_activite file.

General practitioners are selected as the DREES selects them for the APL (``rules/rpps.yaml``):
profession médecin, savoir-faire of general practice (or a particular practice — homeopathy,
acupuncture, geriatrics, physical medicine — in private practice), mode libéral outside hospitals,
or salaried in a centre de santé (secteur d'activité SA05). GPs outside that scope (hospital,
other salaried or voluntary practice) are not stored, and counted in the report. Specialists
and the other professions are kept in every mode, with their specialty (code and label), mode and
sector in ``attributes`` and a flag ``perimetre_apl`` (libéral outside hospitals, or salaried in a
centre de santé). The extraction carries no birth date: the practitioners' age is unknown, and
age-restricted variants (65 or under) cannot be computed from it.
"""

from __future__ import annotations

import re
import zipfile
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from accesoins.errors import InputError
from accesoins.offer import _csv, _validate
from accesoins.offer.batch import ImportBatch
from accesoins.territory.codes import CommuneIndex

COL_ID = "Identifiant PP"
COL_PROFESSION = "Code profession"
COL_SAVOIR_FAIRE = "Code savoir-faire"
COL_TYPE_SF = "Code type savoir-faire"
COL_LABEL_SF = "Libellé savoir-faire"
COL_MODE = "Code mode exercice"
COL_SECTEUR = "Code secteur d'activité"
COL_COMMUNE = "Code commune (coord. structure)"
REQUIRED = [COL_ID, COL_PROFESSION, COL_SAVOIR_FAIRE, COL_MODE, COL_COMMUNE]
COL_STRUCTURE = "Identifiant technique de la structure"

# Further columns carried into ``attributes`` when present (JSON key: column).
ATTRIBUTE_COLUMNS = {
    "type_identifiant": "Type d'identifiant PP",
    "profession": "Libellé profession",
    "mode_exercice": COL_MODE,
    "libelle_mode_exercice": "Libellé mode exercice",
    "secteur": COL_SECTEUR,
    "secteur_activite": "Libellé secteur d'activité",
    "structure": COL_STRUCTURE,
    "siret_site": "Numéro SIRET site",
    "finess_site": "Numéro FINESS site",
    "raison_sociale_site": "Raison sociale site",
    "code_postal": "Code postal (coord. structure)",
}

MODES = {"L": "libéral", "S": "salarié", "B": "bénévole"}

TITLE = ("Annuaire santé (RPPS) — professionnels de santé et leurs activités ; généralistes au périmètre "
         "de l'APL DREES (libéraux hors hôpital, salariés de centre de santé)")
LICENCE = "Licence Ouverte / Open Licence 2.0"
ATTRIBUTION = "Agence du numérique en santé, Annuaire santé (extraction PS_LibreAcces)"
GP_SCOPE = (
    "Médecins généralistes comptés comme la DREES pour l'APL : spécialité médecine générale "
    "(SM26, SM53, SM54) ou exercice particulier libéral (homéopathie, acupuncture, gériatrie, "
    "médecine physique), en exercice libéral hors établissement hospitalier ou salarié en centre "
    "de santé (secteur SA05) ; l'exercice hospitalier est exclu."
)
NO_AGE = ("âge des praticiens inconnu : l'extraction RPPS ne publie pas de date de naissance "
          "(variantes « 65 ans ou moins » impossibles depuis ce fichier)")


@cache
def rpps_rules() -> dict:
    return yaml.safe_load((resources.files("accesoins") / "rules" / "rpps.yaml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- reading


def _table_from_bytes(data: bytes, file: str, *, allow_empty: bool = False) -> _csv.Table:
    """``_csv.read_table`` for a zip member: ``|``, UTF-8, no quoting, trailing separator."""
    text, used, warnings = _csv.decode(data, file=file, encoding="utf-8")
    lines = _csv.split_lines(text)
    nonblank = lines[lines.str.strip() != ""]
    if nonblank.empty:
        raise InputError("fichier vide : aucune ligne d'en-tête ni de données", file=file, line=1)
    header_line = int(nonblank.index[0])
    names = [h.strip() for h in nonblank.iloc[0].split("|")]
    if len(names) > 1 and names[-1] == "":
        names = names[:-1] + ["__trailing__"]
    body = nonblank.iloc[1:]
    if body.empty and allow_empty:
        return _csv.Table(frame=pd.DataFrame(columns=names), file=file, sep="|", encoding=used,
                          header_line=header_line, warnings=warnings)
    if body.empty:
        raise InputError("le fichier ne contient que l'en-tête : aucune ligne de données",
                         file=file, line=header_line + 1)
    frame = _csv.parse_records(body, names, "|", file=file, quoting=False)
    frame = frame.drop(columns=["__trailing__"], errors="ignore")
    return _csv.Table(frame=frame, file=file, sep="|", encoding=used, header_line=header_line,
                      warnings=warnings)


def _members(path: Path) -> tuple[str, str | None]:
    """Names of the Personne_activite and SavoirFaire members of an extraction zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile as exc:
        raise InputError("archive zip illisible", file=path) from exc
    data = [n for n in names if n.lower().endswith((".txt", ".csv"))]
    activity = [n for n in data if "personne_activite" in n.lower()]
    if not activity and len(data) == 1:
        activity = data
    if len(activity) != 1:
        raise InputError("l'archive doit contenir un fichier PS_LibreAcces_Personne_activite_….txt "
                         f"(trouvé : {', '.join(names) or 'aucun fichier'})", file=path)
    savoir = [n for n in data if "savoirfaire" in n.lower().replace("_", "").replace("-", "")]
    return activity[0], (savoir[0] if savoir else None)


def _read_tables(path: Path) -> tuple[_csv.Table, _csv.Table | None, str]:
    """The activity table, the SavoirFaire table when the zip has one, and the name giving the date."""
    if path.suffix.lower() != ".zip":
        return _csv.read_table(path, seps=("|",), encoding="utf-8", quoting=False), None, path.name
    activity, savoir = _members(path)
    with zipfile.ZipFile(path) as zf:
        table = _table_from_bytes(zf.read(activity), f"{path}:{activity}")
        sf = _table_from_bytes(zf.read(savoir), f"{path}:{savoir}", allow_empty=True) if savoir else None
    return table, sf, Path(activity).name


def _specialty_lookup(sf: _csv.Table | None) -> pd.DataFrame | None:
    """One specialty per professional from the SavoirFaire file (ordinal specialty first)."""
    if sf is None or COL_ID not in sf.frame or COL_SAVOIR_FAIRE not in sf.frame:
        return None
    f = sf.frame
    out = pd.DataFrame({
        "pp": f[COL_ID].str.strip(),
        "code": f[COL_SAVOIR_FAIRE].str.strip(),
        "label": f[COL_LABEL_SF].str.strip() if COL_LABEL_SF in f else "",
        "rank": (f[COL_TYPE_SF].str.strip() != "S").astype(int) if COL_TYPE_SF in f else 0,
    })
    out = out[out["code"] != ""].sort_values(["pp", "rank"], kind="stable")
    return out.drop_duplicates("pp").set_index("pp")


# --------------------------------------------------------------------------- reader


def read_rpps(
    path: str | Path,
    *,
    communes: CommuneIndex,
    skip_unknown: bool = False,
    vintage: str | None = None,
) -> ImportBatch:
    """Read the RPPS extraction (zip, or a Personne_activite file) into one offer row per activity.

    Parameters
    ----------
    path : str or Path
        ``PS_LibreAcces_<date>.zip`` as published (three files), or the
        ``PS_LibreAcces_Personne_activite_*.txt`` file alone (data.gouv.fr publication).
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    skip_unknown : bool, default False
        Put activities whose commune code is unknown in ``batch.rejected`` instead of raising.
    vintage : str, optional
        Defaults to the timestamp in the file name (``…_202401150930.txt`` → ``2024-01-15``).

    Returns
    -------
    ImportBatch
        ``kind='offer'``, ``source='rpps'``: unit ``count``, quantity 1, ``site_id`` the RPPS
        (or ADELI) identifier; category from ``Code profession``; doctors are
        ``medecin_generaliste`` within the DREES scope (module docstring) or
        ``medecin_specialiste`` with their specialty. Activities with no practice address, in a
        collectivity outside the territory or abroad are put in ``rejected`` and counted. The same
        professional listed several times at the same structure for the same category (one line
        per savoir-faire) is counted once.

    Raises
    ------
    InputError
        Missing column or wrong separator, truncated line, non-UTF-8 bytes, unknown commune
        (unless ``skip_unknown``), empty file, zip without a Personne_activite file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("fichier introuvable", file=path)
    table, sf_table, data_name = _read_tables(path)
    table.require(REQUIRED, hint=" (extraction PS_LibreAcces_Personne_activite, séparateur « | »)")
    f = table.frame
    professions: dict[str, str] = _csv.load_rules()["sources"]["rpps"]["profession"]
    scope = rpps_rules()["generalistes_drees"]
    warnings = list(table.warnings)
    counts: dict[str, int] = {"activites_lues": int(len(f))}

    prof = f[COL_PROFESSION].str.strip()
    kept = prof.isin(professions)
    if (~kept).any():
        labels = f.loc[~kept, "Libellé profession"] if "Libellé profession" in f else prof[~kept]
        top = labels.value_counts()
        warnings.append(f"{int((~kept).sum())} activités d'autres professions non retenues ("
                        + ", ".join(f"{k} : {v}" for k, v in top.head(8).items())
                        + (" …" if len(top) > 8 else "") + ")")
    counts["autres_professions"] = int((~kept).sum())
    f = f[kept]
    prof = prof[kept]
    pp = f[COL_ID].str.strip()
    if (pp == "").any():
        raise InputError("identifiant du professionnel vide", file=table.file,
                         line=_validate.first_bad(pp == ""), field=COL_ID)

    # Specialty: the activity line's savoir-faire, else the SavoirFaire file's (doctors).
    sf_code = f[COL_SAVOIR_FAIRE].str.strip()
    sf_label = f[COL_LABEL_SF].str.strip() if COL_LABEL_SF in f else pd.Series("", index=f.index)
    lookup = _specialty_lookup(sf_table)
    filled = 0
    if lookup is not None:
        missing = (sf_code == "") & (prof == scope["profession"])
        found = pp[missing].map(lookup["code"]).dropna()
        sf_code = sf_code.copy()
        sf_label = sf_label.copy()
        sf_code[found.index] = found
        sf_label[found.index] = pp[found.index].map(lookup["label"])
        filled = int(len(found))
    mode = f[COL_MODE].str.strip()
    secteur = f[COL_SECTEUR].str.strip() if COL_SECTEUR in f else pd.Series("", index=f.index)
    hospital = secteur.isin(scope["secteurs_hospitaliers"])
    liberal = mode.isin(scope["modes_liberaux"]) & ~hospital
    centre_sante = (mode == scope["mode_salarie"]) & secteur.isin(scope["secteurs_centre_sante"])
    in_apl = liberal | centre_sante

    doctor = prof == scope["profession"]
    gp_specialty = sf_code.isin(scope["savoir_faire"])
    particular = sf_code.isin(scope["exercice_particulier"]) & liberal
    # a doctor is a GP when any of his lines carries general practice (lines are per savoir-faire)
    gp_people = set(pp[doctor & gp_specialty])
    is_gp = doctor & (pp.isin(gp_people) | particular)
    no_specialty = doctor & ~is_gp & (sf_code == "")
    gp_out = is_gp & ~in_apl
    counts.update({
        "generalistes_hors_perimetre_drees": int(pp[gp_out].nunique()),
        "generalistes_hors_perimetre_hopital": int(pp[gp_out & hospital].nunique()),
        "medecins_sans_specialite": int(no_specialty.sum()),
        "specialites_completees_par_savoirfaire": filled,
    })
    if gp_out.any():
        warnings.append(
            f"{counts['generalistes_hors_perimetre_drees']} médecins généralistes hors du périmètre DREES "
            f"(dont {counts['generalistes_hors_perimetre_hopital']} en établissement hospitalier ; autres : "
            "salariés hors centre de santé, bénévoles, mode non renseigné) non comptés")
    if no_specialty.any():
        warnings.append(f"{int(no_specialty.sum())} activités de médecins sans spécialité connue non retenues")
    category = prof.map(professions).where(~is_gp, "medecin_generaliste")
    keep = ~gp_out & ~no_specialty
    f, category, pp = f[keep], category[keep], pp[keep]
    sf_code, sf_label, mode, in_apl = sf_code[keep], sf_label[keep], mode[keep], in_apl[keep]

    raw_code = f[COL_COMMUNE].str.strip()
    rules = rpps_rules()
    no_address = raw_code == ""
    outside = raw_code.str.startswith(tuple(rules["hors_territoire_prefixes"])) & ~no_address
    rejected_parts = []
    for mask, reason, what in (
        (no_address, "activité sans adresse d'exercice (code commune vide)", "sans code commune d'exercice"),
        (outside, "commune hors du territoire couvert (collectivité d'outre-mer ou étranger)",
         "dans une collectivité d'outre-mer hors territoire ou à l'étranger"),
    ):
        if mask.any():
            warnings.append(f"{int(mask.sum())} activités {what} écartées (voir rejected)")
            rejected_parts.append(pd.DataFrame({"line": f.index[mask].astype(int), "field": COL_COMMUNE,
                                                "value": raw_code[mask].to_numpy(), "reason": reason}))
    counts["sans_adresse"] = int(no_address.sum())
    counts["hors_territoire"] = int(outside.sum())
    placed = ~no_address & ~outside
    f, category, pp = f[placed], category[placed], pp[placed]
    sf_code, sf_label, mode, in_apl = sf_code[placed], sf_label[placed], mode[placed], in_apl[placed]
    res = _validate.resolve_communes(f[COL_COMMUNE], communes, file=table.file, field=COL_COMMUNE,
                                skip_unknown=skip_unknown)
    if len(res.rejected):
        rejected_parts.append(res.rejected)
    ok = res.code.notna()

    # One line per savoir-faire: count a professional once per structure × category, keeping
    # the ordinal specialty (type S) line first.
    structure = f[COL_STRUCTURE].str.strip() if COL_STRUCTURE in f else res.code
    rank = (f[COL_TYPE_SF].str.strip() != "S").astype(int) if COL_TYPE_SF in f else 0
    key = pd.DataFrame({"pp": pp, "where": structure.where(structure != "", res.code), "cat": category,
                        "rank": rank})[ok]
    key = key.sort_values(["rank"], kind="stable")
    dup = key.duplicated(["pp", "where", "cat"], keep="first")
    if dup.any():
        warnings.append(f"{int(dup.sum())} lignes en double (même professionnel, même structure, même "
                        "catégorie) comptées une fois")
    keep_idx = key.index[~dup].sort_values()

    present = {k: c for k, c in ATTRIBUTE_COLUMNS.items() if c in f.columns}
    attrs = f.loc[keep_idx, list(present.values())].copy()
    attrs.columns = list(present)
    attrs["mode"] = mode[keep_idx].map(MODES)
    is_doc = f.loc[keep_idx, COL_PROFESSION].str.strip() == scope["profession"]
    attrs["specialite"] = sf_code[keep_idx].where(is_doc, "")
    attrs["libelle_specialite"] = sf_label[keep_idx].where(is_doc, "")
    attrs["perimetre_apl"] = in_apl[keep_idx].astype(object)
    name = None
    if "Nom d'exercice" in f and "Prénom d'exercice" in f:
        name = (f.loc[keep_idx, "Prénom d'exercice"].str.strip() + " "
                + f.loc[keep_idx, "Nom d'exercice"].str.strip()).str.strip()
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
    warnings.append(NO_AGE)
    counts["activites_retenues"] = int(len(rows))
    rejected = pd.concat(rejected_parts, ignore_index=True) if rejected_parts else None
    return _csv.finish(
        kind="offer",
        source="rpps",
        title=TITLE,
        vintage=vintage or _vintage_from_name(data_name) or _vintage_from_name(path.name) or "non précisé",
        licence=LICENCE,
        attribution=ATTRIBUTION,
        file=table.file,
        rows=rows,
        parameters={"skip_unknown": skip_unknown, "perimetre_generalistes": GP_SCOPE,
                    "age_praticiens": NO_AGE, "fichier_savoirfaire": sf_table.file if sf_table else None,
                    "comptes": counts},
        remapped=res.remapped,
        rejected=rejected,
        warnings=warnings,
    )


def _vintage_from_name(name: str) -> str | None:
    m = re.search(r"_(\d{4})(\d{2})(\d{2})\d{0,6}(?:-[a-z]+)?\.(txt|zip|csv)$", name, re.IGNORECASE)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


__all__ = ["read_rpps", "rpps_rules", "GP_SCOPE", "NO_AGE"]
