"""Load YAML data files into pydantic models, reporting errors as file:line: problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from interviewer.errors import DataFileError

ModelT = TypeVar("ModelT", bound=BaseModel)


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that remembers the line of every mapping and sequence item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *base` brings keys the mapping may override
        if key_node.value in lines:  # YAML forbids it; PyYAML would keep the last silently
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key_node.value!r} (first at line {lines[key_node.value]})",
                key_node.start_mark)
        lines[key_node.value] = value_node.start_mark.line + 1
    mapping = loader.construct_mapping(node, deep=True)
    return _LinedDict(mapping, node.start_mark.line + 1, lines)


class _LinedDict(dict[str, Any]):
    def __init__(self, data: dict[Any, Any], line: int, key_lines: dict[str, int]) -> None:
        super().__init__(data)
        self.line = line
        self.key_lines = key_lines


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """Walk a pydantic error location through the parsed YAML to the deepest known line."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, _LinedDict) and isinstance(part, str):
            if part in node.key_lines:
                line = node.key_lines[part]
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line


def parse_yaml(text: str, path: Path) -> Any:
    """Parse YAML text, turning syntax errors into a DataFileError with the line."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise DataFileError(path, line, f"YAML syntax error: {exc.problem}") from exc


def validate(model: type[ModelT], data: Any, path: Path) -> ModelT:
    """Validate parsed data, reporting the first error with its line and field path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        raise DataFileError(path, line_of(data, loc), f"{field}: {first['msg']}{suffix}") from exc


def read_yaml(path: Path) -> Any:
    """Read and parse one YAML data file, keeping line numbers."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, None, f"cannot read file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path, None, "not valid UTF-8") from exc
    return parse_yaml(text, path)


def load_yaml_model(model: type[ModelT], path: Path) -> ModelT:
    """Read and validate one YAML data file."""
    return validate(model, read_yaml(path), path)
