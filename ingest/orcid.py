"""ORCID API 3.0 records and activity sections, JSON or XML.

Affiliations (employment, education, invited position, membership, distinction, qualification,
service) become AFFILIATED_WITH with the ORCID section as ``role_normalized`` and the
role-title as ``role``; fundings become Grants FUNDED_BY the funder and RECEIVED by the person
and by every contributor with an ORCID iD (with the contributor's role, NISO CRediT roles
included); works become Publications AUTHORED by the person and ORCID-identified contributors.
Organizations with a disambiguated id (ROR, FundRef, GRID, Ringgold) get an id from it; those
named only by a string are kept unresolved, the string as evidence.

Which person: the record's ORCID iD, else ``--orcid``, else the section's ``source-orcid``
(self-asserted items). XML is parsed by defusedxml (no DTDs or entities)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, iso_date, org_ror, org_stub, rel, unresolved_org
from ingest.readers import json_document, local, xml_to_dict
from kizuna.errors import SourceUnreadable
from kizuna.ids import identifier_id, make_id

AFFILIATIONS = ("employment", "education", "invited-position", "membership", "distinction", "qualification", "service")
SECTIONS = (*AFFILIATIONS, "funding", "work")
ORCID_ID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
MAPPED = {"department-name", "role-title", "start-date", "end-date", "organization", "put-code", "source", "title", "type",
          "amount", "contributors", "external-ids", "publication-date", "path", "created-date", "last-modified-date",
          "visibility", "url", "short-description", "journal-title", "organization-defined-type", "@put-code", "@visibility", "@path"}


def _v(x: Any) -> str:
    """ORCID wraps scalars as {"value": ...} in JSON; the XML dict has them bare."""
    if isinstance(x, dict):
        return clean(x.get("value"))
    return clean(x)


def _date(d: Any) -> str:
    if not isinstance(d, dict):
        return ""
    parts = [_v(d.get(k)) for k in ("year", "month", "day")]
    parts = [p for p in parts if p]
    if not parts or not parts[0].isdigit():
        return ""
    return iso_date("-".join(parts)) if len(parts) != 2 else "-".join(parts)


def _orcid(text: Any) -> str:
    match = ORCID_ID.search(clean(text))
    return match.group(0) if match else ""


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    if ctx.path.suffix.lower() == ".xml":
        try:
            root = SafeET.parse(str(ctx.path), forbid_dtd=True).getroot()
        except SafeET.ParseError as exc:
            raise SourceUnreadable(f"{ctx.path.name} is not well-formed XML: {exc}") from exc
        except DefusedXmlException as exc:
            raise SourceUnreadable(f"{ctx.path.name} declares a DTD or entities, refused for safety: {exc}") from exc
        doc = {local(root.tag): xml_to_dict(root)}
    else:
        doc = json_document(ctx)
        if not isinstance(doc, dict):
            raise SourceUnreadable(f"{ctx.path.name} is not an ORCID JSON object")
        section = next((s for s in sorted(SECTIONS, key=len, reverse=True) if s in ctx.path.stem.casefold()), None)
        if section and not any(k in doc for k in ("activities-summary", "orcid-identifier")):
            doc = {section: doc}
    record = doc.get("record", doc)
    person_orcid = _orcid(_v((record.get("orcid-identifier") or {}).get("path")) if isinstance(record.get("orcid-identifier"), dict) else "") \
        or _orcid(record.get("@path")) or ctx.options.get("orcid", "")
    ctx.meta["orcid"] = person_orcid
    person = record.get("person") or {}
    name = person.get("name") if isinstance(person, dict) else None
    if person_orcid:
        yield "$.person", {"_person": person_orcid, "name": name or {}}
    found = 0
    for path, section, item in _walk(doc, "$"):
        found += 1
        yield path, {"_section": section, **item}
    if not found and not person_orcid:
        raise SourceUnreadable(f"{ctx.path.name} holds no ORCID record or activity section")


def _walk(node: Any, path: str) -> Iterator[tuple[str, str, dict]]:
    if isinstance(node, dict):
        for key, value in node.items():
            base = key[:-8] if key.endswith("-summary") else key
            if base in SECTIONS and isinstance(value, (dict, list)):
                for i, item in enumerate(value if isinstance(value, list) else [value]):
                    if isinstance(item, dict):
                        yield f"{path}.{key}[{i}]", base, item
            elif isinstance(value, (dict, list)):
                yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]")


def _org(ctx: ReadContext, org: Any, locator: str) -> tuple[str, NodeRecord]:
    if not isinstance(org, dict) or not _v(org.get("name")):
        raise Skip("organization without a name")
    name = _v(org.get("name"))
    address = org.get("address") or {}
    dis = org.get("disambiguated-organization") or {}
    ident, scheme = _v(dis.get("disambiguated-organization-identifier")), _v(dis.get("disambiguation-source")).upper()
    city, country = _v(address.get("city")), _v(address.get("country"))
    if ident and scheme == "ROR":
        oid = org_ror(ident)
        return oid, org_stub(ctx, oid, f"{locator}.organization", [name], ror=ident.rstrip("/").rsplit("/", 1)[-1])
    if ident and scheme in ("FUNDREF", "GRID", "RINGGOLD", "LEI"):
        value = ident.rstrip("/").rsplit("/", 1)[-1]
        oid = identifier_id("org", scheme.lower(), value)
        extra = {"FUNDREF": {"fundref": [value]}, "GRID": {"grid": value}, "LEI": {"lei": value}}.get(scheme, {})
        return oid, NodeRecord("Organization", oid, {"name": name, "names": [name], "city": city, "country": country, **extra},
                               ctx.ev(f"{locator}.organization", f"{name} ({scheme} {value})"))
    node = unresolved_org(ctx, name, f"{locator}.organization.name", city=city, country=country)
    return node.id, node


def _person(ctx: ReadContext, orcid: str, locator: str, name: str = "") -> NodeRecord:
    props = {"orcid": orcid}
    if name:
        props["names"] = [name]
    return NodeRecord("Person", identifier_id("per", "orcid", orcid), props, ctx.ev(locator, name or orcid))


def _contributors(item: dict) -> list[tuple[str, str, str]]:
    box = item.get("contributors") or {}
    out = []
    for c in (box.get("contributor") or []) if isinstance(box, dict) else []:
        if not isinstance(c, dict):
            continue
        cid = _orcid(_v((c.get("contributor-orcid") or {}).get("path")) if isinstance(c.get("contributor-orcid"), dict) else "")
        attrs = c.get("contributor-attributes") or {}
        role = clean(attrs.get("contributor-role")) if isinstance(attrs, dict) else ""
        out.append((cid, _v(c.get("credit-name")), role.rstrip("/").rsplit("/", 1)[-1]))
    return out


def _external_ids(item: dict) -> list[tuple[str, str, str]]:
    box = item.get("external-ids") or {}
    ids = box.get("external-id") if isinstance(box, dict) else None
    ids = ids if isinstance(ids, list) else [ids] if isinstance(ids, dict) else []
    return [(_v(e.get("external-id-type")), _v(e.get("external-id-value")), _v(e.get("external-id-relationship"))) for e in ids if isinstance(e, dict)]


def convert(ctx: ReadContext, locator: str, item: dict) -> Iterable[Fact]:
    if "_person" in item:
        name = item.get("name") or {}
        given, family, credit = (_v(name.get(k)) for k in ("given-names", "family-name", "credit-name"))
        full = credit or " ".join(x for x in (given, family) if x)
        node = _person(ctx, item["_person"], f"{locator}.name", full)
        node.props.update(name=full, given_name=given, family_name=family)
        yield node
        return
    section = item.pop("_section")
    ctx.note_fields(item, MAPPED)
    source = item.get("source") or {}
    source_orcid = _orcid(_v((source.get("source-orcid") or {}).get("path"))) if isinstance(source.get("source-orcid"), dict) else ""
    orcid = ctx.meta.get("orcid") or source_orcid
    put_code = clean(item.get("put-code") or item.get("@put-code"))
    if section in AFFILIATIONS:
        if not orcid:
            raise Skip(f"{section} without a person: the file has no ORCID iD (give --orcid)")
        org_id, org_node = _org(ctx, item.get("organization"), locator)
        yield org_node
        yield _person(ctx, orcid, f"{locator}.source")
        role = " / ".join(x for x in (_v(item.get("role-title")), _v(item.get("department-name"))) if x)
        start, end = _date(item.get("start-date")), _date(item.get("end-date"))
        yield rel(ctx, "AFFILIATED_WITH", identifier_id("per", "orcid", orcid), org_id, locator, role or section,
                  key=f"orcid:{section}:{put_code or make_id('k', role, start, end)}", role=role or section,
                  role_normalized=section.replace("-", "_"), start=start, end=end, org_name=_v((item.get("organization") or {}).get("name")))
    elif section == "funding":
        yield from _funding(ctx, locator, item, orcid, put_code)
    elif section == "work":
        yield from _work(ctx, locator, item, orcid, put_code)


def _title(item: dict) -> str:
    title = item.get("title") or {}
    return _v(title.get("title")) if isinstance(title, dict) else _v(title)


def _funding(ctx: ReadContext, locator: str, item: dict, orcid: str, put_code: str) -> Iterable[Fact]:
    title = _title(item)
    numbers = [v for t, v, r in _external_ids(item) if t == "grant_number" and r == "self" and v]
    org_id, org_node = _org(ctx, item.get("organization"), locator)
    grant_id = identifier_id("grt", org_id, numbers[0]) if numbers else make_id("grt", "orcid", org_id, title, _date(item.get("start-date")))
    amount = item.get("amount") or {}
    props = {"title": title, "names": [title], "number": numbers[0] if numbers else "", "funder_name": _v((item.get("organization") or {}).get("name")),
             "start": _date(item.get("start-date")), "end": _date(item.get("end-date"))}
    if isinstance(amount, dict) and _v(amount):
        props.update(amount=float(_v(amount)), currency=clean(amount.get("currency-code") or amount.get("@currency-code")))
    yield org_node
    yield NodeRecord("Grant", grant_id, props, ctx.ev(f"{locator}.title", title))
    yield rel(ctx, "FUNDED_BY", grant_id, org_id, f"{locator}.organization", props["funder_name"])
    recipients = {}
    for cid, name, role in _contributors(item):
        if cid:
            recipients[cid] = (name, role)
    if orcid and orcid not in recipients:
        recipients[orcid] = ("", "recipient")
    for cid, (name, role) in recipients.items():
        yield _person(ctx, cid, f"{locator}.contributors", name)
        yield rel(ctx, "RECEIVED", identifier_id("per", "orcid", cid), grant_id, f"{locator}.contributors", name or cid,
                  role=role, start=props["start"], end=props["end"])


def _work(ctx: ReadContext, locator: str, item: dict, orcid: str, put_code: str) -> Iterable[Fact]:
    title = _title(item)
    doi = next((v for t, v, _ in _external_ids(item) if t == "doi" and v), "")
    doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", doi).casefold()
    if not title and not doi:
        raise Skip("work without title or DOI")
    pub_id = identifier_id("pub", "doi", doi) if doi else make_id("pub", "orcid", orcid, put_code, title)
    year = _v((item.get("publication-date") or {}).get("year")) if isinstance(item.get("publication-date"), dict) else ""
    yield NodeRecord("Publication", pub_id, {"title": title, "names": [title], "doi": doi, "year": int(year) if year.isdigit() else None},
                     ctx.ev(f"{locator}.title", title))
    authors = {cid: name for cid, name, _ in _contributors(item) if cid}
    if orcid:
        authors.setdefault(orcid, "")
    for cid, name in authors.items():
        yield _person(ctx, cid, f"{locator}.contributors", name)
        yield rel(ctx, "AUTHORED", identifier_id("per", "orcid", cid), pub_id, f"{locator}.contributors", name or cid)


SOURCE = Source(
    name="orcid", title="ORCID API 3.0 record or activity section (JSON or XML)",
    formats="record-3.0 XML/JSON, or one section (employment, education, invited-position, membership, distinction, funding, work)",
    read=read, convert=convert, licence="ORCID public data: CC0",
)
