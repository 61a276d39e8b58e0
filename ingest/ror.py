"""ROR registry records (JSON lines, schema v1 and v2 — both occur in dumps) and the
FundRef-ROR crosswalk CSV.

A record becomes an Organization with id ``org:ror:<id>`` (so ORCID, OpenAlex and user lists
that cite the ROR id meet it), names in all languages, acronyms, types, kind, country, city,
FundRef/Wikidata/GRID/ISNI ids. Relationships: parent -> PART_OF (this -> parent), child ->
PART_OF (child -> this), related -> RELATED_TO, successor -> SUCCEEDED_BY (this -> successor),
predecessor -> SUCCEEDED_BY (predecessor -> this); both sides of a pair give the same edge id,
so the edge carries both records as evidence. A related record outside the file is a stub
holding only its id and label, completed when its own record is ingested."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, org_ror, org_stub, rel, ror_id
from ingest.readers import csv_rows, decode_line, json_lines

V2_FIELDS = {"id", "names", "types", "status", "locations", "external_ids", "relationships", "admin", "domains", "established", "links"}
V1_FIELDS = {"id", "name", "aliases", "acronyms", "labels", "types", "status", "addresses", "country", "external_ids",
             "relationships", "email_address", "ip_addresses", "established", "links", "wikipedia_url"}
KIND = {"education": "university", "funder": "funder", "company": "company", "government": "government_body",
        "facility": "research_institute", "healthcare": "other", "nonprofit": "other", "archive": "other", "other": "other"}
KIND_ORDER = ["funder", "education", "government", "facility", "company", "healthcare", "nonprofit", "archive", "other"]


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    yield from json_lines(ctx)


def _kind(types: list[str]) -> str:
    lowered = [t.casefold() for t in types]
    # A university that also funds stays a university; a pure funder is a funder.
    if "education" in lowered:
        return "university"
    return next((KIND[t] for t in KIND_ORDER if t in lowered), "other")


def _ext(ids: dict, key: str) -> list[str]:
    value = ids.get(key) or []
    return [clean(v) for v in (value if isinstance(value, list) else [value]) if clean(v)]


def convert(ctx: ReadContext, locator: str, line: Any) -> Iterable[Fact]:
    record = decode_line(line)
    if not isinstance(record, dict) or not clean(record.get("id")):
        raise Skip("not a ROR record (no id)")
    rid = ror_id(record["id"])
    org_id = org_ror(rid)
    if isinstance(record.get("names"), list):
        props = _v2(record)
        ctx.note_fields(record, V2_FIELDS)
    elif "name" in record:
        props = _v1(record)
        ctx.note_fields(record, V1_FIELDS)
    else:
        raise Skip("neither ROR schema v1 (name) nor v2 (names)")
    props.update(ror=rid, status=clean(record.get("status")))
    yield NodeRecord("Organization", org_id, props, ctx.ev(f"{locator} $.names", props.get("name")))
    for i, relation in enumerate(record.get("relationships") or []):
        kind, target, label = clean(relation.get("type")).casefold(), ror_id(relation.get("id")), clean(relation.get("label"))
        if not target:
            raise Skip(f"relationships[{i}] has no id")
        target_id = org_ror(target)
        loc = f"{locator} $.relationships[{i}]"
        yield org_stub(ctx, target_id, loc, [label], ror=target)
        edge = {"parent": ("PART_OF", org_id, target_id), "child": ("PART_OF", target_id, org_id),
                "related": ("RELATED_TO", *sorted((org_id, target_id))),
                "successor": ("SUCCEEDED_BY", org_id, target_id), "predecessor": ("SUCCEEDED_BY", target_id, org_id)}.get(kind)
        if edge is None:
            raise Skip(f"relationships[{i}] has unknown type {kind!r}")
        yield rel(ctx, edge[0], edge[1], edge[2], loc, f"{kind}: {label}")


def _v2(record: dict) -> dict:
    names = record.get("names") or []
    display = next((n["value"] for n in names if "ror_display" in (n.get("types") or [])), names[0]["value"] if names else "")
    location = ((record.get("locations") or [{}])[0] or {}).get("geonames_details") or {}
    ids = {e.get("type"): e.get("all") for e in record.get("external_ids") or []}
    types = [clean(t) for t in record.get("types") or []]
    return {
        "name": display,
        "names": [n["value"] for n in names if "acronym" not in (n.get("types") or [])],
        "acronyms": [n["value"] for n in names if "acronym" in (n.get("types") or [])],
        "types": types, "kind": _kind(types),
        "country": clean(location.get("country_code")), "city": clean(location.get("name")),
        "fundref": _ext(ids, "fundref"), "isni": _ext(ids, "isni"),
        "wikidata": next(iter(_ext(ids, "wikidata")), ""), "grid": next(iter(_ext(ids, "grid")), ""),
    }


def _v1(record: dict) -> dict:
    ids = {k.casefold(): (v or {}).get("all") for k, v in (record.get("external_ids") or {}).items()}
    types = [clean(t).casefold() for t in record.get("types") or []]
    address = (record.get("addresses") or [{}])[0] or {}
    return {
        "name": clean(record["name"]),
        "names": [clean(record["name"]), *map(clean, record.get("aliases") or []), *(clean(lb.get("label")) for lb in record.get("labels") or [])],
        "acronyms": [clean(a) for a in record.get("acronyms") or []],
        "types": types, "kind": _kind(types),
        "country": clean((record.get("country") or {}).get("country_code")), "city": clean(address.get("city")),
        "fundref": _ext(ids, "fundref"), "isni": _ext(ids, "isni"),
        "wikidata": next(iter(_ext(ids, "wikidata")), ""), "grid": next(iter(_ext(ids, "grid")), ""),
    }


SOURCE = Source(
    name="ror", title="ROR records (JSON lines, schema v1 or v2)",
    formats="one ROR record per line (v1: name/labels/aliases; v2: names[] with types and langs)",
    read=read, convert=convert, licence="CC0",
)


# -- the FundRef-ROR crosswalk ------------------------------------------------------------------

def read_crosswalk(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    yield from csv_rows(ctx, required=("ror_id", "fundref_id"))


def convert_crosswalk(ctx: ReadContext, locator: str, row: dict) -> Iterable[Fact]:
    if None in row:
        raise Skip(row[None])
    rid, fundref = ror_id(row.get("ror_id")), clean(row.get("fundref_id"))
    if not rid or not fundref.isdigit():
        raise Skip(f"needs a ROR id and a numeric FundRef id, got {row.get('ror_id')!r}, {row.get('fundref_id')!r}")
    yield org_stub(ctx, org_ror(rid), f"{locator} / fundref_id", [], ror=rid, fundref=[fundref])


FUNDREF = Source(
    name="fundref", title="FundRef-ROR crosswalk (CSV ror_id,fundref_id)",
    formats="CSV: ror_id,fundref_id", read=read_crosswalk, convert=convert_crosswalk,
    mapped_fields=frozenset({"ror_id", "fundref_id"}), licence="derived from ROR (CC0)",
)
