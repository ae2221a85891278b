"""The `interviewer` command: build the index, run interviews in the terminal or from a file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from interviewer.errors import DataFileError, InterviewerError
from interviewer.settings import Settings


def read_answers(path: Path) -> list[str]:
    """Answers from a file: a JSON list of strings, or one answer per line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataFileError(path, None, f"cannot read answers: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path, None, "answers must be UTF-8 text") from exc
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None  # an answer that happens to start with "[": read the file as lines
        if data is not None:
            if not isinstance(data, list) or not all(isinstance(a, str) for a in data):
                raise DataFileError(path, 1, "a JSON answers file must be a list of strings")
            return data
    return [line.replace("\\n", "\n") for line in text.splitlines()]


def read_terminal_answer() -> str:
    """One answer from the terminal: a /command line, or lines up to an empty line."""
    first = input("\nYou> ")
    if first.strip().startswith("/"):
        return first
    lines = [first]
    while lines[-1].strip():
        lines.append(input("... "))
    return "\n".join(lines).strip()


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    """Build or refresh the index (in the data directory, or on the Chroma server in
    INTERVIEWER_CHROMA_URL) from the knowledge folder plus any given paths."""
    from interviewer.service import knowledge_index

    index = knowledge_index(settings)
    extra = [Path(p) for p in args.paths] if args.paths else None
    report = index.ensure(extra, force=args.force)
    for gone in report.missing_sources:
        print(f"warning: {gone} no longer exists and was left out of the index", file=sys.stderr)
    if args.json:
        print(json.dumps(report.__dict__))
    else:
        state = "built" if report.rebuilt else "up to date"
        print(f"index {state}: {report.documents} documents, {report.chunks} chunks, "
              f"{report.anchors} anchors from {report.files} files -> {index.location}")
    return 0


def cmd_loops(args: argparse.Namespace, settings: Settings) -> int:
    """Print every company's published loops: stages, lengths, interviewers, sources, defaults."""
    from interviewer.bank import load_loops

    loops = load_loops(settings.loops_path)
    if args.json:
        print(json.dumps(loops.model_dump(mode="json"), ensure_ascii=False))
        return 0
    for cid, loop in loops.companies.items():
        for vid, variant in loop.variants.items():
            default = " (default)" if vid == loop.default_variant else ""
            print(f"{cid} --variant {vid}{default}: {variant.name} [{variant.source}]")
            for stage in variant.stages:
                marks = f"; project defaults: {', '.join(stage.defaults)}" if stage.defaults else ""
                print(f"  {stage.id}: {stage.name}, {stage.minutes} min, {stage.interviewer}, "
                      f"{stage.questions} questions [{stage.source}{marks}]")
            if variant.committee:
                c = variant.committee
                signals = ", ".join(f"{sig.name} ({'+'.join(sig.dimensions)})" for sig in c.signals)
                print(f"  then {c.name} ({c.members}), not an interview: judgment = mean of {signals}"
                      + (f", minus up to {c.over_explaining_discount} for over-explaining"
                         if c.over_explaining_discount else "") + f" [{c.source}]")
            else:
                print("  no committee described: the judgment is a stage-weighted mean (project default weights)")
    return 0


def cmd_detectors(args: argparse.Namespace, settings: Settings) -> int:
    """Train the sentence-level element detectors, or report their held-out quality."""
    from interviewer.offline.detectors import ARTEFACT, load_detectors
    from interviewer.offline.training import report_lines

    if args.action == "train":
        from interviewer.bank import load_bank
        from interviewer.embeddings import shared_minilm
        from interviewer.offline.training import train_from_repository

        print("embedding the labelled sentences and fitting one classifier per element…", file=sys.stderr)
        detectors = train_from_repository(shared_minilm(settings.embedding_model_dir),
                                          load_bank(settings.questions_path),
                                          progress=lambda e: print(f"  {e}", file=sys.stderr))
        detectors.save(Path(args.out) if args.out else ARTEFACT)
        meta = detectors.meta
    else:
        meta = load_detectors(Path(args.out) if args.out else ARTEFACT).meta
    print(json.dumps(meta, ensure_ascii=False) if args.json else "\n".join(report_lines(meta)))
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """Print the passages a query retrieves."""
    from interviewer.service import open_index

    hits = open_index(settings).search(args.query, k=args.k, company=args.company,
                                       round_id=args.round, dimension=args.dimension)
    for hit in hits:
        print(f"{hit['similarity']:.3f}  {hit['id']}  {hit['title']} / {hit['section']}")
    return 0


def cmd_retrieval_check(args: argparse.Namespace, settings: Settings) -> int:
    """Report recall@k of the retrieval check set as JSON."""
    from interviewer.retrieval_eval import evaluate_retrieval
    from interviewer.service import open_index

    result = evaluate_retrieval(open_index(settings), Path(args.file), k=args.k)
    print(json.dumps(result if args.verbose else {k: v for k, v in result.items() if k != "misses"},
                     indent=2))
    return 0


def cmd_sessions(args: argparse.Namespace, settings: Settings) -> int:
    """List recent sessions."""
    from interviewer.sessions import open_store

    store = open_store(settings)
    try:
        for s in store.recent(args.limit):
            print(f"{s.id}  {s.company:8}  {s.stages}")
    finally:
        store.close()
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Run an interview interactively, or from an answers file with --answers."""
    from interviewer.render import debrief_markdown, markdown_to_text, score_markdown
    from interviewer.service import InterviewService

    answers = read_answers(Path(args.answers)) if args.answers else None
    service = InterviewService(settings)
    if args.resume:
        view = service.open(args.resume)
    else:
        if not args.company:
            raise InterviewerError("--company is required unless you --resume a session")
        stages = [s.strip().lower() for s in (args.rounds or "").split(",") if s.strip()]
        view = service.start(args.company.strip().lower(), stages, seed=args.seed,
                             engine=args.engine, variant=args.variant)
    names = service.dimension_names()
    shown = 0
    shown_texts: set[str] = set()  # interviewer lines already streamed to the terminal

    def show_new() -> None:
        nonlocal shown
        if args.json:
            return
        for turn in view.transcript[shown:]:
            who = "Interviewer" if turn["role"] == "interviewer" else "Note"
            if turn["role"] != "candidate" and turn["text"].strip() not in shown_texts:
                print(f"\n{who}: {markdown_to_text(turn['text'])}")
        shown = len(view.transcript)

    show_new()
    if not args.json:
        engine = service.store.get(view.session_id).engine
        print(f"\n(session {view.session_id}, engine {service.describe_engine(engine)}; "
              "finish each answer with an empty line; commands: /skip /repeat /end round "
              "/end interview)")
    feed = iter(answers) if answers is not None else None
    while not view.finished:
        if feed is not None:
            text = next(feed, None)
            if text is None:
                text = "/end interview"
        else:
            try:
                text = read_terminal_answer()
            except EOFError:
                print(f"\nPaused. Resume with: interviewer chat --resume {view.session_id}")
                return 0
        streamed = ""
        for event in service.answer_stream(view.session_id, text):
            if isinstance(event, dict):
                if not args.json:
                    print("\n" + markdown_to_text(score_markdown(event, names)))
            elif isinstance(event, str):
                if not streamed and not args.json:
                    print("\nInterviewer: ", end="", flush=True)
                streamed += event
                if not args.json:
                    print(event, end="", flush=True)
            else:
                view = event
        if streamed and not args.json:
            print()
            shown_texts.add(streamed.strip())
        show_new()
    if args.json:
        print(json.dumps(view.to_json(), ensure_ascii=False, indent=2))
    elif view.debrief:
        print("\n" + markdown_to_text(debrief_markdown(view.debrief, names)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="interviewer", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build the knowledge index, locally or on the Chroma server in "
                                      "INTERVIEWER_CHROMA_URL (only rebuilds when sources change)")
    p.add_argument("paths", nargs="*", help="extra folders or files of your own .md/.txt notes")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("chat", help="run a mock interview")
    p.add_argument("--company", help="netflix, spotify or generic")
    p.add_argument("--rounds", help="comma-separated stage or round ids (default: the whole loop)")
    p.add_argument("--variant", help="which published loop (netflix: five_rounds, the default, or "
                                     "four_interviews with the hiring committee); see `interviewer loops`")
    p.add_argument("--answers", help="file with one answer per line, or a JSON list of answers")
    p.add_argument("--json", action="store_true", help="print transcript, scores and debrief as JSON")
    p.add_argument("--seed", type=int, help="question selection seed (for repeatable runs)")
    p.add_argument("--resume", help="continue a session by id")
    p.add_argument("--engine", choices=["offline", "llm"],
                   help="default: llm when a model is configured, offline otherwise")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("loops", help="list each company's published loops, with sources and project defaults")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_loops)

    p = sub.add_parser("detectors", help="train the offline scorer's element detectors from evals/sentences/, "
                                         "or report their held-out precision and recall")
    p.add_argument("action", choices=["train", "report"])
    p.add_argument("--out", help="artefact path (default: interviewer/data/detectors.npz)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_detectors)

    p = sub.add_parser("search", help="show what the index retrieves for a query")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--company")
    p.add_argument("--round")
    p.add_argument("--dimension")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("retrieval-check", help="recall@k of a retrieval check set, as JSON")
    p.add_argument("file", nargs="?", default="evals/retrieval_checks.yaml")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--verbose", action="store_true", help="list the misses")
    p.set_defaults(func=cmd_retrieval_check)

    p = sub.add_parser("sessions", help="list recent sessions")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_sessions)

    from interviewer.evaluation.commands import add_eval_parsers

    add_eval_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: errors become one clear line on stderr and exit code 2."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["eval", "compare"]:
        argv = ["eval-compare", *argv[2:]]
    args = build_parser().parse_args(argv)
    if getattr(args, "repeats", 1) < 1:
        print("error: --repeats must be at least 1", file=sys.stderr)
        return 2
    try:
        settings = Settings(engine=args.engine) if getattr(args, "engine", None) else Settings()
        return int(args.func(args, settings))
    except (InterviewerError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
