"""Resolve each national source of ``rules/sources.yaml`` through its maintained catalogue.

Two catalogues give the current file of a dataset, with its vintage, size and
checksum: INSEE's catalogue of downloadable files (the JSON its packages
DoReMIFaSol and ``pynsee.download`` read) and the data.gouv.fr API
(``/datasets/{id}/`` → ``resources``). Their answers are cached under
``var/sources/catalogues`` so that a later offline run still knows what was
fetched; a stale copy is used, and said to be, when the catalogue is unreachable.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

import httpx
import yaml

from ..errors import ParameterError
from .download import HASHES, DownloadError, Expected, NetworkError, NotInCatalogue

CATALOGUE_TTL = 6 * 3600  # seconds a cached catalogue answer is used without asking again
CATALOGUE_LABELS = {"insee": "catalogue INSEE (DoReMIFaSol)", "datagouv": "API data.gouv.fr"}


@dataclass(frozen=True)
class SourceRule:
    """One national source as declared in ``rules/sources.yaml``."""

    name: str
    title: str
    catalogue: str
    dataset: str
    importer: str
    licence: str
    attribution: str
    page: str = ""
    vintage: str = "latest"
    resource: dict[str, str] = field(default_factory=dict)
    member: str | None = None
    categories: list[str] | None = None  # offer categories taken from this source (None: all it brings)
    build: bool = True
    checked: str = ""
    # name of the cached copy, when the catalogue's address does not carry one (an Opendatasoft
    # export ends in ``/exports/csv``; the data.ameli.fr importer names its series after the file)
    save_as: str | None = None


@dataclass(frozen=True)
class Resolved:
    """The current file of a source, as its catalogue describes it."""

    rule: SourceRule
    url: str
    filename: str
    vintage: str | None  # passed to the importer (None: the importer reads it from the file)
    published: str | None  # date or vintage shown to users
    expected: Expected
    member: str | None  # regular expression of the zip member to import
    stale: bool = False  # the catalogue answer came from the cache, the catalogue being unreachable


def load_source_rules(path: str | Path) -> dict[str, SourceRule]:
    """Read ``rules/sources.yaml`` (or the file ``ACCESOINS_SOURCES_RULES`` names)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"fichier des sources {path} illisible : {exc}") from exc
    rules: dict[str, SourceRule] = {}
    for name, entry in (data or {}).get("sources", {}).items():
        missing = [k for k in ("title", "catalogue", "dataset", "importer", "licence", "attribution")
                   if not entry.get(k)]
        if missing:
            raise ParameterError(f"{path} : source « {name} » sans {', '.join(missing)}")
        if entry["catalogue"] not in CATALOGUE_LABELS:
            raise ParameterError(f"{path} : source « {name} », catalogue « {entry['catalogue']} » inconnu "
                                 f"({', '.join(CATALOGUE_LABELS)})")
        known = set(SourceRule.__dataclass_fields__) - {"name"}
        rules[name] = SourceRule(name=name, **{k: v for k, v in entry.items() if k in known})
    return rules


class Catalogues:
    """Client of the two catalogues, with the answers cached under ``cache_dir``."""

    def __init__(self, *, insee_url: str, datagouv_api: str, cache_dir: Path,
                 client: httpx.Client | None = None, ttl: float = CATALOGUE_TTL) -> None:
        self.insee_url = insee_url
        self.datagouv_api = datagouv_api.rstrip("/")
        self.cache_dir = Path(cache_dir)
        self.ttl = ttl
        self._own = client is None
        self.client = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, connect=10.0))
        self._memo: dict[str, tuple[object, bool]] = {}
        self._down: set[str] = set()  # hosts found unreachable: not asked again in this run

    def close(self) -> None:
        if self._own:
            self.client.close()

    def __enter__(self) -> Catalogues:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get_json(self, url: str, cache_name: str) -> tuple[object, bool]:
        """(answer, stale) — fresh cache, else the network, else a stale cache."""
        if url in self._memo:
            return self._memo[url]
        cache = self.cache_dir / cache_name
        if cache.exists() and time.time() - cache.stat().st_mtime < self.ttl:
            self._memo[url] = (json.loads(cache.read_text(encoding="utf-8")), False)
            return self._memo[url]
        host = httpx.URL(url).host
        try:
            if host in self._down:
                raise httpx.ConnectError("serveur déjà injoignable")
            response = self.client.get(url, headers={"Accept": "application/json"})
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout) as exc:
            self._down.add(host)
            if cache.exists():
                self._memo[url] = (json.loads(cache.read_text(encoding="utf-8")), True)
                return self._memo[url]
            raise NetworkError(f"catalogue injoignable ({type(exc).__name__}) : {url}") from exc
        if response.status_code == 404:
            raise NotInCatalogue(f"introuvable dans le catalogue (HTTP 404) : {url}")
        if response.status_code >= 400:
            raise DownloadError(f"le catalogue a répondu HTTP {response.status_code} : {url}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise DownloadError(f"réponse du catalogue illisible (JSON attendu) : {url}") from exc
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(cache.name + ".tmp")
        tmp.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache)
        self._memo[url] = (answer, False)
        return self._memo[url]

    # -- INSEE -----------------------------------------------------------------------------
    def insee_entries(self) -> tuple[list[dict], bool]:
        data, stale = self._get_json(self.insee_url, "insee_liste_donnees.json")
        if not isinstance(data, list):
            raise DownloadError(f"catalogue INSEE inattendu (liste attendue) : {self.insee_url}")
        return data, stale

    def resolve_insee(self, rule: SourceRule) -> Resolved:
        entries, stale = self.insee_entries()
        found = [e for e in entries if e.get("nom") == rule.dataset and e.get("lien")]
        if rule.vintage not in ("latest", "", None):
            found = [e for e in found if str(e.get("date_ref", "")).startswith(str(rule.vintage))]
        if not found:
            raise NotInCatalogue(f"« {rule.dataset} »{'' if rule.vintage == 'latest' else ' ' + str(rule.vintage)} "
                                f"absent du catalogue INSEE ({self.insee_url})")
        entry = max(found, key=lambda e: str(e.get("date_ref", "")))
        url = entry["lien"]
        md5 = entry.get("md5")
        size = entry.get("size")
        year = str(entry.get("date_ref", ""))[:4] or None
        member = rule.member or (re.escape(entry["fichier_donnees"]) + "$"
                                 if entry.get("zip") and entry.get("fichier_donnees") else None)
        return Resolved(rule=rule, url=url, filename=_url_name(url) or f"{rule.name}.bin", vintage=year,
                        published=str(entry.get("date_ref") or ""),
                        expected=Expected(size=int(size) if isinstance(size, int | float) else None,
                                          checksum_type="md5" if md5 else None, checksum=md5 or None),
                        member=member, stale=stale)

    # -- data.gouv.fr ----------------------------------------------------------------------
    def resolve_datagouv(self, rule: SourceRule) -> Resolved:
        url = f"{self.datagouv_api}/datasets/{rule.dataset}/"
        data, stale = self._get_json(url, f"datagouv_{re.sub(r'[^A-Za-z0-9_.-]', '_', rule.dataset)}.json")
        resources = data.get("resources", []) if isinstance(data, dict) else []
        fmt = (rule.resource.get("format") or "").lower()
        pattern = re.compile(rule.resource["match"]) if rule.resource.get("match") else None
        chosen = [r for r in resources if r.get("url")
                  and (not fmt or str(r.get("format") or "").lower() == fmt)
                  and (not pattern or pattern.search(f"{r.get('title', '')} {r['url']}"))]
        if not chosen:
            wanted = ", ".join(f"{k} {v!r}" for k, v in rule.resource.items()) or "aucun critère"
            raise NotInCatalogue(f"aucune ressource ({wanted}) dans le jeu de données « {rule.dataset} » "
                                f"de data.gouv.fr ({url})")
        res = max(chosen, key=lambda r: str(r.get("last_modified") or r.get("created_at") or ""))
        checksum = res.get("checksum") or {}
        ctype = str(checksum.get("type") or "").lower()
        size = res.get("filesize")
        name = _url_name(res["url"])
        if not name or "." not in name:
            title = str(res.get("title") or "")
            name = title if re.search(r"\.[A-Za-z0-9]{2,5}$", title) else f"{res.get('id', rule.name)}.{fmt or 'bin'}"
        modified = str(res.get("last_modified") or "")[:10] or None
        return Resolved(rule=rule, url=res["url"], filename=_safe(rule.save_as or name), vintage=None,
                        published=modified,
                        expected=Expected(size=int(size) if isinstance(size, int | float) and size > 0 else None,
                                          checksum_type=ctype if ctype in HASHES and checksum.get("value") else None,
                                          checksum=str(checksum.get("value")) if ctype in HASHES else None),
                        member=rule.member, stale=stale)

    def resolve(self, rule: SourceRule) -> Resolved:
        if rule.catalogue == "insee":
            return self.resolve_insee(rule)
        return self.resolve_datagouv(rule)


def _url_name(url: str) -> str:
    return _safe(unquote(PurePosixPath(urlparse(url).path).name))


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name).lstrip(".")


__all__ = ["CATALOGUE_LABELS", "Catalogues", "Resolved", "SourceRule", "load_source_rules"]
