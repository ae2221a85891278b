"""Plain-text and Markdown renderings of scores and the debrief, shared by the CLI and web app."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from interviewer.state import AnswerScore, Debrief

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")
# A web address with whatever follows it up to a space, as Markdown renderers link it by themselves:
# a backslash escape in it would show (the link text is taken as written) and end up in the link, so
# only the characters that could still become markup there are escaped in it.
_WEB_ADDRESS = re.compile(r"(?<![\w/])(?:https?://|www\.)\S+")
_MARKUP_IN_ADDRESS = re.compile(r"([\\`*\[\]<>|])")


def md_escape(text: object) -> str:
    """Candidate text made literal inside Markdown, on one line: every character Markdown or HTML
    would act on is backslash-escaped, so `2*3*4`, `<img …>` and `# title` show exactly as typed;
    web addresses are left as typed, so they show and link as typed."""
    return _escape_around_addresses(" ".join(str(text).split("\n")))


def md_verbatim(text: str) -> str:
    """Candidate text for a Markdown chat bubble, shown exactly as typed with its line breaks: HTML
    characters become entities and every Markdown character is escaped, except inside web
    addresses (which the chat links as typed). A line's leading spaces and tabs, and blank lines,
    become character references, which Markdown keeps where it would drop whitespace."""
    lines = []
    for line in text.split("\n"):
        body = line.lstrip(" \t")
        indent = "".join("&#9;" if char == "\t" else "&#32;" for char in line[: len(line) - len(body)])
        lines.append((indent + md_escape(html.escape(body, quote=False))) or "&#32;")
    return "\n".join(lines)


def _escape_around_addresses(line: str) -> str:
    out, at = [], 0
    for address in _WEB_ADDRESS.finditer(line):
        out += [_MARKDOWN_SPECIAL.sub(r"\\\1", line[at:address.start()]),
                _MARKUP_IN_ADDRESS.sub(r"\\\1", address.group())]
        at = address.end()
    return "".join([*out, _MARKDOWN_SPECIAL.sub(r"\\\1", line[at:])])


def md_blockquote(text: str) -> str:
    """Candidate text as a Markdown block quote that keeps its line breaks and blank lines, every
    Markdown character escaped (for reports)."""
    lines = text.split("\n")
    quoted = []
    for number, line in enumerate(lines):
        escaped = md_escape(line).rstrip()
        following = lines[number + 1].strip() if number + 1 < len(lines) else ""
        hard_break = "\\" if escaped and following else ""  # a backslash at a line's end breaks the line
        quoted.append(f"> {escaped}{hard_break}" if escaped else ">")
    return "\n".join(quoted)


def markdown_to_text(markdown: str, width: int = 100) -> str:
    """A Markdown report as plain text for a terminal (rendered by rich, no colour codes)."""
    from rich.console import Console
    from rich.markdown import Markdown

    out = io.StringIO()
    Console(file=out, width=width, no_color=True, color_system=None, emoji=False,
            highlight=False).print(Markdown(markdown))
    return out.getvalue().rstrip()


def score_markdown(score: AnswerScore, names: dict[str, str]) -> str:
    """One answer's scores with evidence and missing elements."""
    attempt = f" (after follow-up {score['attempt']})" if score["attempt"] else ""
    asked = score.get("question") or f"question {score['question_id']}"
    lines = [f"**{asked}{attempt}**", "", f"**Weighted score: {score['weighted']:.2f} / 4**", ""]
    for d in score["dimensions"]:
        flag = (f" ⚠ low confidence (offline scorer: {d.get('offline_score')})"
                if d.get("low_confidence") else "")
        lines.append(f"- **{names.get(d['dimension'], d['dimension'])}: {d['score']} / 4**{flag} "
                     f"({d['rationale']})")
        lines.extend(f"  - evidence: “{md_escape(quote)}”" for quote in d["evidence"])
        lines.extend(f"  - missing: {m}" for m in d["missing"] if m)
    lines.extend(f"- notice: {n}" for n in score["notices"])
    return "\n".join(lines)


def debrief_markdown(report: Debrief, names: dict[str, str]) -> str:
    """The hiring-committee debrief as Markdown."""
    def name(dim: Any) -> str:
        return names.get(str(dim), str(dim))

    judgment = report["judgment_score"]
    head = (f"## Debrief: {report['hire_signal']} (judgment {judgment:.2f} / 4)"
            if judgment is not None else "## Debrief: no answers scored")
    lines = [head, ""]
    if report["ended_early"]:
        lines += ["_The interview was ended early; this covers what was answered._", ""]
    lines += [f"Answered {report['answered']}, unanswered {report['skipped']}. "
              f"Engine: {report['engine']}; rubric {report['rubric_version']}.", "",
              "### Rounds", "", "| round | score | answered | unanswered |", "|---|---|---|---|"]
    for r in report["rounds"]:
        score = "n/a" if r["score"] is None else f"{r['score']:.2f}"
        lines.append(f"| {r['name']} | {score} | {r['answered']} | {r['skipped']} |")
    committee = report.get("committee")
    if committee:
        lines += ["", f"### {committee['name']}", "",
                  f"Not an interview: {committee['members']} weigh the loop's evidence [{committee['source']}]. "
                  "The judgment score is the mean of these signals:", "",
                  "| signal | from | score | evidence |", "|---|---|---|---|"]
        for sig in committee["signals"]:
            score = "not observed" if sig["score"] is None else f"{sig['score']:.2f}"
            lines.append(f"| {sig['name']} | {', '.join(name(d) for d in sig['dimensions'])} | {score} | "
                         f"{sig['evidence']} score(s) |")
        if committee["discount"]:
            lines += ["", f"Signal-to-noise: {len(committee['over_explained'])} answer(s) were long with little "
                      f"specific in them; the committee discounts over-explaining by {committee['discount']:.2f}."]
        if committee.get("defaults"):
            lines += ["", f"Project defaults (no source gives them): {', '.join(committee['defaults'])}."]
    elif report.get("judgment_method"):
        lines += ["", f"Judgment: {report['judgment_method']}."]
    lines += ["", "### Dimensions", "", "| dimension | mean | answers |", "|---|---|---|"]
    for dim, v in report["dimensions"].items():
        lines.append(f"| {name(dim)} | {v['mean']:.2f} | {int(v['n'])} |")
    lines += ["", "### Strengths", ""]
    for s in report["strengths"]:
        where = f" on “{s['question']}”" if s.get("question") else ""
        shows = f" (shows {s['shows']})" if s.get("shows") else ""
        lines.append(f"- **{name(s['dimension'])}** {s['score']}/4{where}: “{md_escape(s['evidence'])}”{shows}")
    if not report["strengths"]:
        lines.append("- none yet: no dimension reached 3")
    lines += ["", "### Gaps", ""]
    for g in report["gaps"]:
        missing = "; ".join(str(m) for m in g["missing"]) or "below the bar"  # type: ignore[attr-defined]
        lines.append(f"- **{name(g['dimension'])}** (mean {g['mean']:.2f}): {missing}")
        if g.get("evidence"):
            lines.append(f"  - what you said: “{md_escape(g['evidence'])}”")
        lines.append(f"  - a stronger version: {md_escape(g['suggestion'])}")
    if not report["gaps"]:
        lines.append("- none: every dimension averaged 4")
    unanswered = report.get("unanswered") or []
    if unanswered:
        lines += ["", "### Questions not answered", ""]
        for u in unanswered:
            counted = "counted as 1 in its round" if u["counts"] else "not counted"
            lines.append(f"- “{u['question'] or u['question_id']}”: {u['detail']} ({counted})")
    ignored = report.get("ignored") or []
    if ignored:
        total = sum(len(i["sentences"]) for i in ignored)
        lines += ["", "### Text addressed to the grader", "",
                  f"{total} sentence(s) in {len(ignored)} answer(s) spoke to the grader instead of answering "
                  "(instructions, score requests, notes to the evaluator). They were ignored and earned nothing:"]
        lines += [f"- “{md_escape(sentence)}”" for i in ignored for sentence in i["sentences"]]
    if report.get("low_confidence"):
        lines += ["", "### Low-confidence scores", ""]
        lines += [f"- {item['question_id']} {name(item['dimension'])}: judge {item['score']}, "
                  f"offline {item['offline_score']}" for item in report["low_confidence"]]
    cost = report.get("cost") or {}
    if cost.get("calls"):
        lines += ["", f"Model usage: {cost['calls']} calls, {cost['prompt_tokens']:,} prompt + "
                  f"{cost['completion_tokens']:,} completion tokens, cost {cost['cost']:.4f}."]
    lines += ["", "### Prep plan", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(report["prep_plan"], start=1)]
    return "\n".join(lines)
