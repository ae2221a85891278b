"""The interview service: starts, answers and resumes sessions; used by the CLI and the web app."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langgraph.types import Command

from interviewer.bank import Loops, QuestionBank, load_bank, load_loops
from interviewer.embeddings import get_embedder
from interviewer.engine import InterviewEngine
from interviewer.errors import InterviewerError, StaleTurnError, UnknownChoiceError
from interviewer.graph import build_graph
from interviewer.index import BuildProgress, KnowledgeIndex, Retriever
from interviewer.llm.client import ChatModel
from interviewer.nodes import Nodes
from interviewer.offline.engine import OfflineEngine
from interviewer.rubric import Rubric, load_rubric
from interviewer.rubric_store import RubricStore
from interviewer.sessions import SessionStore, new_session_id, open_store
from interviewer.settings import Settings
from interviewer.state import (
    AnswerScore,
    Debrief,
    InterviewState,
    PendingPrompt,
    RoundSummary,
    Turn,
)

log = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Typed text as it is stored and scored: control characters dropped (tabs and line breaks kept),
    lone surrogates (not encodable as UTF-8, yet valid in JSON) replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


@dataclass
class SessionView:
    """Everything a user interface shows about a session."""

    session_id: str
    company: str
    transcript: list[Turn]
    prompt: PendingPrompt | None
    scores: list[AnswerScore]
    summaries: list[RoundSummary]
    debrief: Debrief | None
    finished: bool
    plan: list[dict[str, Any]] = field(default_factory=list)

    @property
    def turn(self) -> int:
        """How far the session has gone: the number of transcript turns. A page sends back the turn
        it showed, so an answer is never given to a question the candidate did not see."""
        return len(self.transcript)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the view."""
        return {
            "session_id": self.session_id, "company": self.company, "finished": self.finished,
            "plan": self.plan, "transcript": self.transcript, "scores": self.scores,
            "round_summaries": self.summaries, "debrief": self.debrief,
            "pending_prompt": self.prompt,
        }


def make_chat(settings: Settings) -> ChatModel:
    """The chat model at the configured OpenAI-compatible endpoint."""
    from interviewer.llm.client import OpenAIChatModel

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return OpenAIChatModel(api_key=key, base_url=settings.llm_base_url,
                           timeout=settings.llm_timeout, max_retries=settings.llm_max_retries)


def make_engines(settings: Settings, rubric: Rubric,
                 chat: ChatModel | None = None) -> dict[str, InterviewEngine]:
    """The offline engine always; the LLM engine too when a model is configured."""
    offline = OfflineEngine(settings.prompts_dir)
    engines: dict[str, InterviewEngine] = {"offline": offline}
    if settings.llm_configured:
        from interviewer.llm.engine import LLMEngine

        chat = chat or make_chat(settings)
        model = settings.interviewer_model or settings.judge_model or ""
        engines["llm"] = LLMEngine(chat, interviewer_model=model,
                                   judge_model=settings.judge_model or model,
                                   temperature=settings.llm_temperature,
                                   prompts_dir=settings.prompts_dir, rubric=rubric, offline=offline)
    elif settings.engine == "llm":
        raise InterviewerError("the llm engine needs a model: set INTERVIEWER_INTERVIEWER_MODEL "
                               "(and INTERVIEWER_LLM_BASE_URL for a local server)")
    return engines


def _cut_short(snapshot: Any) -> bool:
    """Whether a session's last step was cut short: neither waiting for the candidate nor finished."""
    return not snapshot.interrupts and not (snapshot.values or {}).get("finished")


def knowledge_index(settings: Settings) -> KnowledgeIndex:
    """The index the settings name, neither built nor checked: on the Chroma server in
    INTERVIEWER_CHROMA_URL if set (InterviewerError when it does not answer), else in the data
    directory."""
    embedder = get_embedder(settings)
    if settings.chroma_url:
        return KnowledgeIndex.on_server(settings.chroma_url, embedder, [settings.knowledge_dir])
    return KnowledgeIndex(settings.index_dir, embedder, [settings.knowledge_dir])


def open_index(settings: Settings, show_progress: bool = False,
               on_progress: BuildProgress | None = None) -> KnowledgeIndex:
    """The knowledge index, ready to query. Embedded: built now if its sources changed
    (`show_progress`: a progress bar on stderr while it is built; `on_progress`: see
    KnowledgeIndex.ensure). On a Chroma server: only checked, never built (InterviewerError
    naming `interviewer index` when it is missing or stale)."""
    index = knowledge_index(settings)
    if settings.chroma_url:
        index.check()
        return index
    report = index.ensure(show_progress=show_progress, on_progress=on_progress)
    for gone in report.missing_sources:
        log.warning("indexed notes folder %s no longer exists; it was left out of the index", gone)
    return index


class InterviewService:
    """Owns the compiled graph and the session store."""

    def __init__(self, settings: Settings, *, engines: dict[str, InterviewEngine] | None = None,
                 retriever: Retriever | None = None, store: SessionStore | None = None,
                 rubric: Rubric | None = None, bank: QuestionBank | None = None,
                 loops: Loops | None = None) -> None:
        self.settings = settings
        # published versions are picked up by new sessions; a rubric or engines given here are fixed
        self._rubrics = RubricStore(settings) if rubric is None and engines is None else None
        self.rubric = rubric or (self._rubrics.current() if self._rubrics else load_rubric(settings.rubric_path))
        self.bank = bank or load_bank(settings.questions_path)
        self.loops = loops or load_loops(settings.loops_path)
        self.engines = engines or make_engines(settings, self.rubric)
        self.default_engine = (settings.resolved_engine if settings.resolved_engine in self.engines
                               else next(iter(self.engines)))
        self.retriever = retriever if retriever is not None else open_index(settings)
        self.store = store or open_store(settings)
        self.graphs = self._compile(self.engines, self.rubric)
        self._earlier: dict[str, dict[str, Any]] = {}  # graphs of older rubric versions sessions began on

    def _compile(self, engines: dict[str, InterviewEngine], rubric: Rubric) -> dict[str, Any]:
        settings = self.settings
        return {
            name: build_graph(Nodes(
                engine=engine, retriever=self.retriever, bank=self.bank, loops=self.loops,
                rubric=rubric, prompts_dir=settings.prompts_dir,
                max_answer_chars=settings.max_answer_chars,
                max_probes=settings.max_probes_per_question,
                prices=(settings.price_input_per_1k, settings.price_output_per_1k),
            )).compile(checkpointer=self.store.checkpointer)
            for name, engine in engines.items()}

    def refresh_rubric(self) -> None:
        """Use the newest published rubric version if it changed since (published by any replica)."""
        if self._rubrics is None:
            return
        latest = self._rubrics.current()
        if latest.version != self.rubric.version:
            self._earlier[self.rubric.version] = self.graphs
            self.rubric = latest
            self.engines = make_engines(self.settings, latest)
            self.graphs = self._compile(self.engines, latest)

    def _graphs_at(self, version: str | None) -> dict[str, Any]:
        """The graphs for sessions begun on a rubric version: the current ones, or the older
        version's (kept, or rebuilt from its published file after a restart)."""
        if version is None or version == self.rubric.version or self._rubrics is None:
            return self.graphs
        if version not in self._earlier:
            rubric = self._rubrics.version(version)
            if rubric is None:  # its file is gone: the current rubric is the best there is
                return self.graphs
            self._earlier[version] = self._compile(make_engines(self.settings, rubric), rubric)
        return self._earlier[version]

    @property
    def engine(self) -> InterviewEngine:
        """The engine new sessions use unless told otherwise."""
        return self.engines[self.default_engine]

    def describe_engine(self, name: str | None = None) -> str:
        """Which engine and model a session runs on, for display (never the key)."""
        name = name or self.default_engine
        if name == "llm":
            s = self.settings
            return (f"llm (interviewer {s.interviewer_model or s.judge_model}, judge "
                    f"{s.judge_model or s.interviewer_model}, {s.llm_base_url or 'OpenAI'})")
        return "offline"

    def dimension_names(self) -> dict[str, str]:
        """Display names of the rubric dimensions."""
        return {d: spec.name for d, spec in self.rubric.dimensions.items()}

    def companies(self) -> list[tuple[str, str]]:
        """(id, display name) of every company with a loop."""
        return [(cid, loop.name) for cid, loop in self.loops.companies.items()]

    def stages(self, company: str, variant: str | None = None) -> list[tuple[str, str]]:
        """(stage id, display name) of a company's loop variant, in order."""
        return [(s.id, s.name) for s in self.loops.stages(company, variant=variant)]

    def variants(self, company: str) -> list[tuple[str, str]]:
        """(variant id, display name) of a company's published loops, the default first."""
        loop = self.loops.company(company)
        order = [loop.default_variant, *(v for v in loop.variants if v != loop.default_variant)]
        return [(v, loop.variants[v].name) for v in order]

    def start(self, company: str, stages: Sequence[str] | None = None,
              seed: int | None = None, engine: str | None = None, variant: str | None = None) -> SessionView:
        """Start a new session and return it waiting on the first question (`variant` picks one of
        the company's published loops; its default otherwise)."""
        self.refresh_rubric()
        engine = engine or self.default_engine
        company = company.strip().lower()
        if engine not in self.engines:
            raise UnknownChoiceError("engine", engine, sorted(self.engines))
        loop = self.loops.company(company)
        variant = (variant or loop.default_variant).strip().lower()
        picked = [s.id for s in self.loops.stages(company, list(stages or []) or None, variant)]
        session_id = new_session_id()
        state: InterviewState = {
            "session_id": session_id, "company": company, "variant": variant, "requested_stages": picked,
            "rubric_version": self.rubric.version,
            "seed": seed if seed is not None else random.randrange(1 << 30),
            "transcript": [], "scores": [], "summaries": [], "skipped": [], "usage": []}
        self.graphs[engine].invoke(state, self._config(session_id), durability="sync")
        # registered only once its first checkpoint exists, so every listed id can resume
        self.store.register(session_id, company, picked, engine)
        return self.view(session_id)

    def answer(self, session_id: str, text: str, seen_turn: int | None = None) -> SessionView:
        """Submit an answer or a command (/skip, /repeat, /end round, /end interview); with
        `seen_turn` (the `turn` of the view the candidate was shown), StaleTurnError if the session
        has moved on since."""
        view: SessionView | None = None
        for event in self.answer_stream(session_id, text, seen_turn):
            if isinstance(event, SessionView):
                view = event
        assert view is not None
        return view

    def answer_stream(self, session_id: str, text: str,
                      seen_turn: int | None = None) -> Iterator[str | AnswerScore | SessionView]:
        """Like answer, yielding each new score, the interviewer's reply token by token, then
        the new view."""
        graph = self._graph_for(session_id)
        config = self._config(session_id)
        text = clean_text(text)
        with self.store.session_lock(session_id):
            snapshot = self._finish_cut_step(graph, config)
            if not snapshot.interrupts and (snapshot.values or {}).get("finished") and text.strip():
                raise InterviewerError("this interview has ended, so your text was not sent (it is still in "
                                       "the box): start a new interview to keep practising")
            if _cut_short(snapshot):
                log.warning("session %s is neither waiting nor finished: next=%s tasks=%s metadata=%s", session_id,
                            snapshot.next, [(t.name, t.error, bool(t.interrupts), t.result is not None)
                                            for t in snapshot.tasks], snapshot.metadata)
                raise InterviewerError("the interview is not waiting for an answer, so your text was not sent "
                                       "(it is still in the box): send it again")
            if seen_turn is not None and len((snapshot.values or {}).get("transcript", [])) != seen_turn:
                raise StaleTurnError("this interview moved on in another tab or window, so nothing was sent or "
                                     "done (what you typed is still in the box): the chat now shows where it "
                                     "stands")
            if snapshot.interrupts:
                for event in graph.stream(Command(resume=text), config, stream_mode="custom",
                                          durability="sync"):
                    if isinstance(event, dict) and "token" in event:
                        yield str(event["token"])
                    elif isinstance(event, dict) and "score" in event:
                        yield event["score"]
                self._prune(session_id)
            yield self.view(session_id)

    def open(self, session_id: str) -> SessionView:
        """The session as its candidate finds it on opening it (resume, reload, History): a step a
        crash cut short is finished first, so an answer it had recorded shows before anything else
        is asked of the candidate. InterviewerError for an unknown id."""
        info = self.store.get(session_id)
        graph = self._graph_for(info.id)
        config = self._config(info.id)
        if _cut_short(graph.get_state(config)):
            with self.store.session_lock(info.id):
                self._finish_cut_step(graph, config)
        return self.view(info.id)

    def _prune(self, session_id: str) -> None:
        """Drop a session's older checkpoints after a turn (the latest holds everything); a failure
        costs only disk space, never the turn."""
        try:
            self.store.prune(session_id)
        except Exception:
            log.exception("pruning the checkpoints of a session failed; they are kept")

    @staticmethod
    def _finish_cut_step(graph: Any, config: Any) -> Any:
        """Run a step that a crash cut short (its answer recorded, or only its writes saved: a process
        killed between a step's writes and its checkpoint leaves no `next` to see); the new snapshot."""
        snapshot = graph.get_state(config)
        if _cut_short(snapshot):
            graph.invoke(None, config, durability="sync")
            snapshot = graph.get_state(config)
        return snapshot

    def view(self, session_id: str) -> SessionView:
        """The current state of a session (works after a restart: it is read from the store)."""
        info = self.store.get(session_id)
        snapshot = self._reader_for(info.id)[0].get_state(self._config(info.id))  # reading needs no version
        values: dict[str, Any] = dict(snapshot.values or {})
        waiting = bool(snapshot.interrupts) and not values.get("finished")
        return SessionView(
            session_id=info.id, company=info.company,
            transcript=list(values.get("transcript", [])),
            prompt=values.get("prompt") if waiting else None,
            scores=list(values.get("scores", [])), summaries=list(values.get("summaries", [])),
            debrief=values.get("debrief"), finished=bool(values.get("finished")),
            plan=[dict(p) for p in values.get("plan", [])],
        )

    def _graph_for(self, session_id: str) -> Any:
        graph, engine = self._reader_for(session_id)
        began_on = graph.get_state(self._config(session_id)).values.get("rubric_version")
        return self._graphs_at(began_on)[engine]

    def _reader_for(self, session_id: str) -> tuple[Any, str]:
        """A graph that reads the session's checkpoints (any rubric version's reads the same), and
        the session's engine."""
        engine = self.store.get(session_id).engine
        if engine not in self.graphs:
            raise InterviewerError(f"session {session_id} ran on the {engine} engine, which is not "
                                   "configured now; configure a model (see README) to resume it")
        return self.graphs[engine], engine

    @staticmethod
    def _config(session_id: str) -> Any:
        return {"configurable": {"thread_id": session_id}}
