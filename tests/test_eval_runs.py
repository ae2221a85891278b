"""`interviewer eval`, `eval compare` and `calibrate` end to end, on real golden files and a real index."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from interviewer.bank import load_bank
from interviewer.cli import main
from interviewer.evaluation.commands import publishable
from interviewer.offline.detectors import packaged_detectors
from interviewer.offline.training import SENTENCES_DIR, answer_folds, load_labelled
from interviewer.rubric import load_rubric
from interviewer.settings import SOURCE_ROOT, Settings
from tests.conftest import subprocess_env
from tests.openai_server import ScriptedServer
from tests.test_llm_engine import is_judge, responder

GOLDEN = SOURCE_ROOT / "evals" / "golden"
RUBRIC = Settings().rubric_path
CORE = ("impact_narrative", "trade_offs", "three_c", "parl")


def small_golden(tmp_path: Path, answers: int = 3, pairs: int = 1) -> Path:
    """A few records of the calibration part: enough to exercise every code path quickly."""
    lines = (GOLDEN / "calibration.jsonl").read_text(encoding="utf-8").splitlines()
    picked = [x for x in lines if '"kind": "pair"' not in x][:answers]
    picked += [x for x in lines if '"kind": "pair"' in x][:pairs]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(picked) + "\n", encoding="utf-8")
    return path


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def eval_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    """The CLI's settings point at a private data directory with the shared index copied in."""
    for key in ("INTERVIEWER_INTERVIEWER_MODEL", "INTERVIEWER_JUDGE_MODEL", "INTERVIEWER_LLM_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture(scope="module")
def test_part_run(tmp_path_factory: pytest.TempPathFactory, data_template: Path) -> tuple[dict[str, Any], Path]:
    """The acceptance command, run once: the offline engine on the golden test part."""
    data = tmp_path_factory.mktemp("eval-data")
    shutil.copytree(data_template, data, dirs_exist_ok=True)
    out = tmp_path_factory.mktemp("eval-out")
    return _offline_eval("evals/golden/test.jsonl", data, out), out


def _offline_eval(golden: str, data: Path, out: Path) -> dict[str, Any]:
    """`interviewer eval <golden> --engine offline --json --out <out>` in a subprocess; its summary."""
    result = subprocess.run(
        [sys.executable, "-m", "interviewer.cli", "eval", golden, "--engine", "offline", "--json", "--out", str(out)],
        env=subprocess_env(data), capture_output=True, text=True, timeout=900, cwd=SOURCE_ROOT)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_substance_gap_on_the_contrast_set(tmp_path: Path, data_template: Path) -> None:
    """Plain-word substance must outscore fluent vocabulary: on the contrast development set, answers
    labelled 3-4 on trade_offs and three_c score at least the floor (a full level is the bar) above
    answers labelled 1-2."""
    gate = yaml.safe_load((SOURCE_ROOT / "evals" / "quality_bar.yaml").read_text())["substance"]
    data = tmp_path / "data"
    shutil.copytree(data_template, data)
    _offline_eval(gate["file"], data, tmp_path / "out")
    items = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    gaps = {}
    for dim in gate["dimensions"]:
        floor = gate["floors"].get(dim, gate["bar"])
        strong = [i["scores"][dim] for i in items if i["labels"].get(dim, 0) >= 3]
        weak = [i["scores"][dim] for i in items if 0 < i["labels"].get(dim, 0) <= 2]
        assert len(strong) >= 10 and len(weak) >= 10, dim
        gaps[dim] = round(sum(strong) / len(strong) - sum(weak) / len(weak), 3)
        assert gaps[dim] >= floor, f"{dim}: strong answers only {gaps[dim]} above fluent ones"
    reached = [dim for dim, gap in gaps.items() if gap >= gate["bar"] and dim in gate["floors"]]
    assert not reached, f"these dimensions now reach the bar; delete their floors in quality_bar.yaml: {reached}"


def test_eval_json_has_every_figure(test_part_run: tuple[dict[str, Any], Path]) -> None:
    summary, _ = test_part_run
    assert summary["engine"] == "offline" and summary["rubric_version"] == load_rubric(RUBRIC).version
    records = (GOLDEN / "test.jsonl").read_text(encoding="utf-8").splitlines()
    assert summary["n"] == len(records)
    for dim in CORE:
        figures = summary["dimensions"][dim]
        assert set(figures) >= {"qwk", "qwk_ci", "exact", "within1", "mae", "smd", "spearman", "n", "confusion"}
        lo, hi = figures["qwk_ci"]
        assert lo <= figures["qwk"] <= hi and figures["n"] >= 40
        assert sum(map(sum, figures["confusion"])) == figures["n"]
    assert set(summary["overall"]) >= {"qwk", "exact", "within1"}
    assert summary["pairs"]["n"] >= 10 and 0 <= summary["pairs"]["accuracy"] <= 1
    assert summary["gaming"]["n"] >= 10 and summary["injection"]["n"] >= 5
    config = summary["config"]
    assert config["rubric_hash"] and config["git_commit"] and config["golden_files"][0]["sha256"]
    # which trained element detectors produced the scores
    assert config["detectors"]["version"] == packaged_detectors().version
    assert config["detectors"]["artefact_sha256"]


def test_eval_writes_reports_and_items(test_part_run: tuple[dict[str, Any], Path]) -> None:
    summary, out = test_part_run
    items = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(items) == summary["n"]
    answer = next(i for i in items if i["kind"] == "answer" and i["scores"]["impact_narrative"] >= 3)
    assert all(q in answer["answer"] for q in answer["evidence"]["impact_narrative"])
    assert answer["evidence"]["impact_narrative"] and set(answer["scores"]) == set(answer["labels"])
    pair = next(i for i in items if i["kind"] == "pair")
    assert {"scores", "weighted", "evidence"} <= set(pair["better"]) and isinstance(pair["correct"], bool)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "## Agreement with the raters" in markdown and "| trade_offs |" in markdown
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 1 + len(CORE) and "confusion matrix trade_offs" in html
    assert json.loads((out / "run.json").read_text())["bar"] == summary["bar"]


def test_malformed_line_stops_with_file_and_line(tmp_path: Path, eval_env: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = small_golden(tmp_path, answers=2, pairs=0)
    lines = path.read_text().splitlines()
    bad = json.loads(lines[1])
    bad["scores"]["trade_offs"] = 7
    path.write_text(lines[0] + "\n" + json.dumps(bad) + "\n")
    code, out, err = run_main(["eval", str(path), "--json"], capsys)
    assert code == 2 and out == ""
    assert f"{path}:2: scores.trade_offs: Input should be less than or equal to 4" in err


def test_llm_eval_rerun_makes_no_model_calls(tmp_path: Path, eval_env: Path, server: ScriptedServer,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    server.responder = responder
    monkeypatch.setenv("INTERVIEWER_INTERVIEWER_MODEL", "scripted-judge")
    monkeypatch.setenv("INTERVIEWER_LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("INTERVIEWER_LLM_API_KEY", "sk-test")
    golden = small_golden(tmp_path, answers=3, pairs=1)
    args = ["eval", str(golden), "--engine", "llm", "--json", "--repeats", "2"]
    code, out, _ = run_main([*args, "--out", str(tmp_path / "first")], capsys)
    first = json.loads(out)
    judged = [b for b in server.requests if is_judge(b)]
    assert code == 0 and len(judged) == len(server.requests) == 2 * (3 + 2)  # 2 repeats of 3 answers + 1 pair
    assert first["config"]["usage"]["model_calls"] == 10 and first["judge_fallbacks"] == 0
    assert first["config"]["models"]["judge"] == "scripted-judge" and "sk-test" not in out
    assert first["stability"]["repeats"] == 2 and first["stability"]["flip_rate"] == 0.0

    code, out, _ = run_main([*args, "--out", str(tmp_path / "second")], capsys)
    second = json.loads(out)
    assert code == 0 and len(server.requests) == 10, "an unchanged rerun must not call the model"
    assert second["config"]["usage"] == {**second["config"]["usage"], "model_calls": 0, "cache_hits": 10}
    assert second["dimensions"] == first["dimensions"]
    assert (tmp_path / "first" / "results.jsonl").read_text() == (tmp_path / "second" / "results.jsonl").read_text()

    bumped = tmp_path / "rubric.yaml"
    bumped.write_text(RUBRIC.read_text().replace('version: "', 'version: "9', 1))
    code, out, _ = run_main([*args, "--repeats", "1", "--rubric", str(bumped), "--out", str(tmp_path / "third")],
                            capsys)
    assert code == 0 and len(server.requests) == 15, "a new rubric version is a new cache key"


def test_compare_shows_metric_deltas_and_changed_items(tmp_path: Path, eval_env: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    golden = small_golden(tmp_path, answers=12, pairs=1)
    strict = tmp_path / "strict.yaml"
    text = RUBRIC.read_text()
    # a coach's edit: a trade-off now needs every element for any credit above 1 (and can reach only 2)
    strict.write_text(re.sub(r"(\n    trade_offs:\n      weights: \{[^}]*\}\n      thresholds: )\[[^\]]*\]",
                             r"\1[5.0, 5.5, 6.0]", text.replace("version: \"", "version: \"strict-", 1), count=1))
    assert load_rubric(strict).offline.dimensions["trade_offs"].thresholds == (5.0, 5.5, 6.0)
    assert run_main(["eval", str(golden), "--out", str(tmp_path / "a")], capsys)[0] == 0
    assert run_main(["eval", str(golden), "--rubric", str(strict), "--out", str(tmp_path / "b")], capsys)[0] == 0
    code, out, _ = run_main(["eval", "compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["b"]["rubric_version"].startswith("strict-")
    assert result["dimensions"]["trade_offs"]["qwk"]["delta"] is not None
    assert result["dimensions"]["impact_narrative"]["qwk"]["delta"] == 0
    changed = result["changed"]
    assert changed and all(c["dimension"] == "trade_offs" and c["b"] < c["a"] and c["b"] <= 2 for c in changed)
    assert all(c["a_evidence"] for c in changed) and result["changed_summary"]["scores"] == len(changed)
    code, text_out, _ = run_main(["eval", "compare", str(tmp_path / "a"), str(tmp_path / "b")], capsys)
    assert code == 0 and f"trade_offs: {changed[0]['a']} -> {changed[0]['b']}" in text_out
    assert "A evidence:" in text_out


def test_eval_scores_with_the_newest_published_rubric(tmp_path: Path, eval_env: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A coach who publishes a rubric version and then runs `interviewer eval` measures that version,
    as new sessions use it (eval once fell back to the packaged rubric)."""
    golden = small_golden(tmp_path, answers=12, pairs=0)
    published = eval_env / "rubrics" / "2099.01.0.yaml"
    published.parent.mkdir(parents=True, exist_ok=True)
    text = re.sub(r'^version: .*$', 'version: "2099.01.0"', RUBRIC.read_text(), count=1, flags=re.MULTILINE)
    published.write_text(re.sub(r"(\n    trade_offs:\n      weights: \{[^}]*\}\n      thresholds: )\[[^\]]*\]",
                                r"\1[5.0, 5.5, 6.0]", text, count=1), encoding="utf-8")
    assert load_rubric(published).offline.dimensions["trade_offs"].thresholds == (5.0, 5.5, 6.0)
    code, _, _ = run_main(["eval", str(golden), "--json", "--out", str(tmp_path / "run")], capsys)
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert code == 0 and run["config"]["rubric_version"] == "2099.01.0", run["config"]
    assert max(r["scores"]["trade_offs"] for r in map(json.loads, (tmp_path / "run" / "results.jsonl")
                                                       .read_text().splitlines())) <= 2


def test_calibrate_reports_cross_validation_and_writes_only_when_asked(
        tmp_path: Path, eval_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the calibration answers of one cross-fitting fold: calibrate refits the detectors once, not five times
    data = load_labelled(SENTENCES_DIR, load_bank(Settings().questions_path))
    _, held_out = answer_folds(data)[0]
    fold = {data.answer_ids[i] for i in held_out}
    lines = [x for x in (GOLDEN / "calibration.jsonl").read_text(encoding="utf-8").splitlines()
             if x.strip() and '"pair"' not in x and json.loads(x)["id"] in fold]
    assert len(lines) >= 30
    golden = tmp_path / "some.jsonl"
    golden.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rubric = tmp_path / "rubric.yaml"
    shutil.copy(RUBRIC, rubric)
    before = rubric.read_text()
    args = ["calibrate", str(golden), "--rubric", str(rubric), "--folds", "3"]
    code, out, _ = run_main([*args, "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and rubric.read_text() == before
    for part in ("current", "cross_validated", "fitted_in_sample"):
        assert set(result[part]) >= set(CORE) and all(0 <= result[part][d]["within1"] <= 1 for d in CORE)
    # a rubric whose trade_offs thresholds give every answer a 1: a refit must beat it out of sample
    offline = before.index("# --- offline scorer tuning")
    broken = before[:offline] + before[offline:].replace(
        "      thresholds: [1.0, 3.0, 4.0]\n    three_c:", "      thresholds: [5.0, 5.5, 6.0]\n    three_c:", 1)
    assert broken != before
    rubric.write_text(broken)
    code, out, _ = run_main([*args, "--write", "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["written_version"] and "trade_offs" in result["refitted_dimensions"]
    written = load_rubric(rubric)
    assert written.version != load_rubric(RUBRIC).version and "some.jsonl" in written.offline.fitted
    assert "refitted " + ", ".join(result["refitted_dimensions"]) in written.offline.fitted
    assert written.offline.dimensions["trade_offs"].thresholds != (5.0, 5.5, 6.0)
    # a dimension whose refit the folds do not confirm keeps its published numbers
    published = load_rubric(RUBRIC).offline.dimensions
    assert all(spec == published[d] for d, spec in written.offline.dimensions.items()
               if d not in result["refitted_dimensions"])
    after = rubric.read_text()
    assert after.split("# --- offline scorer tuning")[0].rstrip() == \
        before.split("# --- offline scorer tuning")[0].rstrip().replace(
            f'version: "{load_rubric(RUBRIC).version}"', f'version: "{written.version}"')
    # the freshly fitted numbers are not beaten by refitting them: nothing is written, and it says so
    code, out, _ = run_main([*args, "--write"], capsys)
    assert code == 1 and "does not improve the cross-validated figures" in out
    assert load_rubric(rubric).version == written.version


def test_calibrate_publishes_only_the_dimensions_whose_refit_holds_out_of_sample() -> None:
    current = load_rubric(RUBRIC).offline
    refit = {d: spec.model_copy(update={"thresholds": (0.5, 1.5, 2.5)}) for d, spec in current.dimensions.items()}
    fitted = current.model_copy(update={"dimensions": refit})

    def figures(qwk: float) -> dict[str, float]:
        return {"qwk": qwk, "within1": 0.95, "smd": 0.0}

    result = {"current": {"trade_offs": figures(0.60), "three_c": figures(0.75)},
              "cross_validated": {"trade_offs": figures(0.70), "three_c": figures(0.74)}}
    tuning, refitted = publishable(result, current, fitted)
    assert refitted == ["trade_offs"]
    assert tuning.dimensions["trade_offs"] == refit["trade_offs"]
    assert tuning.dimensions["three_c"] == current.dimensions["three_c"]
    # a new anchor weight moves every dimension: all of the refit or none of it, by the mean
    moved = fitted.model_copy(update={"anchor_weight": 0.5 if current.anchor_weight != 0.5 else 0.0})
    assert publishable(result, current, moved) == (moved, ["three_c", "trade_offs"])
    result["cross_validated"]["trade_offs"] = figures(0.61)
    assert publishable(result, current, moved)[1] == []


def test_quality_bar_on_the_test_part(test_part_run: tuple[dict[str, Any], Path]) -> None:
    """The release gate: the issue's bar, or the measured floor where the scorer is still short of it."""
    summary, _ = test_part_run
    gate = yaml.safe_load((SOURCE_ROOT / "evals" / "quality_bar.yaml").read_text())
    bar, floors = gate["bar"], gate["floors"]
    failures = []
    for dim in CORE:
        m, floor = summary["dimensions"][dim], floors.get(dim, {})
        if m["qwk"] < floor.get("qwk", bar["qwk"]):
            failures.append(f"{dim} QWK {m['qwk']} < {floor.get('qwk', bar['qwk'])}")
        if m["within1"] < floor.get("within1", bar["within1"]):
            failures.append(f"{dim} within-1 {m['within1']} < {floor.get('within1', bar['within1'])}")
        if abs(m["smd"]) > floor.get("abs_smd", bar["abs_smd"]):
            failures.append(f"{dim} |SMD| {abs(m['smd'])} > {floor.get('abs_smd', bar['abs_smd'])}")
    # every other dimension and the overall signal: no worse than the measured floor
    others = {d: summary["dimensions"][d] for d in summary["dimensions"] if d not in CORE}
    for dim, m in {**others, "overall": summary["overall"]}.items():
        floor = floors[dim]
        failures += [f"{dim} {key} {m[key]} < {floor[key]}" for key in ("qwk", "within1") if m[key] < floor[key]]
    if summary["pairs"]["accuracy"] < floors.get("pairs", bar["pairs"]):
        failures.append(f"pairwise accuracy {summary['pairs']['accuracy']}")
    failures += [f"pair {p} now wrong" for p in summary["pairs"]["wrong"] if p not in floors.get("pairs_wrong", [])]
    failures += [f"gaming answer {g} scored above 2" for g in summary["gaming"]["over_2"]
                 if g not in floors.get("gaming_over_2", [])]
    failures += [f"injection raised {i}" for i in summary["injection"]["raised"]]
    assert not failures, "the offline scorer regressed on the golden test part:\n" + "\n".join(failures)
    # a floor that the scorer now beats should be raised (or removed once the bar is reached)
    stale = [dim for dim in CORE for key in ("qwk", "within1") if key in floors.get(dim, {})
             and summary["dimensions"][dim][key] >= bar[key]]
    assert not stale, f"these dimensions now reach the bar; delete their floors in quality_bar.yaml: {stale}"
