"""Accessibility models: pure numpy / scipy.sparse, pandas in and pandas out.

- :func:`two_sfca`, :func:`e2sfca`, :func:`gravity`, :func:`gaussian`
  (and the generic :func:`catchment`): floating-catchment accessibility;
- :func:`apl`: the DREES APL with its official parameters (``rules/apl.yaml``);
- :func:`nearest`, :func:`coverage`: time to the nearest sites, population covered;
- :mod:`accesoins.access.blocks`: the same models over parts of the pairs on Dask
  (blocks of origins computed on the workers, or parts of a pandas / Dask table).

Step bounds follow the DREES wording (« moins de 10 min ») and exclude the upper
bound; ``e2sfca(..., step_bounds="inclusive")`` reproduces PySAL ``access``.
Every id type is aligned without hashing pairs where avoidable: categorical codes
as they are, integer ids through a lookup table, Arrow strings through Arrow.
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
