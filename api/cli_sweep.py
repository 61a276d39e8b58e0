"""`kizuna sweep ...`: run, schedule, list and show periodic due-diligence sweeps."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import typer

from kizuna.errors import KizunaError
from kizuna.settings import get_settings

sweep_app = typer.Typer(help="Periodic due-diligence sweeps: refresh sources, re-check a population, report changes.",
                        no_args_is_help=True)


def _logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)


@sweep_app.command("run")
def sweep_run(
    definition: Path = typer.Argument(..., help="Sweep definition YAML."),
    workers: int = typer.Option(None, help="Worker processes (default: the definition's `workers`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the stored sweep record as JSON."),
) -> None:
    """Run (or resume) a sweep: re-ingest changed sources, resolve, re-assess, store, diff, write outputs."""
    from api.cli import echo_json, run_db
    from ingest.sweep.runner import run_sweep

    _logging()
    record = run_db(lambda db: run_sweep(db, definition, workers=workers))
    if as_json:
        echo_json(record)
        return
    c = record["counts"]
    typer.echo(f"sweep {record['id']} completed{' (resumed)' if c['resumed'] else ''}: {c['subjects']} subjects, "
               f"{c['errors']} errors, {c['findings']} findings")
    typer.echo("changes: " + ", ".join(f"{k} {v}" for k, v in record["diff"]["counts"].items() if v))
    if record.get("outputs"):
        typer.echo(f"outputs: {record['outputs']['directory']}")


@sweep_app.command("schedule")
def sweep_schedule(definitions: list[Path] = typer.Argument(..., help="One or more sweep definition YAMLs with a schedule.")) -> None:
    """Run the definitions' sweeps on their cron schedules in this process (Ctrl-C stops)."""
    from api.cli import fail
    from ingest.sweep.schedule import build_scheduler, next_runs, run_blocking
    from ingest.sweep.definition import load_definition

    _logging()
    settings = get_settings()
    try:
        scheduler = build_scheduler(definitions, lambda p: run_blocking(p, settings))
    except KizunaError as exc:
        fail(exc)
    for path in definitions:
        d = load_definition(path).definition
        typer.echo(f"{d.id}: '{d.schedule}', next at {next_runs(d.schedule, 1)[0]}")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        typer.echo("scheduler stopped")


@sweep_app.command("list")
def sweep_list(
    definition_id: str = typer.Option(None, "--definition", help="Only sweeps of this definition id."),
    limit: int = typer.Option(20, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Stored sweeps, newest first."""
    from api.cli import echo_json, run_db
    from queries.sweep import list_sweeps

    rows = run_db(lambda db: list_sweeps(db, definition_id, limit=limit))
    if as_json:
        echo_json(rows)
        return
    for s in rows:
        typer.echo(f"{s['id']}  {s['definition_id']:20} {s['status']:10} {s['started_at']}  subjects={s.get('subjects_done')} errors={s.get('errors')}")


@sweep_app.command("show")
def sweep_show(
    target: str = typer.Argument(..., help="A sweep id, or a definition YAML (validates it and shows its next runs)."),
) -> None:
    """Show one stored sweep (with its diff) as JSON, or validate a definition file."""
    from api.cli import echo_json, fail, run_db
    from ingest.sweep.definition import load_definition
    from ingest.sweep.schedule import next_runs
    from kizuna.errors import NotFound
    from queries.sweep import get_sweep

    if Path(target).is_file():
        try:
            loaded = load_definition(target)
        except KizunaError as exc:
            fail(exc)
        d = loaded.definition
        echo_json({"definition": json.loads(d.model_dump_json()), "checksum": loaded.checksum,
                   "next_runs": next_runs(d.schedule) if d.schedule else []})
        return
    record = run_db(lambda db: get_sweep(db, target))
    if record is None:
        fail(NotFound(f"no sweep {target!r}", hint="`kizuna sweep list` shows the stored sweeps"))
    echo_json(record)
