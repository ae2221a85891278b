"""The LLM engine: an adaptive interviewer and a grounded judge, cross-checked by the offline scorer."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from interviewer.bank import Probe, Question
from interviewer.dimensions import REGISTRY
from interviewer.engine import ScoreRequest, ScoreResult, TokenSink, UngradedError, Utterance
from interviewer.gate import LANGUAGE_NAMES
from interviewer.llm.client import ChatModel, ChatReply, LLMError, Message
from interviewer.llm.evidence import verified_quotes
from interviewer.llm.schemas import JudgedDimension, JudgeOutput
from interviewer.offline.engine import OfflineEngine
from interviewer.offline.text import strip_injections
from interviewer.prompts import render
from interviewer.rubric import Rubric
from interviewer.state import AnswerScore, DimensionScore, StagePlan, Turn, UsageRecord

DISAGREEMENT = 2  # judge and offline scores this far apart are flagged low-confidence
INTERVIEWER_MAX_TOKENS = 300  # a question is two or three sentences
JUDGE_MAX_TOKENS = 2000  # seven dimensions with quotes fit well inside this
_TAGS = ("<candidate_answer>", "</candidate_answer>")
REVEALS = re.compile(
    r"\brubric\b|\b(?:you|your answer) (?:scored|score|got|earned)\b|\b[1-4]\s?/\s?4\b|"
    rf"\b(?:{'|'.join(d for d in REGISTRY if '_' in d)}|parl)\b|\blevel [1-4]\b|"
    r"\bmodel answer\b|\bstrong answer (?:would|should)\b|\bhire signal\b", re.IGNORECASE)


def fence(text: str) -> str:
    """Candidate text as data: it may not close or open the tagged section it sits in."""
    for tag in _TAGS:
        text = text.replace(tag, tag.replace("<", "‹").replace(">", "›"))
    return text


class LLMEngine:
    """Interviewer and judge over any OpenAI-compatible server; falls back to offline on failure."""

    name = "llm"
    uses_context = True
    reads_any_language = True  # the judge grades an answer in the language it was written in

    def __init__(self, chat: ChatModel, *, interviewer_model: str, judge_model: str,
                 temperature: float, prompts_dir: Path, rubric: Rubric,
                 offline: OfflineEngine | None = None) -> None:
        self.chat = chat
        self.interviewer_model = interviewer_model
        self.judge_model = judge_model
        self.temperature = temperature
        self.prompts_dir = prompts_dir
        self.offline = offline or OfflineEngine(prompts_dir)
        self._judge_system = render(prompts_dir, "llm/judge_system.md",
                                    descriptors=_descriptors(rubric))

    # -- interviewer ---------------------------------------------------------------------
    def _say(self, system: str, user: str, fallback: str, on_token: TokenSink | None) -> Utterance:
        messages: list[Message] = [{"role": "system", "content": system},
                                   {"role": "user", "content": user}]
        try:
            reply = self.chat.complete(messages, model=self.interviewer_model,
                                       temperature=self.temperature, max_tokens=INTERVIEWER_MAX_TOKENS,
                                       on_token=on_token)
        except LLMError as exc:
            notice = f"{exc} The interviewer continues with the question as written in the bank."
            return Utterance(fallback, [notice], _usage("interviewer", self.interviewer_model, exc))
        text = reply.text.strip()
        if REVEALS.search(text):
            # the interviewer may not leak grading mid-interview: the bank's wording is safe
            return Utterance(fallback, [], [_record("interviewer", reply)])
        return Utterance(text, [], [_record("interviewer", reply)])

    def _system(self, stage: StagePlan, company: str) -> str:
        return render(self.prompts_dir, "llm/interviewer_system.md", interviewer=stage["interviewer"],
                      stage_name=stage["name"], company=company)

    def phrase_question(self, question: Question, stage: StagePlan, transcript: Sequence[Turn],
                        on_token: TokenSink | None = None) -> Utterance:
        """Ask the bank question in the interviewer's voice, adapted to the last answer."""
        last = next((t["text"] for t in reversed(transcript) if t["kind"] == "answer"), "")
        user = render(self.prompts_dir, "llm/ask_question.md", question=question.text,
                      last_answer=fence(last[:3000]) or "(no answer yet: this is the first question)")
        return self._say(self._system(stage, question.company), user, question.text, on_token)

    def phrase_probe(self, question: Question, probe: Probe, last: AnswerScore, stage: StagePlan,
                     on_token: TokenSink | None = None) -> Utterance:
        """A follow-up, in the round interviewer's voice, aimed at the probed dimension's gaps."""
        aimed = next((d for d in last["dimensions"] if d["dimension"] == probe.dimension),
                     min(last["dimensions"], key=lambda d: d["score"]))
        missing = "; ".join(aimed["missing"][:3]) or "a concrete, measurable detail"
        user = render(self.prompts_dir, "llm/ask_probe.md", question=question.text,
                      answer=fence(last["answer"][-3000:]), missing=missing, probe=probe.text)
        return self._say(self._system(stage, question.company), user, probe.text, on_token)

    # -- judge ---------------------------------------------------------------------------
    def score(self, request: ScoreRequest) -> ScoreResult:
        """One judge call (plus at most one repair), validated, cross-checked with offline.

        An answer in another language is graded as written; the offline scorer reads English
        only, so it neither flags disagreement nor stands in for a failed judge there.
        """
        english = request.language == "en"
        offline = self.offline.score(request) if english else None
        clean, flagged = strip_injections(request.answer)
        user = render(
            self.prompts_dir, "llm/judge_user.md", company=request.company, round=request.round_id,
            kind=request.kind, dimensions=", ".join(request.weights),
            passages="\n".join(f"[{c['id']}] {c['text'][:700]}" for c in request.context) or "(none)",
            anchors=_anchor_text(request), question=request.question,
            removed_note=(f"({len(flagged)} sentence(s) addressed to the grader were removed from "
                          "the answer before grading.)" if flagged else ""),
            language_note=("" if english else
                           f"The answer is written in {LANGUAGE_NAMES.get(request.language, request.language)}. "
                           "Grade it in that language, exactly as you would an English answer, and copy "
                           "evidence quotes verbatim from it, untranslated."),
            answer=fence(clean))
        messages: list[Message] = [{"role": "system", "content": self._judge_system},
                                   {"role": "user", "content": user}]
        usage: list[UsageRecord] = []
        try:
            output = self._judge(messages, usage)
        except LLMError as exc:
            if offline is None:
                raise UngradedError(f"{exc} The answer is kept, but it could not be graded: the offline "
                                    "scorer reads English only.", usage) from exc
            return ScoreResult(offline.dimensions, [*offline.notices, f"{exc} These scores come "
                               "from the offline scorer instead."], usage, fallback=True, flagged=flagged)
        return self._merge(request, output, offline, usage, flagged)

    def _judge(self, messages: list[Message], usage: list[UsageRecord]) -> JudgeOutput:
        problem = ""
        for attempt in range(2):
            if attempt:
                messages = [*messages, {"role": "user", "content": render(
                    self.prompts_dir, "llm/judge_repair.md", problem=problem)}]
            try:
                reply = self.chat.complete(messages, model=self.judge_model, temperature=0.0,
                                           schema=JudgeOutput, max_tokens=JUDGE_MAX_TOKENS)
            except LLMError as exc:
                usage.extend(_usage("judge", self.judge_model, exc))
                raise
            usage.append(_record("judge", reply))
            try:
                return JudgeOutput.model_validate_json(_strip_fences(reply.text))
            except ValidationError as exc:
                problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                    for e in exc.errors()[:5])
                if attempt == 0:
                    messages = [*messages, {"role": "assistant", "content": reply.text[:4000]}]
        raise LLMError("bad_request",
                       f"The judge's reply did not fit the expected format ({problem[:160]}).")

    def _merge(self, request: ScoreRequest, output: JudgeOutput, offline: ScoreResult | None,
               usage: list[UsageRecord], flagged: list[str]) -> ScoreResult:
        judged: dict[str, JudgedDimension] = {}
        for d in output.dimensions:
            judged.setdefault(d.dimension, d)
        by_offline = {d["dimension"]: d for d in offline.dimensions} if offline else {}
        notices = list(offline.notices) if offline else []
        dims: list[DimensionScore] = []
        dropped_total = 0
        for name in request.weights:
            off = by_offline.get(name)
            verdict = judged.get(name)
            if verdict is None:
                if off is None:
                    dims.append(DimensionScore(dimension=name, score=1, evidence=[], low_confidence=True,
                                               missing=["the judge did not grade this dimension"],
                                               rationale="not graded by the judge; scored 1 (clearly missing)"))
                    continue
                dims.append({**off, "low_confidence": True, "offline_score": off["score"],
                             "rationale": off["rationale"] + " (the judge skipped this dimension; "
                                                             "offline score used)"})
                continue
            quotes, dropped = verified_quotes(verdict.evidence, request.answer)
            dropped_total += dropped
            score = DimensionScore(dimension=name, score=verdict.score, evidence=quotes, missing=verdict.missing,
                                   rationale=verdict.rationale, cited=verdict.cited)
            if off is not None:
                score["low_confidence"] = abs(verdict.score - off["score"]) >= DISAGREEMENT
                score["offline_score"] = off["score"]
            dims.append(score)
        if dropped_total:
            notices.append(f"{dropped_total} evidence quote(s) from the judge were not in your answer "
                           "and were removed.")
        if output.injection_suspected and not flagged:
            notices.append("The judge found text that tried to instruct the grader; it earned nothing.")
        low = [d["dimension"] for d in dims if d.get("low_confidence")]
        if low:
            notices.append("Low confidence on " + ", ".join(low) + ": the judge and the offline "
                           "scorer disagree by 2 or more.")
        return ScoreResult(dims, notices, usage, flagged=flagged)

    # -- the rest stays offline: no extra model calls per turn -------------------------------
    def round_summary(self, stage: StagePlan, scores: Sequence[AnswerScore], rubric: Rubric, *,
                      score: float | None, unanswered: int) -> str:
        """The offline summary (keeps the per-turn budget at one interviewer and one judge call)."""
        return self.offline.round_summary(stage, scores, rubric, score=score, unanswered=unanswered)

    def rewrite_suggestion(self, dimension: str, score: DimensionScore, answer: str) -> str:
        """The offline rewrite pattern, anchored on the candidate's own sentence."""
        return self.offline.rewrite_suggestion(dimension, score, answer)


def _descriptors(rubric: Rubric) -> str:
    lines = []
    for dim_id, dim in rubric.dimensions.items():
        lines.append(f"{dim_id} ({dim.judges}):")
        lines.extend(f"  {level}. {text}" for level, text in sorted(dim.levels.items()))
    return "\n".join(lines)


def _anchor_text(request: ScoreRequest) -> str:
    picked = [a for a in request.anchors if a["round"] == request.round_id][:3]
    lines = [f"- labels {json.dumps(a['scores'], sort_keys=True)}: {a['answer'][:600]}" for a in picked]
    return "\n".join(lines) or "(none)"


def _strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    start, end = text.find("{"), text.rfind("}")
    return text[start:end + 1] if start >= 0 and end > start else text


Purpose = Literal["interviewer", "judge"]


def _record(purpose: Purpose, reply: ChatReply) -> UsageRecord:
    return UsageRecord(purpose=purpose, model=reply.model,
                       prompt_tokens=reply.usage.prompt_tokens,
                       completion_tokens=reply.usage.completion_tokens)


def _usage(purpose: Purpose, model: str, exc: LLMError) -> list[UsageRecord]:
    if not (exc.usage.prompt_tokens or exc.usage.completion_tokens):
        return []
    return [UsageRecord(purpose=purpose, model=model,
                        prompt_tokens=exc.usage.prompt_tokens,
                        completion_tokens=exc.usage.completion_tokens)]
