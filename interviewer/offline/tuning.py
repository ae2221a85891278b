"""The offline scorer's tunable parameters: element weights, level thresholds and guard limits.

Each dimension's detector reports which rubric elements an answer shows. The level is
1 + the number of thresholds its points reach, where points = sum of the weights of the
elements found. Coaches (or `interviewer calibrate`) tune these numbers in rubric.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from interviewer.dimensions import ELEMENTS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DimensionTuning(_Strict):
    """Points per element found, and the points needed for levels 2, 3 and 4."""

    weights: dict[str, float]
    thresholds: tuple[float, float, float]

    @model_validator(mode="after")
    def _ordered(self) -> DimensionTuning:
        if list(self.thresholds) != sorted(self.thresholds):
            raise ValueError("thresholds must be in ascending order (levels 2, 3, 4)")
        return self

    def level(self, found: Mapping[str, bool]) -> int:
        """The 1-4 level that the found elements earn."""
        points = sum(w for name, w in self.weights.items() if found.get(name))
        return 1 + sum(1 for t in self.thresholds if points >= t - 1e-9)

    def points(self, found: Mapping[str, bool]) -> float:
        """The points the found elements earn."""
        return sum(w for name, w in self.weights.items() if found.get(name))


def _t(weights: dict[str, float], thresholds: tuple[float, float, float]) -> DimensionTuning:
    return DimensionTuning(weights=weights, thresholds=thresholds)


DEFAULT_DIMENSIONS: dict[str, DimensionTuning] = {
    "impact_narrative": _t({"outcome_named": 1, "user_metric_quantified": 1, "business_chain": 1,
                            "model_metrics_only": 0}, (1, 2, 3)),
    "trade_offs": _t({"tension_named": 1, "both_sides_concrete": 1, "reasoned_decision": 1,
                      "decision_rule": 1}, (1, 3, 4)),
    "three_c": _t({"customer_clear": 1, "constraint_clear": 1, "core_clear": 1, "customer_vague": 0.5,
                   "constraint_vague": 0.5, "core_vague": 0.5, "connected": 1}, (1, 2, 4)),
    "parl": _t({"problem": 1, "action": 1, "own_action": 0.5, "result": 1, "result_quantified": 0.5,
                "learning": 1, "hypothetical": -4}, (2, 3, 5)),
    "experimentation": _t({"test_or_metric": 1, "primary_metric": 1, "design": 1,
                           "hypothesis_or_readout": 1, "guardrail": 0, "rigor": 1, "ship_rule": 1},
                          (1, 4, 6)),
    "ml_depth": _t({"concept_named": 1, "concept_applied": 1, "two_concepts_applied": 0,
                    "product_consequences": 1}, (1, 2, 3)),
    "culture": _t({"example": 1, "direct_feedback_with_reason": 1, "ownership": 0.5, "what_changed": 0.5,
                   "deferral": -1}, (1, 2, 3)),
    "bias_aware": _t({"bias_named": 1, "groups_specific": 1, "measure_per_group": 1, "user_perception": 1,
                      "mitigation_rule": 1, "mitigation_cost": 0.5, "monitoring": 0.5}, (1, 3.5, 5.5)),
}


class OfflineTuning(_Strict):
    """Every number the offline scorer uses to turn detected elements into a level."""

    fitted: str = Field(default="", description="where these numbers came from (set by interviewer calibrate)")
    dimensions: dict[str, DimensionTuning] = Field(default_factory=lambda: dict(DEFAULT_DIMENSIONS))
    anchor_weight: float = Field(default=0.25, ge=0, le=1,
                                 description="how far similar labelled anchors may pull a score down")
    anchor_min_similarity: float = Field(default=0.55, ge=0, le=1)
    salad_jargon_rate: float = Field(default=0.145, gt=0,
                                     description="rubric/ML jargon per word above which an answer is salad")
    salad_jargon_with_fluff: float = Field(default=0.1, gt=0)
    salad_fluff_rate: float = Field(default=0.01, gt=0)
    fluff_min_words: int = Field(default=60, gt=0)
    fluff_max_concrete_per_100: float = Field(default=1.5, ge=0)
    fluff_min_phrases: int = Field(default=2, ge=1, description="confident filler phrases that mark fluff")
    vague_min_words: int = Field(default=80, gt=0, description="answers this long are checked for specifics")
    vague_max_specifics_per_100: float = Field(
        default=1.0, ge=0, description="fewer specific details per 100 words than this caps the answer at 2")
    general_min_words: int = Field(
        default=200, gt=0, description="answers this long with no figure or named constraint are checked")
    general_max_specifics_per_100: float = Field(
        default=3.0, ge=0, description="such an answer with fewer specific details per 100 words is capped at 2")

    @model_validator(mode="after")
    def _known_elements(self) -> OfflineTuning:
        for dim, spec in self.dimensions.items():
            if dim not in ELEMENTS:
                raise ValueError(f"unknown dimension {dim!r} in offline tuning")
            unknown = sorted(set(spec.weights) - set(ELEMENTS[dim]))
            if unknown:
                raise ValueError(f"unknown element(s) for {dim}: {', '.join(unknown)} "
                                 f"(known: {', '.join(ELEMENTS[dim])})")
        missing = [d for d in ELEMENTS if d not in self.dimensions]
        if missing:
            raise ValueError(f"offline tuning missing for: {', '.join(missing)}")
        return self


TUNING_MARKER = "# --- offline scorer tuning"


def tuning_block(tuning: OfflineTuning) -> str:
    """The rubric.yaml section that holds the tuning, as `interviewer calibrate --write` writes it."""
    import yaml

    body = yaml.safe_dump({"offline": tuning.model_dump(mode="json")}, sort_keys=False,
                          default_flow_style=None, width=110, allow_unicode=True)
    return (f"{TUNING_MARKER} (weights and thresholds; `interviewer calibrate --write` rewrites "
            "everything below this line)\n"
            "# Per dimension: points per element found; a level needs the points in thresholds "
            "(for levels 2, 3, 4).\n" + body)


def levels_for(found: np.ndarray, tuning: DimensionTuning, elements: Sequence[str], *, pulls: np.ndarray,
               caps: np.ndarray, anchor_weight: float) -> np.ndarray:
    """The offline scorer's level rule, for one answer or many at once (calibrate fits with it).

    found: answers x elements (0/1, columns in `elements` order); pulls: the mean label of similar
    anchors per answer (nan when none is similar enough); caps: the substance cap per answer.
    Points of the found elements pass thresholds to give a level; anchors may pull it down (never
    up) by `anchor_weight` of the gap; the cap comes last. Returns integer levels 1-4.
    """
    weights = np.array([tuning.weights.get(e, 0.0) for e in elements])
    points = found @ weights
    raw = 1 + sum((points >= t - 1e-9).astype(int) for t in tuning.thresholds)
    pulled = np.where(np.isnan(pulls), raw,
                      np.minimum(raw, np.round(raw + anchor_weight * (np.nan_to_num(pulls) - raw))))
    return np.minimum(np.maximum(pulled, 1), caps).astype(int)
