"""`kizuna ingest-disclosure <files> --json`: read researcher disclosures into the graph.

``ingest_disclosure_command`` is a plain function so it can be attached to any typer app
(the lead may alias it as `kizuna ingest disclosure`). Exit code 0 when every document went in,
2 when at least one document could not be read (the others are still written; see the report).
"""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli import app, echo_json, run_db
from graph.db import Database
from ingest.disclosure import ingest_paths


def ingest_disclosure_command(
    files: list[Path] = typer.Argument(..., help="Disclosure files: JSON form, PDF, DOCX, HTML, LaTeX or text."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    subject: str | None = typer.Option(None, "--subject", help="Name of the disclosing person when the document does not say it."),
) -> None:
    """Extract appointments, funding, contracts and talent programs, each with the words that
    prove it, link them to organizations in the graph and store the submission as a versioned
    Disclosure."""

    async def work(db: Database) -> dict:
        return await ingest_paths(db, files, subject_name=subject)

    report = run_db(work)
    if as_json:
        echo_json(report)
    else:
        for doc in report["documents"]:
            status = f"{doc['facts']} facts, version {doc['version']}" if doc["status"] == "ok" else "ERROR"
            typer.echo(f"{doc['file']}: {status}")
            for problem in doc["problems"]:
                typer.echo(f"  - {problem}")
        typer.echo(f"subjects: {', '.join(s['name'] for s in report['subjects']) or 'none'}; facts: {len(report['facts'])}")
    if report["errors"]:
        raise typer.Exit(2)


app.command("ingest-disclosure")(ingest_disclosure_command)
