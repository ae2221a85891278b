"""The web app: handlers as plain functions, and app.py serving the page on loopback."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from interviewer.service import InterviewService
from interviewer.settings import SOURCE_ROOT
from interviewer.webapp import (
    build_app,
    resume_session,
    stage_choices,
    start_interview,
    submit_answer,
)
from tests.conftest import SCRIPTED, free_port, subprocess_env


def test_start_answer_and_see_scores(service: InterviewService) -> None:
    session, chat, scores, debrief, status, box = start_interview(service, "netflix", ["culture"])
    assert session and "Error" not in status
    assert chat[-1]["role"] == "assistant" and "?" in chat[-1]["content"]
    answer = SCRIPTED["culture"]["strong"]
    session, chat, scores, debrief, status, box = submit_answer(service, session, answer)
    assert {"role": "user", "content": answer} in chat and box == ""
    assert "Culture:" in scores and "evidence:" in scores
    for command in ("/skip", "/end interview"):
        session, chat, scores, debrief, status, box = submit_answer(service, session, command)
    assert "## Debrief" in debrief and "Prep plan" in debrief and status == "Interview finished."


def _is_unchanged(value: object) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def test_errors_keep_the_typed_answer_chat_and_session(service: InterviewService) -> None:
    outputs = submit_answer(service, None, "my long answer")
    assert "start an interview first" in outputs[4]
    assert all(_is_unchanged(v) for i, v in enumerate(outputs) if i != 4)
    outputs = start_interview(service, "netflix", ["nap_time"])
    assert outputs[4].startswith("**Error:**") and "recruiter_screen" in outputs[4]
    start_interview(service, "generic", [])
    outputs = resume_session(service, "nope")
    assert "unknown session id" in outputs[4] and _is_unchanged(outputs[0])


def test_text_sent_after_the_interview_ended_is_refused_and_kept(service: InterviewService) -> None:
    session, *_ = start_interview(service, "generic", [])
    finished = submit_answer(service, session, "/end interview")
    assert finished[4] == "Interview finished."
    outputs = submit_answer(service, session, "one more thought I wanted to add")
    assert "interview has ended" in outputs[4] and "still in the box" in outputs[4]
    assert all(_is_unchanged(v) for i, v in enumerate(outputs) if i != 4)  # the text stays in the box
    assert not any(t["text"] == "one more thought I wanted to add" for t in service.view(session).transcript)


def test_quotes_of_the_answer_show_exactly_what_was_typed(service: InterviewService) -> None:
    from markdown_it import MarkdownIt

    from interviewer.render import score_markdown

    typed = "2*3*4 = 24 <img src=x onerror=alert(1)> <script>alert(1)</script> [link](http://x) # heading"
    score = {"question": "q", "question_id": "q", "attempt": 0, "weighted": 2.0, "notices": [],
             "dimensions": [{"dimension": "trade_offs", "score": 2, "rationale": "r", "evidence": [typed],
                             "missing": []}]}
    html = MarkdownIt().render(score_markdown(score, {}))  # type: ignore[arg-type]
    assert "<img" not in html and "<script" not in html and "<a " not in html and "<em>" not in html
    assert "2*3*4 = 24 &lt;img src=x onerror=alert(1)&gt;" in html and "# heading" in html


def test_every_api_endpoint_has_a_name(service: InterviewService) -> None:
    named = set(build_app(service).get_api_info()["named_endpoints"])
    assert {"/start_interview", "/answer", "/resume_session", "/command_skip", "/command_end_interview",
            "/rounds", "/loop_variants"} <= named
    assert not any("lambda" in name for name in named), named


def test_an_unexpected_failure_keeps_the_answer(service: InterviewService,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    session, *_ = start_interview(service, "generic", [])

    def boom(*args: object) -> None:
        raise RuntimeError("disk full")
    monkeypatch.setattr(service, "answer", boom)
    outputs = submit_answer(service, session, "an answer I typed for ten minutes")
    assert "still in the box" in outputs[4] and "disk full" not in outputs[4]
    assert _is_unchanged(outputs[5])


def test_repeat_command(service: InterviewService) -> None:
    session, chat, *_ = start_interview(service, "generic", [])
    _, chat_after, *_ = submit_answer(service, session, "/repeat")
    assert chat_after[-1]["content"] == chat[-1]["content"]


def test_resume_shows_the_whole_session(service: InterviewService) -> None:
    session, *_ = start_interview(service, "spotify", ["recruiter_screen"])
    submit_answer(service, session, SCRIPTED["recruiter_screen"]["weak"])
    resumed_id, chat, scores, _, status, _ = resume_session(service, session)
    assert resumed_id == session and "Resumed" in status
    assert any(m["content"] == SCRIPTED["recruiter_screen"]["weak"] for m in chat)
    assert "weighted" in scores


def test_round_picker_follows_company(service: InterviewService) -> None:
    update = stage_choices(service, "spotify")
    assert "red_team" in update["value"]


def test_build_app_wires_the_components(service: InterviewService) -> None:
    app = build_app(service)
    labels = {getattr(block, "label", None) for block in app.blocks.values()}
    assert {"Company", "Engine", "Rounds", "Interview", "Your answer"} <= labels
    assert not getattr(app, "is_running", False)


@pytest.mark.slow
def test_app_py_serves_the_page_on_loopback(data_dir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=SOURCE_ROOT,
                            env=subprocess_env(data_dir, INTERVIEWER_PORT=port),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 180
        page = ""
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    page = response.read().decode()
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"app.py exited: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(1)
        assert "gradio" in page.lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=10) as response:
            config = response.read().decode()
        assert "AI/ML PM mock interview" in config and "Start interview" in config
    finally:
        proc.terminate()
        proc.wait(timeout=30)
