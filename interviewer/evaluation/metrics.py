"""Agreement statistics between human labels and a scorer on the 1-4 scale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import numpy as np

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
    """4x4 counts, rows by the human label and columns by the scorer's."""
    matrix = np.zeros((LEVELS, LEVELS), dtype=int)
    for h, s in zip(human, scorer, strict=True):
        matrix[h - 1, s - 1] += 1
    return matrix


def _qwk_from(matrix: np.ndarray) -> float:
    n = matrix.sum()
    if n == 0:
        return float("nan")
    idx = np.arange(LEVELS)
    weights = (idx[:, None] - idx[None, :]) ** 2 / (LEVELS - 1) ** 2
    expected = np.outer(matrix.sum(axis=1), matrix.sum(axis=0)) / n
    denominator = (weights * expected).sum()
    if denominator == 0:
        # both sides used one level only: perfect if they agree, no information otherwise
        return 1.0 if (weights * matrix).sum() == 0 else 0.0
    return float(1 - (weights * matrix).sum() / denominator)


def qwk(human: Sequence[int], scorer: Sequence[int]) -> float:
    """Cohen's kappa with quadratic weights on the 1-4 scale."""
    return _qwk_from(confusion(human, scorer))


def qwk_interval(human: Sequence[int], scorer: Sequence[int], *, seed: int = 0,
                 samples: int = BOOTSTRAP_SAMPLES) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of the QWK (items resampled with replacement)."""
    h = np.asarray(human) - 1
    s = np.asarray(scorer) - 1
    if len(h) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(h), size=(samples, len(h)))
    values = []
    for row in draws:
        matrix = np.zeros((LEVELS, LEVELS), dtype=int)
        np.add.at(matrix, (h[row], s[row]), 1)
        values.append(_qwk_from(matrix))
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank."""
    order = values.argsort(kind="mergesort")
    ranks = np.empty(len(values), dtype=float)
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(human: Sequence[int], scorer: Sequence[int]) -> float:
    """Spearman rank correlation (nan when either side is constant)."""
    h = _ranks(np.asarray(human, dtype=float))
    s = _ranks(np.asarray(scorer, dtype=float))
    if len(h) < 2 or h.std() == 0 or s.std() == 0:
        return float("nan")
    return float(np.corrcoef(h, s)[0, 1])


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
