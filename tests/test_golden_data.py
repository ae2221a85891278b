"""The project's golden set: valid, covering every level and round, and split by the documented rule."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from interviewer.golden import clean_twin_id, gaming_kind, load_golden
from interviewer.settings import SOURCE_ROOT

GOLDEN = SOURCE_ROOT / "evals" / "golden"
CORE = ("impact_narrative", "trade_offs", "three_c", "parl")
ALL = (*CORE, "experimentation", "ml_depth", "culture")


def expected_part(record_id: str) -> str:
    group = re.sub(r"-inj\d*$", "", record_id)
    return "test" if int(hashlib.sha256(group.encode()).hexdigest(), 16) % 2 else "calibration"


def test_every_record_sits_in_the_part_the_split_rule_gives() -> None:
    for part in ("calibration", "test"):
        golden = load_golden([GOLDEN / f"{part}.jsonl"])
        wrong = [r.id for r in [*golden.answers, *golden.pairs] if expected_part(r.id) != part]
        assert not wrong, f"{part}.jsonl holds records of the other part: {wrong}"


def test_coverage_of_levels_rounds_companies_and_pairs() -> None:
    golden = load_golden([GOLDEN])
    assert len(golden.answers) >= 200 and len(golden.pairs) >= 20
    levels = Counter((d, s) for a in golden.answers for d, s in a.scores.items())
    for dim in ALL:
        assert all(levels[(dim, level)] >= (15 if dim in CORE else 5) for level in (1, 2, 3, 4)), dim
    assert {a.round for a in golden.answers} == {"recruiter_screen", "hiring_manager", "product_case",
                                                 "technical_deep_dive", "culture"}
    assert {"netflix", "spotify"} <= {a.company for a in golden.answers}
    words = sorted(len(a.answer.split()) for a in golden.answers)
    assert words[0] <= 60 and words[-1] >= 400
    short_strong = [a for a in golden.answers if len(a.answer.split()) <= 110 and max(a.scores.values()) == 4]
    long_weak = [a for a in golden.answers if len(a.answer.split()) >= 250 and max(a.scores.values()) <= 2]
    assert len(short_strong) >= 5 and len(long_weak) >= 10


def test_every_label_has_its_note_and_gaming_records_are_labelled_low() -> None:
    golden = load_golden([GOLDEN])
    by_id = {a.id: a for a in golden.answers}
    for a in golden.answers:
        assert a.notes, a.id
        for dim, level in a.scores.items():
            assert re.search(rf"\b{dim}={level}\b", a.notes), f"{a.id}: no note for {dim}={level}"
        if gaming_kind(a.id):
            assert max(a.scores.values()) <= 2, a.id
        twin = clean_twin_id(a.id)
        if twin:
            assert by_id[twin].scores == a.scores and by_id[twin].overall == a.overall, a.id
            assert a.answer != by_id[twin].answer
    kinds = Counter(gaming_kind(a.id) for a in golden.answers)
    assert kinds["salad"] >= 10 and kinds["fluff"] >= 10
    assert sum(1 for a in golden.answers if clean_twin_id(a.id)) >= 15
