"""MiniLM parity, and the Chroma index: persistence across processes, rebuilds, filters, recall."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interviewer.embeddings import BATCH_TOKEN_SLOTS, RUN_COST_TOKENS, MiniLMEmbedder, length_batches
from interviewer.index import KnowledgeIndex
from interviewer.retrieval_eval import evaluate_retrieval
from interviewer.settings import SOURCE_ROOT
from tests.conftest import FIXTURES, KNOWLEDGE, subprocess_env

QUERIES = [
    "how do I handle cold start for a brand new subscriber",
    "what does the keeper test mean in the culture interview",
    "how many people do I need in each arm of an A/B test",
    "red-team interview about model bias at Spotify",
    "cost per stream and latency budget",
]


def test_minilm_matches_sentence_transformers_reference(embedder: MiniLMEmbedder) -> None:
    reference = json.loads((FIXTURES / "minilm_reference.json").read_text())
    texts = [item["text"] for item in reference["items"]]
    expected = np.array([item["vector"] for item in reference["items"]], dtype=np.float32)
    got = embedder.embed(texts)
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    worst = int(np.argmin(cosines))
    print(f"MiniLM parity: min cosine {cosines.min():.6f} over {len(texts)} sentences")
    assert cosines.min() >= 0.99, f"{texts[worst]!r} reached only {cosines[worst]:.4f}"


def test_embedding_does_not_depend_on_batch_neighbours(embedder: MiniLMEmbedder) -> None:
    # lengths from 3 to 256 tokens (truncated), so that texts share padded batches with longer ones
    texts = ["a", "Two-tower retrieval precomputes item embeddings. " * 40, "Netflix 🎬", "Cold start.", "Why?",
             *(f"We cut the row to {n} titles because the tail earned under {n}% of plays." * (1 + n % 3)
               for n in range(2, 14))]
    together = embedder.embed(texts)  # padded batches of similar lengths, spread over the workers
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.array_equal(together, alone)
    # the same vectors as one padded batch through the graph
    padded = embedder._embed_batch([ids.ids for ids in embedder._tokenizer.encode_batch(texts)])
    assert np.allclose(together, padded, atol=1e-6)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    started = embedder.embed_soon(texts[::-1])  # in the background: the same vectors when waited for
    assert np.array_equal(started(), together[::-1])


def test_length_batches_group_similar_lengths_and_keep_every_worker_busy() -> None:
    lengths = [12, 240, 14, 30, 11, 33, 29, 250, 13, 31]
    batches = length_batches(lengths, workers=2)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))  # each text once
    for batch in batches:  # no short sentence padded out to a long one
        assert max(lengths[i] for i in batch) <= 2 * min(lengths[i] for i in batch)
    assert len(batches) < len(lengths)  # short neighbours share a run instead of paying for one each
    cost = [RUN_COST_TOKENS + len(b) * max(lengths[i] for i in b) for b in batches]
    assert cost == sorted(cost, reverse=True)  # costliest first, so the pool deals them out evenly
    assert all(len(b) == 1 or c * 2 <= sum(cost) for b, c in zip(batches, cost, strict=True))  # a fair share each
    # ten equal sentences: one batch would leave the second worker idle
    assert len(length_batches([30] * 10, workers=2)) >= 2
    assert length_batches([30] * 10, workers=1) == [list(range(10))]
    # a batch's padded slots stay bounded (attention memory grows with rows x length^2)
    assert all(len(b) * 200 <= BATCH_TOKEN_SLOTS for b in length_batches([200] * 40, workers=1))
    assert length_batches([], workers=2) == []


def _child(code: str, data_dir: Path) -> str:
    result = subprocess.run([sys.executable, "-c", code], env=subprocess_env(data_dir),
                            capture_output=True, text=True, timeout=600, cwd=SOURCE_ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


QUERY_CHILD = f"""
import json
from interviewer.settings import Settings
from interviewer.service import open_index
index = open_index(Settings())
print(json.dumps([[h["id"] for h in index.search(q, k=5)] for q in {QUERIES!r}]))
"""


def _vector_segments_persisted(chroma_sqlite: Path) -> list[tuple[str, int | None, int | None]]:
    """Per collection: the metadata segment's and the vector segment's persisted sequence ids."""
    db = sqlite3.connect(chroma_sqlite)
    rows = db.execute(
        "SELECT c.name, s.scope, m.seq_id FROM collections c JOIN segments s ON s.collection = c.id "
        "LEFT JOIN max_seq_id m ON m.segment_id = s.id").fetchall()
    db.close()
    out: dict[str, dict[str, int | None]] = {}
    for name, scope, seq in rows:
        out.setdefault(name, {})[scope] = seq
    return [(name, v.get("METADATA"), v.get("VECTOR")) for name, v in sorted(out.items())]


@pytest.mark.slow
def test_index_built_in_one_process_answers_the_same_in_others(
        tmp_path: Path, index: KnowledgeIndex) -> None:
    data = tmp_path / "data"
    build = subprocess.run([sys.executable, "-m", "interviewer.cli", "index", "--json"],
                           env=subprocess_env(data), capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    assert json.loads(build.stdout)["rebuilt"] is True
    first = json.loads(_child(QUERY_CHILD, data))
    second = json.loads(_child(QUERY_CHILD, data))
    in_process = [[h["id"] for h in index.search(q, k=5)] for q in QUERIES]
    assert first == second == in_process
    assert all(len(ids) == 5 for ids in first)

    # Chroma issue 6975: vectors below hnsw:sync_threshold live only in the write-ahead log
    # and can be purged on exit. Ours must reach the vector segment itself.
    persisted = _vector_segments_persisted(data / "index" / "chroma.sqlite3")
    assert {name for name, _, _ in persisted} == {"knowledge", "anchors"}
    for name, metadata_seq, vector_seq in persisted:
        assert vector_seq is not None and vector_seq == metadata_seq, (name, persisted)


@pytest.mark.slow
def test_the_persistence_check_catches_chromas_default_configuration(tmp_path: Path) -> None:
    """Control: with Chroma's defaults the same check fails, so the test above can fail."""
    code = """
import chromadb, sys
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = client.create_collection("knowledge", configuration={"hnsw": {"space": "cosine"}},
                               embedding_function=None)
col.add(ids=[str(i) for i in range(50)], embeddings=[[float(i), 1.0, 0.5] for i in range(50)])
"""
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                            text=True, timeout=300, env=subprocess_env(tmp_path))
    assert result.returncode == 0, result.stderr
    [(_, metadata_seq, vector_seq)] = _vector_segments_persisted(tmp_path / "chroma.sqlite3")
    assert metadata_seq == 50 and vector_seq is None


class CountingEmbedder:
    """Wraps the real embedder and counts the texts it embeds."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        return self.inner.embed(texts)


def test_index_rebuilds_only_what_changed(tmp_path: Path, data_dir: Path,
                                         embedder: MiniLMEmbedder) -> None:
    knowledge = tmp_path / "knowledge"  # a few notes and no anchors: what is re-embedded is under test
    knowledge.mkdir()
    for name in ("media-metrics.md", "framework-3c.md", "framework-parl.md"):
        shutil.copy(KNOWLEDGE / name, knowledge / name)
    counting = CountingEmbedder(embedder)
    index = KnowledgeIndex(data_dir / "index-copy", counting, [knowledge])
    built = index.ensure()
    total = built.chunks + built.anchors
    assert built.rebuilt and counting.texts == total

    counting.texts = 0
    again = KnowledgeIndex(data_dir / "index-copy", counting, [knowledge]).ensure()
    assert not again.rebuilt and counting.texts == 0

    doc = knowledge / "media-metrics.md"
    doc.write_text(doc.read_text() + "\n\n## Added note\n\nCatalog penetration for kids profiles "
                   "is tracked separately from adult profiles.\n")
    changed = KnowledgeIndex(data_dir / "index-copy", counting, [knowledge]).ensure()
    assert changed.rebuilt and changed.chunks == built.chunks + 1
    assert 0 < counting.texts <= 2, "only the new or edited chunk should be embedded"
    hits = index.search("kids profiles catalog penetration tracked separately", k=1)
    assert hits[0]["section"] == "Added note"


def test_users_own_notes_are_indexed_and_remembered(tmp_path: Path, data_dir: Path,
                                                    embedder: MiniLMEmbedder) -> None:
    notes = tmp_path / "my-notes"
    notes.mkdir()
    (notes / "stories.md").write_text("# My stories\n\n## Podcast shelf\n\nI moved the zebra-"
                                      "stripe podcast shelf above the fold and saves doubled.\n")
    (notes / "plain.txt").write_text("Quokka onboarding experiment: three taps instead of five.")
    index = KnowledgeIndex(data_dir / "index", embedder, [KNOWLEDGE])
    report = index.ensure([notes])
    assert report.rebuilt and report.extra_sources == [str(notes.resolve())]
    assert index.search("zebra-stripe podcast shelf", k=1)[0]["title"] == "My stories"
    assert "quokka" in index.search("quokka onboarding taps", k=1)[0]["text"].lower()
    reopened = KnowledgeIndex(data_dir / "index", embedder, [KNOWLEDGE]).ensure()
    assert not reopened.rebuilt and reopened.extra_sources == [str(notes.resolve())]


def test_filters_by_company_round_and_dimension(index: KnowledgeIndex) -> None:
    for hit in index.search("interview loop rounds", k=8, company="spotify"):
        assert not hit["doc_id"].startswith("netflix")
    hits = index.search("what the round tests", k=8, round_id="culture")
    assert hits and all(h["doc_id"] not in {"round-product-case", "round-technical-deep-dive"}
                        for h in hits)
    hits = index.search("how to structure an answer", k=5, dimension="parl")
    assert "framework-parl" in {h["doc_id"] for h in hits}


def test_retrieval_recall_at_5(index: KnowledgeIndex) -> None:
    result = evaluate_retrieval(index, SOURCE_ROOT / "evals" / "retrieval_checks.yaml", k=5)
    print(f"retrieval check: recall@5 = {result['recall@5']} over {result['queries']} queries")
    assert result["queries"] >= 30
    assert result["recall@5"] >= 0.9, result["misses"]


class TinyEmbedder:
    """Another model: 8-dimensional vectors from character counts (deterministic, no weights)."""

    name = "tiny-8"

    def embed(self, texts):  # type: ignore[no-untyped-def]
        rows = []
        for text in texts:
            v = np.array([text.lower().count(c) for c in "aeioustr"], dtype=np.float32) + 1e-3
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows) if rows else np.zeros((0, 8), dtype=np.float32)


def test_switching_the_embedder_re_embeds_everything(data_dir: Path) -> None:
    tiny = CountingEmbedder(TinyEmbedder())  # type: ignore[arg-type]
    index = KnowledgeIndex(data_dir / "index", tiny, [KNOWLEDGE])
    report = index.ensure()
    assert report.rebuilt and tiny.texts == report.chunks + report.anchors
    assert len(index.search("cold start", k=3)) == 3


def test_a_removed_notes_folder_is_skipped_not_fatal(tmp_path: Path, data_dir: Path,
                                                     embedder: MiniLMEmbedder) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\nPlatypus metrics story.\n")
    KnowledgeIndex(data_dir / "index", embedder, [KNOWLEDGE]).ensure([notes])
    shutil.rmtree(notes)
    report = KnowledgeIndex(data_dir / "index", embedder, [KNOWLEDGE]).ensure()
    assert report.rebuilt and report.missing_sources == [str(notes.resolve())]
    assert report.extra_sources == []


def test_a_forked_process_can_still_embed(embedder: MiniLMEmbedder) -> None:
    """Worker threads do not survive fork(): a child must not wait for the parent's."""
    texts = ["Cold start for new members.", "Why?", "A latency budget of 200 ms on the home page."]
    expected = embedder.embed(texts)  # the parent's worker threads exist from here on
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: embed, send the bytes, leave without running pytest's teardown
        try:
            os.write(write, embedder.embed(texts).tobytes())
        finally:
            os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], 60)
    if not ready:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert ready, "the forked child never finished embedding"
    got = b""
    while chunk := os.read(read, 65536):
        got += chunk
    os.close(read)
    assert np.array_equal(np.frombuffer(got, dtype=np.float32).reshape(expected.shape), expected)
