"""The `interviewer eval`, `eval compare` and `calibrate` commands."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from interviewer import __version__
from interviewer.debrief import cost_summary
from interviewer.engine import InterviewEngine
from interviewer.errors import InterviewerError
from interviewer.golden import load_golden
from interviewer.offline.tuning import OfflineTuning
from interviewer.rubric import Rubric, load_rubric
from interviewer.rubric_store import RubricStore
from interviewer.settings import Settings


def _engine(settings: Settings, rubric: Rubric, name: str, *, cache: bool) -> tuple[InterviewEngine, Any]:
    """The engine to evaluate; the LLM one sits behind the disk cache unless told otherwise."""
    from interviewer.service import make_chat, make_engines

    chat = None
    if name == "llm":
        if not settings.llm_configured:
            raise InterviewerError("the llm engine needs a model: set INTERVIEWER_INTERVIEWER_MODEL "
                                   "(and INTERVIEWER_LLM_BASE_URL for a local server)")
        chat = make_chat(settings)
        if cache:
            from interviewer.llm.cache import CachedChatModel

            chat = CachedChatModel(chat, settings.data_dir / "eval-cache", namespace=f"rubric={rubric.version}")
    return make_engines(settings, rubric, chat=chat)[name], chat


def _models(settings: Settings, engine: str) -> dict[str, Any] | None:
    if engine != "llm":
        return None
    model = settings.interviewer_model or settings.judge_model
    return {"interviewer": model, "judge": settings.judge_model or model, "base_url": settings.llm_base_url,
            "temperature_judge": 0.0, "timeout": settings.llm_timeout, "max_retries": settings.llm_max_retries}


def _detectors_config(engine: Any) -> dict[str, Any]:
    """Which element detectors the offline scorer used (the LLM engine falls back to the packaged ones)."""
    from interviewer.evaluation.runner import file_hash
    from interviewer.offline.detectors import ARTEFACT, packaged_sentence_model

    sentences = engine.sentences if engine.name == "offline" else packaged_sentence_model()
    if sentences is None:
        return {"model": "cue patterns only", "version": "cue-patterns"}
    return {"model": "logistic regression per element over all-MiniLM-L6-v2 sentence vectors and cue patterns",
            "version": sentences.detectors.version,
            "artefact_sha256": file_hash(ARTEFACT) if sentences is packaged_sentence_model() else None}


def evaluate(settings: Settings, rubric_path: Path, files: Sequence[Path], *, engine_name: str = "offline",
             repeats: int = 1, seed: int = 0, cache: bool = True, draft: bool = False,
             progress: Callable[[int, int], None] | None = None,
             out: Path | None = None) -> tuple[dict[str, Any], Path]:
    """Score golden files with an engine and write the run (results, figures, reports) to `out`
    (default: a new folder under <data_dir>/evals). `progress(done, total)` is called as records
    finish. Returns the summary (every figure, as in run.json) and the run folder. The one path for
    `interviewer eval` and the web app's Evals tab; `draft` marks runs of an unpublished rubric."""
    from interviewer.bank import load_bank
    from interviewer.evaluation.report import write_run
    from interviewer.evaluation.runner import file_hash, git_commit, now_stamp, run_eval, summarise
    from interviewer.scoring import AnswerScorer
    from interviewer.service import open_index

    rubric = load_rubric(rubric_path)
    golden = load_golden(list(files))
    engine, chat = _engine(settings, rubric, engine_name, cache=cache)
    retriever = open_index(settings)
    started = now_stamp()
    config: dict[str, Any] = {
        "engine": engine_name, "models": _models(settings, engine_name),
        "rubric_version": rubric.version, "rubric_draft": draft, "rubric_hash": file_hash(rubric_path),
        "rubric_path": str(rubric_path), "offline_tuning": rubric.offline.fitted,
        "git_commit": git_commit(Path(__file__).resolve().parents[2]),
        "golden_files": [{"path": str(p), "sha256": file_hash(p)} for p in golden.files],
        "repeats": repeats, "seed": seed, "embedding_backend": settings.embedding_backend,
        "concurrency": settings.llm_max_concurrency if engine_name == "llm" else 1,
        "cache": engine_name == "llm" and cache, "package_version": __version__, "started": started,
        "detectors": _detectors_config(engine),
    }
    done = 0

    def step(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, len(golden))

    begin = time.monotonic()
    run = run_eval(golden, AnswerScorer(engine, rubric, retriever), load_bank(settings.questions_path),
                   config=config, repeats=repeats, concurrency=config["concurrency"], progress=step)
    config["seconds"] = round(time.monotonic() - begin, 2)
    usage = cost_summary(run.usage, (settings.price_input_per_1k, settings.price_output_per_1k))
    config["usage"] = {"model_calls": getattr(chat, "misses", usage["calls"]) if chat else 0,
                       "cache_hits": getattr(chat, "hits", 0), "prompt_tokens": usage["prompt_tokens"],
                       "completion_tokens": usage["completion_tokens"], "cost": usage["cost"]}
    summary = summarise(run, rubric, seed=seed)
    out = out or settings.data_dir / "evals" / f"{started}_{engine_name}{'_draft' if draft else ''}"
    write_run(out, run, summary)
    return summary, out


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Score golden files with an engine and report agreement with the raters."""
    from tqdm import tqdm

    engine_name = args.engine or "offline"
    files = [Path(f) for f in args.files]
    with tqdm(total=None, desc=f"eval {engine_name}", unit="record", file=sys.stderr, disable=None) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        # the newest published rubric, as new sessions use: what the gate measures is what candidates get
        rubric_path = Path(args.rubric) if args.rubric else RubricStore(settings).current_path()
        summary, out = evaluate(settings, rubric_path, files,
                                engine_name=engine_name, repeats=args.repeats, seed=args.seed,
                                cache=not args.no_cache, progress=progress,
                                out=Path(args.out) if args.out else None)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print((out / "report.md").read_text(encoding="utf-8").split("## Confusion")[0].rstrip())
    print(f"report: {out / 'report.md'} and {out / 'report.html'}; items: {out / 'results.jsonl'}",
          file=sys.stderr)
    return 1 if args.check and not summary["bar"]["passed"] else 0


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    """Show what changed between two eval runs."""
    del settings
    from interviewer.evaluation.compare import compare_runs, compare_text

    result = compare_runs(Path(args.run_a), Path(args.run_b))
    print(json.dumps(result, ensure_ascii=False) if args.json else compare_text(result))
    return 0


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Fit the offline scorer to labelled answers; write a new rubric version only with --write."""
    from tqdm import tqdm

    from interviewer.bank import load_bank
    from interviewer.evaluation.calibrate import analyse_all, build_datasets, calibrate, write_tuning
    from interviewer.evaluation.runner import file_hash, now_stamp
    from interviewer.offline.engine import OfflineEngine
    from interviewer.scoring import AnswerScorer
    from interviewer.service import open_index

    rubric_path = Path(args.rubric) if args.rubric else settings.rubric_path
    rubric = load_rubric(rubric_path)
    golden = load_golden([Path(f) for f in args.files])
    if not golden.answers:
        raise InterviewerError("calibration needs labelled answers; these files hold only pairs")
    retriever = open_index(settings)
    with tqdm(total=len(golden.answers), desc="analyse", unit="answer", file=sys.stderr, disable=None) as bar:
        engine = OfflineEngine(settings.prompts_dir)
        scorer = AnswerScorer(engine, rubric, retriever)
        held_out = (_held_out_models(engine, settings, {a.id for a in golden.answers})
                    if engine.sentences else None)
        analyses = analyse_all(golden.answers, scorer, load_bank(settings.questions_path), progress=bar.update,
                               held_out=held_out)
    files = ", ".join(f"{p.name} ({file_hash(p)})" for p in golden.files)
    fitted = f"interviewer calibrate {now_stamp()} on {files}: {len(golden.answers)} answers, {args.folds}-fold CV"
    result = calibrate(build_datasets(golden.answers, analyses), rubric.offline, folds=args.folds, fitted=fitted)
    tuning = result.pop("tuning")
    result["rubric_version"] = rubric.version
    tuning, result["refitted_dimensions"] = publishable(result, rubric.offline, tuning)
    if result["refitted_dimensions"]:  # the provenance line names what this run changed
        tuning = tuning.model_copy(update={"fitted": f"{fitted}; refitted {', '.join(result['refitted_dimensions'])}"})
    result["proposed_tuning"] = tuning.model_dump(mode="json")  # what --write publishes
    result["improves"] = bool(result["refitted_dimensions"])
    if args.write and result["improves"]:
        result["written_version"] = write_tuning(rubric_path, rubric, tuning)
        load_rubric(rubric_path)  # the file we wrote must load
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(calibration_text(result))
        if not args.write:
            print("\n(nothing written: add --write to publish the fitted numbers as a new rubric version)")
        elif not result["improves"]:
            print("\nnothing written: the refit does not improve the cross-validated figures")
        else:
            print(f"\nwrote rubric version {result['written_version']} to {rubric_path}: refitted "
                  f"{', '.join(result['refitted_dimensions'])}; every other dimension kept its numbers")
    return 0 if result["improves"] or not args.write else 1


def cross_validation_improves(result: dict[str, Any]) -> bool:
    """Whether refitting beats the current numbers out of sample: the mean, over dimensions, of
    calibrate's objective (QWK, within-1 and bias) on the cross-validated predictions."""
    from interviewer.evaluation.calibrate import score_figures

    dims = list(result["current"])
    now = sum(score_figures(result["current"][d]) for d in dims) / len(dims)
    cv = sum(score_figures(result["cross_validated"][d]) for d in dims) / len(dims)
    return cv > now + 1e-6


def publishable(result: dict[str, Any], current: OfflineTuning,
                fitted: OfflineTuning) -> tuple[OfflineTuning, list[str]]:
    """The tuning `--write` would publish and the dimensions it refits (none: nothing to publish).

    Only dimensions whose cross-validated objective beats their current numbers take the refit (an
    in-sample gain the folds do not confirm is noise); the rest keep their numbers. A refit that
    changes the anchor weight touches every dimension, so it is taken whole, and only when the
    mean objective over dimensions improves out of sample.
    """
    from interviewer.evaluation.calibrate import score_figures

    if fitted.anchor_weight != current.anchor_weight:
        return fitted, (sorted(result["current"]) if cross_validation_improves(result) else [])
    better = [d for d in result["current"]
              if score_figures(result["cross_validated"][d]) > score_figures(result["current"][d]) + 1e-6
              and fitted.dimensions[d] != current.dimensions[d]]
    dimensions = {d: (fitted.dimensions[d] if d in better else spec) for d, spec in current.dimensions.items()}
    return fitted.model_copy(update={"dimensions": dimensions}), better


def _held_out_models(engine: Any, settings: Settings, answer_ids: set[str]) -> dict[str, Any]:
    """Sentence models fitted without each labelled answer (cross-fitting for calibrate)."""
    from interviewer.bank import load_bank
    from interviewer.offline.detectors import SentenceModel
    from interviewer.offline.training import SENTENCES_DIR, crossfit

    key = (id(engine.sentences), engine.sentences.detectors.version, frozenset(answer_ids))
    if key not in _HELD_OUT:  # deterministic, so computed once per process and sentence model
        print("cross-fitting the element detectors so calibration never sees in-sample detections…",
              file=sys.stderr)
        # the engine's sentence model embeds (and caches) for the folds too: each sentence once
        folds = crossfit(SENTENCES_DIR, engine.sentences, load_bank(settings.questions_path),
                         engine.sentences.detectors, needed=answer_ids)
        models: dict[int, Any] = {}  # one sentence model per fold, shared by that fold's answers
        _HELD_OUT.clear()
        _HELD_OUT[key] = {answer: models.setdefault(id(d), SentenceModel(engine.sentences, d))
                          for answer, d in folds.items()}
    return _HELD_OUT[key]


_HELD_OUT: dict[tuple[int, str, frozenset[str]], dict[str, Any]] = {}  # the last cross-fit (a memo)


def calibration_text(result: dict[str, Any]) -> str:
    """Current, cross-validated and in-sample figures per dimension, for a terminal."""
    lines = [f"{result['answers']} answers at most per dimension, {result['folds']}-fold cross-validation; "
             f"current rubric {result['rubric_version']}", "",
             f"{'dimension':<18}{'':>4}{'QWK now':>10}{'QWK cv':>10}{'QWK fit':>10}{'w1 now':>9}{'w1 cv':>9}"
             f"{'SMD now':>9}{'SMD cv':>9}"]
    for dim, now in result["current"].items():
        cv, fit = result["cross_validated"][dim], result["fitted_in_sample"][dim]
        lines.append(f"{dim:<18}{now['n']:>4}{now['qwk']:>10.3f}{cv['qwk']:>10.3f}{fit['qwk']:>10.3f}"
                     f"{now['within1']:>9.3f}{cv['within1']:>9.3f}{now['smd']:>9.3f}{cv['smd']:>9.3f}")
    return "\n".join(lines)


def add_eval_parsers(sub: Any) -> None:
    """Register eval, eval-compare (spelled `eval compare`) and calibrate."""
    p = sub.add_parser("eval", help="score golden answers and report agreement with the raters "
                                    "(`interviewer eval compare RUN_A RUN_B` compares two runs)")
    p.add_argument("files", nargs="+", help="golden .jsonl files or folders of them")
    p.add_argument("--engine", choices=["offline", "llm"], default="offline")
    p.add_argument("--json", action="store_true", help="print every figure as one JSON object")
    p.add_argument("--out", help="folder for report.md, report.html, results.jsonl and run.json "
                                 "(default: data/evals/<time>_<engine>)")
    p.add_argument("--repeats", type=int, default=1, help="score each answer k times (flip rate)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--rubric", help="evaluate a rubric file other than the published one")
    p.add_argument("--no-cache", action="store_true", help="call the model even for cached prompts")
    p.add_argument("--check", action="store_true", help="exit 1 when the quality bar fails")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("eval-compare", help="compare two eval runs (also: `eval compare`)")
    p.add_argument("run_a")
    p.add_argument("run_b")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("calibrate", help="fit the offline scorer's weights and thresholds to labelled answers")
    p.add_argument("files", nargs="+", help="golden .jsonl files (the calibration part, never the test part)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--rubric", help="rubric file to start from and to write (default: the published one)")
    p.add_argument("--write", action="store_true", help="write the fitted numbers as a new rubric version")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_calibrate)
