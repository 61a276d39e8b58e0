"""`kizuna resolve ...` and `kizuna screen ...`: entity resolution and list screening from the shell.

Every command prints a readable summary, or JSON with --json; batch input with --file (one name
per line). Resolution and screening read the graph; only `resolve run` and `resolve decide|undo`
write (SAME_AS candidates and decisions, through graph.writer).
"""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli import echo_json, run_db
from kizuna.errors import InvalidInput
from resolve.affiliation import AffiliationMatcher
from resolve.decisions import decide, undo
from resolve.graph_io import load_records
from resolve.index import NameIndex, Query
from resolve.pipeline import resolve_incremental
from resolve.screening import SCREEN_THRESHOLD, Screener

app = typer.Typer()
resolve_app = typer.Typer(help="Entity resolution: match names to graph entities, run resolution, record decisions.", no_args_is_help=True)
app.add_typer(resolve_app, name="resolve")


def _inputs(text: str | None, file: Path | None) -> list[str]:
    if file is not None:
        try:
            lines = [line.strip() for line in file.read_text(encoding="utf-8").splitlines()]
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror}") from exc
        return [line for line in lines if line]
    if not text:
        raise InvalidInput("give a name, or --file with one name per line")
    return [text]


def _context(pairs: list[str]) -> dict:
    ctx: dict = {}
    for p in pairs:
        key, sep, value = p.partition("=")
        if not sep or key not in ("affiliation", "coauthor", "year", "orcid", "country", "city", "parent"):
            raise InvalidInput(f"--context takes key=value with key affiliation|coauthor|year|orcid|country|city|parent, not {p!r}")
        if key == "year":
            ctx.setdefault("years", []).append(int(value))
        elif key in ("affiliation", "coauthor"):
            ctx.setdefault(key + "s", []).append(value)
        else:
            ctx[key] = value
    return ctx


def _print_result(r: dict) -> None:
    m = r["match"]
    if m:
        typer.echo(f"{r['query']!r}: {m['name']} [{m['entity_id']}] score {m['score']:.2f}")
        for f, v in m["features"].items():
            typer.echo(f"    {f}: {v}")
    else:
        typer.echo(f"{r['query']!r}: {r['status']}" + "".join(f"\n    candidate {c['name']} [{c['entity_id']}] {c['score']:.2f}" for c in r["candidates"][:3]))


def _resolve(kind: str, text: str | None, file: Path | None, context: list[str], as_json: bool) -> None:
    names = _inputs(text, file)
    ctx = _context(context)
    ids = {"orcid": ctx.pop("orcid")} if "orcid" in ctx else {}

    async def work(db):
        index = NameIndex((rec for rec, _ in await load_records(db, kind)), kind)
        if kind == "org" and not ctx:
            matcher = AffiliationMatcher(index)
            return [matcher.match(n).as_dict() for n in names]
        return [index.match(Query(n, kind, ids, ctx)).as_dict() for n in names]

    results = run_db(work)
    if as_json:
        echo_json(results if file else results[0])
    else:
        for r in results:
            _print_result(r)


@resolve_app.command("org")
def resolve_org(
    text: str = typer.Argument(None, help="Organization name or affiliation string."),
    file: Path = typer.Option(None, "--file", help="One name per line."),
    context: list[str] = typer.Option([], "--context", help="country=..., city=..., parent=..."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Top matching organization (id, name, identifiers, score, explanation) — or no match."""
    _resolve("org", text, file, context, as_json)


@resolve_app.command("person")
def resolve_person(
    text: str = typer.Argument(None, help="Person name."),
    file: Path = typer.Option(None, "--file", help="One name per line."),
    context: list[str] = typer.Option([], "--context", help="affiliation=..., coauthor=..., year=..., orcid=..."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Top matching person. A name alone never links: without corroborating context the answer is
    'insufficient' with the name-compatible candidates listed."""
    _resolve("person", text, file, context, as_json)


@resolve_app.command("run")
def resolve_run(
    since: str = typer.Option(None, help="Also resolve nodes seen since this ISO time."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Resolve new or changed nodes and write SAME_AS candidates (what ingest runs after each load)."""
    report = run_db(lambda db: resolve_incremental(db, since=since)).as_dict()
    if as_json:
        echo_json(report)
    else:
        typer.echo(f"checked {report['checked']}, candidates written {report['candidates']}, "
                   f"identifier links {report['identifier_links']}, kept decisions {report['skipped_decided']}, "
                   f"ambiguous {len(report['ambiguous'])}")


@resolve_app.command("decide")
def resolve_decide(
    a: str = typer.Argument(..., help="Entity id."),
    b: str = typer.Argument(..., help="Entity id."),
    same: bool = typer.Option(..., "--same/--not-same", help="Your decision."),
    by: str = typer.Option(..., "--by", help="Who decides."),
    why: str = typer.Option(..., "--why", help="Why."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record a decision on a pair; later runs respect it."""
    out = run_db(lambda db: decide(db, a, b, same=same, by=by, why=why))
    echo_json(out) if as_json else typer.echo(f"{out['a']} {out['decision']} {out['b']} (by {by})")


@resolve_app.command("undo")
def resolve_undo(
    a: str = typer.Argument(...), b: str = typer.Argument(...),
    by: str = typer.Option(..., "--by"), why: str = typer.Option(..., "--why"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Undo a 'same' decision (the pair becomes 'not same'; the history is kept)."""
    out = run_db(lambda db: undo(db, a, b, by=by, why=why))
    echo_json(out) if as_json else typer.echo(f"{out['a']} {out['decision']} {out['b']} (undo by {by})")


@app.command("screen")
def screen(
    text: str = typer.Argument(None, help="Name to screen."),
    kind: str = typer.Option(None, "--kind", help="org or person (default: both)."),
    lists: list[str] = typer.Option([], "--lists", help="Watchlist ids or names (default: all)."),
    file: Path = typer.Option(None, "--file", help="One name per line."),
    threshold: float = typer.Option(SCREEN_THRESHOLD, help="Minimum name similarity (0-1)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Ranked matches of a name against the chosen lists, with listings and explanation."""
    if kind not in (None, "org", "person"):
        raise typer.BadParameter("--kind must be org or person")
    names = _inputs(text, file)

    async def work(db):
        screener = await Screener.load(db, lists or None)
        return [screener.screen(n, kind=kind, threshold=threshold) for n in names]

    results = run_db(work)
    if as_json:
        echo_json(results if file else results[0])
        return
    for r in results:
        typer.echo(f"{r['query']!r}: {len(r['matches'])} match(es)")
        for m in r["matches"]:
            lists_txt = ", ".join(f"{x['watchlist']} (since {x['start']})" for x in m["listings"])
            typer.echo(f"    {m['score']:.2f} {m['name']} [{m['entity_id']}] on {lists_txt}; {m['features']['name']['how']}")
