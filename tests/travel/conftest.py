"""A local stand-in for an OSRM server's table service (a real OSRM cannot run here).

It implements the documented protocol of ``GET /table/v1/{profile}/{coordinates}``
(``lon,lat`` pairs separated by ``;``; ``sources`` and ``destinations`` as
``;``-separated indices or ``all``; ``annotations=duration``) and answers
``{"code": "Ok", "durations": [[seconds or null]], "sources": [...],
"destinations": [...]}``. Durations are computed from coordinates: haversine
distance × 1.3 at 60 km/h; points east of longitude 9° (an "island") are
unreachable from elsewhere (``null``). Tables larger than ``max_table_size``
sources × destinations answer HTTP 400 ``{"code": "TooBig"}``, as OSRM does.
"""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest


def fake_seconds(lon1: float, lat1: float, lon2: float, lat2: float) -> float | None:
    if (lon1 > 9) != (lon2 > 9):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * 6371.0088 * math.asin(math.sqrt(a))
    return km * 1.3 / 60.0 * 3600.0


class FakeOsrm:
    def __init__(self, max_table_size: int = 100) -> None:
        self.max_table_size = max_table_size
        self.requests: list[tuple[int, int]] = []  # (n sources, n destinations) per table request
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):  # noqa: N802 (stdlib name)
                url = urlsplit(self.path)  # not urlparse: it would cut ";" params
                parts = url.path.strip("/").split("/")
                if len(parts) != 4 or parts[0] != "table" or parts[1] != "v1":
                    return self._send(400, {"code": "InvalidUrl", "message": "bad url"})
                try:
                    coords = [tuple(map(float, c.split(","))) for c in unquote(parts[3]).split(";")]
                except ValueError:
                    return self._send(400, {"code": "InvalidQuery", "message": "bad coordinates"})
                query = parse_qs(url.query)

                def pick(name):
                    raw = query.get(name, ["all"])[0]
                    return (
                        list(range(len(coords)))
                        if raw == "all"
                        else [int(x) for x in raw.split(";")]
                    )

                src, dst = pick("sources"), pick("destinations")
                if "duration" not in query.get("annotations", ["duration"])[0]:
                    return self._send(400, {"code": "InvalidOptions", "message": "annotations"})
                if len(src) * len(dst) > server.max_table_size**2:
                    return self._send(
                        400, {"code": "TooBig", "message": "Too many table coordinates"}
                    )
                server.requests.append((len(src), len(dst)))
                durations = [[fake_seconds(*coords[i], *coords[j]) for j in dst] for i in src]
                wp = lambda i: {"location": list(coords[i]), "name": "", "distance": 0.0}  # noqa: E731
                return self._send(
                    200,
                    {
                        "code": "Ok",
                        "durations": durations,
                        "sources": [wp(i) for i in src],
                        "destinations": [wp(j) for j in dst],
                    },
                )

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def osrm_server():
    with FakeOsrm(max_table_size=10) as server:
        yield server


@pytest.fixture(scope="session")
def seconds_between():
    return fake_seconds
