"""Compare two eval runs: metric deltas per dimension and every item whose score changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from interviewer.errors import DataFileError

DELTA_METRICS = ("qwk", "exact", "within1", "mae", "smd", "spearman")


def load_run(directory: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A run folder's figures (run.json) and its items by id (results.jsonl)."""
    summary_path, results_path = directory / "run.json", directory / "results.jsonl"
    for path in (summary_path, results_path):
        if not path.is_file():
            raise DataFileError(path, None, "not found: pass a folder written by `interviewer eval --out`")
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(summary_path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    items: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(results_path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFileError(results_path, number, f"not valid JSON: {exc.msg}") from None
            items[item["id"]] = item
    return summary, items


def _delta(a: Any, b: Any) -> float | None:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return round(b - a, 4)
    return None


def _sides(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if item["kind"] == "pair":
        return {"worse": item["worse"], "better": item["better"]}
    return {"": item}


def compare_runs(dir_a: Path, dir_b: Path) -> dict[str, Any]:
    """Per-dimension metric deltas (B minus A) and the items whose scores differ."""
    summary_a, items_a = load_run(dir_a)
    summary_b, items_b = load_run(dir_b)
    dims: dict[str, Any] = {}
    for dim in sorted(set(summary_a["dimensions"]) | set(summary_b["dimensions"])):
        ma, mb = summary_a["dimensions"].get(dim, {}), summary_b["dimensions"].get(dim, {})
        dims[dim] = {m: {"a": ma.get(m), "b": mb.get(m), "delta": _delta(ma.get(m), mb.get(m))}
                     for m in DELTA_METRICS}
    changed = []
    for item_id in sorted(set(items_a) & set(items_b)):
        a, b = items_a[item_id], items_b[item_id]
        for side, sa in _sides(a).items():
            sb = _sides(b)[side]
            for dim in sorted(set(sa["scores"]) & set(sb["scores"])):
                if sa["scores"][dim] != sb["scores"][dim]:
                    changed.append({
                        "id": item_id + (f" ({side})" if side else ""), "dimension": dim,
                        "label": a.get("labels", {}).get(dim), "a": sa["scores"][dim], "b": sb["scores"][dim],
                        "a_evidence": sa["evidence"].get(dim, []), "b_evidence": sb["evidence"].get(dim, []),
                        "a_rationale": sa["rationale"].get(dim, ""), "b_rationale": sb["rationale"].get(dim, ""),
                    })
    closer = sum(1 for c in changed if c["label"] is not None and abs(c["b"] - c["label"]) < abs(c["a"] - c["label"]))
    further = sum(1 for c in changed if c["label"] is not None and abs(c["b"] - c["label"]) > abs(c["a"] - c["label"]))
    keys = ("engine", "rubric_version", "rubric_hash", "git_commit")
    return {
        "a": {"dir": str(dir_a), **{k: summary_a["config"].get(k) for k in keys}},
        "b": {"dir": str(dir_b), **{k: summary_b["config"].get(k) for k in keys}},
        "dimensions": dims,
        "pairs": {"a": summary_a["pairs"]["accuracy"], "b": summary_b["pairs"]["accuracy"],
                  "delta": _delta(summary_a["pairs"]["accuracy"], summary_b["pairs"]["accuracy"])},
        "bar": {"a": summary_a["bar"]["passed"], "b": summary_b["bar"]["passed"],
                "b_failures": summary_b["bar"]["failures"]},
        "only_in_a": sorted(set(items_a) - set(items_b)),
        "only_in_b": sorted(set(items_b) - set(items_a)),
        "changed": changed,
        "changed_summary": {"scores": len(changed), "closer_to_label": closer, "further_from_label": further},
    }


def compare_text(result: dict[str, Any], limit: int = 40) -> str:
    """The comparison for a terminal."""
    a, b = result["a"], result["b"]
    lines = [f"A: {a['dir']} ({a['engine']}, rubric {a['rubric_version']}, {a['git_commit']})",
             f"B: {b['dir']} ({b['engine']}, rubric {b['rubric_version']}, {b['git_commit']})", "",
             f"{'dimension':<18}" + "".join(f"{m:>18}" for m in DELTA_METRICS)]
    for dim, metrics in result["dimensions"].items():
        cells = []
        for m in DELTA_METRICS:
            v = metrics[m]
            cells.append(f"{_num(v['a'])}->{_num(v['b'])}" if v["delta"] is not None else "n/a")
        lines.append(f"{dim:<18}" + "".join(f"{c:>18}" for c in cells))
    p = result["pairs"]
    cs = result["changed_summary"]
    lines += ["", f"pairs accuracy: {_num(p['a'])} -> {_num(p['b'])}",
              f"quality bar: {'pass' if result['bar']['a'] else 'FAIL'} -> {'pass' if result['bar']['b'] else 'FAIL'}",
              f"scores changed: {cs['scores']} ({cs['closer_to_label']} closer to the label, "
              f"{cs['further_from_label']} further)", ""]
    for c in result["changed"][:limit]:
        lines.append(f"- {c['id']} {c['dimension']}: {c['a']} -> {c['b']} (label {c['label']})")
        lines.append(f"    A evidence: {' / '.join(c['a_evidence'][:2]) or '-'}")
        lines.append(f"    B evidence: {' / '.join(c['b_evidence'][:2]) or '-'}")
    if len(result["changed"]) > limit:
        lines.append(f"... and {len(result['changed']) - limit} more (use --json for all)")
    return "\n".join(lines)


def _num(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
