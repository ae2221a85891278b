"""The web app in a real browser: headless Chromium (Debian's package) driven by Playwright's client.

Each test starts `app.py` on a free port with its own data directory and writes a screenshot of
every step to test-artifacts/browser/. Skipped, with the reason printed, where Chromium or the
Playwright client is not installed (`./run test` installs both where it can).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interviewer.settings import SOURCE_ROOT
from tests.conftest import free_port, subprocess_env

pytestmark = pytest.mark.slow
ARTIFACTS = SOURCE_ROOT / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = ('<script>window.__pwned = 1</script> I led the launch. <img src=x onerror="window.__pwned = 2"> '
           "It cost 2*3*4 = 24 engineer-weeks and # is not a heading; [link](javascript:alert(1)) _kept_")
SPACED = ("My notes:  https://example.com/guide_v2.pdf?a=1&b=2 and www.spotify.com.\n"
          "Step 1.  Cut  the  scope;\n    indented four\n\tand a tab,\n\n\n  then ship it_now_ (v2.0).\n"
          "(see https://en.wikipedia.org/wiki/Foo_(bar)) https://x.com/q!x [y](https://ok.com)")
ANSWER = ("Listeners churned after their first week. I owned the onboarding ranker and chose a simpler model "
          "because our latency budget was 150 ms. 30-day retention rose 4%, about $3M a year. I learned to "
          "set the ship rule before the test.")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright's Python client is not installed (./run test installs it)")
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH: install Debian's `chromium` package (./run test does, as root)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, data_template: Path) -> Iterator[tuple[str, Path]]:
    """app.py serving on a free loopback port with a data directory of its own, shared by the
    module's tests as one server is shared by its users (each test is a browser of its own)."""
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(data_template, data_dir)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=SOURCE_ROOT,
                            env=subprocess_env(data_dir, INTERVIEWER_PORT=port),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited: {proc.stdout.read() if proc.stdout else ''}")
            if time.time() > deadline:
                proc.kill()
                pytest.fail("app.py did not serve the page within 180 s")
            time.sleep(0.5)
    yield url, data_dir
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def app_url(served: tuple[str, Path]) -> str:
    """The shared app's address."""
    return served[0]


@pytest.fixture
def app_data(served: tuple[str, Path]) -> Path:
    """The shared app's data directory."""
    return served[1]


class Page:
    """A candidate's tab: the steps the tests take, each followed by a screenshot."""

    def __init__(self, page: Any, name: str) -> None:
        self.page, self.name, self.step = page, name, 0

    def shot(self, what: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.step:02d}-{what}.png"), full_page=True)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.get_by_role("button", name="Start interview").wait_for()
        self.wait_for(lambda: self.page.locator("#status").inner_text().strip() != "", "the page to load")

    def bubbles(self, role: str) -> list[str]:
        selector = "#chat .message-row.user-row" if role == "user" else "#chat .message-row.bot-row"
        return [str(t) for t in self.page.locator(selector).all_inner_texts()]

    def start(self) -> None:
        before = len(self.bubbles("bot"))
        self.page.get_by_role("button", name="Start interview").click()
        self.wait_for(lambda: len(self.bubbles("bot")) > before, "the first question")

    def answer(self, text: str) -> None:
        before = len(self.bubbles("user"))
        self.page.locator("#answer textarea").fill(text)
        self.page.get_by_role("button", name="Send", exact=True).click()
        self.wait_for(lambda: len(self.bubbles("user")) > before and self.idle(), "the reply to an answer")

    def idle(self) -> bool:
        return "speaking" not in self.page.locator("#status").inner_text()

    def wait_for_chart(self, element_id: str) -> None:
        chart = self.page.locator(f"{element_id} canvas, {element_id} svg")
        self.wait_for(lambda: chart.count() > 0, f"the chart {element_id}")

    def wait_for(self, condition: Any, what: str, timeout: float = 90) -> None:
        deadline = time.time() + timeout
        while not condition():
            if time.time() > deadline:
                self.shot("timeout")
                pytest.fail(f"timed out waiting for {what}")
            self.page.wait_for_timeout(250)


def _tab(browser: Any, name: str) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    return Page(context.new_page(), name)


def test_a_short_interview_from_first_question_to_debrief(browser: Any, app_url: str) -> None:
    tab = _tab(browser, "interview")
    tab.open(app_url)
    tab.shot("opened")
    tab.start()
    assert "question 1 of" in tab.page.locator("#progress").inner_text()
    tab.shot("first-question")
    tab.answer(ANSWER)
    card = tab.page.locator("#score-card").inner_text()
    assert "/ 4" in card and "nf-" not in card.split("\n")[0]  # the question's text, not its id
    tab.wait_for_chart("#score-chart")
    tab.shot("score-card")
    tab.page.get_by_role("button", name="Suggest a stronger version").click()
    tab.wait_for(lambda: "A stronger version for" in tab.page.locator("#suggestion").inner_text(), "the suggestion")
    tab.shot("suggestion")
    tab.page.get_by_role("button", name="End interview").click()
    tab.page.get_by_role("button", name="End it and show the debrief").click()  # it asks first
    tab.wait_for(lambda: "finished" in tab.page.locator("#progress").inner_text(), "the end of the interview")
    tab.page.get_by_role("tab", name="Debrief").click()
    tab.wait_for(lambda: "Debrief:" in tab.page.locator("#debrief").inner_text(), "the debrief")
    tab.wait_for_chart("#debrief-chart")
    tab.wait_for_chart("#round-chart")
    tab.shot("debrief")
    with tab.page.expect_download() as download:
        tab.page.locator("#downloads tr", has_text=".pdf").locator("a").first.click()
    assert tab.page.locator("#downloads .label-clear-button").first.is_hidden()  # it only emptied the screen
    saved = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF")
    # Gradio's run history would keep every call (session ids, whole answers) in the browser, in clear
    stored = tab.page.evaluate("Object.keys(localStorage).join(' ')")
    assert "run-history" not in stored and "interviewer-sessions" in stored


def test_a_reload_mid_interview_returns_to_the_same_session(browser: Any, app_url: str) -> None:
    tab = _tab(browser, "reload")
    tab.open(app_url)
    # another company than the first, and not every round: the form must come back as it was started
    labels = tab.page.locator("#rounds label")  # the rounds' names only, not a "processing" overlay
    netflix_rounds = labels.all_inner_texts()
    tab.page.locator("#company input").click()
    tab.page.get_by_role("option", name="Spotify").click()
    rounds = tab.page.locator("#rounds input[type=checkbox]")
    tab.wait_for(lambda: labels.all_inner_texts() != netflix_rounds and rounds.count() == len(labels.all_inner_texts())
                 and all(rounds.nth(i).is_checked() for i in range(rounds.count())), "Spotify's rounds")
    rounds.nth(rounds.count() - 1).uncheck()
    picked = [rounds.nth(i).is_checked() for i in range(rounds.count())]
    tab.start()
    tab.answer(ANSWER)
    question, answers = tab.bubbles("bot")[0], tab.bubbles("user")
    tab.shot("before-reload")
    tab.page.reload()
    tab.wait_for(lambda: len(tab.bubbles("user")) == len(answers), "the session after the reload")
    assert tab.bubbles("bot")[0] == question and tab.bubbles("user") == answers
    tab.wait_for(lambda: tab.page.locator("#company input").input_value() == "Spotify", "the session's company")
    tab.wait_for(lambda: [rounds.nth(i).is_checked() for i in range(rounds.count())] == picked,
                 "the session's rounds in the form")
    tab.shot("after-reload")
    # a new tab of the same browser returns to the session too, and moves it on
    newer = Page(tab.page.context.new_page(), "reload-new-tab")
    newer.open(app_url)
    newer.wait_for(lambda: newer.bubbles("user") == answers, "the session in a new tab")
    newer.answer("In the new tab: I would cut scope to the two markets with the most churn.")
    # the first tab still shows the older question: its answer is not sent, the tab catches up
    stale = "From the old tab, about a question this tab no longer shows."
    tab.page.locator("#answer textarea").fill(stale)
    tab.page.get_by_role("button", name="Send", exact=True).click()
    tab.wait_for(lambda: "Not sent" in tab.page.locator("#status").inner_text(), "the stale answer refused")
    tab.wait_for(lambda: tab.bubbles("user") == newer.bubbles("user"), "the old tab to catch up")
    assert tab.page.locator("#answer textarea").input_value() == stale  # kept, to send again
    assert not any(stale in b for b in newer.bubbles("user") + tab.bubbles("user"))
    tab.shot("stale-tab-caught-up")
    # the new tab starts another interview; the old tab then writes the browser's storage last, from
    # its older copy, yet its History still lists both sessions
    newer.page.get_by_role("button", name="Start interview").click()
    newer.page.get_by_role("button", name="Start a new interview").click()
    newer.wait_for(lambda: newer.bubbles("user") == [], "the new tab's new session")
    tab.answer(stale)
    tab.page.get_by_role("tab", name="History").click()
    rows = tab.page.locator("#history").get_by_role("row")  # the header row, then one per session
    tab.wait_for(lambda: rows.count() == 3, "both sessions in the old tab's History")
    tab.shot("history-in-the-old-tab")
    other = _tab(browser, "second-context")
    other.open(app_url)
    other.page.wait_for_timeout(1500)
    assert other.bubbles("user") == [] and other.bubbles("bot") == []  # its own (empty) session
    other.start()
    assert other.bubbles("user") == []
    other.shot("own-session")


def test_starting_anew_asks_first_and_history_resumes_the_earlier_session(browser: Any, app_url: str) -> None:
    tab = _tab(browser, "history")
    tab.open(app_url)
    tab.start()
    tab.answer(ANSWER)
    first_questions = tab.bubbles("bot")[:2]
    tab.page.get_by_role("button", name="Start interview").click()
    tab.page.get_by_role("button", name="Start a new interview").wait_for()
    tab.shot("asks-first")
    tab.page.get_by_role("button", name="Start a new interview").click()
    tab.wait_for(lambda: tab.bubbles("user") == [], "the new session")
    tab.answer("A second session's answer: I shipped a smaller ranker and retention rose 2%.")
    tab.page.get_by_role("tab", name="History").click()
    rows = tab.page.locator("#history").get_by_role("row")  # the header row, then one per session
    tab.wait_for(lambda: rows.count() == 3, "two sessions in History")
    tab.wait_for_chart("#progress-chart")
    tab.shot("history")
    rows.nth(2).get_by_role("gridcell").first.click()  # the older session
    tab.wait_for(lambda: [" ".join(b.split()) for b in tab.bubbles("user")] == [" ".join(ANSWER.split())],
                 "the resumed session")
    assert tab.bubbles("bot")[:2] == first_questions
    tab.shot("resumed")
    # a session started while History is on screen is listed at once: a row picks what it shows
    tab.page.get_by_role("button", name="Start interview").click()
    tab.page.get_by_role("button", name="Start a new interview").click()
    tab.wait_for(lambda: rows.count() == 4, "the third session listed without reopening History")
    third = "A third session's answer: we cut the row from 40 titles to 12 and plays per visit rose."
    tab.answer(third)
    tab.shot("history-refreshed")
    # every row opens the session it shows, each a different one
    answers = {" ".join(a.split()) for a in (ANSWER, "A second session's answer: I shipped a smaller ranker and "
                                             "retention rose 2%.", third)}
    opened = set()
    for row in range(1, 4):
        rows.nth(row).get_by_role("gridcell").first.click()
        tab.wait_for(lambda: tab.idle() and len(tab.bubbles("user")) == 1
                     and " ".join(tab.bubbles("user")[0].split()) not in opened, f"row {row}'s session")
        opened.add(" ".join(tab.bubbles("user")[0].split()))
    assert opened == answers


def test_a_phone_sized_screen_can_run_an_interview_by_keyboard(browser: Any, app_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    tab = Page(context.new_page(), "phone")
    tab.open(app_url)
    tab.start()
    box = tab.page.locator("#answer textarea")
    box.focus()
    tab.page.keyboard.type("I owned the ranker; 30-day retention rose 4%.")
    tab.page.keyboard.press("Shift+Enter")  # sends, as the box says
    tab.wait_for(lambda: len(tab.bubbles("user")) == 1 and tab.idle(), "the reply")
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"
    assert tab.page.get_by_role("button", name="Send", exact=True).is_visible()
    tab.shot("answered")
    tab.page.get_by_role("button", name="End interview").click()
    tab.page.get_by_role("button", name="End it and show the debrief").click()
    tab.page.get_by_role("tab", name="Debrief").click()
    tab.wait_for(lambda: "Debrief:" in tab.page.locator("#debrief").inner_text(), "the debrief")
    # no score or header word in the debrief's tables breaks over two lines ("3.1" / "7")
    broken = tab.page.evaluate("""() => [...document.querySelectorAll('#debrief td, #debrief th')]
        .filter(c => {
            if (c.innerText.trim().includes(' ')) return false;
            const words = document.createRange();
            words.selectNodeContents(c);
            return new Set([...words.getClientRects()].map(r => Math.round(r.top))).size > 1;
        })
        .map(c => c.innerText)""")
    assert broken == [], broken
    tab.shot("debrief")


def test_candidate_text_is_shown_verbatim_and_never_run(browser: Any, app_url: str) -> None:
    tab = _tab(browser, "verbatim")
    tab.open(app_url)
    tab.start()
    tab.answer(HOSTILE)
    shown = tab.bubbles("user")[-1]
    assert " ".join(shown.split()) == " ".join(HOSTILE.split()), shown
    assert tab.page.evaluate("window.__pwned") is None
    assert tab.page.locator("#chat img[src='x']").count() == 0
    # a screen reader hears the words as typed, not their Markdown escapes
    labelled = tab.page.locator("#chat [aria-label^=\"user's message: \"]").last
    tab.wait_for(lambda: "\\" not in (labelled.get_attribute("aria-label") or "\\"), "a readable label")
    heard = (labelled.get_attribute("aria-label") or "").removeprefix("user's message: ")
    assert " ".join(heard.split()) == " ".join(HOSTILE.split()), heard
    tab.shot("verbatim")
    # addresses, spacing and line breaks as typed, on screen and in what the copy button copies
    tab.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab.answer(SPACED)
    row = tab.page.locator("#chat .message-row.user-row").last
    shown = row.locator(".message-content").inner_text().strip()
    assert "\n".join(line if line.strip() else "" for line in shown.split("\n")) == SPACED
    links = [a.get_attribute("href") for a in row.locator("a").all()]
    assert "https://example.com/guide_v2.pdf?a=1&b=2" in links and "https://ok.com" in links
    assert "https://en.wikipedia.org/wiki/Foo_(bar)" in links and "https://x.com/q!x" in links
    assert not any("%5C" in (href or "") or "\\" in (href or "") for href in links), links
    row.hover()
    tab.page.locator('#chat .message-buttons-right button[aria-label="Copy message"]').last.click()
    tab.wait_for(lambda: tab.page.evaluate("navigator.clipboard.readText()") == SPACED, "the copied text")
    assert tab.page.locator('#chat button[aria-label="Clear"]').is_hidden()  # it only emptied the screen
    tab.shot("copied")


def _small_golden(data_dir: Path, records: int = 6) -> Path:
    calibration = SOURCE_ROOT / "evals" / "golden" / "calibration.jsonl"
    lines = [x for x in calibration.read_text(encoding="utf-8").splitlines() if x.strip() and '"pair"' not in x]
    path = data_dir / "golden" / "browser-small.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines[:records]) + "\n", encoding="utf-8")
    return path


def _set_draft(tab: Page, text: str) -> None:
    editor = tab.page.locator("#rubric-draft .cm-content")
    editor.click()
    tab.page.keyboard.press("Control+A")
    tab.page.keyboard.insert_text(text)


def test_a_coach_fixes_a_rubric_error_publishes_and_runs_an_eval(browser: Any, app_url: str, app_data: Path) -> None:
    golden = _small_golden(app_data)
    tab = _tab(browser, "coach")
    tab.open(app_url)
    tab.page.get_by_role("tab", name="Coach").click()
    tab.page.get_by_role("tab", name="Rubric").click()
    published = (SOURCE_ROOT / "interviewer" / "data" / "rubric.yaml").read_text(encoding="utf-8")
    _set_draft(tab, published.replace("probe_at: 2", "probe_at: seven"))
    tab.page.get_by_role("button", name="Publish as a new version").click()
    status = tab.page.locator("#rubric-status")
    tab.wait_for(lambda: "Not valid" in status.inner_text(), "the validation error")
    line = published.splitlines().index("probe_at: 2") + 1
    assert f"line {line}" in status.inner_text()
    tab.shot("rubric-error")
    _set_draft(tab, published.replace("probe_at: 2", "probe_at: 1"))
    tab.page.get_by_role("button", name="Check the draft").click()
    tab.wait_for(lambda: "changed line" in status.inner_text(), "the diff")
    assert "probe_at: 1" in tab.page.locator("#rubric-diff").inner_text()
    tab.page.get_by_role("button", name="Publish as a new version").click()
    tab.wait_for(lambda: "Published rubric" in status.inner_text(), "the publication")
    tab.shot("rubric-published")
    assert len(list((app_data / "rubrics").glob("*.yaml"))) == 1
    tab.page.get_by_role("tab", name="Evals").click()
    tab.page.locator("#eval-file input").click()
    tab.page.get_by_role("option", name=golden.name).click()
    tab.page.get_by_role("button", name="Run the eval").click()
    headline = tab.page.locator("#eval-status")
    tab.wait_for(lambda: "quality bar" in headline.inner_text(), "the eval", timeout=300)
    metrics = tab.page.locator("#eval-metrics").inner_text()
    assert "trade_offs" in metrics and "overall" in metrics
    tab.wait_for_chart("#eval-chart")
    heatmap = tab.page.locator("#eval-confusion")
    tab.wait_for(lambda: "engine 4" in heatmap.inner_text(), "the confusion heatmap")
    # the table is virtual (only the rows in view are in the page): the rows shown are shaded, agreement outlined
    shaded = heatmap.locator("[style*='background-color: rgba(37, 99, 235']")
    assert shaded.count() >= 8 and heatmap.locator("[style*='outline']").count() >= 2
    heatmap.scroll_into_view_if_needed()
    tab.shot("evals")


def test_a_coach_filters_golden_answers_and_labels_a_session_answer(browser: Any, app_url: str,
                                                                    app_data: Path) -> None:
    golden = _small_golden(app_data)
    tab = _tab(browser, "golden")
    tab.open(app_url)
    tab.start()
    tab.answer(ANSWER)
    tab.page.get_by_role("tab", name="Coach").click()
    tab.page.get_by_role("tab", name="Golden answers").click()
    tab.page.locator("#golden-file input").click()
    tab.page.get_by_role("option", name=golden.name).click()
    table = tab.page.locator("#golden-table")
    records = [json.loads(line) for line in golden.read_text(encoding="utf-8").splitlines()]
    tab.wait_for(lambda: all(r["id"] in table.inner_text() for r in records), "the golden file's answers")
    word = "keeper"
    matching = {r["id"] for r in records if word in f"{r['question']} {r['answer']} {r.get('notes') or ''}".lower()}
    assert 0 < len(matching) < len(records)  # the filter has something to keep and something to drop
    box = tab.page.locator("#golden-filter textarea, #golden-filter input").first
    box.fill(word)
    box.press("Enter")
    tab.wait_for(lambda: {r["id"] for r in records if r["id"] in table.inner_text()} == matching, "the filter")
    tab.shot("filtered")
    tab.page.get_by_text("Label an answer from a session as a new golden answer").click()
    session_box = tab.page.locator("#label-session input, #label-session textarea").first
    assert len(session_box.input_value()) == 32  # the session in Practise is filled in
    tab.page.get_by_role("button", name="Load its answers").click()
    labels = tab.page.locator("#label-table")
    tab.wait_for(lambda: "trade_offs" in labels.inner_text() or "Trade" in labels.inner_text(), "the labels")
    engine_says = int(labels.get_by_test_id("cell-1-1").inner_text())
    label = 1 if engine_says > 1 else 2  # the coach disagrees with the engine on the second dimension
    cell = labels.get_by_test_id("cell-1-2")
    cell.dblclick()
    editor = cell.locator("input, textarea").first
    editor.fill(str(label))
    editor.press("Enter")
    tab.page.locator("#label-rater input, #label-rater textarea").first.fill("Coach in a browser")
    tab.page.get_by_role("button", name="Add to the golden answers").click()
    status = tab.page.locator("#label-status")
    tab.wait_for(lambda: "Added" in status.inner_text() or "Not added" in status.inner_text(), "the new record")
    assert "Added" in status.inner_text(), status.inner_text()
    tab.shot("labelled")
    record = json.loads((app_data / "golden" / "from-sessions.jsonl").read_text(encoding="utf-8"))
    assert record["rater"] == "Coach in a browser" and "onboarding ranker" in record["answer"]
    dimension = labels.get_by_test_id("cell-1-0").inner_text().strip()
    assert record["scores"][dimension] == label
    # the new file can be browsed at once, without leaving the tab
    box.fill("")
    box.press("Enter")
    tab.page.locator("#golden-file input").click()
    tab.page.get_by_role("option", name="from-sessions.jsonl").click()
    tab.wait_for(lambda: record["id"] in table.inner_text(), "the new record in the list")


def test_the_first_start_shows_a_getting_ready_page_that_opens_the_app(browser: Any, tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"  # a small folder keeps the build short; the anchors still take seconds
    knowledge.mkdir()
    for name in ("anchors.jsonl", "framework-3c.md"):
        shutil.copy(SOURCE_ROOT / "knowledge" / name, knowledge / name)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=SOURCE_ROOT,
                            env=subprocess_env(tmp_path / "data", INTERVIEWER_PORT=port,
                                               INTERVIEWER_KNOWLEDGE_DIR=knowledge),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        tab = _tab(browser, "first-start")
        deadline = time.time() + 120
        while True:  # the holding page comes up before the build starts
            try:
                tab.page.goto(url)
                break
            except Exception:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"nothing served: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.3)
        tab.page.get_by_role("heading", name="Getting ready").wait_for(timeout=30_000)
        status = tab.page.locator("#getting-ready")
        tab.wait_for(lambda: " of " in status.inner_text(), "the build's progress")
        tab.shot("getting-ready")
        # no reload by the test: the page opens the app by itself
        tab.page.get_by_role("button", name="Start interview").wait_for(timeout=120_000)
        tab.shot("app")
        assert (tmp_path / "data" / "index" / "manifest.json").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
