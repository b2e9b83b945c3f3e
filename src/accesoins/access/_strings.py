"""Positions of fixed-width string ids without hashing each row.

Commune codes, postcodes, FINESS or IRIS numbers are strings of one width. With
pandas' Arrow-backed strings their bytes sit in one buffer, so each row can be
read as a short row of bytes (a numpy view, no Python object), and turned into a
small integer by a mixed-radix code: at each character position, the bytes the
target index uses there are ranked (``"0"``–``"9"``, ``"A"``, ``"B"`` for INSEE
codes: 12 values), and a row's code is the number written with those ranks. A
dense table over all codes then gives the position in the index, as the integer
path does. Each row costs a few byte gathers and multiply-adds: no hash, no
string comparison. Rows of another width, or with a byte never used at that
position by the index, are simply not in it.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

#: Largest mixed-radix table (slots) built for the lookup: 4 M int32 slots = 16 MiB.
MAX_TABLE = 1 << 22


def fixed_width_bytes(col: pd.Series) -> np.ndarray | None:
    """The ``(rows, width)`` uint8 view of an Arrow-backed string column of one width, or None.

    None when the column is not Arrow strings, holds nulls, spans several chunks or
    has strings of different widths (the caller then uses a general path).
    """
    arrow = getattr(col.array, "_pa_array", None)
    if arrow is None or not pd.api.types.is_string_dtype(col.dtype):
        return None
    import pyarrow as pa

    if isinstance(arrow, pa.ChunkedArray):
        if arrow.num_chunks != 1:
            return None
        arrow = arrow.chunk(0)
    if arrow.null_count or not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)):
        return None
    n = len(arrow)
    if n == 0:
        return np.empty((0, 0), dtype=np.uint8)
    import pyarrow.compute as pc

    lengths = pc.min_max(pc.binary_length(arrow))  # one pass in Arrow, no offsets copy
    width = lengths["min"].as_py()
    if not width or lengths["max"].as_py() != width:
        return None
    _, offsets, data = arrow.buffers()
    kind = np.int64 if pa.types.is_large_string(arrow.type) else np.int32
    start = int(np.frombuffer(offsets, dtype=kind)[arrow.offset])
    return np.frombuffer(data, dtype=np.uint8)[start : start + n * width].reshape(n, width)


def radix_positions(raw: np.ndarray, index: pd.Index, itype: type, missing: int,
                    rows: np.ndarray | None = None) -> np.ndarray | None:
    """Positions in ``index`` of the rows of bytes ``raw`` (only ``rows`` if given; ``missing``
    where absent), or None.

    None when the index is not made of strings or when the table of codes would
    exceed :data:`MAX_TABLE` slots (then a hash lookup is the better tool).
    """
    if index.inferred_type not in ("string", "empty"):
        return None
    if raw.shape[1] == 0:  # no row at all
        return np.full(0 if rows is None else len(rows), missing, dtype=itype)
    found = _index_table(index, raw.shape[1], np.dtype(itype), missing)
    if found is None:
        return None
    table, luts = found
    return np.asarray(table.take(_codes(raw, luts, rows), mode="clip"))


_Table = tuple[np.ndarray, list[tuple[int, np.ndarray]]]
_TABLES: dict[tuple[int, int, str, int], tuple[weakref.ref[pd.Index], _Table | None]] = {}


def _index_table(index: pd.Index, width: int, itype: np.dtype, missing: int) -> _Table | None:
    """The lookup table and per-place byte tables of an index (kept while the index lives).

    One catchment looks the same demand and supply indexes up from every row slice and
    both steps; building the table once saves rebuilding it from 35,000 Python strings.
    """
    key = (id(index), width, itype.str, missing)
    cached = _TABLES.get(key)
    if cached is not None and cached[0]() is index:
        return cached[1]
    found = _build_table(index, width, itype, missing)
    if len(_TABLES) > 64:  # a few indexes live at once; forget the oldest
        _TABLES.pop(next(iter(_TABLES)))
    _TABLES[key] = (weakref.ref(index), found)
    return found


def _build_table(index: pd.Index, width: int, itype: np.dtype, missing: int) -> _Table | None:
    ref, where = _index_bytes(index, width)
    if not len(where):
        ref = np.zeros((0, width), dtype=np.uint8)
    sizes = [max(len(np.unique(ref[:, p])), 1) for p in range(width)]
    total = int(np.prod(np.array(sizes, dtype=np.float64)))
    if total > max(MAX_TABLE, 8 * len(index)):
        return None
    # Per place, rank × place value (+1 at the first place: slot 0 is « missing »); a byte the
    # index never uses there weighs −(total + 1), so a row holding one sums to 0 or below and
    # the clipped lookup sends it to slot 0: no separate pass over the rows.
    places: list[np.ndarray] = []
    place = total
    kind = np.int32 if (total + 1) * width < 2**31 else np.int64
    for p in range(width):
        used = np.unique(ref[:, p])
        place //= max(len(used), 1)
        lut = np.full(256, -(total + 1), dtype=kind)
        lut[used] = np.arange(len(used)) * place + (1 if p == 0 else 0)
        places.append(lut)
    luts = _pair_places(places)
    table = np.full(total + 1, missing, dtype=itype)
    if len(where):
        table[_codes(ref, luts)] = where
    return table, luts


def _pair_places(luts: list[np.ndarray]) -> list[tuple[int, np.ndarray]]:
    """Byte tables merged two places at a time: ``(first place, table)``, read as uint16 pairs.

    A pair's table is indexed by the little-endian uint16 of its two bytes; halving the
    number of gathers per row is what makes strings nearly as fast as integer ids.
    """
    out = []
    for p in range(0, len(luts) - 1, 2):
        out.append((p, np.add.outer(luts[p + 1], luts[p]).ravel()))  # index = b1 × 256 + b0
    if len(luts) % 2:
        out.append((len(luts) - 1, luts[-1]))
    return out


def _index_bytes(index: pd.Index, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(k, width)`` bytes of the index ids of ``width`` bytes, and their positions."""
    import pyarrow as pa

    arrow = pa.array(np.asarray(index, dtype=object), type=pa.large_string())
    _, offsets, data = arrow.buffers()
    off = np.frombuffer(offsets, dtype=np.int64)[: len(arrow) + 1]
    where = np.flatnonzero(np.diff(off) == width)
    start = off[:-1][where]
    buf = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, dtype=np.uint8)
    return buf[start[:, None] + np.arange(width)], where


def _codes(raw: np.ndarray, luts: list[tuple[int, np.ndarray]], rows: np.ndarray | None = None) -> np.ndarray:
    """Mixed-radix code + 1 of each row of bytes (≤ 0 for a byte unknown at its place).

    Two places at a time are read as one unaligned uint16 straight from the bytes (a strided
    view, no copy); with ``rows``, only those rows are gathered.
    """
    code = None
    for p, lut in luts:
        col = raw[:, p : p + 2].view("<u2")[:, 0] if len(lut) > 256 else raw[:, p]
        if rows is not None:
            col = col.take(rows)
        value = lut.take(col, mode="clip")  # clip: every byte value is a valid slot anyway
        code = value if code is None else np.add(code, value, out=code)
    assert code is not None  # an index id has at least one byte
    return code
