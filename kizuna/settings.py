"""Runtime settings, read once from the environment (and an optional `.env`).

Why pydantic-settings: typed values, one documented place, the same names in the README's
configuration table, in docker-compose.yml and in CI.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob Kizuna reads. Environment names are KIZUNA_<FIELD> unless noted."""

    model_config = SettingsConfigDict(env_prefix="KIZUNA_", env_file=".env", extra="ignore")

    # An external Neo4j: when NEO4J_URI is set nothing is launched and that server is used.
    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password_external: str | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = "neo4j"

    # The Neo4j that Kizuna launches itself (embedded in graph/launcher).
    neo4j_host: str = "127.0.0.1"
    neo4j_bolt_port: int = 7687
    neo4j_password: str = "kizuna-local"
    neo4j_home: Path = REPO_ROOT / "var" / "neo4j"
    neo4j_heap_mb: int = 4096
    neo4j_pagecache_mb: int = 4096
    neo4j_start_timeout_s: float = 180.0

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    environment: str = "development"

    @property
    def launches_neo4j(self) -> bool:
        """True when Kizuna starts its own Neo4j (no NEO4J_URI given)."""
        return not self.neo4j_uri

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://{self.neo4j_host}:{self.neo4j_bolt_port}"

    @property
    def auth(self) -> tuple[str, str]:
        if self.neo4j_uri:
            return (self.neo4j_user, self.neo4j_password_external or self.neo4j_password)
        return ("neo4j", self.neo4j_password)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own Settings instead."""
    return Settings()
