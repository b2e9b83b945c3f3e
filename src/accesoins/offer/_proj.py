"""Projected coordinates of French national files → WGS84 longitude/latitude.

FINESS and the BPE give coordinates in the legal projection of each territory:
Lambert-93 in métropole and a UTM zone overseas. FINESS names the system at the
end of ``sourcecoordet`` (``LAMBERT_93``, ``UTM_N20``…); the BPE documents it per
territory. The EPSG codes below are those of the legal systems (RGF93, RGAF09,
RGFG95, RGR92, RGM04, RGSPM06).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer

# Name used by FINESS ``sourcecoordet`` → EPSG code.
FINESS_CRS: dict[str, int] = {
    "LAMBERT_93": 2154,  # RGF93 / Lambert-93 (métropole, Corsica)
    "UTM_N20": 5490,  # RGAF09 / UTM 20N (Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy)
    "UTM_N21": 4467,  # RGSPM06 / UTM 21N (Saint-Pierre-et-Miquelon)
    "UTM_N22": 2972,  # RGFG95 / UTM 22N (Guyane)
    "UTM_S38": 4471,  # RGM04 / UTM 38S (Mayotte)
    "UTM_S40": 2975,  # RGR92 / UTM 40S (La Réunion)
}

_EPSG = re.compile(r"EPSG\s*:\s*(\d{4,5})", re.IGNORECASE)
_WGS84_UTM = re.compile(r"WGS\s*84\s*/\s*UTM\s*zone\s*(\d{1,2})\s*([NS])", re.IGNORECASE)


def finess_epsg(name: object) -> float:
    """EPSG code of a FINESS ``sourcecoordet`` system name, NaN when unknown.

    ``EPSG:2154 RGF93 / Lambert-93 (Métropole)`` → 2154 (2026 form);
    ``WGS84/UTM zone 21N (Saint-Pierre-et-Miquelon)`` → 32621, ``… zone 1S`` → 32701
    (WGS 84 / UTM, EPSG 326zz north, 327zz south); ``LAMBERT_93`` → 2154 (until 2025).
    """
    text = str(name or "").strip()
    m = _EPSG.search(text)
    if m:
        return float(m.group(1))
    m = _WGS84_UTM.search(text)
    if m:
        zone = int(m.group(1))
        if 1 <= zone <= 60:
            return float((32600 if m.group(2).upper() == "N" else 32700) + zone)
    code = FINESS_CRS.get(text.upper())
    return float(code) if code is not None else float("nan")


# INSEE department of a commune code → EPSG of its legal projection (BPE files).
DEPARTMENT_CRS: dict[str, int] = {
    "971": 5490,
    "972": 5490,
    "973": 2972,
    "974": 2975,
    "975": 4467,
    "976": 4471,
}


@lru_cache(maxsize=16)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def to_wgs84(x: pd.Series, y: pd.Series, epsg: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Longitude and latitude of projected ``x``/``y``, one EPSG code per row (NaN stays NaN)."""
    lon = pd.Series(np.nan, index=x.index, dtype=float)
    lat = pd.Series(np.nan, index=x.index, dtype=float)
    ok = x.notna() & y.notna() & epsg.notna()
    for code in pd.unique(epsg[ok]):
        sel = ok & (epsg == code)
        lo, la = _transformer(int(code)).transform(x[sel].to_numpy(), y[sel].to_numpy())
        lon[sel] = lo
        lat[sel] = la
    return lon, lat


def department_epsg(codes: pd.Series) -> pd.Series:
    """EPSG of the legal projection for each commune code (Lambert-93 unless DROM)."""
    return codes.astype("object").str[:3].map(DEPARTMENT_CRS).fillna(2154).astype(int)
