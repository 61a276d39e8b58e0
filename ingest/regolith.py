"""regolith group databases (YAML collections: ``people.yml``, ``institutions.yml``, ``grants.yml``).

Why its own source and not ``cps``: a regolith database is a set of keyed collections that refer
to each other by key (a grant's team member ``sbillinge`` is the ``sbillinge`` of people.yml, an
employment's organization ``columbiau`` the ``columbiau`` of institutions.yml), with partial dates
split into year/month/day fields. The collection is the file's name.

- people: a Person keyed by its regolith key (``orcid`` kept as a property for resolution), every
  ``aka`` variant in ``names``; employment and education entries become AFFILIATED_WITH
  (``role_normalized`` employment / education) with the organization string as ``org_name`` and
  as evidence.
- institutions: an Organization keyed by its regolith key, aka names, city and country; left
  ``unresolved`` (no registry id) for entity resolution.
- grants: a Grant (number, amount, dates) FUNDED_BY its funder (named by string), AWARDED_TO each
  team institution, RECEIVED by each team member with role pi or copi, who is AFFILIATED_WITH that
  institution for the grant's term.

A reference is a key when it is one lowercase token (``msu``, ``sbillinge``); anything else is a
name string, stored unresolved with the string as evidence."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, guess_kind, iso_date, rel, unresolved_org
from ingest.readers import yaml_document
from kizuna.errors import SourceUnreadable
from kizuna.ids import identifier_id, make_id

COLLECTIONS = ("people", "institutions", "grants")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_ROLES = {"pi": "pi", "copi": "copi", "co-pi": "copi", "co_pi": "copi"}

PEOPLE_FIELDS = frozenset({"name", "aka", "orcid_id", "employment", "education"})
INSTITUTION_FIELDS = frozenset({"name", "aka", "city", "country"})
GRANT_FIELDS = frozenset({"title", "awardnr", "amount", "funder", "team", "begin_date", "end_date", "begin_year", "begin_month",
                          "begin_day", "end_year", "end_month", "end_day"})


def _collection(ctx: ReadContext) -> str:
    name = ctx.path.stem.lower()
    if name not in COLLECTIONS:
        raise SourceUnreadable(f"{ctx.path.name}: not a regolith collection Kizuna maps ({', '.join(COLLECTIONS)})",
                               hint="regolith names each collection's file after it: people.yml, institutions.yml, grants.yml")
    return name


def read(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    collection = _collection(ctx)
    ctx.meta["collection"] = collection
    document = yaml_document(ctx)
    if not isinstance(document, dict):
        raise SourceUnreadable(f"{ctx.path.name}: a regolith collection is a mapping of keys to records, not {type(document).__name__}")
    for key, record in document.items():
        yield f"{ctx.path.name} / {key}", (str(key), record)


def person_id(key: str) -> str:
    return make_id("per", "regolith", key)


def institution_id(key: str) -> str:
    return make_id("org", "regolith", key)


def _is_key(value: str) -> bool:
    return bool(_KEY.match(value))


def _org_ref(ctx: ReadContext, value: Any, locator: str) -> tuple[NodeRecord, str]:
    """(the Organization node, its string) for an institution key or an organization name."""
    text = clean(value)
    if not text:
        raise Skip(f"{locator}: no organization")
    if _is_key(text):
        return NodeRecord("Organization", institution_id(text), {}, ctx.ev(locator, text)), text
    return unresolved_org(ctx, text, locator), text


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}


def _number(value: Any, field: str) -> int:
    """regolith writes months as 9 or as 'Sep' / 'September'."""
    text = clean(value)
    if text.isdigit():
        return int(text)
    if field == "month" and text[:3].lower() in _MONTHS:
        return _MONTHS[text[:3].lower()]
    raise Skip(f"{field} is not a number: {value!r}")


def _partial_date(record: dict, prefix: str) -> str:
    """'2012-09' from begin_year/begin_month (regolith splits dates), or the full date field.
    Year 0 is regolith's placeholder for an unknown date: no date."""
    if record.get(f"{prefix}_date") not in (None, ""):
        return iso_date(record[f"{prefix}_date"])
    if record.get(f"{prefix}_year") in (None, "") or _number(record[f"{prefix}_year"], "year") == 0:
        return ""
    parts = [f"{_number(record[f'{prefix}_year'], 'year'):04d}"]
    for field in ("month", "day"):
        value = record.get(f"{prefix}_{field}")
        if value in (None, ""):
            break
        parts.append(f"{_number(value, field):02d}")
    return iso_date("-".join(parts))


def convert(ctx: ReadContext, locator: str, raw: tuple[str, Any]) -> Iterable[Fact]:
    key, record = raw
    if not isinstance(record, dict):
        raise Skip(f"a {ctx.meta['collection']} record is a mapping, not {type(record).__name__}")
    return {"people": _person, "institutions": _institution, "grants": _grant}[ctx.meta["collection"]](ctx, locator, key, record)


def _names(record: dict) -> tuple[str, list[str]]:
    name = clean(record.get("name"))
    if not name:
        raise Skip("no name")
    aka = record.get("aka") or []
    if not isinstance(aka, list):
        raise Skip(f"aka is a list of names, not {type(aka).__name__}")
    return name, [name, *(clean(a) for a in aka if clean(a))]


def _person(ctx: ReadContext, locator: str, key: str, record: dict) -> list[Fact]:
    ctx.note_fields(record, PEOPLE_FIELDS)
    name, names = _names(record)
    pid = person_id(key)
    orcid = clean(record.get("orcid_id"))
    facts: list[Fact] = [NodeRecord("Person", pid, {"name": name, "names": names, "orcid": orcid}, ctx.ev(f"{locator} / name", name))]
    for section in ("employment", "education"):
        entries = record.get(section) or []
        if not isinstance(entries, list):
            raise Skip(f"{section} is a list, not {type(entries).__name__}")
        for i, entry in enumerate(entries):
            where = f"{locator} / {section}[{i}]"
            if not isinstance(entry, dict):
                raise Skip(f"{where}: an entry is a mapping")
            org, org_text = _org_ref(ctx, entry.get("organization") or entry.get("institution"), f"{where} / organization")
            role = clean(entry.get("position") or entry.get("degree"))
            start, end = _partial_date(entry, "begin"), _partial_date(entry, "end")
            facts.append(org)
            facts.append(rel(ctx, "AFFILIATED_WITH", pid, org.id, where, org_text, key=f"{section}|{role}|{start}",
                             role=role, role_normalized=section, start=start, end=end, org_name=org_text))
    return facts


def _institution(ctx: ReadContext, locator: str, key: str, record: dict) -> list[Fact]:
    ctx.note_fields(record, INSTITUTION_FIELDS)
    name, names = _names(record)
    return [NodeRecord("Organization", institution_id(key), {
        "name": name, "names": names, "city": clean(record.get("city")), "country": clean(record.get("country")),
        "kind": guess_kind(name), "unresolved": True,
    }, ctx.ev(f"{locator} / name", name))]


def _amount(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", "").replace("$", ""))
    except ValueError:
        raise Skip(f"amount is not a number: {value!r}") from None


def _grant(ctx: ReadContext, locator: str, key: str, record: dict) -> list[Fact]:
    ctx.note_fields(record, GRANT_FIELDS)
    title = clean(record.get("title"))
    if not title:
        raise Skip("no title")
    team = record.get("team")
    if not isinstance(team, list) or not team:
        raise Skip("no team (a list of members with name, position and institution)")
    funder = clean(record.get("funder"))
    start, end = _partial_date(record, "begin"), _partial_date(record, "end")
    gid = identifier_id("grt", "regolith", key)
    facts: list[Fact] = [NodeRecord("Grant", gid, {
        "title": title, "names": [title], "number": clean(record.get("awardnr")), "funder_name": funder,
        "amount": _amount(record.get("amount")), "start": start, "end": end,
    }, ctx.ev(f"{locator} / title", title))]
    if funder:
        funder_org = unresolved_org(ctx, funder, f"{locator} / funder", kind="funder")
        facts += [funder_org, rel(ctx, "FUNDED_BY", gid, funder_org.id, f"{locator} / funder", funder, start=start, end=end)]
    awarded: set[str] = set()
    for i, member in enumerate(team):
        where = f"{locator} / team[{i}]"
        if not isinstance(member, dict):
            raise Skip(f"{where}: a team member is a mapping")
        ctx.note_fields(member, ("name", "position", "institution"))
        name = clean(member.get("name"))
        if not name:
            raise Skip(f"{where}: no name")
        role = _ROLES.get(clean(member.get("position")).lower())
        if role is None:
            raise Skip(f"{where}: position is pi or copi, not {member.get('position')!r}")
        institution = clean(member.get("institution"))
        if _is_key(name):
            person = NodeRecord("Person", person_id(name), {}, ctx.ev(f"{where} / name", name))
        else:
            person = NodeRecord("Person", make_id("per", "name", name, institution), {"name": name, "names": [name]}, ctx.ev(f"{where} / name", name))
        facts += [person, rel(ctx, "RECEIVED", person.id, gid, f"{where} / position", role, role=role, start=start, end=end)]
        if not institution:
            continue  # a member without an institution still received the grant
        org, org_text = _org_ref(ctx, institution, f"{where} / institution")
        facts += [org, rel(ctx, "AFFILIATED_WITH", person.id, org.id, f"{where} / institution", org_text, key=f"grant|{key}",
                           role=role, start=start, end=end, org_name=org_text)]
        if org.id not in awarded:
            awarded.add(org.id)
            facts.append(rel(ctx, "AWARDED_TO", gid, org.id, f"{where} / institution", org_text, start=start, end=end))
    return facts


SOURCE = Source(
    name="regolith",
    title="regolith group database (people, institutions, grants YAML)",
    formats="YAML mapping of keys to records; the collection is the file name (people.yml, institutions.yml, grants.yml)",
    read=read, convert=convert,
    licence="as the database states (Billingegroup rg-db-public: BSD-3-Clause)",
)
