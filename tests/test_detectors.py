"""The sentence-level element detectors: what they recognise, how they are trained and shipped."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from interviewer.bank import load_bank
from interviewer.cli import main
from interviewer.embeddings import PINNED_MINILM_NAME, model_name, shared_minilm
from interviewer.offline.detectors import (
    ARTEFACT,
    FEATURES,
    ElementDetectors,
    inputs_hash,
    load_detectors,
    packaged_sentence_model,
)
from interviewer.offline.scorer import score_answer
from interviewer.offline.text import split_sentences
from interviewer.offline.training import SENTENCES_DIR, features_for, load_labelled, train
from interviewer.rubric import load_rubric
from interviewer.settings import Settings

SETTINGS = Settings()
TUNING = load_rubric(SETTINGS.rubric_path).offline


def _shown(text: str, dimension: str, experience: bool = False) -> set[str]:
    dims, _, _ = score_answer(text, [dimension], experience=experience, tuning=TUNING)
    return {e["element"] for e in dims[0]["shown"]}


def test_the_shipped_artefact_was_trained_on_the_files_in_the_repository() -> None:
    """A label or cue change without `interviewer detectors train` fails here, not silently in use."""
    detectors = load_detectors()
    inputs = [SENTENCES_DIR / "answers.jsonl", *sorted(SENTENCES_DIR.glob("labels_*.jsonl"))]
    assert detectors.version == inputs_hash(inputs, PINNED_MINILM_NAME), "run `interviewer detectors train`"
    assert detectors.meta["embedding"] == PINNED_MINILM_NAME
    assert detectors.meta["features"] == FEATURES
    assert ARTEFACT.stat().st_size < 200_000  # small enough to ship in the package
    trained = [e for e, r in detectors.meta["elements"].items() if r["trained"]]
    assert set(trained) == set(detectors.models) and len(trained) >= 30


@pytest.mark.parametrize("text", [
    "The cost is that the tile takes a slot that earns 4% of plays, so it has to beat that to stay.",
    "I'd give up some freshness in exchange for lower serving cost, because most plays come from "
    "titles older than a week.",
])
def test_a_trade_off_in_plain_words_is_recognised(text: str) -> None:
    assert {"tension_named", "both_sides_concrete"} & _shown(text, "trade_offs")


@pytest.mark.parametrize("text", [
    "We will have a rollback plan and guardrails, and we will monitor latency closely.",
    "There are trade-offs around latency, cold start and retention that we would balance carefully.",
])
def test_vocabulary_without_a_decision_is_not_a_trade_off(text: str) -> None:
    shown = _shown(text, "trade_offs")
    assert not {"both_sides_concrete", "decision_rule", "reasoned_decision"} & shown, shown


def _impact(text: str, experience: bool) -> int:
    dims, _, _ = score_answer(text, ["impact_narrative"], experience=experience, tuning=TUNING)
    return int(dims[0]["score"])


@pytest.mark.parametrize("text", [
    "We moved the downloads button to the top of the episode page. Listeners found their offline episodes "
    "faster and fewer of them gave up on the app during commutes.",
    "The redesign was a success: members told us browsing felt less cluttered and they started more titles "
    "from the home page.",
    "I'd expect the new shelf to reduce early cancellations, because new members would find something to "
    "watch in their first week.",
    "Personalising the artwork risks members feeling misled when the image oversells a slow drama, and that "
    "costs us their trust.",
])
@pytest.mark.parametrize("experience", [True, False])
def test_an_outcome_named_without_a_number_is_level_2_on_impact(text: str, experience: bool) -> None:
    """The contract's level 2: "a user or business outcome is named but not quantified"; achieved,
    expected or put at risk, it is neither missed (1) nor read as quantified (3)."""
    assert _impact(text, experience) == 2


@pytest.mark.parametrize("text", [
    "I worked on the ranking model for the home page and improved NDCG by 4%.",
    "I led a team of five engineers and we met every two weeks to plan the roadmap.",
    "Parents kept telling us the kids' home screen was a mess, so I wrote a spec and we built a new one "
    "in six weeks.",
])
def test_activity_model_metrics_or_a_problem_alone_are_no_outcome(text: str) -> None:
    """Level 1: "no outcome, or only model/technical metrics or activity"; the problem a story
    starts from is not what the work changed."""
    assert _impact(text, experience=True) == 1


def test_evidence_is_the_sentences_the_detectors_fired_on() -> None:
    text = ("Members kept abandoning the row after two scrolls. I chose to cut it to ten titles, accepting "
            "fewer impressions per session, because completions mattered more to us than breadth. "
            "Starts per member rose 3% over six weeks.")
    dims, _, _ = score_answer(text, ["trade_offs", "impact_narrative"], experience=True, tuning=TUNING)
    sentences = {s.text for s in split_sentences(text)}
    for dim in dims:
        assert dim["evidence"] and all(q in sentences for q in dim["evidence"]), dim


def test_training_is_deterministic_and_reports_held_out_quality() -> None:
    """The same files give the same artefact whatever BLAS threading the machine would give it: at
    full size, one thread against two moved weights by 1e-3 and core_clear's threshold 0.825 -> 0.85."""
    data = load_labelled(SENTENCES_DIR, load_bank(SETTINGS.questions_path))
    rows = features_for(data, shared_minilm())
    two = replace(data, labels=[labels & {"both_sides_concrete", "core_clear"} for labels in data.labels])
    with threadpool_limits(limits=1):
        first, report = train(two, rows, version="t", embedding="test")
    with threadpool_limits(limits=2):
        second, _ = train(two, rows, version="t", embedding="test")
    assert set(first.models) == set(second.models) == {"both_sides_concrete", "core_clear"}
    for element, model in first.models.items():
        assert np.array_equal(model.coef, second.models[element].coef)
        assert model.threshold == second.models[element].threshold
        assert 0 < report["elements"][element]["precision"] <= 1 and report["elements"][element]["recall"] > 0


def test_a_saved_artefact_loads_back_identically(tmp_path: Path) -> None:
    detectors = load_detectors()
    detectors.save(tmp_path / "d.npz")
    again = load_detectors(tmp_path / "d.npz")
    assert isinstance(again, ElementDetectors) and again.version == detectors.version
    rows = np.random.default_rng(0).normal(size=(5, FEATURES)).astype(np.float32)
    for element in detectors.models:
        assert np.allclose(detectors.fire(rows)[element], again.fire(rows)[element])


def test_a_missing_artefact_names_the_command_that_builds_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="interviewer detectors train"):
        load_detectors(tmp_path / "absent.npz")


def test_the_report_command_prints_precision_and_recall_per_element(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["detectors", "report"]) == 0
    out = capsys.readouterr().out
    assert "held-out" in out or "cross-validation" in out
    header = next(line for line in out.splitlines() if line.startswith("element"))
    assert header.split()[-3:] == ["P", "R", "F1"]
    for element in packaged_sentence_model().detectors.models:  # type: ignore[union-attr]
        assert any(line.startswith(element + " ") for line in out.splitlines()), element


def _every_labelled_text() -> list[str]:
    """Every answer the repository labels, plus the injection battery's texts."""
    import json

    import yaml

    texts: list[str] = []
    for path in [*Path("evals/golden").glob("*.jsonl"), *sorted(Path("evals/dev").glob("*.jsonl")),
                 Path("knowledge/anchors.jsonl"), Path("evals/sentences/answers.jsonl")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts.append(str(record.get("answer", "")))
    battery = yaml.safe_load(Path("tests/fixtures/injections.yaml").read_text(encoding="utf-8"))
    texts.extend(str(v) for v in _strings(battery))
    return [t for t in texts if t]


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def test_the_fast_cue_engine_finds_exactly_what_python_re_finds() -> None:
    """RE2 stands in for re on plain text only where both give the same matches: every cue, on every
    labelled answer gives the same match spans."""
    from interviewer.offline import text as t

    cues = {name: value for name, value in vars(t).items() if isinstance(value, t.Cue)}
    fast = {name: cue for name, cue in cues.items() if cue._fast is not None}
    assert len(fast) >= 50, "most cue families should run on RE2"
    plain = [text for text in _every_labelled_text() if not t._RE2_UNSAFE.search(text)]
    assert len(plain) > 0.9 * len(_every_labelled_text())  # curly quotes and dashes stay on the fast path
    for name, cue in fast.items():
        for text in plain:
            spans = [m.span() for m in cue._re.finditer(text)]
            assert [m.span() for m in cue._fast.finditer(text)] == spans, (name, text)
    # a cue only partly suited to RE2 (the grader-directed text) answers "any match?" as re does
    split = {name: cue for name, cue in cues.items() if cue._fast_part is not None}
    assert "INJECTION" in split
    for name, cue in split.items():
        for text in plain:
            assert (cue.search(text) is None) == (cue._re.search(text) is None), (name, text)


@pytest.mark.parametrize("text, pattern, found", [
    ("a naïve ranking", r"\bve\b", False),  # re's \b knows ï is a letter; RE2's does not
    ("retention rose 4\u00a0% in a week", r"\d\s%", True),  # a no-break space is \s to re only
    ("١٢ users", r"\d+ users", True),  # Arabic-Indic digits are \d to re only
])
def test_text_outside_plain_ascii_is_matched_with_python_re_semantics(text: str, pattern: str, found: bool) -> None:
    """Where the engines would disagree, the cue answers as Python's re does."""
    from interviewer.offline.text import Cue

    assert (Cue(pattern).search(text) is not None) is found


VACUOUS_RULES = ["If the test is successful we ship, otherwise we iterate.",
                 "If results come back positive, we roll it out to everyone; if not, we try another idea.",
                 "If it works, we launch it in every market.", "If it’s a success, we ship.",
                 "If all goes well, we launch in every market.", "We ship if the test comes back positive.",
                 # a span of time is not a result the condition tests
                 "If the results look good after two weeks, we ship.",
                 "If the test goes well over the next month, we ship.",
                 # the other branch of an empty rule, with a sentence (and an "if" that is no rule) between them
                 "If it works, we ship. We'd watch retention. If not, we roll back.",
                 "If it works, we ship. We'd check if buffering changed. Otherwise we don't ship."]
RULE_BASE = ("Members on slow connections gave up on the preview before it loaded. I'd test a lighter preview "
             "with streaming hours per member as the primary metric and playback start time as a guardrail.")


@pytest.mark.parametrize("sentences", ["packaged", None], ids=["classifiers", "cue patterns"])
@pytest.mark.parametrize("rule", VACUOUS_RULES)
def test_a_rule_that_names_no_result_earns_no_rule(rule: str, sentences: str | None) -> None:
    """"Ship if it's successful" says nothing about what result ships it: not a decision rule or a
    ship rule, from the classifiers or the cue patterns, and never quoted as one."""
    dimensions = ["trade_offs", "experimentation"]
    before, _, _ = score_answer(RULE_BASE, dimensions, experience=False, tuning=TUNING, sentences=sentences)
    after, _, _ = score_answer(f"{RULE_BASE} {rule}", dimensions, experience=False, tuning=TUNING,
                               sentences=sentences)
    assert [d["score"] for d in after] == [d["score"] for d in before]
    credited = [(q["element"], q["quote"]) for dim in after for q in dim["shown"]
                if q["element"] in ("decision_rule", "ship_rule")]
    assert not any(quote in rule for _, quote in credited), credited


@pytest.mark.parametrize("sentences", ["packaged", None], ids=["classifiers", "cue patterns"])
@pytest.mark.parametrize("rule", [
    "If negative reviews from creators exceed what we see today, we pause the launch.",
    "We'd ship only if it works on low-end TVs without raising start-up delay above today's level.",
    "If it looks good on the guardrail, meaning no more buffering than control, we ship.",
    "If completion drops below control, we roll back. That keeps us honest. If not, we ship it to everyone.",
    # an empty "if" beside a real one, a definition after a comma, a span of time beside a figure
    "We roll back if buffering rises above 1%, and ship if it's a success.",
    "If the results look good, I mean streaming hours up at least 2%, we ship.",
    "If the test is successful with a 2% lift in hours after a full week, we ship.",
    "If it works, we ship. If not, we roll back only if start-up delay rises above 2 seconds.",
    # a bar or a metric anywhere after the empty words: "stays under", "over control", "as long as"
    "If the test is successful and rebuffering stays under today's level, we ship.",
    "If the test wins with completion over control, we ship.",
    "If the new autoplay works, we ship, but we roll back if complaints go up.",
    "If it's a win, we ship, as long as rebuffering stays under 1%.",
    "If the test is successful on hours per member, we ship, otherwise we roll back.",
    "If the pilot works, we'll launch it, unless skips go up.",
])
def test_a_rule_with_a_result_to_clear_still_counts_in_plain_words(rule: str, sentences: str | None) -> None:
    """Words that also open an empty condition ("if negative", "if it works", "if not") do not void
    a rule that names the bar it must clear."""
    dimensions = ["trade_offs", "experimentation"]
    before, _, _ = score_answer(RULE_BASE, dimensions, experience=False, tuning=TUNING, sentences=sentences)
    after, _, _ = score_answer(f"{RULE_BASE} {rule}", dimensions, experience=False, tuning=TUNING,
                               sentences=sentences)
    assert sum(d["score"] for d in after) > sum(d["score"] for d in before)
    credited = [q["quote"] for d in after for q in d["shown"] if q["element"] in ("decision_rule", "ship_rule")]
    assert any(quote in rule for quote in credited), credited


def _write_sentences(folder: Path, answers: list[dict[str, object]], labels: dict[str, list[str]]) -> Path:
    import json

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "answers.jsonl").write_text("".join(json.dumps(a) + "\n" for a in answers), encoding="utf-8")
    (folder / "labels_all.jsonl").write_text("".join(json.dumps({"sid": s, "elements": e}) + "\n"
                                                     for s, e in labels.items()), encoding="utf-8")
    return folder


def _answer(answer_id: str, texts: list[str], **extra: object) -> dict[str, object]:
    return {"answer_id": answer_id, "question": "How would you rank the home page?",
            "sentences": [{"sid": f"{answer_id}#{i}", "text": text} for i, text in enumerate(texts)], **extra}


@pytest.mark.parametrize(("labelled_for", "labels", "problem"), [
    (["trade_offs", "tone"], [], "labelled_for must list dimensions: tone"),
    ([], [], "labelled_for must list dimensions: none given"),
    (["three_c"], ["decision_rule"], "labels for trade_offs, which its answer is not labelled for \\(decision_rule\\)"),
    ("trade_offs", [], "labelled_for: Input should be a valid array"),
    (3, [], "labelled_for: Input should be a valid array"),
    ([3], [], "labelled_for.0: Input should be a valid string"),
])
def test_an_answer_labelled_for_some_dimensions_is_checked_line_by_line(
        tmp_path: Path, labelled_for: object, labels: list[str], problem: str) -> None:
    from interviewer.errors import DataFileError

    folder = _write_sentences(tmp_path, [_answer("ok", ["Fine."]), _answer("x", ["We cap it at 5%."],
                                                                           labelled_for=labelled_for)],
                              {"ok#0": [], "x#0": labels})
    with pytest.raises(DataFileError, match=problem) as error:
        load_labelled(folder, load_bank(SETTINGS.questions_path))
    assert error.value.line == 2 and error.value.path.name == "answers.jsonl"


@pytest.mark.parametrize(("answers_text", "labels_text", "where", "problem"), [
    ('{"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#0", "text": "F."}]}\n\n{"answer_id": "b"',
     '{"sid": "a#0", "elements": []}\n', "answers.jsonl:3", "Invalid JSON"),
    ('{"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#0", "text": "Fine."}]}\n'
     '{"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#1", "text": "Again."}]}\n',
     '{"sid": "a#0", "elements": []}\n{"sid": "a#1", "elements": []}\n',
     "answers.jsonl:2", "answer_id a is already used on line 1"),
    ('{"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#0", "text": "Fine."}]}\n'
     '{"answer_id": "b", "question": "Q?", "sentences": [{"sid": "a#0", "text": "Again."}]}\n',
     '{"sid": "a#0", "elements": []}\n', "answers.jsonl:2", "sid a#0 is already used on line 1"),
    ('{"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#0"}]}\n', '{"sid": "a#0", "elements": []}\n',
     "answers.jsonl:1", "sentences.0.text: Field required"),
    ('', '{"sid": "a#0", "elements": "core_clear"}\n', "labels_all.jsonl:1", "elements: Input should be a valid array"),
    ('', '{"sid": "a#0", "elements": ["core_clear", "grit"]}\n', "labels_all.jsonl:1", "unknown element\\(s\\): grit"),
    # a misspelt field or sid must not pass quietly as "every dimension" or as a lost label
    ('{"answer_id": "a", "question": "Q?", "labeled_for": ["three_c"], "sentences": [{"sid": "a#0", "text": "F."}]}\n',
     '{"sid": "a#0", "elements": []}\n', "answers.jsonl:1", "labeled_for: Extra inputs are not permitted"),
    ('{"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#0", "text": "Fine."}]}\n',
     '{"sid": "a#0", "elements": []}\n{"sid": "a#O", "elements": ["decision_rule"]}\n',
     "labels_all.jsonl:2", "sid a#O is not a sentence in answers.jsonl"),
    ('{"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#0", "text": "Fine."}]}\n',
     '{"sid": "a#0", "elements": []}\n{"sid": "a#0", "elements": ["decision_rule"]}\n',
     "labels_all.jsonl:2", "sid a#0 is already labelled on line 1"),
    ('{"answer_id": "a", "question": "Q?", "sentences": []}\n', '', "answers.jsonl:1", "sentences: List should have"),
    ('{"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#0", "text": ""}]}\n',
     '{"sid": "a#0", "elements": []}\n', "answers.jsonl:1", "sentences.0.text: String should have at least 1"),
])
def test_a_malformed_sentence_file_names_the_file_line_and_field(
        tmp_path: Path, answers_text: str, labels_text: str, where: str, problem: str) -> None:
    """A blank line is skipped; anything else wrong is a message, never a stack trace."""
    from interviewer.errors import DataFileError

    tmp_path.joinpath("answers.jsonl").write_text(answers_text, encoding="utf-8")
    tmp_path.joinpath("labels_all.jsonl").write_text(labels_text, encoding="utf-8")
    with pytest.raises(DataFileError, match=problem) as error:
        load_labelled(tmp_path, load_bank(SETTINGS.questions_path))
    assert str(error.value).startswith(str(tmp_path / where))


def test_a_sentence_file_reads_as_written_or_says_why_not(tmp_path: Path) -> None:
    """A byte-order mark and a line separator inside a text (valid JSONL) load; a missing file or
    bytes that are not UTF-8 are a file:line message, not a stack trace."""
    import json

    from interviewer.errors import DataFileError

    answer = {"answer_id": "a", "question": "Q?", "sentences": [{"sid": "a#0", "text": "One\u2028two."}]}
    tmp_path.joinpath("answers.jsonl").write_text("\ufeff" + json.dumps(answer, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
    tmp_path.joinpath("labels_all.jsonl").write_text('{"sid": "a#0", "elements": []}\n', encoding="utf-8")
    assert load_labelled(tmp_path, load_bank(SETTINGS.questions_path)).texts == ["One\u2028two."]
    tmp_path.joinpath("labels_all.jsonl").write_bytes(b'{"sid": "a#0", "elements": []}\n{"sid": "\xff"}\n')
    with pytest.raises(DataFileError, match="not UTF-8") as error:
        load_labelled(tmp_path, load_bank(SETTINGS.questions_path))
    assert error.value.line == 2
    tmp_path.joinpath("labels_all.jsonl").write_text('{"sid": "a#0", "elements": []}\n', encoding="utf-8")
    tmp_path.joinpath("answers.jsonl").unlink()
    with pytest.raises(DataFileError, match=r"answers\.jsonl: file not found"):
        load_labelled(tmp_path, load_bank(SETTINGS.questions_path))


def test_an_element_learns_only_from_sentences_labelled_for_its_dimension(tmp_path: Path) -> None:
    """Sentences labelled for three_c alone say nothing about decision rules: counted as negatives,
    they would teach the classifier that the rules among them are not rules."""
    rng = np.random.default_rng(7)
    rule, other = rng.normal(size=FEATURES), rng.normal(size=FEATURES)
    answers, labels, rows = [], {}, []
    for n in range(40):
        partial = n % 2 == 1  # every other answer is labelled for three_c only: its rules carry no label
        answers.append(_answer(f"a{n}", ["rule", "other"], **({"labelled_for": ["three_c"]} if partial else {})))
        labels |= {f"a{n}#0": [] if partial else ["decision_rule"], f"a{n}#1": []}
        rows += [rule + rng.normal(scale=0.8, size=FEATURES), other + rng.normal(scale=0.8, size=FEATURES)]
    data = load_labelled(_write_sentences(tmp_path, answers, labels), load_bank(SETTINGS.questions_path))
    features = np.array(rows, dtype=np.float32)
    with threadpool_limits(limits=1):
        detectors, report = train(data, features, version="t", embedding="test")
    assert report["elements"]["decision_rule"]["positives"] == 20
    fired = detectors.fire(features)["decision_rule"] > 0
    assert fired[0::2].all() and not fired[1::2].any()  # the unlabelled rules too, and no other sentence


def test_vectors_of_another_onnx_file_go_by_another_name(tmp_path: Path) -> None:
    """The detectors check the encoder's name: an overridden model folder with a different file once
    shared the pinned export's name, so `detectors train` on it made an artefact scored with other vectors."""
    from interviewer.embeddings import find_minilm_files

    pinned, _ = find_minilm_files()
    assert model_name(pinned) == PINNED_MINILM_NAME == shared_minilm().name
    other = tmp_path / "model.onnx"
    other.write_bytes(pinned.read_bytes()[:-1] + b"\x00")
    assert model_name(other).startswith(PINNED_MINILM_NAME + ":") and model_name(other) != PINNED_MINILM_NAME
