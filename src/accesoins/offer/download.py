"""Checked, resumable transfer of one national file into the local cache.

The addresses come from the catalogues (:mod:`accesoins.offer.catalogue`),
never from this module. :func:`fetch` writes to ``<name>.part`` beside the
final file, resumes an interrupted transfer with an HTTP ``Range`` request,
checks the size and the checksum the catalogue publishes, and only then
renames the file into place: a partial or corrupt file never carries the
final name. A ``.part`` whose checksum fails is deleted, so the next attempt
starts afresh.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from accesoins.errors import AccesoinsError

HASHES = ("md5", "sha1", "sha256", "sha512")

# progress(done_bytes, total_bytes_or_None) — the CLI passes a Rich bar
Progress = Callable[[int, int | None], None]


class DownloadError(AccesoinsError):
    """A download failed (HTTP error, network error, size or checksum mismatch)."""


class NetworkError(DownloadError):
    """The server could not be reached at all (offline, DNS, refused connection, timeout)."""


class NotInCatalogue(DownloadError):
    """The catalogue does not (or no longer) list the dataset or a matching file."""


@dataclass(frozen=True)
class Expected:
    """What the catalogue says the file is: size in bytes and checksum, when published."""

    size: int | None = None
    checksum_type: str | None = None  # 'md5', 'sha1', 'sha256'…
    checksum: str | None = None


def file_digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def matches(path: Path, expected: Expected) -> bool:
    """True when ``path`` has the expected size and checksum (those that are known)."""
    if not path.exists():
        return False
    if expected.size is not None and path.stat().st_size != expected.size:
        return False
    if expected.checksum and expected.checksum_type:
        return file_digest(path, expected.checksum_type) == expected.checksum.lower()
    return True


def _check(part: Path, expected: Expected, label: str, url: str) -> None:
    size = part.stat().st_size
    if expected.size is not None and size != expected.size:
        part.unlink()
        raise DownloadError(
            f"téléchargement de « {label} » refusé : {size} octets reçus, le catalogue en annonce "
            f"{expected.size} ({url}) ; fichier partiel supprimé, relancez pour réessayer")
    if expected.checksum and expected.checksum_type:
        got = file_digest(part, expected.checksum_type)
        if got != expected.checksum.lower():
            part.unlink()
            raise DownloadError(
                f"téléchargement de « {label} » refusé : somme de contrôle {expected.checksum_type.upper()} "
                f"{got} différente de celle publiée par le catalogue ({expected.checksum.lower()}) pour {url} ; "
                "fichier supprimé, rien n'a été importé")


def fetch(url: str, target: str | Path, *, expected: Expected = Expected(), label: str | None = None,
          client: httpx.Client | None = None, progress: Progress | None = None,
          timeout: float = 60.0) -> Path:
    """Download ``url`` to ``target``, resuming a previous ``.part``; returns ``target``.

    Raises
    ------
    NetworkError
        The server cannot be reached (nothing is written beyond the ``.part``).
    DownloadError
        HTTP error, or size or checksum different from ``expected`` (the ``.part`` is removed).
    """
    target = Path(target)
    label = label or target.name
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    own = client is None
    client = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout, connect=15.0))
    try:
        have = part.stat().st_size if part.exists() else 0
        if expected.size is not None and have > expected.size:
            part.unlink()
            have = 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        if not (expected.size is not None and have == expected.size):
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 416 and have:  # nothing left to send: the .part is whole
                    pass
                elif response.status_code >= 400:
                    raise DownloadError(
                        f"téléchargement de « {label} » impossible : le serveur a répondu HTTP "
                        f"{response.status_code} pour {url}")
                else:
                    resumed = response.status_code == 206
                    if not resumed:
                        have = 0  # the server ignored the range: start again
                    length = response.headers.get("content-length")
                    total = have + int(length) if length and length.isdigit() else expected.size
                    with part.open("ab" if resumed else "wb") as out:
                        for chunk in response.iter_bytes():  # no re-chunking: what arrived is kept
                            out.write(chunk)
                            have += len(chunk)
                            if progress:
                                progress(have, total)
        _check(part, expected, label, url)
        os.replace(part, target)
        return target
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise NetworkError(f"« {label} » injoignable ({type(exc).__name__}) : {url}") from exc
    except httpx.HTTPError as exc:
        # the .part stays: the next attempt resumes it
        raise DownloadError(
            f"téléchargement de « {label} » interrompu ({type(exc).__name__} : {exc}) pour {url} ; "
            "relancez la commande pour le reprendre") from exc
    finally:
        if own:
            client.close()


__all__ = ["DownloadError", "Expected", "NetworkError", "NotInCatalogue", "HASHES", "fetch", "file_digest", "matches"]
