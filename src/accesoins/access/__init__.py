"""Accessibility models: pure numpy / scipy.sparse, pandas in and pandas out.

- :func:`two_sfca`, :func:`e2sfca`, :func:`gravity`, :func:`gaussian`
  (and the generic :func:`catchment`): floating-catchment accessibility;
- :func:`apl`: the DREES APL with its official parameters (``rules/apl.yaml``);
- :func:`nearest`, :func:`coverage`: time to the nearest sites, population covered;
- :mod:`accesoins.access.blocks`: the same models over blocks of origins on Dask.
"""

from accesoins.access.apl import AplResult, apl
from accesoins.access.blocks import catchment_blocks, e2sfca_blocks
from accesoins.access.coverage import CoverageResult, coverage
from accesoins.access.decay import GaussianDecay, PowerDecay, StepDecay
from accesoins.access.fca import catchment, e2sfca, gaussian, gravity, two_sfca
from accesoins.access.nearest import nearest
from accesoins.access.rules import load_apl_rules

__all__ = [
    "AplResult",
    "CoverageResult",
    "GaussianDecay",
    "PowerDecay",
    "StepDecay",
    "apl",
    "catchment",
    "catchment_blocks",
    "coverage",
    "e2sfca",
    "e2sfca_blocks",
    "gaussian",
    "gravity",
    "load_apl_rules",
    "nearest",
    "two_sfca",
]
