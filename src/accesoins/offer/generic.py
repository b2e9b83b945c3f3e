"""Generic CSV of care offer: any source without a dedicated importer.

Format (one row per site, professional or commune × category):

============== ========================================================================
column         content
============== ========================================================================
code_commune   INSEE code of the commune (``75056``, ``2A004``, ``97411``; old codes
               are mapped to the current commune). Either this column, or both:
latitude       WGS84 latitude in decimal degrees (``48.8566``; ``48,8566`` accepted),
longitude      WGS84 longitude; the commune is then found by the caller's
               ``locate(lat, lon) -> code``.
categorie      one of the categories of ``rules/categories.yaml``
               (``medecin_generaliste``, ``pharmacie``, ``infirmier``, …).
nombre         headcount or number of sites (non-negative number), or instead:
etp            full-time equivalents (unit ``fte``).
nom            optional: name of the site or professional.
identifiant    optional: FINESS, RPPS, SIRET or your own identifier.
============== ========================================================================

Separator ``;`` or ``,`` (detected from the header); UTF-8 with or without BOM;
column names are matched case-insensitively; other columns are kept in
``attributes``. One record per line.

Files with other column names are read through ``mapping`` (our name → their
column), e.g. ``mapping={"code_commune": "CODGEO", "nombre": "NB"}``; a constant
``category=`` replaces a missing ``categorie`` column. **Wide** files (one column
per category, the cell holding the count) are read with ``wide`` (their column →
category), e.g. the SIRENE NAF 86 counts::

    read_generic(path, communes=idx, mapping={"code_commune": "codecommuneetablissement"},
                 wide=rules["sources"]["sirene_naf86"]["wide_columns"], unit="sites")

Wide files give one row per commune × category (columns mapped to the same
category are summed; zero counts are dropped).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from accesoins.errors import InputError, ParameterError
from accesoins.offer import _csv, _validate
from accesoins.offer.batch import ImportBatch
from accesoins.territory.codes import CommuneIndex

COLUMNS = [
    "code_commune",
    "latitude",
    "longitude",
    "categorie",
    "nombre",
    "etp",
    "nom",
    "identifiant",
]
UNITS = {"count", "fte", "sites"}

Locate = Callable[[float, float], "str | None"]


def read_generic(
    path: str | Path,
    *,
    communes: CommuneIndex,
    skip_unknown: bool = False,
    vintage: str | None = None,
    mapping: Mapping[str, str] | None = None,
    wide: Mapping[str, str] | None = None,
    category: str | None = None,
    unit: str | None = None,
    locate: Locate | None = None,
    source: str = "generic",
    title: str = "Fichier d'offre de soins (format générique)",
    licence: str = "non précisée",
    attribution: str = "",
) -> ImportBatch:
    """Read a generic offer CSV (see the module docstring for the format).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    skip_unknown : bool, default False
        Put rows whose commune is unknown in ``batch.rejected`` instead of raising.
    vintage : str, optional
        Date or year of the data (``"non précisé"`` when absent).
    mapping : mapping of str to str, optional
        Our column name → the file's column name.
    wide : mapping of str to str, optional
        The file's count columns → category; switches to the wide layout.
    category : str, optional
        Category of every row, when the file has no ``categorie`` column.
    unit : {'count', 'fte', 'sites'}, optional
        Overrides the unit implied by ``nombre`` (count) or ``etp`` (fte).
    locate : callable ``(lat, lon) -> str | None``, optional
        Finds the commune of a point; required when rows give coordinates only.
    source, title, licence, attribution : str
        Provenance recorded in the batch.

    Returns
    -------
    ImportBatch
        ``kind='offer'``.

    Raises
    ------
    InputError
        Missing column (or wrong separator), unknown category, non-numeric or
        negative count, coordinates outside France or without ``locate``, unknown
        commune (unless ``skip_unknown``), truncated line, non-UTF-8 bytes, empty file.
    ParameterError
        A bad ``mapping``/``wide``/``category``/``unit`` argument.
    """
    mapping = dict(mapping or {})
    bad_keys = set(mapping) - set(COLUMNS)
    if bad_keys:
        raise ParameterError(
            f"mapping : clé(s) inconnue(s) {sorted(bad_keys)} ; clés possibles : {COLUMNS}"
        )
    if unit is not None and unit not in UNITS:
        raise ParameterError(f"unit doit valoir l'un de {sorted(UNITS)}, pas « {unit} »")
    known = _csv.known_categories()
    for cat in ([category] if category else []) + list((wide or {}).values()):
        if cat not in known:
            raise ParameterError(
                f"catégorie « {cat} » inconnue ; catégories possibles : {', '.join(sorted(known))}"
            )

    table = _csv.read_table(path, seps=(";", ","), encoding="utf-8")
    cols = _resolve_columns(table, mapping)
    f = table.frame
    warnings = list(table.warnings)
    file = table.file

    code_col, lat_col, lon_col = (
        cols.get("code_commune"),
        cols.get("latitude"),
        cols.get("longitude"),
    )
    if code_col is None and (lat_col is None or lon_col is None):
        table.require(
            ["code_commune"], hint=" (ou les deux colonnes « latitude » et « longitude »)"
        )
    lat = lon = None
    if lat_col is not None and lon_col is not None:
        lat = _validate.parse_coordinate(
            f[lat_col], file=file, field=lat_col, allow_empty=code_col is not None
        )
        lon = _validate.parse_coordinate(
            f[lon_col], file=file, field=lon_col, allow_empty=code_col is not None
        )
        _validate.check_in_france(lat, lon, file=file, field=lat_col)
    codes = (
        f[code_col].str.strip()
        if code_col is not None
        else pd.Series("", index=f.index, dtype="object")
    )
    need_locate = (codes == "") & (lat.notna() if lat is not None else False)
    code_field = code_col or "latitude/longitude"
    if need_locate.any():
        if locate is None:
            raise InputError(
                "commune à déduire des coordonnées mais aucune fonction locate(lat, lon) fournie",
                file=file,
                line=_validate.first_bad(need_locate),
                field=lat_col,
            )
        pts = pd.DataFrame({"lat": lat[need_locate], "lon": lon[need_locate]})
        uniq = pts.drop_duplicates()
        found = {
            (a, b): locate(float(a), float(b))
            for a, b in zip(uniq["lat"], uniq["lon"], strict=True)
        }
        codes = codes.copy()
        codes[need_locate] = [
            found[(a, b)] or "" for a, b in zip(pts["lat"], pts["lon"], strict=True)
        ]
        at_sea = need_locate & (codes == "")
        if at_sea.any() and not skip_unknown:
            line = _validate.first_bad(at_sea)
            raise InputError(
                f"point en mer ou hors de toute commune (latitude {lat[line]:.5f}, longitude {lon[line]:.5f}) : "
                "aucune commune ne contient ce point ; corrigez les coordonnées, ou utilisez --skip-unknown "
                "pour écarter ces lignes",
                file=file,
                line=line,
                field=lat_col,
            )

    used = {c for c in cols.values() if c}
    if wide:
        rows, res = _wide(table, codes, wide, code_field, communes, skip_unknown, unit or "count")
        layout = "wide"
    else:
        rows, res, w = _long(
            table,
            cols,
            codes,
            lat,
            lon,
            category,
            unit,
            known,
            code_field,
            communes,
            skip_unknown,
            used,
        )
        warnings += w
        layout = "long"
    warnings += _validate.double_count_warning(res) if layout == "wide" else []
    return _csv.finish(
        kind="offer",
        source=source,
        title=title,
        vintage=vintage or "non précisé",
        licence=licence,
        attribution=attribution,
        file=file,
        rows=rows,
        parameters={
            "layout": layout,
            "mapping": mapping,
            "wide": dict(wide or {}),
            "category": category,
            "skip_unknown": skip_unknown,
            "separator": table.sep,
        },
        remapped=res.remapped,
        rejected=res.rejected,
        warnings=warnings,
    )


def _resolve_columns(table: _csv.Table, mapping: dict[str, str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in COLUMNS:
        wanted = mapping.get(name, name)
        found = table.pick(wanted)
        if found is None and name in mapping:
            raise InputError(
                f"colonne « {wanted} » (indiquée pour « {name} » dans mapping) absente de l'en-tête"
                f"{_csv._separator_hint(table)}",
                file=table.file,
                line=table.header_line,
                field=wanted,
            )
        out[name] = found
    return out


def _long(
    table, cols, codes, lat, lon, category, unit, known, code_field, communes, skip_unknown, used
):
    f, file = table.frame, table.file
    warnings: list[str] = []
    if cols["categorie"] is None and category is None:
        table.require(["categorie"], hint=" (ou passez category=…)")
    if cols["categorie"] is not None:
        cat = f[cols["categorie"]].str.strip()
        bad = ~cat.isin(known)
        _validate.reject_first(
            bad,
            lambda line: f"catégorie « {cat[line]} » inconnue ; catégories possibles : {', '.join(sorted(known))}",
            file=file,
            field=cols["categorie"],
        )
    else:
        cat = pd.Series(category, index=f.index, dtype="object")
    if cols["nombre"] is not None and cols["etp"] is not None:
        raise InputError(
            "colonnes « nombre » et « etp » toutes deux présentes : gardez-en une seule",
            file=file,
            line=table.header_line,
            field=cols["etp"],
        )
    if cols["nombre"] is None and cols["etp"] is None:
        table.require(["nombre"], hint=" (ou « etp » pour des équivalents temps plein)")
    qcol = cols["nombre"] or cols["etp"]
    qty = _validate.parse_quantity(f[qcol], file=file, field=qcol)
    unit = unit or ("count" if cols["nombre"] else "fte")

    res = _validate.resolve_communes(
        codes, communes, file=file, field=code_field, skip_unknown=skip_unknown
    )
    ok = res.code.notna()
    extra = [c for c in f.columns if c not in used]
    idx = f.index[ok]
    rows = _csv.offer_rows(
        idx,
        category=cat[ok],
        code_commune=res.code[ok],
        quantity=qty[ok],
        unit=unit,
        site_id=f.loc[ok, cols["identifiant"]].where(lambda s: s.str.strip() != "", None)
        if cols["identifiant"]
        else None,
        name=f.loc[ok, cols["nom"]].where(lambda s: s.str.strip() != "", None)
        if cols["nom"]
        else None,
        lat=lat[ok] if lat is not None else None,
        lon=lon[ok] if lon is not None else None,
        attributes=_csv.to_json_column(f.loc[ok, extra]) if extra else None,
    )
    return rows, res, warnings


def _wide(table, codes, wide, code_field, communes, skip_unknown, unit):
    f, file = table.frame, table.file
    missing = [c for c in wide if table.pick(c) is None]
    if missing:
        raise InputError(
            f"colonne « {missing[0]} » (indiquée dans wide) absente de l'en-tête{_csv._separator_hint(table)}",
            file=file,
            line=table.header_line,
            field=missing[0],
        )
    res = _validate.resolve_communes(
        codes, communes, file=file, field=code_field, skip_unknown=skip_unknown
    )
    ok = res.code.notna()
    parts = []
    for col, cat in wide.items():
        real = table.pick(col)
        qty = _validate.parse_quantity(f[real], file=file, field=real)
        parts.append(
            pd.DataFrame({"code_commune": res.code[ok], "category": cat, "quantity": qty[ok]})
        )
    long = pd.concat(parts)
    agg = long.groupby(["code_commune", "category"], as_index=False, sort=True)["quantity"].sum()
    agg = agg[agg["quantity"] > 0].reset_index(drop=True)
    rows = _csv.offer_rows(
        agg.index,
        category=agg["category"],
        code_commune=agg["code_commune"],
        quantity=agg["quantity"],
        unit=unit,
        site_id=None,
        name=None,
        attributes=None,
    )
    return rows, res


__all__ = ["read_generic", "COLUMNS"]
