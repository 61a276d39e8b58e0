"""The HTTP application: /healthz and /graphql, with one Neo4j driver made at start-up."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from strawberry.fastapi import GraphQLRouter

from api.schema import schema
from graph.db import Database
from graph.schema import schema_version
from kizuna import __version__
from kizuna.errors import KizunaError
from kizuna.settings import Settings, get_settings

CONSOLE_DIR = Path(__file__).resolve().parent / "console"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the driver is created in the lifespan and shared by every request."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.db = Database(settings)
        try:
            yield
        finally:
            await app.state.db.close()

    app = FastAPI(title="Kizuna", version=__version__, lifespan=lifespan)

    async def context_getter(request: Request) -> dict:
        return {"db": request.app.state.db, "request": request}

    graphql = GraphQLRouter(schema, context_getter=context_getter, graphql_ide="graphiql" if settings.environment == "development" else None)
    app.include_router(graphql, prefix="/graphql")

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
            version = await schema_version(db)
        except KizunaError as exc:
            return JSONResponse({"status": "degraded", "neo4j": "unreachable", "error": exc.message, "version": __version__}, status_code=503)
        except Exception as exc:  # any driver failure means "degraded", never a crash
            return JSONResponse({"status": "degraded", "neo4j": "unreachable", "error": type(exc).__name__, "version": __version__}, status_code=503)
        return JSONResponse({"status": "ok", "neo4j": "ok", "schema_version": version, "version": __version__})

    @app.exception_handler(KizunaError)
    async def kizuna_error(request: Request, exc: KizunaError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message, "hint": exc.hint}, status_code=exc.http_status)

    return app
