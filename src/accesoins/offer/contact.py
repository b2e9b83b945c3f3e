"""Postal address and telephone of establishments, as their national files publish them.

The FINESS files carry both; keeping them lets orientation show a person where a site is
and how to call it. Addresses keep FINESS's own spelling and abbreviations (« RTE DE
PARIS »): rewriting them would invent a form no registry publishes. Telephones are
French 10-digit numbers, written in pairs (« 04 74 45 46 47 »); anything else is dropped.
"""

from __future__ import annotations

import pandas as pd


def _clean(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.strip().str.replace(r"\s+", " ", regex=True)


def _join(parts: list[pd.Series], sep: str) -> pd.Series:
    out = pd.Series("", index=parts[0].index)
    for p in parts:
        p = _clean(p)
        out = out.where(p == "", out.where(out == "", out + sep) + p)
    return out


def french_phone(raw: pd.Series) -> pd.Series:
    """``0474454647`` or ``474454647`` (leading zero lost) → ``04 74 45 46 47``; otherwise empty."""
    digits = _clean(raw).str.replace(r"\D", "", regex=True)
    digits = digits.where(digits.str.len() != 9, "0" + digits)
    ok = digits.str.fullmatch(r"0\d{9}")
    pairs = digits.str.replace(r"(\d{2})(?=\d)", r"\1 ", regex=True)
    return pairs.where(ok, "")


def etalab_contact(st: pd.DataFrame) -> pd.DataFrame:
    """``adresse`` and ``telephone`` from FINESS ``structureet`` records (Etalab extraction)."""
    street = _join([st["numvoie"], st["compvoie"], st["typvoie"], st["voie"]], " ")
    address = _join([st["compldistrib"], street, st["lieuditbp"], st["ligneacheminement"]], ", ")
    return pd.DataFrame({"adresse": address, "telephone": french_phone(st["telephone"])}, index=st.index)


def atlas_contact(f: pd.DataFrame) -> pd.DataFrame:
    """``adresse`` and ``telephone`` from the AtlaSanté extract (house_number, street, postcode, city, tel)."""
    empty = pd.Series("", index=f.index)
    street = _join([f.get("house_number", empty), f.get("street", empty)], " ")
    town = _join([f.get("postcode", empty), f.get("city", empty)], " ")
    return pd.DataFrame({"adresse": _join([street, town], ", "), "telephone": french_phone(f.get("tel", empty))},
                        index=f.index)
