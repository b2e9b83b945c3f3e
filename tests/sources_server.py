"""A local HTTP server on 127.0.0.1 that plays the national sources, catalogues included.

It answers like INSEE's catalogue of downloadable files (the DoReMIFaSol JSON
that pynsee reads) and like the data.gouv.fr API (``/api/1/datasets/{id}/``),
and serves the files those answers point to, with HTTP ``Range`` support. Size
and checksums in the answers are computed from the bytes served, unless a test
overrides them to play a corrupt publication; a file can be cut short once to
play an interrupted transfer.

Usage::

    with SourceServer() as srv:
        srv.insee_file("BPE_ENS", "2023-01-01", "BPE.zip", zip_bytes, member="DS_BPE_data.csv")
        srv.datagouv_resource("finess-…", "etalab.csv", data, format="csv")
        env = {**os.environ, **srv.env()}
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import threading
import zipfile
from pathlib import Path
from urllib.parse import urlparse


def zip_bytes(members: dict[str, bytes | Path]) -> bytes:
    """A zip archive holding ``members`` (name → bytes or file to read)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data.read_bytes() if isinstance(data, Path) else data)
    return buf.getvalue()


class SourceServer:
    """Catalogues and files of the national sources, served from memory."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.insee: list[dict] = []
        self.datasets: dict[str, dict] = {}
        self.cut_once: dict[str, int] = {}  # path → bytes sent before the connection drops (once)
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = urlparse(self.path).path
                rng = self.headers.get("Range")
                server.requests.append((path, rng))
                if path == "/insee/liste_donnees.json":
                    return self._send(200, json.dumps(server.insee).encode(), "application/json")
                if path.startswith("/api/1/datasets/"):
                    key = path[len("/api/1/datasets/"):].strip("/")
                    if key not in server.datasets:
                        return self._send(404, b'{"message": "Not found"}', "application/json")
                    return self._send(200, json.dumps(server.datasets[key]).encode(), "application/json")
                if path not in server.files:
                    return self._send(404, b"not found", "text/plain")
                data = server.files[path]
                start = 0
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0] or 0)
                    if start >= len(data):
                        return self._send(416, b"", "text/plain", {"Content-Range": f"bytes */{len(data)}"})
                body = data[start:]
                code = 206 if start else 200
                self.send_response(code)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                cut = server.cut_once.pop(path, None)
                if cut is not None:
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> SourceServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut down and free the port: the sources then look unreachable."""
        if self._thread:
            self.httpd.shutdown()
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> SourceServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what it plays --------------------------------------------------------------------
    @property
    def insee_catalogue_url(self) -> str:
        return f"{self.base}/insee/liste_donnees.json"

    @property
    def datagouv_api(self) -> str:
        return f"{self.base}/api/1"

    def env(self) -> dict[str, str]:
        """The settings that point accesoins at this server."""
        return {"ACCESOINS_INSEE_CATALOGUE_URL": self.insee_catalogue_url,
                "ACCESOINS_DATAGOUV_API": self.datagouv_api, "ACCESOINS_OFFLINE": "0"}

    def add_file(self, path: str, data: bytes) -> str:
        self.files[path] = data
        return self.base + path

    def file_requests(self) -> list[tuple[str, str | None]]:
        """Requests for files (not catalogue answers)."""
        return [r for r in self.requests if r[0] in self.files]

    def insee_file(self, nom: str, date_ref: str, filename: str, data: bytes, *, member: str | None = None,
                   md5: str | None = None, size: int | None = None, separator: str = ";") -> dict:
        """Publish ``data`` and its entry in the INSEE catalogue (fields as in DoReMIFaSol's JSON)."""
        url = self.add_file(f"/insee/fichier/{nom}/{filename}", data)
        entry = {"nom": nom, "libelle": f"{nom} (servi localement)", "date_ref": date_ref, "collection": nom[:3],
                 "lien": url, "type": "csv", "zip": member is not None, "big_zip": False,
                 "fichier_donnees": member or filename, "separateur": separator, "api_rest": False,
                 "md5": md5 or hashlib.md5(data).hexdigest(), "size": size if size is not None else len(data),
                 "disponible": True}
        self.insee.append(entry)
        return entry

    def datagouv_resource(self, dataset: str, filename: str, data: bytes, *, format: str, title: str | None = None,
                          checksum_type: str | None = "sha256", checksum: str | None = None,
                          last_modified: str = "2026-11-30T08:00:00+00:00", filesize: int | None = None) -> dict:
        """Publish ``data`` as a resource of ``dataset`` in the data.gouv.fr API answer."""
        url = self.add_file(f"/datagouv/{dataset}/{filename}", data)
        res = {"id": hashlib.sha1(url.encode()).hexdigest()[:24], "title": title or filename, "format": format,
               "url": url, "type": "main", "filesize": filesize if filesize is not None else len(data),
               "last_modified": last_modified, "created_at": last_modified,
               "checksum": {"type": checksum_type, "value": checksum or hashlib.new(checksum_type, data).hexdigest()}
               if checksum_type else None}
        ds = self.datasets.setdefault(dataset, {"id": dataset, "slug": dataset, "title": dataset, "resources": []})
        ds["resources"].append(res)
        return res
