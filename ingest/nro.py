"""Canada's Named Research Organizations (the RSToolkit JSON transcription of the federal list).

``parentOrg`` links the CAEP sub-institutes (which the federal list carries as aliases of CAEP)
to CAEP with PART_OF; ``lastUpdated`` is the version date."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, guess_kind, listing, rel, watchlist_node
from ingest.readers import json_document
from kizuna.errors import SourceUnreadable
from kizuna.ids import make_id

LIST_KEY = "ca-named-research-organizations"
FIELDS = frozenset({"id", "name", "aliases", "country", "city", "parentOrg", "notes"})


def nro_id(slug: str) -> str:
    return make_id("org", LIST_KEY, slug)


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    doc = json_document(ctx)
    if not isinstance(doc, dict) or not isinstance(doc.get("organizations"), list):
        raise SourceUnreadable(f"{ctx.path.name} has no 'organizations' array (Canada NRO JSON)")
    ctx.published = clean(doc.get("lastUpdated")) or None
    ctx.meta["url"] = clean(doc.get("sourceUrl"))
    for index, org in enumerate(doc["organizations"]):
        yield f"$.organizations[{index}]", org


def convert(ctx: ReadContext, locator: str, org: Any) -> Iterable[Fact]:
    if not isinstance(org, dict):
        raise Skip("entry is not an object")
    slug, name = clean(org.get("id")), clean(org.get("name"))
    if not slug or not name:
        raise Skip("entry lacks id or name")
    aliases = org.get("aliases") or []
    if not isinstance(aliases, list):
        raise Skip("aliases is not a list")
    org_id = nro_id(slug)
    yield NodeRecord("Organization", org_id, {
        "name": name, "names": [name, *map(clean, aliases)], "kind": guess_kind(name),
        "country": clean(org.get("country")), "city": clean(org.get("city")),
    }, ctx.ev(f"{locator}.name", name))
    parent = clean(org.get("parentOrg"))
    if parent:
        yield rel(ctx, "PART_OF", org_id, nro_id(parent), f"{locator}.parentOrg", parent)
    yield listing(ctx, org_id, locator, name, listed_name=name, entry_id=slug, reason=clean(org.get("notes")),
                  program="Policy on Sensitive Technology Research and Affiliations of Concern (STRAC)")


def preamble(ctx: ReadContext) -> Iterable[Fact]:
    yield watchlist_node(ctx, LIST_KEY, "Named Research Organizations", jurisdiction="CA",
                         authority="Government of Canada", url=ctx.meta.get("url", ""), names=["NRO list"])


SOURCE = Source(
    name="nro", title="Canada Named Research Organizations (JSON)",
    formats='JSON: {"lastUpdated", "sourceUrl", "organizations": [{id, name, aliases, country, city, parentOrg, notes}]}',
    read=read, convert=convert, preamble=preamble, mapped_fields=FIELDS, watchlist_key=LIST_KEY,
    licence="Government of Canada list; RSToolkit transcription (no licence stated)",
)
