"""The offline scorer: finds the elements each rubric level asks for, in sentences that carry a story."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from interviewer.dimensions import ELEMENTS, REGISTRY, DimensionSpec, ladder_level
from interviewer.index import AnchorHit
from interviewer.offline import text as t
from interviewer.offline.detectors import SentenceModel, packaged_sentence_model
from interviewer.offline.text import Sentence
from interviewer.offline.tuning import DimensionTuning, OfflineTuning, levels_for
from interviewer.state import DimensionScore, ElementQuote


@dataclass
class Finding:
    """The elements found for one dimension and the level they support."""

    level: int
    evidence: list[Sentence] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rationale: str = ""
    shown: list[ElementQuote] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """An answer prepared for scoring: its sentences, with salad and flagged text set aside."""

    text: str
    sentences: list[Sentence]
    usable: list[Sentence]
    flagged: list[str]
    experience: bool

    def first(self, *patterns: t.Pattern) -> list[Sentence]:
        """Usable sentences that match every pattern."""
        return [s for s in self.usable if all(s.has(p) for p in patterns)]

    def any_of(self, pattern: t.Pattern) -> list[Sentence]:
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
    flagged = set(t.flagged_positions(everything, answer))
    sentences = [s for i, s in enumerate(everything) if i not in flagged]
    usable = [s for s in sentences if not s.is_salad]
    return Answer(answer, sentences, usable, [everything[i].text for i in sorted(flagged)], experience)


# a condition runs from its "if" ("as long as", "unless", "I mean"...) to where its consequence starts
# (", we ship") or to the sentence's end
_CONDITION_CLAUSE = re.compile(r"\b(?:if|as long as|so long as|provided|unless|I mean|by \w+ I mean)\b.*?"
                               r"(?=,\s*(?:we|we['’](?:d|ll)|I['’](?:d|ll))\b|$)", re.IGNORECASE)
# how long to wait is not a result to clear: "after two weeks", "for 48 hours", "over the next month"
# (not t.DURATION: that is a trained detector feature, and it knows neither hours nor "the next month")
_SPAN_OF_TIME = re.compile(r"\b(?:(?:over|in|after|for|within)\s+)?(?:\d+|one|two|three|four|five|six|eight|ten|"
                           r"twelve|a|a full|the next|the first)\s+"
                           r"(?:hours?|days?|weeks?|months?|quarters?|years?|minutes?)\b"
                           r"|\bfull (?:week|billing cycle)\b", re.IGNORECASE)


def _names_a_result(condition: str) -> bool:
    """Whether a condition names a result it tests: a figure that is not a span of time, a bar to
    clear ("than control", "stays under today's level", "meaning fewer complaints"), or a metric
    it is read on ("successful on hours per member")."""
    rest = _SPAN_OF_TIME.sub(" ", condition)
    return any(p.search(rest) is not None for p in (t.NUMBER, t.RESULT_BAR, t.USER_METRIC, t.GUARDRAIL, t.PRIMARY))


def _empty_condition(s: Sentence) -> bool:
    """Whether a sentence's conditions are empty: one of them names no result ("if it's a success")
    and none of them names one ("we roll back if buffering rises above 1%")."""
    empty = t.NO_RESULT_CONDITION.search(s.text)
    if empty is None:
        return False
    conditions = [clause.group(0) for clause in _CONDITION_CLAUSE.finditer(s.text)]
    # what follows the consequence can still qualify it: "we ship, as long as rebuffering stays under 1%"
    return not any(_names_a_result(c) for c in conditions) and not _names_a_result(s.text[empty.end():])


def _vacuous_rule(a: Answer, s: Sentence) -> bool:
    """A rule that decides nothing: its condition names no result ("if it's a success, we ship";
    "if the results look good after two weeks, we launch"), or it is the other branch ("if not, we
    iterate") of the nearest rule up to three sentences before it, and that rule's condition is
    empty. Such a sentence is no decision, ship or mitigation rule."""
    if _empty_condition(s):
        return True
    if not s.has(t.OTHERWISE) or any(_names_a_result(c.group(0)) for c in _CONDITION_CLAUSE.finditer(s.text)):
        return False
    before = a.usable[:a.usable.index(s)][-3:] if s in a.usable else []
    rules = [b for b in before if b.has(t.RULE) or b.has(t.SHIP_RULE)]
    return bool(rules) and _empty_condition(rules[-1])


def _quantified_change(s: Sentence) -> bool:
    return s.has(t.NUMBER) and s.has(t.CHANGE_VERB)


def _model_only(s: Sentence) -> bool:
    return s.has(t.MODEL_METRIC) and not (s.has(t.USER_METRIC) or s.has(t.BUSINESS))


def _quantified_gain(s: Sentence) -> bool:
    return _quantified_change(s) and not s.has(t.PROBLEM)


Elements = dict[str, list[Sentence]]


_MARK = Sentence("", -1)  # marks an element that holds without a sentence of its own


def detect_impact(a: Answer) -> Elements:
    """impact_narrative: user outcome, quantified, attributed; then the business chain."""
    user_q = [s for s in a.first(t.USER_METRIC) if _quantified_change(s)]
    user_named = (a.first(t.USER_METRIC) + a.first(t.USER, t.CHANGE_VERB)
                  + a.first(t.USER, t.USER_OUTCOME))
    business_q = [s for s in a.first(t.BUSINESS) if s.has(t.NUMBER) or s.has(t.MONEY)]
    model_only = a.first(t.MODEL_METRIC)
    numbers = [s for s in a.any_of(t.NUMBER) if s not in model_only or s.has(t.USER_METRIC)]
    # a chain is said, not implied by two numbers sitting side by side
    chained = [b for b in business_q
               if b in user_q or b.has(t.CAUSAL) or any(u in user_q for u in a.neighbours(b))]
    named = user_named or business_q or numbers
    return {
        "outcome_named": named[:2],
        "user_metric_quantified": user_q[:2],
        "business_chain": chained[:1] if user_q else [],
        "model_metrics_only": model_only[:1] if not named else [],
    }


def detect_trade_offs(a: Answer) -> Elements:
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
    return {
        "tension_named": (named or decisions)[:1],
        "both_sides_concrete": concrete[:1],
        "reasoned_decision": decisions[:1],
        "decision_rule": [s for s in a.any_of(t.RULE) if not _vacuous_rule(a, s)][:1],
    }


_UP = re.compile(r"\b(?:lift\w*|increas\w*|rais\w*|rose|boost\w*|grew|gain\w*|improv\w*|up)\b|\+\d",
                 re.IGNORECASE)
_DOWN = re.compile(r"\b(?:fell|drop\w*|lost|cost\w*|los\w+|decreas\w*|declin\w*|hurt\w*|added \d+\s?ms|"
                   r"slower|worse|only)\b|[-−]\d", re.IGNORECASE)


def _both_sides(s: Sentence) -> bool:
    return len(re.findall(r"\w+", s.text)) >= 6


def _two_costs(text: str) -> bool:
    families = [t.USER_METRIC, t.BUSINESS, t.CONSTRAINT, t.MODEL_METRIC]
    return sum(1 for f in families if f.search(text)) >= 2


def detect_three_c(a: Answer) -> Elements:
    """three_c: Customer problem, Constraint, Core ML hypothesis, and whether they connect."""
    customer = a.first(t.USER, t.PROBLEM)
    constraint = a.any_of(t.SPECIFIC_CONSTRAINT)
    core = [s for s in a.any_of(t.ML_TERM) if t.HYPOTHESIS.search(a.window(s))]
    connected = [s for s in core if t.USER.search(a.window(s)) or s.has(t.CAUSAL)]
    return {
        "customer_clear": customer[:1],
        "constraint_clear": constraint[:1],
        "core_clear": core[:1],
        "customer_vague": [] if customer else a.any_of(t.USER)[:1],
        "constraint_vague": [] if constraint else a.any_of(t.CONSTRAINT)[:1],
        "core_vague": [] if core else a.any_of(t.ML_TERM)[:1],
        "connected": connected[:1] if customer and constraint else [],
    }


def detect_parl(a: Answer) -> Elements:
    """parl: Problem, the candidate's own Action, a quantified Result, a Learning."""
    past = [s for s in a.any_of(t.PAST) if not s.has(t.HYPOTHETICAL)]
    hypothetical = a.any_of(t.HYPOTHETICAL)
    problem = [s for s in past if s.has(t.PROBLEM) or (s.has(t.USER_METRIC) and not _quantified_gain(s))]
    own = [s for s in past if t.OWN_ACTION.search(s.text)]
    team = [s for s in past if t.FIRST_PERSON_ACTION.search(s.text)]
    result = [s for s in past if _quantified_change(s) and not _model_only(s)]
    result_vague = [s for s in past if s.has(t.CHANGE_VERB)]
    return {
        "problem": problem[:1],
        "action": (own or team)[:1],
        "own_action": own[:1],
        "result": (result or result_vague)[:1],
        "result_quantified": result[:1],
        "learning": a.any_of(t.LEARNING)[:1],
        "hypothetical": hypothetical[:1] if len(hypothetical) > len(past) else [],
    }


def detect_experimentation(a: Answer) -> Elements:
    """experimentation: hypothesis, primary metric, guardrails, unit/duration, rigor, ship rule."""
    test = a.any_of(t.EXPERIMENT)
    primary = a.any_of(t.PRIMARY) or [s for s in test if s.has(t.USER_METRIC)]
    guard = a.any_of(t.GUARDRAIL)
    unit = a.any_of(t.UNIT)
    duration = [s for s in a.any_of(t.DURATION) if not s.has(t.USER_METRIC) or s.has(t.EXPERIMENT)]
    ship = [s for s in a.any_of(t.SHIP_RULE) if not _vacuous_rule(a, s)]
    return {
        "test_or_metric": (test or primary or a.any_of(t.USER_METRIC))[:1],
        "primary_metric": primary[:1],
        "design": (guard or unit or duration)[:1],
        "hypothesis_or_readout": (a.any_of(t.HYPOTHESIS) or a.any_of(t.READOUT) or ship)[:1],
        "guardrail": guard[:1],
        "rigor": a.any_of(t.RIGOR)[:1],
        "ship_rule": ship[:1],
    }


def detect_ml_depth(a: Answer) -> Elements:
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
    used = list(applied.values())
    return {
        "concept_named": list(mentioned.values())[:2],
        "concept_applied": used[:2] if len(used) >= 2 or (used and len(a.usable) >= 4) else [],
        "two_concepts_applied": used[:2] if len(used) >= 2 else [],
        "product_consequences": consequences[:1] if len(used) >= 2 and len(consequences) >= 2 else [],
    }


def detect_culture(a: Answer) -> Elements:
    """culture: a specific example of candor, with ownership and what changed afterwards."""
    past_first_person = [s for s in a.any_of(t.PAST) if re.search(r"\b(?:I|my|me)\b", s.text)
                         and not s.has(t.HYPOTHETICAL)]
    feedback = [s for s in a.any_of(t.FEEDBACK) if s in past_first_person or s.has(t.PAST)]
    why = [s for s in feedback if t.REASON.search(a.window(s)) or t.CAUSAL.search(a.window(s))]
    deferral = a.any_of(t.DEFERRAL)
    example = feedback or (past_first_person if len(past_first_person) >= 2 else [])
    return {
        "example": example[:1],
        "direct_feedback_with_reason": why[:1],
        "ownership": a.any_of(t.OWNERSHIP)[:1],
        "what_changed": a.any_of(t.CHANGED)[:1],
        "deferral": deferral[:1] if not feedback or not why else [],
    }


def detect_bias_aware(a: Answer) -> Elements:
    """bias_aware: a named risk, the groups it affects, a measure per group, how people perceive it,
    then a rule, its cost and monitoring."""
    named = a.any_of(t.FAIRNESS)
    groups = a.any_of(t.AFFECTED_GROUP)
    measure = [s for s in a.any_of(t.GROUP_MEASURE) if s.has(t.AFFECTED_GROUP) or s.has(t.FAIRNESS)
               or s.has(t.NUMBER) or any(g in a.neighbours(s) for g in groups)]
    rules = [s for s in a.any_of(t.RULE) if not _vacuous_rule(a, s) and (
        s.has(t.FAIRNESS) or s.has(t.AFFECTED_GROUP) or any(n in named for n in a.neighbours(s)))]
    costs = [s for s in a.usable if (s.has(t.TENSION) or s.has(t.BUSINESS) or s.has(t.CHANGE_VERB))
             and s.has(t.NUMBER) and any(n in rules or n in named for n in a.neighbours(s))]
    return {
        "bias_named": named[:1],
        "groups_specific": groups[:1],
        "measure_per_group": measure[:1],
        "user_perception": a.any_of(t.PERCEPTION)[:1],
        "mitigation_rule": rules[:1],
        "mitigation_cost": costs[:1],
        "monitoring": [s for s in a.any_of(t.MONITORING) if named][:1],
    }


DETECTORS: dict[str, Callable[[Answer], Elements]] = {
    "impact_narrative": detect_impact,
    "trade_offs": detect_trade_offs,
    "three_c": detect_three_c,
    "parl": detect_parl,
    "experimentation": detect_experimentation,
    "ml_depth": detect_ml_depth,
    "culture": detect_culture,
    "bias_aware": detect_bias_aware,
}
if set(DETECTORS) != set(REGISTRY):  # a dimension added to the registry needs its detector
    raise RuntimeError(f"offline detectors out of step with the registry: {sorted(set(DETECTORS) ^ set(REGISTRY))}")

def _still_needed(spec: DimensionSpec, element: str, found: dict[str, bool]) -> bool:
    """Whether a missing element would still take the answer up a rung: not when every ladder
    requirement naming it is met by other elements ("no outcome" beside a quantified user metric, "no
    trade-off acknowledged" beside a reasoned decision). An element on no rung is always needed."""
    requirements = [req for rung in spec.ladder.values() for req in rung if element in req[1]]
    return not requirements or any(sum(found.get(e, False) for e in names) < k for k, names in requirements)


def explain(dimension: str, elements: Elements, tuning: DimensionTuning, level: int) -> Finding:
    """Evidence, missing elements and a rationale for the level the found elements earned.

    Evidence is the sentences that show a counted element, the highest rung of the ladder first,
    so the first quote is the one that earned the level.
    """
    spec = REGISTRY[dimension]
    found = {name: bool(ev) for name, ev in elements.items()}
    weights = tuning.weights
    counted = [e for e in reversed(spec.elements) if weights.get(e.id, 0) > 0 and found[e.id]]
    evidence = [s for e in counted for s in elements[e.id] if s is not _MARK]
    warnings = [e.advice for e in spec.elements if e.warning and found[e.id]]
    missing = warnings + [e.advice for e in spec.elements
                          if e.advice and not e.warning and weights.get(e.id, 0) > 0 and not found[e.id]
                          and _still_needed(spec, e.id, found)]
    shown = [e.label for e in reversed(counted)]
    harmful = [e.label for e in spec.elements if e.warning and found[e.id]]
    rationale = ("shows: " + ", ".join(shown) if shown else "none of the level's elements found")
    if harmful:
        rationale += "; against it: " + ", ".join(harmful)
    if level == 4:
        missing = warnings
    return Finding(level, evidence, missing, rationale,
                   [{"element": e.id, "label": e.label, "quote": s.text}
                    for e in counted for s in elements[e.id] if s is not _MARK])


@dataclass(frozen=True)
class Analysis:
    """Everything about an answer that does not depend on the tunable weights and thresholds."""

    answer: Answer
    elements: dict[str, Elements]
    cap: int
    cap_reason: str | None
    pulls: dict[str, float | None]
    cap_scope: tuple[str, ...] | None = None  # the dimensions the cap holds for; None: all of them

    def cap_for(self, dimension: str) -> int:
        """The substance cap on one dimension (4 where the cap does not apply)."""
        return self.cap if self.cap_scope is None or dimension in self.cap_scope else 4

    def ceiling(self, dimension: str) -> int:
        """The highest level the answer can reach on a dimension: the contract's ladder (what each
        level needs, from the elements found) and the substance cap."""
        found = {name for name, ev in self.elements[dimension].items() if ev}
        return min(self.cap_for(dimension), ladder_level(dimension, found) + 1)

    def found(self, dimension: str) -> dict[str, bool]:
        """Which elements of a dimension the answer shows."""
        return {name: bool(ev) for name, ev in self.elements[dimension].items()}


# Dimensions whose level 3 in the contract needs figures or specific costs: "a quantified
# user-facing metric change", "both sides are concrete (numbers or specific costs)".
NEED_FIGURES = {"impact_narrative": "impact narrative", "trade_offs": "trade-offs"}


def _substance_cap(a: Answer, tuning: OfflineTuning) -> tuple[int, str | None, tuple[str, ...] | None]:
    """Cap at 2 buzzword lists and long fluff with nothing concrete (every dimension), and long
    answers in general terms throughout (the dimensions that need figures)."""
    total = sum(s.words for s in a.sentences) or 1
    salad_words = sum(s.words for s in a.sentences if s.is_salad)
    jargon = sum(s.count(t.JARGON) for s in a.sentences) / total
    fluff_rate = sum(s.count(t.FLUFF) for s in a.sentences) / total
    if (salad_words / total >= 0.4 or jargon >= tuning.salad_jargon_rate
            or (jargon >= tuning.salad_jargon_with_fluff and fluff_rate >= tuning.salad_fluff_rate)):
        return 2, "mostly a list of buzzwords and figures with no causal story", None
    concrete = sum(s.count(t.NUMBER) + s.count(t.SPECIFIC_CONSTRAINT) for s in a.usable)
    fluff = sum(s.count(t.FLUFF) + s.count(t.PUFFERY) for s in a.sentences)
    if (total >= tuning.fluff_min_words and concrete * 100 / total < tuning.fluff_max_concrete_per_100
            and fluff >= tuning.fluff_min_phrases):
        return 2, "long and confident but with almost nothing concrete", None
    said = " ".join(s.text for s in a.sentences)  # what the candidate said, grader-directed text set aside
    specifics = t.specifics_per_100(said)
    if total >= tuning.vague_min_words and specifics < tuning.vague_max_specifics_per_100:
        return 2, "long, but with almost nothing specific: no number, metric, product detail, name or quote", None
    if (total >= tuning.general_min_words and concrete == 0 and specifics < tuning.general_max_specifics_per_100
            and not any(s.has(t.PLAIN_QUANTITY) for s in a.usable)):  # "one family in ten", "three chapters"
        # In the calibration part every answer this long with no figure or named constraint and this few
        # details is labelled 2 or lower. A story told without figures can still earn PARL and culture.
        return 2, "long, but in general terms throughout: not one number or named constraint", tuple(NEED_FIGURES)
    committed = any(s.has(t.DECISION) or t.OWN_ACTION.search(s.text) or t.FIRST_PERSON_ACTION.search(s.text)
                    or t.COMMITMENT.search(s.text) for s in a.usable)
    if not committed:
        listed = len(t.ENUMERATION.findall(" ".join(s.text for s in a.sentences)))
        guessed = sum(s.count(t.HEDGE) for s in a.sentences)
        if listed >= 2 or guessed >= 3:
            return 2, "lists of terms and estimates, with no decision or action of your own", None
    return 4, None, None


def _anchor_pull(dimension: str, anchors: Sequence[AnchorHit], min_similarity: float) -> float | None:
    relevant = [(a["similarity"], a["scores"][dimension]) for a in anchors
                if dimension in a["scores"] and a["similarity"] >= min_similarity]
    if not relevant:
        return None
    weight = sum(sim for sim, _ in relevant)
    return sum(sim * score for sim, score in relevant) / weight


@lru_cache(maxsize=1)
def packaged_tuning() -> OfflineTuning:
    """The offline section of the packaged rubric: the weights fitted for the packaged detectors."""
    from interviewer.rubric import load_rubric

    return load_rubric(Path(__file__).resolve().parent.parent / "data" / "rubric.yaml").offline


def analyse(answer: str, dimensions: Sequence[str], *, experience: bool,
            anchors: Sequence[AnchorHit] = (), tuning: OfflineTuning | None = None,
            sentences: SentenceModel | None = None) -> Analysis:
    """Detect every dimension's elements, the substance cap and the anchors' pull.

    With a sentence model, each trained element is decided by its classifier over the usable
    sentences (the cue-pattern detectors stand in for elements it has no classifier for).
    """
    tuning = tuning or OfflineTuning()
    a = prepare(answer, experience)
    vectors = sentences.vectors_soon(a.sentences) if sentences is not None and a.sentences else None
    cap, reason, scope = _substance_cap(a, tuning)
    elements = {d: DETECTORS[d](a) for d in dimensions}
    if sentences is not None:
        learned = sentences.fire(a.sentences, experience, usable=a.usable, vectors=vectors)
        for d in dimensions:
            elements[d] = _combine(d, elements[d], learned, a)
        # cue-found commitments count only for elements no classifier decides (bias_aware's)
        committed = any(learned.get(e) for e in COMMITMENT_ELEMENTS) or any(
            found for d in dimensions for e, found in elements[d].items()
            if e in COMMITMENT_ELEMENTS and e not in learned)
        if not committed and (cap > 2 or scope is not None):
            cap, reason, scope = 2, NO_COMMITMENT, None
    return Analysis(a, elements, cap, reason,
                    {d: _anchor_pull(d, anchors, tuning.anchor_min_similarity) for d in dimensions}, scope)


# Elements that commit the candidate to something: a decision, a rule, an action, a hypothesis,
# what they said. An answer with none of them is a list or a speech, whatever its vocabulary.
COMMITMENT_ELEMENTS = ("reasoned_decision", "decision_rule", "action", "own_action", "ship_rule", "core_clear",
                       "direct_feedback_with_reason", "measure_per_group", "mitigation_rule")
NO_COMMITMENT = "no decision, action, rule or hypothesis of your own, only terms and claims"


# A rule with no result in its condition is no rule, whichever detector reads it (the classifiers
# credited "if results are positive, we ship" as a decision rule).
RULE_ELEMENTS = ("decision_rule", "ship_rule", "mitigation_rule")


def _meets(element: str, sentence: Sentence, a: Answer) -> bool:
    """Whether a sentence has what the element needs at the least (see NEEDS)."""
    if element in RULE_ELEMENTS and _vacuous_rule(a, sentence):
        return False
    needs = NEEDS.get(element)
    return needs is None or any(sentence.has(p) for p in needs)


def _about_users(sentence: Sentence) -> bool:
    """Whether a sentence speaks of users or the business, not only of model metrics."""
    return not sentence.has(t.MODEL_METRIC) or any(sentence.has(p) for p in (t.USER_METRIC, t.USER_OUTCOME, t.BUSINESS))


_CONDITION = re.compile(r"\b(?:if|unless|only|until|once|whenever|as long as|budget|cap(?:ped)?|limit|at most|"
                        r"at least|no more than|under|below|above|within|ceiling|floor)\b", re.IGNORECASE)
# What a sentence must at least contain for a classifier's firing to count: the classifier reads
# meaning, these keep it from reading a plain result as a rule or an unquantified one as quantified.
# (Requiring contrast words for a tension was measured and dropped: it cost the plain-word
# trade-offs the classifier exists to find.)
NEEDS: dict[str, tuple[t.Pattern, ...]] = {
    "decision_rule": (t.RULE, t.SHIP_RULE, _CONDITION),
    "ship_rule": (t.RULE, t.SHIP_RULE, _CONDITION),
    "user_metric_quantified": (t.NUMBER,),
    "result_quantified": (t.NUMBER,),
}


def _combine(dimension: str, cues: Elements, learned: dict[str, list[Sentence]], a: Answer) -> Elements:
    """A dimension's elements from the classifiers, with the ladder's structure kept: an element
    that builds on another counts only when that one is found too."""
    out = {e: ([s for s in learned[e] if _meets(e, s, a)][:2] if e in learned else cues[e]) for e in cues}
    if dimension == "impact_narrative":
        # a model metric is never a user or business outcome, however the sentence is phrased
        for element in ("outcome_named", "user_metric_quantified", "business_chain"):
            out[element] = [s for s in out[element] if _about_users(s)]
    if dimension == "ml_depth":
        applied = learned.get("concept_applied", [])
        out["two_concepts_applied"] = applied[:2] if len(applied) >= 2 else []
    requires = {"business_chain": "user_metric_quantified", "connected": "customer_clear",
                "result_quantified": "result", "own_action": "action"}
    for element, base in requires.items():
        if element in out and base in out and not out[base]:
            out[element] = []
    return out


def score_answer(answer: str, dimensions: Sequence[str], *, experience: bool,
                 anchors: Sequence[AnchorHit] = (), tuning: OfflineTuning | None = None,
                 sentences: SentenceModel | Literal["packaged"] | None = "packaged",
                 ) -> tuple[list[DimensionScore], list[str], list[str]]:
    """Score every dimension; returns the scores, notices (flagged text, caps) and the flagged
    sentences (text addressed to the grader, which earned nothing). `sentences`: the trained
    element detectors ("packaged": the shipped ones; None: cue patterns only)."""
    tuning = tuning or packaged_tuning()
    if sentences == "packaged":
        sentences = packaged_sentence_model()
    analysis = analyse(answer, dimensions, experience=experience, anchors=anchors, tuning=tuning,
                       sentences=sentences)
    notices = []
    if analysis.answer.flagged:
        notices.append(f"Ignored {len(analysis.answer.flagged)} sentence(s) addressed to the grader "
                       "rather than answering the question; they earned nothing.")
    if analysis.cap_reason:
        scope = "" if analysis.cap_scope is None else " on " + " and ".join(
            NEED_FIGURES.get(d, d) for d in analysis.cap_scope if d in dimensions)
        if scope != " on ":
            notices.append(f"Scores capped at {analysis.cap}{scope}: {analysis.cap_reason}.")
    results: list[DimensionScore] = []
    for dim in dimensions:
        found = analysis.found(dim)
        raw = tuning.dimensions[dim].level(found)
        pull = analysis.pulls[dim]
        level = int(levels_for(np.array([[float(found[e]) for e in ELEMENTS[dim]]]), tuning.dimensions[dim],
                               ELEMENTS[dim], pulls=np.array([np.nan if pull is None else pull]),
                               caps=np.array([analysis.ceiling(dim)]), anchor_weight=tuning.anchor_weight)[0])
        finding = explain(dim, analysis.elements[dim], tuning.dimensions[dim], level)
        missing = list(finding.missing)
        rationale = finding.rationale
        ceiling = analysis.ceiling(dim)
        anchored = min(raw, ceiling)
        if raw > ceiling and ceiling < analysis.cap_for(dim):
            rationale += f"; held at {ceiling}: level {ceiling + 1} needs what is listed as missing"
        if level < anchored:
            rationale += "; lowered one level: answers much like this one were scored lower by interview coaches"
            missing.append("the coach-scored answers closest to this one needed sharper numbers and a clearer "
                           "decision to score higher")
        if raw > analysis.cap_for(dim):
            missing.append(analysis.cap_reason or "")
        results.append(DimensionScore(
            dimension=dim, score=level, evidence=list(dict.fromkeys(s.text for s in finding.evidence)),
            missing=missing, rationale=rationale, shown=finding.shown,
        ))
    return results, notices, list(analysis.answer.flagged)
