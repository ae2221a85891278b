"""Runtime settings, read from INTERVIEWER_* environment variables and .env."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent


def _in_source_checkout() -> bool:
    return (SOURCE_ROOT / "pyproject.toml").is_file() and (SOURCE_ROOT / "knowledge").is_dir()


def _default_data_dir() -> Path:
    if _in_source_checkout():
        return SOURCE_ROOT / "data"
    return Path.home() / ".local" / "share" / "interviewer"


def _default_knowledge_dir() -> Path:
    return SOURCE_ROOT / "knowledge"


class Settings(BaseSettings):
    """Everything configurable about a running interviewer."""

    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    knowledge_dir: Path = Field(default_factory=_default_knowledge_dir)
    rubric_path: Path = PACKAGE_DIR / "data" / "rubric.yaml"
    questions_path: Path = PACKAGE_DIR / "data" / "questions.yaml"
    loops_path: Path = PACKAGE_DIR / "data" / "loops.yaml"
    prompts_dir: Path = SOURCE_ROOT / "prompts"

    embedding_backend: Literal["minilm", "openai"] = "minilm"
    embedding_model_dir: Path | None = None
    openai_embedding_model: str = "text-embedding-3-small"

    max_answer_chars: int = 20_000
    max_probes_per_question: int = 2

    host: str = "127.0.0.1"
    port: int = 7860

    @property
    def index_dir(self) -> Path:
        """Where the Chroma index lives."""
        return self.data_dir / "index"

    @property
    def sessions_db(self) -> Path:
        """The SQLite file that holds interview checkpoints."""
        return self.data_dir / "sessions.sqlite"
