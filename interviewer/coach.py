"""What coaches do in the web app, as plain functions: edit and publish the rubric, run an eval of
a draft on a golden file and compare it with the published rubric's last run on that file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from interviewer.errors import DataFileError, InterviewerError
from interviewer.rubric_store import RubricStore
from interviewer.settings import SOURCE_ROOT, Settings

METRIC_COLUMNS = ["dimension", "n", "QWK", "within-1", "SMD", "MAE", "bar"]


@dataclass(frozen=True)
class DraftCheck:
    """The outcome of validating a draft: the problem (with its line) or the diff to publish."""

    ok: bool
    message: str  # Markdown: the error, or what publishing would change
    diff: str


def check_draft(store: RubricStore, draft: str) -> DraftCheck:
    """Validate a draft rubric and show its diff against the published one (a draft started from an
    older published version is refused: publishing it would undo what was published since)."""
    try:
        rubric = store.check(draft)
    except DataFileError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        return DraftCheck(False, f"**Not valid, nothing published.** {where}{exc.problem}", "")
    current = store.current().version
    if rubric.version != current and rubric.version in store.published_versions():
        return DraftCheck(False, f"**Out of date, nothing published.** The draft starts from version "
                          f"{rubric.version}, but {current} has been published since: press \"Back to the "
                          "published version\" and make the edit again.", "")
    diff = store.diff(draft)
    if not diff:
        return DraftCheck(True, f"Valid. Identical to the published rubric ({rubric.version}).", "")
    changed = sum(1 for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    return DraftCheck(True, f"Valid: {changed} changed line(s) against {store.current().version}.", diff)


def publish_draft(store: RubricStore, draft: str) -> tuple[str, str]:
    """Publish a valid draft; returns (message, the published text as the new draft)."""
    check = check_draft(store, draft)
    if not check.ok:
        return check.message, draft
    if not check.diff:
        return "Nothing to publish: the draft is the published rubric.", draft
    rubric = store.publish(draft)
    return (f"Published rubric **{rubric.version}**. New sessions and evals use it; earlier sessions and "
            "runs keep the version they recorded.", store.current_text())


def golden_files(settings: Settings) -> dict[str, Path]:
    """Golden JSONL files a coach can evaluate, by the label the page shows ("repository: test.jsonl",
    "data: from-sessions.jsonl"): the page never sees a server path, and a file outside these
    folders cannot be named."""
    found = {f"repository: {p.name}": p for p in sorted((SOURCE_ROOT / "evals" / "golden").glob("*.jsonl"))}
    found |= {f"data: {p.name}": p for p in sorted((settings.data_dir / "golden").glob("*.jsonl"))}
    return found


def golden_file(settings: Settings, label: str) -> Path:
    """The golden file behind a label of golden_files; InterviewerError for any other label."""
    path = golden_files(settings).get(label)
    if path is None:
        raise InterviewerError(f"unknown golden file {label!r}")
    return path


def metrics_table(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per dimension (and the overall signal): n, QWK, within-1, SMD, MAE, bar status (a
    dimension below the bar says which figure, unrounded: within-1 0.9497 shows as 0.95)."""
    failures = summary["bar"]["failures"]
    core = set(summary.get("core", []))
    rows = []
    for dim, m in [*summary["dimensions"].items(), ("overall", summary["overall"])]:
        short = [f.split(": ", 1)[1] for f in failures if f.startswith(f"{dim}:")]
        status = (f"below: {'; '.join(short)}" if short else "meets") if dim in core else ""
        rows.append((dim, m.get("n"), _round(m.get("qwk")), _round(m.get("within1")), _round(m.get("smd")),
                     _round(m.get("mae")), status))
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def _round(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


def qwk_chart(summary: dict[str, Any]) -> pd.DataFrame:
    """QWK per dimension as rows (dimension, QWK) for a bar plot."""
    rows = [(d, float(m["qwk"])) for d, m in summary["dimensions"].items() if m.get("qwk") is not None]
    return pd.DataFrame(rows, columns=["dimension", "QWK"])


CONFUSION_COLUMNS = ["dimension", "rater", "engine 1", "engine 2", "engine 3", "engine 4"]


def confusion_table(summary: dict[str, Any]) -> Any:
    """Each dimension's confusion matrix (rows: the raters' level, columns: the engine's) as a heatmap
    table: a pandas Styler whose cells are shaded by their share of the row, agreement outlined."""
    rows = []
    for dim, m in summary["dimensions"].items():
        for level, counts in enumerate(m.get("confusion") or [], start=1):
            rows.append((dim, level, *counts))
    frame = pd.DataFrame(rows, columns=CONFUSION_COLUMNS)
    counts = frame[CONFUSION_COLUMNS[2:]]
    share = counts.div(counts.sum(axis=1).where(lambda total: total > 0, 1), axis=0)

    def shade(column: pd.Series) -> list[str]:
        level = int(str(column.name).split()[-1])
        return [f"background-color: rgba(37, 99, 235, {0.08 + 0.8 * share.at[i, column.name]:.2f});"
                + (" font-weight: bold; outline: 2px solid #1e3a8a;" if frame.at[i, "rater"] == level else "")
                for i in column.index]

    return frame.style.apply(shade, subset=CONFUSION_COLUMNS[2:]).hide(axis="index")


def last_published_run(settings: Settings, version: str, golden_hash: str) -> Path | None:
    """The newest eval run of a published rubric version on the same golden file, if any."""
    runs = sorted((settings.data_dir / "evals").glob("*/run.json"), reverse=True)
    for path in runs:
        config = json.loads(path.read_text(encoding="utf-8")).get("config", {})
        files = [f.get("sha256") for f in config.get("golden_files", [])]
        if config.get("rubric_version") == version and not config.get("rubric_draft") and files == [golden_hash]:
            return path.parent
    return None


def run_draft_eval(settings: Settings, store: RubricStore, draft: str, golden: str,
                   progress: Callable[[int, int], None] | None = None
                   ) -> tuple[str, pd.DataFrame, pd.DataFrame, Any, str]:
    """Evaluate the draft rubric (offline engine) on one golden file (`golden`: its label in
    golden_files).

    Returns (headline Markdown, metrics table, QWK chart rows, confusion heatmap table, item-by-item
    comparison with the published rubric's last run on that file). Raises InterviewerError for an
    invalid draft or file.
    """
    from interviewer.evaluation.commands import evaluate
    from interviewer.evaluation.compare import compare_runs, compare_text
    from interviewer.evaluation.runner import file_hash

    check = check_draft(store, draft)
    if not check.ok:
        raise InterviewerError(check.message)
    path = golden_file(settings, golden)
    published = store.current().version
    draft_is_published = not check.diff
    if draft_is_published:
        rubric_path = store.current_path()
    else:
        drafts = settings.data_dir / "rubric-drafts"
        drafts.mkdir(parents=True, exist_ok=True)
        rubric_path = drafts / f"draft-{hashlib.sha256(draft.encode()).hexdigest()[:12]}.yaml"
        rubric_path.write_text(draft, encoding="utf-8")
    summary, out = evaluate(settings, rubric_path, [path], draft=not draft_is_published, progress=progress)
    bar = summary["bar"]
    headline = (f"**{'Published rubric' if draft_is_published else 'Draft'}** on `{path.name}`: "
                f"{summary['n']} records, quality bar {'met' if bar['passed'] else 'not met'}. Report: `{out}`.")
    previous = last_published_run(settings, published, file_hash(path))
    if draft_is_published or previous is None or previous == out:
        comparison = ("No earlier run of the published rubric on this file to compare with: evaluate the "
                      "unchanged draft once to make one." if not draft_is_published else
                      "This run is the published rubric's: edit the draft and evaluate it to compare.")
    else:
        comparison = compare_text(compare_runs(previous, out))
    return headline, metrics_table(summary), qwk_chart(summary), confusion_table(summary), comparison


GOLDEN_COLUMNS = ["id", "round", "question", "labels", "overall", "notes"]
LABEL_COLUMNS = ["dimension", "engine score", "your label (1-4)"]


def golden_table(path: str, text: str = "", dimension: str | None = None) -> pd.DataFrame:
    """A golden file's labelled answers (pairs left out), filtered by words in the question, answer
    or notes and by a dimension they are labelled on. Raises DataFileError naming a bad line."""
    from interviewer.golden import load_golden

    words = text.lower().split()
    rows = []
    for item in load_golden([Path(path)]).answers:
        haystack = f"{item.question} {item.answer} {item.notes or ''}".lower()
        if words and not all(w in haystack for w in words):
            continue
        if dimension and dimension not in item.scores:
            continue
        labels = ", ".join(f"{d} {s}" for d, s in item.scores.items())
        rows.append((item.id, item.round, item.question, labels, item.overall, item.notes or ""))
    return pd.DataFrame(rows, columns=GOLDEN_COLUMNS)


def session_answers(service: Any, session_id: str | None) -> list[tuple[str, int]]:
    """The scored answers of a session as (label, index) choices, newest first."""
    if not session_id:
        return []
    scores = service.view(session_id).scores
    numbered = reversed(list(enumerate(scores)))
    return [(f"{i + 1}. {s.get('question') or s['question_id']}"[:140], i) for i, s in numbered]


def label_rows(service: Any, session_id: str | None, index: int | None) -> pd.DataFrame:
    """One row per dimension the answer was scored on: the engine's score, and the label to give
    (prefilled with the engine's score for the coach to correct)."""
    if not session_id or index is None:
        return pd.DataFrame([], columns=LABEL_COLUMNS)
    score = service.view(session_id).scores[int(index)]
    return pd.DataFrame([(d["dimension"], d["score"], d["score"]) for d in score["dimensions"]], columns=LABEL_COLUMNS)


def add_golden_record(service: Any, session_id: str | None, index: int | None, labels: pd.DataFrame,
                      overall: int, rater: str, notes: str) -> str:
    """Append the session's answer with the coach's labels to <data_dir>/golden/from-sessions.jsonl
    (the golden contract's format, validated first); returns what was written or the problem."""
    from pydantic import ValidationError

    from interviewer.golden import LabelledAnswer, validation_problem

    if not session_id or index is None:
        return "**Not added:** pick a session and one of its answers first."
    view = service.view(session_id)
    score = view.scores[int(index)]
    try:
        scores = {str(r["dimension"]): int(r["your label (1-4)"]) for _, r in labels.iterrows()}
        record = LabelledAnswer(
            id=f"session-{session_id[:8]}-{int(index) + 1}", company=view.company, round=score["round"],
            question=score.get("question") or score["question_id"], answer=score["answer"], scores=scores,
            overall=int(overall),
            rater=rater.strip(), notes=notes.strip() or None)
    except ValidationError as exc:
        return f"**Not added:** {validation_problem(exc)}"
    except ValueError:
        return "**Not added:** every label must be a whole number from 1 to 4."
    path = service.settings.data_dir / "golden" / "from-sessions.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    if any(json.loads(line).get("id") == record.id for line in lines if line.strip()):
        return f"**Not added:** {record.id} is already in {path.name}."
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record.model_dump(exclude_none=True), ensure_ascii=False) + "\n")
    return f"Added **{record.id}** to `{path.name}` ({', '.join(f'{d} {s}' for d, s in scores.items())})."
