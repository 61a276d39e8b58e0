"""BIS Denied Persons List, tab-delimited (Name, address, Effective_Date, Expiration_Date, ...).

The list does not say whether an entry is a person or a firm; names with a company or
institution form ("LTD", "INC", "University", ...) become Organizations, the others Persons.
Address fields are where the party is, never a nationality; a firm's country is kept, a person's
address is not stored."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, iso_date, listing, looks_like_organization, watchlist_node
from ingest.readers import csv_rows
from kizuna.ids import make_id

LIST_KEY = "us-bis-denied-persons"
FIELDS = frozenset({"Name", "Country", "Effective_Date", "Expiration_Date", "Action", "FR_Citation", "Standard_Order"})


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    yield from csv_rows(ctx, required=("Name", "Effective_Date"), delimiter="\t")


def convert(ctx: ReadContext, locator: str, row: dict) -> Iterable[Fact]:
    if None in row:
        raise Skip(row[None])
    name = clean(row.get("Name"))
    if not name:
        raise Skip("no name")
    is_org = looks_like_organization(name)
    entity_id = make_id("org" if is_org else "per", LIST_KEY, name)
    props: dict[str, Any] = {"name": name, "names": [name]}
    if is_org:
        props.update(kind="company", country=clean(row.get("Country")))
    yield NodeRecord("Organization" if is_org else "Person", entity_id, props, ctx.ev(f"{locator} / Name", name))
    yield listing(ctx, entity_id, locator, name, listed_name=name, start=iso_date(row.get("Effective_Date")),
                  end=iso_date(row.get("Expiration_Date")), program="Denied Persons List (15 CFR 764)",
                  reason="; ".join(x for x in (clean(row.get("Action")), clean(row.get("FR_Citation"))) if x))


def preamble(ctx: ReadContext) -> Iterable[Fact]:
    yield watchlist_node(ctx, LIST_KEY, "Denied Persons List (DPL) - Bureau of Industry and Security", jurisdiction="US",
                         authority="US Department of Commerce, Bureau of Industry and Security")


SOURCE = Source(
    name="dpl", title="BIS Denied Persons List (tab-delimited)",
    formats="TSV: Name,Street_Address,City,State,Country,Postal_Code,Effective_Date,Expiration_Date,Standard_Order,Last_Update,Action,FR_Citation",
    read=read, convert=convert, preamble=preamble, mapped_fields=FIELDS, watchlist_key=LIST_KEY,
    licence="US government work (public domain)",
)
