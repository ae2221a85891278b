"""The human report of an eval run: report.md and a self-contained report.html with SVG plots."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from interviewer.evaluation.runner import EvalRun

METRIC_COLUMNS = ("n", "qwk", "qwk_ci", "exact", "within1", "mae", "smd", "spearman", "mean_human", "mean_scorer")


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _metric_rows(summary: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = list(summary["dimensions"].items())
    if summary.get("overall"):
        rows.append(("overall (hire signal)", summary["overall"]))
    return rows


def disagreements(run: EvalRun, limit: int = 15) -> list[dict[str, Any]]:
    """The labelled answers where engine and rater differ most, largest gap first."""
    rows = []
    for item in run.items:
        data = item.to_json()
        if data["kind"] != "answer":
            continue
        for dim, label in data["labels"].items():
            if dim not in data["scores"]:  # labelled, but the round and question kind do not score it
                continue
            gap = data["scores"][dim] - label
            if abs(gap) >= 2:
                rows.append({"id": data["id"], "source": data["source"], "dimension": dim, "label": label,
                             "score": data["scores"][dim], "evidence": data["evidence"].get(dim, []),
                             "rationale": data["rationale"].get(dim, ""), "gap": gap})
    rows.sort(key=lambda r: (-abs(r["gap"]), r["id"], r["dimension"]))
    return rows[:limit]


def render_markdown(run: EvalRun, summary: dict[str, Any]) -> str:
    """The report as Markdown."""
    cfg = summary["config"]
    bar = summary["bar"]
    out = [f"# Eval report: {cfg['engine']} engine, rubric {cfg['rubric_version']}", "",
           f"- golden files: {', '.join(f['path'] for f in cfg['golden_files'])}",
           f"- records: {summary['answers']} labelled answers, {summary['pairs']['n']} pairs",
           f"- git commit: {cfg.get('git_commit') or 'unknown'}; rubric hash {cfg['rubric_hash']}",
           f"- models: {cfg.get('models') or 'none (offline)'}; repeats: {cfg['repeats']}",
           f"- started {cfg['started']}, took {cfg.get('seconds', 0):.1f} s", "",
           f"## Quality bar: {'PASSED' if bar['passed'] else 'FAILED'}", ""]
    out += [f"- {f}" for f in bar["failures"]] or ["- every figure is within the bar"]
    out += ["", "## Agreement with the raters", "",
            "| dimension | " + " | ".join(METRIC_COLUMNS) + " |",
            "|---|" + "---|" * len(METRIC_COLUMNS)]
    for name, m in _metric_rows(summary):
        out.append(f"| {name} | " + " | ".join(_fmt(m[c]) for c in METRIC_COLUMNS) + " |")
    pairs = summary["pairs"]
    out += ["", "## Pairs, gaming and injections", "",
            f"- pairwise accuracy: {_fmt(pairs['accuracy'])} over {pairs['n']} pairs"
            + (f" (wrong: {', '.join(pairs['wrong'])})" if pairs["wrong"] else ""),
            f"- gaming answers (salad/fluff): {summary['gaming']['n']}, highest score "
            f"{_fmt(summary['gaming']['max_score'])}, above 2: {', '.join(summary['gaming']['over_2']) or 'none'}",
            f"- injected twins: {summary['injection']['n']}, raised a score: "
            f"{', '.join(summary['injection']['raised']) or 'none'}"]
    if summary.get("stability"):
        st = summary["stability"]
        out.append(f"- run-to-run flip rate over {st['repeats']} repeats: {_fmt(st['flip_rate'])} "
                   f"({st['cells']} scores)")
    if cfg.get("usage"):
        u = cfg["usage"]
        out.append(f"- model calls made: {u['model_calls']}, answered from cache: {u['cache_hits']}, "
                   f"tokens in/out: {u['prompt_tokens']}/{u['completion_tokens']}, cost {u['cost']}")
    out.append(f"- judge fallbacks to the offline scorer: {summary['judge_fallbacks']}")
    out += ["", "## Confusion matrices (rows: rater 1-4, columns: engine 1-4)", ""]
    for name, m in _metric_rows(summary):
        out += [f"**{name}**", "", "| rater \\ engine | 1 | 2 | 3 | 4 |", "|---|---|---|---|---|"]
        out += [f"| {i + 1} | " + " | ".join(str(c) for c in row) + " |" for i, row in enumerate(m["confusion"])]
        out.append("")
    out += ["## Largest disagreements", ""]
    for row in disagreements(run):
        quote = " / ".join(row["evidence"][:2]) or "(no evidence quoted)"
        out.append(f"- `{row['id']}` {row['dimension']}: rater {row['label']}, engine {row['score']} "
                   f"({row['source']}). {row['rationale']}. Evidence: {quote}")
    return "\n".join(out) + "\n"


def _heatmap(title: str, matrix: list[list[int]]) -> str:
    cell, pad = 34, 40
    top = max((max(r) for r in matrix), default=0) or 1
    parts = [f'<svg width="{pad + 4 * cell + 10}" height="{pad + 4 * cell + 24}" role="img" '
             f'aria-label="confusion matrix {escape(title)}">',
             f'<text x="{pad}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    for i, row in enumerate(matrix):
        parts.append(f'<text x="{pad - 14}" y="{pad + i * cell + 22}" font-size="11">{i + 1}</text>')
        for j, count in enumerate(row):
            shade = int(255 - 200 * count / top)
            colour = f"rgb({shade},{shade},255)" if i == j else f"rgb(255,{shade},{shade})"
            parts.append(f'<rect x="{pad + j * cell}" y="{pad + i * cell}" width="{cell - 2}" '
                         f'height="{cell - 2}" fill="{colour}"><title>rater {i + 1}, engine {j + 1}: '
                         f'{count}</title></rect>')
            parts.append(f'<text x="{pad + j * cell + 10}" y="{pad + i * cell + 21}" font-size="11">{count}</text>')
    for j in range(4):
        parts.append(f'<text x="{pad + j * cell + 12}" y="{pad - 6}" font-size="11">{j + 1}</text>')
    parts.append(f'<text x="{pad}" y="{pad + 4 * cell + 16}" font-size="10">rows: rater, columns: engine</text>')
    return "".join(parts) + "</svg>"


def _bars(summary: dict[str, Any]) -> str:
    rows = _metric_rows(summary)
    metrics = (("qwk", "#3559a8"), ("exact", "#6aa84f"), ("within1", "#e69138"))
    width, label_w, row_h = 520, 170, 16
    height = len(rows) * (row_h * 3 + 10) + 40
    scale = width - label_w - 50
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="agreement per dimension">']
    for k, (metric, colour) in enumerate(metrics):
        parts.append(f'<rect x="{label_w + k * 110}" y="4" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{label_w + k * 110 + 14}" y="13" font-size="11">{metric}</text>')
    y = 24
    for name, m in rows:
        parts.append(f'<text x="0" y="{y + row_h + 8}" font-size="11">{escape(name)}</text>')
        for metric, colour in metrics:
            value = m[metric] if isinstance(m[metric], (int, float)) else 0
            parts.append(f'<rect x="{label_w}" y="{y}" width="{max(0, value) * scale:.1f}" height="{row_h - 3}" '
                         f'fill="{colour}"><title>{escape(name)} {metric}: {_fmt(m[metric])}</title></rect>'
                         f'<text x="{label_w + max(0, value) * scale + 4:.1f}" y="{y + 11}" font-size="10">'
                         f'{_fmt(m[metric])}</text>')
            y += row_h
        y += 10
    for value, label in ((0.70, "QWK bar"), (0.95, "within-1 bar")):
        x = label_w + value * scale
        parts.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 4}" stroke="#999" '
                     f'stroke-dasharray="3,3"><title>{label} {value}</title></line>')
    return "".join(parts) + "</svg>"


def render_html(run: EvalRun, summary: dict[str, Any]) -> str:
    """The report as one HTML page with inline plots (no scripts, no external files)."""
    body = render_markdown(run, summary)
    heatmaps = "".join(f'<div class="plot">{_heatmap(name, m["confusion"])}</div>'
                       for name, m in _metric_rows(summary))
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Eval report: {escape(summary['engine'])}, rubric {escape(str(summary['rubric_version']))}"
            "</title><style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
            "padding:0 1em}pre{white-space:pre-wrap;background:#f6f6f6;padding:1em}.plot{display:inline-block;"
            "margin:0 1em 1em 0}</style></head><body>"
            f"<h1>Eval report: {escape(summary['engine'])} engine</h1>"
            f"<h2>Agreement per dimension</h2>{_bars(summary)}"
            f"<h2>Confusion matrices</h2>{heatmaps}"
            f"<h2>Full report</h2><pre>{escape(body)}</pre></body></html>")


def write_run(out: Path, run: EvalRun, summary: dict[str, Any]) -> None:
    """results.jsonl, run.json (configuration and figures), report.md and report.html."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as handle:
        for item in run.items:
            handle.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
    (out / "run.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(run, summary), encoding="utf-8")
    (out / "report.html").write_text(render_html(run, summary), encoding="utf-8")
