"""Session storage: the LangGraph checkpointer, a small registry of session ids, and the lock that
keeps one writer per session. SQLite for one process (the default), PostgreSQL for a team."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from interviewer.errors import InterviewerError
from interviewer.settings import Settings

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

DATABASE_SETTING = "INTERVIEWER_DATABASE_URL"
REGISTRY_COLUMNS = "id, company, stages, engine, created_at"
# advisory locks take two int4 keys: this namespace, then the session id's hash (or 0 for set-up)
LOCK_NAMESPACE = "interviewer.sessions"


def new_session_id() -> str:
    """A server-generated, unguessable session id."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class SessionInfo:
    """What the registry knows about a session (`created_at`: Unix time in seconds)."""

    id: str
    company: str
    stages: str
    engine: str
    created_at: float


# Which sessions each browser opened (its id is random and kept in the browser's storage), so that
# History lists them all in every tab of that browser.
BROWSER_SESSIONS_TABLE = ("CREATE TABLE IF NOT EXISTS browser_sessions (browser_id TEXT NOT NULL, session_id TEXT "
                          "NOT NULL, used_at {real} NOT NULL, PRIMARY KEY (browser_id, session_id))")


class SessionStore(ABC):
    """Checkpoints, the list of sessions and a per-session writer lock, whatever the database."""

    checkpointer: BaseCheckpointSaver[str]

    @abstractmethod
    def register(self, session_id: str, company: str, stages: list[str], engine: str) -> SessionInfo:
        """Record a session that has its first checkpoint."""

    @abstractmethod
    def _find(self, session_id: str) -> SessionInfo | None: ...

    def get(self, session_id: str) -> SessionInfo:
        """Look a session up; InterviewerError when the id is unknown."""
        info = self._find(session_id.strip())
        if info is None:
            # ids are the keys to other candidates' transcripts: never list them here
            raise InterviewerError(f"unknown session id {session_id!r}: check it (the web app's History tab "
                                   "lists the sessions started in that browser; `interviewer sessions` "
                                   "lists recent ones on the server)")
        return info

    @abstractmethod
    def recent(self, limit: int = 20) -> list[SessionInfo]:
        """The most recently started sessions, newest first."""

    @abstractmethod
    def record_opened(self, browser_id: str, session_id: str) -> None:
        """Note that a browser (the random id its storage keeps) opened or used a session now."""

    @abstractmethod
    def opened_by(self, browser_id: str, limit: int = 50) -> list[str]:
        """The sessions a browser opened, the most recently used first: every tab of that browser
        sees them all, whichever tab wrote the browser's storage last."""

    @abstractmethod
    def session_lock(self, session_id: str) -> contextlib.AbstractContextManager[None]:
        """Held for a whole turn: while one writer holds a session's lock, others wait for it."""

    @abstractmethod
    def prune(self, session_id: str) -> None:
        """Keep only a session's latest checkpoint (with its pending writes), which holds its whole
        state: every checkpoint repeats the transcript so far, so keeping them all grows the store
        with the square of a session's length. Call it holding the session's lock."""

    @abstractmethod
    def close(self) -> None:
        """Release the database connections."""


class SqliteSessionStore(SessionStore):
    """Checkpoints in one SQLite file (WAL mode); the writer lock is per process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # every transcript is in it: readable by its owner only (SQLite gives its -wal and -shm
        # files the database file's permissions)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        # Python's default transaction handling, not autocommit: SqliteSaver writes a step's several
        # writes in one transaction and commits once; in autocommit each row was its own, so a kill
        # between two rows left a step half-written, which then replayed as done with its route lost
        self._conn = sqlite3.connect(str(path), check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS interview_sessions (id TEXT PRIMARY KEY, company TEXT "
            "NOT NULL, stages TEXT NOT NULL, engine TEXT NOT NULL, created_at REAL NOT NULL)")
        self._conn.execute(BROWSER_SESSIONS_TABLE.format(real="REAL"))
        saver = SqliteSaver(self._conn)
        # one connection, one lock: the saver serialises its own use of the connection with it
        self._lock: threading.Lock = saver.lock
        self.checkpointer = saver
        self._session_locks: dict[str, threading.Lock] = {}
        self._session_locks_guard = threading.Lock()

    def register(self, session_id: str, company: str, stages: list[str], engine: str) -> SessionInfo:
        """Record a session that has its first checkpoint."""
        info = SessionInfo(session_id, company, ",".join(stages), engine, time.time())
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO interview_sessions VALUES (?, ?, ?, ?, ?)",
                               (info.id, info.company, info.stages, info.engine, info.created_at))
        return info

    def _find(self, session_id: str) -> SessionInfo | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {REGISTRY_COLUMNS} FROM interview_sessions WHERE id = ?",
                                     (session_id,)).fetchone()
        return None if row is None else SessionInfo(*row)

    def recent(self, limit: int = 20) -> list[SessionInfo]:
        """The most recently started sessions, newest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {REGISTRY_COLUMNS} FROM interview_sessions ORDER BY created_at DESC LIMIT ?", (limit,)
            ).fetchall()
        return [SessionInfo(*r) for r in rows]

    def record_opened(self, browser_id: str, session_id: str) -> None:
        """Note that a browser opened or used a session now."""
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO browser_sessions VALUES (?, ?, ?) ON CONFLICT (browser_id, session_id) "
                               "DO UPDATE SET used_at = excluded.used_at", (browser_id, session_id, time.time()))

    def opened_by(self, browser_id: str, limit: int = 50) -> list[str]:
        """The sessions a browser opened, the most recently used first."""
        with self._lock:
            rows = self._conn.execute("SELECT session_id FROM browser_sessions WHERE browser_id = ? "
                                      "ORDER BY used_at DESC LIMIT ?", (browser_id, limit)).fetchall()
        return [r[0] for r in rows]

    def session_lock(self, session_id: str) -> contextlib.AbstractContextManager[None]:
        """A per-process lock: SQLite sessions have one process writing them."""
        with self._session_locks_guard:
            lock = self._session_locks.setdefault(session_id, threading.Lock())
        return _holding(lock)

    def prune(self, session_id: str) -> None:
        """Keep only the session's latest checkpoint per namespace (SqliteSaver has no prune of its
        own; it stores whole channel values in each checkpoint, so the latest stands alone)."""
        with self._lock:
            self.checkpointer.setup()  # type: ignore[attr-defined]  # the saver creates its tables lazily
            with self._conn:  # one transaction: committed whole, or rolled back
                for table in ("writes", "checkpoints"):
                    self._conn.execute(
                        f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_id < (SELECT MAX(checkpoint_id) "
                        f"FROM checkpoints AS latest WHERE latest.thread_id = {table}.thread_id AND "
                        f"latest.checkpoint_ns = {table}.checkpoint_ns)", (session_id,))

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()


@contextlib.contextmanager
def _holding(lock: threading.Lock) -> Iterator[None]:
    with lock:
        yield


class PostgresSessionStore(SessionStore):
    """Checkpoints and the registry in PostgreSQL, shared by every replica; the writer lock is a
    PostgreSQL advisory lock, so it holds across processes and machines.

    `url` is a postgresql:// URL; `max_turns` is how many turns this process may run at once
    (each holds one pooled connection for its lock). Tables are created on first use.
    Raises InterviewerError naming INTERVIEWER_DATABASE_URL when the URL is bad or the server
    cannot be reached.
    """

    def __init__(self, url: str, max_turns: int = 16) -> None:
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        where = describe_database_url(url)
        options: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
        try:
            with psycopg.connect(url, connect_timeout=10, **options) as conn:
                _set_up(conn)
        except psycopg.Error as exc:
            raise InterviewerError(f"cannot use the PostgreSQL database in {DATABASE_SETTING} ({where}): "
                                   f"{_reason(exc, url)}") from None
        self._pool: ConnectionPool[Any] = ConnectionPool(
            url, min_size=1, max_size=4, kwargs=options, name="interviewer-checkpoints",
            check=ConnectionPool.check_connection, open=True)
        # lock connections sit idle while a turn runs, so they have a pool of their own: turns
        # waiting for the checkpointer could otherwise starve the connections their locks hold
        self._lock_pool: ConnectionPool[Any] = ConnectionPool(
            url, min_size=0, max_size=max_turns, kwargs={"autocommit": True}, name="interviewer-locks",
            check=ConnectionPool.check_connection, timeout=600, open=True)
        self.checkpointer = PostgresSaver(self._pool)

    def register(self, session_id: str, company: str, stages: list[str], engine: str) -> SessionInfo:
        """Record a session that has its first checkpoint."""
        info = SessionInfo(session_id, company, ",".join(stages), engine, time.time())
        with self._pool.connection() as conn:
            conn.execute(f"INSERT INTO interview_sessions ({REGISTRY_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",
                         (info.id, info.company, info.stages, info.engine, info.created_at))
        return info

    def _find(self, session_id: str) -> SessionInfo | None:
        with self._pool.connection() as conn:
            row = conn.execute(f"SELECT {REGISTRY_COLUMNS} FROM interview_sessions WHERE id = %s",
                               (session_id,)).fetchone()
        return None if row is None else SessionInfo(**row)

    def recent(self, limit: int = 20) -> list[SessionInfo]:
        """The most recently started sessions, newest first."""
        with self._pool.connection() as conn:
            rows = conn.execute(f"SELECT {REGISTRY_COLUMNS} FROM interview_sessions "
                                "ORDER BY created_at DESC LIMIT %s", (limit,)).fetchall()
        return [SessionInfo(**r) for r in rows]

    def record_opened(self, browser_id: str, session_id: str) -> None:
        """Note that a browser opened or used a session now."""
        with self._pool.connection() as conn:
            conn.execute("INSERT INTO browser_sessions VALUES (%s, %s, %s) ON CONFLICT (browser_id, session_id) "
                         "DO UPDATE SET used_at = excluded.used_at", (browser_id, session_id, time.time()))

    def opened_by(self, browser_id: str, limit: int = 50) -> list[str]:
        """The sessions a browser opened, the most recently used first."""
        with self._pool.connection() as conn:
            rows = conn.execute("SELECT session_id FROM browser_sessions WHERE browser_id = %s "
                                "ORDER BY used_at DESC LIMIT %s", (browser_id, limit)).fetchall()
        return [r["session_id"] for r in rows]

    @contextlib.contextmanager
    def session_lock(self, session_id: str) -> Iterator[None]:
        """A session-level advisory lock keyed by the session id, on a connection held for the turn
        (if the process dies, PostgreSQL ends the connection and so releases the lock)."""
        with self._lock_pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s), hashtext(%s))", (LOCK_NAMESPACE, session_id))
            try:
                yield
            finally:
                # a failed unlock leaves the connection broken, and the pool then discards it
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s), hashtext(%s))",
                             (LOCK_NAMESPACE, session_id))

    def prune(self, session_id: str) -> None:
        """Keep only the session's latest checkpoint (PostgresSaver's own keep_latest prune)."""
        self.checkpointer.prune([session_id], strategy="keep_latest")

    def close(self) -> None:
        """Close both connection pools."""
        self._lock_pool.close()
        self._pool.close()


def _set_up(conn: Any) -> None:
    """Create the checkpoint and registry tables if missing; replicas starting at once take turns."""
    from langgraph.checkpoint.postgres import PostgresSaver

    # polled, not waited for: a backend blocked in pg_advisory_lock holds a snapshot, which the
    # migrations' CREATE INDEX CONCURRENTLY waits on (a deadlock PostgreSQL then breaks by failing one)
    while not conn.execute("SELECT pg_try_advisory_lock(hashtext(%s), 0) AS got", (LOCK_NAMESPACE,)).fetchone()["got"]:
        time.sleep(0.1)
    try:
        PostgresSaver(conn).setup()
        conn.execute("CREATE TABLE IF NOT EXISTS interview_sessions (id TEXT PRIMARY KEY, company TEXT NOT NULL, "
                     "stages TEXT NOT NULL, engine TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL)")
        conn.execute("CREATE INDEX IF NOT EXISTS interview_sessions_created_at ON interview_sessions (created_at)")
        conn.execute(BROWSER_SESSIONS_TABLE.format(real="DOUBLE PRECISION"))
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s), 0)", (LOCK_NAMESPACE,))


def describe_database_url(url: str) -> str:
    """user@host:port/dbname of a postgresql:// URL, never its password; InterviewerError naming
    INTERVIEWER_DATABASE_URL when it is not such a URL."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    if not url.startswith(("postgresql://", "postgres://")):
        raise InterviewerError(f"{DATABASE_SETTING} must be a postgresql://user:password@host:port/dbname URL "
                               f"(it starts with {url.split(':', 1)[0]!r})")
    try:
        parts = conninfo_to_dict(url)
    except ProgrammingError as exc:
        raise InterviewerError(f"{DATABASE_SETTING} is not a valid PostgreSQL URL: {_reason(exc, url)}") from None
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"{user}{parts.get('host') or 'localhost'}{port}/{parts.get('dbname') or ''}"


def _reason(exc: Exception, url: str) -> str:
    """The driver's message on one line, with the URL's password blanked should it appear."""
    from psycopg.conninfo import conninfo_to_dict

    text = " ".join(str(exc).split())
    with contextlib.suppress(Exception):
        password = conninfo_to_dict(url).get("password")
        if password:
            text = text.replace(str(password), "***")
    return text


def open_store(settings: Settings) -> SessionStore:
    """PostgreSQL when INTERVIEWER_DATABASE_URL is set, else SQLite in the data directory."""
    if settings.database_url is not None:
        return PostgresSessionStore(settings.database_url.get_secret_value(),
                                    max_turns=settings.llm_max_concurrency * 4)
    return SqliteSessionStore(settings.sessions_db)
