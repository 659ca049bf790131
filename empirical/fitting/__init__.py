"""Rate fitting on replicated gaps: models, window (burn-in, float floor), inference.

``fit_rate(k, gaps, model)`` -> :class:`RateFit`; ``fit_minibatch`` for the two-term
minibatch model across batch sizes. Inference is at the level of replicates only
(STATISTICS.md §2): per-replicate fits with t_{R-1} intervals, or a jackknife over
replicates.
"""

from empirical.fitting.inference import Estimate, needed_replicates, pooled_cluster_ols
from empirical.fitting.minibatch import MinibatchFit, fit_minibatch
from empirical.fitting.rate import fit_rate
from empirical.fitting.result import FLAG_TEXT, DecadeSlope, Interval, RateFit

__all__ = [
    "FLAG_TEXT",
    "DecadeSlope",
    "Estimate",
    "Interval",
    "MinibatchFit",
    "RateFit",
    "fit_minibatch",
    "fit_rate",
    "needed_replicates",
    "pooled_cluster_ols",
]
