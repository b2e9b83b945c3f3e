"""Bring the current file of a resolved national source into ``var/sources/<name>/``.

A file already in the cache that matches what the catalogue publishes (size,
checksum, or the same address and modification date when neither is
published) is not fetched again. When the catalogue names a member of a zip
(INSEE's ``fichier_donnees``, or ``member`` in the rules), that member is
extracted beside the zip, atomically, and is what the importer reads.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from .catalogue import Resolved
from .download import DownloadError, Progress, fetch, matches


@dataclass(frozen=True)
class Fetched:
    """A source file ready for its importer."""

    resolved: Resolved
    archive: Path  # the file as published
    path: Path  # what the importer reads (the archive, or its extracted member)
    downloaded: bool  # False: taken from the cache


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".source.json")


def cached(resolved: Resolved, sources_dir: Path) -> Path | None:
    """The cached file of ``resolved`` if it is the one the catalogue describes, else None."""
    target = Path(sources_dir) / resolved.rule.name / resolved.filename
    if not target.exists():
        return None
    exp = resolved.expected
    if exp.size is not None or exp.checksum:
        return target if matches(target, exp) else None
    try:
        meta = json.loads(_sidecar(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return target if meta.get("url") == resolved.url and meta.get("published") == resolved.published else None


def fetch_source(resolved: Resolved, sources_dir: Path, *, client: httpx.Client | None = None,
                 progress: Progress | None = None) -> Fetched:
    """Download ``resolved`` unless cached, check it, extract its member; returns what to import."""
    target = Path(sources_dir) / resolved.rule.name / resolved.filename
    hit = cached(resolved, sources_dir)
    if hit is None:
        fetch(resolved.url, target, expected=resolved.expected, label=resolved.rule.name, client=client,
              progress=progress)
        _sidecar(target).write_text(json.dumps({
            "source": resolved.rule.name, "catalogue": resolved.rule.catalogue, "dataset": resolved.rule.dataset,
            "url": resolved.url, "published": resolved.published, "vintage": resolved.vintage,
            "size": target.stat().st_size, "checksum_type": resolved.expected.checksum_type,
            "checksum": resolved.expected.checksum}, ensure_ascii=False, indent=1), encoding="utf-8")
    path = extract_member(target, resolved.member, label=resolved.rule.name) if resolved.member else target
    return Fetched(resolved, target, path, downloaded=hit is None)


def extract_member(archive: Path, pattern: str, *, label: str) -> Path:
    """Extract the zip member matching ``pattern`` beside ``archive`` (skipped when already current)."""
    if not zipfile.is_zipfile(archive):
        return archive  # published unzipped: the importer reads it as is
    with zipfile.ZipFile(archive) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/") and re.search(pattern, n)]
        if not names:
            raise DownloadError(f"« {label} » : aucun fichier « {pattern} » dans l'archive {archive.name} "
                                f"({', '.join(zf.namelist()[:10])})")
        name = sorted(names)[-1]  # several dated members: the latest name
        out = archive.parent / Path(name).name
        info = zf.getinfo(name)
        if out.exists() and out.stat().st_size == info.file_size and out.stat().st_mtime >= archive.stat().st_mtime:
            return out
        tmp = out.with_name(out.name + ".part")
        with zf.open(info) as src, tmp.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        os.replace(tmp, out)
    return out


__all__ = ["Fetched", "cached", "extract_member", "fetch_source"]
