"""Numerical kernels of the floating-catchment models (numpy + scipy.sparse).

With ``W`` the sparse origins × sites matrix of decay weights, ``P`` the demand
of each origin and ``S`` the supply of each site:

- step 1, site ratios: ``R = S / (Wᵀ P)`` (0 where no demand reaches a site);
- step 2, accessibility: ``A = W R``.

Step 1 is a sum over origins, so it splits into per-block partial sums
(:mod:`accesoins.access.blocks` relies on this); step 2 is independent per origin.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from accesoins.access._align import Pairs
from accesoins.access.decay import Decay


def weigh(pairs: Pairs, decay: Decay) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decay weights of the pairs, keeping only the pairs with a positive weight."""
    w = np.asarray(decay(pairs.minutes), dtype=np.float64)
    keep = w > 0
    if keep.all():
        return pairs.o, pairs.d, w
    return pairs.o[keep], pairs.d[keep], w[keep]


def site_demand(
    o: np.ndarray, d: np.ndarray, w: np.ndarray, demand: np.ndarray, n_sites: int
) -> np.ndarray:
    """Weighted demand reaching each site, ``Wᵀ P`` (same unit as ``demand``)."""
    weights = sparse.coo_array((w, (o, d)), shape=(len(demand), n_sites))
    return weights.T @ demand


def site_ratios(supply: np.ndarray, reached: np.ndarray) -> np.ndarray:
    """Supply per unit of weighted demand; 0 where no demand reaches the site."""
    ratios = np.zeros_like(supply, dtype=np.float64)
    np.divide(supply, reached, out=ratios, where=reached > 0)
    return ratios


def origin_access(
    o: np.ndarray, d: np.ndarray, w: np.ndarray, ratios: np.ndarray, n_origins: int
) -> np.ndarray:
    """Accessibility of each origin, ``W R`` (origins without a pair get 0)."""
    weights = sparse.coo_array((w, (o, d)), shape=(n_origins, len(ratios)))
    return weights @ ratios
