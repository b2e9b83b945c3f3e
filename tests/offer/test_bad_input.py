"""Bad input gets a clear InputError naming file, line and field — for every importer.

Each case mutates a fixture (as a list of lines) and states the line and field the
error must name. Unknown communes are also checked with ``skip_unknown=True``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from accesoins.errors import InputError
from accesoins.offer.bpe import read_bpe
from accesoins.offer.finess import STRUCTUREET, read_finess, read_finess_atlasante
from accesoins.offer.generic import read_generic
from accesoins.offer.population import read_population_by_age
from accesoins.offer.rpps import COL_COMMUNE, read_rpps

BPE = ("bpe_ensemble_communes.csv", read_bpe, "utf-8")
BPE_XY = ("bpe18_ensemble_xy.csv", read_bpe, "cp1252")
FINESS = ("etalab-cs1100507-stock-20240112-0336.csv", read_finess, "cp1252")
RPPS = ("PS_LibreAcces_Personne_activite_202401150930.txt", read_rpps, "utf-8")
POP = ("BTT_TD_POP1B_2018.csv", read_population_by_age, "cp1252")
GEN = ("generic_offre.csv", read_generic, "utf-8")
GEN_XY = ("generic_coords_etp.csv", read_generic, "utf-8")


def set_field(line_no: int, index: int, value: str, sep: str = ";"):
    def t(lines):
        parts = lines[line_no - 1].split(sep)
        parts[index] = value
        lines[line_no - 1] = sep.join(parts)
        return lines

    return t


def drop_column(index: int, sep: str = ";"):
    def t(lines):
        out = []
        for line in lines:
            parts = line.split(sep)
            del parts[index]
            out.append(sep.join(parts))
        return out

    return t


def cut_line(line_no: int, keep_fields: int, sep: str = ";"):
    def t(lines):
        lines[line_no - 1] = sep.join(lines[line_no - 1].split(sep)[:keep_fields])
        return lines

    return t


def replace_all(old: str, new: str):
    return lambda lines: [line.replace(old, new) for line in lines]


# id, fixture spec, transform, expected line, expected field (None: any), words in the message
CASES = [
    # --- BPE communal counts
    ("bpe-separator", BPE, replace_all(";", "\t"), 1, "DEPCOM", "tabulation"),
    ("bpe-missing-column", BPE, drop_column(4), 1, "TYPEQU", "absente"),
    ("bpe-unknown-commune", BPE, set_field(3, 2, "99999"), 3, "DEPCOM", "inconnu"),
    ("bpe-non-numeric", BPE, set_field(2, 5, "un"), 2, "NB_EQUIP", "pas un nombre"),
    ("bpe-negative", BPE, set_field(5, 5, "-4"), 5, "NB_EQUIP", "négatif"),
    ("bpe-truncated", BPE, cut_line(24, 4), 24, "TYPEQU", "tronquée"),
    (
        "bpe-too-many-fields",
        BPE,
        lambda ls: ls[:5] + [ls[5] + ";7"] + ls[6:],
        6,
        None,
        "mal formée",
    ),
    (
        "bpe-points-outside-france",
        BPE_XY,
        set_field(2, 6, "100.0"),
        2,
        "LAMBERT_X",
        "hors de France",
    ),
    (
        "bpe-points-bad-coordinate",
        BPE_XY,
        set_field(3, 7, "6860k11"),
        3,
        "LAMBERT_Y",
        "non numérique",
    ),
    # --- FINESS stock
    ("finess-separator", FINESS, replace_all(";", ","), 1, None, "finess;etalab"),
    ("finess-truncated", FINESS, cut_line(3, 20), 3, STRUCTUREET[20], "tronquée"),
    ("finess-unknown-commune", FINESS, set_field(2, 12, "999"), 2, "commune", "01999"),
    ("finess-outside-france", FINESS, set_field(10, 2, "100.0"), 10, "coordxet", "hors de France"),
    ("finess-non-numeric-coord", FINESS, set_field(11, 3, "abc"), 11, "coordyet", "non numérique"),
    (
        "finess-unknown-crs",
        FINESS,
        lambda ls: ls[:11] + [ls[11].replace("LAMBERT_93", "WGS84")] + ls[12:],
        12,
        "sourcecoordet",
        "WGS84",
    ),
    ("finess-no-structureet", FINESS, lambda ls: ls[:1] + ls[9:], 2, None, "structureet"),
    # --- RPPS
    ("rpps-separator", RPPS, replace_all("|", ";"), 1, "Identifiant PP", "point-virgule"),
    ("rpps-missing-column", RPPS, drop_column(9, "|"), 1, "Code profession", "absente"),
    ("rpps-unknown-commune", RPPS, set_field(2, 36, "75999", "|"), 2, COL_COMMUNE, "75999"),
    ("rpps-truncated", RPPS, cut_line(13, 20, "|"), 13, "Numéro SIREN site", "tronquée"),
    # --- population
    ("pop-separator", POP, replace_all(";", "|"), 1, "CODGEO", "barre verticale"),
    ("pop-missing-column", POP, drop_column(5), 1, "NB", "absente"),
    ("pop-unknown-commune", POP, set_field(4, 1, "99999"), 4, "CODGEO", "inconnu"),
    ("pop-non-numeric", POP, set_field(2, 5, "douze"), 2, "NB", "pas un nombre"),
    ("pop-negative", POP, set_field(7, 5, "-3.2"), 7, "NB", "négatif"),
    ("pop-bad-age", POP, set_field(9, 4, "1O5"), 9, "AGED100", "âge"),
    ("pop-bad-sex", POP, set_field(9, 3, "3"), 9, "SEXE", "sexe"),
    ("pop-truncated", POP, cut_line(1011, 5), 1011, "NB", "tronquée"),
    # --- generic
    ("generic-separator", GEN, replace_all(";", "|"), 1, "code_commune", "barre verticale"),
    ("generic-missing-column", GEN, drop_column(1), 1, "categorie", "absente"),
    ("generic-unknown-commune", GEN, set_field(3, 0, "75999"), 3, "code_commune", "75999"),
    ("generic-non-numeric", GEN, set_field(2, 2, "douze"), 2, "nombre", "pas un nombre"),
    ("generic-negative", GEN, set_field(4, 2, "-1"), 4, "nombre", "négatif"),
    ("generic-empty-count", GEN, set_field(4, 2, ""), 4, "nombre", "manquante"),
    ("generic-unknown-category", GEN, set_field(5, 1, "kine"), 5, "categorie", "kine"),
    ("generic-truncated", GEN, cut_line(9, 2), 9, "nombre", "tronquée"),
    (
        "generic-outside-france",
        GEN_XY,
        set_field(3, 1, "-43.2965", ","),
        3,
        "latitude",
        "hors de France",
    ),
]


def _write(tmp_path: Path, spec, transform) -> Path:
    name, _, enc = spec
    src = Path(__file__).resolve().parents[1] / "fixtures" / name
    text = src.read_bytes().decode(enc)
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    out = tmp_path / name
    out.write_bytes(("\n".join(transform(lines)) + "\n").encode(enc))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_names_file_line_field(case, tmp_path, communes, locate):
    _, spec, transform, line, fld, words = case
    path = _write(tmp_path, spec, transform)
    reader = spec[1]
    with pytest.raises(InputError) as info:
        reader(path, communes=communes, **({"locate": locate} if reader is read_generic else {}))
    err = info.value
    assert err.file == str(path)
    assert err.line == line, str(err)
    if fld is not None:
        assert err.field == fld, str(err)
    assert words in err.message, str(err)
    assert str(path) in str(err) and f"ligne {line}" in str(err)


SKIP_CASES = [c for c in CASES if c[0].endswith("unknown-commune")]


@pytest.mark.parametrize("case", SKIP_CASES, ids=[c[0] for c in SKIP_CASES])
def test_unknown_commune_rejected_with_skip_unknown(case, tmp_path, communes):
    _, spec, transform, line, fld, _ = case
    path = _write(tmp_path, spec, transform)
    batch = spec[1](path, communes=communes, skip_unknown=True)
    rej = batch.rejected[batch.rejected.field == fld]
    assert line in set(rej.line)
    assert set(rej.columns) == {"line", "field", "value", "reason"}
    assert (rej.reason.str.contains("inconnu")).any()
    assert line not in set(batch.remapped.line)


SPECS = {"bpe": BPE, "finess": FINESS, "rpps": RPPS, "pop": POP, "generic": GEN}


@pytest.mark.parametrize("key", SPECS)
def test_empty_file(key, tmp_path, communes):
    name, reader, _ = SPECS[key]
    p = tmp_path / name
    p.write_bytes(b"")
    with pytest.raises(InputError) as info:
        reader(p, communes=communes)
    assert info.value.line == 1 and "vide" in info.value.message and info.value.file == str(p)


@pytest.mark.parametrize("key", ["bpe", "pop", "generic", "rpps"])
def test_header_only(key, tmp_path, communes):
    name, reader, enc = SPECS[key]
    src = Path(__file__).resolve().parents[1] / "fixtures" / name
    p = tmp_path / name
    p.write_bytes(src.read_bytes().split(b"\n")[0] + b"\n")
    with pytest.raises(InputError, match="aucune ligne de données") as info:
        reader(p, communes=communes)
    assert info.value.line == 2


@pytest.mark.parametrize("key", ["rpps", "generic"])
def test_latin1_where_utf8_expected_names_the_line(key, tmp_path, communes):
    name, reader, _ = SPECS[key]
    src = Path(__file__).resolve().parents[1] / "fixtures" / name
    lines = src.read_bytes().split(b"\n")
    i = next(i for i, line in enumerate(lines) if i > 0 and not line.isascii())
    lines[i] = lines[i].decode("utf-8").encode("latin-1")  # a line with accents, re-encoded
    p = tmp_path / name
    p.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="UTF-8") as info:
        reader(p, communes=communes)
    assert info.value.line == i + 1


@pytest.mark.parametrize("key", ["bpe", "finess", "pop"])
def test_cp1252_formats_decode_latin1_or_name_the_bad_byte(key, tmp_path, communes):
    """Formats published in windows-1252 are decoded as such; a byte undefined there raises."""
    name, reader, enc = SPECS[key]
    src = Path(__file__).resolve().parents[1] / "fixtures" / name
    data = src.read_bytes().decode(enc).encode("cp1252")
    p = tmp_path / name
    p.write_bytes(data)
    batch = reader(p, communes=communes)
    assert len(batch.rows)
    lines = data.split(b"\n")
    lines[4] = lines[4] + b"\x81"
    p.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match="encodage") as info:
        reader(p, communes=communes)
    assert info.value.line == 5


def test_generic_coordinates_without_locate(communes, fixtures):
    with pytest.raises(InputError, match="locate") as info:
        read_generic(fixtures / "generic_coords_etp.csv", communes=communes)
    assert info.value.line == 2 and info.value.field == "latitude"


def test_generic_bad_mapping(communes, fixtures):
    with pytest.raises(InputError, match="indiquée pour « categorie »") as info:
        read_generic(
            fixtures / "generic_offre.csv", communes=communes, mapping={"categorie": "type"}
        )
    assert info.value.line == 1 and info.value.field == "type"


def test_atlasante_errors(tmp_path, communes, locate):
    head = "id,hospital_name,site_name,lat,lon,facility_type,ref_date\n"
    p = tmp_path / "hop.csv"
    p.write_text(
        head + "10000024,CH TEST,,46.2222,5.20879,Centre Hospitalier (C.H.),06/03/2020\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="locate") as info:
        read_finess_atlasante(p, communes=communes)
    assert info.value.line == 1
    p.write_text(
        head + "10000024,CH TEST,,5.20879,46.2222,Centre Hospitalier (C.H.),06/03/2020\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="hors de France") as info:
        read_finess_atlasante(p, communes=communes, locate=locate)
    assert (info.value.line, info.value.field) == (2, "lat")
    p.write_text(head + "10000024,CH TEST,,46.2,5.2,Hôpital de jour,06/03/2020\n", encoding="utf-8")
    with pytest.raises(InputError, match="Hôpital de jour") as info:
        read_finess_atlasante(p, communes=communes, locate=locate)
    assert info.value.field == "facility_type"
