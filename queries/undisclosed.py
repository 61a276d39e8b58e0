"""Undisclosed links: what open sources say about a person that their latest disclosure does not.

Convention for disclosed facts (followed by the disclosure NLP): a disclosure is a Disclosure
node (subject_id, version, superseded) with (Person)-[:SUBMITTED]->(Disclosure); each fact it
states is an ordinary relationship of the person (AFFILIATED_WITH, ADVISES, PARTICIPATES_IN,
FUNDED_BY, RECEIVED, PARTY_TO) carrying evidence whose ``source_id`` is the Disclosure id and
whose ``method`` starts with ``disclosure`` (e.g. ``disclosure-form``, ``disclosure-nlp``).
Evidence from any other source — ORCID, OpenAlex, grant databases, lists, and other people's
disclosures — is open-source evidence.

A link with open-source evidence is matched when a fact of the latest disclosure is of a
compatible relation (same group in RELATION_GROUPS), with the same resolved organization
(the organization itself, a grant's funder or a contract's party, or a SAME_AS twin decided
"same") and an overlapping period (open ends overlap everything). Otherwise it is undisclosed;
the answer then carries the open-source evidence and the disclosure's nearest statements about
the same organization (if any), so the reader sees both sides.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from graph.db import Database
from graph.provenance import evidence_list
from queries.cypher import cypher
from queries.paths import subject_info
from queries.timing import overlaps, parse_day

DISCLOSURE_METHOD_PREFIX = "disclosure"

# Relations a disclosure may state in place of one another.
RELATION_GROUPS: dict[str, str] = {
    "AFFILIATED_WITH": "appointment",
    "ADVISES": "appointment",
    "PARTICIPATES_IN": "program",
    "FUNDED_BY": "support",
    "RECEIVED": "support",
    "PARTY_TO": "contract",
}


@dataclass
class LinkFact:
    relation: str
    target_id: str
    target_name: str | None
    target_label: str
    counterparty_ids: list[str]
    counterparty_names: list[str]
    start: str | None
    end: str | None
    confidence: float
    properties: dict[str, Any]
    listed_on: list[str]
    evidence: list[dict]


@dataclass
class DisclosureRef:
    id: str
    version: int | None
    submitted_at: str | None


@dataclass
class UndisclosedLink:
    """An open-source link with no matching statement in the latest disclosure."""

    link: LinkFact
    open_evidence: list[dict]
    reason: str
    nearest_disclosed: list[LinkFact] = field(default_factory=list)


@dataclass
class MatchedLink:
    link: LinkFact
    open_evidence: list[dict]
    disclosed_by: LinkFact
    disclosure_evidence: list[dict]


@dataclass
class UndisclosedResult:
    subject_id: str
    subject_name: str | None
    disclosure: DisclosureRef | None
    undisclosed: list[UndisclosedLink]
    matched: list[MatchedLink]
    disclosed_only: list[LinkFact]
    note: str


_HIDDEN = {"ev_key", "ev_source", "ev_locator", "ev_start", "ev_end", "ev_text", "ev_observed", "ev_method", "ev_confidence", "id", "first_seen", "last_seen", "confidence"}


def is_disclosure_evidence(ev: dict, disclosure_ids: set[str]) -> bool:
    return str(ev.get("method") or "").startswith(DISCLOSURE_METHOD_PREFIX) and ev.get("source_id") in disclosure_ids


def _link(row: dict, evidence: list[dict]) -> LinkFact:
    props = row["props"]
    return LinkFact(row["relation"], row["target_id"], row["target_name"], row["target_label"], row["counterparties"], row["counterparty_names"],
                    props.get("start"), props.get("end"), float(props.get("confidence") or 0.0),
                    {k: v for k, v in props.items() if k not in _HIDDEN}, row["list_ids"], evidence)


def matches(open_link: LinkFact, disclosed: LinkFact) -> bool:
    """Compatible relation, same resolved organization, overlapping period."""
    if RELATION_GROUPS.get(open_link.relation) != RELATION_GROUPS.get(disclosed.relation):
        return False
    same_org = bool(set(open_link.counterparty_ids) & set(disclosed.counterparty_ids)) or open_link.target_id == disclosed.target_id
    if not same_org:
        return False
    return overlaps(open_link.start, open_link.end, disclosed.start, disclosed.end) and overlaps(disclosed.start, disclosed.end, open_link.start, open_link.end)


def _compare(person_id: str, name: str | None, latest_row: dict | None, own: set[str], rows: list[dict]) -> UndisclosedResult:
    latest = DisclosureRef(latest_row["id"], latest_row["version"], latest_row["submitted_at"]) if latest_row else None
    latest_ids = {latest.id} if latest else set()

    open_links: list[tuple[LinkFact, list[dict]]] = []
    disclosed: list[tuple[LinkFact, list[dict]]] = []
    for row in rows:
        evidence = evidence_list(row["props"])
        open_ev = [e for e in evidence if not is_disclosure_evidence(e, own)]
        latest_ev = [e for e in evidence if is_disclosure_evidence(e, latest_ids)]
        link = _link(row, evidence)
        if latest_ev:
            disclosed.append((link, latest_ev))
        if open_ev:
            open_links.append((link, open_ev))

    undisclosed: list[UndisclosedLink] = []
    matched: list[MatchedLink] = []
    used: set[int] = set()
    for link, open_ev in open_links:
        hit = next(((d, ev) for d, ev in disclosed if matches(link, d)), None)
        if hit:
            matched.append(MatchedLink(link, open_ev, hit[0], hit[1]))
            used.add(id(hit[0]))
            continue
        same_org = [d for d, _ in disclosed if set(d.counterparty_ids) & set(link.counterparty_ids)]
        if latest is None:
            reason = "no disclosure on file for this person"
        elif same_org:
            reason = "the disclosure names this organization, but not with a compatible relation and overlapping period"
        else:
            reason = "the latest disclosure does not mention this organization"
        undisclosed.append(UndisclosedLink(link, open_ev, reason, same_org))
    disclosed_only = [d for d, _ in disclosed if id(d) not in used and not any(d is link for link, _ in open_links)]
    note = (f"compared with disclosure {latest.id} (version {latest.version})" if latest
            else "no disclosure on file: every open-source link is listed, which is not itself a finding of concealment")
    return UndisclosedResult(person_id, name, latest, undisclosed, matched, disclosed_only, note)


async def undisclosed_links_many(db: Database, persons: dict[str, str | None], *, as_of: str | None = None) -> dict[str, UndisclosedResult]:
    """``undisclosed_links`` for many persons (id -> name) with three statements for the whole
    batch (a population sweep)."""
    as_of = parse_day(as_of)
    params = {"ids": list(persons), "as_of": as_of}
    latest_rows, own_rows, rows = await asyncio.gather(
        db.read(cypher("undisclosed", "latest_disclosure"), params),
        db.read(cypher("undisclosed", "own_disclosures"), params),
        db.read(cypher("undisclosed", "person_links"), params),
    )
    latest = {r["person_id"]: r for r in latest_rows if r["id"] is not None}
    own = {r["person_id"]: set(r["ids"]) for r in own_rows}
    links: dict[str, list[dict]] = {}
    for row in rows:
        links.setdefault(row["person_id"], []).append(row)
    return {pid: _compare(pid, name, latest.get(pid), own.get(pid, set()), links.get(pid, [])) for pid, name in persons.items()}


async def undisclosed_links(db: Database, person_id: str, *, as_of: str | None = None) -> UndisclosedResult:
    """Links of ``person_id`` found in open sources that the latest disclosure does not match."""
    subject = await subject_info(db, person_id)
    return (await undisclosed_links_many(db, {person_id: subject["name"]}, as_of=as_of))[person_id]
