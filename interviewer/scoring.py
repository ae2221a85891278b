"""The one path from a question and an answer to rubric scores.

A live interview, `interviewer eval` and `interviewer calibrate` all score through
`AnswerScorer.assess`, so the release gate measures exactly what candidates get: the same
answer gate, the same applicable dimensions and weights, the same anchors and passages, the
same engine call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from interviewer.bank import QuestionKind
from interviewer.engine import InterviewEngine, ScoreRequest, UngradedError
from interviewer.gate import Gate, classify_turn
from interviewer.index import AnchorHit, Retriever
from interviewer.offline.text import strip_injections
from interviewer.rubric import Rubric
from interviewer.state import ContextPassage, DimensionScore, UsageRecord

ANCHORS_PER_ANSWER = 5
PASSAGES_PER_ANSWER = 4
_RETRIEVAL_CHARS = (2000, 4000)  # how much of an answer the passage and anchor searches read


@dataclass(frozen=True)
class ScoringTask:
    """A question and the answer to it, with where it was asked."""

    question: str
    kind: QuestionKind
    company: str
    round_id: str
    answer: str
    targets: tuple[str, ...] = ()  # the question's own dimensions (adds question-scoped ones)


@dataclass(frozen=True)
class Assessment:
    """The gate's verdict on an answer and, when it was scored, the scores.

    `dimensions` is empty and `weighted` None when the gate kept the answer from the scorer
    (for example an answer in a language the engine cannot grade).
    """

    gate: Gate
    weights: dict[str, float]
    dimensions: list[DimensionScore] = field(default_factory=list)
    weighted: float | None = None
    notices: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    usage: list[UsageRecord] = field(default_factory=list)
    fallback: bool = False
    anchors: list[AnchorHit] = field(default_factory=list)
    context: list[ContextPassage] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        """Whether the answer was scored."""
        return self.weighted is not None


def applicable_weights(rubric: Rubric, round_id: str, kind: str, targets: Sequence[str] = ()) -> dict[str, float]:
    """The dimensions scored for a question of this kind in this round, with their weights."""
    return {str(d): w for d, w in rubric.applicable(round_id, kind == "experience", targets).items()}  # type: ignore[arg-type]


def weighted_score(dimensions: Sequence[DimensionScore], weights: dict[str, float]) -> float:
    """The weighted mean (1-4) of an answer's dimension scores, rounded to 3 places."""
    total = sum(weights[d["dimension"]] for d in dimensions)
    return round(sum(weights[d["dimension"]] * d["score"] for d in dimensions) / total, 3)


def _searchable(answer: str) -> str:
    """The answer as the anchor and passage searches read it: without grader-directed sentences,
    so an instruction can never change what the answer is judged against."""
    cleaned, flagged = strip_injections(answer)
    return cleaned if flagged and cleaned else answer


class AnswerScorer:
    """Scores answers with one engine, rubric and index: the gate, then the engine."""

    def __init__(self, engine: InterviewEngine, rubric: Rubric, retriever: Retriever) -> None:
        self.engine = engine
        self.rubric = rubric
        self.retriever = retriever

    def gate(self, task: ScoringTask) -> Gate:
        """What kind of answer this is (see interviewer.gate)."""
        return classify_turn(task.answer, task.question)

    def context(self, task: ScoringTask) -> list[ContextPassage]:
        """The knowledge passages the engine's judge reads (none for an engine that reads none)."""
        if not self.engine.uses_context:
            return []
        hits = self.retriever.search(f"{task.question}\n{_searchable(task.answer)[:_RETRIEVAL_CHARS[0]]}",
                                     k=PASSAGES_PER_ANSWER, company=task.company, round_id=task.round_id)
        return [ContextPassage(id=p["id"], title=p["title"], section=p["section"], text=p["text"])
                for p in hits]

    def anchors(self, task: ScoringTask) -> list[AnchorHit]:
        """The labelled anchors most similar to the answer, from the same round."""
        return self.retriever.nearest_anchors(_searchable(task.answer)[:_RETRIEVAL_CHARS[1]], k=ANCHORS_PER_ANSWER,
                                              round_id=task.round_id)

    def gradable(self, gate: Gate) -> bool:
        """Whether the engine can score an answer the gate passed on."""
        if gate.kind == "not_english":
            return self.engine.reads_any_language
        return gate.scored

    def assess(self, task: ScoringTask, *, context: Sequence[ContextPassage] | None = None) -> Assessment:
        """Gate the answer, then score it on every applicable dimension.

        `context` lets the interview pass the passages its retrieve step already fetched; they
        are fetched the same way when omitted.
        """
        gate = self.gate(task)
        weights = applicable_weights(self.rubric, task.round_id, task.kind, task.targets)
        if not self.gradable(gate):
            return Assessment(gate, weights, notices=list(gate.notices))
        scored_task = replace(task, answer=gate.text)
        anchors = self.anchors(scored_task)
        passages = list(context) if context is not None else self.context(scored_task)
        try:
            result = self.engine.score(ScoreRequest(
                question=task.question, kind=task.kind, company=task.company, round_id=task.round_id,
                answer=gate.text, weights=weights, rubric=self.rubric, context=passages, anchors=anchors,
                language=gate.language or "en"))
        except UngradedError as exc:
            return Assessment(gate, weights, notices=[*gate.notices, str(exc)], usage=exc.usage,
                              anchors=anchors, context=passages)
        notices = [*gate.notices, *result.notices]
        if gate.asides and not result.flagged:
            notices.append(f"Ignored {len(gate.asides)} aside(s) addressed to the grader inside your sentences; "
                           "they earned nothing.")
        return Assessment(
            gate, weights, dimensions=result.dimensions, weighted=weighted_score(result.dimensions, weights),
            notices=notices, flagged=[*gate.asides, *result.flagged], usage=list(result.usage),
            fallback=result.fallback, anchors=anchors, context=passages)
