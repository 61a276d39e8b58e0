"""`kizuna keys create|list|revoke` (API keys) and `kizuna schema export|check` (the GraphQL SDL).

Registered on the main CLI by importing this module (one line in api/cli.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from api.cli import app, echo_json, fail, run_db
from api.config import DEV_PEPPER, get_api_config
from graph.db import Database
from kizuna.errors import KizunaError
from kizuna.settings import get_settings

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke. Stored hashed in Neo4j.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema file api/schema.graphql: export or check.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(schema_app, name="schema")


def _warn_dev_pepper() -> None:
    if get_api_config().key_pepper == DEV_PEPPER and get_settings().environment != "development":
        typer.secho("warning: KIZUNA_API_KEY_PEPPER is not set; keys are hashed with the development pepper", err=True, fg=typer.colors.YELLOW)


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., "--role", help="viewer, investigator, reviewer, admin or auditor."),
    name: str = typer.Option(..., "--name", help="Who or what uses the key (a person, a grant system)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create a key. The full key is printed once and never stored; keep it safe."""
    from api.auth import create_api_key

    _warn_dev_pepper()

    async def work(db: Database):
        return await create_api_key(db, get_api_config(), name=name, role=role)

    key_id, full = run_db(work)
    if as_json:
        echo_json({"key_id": key_id, "role": role.lower(), "name": name, "key": full})
    else:
        typer.echo(f"key id: {key_id}\nrole:   {role.lower()}\nkey:    {full}\n(shown once; it is stored only as a hash)")


@keys_app.command("list")
def keys_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every key: id, name, role, created, revoked (never the secret)."""
    from queries.keys import list_keys

    rows = run_db(list_keys)
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['key_id']}  {r['role']:12} {r['name']:30} created {r['created_at']}" + (f"  REVOKED {r['revoked_at']}" if r.get("revoked_at") else ""))


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(..., help="The key id shown by `kizuna keys list`.")) -> None:
    """Revoke a key (the record stays, marked revoked)."""
    from api.auth import revoke_api_key

    async def work(db: Database):
        return await revoke_api_key(db, key_id)

    row = run_db(work)
    typer.echo(f"revoked {row['key_id']} at {row['revoked_at']}")


@schema_app.command("export")
def schema_export(path: Path = typer.Option(None, help="Where to write (default api/schema.graphql).")) -> None:
    """Write the schema's SDL (the file CI compares with the code)."""
    from api.schema import SCHEMA_FILE, export_schema

    written = export_schema(path or SCHEMA_FILE)
    typer.echo(f"schema written to {written}")


@schema_app.command("check")
def schema_check() -> None:
    """Exit 1 when api/schema.graphql differs from the code's schema."""
    from api.schema import SCHEMA_FILE, schema_sdl

    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    if current != schema_sdl():
        try:
            raise KizunaError("api/schema.graphql is out of date", hint="run `kizuna schema export` and commit the file")
        except KizunaError as exc:
            fail(exc)
    typer.echo("api/schema.graphql is up to date", file=sys.stdout)
