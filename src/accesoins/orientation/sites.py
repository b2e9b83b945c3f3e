"""What a person needs to reach a care site: its name, address, telephone and hours.

The national files (FINESS) publish the address and the telephone; none publishes opening
hours, so a site says « horaires non connus » rather than guessing. Demonstration sites
have no real name nor address and say so.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

HOURS_UNKNOWN = "Horaires non connus : appelez avant de vous déplacer."
DEMO_ADDRESS = "Adresse non disponible (lieu fictif de démonstration)"


def _attr(raw: object, key: str) -> str:
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return ""
    data = raw if isinstance(raw, dict) else json.loads(str(raw))
    return str(data.get(key) or "").strip()


def contact_columns(sites: pd.DataFrame) -> pd.DataFrame:
    """``sites`` with ``address``, ``phone`` and ``hours`` (texts; empty when not published).

    Reads the ``attributes`` JSON written by the FINESS importers (``adresse``, ``telephone``,
    and ``horaires`` when a source gives them).
    """
    attrs = sites["attributes"] if "attributes" in sites else pd.Series(None, index=sites.index, dtype=object)
    out = sites.copy()
    out["address"] = [_attr(a, "adresse") for a in attrs]
    out["phone"] = [_attr(a, "telephone") for a in attrs]
    out["hours"] = [_attr(a, "horaires") or HOURS_UNKNOWN for a in attrs]
    return out


def describe_site(site: dict[str, Any], label: str) -> dict[str, Any]:
    """``site`` (a :class:`~accesoins.orientation.index.SiteIndex` record) with the texts a card shows."""
    demo = bool(site.get("is_demo"))
    site["is_demo"] = demo
    site["label"] = label
    site["title"] = site.get("name") or f"{label} — {site.get('commune') or site.get('code_commune')}" + (
        " (fictif)" if demo else "")
    site["address_text"] = site.get("address") or (DEMO_ADDRESS if demo else "Adresse non publiée")
    site["phone_text"] = site.get("phone") or ("Téléphone non disponible (lieu fictif)" if demo
                                               else "Téléphone non publié")
    site["hours"] = site.get("hours") or HOURS_UNKNOWN
    return site
