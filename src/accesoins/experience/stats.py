"""Confidence intervals: Wilson for proportions, Student's t for mean scores."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import stats as _st


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """Proportion and its Wilson score interval.

    Parameters
    ----------
    successes, n
        Number of favourable answers and of answers (``0 <= successes <= n``, ``n > 0``).
    confidence
        Two-sided confidence level.

    Returns
    -------
    (p, low, high)
        All in [0, 1].
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError("wilson: need 0 <= successes <= n and n > 0")
    z = float(_st.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return p, low, high


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and its Student-t interval (``n - 1`` degrees of freedom).

    Returns
    -------
    (mean, low, high)
        ``low == high == mean`` when all values are equal.
    """
    n = len(values)
    if n < 2:
        raise ValueError("mean_interval: need at least two values")
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = float(_st.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(var / n)
    return mean, mean - half, mean + half


def wilson_p(p: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` observed on ``n`` answers (``p`` need not be k/n).

    Used on a *published* (rounded) proportion and a *rounded* denominator, so that the
    interval is a function of published quantities only and reveals nothing more.
    """
    if n <= 0 or not 0.0 <= p <= 1.0:
        raise ValueError("wilson_p: need 0 <= p <= 1 and n > 0")
    z = float(_st.norm.ppf(0.5 + confidence / 2))
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def t_quantile(n: int, confidence: float = 0.95) -> float:
    """Student's two-sided quantile with ``n - 1`` degrees of freedom."""
    return float(_st.t.ppf(0.5 + confidence / 2, n - 1))
