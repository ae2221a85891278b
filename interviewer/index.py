"""The persistent Chroma index of knowledge chunks and labelled anchors."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypedDict
from urllib.parse import urlsplit

from interviewer.embeddings import CachedEmbedder, Embedder
from interviewer.errors import InterviewerError
from interviewer.knowledge import Anchor, Chunk, Corpus, load_corpus, source_files

CHUNKER_VERSION = "1"
KNOWLEDGE = "knowledge"
ANCHORS = "anchors"
# batch_size = sync_threshold = 1 makes Chroma persist its HNSW segment on every add: the
# default (1000) leaves small collections only in the write-ahead log, which chroma-core/chroma
# issue 6975 shows can be purged on exit, losing vectors.
HNSW_CONFIG: dict[str, Any] = {"space": "cosine", "batch_size": 1, "sync_threshold": 1}
ADD_BATCH = 64
# An answer is looked up more than once (its anchors, the LLM engine's context): its vector is kept
QUERY_CACHE = 256
CHROMA_SETTING = "INTERVIEWER_CHROMA_URL"
# on a server, the build record is the knowledge collection's metadata under this key (JSON)
MANIFEST_KEY = "interviewer_manifest"

BuildProgress = Callable[[str, int, int], None]
"""Told (collection name, texts embedded so far, texts to embed) while an index is built."""


class Passage(TypedDict):
    """A retrieved knowledge passage."""

    id: str
    doc_id: str
    title: str
    section: str
    text: str
    similarity: float


class AnchorHit(TypedDict):
    """A retrieved labelled anchor answer with its labels."""

    id: str
    round: str
    answer: str
    scores: dict[str, int]
    similarity: float


class Retriever(Protocol):
    """What the interview graph needs from an index."""

    def search(self, query: str, k: int = 5, *, company: str | None = None,
               round_id: str | None = None, dimension: str | None = None) -> list[Passage]: ...

    def nearest_anchors(self, text: str, k: int = 5, *,
                        round_id: str | None = None) -> list[AnchorHit]: ...


@dataclass(frozen=True)
class BuildReport:
    """What an index build or check did."""

    rebuilt: bool
    source_hash: str
    chunks: int
    anchors: int
    documents: int
    files: int
    extra_sources: list[str]
    missing_sources: list[str] = field(default_factory=list)


def open_chroma(path: Path) -> Any:
    """A Chroma client on a local folder, telemetry off (the seam for a Chroma server later)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )


def chroma_address(url: str) -> tuple[str, int, bool]:
    """(host, port, whether TLS) of an http(s)://host:port URL, port 8000 (443 for https) unless
    given; InterviewerError naming INTERVIEWER_CHROMA_URL when it is not such a URL."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise InterviewerError(f"{CHROMA_SETTING} must be a Chroma server's http://host:port URL, not {url!r}")
    return parts.hostname, port or (443 if parts.scheme == "https" else 8000), parts.scheme == "https"


def chroma_label(url: str) -> str:
    """The server's URL for messages: scheme, host and port only."""
    host, port, tls = chroma_address(url)
    return f"{'https' if tls else 'http'}://{host}:{port}"


def open_chroma_server(url: str) -> Any:
    """A Chroma client on the server at an http(s)://host:port URL, telemetry off; InterviewerError
    naming INTERVIEWER_CHROMA_URL when the URL is bad or the server does not answer."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port, tls = chroma_address(url)
    shown = chroma_label(url)
    try:
        client = chromadb.HttpClient(host=host, port=port, ssl=tls, settings=ChromaSettings(anonymized_telemetry=False))
        client.heartbeat()
    except Exception as exc:  # chromadb raises several kinds for a server that is down or not Chroma
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise InterviewerError(f"cannot reach the Chroma server in {CHROMA_SETTING} ({shown}): {reason}") from None
    return client


def hash_sources(files: Sequence[Path], embedder_name: str) -> str:
    """A content hash of every source file plus the embedder and chunker versions."""
    digest = hashlib.sha256(f"{embedder_name}|{CHUNKER_VERSION}".encode())
    for path in sorted(files, key=str):
        digest.update(str(path).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def hash_folders(sources: Sequence[Path], embedder_name: str) -> str:
    """Like hash_sources, but naming files relative to their source folder, so machines with the
    same files in different places agree."""
    digest = hashlib.sha256(f"{embedder_name}|{CHUNKER_VERSION}".encode())
    for source in sources:
        root = Path(source).resolve()
        for path in source_files([root]):
            digest.update(str(path.relative_to(root) if root.is_dir() else path.name).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class KnowledgeIndex:
    """Builds (only when sources change) and queries the Chroma collections: embedded in a local
    folder with its build record beside it, or on a Chroma server (see `on_server`) that keeps the
    build record itself."""

    def __init__(self, directory: Path, embedder: Embedder, default_sources: Sequence[Path],
                 client: Any | None = None) -> None:
        self.directory: Path | None = Path(directory)
        self.location = str(directory)
        self.embedder = embedder
        self.default_sources = [Path(p) for p in default_sources]
        self._client = client if client is not None else open_chroma(self.directory)
        self._lock = threading.Lock()
        self._queries = CachedEmbedder(embedder, QUERY_CACHE)

    @classmethod
    def on_server(cls, url: str, embedder: Embedder, default_sources: Sequence[Path]) -> KnowledgeIndex:
        """The index on the Chroma server at `url` (see open_chroma_server for its errors)."""
        index = cls.__new__(cls)
        index.directory = None
        index.location = chroma_label(url)
        index.embedder = embedder
        index.default_sources = [Path(p) for p in default_sources]
        index._client = open_chroma_server(url)
        index._lock = threading.Lock()
        index._queries = CachedEmbedder(embedder, QUERY_CACHE)
        return index

    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        if self.directory is None:  # a server: `interviewer index` is run once, by hand or by a deploy job
            with self._lock:
                yield
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.directory / ".build.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def manifest(self) -> dict[str, Any]:
        """The record of the last successful build, or {} when there is none."""
        try:
            if self.directory is None:
                return self._server_manifest()
            data: dict[str, Any] = json.loads((self.directory / "manifest.json").read_text())
            return data
        except (OSError, json.JSONDecodeError):
            return {}

    def _server_manifest(self) -> dict[str, Any]:
        from chromadb.errors import NotFoundError

        try:
            collection = self._client.get_collection(KNOWLEDGE, embedding_function=None)
        except NotFoundError:
            return {}
        data: dict[str, Any] = json.loads((collection.metadata or {}).get(MANIFEST_KEY) or "{}")
        return data

    def check(self) -> BuildReport:
        """What a replica does instead of building: confirm the index holds what its build record
        says, built from this machine's default sources with this embedder. InterviewerError naming
        `interviewer index` when it is missing, incomplete or built from other sources."""
        manifest = self.manifest()
        if not manifest:
            raise InterviewerError(f"the Chroma server at {self.location} holds no knowledge index yet: build "
                                   f"it with `interviewer index` (with this {CHROMA_SETTING}), then start the app")
        if (manifest.get("embedder") != self.embedder.name
                or manifest.get("default_hash") != hash_folders(self.default_sources, self.embedder.name)):
            raise InterviewerError(
                f"the index on the Chroma server at {self.location} was built from other sources or another "
                "embedder than this app's (INTERVIEWER_KNOWLEDGE_DIR, INTERVIEWER_EMBEDDING_*): rebuild it with "
                "`interviewer index` using this app's settings, then start the app")
        if not self._intact(manifest):
            raise InterviewerError(f"the index on the Chroma server at {self.location} is incomplete (a build "
                                   "was interrupted or is running): run `interviewer index`, then start the app")
        return BuildReport(False, manifest["source_hash"], manifest["chunks"], manifest["anchors"],
                           manifest["documents"], len(manifest["files"]), manifest["extra_sources"])

    def _sources(self, extra: Sequence[Path] | None) -> tuple[list[Path], list[str], list[str]]:
        """Sources to index, the extra ones to remember, and remembered ones that are gone."""
        if extra is not None:
            extras = [Path(p).resolve() for p in extra]
            return [*self.default_sources, *extras], [str(p) for p in extras], []
        recorded = [Path(p) for p in self.manifest().get("extra_sources", [])]
        present = [p for p in recorded if p.exists()]
        gone = [str(p) for p in recorded if not p.exists()]
        return [*self.default_sources, *present], [str(p) for p in present], gone

    def ensure(self, extra_sources: Sequence[Path] | None = None, force: bool = False,
               show_progress: bool = False, on_progress: BuildProgress | None = None) -> BuildReport:
        """Build the index if its sources changed since the last build; otherwise reuse it
        (`show_progress`: a progress bar on stderr while texts are embedded; `on_progress` is
        called with (collection, texts embedded, texts to embed) after each batch)."""
        with self._build_lock():
            sources, extras, gone = self._sources(extra_sources)
            files = source_files(sources)
            source_hash = hash_sources(files, self.embedder.name)
            manifest = self.manifest()
            if not force and manifest.get("source_hash") == source_hash and self._intact(manifest):
                return BuildReport(False, source_hash, manifest["chunks"], manifest["anchors"],
                                   manifest["documents"], len(files), extras, gone)
            if manifest.get("embedder") not in (None, self.embedder.name):
                # another model's vectors (maybe another size): start the collections afresh
                for name in (KNOWLEDGE, ANCHORS):
                    with contextlib.suppress(Exception):
                        self._client.delete_collection(name)
            corpus = load_corpus(sources)
            if self.directory is None:
                # replicas must not trust a half-updated index: the record goes first, comes back last
                self._collection(KNOWLEDGE).modify(metadata={MANIFEST_KEY: "{}"})
            self._sync(KNOWLEDGE, corpus.chunks, show_progress, on_progress)
            self._sync(ANCHORS, corpus.anchors, show_progress, on_progress)
            report = BuildReport(True, source_hash, len(corpus.chunks), len(corpus.anchors),
                                 len({c.doc_id for c in corpus.chunks}), len(files), extras, gone)
            self._write_manifest(report, corpus)
            return report

    def _intact(self, manifest: dict[str, Any]) -> bool:
        """Whether the stored collections hold what the manifest says was written."""
        try:
            for name, key in ((KNOWLEDGE, "chunks"), (ANCHORS, "anchors")):
                collection = self._collection(name)
                if collection.count() != manifest[key]:
                    return False
                if manifest[key] and not self._vector_found(collection):
                    return False
            return True
        except Exception:  # a missing or unreadable collection means: rebuild
            return False

    @staticmethod
    def _vector_found(collection: Any) -> bool:
        """A stored vector finds itself: the vector index, not only the metadata, survived."""
        sample = collection.get(limit=1, include=["embeddings"])
        hits = collection.query(query_embeddings=[list(sample["embeddings"][0])], n_results=1,
                                include=[])
        return bool(hits["ids"][0]) and hits["ids"][0][0] == sample["ids"][0]

    def _write_manifest(self, report: BuildReport, corpus: Corpus) -> None:
        data = {**asdict(report), "embedder": self.embedder.name,
                "default_hash": hash_folders(self.default_sources, self.embedder.name),
                "files": [str(p) for p in corpus.files]}
        data.pop("rebuilt")
        data.pop("missing_sources")
        if self.directory is None:
            self._collection(KNOWLEDGE).modify(metadata={MANIFEST_KEY: json.dumps(data)})
            return
        path = self.directory / "manifest.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        os.replace(tmp, path)

    def _collection(self, name: str) -> Any:
        return self._client.get_or_create_collection(
            name=name, configuration={"hnsw": HNSW_CONFIG}, embedding_function=None
        )

    def _sync(self, name: str, items: Sequence[Chunk | Anchor], show_progress: bool = False,
              on_progress: BuildProgress | None = None) -> None:
        """Make a collection hold exactly `items`, embedding only new or changed texts."""
        from tqdm import tqdm

        collection = self._collection(name)
        texts = {item.id: (item.text if isinstance(item, Chunk) else item.answer) for item in items}
        hashes = {id_: _text_hash(f"{self.embedder.name}\n{text}") for id_, text in texts.items()}
        existing = collection.get(include=["metadatas"])
        stale = [
            id_ for id_, meta in zip(existing["ids"], existing["metadatas"] or [], strict=True)
            if id_ not in texts or (meta or {}).get("text_hash") != hashes[id_]
        ]
        if stale:
            collection.delete(ids=stale)
        kept = set(existing["ids"]) - set(stale)
        todo = [item for item in items if item.id not in kept]
        bar = tqdm(total=len(todo), desc=f"indexing {name}", unit="text", file=sys.stderr,
                   disable=not show_progress or not todo)
        if on_progress and todo:
            on_progress(name, 0, len(todo))
        for start in range(0, len(todo), ADD_BATCH):
            batch = todo[start:start + ADD_BATCH]
            documents = [texts[item.id] for item in batch]
            vectors = self.embedder.embed(documents)
            metadatas = [{**item.metadata(), "text_hash": hashes[item.id]} for item in batch]
            collection.add(ids=[item.id for item in batch], embeddings=vectors.tolist(),
                           documents=documents, metadatas=metadatas)
            bar.update(len(batch))
            if on_progress:
                on_progress(name, start + len(batch), len(todo))
        bar.close()

    def search(self, query: str, k: int = 5, *, company: str | None = None,
               round_id: str | None = None, dimension: str | None = None) -> list[Passage]:
        """Top-k knowledge passages for a query, optionally filtered by company, round, dimension."""
        clauses: list[dict[str, Any]] = []
        if company:
            clauses.append({"company": {"$in": [company, "all"]}})
        if round_id:
            clauses.append({f"round_{round_id}": True})
        if dimension:
            clauses.append({f"dim_{dimension}": True})
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        result = self._query(KNOWLEDGE, query, k, where)
        return [
            Passage(id=id_, doc_id=str(meta["doc_id"]), title=str(meta["title"]),
                    section=str(meta["section"]), text=doc, similarity=round(1 - dist, 4))
            for id_, doc, meta, dist in result
        ]

    def clear_cache(self) -> None:
        """Forget the remembered query vectors (benchmarks time cold turns)."""
        self._queries.clear()

    def nearest_anchors(self, text: str, k: int = 5, *,
                        round_id: str | None = None) -> list[AnchorHit]:
        """The labelled anchor answers most similar to an answer, optionally from one round."""
        where = {"round": round_id} if round_id else None
        return [
            AnchorHit(id=id_, round=str(meta["round"]), answer=doc,
                      # sorted: Chroma returns metadata keys in varying order, and prompts must not vary
                      scores={k.removeprefix("score_"): int(v) for k, v in sorted(meta.items())
                              if k.startswith("score_") and int(v) > 0},
                      similarity=round(1 - dist, 4))
            for id_, doc, meta, dist in self._query(ANCHORS, text, k, where)
        ]

    def _query(self, name: str, text: str, k: int,
               where: dict[str, Any] | None) -> list[tuple[str, str, dict[str, Any], float]]:
        collection = self._collection(name)
        if collection.count() == 0:
            return []
        vector = self._queries.embed([text])[0].tolist()
        result = collection.query(query_embeddings=[vector], n_results=k, where=where,
                                  include=["documents", "metadatas", "distances"])
        return list(zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                        result["distances"][0], strict=True))
