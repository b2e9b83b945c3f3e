"""INSEE Base permanente des équipements (BPE): health equipment per commune or per point.

Four published layouts are recognised from the header:

* **Melodi communal** (from the 2023 vintage, ``DS_BPE_data.csv`` of
  ``DS_BPE_CSV_FR.zip``): one row per territory × equipment type × measure × year:
  ``GEO;GEO_OBJECT;FACILITY_DOM;FACILITY_SDOM;FACILITY_TYPE;BPE_MEASURE;TIME_PERIOD;OBS_VALUE``
  (column list of INSEE's catalogue, entry ``BPE_ENS``). Only communes
  (``GEO_OBJECT`` ``COM``) and the count of equipments (``BPE_MEASURE``
  ``FACILITIES``) are read; totals (``_T``) and other levels are aggregates of them;
* **legacy communal counts** — one row per commune × equipment type: ``DEPCOM`` (or
  ``CODGEO``), ``TYPEQU``, ``NB_EQUIP``; optional ``AN``, ``REG``, ``DEP``…
  (« ensemble » files up to ``bpe21_ensemble.csv``);
* **geolocated** — one row per equipment: ``DEPCOM``, ``TYPEQU``, ``LAMBERT_X``,
  ``LAMBERT_Y``, ``QUALITE_XY`` (2018 « ensemble XY ») and, in ``BPE23.csv`` /
  ``BPE24.csv`` (catalogue entry ``BPE_ENS_XY``), ``LONGITUDE``/``LATITUDE``,
  ``EPSG``, ``NOMRS``, ``SIRET``… Coordinates are Lambert-93 in métropole, UTM 20N
  (Guadeloupe, Martinique), UTM 22N (Guyane), UTM 40S (La Réunion), UTM 38S
  (Mayotte); ``_Z``/``_U`` (sans objet, indéterminé) read as missing;
* **wide** — ``CODGEO`` then one ``NB_<TYPEQU>`` column per equipment type, as in
  the extracts ``CODGEO;NB_D201``.

Separators ``;`` (INSEE's) and ``,`` are accepted; UTF-8 is expected and
windows-1252 (INSEE's older files) accepted with a warning.

Equipment types of the health and social domain ``D`` follow two nomenclatures
(before and from 2021). Each is either mapped to a category
(``rules/categories.yaml``, ``sources.bpe.typequ``) or listed as out of scope with
its label (``sources.bpe.out_of_scope``, counted in ``batch.out_of_scope``); a ``D``
type in neither is an error naming it, so that no GP or pharmacy of a new
nomenclature is silently lost. Types of other domains (shops, schools…) are left
out and counted in a warning.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from accesoins.errors import InputError
from accesoins.offer import _csv, _validate
from accesoins.offer._proj import department_epsg, to_wgs84
from accesoins.offer.arrondissements import keep_levels
from accesoins.offer.batch import ImportBatch
from accesoins.territory.codes import CommuneIndex, normalise_code

TITLE = "INSEE, Base permanente des équipements"
LICENCE = "Licence Ouverte / Open Licence 2.0"
ATTRIBUTION = "Insee, Base permanente des équipements"

_WIDE = re.compile(r"^NB_(D\d{3})$", re.IGNORECASE)
_MELODI = ["GEO", "GEO_OBJECT", "FACILITY_TYPE", "BPE_MEASURE", "TIME_PERIOD", "OBS_VALUE"]
_MISSING = {"_Z", "_U", "_X"}  # INSEE's « sans objet », « indéterminé », « non disponible »
# a data line of the health domain holds a D type: the rest of a national file is not parsed
_HEALTH_LINE = r"(?:^|[;,])\"?D\d{3}\"?(?:[;,]|$)"
_STREAM_ABOVE = 50_000_000  # bytes: larger files are streamed and pre-filtered


def read_bpe(
    path: str | Path,
    *,
    communes: CommuneIndex,
    skip_unknown: bool = False,
    vintage: str | None = None,
) -> ImportBatch:
    """Read a BPE file (Melodi, communal counts, geolocated or wide) into an offer batch.

    Parameters
    ----------
    path : str or Path
        The CSV file (or a ``.zip`` holding it).
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    skip_unknown : bool, default False
        Put rows whose commune code is unknown in ``batch.rejected`` instead of raising.
    vintage : str, optional
        Year of the data; read from ``AN`` or ``TIME_PERIOD`` when absent. With a
        Melodi file holding several years, the year to read (default: the latest).

    Returns
    -------
    ImportBatch
        ``kind='offer'``, ``source='bpe'``. Communal, Melodi and wide files give one
        row per commune × category (unit ``count``, duplicates summed); geolocated
        files one row per equipment with its WGS84 position. Rows of collectivities
        outside the territory are in ``batch.outside``, out-of-scope D types counted
        in ``batch.out_of_scope``.

    Raises
    ------
    InputError
        Naming file, line and field: wrong separator or missing column, bad count,
        count outside plausible bounds, D type absent from the rules, unknown commune
        (unless ``skip_unknown``), coordinates outside France, truncated line, bad
        encoding, empty file.
    """
    table = _csv.read_table(
        path, seps=(";", ","), encoding="utf-8", fallback="cp1252", keep=_keep_pattern(path),
        keep_literal=b"D",
    )
    if all(table.pick(c) for c in _MELODI):
        layout = "melodi"
        long, warnings, vintage = _long_from_melodi(table, vintage)
        code_col = table.pick("GEO")
    else:
        code_col = table.pick("DEPCOM", "CODGEO")
        wide_cols = [c for c in table.frame.columns if _WIDE.match(c)]
        typequ_col = table.pick("TYPEQU")
        if code_col is None:
            table.require(["DEPCOM"], hint=" (ou « CODGEO », ou le format Melodi « GEO;GEO_OBJECT;… »)")
        if typequ_col is None and not wide_cols:
            table.require(["TYPEQU"], hint=" (ou des colonnes « NB_Dxxx » pour le format large)")
        if typequ_col is not None and table.pick("NB_EQUIP") is not None:
            layout = "communal"
            long = _long_from_communal(table, code_col, typequ_col, table.pick("NB_EQUIP"))
        elif typequ_col is not None:
            return _read_points(table, code_col, typequ_col, communes, skip_unknown, vintage)
        else:
            layout = "wide"
            long = _long_from_wide(table, code_col, wide_cols)
        warnings = []
    long, out_of_scope, notes = classify(long, file=table.file, field=_type_field(table))
    warnings = list(table.warnings) + warnings + notes
    if long.empty:
        raise InputError(
            "aucun équipement de santé retenu dans ce fichier (types D… de rules/categories.yaml)",
            file=table.file,
            line=table.header_line,
            field=_type_field(table),
        )
    res = _validate.resolve_communes(
        long["code"], communes, file=table.file, field=code_col, skip_unknown=skip_unknown
    )
    warnings += _validate.double_count_warning(res)
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
    return _batch(table, rows, layout=layout, types=sorted(long["typequ"].unique().tolist()), vintage=vintage,
                  skip_unknown=skip_unknown, resolved=res, warnings=warnings, out_of_scope=out_of_scope)


def _keep_pattern(path: str | Path) -> str | None:
    """Pre-filter of data lines for large one-line-per-equipment files (see :func:`read_table`)."""
    p = Path(path)
    try:
        big = p.stat().st_size > _STREAM_ABOVE
    except OSError:
        return None
    return _HEALTH_LINE if big else None


def _type_field(table: _csv.Table) -> str:
    return table.pick("FACILITY_TYPE", "TYPEQU") or "NB_Dxxx"


def bpe_rules() -> dict:
    """``sources.bpe`` of ``rules/categories.yaml``: ``typequ``, ``labels``, ``out_of_scope``."""
    return _csv.load_rules()["sources"]["bpe"]


def classify(long: pd.DataFrame, *, file: str, field: str) -> tuple[pd.DataFrame, dict[str, int], list[str]]:
    """Map ``long['typequ']`` to categories; return (kept rows, out-of-scope counts, warnings).

    A ``D`` type neither mapped nor listed out of scope raises, naming it and its line.
    """
    rules = bpe_rules()
    typequ = long["typequ"]
    mapped = typequ.isin(rules["typequ"])
    excluded = typequ.isin(rules["out_of_scope"])
    health = typequ.str.match(r"^D\d{3}$")
    unknown = health & ~mapped & ~excluded
    if unknown.any():
        line = _validate.first_bad(unknown)
        codes = sorted(typequ[unknown].unique())
        raise InputError(
            f"type d'équipement « {typequ[line]} » du domaine santé et action sociale absent de "
            "rules/categories.yaml (ni dans sources.bpe.typequ, ni dans sources.bpe.out_of_scope) : "
            f"ajoutez-le avec son libellé officiel INSEE (types inconnus : {', '.join(codes[:10])})",
            file=file,
            line=line,
            field=field,
        )
    counts: dict[str, int] = {}
    if excluded.any():
        nb = long.loc[excluded, "nb"] if "nb" in long else pd.Series(1.0, index=typequ[excluded].index)
        by_type = nb.groupby(typequ[excluded]).sum()
        counts = {f"{t} {rules['out_of_scope'][t]}": int(v) for t, v in by_type.items()}
    warnings = _ignored_warning(typequ[~health])
    kept = long[mapped].copy()
    kept["category"] = kept["typequ"].map(rules["typequ"])
    return kept, counts, warnings


def _long_from_melodi(table: _csv.Table, vintage: str | None) -> tuple[pd.DataFrame, list[str], str | None]:
    f = table.frame
    col = {c: table.pick(c) for c in _MELODI}
    warnings: list[str] = []
    level = f[col["GEO_OBJECT"]].str.strip().str.upper()
    measure = f[col["BPE_MEASURE"]].str.strip().str.upper()
    typequ = f[col["FACILITY_TYPE"]].str.strip().str.upper()
    period = f[col["TIME_PERIOD"]].str.strip()
    kept, note = keep_levels(level, f[col["GEO"]])  # Paris, Lyon, Marseille: ARM lines when present
    warnings.extend([note] if note else [])
    com = kept & (measure == "FACILITIES") & (typequ != "_T")
    other_levels = sorted(set(level[~kept]))
    if other_levels:
        warnings.append(
            f"{int((~kept).sum())} lignes d'autres niveaux géographiques ignorées "
            f"({', '.join(other_levels[:8])}) : agrégats des communes"
        )
    other_measures = sorted(set(measure[kept]) - {"FACILITIES"})
    if other_measures:
        warnings.append(f"mesures autres que le nombre d'équipements ignorées : {', '.join(other_measures)}")
    years = sorted(set(period[com]))
    if vintage is not None and str(vintage) in years:
        year = str(vintage)
    else:
        year = years[-1] if years else None
    if len(years) > 1:
        warnings.append(f"plusieurs années dans le fichier ({', '.join(years)}) : seule {year} est lue")
    sel = com & (period == year) if year is not None else com
    values = f.loc[sel, col["OBS_VALUE"]].str.strip()
    withheld = values.isin(["", *_MISSING])
    if withheld.any():
        warnings.append(f"{int(withheld.sum())} valeurs non diffusées (vides) ignorées")
    sel_idx = values.index[~withheld]
    geo = f.loc[sel_idx, col["GEO"]].str.strip()
    # the Melodi API writes GEO as « 2026-COM-30140 »; the CSV as « 30140 »
    geo = geo.str.replace(r"^\d{4}-COM-", "", regex=True)
    long = pd.DataFrame({"code": geo, "typequ": typequ[sel_idx]})
    long["nb"] = _validate.parse_quantity(
        f.loc[sel_idx, col["OBS_VALUE"]], file=table.file, field=col["OBS_VALUE"], unit="count"
    )
    return long, warnings, vintage or year


def _long_from_communal(table: _csv.Table, code_col: str, typequ_col: str, nb_col: str) -> pd.DataFrame:
    f = table.frame
    long = pd.DataFrame({"code": f[code_col], "typequ": f[typequ_col].str.strip().str.upper()})
    long["nb"] = _validate.parse_quantity(f[nb_col], file=table.file, field=nb_col, unit="count")
    return long


def _long_from_wide(table: _csv.Table, code_col: str, wide_cols: list[str]) -> pd.DataFrame:
    f = table.frame
    parts = []
    for col in wide_cols:
        code = _WIDE.match(col).group(1).upper()
        nb = _validate.parse_quantity(f[col], file=table.file, field=col, unit="count")
        parts.append(pd.DataFrame({"code": f[code_col], "typequ": code, "nb": nb}))
    return pd.concat(parts)


def _ignored_warning(codes: pd.Series) -> list[str]:
    if codes.empty:
        return []
    top = codes.value_counts().index[:8].tolist()
    return [
        f"{len(codes)} lignes d'équipements hors du domaine santé (D) ignorées (types : {', '.join(top)}…)"
    ]


def _vintage_from(table: _csv.Table) -> str | None:
    an = table.pick("AN")
    if an is None:
        return None
    years = table.frame[an].str.strip().unique()
    return str(years[0]) if len(years) == 1 and years[0] else None


def _coordinate(table: _csv.Table, frame: pd.DataFrame, col: str) -> pd.Series:
    values = frame[col].where(~frame[col].str.strip().isin(_MISSING), "")
    return _validate.parse_coordinate(values, file=table.file, field=col, allow_empty=True)


def _read_points(
    table: _csv.Table,
    code_col: str,
    typequ_col: str,
    communes: CommuneIndex,
    skip_unknown: bool,
    vintage: str | None,
) -> ImportBatch:
    f = table.frame
    long = pd.DataFrame({"code": f[code_col], "typequ": f[typequ_col].str.strip().str.upper()})
    long["nb"] = 1.0
    kept, out_of_scope, notes = classify(long, file=table.file, field=typequ_col)
    warnings = list(table.warnings) + notes
    f = f.loc[kept.index]
    typequ = kept["typequ"]
    if f.empty:
        raise InputError(
            "aucun équipement de santé retenu dans ce fichier (types D… de rules/categories.yaml)",
            file=table.file,
            line=table.header_line,
            field=typequ_col,
        )

    # Communes first: points of collectivities outside the territory are not checked.
    res = _validate.resolve_communes(
        f[code_col], communes, file=table.file, field=code_col, skip_unknown=skip_unknown
    )
    ok = res.code.notna()
    inside = f[ok]
    lon_col, lat_col = table.pick("LONGITUDE"), table.pick("LATITUDE")
    x_col, y_col = table.pick("LAMBERT_X"), table.pick("LAMBERT_Y")
    lon = pd.Series(float("nan"), index=f.index)
    lat = pd.Series(float("nan"), index=f.index)
    if lon_col and lat_col:
        lon[ok] = _coordinate(table, inside, lon_col)
        lat[ok] = _coordinate(table, inside, lat_col)
        coord_field = lat_col
    else:
        if x_col is None or y_col is None:
            table.require(["LAMBERT_X", "LAMBERT_Y"], hint=" (fichier BPE par équipement sans NB_EQUIP)")
        x = _coordinate(table, inside, x_col)
        y = _coordinate(table, inside, y_col)
        epsg_col = table.pick("EPSG")
        default = department_epsg(inside[code_col].map(normalise_code)).astype(float)
        if epsg_col is not None:
            digits = inside[epsg_col].str.extract(r"(\d{4,5})", expand=False)
            epsg = digits.astype(float).fillna(default)
        else:
            epsg = default
        lo, la = to_wgs84(x, y, epsg)
        lon[ok], lat[ok] = lo, la
        coord_field = x_col
    _validate.check_in_france(lat[ok], lon[ok], file=table.file, field=coord_field)

    attrs = pd.DataFrame({"typequ": typequ})
    q_col = table.pick("QUALITE_XY")
    if q_col:
        attrs["qualite_xy"] = f[q_col]
    name_col = table.pick("NOMRS")
    siret_col = table.pick("SIRET")
    idx = f.index[ok]
    rows = _csv.offer_rows(
        idx,
        category=kept.loc[ok, "category"],
        code_commune=res.code[ok],
        quantity=pd.Series(1.0, index=idx),
        unit="count",
        site_id=f.loc[ok, siret_col].where(lambda s: ~s.str.strip().isin(["", *_MISSING]), None)
        if siret_col
        else None,
        name=f.loc[ok, name_col].where(lambda s: ~s.str.strip().isin(["", *_MISSING]), None)
        if name_col
        else None,
        lat=lat[ok],
        lon=lon[ok],
        attributes=_csv.to_json_column(attrs[ok]),
    )
    n_nogeo = int(lat[ok].isna().sum())
    if n_nogeo:
        warnings.append(
            f"{n_nogeo} équipements sans coordonnées (non géolocalisés) : rattachés à leur commune seulement"
        )
    return _batch(table, rows, layout="points", types=sorted(typequ.unique().tolist()), vintage=vintage,
                  skip_unknown=skip_unknown, resolved=res, warnings=warnings, out_of_scope=out_of_scope)


def _batch(
    table: _csv.Table,
    rows: pd.DataFrame,
    *,
    layout: str,
    types: list[str],
    vintage: str | None,
    skip_unknown: bool,
    resolved: _validate.Resolved,
    warnings: list[str],
    out_of_scope: dict[str, int],
) -> ImportBatch:
    """The batch of a BPE file, whatever its layout: the same provenance and parameters."""
    batch = _csv.finish(
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
            "types": types,
        },
        remapped=resolved.remapped,
        rejected=resolved.rejected,
        warnings=warnings,
    )
    batch.out_of_scope = out_of_scope
    return batch


__all__ = ["read_bpe", "classify", "bpe_rules"]
