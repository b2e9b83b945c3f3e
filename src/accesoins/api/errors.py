"""One JSON shape for every error, and HTML error pages for browsers.

``{"error": {"status": 404, "message": "...", "file": null, "line": null, "field": null}}``.
Bad input is answered 4xx, never 500.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AccesoinsError, InputError, NotBuiltError, ParameterError
from ..services.observatory.communes import CommuneNotFound


def error_body(status: int, message: str, *, file=None, line=None, field=None) -> dict:
    return {"error": {"status": status, "message": message, "file": file, "line": line, "field": field}}


_MESSAGES = {
    "missing": "valeur obligatoire",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "bool_parsing": "oui/non attendu (true ou false)",
    "string_too_long": "texte trop long (au plus {max_length} caractères)",
    "string_too_short": "texte trop court (au moins {min_length} caractères)",
    "greater_than_equal": "valeur trop petite (au moins {ge})",
    "greater_than": "valeur trop petite (plus de {gt})",
    "less_than_equal": "valeur trop grande (au plus {le})",
    "less_than": "valeur trop grande (moins de {lt})",
    "json_invalid": "corps JSON illisible",
    "dict_type": "objet JSON attendu",
    "model_attributes_type": "objet JSON attendu",
    "model_type": "objet JSON attendu",
    "missing_argument": "valeur obligatoire",
    "int_type": "nombre entier attendu",
    "bool_type": "oui/non attendu (true ou false)",
    "float_type": "nombre attendu",
    "string_pattern_mismatch": "format non reconnu",
    "extra_forbidden": "champ non prévu",
    "list_type": "liste attendue",
    "string_type": "texte attendu",
    "enum": "valeur non prévue (valeurs possibles : {expected})",
    "literal_error": "valeur non prévue (valeurs possibles : {expected})",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "datetime_from_date_parsing": "date et heure attendues (AAAA-MM-JJTHH:MM)",
}


def french_validation_message(error: dict) -> str:
    """The validation error in French (the validator's own English as a last resort)."""
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return f"valeur incorrecte ({error.get('type', 'inconnue')})"
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template.split(" (")[0]


def _wants_html(request: Request) -> bool:
    return not request.url.path.endswith(".json") and "text/html" in request.headers.get("accept", "")


def _respond(request: Request, status: int, body: dict, headers: dict | None = None):
    if _wants_html(request):
        templates = request.app.state.templates
        return templates.TemplateResponse(
            request, "error.html", {"error": body["error"], "page": {"demo_notice": None}},
            status_code=status, headers=headers,
        )
    return JSONResponse(body, status_code=status, headers=headers)


_ENGLISH = {  # Starlette's own details, for the rare errors raised before our code runs
    "There was an error parsing the body": "Corps de la demande illisible (JSON ou formulaire mal formé).",
    "Method Not Allowed": "Méthode non permise sur cette adresse.",
    "Too Many Requests": "Trop de demandes : réessayez plus tard.",
    "Bad Request": "Demande incorrecte.",
    "Invalid multipart data.": "Formulaire illisible (données multipart mal formées).",
    "Unauthorized": "Connexion requise.",
    "Forbidden": "Accès refusé.",
    "Internal Server Error": "Erreur interne du serveur.",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = {404: "Page introuvable."}.get(exc.status_code, str(exc.detail))
        if exc.status_code == 404 and exc.detail not in (None, "Not Found"):
            message = str(exc.detail)
        message = _ENGLISH.get(message, message)
        headers = dict(exc.headers or {})
        if exc.status_code == 429:
            headers.setdefault("Retry-After", "60")
        return _respond(request, exc.status_code, error_body(exc.status_code, message), headers or None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", [])[1:]) or None
        if first.get("type") == "json_invalid":
            field = None  # the location is a character offset, not a field
        message = f"Paramètre invalide : {french_validation_message(first)}"
        return _respond(request, 400, error_body(400, message, field=field))

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError):
        return _respond(request, 400, error_body(400, exc.message, file=exc.file, line=exc.line,
                                                 field=exc.field))

    @app.exception_handler(ParameterError)
    async def parameter_error(request: Request, exc: ParameterError):
        return _respond(request, 400, error_body(400, str(exc)))

    @app.exception_handler(NotBuiltError)
    async def not_built(request: Request, exc: NotBuiltError):
        return _respond(request, 503, error_body(503, str(exc)))

    @app.exception_handler(CommuneNotFound)
    async def not_found(request: Request, exc: CommuneNotFound):
        return _respond(request, 404, error_body(404, str(exc)))

    @app.exception_handler(AccesoinsError)
    async def other_error(request: Request, exc: AccesoinsError):
        return _respond(request, 400, error_body(400, str(exc)))
