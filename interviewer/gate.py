"""The answer gate: what kind of turn the candidate sent, decided before anything is scored.

Both engines and the eval runner go through it. A turn is one of: nothing (empty or punctuation
only), a request to move on, "I don't know", off-topic or nonsense, not English, repeated or
padded text, or an ordinary answer. Only these classes and the documented slash commands can
change where the interview goes; the words of an answer never can.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from interviewer.offline import text as t

TurnClass = Literal["empty", "move_on", "dont_know", "off_topic", "not_english", "repeated", "answer"]
# Classes whose text is scored (a repeated answer is scored once, collapsed).
SCORED: frozenset[TurnClass] = frozenset({"answer", "repeated", "off_topic"})

LANGUAGE_NAMES = {
    "es": "Spanish", "de": "German", "fr": "French", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "hi": "Hindi", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ru": "Russian",
    "ar": "Arabic", "tr": "Turkish", "pl": "Polish", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "fi": "Finnish", "id": "Indonesian", "vi": "Vietnamese", "th": "Thai", "uk": "Ukrainian",
    "he": "Hebrew", "el": "Greek", "cs": "Czech", "ro": "Romanian", "hu": "Hungarian",
    "bn": "Bengali", "ta": "Tamil", "ur": "Urdu", "fa": "Persian", "ms": "Malay", "ca": "Catalan",
}
# How sure the language model must be before a sentence counts as another language: terse
# English lists ("Retention, churn, watch time.") come out as English at 0.5-0.8.
MIN_LANGUAGE_PROBABILITY = 0.85
# Languages nobody answers an interview in: text that looks like them is filler or nonsense.
_FILLER_LANGUAGES = {"la", "zxx"}

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_ENGLISH_FUNCTION_WORDS = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how",
    "i", "if", "in", "into", "is", "it", "its", "itself", "just", "let", "me", "more", "most", "my",
    "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "i'm", "i'd", "i've",
    "i'll", "we'd", "we're", "we've", "it's", "don't", "didn't", "can't", "won't", "isn't",
    "wasn't", "that's", "there's", "they're", "let's",
])

# A short turn that asks to move on, and one that says there is no answer; neither is scored.
_MOVE_ON = re.compile(
    r"^\W*n(?:e)?xt\b|\b(?:next (?:question|one|q)|move on|moving on|skip(?:ping)?(?: (?:this|that|it|the question))?|"
    r"pass(?: on this(?: one)?)?|(?:go|jump) (?:on|ahead|to the next)|another question|"
    r"(?:a )?different question|something else|come back to (?:this|it|that)|"
    r"rather not (?:answer|say)|no comment|(?:i'?ll|let me) pass|let'?s continue|carry on)\b",
    re.IGNORECASE)
_DONT_KNOW = re.compile(
    r"\b(?:i (?:\w+ )?(?:do ?n[o']?t|dont) (?:\w+ )?know|idk|dunno|(?:i )?(?:have )?no idea|not sure|"
    r"(?:can['’]?t|can ?not|cannot|couldn['’]?t|unable to) (?:think|come up with|recall|remember)|"
    r"(?:do ?n[o']?t|dont) (?:have|recall|remember) (?:one|any|an? (?:example|story|answer)|that)|"
    r"nothing (?:comes|came|springs) to mind|(?:drawing|drew|i'?m) (?:a )?blank(?:ing)?|blanking|"
    r"(?:have|had) no (?:example|story|experience|answer)|"
    r"(?:never|haven'?t) (?:\w+ )?(?:been|done|had|faced|worked|dealt|seen|run|led|managed)|"
    r"still nothing|nothing yet|i'?m stuck|no clue|not really)\b",
    re.IGNORECASE)
# A bare "no" (or "nope", "nothing"), maybe with "sorry": no answer was given, as after a
# recall prompt. "No, because…" goes on to reasons and is an answer.
_BARE_NO = re.compile(
    r"^\W*(?:(?:sorry|honestly|um+|uh+|well|hmm+)\W+)*(?:no+|nope|nah|nothing|none|not one)"
    r"(?:\W+(?:sorry|really|not really|i'?m afraid|thanks|thank you))*\W*$",
    re.IGNORECASE)
# Words that tie a turn to product, ML or interview work: a turn with none of them and nothing
# in common with the question does not address it.
_DOMAIN = t._rx(
    t.USER.pattern, t.USER_METRIC.pattern, t.BUSINESS.pattern, t.ML_TERM.pattern, t.EXPERIMENT.pattern,
    t.CONSTRAINT.pattern, t.MODEL_METRIC.pattern,
    r"\bproducts?\b", r"\bfeatures?\b", r"\blaunch\w*", r"\bship(?:s|ped|ping)?\b", r"\bteams?\b",
    r"\bengineer\w*", r"\bdata\b", r"\bmetrics?\b", r"\bmeasur\w*", r"\bdecid\w*", r"\bdecision\w*",
    r"\bmanagers?\b", r"\bstakeholders?\b", r"\bprojects?\b", r"\broadmaps?\b", r"\bprioriti\w*",
    r"\bnetflix\b", r"\bspotify\b", r"\byoutube\b", r"\bplaylists?\b", r"\bpodcasts?\b",
    r"\bcatalog\w*", r"\bcontent\b", r"\bsongs?\b", r"\bepisodes?\b", r"\bseries\b", r"\btitles?\b",
    r"\bhome ?page\b", r"\bsearch\b", r"\bfeedback\b", r"\bdisagree\w*", r"\bcolleagues?\b",
    r"\bstrateg\w*", r"\bsubscription\w*", r"\bpricing\b", r"\bcompensation\b", r"\bsalary\b",
    r"\bhypothes\w*", r"\bpersonali[sz]\w*", r"\brecommend\w*", r"\bprivacy\b", r"\broll(?:ed)? ?out\b",
    r"\bprototyp\w*", r"\broll ?back\b", r"\bexperiments?\b",
    # what media products are made of
    r"\blisten\w*", r"\bwatch\w*", r"\bmusic\b", r"\bbands?\b", r"\balbums?\b", r"\btracks?\b",
    r"\bgenres?\b", r"\bmovies?\b", r"\bfilms?\b", r"\bshows?\b", r"\bdiscover\w*", r"\bstream\w*",
    r"\bcontent\b", r"\bviewing\b", r"\bthumbnails?\b", r"\bartwork\b", r"\btrailers?\b",
)
_STOP = _ENGLISH_FUNCTION_WORDS | frozenset([
    "tell", "time", "walk", "give", "example", "describe", "think", "would", "like", "could", "how",
    "what", "why", "which", "you", "your", "me", "one", "thing", "things", "way", "really", "just",
    "also", "get", "got", "make", "made",
])


@dataclass(frozen=True)
class Gate:
    """What one turn is, the text to score (repeats collapsed) and what to tell the candidate."""

    kind: TurnClass
    text: str
    notices: list[str] = field(default_factory=list)
    language: str | None = None  # ISO code when the answer is not English
    repeats_removed: int = 0
    on_topic: bool = True  # False: nothing in it addresses the question (never followed up)
    asides: list[str] = field(default_factory=list)  # grader-directed asides cut out of sentences

    @property
    def scored(self) -> bool:
        """Whether this turn's text goes to the scorer."""
        return self.kind in SCORED

    @property
    def language_name(self) -> str:
        """The answer's language, for messages."""
        return LANGUAGE_NAMES.get(self.language or "", self.language or "another language")


def words(text: str) -> list[str]:
    """Lower-case words (letters only, apostrophes kept inside words)."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


_REPEATED_RUN = re.compile(r"\b([\w'’-]+(?:\s+[\w'’-]+){0,7}?)(?:[\s,;.!?]+\1\b){3,}", re.IGNORECASE)
_REPEAT_SEPARATOR = re.compile(r"[\s,;.!?]+")


def collapse_repeats(text: str) -> tuple[str, int]:
    """The text with repeated sentences and runs of a repeated phrase kept once, and how many
    repeats were removed. Offsets of what remains are the candidate's own words."""
    removed = 0

    def one_run(match: re.Match[str]) -> str:
        nonlocal removed
        removed += len(_REPEAT_SEPARATOR.split(match.group(0))) // max(1, len(match.group(1).split())) - 1
        return match.group(1)

    # a phrase of one to eight words said four or more times in a row (three can be emphasis)
    collapsed = _REPEATED_RUN.sub(one_run, text)
    seen: set[str] = set()
    kept: list[str] = []
    for sentence in t.split_sentences(collapsed):
        key = " ".join(words(sentence.text))
        if key and key in seen and len(key.split()) >= 3:
            removed += 1
            continue
        seen.add(key)
        kept.append(sentence.text)
    if not removed:
        return text, 0
    # a sentence without end punctuation (an answer cut mid-word) must not run into the next one
    # when the text is split again: it ends its line
    joined = kept[0]
    for said in kept[1:]:
        joined += (" " if joined[-1] in ".!?;" else "\n") + said
    return joined, removed


def _latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for c in letters if unicodedata.name(c, "").startswith("LATIN")) / len(letters)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's model with normalised probabilities (about 2 s to load, so only on demand)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language most of the text is written in ("en" when unsure).

    Counted over sentences by words, so an English answer with one sentence in another language
    (an injected instruction, a quotation) stays English. Uses the English function-word share
    first and the py3langid model only for text that is not plainly English.
    """
    tokens = words(text)
    if not tokens:
        return "en"
    function_share = sum(1 for w in tokens if w in _ENGLISH_FUNCTION_WORDS) / len(tokens)
    if _latin_share(text) > 0.5 and (function_share >= 0.2 or len(tokens) < 6):
        return "en"
    langid = _identifier()
    votes: dict[str, int] = {}
    for sentence in t.split_sentences(text.replace("。", "。\n")) or [t.Sentence(text, 0)]:
        sentence_words = words(sentence.text)
        if not sentence_words:
            continue
        weight = sum(len(w) for w in sentence_words)  # letters, so unspaced scripts weigh in fully
        share = sum(1 for w in sentence_words if w in _ENGLISH_FUNCTION_WORDS) / len(sentence_words)
        code = "en"
        latin = _latin_share(sentence.text) > 0.5
        if not latin or (share < 0.2 and len(sentence_words) >= 3):
            guess, probability = langid.classify(sentence.text)
            unenglish = share < 0.1 and len(sentence_words) >= 5  # hardly an English word in it
            if probability >= MIN_LANGUAGE_PROBABILITY or (unenglish and probability >= 0.5):
                code = str(guess)
        votes[code] = votes.get(code, 0) + weight
    best = max(votes, key=lambda code: votes[code])
    if best != "en" and votes[best] >= 20 and votes[best] * 10 >= sum(votes.values()) * 6:
        return best
    return "en"


def _addresses_question(text: str, question: str) -> bool:
    """Whether a turn is about the question or the work the interview is about: two or more
    product, ML or interview terms or words of the question (one is enough in a very short turn)."""
    asked = {w[:5] for w in words(question) if w not in _STOP and len(w) > 3}
    said = [w for w in words(text) if w not in _STOP and len(w) > 3]
    hits = len(_DOMAIN.findall(text)) + len(t.NUMBER.findall(text)) + sum(1 for w in said if w[:5] in asked)
    return hits >= (1 if len(words(text)) <= 6 else 2)


def _declines(text: str) -> TurnClass | None:
    """"move_on" or "dont_know" for a short turn that asks to move on or says there is no
    answer, and holds nothing else of substance; None otherwise."""
    tokens = words(text)
    if len(tokens) > 16 or t.NUMBER.search(text):
        return None
    if _BARE_NO.match(text):
        return "dont_know"
    moving_on, no_answer = _MOVE_ON.search(text), _DONT_KNOW.search(text)
    if not (moving_on or no_answer):
        return None
    rest = _DONT_KNOW.sub(" ", _MOVE_ON.sub(" ", text))
    content = [w for w in words(rest) if w not in _STOP and len(w) > 2]
    if len(content) >= 2 and _DOMAIN.search(rest):  # "not sure, maybe completion rate": an attempt
        return None
    return "move_on" if moving_on else "dont_know"


def classify_turn(text: str, question: str) -> Gate:
    """Classify one submitted turn (commands are handled before this).

    Sentences and asides addressed to the grader are set aside first, so an injected instruction
    can change neither the language nor whether the answer is on topic; the asides are cut out of
    the text that is scored (the rest of their sentence stays).
    """
    text = text.replace("\u2019", "'")
    if not re.search(r"\w", text):
        return Gate("empty", "")
    declined = _declines(text)
    if declined:
        return Gate(declined, text)
    gate = _classify_answer(*t.strip_asides(text), question)
    return gate


def _classify_answer(text: str, asides: list[str], question: str) -> Gate:
    own_words, _ = t.strip_injections(text)
    language = detect_language(own_words)
    if language in _FILLER_LANGUAGES:
        return Gate("off_topic", text, [OFF_TOPIC_NOTICE], on_topic=False, asides=asides)
    if language != "en":
        return Gate("not_english", text, language=language, asides=asides)
    collapsed, removed = collapse_repeats(text)
    on_topic = _addresses_question(collapse_repeats(own_words)[0], question)
    if removed:
        notices = [repeat_notice(removed)] + ([] if on_topic else [OFF_TOPIC_NOTICE])
        return Gate("repeated", collapsed, notices, repeats_removed=removed, on_topic=on_topic, asides=asides)
    if not on_topic:
        return Gate("off_topic", text, [OFF_TOPIC_NOTICE], on_topic=False, asides=asides)
    return Gate("answer", text, asides=asides)


OFF_TOPIC_NOTICE = ("This answer does not address the question that was asked, so it earned nothing "
                    "on the rubric and no follow-up was asked about it.")


def repeat_notice(removed: int) -> str:
    """What the candidate is told when repeated text was collapsed."""
    return (f"Your answer repeated the same text ({removed} repeat{'s' if removed != 1 else ''}); "
            "each sentence was scored once, as if written once.")


def not_english_notice(language_name: str) -> str:
    """The offline engine's notice for an answer in another language."""
    return (f"This answer looks like {language_name}. The offline engine grades English only, so it "
            "was not scored and nothing was counted against you. To have it graded as written, use "
            "the LLM engine (set INTERVIEWER_INTERVIEWER_MODEL and, for a local server, "
            "INTERVIEWER_LLM_BASE_URL), or answer in English.")
