"""Graph nodes: each a small step of the interview; routing lives in the returned Commands."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from langgraph.config import get_stream_writer
from langgraph.types import Command, interrupt

from interviewer.bank import Loops, Probe, Question, QuestionBank, pick_questions
from interviewer.debrief import build_debrief, round_score, unanswered_of
from interviewer.engine import InterviewEngine, TokenSink, Utterance
from interviewer.gate import Gate, classify_turn, not_english_notice
from interviewer.index import Retriever
from interviewer.prompts import render
from interviewer.rubric import Rubric
from interviewer.scoring import AnswerScorer, ScoringTask, applicable_weights
from interviewer.state import (
    AnswerScore,
    InterviewState,
    PendingPrompt,
    StagePlan,
    Turn,
    Unanswered,
    UnansweredReason,
)

COMMANDS: dict[str, str] = {
    "/skip": "skip", "/repeat": "repeat", "/end round": "end_round", "/end-round": "end_round",
    "/end interview": "end_interview", "/end-interview": "end_interview", "/end": "end_interview",
}
TRUNCATION_NOTICE = ("Your answer was {length:,} characters: the first {limit:,} were scored, and the whole "
                     "answer is kept in the transcript.")


def _looks_like_command(text: str) -> bool:
    """A short slash-word that is not a known command: a typo, not an answer."""
    stripped = text.strip()
    return stripped.startswith("/") and len(stripped) <= 30 and len(stripped.split()) <= 3


def parse_command(text: str) -> str | None:
    """The candidate command this input is, if any (commands start with a slash)."""
    key = re.sub(r"\s+", " ", text.strip().lower())
    return COMMANDS.get(key)


def turn(role: Any, kind: Any, text: str, stage: str | None = None,
         question_id: str | None = None) -> Turn:
    """Build a transcript line."""
    return Turn(role=role, kind=kind, text=text, stage=stage, question_id=question_id)


@dataclass(frozen=True)
class Nodes:
    """The interview's steps, bound to the engine, index and data they use."""

    engine: InterviewEngine
    retriever: Retriever
    bank: QuestionBank
    loops: Loops
    rubric: Rubric
    prompts_dir: Any
    max_answer_chars: int = 20_000
    max_probes: int = 2
    prices: tuple[float, float] = (0.0, 0.0)
    scorer: AnswerScorer = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scorer", AnswerScorer(self.engine, self.rubric, self.retriever))

    # -- helpers -------------------------------------------------------------------------
    def _stage(self, state: InterviewState) -> StagePlan:
        return state["plan"][state["stage_idx"]]

    def _question(self, state: InterviewState) -> Question:
        return self.bank.get(self._stage(state)["question_ids"][state["question_idx"]])

    def _question_prompt(self, state: InterviewState, stage_idx: int,
                         question_idx: int) -> tuple[PendingPrompt, dict[str, Any]]:
        """The next question's prompt, plus the notices and usage of phrasing it."""
        stage = state["plan"][stage_idx]
        question = self.bank.get(stage["question_ids"][question_idx])
        said = self.engine.phrase_question(question, stage, state.get("transcript", []),
                                           on_token=_token_sink())
        prompt = PendingPrompt(kind="question", stage=stage["id"], question_id=question.id,
                               text=said.text, probe_dimension=None)
        return prompt, _said_update(said, stage["id"], question.id)

    def _task(self, state: InterviewState) -> ScoringTask:
        """The question being answered and the answer so far (with its follow-ups)."""
        question = self._question(state)
        return ScoringTask(question=question.text, kind=question.kind, company=state["company"],
                           round_id=self._stage(state)["round"], answer="\n\n".join(state["answer_parts"]),
                           targets=tuple(question.dimensions))

    def _unanswered(self, state: InterviewState, reason: UnansweredReason, detail: str,
                    counts: bool = True) -> list[Unanswered]:
        """The record of the current question going unanswered (none once it has an answer)."""
        if state["attempt"] > 0:
            return []
        stage, question = self._stage(state), self._question(state)
        dims = applicable_weights(self.rubric, stage["round"], question.kind, question.dimensions)
        return [Unanswered(stage=stage["id"], question_id=question.id, question=question.text,
                           reason=reason, detail=detail, counts=counts, dimensions=list(dims))]

    def _recall_prompt(self, question: Question) -> str:
        cue = ("Think back over your last two or three roles: a launch, a metric that moved the wrong "
               "way, a disagreement with an engineer, a manager or a partner team. A small example is "
               "fine." if question.kind == "experience" else
               "You can reason it through out loud: who the user is, what you would change for them, "
               "and how you would know it worked.")
        return render(self.prompts_dir, "offline/recall.md", cue=cue)

    def _stage_intro(self, stage: StagePlan) -> Turn:
        count = len(stage["question_ids"])
        who = stage["interviewer"]
        who = who if who[1:2].isupper() else who[:1].lower() + who[1:]  # "the ML engineering lead"
        # "Stage 2: hiring manager" already says who: not "… with the hiring manager" again
        with_whom = "" if who.lower() in stage["name"].lower() else f" with the {who}"
        text = render(self.prompts_dir, "offline/stage_intro.md", stage_name=stage["name"],
                      with_whom=with_whom, minutes=str(stage["minutes"]),
                      count=str(count), plural="" if count == 1 else "s", intro=stage["intro"])
        return turn("interviewer", "intro", text, stage["id"])

    # -- nodes ---------------------------------------------------------------------------
    def plan(self, state: InterviewState) -> dict[str, Any]:
        """Choose the stages and their questions, and open the first round."""
        company = state["company"]
        variant = self.loops.variant(company, state.get("variant"))
        stages = self.loops.stages(company, state.get("requested_stages") or None, state.get("variant"))
        plan = [StagePlan(id=s.id, round=s.round, name=s.name, interviewer=s.interviewer,
                          minutes=s.minutes, intro=s.intro, weight=s.weight,
                          question_ids=[q.id for q in pick_questions(self.bank, company, s,
                                                                     state["seed"])],
                          source=s.source, defaults=list(s.defaults))
                for s in stages]
        partial: InterviewState = {**state, "plan": plan, "stage_idx": 0, "question_idx": 0}
        prompt, said = self._question_prompt(partial, 0, 0)
        return {"plan": plan, "committee": variant.committee.model_dump() if variant.committee else None,
                "stage_idx": 0, "question_idx": 0, "attempt": 0, "probes_used": [],
                "answer_parts": [], "recall_offered": False, "prompt": prompt, "ended_early": False, "finished": False,
                "debrief": None, "usage": said["usage"],
                "transcript": [self._stage_intro(plan[0]), *said["transcript"]]}

    def ask(self, state: InterviewState) -> dict[str, Any]:
        """Say the pending question or probe."""
        prompt = state["prompt"]
        assert prompt is not None
        return {"transcript": [turn("interviewer", prompt["kind"], prompt["text"], prompt["stage"],
                                    prompt["question_id"])]}

    def await_answer(self, state: InterviewState) -> dict[str, Any]:
        """Wait for the candidate (nothing with side effects may come before the interrupt)."""
        answer = interrupt({"prompt": state["prompt"]})
        return {"inbox": str(answer)}

    def intake(self, state: InterviewState) -> Command[
            Literal["ask", "await_answer", "retrieve", "next_question", "round_summary", "debrief"]]:
        """Record the turn, then act on it by its class (a command or the answer gate's verdict)
        before anything can fail; only these classes route, never the words of an answer."""
        raw = state.get("inbox") or ""
        prompt = state["prompt"]
        assert prompt is not None
        stage, qid = prompt["stage"], prompt["question_id"]
        command = parse_command(raw)
        if command is not None:
            record = [turn("candidate", "command", raw.strip(), stage, qid)]
            update: dict[str, Any] = {"inbox": None, "transcript": record}
            if command == "repeat":
                return Command(goto="ask", update=update)
            if command == "skip":
                update["unanswered"] = self._unanswered(state, "skipped", "skipped with /skip")
                return Command(goto="next_question", update=update)
            if command == "end_round":
                # the question on the table counts as unanswered, as with /skip: ending must not beat skipping
                update["unanswered"] = self._unanswered(state, "skipped", "left unanswered: the round was ended")
                return Command(goto="round_summary", update=update)
            # an ended interview's debrief covers what was answered: the open question is listed, not scored
            update["unanswered"] = self._unanswered(state, "skipped", "not reached: the interview was ended",
                                                    counts=False)
            return Command(goto="debrief", update={**update, "ended_early": True})
        if _looks_like_command(raw):
            notice = (f"{raw.strip()} is not a command. Commands: /skip, /repeat, /end round, "
                      "/end interview. Nothing was scored; answer when you're ready.")
            return Command(goto="await_answer", update={
                "inbox": None, "transcript": [turn("system", "notice", notice, stage, qid)]})
        text = raw[: self.max_answer_chars]
        gate = classify_turn(text, f"{prompt['text']}\n{self._question(state).text}")
        if gate.kind == "empty":
            notice = render(self.prompts_dir, "offline/reask.md", question=prompt["text"])
            return Command(goto="await_answer", update={
                "inbox": None, "transcript": [turn("interviewer", "notice", notice, stage, qid)]})
        spoken = "answer" if gate.scored or gate.kind == "not_english" else "declined"
        lines = [turn("candidate", spoken, raw, stage, qid)]  # all of it: only the scoring is cut
        if len(raw) > self.max_answer_chars:
            lines.append(turn("system", "notice", TRUNCATION_NOTICE.format(
                length=len(raw), limit=self.max_answer_chars), stage, qid))
        return self._route_gate(state, gate, text, lines)

    def _route_gate(self, state: InterviewState, gate: Gate, text: str, lines: list[Turn]) -> Command[
            Literal["ask", "await_answer", "retrieve", "next_question", "round_summary", "debrief"]]:
        """Where a turn goes by its class: move on, offer a recall prompt, or score it."""
        prompt = state["prompt"]
        assert prompt is not None
        stage, qid = prompt["stage"], prompt["question_id"]
        update: dict[str, Any] = {"inbox": None}

        def note(message: str, role: Any = "system", kind: Any = "notice") -> Turn:
            return turn(role, kind, message, stage, qid)

        answered = state["attempt"] > 0
        if gate.kind == "move_on":
            message = ("Moving on. You had answered this question, so its score stands." if answered else
                       "Moving on: this question counts as unanswered in the debrief.")
            return Command(goto="next_question", update={
                **update, "transcript": [*lines, note(message)],
                "unanswered": self._unanswered(state, "moved_on", "asked to move on")})
        if gate.kind == "dont_know":
            if not answered and not state.get("recall_offered"):
                recall = note(self._recall_prompt(self._question(state)), "interviewer", "recall")
                return Command(goto="await_answer", update={
                    **update, "recall_offered": True, "transcript": [*lines, recall]})
            message = ("No problem; your earlier answer stands. Let's move on." if answered else
                       "No problem, let's move on: this question counts as unanswered in the debrief.")
            return Command(goto="next_question", update={
                **update, "transcript": [*lines, note(message)],
                "unanswered": self._unanswered(state, "no_answer", "had no answer or example")})
        if gate.kind == "not_english" and not self.engine.reads_any_language:
            return Command(goto="next_question", update={
                **update, "transcript": [*lines, note(not_english_notice(gate.language_name))],
                "unanswered": self._unanswered(state, "not_graded", f"written in {gate.language_name}; "
                                               "the offline engine grades English only", counts=False)})
        if gate.kind == "off_topic" and answered:
            message = "That doesn't answer the follow-up, so your earlier score stands. Let's move on."
            return Command(goto="next_question", update={**update, "transcript": [*lines, note(message)]})
        return Command(goto="retrieve", update={
            **update, "transcript": lines, "answer_parts": [*state["answer_parts"], text]})

    def retrieve(self, state: InterviewState) -> dict[str, Any]:
        """Fetch the rubric passages for this question and answer (none if the engine reads none)."""
        task = self._task(state)
        return {"context": self.scorer.context(task)}

    def score(self, state: InterviewState) -> dict[str, Any]:
        """Score the answer so far (after a probe: the answer with its follow-ups)."""
        question = self._question(state)
        stage = self._stage(state)
        assessment = self.scorer.assess(self._task(state), context=state.get("context", []))
        notices = [turn("system", "notice", n, stage["id"], question.id) for n in assessment.notices]
        if assessment.weighted is None:  # nothing could grade it (a judge failure on another language)
            return {"transcript": notices, "usage": assessment.usage, "pending_probe": None,
                    "unanswered": self._unanswered(state, "not_graded", "could not be graded", counts=False)}
        record = AnswerScore(
            stage=stage["id"], round=stage["round"], question_id=question.id, question=question.text,
            attempt=state["attempt"], answer=assessment.gate.text, dimensions=assessment.dimensions,
            weighted=assessment.weighted, engine=self.engine.name,
            context_ids=[c["id"] for c in assessment.context],
            anchor_ids=[a["id"] for a in assessment.anchors], notices=assessment.notices,
            gate=assessment.gate.kind, flagged=assessment.flagged)
        _emit({"score": record})
        probing = assessment.gate.on_topic
        chosen = self._choose_probe(state, record) if probing else None
        return {"scores": [record], "transcript": notices, "usage": assessment.usage,
                "pending_probe": chosen.model_dump() if chosen else None}

    def route_after_score(self, state: InterviewState) -> Literal["probe", "next_question"]:
        """Probe when the score step found a weak core dimension and probes are left."""
        return "probe" if state.get("pending_probe") else "next_question"

    def _choose_probe(self, state: InterviewState, last: AnswerScore) -> Probe | None:
        """A probe for the weakest core dimension at or below the bar, if the question has probes left."""
        question = self._question(state)
        if state["attempt"] >= min(self.max_probes, len(question.probes)):
            return None
        weak = sorted((d["score"], self.rubric.core_dimensions.index(d["dimension"]), d["dimension"])
                      for d in last["dimensions"]
                      if d["dimension"] in self.rubric.core_dimensions
                      and d["score"] <= self.rubric.probe_at)
        if not weak:
            return None
        unused = [p for p in question.probes if p.text not in state["probes_used"]]
        weakest = [dim for score, _, dim in weak if score == weak[0][0]]
        for dim in weakest:  # the question's own follow-up for a weakest dimension, if it has one
            for probe in unused:
                if probe.dimension == dim:
                    return probe
        dim = weakest[0]
        return Probe(dimension=dim, text=render(self.prompts_dir, f"offline/probes/{dim}.md"))

    def probe(self, state: InterviewState) -> dict[str, Any]:
        """Ask the follow-up the score step chose."""
        pending = state.get("pending_probe")
        if not pending:
            raise RuntimeError("probe node reached with no probe chosen")
        probe = Probe.model_validate(pending)
        question = self._question(state)
        stage = self._stage(state)
        said = self.engine.phrase_probe(question, probe, state["scores"][-1], stage,
                                        on_token=_token_sink())
        return {"attempt": state["attempt"] + 1, "probes_used": [*state["probes_used"], probe.text],
                "pending_probe": None,
                "prompt": PendingPrompt(kind="probe", stage=stage["id"], question_id=question.id,
                                        text=said.text, probe_dimension=probe.dimension),
                **_said_update(said, stage["id"], question.id)}

    def next_question(self, state: InterviewState) -> Command[Literal["ask", "round_summary"]]:
        """Move to the stage's next question, or close the round."""
        nxt = state["question_idx"] + 1
        if nxt >= len(self._stage(state)["question_ids"]):
            return Command(goto="round_summary")
        prompt, said = self._question_prompt(state, state["stage_idx"], nxt)
        return Command(goto="ask", update={
            "question_idx": nxt, "attempt": 0, "probes_used": [], "answer_parts": [],
            "recall_offered": False, "prompt": prompt, **said})

    def round_summary(self, state: InterviewState) -> Command[Literal["ask", "debrief"]]:
        """Summarise the round, then open the next one or finish."""
        stage = self._stage(state)
        finals = final_scores([s for s in state.get("scores", []) if s["stage"] == stage["id"]])
        missed = [u for u in unanswered_of(state) if u["stage"] == stage["id"]]
        score = round_score(finals, missed)
        text = self.engine.round_summary(stage, finals, self.rubric, score=score,
                                         unanswered=sum(1 for u in missed if u["counts"]))
        update: dict[str, Any] = {
            "summaries": [{"stage": stage["id"], "name": stage["name"], "text": text, "score": score}],
            "transcript": [turn("interviewer", "summary", text, stage["id"])],
        }
        nxt = state["stage_idx"] + 1
        if nxt >= len(state["plan"]):
            return Command(goto="debrief", update=update)
        partial: InterviewState = {**state, "stage_idx": nxt}
        prompt, said = self._question_prompt(partial, nxt, 0)
        update.update({"stage_idx": nxt, "question_idx": 0, "attempt": 0, "probes_used": [],
                       "answer_parts": [], "recall_offered": False, "prompt": prompt, "usage": said["usage"]})
        update["transcript"] += [self._stage_intro(state["plan"][nxt]), *said["transcript"]]
        return Command(goto="ask", update=update)

    def debrief(self, state: InterviewState) -> dict[str, Any]:
        """Write the hiring-committee debrief from every scored answer."""
        report = build_debrief(state, self.rubric, self.engine, final_scores(state.get("scores", [])),
                               self.prices)
        return {"debrief": report, "finished": True, "prompt": None,
                "transcript": [turn("interviewer", "debrief", report_headline(report))]}


def _token_sink() -> TokenSink | None:
    """Stream interviewer tokens to callers that asked for custom stream events."""
    try:
        writer = get_stream_writer()
    except RuntimeError:  # not running inside a graph (a direct call in a test)
        return None
    return lambda token: writer({"token": token})


def _emit(event: dict[str, Any]) -> None:
    """Send a custom stream event (a no-op unless the caller streams)."""
    with contextlib.suppress(RuntimeError):
        get_stream_writer()(event)


def _said_update(said: Utterance, stage: str, question_id: str) -> dict[str, Any]:
    return {"usage": said.usage,
            "transcript": [turn("system", "notice", n, stage, question_id) for n in said.notices]}


def final_scores(scores: list[AnswerScore]) -> list[AnswerScore]:
    """The last scoring of each question (a probe's answer re-scores the whole answer)."""
    latest: dict[tuple[str, str], AnswerScore] = {}
    for score in scores:
        latest[(score["stage"], score["question_id"])] = score
    return list(latest.values())


def report_headline(report: Any) -> str:
    """One line announcing the debrief."""
    if report["judgment_score"] is None:
        return "The interview is over. No answers were scored, so there is no judgment to report."
    return (f"The interview is over. Judgment score {report['judgment_score']:.2f} / 4: "
            f"{report['hire_signal']}. The full debrief follows.")
