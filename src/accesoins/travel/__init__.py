"""Travel times: sparse origin→destination minutes up to a cap.

Every provider returns the same long frame (``origin``, ``dest``, ``minutes``),
never an all-pairs matrix:

- :class:`RoadTimeModel`: the default model, distance × detour at banded speeds;
- :func:`read_od_matrix`: a user table (Metric distancier, router output…);
- :class:`OsrmTableClient`: an OSRM routing server's table service.
"""

from accesoins.travel._pairs import PAIR_COLUMNS, pairs_frame
from accesoins.travel.base import TravelTimeProvider
from accesoins.travel.odfile import read_od_matrix
from accesoins.travel.osrm import OsrmError, OsrmTableClient
from accesoins.travel.road import RoadTimeModel

__all__ = [
    "PAIR_COLUMNS",
    "OsrmError",
    "OsrmTableClient",
    "RoadTimeModel",
    "TravelTimeProvider",
    "pairs_frame",
    "read_od_matrix",
]
