"""Experience and outcome indicators of groups of responses, under the small-count rule.

Each response is scored with the definition of its questionnaire version: an
answer's score (0–100) and whether it is favourable; "not applicable" answers
are left out. A group's indicators are, per question, the share of favourable
answers (Wilson interval) and the mean score (Student interval), and overall
the mean of the respondents' mean scores. Groups form the tree described in
:mod:`accesoins.experience.disclosure`; only publishable groups are computed,
and a question's indicators are shown only when at least ``k`` of the group's
respondents gave an applicable answer to it (its denominator is not published).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .disclosure import Cell, publishable
from .questionnaires import Questionnaire
from .stats import mean_interval, wilson

FRANCE = ("france",)


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


def keys_of(r: Response) -> list[tuple]:
    """The tree cells a response belongs to, from the root down."""
    keys = [FRANCE]
    if r.code_departement:
        keys.append(("departement", r.code_departement))
        if r.code_commune:
            keys.append(("commune", r.code_commune))
    keys.append(("site", r.site_id))
    keys.append(("site_quarter", r.site_id, r.quarter))
    return keys


def build_cells(responses: Iterable[Response]) -> tuple[dict[tuple, Cell], dict[tuple, list[Response]]]:
    """Candidate cells (counts and parents) and their members."""
    members: dict[tuple, list[Response]] = defaultdict(list)
    parents: dict[tuple, tuple | None] = {}
    for r in responses:
        keys = keys_of(r)
        for i, key in enumerate(keys):
            members[key].append(r)
            parent = keys[i - 1] if i else None
            if parents.setdefault(key, parent) != parent:
                raise ValueError(f"{key!r} has two parents: {parents[key]!r} and {parent!r}")
    cells = {key: Cell(len(members[key]), parents[key]) for key in members}
    return cells, members


def _interval(v: tuple[float, float, float], scale: float = 1.0, digits: int = 1) -> dict:
    return {
        "value": round(v[0] * scale, digits),
        "low": round(v[1] * scale, digits),
        "high": round(v[2] * scale, digits),
    }


def group_indicators(
    members: list[Response], q: Questionnaire, defs: Mapping[tuple[str, int], Questionnaire], k: int, confidence: float
) -> dict:
    """Indicators of one published group, for the questions of ``q`` (the latest version)."""
    per_question: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    respondent_means = []
    for r in members:
        d = defs.get((r.questionnaire_id, r.version), q)
        scores = []
        for question in d.questions:
            value = r.answers.get(question.question_id)
            opt = next((o for o in question.scale.options if o.value == value), None)
            if opt is None:  # not applicable, or the question did not exist in that version
                continue
            per_question[question.question_id].append((opt.score, value in question.scale.favourable))
            scores.append(opt.score)
        if scores:
            respondent_means.append(sum(scores) / len(scores))
    questions = []
    for question in q.questions:
        got = per_question.get(question.question_id, [])
        item = {
            "id": question.question_id,
            "text": question.text,
            "easy": question.easy,
            "dimension": question.dimension,
            "shown": len(got) >= k,
        }
        if item["shown"]:
            fav = sum(1 for _, f in got if f)
            item["favourable"] = _interval(wilson(fav, len(got), confidence), 100)
            item["score"] = _interval(mean_interval([s for s, _ in got], confidence))
        questions.append(item)
    score = _interval(mean_interval(respondent_means, confidence)) if len(respondent_means) >= k else None
    return {"n": len(members), "score": score, "questions": questions}


def publish(
    responses: list[Response],
    q: Questionnaire,
    defs: Mapping[tuple[str, int], Questionnaire],
    k: int,
    confidence: float,
) -> dict[tuple, dict]:
    """Indicators of every publishable group of the responses to one questionnaire.

    Returns
    -------
    dict
        Cell key → indicators, for publishable cells only; no other count is returned.
    """
    cells, members = build_cells(r for r in responses if r.questionnaire_id == q.questionnaire_id)
    return {
        key: group_indicators(members[key], q, defs, k, confidence) for key in sorted(publishable(cells, k), key=repr)
    }
