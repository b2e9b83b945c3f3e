"""Client for the OSRM HTTP *table* service (road times from a routing server).

Protocol (OSRM v5 API): ``GET {base}/table/v1/{profile}/{lon,lat;lon,lat;...}
?sources=i;j&destinations=k;l&annotations=duration``; the JSON answer has
``code`` (``"Ok"`` on success) and ``durations``, a sources × destinations list
of seconds with ``null`` for unreachable pairs. Servers cap the table size
(``--max-table-size``, 100 by default), hence the batching over sources and
destinations. A straight-line pre-filter skips batches that cannot be within
the cap, so a national table costs requests in proportion to reachable pairs.
"""

from __future__ import annotations

import hashlib
import json

import httpx
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from accesoins.errors import AccesoinsError, ParameterError
from accesoins.travel._pairs import check_cap, check_points, pairs_frame
from accesoins.travel.geo import km_to_chord, unit_xyz


class OsrmError(AccesoinsError):
    """The OSRM server failed or answered something other than ``code: "Ok"``."""


class OsrmTableClient:
    """Sparse travel times from an OSRM server's table service.

    Parameters
    ----------
    base_url : str
        Server address, e.g. ``"http://127.0.0.1:5000"``.
    profile : str
        Routing profile in the URL (``"driving"``, ``"car"``…).
    batch_size : int
        Largest number of sources, and of destinations, per request (≥ 1).
        Keep ``batch_size²`` within the server's ``--max-table-size²``.
    timeout : float
        Seconds allowed for each HTTP request.
    max_speed_kmh : float or None
        Straight-line speed no road trip can beat (km/h), used to skip pairs
        farther than ``max_minutes × max_speed_kmh / 60`` km before asking the
        server. ``None`` asks for every pair.
    transport : httpx.BaseTransport, optional
        For tests or custom networking.
    """

    name = "osrm"

    def __init__(
        self,
        base_url: str,
        *,
        profile: str = "driving",
        batch_size: int = 100,
        timeout: float = 30.0,
        max_speed_kmh: float | None = 150.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ParameterError("base_url doit être une adresse http(s)://.")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ParameterError("batch_size doit être un entier ≥ 1.")
        if not timeout > 0:
            raise ParameterError("timeout doit être > 0 seconde.")
        if max_speed_kmh is not None and not max_speed_kmh > 0:
            raise ParameterError("max_speed_kmh doit être > 0 km/h ou None.")
        if not profile or "/" in profile:
            raise ParameterError("profile invalide.")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.batch_size = batch_size
        self.timeout = float(timeout)
        self.max_speed_kmh = max_speed_kmh
        self._transport = transport
        self.requests_sent = 0

    def cache_key(self) -> str:
        """Stable key of the server, profile and pre-filter (batching does not change results)."""
        payload = json.dumps(
            {
                "provider": self.name,
                "base_url": self.base_url,
                "profile": self.profile,
                "max_speed_kmh": self.max_speed_kmh,
            },
            sort_keys=True,
        )
        return f"{self.name}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"

    def travel_times(
        self,
        origins: pd.DataFrame,
        destinations: pd.DataFrame | None = None,
        *,
        max_minutes: float,
    ) -> pd.DataFrame:
        """Ask the server for travel times and keep those within the cap.

        Parameters
        ----------
        origins, destinations : pandas.DataFrame
            Points indexed by a unique id with ``lat`` and ``lon`` (degrees);
            ``destinations=None`` means the origins themselves.
        max_minutes : float
            Cap on travel time (minutes).

        Returns
        -------
        pandas.DataFrame
            ``origin``, ``dest`` (categorical) and ``minutes`` (float64, the
            server's seconds / 60); unreachable (``null``) pairs are left out and
            pairs with the same id are always present with 0 minutes.

        Raises
        ------
        OsrmError
            Network failure, HTTP error, or an answer whose ``code`` is not ``"Ok"``.
        """
        cap = check_cap(max_minutes)
        destinations = origins if destinations is None else destinations
        lat_o, lon_o = check_points(origins, name="origins")
        lat_d, lon_d = check_points(destinations, name="destinations")
        xyz_o, xyz_d = unit_xyz(lat_o, lon_o), unit_xyz(lat_d, lon_d)
        tree_d = cKDTree(xyz_d) if self.max_speed_kmh is not None else None
        radius = km_to_chord(cap * (self.max_speed_kmh or 0) / 60.0) * (1 + 1e-9)
        parts_o, parts_d, parts_t = [], [], []
        with httpx.Client(timeout=self.timeout, transport=self._transport) as http:
            for start in range(0, len(origins), self.batch_size):
                src = np.arange(start, min(start + self.batch_size, len(origins)))
                if tree_d is None:
                    candidates = np.arange(len(destinations))
                else:
                    hits = tree_d.query_ball_point(xyz_o[src], radius)
                    candidates = np.unique(
                        np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
                    )
                for dstart in range(0, len(candidates), self.batch_size):
                    dst = candidates[dstart : dstart + self.batch_size]
                    seconds = self._table(http, lon_o[src], lat_o[src], lon_d[dst], lat_d[dst])
                    minutes = seconds / 60.0
                    ii, jj = np.nonzero(np.isfinite(minutes) & (minutes <= cap))
                    parts_o.append(src[ii])
                    parts_d.append(dst[jj])
                    parts_t.append(minutes[ii, jj])
        oi = np.concatenate(parts_o) if parts_o else np.empty(0, np.int64)
        dj = np.concatenate(parts_d) if parts_d else np.empty(0, np.int64)
        t = np.concatenate(parts_t) if parts_t else np.empty(0)
        # Same id = same place: 0 minutes, always present (a router may snap twins apart).
        twin = origins.index.get_indexer(destinations.index)
        same = twin[dj] == oi
        t[same] = 0.0
        absent = np.setdiff1d(np.flatnonzero(twin >= 0), dj[same])
        oi = np.concatenate([oi, twin[absent]])
        dj = np.concatenate([dj, absent])
        t = np.concatenate([t, np.zeros(len(absent))])
        return pairs_frame(origins.index, destinations.index, oi, dj, t)

    def _table(
        self,
        http: httpx.Client,
        lon_s: np.ndarray,
        lat_s: np.ndarray,
        lon_d: np.ndarray,
        lat_d: np.ndarray,
    ) -> np.ndarray:
        """One table request; durations in seconds, NaN where the server says ``null``."""
        coords = ";".join(
            f"{lo:.6f},{la:.6f}"
            for lo, la in zip(
                np.concatenate([lon_s, lon_d]), np.concatenate([lat_s, lat_d]), strict=True
            )
        )
        n_s, n_d = len(lon_s), len(lon_d)
        params = {
            "sources": ";".join(map(str, range(n_s))),
            "destinations": ";".join(map(str, range(n_s, n_s + n_d))),
            "annotations": "duration",
        }
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}"
        try:
            response = http.get(url, params=params)
        except httpx.HTTPError as exc:
            raise OsrmError(f"serveur OSRM injoignable ({self.base_url}) : {exc}") from None
        self.requests_sent += 1
        try:
            body = response.json()
        except ValueError:
            raise OsrmError(
                f"réponse OSRM illisible (HTTP {response.status_code}) de {self.base_url}."
            ) from None
        if response.status_code != 200 or body.get("code") != "Ok":
            raise OsrmError(
                f"OSRM a refusé la requête (HTTP {response.status_code}, code "
                f"« {body.get('code')} ») : {body.get('message', '')}".rstrip(" :")
            )
        durations = body.get("durations")
        if not isinstance(durations, list) or len(durations) != n_s:
            raise OsrmError("réponse OSRM sans matrice « durations » de la taille demandée.")
        out = np.array(
            [[np.nan if v is None else v for v in row] for row in durations], dtype=np.float64
        )
        if out.shape != (n_s, n_d):
            raise OsrmError("réponse OSRM : matrice « durations » de forme inattendue.")
        return out
