"""The CLI: scripted JSON runs, clear errors, and resuming after the process is killed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.settings import SOURCE_ROOT
from tests.conftest import SCRIPTED, subprocess_env

CLI = [sys.executable, "-m", "interviewer.cli"]


def run_cli(args: list[str], data_dir: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=subprocess_env(data_dir), capture_output=True,
                          text=True, timeout=timeout, cwd=SOURCE_ROOT)


@pytest.mark.slow
def test_chat_with_answers_file_prints_json(tmp_path: Path, data_dir: Path) -> None:
    answers = [SCRIPTED[r]["strong"] for r in ("recruiter_screen", "recruiter_screen",
                                               "hiring_manager", "hiring_manager")]
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers))
    result = run_cli(["chat", "--company", "spotify", "--answers", str(answers_file), "--json",
                      "--seed", "3"], data_dir)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) >= {"session_id", "transcript", "scores", "debrief", "round_summaries"}
    given = [t["text"] for t in out["transcript"] if t["kind"] == "answer"]
    assert given == answers[: len(given)] and len(given) >= 2
    assert out["scores"] and all(s["dimensions"] for s in out["scores"])
    debrief = out["debrief"]
    assert debrief["ended_early"] is True  # the file ran out before the six Spotify stages
    assert debrief["judgment_score"] is not None and debrief["hire_signal"]


@pytest.mark.slow
def test_the_terminal_chat_prints_plain_text(tmp_path: Path, data_dir: Path) -> None:
    answers_file = tmp_path / "answers.txt"
    answers_file.write_text(SCRIPTED["culture"]["strong"] + "\n/end interview\n")
    result = run_cli(["chat", "--company", "netflix", "--rounds", "culture", "--answers", str(answers_file)],
                     data_dir)
    assert result.returncode == 0, result.stderr
    assert "**" not in result.stdout and "|---|" not in result.stdout  # rendered, not raw Markdown
    assert "Culture and keeper test" in result.stdout and "Debrief" in result.stdout
    assert "evidence:" in result.stdout and "\x1b[" not in result.stdout  # no colour codes in a pipe


def test_a_quote_shows_in_the_terminal_exactly_as_typed() -> None:
    from interviewer.render import markdown_to_text, score_markdown

    typed = "2*3*4 = 24 <b>teams</b> [x](y) _under_"
    score = {"question": "q", "question_id": "q", "attempt": 0, "weighted": 2.0, "notices": [],
             "dimensions": [{"dimension": "trade_offs", "score": 2, "rationale": "r", "evidence": [typed],
                             "missing": []}]}
    assert typed in markdown_to_text(score_markdown(score, {}))  # type: ignore[arg-type]


@pytest.mark.slow
def test_one_answer_per_line_file(tmp_path: Path, data_dir: Path) -> None:
    answers_file = tmp_path / "answers.txt"
    answers_file.write_text("/skip\n" + SCRIPTED["culture"]["strong"] + "\n/end interview\n")
    result = run_cli(["chat", "--company", "netflix", "--rounds", "culture", "--answers",
                      str(answers_file), "--json"], data_dir)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["debrief"]["skipped"] == 1 and out["debrief"]["answered"] == 1


@pytest.mark.parametrize(("args", "message"), [
    (["chat", "--company", "hulu", "--answers", "x"], "unknown company 'hulu'; valid: generic, netflix"),
    (["chat", "--company", "netflix", "--rounds", "lunch"], "unknown round for netflix 'lunch'"),
    (["chat", "--resume", "deadbeef"], "unknown session id 'deadbeef'"),
])
def test_clear_errors_exit_2(tmp_path: Path, data_dir: Path, args: list[str], message: str) -> None:
    (tmp_path / "x").write_text("answer\n")
    result = subprocess.run([*CLI, *args], env=subprocess_env(data_dir), capture_output=True,
                            text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


DRIVER = """
import sys
from interviewer.service import InterviewService
from interviewer.settings import Settings
service = InterviewService(Settings())
view = service.start("netflix", ["recruiter_screen", "hiring_manager"], seed=11)
print("session", view.session_id, flush=True)
for line in sys.stdin:
    view = service.answer(view.session_id, line.rstrip("\\n"))
    print("answered", len([t for t in view.transcript if t["kind"] == "answer"]), flush=True)
"""


@pytest.mark.slow
def test_killed_mid_loop_resumes_by_id_with_nothing_lost(tmp_path: Path, data_dir: Path) -> None:
    answers = [f"Answer {i}: " + SCRIPTED["recruiter_screen"]["strong"] for i in range(1, 4)]
    child = subprocess.Popen([sys.executable, "-c", DRIVER], env=subprocess_env(data_dir),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=SOURCE_ROOT)
    assert child.stdin and child.stdout
    session_id = child.stdout.readline().split()[1]
    for i, answer in enumerate(answers, start=1):
        child.stdin.write(answer + "\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == f"answered {i}"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL

    rest = [f"Answer {i}: " + SCRIPTED["hiring_manager"]["strong"] for i in range(4, 7)]
    rest_file = tmp_path / "rest.json"
    rest_file.write_text(json.dumps(rest))
    result = run_cli(["chat", "--resume", session_id, "--answers", str(rest_file), "--json"],
                     data_dir)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["session_id"] == session_id
    given = [t["text"] for t in out["transcript"] if t["kind"] == "answer"]
    for answer in answers:
        assert given.count(answer) == 1, "an answer from before the kill was lost or duplicated"
    assert given[:3] == answers
    assert all(given.count(a) <= 1 for a in rest)
    scored = [s for s in out["scores"] if s["attempt"] == 0]
    assert len({s["question_id"] for s in scored}) == len(scored), "a question was scored twice"
    assert out["finished"] and out["debrief"]["answered"] >= 3


CRASHING_DRIVER = """
import os, signal, sys
from interviewer.offline.engine import OfflineEngine
from interviewer.service import InterviewService
from interviewer.settings import Settings

class DiesWhileScoring(OfflineEngine):
    def score(self, request):
        os.kill(os.getpid(), signal.SIGKILL)

settings = Settings()
service = InterviewService(settings, engines={"offline": DiesWhileScoring(settings.prompts_dir)})
view = service.start("netflix", ["recruiter_screen"], seed=3)
print(view.session_id, flush=True)
service.answer(view.session_id, sys.argv[1])
"""


@pytest.mark.slow
def test_killed_while_scoring_keeps_the_answer_and_the_next_one(tmp_path: Path,
                                                                data_dir: Path) -> None:
    first = "First answer: " + SCRIPTED["recruiter_screen"]["strong"]
    child = subprocess.run([sys.executable, "-c", CRASHING_DRIVER, first],
                           env=subprocess_env(data_dir), capture_output=True, text=True,
                           timeout=600, cwd=SOURCE_ROOT)
    assert child.returncode == -signal.SIGKILL, child.stderr
    session_id = child.stdout.split()[0]
    second = "Second answer: " + SCRIPTED["recruiter_screen"]["strong"]
    rest = tmp_path / "rest.json"
    rest.write_text(json.dumps([second]))
    result = run_cli(["chat", "--resume", session_id, "--answers", str(rest), "--json"], data_dir)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    given = [t["text"] for t in out["transcript"] if t["kind"] == "answer"]
    assert given == [first, second], "an answer was lost across the crash"
    assert [s["answer"] for s in out["scores"] if s["attempt"] == 0][:2] == [first, second]
