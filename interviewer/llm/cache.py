"""A disk cache in front of the chat model, so re-running an unchanged eval calls no model."""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from pydantic import BaseModel

from interviewer.llm.client import ChatModel, ChatReply, Message, Usage

# Extra key material for the calls made in this context (the eval sets the repeat number here,
# so k repeats are k distinct calls the first time and k cache hits afterwards).
CACHE_SALT: contextvars.ContextVar[str] = contextvars.ContextVar("cache_salt", default="")


class CachedChatModel:
    """Answers a call from disk when model, messages, output format and rubric version match."""

    def __init__(self, inner: ChatModel, directory: Path, *, namespace: str) -> None:
        self.inner = inner
        self.directory = directory
        self.namespace = namespace
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def key(self, messages: Sequence[Message], *, model: str, temperature: float,
            schema: type[BaseModel] | None, max_tokens: int | None) -> str:
        """The cache key: everything that can change the reply."""
        material = {
            "namespace": self.namespace, "salt": CACHE_SALT.get(), "model": model,
            "temperature": temperature, "max_tokens": max_tokens, "messages": list(messages),
            "schema": schema.model_json_schema() if schema else None,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()

    def complete(self, messages: Sequence[Message], *, model: str, temperature: float,
                 schema: type[BaseModel] | None = None, max_tokens: int | None = None,
                 on_token: Callable[[str], None] | None = None) -> ChatReply:
        """A stored reply if there is one; otherwise call the model and store a successful reply."""
        key = self.key(messages, model=model, temperature=temperature, schema=schema,
                       max_tokens=max_tokens)
        path = self.directory / key[:2] / f"{key}.json"
        stored = self._read(path)
        if stored is not None:
            with self._lock:
                self.hits += 1
            if on_token is not None:
                on_token(stored.text)
            return stored
        with self._lock:
            self.misses += 1
        reply = self.inner.complete(messages, model=model, temperature=temperature, schema=schema,
                                    max_tokens=max_tokens, on_token=on_token)
        self._write(path, reply)
        return reply

    @staticmethod
    def _read(path: Path) -> ChatReply | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return ChatReply(text=data["text"], usage=Usage(**data["usage"]), model=data["model"],
                             mode=data["mode"], cached=True)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: treat as a miss and overwrite it

    @staticmethod
    def _write(path: Path, reply: ChatReply) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"text": reply.text, "usage": asdict(reply.usage), "model": reply.model, "mode": reply.mode}
        # write then rename, so a concurrent reader or a crash never sees half a file
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
