"""Coach-editable data: the rubric honours the contract; invalid edits name file, line and problem."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from interviewer.bank import load_bank, load_loops, pick_questions
from interviewer.dimensions import REGISTRY
from interviewer.errors import DataFileError
from interviewer.knowledge import load_corpus
from interviewer.rubric import DIMENSIONS, load_rubric
from interviewer.settings import Settings
from tests.conftest import FIXTURES, KNOWLEDGE

SETTINGS = Settings()


def test_rubric_levels_are_the_contract_verbatim() -> None:
    contract = (FIXTURES / "rubric-and-golden-format.md").read_text()
    rubric = load_rubric(SETTINGS.rubric_path)
    assert tuple(rubric.dimensions) == DIMENSIONS
    contracted = {d: dim for d, dim in rubric.dimensions.items() if REGISTRY[d].contract_levels_hash}
    assert list(contracted) == ["impact_narrative", "trade_offs", "three_c", "parl", "experimentation",
                                "ml_depth", "culture"], "the contract's seven dimensions, unchanged"
    for dim_id, dim in contracted.items():
        section = contract.split(f"### {dim_id}\n", 1)[1].split("\n\n", 1)[0]
        levels = dict(re.findall(r"^(\d)\. (.+)$", section, re.MULTILINE))
        assert {int(k): v for k, v in levels.items()} == dim.levels, dim_id
    assert rubric.scale == {1: "clearly missing", 2: "weak / partial", 3: "solid", 4: "excellent"}


def test_rubric_applicability_follows_the_contract() -> None:
    rubric = load_rubric(SETTINGS.rubric_path)
    for round_id in rubric.rounds:
        dims = rubric.applicable(round_id, experience=True)
        assert {"impact_narrative", "trade_offs", "three_c", "parl"} <= set(dims)
        assert ("ml_depth" in dims) == (round_id == "technical_deep_dive")
        assert ("culture" in dims) == (round_id == "culture")
        assert ("experimentation" in dims) == (round_id in {"product_case", "technical_deep_dive"})
    assert "parl" not in rubric.applicable("product_case", experience=False)
    assert "parl" in rubric.applicable("recruiter_screen", experience=False)


def _edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text()
    assert old in text
    target = tmp_path / source.name
    target.write_text(text.replace(old, new, 1))
    return target


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("probe_at: 2", "probe_at: 5", "probe_at"),
    ("    weights: {impact_narrative: 0.35, trade_offs: 0.15",
     "    weights: {impact_narrative: -1, trade_offs: 0.15", "must be positive"),
    ("  ml_depth:\n    name: ML depth", "  ml_dept:\n    name: ML depth", "ml_dept"),
    ("\nversion: ", "\ncolour: blue\nversion: ", "colour"),
    ("      3: \"Correct, specific use", "      3: \"Mostly correct use", "scoring contract"),
    ("    weights: {impact_narrative: 0.25, trade_offs: 0.25, three_c: 0.25, experimentation: 0.25}",
     "    weights: {impact_narrative: 0.25, trade_offs: 0.25, three_c: 0.25, ml_depth: 0.25}",
     "ml_depth cannot apply"),
    ("  culture:\n    name: Culture\n    weights", "  culture:\n    name: Culture\n   weights",
     "YAML syntax error"),
    ("probe_at: 2", "probe_at: 2\nprobe_at: 3", "duplicate key 'probe_at'"),  # YAML forbids it
    ("  culture:\n    name: Culture\n", "  culture:\n    name: Culture\n    name: Keeper\n", "duplicate key 'name'"),
])
def test_invalid_rubric_edit_names_file_line_and_problem(tmp_path: Path, old: str, new: str,
                                                         problem: str) -> None:
    broken = _edited(tmp_path, SETTINGS.rubric_path, old, new)
    with pytest.raises(DataFileError) as exc:
        load_rubric(broken)
    message = str(exc.value)
    assert message.startswith(f"{broken}:") and problem in message
    line = exc.value.line
    assert line is not None
    changed_line = next(i for i, (a, b) in enumerate(zip(
        SETTINGS.rubric_path.read_text().splitlines(), broken.read_text().splitlines(),
        strict=False), start=1) if a != b)
    assert abs(line - changed_line) <= 2, (line, changed_line, message)


def test_question_bank_size_coverage_and_probes() -> None:
    bank = load_bank(SETTINGS.questions_path)
    assert len(bank.questions) >= 60
    per = Counter((q.company, q.round) for q in bank.questions)
    for company in ("netflix", "spotify", "generic"):
        for round_id in ("recruiter_screen", "hiring_manager", "product_case",
                         "technical_deep_dive", "culture"):
            assert per[(company, round_id)] >= 2, (company, round_id)
    for q in bank.questions:
        assert 1 <= len(q.probes) <= 3 and q.signals and q.dimensions
    assert sum("red_team" in q.tags for q in bank.questions) >= 2


def test_every_stage_can_draw_twice_the_questions_it_asks() -> None:
    """Two runs with different seeds should not ask the same questions: each stage of each loop
    can draw (company's own first, generic ones only to fill) at least twice what it asks."""
    bank, loops = load_bank(SETTINGS.questions_path), load_loops(SETTINGS.loops_path)
    short = []
    for company, loop in loops.companies.items():
        for stage in loop.stages:
            runs = [tuple(q.id for q in pick_questions(bank, company, stage, seed)) for seed in range(300)]
            drawn = {qid for run in runs for qid in run}
            if len(drawn) < 2 * stage.questions or len(set(runs)) < 2:
                short.append(f"{company}/{stage.id}: asks {stage.questions}, can draw {len(drawn)}")
            assert all(len(run) == stage.questions for run in runs), (company, stage.id)
    assert not short, short


def test_spotify_technical_stage_can_ask_about_two_tower_retrieval() -> None:
    bank, loops = load_bank(SETTINGS.questions_path), load_loops(SETTINGS.loops_path)
    stage = next(s for s in loops.stages("spotify") if s.id == "technical_deep_dive")
    drawn = {q.id: q for seed in range(300) for q in pick_questions(bank, "spotify", stage, seed)}
    assert any("two-tower" in q.text.lower() for q in drawn.values()), sorted(drawn)


def test_probes_hold_whatever_the_candidate_said() -> None:
    """A probe may not put words in the candidate's mouth ("You said engagement went up...")."""
    bank = load_bank(SETTINGS.questions_path)
    presumptuous = re.compile(r"\b(?:you (?:said|mentioned|told me|claimed)|as you said)\b", re.IGNORECASE)
    offenders = [f"{q.id}: {p.text}" for q in bank.questions for p in q.probes if presumptuous.search(p.text)]
    assert not offenders, offenders


def test_recruiter_screens_ask_for_background_and_motivation() -> None:
    bank = load_bank(SETTINGS.questions_path)
    for company in ("netflix", "spotify", "generic"):
        texts = [q.text.lower() for q in bank.questions
                 if q.company == company and q.round == "recruiter_screen"]
        assert any("background" in t for t in texts), company
        assert any(t.startswith("why ") or "draws you" in t for t in texts), company


def test_netflix_bank_has_strategy_questions() -> None:
    bank = load_bank(SETTINGS.questions_path)
    strategy = [q.id for q in bank.questions if q.company == "netflix" and "strategy" in q.tags]
    assert len(strategy) >= 5, strategy


def test_invalid_question_names_line(tmp_path: Path) -> None:
    broken = _edited(tmp_path, SETTINGS.questions_path, "  - id: nf-pc-01\n    company: netflix\n"
                     "    round: product_case\n", "  - id: nf-pc-01\n    company: netflix\n"
                     "    round: product_case\n    dimensions_extra: [x]\n")
    with pytest.raises(DataFileError, match="dimensions_extra") as exc:
        load_bank(broken)
    assert exc.value.line is not None
    assert "nf-pc-01" in broken.read_text().splitlines()[exc.value.line - 2] or exc.value.line > 1


def test_dimension_that_does_not_apply_is_rejected(tmp_path: Path) -> None:
    text = SETTINGS.questions_path.read_text()
    start = text.index("  - id: nf-pc-01")
    dims_at = text.index("    dimensions: [", start)
    end = text.index("]", dims_at)
    broken = tmp_path / "questions.yaml"
    broken.write_text(text[:end] + ", ml_depth" + text[end:])
    with pytest.raises(DataFileError, match="ml_depth does not apply") as exc:
        load_bank(broken)
    assert exc.value.line == text[:start].count("\n") + 1


def test_loops_cover_the_companies() -> None:
    loops = load_loops(SETTINGS.loops_path)
    assert [s.round for s in loops.stages("netflix")] == [
        "recruiter_screen", "hiring_manager", "product_case", "technical_deep_dive", "culture"]
    spotify = [s.id for s in loops.stages("spotify")]
    assert "red_team" in spotify and "senior_lead_debrief" not in spotify, "the debrief is a committee"
    assert loops.variant("spotify").committee is not None


def test_knowledge_documents_have_metadata_and_cover_the_topics() -> None:
    corpus = load_corpus([KNOWLEDGE])
    docs = {c.doc_id for c in corpus.chunks}
    assert len(docs) >= 12
    for required in ("netflix-loop", "spotify-loop", "generic-media-loop", "framework-3c",
                     "framework-parl", "framework-impact", "media-ai-product-areas",
                     "media-metrics", "recsys-concepts", "experimentation-causal",
                     "regulation-responsible-ai", "answer-patterns"):
        assert required in docs
    assert len(corpus.anchors) >= 40


def test_bad_front_matter_names_the_file_and_line(tmp_path: Path) -> None:
    doc = tmp_path / "bad.md"
    doc.write_text("---\nid: bad\ntitle: Bad\ncompany: hulu\nrounds: [all]\ntopic: loop\n"
                   "dimensions: []\n---\n# Bad\n\n## A\n\ntext\n")
    with pytest.raises(DataFileError, match="company") as exc:
        load_corpus([doc])
    assert exc.value.path == doc and exc.value.line == 4
