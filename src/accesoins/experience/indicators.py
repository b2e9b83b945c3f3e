"""Experience and outcome indicators of groups of responses, under the disclosure model.

Each response is scored with the definition of its questionnaire version: an
answer's score (0–100) and whether it is favourable; "not applicable" answers
are left out. The disclosure model (see :mod:`accesoins.experience.disclosure`
and ``docs/participation.md``) shapes what is computed:

- only *closed* periods (quarters before the current one) are published, each
  period on its own tree France ⊃ département ⊃ commune ⊃ site, so a published
  figure never changes once shown (no differencing over time);
- a client counts once per questionnaire and period (:func:`counted`);
- counts are rounded to base 5; shares and scores to ``value_step`` points;
  intervals are computed from the *published* value and a denominator rounded
  down to base 5, then widened to whole points within [0, 100], so they reveal
  no count (hidden denominators stay hidden);
- a question (or the overall score) is withheld when one value is held by all
  answers but ``coalition`` of them: an adversary knowing that many answers
  would otherwise learn every other one (group disclosure).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .disclosure import Cell, Key, publishable
from .questionnaires import Questionnaire
from .stats import t_quantile, wilson_p


@dataclass(frozen=True)
class Response:
    """One stored response, as the indicators need it (no personal data exists to carry)."""

    response_id: str
    questionnaire_id: str
    version: int
    site_id: str
    code_commune: str | None
    code_departement: str | None
    quarter: str  # "2026-T1"
    answers: Mapping[str, int]
    contributor: str | None = None  # keyed hash of the client within the quarter; None: counts alone


@dataclass(frozen=True)
class Policy:
    """The parameters of the disclosure model (values in ``rules/experience/thresholds.yaml``)."""

    k: int = 10
    confidence: float = 0.95
    count_base: int = 5
    value_step: int = 1
    coalition: int = 1


def france(quarter: str) -> Key:
    return ("france", quarter)


def counted(responses: Iterable[Response]) -> list[Response]:
    """One response per contributor, questionnaire and quarter: the one with the smallest id.

    A client sending many responses (an n − 1 attack from one machine) counts once
    toward every threshold; the choice does not depend on arrival order.
    """
    best: dict[tuple[str, str, object], Response] = {}
    for r in responses:
        key = (r.questionnaire_id, r.quarter, r.contributor if r.contributor is not None else ("id", r.response_id))
        if key not in best or r.response_id < best[key].response_id:
            best[key] = r
    return sorted(best.values(), key=lambda r: r.response_id)


def keys_of(r: Response) -> list[Key]:
    """The tree cells a response belongs to, from the root down (one tree per quarter)."""
    q = r.quarter
    keys = [france(q)]
    if r.code_departement:
        keys.append(("departement", r.code_departement, q))
        if r.code_commune:
            keys.append(("commune", r.code_commune, q))
    keys.append(("site", r.site_id, q))
    return keys


def build_cells(responses: Iterable[Response]) -> tuple[dict[Key, Cell], dict[Key, list[Response]]]:
    """Candidate cells (counts and parents) and their members."""
    members: dict[Key, list[Response]] = defaultdict(list)
    parents: dict[Key, Key | None] = {}
    for r in responses:
        keys = keys_of(r)
        for i, key in enumerate(keys):
            members[key].append(r)
            parent = keys[i - 1] if i else None
            if parents.setdefault(key, parent) != parent:
                raise ValueError(f"{key!r} has two parents: {parents[key]!r} and {parent!r}")
    cells = {key: Cell(len(members[key]), parents[key]) for key in members}
    return cells, members


def rounded_count(n: int, base: int) -> int:
    """``n`` rounded to the nearest multiple of ``base`` (halves up), as published."""
    return base * math.floor(n / base + 0.5)


def _band(n: int, base: int) -> int:
    return max(base, base * (n // base))


def _snap(x: float, step: int) -> int:
    return int(step * math.floor(x / step + 0.5))


def _bounded(value: int, low: float, high: float) -> dict[str, int]:
    """Whole points, within [0, 100], containing the value, at least one point wide."""
    lo = max(0, min(value, math.floor(low + 1e-9)))
    hi = min(100, max(value, math.ceil(high - 1e-9)))
    if hi - lo < 1:
        hi, lo = (hi + 1, lo) if hi < 100 else (hi, lo - 1)
    return {"value": value, "low": lo, "high": hi}


def share(favourable: int, n: int, policy: Policy) -> dict[str, int]:
    """Published share of favourable answers (%): a function of the rounded share and band only."""
    value = _snap(100 * favourable / n, policy.value_step)
    low, high = wilson_p(value / 100, _band(n, policy.count_base), policy.confidence)
    return _bounded(value, 100 * low, 100 * high)


def mean_score(values: list[float], policy: Policy) -> dict[str, int]:
    """Published mean score (0–100): rounded mean, SD rounded up to 5 points, band denominator."""
    n = len(values)
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    sd_r = 5 * math.ceil(sd / 5 - 1e-9)
    nb = _band(n, policy.count_base)
    value = _snap(mean, policy.value_step)
    half = t_quantile(nb, policy.confidence) * sd_r / math.sqrt(nb)
    return _bounded(value, value - half, value + half)


def dominated(values: Iterable[Hashable], coalition: int) -> bool:
    """True when one value is held by all the answers but at most ``coalition`` of them."""
    held = list(values)
    return not held or Counter(held).most_common(1)[0][1] >= len(held) - coalition


def group_indicators(
    members: list[Response], q: Questionnaire, defs: Mapping[tuple[str, int], Questionnaire], policy: Policy
) -> dict[str, Any]:
    """Indicators of one published group, for the questions of ``q`` (the latest version)."""
    per_question: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    respondent_means: list[float] = []
    for r in members:
        d = defs.get((r.questionnaire_id, r.version), q)
        scores: list[float] = []
        for question in d.questions:
            value = r.answers.get(question.question_id)
            opt = next((o for o in question.scale.options if o.value == value), None)
            if opt is None or opt.score is None:  # not applicable, or the question did not exist in that version
                continue
            per_question[question.question_id].append((opt.score, value in question.scale.favourable))
            scores.append(opt.score)
        if scores:
            respondent_means.append(sum(scores) / len(scores))
    questions: list[dict[str, Any]] = []
    for question in q.questions:
        got = per_question.get(question.question_id, [])
        item: dict[str, Any] = {
            "id": question.question_id,
            "text": question.text,
            "easy": question.easy,
            "dimension": question.dimension,
            "shown": len(got) >= policy.k
            and not dominated((s for s, _ in got), policy.coalition)
            and not dominated((f for _, f in got), policy.coalition),
        }
        if item["shown"]:
            item["favourable"] = share(sum(1 for _, f in got if f), len(got), policy)
            item["score"] = mean_score([s for s, _ in got], policy)
        questions.append(item)
    score: dict[str, int] | None = None
    if len(respondent_means) >= policy.k and not dominated(respondent_means, policy.coalition):
        score = mean_score(respondent_means, policy)
    return {"n": rounded_count(len(members), policy.count_base), "score": score, "questions": questions}


def publish(
    responses: list[Response],
    q: Questionnaire,
    defs: Mapping[tuple[str, int], Questionnaire],
    policy: Policy,
    current_quarter: str,
) -> dict[Key, dict[str, Any]]:
    """Indicators of every publishable group of the closed quarters' responses to one questionnaire.

    Returns
    -------
    dict
        Cell key → indicators, for publishable cells only; no other count is returned.
    """
    closed = [r for r in responses if r.questionnaire_id == q.questionnaire_id and r.quarter < current_quarter]
    cells, members = build_cells(counted(closed))
    keys = sorted(publishable(cells, policy.k), key=repr)
    return {key: group_indicators(members[key], q, defs, policy) for key in keys}
