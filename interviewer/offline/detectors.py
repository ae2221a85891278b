"""Sentence-level element detectors: the offline scorer's cue patterns plus a classifier over MiniLM
sentence vectors, trained on labelled sentences (evals/sentences/).

Each rubric element has a logistic regression over one feature row per sentence: the sentence's
all-MiniLM-L6-v2 vector (384 floats), the cue families it matches (0/1 each) and whether the
question asks for a story. A sentence shows the element when the predicted probability reaches
the element's threshold, chosen by cross-validation; those sentences are the evidence.

The trained artefact (`interviewer/data/detectors.npz` with `detectors.json`) is small, versioned
by a hash of what it was trained on, and loaded without network. `interviewer detectors train`
rebuilds it deterministically from the repository's files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.embeddings import CachedEmbedder
from interviewer.offline import text as t
from interviewer.offline.text import Sentence

ARTEFACT = Path(__file__).resolve().parent.parent / "data" / "detectors.npz"
META = ARTEFACT.with_suffix(".json")

# The cue families a sentence is described by, besides its vector: the offline scorer's patterns.
CUES: dict[str, t.Pattern] = {
    "number": t.NUMBER, "money": t.MONEY, "user_metric": t.USER_METRIC, "user_outcome": t.USER_OUTCOME,
    "model_metric": t.MODEL_METRIC, "business": t.BUSINESS, "change": t.CHANGE_VERB, "causal": t.CAUSAL,
    "first_person_action": t.FIRST_PERSON_ACTION, "own_action": t.OWN_ACTION, "hypothetical": t.HYPOTHETICAL,
    "past": t.PAST, "tension": t.TENSION, "decision": t.DECISION, "reason": t.REASON, "rule": t.RULE,
    "user": t.USER, "problem": t.PROBLEM, "constraint": t.CONSTRAINT, "specific_constraint": t.SPECIFIC_CONSTRAINT,
    "ml_term": t.ML_TERM, "mechanism": t.MECHANISM, "hypothesis": t.HYPOTHESIS, "learning": t.LEARNING,
    "experiment": t.EXPERIMENT, "primary": t.PRIMARY, "guardrail": t.GUARDRAIL, "unit": t.UNIT,
    "duration": t.DURATION, "rigor": t.RIGOR, "ship_rule": t.SHIP_RULE, "vacuous": t.VACUOUS_CONDITION,
    "readout": t.READOUT, "consequence": t.CONSEQUENCE, "feedback": t.FEEDBACK, "ownership": t.OWNERSHIP,
    "changed": t.CHANGED, "deferral": t.DEFERRAL, "hearsay": t.HEARSAY, "speculation": t.SPECULATION,
    "framework": t.FRAMEWORK, "hedge": t.HEDGE, "fluff": t.FLUFF, "commitment": t.COMMITMENT,
    "quoted": t.QUOTED, "product_thing": t.PRODUCT_THING, "role": t.ROLE,
    **{f"concept_{i}": pattern for i, pattern in enumerate(t.CONCEPTS.values())},
}
EXTRA = ("salad", "experience_question")
# A sentence's vector and cue matches. Adding its neighbours' (a trade-off or a chain can span two
# sentences) was tried and measured: no element's held-out F1 rose by more than noise, so it was dropped.
FEATURES = 384 + len(CUES) + len(EXTRA)


def cue_row(sentence: Sentence, experience: bool) -> np.ndarray:
    """The cue features of one sentence (0/1 per cue family, then salad and the question kind)."""
    row = [1.0 if sentence.has(p) else 0.0 for p in CUES.values()]
    return np.array([*row, float(sentence.is_salad), float(experience)], dtype=np.float32)


def feature_rows(sentences: Sequence[Sentence], vectors: np.ndarray | Callable[[], np.ndarray],
                 experience: bool) -> np.ndarray:
    """Feature rows (sentences x FEATURES): each sentence's MiniLM vector, then its cue matches.
    `vectors` may be a function that waits for them: the cues are matched first, meanwhile."""
    if not sentences:
        return np.zeros((0, FEATURES), dtype=np.float32)
    cues = np.stack([cue_row(s, experience) for s in sentences])
    ready = vectors() if callable(vectors) else vectors
    return np.hstack([ready.astype(np.float32), cues])


@dataclass(frozen=True)
class ElementModel:
    """A trained element classifier: logistic-regression weights and the decision threshold."""

    coef: np.ndarray  # (FEATURES,)
    intercept: float
    threshold: float

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """P(element shown) for each feature row."""
        z = rows @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True)
class ElementDetectors:
    """Every element's classifier, plus where they came from."""

    models: dict[str, ElementModel]
    meta: dict[str, Any]

    @property
    def version(self) -> str:
        """The artefact's version (a hash of its training inputs)."""
        return str(self.meta.get("version", "unversioned"))

    def fire(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """For each element, the probability of every sentence, zeroed below the threshold."""
        out = {}
        for element, model in self.models.items():
            p = model.probability(rows) if len(rows) else np.zeros(0)
            out[element] = np.where(p >= model.threshold, p, 0.0)
        return out

    def save(self, path: Path = ARTEFACT) -> None:
        """Write the weights (.npz) and the description (.json) deterministically."""
        names = sorted(self.models)
        np.savez_compressed(path, elements=np.array(names),
                            coef=np.stack([self.models[n].coef for n in names]).astype(np.float32),
                            intercept=np.array([self.models[n].intercept for n in names], dtype=np.float64),
                            threshold=np.array([self.models[n].threshold for n in names], dtype=np.float64))
        path.with_suffix(".json").write_text(json.dumps(self.meta, indent=1, sort_keys=True) + "\n",
                                             encoding="utf-8")


def load_detectors(path: Path = ARTEFACT) -> ElementDetectors:
    """Load a trained artefact (FileNotFoundError names the command that builds it)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `interviewer detectors train` to build it")
    with np.load(path, allow_pickle=False) as data:
        names = [str(n) for n in data["elements"]]
        models = {n: ElementModel(data["coef"][i].astype(np.float64), float(data["intercept"][i]),
                                  float(data["threshold"][i])) for i, n in enumerate(names)}
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    if meta.get("features") != FEATURES:
        raise ValueError(f"{path} was trained with {meta.get('features')} features, the scorer uses {FEATURES}: "
                         "run `interviewer detectors train`")
    return ElementDetectors(models, meta)


@lru_cache(maxsize=1)
def packaged_detectors() -> ElementDetectors:
    """The artefact shipped with the package, loaded once per process (read-only)."""
    return load_detectors()


def inputs_hash(paths: Sequence[Path], embedder_name: str) -> str:
    """A short hash of the training inputs, the cue definitions and the sentence encoder's name
    (the artefact's version)."""
    digest = hashlib.sha256(embedder_name.encode())
    for path in paths:
        digest.update(path.read_bytes())
    digest.update(json.dumps({k: p.pattern for k, p in CUES.items()}, sort_keys=True).encode())
    return digest.hexdigest()[:12]


class SentenceModel:
    """Embeds an answer's sentences and runs the element detectors on them.

    Sentence vectors are kept in a bounded LRU cache (text -> vector; pure, so safe to share):
    after a follow-up the whole answer is scored again, and only the new sentences are embedded.
    """

    cache_size = 4096  # about 6 MB of float32 vectors

    def __init__(self, embedder: Any, detectors: ElementDetectors) -> None:
        trained_on = detectors.meta.get("embedding")
        if trained_on != embedder.name:
            raise ValueError(f"the element detectors were trained on {trained_on} vectors, not {embedder.name}: "
                             "run `interviewer detectors train`")
        self.embedder = embedder
        self.detectors = detectors
        self._cache = CachedEmbedder(embedder, self.cache_size)

    @property
    def name(self) -> str:
        """The sentence encoder's name (a sentence model stands in for its embedder)."""
        return str(self.embedder.name)

    def clear_cache(self) -> None:
        """Forget every cached sentence vector (benchmarks time cold scoring)."""
        self._cache.clear()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The MiniLM vectors (n x 384) of the texts, embedding only those not seen recently."""
        return self._cache.embed(texts)

    embed = vectors  # so a sentence model can stand in for its embedder (sharing the cache)

    def vectors_soon(self, sentences: Sequence[Sentence]) -> Callable[[], np.ndarray]:
        """Start embedding the sentences in the background; returns a function that waits for their
        (n x 384) vectors. `fire` takes it, so the cue patterns run while MiniLM does."""
        return self._cache.embed_soon([s.text for s in sentences])

    def fire(self, sentences: Sequence[Sentence], experience: bool,
             usable: Sequence[Sentence] | None = None,
             vectors: Callable[[], np.ndarray] | None = None) -> dict[str, list[Sentence]]:
        """For each trained element, the usable sentences that show it, the most probable first
        (`sentences` is the whole answer in order, for context; `usable` those that may count;
        `vectors` what `vectors_soon(sentences)` returned, if it was called)."""
        if not sentences:
            return {element: [] for element in self.detectors.models}
        allowed = set(map(id, usable if usable is not None else sentences))
        rows = feature_rows(sentences, vectors or self.vectors_soon(sentences), experience)
        probabilities = self.detectors.fire(rows)
        return {element: [sentences[i] for i in np.argsort(-p, kind="stable")
                          if p[i] > 0 and id(sentences[i]) in allowed]
                for element, p in probabilities.items()}


@lru_cache(maxsize=1)
def packaged_sentence_model() -> SentenceModel | None:
    """MiniLM with the packaged detectors (None when the artefact has not been built)."""
    if not ARTEFACT.is_file():
        return None
    from interviewer.embeddings import shared_minilm
    from interviewer.settings import Settings

    # the encoder `interviewer detectors train` used: the configured folder, else the pinned package
    return SentenceModel(shared_minilm(Settings().embedding_model_dir), packaged_detectors())
