"""recall@k of the index on a check set of queries with the documents they should return."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from interviewer.datafiles import load_yaml_model
from interviewer.index import KnowledgeIndex


class RetrievalCheck(BaseModel):
    """One query and the document ids a top-k search must return."""

    model_config = ConfigDict(extra="forbid")
    query: str
    expected: list[str] = Field(min_length=1)
    company: str | None = None
    round: str | None = None


class RetrievalChecks(BaseModel):
    """The check set file."""

    model_config = ConfigDict(extra="forbid")
    checks: list[RetrievalCheck] = Field(min_length=1)


def evaluate_retrieval(index: KnowledgeIndex, path: Path, k: int = 5) -> dict[str, Any]:
    """Mean recall@k over the checks (share of expected documents among the top-k documents)."""
    checks = load_yaml_model(RetrievalChecks, path).checks
    recalls = []
    misses = []
    for check in checks:
        hits = index.search(check.query, k=k, company=check.company, round_id=check.round)
        found = {h["doc_id"] for h in hits}
        recall = len(found & set(check.expected)) / len(check.expected)
        recalls.append(recall)
        if recall < 1:
            misses.append({"query": check.query, "expected": check.expected,
                           "got": [h["doc_id"] for h in hits]})
    return {"k": k, "queries": len(checks), f"recall@{k}": round(sum(recalls) / len(recalls), 4),
            "hit_rate": round(sum(1 for r in recalls if r > 0) / len(recalls), 4), "misses": misses}
