"""The HTTP application: /healthz and /graphql, with one Neo4j driver made at start-up.

Every /graphql request is authenticated (API key or OIDC bearer token) and rate-limited before
any resolver runs; it then gets its own counted view of the shared Database, its own loaders and
its own audit collector (see api/loaders.py and api/audit.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from neo4j.exceptions import DriverError, Neo4jError
from strawberry.fastapi import GraphQLRouter

from api.audit import AuditCollector, AuditTrail
from api.auth import Authenticator
from api.config import ApiConfig, get_api_config
from api.limits import RequestLimits, TokenBucket
from api.loaders import CountingDatabase, Loaders
from api.schema import build_schema
from graph.db import Database, warm_page_cache
from graph.schema import schema_version
from kizuna import __version__
from kizuna.errors import DatabaseUnavailable, KizunaError, LimitExceeded
from kizuna.heap import settle_heap
from kizuna.settings import Settings, get_settings
from queries.paths import warm_up

HEALTH_TIMEOUT_S = 3.0
CONSOLE_DIR = Path(__file__).resolve().parent / "console"
log = logging.getLogger(__name__)



class RateLimited(LimitExceeded):
    def __init__(self, retry_after: float):
        super().__init__(f"too many requests for this key; retry in {retry_after:.2f} s")
        self.retry_after = retry_after


class _RedactQueryStrings(logging.Filter):
    """uvicorn's access log prints the full request target; a client that puts its API key (or a
    GraphQL query with personal data) in the URL must not find it in the log. Only the path is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = args[:2] + (args[2].split("?", 1)[0] + "?[redacted]",) + args[3:]
        return True


async def _warm_page_cache(db: Database) -> None:
    """Background page-cache warm-up; a failure only costs speed, so it is logged, not raised."""
    started = time.perf_counter()
    try:
        await warm_page_cache(db)
    except (KizunaError, Neo4jError, DriverError, OSError) as exc:
        log.warning("page cache warm-up stopped: %s", exc)
        return
    log.info("page cache warmed in %.1f s", time.perf_counter() - started)


def create_app(settings: Settings | None = None, config: ApiConfig | None = None) -> FastAPI:
    """Build the app; the driver is created in the lifespan and shared by every request."""
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _RedactQueryStrings) for f in access_log.filters):
        access_log.addFilter(_RedactQueryStrings())
    settings = settings or get_settings()
    config = config or get_api_config()
    development = settings.environment == "development"
    introspection = config.introspection if config.introspection is not None else development
    graphiql = config.graphiql if config.graphiql is not None else development

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.db = Database(settings)
        app.state.authenticator = Authenticator(app.state.db, config)
        app.state.audit_trail = AuditTrail(app.state.db)
        app.state.rate = TokenBucket(config.rate_per_second, config.rate_burst)
        try:
            await warm_up(app.state.db)  # plan the concern-path statements before the first request
        except DatabaseUnavailable as exc:  # the service still starts; /healthz says what is wrong
            log.warning("query warm-up skipped: %s", exc.message)
        settle_heap()
        warming = asyncio.create_task(_warm_page_cache(app.state.db)) if config.warm_page_cache else None
        try:
            yield
        finally:
            if warming:
                warming.cancel()
                await asyncio.gather(warming, return_exceptions=True)
            await app.state.db.close()

    app = FastAPI(title="Kizuna", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config

    async def context_getter(request: Request) -> dict:
        state = request.app.state
        if request.method == "GET":
            # GET only serves the GraphiQL page (queries over GET are off), which needs no caller;
            # every field still requires a principal, so nothing can be read this way.
            return {"request": request, "principal": None, "config": config}
        principal = await state.authenticator.authenticate(request.headers)
        wait = state.rate.take(principal.actor)
        if wait:
            raise RateLimited(wait)
        db = CountingDatabase(state.db)
        return {
            "request": request,
            "principal": principal,
            "config": config,
            "db": db,
            "loaders": Loaders(db),
            "audit": AuditCollector(),
            "audit_trail": state.audit_trail,
        }

    graphql = GraphQLRouter(
        build_schema(config, introspection=introspection),
        context_getter=context_getter,
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=False,
        multipart_uploads_enabled=True,
    )
    app.include_router(graphql, prefix="/graphql")
    app.add_middleware(RequestLimits, config=config)

    # The investigator console: static files only, served by this app so it works offline.
    @app.get("/console", include_in_schema=False)
    async def console_index() -> RedirectResponse:
        return RedirectResponse("/console/")

    app.mount("/console", StaticFiles(directory=CONSOLE_DIR, html=True), name="console")

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """Reachability of Neo4j and the applied schema version; 503 (degraded) when Neo4j is down."""
        db: Database = request.app.state.db
        try:
            version = await asyncio.wait_for(schema_version(db), timeout=HEALTH_TIMEOUT_S)
        except TimeoutError:
            return JSONResponse({"status": "degraded", "neo4j": "timeout", "version": __version__}, status_code=503)
        except KizunaError as exc:
            return JSONResponse({"status": "degraded", "neo4j": "unreachable", "error": exc.message, "version": __version__}, status_code=503)
        except Exception as exc:  # any driver failure means "degraded", never a crash
            return JSONResponse({"status": "degraded", "neo4j": "unreachable", "error": type(exc).__name__, "version": __version__}, status_code=503)
        return JSONResponse({"status": "ok", "neo4j": "ok", "schema_version": version, "version": __version__})

    @app.exception_handler(KizunaError)
    async def kizuna_error(request: Request, exc: KizunaError) -> JSONResponse:
        """Errors before GraphQL execution (authentication, rate) in GraphQL's error shape."""
        extensions = {"code": exc.code}
        if exc.hint:
            extensions["hint"] = exc.hint
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))} if isinstance(exc, RateLimited) else None
        if exc.http_status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse({"errors": [{"message": exc.message, "extensions": extensions}]}, status_code=exc.http_status, headers=headers)

    return app
