"""Agreement metrics and the golden-file reader: figures match hand calculations, bad lines are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.bank import infer_question_kind
from interviewer.errors import DataFileError
from interviewer.evaluation.metrics import agreement, qwk, qwk_interval, smd, spearman
from interviewer.golden import clean_twin_id, gaming_kind, load_golden

ANSWER = {"id": "a-1", "company": "netflix", "round": "product_case", "question": "How would you test it?",
          "answer": "I would run an A/B test.", "scores": {"impact_narrative": 2, "experimentation": 2},
          "overall": 2, "rater": "coach-a"}
PAIR = {"id": "p-1", "kind": "pair", "round": "recruiter_screen", "question": "Your proudest launch?",
        "worse": "I worked on recommendations.", "better": "Retention rose 2 points after my change.",
        "dimension": "impact_narrative"}


def test_qwk_matches_a_hand_calculation() -> None:
    assert qwk([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert qwk([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # one answer off by one: observed weighted disagreement 1/9; expected 8/9 from the marginals
    assert qwk([1, 2, 3, 4], [1, 2, 3, 3]) == pytest.approx(1 - (1 / 9) / (8 / 9))
    assert qwk([2, 2, 2], [2, 2, 2]) == 1.0  # one level used by both: perfect agreement


def test_bias_rank_and_interval() -> None:
    human = [1, 2, 2, 3, 3, 4, 4, 1]
    assert smd(human, [min(4, h + 1) for h in human]) > 0.5  # the scorer is generous
    assert smd(human, human) == 0.0
    assert spearman(human, human) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    lo, hi = qwk_interval(human, [1, 2, 3, 3, 3, 4, 3, 2], seed=3)
    point = qwk(human, [1, 2, 3, 3, 3, 4, 3, 2])
    assert lo <= point <= hi and (lo, hi) == qwk_interval(human, [1, 2, 3, 3, 3, 4, 3, 2], seed=3)
    figures = agreement([1, 2, 3, 4], [1, 3, 3, 2])
    assert figures["exact"] == 0.5 and figures["within1"] == 0.75 and figures["mae"] == 0.75
    assert figures["confusion"][1][2] == 1 and figures["confusion"][3][1] == 1 and figures["n"] == 4


def write_lines(path: Path, *lines: object) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def test_reads_answers_and_pairs(tmp_path: Path) -> None:
    folder = tmp_path / "golden"
    folder.mkdir()
    write_lines(folder / "a.jsonl", ANSWER, "", PAIR)
    write_lines(folder / "b.jsonl", {**ANSWER, "id": "a-2", "notes": "impact_narrative=2: named only"})
    golden = load_golden([folder])
    assert [a.id for a in golden.answers] == ["a-1", "a-2"] and [p.id for p in golden.pairs] == ["p-1"]
    assert golden.sources["p-1"].endswith("a.jsonl:3") and len(golden) == 3


@pytest.mark.parametrize(("line", "problem"), [
    ("{not json", "not valid JSON"),
    ('["a list"]', "each line must be one JSON object"),
    ({**ANSWER, "scores": {"impact_narrative": 5}}, "scores.impact_narrative: Input should be less than or equal to 4"),
    ({**ANSWER, "scores": {"impact_narrative": 0}}, "greater than or equal to 1"),
    ({**ANSWER, "scores": {"impact_narrative": "3"}}, "valid integer"),
    ({**ANSWER, "scores": {"charisma": 3}}, "'charisma' is not allowed"),
    ({**ANSWER, "scores": {}}, "scores"),
    ({k: v for k, v in ANSWER.items() if k != "rater"}, "missing field 'rater'"),
    ({k: v for k, v in ANSWER.items() if k != "overall"}, "missing field 'overall'"),
    ({**ANSWER, "round": "lunch"}, "'lunch' is not allowed"),
    ({**ANSWER, "company": "hulu"}, "'hulu' is not allowed"),
    ({**ANSWER, "scroes": {}}, "unknown field 'scroes'"),
    ({**PAIR, "kind": "triple"}, "unknown kind 'triple'"),
    ({k: v for k, v in PAIR.items() if k != "better"}, "missing field 'better'"),
    ({**PAIR, "better": PAIR["worse"]}, "worse and better are the same text"),
])
def test_a_bad_line_names_file_line_and_problem(tmp_path: Path, line: object, problem: str) -> None:
    path = write_lines(tmp_path / "golden.jsonl", ANSWER, PAIR, line)
    with pytest.raises(DataFileError) as err:
        load_golden([path])
    assert err.value.line == 3 and problem in err.value.problem, err.value.problem
    assert str(err.value).startswith(f"{path}:3: ")


def test_duplicate_ids_and_empty_files_are_errors(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "golden.jsonl", ANSWER, {**ANSWER, "answer": "other"})
    with pytest.raises(DataFileError, match=r"golden.jsonl:2: duplicate id 'a-1' \(first at .*:1\)"):
        load_golden([path])
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(DataFileError, match="holds no records"):
        load_golden([tmp_path / "empty.jsonl"])
    with pytest.raises(DataFileError, match="no such golden file"):
        load_golden([tmp_path / "missing.jsonl"])
    (tmp_path / "latin1.jsonl").write_bytes(json.dumps(ANSWER).encode() + b"\n\xff\xfe\n")
    with pytest.raises(DataFileError, match=r"latin1.jsonl:2: not valid UTF-8"):
        load_golden([tmp_path / "latin1.jsonl"])


def test_record_roles_come_from_ids_and_questions() -> None:
    assert clean_twin_id("gm-clean-03-inj") == "gm-clean-03" and clean_twin_id("gm-clean-03") is None
    assert gaming_kind("gm-salad-02") == "salad" and gaming_kind("sp-fluff-1") == "fluff"
    assert gaming_kind("nf-rh-001") is None and gaming_kind("saladbar-1") is None
    assert infer_question_kind("Tell me about a time you disagreed with data science.") == "experience"
    assert infer_question_kind("Walk me through an ML project you led end to end.") == "experience"
    assert infer_question_kind("Have you ever had to persuade leadership that a model gain mattered?") == "experience"
    assert infer_question_kind("How would you measure a new row on the home page?") == "case"
    assert infer_question_kind("What's the difference between engaging more and being better served? "
                               "Give me an example from Spotify.") == "case"


def _hand_qwk(human: list[int], scorer: list[int]) -> float:
    """The project's earlier hand-written QWK, kept here as the reference the library must match."""
    import numpy as np

    matrix = np.zeros((4, 4))
    for h, s in zip(human, scorer, strict=True):
        matrix[h - 1, s - 1] += 1
    idx = np.arange(4)
    weights = (idx[:, None] - idx[None, :]) ** 2 / 9
    expected = np.outer(matrix.sum(axis=1), matrix.sum(axis=0)) / matrix.sum()
    return float(1 - (weights * matrix).sum() / (weights * expected).sum())


def _hand_spearman(human: list[int], scorer: list[int]) -> float:
    import numpy as np

    def ranks(values: list[int]) -> np.ndarray:
        arr = np.asarray(values, dtype=float)
        order = arr.argsort(kind="mergesort")
        out = np.empty(len(arr))
        out[order] = np.arange(1, len(arr) + 1)
        for v in np.unique(arr):
            out[arr == v] = out[arr == v].mean()
        return out

    return float(np.corrcoef(ranks(human), ranks(scorer))[0, 1])


def test_library_agreement_figures_match_the_hand_written_ones() -> None:
    import random

    from interviewer.evaluation.metrics import agreement

    rng = random.Random(4)
    for _ in range(20):
        human = [rng.randint(1, 4) for _ in range(60)]
        scorer = [min(4, max(1, h + rng.choice([-1, 0, 0, 1, 2]))) for h in human]
        figures = agreement(human, scorer)
        assert figures["qwk"] == pytest.approx(_hand_qwk(human, scorer), abs=1e-4)
        assert figures["spearman"] == pytest.approx(_hand_spearman(human, scorer), abs=1e-4)
        assert sum(map(sum, figures["confusion"])) == 60
        assert figures["confusion"][human[0] - 1][scorer[0] - 1] >= 1
        lo, hi = figures["qwk_ci"]
        assert lo <= figures["qwk"] <= hi and hi - lo < 0.5


def test_the_vectorised_bootstrap_statistic_is_sklearns_kappa() -> None:
    import random

    import numpy as np

    from interviewer.evaluation.metrics import _qwk_rows, qwk

    rng = random.Random(9)
    rows = [[rng.randint(1, 4) for _ in range(30)] for _ in range(40)]
    other = [[min(4, max(1, v + rng.choice([-2, -1, 0, 1]))) for v in row] for row in rows]
    batch = _qwk_rows(np.array(rows), np.array(other))
    assert np.allclose(batch, [qwk(r, o) for r, o in zip(rows, other, strict=True)])
