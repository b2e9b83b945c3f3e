"""The small-count rule: no published count below the threshold, not even by difference.

Published aggregates form, for each closed quarter, a tree (a *laminar* family:
two aggregates are either disjoint or one contains the other): France ⊃
département ⊃ commune ⊃ site, all of the same quarter. Quarters are disjoint,
and a closed quarter never changes (responses carry their quarter and the
location of their site as it was when they were given), so the family of every
figure ever published stays a forest: time adds trees, it never alters one.

In a tree, the only counts an outsider can derive from published counts are
the published counts themselves and, for each published aggregate, its
*remainder*: its count minus the counts of its largest published
sub-aggregates (which are disjoint). Any difference between published
aggregates is a sum of published counts and remainders. So the rule is:

1. *primary suppression* — an aggregate with fewer than ``k`` contributors is
   not published;
2. *secondary suppression* — while some published aggregate has a remainder
   strictly between 0 and ``k``, its smallest published sub-aggregate is
   withdrawn too (which grows the remainder); repeated until no remainder is
   in ``]0, k[``.

A remainder of 0 is allowed: it only says that all the responses of an
aggregate are in its published parts, which reveals no small group. Counts are
of *contributors* (one response per client and quarter), see
:func:`accesoins.experience.indicators.counted`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass

Key = Hashable


@dataclass(frozen=True)
class Cell:
    """One candidate aggregate: its count and its parent in the tree (``None`` for a root)."""

    n: int
    parent: Key | None


def children_of(cells: Mapping[Key, Cell]) -> dict[Key, list[Key]]:
    """Children lists of the tree."""
    out: dict[Key, list[Key]] = {k: [] for k in cells}
    for key, cell in cells.items():
        if cell.parent is not None:
            out.setdefault(cell.parent, []).append(key)
    return out


def maximal_published_below(key: Key, children: Mapping[Key, list[Key]], published: set[Key]) -> list[Key]:
    """The largest published aggregates strictly inside ``key`` (disjoint by construction)."""
    out: list[Key] = []
    stack = list(children.get(key, ()))
    while stack:
        k = stack.pop()
        if k in published:
            out.append(k)
        else:
            stack.extend(children.get(k, ()))
    return out


def remainder(key: Key, cells: Mapping[Key, Cell], children: Mapping[Key, list[Key]], published: set[Key]) -> int:
    """Count of ``key`` minus its largest published sub-aggregates: what an outsider can derive."""
    return cells[key].n - sum(cells[k].n for k in maximal_published_below(key, children, published))


def publishable(cells: Mapping[Key, Cell], k: int) -> set[Key]:
    """The aggregates that may be published under the threshold ``k`` (primary + secondary rule)."""
    for key, cell in cells.items():
        if cell.parent is not None and cell.parent not in cells:
            raise ValueError(f"cell {key!r} has an unknown parent {cell.parent!r}")
    children = children_of(cells)
    published = {key for key, cell in cells.items() if cell.n >= k}
    changed = True
    while changed:
        changed = False
        for key in sorted(published, key=repr):
            if key not in published:
                continue
            below = maximal_published_below(key, children, published)
            r = cells[key].n - sum(cells[b].n for b in below)
            if 0 < r < k:
                smallest = min(below, key=lambda b: (cells[b].n, repr(b)))
                published.discard(smallest)
                changed = True
    return published


def check(cells: Mapping[Key, Cell], published: set[Key], k: int) -> list[str]:
    """Independent audit of a publication: every problem found, as sentences (empty when sound).

    Checks each published count is at least ``k`` and that no difference between a
    published aggregate and any published aggregate inside it, nor any remainder, lies in ``]0, k[``.
    """
    problems = []
    children = children_of(cells)

    def ancestors(key: Key) -> Iterator[Key]:
        p = cells[key].parent
        while p is not None:
            yield p
            p = cells[p].parent

    for key in published:
        if cells[key].n < k:
            problems.append(f"{key!r}: published count {cells[key].n} < {k}")
        for a in ancestors(key):
            if a in published and 0 < cells[a].n - cells[key].n < k:
                problems.append(f"{a!r} - {key!r} = {cells[a].n - cells[key].n} < {k}")
        r = remainder(key, cells, children, published)
        if 0 < r < k:
            problems.append(f"{key!r}: remainder {r} < {k}")
    return problems
