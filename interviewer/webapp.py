"""The Gradio web app: `build_app` wires plain handler functions; it never launches."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from interviewer.errors import InterviewerError
from interviewer.render import debrief_markdown, score_markdown
from interviewer.service import InterviewService, SessionView

COMMAND_BUTTONS = {"Skip": "/skip", "Repeat": "/repeat", "End round": "/end round",
                   "End interview": "/end interview"}
# session id, chat, scores, debrief, status, answer box
Outputs = tuple[Any, Any, Any, Any, str, Any]
log = logging.getLogger(__name__)


def chat_messages(view: SessionView) -> list[dict[str, str]]:
    """The transcript as chat messages (notices and commands shown in italics)."""
    messages = []
    for t in view.transcript:
        if t["role"] == "candidate":
            text = t["text"] if t["kind"] == "answer" else f"_{t['text']}_"
            messages.append({"role": "user", "content": text})
        elif t["role"] == "system":
            messages.append({"role": "assistant", "content": f"_Note: {t['text']}_"})
        else:
            messages.append({"role": "assistant", "content": t["text"]})
    return messages


def render_view(service: InterviewService, view: SessionView, status: str = "") -> Outputs:
    """Every output panel for a session; the answer box is cleared."""
    names = service.dimension_names()
    scores = "\n\n---\n\n".join(score_markdown(s, names) for s in reversed(view.scores))
    debrief = debrief_markdown(view.debrief, names) if view.debrief else ""
    if not status:
        status = ("Interview finished." if view.finished
                  else f"Session `{view.session_id}`: answer in the box below.")
    return (view.session_id, chat_messages(view), scores or "_No answers scored yet._", debrief,
            status, "")


def _unchanged(message: str) -> Outputs:
    """An error: show it and leave the session, the chat and the typed answer as they were."""
    keep = gr.update()
    return (keep, keep, keep, keep, f"**Error:** {message}", keep)


def _guard(action: Callable[[], Outputs]) -> Outputs:
    try:
        return action()
    except (InterviewerError, ValueError) as exc:
        return _unchanged(str(exc))
    except Exception:  # no stack trace reaches the candidate; the answer stays in the box
        log.exception("handler failed")
        return _unchanged("something went wrong; your answer is still in the box, send it again")


def start_interview(service: InterviewService, company: str, stages: list[str] | None,
                    engine: str | None = None, variant: str | None = None) -> Outputs:
    """Start a new session for the chosen company, loop variant, stages and engine."""
    return _guard(lambda: render_view(service, service.start(company, stages or [], engine=engine,
                                                             variant=variant)))


def submit_answer(service: InterviewService, session_id: str | None, text: str) -> Outputs:
    """Send an answer or a command; on any failure the typed text stays in the box."""
    if not session_id:
        return _unchanged("start an interview first (your answer is kept in the box)")
    return _guard(lambda: render_view(service, service.answer(session_id, text)))


def submit_answer_streaming(service: InterviewService, session_id: str | None,
                            text: str) -> Iterator[Outputs]:
    """Like submit_answer, showing the interviewer's reply as it is written."""
    if not session_id:
        yield _unchanged("start an interview first (your answer is kept in the box)")
        return
    keep = gr.update()
    try:
        earlier = chat_messages(service.view(session_id))
        partial = ""
        for event in service.answer_stream(session_id, text):
            if isinstance(event, dict):
                continue  # scores are shown with the final view
            if isinstance(event, str):
                partial += event
                chat = [*earlier, {"role": "user", "content": text},
                        {"role": "assistant", "content": partial}]
                yield (keep, chat, keep, keep, "The interviewer is speaking…", keep)
            else:
                yield render_view(service, event)
    except (InterviewerError, ValueError) as exc:
        yield _unchanged(str(exc))
    except Exception:
        log.exception("handler failed")
        yield _unchanged("something went wrong; your answer is still in the box, send it again")


def resume_session(service: InterviewService, session_id: str) -> Outputs:
    """Reopen a session by id, after a restart too."""
    def action() -> Outputs:
        view = service.view(session_id.strip())
        return render_view(service, view, f"Resumed session `{view.session_id}`.")
    return _guard(action)


def stage_choices(service: InterviewService, company: str, variant: str | None = None) -> Any:
    """Update the round picker when the company or its loop variant changes."""
    known = [v for v, _ in service.variants(company)]
    choices = [(name, sid) for sid, name in service.stages(company, variant if variant in known else None)]
    return gr.update(choices=choices, value=[sid for _, sid in choices])


def variant_choices(service: InterviewService, company: str) -> Any:
    """Update the loop picker when the company changes."""
    choices = [(name, vid) for vid, name in service.variants(company)]
    return gr.update(choices=choices, value=choices[0][1])


def build_app(service: InterviewService) -> gr.Blocks:
    """Assemble the interface; the caller launches it."""
    companies = service.companies()
    first = companies[0][0]
    with gr.Blocks(title="interviewer: AI PM mock loops", analytics_enabled=False) as app:
        session = gr.State(None)
        gr.Markdown("# AI/ML PM mock interview\nPick a company and rounds, then answer as you "
                    "would in the room.")
        with gr.Row():
            company = gr.Dropdown([(n, c) for c, n in companies], value=first, label="Company")
            variant = gr.Dropdown([(n, v) for v, n in service.variants(first)],
                                  value=service.variants(first)[0][0], label="Loop")
            engine = gr.Dropdown([(service.describe_engine(e), e) for e in service.engines],
                                 value=service.default_engine, label="Engine")
            stages = gr.CheckboxGroup([(n, s) for s, n in service.stages(first)],
                                      value=[s for s, _ in service.stages(first)], label="Rounds")
            start = gr.Button("Start interview", variant="primary")
        status = gr.Markdown()
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Interview", height=520)
                answer = gr.Textbox(label="Your answer", lines=5,
                                    placeholder="Answer here. Commands: /skip /repeat /end round "
                                                "/end interview")
                with gr.Row():
                    send = gr.Button("Send", variant="primary")
                    buttons = [gr.Button(label, size="sm") for label in COMMAND_BUTTONS]
            with gr.Column(scale=2):
                with gr.Tab("Scores"):
                    scores = gr.Markdown("_No answers scored yet._")
                with gr.Tab("Debrief"):
                    debrief = gr.Markdown()
                with gr.Tab("Resume"):
                    resume_id = gr.Textbox(label="Session id")
                    resume = gr.Button("Resume")
        outputs = [session, chat, scores, debrief, status, answer]
        panels = outputs[:5]  # everything but the answer box

        company.change(lambda c: variant_choices(service, c), company, variant, api_name="loop_variants")
        variant.change(lambda c, v: stage_choices(service, c, v), [company, variant], stages, api_name="rounds")
        start.click(lambda c, s, e, v: start_interview(service, c, s, e, v)[:5],
                    [company, stages, engine, variant], panels, api_name="start_interview")
        def send_answer(sid: str | None, text: str) -> Iterator[Outputs]:
            yield from submit_answer_streaming(service, sid, text)

        send.click(send_answer, [session, answer], outputs, api_name="answer")
        # Enter in the box does what Send does: one documented endpoint for both
        answer.submit(send_answer, [session, answer], outputs, api_visibility="undocumented")
        for button, label in zip(buttons, COMMAND_BUTTONS, strict=True):
            command = COMMAND_BUTTONS[label]
            # a command leaves whatever the candidate is typing where it is
            button.click(lambda sid, cmd=command: submit_answer(service, sid, cmd)[:5], [session],
                         panels, api_name="command_" + command.strip("/").replace(" ", "_"))
        resume.click(lambda sid: resume_session(service, sid)[:5], [resume_id], panels, api_name="resume_session")
    # sessions are serialised by the service's per-session lock, so listeners may run in parallel
    app.queue(default_concurrency_limit=service.settings.llm_max_concurrency * 4)
    return app
