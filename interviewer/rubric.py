"""The rubric: dimensions, levels, round applicability and weights, validated from YAML."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from interviewer.datafiles import line_of, read_yaml, validate
from interviewer.dimensions import DIMENSION_IDS, QUESTION_SCOPED, REGISTRY, dimension_allowed
from interviewer.errors import DataFileError
from interviewer.offline.tuning import OfflineTuning

RoundId = Literal[
    "recruiter_screen", "hiring_manager", "product_case", "technical_deep_dive", "culture"
]
CompanyId = Literal["netflix", "spotify", "generic"]


def _known_dimension(value: str) -> str:
    if value not in REGISTRY:
        raise ValueError(f"{value!r} is not allowed: not a rubric dimension (known: {', '.join(DIMENSION_IDS)})")
    return value


# A dimension id, checked against the registry wherever data is validated.
DimensionId = Annotated[str, AfterValidator(_known_dimension)]
DIMENSIONS = DIMENSION_IDS
ROUNDS: tuple[RoundId, ...] = (
    "recruiter_screen", "hiring_manager", "product_case", "technical_deep_dive", "culture",
)
HireSignal = Literal["strong hire", "lean hire", "lean no", "strong no"]


def levels_hash(levels: dict[int, str]) -> str:
    """A short fingerprint of a dimension's level meanings."""
    text = "\n".join(f"{k}. {v}" for k, v in sorted(levels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
Level = Literal[1, 2, 3, 4]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dimension(_Strict):
    """One rubric dimension and the meaning of each level."""

    name: str
    judges: str
    levels: dict[Level, str]

    @model_validator(mode="after")
    def _all_levels(self) -> Dimension:
        if sorted(self.levels) != [1, 2, 3, 4]:
            raise ValueError("levels must define exactly 1, 2, 3 and 4")
        return self


class RoundRubric(_Strict):
    """Which dimensions apply in a round, with their weights in the round score."""

    name: str
    weights: dict[DimensionId, float]
    experience_only: dict[DimensionId, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _positive(self) -> RoundRubric:
        for dim, weight in {**self.weights, **self.experience_only}.items():
            if weight <= 0:
                raise ValueError(f"weight of {dim} must be positive")
        if not self.weights:
            raise ValueError("a round needs at least one weighted dimension")
        return self


class Rubric(_Strict):
    """The whole rubric file."""

    version: str
    scale: dict[Level, str]
    overall: dict[Level, str]
    core_dimensions: list[DimensionId]
    probe_at: Level
    hire_signal: dict[HireSignal, float]
    dimensions: dict[DimensionId, Dimension]
    rounds: dict[RoundId, RoundRubric]
    question_scoped: dict[DimensionId, float] = Field(
        default_factory=dict, description="weights of dimensions scored only on questions that target them")
    offline: OfflineTuning = Field(default_factory=OfflineTuning)

    @model_validator(mode="after")
    def _complete(self) -> Rubric:
        missing = [d for d in DIMENSIONS if d not in self.dimensions]
        if missing:
            raise ValueError(f"dimensions missing: {', '.join(missing)}")
        missing_rounds = [r for r in ROUNDS if r not in self.rounds]
        if missing_rounds:
            raise ValueError(f"rounds missing: {', '.join(missing_rounds)}")
        if sorted(self.scale) != [1, 2, 3, 4]:
            raise ValueError("scale must define exactly 1, 2, 3 and 4")
        for dim in QUESTION_SCOPED:
            if dim not in self.question_scoped:
                raise ValueError(f"question_scoped needs a weight for {dim}")
        for dim, weight in self.question_scoped.items():
            if dim not in QUESTION_SCOPED:
                raise ValueError(f"{dim} applies by round, not by question: weigh it under rounds")
            if weight <= 0:
                raise ValueError(f"weight of {dim} must be positive")
        return self

    def applicable(self, round_id: RoundId, experience: bool,
                   targets: Sequence[str] = ()) -> dict[DimensionId, float]:
        """The dimensions scored for an answer in this round, with their weights; `targets` are the
        question's own dimensions, which add any question-scoped one (bias-aware thinking)."""
        spec = self.rounds[round_id]
        scoped = {d: self.question_scoped[d] for d in targets if d in self.question_scoped}
        return {**spec.weights, **(spec.experience_only if experience else {}), **scoped}

    def hire_signal_for(self, judgment: float) -> HireSignal:
        """Map a 1-4 judgment score to a hire signal."""
        for signal, floor in sorted(self.hire_signal.items(), key=lambda kv: -kv[1]):
            if judgment >= floor:
                return signal
        return "strong no"


def contract_violation(rubric: Rubric) -> tuple[tuple[str, ...], str] | None:
    """Where and how a rubric departs from the scoring contract, if it does."""
    for dim_id, dim in rubric.dimensions.items():
        pinned = REGISTRY[dim_id].contract_levels_hash
        if pinned and levels_hash({int(k): v for k, v in dim.levels.items()}) != pinned:
            return (("dimensions", dim_id, "levels"),
                    f"the level meanings of {dim_id} are part of the scoring contract and must "
                    "stay exactly as written")
    for round_id, spec in rubric.rounds.items():
        for dim_id in [*spec.weights, *spec.experience_only]:
            if dim_id in QUESTION_SCOPED:
                return (("rounds", round_id), f"{dim_id} applies only to questions that target it: weigh it "
                                              "under question_scoped, not in a round")
        for dim_id in spec.weights:
            if not dimension_allowed(dim_id, round_id, "case"):
                return (("rounds", round_id, "weights"),
                        f"{dim_id} cannot apply to every answer of {round_id} (rubric contract)")
        for dim_id in spec.experience_only:
            if not dimension_allowed(dim_id, round_id, "experience"):
                return (("rounds", round_id, "experience_only"),
                        f"{dim_id} cannot apply to {round_id} (rubric contract)")
    return None


def load_rubric(path: Path) -> Rubric:
    """Load and validate a rubric file (errors name the file and line)."""
    data = read_yaml(path)
    rubric = validate(Rubric, data, path)
    violation = contract_violation(rubric)
    if violation:
        loc, problem = violation
        raise DataFileError(path, line_of(data, loc), problem)
    return rubric
