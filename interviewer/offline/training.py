"""Train the sentence-level element detectors from the labelled sentences in evals/sentences/.

One command (`interviewer detectors train`) reads the repository's own files, embeds every
sentence with all-MiniLM-L6-v2, fits one logistic regression per element with scikit-learn,
chooses each element's regularisation and threshold by cross-validation grouped by answer (so no
answer is ever both trained and tested on), and writes the artefact. It is deterministic: the
same files give the same weights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from threadpoolctl import threadpool_limits

from interviewer.bank import QuestionBank
from interviewer.dimensions import ELEMENTS
from interviewer.embeddings import Embedder
from interviewer.errors import DataFileError
from interviewer.offline.detectors import FEATURES, ElementDetectors, ElementModel, feature_rows, inputs_hash
from interviewer.offline.text import Sentence

SENTENCES_DIR = Path(__file__).resolve().parents[2] / "evals" / "sentences"
FOLDS = 5
C_GRID = (0.05, 0.2, 1.0)
# Fitting runs on one BLAS thread: with one per core the sums ran in another order, moving weights
# by up to 1e-3 and tipping a near-tied threshold (core_clear 0.825 on one thread, 0.85 on two), so
# the same files gave a different artefact on a machine with another core count. One thread is
# also faster here (40-70 s against 3 min 40 s to train on 2 idle cores): the problems are small.
# (Another CPU with other BLAS kernels may still differ in the last bits.)
BLAS_THREADS = 1
MIN_POSITIVES = 8  # fewer labelled examples than this: the element keeps its cue-pattern detector
# Elements decided from other elements, not from one sentence: never trained.
DERIVED = frozenset({"two_concepts_applied"})
RowT = TypeVar("RowT", bound=BaseModel)
DIMENSION_OF = {element: dim for dim, elements in ELEMENTS.items() for element in elements}


@dataclass(frozen=True)
class LabelledSentences:
    """Every labelled sentence: its answer, text, labels, whether its question asks for a story and
    the dimensions its elements were labelled for (an element trains only on sentences labelled
    for its dimension: elsewhere a missing label says nothing)."""

    answer_ids: list[str]
    sids: list[str]
    texts: list[str]
    experience: list[bool]
    labels: list[set[str]]
    labelled_for: list[frozenset[str]]

    def rows_for(self, dimension: str) -> np.ndarray:
        """The indices of the sentences labelled for a dimension."""
        return np.array([i for i, dims in enumerate(self.labelled_for) if dimension in dims], dtype=int)


_ID = Annotated[str, StringConstraints(min_length=1)]


class _LabelRow(BaseModel):
    sid: _ID
    elements: list[str]


class _SentenceRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sid: _ID
    text: Annotated[str, StringConstraints(min_length=1)]


class _AnswerRow(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt "labeled_for" must not pass as "every dimension"
    answer_id: _ID
    question: _ID
    sentences: Annotated[list[_SentenceRow], Field(min_length=1)]
    labelled_for: list[str] | None = None
    source: str | None = None
    round: str | None = None


def _rows(path: Path, model: type[RowT]) -> Iterator[tuple[int, RowT]]:
    """Each non-blank line of a JSONL file validated as `model`, with its line number; a missing or
    unreadable file, or a line that is not JSON or not that shape, raises DataFileError naming the
    line and the field."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        bad_line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataFileError(path, bad_line, f"not UTF-8 text ({exc.reason})") from None
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines(): U+2028 may sit in a text
        if not line.strip():
            continue
        try:
            yield number, model.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise DataFileError(path, number, f"{field + ': ' if field else ''}{first['msg']}") from None


def load_labelled(directory: Path, bank: QuestionBank) -> LabelledSentences:
    """Join answers.jsonl with every labels_*.jsonl; raises DataFileError naming the file and line
    for a malformed line, an unknown element or dimension, a duplicate id or an unlabelled sentence."""
    answers_path = directory / "answers.jsonl"
    label_files = sorted(directory.glob("labels_*.jsonl"))
    if not label_files:
        raise DataFileError(directory, None, "no labels_*.jsonl files to train on")
    labels: dict[str, set[str]] = {}
    label_lines: dict[str, tuple[Path, int]] = {}  # where each sid was first labelled
    for path in label_files:
        seen: dict[str, int] = {}
        for number, row in _rows(path, _LabelRow):
            unknown = set(row.elements) - set(DIMENSION_OF)
            if unknown:
                raise DataFileError(path, number, f"unknown element(s): {', '.join(sorted(unknown))}")
            if row.sid in seen:
                raise DataFileError(path, number, f"sid {row.sid} is already labelled on line {seen[row.sid]}")
            seen[row.sid] = number
            label_lines.setdefault(row.sid, (path, number))
            labels.setdefault(row.sid, set()).update(row.elements)
    out = LabelledSentences([], [], [], [], [], [])
    first_line: dict[str, int] = {}
    sid_line: dict[str, int] = {}
    for number, answer in _rows(answers_path, _AnswerRow):
        if answer.answer_id in first_line:
            raise DataFileError(answers_path, number, f"answer_id {answer.answer_id} is already used on line "
                                f"{first_line[answer.answer_id]}")
        first_line[answer.answer_id] = number
        story = bank.kind_of(answer.question) == "experience"
        named = set(ELEMENTS) if answer.labelled_for is None else set(answer.labelled_for)
        if not named or named - set(ELEMENTS):
            raise DataFileError(answers_path, number, "labelled_for must list dimensions: "
                                f"{', '.join(sorted(named - set(ELEMENTS))) or 'none given'}")
        labelled_for = frozenset(named)
        for sentence in answer.sentences:
            if sentence.sid not in labels:
                raise DataFileError(answers_path, number, f"sentence {sentence.sid} has no labels")
            if sentence.sid in sid_line:
                raise DataFileError(answers_path, number, f"sid {sentence.sid} is already used on line "
                                    f"{sid_line[sentence.sid]}")
            sid_line[sentence.sid] = number
            outside = {e for e in labels[sentence.sid] if DIMENSION_OF[e] not in labelled_for}
            if outside:
                raise DataFileError(answers_path, number, f"sentence {sentence.sid} has labels for "
                                    f"{', '.join(sorted({DIMENSION_OF[e] for e in outside}))}, which its answer "
                                    f"is not labelled for ({', '.join(sorted(outside))})")
            out.answer_ids.append(answer.answer_id)
            out.sids.append(sentence.sid)
            out.texts.append(sentence.text)
            out.experience.append(story)
            out.labels.append(labels[sentence.sid])
            out.labelled_for.append(labelled_for)
    stray = [sid for sid in label_lines if sid not in sid_line]
    if stray:  # a misspelt sid would otherwise lose its labels without a word
        path, number = label_lines[stray[0]]
        raise DataFileError(path, number, f"sid {stray[0]} is not a sentence in {answers_path.name}"
                            + (f" (and {len(stray) - 1} more)" if len(stray) > 1 else ""))
    return out


def features_for(data: LabelledSentences, embedder: Embedder) -> np.ndarray:
    """Feature rows for every labelled sentence (vectors computed in one batch)."""
    vectors = np.asarray(embedder.embed(data.texts))
    rows: list[np.ndarray] = []
    start = 0
    while start < len(data.texts):  # one answer at a time: its sentences are contiguous
        end = start
        while end < len(data.texts) and data.answer_ids[end] == data.answer_ids[start]:
            end += 1
        sentences = [Sentence(text, 0) for text in data.texts[start:end]]
        rows.extend(feature_rows(sentences, vectors[start:end], data.experience[start]))
        start = end
    return np.stack(rows) if rows else np.zeros((0, FEATURES), dtype=np.float32)


def _best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float, float]:
    """The probability threshold with the best F1 on held-out predictions: (threshold, P, R, F1)."""
    best = (0.5, 0.0, 0.0, 0.0)
    for threshold in np.arange(0.2, 0.91, 0.025):
        predicted = p >= threshold
        tp = float((predicted & (y == 1)).sum())
        precision = tp / max(1.0, float(predicted.sum()))
        recall = tp / max(1.0, float((y == 1).sum()))
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best[3] + 1e-9:
            best = (round(float(threshold), 3), precision, recall, f1)
    return best


def answer_folds(data: LabelledSentences) -> list[tuple[np.ndarray, np.ndarray]]:
    """The FOLDS (train, held-out) splits of the sentence indices, grouped by answer so no answer
    is on both sides; training, cross-fitting and their tests all use these. Answers labelled for
    every dimension are split on their own, then those labelled for some: adding the second kind
    leaves every fold of the first as it was, so the elements they do not label train as before."""
    from sklearn.model_selection import GroupKFold

    everything = frozenset(ELEMENTS)
    held_out: list[list[int]] = [[] for _ in range(FOLDS)]
    for complete in (True, False):
        subset = np.array([i for i, dims in enumerate(data.labelled_for) if (dims == everything) == complete])
        groups = np.array(data.answer_ids)[subset] if len(subset) else np.array([])
        if len(set(groups)) >= FOLDS:
            for k, (_, test) in enumerate(GroupKFold(n_splits=FOLDS).split(subset, groups=groups)):
                held_out[k].extend(subset[test])
        else:  # too few answers to balance: one fold each
            for k, answer in enumerate(dict.fromkeys(groups)):
                held_out[k % FOLDS].extend(subset[groups == answer])
    n = len(data.sids)
    return [(np.setdiff1d(np.arange(n), test), np.sort(np.array(test, dtype=int))) for test in held_out]


def _restricted(folds: list[tuple[np.ndarray, np.ndarray]], keep: np.ndarray,
                n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The same folds over the `keep` sentences (of n), as indices into that subset."""
    position = np.full(n, -1)
    position[keep] = np.arange(len(keep))
    subset = [(position[train], position[test]) for train, test in folds]
    return [(train[train >= 0], test[test >= 0]) for train, test in subset]


def _classifier(c: float) -> Any:
    """The element classifier: L2-regularised logistic regression, positives weighted up to balance."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=3000)


@threadpool_limits.wrap(limits=BLAS_THREADS)
def train(data: LabelledSentences, rows: np.ndarray, *, version: str, embedding: str,
          progress: Callable[[str], None] | None = None) -> tuple[ElementDetectors, dict[str, Any]]:
    """Fit every element's classifier; returns the detectors and the held-out report per element."""
    folds = answer_folds(data)
    models: dict[str, ElementModel] = {}
    report: dict[str, Any] = {}
    for dim, elements in ELEMENTS.items():
        labelled = data.rows_for(dim)
        dim_folds = _restricted(folds, labelled, len(data.sids))
        dim_rows = rows[labelled]
        for element in elements:
            y = np.array([1 if element in data.labels[i] else 0 for i in labelled])
            positives = int(y.sum())
            if element in DERIVED or positives < MIN_POSITIVES:
                if positives:
                    report[element] = {"dimension": dim, "positives": positives, "trained": False}
                continue
            best: tuple[float, tuple[float, float, float, float]] | None = None
            for c in C_GRID:
                held_out = np.zeros(len(y))
                for train_idx, test_idx in dim_folds:
                    if y[train_idx].sum() == 0:
                        continue
                    model = _classifier(c).fit(dim_rows[train_idx], y[train_idx])
                    held_out[test_idx] = model.predict_proba(dim_rows[test_idx])[:, 1]
                scored = _best_threshold(y, held_out)
                if best is None or scored[3] > best[1][3] + 1e-9:
                    best = (c, scored)
            assert best is not None
            c, (threshold, precision, recall, f1) = best
            final = _classifier(c).fit(dim_rows, y)
            models[element] = ElementModel(final.coef_[0].astype(np.float64), float(final.intercept_[0]), threshold)
            report[element] = {"dimension": dim, "positives": positives, "trained": True, "C": c,
                               "threshold": threshold, "precision": round(precision, 3),
                               "recall": round(recall, 3), "f1": round(f1, 3)}
            if progress:
                progress(element)
    meta = {"version": version, "features": FEATURES, "embedding": embedding,
            "sentences": len(data.sids), "answers": len(set(data.answer_ids)), "folds": FOLDS,
            "elements": report}
    return ElementDetectors(models, meta), meta


def train_from_repository(embedder: Embedder, bank: QuestionBank, directory: Path = SENTENCES_DIR,
                          progress: Callable[[str], None] | None = None) -> ElementDetectors:
    """Train from evals/sentences/ and return the detectors (not yet saved)."""
    data = load_labelled(directory, bank)
    version = inputs_hash([directory / "answers.jsonl", *sorted(directory.glob("labels_*.jsonl"))], embedder.name)
    detectors, _ = train(data, features_for(data, embedder), version=version, embedding=embedder.name,
                         progress=progress)
    return detectors


def report_lines(meta: dict[str, Any]) -> Sequence[str]:
    """The held-out precision and recall per element, as table lines."""
    lines = [f"detectors {meta['version']}: {meta['sentences']} labelled sentences from {meta['answers']} answers, "
             f"{meta['folds']}-fold cross-validation grouped by answer", "",
             f"{'element':<28}{'dimension':<18}{'pos':>5}{'P':>7}{'R':>7}{'F1':>7}"]
    for element, r in meta["elements"].items():
        if r.get("trained"):
            lines.append(f"{element:<28}{r['dimension']:<18}{r['positives']:>5}{r['precision']:>7.2f}"
                         f"{r['recall']:>7.2f}{r['f1']:>7.2f}")
        else:
            lines.append(f"{element:<28}{r['dimension']:<18}{r['positives']:>5}   (too few labels: cue patterns)")
    return lines


@threadpool_limits.wrap(limits=BLAS_THREADS)
def crossfit(directory: Path, embedder: Embedder, bank: QuestionBank, trained: ElementDetectors,
             needed: set[str] | None = None) -> dict[str, ElementDetectors]:
    """For every labelled answer (of `needed`, when given), detectors fitted without its fold (same
    folds, regularisation and thresholds as `trained`): what calibrate must use on those answers, so
    that fitting levels never sees detectors that were trained on the very sentences they judge."""
    data = load_labelled(directory, bank)
    rows = features_for(data, embedder)
    groups = np.array(data.answer_ids)
    by_answer: dict[str, ElementDetectors] = {}
    for train_idx, test_idx in answer_folds(data):
        if needed is not None and not needed & {str(a) for a in groups[test_idx]}:
            continue  # no answer being calibrated sits in this fold
        models: dict[str, ElementModel] = {}
        for element, model in trained.models.items():
            fit_on = np.intersect1d(train_idx, data.rows_for(DIMENSION_OF[element]))
            y = np.array([1 if element in data.labels[i] else 0 for i in fit_on])
            if y.sum() == 0:
                continue
            c = trained.meta["elements"][element]["C"]
            fitted = _classifier(c).fit(rows[fit_on], y)
            models[element] = ElementModel(fitted.coef_[0].astype(np.float64), float(fitted.intercept_[0]),
                                           model.threshold)
        fold = ElementDetectors(models, {**trained.meta, "version": f"{trained.version}-crossfit"})
        for answer_id in set(groups[test_idx]):
            by_answer[str(answer_id)] = fold
    return by_answer
