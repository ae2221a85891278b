"""Benchmark: eval throughput. Offline answers per second; the LLM engine with concurrency 8 against serial.

The LLM runs score `--llm-answers` answers of the golden test part against the scripted
OpenAI-compatible server, which waits `--latency` seconds before every reply, with the prompt cache
off. Prints one JSON object.

    .venv/bin/python benchmarks/eval_throughput.py [--latency 0.2] [--llm-answers 48] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from _common import ROOT, ensure_index, machine


def main() -> None:
    """Run the three evals and print their throughput."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--llm-answers", type=int, default=48)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    from interviewer.evaluation.commands import evaluate
    from interviewer.settings import Settings
    from tests.openai_server import ScriptedServer
    from tests.test_llm_engine import responder

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-eval-"))
    ensure_index(data_dir)
    golden = ROOT / "evals" / "golden" / "test.jsonl"
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=data_dir)
        offline, _ = evaluate(settings, settings.rubric_path, [golden], out=Path(scratch) / "offline")
        offline_seconds, offline_answers = offline["config"]["seconds"], offline["n"]
        subset = Path(scratch) / "subset.jsonl"
        lines = [line for line in golden.read_text(encoding="utf-8").splitlines() if line.strip()]
        subset.write_text("\n".join(lines[: args.llm_answers]) + "\n", encoding="utf-8")
        server = ScriptedServer(responder=responder, latency=args.latency)
        seconds = {}
        for concurrency in (1, 8):
            llm = Settings(data_dir=data_dir, interviewer_model="scripted", llm_base_url=server.base_url,
                           llm_api_key="sk-bench", llm_max_concurrency=concurrency, llm_max_retries=0)
            run, _ = evaluate(llm, llm.rubric_path, [subset], engine_name="llm", cache=False,
                              out=Path(scratch) / f"llm-{concurrency}")
            seconds[concurrency] = run["config"]["seconds"]
        server.stop()
    print(json.dumps({
        "benchmark": "eval_throughput",
        "offline": {"answers": offline_answers, "seconds": offline_seconds,
                    "answers_per_second": round(offline_answers / offline_seconds, 1)},
        "llm": {"answers": args.llm_answers, "model_latency_s": args.latency, "serial_seconds": seconds[1],
                "concurrency_8_seconds": seconds[8], "speedup": round(seconds[1] / seconds[8], 2)},
        "target_speedup": 6, "errors": server.errors, **machine()}))


if __name__ == "__main__":
    main()
