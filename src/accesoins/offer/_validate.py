"""Validation helpers for the importers: counts, coordinates (in France) and commune codes, column by
column with pandas.

Each raises :class:`~accesoins.errors.InputError` naming the file, the 1-based physical line (header
included) and the field, with a French message; :func:`resolve_communes` maps old codes to current
communes and counts apart the rows of collectivities outside the territory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from accesoins.errors import InputError
from accesoins.offer._csv import OUTSIDE_REASON, max_quantity, outside_collectivity
from accesoins.territory.codes import CommuneIndex, normalise_code

# Bounding boxes (lat_min, lat_max, lon_min, lon_max), with a small margin, of the
# territories whose communes have an INSEE code: métropole with Corsica, the five
# DROM, and Saint-Pierre-et-Miquelon (present in FINESS).
FRANCE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "métropole": (41.3, 51.15, -5.25, 9.65),
    "Guadeloupe": (15.8, 18.2, -63.2, -60.9),
    "Martinique": (14.35, 14.9, -61.3, -60.75),
    "Guyane": (2.1, 5.85, -54.7, -51.5),
    "La Réunion": (-21.45, -20.85, 55.15, 55.9),
    "Mayotte": (-13.05, -12.6, 44.95, 45.35),
    "Saint-Pierre-et-Miquelon": (46.7, 47.2, -56.45, -56.1),
}


def first_bad(mask: pd.Series) -> int:
    """Line number (index label) of the first True in ``mask``."""
    return int(mask.index[np.argmax(mask.to_numpy())])


def reject_first(mask: pd.Series, message: Callable[[int], str], *, file: str, field: str) -> None:
    """Raise :class:`InputError` at the first True of ``mask``, its text ``message(line)``; else nothing."""
    if mask.any():
        line = first_bad(mask)
        raise InputError(message(line), file=file, line=line, field=field)


def parse_quantity(
    values: pd.Series, *, file: str, field: str, integer: bool = False, unit: str | None = None
) -> pd.Series:
    """Non-negative numbers from strings (decimal comma accepted); raise on the first bad one.

    Values above the plausible maximum of ``rules/import_bounds.yaml`` for ``unit``
    (``count``, ``fte``, ``sites``, ``population``; the largest of them when ``None``)
    are refused too.
    """
    s = values.astype("object").str.strip()
    empty = s == ""
    if empty.any():
        raise InputError(
            "valeur manquante : un nombre est attendu",
            file=file,
            line=first_bad(empty),
            field=field,
        )
    num = pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce")
    bad = num.isna() | ~np.isfinite(num.astype(float))
    if bad.any():
        line = first_bad(bad)
        raise InputError(f"« {s[line]} » n'est pas un nombre", file=file, line=line, field=field)
    neg = num < 0
    if neg.any():
        line = first_bad(neg)
        raise InputError(
            f"nombre négatif ({s[line]}) : un effectif ne peut être négatif",
            file=file,
            line=line,
            field=field,
        )
    limit = max_quantity(unit)
    high = num > limit
    if high.any():
        line = first_bad(high)
        raise InputError(
            f"valeur {s[line]} hors des bornes plausibles (0 à {limit:,.0f}".replace(",", "\u202f")
            + " par ligne, rules/import_bounds.yaml) : colonne inversée ou valeur corrompue ?",
            file=file,
            line=line,
            field=field,
        )
    if integer:
        frac = (num % 1) != 0
        if frac.any():
            line = first_bad(frac)
            raise InputError(
                f"« {s[line]} » n'est pas un nombre entier", file=file, line=line, field=field
            )
    return num.astype(float)


def parse_coordinate(
    values: pd.Series, *, file: str, field: str, allow_empty: bool = False
) -> pd.Series:
    """Floats from strings (decimal comma accepted); empty → NaN when ``allow_empty``."""
    s = values.astype("object").str.strip()
    empty = s == ""
    if empty.any() and not allow_empty:
        raise InputError("coordonnée manquante", file=file, line=first_bad(empty), field=field)
    num = pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce")
    bad = num.isna() & ~empty
    if bad.any():
        line = first_bad(bad)
        raise InputError(
            f"coordonnée « {s[line]} » non numérique", file=file, line=line, field=field
        )
    return num.astype(float)


def in_france(lat: pd.Series | np.ndarray, lon: pd.Series | np.ndarray) -> np.ndarray:
    """Boolean array: the point falls in one of :data:`FRANCE_BOXES`."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    ok = np.zeros(lat.shape, dtype=bool)
    for la0, la1, lo0, lo1 in FRANCE_BOXES.values():
        ok |= (lat >= la0) & (lat <= la1) & (lon >= lo0) & (lon <= lo1)
    return ok


def check_in_france(lat: pd.Series, lon: pd.Series, *, file: str, field: str) -> None:
    """Raise on the first point (not NaN) outside France (métropole, Corsica, DROM)."""
    present = lat.notna() & lon.notna()
    bad = present & ~pd.Series(in_france(lat.to_numpy(), lon.to_numpy()), index=lat.index)
    if bad.any():
        line = first_bad(bad)
        raise InputError(
            f"coordonnées hors de France (latitude {lat[line]:.5f}, longitude {lon[line]:.5f}) : "
            "ni en métropole ni dans un DROM ; latitude et longitude inversées ?",
            file=file,
            line=line,
            field=field,
        )


@dataclass
class Resolved:
    """Result of mapping a column of commune codes onto current communes.

    Rows in a collectivity outside the territory are in ``rejected`` with a reason
    starting with :data:`OUTSIDE_REASON`; :func:`finish` moves them to ``batch.outside``.
    """

    code: pd.Series  # current code, NaN where unknown or outside (indexed by line)
    remapped: pd.DataFrame
    rejected: pd.DataFrame


def resolve_communes(
    codes: pd.Series,
    communes: CommuneIndex,
    *,
    file: str,
    field: str,
    skip_unknown: bool,
) -> Resolved:
    """Map codes through ``communes``; unknown codes raise, or are rejected when ``skip_unknown``."""
    raw = codes.astype("object").fillna("").str.strip()
    norm = raw.map(normalise_code)
    resolved = pd.Series(
        communes.resolve_many(norm.tolist()).to_numpy(), index=raw.index, dtype="object"
    )
    # Collectivities outside the territory: reported as such, never an error.
    where = outside_collectivity(norm).where(resolved.isna())
    out = where.notna()
    outside_rows = pd.DataFrame(
        {
            "line": raw.index[out].astype(int),
            "field": field,
            "value": raw[out].to_numpy(),
            "reason": (OUTSIDE_REASON + " : " + where[out]).to_numpy(),
        }
    )
    unknown = resolved.isna() & ~out
    rejected = empty_rejected()
    if unknown.any():
        if not skip_unknown:
            line = first_bad(unknown)
            value = raw[line]
            msg = (
                "code commune vide"
                if value == ""
                else f"code commune « {value} » inconnu (ni commune actuelle, ni ancien code connu)"
            )
            raise InputError(
                msg + " ; utilisez --skip-unknown pour écarter ces lignes",
                file=file,
                line=line,
                field=field,
            )
        rejected = pd.DataFrame(
            {
                "line": raw.index[unknown].astype(int),
                "field": field,
                "value": raw[unknown].to_numpy(),
                "reason": np.where(raw[unknown] == "", "code commune vide", "code commune inconnu"),
            }
        )
    if len(outside_rows):
        rejected = pd.concat([rejected, outside_rows], ignore_index=True) if len(rejected) else outside_rows
    moved = resolved.notna() & (resolved != norm)
    remapped = pd.DataFrame(
        {
            "line": raw.index[moved].astype(int),
            "old_code": norm[moved].to_numpy(),
            "code_commune": resolved[moved].to_numpy(),
        }
    )
    return Resolved(code=resolved, remapped=remapped, rejected=rejected)


def empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({"line": pd.Series(dtype="int64"), "field": [], "value": [], "reason": []})


def double_count_warning(resolved: Resolved) -> list[str]:
    """Warn when an old code is mapped onto a commune the file also lists directly."""
    if resolved.remapped.empty:
        return []
    direct = set(resolved.code[~resolved.code.index.isin(resolved.remapped["line"])].dropna())
    both = sorted(set(resolved.remapped["code_commune"]) & direct)
    if not both:
        return []
    return [
        "anciens codes regroupés sur des communes aussi présentes directement dans le fichier "
        f"(risque de double compte) : {', '.join(both[:10])}{' …' if len(both) > 10 else ''}"
    ]
