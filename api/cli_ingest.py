"""`kizuna ingest <source> <paths...>`: one sub-command per open source (see ingest.registry).

Prints the run's report (``--json`` for machine-readable output); exits non-zero when a file
could not be read at all (nothing of that file was written; the other files were)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from graph.db import Database
from ingest.base import Source
from ingest.registry import SOURCES
from kizuna.errors import SourceUnreadable

ingest_app = typer.Typer(help="Ingest open sources (lists of concern, ROR, ORCID, OpenAlex, grants) with provenance.",
                         no_args_is_help=True)


def _command(source: Source):
    def command(
        paths: list[Path] = typer.Argument(..., exists=True, help="Files (or folders of files) to ingest."),
        as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
        published: str = typer.Option(None, help="Publication date of this list version (YYYY-MM-DD); enables end dates for removed entries."),
        partial: bool = typer.Option(False, help="The file is an extract: do not end listings missing from it."),
        orcid: str = typer.Option(None, help="ORCID iD of the person an ORCID section file belongs to."),
        list_name: str = typer.Option(None, help="Name of your own list (userlist)."),
        jurisdiction: str = typer.Option(None, help="Jurisdiction of your own list (userlist)."),
        authority: str = typer.Option(None, help="Authority that publishes your own list (userlist)."),
        no_resolve: bool = typer.Option(False, "--no-resolve", help="Skip the incremental entity resolution that follows a successful run."),
    ) -> None:
        from api.cli import echo_json, run_db  # at call time: api.cli registers this module
        from ingest.runner import ingest
        from resolve.pipeline import resolve_incremental

        options: dict[str, Any] = {"published": published, "partial": partial or None, "orcid": orcid,
                                   "list_name": list_name, "jurisdiction": jurisdiction, "authority": authority}

        async def work(db: Database):
            report = await ingest(db, source, paths, **options)
            resolved = None
            if report.ok and not no_resolve and (report.resolvable_ids or report.resolve_all_changed):
                resolved = await resolve_incremental(db, ids=None if report.resolve_all_changed else report.resolvable_ids)
            return report, resolved

        report, resolved = run_db(work)
        if as_json:
            echo_json(report.as_dict() | ({"resolution": resolved.as_dict()} if resolved else {}))
        else:
            typer.echo(str(report))
            if resolved:
                typer.echo(resolution_summary(resolved))
        if not report.ok:
            raise typer.Exit(SourceUnreadable.exit_code)

    command.__doc__ = f"{source.title}. Format: {source.formats}."
    return command


def resolution_summary(resolved: Any) -> str:
    """One line on what the incremental entity resolution after an ingest did."""
    checked = ", ".join(f"{n} {kind}" for kind, n in resolved.checked.items())
    return (f"resolution: checked {checked}; {resolved.candidates} SAME_AS written "
            f"({resolved.identifier_links} by identifier), {len(resolved.ambiguous)} ambiguous")


for _source in SOURCES.values():
    ingest_app.command(_source.name)(_command(_source))
