"""A scripted OpenAI-compatible HTTP server on loopback, with injectable faults, for tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    """One scripted reply: content, or a fault (429, 500, hang, drop, drop_mid_stream, refusal,
    empty, truncated); "drop" closes the connection after reading the request, sending nothing."""

    content: str = ""
    fault: str | None = None
    retry_after: float | None = None
    prompt_tokens: int = 100
    completion_tokens: int = 20


@dataclass
class ScriptedServer:
    """Serves scripted replies in order; records every request; an exhausted script is an error."""

    steps: list[Step] = field(default_factory=list)
    reject_formats: set[str] = field(default_factory=set)
    reject_status: int = 400  # llama.cpp's Python server uses 500
    reject_params: set[str] = field(default_factory=set)
    hang_seconds: float = 3.0
    latency: float = 0.0  # seconds every reply waits before it is sent (benchmarks: a model's own time)
    responder: Callable[[dict[str, Any]], Step] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.handle(self, body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        """The /v1 base URL to configure the client with."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *steps: Step | str) -> None:
        """Append replies (plain strings are content)."""
        with self._lock:
            self.steps.extend(s if isinstance(s, Step) else Step(content=s) for s in steps)

    def stop(self) -> None:
        """Shut the server down."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def handle(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """Answer one chat-completions request from the script."""
        if handler.path.rstrip("/") != "/v1/chat/completions":
            self._send(handler, 404, {"error": {"message": f"no route {handler.path}"}})
            return
        with self._lock:
            self.requests.append(body)
            refused = sorted(self.reject_params & body.keys())
            if refused:
                self._send(handler, 400, {"error": {"message": f"Unsupported parameter: "
                                                    f"'{refused[0]}' is not supported with this model."}})
                return
            fmt = (body.get("response_format") or {}).get("type")
            if fmt in self.reject_formats:
                self._send(handler, self.reject_status, {"error": {
                    "message": f"('body', 'response_format', 'type'): input should be 'text' or "
                               f"'json_object', not {fmt}", "type": "invalid_request_error"}})
                return
            if not self.steps and self.responder is not None:
                self.steps.append(self.responder(body))
            if not self.steps:
                self.errors.append(f"script exhausted at request {len(self.requests)}")
                self._send(handler, 500, {"error": {"message": "script exhausted"}})
                return
            step = self.steps.pop(0)
        if self.latency:
            time.sleep(self.latency)
        if step.fault == "drop":
            handler.close_connection = True
            return
        if step.fault == "429":
            headers = {"Retry-After": str(step.retry_after)} if step.retry_after is not None else {}
            self._send(handler, 429, {"error": {"message": "rate limited"}}, headers)
        elif step.fault == "500":
            self._send(handler, 500, {"error": {"message": "internal error"}})
        elif step.fault == "hang":
            time.sleep(self.hang_seconds)
            self._send(handler, 200, self._completion(body, step))
        elif body.get("stream"):
            self._stream(handler, body, step)
        else:
            self._send(handler, 200, self._completion(body, step))

    def _completion(self, body: dict[str, Any], step: Step) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": step.content}
        finish = "stop"
        if step.fault == "refusal":
            message = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
        elif step.fault == "empty":
            message["content"] = ""
        elif step.fault == "truncated":
            finish = "length"
        return {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "scripted"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": step.prompt_tokens,
                          "completion_tokens": step.completion_tokens,
                          "total_tokens": step.prompt_tokens + step.completion_tokens}}

    def _stream(self, handler: BaseHTTPRequestHandler, body: dict[str, Any], step: Step) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        text = step.content
        pieces = [text[i:i + max(1, len(text) // 3)] for i in range(0, len(text), max(1, len(text) // 3))]
        base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model", "scripted")}
        for number, piece in enumerate(pieces):
            if step.fault == "drop_mid_stream" and number == 1:
                handler.close_connection = True
                handler.wfile.flush()
                return
            chunk = {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        final = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        handler.wfile.write(f"data: {json.dumps(final)}\n\n".encode())
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {**base, "choices": [], "usage": {
                "prompt_tokens": step.prompt_tokens, "completion_tokens": step.completion_tokens,
                "total_tokens": step.prompt_tokens + step.completion_tokens}}
            handler.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
        handler.wfile.write(b"data: [DONE]\n\n")

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)
