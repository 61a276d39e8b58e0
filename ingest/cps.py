"""Generic current-and-pending support / self-disclosure (YAML or CSV).

YAML (one or more people, each with what they disclose)::

    people:
      - name: ...            # required
        names: [...]         # other spellings and scripts
        orcid: 0000-...      # optional; keys the person when present
        fictional: true      # demo data says so
        appointments:        # kind: employment | visiting | adjunct | honorary | advisory | education
          - {organization: ..., ror: ..., role: ..., kind: visiting, start: ..., end: ..., paid: true, evidence: ...}
            # instead of ror, ``listed_on: <list key>`` names the entry of that list
        support:             # status: current | pending; in_kind: true for lab space, staff, ...
          - {title: ..., number: ..., funder: ..., funder_ror: (or funder_listed_on), institution: ..., institution_ror: ...,
             role: pi, status: current, start: ..., end: ..., amount: ..., currency: ..., in_kind: false, evidence: ...}
        programs:            # talent or recruitment programs
          - {program: ..., ror: ..., role: ..., start: ..., end: ..., evidence: ...}

CSV: one support item per row with columns person, orcid, title, number, funder, funder_ror,
institution, institution_ror, role, status, start, end, amount, currency, in_kind.

Organizations are referenced by ROR id when given, otherwise by name string (unresolved, the
string as evidence) so entity resolution can link them later."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, iso_date, org_ror, org_stub, rel, unresolved_org
from ingest.readers import csv_rows, yaml_document
from kizuna.errors import SourceUnreadable
from kizuna.ids import identifier_id, make_id

APPOINTMENT_KINDS = {"employment", "visiting", "adjunct", "honorary", "advisory", "education", "consulting"}
PERSON_FIELDS = {"name", "names", "orcid", "fictional", "appointments", "support", "programs", "id"}


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    if ctx.path.suffix.lower() in (".yaml", ".yml"):
        doc = yaml_document(ctx)
        if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
            raise SourceUnreadable(f"{ctx.path.name} needs a top-level 'people' list (current-and-pending support YAML)")
        for i, person in enumerate(doc["people"]):
            yield f"$.people[{i}]", person
    else:
        for locator, row in csv_rows(ctx, required=("person", "title", "funder")):
            if None in row:
                yield locator, {"_error": row[None]}
                continue
            yield locator, {"name": row.get("person"), "orcid": row.get("orcid"), "support": [row], "_row": True}


def person_id(person: dict) -> str:
    orcid = clean(person.get("orcid"))
    return identifier_id("per", "orcid", orcid) if orcid else make_id("per", "disclosure", clean(person.get("id")) or clean(person.get("name")))


def _org(ctx: ReadContext, name: Any, ror: Any, locator: str, listed_on: Any = None, **props: Any) -> NodeRecord:
    """The organization a disclosure names: by ROR id; or as the entry ``name`` of the list
    with key ``listed_on`` (e.g. aspi-china-defence-universities: list entries are keyed by
    list and name); or, named only by a string, unresolved."""
    if clean(ror):
        return org_stub(ctx, org_ror(clean(ror)), locator, [clean(name)], ror=clean(ror), **props)
    if clean(listed_on):
        return org_stub(ctx, make_id("org", clean(listed_on), clean(name)), locator, [clean(name)], **props)
    return unresolved_org(ctx, clean(name), locator, **props)


def convert(ctx: ReadContext, locator: str, person: Any) -> Iterable[Fact]:
    if not isinstance(person, dict):
        raise Skip("person entry is not a mapping")
    if "_error" in person:
        raise Skip(person["_error"])
    name = clean(person.get("name"))
    if not name:
        raise Skip("person without a name")
    if not person.get("_row"):
        ctx.note_fields(person, PERSON_FIELDS)
    pid = person_id(person)
    names = [name, *[clean(n) for n in person.get("names") or []]]
    props = {"name": name, "names": names, "orcid": clean(person.get("orcid"))}
    if person.get("fictional") is not None:
        props["fictional"] = bool(person["fictional"])
    yield NodeRecord("Person", pid, props, ctx.ev(f"{locator}.name", name))
    for i, app in enumerate(person.get("appointments") or []):
        loc = f"{locator}.appointments[{i}]"
        kind = clean(app.get("kind")) or "employment"
        if kind not in APPOINTMENT_KINDS:
            raise Skip(f"{loc}: kind {kind!r} is not one of {', '.join(sorted(APPOINTMENT_KINDS))}")
        org = _org(ctx, app.get("organization"), app.get("ror"), f"{loc}.organization", app.get("listed_on"))
        yield org
        start, end = iso_date(app.get("start")), iso_date(app.get("end"))
        text = clean(app.get("evidence")) or f"{name}: {clean(app.get('role'))} at {clean(app.get('organization'))}"
        if kind in ("advisory", "consulting"):
            yield rel(ctx, "ADVISES", pid, org.id, loc, text, key=f"{kind}:{start}", role=clean(app.get("role")) or kind,
                      start=start, end=end, paid=app.get("paid"))
        else:
            yield rel(ctx, "AFFILIATED_WITH", pid, org.id, loc, text, key=f"{kind}:{clean(app.get('role'))}:{start}",
                      role=clean(app.get("role")) or kind, role_normalized=kind, start=start, end=end, paid=app.get("paid"),
                      primary=app.get("primary"), org_name=clean(app.get("organization")))
    for i, item in enumerate(person.get("support") or []):
        yield from _support(ctx, f"{locator}.support[{i}]" if not person.get("_row") else locator, pid, name, item)
    for i, prog in enumerate(person.get("programs") or []):
        loc = f"{locator}.programs[{i}]"
        org = _org(ctx, prog.get("program"), prog.get("ror"), f"{loc}.program", prog.get("listed_on"), kind="talent_program")
        yield org
        start, end = iso_date(prog.get("start")), iso_date(prog.get("end"))
        yield rel(ctx, "PARTICIPATES_IN", pid, org.id, loc, clean(prog.get("evidence")) or f"{name} in {clean(prog.get('program'))}",
                  key=start, role=clean(prog.get("role")) or "participant", start=start, end=end)


def _support(ctx: ReadContext, loc: str, pid: str, name: str, item: Any) -> Iterable[Fact]:
    if not isinstance(item, dict):
        raise Skip(f"{loc}: support item is not a mapping")
    title, funder = clean(item.get("title")), clean(item.get("funder"))
    if not title or not funder:
        raise Skip(f"{loc}: support item needs title and funder")
    funder_node = _org(ctx, funder, item.get("funder_ror"), f"{loc}.funder", item.get("funder_listed_on"))
    number = clean(item.get("number"))
    grant_id = identifier_id("grt", funder_node.id, number) if number else make_id("grt", "disclosure", funder_node.id, title)
    start, end = iso_date(item.get("start")), iso_date(item.get("end"))
    amount = clean(item.get("amount"))
    try:
        amount_value = float(amount.replace(",", "")) if amount else None
    except ValueError:
        raise Skip(f"{loc}: amount is not a number: {amount!r}") from None
    status = clean(item.get("status")) or "current"
    if status not in ("current", "pending", "past"):
        raise Skip(f"{loc}: status must be current, pending or past")
    in_kind = str(item.get("in_kind", "")).strip().casefold() in ("true", "yes", "1")
    text = clean(item.get("evidence")) or f"{name}: {title} ({funder})"
    yield funder_node
    yield NodeRecord("Grant", grant_id, {"title": title, "names": [title], "number": number, "funder_name": funder,
                     "amount": amount_value, "currency": clean(item.get("currency")), "start": start, "end": end}, ctx.ev(f"{loc}.title", title))
    yield rel(ctx, "FUNDED_BY", grant_id, funder_node.id, f"{loc}.funder", text, in_kind=in_kind, amount=amount_value,
              currency=clean(item.get("currency")), start=start, end=end)
    yield rel(ctx, "RECEIVED", pid, grant_id, loc, text, role=f"{clean(item.get('role')) or 'pi'} ({status})", start=start, end=end)
    if clean(item.get("institution")):
        inst = _org(ctx, item.get("institution"), item.get("institution_ror"), f"{loc}.institution", item.get("institution_listed_on"))
        yield inst
        yield rel(ctx, "AWARDED_TO", grant_id, inst.id, f"{loc}.institution", clean(item.get("institution")), start=start, end=end)


SOURCE = Source(
    name="cps", title="Current-and-pending support / self-disclosure (YAML or CSV)",
    formats="YAML {people: [{name, orcid, appointments, support, programs}]} or CSV person,orcid,title,number,funder,...",
    read=read, convert=convert, licence="as provided by the discloser",
)
