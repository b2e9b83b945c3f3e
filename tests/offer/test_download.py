"""offer.download against a local HTTP server serving the fixtures."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import httpx
import pytest

from accesoins.errors import ParameterError
from accesoins.offer import download as dl


@pytest.fixture()
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    (root / "BTT_TD_POP1B_2018.zip").write_bytes((fixtures / "BTT_TD_POP1B_2018.csv").read_bytes())
    (root / "etalab-cs1100507-stock-latest.csv").write_bytes(
        (fixtures / "etalab-cs1100507-stock-20240112-0336.csv").read_bytes()
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_streams_to_final_name(server, tmp_path):
    dest = tmp_path / "out"
    path = dl.download("finess", dest, base_url_override=server)
    assert path == dest / "etalab-cs1100507-stock-latest.csv"
    src = (
        Path(__file__).resolve().parents[1]
        / "fixtures"
        / "etalab-cs1100507-stock-20240112-0336.csv"
    )
    assert path.read_bytes() == src.read_bytes()
    assert sorted(p.name for p in dest.iterdir()) == [path.name]


def test_download_with_given_client(server, tmp_path):
    with httpx.Client() as client:
        path = dl.download(
            "population_age_2018", tmp_path, base_url_override=server + "/", client=client
        )
    assert path.stat().st_size > 1000


def test_http_error_leaves_no_file(server, tmp_path):
    dest = tmp_path / "out"
    with pytest.raises(dl.DownloadError, match="HTTP 404"):
        dl.download("rpps", dest, base_url_override=server)
    assert list(dest.iterdir()) == []


def test_network_error_leaves_no_file(tmp_path):
    with pytest.raises(dl.DownloadError, match="interrompu"):
        dl.download("bpe_2023", tmp_path, base_url_override="http://127.0.0.1:9")
    assert list(tmp_path.iterdir()) == []


def test_unknown_source(tmp_path):
    with pytest.raises(ParameterError, match="finess"):
        dl.download("nope", tmp_path)


def test_registry_addresses_are_official():
    hosts = {httpx.URL(s.url).host for s in dl.SOURCES.values()}
    assert hosts <= {"www.data.gouv.fr", "www.insee.fr", "service.annuaire.sante.fr"}
