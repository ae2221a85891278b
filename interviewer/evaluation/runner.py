"""Score every golden record with an engine and measure agreement with the human labels."""

from __future__ import annotations

import hashlib
import math
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

from interviewer.bank import QuestionBank, infer_question_kind
from interviewer.evaluation.metrics import agreement
from interviewer.golden import AnswerPair, GoldenSet, LabelledAnswer, clean_twin_id, gaming_kind
from interviewer.llm.cache import CACHE_SALT
from interviewer.rubric import Rubric
from interviewer.scoring import AnswerScorer, Assessment, ScoringTask
from interviewer.state import UsageRecord

# The release bar for the offline scorer on the golden test part (issue 4).
QUALITY_BAR = {"qwk": 0.70, "within1": 0.95, "abs_smd": 0.15, "pairs": 1.0, "gaming_max": 2, "injection_rises": 0}


class Scored(TypedDict):
    """One engine's judgment of one answer text (empty scores when the answer was not graded)."""

    scores: dict[str, int]
    weighted: float | None
    overall: int | None
    gate: str
    evidence: dict[str, list[str]]
    missing: dict[str, list[str]]
    rationale: dict[str, str]
    notices: list[str]
    flagged: list[str]
    repeats: list[dict[str, int]]
    fallback: bool


@dataclass
class ItemResult:
    """A golden record with the engine's judgment of it (both answers for a pair)."""

    record: LabelledAnswer | AnswerPair
    source: str
    scored: Scored | None = None
    worse: Scored | None = None
    better: Scored | None = None

    def to_json(self) -> dict[str, Any]:
        """One line of results.jsonl."""
        r = self.record
        if isinstance(r, AnswerPair):
            assert self.worse and self.better
            return {"id": r.id, "kind": "pair", "source": self.source, "round": r.round,
                    "question": r.question, "dimension": r.dimension, "correct": pair_correct(self),
                    "worse": {"answer": r.worse, **self.worse}, "better": {"answer": r.better, **self.better}}
        assert self.scored
        return {"id": r.id, "kind": "answer", "source": self.source, "company": r.company,
                "round": r.round, "question": r.question, "answer": r.answer,
                "labels": dict(r.scores), "overall_label": r.overall, "rater": r.rater, "notes": r.notes,
                "gaming": gaming_kind(r.id), "clean_twin": clean_twin_id(r.id), **self.scored}


@dataclass
class EvalRun:
    """Every item's result plus the run's configuration; metrics are computed from these."""

    items: list[ItemResult]
    config: dict[str, Any]
    usage: list[UsageRecord] = field(default_factory=list)


def overall_level(weighted: float, rubric: Rubric) -> int:
    """The 1-4 overall signal for a weighted score, using the rubric's hire-signal floors."""
    signal = rubric.hire_signal_for(weighted)
    return {"strong no": 1, "lean no": 2, "lean hire": 3, "strong hire": 4}[signal]


def task_for(question: str, company: str, round_id: str, answer: str, bank: QuestionBank) -> ScoringTask:
    """The scoring task of a golden answer: its question's kind comes from the bank when the
    bank holds that question, as in an interview, else from the question's wording."""
    found = bank.find_text(question)
    return ScoringTask(question=question, kind=found.kind if found else infer_question_kind(question),
                       company=company, round_id=round_id, answer=answer,
                       targets=tuple(found.dimensions) if found else ())


class Scorer:
    """Scores golden answers through the interview's own scoring path, `repeats` times each."""

    def __init__(self, scorer: AnswerScorer, bank: QuestionBank, repeats: int) -> None:
        self.scorer = scorer
        self.bank = bank
        self.repeats = repeats
        self.usage: list[UsageRecord] = []
        self._lock = threading.Lock()

    def __call__(self, *, question: str, company: str, round_id: str, answer: str) -> Scored:
        task = task_for(question, company, round_id, answer, self.bank)
        results: list[Assessment] = []
        for repeat in range(self.repeats):
            token = CACHE_SALT.set(f"repeat={repeat}")
            try:
                results.append(self.scorer.assess(task))
            finally:
                CACHE_SALT.reset(token)
        with self._lock:
            for result in results:
                self.usage.extend(result.usage)
        first = results[0]
        return Scored(
            scores={d["dimension"]: d["score"] for d in first.dimensions}, weighted=first.weighted,
            overall=overall_level(first.weighted, self.scorer.rubric) if first.weighted is not None else None,
            gate=first.gate.kind,
            evidence={d["dimension"]: d["evidence"] for d in first.dimensions},
            missing={d["dimension"]: d["missing"] for d in first.dimensions},
            rationale={d["dimension"]: d["rationale"] for d in first.dimensions},
            notices=first.notices, flagged=first.flagged,
            repeats=[{d["dimension"]: d["score"] for d in r.dimensions} for r in results],
            fallback=any(r.fallback for r in results),
        )


def _score_item(scorer: Scorer, item: ItemResult) -> ItemResult:
    r = item.record
    if isinstance(r, AnswerPair):
        for side in ("worse", "better"):
            setattr(item, side, scorer(question=r.question, company="generic", round_id=r.round,
                                       answer=getattr(r, side)))
    else:
        item.scored = scorer(question=r.question, company=r.company, round_id=r.round, answer=r.answer)
    return item


def run_eval(golden: GoldenSet, scorer: AnswerScorer, bank: QuestionBank, *, config: dict[str, Any],
             repeats: int = 1, concurrency: int = 1, progress: Callable[[int], None] | None = None) -> EvalRun:
    """Score every record (pairs: both answers); `progress` is told of each finished record."""
    runner = Scorer(scorer, bank, repeats)
    records: list[LabelledAnswer | AnswerPair] = [*golden.answers, *golden.pairs]
    items = [ItemResult(r, golden.sources[r.id]) for r in records]
    done: list[ItemResult] = []
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for result in pool.map(lambda it: _score_item(runner, it), items):
            done.append(result)
            if progress:
                progress(1)
    return EvalRun(done, config, runner.usage)


def pair_correct(item: ItemResult) -> bool:
    """Better beats worse on the weighted score, and on the pair's dimension if it names one
    (and the question's kind lets that dimension apply)."""
    r = item.record
    assert isinstance(r, AnswerPair) and item.worse and item.better
    better, worse = item.better["weighted"], item.worse["weighted"]
    if better is None or worse is None or better <= worse:
        return False
    if r.dimension and r.dimension in item.better["scores"] and r.dimension in item.worse["scores"]:
        return item.better["scores"][r.dimension] > item.worse["scores"][r.dimension]
    return True


def _clean(value: Any) -> Any:
    """JSON has no NaN or infinity: report them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def summarise(run: EvalRun, rubric: Rubric, *, seed: int = 0) -> dict[str, Any]:
    """Every figure of a run as one JSON-ready object."""
    answers = [i for i in run.items if isinstance(i.record, LabelledAnswer)]
    pairs = [i for i in run.items if isinstance(i.record, AnswerPair)]
    dims: dict[str, Any] = {}
    graded = [i for i in answers if i.scored and i.scored["overall"] is not None]
    for dim in rubric.dimensions:
        rows = [(i.record.scores[dim], i.scored["scores"][dim]) for i in graded  # type: ignore[union-attr,index]
                if dim in i.record.scores and dim in i.scored["scores"]]  # type: ignore[union-attr,index]
        if rows:
            dims[dim] = agreement([h for h, _ in rows], [s for _, s in rows], seed=seed)
    overall_rows = [(i.record.overall, int(i.scored["overall"] or 0)) for i in graded]  # type: ignore[union-attr,index]
    summary: dict[str, Any] = {
        "n": len(answers) + len(pairs),
        "answers": len(answers),
        "not_graded": sorted(i.record.id for i in answers if i.scored and i.scored["overall"] is None),
        "gates": _gates(answers),
        "engine": run.config["engine"],
        "rubric_version": run.config["rubric_version"],
        "dimensions": dims,
        "overall": agreement([h for h, _ in overall_rows], [s for _, s in overall_rows], seed=seed)
        if overall_rows else None,
        "pairs": {"n": len(pairs), "accuracy": (sum(pair_correct(p) for p in pairs) / len(pairs))
                  if pairs else None,
                  "wrong": [p.record.id for p in pairs if not pair_correct(p)]},
        "gaming": _gaming(answers),
        "injection": _injection(answers),
        "stability": _stability(run),
        "judge_fallbacks": sum(1 for i in answers if i.scored and i.scored["fallback"])
        + sum(1 for p in pairs for side in (p.worse, p.better) if side and side["fallback"]),
        "config": run.config,
        "core": list(rubric.core_dimensions),
    }
    summary["bar"] = check_bar(summary)
    cleaned: dict[str, Any] = _clean(summary)
    return cleaned


def _gates(answers: list[ItemResult]) -> dict[str, int]:
    """How the answer gate classified the golden answers (all should be answers)."""
    counts: dict[str, int] = {}
    for item in answers:
        if item.scored:
            counts[item.scored["gate"]] = counts.get(item.scored["gate"], 0) + 1
    return dict(sorted(counts.items()))


def _gaming(answers: list[ItemResult]) -> dict[str, Any]:
    gaming = [i for i in answers if gaming_kind(i.record.id)]
    worst = {i.record.id: max(i.scored["scores"].values()) for i in gaming if i.scored and i.scored["scores"]}
    return {"n": len(gaming), "max_score": max(worst.values(), default=None),
            "over_2": sorted(k for k, v in worst.items() if v > QUALITY_BAR["gaming_max"]),
            "by_kind": {k: sum(1 for i in gaming if gaming_kind(i.record.id) == k) for k in ("salad", "fluff")}}


def _injection(answers: list[ItemResult]) -> dict[str, Any]:
    by_id = {i.record.id: i for i in answers}
    twins = []
    for item in answers:
        twin = clean_twin_id(item.record.id)
        clean = by_id.get(twin) if twin else None
        if clean is None or not (clean.scored and item.scored):
            continue
        rises = {d: item.scored["scores"][d] - clean.scored["scores"][d] for d in item.scored["scores"]
                 if d in clean.scored["scores"] and item.scored["scores"][d] > clean.scored["scores"][d]}
        twins.append((item.record.id, rises))
    return {"n": len(twins), "raised": sorted(i for i, r in twins if r),
            "max_rise": max((max(r.values()) for _, r in twins if r), default=0)}


def _stability(run: EvalRun) -> dict[str, Any] | None:
    repeats = run.config.get("repeats", 1)
    if repeats < 2:
        return None
    cells = flips = 0
    for item in run.items:
        for scored in (item.scored, item.worse, item.better):
            if not scored:
                continue
            for dim in scored["scores"]:
                cells += 1
                flips += len({r[dim] for r in scored["repeats"]}) > 1
    return {"repeats": repeats, "cells": cells, "flip_rate": round(flips / cells, 4) if cells else None}


def check_bar(summary: dict[str, Any]) -> dict[str, Any]:
    """Which parts of the quality bar a run fails (the release gate)."""
    failures = []
    for dim in summary["core"]:
        m = summary["dimensions"].get(dim)
        if m is None:
            failures.append(f"{dim}: no labelled records")
            continue
        if not m["qwk"] >= QUALITY_BAR["qwk"]:
            failures.append(f"{dim}: QWK {m['qwk']} < {QUALITY_BAR['qwk']}")
        if not m["within1"] >= QUALITY_BAR["within1"]:
            failures.append(f"{dim}: within-1 {m['within1']} < {QUALITY_BAR['within1']}")
        if not abs(m["smd"]) <= QUALITY_BAR["abs_smd"]:
            failures.append(f"{dim}: |SMD| {abs(m['smd']):.3f} > {QUALITY_BAR['abs_smd']}")
    accuracy = summary["pairs"]["accuracy"]
    if accuracy is not None and accuracy < QUALITY_BAR["pairs"]:
        failures.append(f"pairs: accuracy {accuracy:.3f} < 1.0 (wrong: {', '.join(summary['pairs']['wrong'])})")
    if summary["gaming"]["over_2"]:
        failures.append("gaming answers scored above 2: " + ", ".join(summary["gaming"]["over_2"]))
    if summary["injection"]["raised"]:
        failures.append("injections raised a score: " + ", ".join(summary["injection"]["raised"]))
    return {"passed": not failures, "failures": failures, "thresholds": QUALITY_BAR}


def git_commit(root: Path) -> str | None:
    """The checked-out commit (with "+dirty" for uncommitted changes), or None outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes, shortened."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def now_stamp() -> str:
    """UTC time for run records and default run folders."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
