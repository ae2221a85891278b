"""The chat-model seam: one call, structured output negotiated per server, faults made plain."""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from interviewer.errors import InterviewerError

FormatMode = Literal["json_schema", "json_object_schema", "json_object", "prompt", "text"]
STRUCTURED_MODES: tuple[FormatMode, ...] = ("json_schema", "json_object_schema", "json_object", "prompt")
FaultKind = Literal["timeout", "rate_limit", "server", "connection", "dropped", "refusal", "empty",
                    "truncated", "bad_request", "auth"]
Message = dict[str, str]


@dataclass(frozen=True)
class Usage:
    """Tokens one call used, from the server's usage field (0 when the server gives none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class ChatReply:
    """A model's reply and how it was obtained."""

    text: str
    usage: Usage
    model: str
    mode: FormatMode
    cached: bool = False  # answered from the eval's disk cache, not by the model


class LLMError(InterviewerError):
    """A model call that failed after retries, with a message fit for the candidate."""

    def __init__(self, kind: FaultKind, message: str, usage: Usage | None = None) -> None:
        self.kind = kind
        self.usage = usage or Usage()
        super().__init__(message)


class ChatModel(Protocol):
    """What the engines need from a model: one chat call, optionally structured or streamed."""

    def complete(self, messages: Sequence[Message], *, model: str, temperature: float,
                 schema: type[BaseModel] | None = None, max_tokens: int | None = None,
                 on_token: Callable[[str], None] | None = None) -> ChatReply: ...


UNREACHABLE = "Could not reach the model server: the connection was refused or could not be made."
DROPPED = ("The model server closed the connection without answering (it may have crashed or "
           "restarted).")
STREAM_CUT = ("The model server closed the connection before finishing its reply (it may have "
              "crashed or restarted).")
DROPPED_THEN_UNREACHABLE = ("The model server closed the connection without answering, then stopped "
                            "accepting connections: it has probably crashed.")

# Connections the server dropped after a request was sent, during the current call (and its
# retries): the openai client reports only the last attempt, which after a crash is "refused".
_DROPS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("interviewer_llm_drops",
                                                                          default=None)


def _dropped_connection_errors() -> tuple[type[Exception], ...]:
    """The transport errors that mean a sent request got no (complete) reply."""
    import httpx2

    return (httpx2.RemoteProtocolError, httpx2.ReadError)


def _drop_watching_transport() -> Any:
    """An HTTP transport that notes dropped connections before the client retries them."""
    import httpx2

    class DropWatchingTransport(httpx2.HTTPTransport):
        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            try:
                return super().handle_request(request)
            except _dropped_connection_errors() as exc:
                drops = _DROPS.get()
                if drops is not None:
                    drops.append(type(exc).__name__)
                raise

    return DropWatchingTransport()


@contextmanager
def _watching_drops() -> Iterator[list[str]]:
    drops: list[str] = []
    token = _DROPS.set(drops)
    try:
        yield drops
    finally:
        _DROPS.reset(token)


def _connection_error(exc: BaseException, drops: Sequence[str]) -> LLMError:
    """A connection failure as the candidate should read it: refused, or dropped mid-request."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, _dropped_connection_errors()):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        return LLMError("dropped", DROPPED)
    if drops:
        return LLMError("dropped", DROPPED_THEN_UNREACHABLE)
    return LLMError("connection", UNREACHABLE)


def schema_instruction(schema: type[BaseModel]) -> str:
    """The instruction that carries the schema when the server cannot enforce it."""
    return ("Reply with exactly one JSON object, no prose and no code fences, that validates "
            "against this JSON schema:\n" + json.dumps(schema.model_json_schema(), separators=(",", ":")))


class OpenAIChatModel:
    """Any OpenAI-compatible server through the official client, whose retries we rely on."""

    def __init__(self, *, api_key: str | None, base_url: str | None, timeout: float,
                 max_retries: int) -> None:
        from openai import DefaultHttpxClient, OpenAI

        # A local server needs no key, but the client insists on one: a placeholder is sent.
        transport = _drop_watching_transport()
        self._client = OpenAI(api_key=api_key or "not-needed", base_url=base_url,
                              timeout=timeout, max_retries=max_retries,
                              http_client=DefaultHttpxClient(transport=transport))
        self._modes: dict[str, FormatMode] = {}
        self._limit_param: dict[str, str] = {}
        self._lock = threading.Lock()

    def complete(self, messages: Sequence[Message], *, model: str, temperature: float,
                 schema: type[BaseModel] | None = None, max_tokens: int | None = None,
                 on_token: Callable[[str], None] | None = None) -> ChatReply:
        """Call the model; for a schema, use the strongest response format the server accepts."""
        limit: dict[str, int] = {}
        if max_tokens:
            with self._lock:
                limit = {self._limit_param.get(model, "max_tokens"): max_tokens}
        try:
            with _watching_drops():
                return self._complete(list(messages), model, temperature, schema, limit, on_token)
        except _LimitRejected:
            # newer OpenAI models refuse max_tokens and want max_completion_tokens
            with self._lock:
                self._limit_param[model] = "max_completion_tokens"
            limit = {"max_completion_tokens": max_tokens or 0}
            with _watching_drops():
                return self._complete(list(messages), model, temperature, schema, limit, on_token)

    def _complete(self, messages: list[Message], model: str, temperature: float,
                  schema: type[BaseModel] | None, limit: dict[str, int],
                  on_token: Callable[[str], None] | None) -> ChatReply:
        if schema is None:
            return self._call(messages, model, temperature, "text", None, limit, on_token)
        with self._lock:
            start = self._modes.get(model, "json_schema")
        modes = STRUCTURED_MODES[STRUCTURED_MODES.index(start):]
        for mode in modes:
            try:
                reply = self._call(messages, model, temperature, mode, schema, limit, None)
            except _FormatRejected:
                continue
            with self._lock:
                self._modes[model] = mode
            return reply
        raise LLMError("bad_request", "The model server rejected every structured-output format.")

    def _call(self, messages: list[Message], model: str, temperature: float, mode: FormatMode,
              schema: type[BaseModel] | None, limit: dict[str, int],
              on_token: Callable[[str], None] | None) -> ChatReply:
        import openai

        kwargs: dict[str, Any] = {"model": model, "messages": messages, "temperature": temperature,
                                  **limit}
        if schema is not None:
            json_schema = schema.model_json_schema()
            if mode == "json_schema":
                kwargs["response_format"] = {"type": "json_schema", "json_schema": {
                    "name": schema.__name__, "schema": json_schema, "strict": False}}
            elif mode == "json_object_schema":
                kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
            elif mode == "json_object":
                kwargs["response_format"] = {"type": "json_object"}
            if mode in ("json_object", "prompt"):
                kwargs["messages"] = [*messages, {"role": "system",
                                                  "content": schema_instruction(schema)}]
        try:
            if on_token is not None:
                return self._stream(kwargs, on_token, mode)
            completion = self._client.chat.completions.create(**kwargs)
        except openai.APIStatusError as exc:
            # llama.cpp's server answers an unsupported response_format with HTTP 500, not 400
            if schema is not None and mode != "prompt" and _mentions_format(exc):
                raise _FormatRejected from exc
            if "max_tokens" in limit and "max_tokens" in str(exc) and exc.status_code == 400:
                raise _LimitRejected from exc
            raise _status_error(exc) from exc
        except openai.APITimeoutError as exc:
            raise LLMError("timeout", "The model server did not answer in time, even after retries.") from exc
        except openai.APIConnectionError as exc:
            raise _connection_error(exc, _DROPS.get() or []) from exc
        return _reply_from(completion, model, mode)

    def _stream(self, kwargs: dict[str, Any], on_token: Callable[[str], None],
                mode: FormatMode) -> ChatReply:
        import httpx2

        stream = self._client.chat.completions.create(
            **kwargs, stream=True, stream_options={"include_usage": True})
        parts: list[str] = []
        usage = Usage()
        finish = None
        refusal = ""
        try:
            for chunk in stream:
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
                for choice in chunk.choices:
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        on_token(choice.delta.content)
                    refusal += getattr(choice.delta, "refusal", None) or ""
                    finish = choice.finish_reason or finish
        except httpx2.TimeoutException as exc:  # the body is read outside the client's retries
            raise LLMError("timeout", "The model server stopped sending its reply in time.", usage) from exc
        except httpx2.TransportError as exc:
            raise LLMError("dropped", STREAM_CUT, usage) from exc
        if finish is None and not refusal:  # the stream ended without saying why: it was cut
            raise LLMError("dropped", STREAM_CUT, usage)
        return _checked("".join(parts), refusal, finish, usage, kwargs["model"], mode)


class _FormatRejected(Exception):
    """The server does not support the requested response format."""


class _LimitRejected(Exception):
    """The server wants max_completion_tokens instead of max_tokens."""


def _status_error(exc: Any) -> LLMError:
    """An HTTP error from the server as a message for the candidate."""
    import openai

    if isinstance(exc, openai.AuthenticationError):
        return LLMError("auth", "The model server rejected the API key (check "
                                "INTERVIEWER_LLM_API_KEY or OPENAI_API_KEY).")
    if isinstance(exc, openai.RateLimitError):
        return LLMError("rate_limit", "The model server is rate-limiting us and retries ran out.")
    if isinstance(exc, openai.BadRequestError):
        return LLMError("bad_request", f"The model server refused the request: {_brief(exc)}")
    return LLMError("server", f"The model server failed (HTTP {exc.status_code}).")


def _mentions_format(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("response_format", "json_schema", "json schema",
                                         "json_object"))


def _brief(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200]


def _reply_from(completion: Any, model: str, mode: FormatMode) -> ChatReply:
    usage = Usage()
    if completion.usage is not None:
        usage = Usage(completion.usage.prompt_tokens or 0, completion.usage.completion_tokens or 0)
    if not completion.choices:
        raise LLMError("empty", "The model returned no reply.", usage)
    choice = completion.choices[0]
    message = choice.message
    return _checked(message.content or "", getattr(message, "refusal", None) or "",
                    choice.finish_reason, usage, model, mode)


def _checked(text: str, refusal: str, finish: str | None, usage: Usage, model: str,
             mode: FormatMode) -> ChatReply:
    if refusal or finish == "content_filter":
        raise LLMError("refusal", "The model declined to answer.", usage)
    if not text.strip():
        raise LLMError("empty", "The model returned an empty reply.", usage)
    if finish == "length" and mode != "text":
        raise LLMError("truncated", "The model's reply was cut off before it was complete.", usage)
    return ChatReply(text=text, usage=usage, model=model, mode=mode)
