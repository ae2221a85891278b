"""Errors a user can act on: each names the file, the line and what is wrong."""

from __future__ import annotations

from pathlib import Path


class InterviewerError(Exception):
    """Base class for errors shown to users as a message, never as a stack trace."""


class DataFileError(InterviewerError):
    """A data file (rubric, question bank, knowledge document, golden set) is invalid."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {problem}")


class UnknownChoiceError(InterviewerError):
    """An unknown company, round or session id; the message lists what is valid."""

    def __init__(self, kind: str, value: str, valid: list[str]) -> None:
        self.kind = kind
        self.value = value
        self.valid = valid
        listed = ", ".join(valid) if valid else "(none yet)"
        super().__init__(f"unknown {kind} {value!r}; valid: {listed}")


class StaleTurnError(InterviewerError):
    """An answer or command came from a page that was not showing the session's latest turn (another
    tab or device had moved the session on); nothing was sent."""
