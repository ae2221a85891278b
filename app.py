"""Start the web app (offline engine unless a model is configured): `python app.py`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry, before gradio loads
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def private_gradio_cache() -> Path:
    """A cache folder only this user can read: Gradio copies every file it serves (the candidate's
    reports) into it, and its default under /tmp is readable by every local user."""
    folder = Path(tempfile.gettempdir()) / f"interviewer-gradio-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.is_symlink() or folder.stat().st_uid != os.getuid():
        folder = Path(tempfile.mkdtemp(prefix="interviewer-gradio-"))  # someone else's: use a fresh one
    folder.chmod(0o700)
    return folder


os.environ.setdefault("GRADIO_TEMP_DIR", str(private_gradio_cache()))


def main() -> None:
    """Build the index if needed, then serve the app on the configured host and port."""
    from interviewer.errors import InterviewerError
    from interviewer.service import InterviewService, open_index
    from interviewer.settings import Settings
    from interviewer.webapp import APP_CSS, RELOAD_WHEN_READY, build_app, build_getting_ready_page, check_login

    settings = Settings()
    auth = check_login(settings)
    if auth is None and settings.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"interviewer: warning: serving on {settings.host} without a password "
              "(set INTERVIEWER_AUTH_USERNAME and INTERVIEWER_AUTH_PASSWORD)", flush=True)
    # the data directory (every transcript, the browser secret) is never served, even where Gradio's
    # file cache (GRADIO_TEMP_DIR, which it serves) is set to a folder that holds it
    blocked = [str(settings.data_dir.resolve())]
    holding, progress = None, BuildStatus()
    if not settings.chroma_url and not (settings.index_dir / "manifest.json").is_file():
        print("interviewer: building the knowledge index (first run only, about a minute)…", flush=True)
        holding = build_getting_ready_page(progress.markdown)
        holding.launch(server_name=settings.host, server_port=settings.port, share=False, blocked_paths=blocked,
                       prevent_thread_lock=True, quiet=True, head=RELOAD_WHEN_READY,
                       run_history=False)
        print(f"interviewer: the page at http://{settings.host}:{settings.port} says so until it is done", flush=True)
    try:
        index = open_index(settings, show_progress=True, on_progress=progress.update)
        service = InterviewService(settings, retriever=index)
        app = build_app(service)
    except InterviewerError as exc:  # a bad data edit: one clear line, no stack trace
        raise SystemExit(f"error: {exc}") from None
    finally:
        if holding is not None:
            holding.close(verbose=False)
    print(f"interviewer: engine {service.describe_engine()}, data in {settings.data_dir}", flush=True)
    # run_history=False: Gradio would otherwise keep every call's inputs and outputs (session ids,
    # whole transcripts) in the browser's storage, in clear, and offer to upload them
    app.launch(server_name=settings.host, server_port=settings.port, share=False, blocked_paths=blocked, auth=auth,
               run_history=False, css=APP_CSS)


class BuildStatus:
    """How far the first index build got, as the holding page shows it."""

    def __init__(self) -> None:
        self.line = "Starting…"

    def update(self, collection: str, done: int, total: int) -> None:
        """Record (collection, texts embedded, texts to embed); see KnowledgeIndex.ensure."""
        what = "knowledge notes" if collection == "knowledge" else "scored example answers"
        self.line = f"Embedding {what}: {done} of {total}."

    def markdown(self) -> str:
        """The line the page shows."""
        return self.line


if __name__ == "__main__":
    main()
