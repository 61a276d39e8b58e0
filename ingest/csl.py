"""US Consolidated Screening List (trade.gov) CSV, in its current schema (first column ``_id``)
and its 2019 schema (no ``_id``). Rows come from several lists (Entity List, Military End User,
Denied Persons, Nonproliferation Sanctions, ...): each ``source`` value is its own Watchlist."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, iso_date, list_watchlist_id, listing, looks_like_organization, split_names
from ingest import dpl
from ingest.readers import csv_rows
from kizuna.ids import make_id, normalize_key

FIELDS = frozenset({"_id", "source", "entity_number", "type", "programs", "name", "title", "federal_register_notice",
                    "start_date", "end_date", "remarks", "source_list_url", "alt_names", "license_requirement", "license_policy",
                    "source_information_url"})
_AUTHORITY = {"Bureau of Industry and Security": "US Department of Commerce, Bureau of Industry and Security",
              "State Department": "US Department of State", "Treasury Department": "US Department of the Treasury"}


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    yield from csv_rows(ctx, required=("source", "name", "type", "alt_names"))


def watchlist_key(list_name: str) -> str:
    """The Watchlist of a CSL ``source``; the Denied Persons List is the same list the ``dpl``
    source reads from BIS's own file, so both meet on one Watchlist and the same entries."""
    if list_name.startswith("Denied Persons List"):
        return dpl.LIST_KEY
    return "us-csl:" + normalize_key(list_name)


def convert(ctx: ReadContext, locator: str, row: dict) -> Iterable[Fact]:
    if None in row:
        raise Skip(row[None])
    list_name, name = clean(row.get("source")), clean(row.get("name"))
    if not list_name or not name:
        raise Skip("row lacks source list or name")
    entry_type = clean(row.get("type")).casefold()
    # The 2019 schema often leaves type empty: then the name's form decides (as for the DPL).
    is_person = entry_type == "individual" or (not entry_type and not looks_like_organization(name))
    label = "Person" if is_person else "Organization"
    key = watchlist_key(list_name)
    entity_id = make_id("per" if label == "Person" else "org", key, name)
    names = [name, *split_names(row.get("alt_names"), ";")]
    props: dict[str, Any] = {"name": name, "names": names}
    if label == "Organization":
        props["kind"] = "company" if entry_type in ("entity", "") else "other"
    yield NodeRecord(label, entity_id, props, ctx.ev(f"{locator} / name", name))
    authority = next((v for k, v in _AUTHORITY.items() if k in list_name), list_name.split(" - ")[-1])
    yield NodeRecord("Watchlist", list_watchlist_id(key), {"name": list_name, "names": [list_name], "jurisdiction": "US",
                     "authority": authority, "url": clean(row.get("source_list_url"))}, ctx.ev("field source", list_name))
    yield listing(
        ctx, entity_id, locator, name, watchlist_id=list_watchlist_id(key),
        start=iso_date(row.get("start_date")), end=iso_date(row.get("end_date")), listed_name=name,
        entry_id=clean(row.get("_id")) or clean(row.get("entity_number")), program=clean(row.get("programs")),
        reason="; ".join(x for x in (clean(row.get("federal_register_notice")), clean(row.get("license_requirement")),
                                      clean(row.get("remarks"))) if x),
    )


SOURCE = Source(
    name="csl", title="US Consolidated Screening List (CSV, current and 2019 schema)",
    formats="CSV with source,type,programs,name,alt_names,start_date,end_date,... (optional _id)",
    read=read, convert=convert, mapped_fields=FIELDS, licence="US government work (public domain)",
)
