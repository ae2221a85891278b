"""Running for a team: sessions in a real PostgreSQL server shared by replicas and processes, one
writer per session through an advisory lock, and the index on a real `chroma run` server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from interviewer.errors import InterviewerError
from interviewer.index import KnowledgeIndex
from interviewer.service import InterviewService, SessionView, open_index
from interviewer.sessions import PostgresSessionStore, SqliteSessionStore, open_store
from interviewer.settings import SOURCE_ROOT, Settings
from tests.conftest import KNOWLEDGE, SCRIPTED, free_port, subprocess_env
from tests.servers import wait_until

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "interviewer.cli"]
ANSWER = SCRIPTED["recruiter_screen"]["strong"]


# ---------------------------------------------------------------- servers

@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `chroma run` server on loopback, telemetry off; yields its http:// URL."""
    found = Path(sys.executable).with_name("chroma")
    exe = str(found) if found.is_file() else shutil.which("chroma")
    if exe is None:
        pytest.skip("the `chroma` command (from the chromadb package) was not found next to this Python or on PATH")
    root = tmp_path_factory.mktemp("chroma-server")
    port, log = free_port(), root / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "run", "--path", str(root / "db"), "--host", "127.0.0.1", "--port", str(port)],
                                cwd=root, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    try:
        wait_until(ready, proc, log, "chroma run")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- helpers

class Replicas:
    """Interview services on one database, each with its own store and pools, like separate replicas."""

    def __init__(self, tmp_path: Path, database_url: str, index: KnowledgeIndex) -> None:
        self.settings = Settings(data_dir=tmp_path / "data", database_url=SecretStr(database_url))
        self.index = index
        self.started: list[InterviewService] = []

    def new(self) -> InterviewService:
        service = InterviewService(self.settings, retriever=self.index)
        self.started.append(service)
        return service

    def close(self) -> None:
        for service in self.started:
            service.store.close()


@pytest.fixture
def replicas(tmp_path: Path, database_url: str, index: KnowledgeIndex) -> Iterator[Replicas]:
    made = Replicas(tmp_path, database_url, index)
    yield made
    made.close()


def answers(view: SessionView) -> list[str]:
    return [t["text"] for t in view.transcript if t["kind"] == "answer"]


ADVISORY = ("FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")


def sql(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def forks(url: str, session_id: str) -> list[tuple[Any, ...]]:
    """Checkpoints with more than one child: two writers resumed the same state."""
    return sql(url, "SELECT parent_checkpoint_id, count(*) FROM checkpoints WHERE thread_id = %s "
                    "AND parent_checkpoint_id IS NOT NULL GROUP BY parent_checkpoint_id HAVING count(*) > 1",
               session_id)


# ---------------------------------------------------------------- sessions in PostgreSQL

def test_a_second_replica_resumes_and_finishes_the_session(replicas: Replicas, database_url: str) -> None:
    first, second = replicas.new(), replicas.new()
    assert isinstance(first.store, PostgresSessionStore)
    view = first.start("netflix", ["recruiter_screen", "hiring_manager"], seed=11)
    given = [f"Answer {i}: {ANSWER}" for i in range(1, 9)]
    for text in given[:2]:
        view = first.answer(view.session_id, text)
    assert second.view(view.session_id).transcript == view.transcript  # the other replica sees it all
    sent = 2
    while not view.finished:
        view = second.answer(view.session_id, given[sent] if sent < len(given) else "/end interview")
        sent += 1
    assert view.finished and view.debrief
    assert first.view(view.session_id).transcript == view.transcript
    recorded = answers(view)
    assert recorded == given[:len(recorded)] and len(recorded) >= 3, "an answer was lost or recorded twice"
    scored = [s["question_id"] for s in view.scores if s["attempt"] == 0]
    assert len(scored) == len(set(scored)), "a question was scored twice"
    # it really is PostgreSQL: checkpoints there, no SQLite file anywhere
    # only the latest checkpoint is kept (each one repeats the whole transcript)
    assert sql(database_url, "SELECT count(*) FROM checkpoints WHERE thread_id = %s", view.session_id)[0][0] == 1
    assert not replicas.settings.sessions_db.exists()
    assert [s.id for s in second.store.recent()] == [view.session_id]
    # a browser's History is the same whichever replica serves it
    first.store.record_opened("a-browser", view.session_id)
    assert second.store.opened_by("a-browser") == [view.session_id] and second.store.opened_by("another") == []


DRIVER = """
import json, sys
from interviewer.service import InterviewService
from interviewer.settings import Settings
service = InterviewService(Settings())
view = service.start("netflix", ["recruiter_screen", "hiring_manager"], seed=11)
for text in json.loads(sys.argv[1]):
    view = service.answer(view.session_id, text)
print(view.session_id)
"""


def test_two_processes_share_sessions_through_the_database(tmp_path: Path, database_url: str,
                                                           data_template: Path) -> None:
    # each process has its own data folder: only the database is shared
    dirs = [tmp_path / "one", tmp_path / "two"]
    for d in dirs:
        shutil.copytree(data_template, d)
    env = [subprocess_env(d, INTERVIEWER_DATABASE_URL=database_url) for d in dirs]
    early = [f"Answer {i}: {ANSWER}" for i in (1, 2)]
    started = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(early)], env=env[0], cwd=SOURCE_ROOT,
                             capture_output=True, text=True, timeout=600)
    assert started.returncode == 0, started.stderr
    session_id = started.stdout.split()[-1]

    later = [f"Answer {i}: {SCRIPTED['hiring_manager']['strong']}" for i in (3, 4, 5, 6)]
    (tmp_path / "later.json").write_text(json.dumps(later))
    resumed = subprocess.run([*CLI, "chat", "--resume", session_id, "--answers", str(tmp_path / "later.json"),
                              "--json"], env=env[1], cwd=SOURCE_ROOT, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    out = json.loads(resumed.stdout)
    recorded = [t["text"] for t in out["transcript"] if t["kind"] == "answer"]
    assert recorded[:2] == early and recorded == (early + later)[:len(recorded)] and len(recorded) > 2
    assert out["finished"]
    listed = subprocess.run([*CLI, "sessions"], env=env[0], cwd=SOURCE_ROOT, capture_output=True, text=True,
                            timeout=600)
    assert listed.returncode == 0 and session_id in listed.stdout, listed.stderr
    assert not any((d / "sessions.sqlite").exists() for d in dirs)


def test_two_candidates_never_see_each_others_answers(replicas: Replicas) -> None:
    one, two = replicas.new(), replicas.new()
    alice = one.start("netflix", ["recruiter_screen", "hiring_manager"], seed=2)
    bob = two.start("netflix", ["recruiter_screen", "hiring_manager"], seed=2)
    for i in range(3):  # interleaved, each through the other candidate's replica too
        alice = (one, two)[i % 2].answer(alice.session_id, f"ALICE-{i} {ANSWER}")
        bob = (two, one)[i % 2].answer(bob.session_id, f"BOB-{i} {ANSWER}")
    for view, mine, theirs in ((alice, "ALICE-", "BOB-"), (bob, "BOB-", "ALICE-")):
        final = one.view(view.session_id)
        everything = json.dumps(final.to_json())
        assert theirs not in everything
        assert [a.split()[0] for a in answers(final)] == [f"{mine}{i}" for i in range(len(answers(final)))]
        assert len(answers(final)) >= 2
    assert {s.id for s in two.store.recent()} == {alice.session_id, bob.session_id}


def test_a_writer_waits_for_the_advisory_lock_of_its_session(replicas: Replicas, database_url: str) -> None:
    service, other_replica = replicas.new(), replicas.new()
    view = service.start("generic", ["recruiter_screen", "hiring_manager"], seed=4)
    unrelated = service.start("generic", ["recruiter_screen"], seed=5)
    done = threading.Event()
    failure: list[BaseException] = []

    def answer() -> None:
        try:
            service.answer(view.session_id, f"WAITED {ANSWER}")
        except BaseException as exc:  # pragma: no cover - reported below
            failure.append(exc)
        finally:
            done.set()

    with other_replica.store.session_lock(view.session_id):  # another process's turn, in effect
        writer = threading.Thread(target=answer)
        writer.start()
        deadline = time.monotonic() + 20
        waiting: list[tuple[Any, ...]] = []
        while time.monotonic() < deadline and not waiting:
            waiting = sql(database_url, f"SELECT pid {ADVISORY} AND NOT granted")
            time.sleep(0.05)
        assert waiting, "the second writer is not waiting on an advisory lock"
        assert not done.wait(1.0), "the second writer did not wait for the lock"
        assert "WAITED" not in json.dumps(answers(other_replica.view(view.session_id)))
        # the lock is per session: another session's turn goes through meanwhile
        assert answers(service.answer(unrelated.session_id, f"FREE {ANSWER}")) == [f"FREE {ANSWER}"]
    assert done.wait(120) and not failure, failure
    writer.join()
    assert answers(service.view(view.session_id)) == [f"WAITED {ANSWER}"]
    assert not sql(database_url, f"SELECT 1 {ADVISORY}"), "a lock was left held"


def test_concurrent_answers_from_two_replicas_are_serialised(replicas: Replicas, database_url: str) -> None:
    one, two = replicas.new(), replicas.new()
    view = one.start("netflix", seed=3)
    rounds = 3
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def submit(service: InterviewService, name: str) -> None:
        try:
            for i in range(rounds):
                barrier.wait(timeout=120)
                service.answer(view.session_id, f"{name}-{i} {ANSWER}")
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=submit, args=(s, n)) for s, n in ((one, "ONE"), (two, "TWO"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not failures, failures
    final = two.view(view.session_id)
    recorded = [a.split()[0] for a in answers(final)]
    assert sorted(recorded) == sorted(f"{n}-{i}" for n in ("ONE", "TWO") for i in range(rounds))
    kinds = [t["kind"] for t in final.transcript if t["kind"] in ("answer", "question", "probe")]
    assert "answer answer" not in " ".join(kinds), "two answers landed on one prompt"
    assert not forks(database_url, view.session_id), "two writers resumed the same checkpoint"


def test_replicas_starting_at_once_set_the_database_up_once(database_url: str) -> None:
    stores: list[PostgresSessionStore] = []
    failures: list[BaseException] = []

    def open_one() -> None:
        try:
            stores.append(PostgresSessionStore(database_url))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert not failures, failures
        assert len(stores) == 3
        versions = [v for (v,) in sql(database_url, "SELECT v FROM checkpoint_migrations ORDER BY v")]
        assert versions == list(range(len(versions))) and len(versions) > 5
        stores[0].register("abc", "netflix", ["culture"], "offline")
        assert stores[2].get("abc").company == "netflix"
    finally:
        for store in stores:
            store.close()


def test_the_default_stays_sqlite(tmp_path: Path) -> None:
    store = open_store(Settings(data_dir=tmp_path / "data"))
    try:
        assert isinstance(store, SqliteSessionStore)
        assert (tmp_path / "data" / "sessions.sqlite").exists()
    finally:
        store.close()


@pytest.mark.parametrize(("url", "message"), [
    ("postgresql://kim:hunter2secret@127.0.0.1:{closed}/team",
     "cannot use the PostgreSQL database in INTERVIEWER_DATABASE_URL (kim@127.0.0.1:{closed}/team)"),
    ("mysql://kim:hunter2secret@127.0.0.1/team", "INTERVIEWER_DATABASE_URL must be a postgresql://"),
    ("postgresql://kim:hunter2secret@127.0.0.1:port/team",
     'INTERVIEWER_DATABASE_URL (kim@127.0.0.1:port/team): connection is bad: invalid integer value "port"'),
])
def test_a_bad_database_url_names_the_setting_and_hides_the_password(
        url: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from interviewer.cli import main

    closed = free_port()
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INTERVIEWER_DATABASE_URL", url.format(closed=closed))
    assert main(["sessions"]) == 2
    err = capsys.readouterr().err
    assert message.format(closed=closed) in err
    assert "hunter2secret" not in err and "Traceback" not in err


# ---------------------------------------------------------------- the index on a Chroma server

def small_knowledge(target: Path) -> Path:
    """A few of the project's documents and anchors: enough to compare retrieval, quick to embed."""
    target.mkdir(parents=True)
    for name in ("round-culture-keeper-test.md", "framework-3c.md", "media-metrics.md"):
        shutil.copy(KNOWLEDGE / name, target / name)
    anchors = (KNOWLEDGE / "anchors.jsonl").read_text(encoding="utf-8").splitlines()
    (target / "anchors.jsonl").write_text("\n".join(anchors[::8]) + "\n", encoding="utf-8")
    return target


def test_the_index_is_built_on_the_chroma_server_and_replicas_only_read_it(
        tmp_path: Path, chroma_server: str, embedder: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    knowledge = small_knowledge(tmp_path / "knowledge")
    remote = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge, chroma_url=chroma_server)

    with pytest.raises(InterviewerError, match=r"holds no knowledge index yet: build it with `interviewer index`"):
        InterviewService(remote, store=SqliteSessionStore(tmp_path / "refused.sqlite"))

    env = subprocess_env(tmp_path / "data", INTERVIEWER_CHROMA_URL=chroma_server, INTERVIEWER_KNOWLEDGE_DIR=knowledge)
    built = subprocess.run([*CLI, "index", "--json"], env=env, cwd=SOURCE_ROOT, capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr
    report = json.loads(built.stdout)
    assert report["rebuilt"] and report["chunks"] == 23 and report["anchors"] == 9
    assert not (tmp_path / "data" / "index").exists(), "a server build wrote a local index"

    embedded = KnowledgeIndex(tmp_path / "embedded", embedder, [knowledge])
    embedded.ensure()
    service = InterviewService(remote, store=SqliteSessionStore(tmp_path / "sessions.sqlite"))
    assert isinstance(service.retriever, KnowledgeIndex) and service.retriever.directory is None
    for query, filters in [("how does the keeper test work", {}),
                           ("north star metric for a streaming service", {"company": "netflix"}),
                           ("customer company competitors", {"round_id": "product_case", "dimension": "three_c"})]:
        found = service.retriever.search(query, k=4, **filters)
        assert found and found == embedded.search(query, k=4, **filters), query
    for text, round_id in [(SCRIPTED["culture"]["strong"], None), (ANSWER, "recruiter_screen")]:
        found_anchors = service.retriever.nearest_anchors(text, k=3, round_id=round_id)
        assert found_anchors and found_anchors == embedded.nearest_anchors(text, k=3, round_id=round_id)
    view = service.start("netflix", ["culture"], seed=1)
    assert service.answer(view.session_id, SCRIPTED["culture"]["strong"]).scores

    from interviewer.cli import main

    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INTERVIEWER_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("INTERVIEWER_CHROMA_URL", chroma_server)
    assert main(["index"]) == 0  # nothing changed: nothing rebuilt

    changed = tmp_path / "changed"
    shutil.copytree(knowledge, changed)
    (changed / "house-notes.md").write_text("Our own notes on the culture round.\n", encoding="utf-8")
    with pytest.raises(InterviewerError, match=r"built from other sources.*`interviewer index`"):
        open_index(Settings(data_dir=tmp_path / "data", knowledge_dir=changed, chroma_url=chroma_server))
    moved = tmp_path / "elsewhere" / "knowledge"
    shutil.copytree(knowledge, moved)  # the same files in another folder, as on another machine
    assert open_index(Settings(data_dir=tmp_path / "data", knowledge_dir=moved, chroma_url=chroma_server))


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:{closed}", "cannot reach the Chroma server in INTERVIEWER_CHROMA_URL (http://127.0.0.1:{closed})"),
    ("127.0.0.1:8000", "INTERVIEWER_CHROMA_URL must be a Chroma server's http://host:port URL"),
])
def test_an_unreachable_chroma_server_names_the_setting(url: str, message: str, tmp_path: Path) -> None:
    closed = free_port()
    with pytest.raises(InterviewerError) as failure:
        open_index(Settings(data_dir=tmp_path / "data", chroma_url=url.format(closed=closed)))
    assert message.format(closed=closed) in str(failure.value)
