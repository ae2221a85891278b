"""The rubric: dimensions, levels, round applicability and weights, validated from YAML."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interviewer.datafiles import load_yaml_model

DimensionId = Literal[
    "impact_narrative", "trade_offs", "three_c", "parl", "experimentation", "ml_depth", "culture"
]
RoundId = Literal[
    "recruiter_screen", "hiring_manager", "product_case", "technical_deep_dive", "culture"
]
CompanyId = Literal["netflix", "spotify", "generic"]

DIMENSIONS: tuple[DimensionId, ...] = (
    "impact_narrative", "trade_offs", "three_c", "parl", "experimentation", "ml_depth", "culture",
)
ROUNDS: tuple[RoundId, ...] = (
    "recruiter_screen", "hiring_manager", "product_case", "technical_deep_dive", "culture",
)
HireSignal = Literal["strong hire", "lean hire", "lean no", "strong no"]
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
        return self

    def applicable(self, round_id: RoundId, experience: bool) -> dict[DimensionId, float]:
        """The dimensions scored for an answer in this round, with their weights."""
        spec = self.rounds[round_id]
        return {**spec.weights, **(spec.experience_only if experience else {})}

    def hire_signal_for(self, judgment: float) -> HireSignal:
        """Map a 1-4 judgment score to a hire signal."""
        for signal, floor in sorted(self.hire_signal.items(), key=lambda kv: -kv[1]):
            if judgment >= floor:
                return signal
        return "strong no"


def load_rubric(path: Path) -> Rubric:
    """Load and validate a rubric file (errors name the file and line)."""
    return load_yaml_model(Rubric, path)


@lru_cache(maxsize=8)
def cached_rubric(path: Path, mtime_ns: int) -> Rubric:
    """Load a rubric once per file version."""
    del mtime_ns  # part of the cache key only
    return load_rubric(path)
