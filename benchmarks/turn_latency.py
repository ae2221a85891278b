"""Benchmark: time per candidate turn on the offline engine (score + route + next question + checkpoint).

Drives full loops of every company through `InterviewService` (SQLite checkpointer, the real index)
with the test fixtures' strong and weak answers, and times each `answer` call, cold: the sentence-vector
cache is emptied before each, as for an answer never seen before. Prints one JSON object.

    .venv/bin/python benchmarks/turn_latency.py [--loops 4] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _common import ensure_index, machine, scripted_answer, spread


def main() -> None:
    """Run the loops and print the turn timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=4, help="full loops to run (companies in turn)")
    parser.add_argument("--data-dir", type=Path, help="a data directory with a built index (default: a new one)")
    args = parser.parse_args()
    from interviewer.index import KnowledgeIndex
    from interviewer.offline.detectors import packaged_sentence_model
    from interviewer.service import InterviewService
    from interviewer.settings import Settings

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-turns-"))
    ensure_index(data_dir)
    service = InterviewService(Settings(data_dir=data_dir, engine="offline"))
    companies = [c for c, _ in service.companies()]
    turns: list[float] = []
    sentences = packaged_sentence_model()
    for loop in range(args.loops):
        view = service.start(companies[loop % len(companies)], seed=loop)
        quality = "strong" if loop % 2 == 0 else "weak"
        while not view.finished:
            assert view.prompt is not None
            text = scripted_answer(view.prompt, view.plan, quality)
            if sentences is not None:
                sentences.clear_cache()  # the fixtures' answers repeat across loops; a candidate's are new
            if isinstance(service.retriever, KnowledgeIndex):
                service.retriever.clear_cache()
            start = time.perf_counter()
            view = service.answer(view.session_id, text)
            turns.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"benchmark": "turn_latency", "engine": "offline", "loops": args.loops, "turns": len(turns),
                      "ms_per_turn": spread(turns), "target_p95_ms": 50, **machine()}))


if __name__ == "__main__":
    main()
