"""Golden answers in the contract's JSON Lines format: labelled answers and pairs, strictly validated."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, ValidationInfo, field_validator

from interviewer.errors import DataFileError
from interviewer.rubric import CompanyId, DimensionId, RoundId

Label = Annotated[StrictInt, Field(ge=1, le=4)]
NonEmpty = Annotated[str, Field(min_length=1)]

# An id ending in "-inj" (or "-inj2"...) is an injected copy of the record without that suffix.
_INJECTED = re.compile(r"-inj\d*$")
# Gaming attempts are named by a token in the id: "gm-salad-03", "spotify-fluff-1".
_GAMING_TOKENS = ("salad", "fluff")

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelledAnswer(_Strict):
    """A candidate answer with a rater's 1-4 label on each dimension judged, and an overall signal."""

    id: NonEmpty
    company: CompanyId
    round: RoundId
    question: NonEmpty
    answer: NonEmpty
    scores: dict[DimensionId, Label] = Field(min_length=1)
    overall: Label
    rater: NonEmpty
    notes: str | None = None


class AnswerPair(_Strict):
    """Two answers to one question; `better` should win overall (and on `dimension`, if given)."""

    id: NonEmpty
    kind: Literal["pair"]
    round: RoundId
    question: NonEmpty
    worse: NonEmpty
    better: NonEmpty
    dimension: DimensionId | None = None

    @field_validator("better")
    @classmethod
    def _different(cls, better: str, info: ValidationInfo) -> str:
        if better.strip() == str(info.data.get("worse", "")).strip():
            raise ValueError("worse and better are the same text")
        return better


GoldenRecord = LabelledAnswer | AnswerPair


@dataclass(frozen=True)
class GoldenSet:
    """Every record from one or more golden files, with where each came from."""

    answers: list[LabelledAnswer]
    pairs: list[AnswerPair]
    sources: dict[str, str]  # record id -> "file:line"
    files: list[Path]

    def __len__(self) -> int:
        return len(self.answers) + len(self.pairs)


def clean_twin_id(record_id: str) -> str | None:
    """For an injected copy ("x-inj"), the id of its clean twin; None for any other record."""
    return _INJECTED.sub("", record_id) if _INJECTED.search(record_id) else None


def gaming_kind(record_id: str) -> str | None:
    """"salad" or "fluff" for a gaming attempt named so in its id, else None."""
    tokens = re.split(r"[-_.]", record_id.lower())
    return next((k for k in _GAMING_TOKENS if k in tokens), None)


def validation_problem(exc: ValidationError) -> str:
    """The first problem of a golden record in plain words: 'scores.parl: Input should be … (got 31)'."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-") and p != "[key]")
    if first["type"] == "missing":
        return f"missing field {where!r}"
    if first["type"] == "extra_forbidden":
        return f"unknown field {where!r}"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] in ("literal_error", "enum") and first.get("input") is not None:
        message = f"{first['input']!r} is not allowed ({message})"
    elif isinstance(first.get("input"), int | float) and not isinstance(first.get("input"), bool):
        message = f"{message} (got {first['input']})"
    return f"{where}: {message}" if where else message


def parse_record(obj: object, path: Path, line: int) -> GoldenRecord:
    """Validate one decoded JSON line as a labelled answer or a pair."""
    if not isinstance(obj, dict):
        raise DataFileError(path, line, "each line must be one JSON object")
    kind = obj.get("kind")
    if kind is not None and kind != "pair":
        raise DataFileError(path, line, f"unknown kind {kind!r}: use \"pair\", or no kind for a "
                                        "labelled answer")
    model: type[LabelledAnswer] | type[AnswerPair] = AnswerPair if kind == "pair" else LabelledAnswer
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise DataFileError(path, line, validation_problem(exc)) from None


def read_golden(path: Path) -> list[tuple[int, GoldenRecord]]:
    """Every record of one JSON Lines file with its line number; stops at the first bad line."""
    if not path.is_file():
        raise DataFileError(path, None, "no such golden file")
    records: list[tuple[int, GoldenRecord]] = []
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataFileError(path, number, f"not valid UTF-8 ({exc.reason})") from None
        text = text.lstrip("\ufeff") if number == 1 else text
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataFileError(path, number, f"not valid JSON: {exc.msg} at column {exc.colno}") from None
        records.append((number, parse_record(obj, path, number)))
    if not records:
        raise DataFileError(path, None, "the file holds no records")
    return records


def golden_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, with directories expanded to the .jsonl files inside them (sorted)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return files


def load_golden(paths: Sequence[Path]) -> GoldenSet:
    """Load golden files (or directories of them); ids must be unique across all of them."""
    answers: list[LabelledAnswer] = []
    pairs: list[AnswerPair] = []
    sources: dict[str, str] = {}
    files = golden_files(paths)
    if not files:
        raise DataFileError(Path(", ".join(map(str, paths))), None, "no golden .jsonl files found")
    for path in files:
        for line, record in read_golden(path):
            if record.id in sources:
                raise DataFileError(path, line, f"duplicate id {record.id!r} (first at {sources[record.id]})")
            sources[record.id] = f"{path}:{line}"
            (pairs if isinstance(record, AnswerPair) else answers).append(record)  # type: ignore[arg-type]
    return GoldenSet(answers, pairs, sources, files)
