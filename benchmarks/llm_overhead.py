"""Benchmark: the LLM engine's own time per turn, against the scripted OpenAI-compatible server.

The server waits a fixed `--latency` before every reply (the model's own time); the overhead of a
turn is its time minus that latency times the model calls it made. Prompt and completion tokens per
turn are counted from the real prompts with MiniLM's WordPiece tokenizer (a stand-in for the model's
own tokenizer: counts within about 10% of a BPE tokenizer's on English). Prints one JSON object.

    .venv/bin/python benchmarks/llm_overhead.py [--latency 1.0] [--turns 16] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ensure_index, machine, scripted_answer, spread


def main() -> None:
    """Drive LLM-engine turns and print the overhead."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0, help="the model's own seconds per call")
    parser.add_argument("--turns", type=int, default=16)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    from tokenizers import Tokenizer

    from interviewer.embeddings import find_minilm_files
    from interviewer.service import InterviewService
    from interviewer.sessions import SqliteSessionStore
    from interviewer.settings import Settings
    from tests.openai_server import ScriptedServer, Step
    from tests.test_llm_engine import judge_reply

    tokenizer = Tokenizer.from_file(str(find_minilm_files()[1]))

    def tokens(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    counted: list[tuple[int, int]] = []  # (prompt, completion) tokens per request, in request order

    def reply(body: dict[str, Any]) -> Step:
        prompt = sum(tokens(str(m["content"])) for m in body["messages"])
        if body.get("response_format"):
            content = judge_reply(body)
        else:
            content = "Thanks. Walk me through the decision you made there and what it cost."
        counted.append((prompt, tokens(content)))
        return Step(content=content, prompt_tokens=prompt, completion_tokens=counted[-1][1])

    server = ScriptedServer(responder=reply, latency=args.latency)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-llm-"))
    ensure_index(data_dir)
    with tempfile.TemporaryDirectory() as sessions:
        settings = Settings(data_dir=data_dir, interviewer_model="scripted", llm_base_url=server.base_url,
                            llm_api_key="sk-bench", llm_timeout=30, llm_max_retries=0)
        service = InterviewService(settings, store=SqliteSessionStore(Path(sessions) / "sessions.sqlite"))
        overhead, total, calls, prompt_tokens, completion_tokens = [], [], [], [], []
        view = service.start("netflix", seed=1)
        while len(total) < args.turns:
            if view.finished:
                view = service.start("spotify", seed=len(total))
            assert view.prompt is not None
            before = len(server.requests)
            text = scripted_answer(view.prompt, view.plan, "strong")
            start = time.perf_counter()
            view = service.answer(view.session_id, text)
            seconds = time.perf_counter() - start
            made = server.requests[before:]
            total.append(seconds * 1000)
            overhead.append((seconds - len(made) * args.latency) * 1000)
            calls.append(len(made))
            prompt_tokens.append(sum(p for p, _ in counted[before:]))
            completion_tokens.append(sum(c for _, c in counted[before:]))
        server.stop()
    model_ms = sum(calls) * args.latency * 1000
    print(json.dumps({
        "benchmark": "llm_overhead", "model_latency_s": args.latency, "turns": len(total),
        "model_calls_per_turn": round(sum(calls) / len(calls), 2), "ms_per_turn": spread(total),
        "overhead_ms_per_turn": spread(overhead),
        "overhead_share_of_model_time": round(sum(overhead) / model_ms, 4) if model_ms else None,
        "prompt_tokens_per_turn": round(sum(prompt_tokens) / len(prompt_tokens)),
        "completion_tokens_per_turn": round(sum(completion_tokens) / len(completion_tokens)),
        "target_overhead_share": 0.05, "errors": server.errors, **machine()}))


if __name__ == "__main__":
    main()
