"""Published rubric versions: coaches edit a draft, validate it, and publish it as a new version.

Versions live in `<data_dir>/rubrics/<version>.yaml` (the packaged rubric is the first one); the
newest is what new sessions and evals use. Nothing is overwritten, so every session and eval run
can name the version it used.
"""

from __future__ import annotations

import difflib
import re
import tempfile
import time
from pathlib import Path

from interviewer.errors import DataFileError
from interviewer.rubric import Rubric, load_rubric
from interviewer.settings import Settings

_VERSION_LINE = re.compile(r'^version:.*$', re.MULTILINE)


def _lines(text: str) -> list[str]:
    return [line.rstrip() + "\n" for line in "\n".join(x.rstrip() for x in text.splitlines()).strip("\n").split("\n")]


class RubricStore:
    """The packaged rubric plus every version coaches have published."""

    def __init__(self, settings: Settings) -> None:
        self.packaged = settings.rubric_path
        self.directory = settings.data_dir / "rubrics"

    def versions(self) -> list[Path]:
        """Rubric files, oldest first (the packaged one, then published ones by publication time)."""
        published = sorted(self.directory.glob("*.yaml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        return [self.packaged, *published]

    def published_versions(self) -> list[str]:
        """The version of every rubric file, oldest first."""
        return [load_rubric(p).version for p in self.versions()]

    def version(self, version: str) -> Rubric | None:
        """The rubric of one published (or the packaged) version, None when no file holds it."""
        for path in reversed(self.versions()):
            rubric = load_rubric(path)
            if rubric.version == version:
                return rubric
        return None

    def current_path(self) -> Path:
        """The rubric new sessions and evals use: the newest published, else the packaged one."""
        return self.versions()[-1]

    def current(self) -> Rubric:
        """The current rubric, loaded and validated."""
        return load_rubric(self.current_path())

    def current_text(self) -> str:
        """The current rubric's YAML, as a starting draft."""
        return self.current_path().read_text(encoding="utf-8")

    @staticmethod
    def check(draft: str) -> Rubric:
        """Validate a draft as a rubric file would be; DataFileError names the line and the problem
        (the draft is called "draft" in the message)."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "draft.yaml"
            path.write_text(draft, encoding="utf-8")
            try:
                return load_rubric(path)
            except DataFileError as exc:
                raise DataFileError(Path("draft"), exc.line, exc.problem) from None

    def diff(self, draft: str) -> str:
        """A unified diff of the draft against the current published rubric ('' when unchanged;
        trailing spaces and blank lines at the ends, which editors add and drop, do not count)."""
        return "".join(difflib.unified_diff(
            _lines(self.current_text()), _lines(draft), fromfile=f"published ({self.current().version})",
            tofile="draft"))

    def publish(self, draft: str) -> Rubric:
        """Validate the draft and publish it under a new version (date plus a counter); returns it."""
        self.check(draft)
        known = set(self.published_versions())
        stamp = time.strftime("%Y.%m.%d")
        number = 1
        while f"{stamp}.{number}" in known:
            number += 1
        version = f"{stamp}.{number}"
        text = _VERSION_LINE.sub(f'version: "{version}"', draft, count=1)
        rubric = self.check(text)
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{version}.yaml"
        temporary = target.with_suffix(".yaml.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)  # atomic: a reader never sees half a rubric
        return rubric
