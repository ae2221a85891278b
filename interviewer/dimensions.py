"""The registry of rubric dimensions and their elements: the one place their names live.

Everything else (the rubric's validation, the offline detectors, advice, rewrite examples, prep
plans, the injection and reveal patterns) reads dimension and element names from here.
The level meanings themselves are coach-visible text in rubric.yaml; the contract's are pinned
by hash below so an edit cannot silently change what a score means.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Element:
    """One thing a rubric level asks for (or, for a warning, something that counts against it)."""

    id: str
    label: str  # how the candidate reads it: "decision rule"
    advice: str  # what to tell the candidate when it is missing (a warning: when it is found)
    warning: bool = False


# A level's requirement: at least `k` of these elements (the contract's ladder, e.g. level 3 of
# three_c needs two of the three Cs clear).
Requirement = tuple[int, tuple[str, ...]]


@dataclass(frozen=True)
class DimensionSpec:
    """A rubric dimension: where it applies, its elements in ladder order, and its coaching text."""

    id: str
    elements: tuple[Element, ...]
    rewrite: str  # a complete example of a stronger answer's key sentence
    prep: str  # what to study and practise when it is weak
    contract_levels_hash: str | None  # sha256 prefix of the contract's level meanings, if contracted
    rounds: frozenset[str] | None = None  # None: every round
    story_rounds: frozenset[str] = frozenset()  # rounds where it applies to every question
    experience_only: bool = False  # elsewhere, only to questions that ask for a past story
    question_scoped: bool = False  # applies only to questions that target it (not a contract dimension)
    ladder: dict[int, tuple[Requirement, ...]] = field(default_factory=dict)  # level -> what it needs

    def element(self, element_id: str) -> Element:
        """Look an element up by id (KeyError names the dimension)."""
        for e in self.elements:
            if e.id == element_id:
                return e
        raise KeyError(f"{self.id} has no element {element_id!r}")

    @property
    def element_ids(self) -> tuple[str, ...]:
        """Element ids in ladder order (what a low level shows first)."""
        return tuple(e.id for e in self.elements)


def _e(id: str, label: str, advice: str, warning: bool = False) -> Element:
    return Element(id, label, advice, warning)


REGISTRY: dict[str, DimensionSpec] = {spec.id: spec for spec in (
    DimensionSpec(
        id="impact_narrative",
        elements=(
            _e("outcome_named", "an outcome for users or the business",
               "no outcome: say what changed for users and for the business"),
            _e("user_metric_quantified", "a quantified user metric change",
               "result not quantified: name the user metric and how much it moved"),
            _e("business_chain", "a business consequence chained to the user outcome",
               "no quantified business or cost consequence (revenue, savings, cost per stream) "
               "chained to the user outcome"),
            _e("model_metrics_only", "only model metrics",
               "only model metrics: no user or business outcome", warning=True),
        ),
        rewrite=("End the story with the outcome chain, for example: \"The new row lifted 30-day "
                 "retention for new members by 2%, which is worth about $4M a year in subscriptions "
                 "we would otherwise have lost.\""),
        prep=("Rewrite three of your stories so each ends in a user metric with its size and the "
              "business or cost effect (see framework-impact, media-metrics)."),
        contract_levels_hash="8f0bba00f77bc140",
        ladder={2: ((1, ("outcome_named", "user_metric_quantified", "business_chain")),),
                3: ((1, ("user_metric_quantified",)),),
                4: ((1, ("business_chain",)),)},
    ),
    DimensionSpec(
        id="trade_offs",
        elements=(
            _e("tension_named", "a tension between two goals",
               "no trade-off acknowledged: name what you gave up"),
            _e("both_sides_concrete", "both sides of the tension made concrete",
               "tension named only in general terms: put numbers or specific costs on both sides"),
            _e("reasoned_decision", "a decision with its reason",
               "no decision: say what you chose and why"),
            _e("decision_rule", "a decision rule",
               "no decision rule: a threshold, latency budget, rollback criterion or when you "
               "would revisit"),
        ),
        rewrite=("Name both sides with numbers, then decide and set the rule, for example: \"The "
                 "larger model gave 3% more plays but added 40 ms; I chose it because the page "
                 "stayed inside its 200 ms budget, and we would roll back if time-to-play rose "
                 "above 2 seconds.\""),
        prep=("For every design answer, state both sides with numbers, pick one, and give the "
              "rollback threshold (see answer-patterns)."),
        contract_levels_hash="125620c2a0475a36",
        ladder={2: ((1, ("tension_named", "both_sides_concrete", "reasoned_decision", "decision_rule")),),
                3: ((1, ("both_sides_concrete",)), (1, ("reasoned_decision",))),
                4: ((1, ("decision_rule",)),)},
    ),
    DimensionSpec(
        id="three_c",
        elements=(
            _e("customer_clear", "a specific user problem",
               "no specific user/listener/viewer problem"),
            _e("constraint_clear", "a named constraint",
               "no named constraint (latency, privacy, compute, budget, licensing)"),
            _e("core_clear", "an ML hypothesis that addresses the problem",
               "no ML hypothesis that addresses the problem"),
            _e("customer_vague", "users mentioned without a problem", ""),
            _e("constraint_vague", "a constraint mentioned in general", ""),
            _e("core_vague", "ML mentioned without a hypothesis", ""),
            _e("connected", "the hypothesis tied to the problem within the constraints",
               "the ML hypothesis is not tied back to the user problem within the constraints"),
        ),
        rewrite=("Open with Customer, Constraint and Core in three sentences, for example: \"New "
                 "listeners skip most of their first playlist; we can't use listening history they "
                 "don't have yet and the page must load in 200 ms; our bet is that a model trained "
                 "on onboarding picks will find songs they finish.\""),
        prep=("Open each case with Customer, Constraint, Core in three sentences before any "
              "solution (see framework-3c)."),
        contract_levels_hash="2a85af27d2efcdef",
        ladder={2: ((1, ("customer_clear", "constraint_clear", "core_clear", "customer_vague", "constraint_vague",
                             "core_vague")),),
                3: ((2, ("customer_clear", "constraint_clear", "core_clear")),),
                4: ((3, ("customer_clear", "constraint_clear", "core_clear")), (1, ("connected",)))},
    ),
    DimensionSpec(
        id="parl",
        elements=(
            _e("problem", "a specific problem", "no specific problem"),
            _e("action", "an action", "no action of your own"),
            _e("own_action", "your own decision or action",
               "the action is the team's, not yours: say what you decided"),
            _e("result", "a result", "no result"),
            _e("result_quantified", "a quantified result", "result not quantified"),
            _e("learning", "a learning", "no learning"),
            _e("hypothetical", "a hypothetical instead of a story",
               "a hypothetical, not a story: tell what you did", warning=True),
        ),
        rewrite=("Tell it as Problem, Action, Result, Learning, for example: \"A third of new "
                 "members left in their first week. I decided to cut sign-up to two screens. "
                 "First-week cancellations fell 12%. I learned to test the flow with ten real "
                 "users before building anything.\""),
        prep=("Drill your top five stories as Problem, Action, Result, Learning; time each to two "
              "minutes (see framework-parl)."),
        contract_levels_hash="3e0bda19d5af7e05",
        story_rounds=frozenset({"recruiter_screen", "culture"}),
        experience_only=True,
        ladder={2: ((2, ("problem", "action", "result", "learning")),),
                3: ((3, ("problem", "action", "result", "learning")),),
                4: ((1, ("own_action",)), (1, ("result_quantified",)),
                    (4, ("problem", "action", "result", "learning")))},
    ),
    DimensionSpec(
        id="experimentation",
        elements=(
            _e("test_or_metric", "a way to test or measure the idea",
               "no way to test or measure the idea"),
            _e("primary_metric", "a primary metric", "no primary metric"),
            _e("design", "a guardrail, randomisation unit or duration",
               "no guardrail, randomisation unit or duration"),
            _e("hypothesis_or_readout", "a hypothesis or read-out", "no hypothesis or read-out"),
            _e("guardrail", "a guardrail metric", "no guardrail metric"),
            _e("rigor", "statistical rigor",
               "no power, minimum detectable effect, novelty or interference"),
            _e("ship_rule", "a ship/no-ship rule", "no ship/no-ship rule"),
        ),
        rewrite=("Design the test out loud, for example: \"My hypothesis is that shorter previews "
                 "raise completed first episodes; that is the primary metric, with cancellations "
                 "as the guardrail; we randomise by member for three weeks, sized to detect a 1% "
                 "change, and ship only if completions rise and cancellations do not.\""),
        prep=("Practise designing A/B tests aloud: primary metric, guardrails, unit, duration, "
              "power, ship rule (see experimentation-causal)."),
        contract_levels_hash="b82ae6eb0e25f6d8",
        rounds=frozenset({"product_case", "technical_deep_dive"}),
        ladder={2: ((1, ("test_or_metric", "primary_metric")),),
                3: ((1, ("hypothesis_or_readout",)), (1, ("design", "guardrail"))),
                4: ((1, ("rigor",)), (1, ("ship_rule",)))},
    ),
    DimensionSpec(
        id="ml_depth",
        elements=(
            _e("concept_named", "a relevant ML concept", "no relevant ML concept"),
            _e("concept_applied", "a concept applied to this question",
               "concepts named but not applied to this question"),
            _e("two_concepts_applied", "two concepts applied",
               "apply more than one relevant concept to the question"),
            _e("product_consequences", "the product consequence of the technical choice",
               "no product consequence: what the user sees, what it costs, how it fails"),
        ),
        rewrite=("For each technique, say what members see, what it costs and how it fails, for "
                 "example: \"A bandit explores new titles on one row only, so members still see "
                 "mostly proven picks; it costs a little short-term viewing, and if exploration "
                 "goes wrong we fall back to the popular row.\""),
        prep=("Review cold start, bandits, two-tower retrieval and embedding drift, and for each "
              "say what members see when it fails (see recsys-concepts)."),
        contract_levels_hash="259d4f0175589dde",
        rounds=frozenset({"technical_deep_dive"}),
        ladder={2: ((1, ("concept_named", "concept_applied")),),
                3: ((1, ("concept_applied",)),),
                4: ((1, ("product_consequences",)),)},
    ),
    DimensionSpec(
        id="culture",
        elements=(
            _e("example", "a specific example",
               "no example: tell a specific time you gave or got hard feedback"),
            _e("direct_feedback_with_reason", "what you said or did, and why",
               "vague about what you said or did and why"),
            _e("ownership", "ownership of the outcome", "no ownership of the outcome or decision"),
            _e("what_changed", "what changed afterwards",
               "nothing on what changed in the relationship or your behaviour"),
            _e("deferral", "deferring to process or consensus",
               "defers to process or consensus: give your own example", warning=True),
        ),
        rewrite=("Quote what you said and own the result, for example: \"I told our data lead, "
                 "'I can't present this forecast, it hides the churn risk,' because the launch "
                 "depended on it. I made the call to delay a week. Since then we review forecasts "
                 "together before any leadership meeting.\""),
        prep=("Prepare two candor stories with the exact words you used and what changed "
              "afterwards (see round-culture-keeper-test)."),
        contract_levels_hash="f23dfc3ca9a232ba",
        rounds=frozenset({"culture"}),
        ladder={2: ((1, ("example",)),),
                3: ((1, ("direct_feedback_with_reason",)),),
                4: ((1, ("ownership",)), (1, ("what_changed",)))},
    ),
    DimensionSpec(
        id="bias_aware",
        elements=(
            _e("bias_named", "a bias or fairness risk named",
               "no bias or fairness risk considered: say who the model could treat unfairly"),
            _e("groups_specific", "the specific groups who could be affected",
               "bias named only in general: say which groups of listeners, viewers or creators it affects"),
            _e("measure_per_group", "a measure for each group",
               "no measure: say what you would compare across those groups (exposure, plays, errors)"),
            _e("user_perception", "how users or creators would perceive it",
               "only technical fairness: say how listeners, viewers or creators would experience and "
               "judge the outcome"),
            _e("mitigation_rule", "a launch or mitigation rule",
               "no rule: a threshold on the gap between groups that blocks launch or triggers a fix"),
            _e("mitigation_cost", "what the mitigation costs", "no cost: say what the fix gives up"),
            _e("monitoring", "monitoring after launch", "no monitoring after launch"),
        ),
        rewrite=("Make the audit concrete, for example: \"I'd compare the share of recommendations going to "
                 "independent artists with their share of listening, and ask a panel of listeners whether "
                 "their mixes feel varied; if independent artists get less than 80% of their fair share we "
                 "hold the launch and re-rank, accepting about 1% fewer saves, and we track the gap monthly.\""),
        prep=("Practise a fairness audit out loud: who could be treated unfairly, what you would measure for "
              "each group, how users and creators would see it, and the rule that blocks a launch (see "
              "regulation-responsible-ai)."),
        contract_levels_hash=None,
        question_scoped=True,
        ladder={2: ((1, ("bias_named",)),),
                3: ((1, ("groups_specific",)), (1, ("measure_per_group",)), (1, ("user_perception",))),
                4: ((1, ("mitigation_rule",)),)},
    ),
)}

DIMENSION_IDS: tuple[str, ...] = tuple(REGISTRY)
ELEMENTS: dict[str, tuple[str, ...]] = {d: spec.element_ids for d, spec in REGISTRY.items()}
QUESTION_SCOPED: frozenset[str] = frozenset(d for d, spec in REGISTRY.items() if spec.question_scoped)
WARNINGS: frozenset[str] = frozenset(e.id for spec in REGISTRY.values() for e in spec.elements if e.warning)


def ladder_level(dimension: str, found: set[str]) -> int:
    """The highest level whose contract requirements (and those of every level below) the found
    elements meet; 1 when even level 2's are not met."""
    level = 1
    for target in (2, 3, 4):
        needs = REGISTRY[dimension].ladder.get(target, ())
        if all(sum(1 for e in elements if e in found) >= k for k, elements in needs):
            level = target
        else:
            break
    return level


def dimension_allowed(dimension: str, round_id: str, kind: str) -> bool:
    """Whether the contract lets this dimension apply to this round and question kind (a
    question-scoped dimension applies wherever a question targets it)."""
    spec = REGISTRY[dimension]
    if spec.rounds is not None and round_id not in spec.rounds:
        return False
    if spec.experience_only:
        return kind == "experience" or round_id in spec.story_rounds
    return True
