"""Import a user origin–destination matrix (CSV or Parquet).

For tables computed elsewhere: the INSEE Metric distancier, a router's output,
a regional agency's own times. Every problem is reported with an
:class:`~accesoins.errors.InputError` naming the file, the physical line
(1-based, header included) and the field, in French.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from accesoins.errors import InputError
from accesoins.travel._pairs import pairs_frame

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}


def read_od_matrix(
    path: str | Path,
    *,
    origin_col: str = "origin",
    dest_col: str = "destination",
    minutes_col: str = "minutes",
    max_minutes: float | None = None,
    self_pairs: bool = True,
) -> pd.DataFrame:
    """Read and validate an origin–destination travel-time table.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV file (separator ``,``, ``;`` or tab, detected from the header) or a
        Parquet file, with one row per pair.
    origin_col, dest_col, minutes_col : str
        Names of the origin id, destination id and travel-time (minutes) columns.
    max_minutes : float, optional
        Keep only pairs with at most this many minutes.
    self_pairs : bool
        Add the pair from each id (origin or destination) to itself at 0 minutes
        when the file does not give it. Distanciers often leave these pairs out,
        and without them a commune's own doctors are out of its own reach (the
        APL convention counts them at 0 minutes). A pair given in the file keeps
        its time.

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``dest`` (categorical) and ``minutes`` (float64), in file
        order, then the added self-pairs. ``frame.attrs["self_pairs_added"]``
        counts the pairs added (for the provenance).

    Raises
    ------
    accesoins.errors.InputError
        Missing file or column, empty file, blank line, missing id, non-numeric,
        non-finite or negative minutes, or a pair given twice.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("fichier introuvable.", file=path)
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        table, offset = _read_parquet(path), None
    elif suffix in _CSV_SUFFIXES:
        table, offset = _read_csv(path), 2  # data row 0 is physical line 2
    else:
        raise InputError(
            f"format non reconnu « {suffix} » : attendu CSV (.csv) ou Parquet (.parquet).",
            file=path,
        )

    def line(row: int) -> int | None:
        return row + offset if offset is not None else None

    def where(row: int) -> str:
        return "" if offset is not None else f" (enregistrement n° {row + 1})"

    for col in (origin_col, dest_col, minutes_col):
        if col not in table.columns:
            found = ", ".join(map(str, table.columns))
            raise InputError(
                f"colonne obligatoire absente (colonnes trouvées : {found}).",
                file=path,
                line=1 if offset else None,
                field=col,
            )
    if len(table) == 0:
        raise InputError("le fichier ne contient aucune paire origine–destination.", file=path)

    for col in (origin_col, dest_col):
        ids = table[col].astype("string").str.strip()
        empty = ids.isna() | (ids == "")
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(
                f"identifiant manquant{where(row)}.", file=path, line=line(row), field=col
            )
        table[col] = ids

    raw = table[minutes_col]
    minutes = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(minutes)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"durée non numérique ou manquante « {raw.iloc[row]} »{where(row)}.",
            file=path,
            line=line(row),
            field=minutes_col,
        )
    negative = minutes < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise InputError(
            f"durée négative ({minutes[row]:g} min){where(row)}.",
            file=path,
            line=line(row),
            field=minutes_col,
        )

    o_codes, o_ids = pd.factorize(table[origin_col])
    d_codes, d_ids = pd.factorize(table[dest_col])
    key = o_codes.astype(np.int64) * max(len(d_ids), 1) + d_codes
    dup = pd.Series(key).duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise InputError(
            f"paire {table[origin_col].iloc[row]} → {table[dest_col].iloc[row]} "
            f"déjà donnée plus haut{where(row)}.",
            file=path,
            line=line(row),
            field=dest_col,
        )
    if max_minutes is not None:
        keep = minutes <= max_minutes
        o_codes, d_codes, minutes = o_codes[keep], d_codes[keep], minutes[keep]
    o_ids, d_ids = pd.Index(o_ids), pd.Index(d_ids)
    added = 0
    if self_pairs:
        o_ids, d_ids, o_codes, d_codes, minutes, added = _add_self_pairs(
            o_ids, d_ids, o_codes, d_codes, minutes, has_self=_self_pair_ids(table, origin_col, dest_col)
        )
    frame = pairs_frame(o_ids, d_ids, o_codes, d_codes, minutes)
    frame.attrs["self_pairs_added"] = added
    return frame


def _self_pair_ids(table: pd.DataFrame, origin_col: str, dest_col: str) -> pd.Index:
    """Ids whose pair to themselves the file gives (whatever its time, even beyond the cap)."""
    same = (table[origin_col] == table[dest_col]).to_numpy()
    ids: pd.Index = pd.Index(table[origin_col].to_numpy()[same]).unique()
    return ids


def _add_self_pairs(
    o_ids: pd.Index,
    d_ids: pd.Index,
    o_codes: np.ndarray,
    d_codes: np.ndarray,
    minutes: np.ndarray,
    *,
    has_self: pd.Index,
) -> tuple[pd.Index, pd.Index, np.ndarray, np.ndarray, np.ndarray, int]:
    """Append ``(id, id, 0)`` for every id of the file without its own pair."""
    ids = o_ids.append(d_ids).unique()
    need = ids.difference(has_self, sort=False)
    if not len(need):
        return o_ids, d_ids, o_codes, d_codes, minutes, 0
    o_ids = o_ids.append(need.difference(o_ids, sort=False))
    d_ids = d_ids.append(need.difference(d_ids, sort=False))
    o_codes = np.concatenate([o_codes, o_ids.get_indexer(need)])
    d_codes = np.concatenate([d_codes, d_ids.get_indexer(need)])
    minutes = np.concatenate([minutes, np.zeros(len(need))])
    return o_ids, d_ids, o_codes, d_codes, minutes, int(len(need))


def _read_csv(path: Path) -> pd.DataFrame:
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    if not header.strip():
        raise InputError("fichier vide (pas de ligne d'en-tête).", file=path, line=1)
    sep = max((",", ";", "\t"), key=header.count)
    try:
        # Everything as text, blank lines kept, so that row k is physical line k + 2.
        table = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except pd.errors.ParserError as exc:
        raise InputError(f"CSV illisible : {exc}", file=path) from None
    table.columns = [str(c).strip() for c in table.columns]
    blank = table.apply(lambda c: c.isna() | (c.astype(str).str.strip() == "")).all(axis=1)
    if len(table.columns) and blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0])
        raise InputError("ligne vide.", file=path, line=row + 2)
    return table


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise InputError(f"Parquet illisible : {exc}", file=path) from None
