"""`kizuna paths`, `kizuna undisclosed` and `kizuna assess`: the risk questions on the command
line, each with --json for scripts (the same dataclasses the API maps to GraphQL)."""

from __future__ import annotations

import dataclasses
from typing import Any

import typer

from graph.db import Database

queries_app = typer.Typer(help="Risk questions: concern paths, undisclosed links, assessment.")


def run_db(work):
    from api.cli import run_db as run  # late: api.cli registers this module while it loads

    return run(work)


def echo_json(data: Any) -> None:
    from api.cli import echo_json as echo

    echo(data)


def _plain(obj: Any) -> Any:
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj


def _params(values: list[str]) -> dict[str, Any]:
    """--param name=value (value parsed as YAML: numbers, lists, booleans)."""
    import yaml

    from kizuna.errors import InvalidInput

    out: dict[str, Any] = {}
    for item in values:
        if "=" not in item:
            raise typer.BadParameter(f"--param takes name=value, not {item!r}")
        name, raw = item.split("=", 1)
        try:
            out[name.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise InvalidInput(f"--param {name}: {exc}") from None
    return out


@queries_app.command("paths")
def paths_cmd(
    entity_id: str = typer.Argument(..., help="Subject id (person, organization, project, ...)."),
    max_hops: int = typer.Option(4, "--max-hops", min=1, max=6, help="Longest path (1-6)."),
    lists: list[str] = typer.Option(None, "--list", help="Only these watchlist ids (repeatable)."),
    relation: list[str] = typer.Option(None, "--relation", help="Only these relationship types (repeatable)."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0),
    as_of: str = typer.Option(None, "--as-of", help="Only facts and listings valid on this date (YYYY-MM-DD)."),
    hub_degree: int = typer.Option(200, "--hub-degree", help="Nodes with more relationships are not expanded through their links."),
    budget_ms: int = typer.Option(800, "--budget-ms", help="Time budget; deeper hops are left out when it runs out."),
    max_paths: int = typer.Option(500, "--max-paths", min=1, max=5000, help="Give the best N paths (all reached entities are counted)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Best path from a subject to every listed entity, hop by hop with evidence."""
    from queries.paths import PathFilters, concern_paths

    filters = PathFilters(max_hops, lists or None, relation or None, min_confidence, as_of, None, hub_degree, budget_ms, max_paths)

    async def work(db: Database):
        return await concern_paths(db, entity_id, filters)

    result = run_db(work)
    if as_json:
        echo_json(_plain(result))
        return
    shown = f"{len(result.paths)} listed entities" if len(result.paths) == result.total_paths else f"{result.total_paths} listed entities (best {len(result.paths)} shown)"
    typer.echo(f"{result.subject_name or result.subject_id}: {shown} within {result.hops_explored} hops"
               + (" (PARTIAL)" if result.partial else "") + f" [{result.elapsed_ms} ms]")
    for p in result.paths:
        chain = " ".join(f"-[{h.relation} {h.start or ''}..{h.end or ''} c={h.confidence:.2f}]- {h.to_name if h.to_id != h.from_id else h.from_name}" for h in p.hops)
        typer.echo(f"  {p.score:.3f}  {p.target_name} ({', '.join(ls.watchlist_name for ls in p.listings)}): {result.subject_name} {chain}")
    for lo in result.left_out:
        typer.echo(f"  left out: {lo.name or ''} {lo.reason}")


@queries_app.command("undisclosed")
def undisclosed_cmd(
    person_id: str = typer.Argument(..., help="Person id."),
    as_of: str = typer.Option(None, "--as-of", help="Use the latest disclosure submitted by this date."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Open-source links of a person that their latest disclosure does not match."""
    from queries.undisclosed import undisclosed_links

    async def work(db: Database):
        return await undisclosed_links(db, person_id, as_of=as_of)

    result = run_db(work)
    if as_json:
        echo_json(_plain(result))
        return
    typer.echo(f"{result.subject_name or result.subject_id}: {result.note}")
    for u in result.undisclosed:
        link = u.link
        sources = ", ".join(sorted({e['source_id'] for e in u.open_evidence}))
        typer.echo(f"  UNDISCLOSED {link.relation} {link.target_name} {link.start or '?'}..{link.end or 'present'} (from {sources}): {u.reason}")
    for m in result.matched:
        typer.echo(f"  disclosed   {m.link.relation} {m.link.target_name}")


@queries_app.command("assess")
def assess_cmd(
    subject_id: str = typer.Argument(..., help="Person, organization or project id."),
    packs: list[str] = typer.Option(None, "--packs", help="Rule pack ids or YAML files (repeatable; default all built-in)."),
    as_of: str = typer.Option(None, "--as-of", help="Assessment date (YYYY-MM-DD, default today)."),
    param: list[str] = typer.Option(None, "--param", help="Override a pack parameter: name=value (repeatable)."),
    area: list[str] = typer.Option(None, "--area", help="Technology area of the proposal (repeatable)."),
    budget_ms: int = typer.Option(600, "--budget-ms", help="Time budget of each concern-path search."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Proportionate risk assessment: findings, rules fired with citations, tier, recommendation."""
    from queries.assess import assess

    overrides = _params(param or [])

    async def work(db: Database):
        return await assess(db, subject_id, packs=packs or None, as_of=as_of, params=overrides, technology_areas=area or None,
                            time_budget_ms=budget_ms)

    result = run_db(work)
    if as_json:
        echo_json(_plain(result))
        return
    typer.echo(f"{result.subject_label} {result.subject_name or result.subject_id} as of {result.as_of}: {result.recommendation} (tier {result.tier})")
    typer.echo(f"  {result.explanation}")
    for r in result.rules_fired:
        typer.echo(f"  rule {r.pack_id}/{r.rule_id} -> {r.outcome} ({r.tier}): {r.title} [{r.citation.document}, {r.citation.section}]")
    for m in result.measures:
        typer.echo(f"  measure: {m}")
    for f in result.findings:
        typer.echo(f"  finding {f.kind}: {f.summary}")
    for gap in result.coverage.missing:
        typer.echo(f"  missing: {gap}")


def register(app: typer.Typer) -> None:
    """Add the commands to the main `kizuna` app."""
    for command in queries_app.registered_commands:
        app.registered_commands.append(command)
