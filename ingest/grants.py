"""Grant databases: NSF Award Search export CSV, NIH RePORTER export CSV, KAKEN API responses
(projects XML, researchers JSON).

A grant is a Grant node FUNDED_BY its funder (NSF, NIH with the administering institute as
program, JSPS for KAKENHI) and AWARDED_TO the recipient organization; investigators RECEIVED it
with their role and are AFFILIATED_WITH the recipient organization (role from the grant). The
recipient is named only by a string in NSF and NIH exports: it is stored unresolved, the string
as evidence, for entity resolution. Investigators named only by a string are keyed by name and
organization string (same name at the same organization = same person within these exports)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graph.writer import NodeRecord
from ingest.base import Fact, ReadContext, Skip, Source, clean, iso_date, org_ror, rel, split_names, unresolved_org
from ingest.readers import csv_rows, json_document, xml_elements, xml_to_dict
from kizuna.errors import SourceUnreadable
from kizuna.ids import identifier_id, make_id

NSF_ROR, NIH_ROR, JSPS_ROR = "021nxhr62", "01cwqze88", "00hhkn466"


def funder_stub(ctx: ReadContext, ror: str, name: str, fundref: str, field: str) -> NodeRecord:
    """The funder every row of the file names: one piece of evidence per file (the field),
    not one per row; the rows' FUNDED_BY edges carry the row-level evidence."""
    return NodeRecord("Organization", org_ror(ror), {"names": [name], "ror": ror, "fundref": [fundref], "kind": "funder"},
                      ctx.ev(f"field {field}", name))


def named_person(ctx: ReadContext, name: str, org_name: str, locator: str) -> NodeRecord:
    name = clean(name)
    if not name:
        raise Skip(f"{locator}: empty investigator name")
    return NodeRecord("Person", make_id("per", "name", name, org_name), {"name": name, "names": [name]}, ctx.ev(locator, name))


def _amount(value: Any) -> float | None:
    text = clean(value).replace("$", "").replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Skip(f"amount is not a number: {value!r}") from None


# -- NSF ------------------------------------------------------------------------------------------

NSF_FIELDS = frozenset({"AwardNumber", "Title", "NSFOrganization", "Program(s)", "StartDate", "EndDate", "PrincipalInvestigator",
                        "Organization", "OrganizationCity", "OrganizationState", "AwardedAmountToDate", "Co-PIName(s)", "State", "AwardInstrument"})


def read_nsf(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    yield from csv_rows(ctx, required=("AwardNumber", "PrincipalInvestigator", "Organization"))


def convert_nsf(ctx: ReadContext, locator: str, row: dict) -> Iterable[Fact]:
    if None in row:
        raise Skip(row[None])
    number = clean(row.get("AwardNumber"))
    if not number:
        raise Skip("no AwardNumber")
    start, end = iso_date(row.get("StartDate")), iso_date(row.get("EndDate"))
    grant_id = identifier_id("grt", "nsf", number)
    title = clean(row.get("Title"))
    yield NodeRecord("Grant", grant_id, {"title": title, "names": [title], "number": number, "funder_name": "U.S. National Science Foundation",
                     "amount": _amount(row.get("AwardedAmountToDate")), "currency": "USD", "start": start, "end": end},
                     ctx.ev(f"{locator} / Title", title))
    yield funder_stub(ctx, NSF_ROR, "U.S. National Science Foundation", "100000001", "NSFOrganization")
    yield rel(ctx, "FUNDED_BY", grant_id, org_ror(NSF_ROR), f"{locator} / NSFOrganization", row.get("NSFOrganization"),
              program=clean(row.get("Program(s)")), start=start, end=end)
    org_name = clean(row.get("Organization"))
    org = unresolved_org(ctx, org_name, f"{locator} / Organization", city=clean(row.get("OrganizationCity")), country="US")
    yield org
    yield rel(ctx, "AWARDED_TO", grant_id, org.id, f"{locator} / Organization", org_name, start=start, end=end)
    investigators = [("principal_investigator", clean(row.get("PrincipalInvestigator")), "PrincipalInvestigator")]
    investigators += [("co_principal_investigator", n, "Co-PIName(s)") for n in split_names(row.get("Co-PIName(s)"), ",")]
    for role, name, column in investigators:
        if not name:
            continue
        person = named_person(ctx, name, org_name, f"{locator} / {column}")
        yield person
        yield rel(ctx, "RECEIVED", person.id, grant_id, f"{locator} / {column}", name, role=role, start=start, end=end)
        yield rel(ctx, "AFFILIATED_WITH", person.id, org.id, f"{locator} / {column}+Organization", f"{name} — {org_name}",
                  key=f"nsf:{number}", confidence=0.9, role=f"{role.replace('_', ' ')} (NSF award {number})",
                  role_normalized="grant_investigator", start=start, end=end, org_name=org_name)


NSF = Source(name="nsf", title="NSF Award Search export (CSV)", formats="CSV with AwardNumber,Title,PrincipalInvestigator,Co-PIName(s),Organization,...",
             read=read_nsf, convert=convert_nsf, mapped_fields=NSF_FIELDS, licence="US government work (public domain)")


# -- NIH RePORTER --------------------------------------------------------------------------------

NIH_FIELDS = frozenset({"Project Title", "Administering  IC", "Administering IC", "Project Number", "Activity", "Contact PI  Person ID",
                        "Contact PI Person ID", "Contact PI / Project Leader", "Other PI or Project Leader(s)", "Organization Name", "FY",
                        "FY Total Cost", "Application ID", "Type", "IC", "Serial Number", "Support Year", "Suffix", "Subproject Number"})


def _col(row: dict, *names: str) -> str:
    return next((clean(row[n]) for n in names if n in row and clean(row[n])), "")


def read_nih(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    yield from csv_rows(ctx, required=("Project Number", "Organization Name"), any_of=("Contact PI / Project Leader",))


def convert_nih(ctx: ReadContext, locator: str, row: dict) -> Iterable[Fact]:
    if None in row:
        raise Skip(row[None])
    number = _col(row, "Project Number")
    if not number:
        raise Skip("no Project Number")
    fy = _col(row, "FY")
    grant_id = identifier_id("grt", "nih", number)
    title = _col(row, "Project Title")
    yield NodeRecord("Grant", grant_id, {"title": title, "names": [title], "number": number, "funder_name": "National Institutes of Health",
                     "amount": _amount(_col(row, "FY Total Cost")), "currency": "USD", "start": fy, "end": fy},
                     ctx.ev(f"{locator} / Project Title", title))
    yield funder_stub(ctx, NIH_ROR, "National Institutes of Health", "100000002", "IC")
    yield rel(ctx, "FUNDED_BY", grant_id, org_ror(NIH_ROR), f"{locator} / Administering IC", _col(row, "Administering  IC", "Administering IC"),
              program=_col(row, "Administering  IC", "Administering IC", "IC"), start=fy, end=fy)
    org_name = _col(row, "Organization Name")
    org = unresolved_org(ctx, org_name, f"{locator} / Organization Name", country="US")
    yield org
    yield rel(ctx, "AWARDED_TO", grant_id, org.id, f"{locator} / Organization Name", org_name, start=fy, end=fy)
    pi_name, pi_id = _col(row, "Contact PI / Project Leader"), _col(row, "Contact PI  Person ID", "Contact PI Person ID")
    people = []
    if pi_name:
        if pi_id and not pi_id.isdigit():
            raise Skip(f"Contact PI Person ID is not numeric: {pi_id!r}")
        node = (NodeRecord("Person", identifier_id("per", "nih", pi_id), {"name": pi_name, "names": [pi_name], "nih_person_id": pi_id},
                           ctx.ev(f"{locator} / Contact PI  Person ID", f"{pi_name} ({pi_id})"))
                if pi_id else named_person(ctx, pi_name, org_name, f"{locator} / Contact PI / Project Leader"))
        people.append(("contact_principal_investigator", node, "Contact PI / Project Leader"))
    for other in split_names(_col(row, "Other PI or Project Leader(s)"), ";"):
        if other.casefold() != "not applicable":
            people.append(("principal_investigator", named_person(ctx, other, org_name, f"{locator} / Other PI or Project Leader(s)"), "Other PI or Project Leader(s)"))
    for role, person, column in people:
        yield person
        yield rel(ctx, "RECEIVED", person.id, grant_id, f"{locator} / {column}", person.props["name"], role=role, start=fy, end=fy)
        yield rel(ctx, "AFFILIATED_WITH", person.id, org.id, f"{locator} / {column}+Organization Name", f"{person.props['name']} — {org_name}",
                  key=f"nih:{number}", confidence=0.9, role=f"{role.replace('_', ' ')} (NIH project {number})",
                  role_normalized="grant_investigator", start=fy, end=fy, org_name=org_name)


NIH = Source(name="nih", title="NIH RePORTER export (CSV)", formats="CSV with Project Number,Project Title,Contact PI  Person ID,Contact PI / Project Leader,Organization Name,FY,...",
             read=read_nih, convert=convert_nih, mapped_fields=NIH_FIELDS, licence="US government work (public domain)")


# -- KAKEN -----------------------------------------------------------------------------------------

def kaken_org(ctx: ReadContext, inst: Any, locator: str) -> NodeRecord:
    name = clean(inst.get("value") if isinstance(inst, dict) else inst)
    code = clean(inst.get("@niiCode")) if isinstance(inst, dict) else ""
    if not code:
        return unresolved_org(ctx, name, locator)
    return NodeRecord("Organization", identifier_id("org", "kakeninst", code), {"name": name, "names": [name], "unresolved": True},
                      ctx.ev(locator, f"{name} (niiCode {code})"))


def read_kaken(ctx: ReadContext) -> Iterator[tuple[str, Any]]:
    if ctx.path.suffix.lower() == ".xml":
        for locator, elem in xml_elements(ctx, "grantAward"):
            yield locator, {"_kind": "project", **xml_to_dict(elem)}
        return
    doc = json_document(ctx)
    if not isinstance(doc, dict) or not isinstance(doc.get("researchers"), list):
        raise SourceUnreadable(f"{ctx.path.name} is neither a KAKEN projects XML nor a researchers JSON response")
    for i, researcher in enumerate(doc["researchers"]):
        yield f"$.researchers[{i}]", {"_kind": "researcher", **researcher}


def _as_list(x: Any) -> list:
    return x if isinstance(x, list) else [] if x in (None, "") else [x]


def convert_kaken(ctx: ReadContext, locator: str, raw: dict) -> Iterable[Fact]:
    if raw.get("_kind") == "project":
        yield from _kaken_project(ctx, locator, raw)
    else:
        yield from _kaken_researcher(ctx, locator, raw)


def _kaken_project(ctx: ReadContext, locator: str, award: dict) -> Iterable[Fact]:
    number = clean(award.get("@awardNumber"))
    if not number:
        raise Skip("grantAward without awardNumber")
    summaries = _as_list(award.get("summary"))
    titles = [clean(s.get("title")) for s in summaries if isinstance(s, dict) and clean(s.get("title"))]
    main = next((s for s in summaries if isinstance(s, dict) and s.get("periodOfAward")), summaries[0] if summaries else {})
    period = main.get("periodOfAward") or {}
    start, end = iso_date(period.get("startDate")), iso_date(period.get("endDate"))
    grant_id = identifier_id("grt", "kakenhi", number)
    amount = (main.get("overallAwardAmount") or {}) if isinstance(main, dict) else {}
    yield NodeRecord("Grant", grant_id, {"title": titles[0] if titles else number, "names": titles, "number": number,
                     "funder_name": "Japan Society for the Promotion of Science (KAKENHI)",
                     "amount": _amount(amount.get("convertedJpyTotalCost") or amount.get("totalCost")) if amount else None,
                     "currency": "JPY" if amount else "", "start": start, "end": end}, ctx.ev(f"{locator}.summary.title", "; ".join(titles)))
    yield funder_stub(ctx, JSPS_ROR, "Japan Society for the Promotion of Science", "501100001691", "grantAward/@recordSet")
    allocation = main.get("allocation") if isinstance(main, dict) else None
    yield rel(ctx, "FUNDED_BY", grant_id, org_ror(JSPS_ROR), f"{locator}.summary.allocation", allocation,
              program=clean(allocation.get("value") if isinstance(allocation, dict) else allocation) or "KAKENHI", start=start, end=end)
    for i, inst in enumerate(_as_list(main.get("institution") if isinstance(main, dict) else None)):
        org = kaken_org(ctx, inst, f"{locator}.summary.institution[{i}]")
        yield org
        yield rel(ctx, "AWARDED_TO", grant_id, org.id, f"{locator}.summary.institution[{i}]", org.props["name"], start=start, end=end)
    for i, member in enumerate(_as_list(main.get("member") if isinstance(main, dict) else None)):
        loc = f"{locator}.summary.member[{i}]"
        number_r = clean(member.get("@researcherNumber"))
        pname = member.get("personalName") or {}
        full = clean(pname.get("fullName")) if isinstance(pname, dict) else ""
        if not number_r and not full:
            raise Skip(f"{loc}: member without researcherNumber or name")
        props = {"name": full, "names": [full], "kaken_id": number_r, "erad_id": clean(member.get("@eradCode"))}
        pid = identifier_id("per", "kaken", number_r) if number_r else make_id("per", "name", full)
        yield NodeRecord("Person", pid, props, ctx.ev(f"{loc}.personalName", full))
        yield rel(ctx, "RECEIVED", pid, grant_id, loc, full, role=clean(member.get("@role")), start=start, end=end)
        aff = member.get("affiliation") or {}
        if isinstance(aff, dict) and aff.get("institution"):
            org = kaken_org(ctx, aff["institution"], f"{loc}.affiliation.institution")
            yield org
            title = clean((aff.get("jobTitle") or {}).get("value") if isinstance(aff.get("jobTitle"), dict) else aff.get("jobTitle"))
            dept = clean((aff.get("department") or {}).get("value") if isinstance(aff.get("department"), dict) else aff.get("department"))
            yield rel(ctx, "AFFILIATED_WITH", pid, org.id, f"{loc}.affiliation", f"{org.props['name']} {dept} {title}",
                      key=f"kaken:{number}", role=" / ".join(x for x in (title, dept) if x) or "member", role_normalized="grant_investigator",
                      start=start, end=end, org_name=org.props["name"])


def _texts(values: Any) -> list[str]:
    return [clean(v.get("text")) for v in _as_list(values) if isinstance(v, dict) and clean(v.get("text"))]


def _kaken_researcher(ctx: ReadContext, locator: str, r: dict) -> Iterable[Fact]:
    accn = clean(r.get("accn"))
    if not accn:
        raise Skip("researcher without accn")
    name = r.get("name") or {}
    fam, giv = name.get("name:familyName") or [], name.get("name:givenName") or []
    by_lang = {}
    for f in fam:
        g = next((x for x in giv if x.get("lang") == f.get("lang")), {})
        by_lang[f.get("lang")] = (clean(f.get("text")), clean(g.get("text")))
    names = [f"{f} {g}".strip() if lang != "en" else f"{g} {f}".strip() for lang, (f, g) in by_lang.items()]
    erad, orcid = _as_list(r.get("id:person:erad")), _as_list(r.get("id:orcid"))
    pid = identifier_id("per", "kaken", accn)
    yield NodeRecord("Person", pid, {"name": names[0] if names else accn, "names": names, "kaken_id": accn,
                     "erad_id": clean(erad[0]) if erad else "", "orcid": clean(orcid[0]) if orcid else ""},
                     ctx.ev(f"{locator}.name", "; ".join(names)))
    for key in ("affiliations:current", "affiliations:history"):
        for i, aff in enumerate(_as_list(r.get(key))):
            loc = f"{locator}.{key}[{i}]"
            inst = aff.get("affiliation:institution") or {}
            inst_names = _texts(inst.get("humanReadableValue"))
            if not inst_names:
                raise Skip(f"{loc}: institution without a name")
            code = next((clean(v) for k, v in inst.items() if k.startswith("id:institution:")), "")
            oid = identifier_id("org", "erad" if "id:institution:erad" in inst else "mext", code) if code else None
            org = (NodeRecord("Organization", oid, {"name": inst_names[0], "names": inst_names, "unresolved": True}, ctx.ev(f"{loc}.affiliation:institution", "; ".join(inst_names)))
                   if oid else unresolved_org(ctx, inst_names[0], f"{loc}.affiliation:institution"))
            org.props["names"] = inst_names
            yield org

            def when(d: Any) -> str:
                if not isinstance(d, dict) or not d.get("commonEra:year"):
                    return ""
                return f"{int(d['commonEra:year']):04d}-{int(d.get('month') or 1):02d}-{int(d.get('day') or 1):02d}"

            title = _texts((aff.get("affiliation:jobTitle") or {}).get("humanReadableValue"))
            dept = _texts((aff.get("affiliation:department") or {}).get("humanReadableValue"))
            yield rel(ctx, "AFFILIATED_WITH", pid, org.id, loc, f"{inst_names[0]} {' '.join(dept[:1])} {' '.join(title[:1])}",
                      key=f"kaken:{key}:{i}", role=" / ".join(title[:1] + dept[:1]) or "researcher", role_normalized="employment",
                      start=when(aff.get("since")), end=when(aff.get("until")), org_name=inst_names[0])


KAKEN = Source(name="kaken", title="KAKEN API responses (projects XML, researchers JSON)",
               formats="projects: <grants><grantAward>...; researchers: {researchers: [...]}",
               read=read_kaken, convert=convert_kaken, licence="KAKEN database terms")
