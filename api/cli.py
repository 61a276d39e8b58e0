"""The `kizuna` command line. Every command has --help; every failure prints a clear message
and exits non-zero (codes from kizuna.errors)."""

from __future__ import annotations

if __name__ == "__main__":  # `python -m api.cli`: run the importable module, which the sub-command
    import sys             # modules (api.cli_resolve, ...) import too, instead of a second copy of it

    from api.cli import main

    sys.exit(main())

import asyncio
import json
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer

from graph import server
from graph.db import Database
from graph.schema import apply_schema
from kizuna.errors import KizunaError
from kizuna.settings import get_settings

T = TypeVar("T")

app = typer.Typer(help="Kizuna: research-security due diligence on a knowledge graph.", no_args_is_help=True)
db_app = typer.Typer(help="The Neo4j database: start, stop, status, init, reindex.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def fail(exc: KizunaError) -> None:
    typer.secho(f"error: {exc.message}", err=True, fg=typer.colors.RED)
    if exc.hint:
        typer.secho(f"hint: {exc.hint}", err=True)
    raise typer.Exit(exc.exit_code)


def run_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` with a connected Database, mapping failures to clear CLI errors."""

    async def main() -> T:
        db = Database(get_settings())
        try:
            await db.verify()
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(main())
    except KizunaError as exc:
        fail(exc)
        raise  # unreachable: fail() exits


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@db_app.command("start")
def db_start() -> None:
    """Build the launcher if needed, start Neo4j (detached) and wait until Bolt answers."""
    settings = get_settings()
    try:
        st = server.start(settings)
    except KizunaError as exc:
        fail(exc)
    typer.echo(f"Neo4j is running at {st.uri} (pid {st.pid}, data in {st.home}, log {st.log})" if not st.external else f"using external Neo4j at {st.uri}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the Neo4j that Kizuna started (clean shutdown)."""
    stopped = server.stop(get_settings())
    typer.echo("Neo4j stopped" if stopped else "Neo4j was not running")


@db_app.command("status")
def db_status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Say whether Neo4j is running, where, and where its log is. Exit 1 when it is not."""
    st = server.status(get_settings())
    if as_json:
        echo_json(st.__dict__)
    else:
        typer.echo(("running" if st.running else "stopped") + f": {st.uri} pid={st.pid} home={st.home} log={st.log}")
    if not st.running:
        raise typer.Exit(1)


@db_app.command("init")
def db_init() -> None:
    """Apply the model's constraints and indexes (idempotent)."""
    count = run_db(apply_schema)
    typer.echo(f"schema applied: {count} constraints and indexes")


@db_app.command("reindex")
def db_reindex() -> None:
    """Rebuild concern proximity (the hops from every entity to the nearest listed one, which
    guides concern-path searches) after data was loaded by other means than Kizuna's ingestors."""
    from graph.proximity import rebuild

    counts = run_db(rebuild)
    typer.echo("concern proximity rebuilt: " + ", ".join(f"{n:,} at {hops} hops" for hops, n in counts.items()))


@app.command("stats")
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Counts of nodes per label and relationships per type."""
    from queries.stats import graph_stats

    data = run_db(graph_stats)
    if as_json:
        echo_json(data)
        return
    for section in ("labels", "relationships"):
        typer.echo(f"{section}:")
        for key, value in data[section].items():
            typer.echo(f"  {key:24} {value:>10}")


@app.command("load-demo")
def load_demo() -> None:
    """Load the bundled demo graph (public-domain and CC0 data plus fictional researchers)."""
    from ingest.demo import load_demo as _load

    async def work(db: Database) -> Any:
        await apply_schema(db)
        return await _load(db)

    report = run_db(work)
    typer.echo(f"demo loaded: {report}")


def _serve(host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app

    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="info")


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Address to bind (default KIZUNA_API_HOST)."),
    port: int = typer.Option(None, help="Port (default KIZUNA_API_PORT)."),
) -> None:
    """Run the API (GraphQL at /graphql, health at /healthz) against a running Neo4j."""
    settings = get_settings()
    _serve(host or settings.api_host, port or settings.api_port)


@app.command("up")
def up(
    demo: bool = typer.Option(True, "--demo/--no-demo", help="Load the demo graph (idempotent)."),
    host: str = typer.Option(None, help="API address (default KIZUNA_API_HOST)."),
    port: int = typer.Option(None, help="API port (default KIZUNA_API_PORT)."),
) -> None:
    """Start Neo4j and the API together; Ctrl-C stops both."""
    settings = get_settings()
    host, port = host or settings.api_host, port or settings.api_port
    try:
        st = server.start(settings)
    except KizunaError as exc:
        fail(exc)
    typer.echo(f"Neo4j ready at {st.uri}")
    try:
        if demo:
            load_demo()
        else:
            db_init()
        typer.echo(f"Kizuna is up: console http://{host}:{port}/console/, GraphQL http://{host}:{port}/graphql, "
                   f"health http://{host}:{port}/healthz. Ctrl-C stops.")
        typer.echo("An API key to sign in: kizuna keys create --role investigator --name <you>   (in another terminal)")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        _serve(host, port)
    finally:
        if server.stop(settings):
            typer.echo("Neo4j stopped")


# Sub-commands live in their own modules and are registered here, after the helpers they import
# from this module (fail, run_db, echo_json) exist. cli_disclosure and cli_keys register on import.
from api import cli_disclosure, cli_keys, cli_queries, cli_resolve  # noqa: E402,F401
from api.cli_ingest import ingest_app  # noqa: E402
from api.cli_sweep import sweep_app  # noqa: E402

app.add_typer(ingest_app, name="ingest")
app.add_typer(cli_resolve.app)
cli_queries.register(app)
app.add_typer(sweep_app, name="sweep")

def main() -> None:
    app()

