"""Fixtures of the offer importers' tests: a hand-built CommuneIndex and fixture paths."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from accesoins.territory.codes import CommuneIndex

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

CURRENT = [
    "75056", "13055", "69123", "01001", "01004", "01451", "2A004", "2B033", "97411", "97101",
    "97209", "97302", "97611", "50129", "74010", "14666", "33063",
]  # fmt: skip
HISTORY = {
    # municipal arrondissements
    "75101": "75056", "75113": "75056", "75115": "75056",
    "13201": "13055", "13202": "13055", "13208": "13055",
    "69381": "69123", "69383": "69123",
    # communes nouvelles: Cherbourg-en-Cotentin (2016), Annecy (2017)
    "50602": "50129", "50173": "50129", "74011": "74010", "74268": "74010",
}  # fmt: skip


@pytest.fixture(scope="session")
def communes() -> CommuneIndex:
    return CommuneIndex(frozenset(CURRENT), HISTORY)


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


def locate_nearest(table: dict[str, tuple[float, float]]):
    """A locate(lat, lon) returning the code of the nearest of ``table``'s points."""

    def locate(lat: float, lon: float) -> str | None:
        best = min(table.items(), key=lambda kv: (kv[1][0] - lat) ** 2 + (kv[1][1] - lon) ** 2)
        return best[0]

    return locate


@pytest.fixture(scope="session")
def locate():
    return locate_nearest(
        {
            "75056": (48.8566, 2.3522),
            "13055": (43.2965, 5.3698),
            "97411": (-20.8823, 55.4504),
            "2A004": (41.9192, 8.7386),
            "01001": (46.1534, 4.9261),
        }
    )


@pytest.fixture(scope="session")
def real_communes(real_data) -> CommuneIndex:
    """CommuneIndex from the COG 2024 file (COM current; COMD/ARM → parent).

    The file has no COM rows for Paris, Lyon and Marseille (only their ARM rows):
    the parents of ARM rows are added to the current communes.
    """
    path = real_data / "communes_cog2024.csv"
    c = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        usecols=["insee_com", "commune_type", "insee_parente"],
    )
    current = set(c.loc[c.commune_type == "COM", "insee_com"])
    hist = c[c.commune_type.isin(["COMD", "ARM"]) & (c.insee_parente != "")]
    current |= set(hist.loc[hist.commune_type == "ARM", "insee_parente"])
    history = {
        o: p for o, p in zip(hist.insee_com, hist.insee_parente, strict=True) if o not in current
    }
    return CommuneIndex(frozenset(current), history)


def write_variant(
    tmp_path: Path, src: Path, transform, *, encoding: str = "utf-8", name: str | None = None
) -> Path:
    """Copy fixture ``src`` into ``tmp_path`` after ``transform(list_of_lines) -> list_of_lines``."""
    text = src.read_bytes().decode(encoding)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    out = tmp_path / (name or src.name)
    out.write_bytes(("\n".join(transform(lines)) + "\n").encode(encoding))
    return out
