"""Checked, resumable downloads and catalogue resolution, against the local source server."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from accesoins.config import SOURCES_RULES
from accesoins.offer.catalogue import Catalogues, SourceRule, load_source_rules
from accesoins.offer.download import DownloadError, Expected, NetworkError, fetch
from accesoins.offer.sources import fetch_source
from sources_server import SourceServer, zip_bytes

FORMATS = Path(__file__).resolve().parents[3] / "shared" / "data" / "formats"
PAYLOAD = bytes(range(256)) * 4000  # ~1 MB, several chunks


@pytest.fixture()
def server():
    with SourceServer() as srv:
        yield srv


def rule(**kw) -> SourceRule:
    base = {"name": "s", "title": "t", "catalogue": "datagouv", "dataset": "d", "importer": "bpe",
            "licence": "LO", "attribution": "a"}
    return SourceRule(**{**base, **kw})


def test_fetch_checks_md5_and_leaves_only_the_final_file(server, tmp_path):
    url = server.add_file("/f.bin", PAYLOAD)
    target = fetch(url, tmp_path / "f.bin", expected=Expected(len(PAYLOAD), "md5", hashlib.md5(PAYLOAD).hexdigest()))
    assert target.read_bytes() == PAYLOAD
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_checksum_mismatch_is_refused_in_french(server, tmp_path):
    url = server.add_file("/f.bin", PAYLOAD)
    with pytest.raises(DownloadError, match="somme de contrôle SHA256 .* différente de celle publiée"):
        fetch(url, tmp_path / "f.bin", expected=Expected(None, "sha256", "0" * 64))
    assert list(tmp_path.iterdir()) == []  # neither final name nor .part


def test_size_mismatch_is_refused(server, tmp_path):
    url = server.add_file("/f.bin", PAYLOAD)
    with pytest.raises(DownloadError, match=f"{len(PAYLOAD)} octets reçus, le catalogue en annonce 12"):
        fetch(url, tmp_path / "f.bin", expected=Expected(12))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_resumes_with_range(server, tmp_path):
    url = server.add_file("/big.bin", PAYLOAD)
    server.cut_once["/big.bin"] = 300_000
    expected = Expected(len(PAYLOAD), "sha1", hashlib.sha1(PAYLOAD).hexdigest())
    with pytest.raises(DownloadError, match="interrompu.*relancez"):
        fetch(url, tmp_path / "big.bin", expected=expected)
    part = tmp_path / "big.bin.part"
    kept = part.stat().st_size
    assert 0 < kept <= 300_000 and not (tmp_path / "big.bin").exists()
    seen: list[tuple[int, int | None]] = []
    fetch(url, tmp_path / "big.bin", expected=expected, progress=lambda d, t: seen.append((d, t)))
    assert (tmp_path / "big.bin").read_bytes() == PAYLOAD and not part.exists()
    assert server.requests[-1] == ("/big.bin", f"bytes={kept}-")
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD)) and seen[0][0] > kept


def test_http_error_and_unreachable_server(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(server.base + "/missing.zip", tmp_path / "m.zip")
    assert not (tmp_path / "m.zip").exists()
    with pytest.raises(NetworkError, match="injoignable"):
        fetch("http://127.0.0.1:9/x.zip", tmp_path / "x.zip")


def test_insee_catalogue_resolves_the_current_bpe(server, tmp_path):
    """INSEE's own catalogue (the DoReMIFaSol copy), served as is: address, vintage, md5, size, member."""
    server.insee.extend(json.loads((FORMATS / "insee" / "doremifasol_liste_donnees.json").read_text()))
    with Catalogues(insee_url=server.insee_catalogue_url, datagouv_api=server.datagouv_api,
                    cache_dir=tmp_path) as cat:
        bpe = cat.resolve(rule(catalogue="insee", dataset="BPE_ENS"))
        xy = cat.resolve(rule(catalogue="insee", dataset="BPE_ENS_XY"))
        logement = cat.resolve(rule(catalogue="insee", dataset="RP_LOGEMENT", vintage="2015"))
        with pytest.raises(DownloadError, match="« RP_POP1B » absent du catalogue INSEE"):
            cat.resolve(rule(catalogue="insee", dataset="RP_POP1B"))
    assert bpe.url == "https://www.insee.fr/fr/statistiques/fichier/8217527/DS_BPE_CSV_FR.zip"
    assert (bpe.vintage, bpe.filename, bpe.member) == ("2023", "DS_BPE_CSV_FR.zip", r"DS_BPE_data\.csv$")
    assert bpe.expected == Expected(8402012, "md5", "a92e159ee1e45a45798502b78fbb0a10")
    assert xy.filename == "BPE23.zip" and xy.expected.size == 147489345
    assert logement.vintage == "2015" and logement.url.endswith("RP2015_LOGEMT_txt.zip")
    assert (tmp_path / "insee_liste_donnees.json").exists()  # cached


def test_datagouv_api_picks_the_latest_matching_resource(server, tmp_path):
    server.datagouv_resource("finess", "etalab-cs1100502-stock-20260101.csv", b"a", format="csv")
    server.datagouv_resource("finess", "etalab-cs1100507-stock-20250101.csv", b"b", format="csv",
                             last_modified="2025-01-01T00:00:00")
    new = server.datagouv_resource("finess", "etalab-cs1100507-stock-20260512.csv", b"c", format="csv",
                                   checksum_type="sha1", last_modified="2026-05-12T03:00:00")
    server.datagouv_resource("finess", "notice.pdf", b"d", format="pdf", title="cs1100507 notice")
    with Catalogues(insee_url=server.insee_catalogue_url, datagouv_api=server.datagouv_api,
                    cache_dir=tmp_path) as cat:
        res = cat.resolve(rule(dataset="finess", resource={"format": "csv", "match": "cs1100507"}))
        with pytest.raises(DownloadError, match="aucune ressource"):
            cat.resolve(rule(dataset="finess", resource={"format": "json"}))
        with pytest.raises(DownloadError, match="HTTP 404"):
            cat.resolve(rule(dataset="nope"))
    assert res.url == new["url"] and res.published == "2026-05-12"
    assert res.expected == Expected(1, "sha1", hashlib.sha1(b"c").hexdigest())


def test_catalogue_cache_is_used_when_the_catalogue_is_unreachable(tmp_path):
    with SourceServer() as srv:
        srv.datagouv_resource("ds", "f.csv", b"x", format="csv")
        api, insee = srv.datagouv_api, srv.insee_catalogue_url
        with Catalogues(insee_url=insee, datagouv_api=api, cache_dir=tmp_path) as cat:
            assert not cat.resolve(rule(dataset="ds")).stale
    with Catalogues(insee_url=insee, datagouv_api=api, cache_dir=tmp_path, ttl=0) as cat:
        assert cat.resolve(rule(dataset="ds")).stale
        with pytest.raises(NetworkError, match="catalogue injoignable"):
            cat.resolve(rule(catalogue="insee", dataset="BPE_ENS"))


def test_fetch_source_caches_and_extracts_the_member(server, tmp_path):
    data = zip_bytes({"notice.txt": b"n", "PS_LibreAcces_Personne_activite_202611300900.txt": b"rows"})
    server.datagouv_resource("rpps", "PS_LibreAcces.zip", data, format="zip")
    r = rule(name="rpps", dataset="rpps", member=r"Personne_activite.*\.txt$")
    with Catalogues(insee_url=server.insee_catalogue_url, datagouv_api=server.datagouv_api,
                    cache_dir=tmp_path / "cat") as cat:
        first = fetch_source(cat.resolve(r), tmp_path / "src")
        again = fetch_source(cat.resolve(r), tmp_path / "src")
    assert first.downloaded and not again.downloaded
    assert first.path == tmp_path / "src" / "rpps" / "PS_LibreAcces_Personne_activite_202611300900.txt"
    assert first.path.read_bytes() == b"rows"
    assert len(server.file_requests()) == 1  # the second run read the cache, checked by its checksum
    side = json.loads((tmp_path / "src" / "rpps" / "PS_LibreAcces.zip.source.json").read_text())
    assert side["checksum_type"] == "sha256" and side["dataset"] == "rpps"


def test_rules_file_declares_each_source_with_provenance():
    from accesoins.services.data.imports import KINDS

    rules = load_source_rules(SOURCES_RULES)
    assert {"bpe", "finess", "rpps", "population_age", "drees_apl", "finess_plus"} <= set(rules)
    for r in rules.values():
        assert r.licence and r.attribution and r.checked, r.name
    # the importers of the sources built today exist; the others are named for the formats to come
    assert {r.importer for r in rules.values() if r.name in ("bpe", "finess", "rpps", "population_age")} <= set(KINDS)
    built = [c for r in rules.values() if r.build and r.categories for c in r.categories]
    assert len(built) == len(set(built))  # each category from one source only


def test_data_list_and_offline_sources_need_no_network(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from accesoins.cli import app

    monkeypatch.setenv("ACCESOINS_OFFLINE", "1")
    monkeypatch.setenv("ACCESOINS_SOURCES_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "250")
    listed = CliRunner().invoke(app, ["data", "list"])
    assert listed.exit_code == 0 and "finess-extraction-du-fichier-des-etablissements" in listed.stdout
    assert "catalogue INSEE (DoReMIFaSol)" in listed.stdout and "BPE_ENS" in listed.stdout
    plan = CliRunner().invoke(app, ["data", "sources", "--json"])
    data = json.loads(plan.stdout)
    assert data["offline"] and data["notice"].startswith("Hors ligne (ACCESOINS_OFFLINE=1)")
    assert [s["url"] for s in data["sources"]] == [None] * len(data["sources"])
    assert list(tmp_path.iterdir()) == []


def test_a_dataset_missing_from_its_catalogue_is_reported_not_fatal(server, tmp_path):
    from accesoins.config import Settings
    from accesoins.services.data.sources import source_plan

    rules = tmp_path / "sources.yaml"
    rules.write_text(
        "sources:\n  pop:\n    {title: t, catalogue: insee, dataset: RP_POP1B, importer: population, "
        "licence: LO, attribution: INSEE}\n", encoding="utf-8")
    settings = Settings(db_path=tmp_path / "x.duckdb", node_modules=tmp_path, sources_rules=rules,
                        insee_catalogue_url=server.insee_catalogue_url, datagouv_api=server.datagouv_api)
    plan = source_plan(settings)
    assert not plan["offline"] and "« RP_POP1B » absent du catalogue INSEE" in plan["sources"][0]["error"]
