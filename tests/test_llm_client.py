"""The chat-model seam against a real HTTP server speaking the OpenAI protocol."""

from __future__ import annotations

import json
import threading
import time

import pytest
from pydantic import BaseModel

from interviewer.llm.client import LLMError, OpenAIChatModel
from tests.openai_server import ScriptedServer, Step

SECRET = "sk-test-do-not-leak-123"


class Verdict(BaseModel):
    score: int
    reason: str


def model_for(server: ScriptedServer, timeout: float = 5.0, retries: int = 2) -> OpenAIChatModel:
    return OpenAIChatModel(api_key=SECRET, base_url=server.base_url, timeout=timeout,
                           max_retries=retries)


def test_json_schema_when_the_server_supports_it(server: ScriptedServer) -> None:
    server.script(Step(content='{"score": 3, "reason": "ok"}', prompt_tokens=321, completion_tokens=12))
    reply = model_for(server).complete([{"role": "user", "content": "hi"}], model="m",
                                       temperature=0, schema=Verdict)
    assert Verdict.model_validate_json(reply.text).score == 3
    assert reply.mode == "json_schema" and reply.usage.prompt_tokens == 321
    request = server.requests[0]
    assert request["response_format"]["type"] == "json_schema"
    assert request["temperature"] == 0


@pytest.mark.parametrize("status", [400, 500])
def test_falls_back_like_llama_cpp_and_remembers(server: ScriptedServer, status: int) -> None:
    server.reject_formats = {"json_schema"}
    server.reject_status = status
    server.script('{"score": 2, "reason": "a"}', '{"score": 4, "reason": "b"}')
    model = model_for(server)
    first = model.complete([{"role": "user", "content": "x"}], model="m", temperature=0, schema=Verdict)
    second = model.complete([{"role": "user", "content": "y"}], model="m", temperature=0, schema=Verdict)
    assert first.mode == second.mode == "json_object_schema"
    formats = [r["response_format"]["type"] for r in server.requests]
    assert formats[0] == "json_schema" and formats[-2:] == ["json_object", "json_object"]
    first_json_object = next(r for r in server.requests if r["response_format"]["type"] == "json_object")
    assert "schema" in first_json_object["response_format"]


def test_plain_prompt_when_no_response_format_is_accepted(server: ScriptedServer) -> None:
    server.reject_formats = {"json_schema", "json_object"}
    server.script('{"score": 1, "reason": "c"}')
    reply = model_for(server).complete([{"role": "user", "content": "x"}], model="m",
                                       temperature=0, schema=Verdict)
    assert reply.mode == "prompt"
    last = server.requests[-1]
    assert "response_format" not in last
    assert "JSON schema" in last["messages"][-1]["content"]


def test_429_with_retry_after_is_retried(server: ScriptedServer) -> None:
    server.script(Step(fault="429", retry_after=1), "hello")
    started = time.monotonic()
    reply = model_for(server).complete([{"role": "user", "content": "x"}], model="m", temperature=0.7)
    assert reply.text == "hello" and len(server.requests) == 2
    assert time.monotonic() - started >= 0.9, "Retry-After was not honoured"


def test_5xx_is_retried_then_reported(server: ScriptedServer) -> None:
    server.script(Step(fault="500"), "recovered")
    assert model_for(server).complete([{"role": "user", "content": "x"}], model="m",
                                      temperature=0).text == "recovered"
    server.script(Step(fault="500"), Step(fault="500"), Step(fault="500"))
    with pytest.raises(LLMError) as exc:
        model_for(server).complete([{"role": "user", "content": "x"}], model="m", temperature=0)
    assert exc.value.kind == "server" and "HTTP 500" in str(exc.value)


def test_hang_past_timeout(server: ScriptedServer) -> None:
    server.hang_seconds = 2.0
    server.script(Step(fault="hang"), Step(fault="hang"))
    with pytest.raises(LLMError) as exc:
        model_for(server, timeout=0.5, retries=1).complete(
            [{"role": "user", "content": "x"}], model="m", temperature=0)
    assert exc.value.kind == "timeout" and "did not answer in time" in str(exc.value)


def test_connection_refused() -> None:
    srv = ScriptedServer()
    srv.stop()
    with pytest.raises(LLMError) as exc:
        model_for(srv, retries=0).complete([{"role": "user", "content": "x"}], model="m",
                                           temperature=0)
    assert exc.value.kind == "connection"


def test_connection_refused_is_told_apart_from_a_dropped_one() -> None:
    srv = ScriptedServer()
    srv.stop()
    with pytest.raises(LLMError) as exc:
        model_for(srv, retries=0).complete([{"role": "user", "content": "x"}], model="m", temperature=0)
    assert "refused" in str(exc.value) and "closed the connection" not in str(exc.value)


@pytest.mark.parametrize("streamed", [False, True])
def test_server_that_drops_the_request_says_so(server: ScriptedServer, streamed: bool) -> None:
    server.script(Step(fault="drop"), Step(fault="drop"))
    with pytest.raises(LLMError) as exc:
        model_for(server, retries=1).complete([{"role": "user", "content": "x"}], model="m", temperature=0,
                                             on_token=(lambda _: None) if streamed else None)
    assert exc.value.kind == "dropped"
    assert str(exc.value).startswith("The model server closed the connection without answering")
    assert len(server.requests) == 2  # the client's retry was made, and dropped too


def test_a_retry_after_a_drop_that_succeeds_is_a_normal_reply(server: ScriptedServer) -> None:
    server.script(Step(fault="drop"), "fine")
    assert model_for(server, retries=1).complete([{"role": "user", "content": "x"}], model="m",
                                                 temperature=0).text == "fine"


def test_drop_then_refused_says_the_server_probably_crashed(server: ScriptedServer) -> None:
    def crash(body: dict[str, object]) -> Step:
        threading.Thread(target=server.stop).start()  # the server goes away after this request
        return Step(fault="drop")

    server.responder = crash
    with pytest.raises(LLMError) as exc:
        model_for(server, retries=2).complete([{"role": "user", "content": "x"}], model="m", temperature=0)
    assert exc.value.kind == "dropped" and "probably crashed" in str(exc.value)


def test_stream_cut_midway_is_not_taken_for_a_whole_reply(server: ScriptedServer) -> None:
    server.script(Step(content="Tell me about the launch you are proudest of.", fault="drop_mid_stream"))
    tokens: list[str] = []
    with pytest.raises(LLMError) as exc:
        model_for(server).complete([{"role": "user", "content": "x"}], model="m", temperature=0.7,
                                   on_token=tokens.append)
    assert exc.value.kind == "dropped" and "before finishing its reply" in str(exc.value)
    assert tokens  # the part that arrived was streamed; the engine falls back to the bank wording


@pytest.mark.parametrize(("fault", "kind"), [("refusal", "refusal"), ("empty", "empty")])
def test_refusal_and_empty_reply(server: ScriptedServer, fault: str, kind: str) -> None:
    server.script(Step(fault=fault))
    with pytest.raises(LLMError) as exc:
        model_for(server).complete([{"role": "user", "content": "x"}], model="m", temperature=0)
    assert exc.value.kind == kind and exc.value.usage.prompt_tokens == 100


def test_truncated_structured_reply(server: ScriptedServer) -> None:
    server.script(Step(content='{"score": 3, "rea', fault="truncated"))
    with pytest.raises(LLMError) as exc:
        model_for(server).complete([{"role": "user", "content": "x"}], model="m", temperature=0,
                                   schema=Verdict)
    assert exc.value.kind == "truncated"


def test_streaming_delivers_tokens_and_usage(server: ScriptedServer) -> None:
    server.script(Step(content="Tell me about a launch you owned.", prompt_tokens=50,
                       completion_tokens=9))
    tokens: list[str] = []
    reply = model_for(server).complete([{"role": "user", "content": "x"}], model="m",
                                       temperature=0.7, on_token=tokens.append)
    assert len(tokens) >= 2 and "".join(tokens) == reply.text == "Tell me about a launch you owned."
    assert reply.usage.completion_tokens == 9 and server.requests[0]["stream"] is True


def test_the_key_never_appears_in_errors(server: ScriptedServer) -> None:
    server.script(Step(fault="500"), Step(fault="500"), Step(fault="500"))
    with pytest.raises(LLMError) as exc:
        model_for(server).complete([{"role": "user", "content": "x"}], model="m", temperature=0)
    assert SECRET not in str(exc.value) and SECRET not in repr(exc.value)
    assert SECRET not in json.dumps(server.requests)


def test_max_completion_tokens_for_servers_that_refuse_max_tokens(server: ScriptedServer) -> None:
    server.reject_params = {"max_tokens"}
    server.script("first", "second")
    model = model_for(server)
    assert model.complete([{"role": "user", "content": "x"}], model="m", temperature=0,
                          max_tokens=50).text == "first"
    assert model.complete([{"role": "user", "content": "y"}], model="m", temperature=0,
                          max_tokens=50).text == "second"
    assert [("max_tokens" in r, r.get("max_completion_tokens")) for r in server.requests] == [
        (True, None), (False, 50), (False, 50)]
