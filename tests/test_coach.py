"""Coach tools: the rubric draft (check, diff, publish as a new version) and evals of a draft."""

from __future__ import annotations

from pathlib import Path

from interviewer.coach import check_draft, golden_files, publish_draft, run_draft_eval
from interviewer.rubric_store import RubricStore
from interviewer.service import InterviewService
from interviewer.settings import SOURCE_ROOT, Settings
from tests.conftest import SCRIPTED

CALIBRATION = SOURCE_ROOT / "evals" / "golden" / "calibration.jsonl"


def _small_golden(settings: Settings, records: int = 8) -> Path:
    """A few answers from the calibration part, in the data directory's golden folder."""
    lines = [x for x in CALIBRATION.read_text(encoding="utf-8").splitlines() if x.strip() and '"pair"' not in x]
    path = settings.data_dir / "golden" / "small.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines[:records]) + "\n", encoding="utf-8")
    return path


def test_a_draft_is_checked_with_the_line_of_its_problem(settings: Settings) -> None:
    store = RubricStore(settings)
    text = store.current_text()
    assert check_draft(store, text).ok and check_draft(store, text).diff == ""
    assert check_draft(store, text.rstrip("\n") + "\n\n  \n").diff == ""  # what editors add at the end
    broken = text.replace("probe_at: 2", "probe_at: seven")
    result = check_draft(store, broken)
    line = broken.splitlines().index("probe_at: seven") + 1
    assert not result.ok and f"line {line}:" in result.message
    locked = text.replace("No outcome, or only", "Nothing, or only", 1)
    assert locked != text
    result = check_draft(store, locked)
    assert not result.ok and "scoring contract" in result.message and "line " in result.message
    result = check_draft(store, text + "\nextra: [unclosed\n")
    assert not result.ok and "line " in result.message


def test_publishing_makes_a_new_version_that_new_sessions_use(settings: Settings, service: InterviewService) -> None:
    store = RubricStore(settings)
    before = store.current()
    underway = service.start("generic", [])  # a session already under way when the coach publishes
    service.answer(underway.session_id, SCRIPTED["recruiter_screen"]["weak"])
    draft = store.current_text().replace("probe_at: 2", "probe_at: 1")
    message, new_text = publish_draft(store, draft)
    published = store.current()
    assert published.version != before.version and published.probe_at == 1 and published.version in message
    assert len(store.versions()) == 2 and store.versions()[0] == settings.rubric_path  # nothing overwritten
    assert f'version: "{published.version}"' in new_text
    assert publish_draft(store, new_text)[0].startswith("Nothing to publish")
    # a draft opened before this publication would undo it: refused, with what to do
    stale = publish_draft(store, store.versions()[0].read_text(encoding="utf-8").replace("probe_at: 2", "probe_at: 3"))
    assert "Out of date" in stale[0] and store.current().version == published.version
    assert publish_draft(store, draft.replace("probe_at: 1", "probe_at: 9"))[0].startswith("**Not valid")
    assert store.current().version == published.version
    session = service.start("generic", [])
    service.answer(session.session_id, SCRIPTED["recruiter_screen"]["weak"])
    debrief = service.answer(session.session_id, "/end interview").debrief
    assert service.rubric.version == published.version and debrief and debrief["rubric_version"] == published.version
    # the session begun earlier keeps the rubric it started on, here and in a restarted app
    restarted = InterviewService(settings, retriever=service.retriever)
    for app in (service, restarted):
        kept = app.view(underway.session_id)
        assert kept.debrief is None or kept.debrief["rubric_version"] == before.version
    debrief = restarted.answer(underway.session_id, "/end interview").debrief
    assert debrief and debrief["rubric_version"] == before.version


def test_an_eval_of_the_draft_reports_the_bar_and_compares_with_the_published_run(
        settings: Settings, service: InterviewService) -> None:
    store = RubricStore(settings)
    golden = _small_golden(settings)
    label = f"data: {golden.name}"
    assert golden_files(settings)[label] == golden
    seen: list[tuple[int, int]] = []
    headline, metrics, chart, confusion, comparison = run_draft_eval(
        settings, store, store.current_text(), label, progress=lambda d, t: seen.append((d, t)))
    assert "Published rubric" in headline and seen[-1] == (8, 8)
    # the heatmap: per dimension, one row per rater level with the engine's counts, summing to the answers
    table = confusion.data
    trade_offs = table[table["dimension"] == "trade_offs"]
    assert list(trade_offs["rater"]) == [1, 2, 3, 4]
    assert int(trade_offs[["engine 1", "engine 2", "engine 3", "engine 4"]].to_numpy().sum()) == int(
        metrics.loc[metrics["dimension"] == "trade_offs", "n"].iloc[0])
    html = confusion.to_html()
    assert "background-color: rgba(37, 99, 235" in html and "outline: 2px solid" in html
    assert {"impact_narrative", "trade_offs", "three_c", "overall"} <= set(metrics["dimension"])
    assert all(b in {"meets", ""} or b.startswith("below: ") for b in metrics["bar"]) and not chart.empty
    draft = store.current_text().replace("      thresholds: [1.0, 3.0, 4.0]\n    three_c:",
                                         "      thresholds: [5.0, 5.5, 6.0]\n    three_c:", 1)
    assert draft != store.current_text()
    headline, metrics, _, _, comparison = run_draft_eval(settings, store, draft, label)
    assert headline.startswith("**Draft**") and "rubric " + store.current().version in comparison
    changed = [line for line in comparison.splitlines() if " trade_offs: " in line]
    moves = [(int(line.split("->")[0].split()[-1]), int(line.split("->")[1].split()[0])) for line in changed]
    assert moves and all(new < old for old, new in moves)  # the stricter thresholds only lower trade_offs


def test_golden_answers_are_browsed_and_filtered() -> None:
    from interviewer.coach import golden_table

    every = golden_table(str(CALIBRATION))
    assert len(every) > 100 and list(every.columns)[:3] == ["id", "round", "question"]
    culture = golden_table(str(CALIBRATION), dimension="culture")
    assert 0 < len(culture) < len(every) and all("culture" in labels for labels in culture["labels"])
    found = golden_table(str(CALIBRATION), text="cold start")
    assert 0 < len(found) < len(every)
    assert golden_table(str(CALIBRATION), text="zzqx nothing matches").empty


def test_a_session_answer_becomes_a_golden_record_in_the_contract_format(
        settings: Settings, service: InterviewService) -> None:
    import json

    from interviewer.coach import add_golden_record, label_rows, session_answers
    from interviewer.golden import load_golden

    view = service.start("spotify", ["recruiter_screen"])
    service.answer(view.session_id, SCRIPTED["recruiter_screen"]["strong"])
    (label, index), = session_answers(service, view.session_id)
    assert label.startswith("1. ")
    table = label_rows(service, view.session_id, index)
    assert set(table["dimension"]) >= {"impact_narrative", "parl"}
    table["your label (1-4)"] = 3
    assert "Not added" in add_golden_record(service, view.session_id, index, table, 3, "", "")  # no rater
    table.loc[0, "your label (1-4)"] = 7
    refused = add_golden_record(service, view.session_id, index, table, 3, "coach", "")
    assert refused.startswith("**Not added:**") and f"scores.{table.loc[0, 'dimension']}" in refused
    assert "(got 7)" in refused and "type=" not in refused  # plain words, not the validator's dump
    typed = table.astype({"your label (1-4)": object})  # what the page sends when a coach types words
    typed.loc[0, "your label (1-4)"] = "three"
    assert "whole number from 1 to 4" in add_golden_record(service, view.session_id, index, typed, 3, "coach", "")
    table.loc[0, "your label (1-4)"] = 2
    message = add_golden_record(service, view.session_id, index, table, 3, "coach", "strong story")
    assert message.startswith("Added")
    path = settings.data_dir / "golden" / "from-sessions.jsonl"
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert record["answer"] == SCRIPTED["recruiter_screen"]["strong"] and record["rater"] == "coach"
    assert load_golden([path]).answers[0].scores[table.loc[0, "dimension"]] == 2  # loads as golden data
    assert "already" in add_golden_record(service, view.session_id, index, table, 3, "coach", "")
    assert golden_files(settings)["data: from-sessions.jsonl"] == path


def test_with_logins_only_the_coach_may_use_the_coach_tools(tmp_path: Path, index: object) -> None:
    """A candidate's login is refused by every coach endpoint (a rubric check and a publish over the
    app's HTTP API); the coach's login is served, and a wrong password gets nothing."""
    import gradio_client
    import pytest
    from gradio_client.exceptions import AppError

    from interviewer.sessions import SqliteSessionStore
    from interviewer.webapp import build_app, check_login
    from tests.conftest import free_port

    settings = Settings(data_dir=tmp_path / "data", auth_username="candidate", auth_password="cand-pass",
                        coach_username="coach", coach_password="coach-pass")
    service = InterviewService(settings, retriever=index,  # type: ignore[arg-type]
                               store=SqliteSessionStore(settings.sessions_db))
    app = build_app(service)
    port = free_port()
    app.launch(server_port=port, prevent_thread_lock=True, auth=check_login(settings), quiet=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        published_before = sorted((settings.data_dir / "rubrics").glob("*"))
        draft = RubricStore(settings).current_text()
        candidate = gradio_client.Client(url, auth=("candidate", "cand-pass"), verbose=False)
        for endpoint in ("/rubric_check", "/rubric_publish"):
            with pytest.raises(AppError, match="coach's login"):
                candidate.predict(draft, api_name=endpoint)
        assert sorted((settings.data_dir / "rubrics").glob("*")) == published_before
        coach = gradio_client.Client(url, auth=("coach", "coach-pass"), verbose=False)
        verdict, diff = coach.predict(draft, api_name="/rubric_check")
        assert "coach's login" not in verdict and diff == ""
        with pytest.raises(Exception):  # noqa: B017 - gradio_client's login error type varies
            gradio_client.Client(url, auth=("coach", "wrong"), verbose=False)
    finally:
        app.close()


def test_a_dimension_below_the_bar_says_which_figure_unrounded() -> None:
    """Within-1 0.9497 shows as 0.95 in the table: "below" beside it once looked wrong (fresh-user review)."""
    from interviewer.coach import metrics_table

    figures = {"n": 40, "qwk": 0.81, "within1": 0.9497, "smd": 0.02, "mae": 0.4}
    summary = {"core": ["three_c", "trade_offs"], "bar": {"failures": ["three_c: within-1 0.9497 < 0.95"]},
               "dimensions": {"three_c": figures, "trade_offs": {**figures, "within1": 0.97}},
               "overall": {**figures, "within1": 0.99}}
    table = metrics_table(summary).set_index("dimension")
    assert table.loc["three_c", "within-1"] == 0.95
    assert table.loc["three_c", "bar"] == "below: within-1 0.9497 < 0.95"
    assert table.loc["trade_offs", "bar"] == "meets" and table.loc["overall", "bar"] == ""
