"""INSEE Base permanente des équipements (BPE): health equipment per commune or per point.

Three published layouts are recognised from the header:

* **communal counts** — one row per commune × equipment type: ``DEPCOM`` (or
  ``CODGEO``), ``TYPEQU``, ``NB_EQUIP``; optional ``AN``, ``REG``, ``DEP``… (the
  « ensemble » files by commune);
* **point level** — one row per equipment: ``DEPCOM``, ``TYPEQU``, ``LAMBERT_X``,
  ``LAMBERT_Y``, ``QUALITE_XY`` and, in the 2018 « ensemble XY » file, ``REG``,
  ``DEP``, ``DCIRIS``, ``AN`` (INSEE, bpe18_ensemble_xy_csv.zip). Later files
  (``BPE23.csv``) add columns such as ``LONGITUDE``/``LATITUDE``/``EPSG``, used when
  present. Coordinates are Lambert-93 in métropole, UTM 20N (Guadeloupe,
  Martinique), UTM 22N (Guyane), UTM 40S (La Réunion), UTM 38S (Mayotte);
* **wide** — ``CODGEO`` then one ``NB_<TYPEQU>`` column per equipment type, as in
  the extracts ``CODGEO;NB_D201``.

Separators ``;`` (INSEE's) and ``,`` are accepted; UTF-8 is expected and
windows-1252 (INSEE's older files) accepted with a warning. Equipment types are
mapped to categories by ``rules/categories.yaml`` (``sources.bpe.typequ``); other
types are left out and counted in a warning.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from accesoins.errors import InputError
from accesoins.offer import _csv
from accesoins.offer._proj import department_epsg, to_wgs84
from accesoins.offer.batch import ImportBatch
from accesoins.territory.codes import CommuneIndex, normalise_code

TITLE = "INSEE, Base permanente des équipements"
LICENCE = "Licence Ouverte / Open Licence 2.0"
ATTRIBUTION = "Insee, Base permanente des équipements"

_WIDE = re.compile(r"^NB_(D\d{3})$", re.IGNORECASE)


def read_bpe(
    path: str | Path,
    *,
    communes: CommuneIndex,
    skip_unknown: bool = False,
    vintage: str | None = None,
) -> ImportBatch:
    """Read a BPE file (communal counts, point level or wide) into an offer batch.

    Parameters
    ----------
    path : str or Path
        The CSV file (or a ``.zip`` holding it).
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    skip_unknown : bool, default False
        Put rows whose commune code is unknown in ``batch.rejected`` instead of raising.
    vintage : str, optional
        Year of the data; read from the ``AN`` column when absent.

    Returns
    -------
    ImportBatch
        ``kind='offer'``, ``source='bpe'``. Communal and wide files give one row
        per commune × category (unit ``count``, duplicates summed); point files one
        row per equipment with its WGS84 position.

    Raises
    ------
    InputError
        Naming file, line and field: wrong separator or missing column, bad count,
        unknown commune (unless ``skip_unknown``), coordinates outside France,
        truncated line, bad encoding, empty file.
    """
    table = _csv.read_table(path, seps=(";", ","), encoding="utf-8", fallback="cp1252")
    typequ_map: dict[str, str] = _csv.load_rules()["sources"]["bpe"]["typequ"]
    code_col = table.pick("DEPCOM", "CODGEO")
    wide_cols = [c for c in table.frame.columns if _WIDE.match(c)]
    typequ_col = table.pick("TYPEQU")
    if code_col is None:
        table.require(["DEPCOM"], hint=" (ou « CODGEO »)")
    if typequ_col is None and not wide_cols:
        table.require(["TYPEQU"], hint=" (ou des colonnes « NB_Dxxx » pour le format large)")

    if typequ_col is not None and table.pick("NB_EQUIP") is not None:
        layout = "communal"
        long = _long_from_communal(table, code_col, typequ_col, table.pick("NB_EQUIP"), typequ_map)
    elif typequ_col is not None:
        layout = "points"
        return _read_points(
            table, code_col, typequ_col, typequ_map, communes, skip_unknown, vintage
        )
    else:
        layout = "wide"
        long = _long_from_wide(table, code_col, wide_cols, typequ_map)

    warnings = list(table.warnings) + long.attrs.get("warnings", [])
    res = _csv.resolve_communes(
        long["code"], communes, file=table.file, field=code_col, skip_unknown=skip_unknown
    )
    warnings += _csv.double_count_warning(res)
    long["code_commune"] = res.code
    long = long[long["code_commune"].notna()]

    key = long["code"].map(normalise_code) + "|" + long["typequ"]
    dup = key.duplicated(keep=False)
    if dup.any():
        codes = sorted(set(long.loc[dup, "code"].map(normalise_code)))
        warnings.append(
            f"{int(dup.sum())} lignes pour {len(codes)} couple(s) commune × équipement en double, "
            f"sommées : {', '.join(codes[:10])}{' …' if len(codes) > 10 else ''}"
        )
    agg = long.groupby(["code_commune", "category"], as_index=False, sort=True)["nb"].sum()
    rows = _csv.offer_rows(
        agg.index,
        category=agg["category"],
        code_commune=agg["code_commune"],
        quantity=agg["nb"],
        unit="count",
        site_id=None,
        name=None,
        attributes=None,
    )
    return _csv.finish(
        kind="offer",
        source="bpe",
        title=TITLE,
        vintage=vintage or _vintage_from(table) or "non précisé",
        licence=LICENCE,
        attribution=ATTRIBUTION,
        file=table.file,
        rows=rows,
        parameters={
            "layout": layout,
            "skip_unknown": skip_unknown,
            "separator": table.sep,
            "encoding": table.encoding,
        },
        remapped=res.remapped,
        rejected=res.rejected,
        warnings=warnings,
    )


def _long_from_communal(
    table: _csv.Table, code_col: str, typequ_col: str, nb_col: str, typequ_map: dict[str, str]
) -> pd.DataFrame:
    f = table.frame
    typequ = f[typequ_col].str.strip().str.upper()
    kept = typequ.isin(typequ_map)
    long = pd.DataFrame(
        {
            "code": f.loc[kept, code_col],
            "typequ": typequ[kept],
            "category": typequ[kept].map(typequ_map),
        }
    )
    long["nb"] = _csv.parse_quantity(f.loc[kept, nb_col], file=table.file, field=nb_col)
    long.attrs["warnings"] = _ignored_warning(typequ[~kept])
    return long


def _long_from_wide(
    table: _csv.Table, code_col: str, wide_cols: list[str], typequ_map: dict[str, str]
) -> pd.DataFrame:
    f = table.frame
    parts = []
    ignored = []
    for col in wide_cols:
        code = _WIDE.match(col).group(1).upper()
        if code not in typequ_map:
            ignored.append(code)
            continue
        nb = _csv.parse_quantity(f[col], file=table.file, field=col)
        parts.append(
            pd.DataFrame(
                {"code": f[code_col], "typequ": code, "category": typequ_map[code], "nb": nb}
            )
        )
    if not parts:
        raise InputError(
            f"aucune colonne d'équipement de santé reconnue ({', '.join(wide_cols)}) ; "
            "voir sources.bpe.typequ dans rules/categories.yaml",
            file=table.file,
            line=table.header_line,
            field=wide_cols[0],
        )
    long = pd.concat(parts)
    long.attrs["warnings"] = (
        [f"colonnes d'équipements hors santé ignorées : {', '.join(ignored)}"] if ignored else []
    )
    return long


def _ignored_warning(codes: pd.Series) -> list[str]:
    if codes.empty:
        return []
    top = codes.value_counts().index[:8].tolist()
    return [
        f"{len(codes)} lignes d'équipements hors du champ santé retenu ignorées (types : {', '.join(top)}…)"
    ]


def _vintage_from(table: _csv.Table) -> str | None:
    an = table.pick("AN")
    if an is None:
        return None
    years = table.frame[an].str.strip().unique()
    return str(years[0]) if len(years) == 1 and years[0] else None


def _read_points(
    table: _csv.Table,
    code_col: str,
    typequ_col: str,
    typequ_map: dict[str, str],
    communes: CommuneIndex,
    skip_unknown: bool,
    vintage: str | None,
) -> ImportBatch:
    f = table.frame
    typequ = f[typequ_col].str.strip().str.upper()
    kept = typequ.isin(typequ_map)
    warnings = list(table.warnings) + _ignored_warning(typequ[~kept])
    f = f[kept]
    typequ = typequ[kept]

    lon_col, lat_col = table.pick("LONGITUDE"), table.pick("LATITUDE")
    x_col, y_col = table.pick("LAMBERT_X"), table.pick("LAMBERT_Y")
    if lon_col and lat_col:
        lon = _csv.parse_coordinate(f[lon_col], file=table.file, field=lon_col, allow_empty=True)
        lat = _csv.parse_coordinate(f[lat_col], file=table.file, field=lat_col, allow_empty=True)
        coord_field = lat_col
    else:
        if x_col is None or y_col is None:
            table.require(
                ["LAMBERT_X", "LAMBERT_Y"], hint=" (fichier BPE par équipement sans NB_EQUIP)"
            )
        x = _csv.parse_coordinate(f[x_col], file=table.file, field=x_col, allow_empty=True)
        y = _csv.parse_coordinate(f[y_col], file=table.file, field=y_col, allow_empty=True)
        epsg_col = table.pick("EPSG")
        if epsg_col is not None:
            digits = f[epsg_col].str.extract(r"(\d{4,5})", expand=False)
            epsg = digits.astype(float).fillna(
                department_epsg(f[code_col].map(normalise_code)).astype(float)
            )
        else:
            epsg = department_epsg(f[code_col].map(normalise_code))
        lon, lat = to_wgs84(x, y, epsg)
        coord_field = x_col
    _csv.check_in_france(lat, lon, file=table.file, field=coord_field)

    res = _csv.resolve_communes(
        f[code_col], communes, file=table.file, field=code_col, skip_unknown=skip_unknown
    )
    ok = res.code.notna()
    attrs = pd.DataFrame({"typequ": typequ})
    q_col = table.pick("QUALITE_XY")
    if q_col:
        attrs["qualite_xy"] = f[q_col]
    name_col = table.pick("NOMRS")
    siret_col = table.pick("SIRET")
    idx = f.index[ok]
    rows = _csv.offer_rows(
        idx,
        category=typequ[ok].map(typequ_map),
        code_commune=res.code[ok],
        quantity=pd.Series(1.0, index=idx),
        unit="count",
        site_id=f.loc[ok, siret_col].where(lambda s: s.str.strip() != "", None)
        if siret_col
        else None,
        name=f.loc[ok, name_col].where(lambda s: s.str.strip() != "", None) if name_col else None,
        lat=lat[ok],
        lon=lon[ok],
        attributes=_csv.to_json_column(attrs[ok]),
    )
    n_nogeo = int(lat[ok].isna().sum())
    if n_nogeo:
        warnings.append(
            f"{n_nogeo} équipements sans coordonnées (non géolocalisés) : rattachés à leur commune seulement"
        )
    return _csv.finish(
        kind="offer",
        source="bpe",
        title=TITLE,
        vintage=vintage or _vintage_from(table) or "non précisé",
        licence=LICENCE,
        attribution=ATTRIBUTION,
        file=table.file,
        rows=rows,
        parameters={
            "layout": "points",
            "skip_unknown": skip_unknown,
            "separator": table.sep,
            "encoding": table.encoding,
        },
        remapped=res.remapped,
        rejected=res.rejected,
        warnings=warnings,
    )


__all__ = ["read_bpe"]
