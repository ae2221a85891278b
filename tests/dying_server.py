"""An OpenAI-compatible server process that answers the interviewer, then dies mid-request.

Run as `python -m tests.dying_server`: prints its port, streams a canned question for every
streamed (interviewer) request, and kills itself with SIGKILL while handling the first
non-streamed (judge) request, after reading it: a model server that crashes mid-request.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

QUESTION = "Tell me about a product decision you owned and what it changed for members."


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not body.get("stream"):
            os.kill(os.getpid(), signal.SIGKILL)
        base = {"id": "c", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model", "m")}
        events = [{**base, "choices": [{"index": 0, "delta": {"content": QUESTION}, "finish_reason": None}]},
                  {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
        payload = b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
