"""A direct path for the busiest JSON answer: ``/orientation/pharmacies.json``.

Profiled at 100 clients, FastAPI's routing (some sixty routes matched in turn), its parameter
solving and its middleware layers cost as much as the pharmacy query itself. This pure ASGI
layer answers well-formed requests for that one URL by calling the very same endpoint
function (:func:`accesoins.api.orientation.pharmacies`), with the same checks, the same JSON
and the same headers, and hands every other request to the application unchanged.

The checks are not written twice: each parameter's type and bounds are read from the
endpoint's own ``Annotated[…, Query(…)]`` declarations. Anything unusual — an unknown or
repeated parameter, a value that is not plainly a number, a bound exceeded, an error the
endpoint reports, any exception — goes to the full application, which answers it exactly as
before (400/422 in the shared French error shape). The body is gzipped on the same terms as
the application's (``GZipMiddleware``, same minimum size). Answers are kept by query (and by
minute for « now »: see :class:`AnswerCache`), as many people ask about the same town.
"""

from __future__ import annotations

import re
import time
import typing
from urllib.parse import parse_qsl

import orjson
from annotated_types import Ge, Le, MaxLen
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request

from . import orientation

PATH = "/orientation/pharmacies.json"
GZIP_MINIMUM = 2048  # as the application's GZipMiddleware
CACHE_SIZE = 4096  # answers kept per process and kind (≈ 4 KB each)
_NUMBER = re.compile(r"-?\d{1,3}(\.\d{1,12})?")
_INTEGER = re.compile(r"\d{1,3}")
_HEADERS = [(b"content-type", b"application/json"),
            *[(k.lower().encode(), v.encode()) for k, v in orientation.NO_STORE.items()]]


def _spec(fn) -> dict[str, tuple[type, int | None, float | None, float | None]]:
    """``{name: (type, max_length, ge, le)}`` from the endpoint's query parameters."""
    out = {}
    for name, hint in typing.get_type_hints(fn, include_extras=True).items():
        if name in ("request", "return") or typing.get_origin(hint) is not typing.Annotated:
            continue
        base, info = typing.get_args(hint)[:2]
        kind = next(t for t in (str, int, float) if t is base or t in typing.get_args(base))
        bounds = {type(m): m for m in getattr(info, "metadata", [])}
        out[name] = (kind, getattr(bounds.get(MaxLen), "max_length", None), getattr(bounds.get(Ge), "ge", None),
                     getattr(bounds.get(Le), "le", None))
    return out


SPEC = _spec(orientation.pharmacies)


def parse(query: str) -> dict | None:
    """The endpoint's keyword arguments, or None when the full application must judge the request."""
    try:  # as Starlette reads a query string
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=len(SPEC))
    except ValueError:
        return None
    kw: dict = {}
    for name, text in pairs:
        spec = SPEC.get(name)
        if spec is None or name in kw:
            return None
        kind, max_length, ge, le = spec
        if kind is str:
            if max_length is not None and len(text) > max_length:
                return None
            kw[name] = text
            continue
        if not (_NUMBER if kind is float else _INTEGER).fullmatch(text):
            return None
        value = kind(text)
        if (ge is not None and value < ge) or (le is not None and value > le):
            return None
        kw[name] = value
    return kw


async def _answer(scope, receive, send) -> None:
    body = scope["accesoins.fast_body"]
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode()), *_HEADERS]})
    await send({"type": "http.response.body", "body": body})


class AnswerCache:
    """Answers of this process, by query: those of a given time kept, those of « now » for the minute.

    Used only when every duty slot starts and ends on a whole minute
    (:attr:`~accesoins.orientation.index.PharmacyIndex.minute_exact`): an answer then depends
    on the query and the minute only, and the indexes never change while the server runs (the
    main store is read-only). Bounded; the oldest entries go first.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.at: dict[bytes, bytes] = {}
        self.now: dict[bytes, bytes] = {}
        self.minute = -1

    @staticmethod
    def _minute() -> int:
        return int(time.time()) // 60

    def get(self, key: bytes, fixed: bool) -> bytes | None:
        if fixed:
            return self.at.get(key)
        minute = self._minute()
        if minute != self.minute:
            self.now, self.minute = {}, minute
        return self.now.get(key)

    def put(self, key: bytes, fixed: bool, body: bytes, minute: int) -> None:
        if not fixed and minute != self._minute():
            return  # computed across a minute change: which minute it answers is unsure
        kept = self.at if fixed else self.now
        if len(kept) >= self.size:
            kept.pop(next(iter(kept)))
        kept[key] = body


class PharmacyFastPath:
    """Pure ASGI: ``GET /orientation/pharmacies.json`` answered directly when well-formed."""

    def __init__(self, app) -> None:
        self.app = app
        self.direct = GZipMiddleware(_answer, minimum_size=GZIP_MINIMUM)
        self.cache = AnswerCache()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != PATH:
            return await self.app(scope, receive, send)
        kw = parse(scope.get("query_string", b"").decode("latin-1"))
        if kw is None:
            return await self.app(scope, receive, send)
        key = scope["query_string"]
        fixed = bool(kw.get("at") or kw.get("date") or kw.get("heure"))
        body = self.cache.get(key, fixed)
        if body is None:
            minute = AnswerCache._minute()
            try:
                data = orientation.pharmacies(Request(scope, receive), **kw)
            except Exception:  # noqa: BLE001 - a French 400 or any error: the application answers it as always
                return await self.app(scope, receive, send)
            if data.get("errors") or data.get("result") is None:
                return await self.app(scope, receive, send)
            body = orjson.dumps(data, default=str,
                                option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)  # as JSONTwinResponse
            index = getattr(getattr(scope.get("app"), "state", None), "orientation_data", None)
            if index is not None and index.pharmacies.minute_exact:
                self.cache.put(key, fixed, body, minute)
        await self.direct({**scope, "accesoins.fast_body": body}, receive, send)
