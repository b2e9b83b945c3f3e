"""Import of user origin–destination files, with errors naming file, line and field."""

from __future__ import annotations

import pandas as pd
import pytest

from accesoins.errors import InputError
from accesoins.travel import read_od_matrix


def write(tmp_path, text, name="od.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_csv_and_parquet(tmp_path):
    path = write(tmp_path, "origin;destination;minutes\n01001;01001;0\n01001;01004;12.5\n")
    got = read_od_matrix(path, self_pairs=False)
    assert got.origin.astype(str).tolist() == ["01001", "01001"]  # leading zeros kept
    assert got.minutes.tolist() == [0.0, 12.5]
    pq = tmp_path / "od.parquet"
    pd.DataFrame({"origin": ["a"], "destination": ["b"], "minutes": [3.0]}).to_parquet(pq)
    assert read_od_matrix(pq, self_pairs=False).minutes.tolist() == [3.0]
    assert len(read_od_matrix(path, max_minutes=10, self_pairs=False)) == 1
    # By default each id reaches itself at 0 min (01004 → 01004 added, counted).
    full = read_od_matrix(path)
    assert full.attrs["self_pairs_added"] == 1 and len(full) == 3


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("origin,dest,minutes\na,b,1\n", 1, "destination", "absente"),
        ("origin,destination,minutes\na,b,1\na,c,abc\n", 3, "minutes", "non numérique"),
        ("origin,destination,minutes\na,b,1\na,c,\n", 3, "minutes", "manquante"),
        ("origin,destination,minutes\na,b,-2\n", 2, "minutes", "négative"),
        ("origin,destination,minutes\na,b,1\n,c,2\n", 3, "origin", "identifiant"),
        ("origin,destination,minutes\na,b,1\nc,d,2\na,b,3\n", 4, "destination", "déjà"),
        ("origin,destination,minutes\na,b,1\n\nc,d,2\n", 3, None, "vide"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, text, line, field, words):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_od_matrix(path)
    err = info.value
    assert err.file == str(path) and err.line == line and err.field == field
    assert words in err.message and f"ligne {line}" in str(err)


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="aucune paire"):
        read_od_matrix(write(tmp_path, "origin,destination,minutes\n"))
    with pytest.raises(InputError, match="vide"):
        read_od_matrix(write(tmp_path, ""))
    with pytest.raises(InputError, match="introuvable"):
        read_od_matrix(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="format"):
        read_od_matrix(write(tmp_path, "x", name="od.xlsx"))
