"""Benchmark: how long the offline engine takes to score one answer, and where the time goes.

Prints one JSON object. Times are wall-clock milliseconds per answer over the golden test part's
answers (each scored `--repeats` times after one warm-up pass, cold: the sentence-vector cache is
cleared before each). Beside the total: the MiniLM sentence pass the element detectors read,
timed alone, and what scoring adds beyond it (cue patterns, detectors, level mapping, evidence;
the cue patterns run while MiniLM does, so this is only the part that does not overlap). Anchor
retrieval is not included: it is part of a turn, not of scoring.

    .venv/bin/python benchmarks/score_answer.py [--repeats 3] [--limit 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from _common import ROOT, machine, percentile

from interviewer.bank import infer_question_kind
from interviewer.golden import LabelledAnswer, load_golden
from interviewer.offline.detectors import packaged_sentence_model
from interviewer.offline.scorer import score_answer
from interviewer.offline.text import split_sentences
from interviewer.rubric import load_rubric


def main() -> None:
    """Score the test part's answers and print the timings as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=60, help="answers to time (0: all)")
    args = parser.parse_args()
    golden = load_golden([ROOT / "evals" / "golden" / "test.jsonl"])
    answers = golden.answers[: args.limit or None]
    rubric = load_rubric(ROOT / "interviewer" / "data" / "rubric.yaml")
    model = packaged_sentence_model()
    if model is None:
        raise SystemExit("the detector artefact is missing: run `interviewer detectors train`")

    def score(item: LabelledAnswer) -> None:
        score_answer(item.answer, list(item.scores), experience=infer_question_kind(item.question) == "experience",
                     tuning=rubric.offline, sentences=model)

    for item in answers:  # warm-up: loads the model and the artefact
        score(item)
    total, embed = [], []
    for _ in range(args.repeats):
        for item in answers:
            texts = [s.text for s in split_sentences(item.answer)]
            start = time.perf_counter()
            model.embedder.embed(texts)
            embed.append((time.perf_counter() - start) * 1000)
            model.clear_cache()  # cold: every sentence is embedded, as for a new answer
            start = time.perf_counter()
            score(item)
            total.append((time.perf_counter() - start) * 1000)
    rest = [t - e for t, e in zip(total, embed, strict=True)]
    print(json.dumps({
        "benchmark": "score_answer", "engine": "offline", "detectors": model.detectors.version,
        "answers": len(answers), "repeats": args.repeats, **machine(),
        "ms_per_answer": {"p50": round(statistics.median(total), 1), "p95": round(percentile(total, 95), 1),
                          "mean": round(statistics.fmean(total), 1)},
        "minilm_sentence_pass_ms": {"p50": round(statistics.median(embed), 1), "p95": round(percentile(embed, 95), 1)},
        "everything_else_ms": {"p50": round(statistics.median(rest), 1), "p95": round(percentile(rest, 95), 1)},
        "target_ms": 50,
    }, indent=1))


if __name__ == "__main__":
    main()
