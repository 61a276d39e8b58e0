"""US DoD Section 1260H list of "Chinese military companies" (CSV with parent companies).

``Parent Name`` becomes a SUBSIDIARY_OF edge to the parent's node (the parent is usually listed
itself, so both meet on the same id); ``Start date``/``End date`` give the listing's dates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, iso_date, listing, rel, split_names, watchlist_node
from ingest.readers import csv_rows
from kizuna.ids import make_id, normalize_key

LIST_KEY = "us-dod-1260h"


def company_id(name: str) -> str:
    return make_id("org", LIST_KEY, name)


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    """Groups the rows by company: the file has one block per tranche (2021, 2022, 2024, 2025,
    2026 releases), so one company appears once per release that names it. The list is small
    (hundreds of rows), so grouping in memory is bounded by the list's size."""
    groups: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for locator, row in csv_rows(ctx, required=("Name", "Parent Name")):
        groups[normalize_key(clean(row.get("Clean Name")) or clean(row.get("Name")))].append((locator, row))
    for rows in groups.values():
        yield ", ".join(loc for loc, _ in rows), [row for _, row in rows]


def convert(ctx: ReadContext, locator: str, rows: list[dict]) -> Iterable[Fact]:
    """One company: listed from its first release; ended when its latest row has an End date
    (a later row without one means it was listed again)."""
    if any(None in r for r in rows):
        raise Skip(next(r[None] for r in rows if None in r))
    dated = sorted(((iso_date(r.get("Start date")), iso_date(r.get("End date")), r) for r in rows), key=lambda t: t[0])
    latest = dated[-1][2]
    listed = clean(latest.get("Name"))
    name = clean(latest.get("Clean Name")) or listed
    if not name:
        raise Skip("no company name")
    aliases = [a for r in rows for a in [clean(r.get("Name")), *split_names(r.get("Alias"), ";"), *split_names(r.get("Previous Name"), ";")]]
    org_id = company_id(name)
    yield NodeRecord("Organization", org_id, {"name": name, "names": [name, *aliases], "kind": "company"},
                     ctx.ev(f"{locator} / Clean Name", name))
    for parent in dict.fromkeys(clean(r.get("Parent Name")) for r in rows if clean(r.get("Parent Name"))):
        parent_id = company_id(parent)
        yield NodeRecord("Organization", parent_id, {"names": [parent]}, ctx.ev(f"{locator} / Parent Name", parent))
        yield rel(ctx, "SUBSIDIARY_OF", org_id, parent_id, f"{locator} / Parent Name", parent)
    yield listing(ctx, org_id, locator, listed, start=dated[0][0], end=dated[-1][1], listed_name=listed,
                  reason="; ".join(dict.fromkeys(clean(r.get("Note")) for r in rows if clean(r.get("Note")))),
                  program="Section 1260H of the William M. (Mac) Thornberry NDAA for FY2021; releases "
                          + ", ".join(dict.fromkeys(d[0] for d in dated if d[0])))


def preamble(ctx: ReadContext) -> Iterable[Fact]:
    yield watchlist_node(ctx, LIST_KEY, "DoD Section 1260H Chinese military companies", jurisdiction="US",
                         authority="US Department of Defense", names=["1260H list"])


SOURCE = Source(
    name="dod1260h", title="US DoD Section 1260H Chinese military companies (CSV)",
    formats="CSV: Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url",
    read=read, convert=convert, preamble=preamble, watchlist_key=LIST_KEY,
    licence="US government work (public domain); the OpenSanctions transcription is CC BY-NC 4.0",
)
