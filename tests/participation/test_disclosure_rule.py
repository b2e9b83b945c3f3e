"""The 10-response threshold is never breached, not even by difference (hypothesis property tests)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accesoins.experience import questionnaires as qn
from accesoins.experience.disclosure import Cell, check, publishable
from accesoins.experience.indicators import Response, build_cells, keys_of, publish

K = 10
Q = qn.bundled()[0]  # experience-consultation
SITES = {  # site -> (commune, département); one site without location
    "750712184": ("15014", "15"),
    "010000024": ("15014", "15"),
    "2A0000022": ("15012", "15"),
    "site-a": ("75056", "75"),
    "site-b": ("75056", "75"),
    "site-c": (None, None),
}
QUARTERS = ["2025-T3", "2025-T4", "2026-T1"]

response = st.tuples(
    st.sampled_from(sorted(SITES)),
    st.sampled_from(QUARTERS),
    st.lists(st.integers(0, 4), min_size=len(Q.questions), max_size=len(Q.questions)),
)


def make(rows) -> list[Response]:
    out = []
    for i, (site, quarter, values) in enumerate(rows):
        commune, dep = SITES[site]
        out.append(
            Response(
                f"r{i}",
                Q.questionnaire_id,
                1,
                site,
                commune,
                dep,
                quarter,
                {x.question_id: v for x, v in zip(Q.questions, values, strict=True)},
            )
        )
    return out


def members(responses) -> dict[tuple, set[str]]:
    """Each cell's true set of responses, recomputed independently of the code under test."""
    out: dict[tuple, set[str]] = {}
    for r in responses:
        for key in keys_of(r):
            out.setdefault(key, set()).add(r.response_id)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(response, max_size=120))
def test_no_published_count_and_no_difference_below_threshold(rows):
    responses = make(rows)
    published = publish(responses, Q, {(Q.questionnaire_id, 1): Q}, K, 0.95)
    sets = members(responses)
    for key, value in published.items():
        assert value["n"] == len(sets[key]) >= K
    # every difference between two nested published aggregates, and every remainder
    keys = list(published)
    for a in keys:
        for b in keys:
            if a != b and sets[b] < sets[a]:
                assert len(sets[a] - sets[b]) >= K, (a, b)
        # distinct published sets strictly inside a (two aggregates may hold the same responses)
        inside = {frozenset(sets[b]) for b in keys if sets[b] < sets[a]}
        maximal = [b for b in inside if not any(b < c for c in inside)]
        union = set().union(*maximal) if maximal else set()
        assert sum(len(b) for b in maximal) == len(union), "published family must be laminar"
        rest = len(sets[a]) - len(union)
        assert rest == 0 or rest >= K, (a, rest)
    # two published aggregates either nest or are disjoint (a tree): no other difference is derivable
    for a in keys:
        for b in keys:
            assert sets[a] <= sets[b] or sets[b] <= sets[a] or not (sets[a] & sets[b])
    cells, _ = build_cells(responses)
    assert check(cells, set(published), K) == []


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(0, 30), st.integers(0, 40), max_size=30), st.randoms())
def test_publishable_on_random_trees(sizes, rnd):
    """On arbitrary trees (random parents, counts consistent), the audit finds nothing."""
    # build a random tree of leaves with counts, internal counts = sum of children + own
    ids = sorted(sizes)
    parents = {i: (rnd.choice(ids[:n]) if n and rnd.random() < 0.8 else None) for n, i in enumerate(ids)}
    total = {i: sizes[i] for i in ids}
    for i in reversed(ids):
        if parents[i] is not None:
            total[parents[i]] += total[i]
    cells = {i: Cell(total[i], parents[i]) for i in ids}
    pub = publishable(cells, K)
    assert check(cells, pub, K) == []
    assert all(cells[i].n >= K for i in pub)


def test_small_groups_are_masked_in_the_api(client):
    """Through the app: 12 responses on one site, 3 on another in the same commune."""
    from phelpers import answers

    for i in range(12):
        client.post(
            "/participation/api/reponses",
            json={
                "token": f"tok-a-{i:012d}",
                "questionnaire_id": Q.questionnaire_id,
                "version": 1,
                "site": "750712184",
                "answers": answers(),
            },
        )
    client.app.state.participation_limit_responses = None  # a fresh limiter for the next client burst
    for i in range(3):
        client.post(
            "/participation/api/reponses",
            json={
                "token": f"tok-b-{i:012d}",
                "questionnaire_id": Q.questionnaire_id,
                "version": 1,
                "site": "010000024",
                "answers": answers(3),
            },
        )
    svc_loc = client.app.state.participation
    svc_loc.write(
        lambda con: con.execute(
            "INSERT INTO sites VALUES ('750712184', 'finess', 'Clinique A', '15014', "
            "'x', current_timestamp), ('010000024', 'finess', 'Clinique B', '15014', "
            "'x', current_timestamp)"
        )
    )
    site = client.get("/participation/site/750712184.json").json()
    item = site["families"]["experience"]["items"][0]
    commune = client.get("/participation/territoire/commune/15014.json").json()["experience"][0]
    small = client.get("/participation/site/010000024.json").json()["families"]["experience"]["items"][0]
    assert not small["published"] and "n" not in small
    # commune (15) − site A (12) = 3 would reveal site B: one of the two must be withheld
    assert not (item["published"] and commune["published"])
    for doc in (site, commune, small):
        for n in re.findall(r"'n': (\d+)", str(doc)):
            assert int(n) >= K
