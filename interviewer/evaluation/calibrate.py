"""Fit the offline scorer's weights and thresholds to labelled answers, with k-fold cross-validation.

Element detection does not depend on the tunable numbers, so every answer is analysed once;
fitting then only recombines which elements were found (fast enough for coordinate search).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.bank import QuestionBank
from interviewer.dimensions import ELEMENTS, WARNINGS
from interviewer.evaluation.metrics import Agreement, agreement, qwk, smd
from interviewer.evaluation.runner import task_for
from interviewer.golden import LabelledAnswer
from interviewer.offline.detectors import SentenceModel
from interviewer.offline.scorer import Analysis, analyse
from interviewer.offline.tuning import TUNING_MARKER, DimensionTuning, OfflineTuning, levels_for, tuning_block
from interviewer.rubric import Rubric
from interviewer.scoring import AnswerScorer, applicable_weights

# Elements that support a level only add points and warnings only take them away, so a fitted
# rubric stays readable (and cannot learn that deciding is bad from a small sample).
WEIGHT_GRID = (0.0, 0.5, 1.0, 1.5, 2.0)
WARNING_GRID = (-4.0, -2.0, -1.0, -0.5, 0.0)
ANCHOR_WEIGHTS = (0.0, 0.25, 0.5)
PASSES = 4


@dataclass(frozen=True)
class DimensionData:
    """What fitting one dimension needs: found elements, anchor pulls, caps and the labels."""

    found: np.ndarray  # answers x elements, 0/1
    pulls: np.ndarray  # nan where no similar anchor
    caps: np.ndarray
    labels: np.ndarray
    ids: list[str]


def levels(data: DimensionData, tuning: DimensionTuning, anchor_weight: float, elements: Sequence[str]) -> np.ndarray:
    """The scorer's levels for every answer: the offline scorer's own rule, applied to all at once."""
    return levels_for(data.found, tuning, elements, pulls=data.pulls, caps=data.caps, anchor_weight=anchor_weight)


def objective(human: np.ndarray, scorer: np.ndarray) -> float:
    """What fitting maximises: QWK, then within-1 agreement, with a penalty for bias beyond 0.1."""
    k = qwk(list(human), list(scorer))
    within = float((np.abs(human - scorer) <= 1).mean())
    bias = abs(smd(list(human), list(scorer)))
    return (k if np.isfinite(k) else 0.0) + 0.25 * within - 0.5 * max(0.0, (bias if np.isfinite(bias) else 1.0) - 0.1)


def score_figures(figures: Agreement) -> float:
    """The objective of a set of agreement figures (as `objective`, from the figures themselves)."""
    k = figures["qwk"] if np.isfinite(figures["qwk"]) else 0.0
    bias = abs(figures["smd"]) if np.isfinite(figures["smd"]) else 1.0
    return k + 0.25 * figures["within1"] - 0.5 * max(0.0, bias - 0.1)


def fit_dimension(data: DimensionData, start: DimensionTuning, anchor_weight: float,
                  elements: Sequence[str]) -> DimensionTuning:
    """Coordinate ascent over element weights and thresholds, starting from the current tuning."""
    seen: dict[bytes, float] = {}  # most trials leave every level as it was: score each outcome once

    def score(t: DimensionTuning) -> float:
        predicted = levels(data, t, anchor_weight, elements)
        key = predicted.tobytes()
        if key not in seen:
            seen[key] = objective(data.labels, predicted)
        return seen[key]

    best, best_score = start, score(start)
    for _ in range(PASSES):
        improved = False
        for element in elements:
            for value in (WARNING_GRID if element in WARNINGS else WEIGHT_GRID):
                trial = DimensionTuning(weights={**best.weights, element: value}, thresholds=best.thresholds)
                s = score(trial)
                if s > best_score + 1e-9:
                    best, best_score, improved = trial, s, True
        sums = sorted({round(float(p), 4) for p in data.found @ np.array(
            [best.weights.get(e, 0.0) for e in elements])} | {0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0})
        for k in range(3):
            for value in sums:
                thresholds = list(best.thresholds)
                thresholds[k] = value
                if not thresholds[0] < thresholds[1] < thresholds[2]:  # every level stays reachable
                    continue
                trial = DimensionTuning(weights=best.weights, thresholds=(thresholds[0], thresholds[1], thresholds[2]))
                s = score(trial)
                if s > best_score + 1e-9:
                    best, best_score, improved = trial, s, True
        if not improved:
            break
    return best


def fit(datasets: dict[str, DimensionData], current: OfflineTuning, fitted: str = "") -> OfflineTuning:
    """The tuning that fits these answers best; each anchor weight is tried, the best kept."""
    best: OfflineTuning | None = None
    best_total = -np.inf
    for anchor_weight in ANCHOR_WEIGHTS:
        dims = dict(current.dimensions)
        total = 0.0
        for dim, data in datasets.items():
            dims[dim] = fit_dimension(data, current.dimensions[dim], anchor_weight, ELEMENTS[dim])
            total += objective(data.labels, levels(data, dims[dim], anchor_weight, ELEMENTS[dim]))
        if total > best_total:
            best_total = total
            best = current.model_copy(update={"dimensions": dims, "anchor_weight": anchor_weight, "fitted": fitted})
    assert best is not None
    return best


def fold_of(record_id: str, k: int) -> int:
    """A stable fold number for an id (the same record always lands in the same fold)."""
    return int(hashlib.sha256(record_id.encode()).hexdigest(), 16) % k


def subset(data: DimensionData, mask: np.ndarray) -> DimensionData:
    """The answers selected by a boolean mask."""
    return DimensionData(data.found[mask], data.pulls[mask], data.caps[mask], data.labels[mask],
                         [i for i, keep in zip(data.ids, mask, strict=True) if keep])


def build_datasets(answers: Sequence[LabelledAnswer], analyses: Sequence[Analysis | None]) -> dict[str, DimensionData]:
    """Per dimension, the answers labelled on it that the scorer scores on it (as eval counts them)."""
    datasets: dict[str, DimensionData] = {}
    for dim, elements in ELEMENTS.items():
        rows = [(a, an) for a, an in zip(answers, analyses, strict=True)
                if an is not None and dim in a.scores and dim in an.elements]
        labels = [a.scores[dim] for a, _ in rows]
        if not rows:
            continue
        datasets[dim] = DimensionData(
            found=np.array([[float(an.found(dim)[e]) for e in elements] for _, an in rows]).reshape(len(rows), -1),
            pulls=np.array([an.pulls[dim] if an.pulls[dim] is not None else np.nan for _, an in rows]),
            caps=np.array([an.ceiling(dim) for _, an in rows]),
            labels=np.array(labels),
            ids=[a.id for a, _ in rows])
    return datasets


def analyse_all(answers: Sequence[LabelledAnswer], scorer: AnswerScorer, bank: QuestionBank,
                progress: Callable[[int], None] | None = None,
                held_out: Mapping[str, SentenceModel] | None = None) -> list[Analysis | None]:
    """Detect elements once per answer along the interview's own scoring path: the same gate,
    applicable dimensions and anchors (None for an answer the gate keeps from the scorer).

    `held_out` gives, for answers whose sentences trained the detectors, a sentence model fitted
    without them (see training.crossfit), so levels are never fitted on in-sample detections.
    """
    analyses: list[Analysis | None] = []
    default = getattr(scorer.engine, "sentences", None)
    for a in answers:
        task = task_for(a.question, a.company, a.round, a.answer, bank)
        gate = scorer.gate(task)
        if not scorer.gradable(gate):
            analyses.append(None)
        else:
            scored = replace(task, answer=gate.text)
            weights = applicable_weights(scorer.rubric, task.round_id, task.kind, task.targets)
            anchors = [h for h in scorer.anchors(scored) if h["round"] == task.round_id]
            analyses.append(analyse(gate.text, list(weights), experience=task.kind == "experience",
                                    anchors=anchors, tuning=scorer.rubric.offline,
                                    sentences=(held_out or {}).get(a.id, default)))
        if progress:
            progress(1)
    return analyses


def _figures(datasets: dict[str, DimensionData], predicted: dict[str, np.ndarray]) -> dict[str, Agreement]:
    return {dim: agreement(list(data.labels), list(predicted[dim])) for dim, data in datasets.items()}


def calibrate(datasets: dict[str, DimensionData], current: OfflineTuning, *, folds: int = 5,
              fitted: str = "") -> dict[str, Any]:
    """Current figures, k-fold cross-validated figures of refitting, and the tuning fitted on everything."""
    now = {dim: levels(d, current.dimensions[dim], current.anchor_weight, ELEMENTS[dim]) for dim, d in datasets.items()}
    cv_pred = {dim: np.zeros(len(d.labels), dtype=int) for dim, d in datasets.items()}
    fold_ids = {dim: np.array([fold_of(i, folds) for i in d.ids]) for dim, d in datasets.items()}
    for k in range(folds):
        train = {dim: subset(d, fold_ids[dim] != k) for dim, d in datasets.items()}
        tuned = fit(train, current)
        for dim, d in datasets.items():
            held = fold_ids[dim] == k
            if held.any():
                cv_pred[dim][held] = levels(subset(d, held), tuned.dimensions[dim], tuned.anchor_weight, ELEMENTS[dim])
    final = fit(datasets, current, fitted)
    in_sample = {dim: levels(d, final.dimensions[dim], final.anchor_weight, ELEMENTS[dim])
                 for dim, d in datasets.items()}
    return {"folds": folds, "answers": max(len(d.labels) for d in datasets.values()),
            "current": _figures(datasets, now), "cross_validated": _figures(datasets, cv_pred),
            "fitted_in_sample": _figures(datasets, in_sample), "tuning": final}


def next_version(version: str, today: datetime | None = None) -> str:
    """Bump a YYYY.MM.N rubric version (a new month starts again at 0); other schemes get a suffix."""
    today = today or datetime.now(UTC)
    match = re.fullmatch(r"(\d{4})\.(\d{1,2})\.(\d+)", version)
    if not match:
        return f"{version}+calibrated"
    year, month, n = (int(g) for g in match.groups())
    if (year, month) == (today.year, today.month):
        return f"{year}.{month:02d}.{n + 1}"
    return f"{today.year}.{today.month:02d}.0"


def write_tuning(rubric_path: Path, rubric: Rubric, tuning: OfflineTuning) -> str:
    """Replace the tuning block of a rubric file and bump its version; returns the new version."""
    text = rubric_path.read_text(encoding="utf-8")
    version = next_version(rubric.version)
    text, count = re.subn(r'(?m)^version:[ \t]*["\']?[^"\'\n]+["\']?[ \t]*$', f'version: "{version}"', text, count=1)
    if count != 1:
        raise ValueError(f"{rubric_path}: no top-level version line to bump")
    head = text.split(TUNING_MARKER)[0] if TUNING_MARKER in text else text
    if TUNING_MARKER not in text and re.search(r"(?m)^offline:", head):
        raise ValueError(f"{rubric_path}: an offline: section without the tuning marker line; "
                         f"put '{TUNING_MARKER}' above it")
    rubric_path.write_text(head.rstrip() + "\n\n" + tuning_block(tuning), encoding="utf-8")
    return version
