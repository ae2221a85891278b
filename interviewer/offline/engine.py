"""The offline engine: bank questions as written, rule-based scoring, templated feedback."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from interviewer.bank import Probe, Question
from interviewer.engine import ScoreRequest, ScoreResult, TokenSink, Utterance
from interviewer.offline.scorer import score_answer
from interviewer.prompts import render
from interviewer.rubric import Rubric
from interviewer.state import AnswerScore, DimensionScore, StagePlan, Turn

_REWRITES: dict[str, str] = {
    "impact_narrative": "End with the outcome chain: \"…which lifted <user metric> by <X%> for "
                        "<segment>, worth about <$ / cost saved> a year.\"",
    "trade_offs": "Name both sides with numbers and decide: \"Option A gave +<X%> <metric> but "
                  "added <Y ms / $>; I chose <A/B> because <reason>, and we would roll back if "
                  "<guardrail> crossed <threshold>.\"",
    "three_c": "Open with the three Cs: \"<Who> struggled with <problem>; we had to stay within "
               "<latency / privacy / budget>; our bet was that <model> would <mechanism>.\"",
    "parl": "Tell it as Problem, Action, Result, Learning: \"<problem with a number>. I decided "
            "<your action>. It moved <metric> by <X>. I learned <what you do differently now>.\"",
    "experimentation": "Design the test out loud: \"Hypothesis <…>; primary metric <…>; guardrails "
                       "<…>; randomise by <member>; run <N weeks> powered for a <MDE>; ship only "
                       "if <rule>.\"",
    "ml_depth": "For each technique, add what members see, what it costs and how it fails: "
                "\"<technique> handles <problem>, so <user-visible effect>; it costs <…>; if "
                "<failure>, we fall back to <…>.\"",
    "culture": "Quote what you said and own the result: \"I told <person> <exact words> because "
               "<reason>. I made the call to <decision>. Since then we <what changed>.\"",
}


class OfflineEngine:
    """Deterministic interviewer and judge; needs no key and no network."""

    name = "offline"
    uses_context = False

    def __init__(self, prompts_dir: Path) -> None:
        self.prompts_dir = prompts_dir

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
        dims, notices = score_answer(
            request.answer, list(request.weights), experience=request.kind == "experience",
            anchors=[a for a in request.anchors if a["round"] == request.round_id],
            tuning=request.rubric.offline,
        )
        return ScoreResult(dims, notices)

    def round_summary(self, stage: StagePlan, scores: Sequence[AnswerScore],
                      rubric: Rubric) -> str:
        """Close a round with its strongest and weakest dimension."""
        if not scores:
            return render(self.prompts_dir, "offline/round_summary.md", stage_name=stage["name"],
                          verdict="No answers were scored in this round.", strongest="",
                          weakest="")
        by_dim: dict[str, list[int]] = {}
        for score in scores:
            for d in score["dimensions"]:
                by_dim.setdefault(d["dimension"], []).append(d["score"])
        means = {d: sum(v) / len(v) for d, v in by_dim.items()}
        best = max(means, key=lambda d: (means[d], d))
        worst = min(means, key=lambda d: (means[d], d))
        average = sum(s["weighted"] for s in scores) / len(scores)
        verdict = f"Round score {average:.1f} / 4 over {len(scores)} answer(s)."
        strongest = f"Strongest: {rubric.dimensions[best].name} ({means[best]:.1f})."  # type: ignore[index]
        weakest = (f"Work on: {rubric.dimensions[worst].name} ({means[worst]:.1f})."  # type: ignore[index]
                   if means[worst] < means[best] else "")
        return render(self.prompts_dir, "offline/round_summary.md", stage_name=stage["name"],
                      verdict=verdict, strongest=strongest, weakest=weakest)

    def rewrite_suggestion(self, dimension: str, score: DimensionScore, answer: str) -> str:
        """A rewrite pattern for the dimension, anchored on the candidate's own sentence."""
        del answer
        base = _REWRITES[dimension]
        quote = score["evidence"][0] if score["evidence"] else ""
        if quote:
            return f"Take your line \"{quote}\" and extend it. {base}"
        return base
