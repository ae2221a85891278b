"""Benchmark: cold start, index build and memory. Prints one JSON object.

- index build: a knowledge index built from scratch in a new data directory (seconds);
- cold start: `python app.py` started on a data directory with a built index, until the page
  answers HTTP 200 (seconds);
- peak RSS: the app process's high-water mark (VmHWM, MB) after one full interview loop driven
  through its own HTTP API, and after start alone.

    .venv/bin/python benchmarks/cold_start.py [--starts 3]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _common import ROOT, ensure_index, machine


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc status")


def start_app(data_dir: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start the app; return the process, its URL and the seconds until the page answered."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_")}
    env.update(INTERVIEWER_DATA_DIR=str(data_dir), INTERVIEWER_PORT=str(port), INTERVIEWER_ENGINE="offline",
               ANONYMIZED_TELEMETRY="False", GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    url = f"http://127.0.0.1:{port}/"
    begin = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.perf_counter() - begin < 120:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return process, url, time.perf_counter() - begin
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the app did not answer within 120 s")


def full_loop(url: str, turns: int = 40) -> int:
    """Drive one full interview through the app's HTTP API (the turns it takes, then a few after it
    has ended, then "/end interview"); returns the answers sent."""
    import yaml
    from gradio_client import Client

    scripted = yaml.safe_load((ROOT / "tests" / "fixtures" / "scripted_answers.yaml").read_text(encoding="utf-8"))
    answers = [str(v["strong"]) for v in scripted.values() if isinstance(v, dict) and "strong" in v]
    client = Client(url, verbose=False)
    saved = client.predict(c="netflix", e="offline", sv=None, api_name="/start_interview")[0]  # every round

    def debriefed(result: Any) -> bool:
        chat = result[1] if isinstance(result[1], list) else []
        return "debrief" in " ".join(str(part.get("text")) for m in chat for part in m["content"]).lower()

    for turn in range(turns):
        if debriefed(client.predict(answers[turn % len(answers)], saved, api_name="/answer")):
            return turn + 1
    if not debriefed(client.predict(saved, api_name="/command_end_interview")):
        raise RuntimeError("the loop did not reach its debrief")
    return turns


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="cold starts to time (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        build_seconds = ensure_index(data_dir)
        starts, rss_start = [], []
        for _ in range(args.starts):
            process, url, seconds = start_app(data_dir)
            try:
                starts.append(seconds)
                rss_start.append(peak_rss_mb(process.pid))
                if len(starts) == args.starts:
                    loop_turns = full_loop(url)
                    rss_loop = peak_rss_mb(process.pid)
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
        print(json.dumps({"benchmark": "cold_start", "index_build_s": round(build_seconds, 1),
                          "cold_start_s": round(statistics.median(starts), 2), "cold_start_runs_s": [
                              round(x, 2) for x in starts],
                          "peak_rss_after_start_mb": max(rss_start), "peak_rss_after_full_loop_mb": rss_loop,
                          "full_loop_turns": loop_turns,
                          "targets": {"cold_start_s": 5, "peak_rss_mb": 500}, **machine()}))


if __name__ == "__main__":
    main()
