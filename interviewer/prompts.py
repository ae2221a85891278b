"""Prompt and message templates: files under prompts/, rendered strictly."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


class TemplateError(KeyError):
    """A template was rendered with a missing or unexpected variable."""


@lru_cache(maxsize=64)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def render(directory: Path, name: str, **values: str) -> str:
    """Fill {{ name }} placeholders; a missing or unused variable is an error, not a blank."""
    template = _read(Path(directory) / name)
    wanted = set(_PLACEHOLDER.findall(template))
    missing = wanted - values.keys()
    unused = values.keys() - wanted
    if missing or unused:
        raise TemplateError(f"{name}: missing {sorted(missing)}, unexpected {sorted(unused)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template).strip()
