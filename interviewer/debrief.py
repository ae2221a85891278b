"""The hiring-committee debrief: scores per round and dimension, judgment, strengths, gaps, plan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interviewer.dimensions import REGISTRY
from interviewer.engine import InterviewEngine
from interviewer.rubric import Rubric
from interviewer.state import AnswerScore, Debrief, InterviewState, Unanswered, UsageRecord

UNANSWERED_SCORE = 1.0  # a question left unanswered counts as "clearly missing" in its round
# Over-explaining, for a committee that discounts it: a long answer with little that is specific.
OVER_EXPLAINED_WORDS = 250
OVER_EXPLAINED_SPECIFICS_PER_100 = 3.5


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def unanswered_of(state: InterviewState) -> list[Unanswered]:
    """Every question left unanswered, including skips from sessions saved before reasons existed."""
    found = list(state.get("unanswered", []))
    known = {(u["stage"], u["question_id"]) for u in found}
    plan = state.get("plan", [])
    for qid in state.get("skipped", []):
        stage = next((s["id"] for s in plan if qid in s["question_ids"]), "")
        if (stage, qid) not in known:
            found.append(Unanswered(stage=stage, question_id=qid, question="", reason="skipped",
                                    detail="skipped with /skip", counts=True))
    return found


def round_score(finals: Sequence[AnswerScore], unanswered: Sequence[Unanswered]) -> float | None:
    """A round's score (1-4, two decimals): the mean of its answers' weighted scores, with each
    counted unanswered question as a 1, as a committee would count a question with no answer."""
    values = [s["weighted"] for s in finals] + [UNANSWERED_SCORE for u in unanswered if u["counts"]]
    return _mean(values)


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


def over_explained(answer: str) -> bool:
    """Whether an answer says a lot with little in it (the signal-to-noise rubric's target)."""
    from interviewer.offline.text import specifics_per_100

    return len(answer.split()) > OVER_EXPLAINED_WORDS and specifics_per_100(answer) < OVER_EXPLAINED_SPECIFICS_PER_100


def committee_judgment(committee: dict[str, Any], finals: Sequence[AnswerScore],
                       unanswered: Sequence[Unanswered]) -> dict[str, Any]:
    """The committee's view: each signal is the mean score of its dimensions across the loop
    (an unanswered question counts 1 on each dimension it would have been scored on); the judgment
    is the mean of the signals observed, less the over-explaining discount if the committee has one."""
    signals = []
    for signal in committee["signals"]:
        wanted = set(signal["dimensions"])
        values = [float(d["score"]) for s in finals for d in s["dimensions"] if d["dimension"] in wanted]
        values += [UNANSWERED_SCORE for u in unanswered if u["counts"] and wanted & set(u.get("dimensions", []))]
        signals.append({"name": signal["name"], "dimensions": signal["dimensions"], "score": _mean(values),
                        "evidence": len(values), "source": signal.get("source", "")})
    observed = [s["score"] for s in signals if s["score"] is not None]
    base = _mean(observed)
    long_answers = [s["question_id"] for s in finals if over_explained(s["answer"])]
    share = len(long_answers) / len(finals) if finals else 0.0
    discount = round(committee.get("over_explaining_discount", 0.0) * share, 2)
    judgment = round(max(1.0, base - discount), 2) if base is not None else None
    return {"name": committee["name"], "members": committee["members"], "source": committee.get("source", ""),
            "signals": signals, "over_explained": long_answers, "discount": discount,
            "defaults": committee.get("defaults", []), "judgment": judgment}


def _earned_by(score: dict[str, Any]) -> str:
    """Which element the first evidence quote shows, when the engine says (offline does)."""
    shown = score.get("shown") or []
    return str(shown[0]["label"]) if shown else ""


def build_debrief(state: InterviewState, rubric: Rubric, engine: InterviewEngine,
                  finals: list[AnswerScore], prices: tuple[float, float] = (0.0, 0.0)) -> Debrief:
    """Assemble the report from the final score of every answered question and every question
    left unanswered."""
    plan = state["plan"]
    unanswered = unanswered_of(state)
    rounds: list[dict[str, Any]] = []
    weighted_sum = weight_total = 0.0
    for stage in plan:
        stage_scores = [s for s in finals if s["stage"] == stage["id"]]
        stage_unanswered = [u for u in unanswered if u["stage"] == stage["id"]]
        dims: dict[str, list[int]] = {}
        for s in stage_scores:
            for d in s["dimensions"]:
                dims.setdefault(d["dimension"], []).append(d["score"])
        score = round_score(stage_scores, stage_unanswered)
        rounds.append({"stage": stage["id"], "name": stage["name"], "round": stage["round"],
                       "score": score, "answered": len(stage_scores),
                       "skipped": sum(1 for u in stage_unanswered if u["counts"]),
                       "not_graded": sum(1 for u in stage_unanswered if not u["counts"]),
                       "dimensions": {d: _mean(v) for d, v in dims.items()}})
        if score is not None:
            weighted_sum += stage["weight"] * score
            weight_total += stage["weight"]
    spec = state.get("committee")
    committee = committee_judgment(spec, finals, unanswered) if spec else None
    if committee is not None:
        judgment = committee["judgment"]
        method = (f"{committee['name']}: the mean of its signals ({', '.join(s['name'] for s in committee['signals'])})"
                  + (", less a discount for over-explained answers" if committee["discount"] else ""))
    else:
        judgment = round(weighted_sum / weight_total, 2) if weight_total else None
        method = "stage-weighted mean of the round scores (the weights are project defaults: no source gives them)"

    order = list(rubric.dimensions)
    per_dim: dict[str, list[int]] = {}
    for s in finals:
        for d in s["dimensions"]:
            per_dim.setdefault(d["dimension"], []).append(d["score"])
    dimensions = {d: {"mean": _mean(v) or 0.0, "n": float(len(v))}
                  for d, v in sorted(per_dim.items(), key=lambda kv: order.index(kv[0]))}

    entries = [(s, d) for s in finals for d in s["dimensions"]]
    strengths: list[dict[str, Any]] = []
    for s, d in sorted((e for e in entries if e[1]["score"] >= 3 and e[1]["evidence"]),
                       key=lambda e: (-e[1]["score"], e[0]["question_id"], e[1]["dimension"])):
        if any(x["dimension"] == d["dimension"] for x in strengths):
            continue
        strengths.append({"dimension": d["dimension"], "score": d["score"], "question_id": s["question_id"],
                          "question": s.get("question", ""), "evidence": d["evidence"][0],
                          "shows": _earned_by(dict(d)), "why": d["rationale"]})
        if len(strengths) == 3:
            break
    gaps: list[dict[str, Any]] = []
    for dim, mean_score in sorted(((k, v["mean"]) for k, v in dimensions.items()), key=lambda kv: (kv[1], kv[0])):
        if mean_score >= 4 or len(gaps) == 3:
            continue
        s, d = min(((s, d) for s, d in entries if d["dimension"] == dim),
                   key=lambda e: (e[1]["score"], e[0]["question_id"]))
        gaps.append({"dimension": dim, "mean": mean_score, "question_id": s["question_id"],
                     "question": s.get("question", ""), "score": d["score"],
                     "evidence": d["evidence"][0] if d["evidence"] else "",
                     "missing": [m for m in d["missing"] if m][:3],
                     "suggestion": engine.rewrite_suggestion(dim, d, s["answer"])})
    prep = [REGISTRY[str(g["dimension"])].prep for g in gaps]
    counted = [u for u in unanswered if u["counts"]]
    if counted:
        prep.append(f"Answer the {len(counted)} question(s) you left unanswered out loud before the real "
                    "loop; in a real committee an unanswered question reads as a gap.")
    prep.append("Re-run this mock loop in a week and compare the judgment score.")
    ignored = [{"question_id": s["question_id"], "question": s.get("question", ""), "sentences": s["flagged"]}
               for s in finals if s.get("flagged")]
    judgment_signal = rubric.hire_signal_for(judgment) if judgment is not None else "no signal"
    return Debrief(
        company=state["company"], ended_early=bool(state.get("ended_early")),
        answered=len(finals), skipped=len(counted), rounds=rounds,
        dimensions=dimensions, judgment_score=judgment, hire_signal=judgment_signal,
        strengths=strengths, gaps=gaps, prep_plan=prep, rubric_version=rubric.version,
        engine=engine.name, cost=cost_summary(state.get("usage", []), prices),
        low_confidence=[{"question_id": s["question_id"], "dimension": d["dimension"],
                         "score": d["score"], "offline_score": d.get("offline_score")}
                        for s in finals for d in s["dimensions"] if d.get("low_confidence")],
        unanswered=unanswered, ignored=ignored, judgment_method=method, committee=committee,
    )
