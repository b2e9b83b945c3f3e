"""FINESS health establishments: the Etalab stock extraction and the AtlaSanté extract.

**Etalab stock extraction** (``etalab-cs1100507-stock-YYYYMMDD-HHMM.csv`` on
data.gouv.fr, « FINESS Extraction du Fichier des établissements »): ``;``-separated,
historically windows-1252 (UTF-8 accepted), no header line. Line 1 is
``finess;etalab;<n>;<YYYY-MM-DD>`` (the extraction date, used as vintage). Then
come records whose first field names their type:

* ``structureet`` — 32 fields: structureet, nofinesset, nofinessej, rs, rslongue,
  complrs, compldistrib, numvoie, typvoie, voie, compvoie, lieuditbp, commune,
  departement, libdepartement, ligneacheminement, telephone, telecopie, categetab,
  libcategetab, categagretab, libcategagretab, siret, codeape, codemft, libmft,
  codesph, libsph, dateouv, dateautor, datemaj, numuai;
* ``geolocalisation`` — 6 fields: geolocalisation, nofinesset, coordxet, coordyet,
  sourcecoordet, datemaj. The last comma-separated token of ``sourcecoordet`` names
  the projection: ``LAMBERT_93``, ``UTM_N20``… until 2025; since 2026
  ``EPSG:2154 RGF93 / Lambert-93 (Métropole)``, ``EPSG:5490 RGAF09/UTM Zone 20N
  (Antilles)``… and, without an EPSG code, ``WGS84/UTM zone 21N
  (Saint-Pierre-et-Miquelon)`` or ``WGS84/UTM zone 1S (Wallis-et-Futuna)``.

The commune code is ``departement`` + ``commune`` (3 digits), except overseas
where FINESS departments are letters (``rules/outside_territory.yaml``):
``9A``…``9F`` give ``97`` + ``commune`` (``9A`` + ``101`` → ``97101``), ``9J``
(Wallis-et-Futuna) ``98`` + ``commune``. Corsica keeps ``2A``/``2B``.
Establishments of collectivities outside the territory (Saint-Martin and
Saint-Barthélemy, still under ``9A`` with their former codes 97127 and 97123,
Saint-Pierre-et-Miquelon ``9E``, Wallis-et-Futuna ``9J``…) are counted in
``batch.outside``, never an error.

A ``.json`` file (or a zip holding one) is the new FINESS+ publication: it is
read by :func:`accesoins.offer.finess_plus.read_finess_plus`.

**AtlaSanté extract** (``finess_hopitaux_2020.csv``, published by Eurostat's
healthcare services project): ``,``-separated UTF-8 with a header; ``id`` is the
FINESS number without its leading zero, ``lat``/``lon`` WGS84, ``facility_type``
the category label. It carries no commune code: the caller supplies
``locate(lat, lon) -> code``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from accesoins.errors import InputError
from accesoins.offer import _csv, _validate
from accesoins.offer._proj import FINESS_CRS, finess_epsg, to_wgs84
from accesoins.offer.batch import ImportBatch
from accesoins.offer.contact import atlas_contact, etalab_contact
from accesoins.territory.codes import CommuneIndex

STRUCTUREET = [
    "structureet", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib",
    "numvoie", "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement",
    "libdepartement", "ligneacheminement", "telephone", "telecopie", "categetab",
    "libcategetab", "categagretab", "libcategagretab", "siret", "codeape", "codemft",
    "libmft", "codesph", "libsph", "dateouv", "dateautor", "datemaj", "numuai",
]  # fmt: skip
GEOLOCALISATION = [
    "geolocalisation",
    "nofinesset",
    "coordxet",
    "coordyet",
    "sourcecoordet",
    "datemaj",
]

TITLE = "FINESS — Fichier national des établissements sanitaires et sociaux"
LICENCE = "Licence Ouverte / Open Licence 2.0"
ATTRIBUTION = "Ministère des Solidarités et de la Santé, FINESS (extraction Etalab)"

Locate = Callable[[float, float], "str | None"]


def _categetab_rules() -> dict[str, dict[str, str]]:
    return _csv.load_rules()["sources"]["finess"]["categetab"]


def read_finess(
    path: str | Path,
    *,
    communes: CommuneIndex,
    skip_unknown: bool = False,
    vintage: str | None = None,
) -> ImportBatch:
    """Read the FINESS Etalab stock extraction (establishments) into an offer batch.

    Parameters
    ----------
    path : str or Path
        The ``etalab-cs1100507-stock-*.csv`` file (or a ``.zip`` holding it).
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    skip_unknown : bool, default False
        Put establishments whose commune is unknown in ``batch.rejected`` instead of raising.
    vintage : str, optional
        Date of the data; by default the extraction date of line 1.

    Returns
    -------
    ImportBatch
        One row per establishment of a category listed in ``rules/categories.yaml``
        (``sources.finess.categetab``): unit ``sites``, quantity 1, ``site_id`` the
        FINESS ET number, WGS84 ``lat``/``lon`` when geolocated, and the category
        code and label, legal entity, SIRET and dates in ``attributes``.

    Raises
    ------
    InputError
        Bad first line, unknown separator, truncated record, unknown projection,
        non-numeric coordinates or coordinates outside France, unknown commune
        (unless ``skip_unknown``), unreadable encoding, empty file.
    """
    from accesoins.offer import finess_plus

    if finess_plus.is_json(path):
        return finess_plus.read_finess_plus(
            path, communes=communes, skip_unknown=skip_unknown, vintage=vintage
        )
    file = str(path)
    text, encoding, warnings = _csv.decode(
        _csv.read_bytes(path), file=file, encoding="utf-8", fallback="cp1252"
    )
    lines = _csv.split_lines(text)
    lines = lines[lines.str.strip() != ""]
    if lines.empty:
        raise InputError("fichier vide", file=file, line=1)
    first = lines.iloc[0].split(";")
    if first[:2] != ["finess", "etalab"]:
        sep_hint = " ; le séparateur attendu est « ; »" if ";" not in lines.iloc[0] else ""
        raise InputError(
            f"première ligne inattendue « {lines.iloc[0][:60]} » : une extraction FINESS Etalab commence "
            f"par « finess;etalab;… »{sep_hint}",
            file=file,
            line=int(lines.index[0]),
        )
    extraction_date = first[3].strip() if len(first) > 3 else ""
    body = lines.iloc[1:]
    kind = body.str.split(";", n=1).str[0]
    struct_lines = body[kind == "structureet"]
    geo_lines = body[kind == "geolocalisation"]
    other = ~kind.isin(["structureet", "geolocalisation"])
    if other.any():
        warnings.append(
            f"{int(other.sum())} lignes d'un autre type d'enregistrement ignorées "
            f"(première : ligne {_validate.first_bad(other)})"
        )
    if struct_lines.empty:
        raise InputError(
            "aucun enregistrement « structureet » : est-ce bien une extraction FINESS des établissements "
            "séparée par « ; » ?",
            file=file,
            line=int(body.index[0]) if len(body) else int(lines.index[0]) + 1,
        )
    st = _csv.parse_records(struct_lines, STRUCTUREET, ";", file=file, quoting=False)
    geo = _csv.parse_records(geo_lines, GEOLOCALISATION, ";", file=file, quoting=False)

    # Establishments of collectivities outside the territory, whatever their category.
    all_codes = finess_commune_code(st["departement"], st["commune"])
    where = _csv.outside_collectivity(all_codes)
    out_mask = where.notna()
    outside = pd.DataFrame(
        {"line": st.index[out_mask].astype(int), "code": all_codes[out_mask].to_numpy(),
         "collectivity": where[out_mask].to_numpy()}
    )
    st = st[~out_mask]

    rules = _categetab_rules()
    cat = st["categetab"].str.strip()
    kept = cat.isin(rules)
    if (~kept).any():
        warnings.append(
            f"{int((~kept).sum())} établissements d'autres catégories (médico-sociales, etc.) ignorés"
        )
    st = st[kept]
    cat = cat[kept]

    code = finess_commune_code(st["departement"], st["commune"])
    res = _validate.resolve_communes(
        code, communes, file=file, field="commune", skip_unknown=skip_unknown
    )
    ok = res.code.notna()

    # Coordinates: join the geolocalisation records (keeping their line numbers for errors);
    # only for establishments in the territory (Wallis-et-Futuna is not in France's boxes).
    geo = geo.assign(geo_line=geo.index)
    geo = geo.drop_duplicates("nofinesset", keep="last")
    geo_by_id = geo.set_index("nofinesset")
    g = geo_by_id.reindex(st["nofinesset"])
    g.index = st.index
    has_geo = g["geo_line"].notna() & ok
    x = pd.Series(np.nan, index=st.index)
    y = pd.Series(np.nan, index=st.index)
    epsg = pd.Series(np.nan, index=st.index)
    if has_geo.any():
        gg = g[has_geo].set_index(g.loc[has_geo, "geo_line"].astype(int))
        xs = _validate.parse_coordinate(gg["coordxet"], file=file, field="coordxet", allow_empty=True)
        ys = _validate.parse_coordinate(gg["coordyet"], file=file, field="coordyet", allow_empty=True)
        crs_name = gg["sourcecoordet"].str.rsplit(",", n=1).str[-1].str.strip()
        codes = crs_name.map(finess_epsg)
        bad = codes.isna() & xs.notna()
        if bad.any():
            line = _validate.first_bad(bad)
            raise InputError(
                f"système de coordonnées « {crs_name[line]} » inconnu (attendus : "
                f"« EPSG:nnnn … », « WGS84/UTM zone nnN|S … » ou {', '.join(FINESS_CRS)})",
                file=file,
                line=line,
                field="sourcecoordet",
            )
        lon_g, lat_g = to_wgs84(xs, ys, codes)
        _validate.check_in_france(lat_g, lon_g, file=file, field="coordxet")
        x[has_geo] = lon_g.to_numpy()
        y[has_geo] = lat_g.to_numpy()
        epsg[has_geo] = codes.to_numpy()
    lon, lat = x, y
    attrs = st.loc[
        ok,
        [
            "categetab",
            "libcategetab",
            "nofinessej",
            "siret",
            "codemft",
            "libmft",
            "codesph",
            "dateouv",
            "datemaj",
        ],
    ].join(etalab_contact(st.loc[ok]))  # address and phone, for orientation
    idx = st.index[ok]
    name = st.loc[ok, "rslongue"].where(st.loc[ok, "rslongue"].str.strip() != "", st.loc[ok, "rs"])
    rows = _csv.offer_rows(
        idx,
        category=cat[ok].map(lambda c: rules[c]["category"]),
        code_commune=res.code[ok],
        quantity=pd.Series(1.0, index=idx),
        unit="sites",
        site_id=st.loc[ok, "nofinesset"].str.strip(),
        name=name.str.strip(),
        lat=lat[ok],
        lon=lon[ok],
        attributes=_csv.to_json_column(attrs),
    )
    n_nogeo = int(lat[ok].isna().sum())
    if n_nogeo:
        warnings.append(
            f"{n_nogeo} établissements sans géolocalisation : rattachés à leur commune seulement"
        )
    batch = _csv.finish(
        kind="offer",
        source="finess",
        title=TITLE,
        vintage=vintage or extraction_date or "non précisé",
        licence=LICENCE,
        attribution=ATTRIBUTION,
        file=file,
        rows=rows,
        parameters={"layout": "etalab_stock", "skip_unknown": skip_unknown, "encoding": encoding,
                    "crs": sorted({int(c) for c in epsg.dropna()})},
        remapped=res.remapped,
        rejected=res.rejected,
        warnings=warnings,
    )
    batch.outside = outside.reset_index(drop=True)
    return batch


def finess_commune_code(departement: pd.Series, commune: pd.Series) -> pd.Series:
    """INSEE commune code from FINESS ``departement`` and 3-digit ``commune``.

    ``01`` + ``451`` → ``01451``; ``2A`` + ``004`` → ``2A004``; overseas FINESS
    departments ``9A``–``9F`` give ``97`` + commune (``9D`` + ``411`` → ``97411``),
    ``9J`` gives ``98`` + commune (``9J`` + ``613`` → ``98613``, Wallis-et-Futuna),
    as listed in ``rules/outside_territory.yaml``. Another ``9x`` letter code gives
    ``9x`` + commune, reported as a collectivity outside the territory.
    """
    prefixes = _csv.load_rules_file("outside_territory.yaml")["finess_departements"]
    dep = departement.astype("object").fillna("").str.strip().str.upper()
    com = commune.astype("object").fillna("").str.strip().str.zfill(3)
    mapped = dep.map(prefixes)
    return (mapped + com).where(mapped.notna(), dep.str.zfill(2) + com)


def read_finess_atlasante(
    path: str | Path,
    *,
    communes: CommuneIndex,
    locate: Locate | None = None,
    skip_unknown: bool = False,
    vintage: str | None = None,
) -> ImportBatch:
    """Read the AtlaSanté / Eurostat FINESS hospital extract (``finess_hopitaux_2020.csv``).

    Parameters
    ----------
    path : str or Path
        The ``,``-separated UTF-8 file with columns ``id, hospital_name, site_name,
        lat, lon, …, facility_type, public_private, …, ref_date``.
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    locate : callable ``(lat, lon) -> str | None``
        Finds the INSEE code of the commune holding a point (the file has none).
        Required; called once per distinct position.
    skip_unknown : bool, default False
        Reject (instead of raising on) establishments whose commune is unknown.
    vintage : str, optional
        Defaults to the ``ref_date`` column (``06/03/2020`` → ``2020-03-06``).

    Returns
    -------
    ImportBatch
        One row per establishment (unit ``sites``); ``site_id`` the 9-digit FINESS
        number (leading zero restored); ``facility_type`` mapped to a category
        through the FINESS labels of ``rules/categories.yaml``.
    """
    table = _csv.read_table(path, seps=(",", ";"))
    table.require(["id", "lat", "lon", "facility_type"])
    if locate is None:
        raise InputError(
            "ce fichier ne donne pas de code commune : fournissez locate=fonction(lat, lon) -> code",
            file=table.file,
            line=table.header_line,
            field="lat",
        )
    f = table.frame
    lat = _validate.parse_coordinate(f["lat"], file=table.file, field="lat")
    lon = _validate.parse_coordinate(f["lon"], file=table.file, field="lon")
    _validate.check_in_france(lat, lon, file=table.file, field="lat")

    rules = _categetab_rules()
    by_label = {v["label"].casefold(): (code, v["category"]) for code, v in rules.items()}
    label = f["facility_type"].str.strip()
    found = label.str.casefold().map(lambda s: by_label.get(s))
    unknown_label = found.isna()
    _validate.reject_first(
        unknown_label,
        lambda line: f"catégorie d'établissement « {label[line]} » absente de rules/categories.yaml (sources.finess)",
        file=table.file,
        field="facility_type",
    )
    ids = f["id"].str.strip()
    bad_id = ~ids.str.fullmatch(r"\d[0-9AB]\d{6,7}")
    if bad_id.any():
        line = _validate.first_bad(bad_id)
        raise InputError(
            f"numéro FINESS « {ids[line]} » invalide", file=table.file, line=line, field="id"
        )

    pairs = pd.DataFrame({"lat": lat, "lon": lon})
    uniq = pairs.drop_duplicates()
    located = pd.Series(
        [locate(float(a), float(b)) for a, b in zip(uniq["lat"], uniq["lon"], strict=True)],
        index=uniq.index,
    )
    key = pd.MultiIndex.from_frame(uniq)
    lookup = pd.Series(located.to_numpy(), index=key)
    code = pd.Series(
        lookup.reindex(pd.MultiIndex.from_frame(pairs)).to_numpy(), index=f.index, dtype="object"
    ).fillna("")

    res = _validate.resolve_communes(
        code, communes, file=table.file, field="lat/lon", skip_unknown=skip_unknown
    )
    ok = res.code.notna()
    keep_cols = [
        c
        for c in ["facility_type", "public_private", "geo_qual", "emergency", "postcode", "city"]
        if c in f
    ]
    attrs = f.loc[ok, keep_cols].assign(categetab=found[ok].str[0]).join(atlas_contact(f.loc[ok]))
    name = f.loc[ok, "hospital_name"] if "hospital_name" in f else None
    idx = f.index[ok]
    rows = _csv.offer_rows(
        idx,
        category=found[ok].str[1],
        code_commune=res.code[ok],
        quantity=pd.Series(1.0, index=idx),
        unit="sites",
        site_id=ids[ok].str.zfill(9),
        name=name,
        lat=lat[ok],
        lon=lon[ok],
        attributes=_csv.to_json_column(attrs),
    )
    if vintage is None and "ref_date" in f:
        dates = f["ref_date"].str.strip().unique()
        if len(dates) == 1 and len(dates[0].split("/")) == 3:
            d, m, y = dates[0].split("/")
            vintage = f"{y}-{m}-{d}"
    return _csv.finish(
        kind="offer",
        source="finess",
        title=TITLE + " (extrait AtlaSanté, établissements hospitaliers)",
        vintage=vintage or "non précisé",
        licence="EUPL-1.2 (Eurostat) ; données FINESS sous Licence Ouverte",
        attribution="FINESS via AtlaSanté, publié par Eurostat (healthcare services)",
        file=table.file,
        rows=rows,
        parameters={"layout": "atlasante", "skip_unknown": skip_unknown},
        remapped=res.remapped,
        rejected=res.rejected,
        warnings=table.warnings,
    )


__all__ = ["read_finess", "read_finess_atlasante", "finess_commune_code"]
