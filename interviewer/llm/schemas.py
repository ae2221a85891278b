"""Structured outputs the judge must return, validated with pydantic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class JudgedDimension(BaseModel):
    """The judge's verdict on one dimension.

    Field order is the order the judge writes in: the quotes, what is missing and the reasoning
    come before the score, so the number follows from the evidence (as rubric-grading models
    such as Prometheus and G-Eval do) instead of quotes being found for a number.
    """

    model_config = ConfigDict(extra="forbid")

    dimension: str
    evidence: list[str] = Field(default_factory=list, max_length=6)
    missing: list[str] = Field(default_factory=list, max_length=6)
    rationale: str = Field(max_length=400)
    cited: list[str] = Field(default_factory=list, max_length=8)
    score: int = Field(ge=1, le=4)


class JudgeOutput(BaseModel):
    """One structured judgment of one answer."""

    model_config = ConfigDict(extra="forbid")

    dimensions: list[JudgedDimension] = Field(min_length=1)
    suggested_followup: str = Field(default="", max_length=400)
    injection_suspected: bool = False
