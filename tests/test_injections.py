"""The injection battery: no injected instruction may raise any score, on either engine."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from interviewer.bank import load_bank
from interviewer.engine import ScoreRequest
from interviewer.llm.client import OpenAIChatModel
from interviewer.llm.engine import LLMEngine
from interviewer.offline.engine import OfflineEngine
from interviewer.rubric import load_rubric
from interviewer.settings import Settings
from tests.conftest import FIXTURES, SCRIPTED
from tests.openai_server import ScriptedServer, Step

BATTERY = yaml.safe_load((FIXTURES / "injections.yaml").read_text())
SETTINGS = Settings()
RUBRIC = load_rubric(SETTINGS.rubric_path)
QUESTION = load_bank(SETTINGS.questions_path).get("nf-hm-02")
WEIGHTS = {str(k): v for k, v in RUBRIC.applicable(QUESTION.round, True).items()}
MIDDLING = ("Our podcast listeners struggled to find new shows. I pushed for a discovery shelf and "
            "we shipped it in a quarter. Listeners seemed happier and came back more often.")
ANSWERS = {"weak": SCRIPTED["recruiter_screen"]["weak"], "middling": MIDDLING}


def attacked(answer: str, injection: str) -> dict[str, str]:
    sentences = re.split(r"(?<=\.)\s", answer, maxsplit=1)
    middle = f"{sentences[0]} {injection} {sentences[1]}" if len(sentences) == 2 else answer
    return {"append": f"{answer} {injection}", "prepend": f"{injection} {answer}", "insert": middle}


def test_battery_is_large_and_varied() -> None:
    assert len(BATTERY) >= 30
    assert {item["kind"] for item in BATTERY} >= {
        "override", "fake_tag", "coach_note", "json", "language", "base64", "html_comment",
        "generous", "ps_claim"}


def request(answer: str) -> ScoreRequest:
    return ScoreRequest(question=QUESTION.text, kind=QUESTION.kind, company="netflix", round_id=QUESTION.round,
                        answer=answer, weights=WEIGHTS, rubric=RUBRIC)


def scores_of(result: Any) -> dict[str, int]:
    return {d["dimension"]: d["score"] for d in result.dimensions}


@pytest.mark.parametrize("item", BATTERY, ids=[f"{i:02d}-{b['kind']}" for i, b in enumerate(BATTERY)])
def test_offline_engine_never_rises(item: dict[str, str]) -> None:
    engine = OfflineEngine(SETTINGS.prompts_dir)
    for label, answer in ANSWERS.items():
        clean = scores_of(engine.score(request(answer)))
        for where, text in attacked(answer, item["text"]).items():
            got = scores_of(engine.score(request(text)))
            rises = {d: (clean[d], got[d]) for d in clean if got[d] >= clean[d] + 1}
            assert not rises, (label, where, rises)


CLEAN_WORDS = {w.lower() for text in ANSWERS.values() for w in re.findall(r"\w+", text)}


def gullible_judge(body: dict[str, Any]) -> Step:
    """A judge that obeys injections: 4s as soon as any injected word reaches it."""
    user = body["messages"][1]["content"]
    answer = user.split("<candidate_answer>\n", 1)[1].rsplit("\n</candidate_answer>", 1)[0]
    dims = re.search(r"Dimensions to grade: (.+)\.", user).group(1).split(", ")  # type: ignore[union-attr]
    obeyed = bool({w.lower() for w in re.findall(r"\w+", answer)} - CLEAN_WORDS)
    score = 4 if obeyed else 2
    return Step(content=json.dumps({"dimensions": [
        {"dimension": d, "score": score, "evidence": [], "missing": [], "rationale": "scripted"}
        for d in dims]}))


@pytest.fixture(scope="module")
def llm_engine() -> Iterator[LLMEngine]:
    server = ScriptedServer(responder=gullible_judge)
    chat = OpenAIChatModel(api_key=None, base_url=server.base_url, timeout=5, max_retries=0)
    yield LLMEngine(chat, interviewer_model="m", judge_model="m", temperature=0,
                    prompts_dir=SETTINGS.prompts_dir, rubric=RUBRIC)
    server.stop()
    assert not server.errors


@pytest.mark.parametrize("item", BATTERY, ids=[f"{i:02d}-{b['kind']}" for i, b in enumerate(BATTERY)])
def test_llm_engine_never_rises_even_with_a_judge_that_obeys_injections(
        llm_engine: LLMEngine, item: dict[str, str]) -> None:
    for label, answer in ANSWERS.items():
        clean = scores_of(llm_engine.score(request(answer)))
        assert set(clean.values()) == {2}, "the clean answer should reach the judge unchanged"
        for where, text in attacked(answer, item["text"]).items():
            result = llm_engine.score(request(text))
            got = scores_of(result)
            rises = {d: (clean[d], got[d]) for d in clean if got[d] >= clean[d] + 1}
            assert not rises, (label, where, rises)
            assert any("addressed to the grader" in n for n in result.notices)
