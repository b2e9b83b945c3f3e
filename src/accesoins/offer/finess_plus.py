"""FINESS+ : the national structures file published as JSON on data.gouv.fr.

Since 2026 the ANS publishes FINESS as JSON documents (schemas
``schema-structures-v1.json`` and ``schema-activites-v1.json`` of the repository
``ansforge/finess``, ``flux/out/data.gouv/``), the historical CSV flux being
frozen. The structures document is one object::

    {"schemaVersion": "v1.0.0", "generatedAt": "2026-03-09T15:49:37Z",
     "gcc": [...], "gco": [...],
     "pmej": [{"informationsGeneralesPMEJ": {...}, "adresse": [...],
               "ege": [{"informationsGeneralesEGE": {"numFinessEge": "010780195",
                                                     "nomEgeLong": "...", ...},
                        "categorieEntiteGeographiqueExercice": "365",
                        "adresse": [{"cogCommune": "01053",
                                     "coordonneesGeographique": {
                                         "directionLatitude": "46.211257",
                                         "directionLongitude": "5.254203", ...}}],
                        "etatObjet": "A", ...}]}]}

Each ``ege`` (entité géographique d'exercice, the former « établissement ») is one
site. The national file is large: it is streamed with ``ijson`` (one ``pmej`` at a
time), never loaded whole. Coded fields are read either as a bare code (``"365"``,
as in the official example) or as a ``{"code": …, "system": …}`` coding (as in the
schema); both spellings of ``categorie[eE]ntiteGeographiqueExercice`` and of
``informationsGenerales{PMEJ,Pmej}`` met in the official files are accepted.

Closed sites (``etatObjet`` ``I`` or a ``dateFermeture``) are left out and counted.
Sites in collectivities outside the territory are counted in ``batch.outside``.
A JSON file has no meaningful line numbers: errors name the record path instead
(``pmej[12].ege[0].adresse[0].cogCommune``) in the field.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ijson
import numpy as np
import pandas as pd

from accesoins.errors import InputError
from accesoins.offer import _csv, _validate
from accesoins.offer.batch import ImportBatch
from accesoins.territory.codes import CommuneIndex

TITLE = "FINESS+ — structures sanitaires et sociales (publication JSON de l'ANS)"
LICENCE = "Licence Ouverte / Open Licence 2.0"
ATTRIBUTION = "Agence du numérique en santé, FINESS+ (data.gouv.fr)"
_FINESS_ID = re.compile(r"^[A-Za-z0-9]{9}$")


def is_json(path: str | Path) -> bool:
    """Whether ``path`` is a JSON document (or a zip holding one) rather than a CSV."""
    path = Path(path)
    if not path.exists():
        return False
    if path.suffix.lower() == ".json" or path.name.lower().endswith(".json.gz"):
        return True
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            return any(n.lower().endswith(".json") for n in zf.namelist())
    with path.open("rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


@contextmanager
def _open(path: Path) -> Iterator[io.BufferedIOBase]:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.lower().endswith(".json")]
            if len(members) != 1:
                raise InputError(
                    f"l'archive doit contenir exactement un fichier .json (trouvé : {', '.join(members) or 'aucun'})",
                    file=path,
                )
            with zf.open(members[0]) as fh:
                yield fh
    elif path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as fh:
            yield fh
    else:
        with path.open("rb") as fh:
            yield fh


def _code(value: object) -> str:
    """A NOS code given bare (``"365"``) or as a coding (``{"code": "365", …}``)."""
    if isinstance(value, dict):
        value = value.get("code")
    return "" if value is None else str(value).strip()


def _date(value: object) -> str:
    """``"2021-10-18 00:00:00"`` (example) or ``{"dateEvenement": …}`` (schema)."""
    if isinstance(value, dict):
        value = value.get("dateEvenement")
    return "" if value is None else str(value)


def _first(d: dict, *keys: str) -> object:
    for k in keys:
        if k in d and d[k] not in (None, ""):
            return d[k]
    return None


def _header(path: Path) -> dict[str, str]:
    """``schemaVersion`` and ``generatedAt``, read from the top of the document only."""
    found: dict[str, str] = {}
    with _open(path) as fh:
        try:
            for prefix, event, value in ijson.parse(fh):
                if prefix in ("schemaVersion", "generatedAt") and event == "string":
                    found[prefix] = value
                if len(found) == 2 or (prefix in ("pmej", "gcc", "gco") and event == "start_array"):
                    break
        except ijson.JSONError as exc:
            raise InputError(f"JSON illisible : {exc}", file=path, line=1) from exc
    return found


def _sites(path: Path) -> Iterator[dict[str, object]]:
    """One flat record per ``ege`` of the document, streamed."""
    with _open(path) as fh:
        i = -1
        try:
            for i, pm in enumerate(ijson.items(fh, "pmej.item", use_float=True)):
                info_pm = _first(pm, "informationsGeneralesPMEJ", "informationsGeneralesPmej") or {}
                for j, ege in enumerate(pm.get("ege") or []):
                    info = ege.get("informationsGeneralesEGE") or {}
                    addresses = [a for a in (ege.get("adresse") or []) if a.get("cogCommune")]
                    k = 0
                    addr = addresses[0] if addresses else {}
                    if addresses:
                        k = (ege.get("adresse") or []).index(addr)
                    geo = addr.get("coordonneesGeographique") or {}
                    yield {
                        "path": f"pmej[{i}].ege[{j}]",
                        "addr_path": f"pmej[{i}].ege[{j}].adresse[{k}]",
                        "nofinesset": str(info.get("numFinessEge") or "").strip(),
                        "nofinessej": str(info_pm.get("numFinessPm") or "").strip(),
                        "name": str(_first(info, "nomEgeLong", "nomEgeCourt") or "").strip(),
                        "categetab": _code(
                            _first(ege, "categorieEntiteGeographiqueExercice",
                                   "categorieentiteGeographiqueExercice")
                        ),
                        "etat": _code(ege.get("etatObjet")),
                        "date_fermeture": str(info.get("dateFermeture") or ""),
                        "date_ouverture": str(info.get("dateOuverture") or ""),
                        "siret": str(_first(info, "siret") or _first(ege, "siret") or ""),
                        "cog": str(addr.get("cogCommune") or "").strip(),
                        "lat": str(geo.get("directionLatitude") or "").strip(),
                        "lon": str(geo.get("directionLongitude") or "").strip(),
                        "score_ban": str(geo.get("scoreBAN") or ""),
                        "maj": _date(ege.get("dateDerniereMaj")),
                    }
        except ijson.JSONError as exc:
            raise InputError(
                f"JSON invalide ou tronqué après l'enregistrement pmej[{i}] : {exc}",
                file=path,
                field=f"pmej[{i + 1}]",
            ) from exc


def read_finess_plus(
    path: str | Path,
    *,
    communes: CommuneIndex,
    skip_unknown: bool = False,
    vintage: str | None = None,
) -> ImportBatch:
    """Read the FINESS+ structures JSON (streamed) into an offer batch.

    Parameters
    ----------
    path : str or Path
        The structures ``.json`` document (or a ``.zip`` holding it, or ``.json.gz``).
    communes : CommuneIndex
        Current communes and the mapping of old codes.
    skip_unknown : bool, default False
        Put sites whose commune is unknown in ``batch.rejected`` instead of raising.
    vintage : str, optional
        Date of the data; by default the date of ``generatedAt``.

    Returns
    -------
    ImportBatch
        One row per open site (``ege``) of a category of ``rules/categories.yaml``
        (``sources.finess.categetab``): unit ``sites``, quantity 1, ``site_id`` the
        FINESS number of the site, WGS84 ``lat``/``lon`` from the BAN geocoding.

    Raises
    ------
    InputError
        Invalid or truncated JSON, no ``pmej`` record, bad FINESS number, non-numeric
        or out-of-France coordinates, unknown commune (unless ``skip_unknown``); the
        field names the record path.
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise InputError("fichier introuvable", file=file)
    header = _header(path)
    frame = pd.DataFrame(list(_sites(path)))
    if frame.empty:
        raise InputError(
            "aucun site (« pmej[].ege[] ») : est-ce bien le fichier des structures FINESS+ ?",
            file=file,
            field="pmej",
        )
    warnings: list[str] = []

    bad_id = ~frame["nofinesset"].str.match(_FINESS_ID)
    if bad_id.any():
        r = frame[bad_id].iloc[0]
        raise InputError(
            f"numéro FINESS « {r['nofinesset']} » invalide (9 caractères attendus)",
            file=file,
            field=f"{r['path']}.informationsGeneralesEGE.numFinessEge",
        )

    closed = (frame["etat"] == "I") | (frame["date_fermeture"] != "")
    if closed.any():
        warnings.append(f"{int(closed.sum())} sites fermés (etatObjet « I » ou dateFermeture) ignorés")
    frame = frame[~closed]

    where = _csv.outside_collectivity(frame["cog"])
    out_mask = where.notna()
    outside = pd.DataFrame(
        {"line": np.arange(len(frame))[out_mask.to_numpy()], "code": frame.loc[out_mask, "cog"].to_numpy(),
         "collectivity": where[out_mask].to_numpy()}
    )
    frame = frame[~out_mask]

    rules = _csv.load_rules()["sources"]["finess"]["categetab"]
    kept = frame["categetab"].isin(rules)
    if (~kept).any():
        warnings.append(
            f"{int((~kept).sum())} sites d'autres catégories (médico-sociales, etc.) ignorés"
        )
    frame = frame[kept].reset_index(drop=True)
    frame.index = frame.index + 1  # record numbers, for the summary

    res = _validate.resolve_communes(frame["cog"], communes, file=file, field="cogCommune", skip_unknown=True)
    unknown = res.code.isna()
    if unknown.any() and not skip_unknown:
        r = frame[unknown].iloc[0]
        raise InputError(
            f"code commune « {r['cog']} » inconnu (ni commune actuelle, ni ancien code connu) ; "
            "utilisez skip_unknown=True pour écarter ces sites",
            file=file,
            field=f"{r['addr_path']}.cogCommune",
        )
    ok = res.code.notna()

    lat = pd.to_numeric(frame["lat"].str.replace(",", ".", regex=False), errors="coerce")
    lon = pd.to_numeric(frame["lon"].str.replace(",", ".", regex=False), errors="coerce")
    bad = (lat.isna() & (frame["lat"] != "")) | (lon.isna() & (frame["lon"] != ""))
    if bad.any():
        r = frame[bad].iloc[0]
        raise InputError(
            f"coordonnée « {r['lat']} ; {r['lon']} » non numérique",
            file=file,
            field=f"{r['addr_path']}.coordonneesGeographique.directionLatitude",
        )
    present = lat.notna() & lon.notna() & ok
    inside = pd.Series(_validate.in_france(lat.to_numpy(), lon.to_numpy()), index=frame.index)
    off = present & ~inside
    if off.any():
        r = frame[off].iloc[0]
        raise InputError(
            f"coordonnées hors de France (latitude {lat[off].iloc[0]:.5f}, longitude "
            f"{lon[off].iloc[0]:.5f}) : ni en métropole ni dans un DROM",
            file=file,
            field=f"{r['addr_path']}.coordonneesGeographique.directionLatitude",
        )

    f = frame[ok]
    attrs = f[["categetab", "nofinessej", "siret", "date_ouverture", "maj", "score_ban"]].assign(
        libcategetab=f["categetab"].map(lambda c: rules[c]["label"])
    )
    rows = _csv.offer_rows(
        f.index,
        category=f["categetab"].map(lambda c: rules[c]["category"]),
        code_commune=res.code[ok],
        quantity=pd.Series(1.0, index=f.index),
        unit="sites",
        site_id=f["nofinesset"],
        name=f["name"].where(f["name"] != "", None),
        lat=lat[ok],
        lon=lon[ok],
        attributes=_csv.to_json_column(attrs),
    )
    n_nogeo = int(lat[ok].isna().sum())
    if n_nogeo:
        warnings.append(f"{n_nogeo} sites sans coordonnées : rattachés à leur commune seulement")
    generated = header.get("generatedAt", "")[:10]
    batch = _csv.finish(
        kind="offer",
        source="finess",
        title=TITLE,
        vintage=vintage or generated or "non précisé",
        licence=LICENCE,
        attribution=ATTRIBUTION,
        file=file,
        rows=rows,
        parameters={"layout": "finess_plus_json", "schema_version": header.get("schemaVersion"),
                    "skip_unknown": skip_unknown},
        remapped=res.remapped,
        rejected=res.rejected,
        warnings=warnings,
    )
    batch.outside = outside
    return batch


__all__ = ["read_finess_plus", "is_json"]
