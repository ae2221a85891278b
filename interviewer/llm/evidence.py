"""Evidence quotes must be verbatim spans of the answer: keep, repair or drop each one."""

from __future__ import annotations

import difflib
import re

MIN_QUOTE_CHARS = 12
REPAIR_RATIO = 0.9
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _normalise(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip().strip('"').strip()


def verbatim_span(quote: str, answer: str) -> str | None:
    """The exact span of `answer` that `quote` stands for, or None when it is not really there."""
    quote = quote.strip()
    if len(quote) < MIN_QUOTE_CHARS:
        return None
    if quote in answer:
        return quote
    wanted = _normalise(quote)
    # map the answer to a normalised form while remembering where each character came from
    chars: list[str] = []
    origin: list[int] = []
    last_space = False
    for i, ch in enumerate(answer.translate(_QUOTES)):
        if ch.isspace():
            if last_space:
                continue
            ch, last_space = " ", True
        else:
            last_space = False
        chars.append(ch)
        origin.append(i)
    flat = "".join(chars)
    at = flat.find(wanted)
    if at >= 0:
        return answer[origin[at]: origin[at + len(wanted) - 1] + 1]
    matcher = difflib.SequenceMatcher(None, flat, wanted, autojunk=False)
    block = max(matcher.get_matching_blocks(), key=lambda b: b.size)
    if block.size == 0:
        return None
    start = max(0, block.a - block.b)
    end = min(len(flat), start + len(wanted))
    candidate = flat[start:end]
    if difflib.SequenceMatcher(None, candidate, wanted, autojunk=False).ratio() < REPAIR_RATIO:
        return None
    return answer[origin[start]: origin[end - 1] + 1]


def verified_quotes(quotes: list[str], answer: str) -> tuple[list[str], int]:
    """Quotes mapped to verbatim spans (deduplicated), and how many had to be dropped."""
    kept: list[str] = []
    dropped = 0
    for quote in quotes:
        span = verbatim_span(quote, answer)
        if span is None:
            dropped += 1
        elif span not in kept:
            kept.append(span)
    return kept, dropped
