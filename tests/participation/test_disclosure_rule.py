"""No group of fewer than 10 contributors is ever derivable, across nested territories and time.

The adversary sees every publication ever made (one snapshot per simulated day,
over three quarters) and knows the exact counts (stronger than reality: counts
are published rounded to 5). The oracle is independent of the code under test:
it recomputes each published aggregate's members from the raw responses with its
own location table and its own "one response per client and quarter" rule, then
searches by brute force (linear algebra over the Venn atoms of the published
sets) for any derivable group of 1 to 9 contributors.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st

from accesoins.experience import questionnaires as qn
from accesoins.experience.disclosure import Cell, check, publishable
from accesoins.experience.indicators import Policy, Response, publish

K = 10
POLICY = Policy(k=K, confidence=0.95, count_base=5, value_step=5, coalition=1)
Q = qn.bundled()[0]  # experience-consultation
DEFS = {(Q.questionnaire_id, 1): Q}
SITES = {  # site -> (commune, département); one site without location
    "750712184": ("15014", "15"),
    "010000024": ("15014", "15"),
    "2A0000022": ("15012", "15"),
    "site-a": ("75056", "75"),
    "site-b": ("75056", "75"),
    "site-c": (None, None),
}
QUARTERS = ["2025-T3", "2025-T4", "2026-T1"]  # snapshots are taken while each is the current quarter
NEXT = {"2025-T3": "2025-T4", "2025-T4": "2026-T1", "2026-T1": "2026-T2"}

# a batch: (site, quarter, honest clients, responses sent by the attacker's single client)
batch = st.tuples(
    st.sampled_from(sorted(SITES)),
    st.sampled_from(QUARTERS),
    st.integers(0, 20),
    st.integers(0, 12),
)


def make(batches, values) -> list[Response]:
    out, i = [], 0
    for site, quarter, honest, attacker in batches:
        commune, dep = SITES[site]
        for who in [f"honest-{i}-{j}" for j in range(honest)] + ["attacker"] * attacker:
            answers = {x.question_id: values.draw(st.integers(0, 4)) for x in Q.questions}
            out.append(Response(f"r{i:05d}", Q.questionnaire_id, 1, site, commune, dep, quarter, answers, who))
            i += 1
    return out


def oracle_sets(responses, key) -> frozenset:
    """Members of a published key, recomputed from the raw responses (one per client and quarter)."""
    first: dict[tuple, str] = {}
    for r in responses:
        k = (r.quarter, r.contributor)
        first[k] = min(first.get(k, r.response_id), r.response_id)
    kept = set(first.values())
    kind, *ident = key
    quarter = ident[-1]
    out = set()
    for r in responses:
        if r.response_id not in kept or r.quarter != quarter:
            continue
        commune, dep = SITES[r.site_id]
        if (
            kind == "france"
            or (kind == "departement" and dep == ident[0])
            or (kind == "commune" and commune == ident[0])
            or (kind == "site" and r.site_id == ident[0])
        ):
            out.add(r.response_id)
    return frozenset(out)


def derivable_small_groups(sets: list[frozenset]) -> list[int]:
    """Sizes in ]0, K[ of unions of Venn atoms whose indicator lies in the span of the published sets."""
    universe = sorted(set().union(*sets)) if sets else []
    if not universe:
        return []
    signature: dict[str, tuple] = {u: tuple(u in s for s in sets) for u in universe}
    atoms: dict[tuple, list[str]] = {}
    for u, sig in signature.items():
        atoms.setdefault(sig, []).append(u)
    atom_list = list(atoms.values())
    index = {u: i for i, u in enumerate(universe)}
    matrix = np.zeros((len(sets), len(universe)))
    for r, s in enumerate(sets):
        for u in s:
            matrix[r, index[u]] = 1
    rank = np.linalg.matrix_rank(matrix)

    def in_span(members) -> bool:
        v = np.zeros(len(universe))
        v[[index[u] for u in members]] = 1
        return np.linalg.matrix_rank(np.vstack([matrix, v])) == rank

    sizes = []
    combos = (
        itertools.chain.from_iterable(itertools.combinations(atom_list, r) for r in range(1, len(atom_list) + 1))
        if len(atom_list) <= 10
        else itertools.chain(itertools.combinations(atom_list, 1), itertools.combinations(atom_list, 2))
    )
    for combo in combos:
        members = [u for atom in combo for u in atom]
        if 0 < len(members) < K and in_span(members):
            sizes.append(len(members))
    return sizes


def test_nested_and_time_differencing_never_isolate_a_small_group():
    seen = Counter()

    # derandomized: the shares of interesting cases asserted below must not depend on the seed
    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(batch, min_size=1, max_size=9), st.data())
    def run(batches, data):
        responses = make(batches, data)
        history: dict[tuple, dict] = {}
        for current in QUARTERS + ["2026-T2"]:
            for _day in range(2):  # two snapshots a quarter: nothing may change between them
                snapshot = publish(responses, Q, DEFS, POLICY, current)
                for key, value in snapshot.items():
                    # a figure once published never changes (no differencing over time)
                    assert history.setdefault(key, value) == value, key
                for key in history:
                    assert key in snapshot, f"{key} withdrawn after publication"
        sets = {key: oracle_sets(responses, key) for key in history}
        for key, value in history.items():
            n = len(sets[key])
            assert n >= K and value["n"] == 5 * int(n / 5 + 0.5), (key, n, value["n"])
            assert key[-1] < "2026-T2"
        distinct = sorted(set(sets.values()), key=len)
        nested = sum(1 for a, b in itertools.permutations(distinct, 2) if a < b)
        seen["examples"] += 1
        if nested:
            seen["nested"] += 1
            event("two nested published aggregates")
        if len({k[-1] for k in history}) >= 2:
            seen["several quarters"] += 1
        target(float(nested), label="nested published pairs")
        assert derivable_small_groups(distinct) == [], history.keys()

    run()
    # the interesting cases are reached, not just the empty publication
    assert seen["nested"] >= 0.3 * seen["examples"], seen
    assert seen["several quarters"] >= 0.2 * seen["examples"], seen


def test_one_client_counts_once():
    """The n − 1 attack from one machine: 1 real response and 19 of the attacker's, nothing published."""
    rs = [Response("real", Q.questionnaire_id, 1, "site-a", "75056", "75", "2025-T4", {"accueil": 4}, "honest")]
    rs += [
        Response(f"fake{i:02d}", Q.questionnaire_id, 1, "site-a", "75056", "75", "2025-T4", {"accueil": 1}, "evil")
        for i in range(19)
    ]
    assert publish(rs, Q, DEFS, POLICY, "2026-T1") == {}
    # the same 20 responses from 20 clients are published (the count is of clients, not of requests)
    spread = [Response(r.response_id, *list(r.__dict__.values())[1:-1], f"c{i}") for i, r in enumerate(rs)]
    assert ("site", "site-a", "2025-T4") in publish(spread, Q, DEFS, POLICY, "2026-T1")


def test_open_quarter_is_never_published():
    rs = [
        Response(f"r{i}", Q.questionnaire_id, 1, "site-a", "75056", "75", "2026-T1", {"accueil": 4}, f"c{i}")
        for i in range(30)
    ]
    assert publish(rs, Q, DEFS, POLICY, "2026-T1") == {}
    assert publish(rs, Q, DEFS, POLICY, "2026-T2") != {}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(0, 30), st.integers(0, 40), max_size=30), st.randoms())
def test_publishable_on_random_trees(sizes, rnd):
    """On arbitrary trees (random parents, counts consistent), no remainder is in ]0, K[ (brute force)."""
    ids = sorted(sizes)
    parents = {i: (rnd.choice(ids[:n]) if n and rnd.random() < 0.8 else None) for n, i in enumerate(ids)}
    total = {i: sizes[i] for i in ids}
    for i in reversed(ids):
        if parents[i] is not None:
            total[parents[i]] += total[i]
    cells = {i: Cell(total[i], parents[i]) for i in ids}
    pub = publishable(cells, K)
    assert check(cells, pub, K) == []

    # independent oracle: members as explicit sets (own units per node), span search
    own = {i: {f"{i}:{j}" for j in range(sizes[i])} for i in ids}

    def members(i):
        out = set(own[i])
        for c in ids:
            if parents[c] == i:
                out |= members(c)
        return out

    sets = list({frozenset(members(i)) for i in pub})
    assert all(len(s) >= K for s in sets)
    if len(sets) <= 12:
        assert derivable_small_groups(sets) == []
