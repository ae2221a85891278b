"""The web app: handlers as plain functions, and app.py serving the page on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from interviewer.service import InterviewService
from interviewer.settings import SOURCE_ROOT
from interviewer.webapp import (
    EMPTY_SAVED,
    KEEP,
    Screen,
    build_app,
    chat_messages,
    end_round_or_ask,
    evidence_highlights,
    history_table,
    in_last_round,
    in_progress,
    known_history,
    progress_chart,
    progress_line,
    restore,
    resume_from_history,
    resume_session,
    stage_choices,
    start_interview,
    start_or_ask,
    submit_answer,
    submit_answer_streaming,
    verbatim,
)
from tests.conftest import SCRIPTED, free_port, subprocess_env


def test_start_answer_and_see_scores(service: InterviewService) -> None:
    screen = start_interview(service, "netflix", ["culture"])
    assert screen.session and "Error" not in screen.status
    assert screen.chat[-1]["role"] == "assistant" and "?" in screen.chat[-1]["content"]
    assert screen.saved == {"browser": screen.saved["browser"], "current": screen.session, "history": [screen.session]}
    answer = SCRIPTED["culture"]["strong"]
    screen = submit_answer(service, screen.session, answer, screen.saved)
    assert {"role": "user", "content": verbatim(answer)} in screen.chat and screen.answer == ""
    assert "Culture:" in screen.card and "evidence:" in screen.card
    asked = service.view(screen.session).scores[-1]["question"]
    assert screen.card.startswith(f"**{asked}")  # the question's text, not its id
    assert set(screen.chart["dimension"]) >= {"Culture"} and screen.chart["score"].between(1, 4).all()
    assert any(label for _, label in screen.highlights)  # the evidence is marked in the answer
    for command in ("/skip", "/end interview"):
        screen = submit_answer(service, screen.session, command, screen.saved)
    assert "## Debrief" in screen.debrief and "Prep plan" in screen.debrief
    assert screen.debrief_chart is not None and screen.progress.startswith("Interview finished")
    md, js, pdf = (Path(p) for p in screen.downloads)
    assert md.parent.stat().st_mode & 0o077 == 0  # transcripts are not readable by other users
    assert (md.suffix, js.suffix, pdf.suffix) == (".md", ".json", ".pdf")
    report = md.read_text(encoding="utf-8")
    assert "## Debrief" in report and "### Answer 1" in report and "Culture:" in report
    assert json.loads(js.read_text(encoding="utf-8"))["session_id"] == screen.session
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000


def _is_unchanged(value: object) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def _unchanged_but_status(screen: Screen) -> bool:
    return all(_is_unchanged(v) for name, v in screen._asdict().items() if name != "status")


def test_the_report_keeps_the_candidates_text_exactly(service: InterviewService, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    from interviewer.export import write_report

    session = start_interview(service, "generic", []).session
    typed = "Retention rose 4% <img src=x onerror=alert(1)> and 2*3*4 = 24 # kept"
    submit_answer(service, session, typed)
    screen = submit_answer(service, session, "/end interview")
    assert screen.downloads and all(Path(p).is_file() for p in screen.downloads)
    md, _, _ = write_report(service.view(session), service.dimension_names(), tmp_path)
    html = MarkdownIt("commonmark").render(md.read_text(encoding="utf-8"))
    assert "<img" not in html and "2*3*4 = 24 # kept" in html.replace("&lt;", "<").replace("&gt;", ">")
    assert start_interview(service, "generic", []).downloads is None  # nothing to download mid-interview


def test_the_report_keeps_line_breaks_and_draws_every_character(service: InterviewService, tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    from markdown_it import MarkdownIt

    from interviewer.export import write_report

    session = start_interview(service, "generic", []).session
    lines = ["Retention rose 4% 👍🏽 after the change.", "1. We cut the scope", "", "- then shipped it 🚀 ❤️"]
    submit_answer(service, session, "\n".join(lines))
    submit_answer(service, session, "/end interview")
    with caplog.at_level("WARNING", logger="fpdf"):
        md, _, pdf = write_report(service.view(session), service.dimension_names(), tmp_path)
    html = MarkdownIt("commonmark").render(md.read_text(encoding="utf-8"))
    quoted = html[html.index("<blockquote>"):html.index("</blockquote>")]
    assert "Retention rose 4% 👍🏽 after the change.<br />\n1. We cut the scope</p>\n<p>- then shipped it" in quoted
    assert "<ol>" not in quoted and "<ul>" not in quoted  # the candidate's "1." and "-" are text
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not [r for r in caplog.records if "missing" in r.getMessage()]  # no character silently dropped


def test_a_character_no_font_has_is_named_not_dropped() -> None:
    from interviewer.export import printable

    latin1 = printable("Shipped 🚀 café\u200d ❤️", lambda char: ord(char) < 256)
    assert latin1 == "Shipped [rocket] café [heavy black heart]"


def test_errors_keep_the_typed_answer_chat_and_session(service: InterviewService) -> None:
    screen = submit_answer(service, None, "my long answer")
    assert "start an interview first" in screen.status and _unchanged_but_status(screen)
    screen = start_interview(service, "netflix", ["nap_time"])
    assert screen.status.startswith("**Error:**") and "recruiter_screen" in screen.status
    start_interview(service, "generic", [])
    screen = resume_session(service, "nope")
    assert "unknown session id" in screen.status and _unchanged_but_status(screen)


def test_text_sent_after_the_interview_ended_is_refused_and_kept(service: InterviewService) -> None:
    session = start_interview(service, "generic", []).session
    finished = submit_answer(service, session, "/end interview")
    assert finished.progress.startswith("Interview finished")
    screen = submit_answer(service, session, "one more thought I wanted to add")
    assert "interview has ended" in screen.status and "still in the box" in screen.status
    assert _unchanged_but_status(screen)  # the text stays in the box
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


@pytest.mark.parametrize("typed", [
    "2*3*4 = 24", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "# not a heading",
    "[link](javascript:alert(1))", "_under_ and `code` and > quote", "line one\nline two",
    "(see https://x.com/a_b) and [y](https://ok.com)", "https://a.com/x](javascript:alert(1)) <b>",
    "    indented four\n\n\n\t- a tab and a dash", "www.a.com/*b*c* https://e.x/<img src=x>",
])
def test_the_chat_shows_the_candidates_text_as_typed(typed: str) -> None:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"breaks": True}).render(verbatim(typed))
    for tag in ("<img", "<script", "<a ", "<em>", "<code>", "<h1>", "<blockquote>"):
        assert tag not in html, (typed, html)
    text = html.replace("<p>", "").replace("</p>", "").replace("<br />", "").replace("&lt;", "<")
    assert " ".join(text.replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&").split()) == \
        " ".join(typed.split())


def test_score_card_quotes_keep_web_addresses_as_typed() -> None:
    from interviewer.render import md_escape

    quoted = md_escape("the read-out is at https://ex.com/a_b_c?x=1&y=2#r (see page 2*3)")
    assert "https://ex.com/a_b_c?x=1&y=2#r" in quoted and "2\\*3" in quoted and "\\(see" in quoted


def test_notes_are_set_apart_and_turns_keep_their_own_bubbles(service: InterviewService) -> None:
    session = start_interview(service, "generic", []).session
    submit_answer(service, session, "I like turtles.")
    chat = chat_messages(service.view(session))
    notes = [m for m in chat if "metadata" in m]
    speech = [m for m in chat if m["role"] == "assistant" and "metadata" not in m]
    assert notes and all(m["metadata"]["title"] == "Note from the app" for m in notes)
    assert speech and all("Note:" not in m["content"] for m in speech)
    chatbot = next(b for b in build_app(service).blocks.values() if getattr(b, "label", None) == "Interview")
    assert chatbot.group_consecutive_messages is False


def test_progress_shows_round_question_and_time_box(service: InterviewService) -> None:
    view = service.view(start_interview(service, "netflix", ["recruiter_screen", "product_case"]).session)
    line = progress_line(view)
    assert line.startswith("**Recruiter screen** (round 1 of 2) · question 1 of ") and "time box 30 min" in line


def test_an_unexpected_failure_keeps_the_answer(service: InterviewService,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    session = start_interview(service, "generic", []).session

    def boom(*args: object) -> None:
        raise RuntimeError("disk full")
    monkeypatch.setattr(service, "answer", boom)
    screen = submit_answer(service, session, "an answer I typed for ten minutes")
    assert "still in the box" in screen.status and "disk full" not in screen.status
    assert _is_unchanged(screen.answer)


def test_repeat_command(service: InterviewService) -> None:
    screen = start_interview(service, "generic", [])
    after = submit_answer(service, screen.session, "/repeat")
    assert after.chat[-1]["content"] == screen.chat[-1]["content"]


def test_resume_shows_the_whole_session(service: InterviewService) -> None:
    session = start_interview(service, "spotify", ["recruiter_screen"]).session
    submit_answer(service, session, SCRIPTED["recruiter_screen"]["weak"])
    screen = resume_session(service, session)
    assert screen.session == session and "Resumed" in screen.status
    assert any(m["content"] == verbatim(SCRIPTED["recruiter_screen"]["weak"]) for m in screen.chat)
    assert "Weighted score" in screen.card


def test_a_reload_returns_to_the_browsers_session(service: InterviewService) -> None:
    first = start_interview(service, "generic", [])
    submit_answer(service, first.session, SCRIPTED["recruiter_screen"]["weak"], first.saved)
    back = restore(service, first.saved)
    assert back.session == first.session and "where you left off" in back.status
    assert len(back.chat) > len(first.chat)
    fresh = restore(service, EMPTY_SAVED)
    assert _is_unchanged(fresh.session) and "start" in fresh.status.lower()
    gone = restore(service, {"current": "0" * 32, "history": ["0" * 32]})
    assert "no longer on this server" in gone.status and _is_unchanged(gone.session)


def test_starting_anew_mid_interview_asks_first(service: InterviewService) -> None:
    session = start_interview(service, "generic", []).session
    assert in_progress(service, session) and not in_progress(service, None)
    submit_answer(service, session, "/end interview")
    assert not in_progress(service, session)


def test_history_lists_this_browsers_sessions_and_resumes_them(service: InterviewService) -> None:
    first = start_interview(service, "spotify", ["recruiter_screen"])
    submit_answer(service, first.session, SCRIPTED["recruiter_screen"]["strong"], first.saved)
    submit_answer(service, first.session, "/end interview", first.saved)
    second = start_interview(service, "netflix", ["recruiter_screen"], saved=first.saved)
    submit_answer(service, second.session, SCRIPTED["recruiter_screen"]["weak"], second.saved)
    table = history_table(service, second.saved)
    assert list(table["interview"]) == ["Netflix · 1 round · offline", "Spotify · 1 round · offline"]  # newest first
    assert table["status"][1] == "finished" and table["judgment"][1] != ""
    assert table["status"][0] == "1 answered, open"
    resumed = resume_from_history(service, second.saved, 1)
    assert resumed.session == first.session
    # a session the server no longer has is left out of the table, and the rows still open their own
    gone = {"current": second.session, "history": [second.session, "0" * 32, first.session]}
    assert len(history_table(service, gone)) == 2
    assert resume_from_history(service, gone, 1).session == first.session
    # resuming reorders History (newest use first) but not the progress chart (order started)
    assert progress_chart(service, resumed.saved).equals(progress_chart(service, second.saved))
    chart = progress_chart(service, second.saved)
    assert set(chart["session"].str[:3]) == {"#01", "#02"} and chart["score"].between(1, 4).all()
    stale = resume_from_history(service, second.saved, 5)
    assert "pick a session" in stale.status and _is_unchanged(stale.session)


def test_the_progress_chart_counts_each_answer_once_as_the_debrief_does(service: InterviewService) -> None:
    """A follow-up re-scores the whole answer; the chart once averaged the superseded first scoring in
    too, so it showed less progress than the debrief."""
    from interviewer.nodes import final_scores

    first = start_interview(service, "netflix", ["product_case"])
    submit_answer(service, first.session, "I would use A/B tests.", first.saved)
    submit_answer(service, first.session, SCRIPTED["product_case"]["strong"], first.saved)
    submit_answer(service, first.session, "/end interview", first.saved)
    (_, view), = [pair for pair in known_history(service, first.saved) if pair[0].id == first.session]
    assert len(view.scores) > len(final_scores(view.scores)), "the weak answer was followed up and re-scored"
    names = service.dimension_names()
    expected = {}
    for score in final_scores(view.scores):
        for d in score["dimensions"]:
            expected.setdefault(names.get(d["dimension"], d["dimension"]), []).append(d["score"])
    chart = progress_chart(service, first.saved)
    assert dict(zip(chart["dimension"], chart["score"], strict=True)) == {
        name: round(sum(v) / len(v), 2) for name, v in expected.items()}


def test_evidence_is_marked_in_the_answer() -> None:
    score = {"answer": "We chose A. Retention rose 4%. Done.",
             "dimensions": [{"dimension": "trade_offs", "evidence": ["We chose A."]},
                            {"dimension": "impact_narrative", "evidence": ["Retention rose 4%.", "missing quote"]}]}
    spans = evidence_highlights(score, {"trade_offs": "Trade-offs"})  # type: ignore[arg-type]
    assert "".join(text for text, _ in spans) == score["answer"]
    assert ("We chose A.", "Trade-offs") in spans and ("Retention rose 4%.", "impact_narrative") in spans


def test_a_stronger_version_is_suggested_on_request_from_the_candidates_own_line(
        service: InterviewService) -> None:
    from interviewer.webapp import suggest_stronger

    screen = start_interview(service, "netflix", ["recruiter_screen"])
    assert "answer a question first" in suggest_stronger(service, screen.session).lower()
    typed = "I owned the onboarding ranker <b>rewrite</b> and 2*3*4 users loved it."
    after = submit_answer(service, screen.session, typed)
    assert after.suggestion == ""  # cleared by every turn, shown only on request
    weakest = min(service.view(screen.session).scores[-1]["dimensions"], key=lambda d: d["score"])
    text = suggest_stronger(service, screen.session)
    assert text.startswith("**A stronger version for ") and f"({weakest['score']} / 4)" in text
    assert service.dimension_names()[weakest["dimension"]] in text and "<b>" not in text  # nothing turns into HTML
    assert "start an interview" in suggest_stronger(service, None).lower()


def test_the_browser_secret_survives_a_restart(service: InterviewService) -> None:
    from interviewer.webapp import browser_secret

    first = browser_secret(service.settings)
    assert first == browser_secret(service.settings) and len(first) >= 32
    assert (service.settings.data_dir / "browser-secret").stat().st_mode & 0o077 == 0


def test_every_api_endpoint_has_a_name(service: InterviewService) -> None:
    named = set(build_app(service).get_api_info()["named_endpoints"])
    assert {"/start_interview", "/answer", "/resume_session", "/command_skip", "/command_end_interview",
            "/command_end_round",
            "/rounds", "/loop_variants", "/history"} <= named
    assert not any("lambda" in name for name in named), named


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


@pytest.mark.slow
def test_the_first_start_shows_the_index_being_built(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from interviewer.service import open_index
    from interviewer.settings import Settings

    knowledge = tmp_path / "knowledge"  # a small folder: the behaviour, not the corpus, is under test
    knowledge.mkdir()
    for name in ("anchors.jsonl", "framework-parl.md"):
        (knowledge / name).write_bytes((SOURCE_ROOT / "knowledge" / name).read_bytes())
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge)
    told: list[tuple[str, int, int]] = []
    open_index(settings, show_progress=True, on_progress=lambda *step: told.append(step))
    err = capfd.readouterr().err
    assert "indexing knowledge" in err and "100%" in err
    # what the getting-ready page shows: each collection counted up to its total
    for collection in ("knowledge", "anchors"):
        steps = [(done, total) for name, done, total in told if name == collection]
        assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1] > 0
    told.clear()
    open_index(settings, show_progress=True, on_progress=lambda *step: told.append(step))
    assert "indexing" not in capfd.readouterr().err and not told  # nothing to build the second time


def test_a_rounds_score_reads_the_same_in_the_chat_and_the_debrief(service: InterviewService) -> None:
    screen = start_interview(service, "spotify", ["recruiter_screen", "hiring_manager"])
    answers = [SCRIPTED["recruiter_screen"]["strong"], SCRIPTED["recruiter_screen"]["weak"]]
    turns = 0
    while not service.view(screen.session).finished:
        screen = submit_answer(service, screen.session, answers[turns % 2], screen.saved)
        turns += 1
        assert turns < 30, "the interview did not finish"
    said = " ".join(m["content"] for m in screen.chat if m["role"] == "assistant")
    for summary in service.view(screen.session).summaries:
        figure = f"{summary['score']:.2f}"
        assert f"Round score {figure} / 4" in said  # what the interviewer said at the round's end
        assert f"| {summary['name']} | {figure} |" in screen.debrief  # what the debrief's table shows
    # and the per-round chart: one bar per round, numbered in loop order, at the same score
    summaries = service.view(screen.session).summaries
    assert list(screen.round_chart["round"]) == [f"{n}. {s['name']}" for n, s in enumerate(summaries, start=1)]
    assert list(screen.round_chart["round"]) == sorted(screen.round_chart["round"])  # how the chart orders bars
    assert list(screen.round_chart["score"]) == [round(float(s["score"] or 0), 2) for s in summaries]


def test_a_page_behind_its_session_cannot_answer_or_skip_a_question_it_never_showed(
        service: InterviewService) -> None:
    first = start_interview(service, "netflix", ["culture"])
    second = resume_session(service, first.session, first.saved)  # the same session in another tab
    moved = submit_answer(service, first.session, SCRIPTED["culture"]["strong"], first.saved, first.turn)
    assert moved.turn > first.turn == second.turn
    for stale_text in ("An answer to a question this tab no longer shows.", "/skip"):
        stale = submit_answer(service, second.session, stale_text, second.saved, second.turn)
        assert stale.status.startswith("**Not sent:**") and "another tab" in stale.status
        assert _is_unchanged(stale.answer)  # the typed text stays in the box
        assert stale.chat == moved.chat and stale.turn == moved.turn  # the tab now shows where it stands
        assert service.view(first.session).turn == moved.turn  # nothing was sent
    streamed = list(submit_answer_streaming(service, second.session, "Sent from the stale tab.", second.saved,
                                            second.turn))
    assert len(streamed) == 1 and streamed[0].status.startswith("**Not sent:**")
    caught_up = submit_answer(service, second.session, SCRIPTED["culture"]["weak"], stale.saved, stale.turn)
    assert caught_up.turn > moved.turn  # once caught up, the tab answers as usual
    assert service.answer(first.session, "/repeat").turn > caught_up.turn  # API and CLI callers: no check


def test_ending_the_last_round_asks_first_as_ending_the_interview_does(service: InterviewService) -> None:
    screen = start_interview(service, "spotify", ["recruiter_screen", "culture"])
    first_round = end_round_or_ask(service, screen.session, screen.turn, screen.saved)
    assert first_round[-1]["visible"] is False  # not the last round: it ends the round at once
    moved = Screen(*first_round[:-1], answer=KEEP)
    assert in_last_round(service, screen.session) and "round 2 of 2" in moved.progress
    asked = end_round_or_ask(service, screen.session, moved.turn, moved.saved)
    assert asked[-1]["visible"] is True and all(_is_unchanged(v) for v in asked[:-1])  # no "Error:" either
    assert not service.view(screen.session).finished  # nothing ended until the candidate confirms
    # confirmed, it ends the round as in any other round: the open question counts as unanswered
    ended = submit_answer(service, screen.session, "/end round", moved.saved, moved.turn)
    debrief = service.view(ended.session).debrief
    assert debrief is not None and [r["skipped"] for r in debrief["rounds"]] == [1, 1]


def test_the_page_config_holds_no_server_paths(service: InterviewService) -> None:
    golden = service.settings.data_dir / "golden"
    golden.mkdir(parents=True, exist_ok=True)
    (golden / "mine.jsonl").write_text((SOURCE_ROOT / "evals" / "golden" / "test.jsonl").read_text(encoding="utf-8"))
    config = json.dumps(build_app(service).get_config_file(), default=str)  # what /config sends every visitor
    assert "repository: test.jsonl" in config and "data: mine.jsonl" in config  # the golden files, by label
    for folder in (service.settings.data_dir, SOURCE_ROOT):
        assert str(folder) not in config


def test_every_tab_of_a_browser_lists_all_its_sessions(service: InterviewService) -> None:
    first = start_interview(service, "netflix", ["culture"])  # tab A
    tab_b = first.saved  # tab B opened now: its copy of the browser's storage
    second = start_interview(service, "spotify", ["culture"], saved=first.saved)  # tab A starts another
    assert second.saved["browser"] == first.saved["browser"]
    # tab B writes the storage last, from its older copy: the newer session drops out of the storage
    b = submit_answer(service, first.session, SCRIPTED["culture"]["weak"], tab_b)
    assert second.session not in b.saved["history"]
    listed = history_table(service, b.saved)  # yet both tabs list both sessions
    assert sorted(listed["interview"]) == ["Netflix · 1 round · offline", "Spotify · 1 round · offline"]
    shown = [info.id for info, _ in known_history(service, b.saved)]
    assert resume_from_history(service, b.saved, shown.index(second.session), shown).session == second.session
    other_browser = start_interview(service, "generic", ["culture"])
    assert other_browser.saved["browser"] != b.saved["browser"]
    assert len(history_table(service, other_browser.saved)) == 1  # another browser sees only its own


def test_history_counts_questions_and_names_the_company(service: InterviewService) -> None:
    screen = start_interview(service, "generic", ["recruiter_screen"])
    screen = submit_answer(service, screen.session, SCRIPTED["recruiter_screen"]["weak"], screen.saved)
    screen = submit_answer(service, screen.session, SCRIPTED["recruiter_screen"]["weak"], screen.saved)
    row = history_table(service, screen.saved).iloc[0]
    assert row["interview"].startswith(dict(service.companies())["generic"] + " · ")
    answered = len({(s["stage"], s["question_id"]) for s in service.view(screen.session).scores})
    # the weak answer drew a follow-up on the same question: two scores, one question answered
    assert row["status"] == f"{answered} answered, open" and answered < len(service.view(screen.session).scores)


def test_unticking_every_round_is_refused_not_the_whole_loop(service: InterviewService) -> None:
    *panels, ask = start_or_ask(service, None, "netflix", [], "offline", None, None)
    screen = Screen(*panels, answer=KEEP)
    assert "Pick at least one round" in screen.status and _unchanged_but_status(screen)
    assert ask == {"__type__": "update", "visible": False} and not service.store.recent(10)
    *panels, _ = start_or_ask(service, None, "netflix", ["culture"], "offline", None, None)
    assert Screen(*panels, answer=KEEP).session  # a round ticked: it starts


def test_the_transcripts_database_is_readable_by_its_owner_only(service: InterviewService) -> None:
    view = service.start("netflix", ["culture"])
    service.answer(view.session_id, SCRIPTED["culture"]["strong"])
    database = service.settings.sessions_db
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            assert path.stat().st_mode & 0o077 == 0, oct(path.stat().st_mode)
