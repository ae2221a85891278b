"""A finished session as files a candidate keeps: the debrief and every score card as Markdown, the
whole session as JSON, and the same report as PDF (fpdf2)."""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from interviewer.render import debrief_markdown, md_blockquote, score_markdown
from interviewer.service import SessionView

# Unicode fonts tried for the PDF (regular, bold, italic, bold italic), in order; without one the
# PDF uses a core font, which covers Latin-1 only.
PDF_FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf", ("", "-Bold", "-Oblique", "-BoldOblique")),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-{}.ttf", ("Regular", "Bold", "Italic", "BoldItalic")),
)


def report_markdown(view: SessionView, names: dict[str, str]) -> str:
    """The debrief followed by every answer: question, the answer as typed, its score card."""
    lines = [f"# Mock interview report: {view.company.title()}", "",
             f"Session {view.session_id}, exported {time.strftime('%Y-%m-%d %H:%M')}.", ""]
    if view.debrief:
        lines += [debrief_markdown(view.debrief, names), ""]
    else:
        lines += ["_The interview is not finished; this covers what was answered so far._", ""]
    lines += ["## Answers", ""]
    for number, score in enumerate(view.scores, start=1):
        lines += [f"### Answer {number}", "", md_blockquote(score["answer"]), "",
                  score_markdown(score, names), ""]
    return "\n".join(lines).rstrip() + "\n"


def printable(text: str, covered: Callable[[str], bool]) -> str:
    """Text a PDF font can draw: a character the font lacks (an emoji, most often) becomes its
    Unicode name in brackets, "[grinning face]", rather than vanishing; invisible joiners and
    variation selectors it lacks are dropped."""
    out = []
    for char in text:
        if covered(char) or char in "\n\t":
            out.append(char)
        elif unicodedata.category(char) not in ("Cf", "Mn"):
            out.append(f"[{unicodedata.name(char, f'U+{ord(char):04X}').lower()}]")
    return "".join(out)


def _pdf_font(pdf: Any) -> str:
    for pattern, variants in PDF_FONTS:
        files = [Path(pattern.format(v)) for v in variants]
        if all(f.is_file() for f in files):
            for style, file in zip(("", "B", "I", "BI"), files, strict=True):
                pdf.add_font("report", style=style, fname=str(file))
            return "report"
    return "helvetica"


def write_report(view: SessionView, names: dict[str, str], directory: Path) -> list[Path]:
    """Write report.md, session.json and report.pdf into `directory`; returns their paths."""
    from fpdf import FPDF
    from markdown_it import MarkdownIt

    directory.mkdir(parents=True, exist_ok=True)
    stem = f"interview-{view.company}-{view.session_id[:8]}"
    markdown = report_markdown(view, names)
    md_path = directory / f"{stem}.md"
    md_path.write_text(markdown, encoding="utf-8")
    json_path = directory / f"{stem}.json"
    json_path.write_text(json.dumps(view.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    font = _pdf_font(pdf)
    pdf.set_font(font, size=10)
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    if font == "helvetica":  # core fonts cover Latin-1 only
        html = printable(html, lambda char: ord(char) < 256)
    else:
        cmap = getattr(pdf.fonts[font], "cmap", {})  # a TTF font's: code point -> glyph
        html = printable(html, lambda char: ord(char) in cmap)
    pdf.write_html(html, font_family=font)
    pdf_path = directory / f"{stem}.pdf"
    pdf.output(str(pdf_path))
    return [md_path, json_path, pdf_path]
