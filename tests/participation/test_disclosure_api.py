"""The attacks of issue 12 (items 1-3) replayed through the application, each POST checked."""

from __future__ import annotations

import datetime as dt

from phelpers import answer_as, at, sign_in, varied

SITE_A, SITE_B = "750712184", "010000024"


def declare(client, site, commune):
    h = sign_in(client, "admin")
    r = client.put("/participation/api/sites", json={"site_id": site, "name": f"Lieu {site}", "code_commune": commune},
                   headers=h)
    assert r.status_code == 200, r.text


def experience(client, path):
    data = client.get(path).json()
    items = data["families"]["experience"]["items"] if "families" in data else data["experience"]
    return items[0]


def test_n_minus_one_attack_from_one_client_publishes_nothing(client):
    declare(client, SITE_A, "15014")
    at(client.app, dt.date(2026, 1, 20))
    assert answer_as(client.app, "192.0.2.10", "real-response-00001", SITE_A, varied(0)).status_code == 201
    for i in range(9):  # the attacker, under the rate limit, from one machine
        r = answer_as(client.app, "198.51.100.66", f"attack-{i:014d}", SITE_A, varied(1 + i))
        assert r.status_code == 201, r.text
    at(client.app, dt.date(2026, 4, 2))
    assert not experience(client, f"/participation/site/{SITE_A}.json")["published"]
    assert not experience(client, "/participation/territoire/commune/15014.json")["published"]
    ps = client.app.state.participation
    assert ps.scalar("SELECT count(*) FROM responses") == 10  # every response kept, one counted per client
    assert ps.scalar("SELECT count(*) FROM responses WHERE counted") == 2
    # once the quarter is sealed, no trace of the clients remains
    assert ps.scalar("SELECT count(*) FROM responses WHERE contributor IS NOT NULL") == 0
    assert ps.scalar("SELECT count(*) FROM period_secrets WHERE quarter = '2026-T1'") == 0


def test_published_figures_never_change_over_time(client):
    """Issue 12 item 2: a sibling's response, or the site moving, used to withdraw or change a figure."""
    declare(client, SITE_A, "15014")
    declare(client, SITE_B, "15014")
    at(client.app, dt.date(2026, 2, 1))
    for i in range(10):
        assert answer_as(client.app, f"192.0.2.{i}", f"t1-{i:016d}", SITE_A, varied(i)).status_code == 201
    at(client.app, dt.date(2026, 4, 1))
    site = experience(client, f"/participation/site/{SITE_A}.json")
    commune = experience(client, "/participation/territoire/commune/15014.json")
    assert site["published"] and site["n"] == 10 and site["quarter"] == "2026-T1"
    assert commune == {**site, "title": commune["title"], "questionnaire_id": site["questionnaire_id"]}
    # a response at the sibling site, then the site moved to another commune
    assert answer_as(client.app, "203.0.113.5", "t2-sibling-00000001", SITE_B, varied(3)).status_code == 201
    declare(client, SITE_A, "15012")
    at(client.app, dt.date(2026, 7, 1))
    assert experience(client, f"/participation/site/{SITE_A}.json") == site
    assert experience(client, "/participation/territoire/commune/15014.json") == commune
    assert not experience(client, "/participation/territoire/commune/15012.json")["published"]


def test_counts_rounded_and_intervals_within_scale(client):
    declare(client, SITE_A, "15014")
    at(client.app, dt.date(2025, 11, 3))
    for i in range(13):
        assert answer_as(client.app, f"192.0.2.{i}", f"r-{i:018d}", SITE_A, varied(i)).status_code == 201
    at(client.app, dt.date(2026, 1, 5))
    item = experience(client, f"/participation/site/{SITE_A}.json")
    assert item["published"] and item["n"] == 15  # 13 rounded to base 5
    intervals = [item["score"]] + [q[f] for q in item["questions"] if q["shown"] for f in ("favourable", "score")]
    assert len(intervals) >= 3
    for v in intervals:
        assert 0 <= v["low"] <= v["value"] <= v["high"] <= 100 and v["high"] > v["low"] and v["value"] % 5 == 0
