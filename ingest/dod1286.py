"""US DoD Section 1286 list (FY2019 NDAA): foreign institutions engaging in problematic
activity and foreign talent-recruitment programs, published once per fiscal year.

The CSV holds one block per fiscal year (``report-date``). An institution's listing starts in
the first fiscal year it appears and, when the latest block no longer has it, ends in the year
after its last appearance. Talent programs become Organization nodes of kind talent_program."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, guess_kind, listing, split_names, watchlist_node
from ingest.readers import csv_rows
from kizuna.ids import make_id

LIST_KEY = "us-dod-section-1286"
FIELDS = frozenset({"schema", "name", "aliases", "topics", "program", "authority", "reason", "report-date",
                    "start-date", "end-date", "country", "notes", "source_url"})


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    """Groups the per-year rows by institution (the list is small: a few hundred rows)."""
    groups: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    years: set[str] = set()
    for locator, row in csv_rows(ctx, required=("name", "report-date")):
        year = clean(row.get("report-date"))[:4]
        if year.isdigit():
            years.add(year)
        groups[clean(row.get("name")).casefold()].append((locator, row))
    ctx.meta["years"] = sorted(years)
    if years and not ctx.published:
        ctx.published = max(years)
    for rows in groups.values():
        yield ", ".join(loc for loc, _ in rows), [row for _, row in rows]


def convert(ctx: ReadContext, locator: str, rows: list[dict]) -> Iterable[Fact]:
    first = rows[0]
    if any(None in r for r in rows):
        raise Skip(next(r[None] for r in rows if None in r))
    name = clean(first.get("name"))
    if not name:
        raise Skip("no institution name")
    years = sorted({clean(r.get("report-date"))[:4] for r in rows})
    if not all(y.isdigit() for y in years):
        raise Skip(f"report-date is not a fiscal year: {', '.join(years)}")
    aliases = [a for r in rows for a in split_names(r.get("aliases"), ";")]
    latest = ctx.meta["years"][-1]
    org_id = make_id("org", LIST_KEY, name)
    props = {"name": name, "names": [name, *aliases], "kind": guess_kind(name)}
    country = next((clean(r.get("country")) for r in rows if clean(r.get("country"))), "")
    if country:
        props["country"] = country
    yield NodeRecord("Organization", org_id, props, ctx.ev(f"{locator} / name", name))
    end = "" if latest in years else str(int(years[-1]) + 1)
    yield listing(
        ctx, org_id, locator, name,
        start=years[0], end=end, listed_name=name,
        program="; ".join(f"FY{y}" for y in years),
        reason=next((clean(r.get("reason")) or clean(r.get("notes")) for r in rows if clean(r.get("reason")) or clean(r.get("notes"))), "")
        or "Section 1286 list of foreign institutions and talent programs",
    )


def preamble(ctx: ReadContext) -> Iterable[Fact]:
    yield watchlist_node(ctx, LIST_KEY, "DoD Section 1286 list", jurisdiction="US", authority="US Department of Defense",
                         url="https://basicresearch.defense.gov/Programs/Academic-Research-Security/",
                         names=["Section 1286 list of foreign institutions and foreign talent programs"])


SOURCE = Source(
    name="dod1286", title="US DoD Section 1286 list (CSV, one block per fiscal year)",
    formats="CSV: schema,name,aliases(;),report-date(FY),country,notes,source_url,...",
    read=read, convert=convert, preamble=preamble, watchlist_key=LIST_KEY,
    licence="US government work (public domain); the OpenSanctions transcription is CC BY-NC 4.0",
)
