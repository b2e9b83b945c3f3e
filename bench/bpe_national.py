"""Time and memory of reading a national-size geolocated BPE file (BPE24.csv layout).

INSEE's geolocated file is 1.5 GB (2.9 million equipments, 14 % of the health domain);
it is not available offline, so this script writes a synthetic file of N lines from
the lines of tests/fixtures/BPE23.csv (74 columns of INSEE's catalogue), 14 % of them
health types, then reads it with accesoins.offer.bpe.read_bpe against the COG 2024
communes of ../shared/data/real. Run:

    PYTHONPATH=src /usr/bin/time -v .venv/bin/python bench/bpe_national.py 1000000
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from accesoins.offer.bpe import read_bpe
from accesoins.territory.codes import CommuneIndex

ROOT = Path(__file__).resolve().parents[1]


def communes() -> CommuneIndex:
    c = pd.read_csv(ROOT.parent / "shared" / "data" / "real" / "communes_cog2024.csv", dtype=str,
                    keep_default_na=False, usecols=["insee_com", "commune_type", "insee_parente"])
    current = set(c.loc[c.commune_type == "COM", "insee_com"])
    hist = c[c.commune_type.isin(["COMD", "ARM"]) & (c.insee_parente != "")]
    current |= set(hist.loc[hist.commune_type == "ARM", "insee_parente"])
    return CommuneIndex(frozenset(current), {o: p for o, p in zip(hist.insee_com, hist.insee_parente,
                                                                  strict=True) if o not in current})


def main(n: int) -> None:
    lines = (ROOT / "tests" / "fixtures" / "BPE23.csv").read_text(encoding="utf-8").splitlines()
    health = [r for r in lines[1:] if any(f";{t};" in r for t in ("D265", "D307", "D281"))]
    other = [r for r in lines[1:] if ";A504;" in r]
    rnd = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "BPE24.csv"
        with path.open("w", encoding="utf-8") as fh:
            fh.write(lines[0] + "\n")
            for _ in range(n):
                fh.write((rnd.choice(health) if rnd.random() < 0.14 else other[0]) + "\n")
        index = communes()
        t0 = time.perf_counter()
        batch = read_bpe(path, communes=index)
        dt = time.perf_counter() - t0
        print(f"{n:,} lines, {path.stat().st_size / 1e6:.0f} MB: {len(batch.rows):,} equipments kept, "
              f"outside {batch.outside_counts()}, read in {dt:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
