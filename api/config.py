"""API settings: authentication, limits and developer conveniences, read from KIZUNA_API_*.

Why a separate settings class: these knobs concern the HTTP surface only; keeping them beside
the API keeps kizuna/settings.py about the process as a whole. Every default is the safe one:
introspection and GraphiQL are off unless KIZUNA_ENVIRONMENT=development or set explicitly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kizuna.settings import REPO_ROOT

DEV_PEPPER = "kizuna-local-development-pepper"


class ApiConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIZUNA_API_", env_file=".env", extra="ignore")

    # -- authentication ---------------------------------------------------------------------
    # Server-side secret mixed into every key hash (HMAC-SHA256). A copy of the database alone
    # then does not allow checking guessed keys. Set it in production; the default is for local use.
    key_pepper: str = DEV_PEPPER
    # Verified keys are remembered this long (seconds); a revoked key stops working within it.
    key_cache_seconds: float = 5.0
    # Optional JWT bearer tokens from an OIDC provider: the issuer's public key (PEM) or JWKS URL.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_public_key: str | None = None
    oidc_jwks_url: str | None = None
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    oidc_role_claim: str = "kizuna_role"

    # -- query limits ------------------------------------------------------------------------
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_fragment_spreads: int = 64
    # Field selections once every fragment is expanded (a fragment bomb is small text, huge expansion).
    max_selections: int = 2000
    max_first: int = 100
    max_hops: int = 6
    # A concern-path request costs maxHops x first; above this it is refused before running.
    max_path_cost: int = 300
    # Time budget of one concern-path search; past it the answer is flagged partial.
    path_time_budget_ms: int = 800
    # Read the whole store once in the background at start-up (graph.db.warm_page_cache), so a
    # restarted Neo4j Community answers from memory instead of disk once it has run (13-28 s on the 1M-node bench graph).
    warm_page_cache: bool = True
    # -- request limits ----------------------------------------------------------------------
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    upload_extensions: list[str] = Field(default_factory=lambda: ["pdf", "docx", "txt", "md", "json", "csv", "yaml", "yml", "html", "xml"])
    request_timeout_seconds: float = 20.0
    # Bounded concurrency (api.limits.RequestLimits): requests running at once, uploads among them,
    # and how long a request may wait for a slot before a 503 OVERLOADED with Retry-After.
    max_concurrent_requests: int = 16
    max_concurrent_uploads: int = 2
    admission_wait_seconds: float = 10.0
    # Uploads are long by nature (each is read by the NLP pipeline, one at a time): they may queue longer.
    upload_admission_wait_seconds: float = 60.0
    # Uploads (multipart: disclosures, watchlists) are parsed and ingested in the request; the first
    # disclosure of a process also loads the language pipelines.
    upload_timeout_seconds: float = 300.0
    # ingestSource reads a file on the server: only inside these folders (symlinks resolved), so an
    # admin key cannot make the server read /etc or another tenant's files. KIZUNA_API_INGEST_DIRS
    # takes a JSON list. Defaults: the bundled demo sources and the data folder var/ingest.
    ingest_dirs: list[Path] = Field(default_factory=lambda: [REPO_ROOT / "ingest" / "demo", REPO_ROOT / "var" / "ingest"])
    # Token bucket per key (or per token subject): sustained requests per second and burst.
    rate_per_second: float = 50.0
    rate_burst: int = 100

    # -- developer conveniences (None: on only in development) --------------------------------
    introspection: bool | None = None
    graphiql: bool | None = None


@lru_cache(maxsize=1)
def get_api_config() -> ApiConfig:
    return ApiConfig()
