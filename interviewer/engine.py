"""The one interface both engines implement: phrasing questions and probes, and scoring answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from interviewer.bank import Probe, Question, QuestionKind
from interviewer.errors import InterviewerError
from interviewer.index import AnchorHit
from interviewer.rubric import Rubric
from interviewer.state import (
    AnswerScore,
    ContextPassage,
    DimensionScore,
    StagePlan,
    Turn,
    UsageRecord,
)

TokenSink = Callable[[str], None]


class UngradedError(InterviewerError):
    """An answer that could not be graded at all (no scorer read it); the answer is kept."""

    def __init__(self, message: str, usage: list[UsageRecord] | None = None) -> None:
        self.usage = usage or []
        super().__init__(message)


@dataclass(frozen=True)
class ScoreRequest:
    """Everything a scorer may use to judge one answer."""

    question: str
    kind: QuestionKind
    company: str
    round_id: str
    answer: str
    weights: dict[str, float]
    rubric: Rubric
    context: Sequence[ContextPassage] = ()
    anchors: Sequence[AnchorHit] = ()
    language: str = "en"  # ISO 639-1 code of the answer's language (the answer gate's finding)


@dataclass(frozen=True)
class ScoreResult:
    """Per-dimension scores plus notices for the candidate (flags, fallbacks) and token usage."""

    dimensions: list[DimensionScore]
    notices: list[str] = field(default_factory=list)
    usage: list[UsageRecord] = field(default_factory=list)
    fallback: bool = False  # the chosen judge failed and another scorer's result stands in
    flagged: list[str] = field(default_factory=list)  # sentences addressed to the grader, ignored


@dataclass(frozen=True)
class Utterance:
    """What the interviewer says, with any notice for the candidate and the tokens it cost."""

    text: str
    notices: list[str] = field(default_factory=list)
    usage: list[UsageRecord] = field(default_factory=list)


class InterviewEngine(Protocol):
    """An interviewer and judge; the offline engine and the LLM engine both implement it."""

    name: str
    uses_context: bool  # whether score() reads ScoreRequest.context (retrieval can be skipped if not)
    reads_any_language: bool  # whether score() grades answers that are not in English

    def phrase_question(self, question: Question, stage: StagePlan, transcript: Sequence[Turn],
                        on_token: TokenSink | None = None) -> Utterance:
        """The words the interviewer says to ask a bank question (streamed to on_token)."""
        ...

    def phrase_probe(self, question: Question, probe: Probe, last: AnswerScore, stage: StagePlan,
                     on_token: TokenSink | None = None) -> Utterance:
        """The words of a follow-up aimed at the weakest part of the last answer."""
        ...

    def score(self, request: ScoreRequest) -> ScoreResult:
        """Score an answer on every applicable dimension, with evidence and missing elements."""
        ...

    def round_summary(self, stage: StagePlan, scores: Sequence[AnswerScore], rubric: Rubric, *,
                      score: float | None, unanswered: int) -> str:
        """A short spoken summary that closes a round (`score` is the round's score as the debrief
        counts it, `unanswered` how many of its questions went unanswered)."""
        ...

    def rewrite_suggestion(self, dimension: str, score: DimensionScore, answer: str) -> str:
        """A concrete rewrite that would lift this dimension of this answer."""
        ...
