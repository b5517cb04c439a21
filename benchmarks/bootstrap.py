"""Bootstrap intervals for the evaluation scripts: how far a figure measured on ~90 labelled
stories could move with another sample of stories like them (resampling stories, not mentions,
because a story's errors come together)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

RESAMPLES = 2_000


def interval(per_story: np.ndarray, statistic: Callable[[np.ndarray], float], level: float = 0.95,
             resamples: int = RESAMPLES, seed: int = 0) -> tuple[float, float]:
    """Percentile interval of `statistic` (of the column sums) over resamples of the stories.
    `per_story`: one row per story, e.g. its (tp, fp, fn)."""
    per_story = np.asarray(per_story, dtype=np.float64)
    picks = np.random.default_rng(seed).integers(0, len(per_story), size=(resamples, len(per_story)))
    values = [statistic(per_story[pick].sum(axis=0)) for pick in picks]
    low, high = np.percentile(values, [50 * (1 - level), 50 * (1 + level)])
    return float(low), float(high)


def f1(sums: np.ndarray) -> float:
    """Micro F1 of summed (tp, fp, fn)."""
    tp, fp, fn = sums[:3]
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def share(sums: np.ndarray) -> float:
    """Summed (hits, stories) as a share."""
    return sums[0] / sums[1] if sums[1] else 0.0
