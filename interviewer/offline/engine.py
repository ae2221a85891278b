"""The offline engine: bank questions as written, rule-based scoring, templated feedback."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from interviewer.bank import Probe, Question
from interviewer.dimensions import REGISTRY
from interviewer.engine import ScoreRequest, ScoreResult, TokenSink, Utterance
from interviewer.offline.detectors import SentenceModel, packaged_sentence_model
from interviewer.offline.scorer import score_answer
from interviewer.prompts import render
from interviewer.rubric import Rubric
from interviewer.state import AnswerScore, DimensionScore, StagePlan, Turn


class OfflineEngine:
    """Deterministic interviewer and judge; needs no key and no network."""

    name = "offline"
    uses_context = False
    reads_any_language = False  # its detectors read English

    def __init__(self, prompts_dir: Path, sentences: SentenceModel | Literal["packaged"] | None = "packaged") -> None:
        self.prompts_dir = prompts_dir
        # the trained sentence detectors (MiniLM + classifiers); None: cue patterns only
        self.sentences = packaged_sentence_model() if sentences == "packaged" else sentences

    @property
    def detectors_version(self) -> str:
        """Which element detectors score answers (recorded with every eval run)."""
        return self.sentences.detectors.version if self.sentences else "cue-patterns"

    def phrase_question(self, question: Question, stage: StagePlan, transcript: Sequence[Turn],
                        on_token: TokenSink | None = None) -> Utterance:
        """Ask the bank question as written."""
        del stage, transcript, on_token
        return Utterance(question.text)

    def phrase_probe(self, question: Question, probe: Probe, last: AnswerScore, stage: StagePlan,
                     on_token: TokenSink | None = None) -> Utterance:
        """Ask the bank's follow-up as written."""
        del question, last, stage, on_token
        return Utterance(probe.text)

    def score(self, request: ScoreRequest) -> ScoreResult:
        """Score with the rule-based offline scorer, anchored on similar labelled answers."""
        dims, notices, flagged = score_answer(
            request.answer, list(request.weights), experience=request.kind == "experience",
            anchors=[a for a in request.anchors if a["round"] == request.round_id],
            tuning=request.rubric.offline, sentences=self.sentences,
        )
        return ScoreResult(dims, notices, flagged=flagged)

    def round_summary(self, stage: StagePlan, scores: Sequence[AnswerScore], rubric: Rubric, *,
                      score: float | None, unanswered: int) -> str:
        """Close a round with its score and its strongest and weakest dimension."""
        missed = f", and {unanswered} question(s) left unanswered, counted as 1" if unanswered else ""
        if not scores:
            verdict = ("No answers were scored in this round." if score is None else
                       f"Round score {score:.2f} / 4: no answers{missed}.")
            return render(self.prompts_dir, "offline/round_summary.md", stage_name=stage["name"],
                          verdict=verdict, strongest="", weakest="")
        by_dim: dict[str, list[int]] = {}
        for answer in scores:
            for d in answer["dimensions"]:
                by_dim.setdefault(d["dimension"], []).append(d["score"])
        means = {d: sum(v) / len(v) for d, v in by_dim.items()}
        best = max(means, key=lambda d: (means[d], d))
        worst = min(means, key=lambda d: (means[d], d))
        verdict = f"Round score {score:.2f} / 4 over {len(scores)} answer(s){missed}."
        strongest = f"Strongest: {rubric.dimensions[best].name} ({means[best]:.2f})."
        weakest = (f"Work on: {rubric.dimensions[worst].name} ({means[worst]:.2f})."
                   if means[worst] < means[best] else "")
        return render(self.prompts_dir, "offline/round_summary.md", stage_name=stage["name"],
                      verdict=verdict, strongest=strongest, weakest=weakest)

    def rewrite_suggestion(self, dimension: str, score: DimensionScore, answer: str) -> str:
        """What this answer's line still needs for the next level (its first missing element), then
        the dimension's worked example; the offline engine does not write the candidate's sentence."""
        del answer
        example = REGISTRY[dimension].rewrite
        quote = score["evidence"][0] if score["evidence"] else ""
        gap = next((m for m in score.get("missing") or [] if m), "")
        what = f"add what it lacks ({gap.rstrip('.')})" if gap else "build on it"
        if quote:
            return f"Start from your line \"{quote}\" and {what}. {example}"
        return f"First, {gap.rstrip('.')}. {example}" if gap else example
