"""`kizuna ingest-disclosure <files> --json` (alias `kizuna ingest disclosure`): read researcher
disclosures into the graph, then resolve the persons and organizations written (``--no-resolve``
skips that). Exit code 0 when every document went in, 2 when at least one document could not be
read (the others are still written; see the report).
"""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli import app, echo_json, run_db
from api.cli_ingest import ingest_app, resolution_summary
from graph.db import Database
from ingest.disclosure import ingest_paths
from resolve.pipeline import ResolveReport, resolve_incremental


def ingest_disclosure_command(
    files: list[Path] = typer.Argument(..., help="Disclosure files: JSON form, PDF, DOCX, HTML, LaTeX or text."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    subject: str | None = typer.Option(None, "--subject", help="Name of the disclosing person when the document does not say it."),
    no_resolve: bool = typer.Option(False, "--no-resolve", help="Skip the incremental entity resolution that follows the ingest."),
    person_id: str | None = typer.Option(None, "--person-id", help="The documents are this existing person's (graph id), whatever name they give."),
    submitter: str | None = typer.Option(None, "--submitter", help="Account or institution submitting; keeps namesakes known only by name apart."),
) -> None:
    """Extract appointments, funding, contracts and talent programs, each with the words that
    prove it, link them to organizations in the graph and store the submission as a versioned
    Disclosure."""

    async def work(db: Database) -> dict:
        report = await ingest_paths(db, files, subject_name=subject, person_id=person_id, submitter=submitter)
        if not no_resolve and report["resolvable_ids"]:
            report["resolution"] = (await resolve_incremental(db, ids=report["resolvable_ids"])).as_dict()
        return report

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
        if "resolution" in report:
            typer.echo(resolution_summary(ResolveReport(**report["resolution"])))
    if report["errors"]:
        raise typer.Exit(2)


app.command("ingest-disclosure")(ingest_disclosure_command)
ingest_app.command("disclosure")(ingest_disclosure_command)
