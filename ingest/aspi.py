"""ASPI China Defence Universities Tracker, as its MISP galaxy JSON.

Each value is an institution; its ``supervising agencies`` become SUPERVISED_BY edges to
government or military bodies, ``subsidiaries`` SUBSIDIARY_OF edges into it, ``major defence
laboratories`` PART_OF edges into it, ``topics`` IN_AREA edges to technology areas. Names in
brackets (usually Chinese) and ``aliases`` are kept as names in every script."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, guess_kind, listing, rel, split_parenthesised, watchlist_node
from ingest.readers import json_document
from kizuna.errors import SourceUnreadable
from kizuna.ids import make_id

LIST_KEY = "aspi-china-defence-universities"
FIELDS = frozenset({"value", "meta", "description", "uuid", "related"})


def aspi_id(name: str) -> str:
    return make_id("org", LIST_KEY, name)


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    doc = json_document(ctx)
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise SourceUnreadable(f"{ctx.path.name} has no 'values' array (MISP galaxy cluster JSON)")
    ctx.meta["version"] = clean(doc.get("version"))
    for index, value in enumerate(doc["values"]):
        yield f"$.values[{index}]", value


def _named(ctx: ReadContext, label: str, locator: str, kind: str) -> tuple[str, NodeRecord]:
    name, other = split_parenthesised(label)
    return aspi_id(name), NodeRecord("Organization", aspi_id(name), {"name": name, "names": [name, *other], "kind": kind}, ctx.ev(locator, label))


def convert(ctx: ReadContext, locator: str, value: Any) -> Iterable[Fact]:
    if not isinstance(value, dict) or not clean(value.get("value")):
        raise Skip("galaxy value without a 'value' name")
    meta = value.get("meta") or {}
    if not isinstance(meta, dict):
        raise Skip("'meta' is not an object")
    label = clean(value["value"])
    name, other = split_parenthesised(label)
    categories = [clean(c) for c in meta.get("categories") or []]
    kind = "military_body" if "Military" in categories else guess_kind(name, "university")
    org_id = aspi_id(name)
    address = clean(meta.get("address"))
    yield NodeRecord("Organization", org_id, {
        "name": name, "names": [name, *other, *map(clean, meta.get("aliases") or [])], "kind": kind,
        "country": "CN", "city": address.split(",")[1].strip() if address.count(",") >= 2 else "",
    }, ctx.ev(f"{locator}.value", label))
    for i, agency in enumerate(meta.get("supervising agencies") or []):
        loc = f"{locator}.meta['supervising agencies'][{i}]"
        agency_name = clean(agency)
        agency_id = make_id("org", LIST_KEY, "agency", agency_name)
        yield NodeRecord("Organization", agency_id, {"name": agency_name, "names": [agency_name],
                         "kind": "military_body" if guess_kind(agency_name) == "military_body" or "Military" in agency_name else "government_body"},
                         ctx.ev(loc, agency_name))
        yield rel(ctx, "SUPERVISED_BY", org_id, agency_id, loc, agency_name)
    for field_name, rel_type, kind_of in (("subsidiaries", "SUBSIDIARY_OF", None), ("major defence laboratories", "PART_OF", "research_institute")):
        for i, item in enumerate(meta.get(field_name) or []):
            loc = f"{locator}.meta['{field_name}'][{i}]"
            sub_name, _ = split_parenthesised(clean(item))
            sub_id, node = _named(ctx, clean(item), loc, kind_of or guess_kind(sub_name, "research_institute"))
            if sub_id == org_id:
                continue
            yield node
            yield rel(ctx, rel_type, sub_id, org_id, loc, item)
    for i, topic in enumerate(meta.get("topics") or []):
        loc = f"{locator}.meta.topics[{i}]"
        area_id = make_id("tech", "aspi", clean(topic))
        yield NodeRecord("TechnologyArea", area_id, {"name": clean(topic), "names": [clean(topic)], "scheme": "ASPI tracker topic"}, ctx.ev(loc, topic))
        yield rel(ctx, "IN_AREA", org_id, area_id, loc, topic)
    yield listing(ctx, org_id, locator, label, listed_name=label, entry_id=clean(value.get("uuid")),
                  reason="; ".join(categories) or "defence-linked institution", program="China Defence Universities Tracker")


def preamble(ctx: ReadContext) -> Iterable[Fact]:
    ctx.options.setdefault("version", ctx.meta.get("version", ""))
    yield watchlist_node(ctx, LIST_KEY, "ASPI China Defence Universities Tracker", jurisdiction="AU",
                         authority="Australian Strategic Policy Institute (ASPI)", url="https://unitracker.aspi.org.au/")


SOURCE = Source(
    name="aspi", title="ASPI China Defence Universities Tracker (MISP galaxy JSON)",
    formats='MISP galaxy cluster JSON: {"values": [{"value", "uuid", "meta": {aliases, supervising agencies, subsidiaries, ...}}]}',
    read=read, convert=convert, preamble=preamble, mapped_fields=FIELDS, watchlist_key=LIST_KEY,
    licence="MISP galaxy: CC0 / BSD-2-Clause",
)
