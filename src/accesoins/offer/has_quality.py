"""Official quality indicators per establishment, as the Haute Autorité de santé publishes them.

Two CSV files of the HAS open data (see ``rules/has_quality.yaml``):

- **values**, one row per establishment × indicator × campaign year: ``finess``,
  ``finess_type``, ``key``, ``annee`` and one value among ``value_boolean``, ``value_string``,
  ``value_integer``, ``value_float``, ``value_date``; ``missing_value`` says why a value is absent;
- **metadata**, one row per indicator: ``name`` (the values' ``key``), ``title``,
  ``description``, ``type``, ``source``.

Each indicator is put in one of the four families of the patient associations' proposal
(activité, pratiques organisationnelles, expérience patient, résultats) by the patterns of the
rules file. Bad input raises :class:`~accesoins.errors.InputError` naming file, line and field.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from ..errors import InputError
from . import _csv, _validate

_FINESS = re.compile(r"^(?:\d{2}|2A|2B)\d{7}$")
_YEAR = re.compile(r"^(\d{4})(?:-\d{2}-\d{2}(?:T.*)?)?$")
_TRUE, _FALSE = {"true", "vrai", "oui", "1", "t"}, {"false", "faux", "non", "0", "f"}


@cache
def has_rules() -> dict:
    return yaml.safe_load((resources.files("accesoins") / "rules" / "has_quality.yaml").read_text(encoding="utf-8"))


def _require(frame: pd.DataFrame, needed: list[str], *, file: str, line: int) -> dict[str, str]:
    lower = {c.lower(): c for c in frame.columns}
    for name in needed:
        if name not in lower:
            raise InputError(f"colonne « {name} » absente (colonnes attendues : {', '.join(needed)})",
                             file=file, line=line, field=name)
    return lower


def read_values(path: str | Path) -> pd.DataFrame:
    """``finess, finess_type, indicator, year, value, text, missing`` from a values file."""
    rules = has_rules()["colonnes"]
    table = _csv.read_table(path, seps=(",", ";"), encoding="utf-8")
    frame, file = table.frame, table.file
    lower = _require(frame, rules["valeurs"], file=file, line=table.header_line)
    present = [lower[c] for c in rules["valeurs_valeur"] if c in lower]
    if not present:
        raise InputError("aucune colonne de valeur (value_float, value_integer, value_boolean, value_string, "
                         "value_date)", file=file, line=table.header_line, field="value_float")
    finess = frame[lower["finess"]].str.strip().str.upper()
    # spreadsheets drop the leading zero of départements 01 to 09
    finess = finess.where(~finess.str.fullmatch(r"\d{8}"), "0" + finess)
    bad = ~finess.str.match(_FINESS)
    if bad.any():
        line = _validate.first_bad(bad)
        raise InputError(f"numéro FINESS invalide « {frame.loc[line, lower['finess']]} » (9 caractères : "
                         "département puis 7 chiffres)", file=file, line=line, field=lower["finess"])
    key = frame[lower["key"]].str.strip()
    if (key == "").any():
        line = _validate.first_bad(key == "")
        raise InputError("indicateur (key) vide", file=file, line=line, field=lower["key"])
    year = frame[lower["annee"]].str.strip().str.extract(_YEAR)[0]
    if year.isna().any():
        line = _validate.first_bad(year.isna())
        raise InputError(f"année de campagne illisible « {frame.loc[line, lower['annee']]} » (attendu 2024)",
                         file=file, line=line, field=lower["annee"])
    value = pd.Series(float("nan"), index=frame.index)
    text = pd.Series(None, index=frame.index, dtype=object)
    for col in present:
        raw = frame[col].fillna("").str.strip()
        filled = raw != ""
        if not filled.any():
            continue
        name = col.lower()
        if name in ("value_float", "value_integer"):
            num = pd.to_numeric(raw.str.replace(",", ".", regex=False).where(filled), errors="coerce")
            wrong = filled & (num.isna() | ~num.abs().lt(1e12))
            if wrong.any():
                line = _validate.first_bad(wrong)
                raise InputError(f"valeur non numérique « {raw[line]} »", file=file, line=line, field=col)
            value = value.where(~filled, num)
        elif name == "value_boolean":
            low = raw.str.lower()
            wrong = filled & ~low.isin(_TRUE | _FALSE)
            if wrong.any():
                line = _validate.first_bad(wrong)
                raise InputError(f"valeur booléenne illisible « {raw[line]} » (attendu true ou false)",
                                 file=file, line=line, field=col)
            value = value.where(~filled, low.isin(_TRUE).astype(float))
        else:
            text = text.where(~filled, raw)
    missing = (frame[lower["missing_value"]].fillna("").str.strip().replace("", None)
               if "missing_value" in lower else pd.Series(None, index=frame.index, dtype=object))
    out = pd.DataFrame({
        "finess": finess, "finess_type": frame[lower["finess_type"]].str.strip() if "finess_type" in lower else None,
        "indicator": key, "year": year, "value": value, "text": text, "missing": missing})
    dup = out.duplicated(["finess", "indicator", "year"])
    if dup.any():
        line = _validate.first_bad(dup)
        raise InputError(f"indicateur {out.loc[line, 'indicator']} en double pour {out.loc[line, 'finess']} "
                         f"en {out.loc[line, 'year']}", file=file, line=line, field=lower["key"])
    return out.reset_index(drop=True)


def family_of(*texts: str | None) -> str:
    """The family (``activite``, ``pratiques``, ``experience``, ``resultats`` or ``autres``) of an indicator."""
    blob = " ".join(t for t in texts if t)
    for fam in has_rules()["familles"]:
        if any(re.search(p, blob, flags=re.IGNORECASE) for p in fam["motifs"]):
            return fam["id"]
    return "autres"


def read_metadata(path: str | Path) -> pd.DataFrame:
    """``indicator, title, description, kind, origin, family`` from a metadata file."""
    table = _csv.read_table(path, seps=(",", ";"), encoding="utf-8")
    frame, file = table.frame, table.file
    lower = _require(frame, has_rules()["colonnes"]["metadata"], file=file, line=table.header_line)

    def col(name: str) -> pd.Series:
        return frame[lower[name]].fillna("").str.strip() if name in lower else pd.Series("", index=frame.index)

    name = col("name")
    if (name == "").any():
        line = _validate.first_bad(name == "")
        raise InputError("nom d'indicateur (name) vide", file=file, line=line, field=lower["name"])
    if name.duplicated().any():
        line = _validate.first_bad(name.duplicated())
        raise InputError(f"indicateur « {name[line]} » décrit deux fois", file=file, line=line, field=lower["name"])
    out = pd.DataFrame({"indicator": name, "title": col("title"), "description": col("description"),
                        "kind": col("type"), "origin": col("source")})
    out["family"] = [family_of(*row) for row in out[["indicator", "title", "origin"]].itertuples(index=False)]
    return out.replace("", None).reset_index(drop=True)
