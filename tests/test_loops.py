"""Loops that match their sources: published variants, committees that are committees, bias-aware thinking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.bank import load_bank, load_loops
from interviewer.errors import DataFileError
from interviewer.offline.scorer import score_answer
from interviewer.rubric import load_rubric
from interviewer.service import InterviewService
from interviewer.settings import SOURCE_ROOT, Settings
from tests.conftest import SCRIPTED, answer_for

SETTINGS = Settings()
LOOPS = load_loops(SETTINGS.loops_path)
BANK = load_bank(SETTINGS.questions_path)


def test_both_published_netflix_loops_are_selectable_with_their_sourced_lengths() -> None:
    five = LOOPS.stages("netflix", variant="five_rounds")
    four = LOOPS.stages("netflix", variant="four_interviews")
    assert [s.minutes for s in five] == [30, 45, 60, 45, 45]
    assert [s.minutes for s in four] == [45, 90, 60, 30]
    assert LOOPS.variant("netflix", "five_rounds").committee is None
    committee = LOOPS.variant("netflix", "four_interviews").committee
    assert committee is not None and committee.minutes == 60
    assert [s.name for s in committee.signals] == ["Impact framing", "Trade-off articulation", "Cultural fit"]
    culture = next(s for s in four if s.round == "culture")
    assert culture.interviewer == "Hiring manager" and "interviewer" not in culture.defaults


def test_every_stage_says_where_it_comes_from_and_what_is_a_project_default() -> None:
    for company, loop in LOOPS.companies.items():
        for variant in loop.variants.values():
            for stage in variant.stages:
                assert stage.source or "minutes" in stage.defaults, (company, stage.id)
                assert {"questions", "weight"} <= set(stage.defaults), "no source gives question counts or weights"
    red_team = next(s for s in LOOPS.stages("spotify") if s.id == "red_team")
    assert {"minutes", "placement"} <= set(red_team.defaults), "the source gives neither"


def test_spotify_debrief_is_a_committee_not_an_interview() -> None:
    variant = LOOPS.variant("spotify")
    assert not any("debrief" in s.id for s in variant.stages), "no one interviews the candidate in it"
    assert variant.committee is not None
    assert [s.dimensions for s in variant.committee.signals] == [["impact_narrative"], ["culture"], ["bias_aware"]]
    assert variant.committee.over_explaining_discount > 0
    recruiter = variant.stages[0]
    assert "compensation" in recruiter.intro


def test_red_team_questions_are_judged_on_bias_aware_thinking() -> None:
    red_team = [q for q in BANK.questions if "red_team" in q.tags]
    assert len(red_team) >= 4 and all("bias_aware" in q.dimensions for q in red_team)
    rubric = load_rubric(SETTINGS.rubric_path)
    assert "bias_aware" in rubric.applicable("technical_deep_dive", False, red_team[0].dimensions)
    assert "bias_aware" not in rubric.applicable("technical_deep_dive", False), "only where a question targets it"


@pytest.mark.parametrize(("answer", "level"), [
    ("I would build the model and ship it; the data is what it is.", 1),
    ("We need to watch out for bias in the recommendations and make sure it is fair.", 2),
    ("Independent artists could lose exposure. I'd compare their share of impressions with their share of "
     "listening across genres, and ask a panel of listeners whether their mixes feel repetitive or pigeonholed.",
     3),
    ("Independent artists could lose exposure. I'd compare their share of impressions with their share of "
     "listening across genres, and ask a panel of listeners whether their mixes feel repetitive or pigeonholed. "
     "If independent artists get less than 80% of their fair share we hold the launch and re-rank, which costs "
     "about 1% of saves. After launch we monitor the gap on a dashboard every month.", 4),
])
def test_bias_aware_levels_follow_the_ladder(answer: str, level: int) -> None:
    dims, _, _ = score_answer(answer, ["bias_aware"], experience=False)
    assert dims[0]["score"] == level, dims[0]["rationale"]


def test_bias_aware_cannot_be_weighted_into_a_round(tmp_path: Path) -> None:
    text = SETTINGS.rubric_path.read_text().replace(
        "weights: {impact_narrative: 0.35, trade_offs: 0.15, three_c: 0.2, parl: 0.3}",
        "weights: {impact_narrative: 0.35, trade_offs: 0.15, three_c: 0.2, parl: 0.3, bias_aware: 0.2}")
    path = tmp_path / "rubric.yaml"
    path.write_text(text)
    with pytest.raises(DataFileError) as err:
        load_rubric(path)
    assert "question_scoped" in err.value.problem and err.value.line is not None


def test_the_four_interview_netflix_loop_ends_in_the_hiring_committee(service: InterviewService) -> None:
    view = service.start("netflix", seed=7, variant="four_interviews")
    assert [p["minutes"] for p in view.plan] == [45, 90, 60, 30]
    script = answer_for("strong")
    for _ in range(40):
        if view.finished:
            break
        view = service.answer(view.session_id, script(view))
    report = view.debrief
    assert report is not None and report["committee"] is not None
    signals = {s["name"]: s["score"] for s in report["committee"]["signals"]}
    assert set(signals) == {"Impact framing", "Trade-off articulation", "Cultural fit"}
    assert report["judgment_score"] == pytest.approx(round(sum(signals.values()) / 3, 2), abs=0.01)
    assert "Hiring committee" in report["judgment_method"]


def test_the_senior_lead_debrief_discounts_over_explaining(service: InterviewService) -> None:
    openers = ["Honestly", "In my view", "At the end of the day", "Stepping back", "More broadly", "Above all",
               "To be fair", "Looking at it another way", "Put simply"]
    closers = ["it matters to stay thoughtful and open about everything", "good teams keep talking things through",
               "the journey is as valuable as where you end up", "alignment always takes real patience",
               "people really need to feel heard and supported", "there is rarely one simple right way",
               "context shapes every choice we make", "it helps to keep the bigger picture in mind"]
    padding = " ".join(f"{a}, {b}." for a in openers for b in closers)

    def debrief(text: str) -> dict[str, object]:
        view = service.start("spotify", ["hiring_manager"], seed=3)
        while not view.finished:
            assert view.prompt is not None
            view = service.answer(view.session_id, text if view.prompt["kind"] == "question" else "/skip")
        assert view.debrief is not None and view.debrief["committee"] is not None
        return view.debrief["committee"]

    concise = debrief(SCRIPTED["hiring_manager"]["strong"])
    verbose = debrief(f"{SCRIPTED['hiring_manager']['strong']} {padding}")
    assert concise["discount"] == 0 and not concise["over_explained"]
    assert verbose["discount"] > 0 and verbose["over_explained"]


def test_loops_command_lists_variants_sources_and_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    from interviewer.cli import main

    assert main(["loops"]) == 0
    out = capsys.readouterr().out
    assert "--variant four_interviews" in out and "--variant five_rounds" in out
    assert "Hiring committee" in out and "project defaults" in out and "002:27" in out
    assert main(["loops", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["companies"]["spotify"]["variants"]


def test_knowledge_readme_tables_every_loop_stage_with_its_source() -> None:
    text = (SOURCE_ROOT / "knowledge" / "README.md").read_text()
    for loop in LOOPS.companies.values():
        for variant in loop.variants.values():
            for stage in variant.stages:
                assert stage.name.split(": ")[-1].lower() in text.lower(), stage.name


@pytest.mark.parametrize(("company", "stage", "first_line"), [
    # the stage's name already says who: "Stage 2: hiring manager with the hiring manager" once
    ("spotify", "hiring_manager", "**Stage 2: hiring manager** ("),
    # an acronym in the interviewer's title stays upper case: "the ML engineering lead", not "ml"
    ("generic", "technical_deep_dive", "**Technical deep dive** with the ML engineering lead ("),
])
def test_a_round_opens_by_naming_who_asks_once(service: InterviewService, company: str, stage: str,
                                               first_line: str) -> None:
    view = service.start(company, [stage], seed=1)
    assert view.transcript[0]["text"].startswith(first_line), view.transcript[0]["text"]
