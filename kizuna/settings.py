"""Runtime settings, read once from the environment (and an optional `.env`).

Why pydantic-settings: typed values, one documented place, the same names in the README's
configuration table, in docker-compose.yml and in CI.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob Kizuna reads. Environment names are KIZUNA_<FIELD> unless noted."""

    model_config = SettingsConfigDict(env_prefix="KIZUNA_", env_file=".env", extra="ignore")

    # An external Neo4j: when NEO4J_URI is set nothing is launched and that server is used.
    # Read from NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD by _external_server below.
    external_uri: str | None = None
    external_user: str = "neo4j"
    external_password: str | None = None
    neo4j_database: str = "neo4j"

    # The Neo4j that Kizuna launches itself (embedded in graph/launcher).
    neo4j_host: str = "127.0.0.1"
    neo4j_bolt_port: int = 7687
    neo4j_password: str = "kizuna-local"
    neo4j_home: Path = REPO_ROOT / "var" / "neo4j"
    neo4j_heap_mb: int = 4096
    neo4j_pagecache_mb: int = 4096
    # The launched JVM's garbage collector. Parallel by default: on this workload (2000-row write
    # transactions, batched reads) G1 spent 103 of the server's 369 s of CPU collecting during a
    # 1M-row ingest, ParallelGC 21 of 227 s (docs/ingest.md). G1 bounds pauses better.
    neo4j_gc: Literal["parallel", "g1"] = "parallel"
    # Back the launched JVM's heap and its page cache with transparent huge pages (where the
    # kernel allows them, madvise or always). On the 2-core bench VM the server's CPU a sweep
    # subject fell by ~13 % (docs/sweeps.md, session 18): its reads are scattered over gigabytes,
    # and fewer, larger pages mean fewer address-translation misses.
    neo4j_huge_pages: bool = True
    neo4j_start_timeout_s: float = 180.0

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    environment: str = "development"

    @model_validator(mode="before")
    @classmethod
    def _external_server(cls, data: Any) -> Any:
        """Take the external server from the conventional NEO4J_* variables.

        Why not field aliases: pydantic-settings matches names case-insensitively, so an alias
        NEO4J_PASSWORD would also swallow the argument ``neo4j_password`` of the launched server.
        """
        if isinstance(data, dict):
            for field, variable in (("external_uri", "NEO4J_URI"), ("external_user", "NEO4J_USER"), ("external_password", "NEO4J_PASSWORD")):
                if field not in data and os.environ.get(variable):
                    data[field] = os.environ[variable]
        return data

    @property
    def launches_neo4j(self) -> bool:
        """True when Kizuna starts its own Neo4j (no NEO4J_URI given)."""
        return not self.external_uri

    @property
    def bolt_uri(self) -> str:
        return self.external_uri or f"bolt://{self.neo4j_host}:{self.neo4j_bolt_port}"

    @property
    def auth(self) -> tuple[str, str]:
        if self.external_uri:
            return (self.external_user, self.external_password or self.neo4j_password)
        return ("neo4j", self.neo4j_password)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own Settings instead."""
    return Settings()
