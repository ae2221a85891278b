"""Shared fixtures: one real Chroma index built per test session, services on temporary stores."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from interviewer.bank import load_bank
from interviewer.embeddings import MiniLMEmbedder
from interviewer.index import KnowledgeIndex
from interviewer.service import InterviewService, SessionView
from interviewer.sessions import SqliteSessionStore
from interviewer.settings import SOURCE_ROOT, Settings
from tests.openai_server import ScriptedServer

pytest_plugins = ["tests.servers"]  # the PostgreSQL server fixtures

FIXTURES = Path(__file__).parent / "fixtures"
KNOWLEDGE = SOURCE_ROOT / "knowledge"
SCRIPTED = yaml.safe_load((FIXTURES / "scripted_answers.yaml").read_text())
_BANK = load_bank(Settings().questions_path)


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    """The real MiniLM embedder, loaded once."""
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def data_template(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Path:
    """A data directory whose index is built from the project's knowledge folder."""
    data = tmp_path_factory.mktemp("data-template")
    KnowledgeIndex(data / "index", embedder, [KNOWLEDGE]).ensure()
    return data


@pytest.fixture(scope="session")
def index(data_template: Path, embedder: MiniLMEmbedder) -> KnowledgeIndex:
    """The shared, read-only index."""
    return KnowledgeIndex(data_template / "index", embedder, [KNOWLEDGE])


@pytest.fixture
def data_dir(tmp_path: Path, data_template: Path) -> Path:
    """A private copy of the data directory (index included) for tests that write."""
    target = tmp_path / "data"
    shutil.copytree(data_template, target)
    return target


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a private data directory."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def service(settings: Settings, index: KnowledgeIndex) -> InterviewService:
    """An interview service on the shared index and a private session store."""
    return InterviewService(settings, retriever=index, store=SqliteSessionStore(settings.sessions_db))


def answer_for(quality: str) -> Callable[[SessionView], str]:
    """A script that answers every prompt with the scripted answer of its round."""
    def pick(view: SessionView) -> str:
        assert view.prompt is not None
        round_id = next(p["round"] for p in view.plan if p["id"] == view.prompt["stage"])
        options = SCRIPTED[round_id]
        story = f"{quality}_story"
        if story in options and _is_experience(view.prompt["question_id"]):
            return str(options[story])
        return str(options[quality])
    return pick


def _is_experience(question_id: str) -> bool:
    return _BANK.get(question_id).kind == "experience"


def run_loop(service: InterviewService, company: str, script: Callable[[SessionView], str],
             stages: list[str] | None = None, limit: int = 60) -> SessionView:
    """Drive a whole interview with a script; fails if it does not finish."""
    view = service.start(company, stages, seed=7)
    for _ in range(limit):
        if view.finished:
            return view
        view = service.answer(view.session_id, script(view))
    raise AssertionError("the interview did not finish")


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """A scripted OpenAI-compatible server; an exhausted script fails the test."""
    srv = ScriptedServer()
    yield srv
    srv.stop()
    assert not srv.errors, srv.errors


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def subprocess_env(data_dir: Path, **extra: Any) -> dict[str, str]:
    """Environment for a child process that uses `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_")}
    env.update({"INTERVIEWER_DATA_DIR": str(data_dir), "ANONYMIZED_TELEMETRY": "False",
                "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"})
    env.update({k: str(v) for k, v in extra.items()})
    return env
