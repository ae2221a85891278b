"""One scoring path: eval, calibrate and a live interview give every golden answer the same scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from interviewer.bank import CompanyLoop, Loops, LoopVariant, Probe, Question, QuestionBank, Stage, load_bank
from interviewer.dimensions import ELEMENTS
from interviewer.evaluation.calibrate import analyse_all, build_datasets, levels
from interviewer.evaluation.runner import run_eval
from interviewer.golden import LabelledAnswer, load_golden
from interviewer.graph import build_graph
from interviewer.index import KnowledgeIndex
from interviewer.nodes import Nodes
from interviewer.offline.engine import OfflineEngine
from interviewer.rubric import load_rubric
from interviewer.scoring import AnswerScorer
from interviewer.settings import SOURCE_ROOT, Settings

SETTINGS = Settings()
RUBRIC = load_rubric(SETTINGS.rubric_path)
BANK = load_bank(SETTINGS.questions_path)
TEST_PART = SOURCE_ROOT / "evals" / "golden" / "test.jsonl"

pytestmark = pytest.mark.slow


def _live_scores(record: LabelledAnswer, index: KnowledgeIndex, engine: OfflineEngine) -> dict[str, int]:
    """Ask the record's question in a real one-question interview and answer it with the record."""
    in_bank = BANK.find_text(record.question)
    question = Question(id="golden-q", company=record.company, round=record.round,
                        kind=BANK.kind_of(record.question), text=record.question,
                        dimensions=in_bank.dimensions if in_bank else ["impact_narrative"], signals=["as labelled"],
                        probes=[Probe(dimension="impact_narrative", text="What changed for members?")])
    stage = Stage(id="only", round=record.round, name="Only", interviewer="Interviewer", minutes=30,
                  questions=1, weight=1.0, intro="One question.")
    nodes = Nodes(engine=engine, retriever=index, bank=QuestionBank(version=1, questions=[question]),
                  loops=Loops(version=1, companies={record.company: CompanyLoop(
                      name="Loop", default_variant="one", variants={"one": LoopVariant(name="One", stages=[stage])})}),
                  rubric=RUBRIC, prompts_dir=SETTINGS.prompts_dir)
    graph = build_graph(nodes).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": record.id}}
    graph.invoke({"session_id": record.id, "company": record.company, "seed": 1, "requested_stages": [],
                  "transcript": [], "scores": [], "summaries": [], "skipped": [], "usage": []}, config)
    graph.invoke(Command(resume=record.answer), config)
    scores = graph.get_state(config).values["scores"]
    assert scores, f"{record.id}: the live interview did not score the answer"
    return {d["dimension"]: d["score"] for d in scores[0]["dimensions"]}


def test_eval_calibrate_and_live_interviews_agree_on_every_golden_test_answer(index: KnowledgeIndex) -> None:
    golden = load_golden([TEST_PART])
    engine = OfflineEngine(SETTINGS.prompts_dir)
    scorer = AnswerScorer(engine, RUBRIC, index)
    run = run_eval(golden, scorer, BANK, config={"engine": "offline", "rubric_version": RUBRIC.version})
    by_eval = {item.record.id: item.scored["scores"] for item in run.items if item.scored}
    assert len(by_eval) == len(golden.answers)

    datasets = build_datasets(golden.answers, analyse_all(golden.answers, scorer, BANK))
    compared = 0
    for dim, data in datasets.items():
        now = levels(data, RUBRIC.offline.dimensions[dim], RUBRIC.offline.anchor_weight, ELEMENTS[dim])
        for record_id, level in zip(data.ids, now, strict=True):
            assert by_eval[record_id][dim] == level, (record_id, dim, "calibrate", level)
            compared += 1
    assert compared >= 400

    for record in golden.answers:
        assert _live_scores(record, index, engine) == by_eval[record.id], record.id


def test_eval_scores_only_what_the_round_and_question_kind_apply(index: KnowledgeIndex, tmp_path: Path) -> None:
    case = BANK.get("nf-pc-01")
    line = (f'{{"id": "x", "company": "netflix", "round": "product_case", "question": "{case.text}", '
            '"answer": "I would add a row and test it.", "scores": {"impact_narrative": 2, "culture": 3}, '
            '"overall": 2, "rater": "t"}')
    path = tmp_path / "g.jsonl"
    path.write_text(line + "\n")
    run = run_eval(load_golden([path]), AnswerScorer(OfflineEngine(SETTINGS.prompts_dir), RUBRIC, index), BANK,
                   config={"engine": "offline", "rubric_version": RUBRIC.version})
    scored = run.items[0].scored
    assert scored is not None
    assert set(scored["scores"]) == set(RUBRIC.applicable("product_case", case.kind == "experience"))
    assert "culture" not in scored["scores"], "a label on a dimension the round does not use is not scored"
