"""The question bank and the company loops, validated from YAML."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interviewer.datafiles import load_yaml_model
from interviewer.errors import UnknownChoiceError
from interviewer.rubric import CompanyId, DimensionId, RoundId, dimension_allowed

QuestionKind = Literal["experience", "case", "concept"]

_OPENER = (r"(?:tell (?:me|us) about|describe|walk (?:me|us) through|take (?:me|us) through|"
           r"talk (?:me|us) through|pick (?:one|the|a)|think (?:of|about|back)|recall|share)")
_PAST = (r"(?:a time|the time|an? (?:moment|occasion)|when you|you(?:'ve| have)? (?:\w+ly )?(?:led|shipped|"
         r"owned|built|launched|made|designed|ran|run|worked|managed|gave|given|received|got|had|did|took|"
         r"chose|caught|discovered|defined|tackled|stopped|cut|rolled|argued|disagreed|told|wrote|faced|"
         r"handled|killed|paused|noticed|pushed|persuaded|convinced|learned|delivered|drove|changed)\b|"
         r"your (?:own |proudest |biggest |hardest |best |worst |most )|you'?re proudest|did you|were you|"
         r"you(?:'d)? most want)")
_STORY = re.compile(rf"\b{_OPENER}\b[^?]*?\b{_PAST}|\b(?:have you ever|did you ever|what did you|how did you|"
                    r"why did you|what have you)\b|\b(?:give (?:me|us) an example|an example of (?:when|a time)|"
                    r"share an example)\b(?! from)", re.IGNORECASE)


def infer_question_kind(text: str) -> QuestionKind:
    """"experience" for a question about the candidate's own past, else "case" (for free text
    outside the bank; the bank's own questions carry their kind)."""
    return "experience" if _STORY.search(text) else "case"

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Probe(_Strict):
    """A follow-up aimed at one dimension, asked when that dimension scored weak."""

    dimension: DimensionId
    text: str = Field(min_length=5)


class Question(_Strict):
    """One interview question with what a strong answer shows and its follow-ups."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    company: CompanyId
    round: RoundId
    kind: QuestionKind
    text: str = Field(min_length=10)
    dimensions: list[DimensionId] = Field(min_length=1)
    signals: list[str] = Field(min_length=1)
    probes: list[Probe] = Field(min_length=1, max_length=3)
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _applicable(self) -> Question:
        for dim in [*self.dimensions, *(p.dimension for p in self.probes)]:
            if not dimension_allowed(dim, self.round, self.kind):
                raise ValueError(f"dimension {dim} does not apply to a {self.kind} question "
                                 f"in the {self.round} round")
        return self


class QuestionBank(_Strict):
    """All questions; ids are unique."""

    version: int
    questions: list[Question]

    @model_validator(mode="after")
    def _unique(self) -> QuestionBank:
        seen: set[str] = set()
        for q in self.questions:
            if q.id in seen:
                raise ValueError(f"duplicate question id {q.id}")
            seen.add(q.id)
        return self

    def find_text(self, text: str) -> Question | None:
        """The bank question with this wording (spacing and case aside), if there is one."""
        wanted = " ".join(text.split()).lower()
        return next((q for q in self.questions if " ".join(q.text.split()).lower() == wanted), None)

    def kind_of(self, text: str) -> QuestionKind:
        """The kind of a question given as text: the bank's, or inferred from its wording."""
        found = self.find_text(text)
        return found.kind if found else infer_question_kind(text)

    def get(self, question_id: str) -> Question:
        """Look a question up by id."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise UnknownChoiceError("question", question_id, [q.id for q in self.questions])


ProjectDefault = Literal["minutes", "questions", "weight", "interviewer", "placement"]


class Stage(_Strict):
    """One interview in a company's loop, scored with the rubric of `round`.

    `defaults` names the values no source gives (they are the project's own choices and are
    shown as such); `source` says which reference lines the stage rests on.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    round: RoundId
    name: str
    interviewer: str
    minutes: int = Field(gt=0)
    questions: int = Field(ge=1, le=6)
    weight: float = Field(gt=0)
    intro: str
    tags: list[str] = Field(default_factory=list)
    exclude_tags: list[str] = Field(default_factory=list)
    source: str = ""
    defaults: list[ProjectDefault] = Field(default_factory=list)


class CommitteeSignal(_Strict):
    """A signal the committee weighs, read from the scores of these dimensions across the loop."""

    name: str
    dimensions: list[DimensionId] = Field(min_length=1)
    source: str = ""


class Committee(_Strict):
    """The step after the interviews where a committee, not the candidate, is in the room: it turns
    the loop's evidence into one judgment score (the mean of its signals).

    `over_explaining_discount` (Spotify's signal-to-noise rubric) is taken off the judgment in
    proportion to the share of answers that were long and carried little that is specific.
    """

    name: str
    members: str
    minutes: int | None = Field(default=None, gt=0)
    signals: list[CommitteeSignal] = Field(min_length=1)
    over_explaining_discount: float = Field(default=0.0, ge=0, le=1)
    source: str = ""
    defaults: list[Literal["minutes", "members", "signal_weights", "over_explaining_discount"]] = Field(
        default_factory=list)


class LoopVariant(_Strict):
    """One published shape of a company's loop: its interviews and, if it has one, its committee."""

    name: str
    source: str = ""
    stages: list[Stage] = Field(min_length=1)
    committee: Committee | None = None

    @model_validator(mode="after")
    def _unique(self) -> LoopVariant:
        ids = [s.id for s in self.stages]
        if len(ids) != len(set(ids)):
            raise ValueError("stage ids must be unique within a loop")
        return self


class CompanyLoop(_Strict):
    """A company's loop, in one or more published variants."""

    name: str
    default_variant: str
    variants: dict[str, LoopVariant] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_default(self) -> CompanyLoop:
        if self.default_variant not in self.variants:
            raise ValueError(f"default_variant {self.default_variant!r} is not one of "
                             f"{', '.join(self.variants)}")
        return self

    @property
    def stages(self) -> list[Stage]:
        """The default variant's interviews."""
        return self.variants[self.default_variant].stages


class Loops(_Strict):
    """Every company's loop."""

    version: int
    companies: dict[CompanyId, CompanyLoop]

    def company(self, company: str) -> CompanyLoop:
        """The loop of a company, or a clear error listing the valid companies."""
        company = company.strip().lower()
        if company not in self.companies:
            raise UnknownChoiceError("company", company, sorted(self.companies))
        return self.companies[company]

    def variant(self, company: str, variant: str | None = None) -> LoopVariant:
        """A company's loop variant (its default when none is named)."""
        loop = self.company(company)
        name = (variant or loop.default_variant).strip().lower()
        if name not in loop.variants:
            raise UnknownChoiceError(f"loop variant for {company}", name, sorted(loop.variants))
        return loop.variants[name]

    def stages(self, company: str, picked: list[str] | None = None, variant: str | None = None) -> list[Stage]:
        """The stages to run, in loop order; `picked` may name stage ids or round ids."""
        stages = self.variant(company, variant).stages
        picked = [p.strip().lower() for p in picked or [] if p.strip()]
        if not picked:
            return list(stages)
        valid = [s.id for s in stages]
        for name in picked:
            if not any(name in (s.id, s.round) for s in stages):
                raise UnknownChoiceError(f"round for {company}", name, valid)
        return [s for s in stages if s.id in picked or s.round in picked]


def pick_questions(bank: QuestionBank, company: str, stage: Stage, seed: int) -> list[Question]:
    """Choose a stage's questions: the company's own first, generic ones to fill; seeded."""
    def fits(q: Question) -> bool:
        return (
            q.round == stage.round
            and all(t in q.tags for t in stage.tags)
            and not any(t in q.tags for t in stage.exclude_tags)
        )

    own = [q for q in bank.questions if q.company == company and fits(q)]
    fill = [q for q in bank.questions if q.company == "generic" and q.company != company and fits(q)]
    rng = random.Random(f"{seed}:{company}:{stage.id}")
    rng.shuffle(own)
    rng.shuffle(fill)
    chosen = (own + fill)[: stage.questions]
    if not chosen:
        raise ValueError(f"the question bank has no question for {company} / {stage.id}")
    return chosen


def load_bank(path: Path) -> QuestionBank:
    """Load and validate the question bank (errors name the file and line)."""
    return load_yaml_model(QuestionBank, path)


def load_loops(path: Path) -> Loops:
    """Load and validate the company loops (errors name the file and line)."""
    return load_yaml_model(Loops, path)
