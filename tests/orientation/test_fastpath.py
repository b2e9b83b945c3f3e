"""The direct path of ``/orientation/pharmacies.json`` answers exactly as the full application."""

from __future__ import annotations

import pytest

from accesoins.api import fastpath

QUERIES = [
    "commune=Aurillac&at=2026-12-25T03%3A00",
    "cp=75011&at=2026-07-14T11%3A00&limit=8",
    "lat=43.2965&lon=5.3698&at=2026-03-29T08%3A30",
    "commune=97411&date=2026-12-24&heure=22%3A15",
    "code=97411&at=2026-06-10T12%3A00&limit=1",
    "commune=Saint-Denis&at=2026-10-25T01%3A00",
    # bad input: the application answers (400 or 422, French error shape)
    "commune=qqqzzz", "", "cp=1500", "lat=abc&lon=2", "lat=0&lon=0", "limit=0&commune=Aurillac",
    "commune=Aurillac&at=2026-03-29T02%3A30", "lat=91&lon=2", "commune=" + "x" * 101,
    "commune=Aurillac&date=2026-01-01",
    "commune=Aurillac&commune=Brest",
]


@pytest.mark.parametrize("query", QUERIES)
def test_direct_answer_is_the_applications(client, query):
    direct = client.get(f"/orientation/pharmacies.json?{query}")
    # an unknown parameter sends the request through FastAPI's routing, which ignores it
    full = client.get(f"/orientation/pharmacies.json?{query}&_=1")
    assert direct.status_code == full.status_code
    assert direct.content == full.content
    strip = {"date", "content-length"}
    assert {k: v for k, v in direct.headers.items() if k not in strip} == \
        {k: v for k, v in full.headers.items() if k not in strip}
    assert direct.headers["content-security-policy"]
    if direct.status_code == 200:
        assert direct.headers["cache-control"] == "private, no-store"


def test_only_plain_queries_take_the_direct_path():
    assert fastpath.parse("commune=Aurillac&at=2026-12-25T03%3A00&limit=5") == {
        "commune": "Aurillac", "at": "2026-12-25T03:00", "limit": 5}
    assert fastpath.parse("lat=-21.1151&lon=55.5364") == {"lat": -21.1151, "lon": 55.5364}
    for query in ("lat=1e3&lon=2", "lat=nan&lon=2", "limit=21", "limit=-1", "x=1", "cp=1&cp=2", "lat=&lon=",
                  "commune=" + "x" * 101, "lat=90.5&lon=2"):
        assert fastpath.parse(query) is None, query


def test_bounds_are_read_from_the_endpoint():
    assert fastpath.SPEC["lat"] == (float, None, -90, 90)
    assert fastpath.SPEC["limit"] == (int, None, 1, 20)
    assert fastpath.SPEC["commune"] == (str, 100, None, None)


def test_gzip_on_the_same_terms(client):
    r = client.get("/orientation/pharmacies.json?commune=Aurillac&limit=20&at=2026-12-25T03%3A00",
                   headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip" and r.json()["result"]["pharmacies"]


def test_answers_are_kept_by_query_and_minute(client, monkeypatch):
    calls = []
    real = fastpath.orientation.pharmacies

    def counted(*a, **kw):
        calls.append(kw)
        return real(*a, **kw)

    monkeypatch.setattr(fastpath.orientation, "pharmacies", counted)
    url = "/orientation/pharmacies.json?commune=Brest&at=2026-08-15T04%3A10"
    first, again = client.get(url), client.get(url)
    assert first.content == again.content and len(calls) == 1
    assert client.app.state.orientation_data.pharmacies.minute_exact  # the demonstration rota is
    # « now »: kept for the current minute only
    minute = [1000]
    monkeypatch.setattr(fastpath.AnswerCache, "_minute", staticmethod(lambda: minute[0]))
    client.get("/orientation/pharmacies.json?commune=Brest")
    client.get("/orientation/pharmacies.json?commune=Brest")
    assert len(calls) == 2
    minute[0] += 1
    client.get("/orientation/pharmacies.json?commune=Brest")
    assert len(calls) == 3


def test_cache_is_bounded_and_never_keeps_a_minute_change(monkeypatch):
    cache = fastpath.AnswerCache(size=2)
    for i in range(5):
        cache.put(str(i).encode(), True, b"x", 0)
    assert list(cache.at) == [b"3", b"4"]
    monkeypatch.setattr(fastpath.AnswerCache, "_minute", staticmethod(lambda: 7))
    assert cache.get(b"q", False) is None
    cache.put(b"q", False, b"answer", 6)  # computed in minute 6, finished in minute 7
    assert cache.get(b"q", False) is None
    cache.put(b"q", False, b"answer", 7)
    assert cache.get(b"q", False) == b"answer"
