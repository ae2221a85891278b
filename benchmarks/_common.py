"""Shared pieces of the benchmarks: percentiles, a data directory with a built index, scripted answers."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def spread(values: list[float], digits: int = 1) -> dict[str, float]:
    """p50, p95 and mean of a list of timings."""
    return {"p50": round(statistics.median(values), digits), "p95": round(percentile(values, 95), digits),
            "mean": round(statistics.fmean(values), digits)}


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux; machines of one kind can differ in it)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        return platform.processor()


def machine() -> dict[str, Any]:
    """The facts a timing depends on."""
    return {"cpus": os.cpu_count(), "machine": platform.machine(), "cpu": cpu_model(),
            "python": platform.python_version()}


def ensure_index(data_dir: Path) -> float:
    """Build the knowledge index in `data_dir` if it is not there; returns the seconds it took (0 if built)."""
    import time

    from interviewer.service import open_index
    from interviewer.settings import Settings

    if (data_dir / "index" / "manifest.json").is_file():
        return 0.0
    start = time.perf_counter()
    open_index(Settings(data_dir=data_dir))
    return time.perf_counter() - start


def scripted_answer(prompt: dict[str, Any], plan: list[dict[str, Any]], quality: str, tag: str = "") -> str:
    """The test fixtures' scripted answer for a prompt's round (strong or weak), with an optional tag."""
    import yaml

    from interviewer.bank import load_bank
    from interviewer.settings import Settings

    if not _SCRIPTED:
        _SCRIPTED["answers"] = yaml.safe_load((ROOT / "tests" / "fixtures" / "scripted_answers.yaml")
                                              .read_text(encoding="utf-8"))
        _SCRIPTED["bank"] = load_bank(Settings().questions_path)
    scripted, bank = _SCRIPTED["answers"], _SCRIPTED["bank"]
    round_id = next(p["round"] for p in plan if p["id"] == prompt["stage"])
    options = scripted[round_id]
    story = f"{quality}_story"
    experience = bank.get(prompt["question_id"]).kind == "experience"
    text = str(options[story] if story in options and experience else options[quality])
    return f"{text} {tag}".strip()


_SCRIPTED: dict[str, Any] = {}
