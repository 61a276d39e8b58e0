"""Exposure questions: talent-program participation, funding exposure, co-authorship exposure
and contract review — each fact of the subject with the listing that makes it relevant and the
evidence of every step.

Listed means: the organization at the other end, or an entity up to three structure hops above
it (part of / subsidiary of / supervised by / owned by), is on a list in scope, in effect at
``as_of``. Facts are kept when their period overlaps the window [window_from, as_of].
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.db import Database
from graph.provenance import evidence_list
from kizuna.errors import InvalidInput
from queries.cypher import cypher, fragment
from queries.timing import parse_day

# Contract clauses that a review must find stated; matched case-insensitively on the stored text.
REVIEW_CLAUSES: dict[str, tuple[str, ...]] = {
    "ip": ("ip", "intellectual property", "invention", "patent", "知的財産", "特許"),
    "data_access": ("data access", "data", "データ"),
    "confidentiality": ("confidential", "non-disclosure", "nda", "秘密", "守秘"),
}


@dataclass
class ListedVia:
    """A listing reached from the counterparty: the listed entity, the structure hops up to it
    (empty when the counterparty itself is listed), and the list."""

    entity_id: str
    entity_name: str | None
    via: list[str]
    watchlist_id: str
    watchlist_name: str
    jurisdiction: str | None
    severity: str | None
    start: str | None
    end: str | None
    program: str | None

    def as_dict(self) -> dict[str, Any]:
        """Its fields as a dict, as ``dataclasses.asdict`` gives them. Why not asdict: it copies
        recursively, and a sweep converts ~50 of these per subject (a third of the exposure
        findings' time on the bench graph)."""
        return {**vars(self), "via": list(self.via)}


@dataclass
class ExposureFact:
    kind: str  # talent_program | funding | coauthorship | contract
    subject_id: str
    subject_name: str | None
    relation: str
    counterparty_id: str | None
    counterparty_name: str | None
    counterparty_kind: str | None
    counterparty_unresolved: bool
    start: str | None
    end: str | None
    confidence: float
    properties: dict[str, Any]
    listed: list[ListedVia]
    chain: list[dict[str, Any]]
    evidence: list[dict]
    clauses_stated: list[str] = field(default_factory=list)
    clauses_missing: list[str] = field(default_factory=list)


_HIDDEN = {"ev_key", "ev_source", "ev_locator", "ev_start", "ev_end", "ev_text", "ev_observed", "ev_method", "ev_confidence", "id", "first_seen", "last_seen"}


def classify_clauses(clauses: list[str]) -> tuple[list[str], list[str]]:
    """(review clauses the contract states, review clauses it does not state)."""
    lowered = [c.lower() for c in clauses]
    stated = [name for name, words in REVIEW_CLAUSES.items() if any(w in c for c in lowered for w in words)]
    return stated, [name for name in REVIEW_CLAUSES if name not in stated]


@lru_cache(maxsize=None)
def statement(name: str) -> str:
    """A statement of exposure.cypher with the listing scope and the listing shape that all of
    them share put in."""
    text = cypher("exposure", name).replace("__LISTING_IN_SCOPE__", f"({fragment('exposure', 'listing_in_scope')})")
    return text.replace("__LISTING__", fragment("exposure", "listing"))


class ListedOrganizations:
    """The organizations listed, or under a listed entity through up to three structure hops, on
    the lists in scope with the listing in effect at ``as_of`` — each with those listings — read
    once (``load``) for many exposure questions.

    Why: a population sweep's batch of co-authorships reaches tens of thousands of
    organizations, almost all within concern proximity and almost none under a listing. Looking
    their listings up per batch was half of the co-authorship question's server time; with this,
    the question keeps only the organizations named here (a few thousand on the bench graph) and
    takes their listings from here. Like the concern-path SearchCache it is a read made at the
    start of the assessing: a listing changed during a sweep reaches the next sweep."""

    def __init__(self, *, as_of: str | None, lists: list[str] | None):
        self.as_of, self.lists = parse_day(as_of), (list(lists) if lists else None)
        self.by_org: dict[str, list[ListedVia]] | None = None
        self.elements: list[str] = []  # the organizations' element ids, which the statements match on

    def matches(self, as_of: str | None, lists: list[str] | None) -> bool:
        return (self.as_of, self.lists) == (parse_day(as_of), list(lists) if lists else None)

    async def load(self, db: Database) -> dict[str, list[ListedVia]]:
        """The organizations and their listings, read on the first call."""
        if self.by_org is None:
            rows = await db.read(statement("listed_organizations"), {"as_of": self.as_of, "lists": self.lists})
            organizations = rows[0]["organizations"]
            self.by_org = {o["id"]: [ListedVia(**x) for x in o["listed"]] for o in organizations}
            self.elements = [o["element"] for o in organizations]
        return self.by_org

    async def coauthorships(self, db: Database, subject_ids: list[str], as_of: str | None, window_from: str | None) -> list[ExposureFact]:
        """The co-authorship question (``coauthorship_exposure``) for many subjects, asking only
        about these organizations: the same facts, each with this map's listings (the facts that
        reach an organization share its list, and those that share an affiliation its evidence
        list: read them, do not change them)."""
        by_org = await self.load(db)
        params = _params(subject_ids, as_of, window_from, self.lists) | {"org_elements": self.elements}
        answers = await asyncio.gather(*(db.read(statement("coauthorship_listed"), params | {"ids": part})
                                         for part in _parts(subject_ids)))
        facts = []
        for answer in answers:
            tables = answer[0]
            names = dict(tables["subjects"]) | dict(tables["coauthors"])
            publications = {pid: (title, year) for pid, title, year in tables["publications"]}
            affiliations = {row[0]: (row, evidence_list(row[7])) for row in tables["affiliations"]}
            for sid, pid, cid, aid in tables["facts"]:
                (_, org_id, org_name, org_kind, unresolved, start, end, props), evidence = affiliations[aid]
                title, year = publications[pid]
                when = None if year is None else str(year)
                facts.append(ExposureFact(
                    kind="coauthorship", subject_id=sid, subject_name=names[sid], relation="AUTHORED", counterparty_id=org_id,
                    counterparty_name=org_name, counterparty_kind=org_kind, counterparty_unresolved=bool(unresolved), start=when, end=when,
                    confidence=float(props["confidence"] or 0.0), properties={"start": when, "end": when}, listed=by_org[org_id],
                    chain=[{"relation": "AUTHORED", "id": pid, "name": title, "year": year}, {"relation": "CO_AUTHOR", "id": cid, "name": names[cid]},
                           {"relation": "AFFILIATED_WITH", "id": org_id, "name": org_name, "start": start, "end": end}],
                    evidence=evidence))
        return facts


def _fact(kind: str, row: dict) -> ExposureFact:
    """An ExposureFact from a statement's row."""
    props = row["props"] or {}
    fact = ExposureFact(
        kind=kind,
        subject_id=row["person_id"],
        subject_name=row["person_name"],
        relation=row["relation"],
        counterparty_id=row["entity_id"],
        counterparty_name=row["entity_name"],
        counterparty_kind=row["entity_kind"],
        counterparty_unresolved=bool(row["unresolved"]),
        start=props.get("start"),
        end=props.get("end"),
        confidence=float(props.get("confidence") or 0.0),
        properties={k: v for k, v in props.items() if k not in _HIDDEN and k != "confidence"},
        listed=[ListedVia(**x) for x in row["listed"]],
        chain=row["chain"],
        evidence=evidence_list(props),
    )
    if kind == "contract":
        clauses = [c for link in fact.chain for c in link.get("clauses", [])]
        fact.clauses_stated, fact.clauses_missing = classify_clauses(clauses)
    return fact


def _params(subject_ids: list[str], as_of: str | None, window_from: str | None, lists: list[str] | None) -> dict[str, Any]:
    as_of, window_from = parse_day(as_of), parse_day(window_from, field="window_from")
    return {"ids": list(subject_ids), "as_of": as_of, "to": as_of, "from": window_from or as_of, "lists": lists}


def _contract_needs_review(fact: ExposureFact) -> bool:
    return bool(fact.listed or fact.counterparty_unresolved or fact.clauses_missing)


# question kind -> (statement, which facts of it are findings)
_QUESTIONS = {
    "talent_program": ("talent_programs", None),
    "funding": ("funding", None),
    "coauthorship": ("coauthorship", None),
    "contract": ("contracts", _contract_needs_review),
}


# Several subjects (a project's team, a sweep's batch) are asked about in this many concurrent
# statements: one statement runs on one core of the server.
PARALLEL_PARTS = 2


def _parts(subject_ids: list[str]) -> list[list[str]]:
    """The subjects split for PARALLEL_PARTS concurrent statements (one part when there are none)."""
    size = max(1, -(-len(subject_ids) // PARALLEL_PARTS))
    return [subject_ids[i : i + size] for i in range(0, len(subject_ids), size)] or [[]]


async def _ask(db: Database, kind: str, subject_ids: list[str], as_of: str | None, window_from: str | None,
               lists: list[str] | None) -> list[ExposureFact]:
    name, keep = _QUESTIONS[kind]
    answers = await asyncio.gather(*(db.read(statement(name), _params(part, as_of, window_from, lists)) for part in _parts(subject_ids)))
    facts = [_fact(kind, r) for answer in answers for r in answer[0]["rows"]]
    return [f for f in facts if keep is None or keep(f)]


async def talent_programs(db: Database, subject_id: str, *, as_of: str | None = None, window_from: str | None = None,
                          lists: list[str] | None = None) -> list[ExposureFact]:
    """Participation in talent programs (Organizations of kind talent_program, or listed ones)."""
    return await _ask(db, "talent_program", [subject_id], as_of, window_from, lists)


async def funding_exposure(db: Database, subject_id: str, *, as_of: str | None = None, window_from: str | None = None,
                           lists: list[str] | None = None) -> list[ExposureFact]:
    """Funding (direct or through a received grant; in-kind included) from listed entities or
    entities under them."""
    return await _ask(db, "funding", [subject_id], as_of, window_from, lists)


async def coauthorship_exposure(db: Database, subject_id: str, *, as_of: str | None = None, window_from: str | None = None,
                                lists: list[str] | None = None) -> list[ExposureFact]:
    """Co-authors affiliated, in the publication's year, with listed entities (or entities under
    them), on publications within the window."""
    return await _ask(db, "coauthorship", [subject_id], as_of, window_from, lists)


async def contract_review(db: Database, subject_id: str, *, as_of: str | None = None, window_from: str | None = None,
                          lists: list[str] | None = None) -> list[ExposureFact]:
    """Contracts that need review: counterparty listed (or under a listed entity) or unresolved,
    or the IP / data-access / confidentiality clauses not all stated."""
    return await _ask(db, "contract", [subject_id], as_of, window_from, lists)


async def all_exposures_many(db: Database, subject_ids: list[str], *, as_of: str | None = None, window_from: str | None = None,
                             lists: list[str] | None = None, listed_orgs: ListedOrganizations | None = None) -> dict[str, list[ExposureFact]]:
    """The four exposure questions for many subjects: four statements for the whole batch (a
    population sweep), each subject's facts in the order ``all_exposures`` gives them (the
    co-authorship facts with their listings possibly in another order when ``listed_orgs``, made
    for the same ``as_of`` and ``lists``, is given)."""
    if listed_orgs is not None and not listed_orgs.matches(as_of, lists):
        raise InvalidInput("this ListedOrganizations was made for another as_of or other lists")
    parts = await asyncio.gather(*(listed_orgs.coauthorships(db, subject_ids, as_of, window_from)
                                   if kind == "coauthorship" and listed_orgs is not None else _ask(db, kind, subject_ids, as_of, window_from, lists)
                                   for kind in _QUESTIONS))
    out: dict[str, list[ExposureFact]] = {sid: [] for sid in subject_ids}
    for part in parts:
        for fact in part:
            out.setdefault(fact.subject_id, []).append(fact)
    return out


async def all_exposures(db: Database, subject_id: str, *, as_of: str | None = None, window_from: str | None = None,
                        lists: list[str] | None = None) -> list[ExposureFact]:
    """The four exposure questions at once (concurrent reads on the one driver)."""
    return (await all_exposures_many(db, [subject_id], as_of=as_of, window_from=window_from, lists=lists))[subject_id]
