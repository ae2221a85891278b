"""Write the copy-scan fixture: hashes of every 8-word sequence of the reference articles.

Usage: python scripts/reference_ngrams.py REFERENCE_DIR_OR_FILES... [--out FILE]

Reads every .txt file given (directories are searched for *.txt, not recursively), normalises
it the way `interviewer.copyscan` does and writes one truncated sha256 per distinct 8-word
sequence, sorted, to tests/fixtures/reference_8grams.txt. Only hashes are written: the
articles' text never enters the repository.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewer.copyscan import text_hashes  # noqa: E402

DEFAULT_OUT = ROOT / "tests" / "fixtures" / "reference_8grams.txt"


def reference_files(paths: list[Path]) -> list[Path]:
    """The .txt files named, or found directly inside the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.txt") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"{path}: no such file or folder")
    if not found:
        raise SystemExit("no .txt reference files found")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="reference folder(s) or .txt files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture to write")
    args = parser.parse_args(argv)
    hashes: set[str] = set()
    for path in reference_files(args.paths):
        found = text_hashes(path.read_text(encoding="utf-8"))
        print(f"{path.name}: {len(found)} distinct 8-word sequences")
        hashes |= found
    args.out.write_text("".join(f"{h}\n" for h in sorted(hashes)), encoding="utf-8")
    print(f"wrote {len(hashes)} hashes to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
