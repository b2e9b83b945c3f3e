"""The interface every travel-time provider implements.

A provider turns points (a DataFrame indexed by id with ``lat`` and ``lon`` in
degrees) into sparse origin→destination minutes up to a cap, never an all-pairs
matrix. ``cache_key()`` names the provider and its parameters so the store can
cache the tables it produces.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class TravelTimeProvider(Protocol):
    """Something that produces the long ``origin, dest, minutes`` frame."""

    name: str

    def travel_times(
        self,
        origins: pd.DataFrame,
        destinations: pd.DataFrame | None = None,
        *,
        max_minutes: float,
    ) -> pd.DataFrame:
        """Pairs with a travel time of at most ``max_minutes`` minutes."""
        ...

    def cache_key(self) -> str:
        """A stable string naming the provider and its parameters."""
        ...
