"""Runtime settings, read from INTERVIEWER_* environment variables and .env."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
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
        env_prefix="INTERVIEWER_", env_file=".env", extra="ignore", frozen=True,
        populate_by_name=True,
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

    engine: Literal["auto", "offline", "llm"] = "auto"
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("INTERVIEWER_LLM_API_KEY", "OPENAI_API_KEY"))
    llm_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("INTERVIEWER_LLM_BASE_URL", "OPENAI_BASE_URL"))
    interviewer_model: str | None = None
    judge_model: str | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_temperature: float = Field(default=0.7, ge=0, le=2)
    llm_max_concurrency: int = Field(default=4, ge=1)
    price_input_per_1k: float = Field(default=0.0, ge=0)
    price_output_per_1k: float = Field(default=0.0, ge=0)

    max_answer_chars: int = 20_000
    max_probes_per_question: int = 2

    host: str = "127.0.0.1"
    port: int = 7860
    auth_username: str | None = Field(default=None, description="with auth_password: the web app asks for them")
    auth_password: SecretStr | None = None
    coach_username: str | None = Field(
        default=None, description="with coach_password: a second login, the only one that may use the Coach "
                                  "tab when logins are set (without logins the one local user is the coach)")
    coach_password: SecretStr | None = None
    browser_secret: SecretStr | None = Field(
        default=None, description="encrypts the sessions a browser remembers; replicas must share it "
                                  "(unset: one is made and kept in the data directory)")
    database_url: SecretStr | None = Field(
        default=None, description="postgresql://user:password@host:port/dbname: sessions in PostgreSQL, "
                                  "shared by replicas (unset: SQLite in the data directory)")
    chroma_url: str | None = Field(
        default=None, description="http://host:port of a Chroma server holding the index, built there by "
                                  "`interviewer index` (unset: an embedded index in the data directory)")

    @field_validator("database_url", "chroma_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def llm_configured(self) -> bool:
        """Whether a model is configured (then the LLM engine is the default)."""
        return bool(self.interviewer_model or self.judge_model)

    @property
    def logins(self) -> dict[str, str]:
        """Username -> password of every configured login (empty: the app asks for none)."""
        pairs = [(self.auth_username, self.auth_password), (self.coach_username, self.coach_password)]
        return {user: password.get_secret_value() for user, password in pairs if user and password}

    @property
    def resolved_engine(self) -> Literal["offline", "llm"]:
        """The engine to run: llm when a model is configured, unless told otherwise."""
        if self.engine == "auto":
            return "llm" if self.llm_configured else "offline"
        return self.engine

    @property
    def index_dir(self) -> Path:
        """Where the Chroma index lives."""
        return self.data_dir / "index"

    @property
    def sessions_db(self) -> Path:
        """The SQLite file that holds interview checkpoints."""
        return self.data_dir / "sessions.sqlite"
