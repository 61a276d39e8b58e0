"""OpenAlex entities (JSON): works, authors, institutions and funders, one entity per file or
an API list response (``{"results": [...]}``), or JSON lines (one entity per line).

Works: Publication, AUTHORED by each author (position), the author AFFILIATED_WITH each
institution of the authorship (role "author affiliation" in the work's year; the raw
affiliation string is the evidence text), FUNDED_BY each funder of ``grants``/``funders``.
Authors: Person with dated AFFILIATED_WITH from ``affiliations`` (first and last year).
Institutions: Organization, PART_OF its lineage parents and associated parents, RELATED_TO
related ones. Funders: Organization of kind funder. An institution or funder with a ROR id gets
the ROR-based id, so it meets the ROR record."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, org_ror, org_stub, rel, ror_id, unresolved_org
from ingest.readers import decode_line, json_document, json_lines
from kizuna.errors import SourceUnreadable
from kizuna.ids import identifier_id

WORK_FIELDS = {"id", "doi", "title", "display_name", "publication_year", "publication_date", "authorships", "grants", "funders", "ids"}
AUTHOR_FIELDS = {"id", "orcid", "display_name", "display_name_alternatives", "ids", "affiliations", "last_known_institutions", "last_known_institution"}
INSTITUTION_FIELDS = {"id", "ror", "display_name", "country_code", "type", "lineage", "display_name_acronyms",
                      "display_name_alternatives", "ids", "geo", "international", "associated_institutions"}
FUNDER_FIELDS = {"id", "display_name", "alternate_titles", "country_code", "ids"}
KIND = {"education": "university", "funder": "funder", "company": "company", "government": "government_body",
        "facility": "research_institute", "healthcare": "other", "nonprofit": "other", "archive": "other", "other": "other"}


def short(openalex_url: Any) -> str:
    return clean(openalex_url).rstrip("/").rsplit("/", 1)[-1]


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    if ctx.path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from json_lines(ctx)
        return
    doc = json_document(ctx)
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        for i, entity in enumerate(doc["results"]):
            yield f"$.results[{i}]", entity
    elif isinstance(doc, dict) and doc.get("id"):
        yield "$", doc
    else:
        raise SourceUnreadable(f"{ctx.path.name} is neither an OpenAlex entity nor a list response")


def institution_id(inst: dict) -> str:
    ror = ror_id(inst.get("ror") or (inst.get("ids") or {}).get("ror"))
    return org_ror(ror) if ror else identifier_id("org", "openalex", short(inst.get("id")))


def _inst_stub(ctx: ReadContext, inst: dict, locator: str) -> NodeRecord:
    props = {"openalex": short(inst.get("id"))}
    if ror_id(inst.get("ror")):
        props["ror"] = ror_id(inst.get("ror"))
    return org_stub(ctx, institution_id(inst), locator, [clean(inst.get("display_name"))], **props)


def convert(ctx: ReadContext, locator: str, entity: Any) -> Iterable[Fact]:
    if isinstance(entity, str):
        entity = decode_line(entity)
    if not isinstance(entity, dict) or not clean(entity.get("id")):
        raise Skip("OpenAlex entity without id")
    kind = short(entity["id"])[:1].upper()
    if kind == "W":
        ctx.note_fields(entity, WORK_FIELDS)
        yield from _work(ctx, locator, entity)
    elif kind == "A":
        ctx.note_fields(entity, AUTHOR_FIELDS)
        yield from _author(ctx, locator, entity)
    elif kind == "I":
        ctx.note_fields(entity, INSTITUTION_FIELDS)
        yield from _institution(ctx, locator, entity)
    elif kind == "F":
        ctx.note_fields(entity, FUNDER_FIELDS)
        yield from _funder(ctx, locator, entity)
    else:
        raise Skip(f"OpenAlex {short(entity['id'])}: sources, publishers, topics and concepts are not part of the graph model")


def _person(ctx: ReadContext, author: dict, locator: str) -> NodeRecord:
    oa = short(author.get("id"))
    if not oa:
        raise Skip("authorship without author id")
    orcid = short(author.get("orcid"))
    name = clean(author.get("display_name"))
    props = {"openalex": oa, "names": [name, *map(clean, author.get("display_name_alternatives") or [])], "orcid": orcid}
    pid = identifier_id("per", "orcid", orcid) if orcid else identifier_id("per", "openalex", oa)
    return NodeRecord("Person", pid, props, ctx.ev(locator, name))


def _work(ctx: ReadContext, locator: str, work: dict) -> Iterable[Fact]:
    title = clean(work.get("display_name") or work.get("title"))
    doi = clean(work.get("doi")).replace("https://doi.org/", "").casefold()
    pub_id = identifier_id("pub", "doi", doi) if doi else identifier_id("pub", "openalex", short(work["id"]))
    year = work.get("publication_year")
    yield NodeRecord("Publication", pub_id, {"title": title, "names": [title], "doi": doi, "openalex": short(work["id"]),
                     "year": int(year) if isinstance(year, int) else None, "date": clean(work.get("publication_date"))},
                     ctx.ev(f"{locator}.display_name", title))
    for i, authorship in enumerate(work.get("authorships") or []):
        loc = f"{locator}.authorships[{i}]"
        person = _person(ctx, authorship.get("author") or {}, f"{loc}.author")
        yield person
        yield rel(ctx, "AUTHORED", person.id, pub_id, loc, clean(authorship.get("raw_author_name")), position=i + 1,
                  institution_ids=",".join(short(x.get("id")) for x in authorship.get("institutions") or []))
        raw = {short(iid): clean(a.get("raw_affiliation_string")) for a in authorship.get("affiliations") or [] for iid in a.get("institution_ids") or []}
        for j, inst in enumerate(authorship.get("institutions") or []):
            stub = _inst_stub(ctx, inst, f"{loc}.institutions[{j}]")
            yield stub
            text = raw.get(short(inst.get("id"))) or clean(inst.get("display_name"))
            yield rel(ctx, "AFFILIATED_WITH", person.id, stub.id, f"{loc}.institutions[{j}]", text, confidence=0.9,
                      key=f"openalex:{short(work['id'])}", role="author affiliation", role_normalized="author_affiliation",
                      start=str(year or ""), end=str(year or ""), org_name=text)
        if not authorship.get("institutions"):
            for j, text in enumerate(authorship.get("raw_affiliation_strings") or []):
                org = unresolved_org(ctx, text, f"{loc}.raw_affiliation_strings[{j}]")
                yield org
                yield rel(ctx, "AFFILIATED_WITH", person.id, org.id, f"{loc}.raw_affiliation_strings[{j}]", text, confidence=0.7,
                          key=f"openalex:{short(work['id'])}", role="author affiliation", role_normalized="author_affiliation",
                          start=str(year or ""), end=str(year or ""), org_name=clean(text))
    for i, grant in enumerate(work.get("grants") or work.get("funders") or []):
        loc = f"{locator}.grants[{i}]"
        funder_id = grant.get("funder") or grant.get("id")
        if not funder_id:
            continue
        fid = identifier_id("org", "openalex", short(funder_id))
        yield org_stub(ctx, fid, loc, [clean(grant.get("funder_display_name") or grant.get("display_name"))], openalex=short(funder_id))
        yield rel(ctx, "FUNDED_BY", pub_id, fid, loc, clean(grant.get("award_id")), program=clean(grant.get("award_id")))


def _author(ctx: ReadContext, locator: str, author: dict) -> Iterable[Fact]:
    person = _person(ctx, author, f"{locator}.display_name")
    person.props["name"] = clean(author.get("display_name"))
    yield person
    for i, aff in enumerate(author.get("affiliations") or []):
        inst = aff.get("institution") or {}
        years = sorted(y for y in aff.get("years") or [] if isinstance(y, int))
        loc = f"{locator}.affiliations[{i}]"
        stub = _inst_stub(ctx, inst, loc)
        yield stub
        yield rel(ctx, "AFFILIATED_WITH", person.id, stub.id, loc, json.dumps(years), key="openalex:author-affiliation",
                  confidence=0.9, role="affiliation (OpenAlex)", role_normalized="author_affiliation",
                  start=str(years[0]) if years else "", end=str(years[-1]) if years else "", org_name=clean(inst.get("display_name")))
    last_known = author.get("last_known_institutions") or ([author["last_known_institution"]] if author.get("last_known_institution") else [])
    for i, inst in enumerate(last_known):
        loc = f"{locator}.last_known_institutions[{i}]"
        stub = _inst_stub(ctx, inst, loc)
        yield stub
        yield rel(ctx, "AFFILIATED_WITH", person.id, stub.id, loc, clean(inst.get("display_name")), key="openalex:author-affiliation",
                  confidence=0.9, role="affiliation (OpenAlex)", role_normalized="author_affiliation", org_name=clean(inst.get("display_name")))


def _institution(ctx: ReadContext, locator: str, inst: dict) -> Iterable[Fact]:
    oid = institution_id(inst)
    intl = ((inst.get("international") or {}).get("display_name") or {}).values()
    ids = inst.get("ids") or {}
    name = clean(inst.get("display_name"))
    # With a ROR id the ROR record is authoritative for the kind (OpenAlex types universities
    # that fund research as "funder"); without one, OpenAlex's type is all there is.
    kind = "" if ror_id(inst.get("ror")) else KIND.get(clean(inst.get("type")), "other")
    yield NodeRecord("Organization", oid, {
        "name": name, "names": [name, *map(clean, inst.get("display_name_alternatives") or []), *map(clean, intl)],
        "acronyms": list(map(clean, inst.get("display_name_acronyms") or [])), "kind": kind,
        "types": [clean(inst.get("type"))], "country": clean(inst.get("country_code")), "city": clean((inst.get("geo") or {}).get("city")),
        "openalex": short(inst["id"]), "ror": ror_id(inst.get("ror")), "grid": clean(ids.get("grid")), "wikidata": short(ids.get("wikidata")),
    }, ctx.ev(f"{locator}.display_name", name))
    for i, parent in enumerate((inst.get("lineage") or [])):
        if short(parent) != short(inst["id"]):
            pid = identifier_id("org", "openalex", short(parent))
            yield org_stub(ctx, pid, f"{locator}.lineage[{i}]", [], openalex=short(parent))
            yield rel(ctx, "PART_OF", oid, pid, f"{locator}.lineage[{i}]", parent)
    for i, assoc in enumerate(inst.get("associated_institutions") or []):
        loc = f"{locator}.associated_institutions[{i}]"
        stub = _inst_stub(ctx, assoc, loc)
        relation = clean(assoc.get("relationship"))
        edge = {"parent": ("PART_OF", oid, stub.id), "child": ("PART_OF", stub.id, oid), "related": ("RELATED_TO", *sorted((oid, stub.id)))}.get(relation)
        if edge:
            yield stub
            yield rel(ctx, edge[0], edge[1], edge[2], loc, f"{relation}: {clean(assoc.get('display_name'))}")


def _funder(ctx: ReadContext, locator: str, funder: dict) -> Iterable[Fact]:
    ids = funder.get("ids") or {}
    ror = ror_id(ids.get("ror"))
    oid = org_ror(ror) if ror else identifier_id("org", "openalex", short(funder["id"]))
    name = clean(funder.get("display_name"))
    fundref = clean(ids.get("crossref"))
    yield NodeRecord("Organization", oid, {
        "name": name, "names": [name, *map(clean, funder.get("alternate_titles") or [])], "kind": "funder",
        "country": clean(funder.get("country_code")), "openalex": short(funder["id"]), "ror": ror,
        "fundref": [fundref] if fundref else [], "wikidata": short(ids.get("wikidata")),
    }, ctx.ev(f"{locator}.display_name", name))


SOURCE = Source(
    name="openalex", title="OpenAlex works, authors, institutions, funders (JSON or JSON lines)",
    formats="one entity per file, an API list response {results: [...]}, or JSON lines",
    read=read, convert=convert, licence="CC0",
)
