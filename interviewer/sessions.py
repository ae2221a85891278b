"""Session storage: the LangGraph checkpointer plus a small registry of session ids."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from interviewer.errors import InterviewerError


def new_session_id() -> str:
    """A server-generated, unguessable session id."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class SessionInfo:
    """What the registry knows about a session."""

    id: str
    company: str
    stages: str
    engine: str
    created_at: float


class SessionStore:
    """Checkpoints in SQLite (WAL mode) and the list of sessions; the seam for PostgreSQL later."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS interview_sessions (id TEXT PRIMARY KEY, company TEXT "
            "NOT NULL, stages TEXT NOT NULL, engine TEXT NOT NULL, created_at REAL NOT NULL)")
        saver = SqliteSaver(self._conn)
        # one connection, one lock: the saver serialises its own use of the connection with it
        self._lock: threading.Lock = saver.lock
        self.checkpointer: BaseCheckpointSaver[str] = saver

    def register(self, session_id: str, company: str, stages: list[str], engine: str) -> SessionInfo:
        """Record a session that has its first checkpoint."""
        info = SessionInfo(session_id, company, ",".join(stages), engine, time.time())
        with self._lock:
            self._conn.execute("INSERT INTO interview_sessions VALUES (?, ?, ?, ?, ?)",
                               (info.id, info.company, info.stages, info.engine, info.created_at))
        return info

    def get(self, session_id: str) -> SessionInfo:
        """Look a session up, or raise an error listing recent valid ids."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM interview_sessions WHERE id = ?",
                                     (session_id.strip(),)).fetchone()
        if row is None:
            # ids are the keys to other candidates' transcripts: never list them here
            raise InterviewerError(f"unknown session id {session_id!r}: check it (the web app's History tab "
                                   "lists the sessions started in that browser; `interviewer sessions` "
                                   "lists recent ones on the server)")
        return SessionInfo(*row)

    def recent(self, limit: int = 20) -> list[SessionInfo]:
        """The most recently started sessions."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM interview_sessions ORDER BY created_at DESC LIMIT ?", (limit,)
            ).fetchall()
        return [SessionInfo(*r) for r in rows]

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()
