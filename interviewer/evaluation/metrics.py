"""Agreement statistics between human labels and a scorer on the 1-4 scale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import numpy as np
from scipy.stats import bootstrap, spearmanr
from sklearn.metrics import cohen_kappa_score, confusion_matrix

LEVELS = 4
BOOTSTRAP_SAMPLES = 1000


class Agreement(TypedDict):
    """Every agreement figure for one dimension (or for the overall hire signal)."""

    n: int
    qwk: float
    qwk_ci: list[float]
    exact: float
    within1: float
    mae: float
    smd: float
    spearman: float
    mean_human: float
    mean_scorer: float
    confusion: list[list[int]]  # rows: human 1-4, columns: scorer 1-4


def confusion(human: Sequence[int], scorer: Sequence[int]) -> np.ndarray:
    """4x4 counts, rows by the human label and columns by the scorer's (scikit-learn)."""
    if len(human) == 0:
        return np.zeros((LEVELS, LEVELS), dtype=int)
    return np.asarray(confusion_matrix(list(human), list(scorer), labels=list(range(1, LEVELS + 1))))


def qwk(human: Sequence[int], scorer: Sequence[int]) -> float:
    """Cohen's kappa with quadratic weights on the 1-4 scale (scikit-learn's cohen_kappa_score).

    When both sides use a single level the statistic is undefined: 1.0 if they agree, 0.0 if not.
    """
    if len(human) == 0:
        return float("nan")
    if len(set(human)) == 1 and len(set(scorer)) == 1:
        return 1.0 if set(human) == set(scorer) else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = cohen_kappa_score(list(human), list(scorer), weights="quadratic", labels=list(range(1, LEVELS + 1)))
    return float(value) if np.isfinite(value) else 0.0


def _qwk_rows(human: np.ndarray, scorer: np.ndarray, axis: int = -1) -> np.ndarray:
    """QWK of many resamples at once (rows of 1-4 labels): the formula cohen_kappa_score uses,
    vectorised so a 1,000-sample bootstrap takes milliseconds."""
    h = np.moveaxis(np.asarray(human), axis, -1).astype(int) - 1
    s = np.moveaxis(np.asarray(scorer), axis, -1).astype(int) - 1
    rows = h.reshape(-1, h.shape[-1]), s.reshape(-1, s.shape[-1])
    counts = np.zeros((rows[0].shape[0], LEVELS * LEVELS))
    np.add.at(counts, (np.arange(rows[0].shape[0])[:, None], rows[0] * LEVELS + rows[1]), 1)
    matrix = counts.reshape(-1, LEVELS, LEVELS)
    idx = np.arange(LEVELS)
    weights = (idx[:, None] - idx[None, :]) ** 2
    expected = matrix.sum(axis=2)[:, :, None] * matrix.sum(axis=1)[:, None, :] / matrix.sum(axis=(1, 2))[:, None, None]
    observed = (weights * matrix).sum(axis=(1, 2))
    chance = (weights * expected).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(chance > 0, 1 - observed / chance, np.where(observed == 0, 1.0, 0.0))
    return value.reshape(h.shape[:-1])


def qwk_interval(human: Sequence[int], scorer: Sequence[int], *, seed: int = 0,
                 samples: int = BOOTSTRAP_SAMPLES) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of the QWK, items resampled in pairs (scipy.stats.bootstrap)."""
    if len(human) < 2:
        return float("nan"), float("nan")
    result = bootstrap((np.asarray(human), np.asarray(scorer)), _qwk_rows, paired=True, vectorized=True,
                       n_resamples=samples, method="percentile", confidence_level=0.95,
                       random_state=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def spearman(human: Sequence[int], scorer: Sequence[int]) -> float:
    """Spearman rank correlation (scipy; nan when either side is constant)."""
    if len(human) < 2 or len(set(human)) == 1 or len(set(scorer)) == 1:
        return float("nan")
    return float(spearmanr(list(human), list(scorer)).statistic)


def smd(human: Sequence[int], scorer: Sequence[int]) -> float:
    """Standardised mean difference (scorer minus human, over the pooled SD): the scorer's bias."""
    h = np.asarray(human, dtype=float)
    s = np.asarray(scorer, dtype=float)
    pooled = np.sqrt((h.var(ddof=1) + s.var(ddof=1)) / 2) if len(h) > 1 else 0.0
    if pooled == 0:
        return 0.0 if s.mean() == h.mean() else float(np.sign(s.mean() - h.mean()) * np.inf)
    return float((s.mean() - h.mean()) / pooled)


def agreement(human: Sequence[int], scorer: Sequence[int], *, seed: int = 0) -> Agreement:
    """All agreement figures for paired labels and scores."""
    h = np.asarray(human)
    s = np.asarray(scorer)
    diff = np.abs(h - s)
    lo, hi = qwk_interval(human, scorer, seed=seed)
    n = len(h)
    return Agreement(
        n=n, qwk=_round(qwk(human, scorer)), qwk_ci=[_round(lo), _round(hi)],
        exact=_round(float((diff == 0).mean()) if n else float("nan")),
        within1=_round(float((diff <= 1).mean()) if n else float("nan")),
        mae=_round(float(diff.mean()) if n else float("nan")),
        smd=_round(smd(human, scorer)) if n else float("nan"),
        spearman=_round(spearman(human, scorer)),
        mean_human=_round(float(h.mean()) if n else float("nan")),
        mean_scorer=_round(float(s.mean()) if n else float("nan")),
        confusion=confusion(human, scorer).tolist(),
    )


def _round(value: float) -> float:
    return value if not np.isfinite(value) else round(value, 4)
