"""Links between land masses (ferries, bridges, barges, air and river) and road enclaves.

Read from ``rules/travel/crossings.yaml``: the road model never joins two land
masses except through a link listed there. A bridge merges its two land masses;
any other link is a crossing of ``minutes + wait_minutes`` between two commune
ends. An enclave is a commune cut off from its land mass but for one gateway
commune (a mountain cirque, a roadless river commune).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from accesoins.errors import ParameterError

CROSSINGS_PATH: Path = Path(__file__).resolve().parents[1] / "rules" / "travel" / "crossings.yaml"
MODES = ("ferry", "bridge", "barge", "river", "air", "road")


@dataclass(frozen=True)
class Link:
    """A link between the land masses (or zones) of two communes."""

    a: str
    b: str
    name: str
    mode: str
    minutes: float
    wait_minutes: float
    source: str
    status: str
    enclave: bool = False

    @property
    def total_minutes(self) -> float:
        return float(self.minutes) + float(self.wait_minutes)


@dataclass(frozen=True)
class Links:
    """All links of a rules file, and the file's digest (part of the road model's cache key)."""

    links: tuple[Link, ...]
    digest: str

    @property
    def bridges(self) -> tuple[Link, ...]:
        return tuple(k for k in self.links if k.mode == "bridge")

    @property
    def crossings(self) -> tuple[Link, ...]:
        return tuple(k for k in self.links if k.mode != "bridge")

    @property
    def enclaves(self) -> tuple[Link, ...]:
        return tuple(k for k in self.links if k.enclave)


def _link(item: dict[str, Any], *, enclave: bool, where: str) -> Link:
    try:
        a = str(item["commune"] if enclave else item["from"])
        b = str(item["gateway"] if enclave else item["to"])
        mode = str(item["mode"])
        minutes, wait = float(item["minutes"]), float(item.get("wait_minutes", 0))
        source = item["source"]["title"]
    except (KeyError, TypeError, ValueError) as e:
        raise ParameterError(f"{where} : lien incomplet ({e}) : {item!r}") from None
    if mode not in MODES:
        raise ParameterError(f"{where} : mode « {mode} » inconnu ({', '.join(MODES)}).")
    if minutes < 0 or wait < 0:
        raise ParameterError(f"{where} : durées négatives pour « {item.get('name')} ».")
    return Link(a, b, str(item.get("name", f"{a} – {b}")), mode, minutes, wait, source,
                str(item.get("status", "to_confirm")), enclave)


def read_links(text: str, *, where: str = "crossings.yaml") -> Links:
    data = yaml.safe_load(text) or {}
    links = [_link(i, enclave=False, where=where) for i in data.get("links", [])]
    links += [_link(i, enclave=True, where=where) for i in data.get("enclaves", [])]
    return Links(tuple(links), hashlib.sha256(text.encode()).hexdigest()[:12])


@lru_cache(maxsize=4)
def load_links(path: str | None = None) -> Links:
    """Links of ``path``, or of the rules file shipped with accesoins."""
    path = path or str(CROSSINGS_PATH)
    return read_links(Path(path).read_text("utf-8"), where=str(path))
