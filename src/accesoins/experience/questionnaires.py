"""Versioned questionnaires (PREMS, PROMS) defined as data, and validation of answers.

A definition is a mapping (read from YAML or sent by an editor) with ``id``,
``version``, ``kind`` (``PREMS`` or ``PROMS``), French ``title`` and ``intro``,
their easy-to-read (« FALC ») twins ``title_easy`` and ``intro_easy``,
``inspired_by`` (published instruments, cited), ``scales`` and ``questions``.
Each question has an ``id``, a ``dimension``, a ``scale``, a French ``text``, an
easy-to-read ``easy`` wording and optional ``translations``. Each scale lists its
``options`` (``value``, ``label``, ``easy``, ``score`` on 0–100), an optional
``not_applicable`` option (excluded from indicators) and the ``favourable`` values.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from ..errors import InputError

KINDS = ("PREMS", "PROMS")
_ID = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")
_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"']{1,490}$")
MAX_TEXT = 500


@dataclass(frozen=True)
class Option:
    """One answer of a scale."""

    value: int
    label: str
    easy: str
    score: float | None  # None for the "not applicable" answer


@dataclass(frozen=True)
class Scale:
    """Answer options shared by several questions."""

    scale_id: str
    options: tuple[Option, ...]
    not_applicable: Option | None
    favourable: frozenset[int]

    def all_options(self) -> tuple[Option, ...]:
        return self.options + ((self.not_applicable,) if self.not_applicable else ())


@dataclass(frozen=True)
class Question:
    """One question, in plain and easy-to-read French."""

    question_id: str
    dimension: str
    scale: Scale
    text: str
    easy: str
    translations: dict[str, Any]


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire definition; ``definition`` is the original mapping."""

    questionnaire_id: str
    version: int
    kind: str
    title: str
    title_easy: str
    intro: str
    intro_easy: str
    inspired_by: tuple[dict[str, Any], ...]
    questions: tuple[Question, ...]
    definition: dict[str, Any]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.question_id == question_id:
                return q
        raise KeyError(question_id)

    def as_public(self) -> dict[str, Any]:
        """JSON-ready description (for the API and the form)."""
        return {
            "id": self.questionnaire_id,
            "version": self.version,
            "kind": self.kind,
            "title": self.title,
            "title_easy": self.title_easy,
            "intro": self.intro,
            "intro_easy": self.intro_easy,
            "inspired_by": list(self.inspired_by),
            "questions": [
                {
                    "id": q.question_id,
                    "dimension": q.dimension,
                    "text": q.text,
                    "easy": q.easy,
                    "translations": q.translations,
                    "options": [
                        {"value": o.value, "label": o.label, "easy": o.easy, "not_applicable": o.score is None}
                        for o in q.scale.all_options()
                    ],
                }
                for q in self.questions
            ],
        }


def _text(d: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    v = d.get(key)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        raise InputError(f"Texte manquant : « {key} » ({where}).", field=key)
    if len(v) > MAX_TEXT:
        raise InputError(f"Texte trop long : « {key} » ({where}) dépasse {MAX_TEXT} caractères.", field=key)
    return v.strip()


def _option(d: object, where: str, *, na: bool = False) -> Option:
    if not isinstance(d, dict):
        raise InputError(f"Option mal formée ({where}).", field="options")
    v = d.get("value")
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 20:
        raise InputError(f"La valeur d'une option doit être un entier de 0 à 20 ({where}).", field="value")
    score = None
    if not na:
        score = d.get("score")
        if not isinstance(score, int | float) or isinstance(score, bool) or not 0 <= score <= 100:
            raise InputError(f"Le score d'une option doit être un nombre de 0 à 100 ({where}).", field="score")
        score = float(score)
    return Option(v, _text(d, "label", where), _text(d, "easy", where), score)


def parse(definition: dict[str, Any]) -> Questionnaire:
    """Validate a definition mapping and build a :class:`Questionnaire`.

    Raises
    ------
    InputError
        Naming the faulty field, in French.
    """
    if not isinstance(definition, dict):
        raise InputError("Le questionnaire doit être un dictionnaire (clé : valeur).")
    qid = definition.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise InputError("Identifiant de questionnaire invalide (lettres minuscules, chiffres, - et _).", field="id")
    version = definition.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError("La version doit être un entier positif.", field="version")
    kind = definition.get("kind")
    if kind not in KINDS:
        raise InputError("Le type doit être PREMS (expérience) ou PROMS (résultats de santé).", field="kind")
    sources = definition.get("inspired_by") or []
    if not isinstance(sources, list) or not all(isinstance(s, dict) and s.get("title") for s in sources):
        raise InputError("« inspired_by » : liste de sources avec un titre (et une adresse).", field="inspired_by")
    for i, src in enumerate(sources, start=1):
        url = src.get("url")
        if url is not None and not (isinstance(url, str) and _URL.match(url)):
            raise InputError(
                f"« inspired_by », source {i} : l'adresse doit commencer par https:// ou http:// "
                "(sans espace, au plus 500 caractères).",
                field="url",
            )
    raw_scales = definition.get("scales")
    if not isinstance(raw_scales, dict) or not raw_scales:
        raise InputError("Au moins une échelle de réponses est nécessaire.", field="scales")
    scales: dict[str, Scale] = {}
    for sid, s in raw_scales.items():
        if not isinstance(s, dict) or not isinstance(s.get("options"), list) or len(s["options"]) < 2:
            raise InputError(f"L'échelle « {sid} » doit avoir au moins deux options.", field="options")
        options = tuple(_option(o, f"échelle {sid}") for o in s["options"])
        na = _option(s["not_applicable"], f"échelle {sid}", na=True) if s.get("not_applicable") else None
        values = [o.value for o in options] + ([na.value] if na else [])
        if len(set(values)) != len(values):
            raise InputError(f"L'échelle « {sid} » a deux options de même valeur.", field="options")
        fav = s.get("favourable") or []
        if not isinstance(fav, list) or not fav or not set(fav) <= {o.value for o in options}:
            raise InputError(
                f"L'échelle « {sid} » : « favourable » liste des valeurs de ses options.", field="favourable"
            )
        scales[str(sid)] = Scale(str(sid), options, na, frozenset(fav))
    raw_q = definition.get("questions")
    if not isinstance(raw_q, list) or not raw_q or len(raw_q) > 60:
        raise InputError("Le questionnaire doit avoir de 1 à 60 questions.", field="questions")
    questions = []
    seen = set()
    for i, q in enumerate(raw_q, start=1):
        where = f"question {i}"
        if not isinstance(q, dict):
            raise InputError(f"Question mal formée ({where}).", field="questions")
        q_id = q.get("id")
        if not isinstance(q_id, str) or not _ID.match(q_id) or q_id in seen:
            raise InputError(f"Identifiant de question invalide ou en double ({where}).", field="id")
        seen.add(q_id)
        if q.get("scale") not in scales:
            raise InputError(f"Échelle inconnue « {q.get('scale')} » ({where}).", field="scale")
        tr = q.get("translations") or {}
        if not isinstance(tr, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tr.items()):
            raise InputError(f"Traductions : langue → texte ({where}).", field="translations")
        questions.append(
            Question(
                q_id,
                _text(q, "dimension", where),
                scales[q["scale"]],
                _text(q, "text", where),
                _text(q, "easy", where),
                dict(tr),
            )
        )
    return Questionnaire(
        qid,
        version,
        kind,
        _text(definition, "title", "questionnaire"),
        _text(definition, "title_easy", "questionnaire"),
        _text(definition, "intro", "questionnaire"),
        _text(definition, "intro_easy", "questionnaire"),
        tuple(sources),
        tuple(questions),
        definition,
    )


MAX_YAML = 50_000  # characters: the bundled questionnaires are under 8 000


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases: no "billion laughs" expansion from a 2 KB text."""

    def compose_node(self, parent: yaml.nodes.Node | None, index: int) -> yaml.nodes.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves peek_event unannotated
            raise InputError(
                "Les alias YAML (« *nom ») ne sont pas acceptés : recopiez le texte à cet endroit.",
                line=event.start_mark.line + 1,
                field="definition",
            )
        return super().compose_node(parent, index)


def parse_yaml(text: str) -> Questionnaire:
    """Parse and validate a definition written in YAML (the editing page's format).

    Bounded: at most :data:`MAX_YAML` characters and no alias, so parsing costs at most
    linear time in a small text.
    """
    if len(text) > MAX_YAML:
        raise InputError(f"Texte trop long : au plus {MAX_YAML} caractères.", field="definition")
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(
            "Le texte n'est pas du YAML valide : vérifiez l'indentation et les deux-points.",
            line=mark.line + 1 if mark else None,
        ) from None
    # YAML dates and the like become strings: a definition is stored and served as JSON
    return parse(json.loads(json.dumps(data, default=str)))


def to_yaml(definition: dict[str, Any]) -> str:
    """A definition as YAML text, for editing."""
    return yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, width=100)


@functools.cache
def bundled() -> tuple[Questionnaire, ...]:
    """The questionnaires shipped with accesoins (version 1 of each, published at first start)."""
    folder = resources.files("accesoins.rules") / "experience" / "questionnaires"
    out = [
        parse(yaml.safe_load(f.read_text(encoding="utf-8")))
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".yaml")
    ]
    return tuple(out)


def validate_answers(q: Questionnaire, answers: dict[str, Any]) -> dict[str, int]:
    """Check answers (question id → option value); every question must be answered.

    Values may arrive as strings (HTML forms). Returns the clean mapping.

    Raises
    ------
    InputError
        On an unknown question, a missing answer or a value outside the scale.
    """
    if not isinstance(answers, dict):
        raise InputError("Les réponses doivent être un dictionnaire question → valeur.", field="answers")
    known = {x.question_id for x in q.questions}
    unknown = sorted(set(map(str, answers)) - known)
    if unknown:
        raise InputError(f"Question inconnue dans ce questionnaire : {unknown[0][:40]}.", field="answers")
    clean = {}
    for i, question in enumerate(q.questions, start=1):
        raw = answers.get(question.question_id)
        if raw is None or raw == "":
            raise InputError(
                f"Vous n'avez pas répondu à la question {i} : « {question.text} »", field=question.question_id
            )
        try:
            value = int(raw) if not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            value = None
        allowed = {o.value for o in question.scale.all_options()}
        if value not in allowed:
            raise InputError(
                f"Réponse non prévue à la question {i} : choisissez une des propositions.", field=question.question_id
            )
        clean[question.question_id] = value
    return clean
