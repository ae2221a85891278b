"""The Gradio web app: `build_app` wires plain handler functions; it never launches."""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import gradio as gr
import pandas as pd

from interviewer.coach import (
    add_golden_record,
    check_draft,
    golden_file,
    golden_files,
    golden_table,
    label_rows,
    publish_draft,
    run_draft_eval,
    session_answers,
)
from interviewer.errors import InterviewerError, StaleTurnError
from interviewer.export import write_report
from interviewer.nodes import final_scores
from interviewer.render import debrief_markdown, md_escape, score_markdown
from interviewer.render import md_verbatim as verbatim
from interviewer.rubric_store import RubricStore
from interviewer.service import InterviewService, SessionView, clean_text
from interviewer.settings import Settings
from interviewer.state import AnswerScore

COMMAND_BUTTONS = {"Skip": "/skip", "Repeat": "/repeat", "End round": "/end round",
                   "End interview": "/end interview"}
HISTORY_LIMIT = 50  # sessions remembered per browser
EMPTY_SAVED: dict[str, Any] = {"current": None, "history": []}
SCORE_COLUMNS = ["dimension", "score"]
ROUND_COLUMNS = ["round", "score"]
PROGRESS_COLUMNS = ["session", "dimension", "score"]
# company, rounds and engine share a column: six columns in the side panel broke words mid-way
HISTORY_COLUMNS = ["started", "interview", "judgment", "status"]
SESSION_LABEL = "%d %b %H:%M"  # a session on the progress chart: when it started
SESSION_ID = re.compile(r"[0-9a-f]{32}")  # what sessions.new_session_id makes
log = logging.getLogger(__name__)


class Screen(NamedTuple):
    """Every panel a handler sets, in the order `build_app` lists their components."""

    session: Any  # gr.State: the session id
    turn: Any  # gr.State: the session's turn this page shows (an answer from a stale page is refused)
    saved: Any  # gr.BrowserState: {"current": id, "history": [ids, newest first]}
    chat: Any
    progress: Any  # "Product case · question 2 of 3 · time box 45 min"
    card: Any  # the latest answer's score card (Markdown)
    chart: Any  # its dimension scores (DataFrame for a bar plot)
    highlights: Any  # the answer with its evidence marked (HighlightedText value)
    earlier: Any  # earlier answers' score cards (Markdown)
    suggestion: Any  # a stronger version of the latest answer, shown on request (cleared by each turn)
    debrief: Any
    debrief_chart: Any  # mean score per dimension (DataFrame for a bar plot)
    round_chart: Any  # score per round (DataFrame for a bar plot)
    downloads: Any  # the report as Markdown, JSON and PDF files, once the interview has ended
    status: Any
    answer: Any  # the answer box


KEEP = gr.update()
APP_TITLE = "interviewer: AI PM mock loops"
GETTING_READY_TITLE = "interviewer: getting ready"
# Gradio labels each chat bubble for screen readers, and its copy button copies, the message's source
# text, which for the candidate's words is Markdown-escaped (a backslash before `*`, `&lt;` for `<`).
# Relabel each bubble with the text the page shows, and copy that text.
CHAT_AS_SHOWN = """() => {
  const marker = "'s message: ";
  const relabel = () => document.querySelectorAll("#chat [aria-label]").forEach((bubble) => {
    const label = bubble.getAttribute("aria-label");
    const at = label.indexOf(marker);
    if (at < 0) return;
    const wanted = label.slice(0, at + marker.length) + bubble.innerText.trim();
    if (label !== wanted) bubble.setAttribute("aria-label", wanted);
  });
  new MutationObserver(relabel).observe(document.body, {subtree: true, childList: true, characterData: true,
                                                        attributes: true, attributeFilter: ["aria-label"]});
  relabel();
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest('#chat button[aria-label="Copy message"]');
    let row = button && button.closest(".message-buttons")?.previousElementSibling;  // its bubble's row
    while (row && !row.classList.contains("message-row")) row = row.previousElementSibling;
    const shown = row && row.querySelector(".message-content");
    if (!shown) return;
    // a blank line is shown as a single space (see md_verbatim); copy it blank
    const text = shown.innerText.replace(/\\n$/, "").split("\\n").map((l) => (l.trim() ? l : "")).join("\\n");
    // after Gradio's own copy of the source text, which this replaces
    setTimeout(() => navigator.clipboard.writeText(text).catch(() => {}), 150);
  }, true);
}"""
# Page styles (passed to launch): the candidate's spacing is kept in the chat; the chat's clear
# button and the downloads' remove buttons are hidden, as they only emptied the screen.
APP_CSS = """
#chat .message.user .message-content p { white-space: pre-wrap; }
/* the progress chart's legend is drawn below its fixed-height plot: let it show, and make room */
#progress-chart, #progress-chart * { overflow: visible !important; }
#progress-chart { margin-bottom: 72px; }
#highlights span { word-break: normal !important; overflow-wrap: anywhere; }
#chat button[aria-label="Clear"], #downloads .label-clear-button { display: none !important; }
/* the debrief's tables on a phone: a score such as 3.17 or a header word never breaks mid-way; a wide
   table scrolls sideways instead */
#debrief table { display: block; overflow-x: auto; }
#debrief th, #debrief td { word-break: keep-all; overflow-wrap: normal; hyphens: none; }
#debrief td:not(:first-child) { white-space: nowrap; }
"""
# The holding page asks the server for its title until the app has taken its place, then reloads.
# A failed request (the moment between the two servers) is simply retried, and Gradio's
# "connection lost" notice for that moment is not shown: losing the connection is the plan.
RELOAD_WHEN_READY = f"""<style>.toast-wrap {{ display: none !important; }}</style>
<script>
setInterval(async () => {{
  try {{
    const config = await (await fetch("/config", {{cache: "no-store"}})).json();
    if (config.title && config.title !== {GETTING_READY_TITLE!r}) location.reload();
  }} catch (e) {{}}
}}, 1500);
</script>"""


def chat_messages(view: SessionView) -> list[dict[str, Any]]:
    """The transcript as chat messages: the candidate's text verbatim, notes set apart from the
    interviewer's speech, every turn its own bubble."""
    messages: list[dict[str, Any]] = []
    for t in view.transcript:
        if t["role"] == "candidate":
            messages.append({"role": "user", "content": verbatim(t["text"])})
        elif t["role"] == "system":
            messages.append({"role": "assistant", "content": t["text"],
                             "metadata": {"title": "Note from the app"}})
        else:
            messages.append({"role": "assistant", "content": t["text"]})
    return messages


def progress_line(view: SessionView) -> str:
    """Where the candidate is in the loop: round, question k of n, the round's time box."""
    if view.finished:
        return "Interview finished: the debrief is in the Debrief tab."
    prompt = view.prompt
    if prompt is None:
        return ""
    for number, stage in enumerate(view.plan, start=1):
        if stage["id"] != prompt["stage"]:
            continue
        asked = stage["question_ids"]
        position = asked.index(prompt["question_id"]) + 1 if prompt["question_id"] in asked else len(asked)
        follow_up = " · follow-up" if prompt["kind"] == "probe" else ""
        return (f"**{stage['name']}** (round {number} of {len(view.plan)}) · question {position} of "
                f"{len(asked)}{follow_up} · time box {stage['minutes']} min (not enforced)")
    return ""


def _frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame | None:
    """Rows as a DataFrame with a numeric score column, or None when there are none: Gradio's plots
    lose their colour encoding for good once given an empty frame."""
    return pd.DataFrame(rows, columns=columns).astype({"score": float}) if rows else None


def score_chart(score: AnswerScore | None, names: dict[str, str]) -> pd.DataFrame | None:
    """One answer's dimension scores as rows (dimension, score) for a bar plot."""
    rows = [(names.get(d["dimension"], d["dimension"]), d["score"]) for d in (score["dimensions"] if score else [])]
    return _frame(rows, SCORE_COLUMNS)


def evidence_highlights(score: AnswerScore | None, names: dict[str, str]) -> list[tuple[str, str | None]]:
    """The answer split into spans, each evidence sentence labelled with the dimensions it counts for."""
    if not score:
        return []
    answer: str = score["answer"]
    labels: dict[tuple[int, int], list[str]] = {}
    for d in score["dimensions"]:
        for quote in d["evidence"]:
            start = answer.find(quote)
            if start >= 0:
                labels.setdefault((start, start + len(quote)), []).append(names.get(d["dimension"], d["dimension"]))
    spans: list[tuple[str, str | None]] = []
    cursor = 0
    for (start, end), dims in sorted(labels.items()):
        if start < cursor:
            continue  # overlapping quotes: the first one wins
        if start > cursor:
            spans.append((answer[cursor:start], None))
        spans.append((answer[start:end], ", ".join(dict.fromkeys(dims))))
        cursor = end
    if cursor < len(answer):
        spans.append((answer[cursor:], None))
    return spans


def debrief_chart(view: SessionView, names: dict[str, str]) -> pd.DataFrame | None:
    """The debrief's mean score per dimension as rows (dimension, score)."""
    dims = view.debrief["dimensions"] if view.debrief else {}
    rows = [(names.get(d, d), round(float(v["mean"]), 2)) for d, v in dims.items() if v.get("mean") is not None]
    return _frame(rows, SCORE_COLUMNS)


def round_chart(view: SessionView) -> pd.DataFrame | None:
    """The debrief's score per round as rows (round, score), each round numbered by its place in the
    loop ("2. Hiring manager screen": the chart orders its bars by label); rounds without a score
    (nothing answered) are left out."""
    rounds = view.debrief["rounds"] if view.debrief else []
    rows = [(f"{number}. {r['name']}", round(score, 2)) for number, r in enumerate(rounds, start=1)
            if isinstance(score := r.get("score"), int | float)]
    return _frame(rows, ROUND_COLUMNS)


def remember(saved: dict[str, Any] | None, session_id: str) -> dict[str, Any]:
    """The browser's storage with this session current and first in its history, and the browser's
    random id (made on first use; the server lists a browser's sessions by it)."""
    saved = saved or EMPTY_SAVED
    history = [s for s in saved.get("history", []) if s != session_id]
    return {"browser": saved.get("browser") or secrets.token_hex(16), "current": session_id,
            "history": [session_id, *history][:HISTORY_LIMIT]}


def render_view(service: InterviewService, view: SessionView, saved: dict[str, Any] | None,
                status: str = "") -> Screen:
    """Every panel for a session; the answer box is cleared."""
    names = service.dimension_names()
    latest = view.scores[-1] if view.scores else None
    earlier = "\n\n---\n\n".join(score_markdown(s, names) for s in reversed(view.scores[:-1]))
    if not status:
        status = "" if view.finished else "Answer in the box below, or use the buttons."
    saved = remember(saved, view.session_id)
    try:  # History lists it in every tab of this browser, whichever tab writes the storage last
        service.store.record_opened(saved["browser"], view.session_id)
    except Exception:
        log.exception("recording a browser's session failed; its History may miss it")
    return Screen(
        session=view.session_id, turn=view.turn, saved=saved, chat=chat_messages(view),
        progress=progress_line(view),
        card=score_markdown(latest, names) if latest else "_No answers scored yet._",
        chart=score_chart(latest, names), highlights=evidence_highlights(latest, names),
        earlier=earlier or "_None yet._", suggestion="",
        debrief=debrief_markdown(view.debrief, names) if view.debrief else "_The debrief appears when the "
                                                                           "interview ends._",
        debrief_chart=debrief_chart(view, names), round_chart=round_chart(view),
        downloads=report_files(view, names), status=status,
        answer="")


def suggest_stronger(service: InterviewService, session_id: str | None) -> str:
    """A stronger version of the latest answer on its weakest dimension, built on the candidate's
    own sentence (the engine's rewrite suggestion), as Markdown."""
    if not session_id:
        return "_Start an interview and answer a question first._"
    try:
        view = service.view(session_id)
        engine = service.engines.get(service.store.get(session_id).engine, service.engine)
    except InterviewerError as exc:
        return f"**Error:** {exc}"
    if not view.scores:
        return "_Answer a question first: the suggestion builds on your latest answer._"
    latest = view.scores[-1]
    weakest = min(latest["dimensions"], key=lambda d: d["score"])
    name = service.dimension_names().get(weakest["dimension"], weakest["dimension"])
    text = engine.rewrite_suggestion(weakest["dimension"], weakest, latest["answer"])
    return f"**A stronger version for {name} ({weakest['score']} / 4):** {md_escape(text)}"


def report_files(view: SessionView, names: dict[str, str]) -> list[str] | None:
    """The finished session's report files (Markdown, JSON, PDF), or None while it runs."""
    if not view.finished:
        return None
    parent = Path(tempfile.gettempdir()) / f"interviewer-reports-{os.getuid()}"
    parent.mkdir(mode=0o700, exist_ok=True)
    parent.chmod(0o700)  # transcripts are private, whatever the umask or an earlier run left
    directory = parent / view.session_id
    written = sorted(directory.glob("interview-*"), key=lambda p: [".md", ".json", ".pdf"].index(p.suffix))
    if len(written) == 3:  # a finished session never changes: each reload reuses its files
        return [str(p) for p in written]
    directory.mkdir(mode=0o700, exist_ok=True)
    return [str(p) for p in write_report(view, names, directory)]


def _unchanged(message: str) -> Screen:
    """An error: show it and leave the session, the chat and the typed answer as they were (with no
    message, nothing changes at all)."""
    screen = Screen(*([KEEP] * len(Screen._fields)))
    return screen._replace(status=f"**Error:** {message}") if message else screen


def _guard(action: Callable[[], Screen]) -> Screen:
    try:
        return action()
    except (InterviewerError, ValueError) as exc:
        return _unchanged(str(exc))
    except Exception:  # no stack trace reaches the candidate; the answer stays in the box
        log.exception("handler failed")
        return _unchanged("something went wrong; your answer is still in the box, send it again")


def start_interview(service: InterviewService, company: str, stages: list[str] | None,
                    engine: str | None = None, variant: str | None = None,
                    saved: dict[str, Any] | None = None) -> Screen:
    """Start a new session for the chosen company, loop variant, stages (none: the whole loop) and
    engine."""
    return _guard(lambda: render_view(service, service.start(company, stages or [], engine=engine,
                                                             variant=variant), saved))


def start_or_ask(service: InterviewService, session_id: str | None, company: str, stages: list[str],
                 engine: str | None, variant: str | None, saved: dict[str, Any] | None) -> tuple[Any, ...]:
    """The Start button: the panels, and whether to show "start a new one?" (asked while an
    interview is in progress). Every round unticked is refused rather than read as the whole loop."""
    if not stages:
        return (*_unchanged("Pick at least one round to start an interview.")[:-1], gr.update(visible=False))
    if in_progress(service, session_id):
        return (*_unchanged("")[:-1], gr.update(visible=True))
    return (*start_interview(service, company, stages, engine, variant, saved)[:-1], gr.update(visible=False))


def in_last_round(service: InterviewService, session_id: str | None) -> bool:
    """Whether the session shown is waiting in its loop's last round (ending that round ends the
    interview, so the page asks first)."""
    if not session_id:
        return False
    try:
        view = service.view(session_id)
    except InterviewerError:
        return False
    return bool(view.prompt and view.plan and view.plan[-1]["id"] == view.prompt["stage"])


def end_round_or_ask(service: InterviewService, session_id: str | None, seen_turn: int | None,
                     saved: dict[str, Any] | None) -> tuple[Any, ...]:
    """The End round button: the panels, and whether to show "end the last round?" (asked in the
    loop's last round, where ending the round ends the interview)."""
    if in_last_round(service, session_id):
        return (*_unchanged("")[:-1], gr.update(visible=True))
    return (*submit_answer(service, session_id, "/end round", saved, seen_turn)[:-1], gr.update(visible=False))


def in_progress(service: InterviewService, session_id: str | None) -> bool:
    """Whether the session shown is an interview still under way (starting anew asks first)."""
    if not session_id:
        return False
    try:
        return not service.view(session_id).finished
    except InterviewerError:
        return False


def _caught_up(service: InterviewService, session_id: str, saved: dict[str, Any] | None,
               stale: StaleTurnError) -> Screen:
    """A page that was behind its session: show where the session stands, keep the typed text."""
    return render_view(service, service.view(session_id), saved, f"**Not sent:** {stale}")._replace(answer=KEEP)


def submit_answer(service: InterviewService, session_id: str | None, text: str,
                  saved: dict[str, Any] | None = None, seen_turn: int | None = None) -> Screen:
    """Send an answer or a command; on any failure the typed text stays in the box. With
    `seen_turn` (the turn the page showed), nothing is sent if the session has moved on since."""
    if not session_id:
        return _unchanged("start an interview first (your answer is kept in the box)")

    def action() -> Screen:
        try:
            return render_view(service, service.answer(session_id, text, seen_turn), saved)
        except StaleTurnError as stale:
            return _caught_up(service, session_id, saved, stale)
    return _guard(action)


def submit_answer_streaming(service: InterviewService, session_id: str | None, text: str,
                            saved: dict[str, Any] | None = None, seen_turn: int | None = None) -> Iterator[Screen]:
    """Like submit_answer, showing the interviewer's reply as it is written."""
    if not session_id:
        yield _unchanged("start an interview first (your answer is kept in the box)")
        return
    text = clean_text(text)  # the bubble shown while the reply streams holds what is stored
    try:
        earlier = chat_messages(service.view(session_id))
        partial = ""
        for event in service.answer_stream(session_id, text, seen_turn):
            if isinstance(event, dict):
                continue  # scores are shown with the final view
            if isinstance(event, str):
                partial += event
                chat = [*earlier, {"role": "user", "content": verbatim(text)},
                        {"role": "assistant", "content": partial}]
                yield _unchanged("")._replace(chat=chat, status="The interviewer is speaking…")
            else:
                yield render_view(service, event, saved)
    except StaleTurnError as stale:
        yield _caught_up(service, session_id, saved, stale)
    except (InterviewerError, ValueError) as exc:
        yield _unchanged(str(exc))
    except Exception:
        log.exception("handler failed")
        yield _unchanged("something went wrong; your answer is still in the box, send it again")


def resume_session(service: InterviewService, session_id: str, saved: dict[str, Any] | None = None) -> Screen:
    """Reopen a session by id, after a restart too."""
    def action() -> Screen:
        if not SESSION_ID.fullmatch(session_id.strip()):  # whatever was typed is not echoed back
            raise InterviewerError("unknown session id: a session id is 32 characters, digits and a to f")
        view = service.open(session_id.strip())
        return render_view(service, view, saved, "Opened your finished interview: its debrief is in the Debrief tab."
                           if view.finished else "Resumed your interview.")
    return _guard(action)


def restore(service: InterviewService, saved: dict[str, Any] | None) -> Screen:
    """On page load: return to the browser's current session, if it still exists."""
    current = (saved or {}).get("current")
    if not current:
        return _unchanged("")._replace(status="Pick a company and rounds, then start.")
    try:
        return render_view(service, service.open(current), saved, "Welcome back: this is where you left off.")
    except InterviewerError:
        return _unchanged("")._replace(status="Your last session is no longer on this server; start a new one.")


def known_history(service: InterviewService, saved: dict[str, Any] | None) -> list[tuple[Any, SessionView]]:
    """This browser's sessions the server still has, the most recently used first, as (session
    info, view): those the server recorded for the browser's id (from any of its tabs), then any
    only its storage lists."""
    saved = saved or EMPTY_SAVED
    recorded = service.store.opened_by(saved["browser"], HISTORY_LIMIT) if saved.get("browser") else []
    found = []
    for session_id in list(dict.fromkeys([*recorded, *saved.get("history", [])]))[:HISTORY_LIMIT]:
        try:
            found.append((service.store.get(session_id), service.view(session_id)))
        except InterviewerError:
            continue
    return found


def history_table(service: InterviewService, saved: dict[str, Any] | None,
                  sessions: list[tuple[Any, SessionView]] | None = None) -> pd.DataFrame:
    """This browser's sessions, newest first: when, the interview ("Netflix · 5 rounds · offline":
    company, rounds, engine), judgment, status (`sessions`: known_history's result, when the caller
    has it)."""
    rows = []
    names = dict(service.companies())
    for info, view in known_history(service, saved) if sessions is None else sessions:
        judgment = view.debrief["judgment_score"] if view.debrief else None
        rounds = len(view.plan)
        answered = len({(s["stage"], s["question_id"]) for s in view.scores})  # a follow-up is the same question
        company = names.get(info.company, info.company.title())
        interview = f"{company} · {rounds} round{'s' * (rounds != 1)} · {info.engine}"
        rows.append((time.strftime(SESSION_LABEL, time.localtime(info.created_at)), interview,
                     "" if judgment is None else f"{judgment:.2f}",
                     "finished" if view.finished else f"{answered} answered, open"))
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def progress_chart(service: InterviewService, saved: dict[str, Any] | None,
                   sessions: list[tuple[Any, SessionView]] | None = None) -> pd.DataFrame | None:
    """Each dimension's mean score per session in the order they were started, over each question's
    last scoring as the debrief counts it (a follow-up re-scores the answer); a session is labelled
    "#n, date time" (`sessions`: known_history's result, when the caller has it)."""
    names = service.dimension_names()
    rows = []
    started = sorted(known_history(service, saved) if sessions is None else sessions,
                     key=lambda pair: pair[0].created_at)
    for number, (info, view) in enumerate(started, start=1):
        label = f"#{number:02d}, {time.strftime(SESSION_LABEL, time.localtime(info.created_at))}"
        by_dimension: dict[str, list[int]] = {}
        for score in final_scores(view.scores):
            for d in score["dimensions"]:
                by_dimension.setdefault(d["dimension"], []).append(d["score"])
        rows += [(label, names.get(d, d), round(sum(v) / len(v), 2)) for d, v in by_dimension.items()]
    return _frame(rows, PROGRESS_COLUMNS)


def resume_from_history(service: InterviewService, saved: dict[str, Any] | None, row: int,
                        shown: list[str] | None = None) -> Screen:
    """Resume the session on a row of the History table: `shown` is the table's session ids as
    displayed (rows `history_table` shows now, when not given)."""
    ids = shown if shown is not None else [info.id for info, _ in known_history(service, saved)]
    if not 0 <= row < len(ids):
        return _unchanged("pick a session in the table")
    return resume_session(service, ids[row], saved)


def stage_choices(service: InterviewService, company: str, variant: str | None = None,
                  picked: list[str] | None = None) -> Any:
    """Update the round picker when the company or its loop variant changes (every round ticked,
    or those `picked`)."""
    known = [v for v, _ in service.variants(company)]
    choices = [(name, sid) for sid, name in service.stages(company, variant if variant in known else None)]
    return gr.update(choices=choices, value=picked if picked is not None else [sid for _, sid in choices])


def variant_choices(service: InterviewService, company: str, picked: str | None = None) -> Any:
    """Update the loop picker when the company changes (its default loop, or the one `picked`)."""
    choices = [(name, vid) for vid, name in service.variants(company)]
    return gr.update(choices=choices, value=picked or choices[0][1])


def setup_of(service: InterviewService, session_id: str | None) -> tuple[Any, Any, Any, Any]:
    """The setup form (company, loop, rounds, engine) as the open session was started, so that a
    reload or a resumed session does not show another company's loop above it."""
    if not session_id:
        return KEEP, KEEP, KEEP, KEEP
    try:
        view, info = service.view(session_id), service.store.get(session_id)
    except InterviewerError:
        return KEEP, KEEP, KEEP, KEEP
    planned = [str(stage["id"]) for stage in view.plan]
    variants = service.variants(view.company)
    variant = next((v for v, _ in variants if set(planned) <= {s for s, _ in service.stages(view.company, v)}),
                   variants[0][0])
    return (gr.update(value=view.company), variant_choices(service, view.company, variant),
            stage_choices(service, view.company, variant, planned),
            gr.update(value=info.engine) if info.engine in service.engines else KEEP)


def browser_secret(settings: Settings) -> str:
    """The key that encrypts what a browser remembers (its sessions): from settings, else made once
    and kept in the data directory, so a restart does not make browsers forget their sessions."""
    if settings.browser_secret is not None:
        return settings.browser_secret.get_secret_value()
    path = settings.data_dir / "browser-secret"
    if not path.is_file():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def check_login(settings: Settings) -> Callable[[str, str], bool] | None:
    """Gradio's login check for the configured logins (the candidates' and the coach's); None when none is set."""
    logins = settings.logins
    if not logins:
        return None

    def check(username: str, password: str) -> bool:
        expected = logins.get(username)
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())
    return check


def is_coach(settings: Settings, request: gr.Request | None) -> bool:
    """Whether a request may use the coach tools: anyone when the app asks for no login (one local
    user), otherwise only the coach's login."""
    if not settings.logins:
        return True
    username = getattr(request, "username", None) if request is not None else None
    return bool(settings.coach_username) and username == settings.coach_username


def require_coach(settings: Settings, request: gr.Request | None) -> None:
    """Refuse a coach action from anyone but the coach (gr.Error, shown in the page)."""
    if not is_coach(settings, request):
        raise gr.Error("The coach tools need the coach's login (INTERVIEWER_COACH_USERNAME).")


def _coach_tab(service: InterviewService, session: gr.State) -> gr.Code:
    """The coach's tools: the rubric draft (check, diff, publish), evals of the draft, and the golden
    answers (browse them; label an answer from a session as a new one)."""
    store = RubricStore(service.settings)
    with gr.Tab("Rubric"):
        gr.Markdown("Edit the draft, check it, then publish it as a new version; new sessions and evals use the "
                    "newest version. Weights, which dimensions apply to which round, the probe threshold, the hire "
                    "bands and the offline scorer's tuning may change. Dimension ids, the 1-4 scale and the level "
                    "meanings are the scoring contract: shown here, but a change to them is refused.")
        draft = gr.Code("", language="yaml", label="Draft rubric (YAML)", interactive=True,
                        lines=24, max_lines=40, elem_id="rubric-draft")
        with gr.Row():
            check = gr.Button("Check the draft", size="sm")
            publish = gr.Button("Publish as a new version", variant="primary", size="sm")
            reset = gr.Button("Back to the published version", size="sm")
        verdict = gr.Markdown(elem_id="rubric-status")
        diff = gr.Code(label="Changes against the published version", language=None, interactive=False,
                       elem_id="rubric-diff")
    with gr.Tab("Evals") as evals_tab:
        gr.Markdown("Evaluate the draft rubric (offline engine) on a golden file: agreement with the raters per "
                    "dimension against the quality bar, and what changed item by item since the published "
                    "rubric's last run on the same file.")
        files = golden_files(service.settings)
        with gr.Row():
            golden = gr.Dropdown(list(files), value=next(iter(files), None),
                                 label="Golden file", elem_id="eval-file")
            run = gr.Button("Run the eval", variant="primary")
        headline = gr.Markdown(elem_id="eval-status")
        metrics = gr.Dataframe(label="Agreement with the raters", interactive=False, elem_id="eval-metrics")
        qwk = gr.BarPlot(None, x="dimension", y="QWK", y_lim=[0, 1], height=240, label="QWK per dimension",
                         elem_id="eval-chart")
        confusion = gr.Dataframe(label="Confusion per dimension: rows are the raters' level, columns the engine's "
                                       "(darker: more of the row; outlined: agreement)", interactive=False,
                                 elem_id="eval-confusion")
        comparison = gr.Code(label="Against the published rubric's last run", language=None, interactive=False)

    with gr.Tab("Golden answers") as golden_tab:
        with gr.Row():
            browse = gr.Dropdown(list(files), value=next(iter(files), None),
                                 label="Golden file", elem_id="golden-file")
            words = gr.Textbox(label="Words in the question, answer or notes", elem_id="golden-filter")
            dimension = gr.Dropdown([("any", "")] + [(n, d) for d, n in service.dimension_names().items()],
                                    value="", label="Labelled on")
        records = gr.Dataframe(label="Labelled answers", interactive=False, wrap=True, max_height=420,
                               elem_id="golden-table")
        with gr.Accordion("Label an answer from a session as a new golden answer", open=False):
            gr.Markdown("The session shown in Practise is filled in; any session id works. The labels start "
                        "at the engine's scores: correct them, give the overall signal, and add it to "
                        "`from-sessions.jsonl` in the data directory's golden folder.")
            with gr.Row():
                label_session = gr.Textbox(label="Session id", max_lines=1, elem_id="label-session")
                load_answers = gr.Button("Load its answers", size="sm")
            picked = gr.Dropdown([], label="Answer", elem_id="label-answer")
            labels = gr.Dataframe(label="Labels", interactive=True, elem_id="label-table",
                                  headers=["dimension", "engine score", "your label (1-4)"])
            with gr.Row():
                overall = gr.Slider(1, 4, value=2, step=1, label="Overall signal (1 strong no … 4 strong hire)")
                rater = gr.Textbox(label="Rater", max_lines=1, elem_id="label-rater")
            notes = gr.Textbox(label="Notes (why these labels)", lines=2)
            add = gr.Button("Add to the golden answers", variant="primary", size="sm")
            added = gr.Markdown(elem_id="label-status")

    settings = service.settings

    def checked(text: str, request: gr.Request) -> tuple[str, str]:
        require_coach(settings, request)
        result = check_draft(store, text)
        return result.message, result.diff

    def published(text: str, request: gr.Request) -> tuple[str, str, str]:
        require_coach(settings, request)
        message, text = publish_draft(store, text)
        return message, text, ""

    def reset_draft(request: gr.Request) -> tuple[str, str, str]:
        require_coach(settings, request)
        return store.current_text(), "", ""

    # Gradio finds its progress tracker through this default argument
    def evaluated(text: str, file: str, request: gr.Request,
                  progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        require_coach(settings, request)

        def step(done: int, total: int) -> None:
            progress((done, total), desc="scoring the golden answers", unit="answers")
        try:
            return run_draft_eval(settings, store, text, file, progress=step)
        except InterviewerError as exc:
            return f"**Error:** {exc}", KEEP, KEEP, KEEP, KEEP

    def refresh_files(current: str | None, request: gr.Request) -> Any:
        require_coach(settings, request)
        found = golden_files(settings)
        return gr.update(choices=list(found), value=current if current in found else next(iter(found), None))

    evals_tab.select(refresh_files, [golden], [golden], api_visibility="private")
    check.click(checked, [draft], [verdict, diff], api_name="rubric_check")
    publish.click(published, [draft], [verdict, draft, diff], api_name="rubric_publish")
    reset.click(reset_draft, None, [draft, verdict, diff], api_visibility="private")
    run.click(evaluated, [draft, golden], [headline, metrics, qwk, confusion, comparison], api_name="eval_draft",
              concurrency_limit=1)

    def browsed(label: str | None, text: str, dim: str, request: gr.Request) -> Any:
        require_coach(settings, request)
        if not label:
            return None
        try:
            return golden_table(str(golden_file(settings, label)), text, dim or None)
        except InterviewerError as exc:
            gr.Warning(str(exc))
            return None

    def opened(sid: str | None, label: str | None, text: str, dim: str,
               request: gr.Request) -> tuple[str, Any, Any]:
        files = refresh_files(label, request)  # golden files added since the page loaded, answers labelled here
        return sid or "", files, browsed(files["value"], text, dim, request)

    for trigger in (browse.change, words.submit, dimension.change):
        trigger(browsed, [browse, words, dimension], records, api_visibility="private")
    golden_tab.select(opened, [session, browse, words, dimension], [label_session, browse, records],
                      api_visibility="private")

    def answers_of(sid: str, request: gr.Request) -> tuple[Any, Any]:
        require_coach(settings, request)
        try:
            choices = session_answers(service, sid.strip())
        except InterviewerError as exc:
            gr.Warning(str(exc))
            return gr.update(choices=[], value=None), None
        first = choices[0][1] if choices else None
        return gr.update(choices=choices, value=first), label_rows(service, sid.strip(), first)

    def labels_of(sid: str, item: Any, request: gr.Request) -> Any:
        require_coach(settings, request)
        return label_rows(service, sid.strip(), item)

    def added_record(sid: str, item: Any, table: Any, overall_signal: int, who: str, why: str,
                     current: str | None, request: gr.Request) -> tuple[str, Any]:
        require_coach(settings, request)
        message = add_golden_record(service, sid.strip(), item, table, overall_signal, who, why)
        return message, refresh_files(current, request)  # the first record makes a new file to browse

    load_answers.click(answers_of, [label_session], [picked, labels], api_visibility="private")
    picked.change(labels_of, [label_session, picked], labels, api_visibility="private")
    add.click(added_record, [label_session, picked, labels, overall, rater, notes, browse], [added, browse],
              api_name="golden_add")
    return draft


def build_getting_ready_page(status: Callable[[], str]) -> gr.Blocks:
    """The page served while the first index build runs: `status()` (Markdown, refreshed each
    second) says how far it got; launch it with `head=RELOAD_WHEN_READY` so the browser opens the
    app by itself once the app serves the same address."""
    with gr.Blocks(title=GETTING_READY_TITLE, analytics_enabled=False) as page:
        gr.Markdown("# Getting ready\nThe app is building its knowledge index: this happens on the "
                    "first start only and takes about a minute. This page opens the app by itself "
                    "when it is ready.")
        gr.Markdown(status, every=1.0, elem_id="getting-ready")
    return page


def build_app(service: InterviewService) -> gr.Blocks:
    """Assemble the interface; the caller launches it."""
    companies = service.companies()
    first = companies[0][0]
    # the reports Gradio copies to serve are deleted a day after they were made (and at restart)
    with gr.Blocks(title=APP_TITLE, analytics_enabled=False,
                   delete_cache=(3600, 86400)) as app:
        session = gr.State(None)
        turn = gr.State(None)
        history_ids = gr.State(None)  # the session ids of the History table's rows, as shown
        saved = gr.BrowserState(EMPTY_SAVED, storage_key="interviewer-sessions",
                                secret=browser_secret(service.settings))
        with gr.Tab("Practise", id="practise"):
            gr.Markdown("# AI/ML PM mock interview\nPick a company and rounds, then answer as you "
                        "would in the room.")
            with gr.Row():
                company = gr.Dropdown([(n, c) for c, n in companies], value=first, label="Company",
                                      elem_id="company")
                variant = gr.Dropdown([(n, v) for v, n in service.variants(first)],
                                      value=service.variants(first)[0][0], label="Loop", elem_id="loop")
                engine = gr.Dropdown([(service.describe_engine(e), e) for e in service.engines],
                                     value=service.default_engine, label="Engine")
                stages = gr.CheckboxGroup([(n, s) for s, n in service.stages(first)],
                                          value=[s for s, _ in service.stages(first)], label="Rounds",
                                          elem_id="rounds")
                start = gr.Button("Start interview", variant="primary")
            with gr.Row(visible=False) as confirm_row:
                gr.Markdown("**An interview is in progress.** Start a new one? The current one stays in History.")
                confirm = gr.Button("Start a new interview", variant="stop", size="sm")
                keep_going = gr.Button("Keep going", size="sm")
            status = gr.Markdown(elem_id="status")
            progress = gr.Markdown(elem_id="progress")
            with gr.Row():
                with gr.Column(scale=3):
                    # no LaTeX: a candidate's "$$…$$" is text, shown as typed
                    chat = gr.Chatbot(label="Interview", height=520, group_consecutive_messages=False,
                                      buttons=["copy"], feedback_options=None, elem_id="chat",
                                      latex_delimiters=[])
                    answer = gr.Textbox(label="Your answer", lines=5, elem_id="answer",
                                        placeholder="Answer here; Shift+Enter or Send sends it. Commands: "
                                                    "/skip /repeat /end round "
                                                    "/end interview")
                    with gr.Row():
                        send = gr.Button("Send", variant="primary")
                        buttons = [gr.Button(label, size="sm") for label in COMMAND_BUTTONS]
                    end_round_api = gr.Button(visible=False)
                    with gr.Row(visible=False) as end_row:
                        gr.Markdown("**End the interview now?** The debrief covers what you answered; the open "
                                    "question is listed as not reached.")
                        end_confirm = gr.Button("End it and show the debrief", variant="stop", size="sm")
                        end_cancel = gr.Button("Keep going", size="sm")
                    with gr.Row(visible=False) as last_round_row:
                        gr.Markdown("**End the last round?** That ends the interview: the question on the table "
                                    "counts as unanswered, as in any round you end.")
                        last_round_confirm = gr.Button("End it and show the debrief", variant="stop", size="sm")
                        last_round_cancel = gr.Button("Keep going", size="sm")
                with gr.Column(scale=2):
                    with gr.Tab("Score card"):
                        chart = gr.BarPlot(None, x="dimension", y="score", y_lim=[0, 4], x_label_angle=-30,
                                           label="Latest answer: score per dimension (1-4)", height=240,
                                           elem_id="score-chart")
                        card = gr.Markdown("_No answers scored yet._", elem_id="score-card")
                        highlights = gr.HighlightedText(label="Your answer, evidence marked by dimension",
                                                        combine_adjacent=False, show_legend=True,
                                                        elem_id="highlights")
                        suggest = gr.Button("Suggest a stronger version", size="sm")
                        suggestion = gr.Markdown(elem_id="suggestion")
                        with gr.Accordion("Earlier answers", open=False):
                            earlier = gr.Markdown("_None yet._")
                    with gr.Tab("Debrief"):
                        rounds_plot = gr.BarPlot(None, x="round", y="score", y_lim=[0, 4], x_label_angle=-30,
                                                 label="Score per round (1-4)", height=220, elem_id="round-chart")
                        debrief_plot = gr.BarPlot(None, x="dimension", y="score", y_lim=[0, 4], x_label_angle=-30,
                                                  label="Mean score per dimension", height=240,
                                                  elem_id="debrief-chart")
                        downloads = gr.File(label="Download the report: Markdown, JSON, PDF", file_count="multiple",
                                            interactive=False, elem_id="downloads")
                        debrief = gr.Markdown("_The debrief appears when the interview ends._", elem_id="debrief")
                    with gr.Tab("History") as history_tab:
                        history = gr.Dataframe(pd.DataFrame(columns=HISTORY_COLUMNS), interactive=False,
                                               label="Your sessions in this browser (select one to resume)",
                                               wrap=True, column_widths=["22%", "34%", "21%", "23%"],
                                               elem_id="history")
                        trend = gr.LinePlot(None, x="session", y="score",
                                            color="dimension", y_lim=[0, 4], height=440, label="Progress: mean "
                                            "score per dimension, session by session (lines need two sessions "
                                            "with answers)", elem_id="progress-chart")
                        with gr.Accordion("Open a session by its id (from another browser)", open=False):
                            resume_id = gr.Textbox(label="Session id", max_lines=1)
                            resume = gr.Button("Open", size="sm")
        with gr.Tab("Coach", id="coach") as coach_tab:
            draft = _coach_tab(service, session)
        screen = [session, turn, saved, chat, progress, card, chart, highlights, earlier, suggestion, debrief,
                  debrief_plot, rounds_plot, downloads, status, answer]
        panels = screen[:-1]  # everything but the answer box

        def load(saved_value: dict[str, Any] | None) -> Screen:
            return restore(service, saved_value)

        app.load(load, [saved], screen, api_visibility="private")
        app.load(None, None, None, js=CHAT_AS_SHOWN)
        def coach_view(request: gr.Request) -> tuple[Any, str]:
            # the draft starts from what is published when the page opens, not when the app was built
            allowed = is_coach(service.settings, request)
            return gr.update(visible=allowed), RubricStore(service.settings).current_text() if allowed else ""

        app.load(coach_view, None, [coach_tab, draft], api_visibility="private")
        # the candidate's own picks refill the form below them; a session that opens fills all of it
        # (`input`, not `change`: the session's loop and rounds must not be reset by the cascade)
        company.input(lambda c: variant_choices(service, c), company, variant, api_name="loop_variants").then(
            lambda c, v: stage_choices(service, c, v), [company, variant], stages, api_visibility="private")
        variant.input(lambda c, v: stage_choices(service, c, v), [company, variant], stages, api_name="rounds")
        session.change(lambda sid: setup_of(service, sid), session, [company, variant, stages, engine],
                       api_visibility="private")

        start.click(lambda *values: start_or_ask(service, *values), [session, company, stages, engine, variant, saved],
                    [*panels, confirm_row], api_visibility="private")
        confirm.click(lambda c, s, e, v, sv: (*start_interview(service, c, s, e, v, sv)[:-1],
                                              gr.update(visible=False)),
                      [company, stages, engine, variant, saved], [*panels, confirm_row], api_name="start_interview")
        keep_going.click(lambda: gr.update(visible=False), None, confirm_row, api_visibility="private")

        def send_answer(sid: str | None, seen: int | None, text: str,
                        saved_value: dict[str, Any] | None) -> Iterator[Screen]:
            yield from submit_answer_streaming(service, sid, text, saved_value, seen)

        # a second click while one is being handled is dropped (a double click must not skip twice)
        send.click(send_answer, [session, turn, answer, saved], screen, api_name="answer", trigger_mode="once")
        # Shift+Enter in the box does what Send does: one documented endpoint for both
        answer.submit(send_answer, [session, turn, answer, saved], screen, api_visibility="undocumented",
                      trigger_mode="once")
        for button, label in zip(buttons, COMMAND_BUTTONS, strict=True):
            command = COMMAND_BUTTONS[label]
            if command == "/end interview":  # it cannot be undone: ask first
                button.click(lambda: gr.update(visible=True), None, end_row, api_visibility="private")
                continue
            if command == "/end round":  # in the last round it ends the interview: the page asks first there
                button.click(lambda sid, seen, sv: end_round_or_ask(service, sid, seen, sv), [session, turn, saved],
                             [*panels, last_round_row], api_visibility="private", trigger_mode="once")
                button = end_round_api  # the API's command does it without asking, as its name says
            # a command leaves whatever the candidate is typing where it is
            button.click(lambda sid, seen, sv, cmd=command: submit_answer(service, sid, cmd, sv, seen)[:-1],
                         [session, turn, saved], panels, api_name="command_" + command.strip("/").replace(" ", "_"),
                         trigger_mode="once")
        end_confirm.click(lambda sid, seen, sv: (*submit_answer(service, sid, "/end interview", sv, seen)[:-1],
                                                 gr.update(visible=False)),
                          [session, turn, saved], [*panels, end_row], api_name="command_end_interview",
                          trigger_mode="once")
        end_cancel.click(lambda: gr.update(visible=False), None, end_row, api_visibility="private")
        last_round_confirm.click(lambda sid, seen, sv: (*submit_answer(service, sid, "/end round", sv, seen)[:-1],
                                                        gr.update(visible=False)),
                                 [session, turn, saved], [*panels, last_round_row], api_visibility="private",
                                 trigger_mode="once")
        last_round_cancel.click(lambda: gr.update(visible=False), None, last_round_row, api_visibility="private")

        def show_history(saved_value: dict[str, Any] | None) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
            sessions = known_history(service, saved_value)  # read once for the table and the chart
            return (history_table(service, saved_value, sessions), progress_chart(service, saved_value, sessions),
                    [info.id for info, _ in sessions])

        history_tab.select(show_history, [saved], [history, trend, history_ids], api_name="history")
        # the table follows every change of the browser's list (a row opens the session it shows)
        saved.change(show_history, [saved], [history, trend, history_ids], api_visibility="private")
        suggest.click(lambda sid: suggest_stronger(service, sid), [session], suggestion, api_name="suggest_stronger")

        def pick(saved_value: dict[str, Any] | None, shown: list[str] | None, evt: gr.SelectData) -> Screen:
            row = evt.index[0] if isinstance(evt.index, list | tuple) else int(evt.index)
            return resume_from_history(service, saved_value, int(row), shown)

        history.select(pick, [saved, history_ids], screen, api_visibility="private")

        resume.click(lambda sid, sv: resume_session(service, sid, sv)[:-1], [resume_id, saved], panels,
                     api_name="resume_session")
    # sessions are serialised by the service's per-session lock, so listeners may run in parallel
    app.queue(default_concurrency_limit=service.settings.llm_max_concurrency * 4)
    return app
