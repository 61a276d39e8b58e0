"""A user's own list of concern (CSV or YAML), e.g. an institution's internal watchlist or a
hand transcription of an official list.

YAML::

    watchlist: {key: my-list, name: ..., jurisdiction: JP, authority: ..., published: 2025-04-01, url: ...}
    entries:
      - {name: ..., aliases: [...], kind: university, country: CN, ror: 01yqg2h08,
         start: 2022-06-29, end: "", reason: ..., program: ..., parent: <name of another entry>}

CSV: the same entry fields as columns (aliases separated by ``;``); the watchlist fields come
from ``--list-name/--jurisdiction/--authority/--published`` (default name: the file's stem).

An entry with a ``ror`` id IS the ROR organization (so it meets ROR, ORCID and OpenAlex data);
an entry without identifier is keyed by its normalized name, like every organization known only
by a name string, so a disclosure naming the same string meets it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, guess_kind, iso_date, list_watchlist_id, listing, name_org_id, org_ror, rel, split_names, watchlist_node
from ingest.readers import csv_rows, yaml_document
from kizuna.errors import SourceUnreadable
from kizuna.ids import normalize_key

FIELDS = frozenset({"name", "aliases", "kind", "country", "city", "ror", "wikidata", "start", "end", "reason", "program", "parent", "parent_relation", "entry_id", "notes"})
KINDS = {"university", "research_institute", "company", "government_body", "military_body", "funder", "talent_program", "other"}


def entry_org_id(entry: dict) -> str:
    ror = clean(entry.get("ror"))
    return org_ror(ror) if ror else name_org_id(clean(entry.get("name")))


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    if ctx.path.suffix.lower() in (".yaml", ".yml"):
        doc = yaml_document(ctx)
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            raise SourceUnreadable(f"{ctx.path.name} needs a top-level 'entries' list (user list YAML)")
        meta = doc.get("watchlist") or {}
        if not isinstance(meta, dict):
            raise SourceUnreadable(f"{ctx.path.name}: 'watchlist' must be a mapping")
        ctx.meta.update({k: clean(v) for k, v in meta.items()})
        entries = doc["entries"]
    else:
        entries = None
    key = ctx.options.get("list_key") or ctx.meta.get("key") or normalize_key(ctx.options.get("list_name") or ctx.meta.get("name") or ctx.path.stem)
    ctx.meta["key"] = key
    ctx.watchlist_id = list_watchlist_id(f"user:{key}")
    published = ctx.options.get("published") or ctx.meta.get("published")
    ctx.published = iso_date(published) if published else None
    if entries is not None:
        for index, entry in enumerate(entries):
            yield f"$.entries[{index}]", entry
    else:
        yield from csv_rows(ctx, required=("name",))


def convert(ctx: ReadContext, locator: str, entry: Any) -> Iterable[Fact]:
    if not isinstance(entry, dict):
        raise Skip("entry is not a mapping")
    if None in entry:
        raise Skip(entry[None])
    name = clean(entry.get("name"))
    if not name:
        raise Skip("entry has no name")
    aliases = entry.get("aliases") or []
    aliases = [clean(a) for a in aliases] if isinstance(aliases, list) else split_names(aliases, ";")
    kind = clean(entry.get("kind")) or guess_kind(name)
    if kind not in KINDS:
        raise Skip(f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    org_id = entry_org_id(entry)
    props = {"name": name, "names": [name, *aliases], "kind": kind, "country": clean(entry.get("country")),
             "city": clean(entry.get("city")), "wikidata": clean(entry.get("wikidata"))}
    if clean(entry.get("ror")):
        props["ror"] = clean(entry.get("ror"))
    yield NodeRecord("Organization", org_id, props, ctx.ev(f"{locator}.name", name))
    parent = clean(entry.get("parent"))
    if parent:
        relation = clean(entry.get("parent_relation")) or "PART_OF"
        if relation not in ("PART_OF", "SUBSIDIARY_OF", "SUPERVISED_BY"):
            raise Skip(f"parent_relation {relation!r} must be PART_OF, SUBSIDIARY_OF or SUPERVISED_BY")
        parent_id = name_org_id(parent)
        yield NodeRecord("Organization", parent_id, {"names": [parent]}, ctx.ev(f"{locator}.parent", parent))
        yield rel(ctx, relation, org_id, parent_id, f"{locator}.parent", parent)
    yield listing(ctx, org_id, locator, name, listed_name=name, entry_id=clean(entry.get("entry_id")),
                  start=iso_date(entry.get("start")), end=iso_date(entry.get("end")),
                  reason=clean(entry.get("reason")) or clean(entry.get("notes")), program=clean(entry.get("program")))


def preamble(ctx: ReadContext) -> Iterable[Fact]:
    opts, meta = ctx.options, ctx.meta
    name = opts.get("list_name") or meta.get("name") or ctx.path.stem
    yield watchlist_node(ctx, f"user:{meta['key']}", name, jurisdiction=opts.get("jurisdiction") or meta.get("jurisdiction", ""),
                         authority=opts.get("authority") or meta.get("authority", ""), url=meta.get("url", ""))


SOURCE = Source(
    name="userlist", title="Your own list of concern (CSV or YAML)",
    formats="YAML {watchlist: {...}, entries: [...]} or CSV with columns name,aliases,kind,country,ror,start,end,reason,program,parent",
    read=read, convert=convert, preamble=preamble, mapped_fields=FIELDS,
    licence="as stated by the list's owner",
)
