"""Structured outputs the judge must return, validated with pydantic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class JudgedDimension(BaseModel):
    """The judge's verdict on one dimension."""

    model_config = ConfigDict(extra="forbid")

    dimension: str
    score: int = Field(ge=1, le=4)
    evidence: list[str] = Field(default_factory=list, max_length=6)
    missing: list[str] = Field(default_factory=list, max_length=6)
    rationale: str = Field(max_length=400)
    cited: list[str] = Field(default_factory=list, max_length=8)


class JudgeOutput(BaseModel):
    """One structured judgment of one answer."""

    model_config = ConfigDict(extra="forbid")

    dimensions: list[JudgedDimension] = Field(min_length=1)
    suggested_followup: str = Field(default="", max_length=400)
    injection_suspected: bool = False
