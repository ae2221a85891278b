"""Start the web app (offline engine unless a model is configured): `python app.py`."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry, before gradio loads
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    """Build the index if needed, then serve the app on the configured host and port."""
    from interviewer.errors import InterviewerError
    from interviewer.service import InterviewService
    from interviewer.settings import Settings
    from interviewer.webapp import build_app

    settings = Settings()
    try:
        service = InterviewService(settings)
    except InterviewerError as exc:  # a bad data edit: one clear line, no stack trace
        raise SystemExit(f"error: {exc}") from None
    print(f"interviewer: engine {service.describe_engine()}, data in {settings.data_dir}", flush=True)
    build_app(service).launch(server_name=settings.host, server_port=settings.port,
                              share=False)


if __name__ == "__main__":
    main()
