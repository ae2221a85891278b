"""The offline scorer: finds the elements each rubric level asks for, in sentences that carry a story."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from interviewer.index import AnchorHit
from interviewer.offline import text as t
from interviewer.offline.text import Sentence
from interviewer.state import DimensionScore

ANCHOR_WEIGHT = 0.25  # how far the labels of similar anchors may pull a borderline score
ANCHOR_MIN_SIMILARITY = 0.55
FLUFF_MIN_WORDS = 60
SALAD_JARGON_RATE = 0.145  # rubric/ML jargon per word; real answers in the anchors stay under 0.13
SALAD_JARGON_WITH_FLUFF = 0.1
SALAD_FLUFF_RATE = 0.01
FLUFF_MAX_CONCRETE_PER_100 = 1.5


@dataclass
class Finding:
    """The elements found for one dimension and the level they support."""

    level: int
    evidence: list[Sentence] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rationale: str = ""


@dataclass(frozen=True)
class Answer:
    """An answer prepared for scoring: its sentences, with salad and flagged text set aside."""

    text: str
    sentences: list[Sentence]
    usable: list[Sentence]
    flagged: list[str]
    experience: bool

    def first(self, *patterns: re.Pattern[str]) -> list[Sentence]:
        """Usable sentences that match every pattern."""
        return [s for s in self.usable if all(s.has(p) for p in patterns)]

    def any_of(self, pattern: re.Pattern[str]) -> list[Sentence]:
        """Usable sentences that match the pattern."""
        return [s for s in self.usable if s.has(pattern)]

    def neighbours(self, sentence: Sentence) -> list[Sentence]:
        """A sentence with the usable sentences either side of it."""
        idx = self.usable.index(sentence)
        return self.usable[max(0, idx - 1): idx + 2]

    def window(self, sentence: Sentence) -> str:
        """A sentence with its neighbours, for elements that span a clause boundary."""
        return " ".join(s.text for s in self.neighbours(sentence))


def prepare(answer: str, experience: bool) -> Answer:
    """Split an answer, drop grader-directed text and set aside buzzword lists."""
    everything = t.split_sentences(answer)
    flagged = t.flagged_sentences(everything)
    sentences = [s for s in everything if s.text not in flagged]
    usable = [s for s in sentences if not s.is_salad]
    return Answer(answer, sentences, usable, flagged, experience)


def _quantified_change(s: Sentence) -> bool:
    return s.has(t.NUMBER) and s.has(t.CHANGE_VERB)


def _model_only(s: Sentence) -> bool:
    return s.has(t.MODEL_METRIC) and not (s.has(t.USER_METRIC) or s.has(t.BUSINESS))


def _quantified_gain(s: Sentence) -> bool:
    return _quantified_change(s) and not s.has(t.PROBLEM)


def score_impact(a: Answer) -> Finding:
    """impact_narrative: user outcome, quantified, attributed; then the business chain."""
    user_q = [s for s in a.first(t.USER_METRIC) if _quantified_change(s)]
    user_named = (a.first(t.USER_METRIC) + a.first(t.USER, t.CHANGE_VERB)
                  + a.first(t.USER, t.USER_OUTCOME))
    business_q = [s for s in a.first(t.BUSINESS) if s.has(t.NUMBER) or s.has(t.MONEY)]
    model_only = a.first(t.MODEL_METRIC)
    numbers = [s for s in a.any_of(t.NUMBER) if s not in model_only or s.has(t.USER_METRIC)]
    chained = [b for b in business_q
               if b in user_q or b.has(t.CAUSAL) or any(u in user_q for u in a.neighbours(b))]
    if user_q and chained:
        return Finding(4, [user_q[0], chained[0]],
                       rationale="a quantified user outcome carried through to a quantified "
                                 "business or cost result")
    if user_q:
        missing = ["no quantified business or cost consequence (revenue, savings, cost per stream)"]
        if business_q:
            missing = ["business figure not linked to the user outcome: no chain from change "
                       "to behaviour to business result"]
        return Finding(3, user_q[:2], missing, "a quantified user-facing metric change")
    if user_named or business_q or numbers:
        evidence = (user_named or business_q or numbers)[:2]
        missing = (["result not quantified: name the user metric and how much it moved"]
                   if user_named else ["numbers given with no link to users or the business"])
        return Finding(2, evidence, missing, "an outcome is named but not quantified and linked")
    if model_only:
        return Finding(1, model_only[:1], ["only model metrics: no user or business outcome"],
                       "only model or technical metrics")
    return Finding(1, [], ["no outcome: say what changed for users and the business"], "no outcome")


def score_trade_offs(a: Answer) -> Finding:
    """trade_offs: a concrete tension, a reasoned decision, then a decision rule."""
    tensions = [s for s in a.any_of(t.TENSION) if _both_sides(s)]
    named = a.any_of(t.TENSION)
    concrete = [s for s in tensions if len(t.NUMBER.findall(a.window(s))) >= 2
                or (s.has(t.NUMBER) and _two_costs(a.window(s)))]
    # both sides can also be two measured effects pulling opposite ways ("starts +4%, audience -2%")
    gains = [s for s in a.usable if _quantified_change(s) and s.has(_UP)]
    costs = [s for s in a.usable if s.has(t.NUMBER) and (s.has(_DOWN) or s.has(t.CONSTRAINT))]
    if not concrete and gains and costs and any(c not in gains for c in costs):
        concrete = [next(c for c in costs if c not in gains)]
    decisions = [s for s in a.any_of(t.DECISION)
                 if t.REASON.search(a.window(s)) or s.has(t.TENSION)]
    rules = a.any_of(t.RULE)
    if concrete and decisions and rules:
        return Finding(4, [concrete[0], decisions[0], rules[0]],
                       rationale="concrete costs on both sides, a reasoned choice and a decision rule")
    if concrete and decisions:
        return Finding(3, [concrete[0], decisions[0]],
                       ["no decision rule: a threshold, latency budget, rollback criterion or "
                        "when you would revisit"], "both sides concrete and a reasoned choice")
    if named or decisions:
        missing = []
        if not concrete:
            missing.append("tension named only in general terms: put numbers or specific costs "
                           "on both sides")
        if not decisions:
            missing.append("no decision: say what you chose and why")
        return Finding(2, (concrete or named or decisions)[:2], missing,
                       "a tension is named but not made concrete and decided")
    return Finding(1, [], ["no trade-off acknowledged: name what you gave up"], "one-sided")


_UP = re.compile(r"\b(?:lift\w*|increas\w*|rais\w*|rose|boost\w*|grew|gain\w*|improv\w*|up)\b|\+\d",
                 re.IGNORECASE)
_DOWN = re.compile(r"\b(?:fell|drop\w*|lost|cost\w*|los\w+|decreas\w*|declin\w*|hurt\w*|added \d+\s?ms|"
                   r"slower|worse|only)\b|[-−]\d", re.IGNORECASE)


def _both_sides(s: Sentence) -> bool:
    return len(re.findall(r"\w+", s.text)) >= 6


def _two_costs(text: str) -> bool:
    families = [t.USER_METRIC, t.BUSINESS, t.CONSTRAINT, t.MODEL_METRIC]
    return sum(1 for f in families if f.search(text)) >= 2


def score_three_c(a: Answer) -> Finding:
    """three_c: Customer problem, Constraint, Core ML hypothesis, and whether they connect."""
    customer = a.first(t.USER, t.PROBLEM)
    customer_vague = a.any_of(t.USER)
    constraint = a.any_of(t.SPECIFIC_CONSTRAINT)
    constraint_vague = a.any_of(t.CONSTRAINT)
    core = [s for s in a.any_of(t.ML_TERM) if t.HYPOTHESIS.search(a.window(s))]
    core_vague = a.any_of(t.ML_TERM)
    clear = {"customer": customer, "constraint": constraint, "core": core}
    vague = {"customer": customer_vague, "constraint": constraint_vague, "core": core_vague}
    n_clear = sum(1 for v in clear.values() if v)
    n_vague = sum(1 for k, v in vague.items() if v and not clear[k])
    labels = {"customer": "no specific user/listener/viewer problem",
              "constraint": "no named constraint (latency, privacy, compute, budget, licensing)",
              "core": "no ML hypothesis that addresses the problem"}
    missing = [labels[k] for k, v in clear.items() if not v]
    evidence = [v[0] for v in clear.values() if v] or [v[0] for v in vague.values() if v][:2]
    connected = bool(core) and any(t.USER.search(a.window(s)) or s.has(t.CAUSAL) for s in core)
    if n_clear == 3 and connected:
        return Finding(4, evidence, [], "customer, constraint and core all explicit and connected")
    if n_clear >= 2:
        if n_clear == 3:
            missing = ["the ML hypothesis is not tied back to the user problem"]
        return Finding(3, evidence, missing, f"{n_clear} of the three Cs are clear")
    if n_clear == 1 or n_vague >= 2:
        return Finding(2, evidence, missing, "one C is clear or two are only vague")
    return Finding(1, evidence, missing, "none of customer, constraint, core is clear")


def score_parl(a: Answer) -> Finding:
    """parl: Problem, the candidate's own Action, a quantified Result, a Learning."""
    past = [s for s in a.any_of(t.PAST) if not s.has(t.HYPOTHETICAL)]
    hypothetical = a.any_of(t.HYPOTHETICAL)
    problem = [s for s in past if s.has(t.PROBLEM) or (s.has(t.USER_METRIC) and not _quantified_gain(s))]
    own = [s for s in past if t.OWN_ACTION.search(s.text)]
    team = [s for s in past if t.FIRST_PERSON_ACTION.search(s.text)]
    result = [s for s in past if _quantified_change(s) and not _model_only(s)]
    result_vague = [s for s in past if s.has(t.CHANGE_VERB)]
    learning = a.any_of(t.LEARNING)
    if len(hypothetical) > len(past):
        return Finding(1, hypothetical[:1], ["a hypothetical, not a story: tell what you did"],
                       "hypotheticals instead of a past story")
    elements = {
        "problem": problem[:1],
        "action": (own or team)[:1],
        "result": (result or result_vague)[:1],
        "learning": learning[:1],
    }
    thin = [name for name, ok in (("action", own), ("result", result)) if elements[name] and not ok]
    present = [name for name, ev in elements.items() if ev]
    names = {"problem": "no specific problem", "action": "no action of your own",
             "result": "result not quantified", "learning": "no learning"}
    missing = [names[k] for k in elements if k not in present]
    missing += [{"action": "the action is the team's, not yours: say what you decided",
                 "result": "result not quantified"}[k] for k in thin if k in present]
    evidence = [ev[0] for ev in elements.values() if ev]
    if len(present) == 4 and not thin:
        return Finding(4, evidence, [], "problem, own action, quantified result and learning")
    if len(present) == 4 or (len(present) == 3 and len(thin) == 0):
        return Finding(3, evidence, missing, "three or four story elements, one thin or missing")
    if len(present) >= 2:
        return Finding(2, evidence, missing, "two story elements")
    return Finding(1, evidence, missing, "no story")


def score_experimentation(a: Answer) -> Finding:
    """experimentation: hypothesis, primary metric, guardrails, unit/duration, rigor, ship rule."""
    test = a.any_of(t.EXPERIMENT)
    primary = a.any_of(t.PRIMARY) or [s for s in test if s.has(t.USER_METRIC)]
    guard = a.any_of(t.GUARDRAIL)
    unit = a.any_of(t.UNIT)
    duration = [s for s in a.any_of(t.DURATION) if not s.has(t.USER_METRIC) or s.has(t.EXPERIMENT)]
    hypothesis = a.any_of(t.HYPOTHESIS)
    readout = a.any_of(t.READOUT)
    rigor = a.any_of(t.RIGOR)
    ship = a.any_of(t.SHIP_RULE)
    design = guard or unit or duration
    missing = []
    if not primary:
        missing.append("no primary metric")
    if not guard:
        missing.append("no guardrail metric")
    if not (unit or duration):
        missing.append("no randomisation unit or duration")
    if not rigor:
        missing.append("no power, minimum detectable effect, novelty or interference")
    if not ship:
        missing.append("no ship/no-ship rule")
    if primary and design and (hypothesis or readout or ship):
        ev = [primary[0], (guard or unit or duration)[0]]
        if rigor and ship:
            return Finding(4, [*ev, rigor[0], ship[0]], [], "a designed test with rigor and a ship rule")
        return Finding(3, ev, missing, "hypothesis, primary metric and design, a sensible read-out")
    if test or primary or a.any_of(t.USER_METRIC):
        return Finding(2, (test or primary or a.any_of(t.USER_METRIC))[:1], missing,
                       "a test or metric is mentioned without a design")
    return Finding(1, [], ["no way to test or measure the idea"], "nothing testable")


def score_ml_depth(a: Answer) -> Finding:
    """ml_depth: relevant concepts applied to the question, then their product consequences."""
    applied: dict[str, Sentence] = {}
    mentioned: dict[str, Sentence] = {}
    for name, pattern in t.CONCEPTS.items():
        for s in a.any_of(pattern):
            mentioned.setdefault(name, s)
            if s.words >= 8 and (s.has(t.CAUSAL) or s.has(t.REASON) or t.VERB_HINT.search(s.text)):
                applied.setdefault(name, s)
    consequences = [s for s in a.usable if s.has(t.CONSEQUENCE)
                    and any(s is c or c in a.neighbours(s) for c in applied.values())]
    if len(applied) >= 2 and len(consequences) >= 2:
        return Finding(4, [*list(applied.values())[:2], consequences[0]], [],
                       "specific concepts applied, each with its product consequence")
    missing = []
    if len(consequences) < 2:
        missing.append("no product consequence: what the user sees, what it costs, how it fails")
    if len(applied) >= 2 or (len(applied) == 1 and len(a.usable) >= 4):
        return Finding(3, list(applied.values())[:2], missing, "relevant concepts used specifically")
    if mentioned:
        return Finding(2, list(mentioned.values())[:2],
                       ["concepts named but not applied to this question", *missing],
                       "correct terms, shallow use")
    return Finding(1, [], ["no relevant ML concept"], "no ML substance")


def score_culture(a: Answer) -> Finding:
    """culture: a specific example of candor, with ownership and what changed afterwards."""
    past_first_person = [s for s in a.any_of(t.PAST) if re.search(r"\b(?:I|my|me)\b", s.text)
                         and not s.has(t.HYPOTHETICAL)]
    feedback = [s for s in a.any_of(t.FEEDBACK) if s in past_first_person or s.has(t.PAST)]
    why = [s for s in feedback if t.REASON.search(a.window(s)) or t.CAUSAL.search(a.window(s))]
    ownership = a.any_of(t.OWNERSHIP)
    changed = a.any_of(t.CHANGED)
    deferral = a.any_of(t.DEFERRAL)
    if deferral and not feedback:
        return Finding(1, deferral[:1], ["defers to process or consensus: give your own example"],
                       "avoids conflict or defers")
    if len(past_first_person) < 2 and not feedback:
        return Finding(1, [], ["no example: tell a specific time you gave or got hard feedback"],
                       "no example")
    missing = []
    if not why:
        missing.append("vague about what you said or did and why")
    if not ownership:
        missing.append("no ownership of the outcome or decision")
    if not changed:
        missing.append("nothing on what changed in the relationship or your behaviour")
    if why and ownership and changed and not deferral:
        return Finding(4, [why[0], ownership[0], changed[0]], [],
                       "direct feedback with ownership and a lasting change")
    if why:
        return Finding(3, [why[0], *(ownership or changed)[:1]], missing,
                       "a specific example of direct feedback with the reason")
    return Finding(2, (feedback or past_first_person)[:2], missing, "an example, vague on what was said")


SCORERS: dict[str, Callable[[Answer], Finding]] = {
    "impact_narrative": score_impact,
    "trade_offs": score_trade_offs,
    "three_c": score_three_c,
    "parl": score_parl,
    "experimentation": score_experimentation,
    "ml_depth": score_ml_depth,
    "culture": score_culture,
}


def _substance_cap(a: Answer) -> tuple[int, str | None]:
    """Cap every dimension at 2 for buzzword lists and long fluff with nothing concrete."""
    total = sum(s.words for s in a.sentences) or 1
    salad_words = sum(s.words for s in a.sentences if s.is_salad)
    jargon = sum(s.count(t.JARGON) for s in a.sentences) / total
    fluff_rate = sum(s.count(t.FLUFF) for s in a.sentences) / total
    if (salad_words / total >= 0.4 or jargon >= SALAD_JARGON_RATE
            or (jargon >= SALAD_JARGON_WITH_FLUFF and fluff_rate >= SALAD_FLUFF_RATE)):
        return 2, "mostly a list of buzzwords and figures with no causal story"
    concrete = sum(s.count(t.NUMBER) + s.count(t.SPECIFIC_CONSTRAINT) for s in a.usable)
    fluff = sum(s.count(t.FLUFF) for s in a.sentences)
    if total >= FLUFF_MIN_WORDS and concrete * 100 / total < FLUFF_MAX_CONCRETE_PER_100 and fluff >= 3:
        return 2, "long and confident but with almost nothing concrete"
    return 4, None


def _anchor_pull(dimension: str, anchors: Sequence[AnchorHit]) -> float | None:
    relevant = [(a["similarity"], a["scores"][dimension]) for a in anchors
                if dimension in a["scores"] and a["similarity"] >= ANCHOR_MIN_SIMILARITY]
    if not relevant:
        return None
    weight = sum(sim for sim, _ in relevant)
    return sum(sim * score for sim, score in relevant) / weight


def score_answer(answer: str, dimensions: Sequence[str], *, experience: bool,
                 anchors: Sequence[AnchorHit] = ()) -> tuple[list[DimensionScore], list[str]]:
    """Score every dimension; returns the scores and notices (flagged text, caps)."""
    a = prepare(answer, experience)
    cap, cap_reason = _substance_cap(a)
    notices = []
    if a.flagged:
        notices.append(f"ignored {len(a.flagged)} sentence(s) addressed to the grader rather than "
                       "answering the question")
    if cap_reason:
        notices.append(f"scores capped at {cap}: {cap_reason}")
    results: list[DimensionScore] = []
    for dim in dimensions:
        finding = SCORERS[dim](a)
        level = finding.level
        pull = _anchor_pull(dim, anchors)
        rationale = finding.rationale
        missing = list(finding.missing)
        if pull is not None:
            nudged = round(level + ANCHOR_WEIGHT * (pull - level))
            rationale += f"; similar labelled answers average {pull:.1f}"
            # anchors may lower a score, never lift it past what the text itself shows
            if nudged < level:
                level = max(1, nudged)
                missing.append("similar labelled answers at this level are more specific: "
                               "sharpen the numbers and the decision")
        if level > cap:
            level = cap
            missing.append(cap_reason or "")
        results.append(DimensionScore(
            dimension=dim, score=level, evidence=list(dict.fromkeys(s.text for s in finding.evidence)),
            missing=missing, rationale=rationale,
        ))
    return results, notices
