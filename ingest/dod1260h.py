"""US DoD Section 1260H list of "Chinese military companies" (CSV with parent companies).

``Parent Name`` becomes a SUBSIDIARY_OF edge to the parent's node (the parent is usually listed
itself, so both meet on the same id); ``Start date``/``End date`` are the listing's dates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, iso_date, listing, rel, split_names, watchlist_node
from ingest.readers import csv_rows
from kizuna.ids import make_id

LIST_KEY = "us-dod-1260h"
FIELDS = frozenset({"Name", "Clean Name", "Alias", "Previous Name", "Parent Name", "Note", "Start date", "End date", "Source Url"})


def company_id(name: str) -> str:
    return make_id("org", LIST_KEY, name)


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    yield from csv_rows(ctx, required=("Name", "Parent Name"))


def convert(ctx: ReadContext, locator: str, row: dict) -> Iterable[Fact]:
    if None in row:
        raise Skip(row[None])
    listed = clean(row.get("Name"))
    name = clean(row.get("Clean Name")) or listed
    if not name:
        raise Skip("no company name")
    start, end = iso_date(row.get("Start date")), iso_date(row.get("End date"))
    aliases = split_names(row.get("Alias"), ";") + split_names(row.get("Previous Name"), ";")
    org_id = company_id(name)
    yield NodeRecord("Organization", org_id, {"name": name, "names": [name, listed, *aliases], "kind": "company"},
                     ctx.ev(f"{locator} / Clean Name", name))
    parent = clean(row.get("Parent Name"))
    if parent:
        parent_id = company_id(parent)
        yield NodeRecord("Organization", parent_id, {"names": [parent]}, ctx.ev(f"{locator} / Parent Name", parent))
        yield rel(ctx, "SUBSIDIARY_OF", org_id, parent_id, f"{locator} / Parent Name", parent)
    yield listing(ctx, org_id, locator, listed, start=start, end=end, listed_name=listed, reason=clean(row.get("Note")),
                  program="Section 1260H of the William M. (Mac) Thornberry NDAA for FY2021")


def preamble(ctx: ReadContext) -> Iterable[Fact]:
    yield watchlist_node(ctx, LIST_KEY, "DoD Section 1260H Chinese military companies", jurisdiction="US",
                         authority="US Department of Defense", names=["1260H list"])


SOURCE = Source(
    name="dod1260h", title="US DoD Section 1260H Chinese military companies (CSV)",
    formats="CSV: Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url",
    read=read, convert=convert, preamble=preamble, mapped_fields=FIELDS, watchlist_key=LIST_KEY,
    licence="US government work (public domain); the OpenSanctions transcription is CC BY-NC 4.0",
)
