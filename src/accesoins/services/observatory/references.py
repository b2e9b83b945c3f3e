"""Official reference indicators (DREES APL): import into the store and read back.

An import replaces, for each vintage it carries, the rows of the indicators and variants it
brings, and nothing else (importing the 2018 CSV leaves the 2022–2023 workbook in place).
:func:`reference_apl` is the one function the pages comparing our APL with the official one
read: one value per current commune, arrondissements of Paris, Lyon and Marseille combined
into their commune unless asked otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ...errors import NotBuiltError, ParameterError
from ...offer import drees
from ...store.db import Store
from ...store.territory import commune_index, insert_frame

VARIANTS = ("tous", "moins_65", "moins_62", "moins_60")


def _arrondissements(store: Store) -> dict[str, str]:
    rows = store.records("SELECT old_code, code_commune FROM commune_history WHERE nature = 'arrondissement'")
    return {r["old_code"]: r["code_commune"] for r in rows}


def import_drees_apl(store: Store, path: str | Path, *, vintage: str | None = None,
                     skip_unknown: bool = False) -> dict[str, object]:
    """Import the DREES APL workbook or 2018 CSV; returns the import report.

    The file is read and validated entirely before the store is touched; the write is one
    transaction (a bad file leaves the store unchanged).
    """
    store.require_territory()
    batch = drees.read_drees_apl(path, communes=commune_index(store),
                                 arrondissements=set(_arrondissements(store)), vintage=vintage,
                                 skip_unknown=skip_unknown)
    rows = batch.rows
    replaced = 0
    with store.transaction() as con:
        for vint, part in rows.groupby("vintage"):
            sid = f"drees_apl:{vint}"
            covered = part[["indicator", "variant"]].drop_duplicates()
            for ind, var in covered.itertuples(index=False):
                replaced += con.execute(
                    "DELETE FROM reference_indicator WHERE indicator = ? AND variant = ? AND vintage = ?",
                    [ind, var, vint]).fetchone()[0]
            con.execute("DELETE FROM sources WHERE source_id = ?", [sid])
            frame = part.assign(source=sid)
            insert_frame(store, "reference_indicator", frame,
                         ["indicator", "variant", "vintage", "code_commune", "value", "source"])
            con.execute("UPDATE reference_indicator SET imported_at = current_timestamp "
                        "WHERE source = ? AND imported_at IS NULL", [sid])
            params = {**batch.parameters, "indicateurs": sorted(f"{i}/{v}" for i, v in covered.itertuples(index=False))}
            con.execute(
                "INSERT INTO sources (source_id, kind, title, vintage, licence, attribution, url, file, "
                "parameters, row_count) VALUES (?, 'reference', ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, drees.TITLE, str(vint), drees.LICENCE, drees.ATTRIBUTION, drees.URL, batch.file,
                 json.dumps(params, ensure_ascii=False, default=str), len(part)])
    apl = rows[rows["indicator"] == drees.APL]
    return {
        "title": drees.TITLE, "file": batch.file, "vintage": ", ".join(batch.vintages),
        "vintages": batch.vintages, "rows": int(len(rows)), "replaced": int(replaced),
        "communes": int(apl["code_commune"].nunique()),
        "variants": sorted(apl["variant"].unique().tolist()),
        "remapped": int(batch.remapped["old_code"].nunique()) if len(batch.remapped) else 0,
        "rejected": int(len(batch.rejected)), "arrondissements": batch.kept_arrondissements,
        "warnings": batch.warnings, "replaced_demo_categories": [],
        "remapped_sample": batch.remapped.head(10).to_dict(orient="records"),
        "rejected_sample": batch.rejected.head(10).to_dict(orient="records"),
        "parameters": batch.parameters,
    }


def reference_vintages(store: Store, indicator: str = drees.APL) -> list[dict[str, object]]:
    """Vintages and variants stored for ``indicator``, with their source."""
    return store.records(
        "SELECT vintage, variant, source, count(*) AS communes FROM reference_indicator "
        "WHERE indicator = ? GROUP BY ALL ORDER BY vintage, variant", [indicator])


def reference_apl(store: Store, vintage: str | int | None = None, variant: str = "tous", *,
                  arrondissements: bool = False) -> pd.DataFrame:
    """The official DREES APL per commune: columns ``code_commune, value``.

    Parameters
    ----------
    vintage : str, optional
        ``'2018'``, ``'2022'``, ``'2023'``…; the latest vintage carrying ``variant`` when None.
    variant : str
        ``'tous'`` (all GPs), ``'moins_65'`` (GPs aged 65 or under), ``'moins_62'``, ``'moins_60'``.
    arrondissements : bool, default False
        Keep the rows of municipal arrondissements under their own code; by default they are
        combined into Paris, Lyon and Marseille (mean weighted by the standardised population of
        the same vintage when stored, else by the total population, else a simple mean).

    The frame's ``attrs`` carry ``vintage``, ``variant`` and ``source``.
    """
    if variant not in VARIANTS:
        raise ParameterError(f"variante « {variant} » inconnue ; variantes possibles : {', '.join(VARIANTS)}")
    stored = store.records(
        "SELECT DISTINCT vintage FROM reference_indicator WHERE indicator = ? AND variant = ? ORDER BY 1",
        [drees.APL, variant])
    if not stored:
        raise NotBuiltError(
            f"Aucun APL officiel de la DREES (variante « {variant} ») dans la base : importez le classeur "
            "avec `accesoins import drees-apl FICHIER.xlsx` (ou le CSV 2018 avec --vintage 2018).")
    vintages = [r["vintage"] for r in stored]
    vint = str(vintage) if vintage is not None else vintages[-1]
    if vint not in vintages:
        raise ParameterError(f"millésime « {vint} » absent pour la variante « {variant} » ; "
                             f"millésimes importés : {', '.join(vintages)}")
    frame = store.df(
        "SELECT a.code_commune, a.value, a.source, s.value AS w_std, t.value AS w_tot "
        "FROM reference_indicator a "
        "LEFT JOIN reference_indicator s ON s.indicator = ? AND s.variant = 'tous' AND s.vintage = a.vintage "
        "  AND s.code_commune = a.code_commune "
        "LEFT JOIN reference_indicator t ON t.indicator = ? AND t.variant = 'tous' AND t.vintage = a.vintage "
        "  AND t.code_commune = a.code_commune "
        "WHERE a.indicator = ? AND a.variant = ? AND a.vintage = ? ORDER BY a.code_commune",
        [drees.POP_STD, drees.POP_TOTAL, drees.APL, variant, vint])
    source = frame["source"].iloc[0]
    if not arrondissements:
        parent = _arrondissements(store)
        frame["code_commune"] = frame["code_commune"].map(lambda c: parent.get(c, c))
        if frame["code_commune"].duplicated().any():
            frame = _combine(frame)
    out = frame[["code_commune", "value"]].reset_index(drop=True)
    out.attrs.update({"vintage": vint, "variant": variant, "source": source})
    return out


def _combine(frame: pd.DataFrame) -> pd.DataFrame:
    weight = frame["w_std"].fillna(frame["w_tot"]).where(frame["value"].notna())
    grouped = frame.assign(vw=frame["value"] * weight, w=weight).groupby("code_commune", sort=True)
    vw, w = grouped["vw"].sum(min_count=1), grouped["w"].sum(min_count=1)
    value = (vw / w).where(w > 0, grouped["value"].mean())
    return value.rename("value").reset_index()


__all__ = ["import_drees_apl", "reference_apl", "reference_vintages", "VARIANTS"]
