"""Run every benchmark, print each JSON object, and write the table in benchmarks/README.md.

    .venv/bin/python benchmarks/run_all.py [--quick]

The scripts share one data directory (its index build is the "index build" figure). Each runs in
its own process, one after the other, so a figure is not disturbed by another's threads.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
START, END = "<!-- results:start -->", "<!-- results:end -->"


def run(script: str, *args: str) -> dict[str, Any]:
    """Run one benchmark script and return the JSON object it printed."""
    done = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{script} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    out = done.stdout
    result: dict[str, Any] = json.loads(out[out.index("{"):])  # the one JSON object, on one line or several
    print(json.dumps(result), flush=True)
    return result


def table(results: dict[str, dict[str, Any]]) -> str:
    """The README table: one row per figure, with its target and whether it is met."""
    turns, llm, evals, cold, score = (results[k] for k in ("turn_latency", "llm_overhead", "eval_throughput",
                                                            "cold_start", "score_answer"))
    rows = [
        ("offline turn (score + route + next question), p50 / p95",
         f"{turns['ms_per_turn']['p50']} / {turns['ms_per_turn']['p95']} ms ({turns['turns']} turns)", "p95 < 50 ms",
         turns["ms_per_turn"]["p95"] < 50),
        ("offline scoring of one answer, p50 / p95",
         f"{score['ms_per_answer']['p50']} / {score['ms_per_answer']['p95']} ms "
         f"(MiniLM {score['minilm_sentence_pass_ms']['p50']} ms p50)", "< 50 ms", score["ms_per_answer"]["p50"] < 50),
        (f"LLM-engine overhead per turn ({llm['model_latency_s']} s model latency)",
         f"{llm['overhead_ms_per_turn']['p50']} ms p50, {llm['overhead_share_of_model_time']:.1%} of model time",
         "< 5%", llm["overhead_share_of_model_time"] < 0.05),
        ("LLM tokens per turn (prompt / completion)",
         f"{llm['prompt_tokens_per_turn']} / {llm['completion_tokens_per_turn']}", "", None),
        ("offline eval throughput", f"{evals['offline']['answers_per_second']} answers/s", "", None),
        (f"LLM eval, concurrency 8 vs serial ({evals['llm']['model_latency_s']} s latency)",
         f"{evals['llm']['speedup']}x ({evals['llm']['serial_seconds']} s vs "
         f"{evals['llm']['concurrency_8_seconds']} s)",
         ">= 6x", evals["llm"]["speedup"] >= 6),
        ("cold start with a built index (median)", f"{cold['cold_start_s']} s", "< 5 s", cold["cold_start_s"] < 5),
        ("index build from scratch", f"{cold['index_build_s']} s", "", None),
        ("peak RSS after start / after a full loop",
         f"{cold['peak_rss_after_start_mb']} / {cold['peak_rss_after_full_loop_mb']} MB", "< 500 MB",
         cold["peak_rss_after_full_loop_mb"] < 500),
    ]
    lines = ["| figure | measured | target | met |", "|---|---|---|---|"]
    for name, value, target, met in rows:
        lines.append(f"| {name} | {value} | {target} | {'' if met is None else ('yes' if met else '**no**')} |")
    cpu = turns.get("cpu") or "model unknown"
    machine = f"{turns['cpus']} CPUs ({cpu}), {turns['machine']}, Python {turns['python']}"
    stamp = datetime.date.today().isoformat()
    return "\n".join([f"Measured {stamp} on {machine} with `.venv/bin/python benchmarks/run_all.py`.", "",
                      *lines])


def main() -> None:
    """Run the benchmarks, then rewrite the README's results section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run; the README is not written)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = str(Path(scratch) / "data")
        results = {
            "cold_start": run("cold_start.py", "--starts", "1" if args.quick else "3"),
            "score_answer": run("score_answer.py", "--repeats", "1" if args.quick else "3"),
        }
        results["turn_latency"] = run("turn_latency.py", "--data-dir", data, "--loops", "1" if args.quick else "4")
        results["llm_overhead"] = run("llm_overhead.py", "--data-dir", data, "--turns", "4" if args.quick else "16")
        results["eval_throughput"] = run("eval_throughput.py", "--data-dir", data,
                                         "--llm-answers", "16" if args.quick else "48")
    if args.quick:
        return
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    readme.write_text(f"{head}{START}\n{table(results)}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
