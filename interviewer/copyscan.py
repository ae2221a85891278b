"""Word n-grams for the copy scan: one normalisation shared by the fixture script and the test.

The project is built from third-party reference articles whose facts it may use but whose
sentences it must not copy. `scripts/reference_ngrams.py` turns the articles into truncated
hashes of their 8-word sequences (the text itself never enters the repository), and
`tests/test_copy_scan.py` looks for those hashes in every text file of the project.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Iterator

N = 8
HASH_CHARS = 16

# Typographic variants folded onto their ASCII form before splitting into words.
_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2212": "-",
    # Dashes between words separate them; they are never part of a word.
    "\u2012": " ", "\u2013": " ", "\u2014": " ", "\u2015": " ",
})


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def normalise_word(token: str) -> str:
    """A token with punctuation and symbols stripped from both ends (kept inside words)."""
    start, end = 0, len(token)
    while start < end and _is_punct(token[start]):
        start += 1
    while end > start and _is_punct(token[end - 1]):
        end -= 1
    return token[start:end]


def normalise_line(text: str) -> list[str]:
    """The words of a line: NFKC, lowercase, straight quotes, edge punctuation stripped."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD).lower()
    words = (normalise_word(token) for token in folded.split())
    return [w for w in words if w]


def normalise(text: str) -> str:
    """The whole text as normalised words joined by single spaces."""
    return " ".join(w for line in text.splitlines() for w in normalise_line(line))


def words_with_lines(text: str) -> list[tuple[str, int]]:
    """Every normalised word of a text with its 1-based line number."""
    return [(word, number) for number, line in enumerate(text.splitlines(), start=1)
            for word in normalise_line(line)]


def ngram_hash(words: Iterable[str]) -> str:
    """The truncated sha256 of an n-gram's words joined by single spaces."""
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:HASH_CHARS]


def ngrams(words: list[str], n: int = N) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Every run of n consecutive words, with the index of its first word."""
    for i in range(len(words) - n + 1):
        yield i, tuple(words[i:i + n])


def text_hashes(text: str, n: int = N) -> set[str]:
    """The hashes of every distinct n-word sequence of a text (sequences may cross lines)."""
    words = [w for w, _ in words_with_lines(text)]
    return {ngram_hash(gram) for _, gram in ngrams(words, n)}
