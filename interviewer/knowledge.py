"""Knowledge documents: Markdown with front matter (or plain text), split into indexable chunks."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewer.datafiles import parse_yaml, validate
from interviewer.errors import DataFileError
from interviewer.rubric import DIMENSIONS, ROUNDS, DimensionId, RoundId

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
ANCHOR_FILE = "anchors.jsonl"
CHUNK_CHARS = 1400

Topic = Literal[
    "loop", "round_guide", "framework", "product_area", "metrics", "technical",
    "regulation", "answer_patterns", "user",
]


class FrontMatter(BaseModel):
    """Metadata at the top of a knowledge document."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    company: Literal["netflix", "spotify", "generic", "all"]
    rounds: list[RoundId | Literal["all"]]
    topic: Topic
    dimensions: list[DimensionId]


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with the metadata used to filter it."""

    id: str
    doc_id: str
    title: str
    section: str
    text: str
    company: str
    rounds: tuple[str, ...]
    dimensions: tuple[str, ...]
    topic: str
    source: str

    def metadata(self) -> dict[str, str | bool]:
        """Flat metadata for Chroma: one boolean per round and dimension so filters stay simple."""
        meta: dict[str, str | bool] = {
            "doc_id": self.doc_id, "title": self.title, "section": self.section,
            "company": self.company, "topic": self.topic, "source": self.source,
        }
        for r in ROUNDS:
            meta[f"round_{r}"] = r in self.rounds
        for d in DIMENSIONS:
            meta[f"dim_{d}"] = d in self.dimensions
        return meta


@dataclass(frozen=True)
class Anchor:
    """A labelled exemplar answer, used as a calibration anchor by the offline scorer."""

    id: str
    company: str
    round: str
    question: str
    answer: str
    scores: dict[str, int]
    overall: int
    notes: str = ""

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for Chroma: the labels as score_<dimension> (0 when not labelled)."""
        meta: dict[str, str | int] = {"company": self.company, "round": self.round,
                                      "overall": self.overall}
        for d in DIMENSIONS:
            meta[f"score_{d}"] = self.scores.get(d, 0)
        return meta


@dataclass
class Corpus:
    """Everything the index is built from."""

    chunks: list[Chunk] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "doc"


def _split_long(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Split text on paragraph boundaries into pieces of at most about `limit` characters."""
    pieces: list[str] = []
    current = ""
    for para in re.split(r"\n\s*\n", text.strip()):
        if current and len(current) + len(para) + 2 > limit:
            pieces.append(current)
            current = para
        else:
            current = f"{current}\n\n{para}" if current else para
    if current:
        pieces.append(current)
    return pieces


def parse_document(path: Path, text: str, default_id: str) -> list[Chunk]:
    """Parse one Markdown or text document into chunks (front matter optional for user files)."""
    match = _FRONT.match(text)
    if match:
        try:
            meta = validate(FrontMatter, parse_yaml(match.group(1), path), path)
        except DataFileError as exc:  # lines count from the file's top, past the opening ---
            raise DataFileError(path, exc.line + 1 if exc.line else None, exc.problem) from exc
        body = text[match.end():]
    else:
        heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
        meta = FrontMatter(
            id=_slug(default_id), title=heading.group(1).strip() if heading else path.stem,
            company="all", rounds=["all"], topic="user", dimensions=list(DIMENSIONS),
        )
        body = text
    rounds = tuple(ROUNDS) if "all" in meta.rounds else tuple(str(r) for r in meta.rounds)
    sections: list[tuple[str, str]] = []
    current_title, current_lines = meta.title, list[str]()
    for line in body.splitlines():
        if line.startswith("## "):
            if "\n".join(current_lines).strip():
                sections.append((current_title, "\n".join(current_lines)))
            current_title, current_lines = line[3:].strip(), []
        elif not line.startswith("# "):
            current_lines.append(line)
    if "\n".join(current_lines).strip():
        sections.append((current_title, "\n".join(current_lines)))
    if not sections:
        raise DataFileError(path, None, "the document has no text to index")
    chunks = []
    for s_idx, (section, content) in enumerate(sections):
        for p_idx, piece in enumerate(_split_long(content)):
            chunks.append(Chunk(
                id=f"{meta.id}#{s_idx}.{p_idx}", doc_id=meta.id, title=meta.title, section=section,
                text=f"{meta.title}: {section}\n\n{piece}", company=meta.company, rounds=rounds,
                dimensions=tuple(meta.dimensions), topic=meta.topic, source=str(path),
            ))
    return chunks


def parse_anchors(path: Path, text: str) -> list[Anchor]:
    """Parse labelled anchors (golden-format JSON lines)."""
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            anchors.append(Anchor(
                id=record["id"], company=record["company"], round=record["round"],
                question=record["question"], answer=record["answer"],
                scores={k: int(v) for k, v in record["scores"].items()},
                overall=int(record["overall"]), notes=record.get("notes", ""),
            ))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise DataFileError(path, number, f"invalid anchor record: {exc}") from exc
    return anchors


def source_files(paths: Iterable[Path]) -> list[Path]:
    """Every indexable file under the given files or folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise DataFileError(path, None, "no such file or folder")
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*"))
                         if p.is_file() and (p.suffix.lower() in TEXT_SUFFIXES or p.name == ANCHOR_FILE)
                         and p.name.lower() != "readme.md"
                         and not any(part.startswith(".") for part in p.parts))
        else:
            found.append(path)
    return list(dict.fromkeys(p.resolve() for p in found))


def load_corpus(paths: Iterable[Path]) -> Corpus:
    """Read and chunk every source file; document ids must be unique across sources."""
    corpus = Corpus()
    seen_docs: dict[str, Path] = {}
    for path in source_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise DataFileError(path, None, "not valid UTF-8 text") from exc
        corpus.files.append(path)
        if path.name == ANCHOR_FILE:
            corpus.anchors.extend(parse_anchors(path, text))
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES:
            raise DataFileError(path, None, "only .md, .markdown and .txt files can be indexed")
        if not text.strip():
            continue
        path_tag = hashlib.sha1(str(path).encode()).hexdigest()[:6]
        chunks = parse_document(path, text, default_id=f"user-{path.stem}-{path_tag}")
        doc_id = chunks[0].doc_id
        if doc_id in seen_docs:
            raise DataFileError(path, None, f"document id {doc_id!r} is also used by {seen_docs[doc_id]}")
        seen_docs[doc_id] = path
        corpus.chunks.extend(chunks)
    return corpus
