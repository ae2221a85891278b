"""The hiring-committee debrief: scores per round and dimension, judgment, strengths, gaps, plan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interviewer.engine import InterviewEngine
from interviewer.rubric import Rubric
from interviewer.state import AnswerScore, Debrief, InterviewState, UsageRecord

# What to study and practise for each weak dimension (knowledge document ids in brackets).
_PREP: dict[str, str] = {
    "impact_narrative": "Rewrite three of your stories so each ends in a user metric with its size "
                        "and the business or cost effect (see framework-impact, media-metrics).",
    "trade_offs": "For every design answer, state both sides with numbers, pick one, and give the "
                  "rollback threshold (see answer-patterns).",
    "three_c": "Open each case with Customer, Constraint, Core in three sentences before any "
               "solution (see framework-3c).",
    "parl": "Drill your top five stories as Problem, Action, Result, Learning; time each to two "
            "minutes (see framework-parl).",
    "experimentation": "Practise designing A/B tests aloud: primary metric, guardrails, unit, "
                       "duration, power, ship rule (see experimentation-causal).",
    "ml_depth": "Review cold start, bandits, two-tower retrieval and embedding drift, and for each "
                "say what members see when it fails (see recsys-concepts).",
    "culture": "Prepare two candor stories with the exact words you used and what changed "
               "afterwards (see round-culture-keeper-test).",
}


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def cost_summary(usage: Sequence[UsageRecord], prices: tuple[float, float]) -> dict[str, Any]:
    """Token totals per purpose and the cost at the configured prices per 1k tokens."""
    totals: dict[str, Any] = {"calls": len(usage), "prompt_tokens": 0, "completion_tokens": 0,
                              "by_purpose": {}}
    for record in usage:
        totals["prompt_tokens"] += record["prompt_tokens"]
        totals["completion_tokens"] += record["completion_tokens"]
        part = totals["by_purpose"].setdefault(record["purpose"], {"calls": 0, "prompt_tokens": 0,
                                                                   "completion_tokens": 0})
        part["calls"] += 1
        part["prompt_tokens"] += record["prompt_tokens"]
        part["completion_tokens"] += record["completion_tokens"]
    totals["cost"] = round(totals["prompt_tokens"] / 1000 * prices[0]
                           + totals["completion_tokens"] / 1000 * prices[1], 6)
    return totals


def build_debrief(state: InterviewState, rubric: Rubric, engine: InterviewEngine,
                  finals: list[AnswerScore], prices: tuple[float, float] = (0.0, 0.0)) -> Debrief:
    """Assemble the report from the final score of every answered question."""
    plan = state["plan"]
    rounds: list[dict[str, Any]] = []
    weighted_sum = weight_total = 0.0
    for stage in plan:
        stage_scores = [s for s in finals if s["stage"] == stage["id"]]
        dims: dict[str, list[int]] = {}
        for s in stage_scores:
            for d in s["dimensions"]:
                dims.setdefault(d["dimension"], []).append(d["score"])
        score = _mean([s["weighted"] for s in stage_scores])
        skipped = [q for q in state.get("skipped", []) if q in stage["question_ids"]]
        rounds.append({"stage": stage["id"], "name": stage["name"], "round": stage["round"],
                       "score": score, "answered": len(stage_scores), "skipped": len(skipped),
                       "dimensions": {d: _mean(v) for d, v in dims.items()}})
        if score is not None:
            weighted_sum += stage["weight"] * score
            weight_total += stage["weight"]
    judgment = round(weighted_sum / weight_total, 2) if weight_total else None

    per_dim: dict[str, list[int]] = {}
    for s in finals:
        for d in s["dimensions"]:
            per_dim.setdefault(d["dimension"], []).append(d["score"])
    dimensions = {d: {"mean": _mean(v) or 0.0, "n": float(len(v))}
                  for d, v in sorted(per_dim.items(), key=lambda kv: list(rubric.dimensions).index(kv[0]))}  # type: ignore[arg-type]

    entries = [(s, d) for s in finals for d in s["dimensions"]]
    strengths: list[dict[str, Any]] = []
    for s, d in sorted((e for e in entries if e[1]["score"] >= 3 and e[1]["evidence"]),
                       key=lambda e: (-e[1]["score"], e[0]["question_id"], e[1]["dimension"])):
        if any(x["dimension"] == d["dimension"] for x in strengths):
            continue
        strengths.append({"dimension": d["dimension"], "score": d["score"],
                          "question_id": s["question_id"], "evidence": d["evidence"][0],
                          "why": d["rationale"]})
        if len(strengths) == 3:
            break
    gaps: list[dict[str, Any]] = []
    for dim, _mean_score in sorted(((k, v["mean"]) for k, v in dimensions.items()),
                                   key=lambda kv: (kv[1], kv[0])):
        if _mean_score >= 4 or len(gaps) == 3:
            continue
        s, d = min(((s, d) for s, d in entries if d["dimension"] == dim),
                   key=lambda e: (e[1]["score"], e[0]["question_id"]))
        gaps.append({"dimension": dim, "mean": _mean_score, "question_id": s["question_id"],
                     "missing": d["missing"][:3],
                     "suggestion": engine.rewrite_suggestion(dim, d, s["answer"])})
    prep = [_PREP[str(g["dimension"])] for g in gaps]
    if state.get("skipped"):
        prep.append(f"Answer the {len(state['skipped'])} skipped question(s) out loud before "
                    "the real loop; skipping reads as a gap.")
    prep.append("Re-run this mock loop in a week and compare the judgment score.")
    judgment_signal = rubric.hire_signal_for(judgment) if judgment is not None else "no signal"
    return Debrief(
        company=state["company"], ended_early=bool(state.get("ended_early")),
        answered=len(finals), skipped=len(state.get("skipped", [])), rounds=rounds,
        dimensions=dimensions, judgment_score=judgment, hire_signal=judgment_signal,
        strengths=strengths, gaps=gaps, prep_plan=prep, rubric_version=rubric.version,
        engine=engine.name, cost=cost_summary(state.get("usage", []), prices),
        low_confidence=[{"question_id": s["question_id"], "dimension": d["dimension"],
                         "score": d["score"], "offline_score": d.get("offline_score")}
                        for s in finals for d in s["dimensions"] if d.get("low_confidence")],
    )
