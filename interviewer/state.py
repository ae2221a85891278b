"""Schemas of the interview graph state and of what flows through it."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired, TypedDict

Role = Literal["interviewer", "candidate", "system"]
# "declined": the candidate's reply that was not an answer (asked to move on, had no example);
# "recall": the interviewer's prompt to recall an example after "I can't think of one".
TurnKind = Literal["intro", "question", "probe", "answer", "declined", "recall", "notice", "command", "summary",
                   "debrief"]
UnansweredReason = Literal["skipped", "moved_on", "no_answer", "not_graded"]


class Turn(TypedDict):
    """One line of the transcript."""

    role: Role
    kind: TurnKind
    text: str
    stage: str | None
    question_id: str | None


class StagePlan(TypedDict):
    """A planned interview of the loop and its chosen questions."""

    id: str
    round: str
    name: str
    interviewer: str
    minutes: int
    intro: str
    weight: float
    question_ids: list[str]
    source: NotRequired[str]  # the reference lines the stage rests on
    defaults: NotRequired[list[str]]  # values no source gives (project defaults), shown as such


class PendingPrompt(TypedDict):
    """What the interviewer is asking now and waiting on."""

    kind: Literal["question", "probe"]
    stage: str
    question_id: str
    text: str
    probe_dimension: str | None


class ElementQuote(TypedDict):
    """A rubric element an answer shows, with the sentence that shows it."""

    element: str
    label: str
    quote: str


class DimensionScore(TypedDict):
    """One dimension's score for an answer, with the evidence that earned it."""

    dimension: str
    score: int
    evidence: list[str]
    missing: list[str]
    rationale: str
    low_confidence: NotRequired[bool]
    offline_score: NotRequired[int]
    cited: NotRequired[list[str]]
    shown: NotRequired[list[ElementQuote]]  # offline engine: which sentence shows which element


class Unanswered(TypedDict):
    """A question the candidate did not answer, and why; `counts` when it weighs on the round."""

    stage: str
    question_id: str
    question: str
    reason: UnansweredReason
    detail: str
    counts: bool
    dimensions: NotRequired[list[str]]  # what the question would have been scored on


class UsageRecord(TypedDict):
    """Tokens one model call used."""

    purpose: Literal["interviewer", "judge"]
    model: str
    prompt_tokens: int
    completion_tokens: int


class AnswerScore(TypedDict):
    """The scoring of one answer (after a probe: of the answer plus its follow-ups)."""

    stage: str
    round: str
    question_id: str
    attempt: int
    answer: str
    dimensions: list[DimensionScore]
    weighted: float
    engine: str
    context_ids: list[str]
    anchor_ids: list[str]
    notices: list[str]
    question: NotRequired[str]
    gate: NotRequired[str]  # the answer gate's class: "answer", "repeated", "off_topic", "not_english"
    flagged: NotRequired[list[str]]  # sentences addressed to the grader, ignored


class RoundSummary(TypedDict):
    """The short summary that closes a round."""

    stage: str
    name: str
    text: str
    score: float | None


class ContextPassage(TypedDict):
    """A retrieved rubric passage, cited by id."""

    id: str
    title: str
    section: str
    text: str


class Debrief(TypedDict):
    """The hiring-committee style report at the end of the loop."""

    company: str
    ended_early: bool
    answered: int
    skipped: int
    rounds: list[dict[str, object]]
    dimensions: dict[str, dict[str, float]]
    judgment_score: float | None
    hire_signal: str
    strengths: list[dict[str, object]]
    gaps: list[dict[str, object]]
    prep_plan: list[str]
    rubric_version: str
    engine: str
    cost: dict[str, Any]
    low_confidence: list[dict[str, Any]]
    unanswered: NotRequired[list[Unanswered]]
    ignored: NotRequired[list[dict[str, Any]]]  # per question: sentences addressed to the grader
    judgment_method: NotRequired[str]  # how the judgment score was reached (committee or stage weights)
    committee: NotRequired[dict[str, Any] | None]  # the committee's signals, when the loop has one


class InterviewState(TypedDict, total=False):
    """The whole interview; list fields only ever grow (reducers append)."""

    session_id: str
    company: str
    variant: str
    seed: int
    rubric_version: str  # the rubric the session started on; it keeps it when a newer one is published
    requested_stages: list[str]
    committee: dict[str, Any] | None  # the loop variant's committee step (bank.Committee as a dict)
    plan: list[StagePlan]
    stage_idx: int
    question_idx: int
    attempt: int
    probes_used: list[str]
    pending_probe: dict[str, str] | None
    prompt: PendingPrompt | None
    inbox: str | None
    answer_parts: list[str]
    recall_offered: bool
    context: list[ContextPassage]
    transcript: Annotated[list[Turn], operator.add]
    scores: Annotated[list[AnswerScore], operator.add]
    summaries: Annotated[list[RoundSummary], operator.add]
    skipped: Annotated[list[str], operator.add]  # kept for sessions saved before `unanswered`
    unanswered: Annotated[list[Unanswered], operator.add]
    usage: Annotated[list[UsageRecord], operator.add]
    debrief: Debrief | None
    ended_early: bool
    finished: bool
