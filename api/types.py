"""GraphQL object types shared by the schema: names in every script, identifiers, evidence and
sources on every node and hop, Relay-style connections, and the typed results for expected
failures (not found, ambiguous, insufficient information, not available, rejected).

Resolvers live in api/schema.py; these types only shape data and, for nested fields, ask the
per-request loaders (api/loaders.py). Any Person handed out is reported to the request's audit
collector by ``node_from_row`` / ``ref_from`` - the only two ways a person leaves the API.
"""

from __future__ import annotations

import base64
import unicodedata
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar, Union

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.auth import IsInvestigator
from graph.model import load_model
from kizuna.errors import InvalidInput
from queries.entity import split_props
from queries.people import NodeRow, RelRow

T = TypeVar("T")


# -- names, identifiers, evidence, sources ------------------------------------------------------

def script_of(text: str) -> str:
    """The writing system of a name (Latin, Han, Hiragana, Katakana, Hangul, Cyrillic, Arabic,
    ...), for display and filtering only: no rule, score or query reads it."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        word = unicodedata.name(ch, "UNKNOWN").split(" ")[0]
        word = {"CJK": "Han", "HALFWIDTH": "Katakana", "KATAKANA-HIRAGANA": "Katakana", "FULLWIDTH": "Latin"}.get(word, word.title())
        counts[word] = counts.get(word, 0) + 1
    if not counts:
        return "Unknown"
    if len(counts) > 1 and {"Han", "Hiragana", "Katakana"} & counts.keys() and counts.keys() <= {"Han", "Hiragana", "Katakana", "Latin"}:
        return "Japanese" if {"Hiragana", "Katakana"} & counts.keys() else max(counts, key=counts.get)
    return max(counts, key=counts.get)


@strawberry.type(description="A name or alias as a source wrote it, with its writing system.")
class Name:
    value: str
    script: str


def names_of(props: dict, *keys: str) -> list[Name]:
    seen: dict[str, None] = {}
    for key in keys:
        value = props.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v.strip():
                seen.setdefault(v.strip(), None)
    return [Name(value=v, script=script_of(v)) for v in seen]


@strawberry.type(description="An authoritative identifier (ROR, ORCID, DOI, Wikidata, ...).")
class Identifier:
    scheme: str
    value: str


def identifiers_of(label: str, props: dict) -> list[Identifier]:
    node = load_model().nodes.get(label)
    if node is None:
        return []
    out = []
    for spec in node.properties.values():
        if spec.identifier and props.get(spec.name) not in (None, "", []):
            value = props[spec.name]
            for v in value if isinstance(value, list) else [value]:
                out.append(Identifier(scheme=spec.name, value=str(v)))
    return out


@strawberry.type(description="Where a fact comes from: source, locator (field or character span), time, method, confidence.")
class Evidence:
    source_id: str | None
    locator: str | None
    start: int | None
    end: int | None
    text: str | None
    observed_at: str | None
    method: str | None
    confidence: float | None

    @staticmethod
    def many(items: list[dict] | None) -> list["Evidence"]:
        fields = ("source_id", "locator", "start", "end", "text", "observed_at", "method", "confidence")
        return [Evidence(**{f: e.get(f) for f in fields}) for e in items or []]


@strawberry.type(description="A source document or record set (a list file, a registry dump, a disclosure).")
class Source:
    id: strawberry.ID
    kind: str | None
    title: str | None
    uri: str | None
    retrieved_at: str | None
    licence: str | None


async def sources_for(info: Info, evidence: list[Evidence]) -> list[Source]:
    ids = list(dict.fromkeys(e.source_id for e in evidence if e.source_id))
    rows = await info.context["loaders"].nodes.load_many(ids)
    out = []
    for sid, row in zip(ids, rows):
        p = row.props if row is not None and row.label == "Source" else {}
        out.append(Source(id=sid, kind=p.get("kind"), title=p.get("title"), uri=p.get("uri"), retrieved_at=p.get("retrieved_at"), licence=p.get("licence")))
    return out


# -- pagination ---------------------------------------------------------------------------------

@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(description="All items matching, when known cheaply.")

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[T]:  # type: ignore[valid-type]
        return [e.node for e in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset after ``cursor`` (cursors are opaque to clients)."""
    if not cursor:
        return 0
    try:
        kind, value = base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)
        offset = int(value)
        if kind != "o" or offset < 0:
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the cursor is not one this API gave out") from None
    return offset + 1


def make_connection(items: list, skip: int, first: int, total: int | None, has_next: bool | None = None, cls: type = Connection) -> Connection:
    edges = [Edge(cursor=encode_cursor(skip + i), node=n) for i, n in enumerate(items[:first])]
    more = has_next if has_next is not None else (total is not None and skip + len(edges) < total)
    return cls(
        edges=edges,
        page_info=PageInfo(has_next_page=more, has_previous_page=skip > 0, start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )


# -- records: decisions and responses -------------------------------------------------------------

@strawberry.enum(description="What the institution decided: accept the risk, mitigate it (with measures), or avoid it.")
class Outcome(Enum):
    ACCEPT = "ACCEPT"
    MITIGATE = "MITIGATE"
    AVOID = "AVOID"


@strawberry.type(description="A decision on a subject or a finding: who, when, what and why. Decisions are appended, never edited.")
class Decision:
    id: strawberry.ID
    subject_id: str | None
    finding_id: str | None
    outcome: Outcome
    measures: list[str]
    rationale: str
    decided_by: str
    decided_at: str

    @staticmethod
    def of(d: dict) -> "Decision":
        return Decision(id=d["id"], subject_id=d.get("subject_id"), finding_id=d.get("finding_id"), outcome=Outcome(d["outcome"]),
                        measures=list(d.get("measures") or []), rationale=d.get("rationale", ""), decided_by=d["decided_by"], decided_at=d["decided_at"])


@strawberry.type(description="A researcher's response to a finding or to their assessment, as recorded by an investigator.")
class Response:
    id: strawberry.ID
    subject_id: str | None
    finding_id: str | None
    text: str
    received_at: str | None
    recorded_by: str
    recorded_at: str

    @staticmethod
    def of(r: dict) -> "Response":
        return Response(id=r["id"], subject_id=r.get("subject_id"), finding_id=r.get("finding_id"), text=r["text"], received_at=r.get("received_at"),
                        recorded_by=r["recorded_by"], recorded_at=r["recorded_at"])


# -- nodes and relations ----------------------------------------------------------------------------

@strawberry.enum
class Direction(Enum):
    OUT = "out"
    IN = "in"
    BOTH = "both"


@strawberry.interface(description="Anything in the graph: names in every script, identifiers, evidence, sources, relations.")
class Node:
    id: strawberry.ID
    label: str
    name: str | None
    names: list[Name]
    identifiers: list[Identifier]
    evidence: list[Evidence]
    first_seen: str | None
    last_seen: str | None
    props: strawberry.Private[dict]

    @strawberry.field(description="The sources named by this node's evidence.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources_for(info, self.evidence)

    @strawberry.field(description="Relationships of the given types (all visible ones by default), each with its evidence.")
    async def relations(self, info: Info, types: list[str] | None = None, direction: Direction = Direction.BOTH, first: int = 20, after: str | None = None) -> Connection[Relation]:
        return await relation_connection(info, self.id, types, direction.value, first, after)

    @strawberry.field(description="Decisions recorded on this subject, newest first (investigator and up).", permission_classes=[IsInvestigator])
    async def decisions(self, info: Info) -> list[Decision]:
        return [Decision.of(d) for d in await info.context["loaders"].decisions.load(self.id)]

    @strawberry.field(description="Responses recorded for this subject, newest first (investigator and up).", permission_classes=[IsInvestigator])
    async def responses(self, info: Info) -> list[Response]:
        return [Response.of(r) for r in await info.context["loaders"].responses.load(self.id)]


@strawberry.type(description="A relationship seen from one end, with the far end, its dates, confidence and evidence.")
class Relation:
    id: str | None
    type: str
    direction: Direction
    start: str | None
    end: str | None
    confidence: float | None
    properties: JSON
    evidence: list[Evidence]
    node: Node

    @strawberry.field
    async def sources(self, info: Info) -> list[Source]:
        return await sources_for(info, self.evidence)


def relation_from(row: RelRow, info: Info) -> Relation:
    props, evidence = split_props(row.props)
    rid = props.pop("id", None)
    for k in ("confidence", "first_seen", "last_seen"):
        props.pop(k, None)
    return Relation(
        id=rid, type=row.type, direction=Direction.OUT if row.outgoing else Direction.IN,
        start=props.get("start"), end=props.get("end"), confidence=row.props.get("confidence"),
        properties=props, evidence=Evidence.many(evidence), node=node_from_row(row.other, info),
    )


async def relation_connection(info: Info, node_id: str, types: list[str] | None, direction: str, first: int, after: str | None) -> Connection:
    from api.limits import check_first

    check_first(first, info.context["config"])
    if types:
        unknown = [t for t in types if t not in load_model().relationships]
        if unknown:
            raise InvalidInput(f"unknown relationship types: {', '.join(unknown)}")
    skip = decode_cursor(after)
    key = (node_id, tuple(types or ()), direction, skip, first)
    page = await info.context["loaders"].relations.load(key)
    return make_connection([relation_from(r, info) for r in page.items], skip, first, page.total)


def _common(row: NodeRow) -> dict:
    props, evidence = split_props(row.props)
    return dict(
        id=row.id, label=row.label, name=props.get("name") or props.get("title"), names=names_of(props, "name", "title", "names", "acronyms"),
        identifiers=identifiers_of(row.label, props), evidence=Evidence.many(evidence), first_seen=props.get("first_seen"), last_seen=props.get("last_seen"), props=props,
    )


@strawberry.type(description="A person. Reading one is recorded in the audit trail.")
class Person(Node):
    given_name: str | None
    family_name: str | None

    @strawberry.field(description="Appointments and affiliations (AFFILIATED_WITH), each with role, dates and evidence.")
    async def affiliations(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Relation]:
        return await relation_connection(info, self.id, ["AFFILIATED_WITH"], "out", first, after)

    @strawberry.field(description="Other ties: funding, grants, contracts, program participation, advising, projects.")
    async def ties(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Relation]:
        types = ["FUNDED_BY", "RECEIVED", "PARTY_TO", "PARTICIPATES_IN", "ADVISES", "MEMBER_OF"]
        return await relation_connection(info, self.id, types, "out", first, after)

    @strawberry.field(description="Listings of this person on watchlists.")
    async def listings(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Relation]:
        return await relation_connection(info, self.id, ["LISTED_ON"], "out", first, after)


@strawberry.type(description="An organization: university, institute, company, government or military body, funder, talent program.")
class Organization(Node):
    kind: str | None
    acronyms: list[str]
    country: str | None
    city: str | None
    status: str | None

    @strawberry.field(description="Listings of this organization on watchlists (with start, end, reason and evidence).")
    async def listings(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Relation]:
        return await relation_connection(info, self.id, ["LISTED_ON"], "out", first, after)

    @strawberry.field(description="Parents: part of, subsidiary of, supervised by, owned by.")
    async def parents(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Relation]:
        return await relation_connection(info, self.id, load_model().rel_types("structure"), "out", first, after)

    @strawberry.field(description="Children: units, subsidiaries, supervised or owned organizations.")
    async def children(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Relation]:
        return await relation_connection(info, self.id, load_model().rel_types("structure"), "in", first, after)

    @strawberry.field(description="People affiliated with this organization (each person read is audited).")
    async def affiliates(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Relation]:
        return await relation_connection(info, self.id, ["AFFILIATED_WITH"], "in", first, after)


@strawberry.type(description="A list of entities of concern (official or the user's own).")
class Watchlist(Node):
    jurisdiction: str | None
    authority: str | None
    version: str | None
    published: str | None
    url: str | None
    severity: str | None

    @strawberry.field(description="The entities listed, each with listing dates, reason and evidence.")
    async def entries(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Relation]:
        return await relation_connection(info, self.id, ["LISTED_ON"], "in", first, after)


@strawberry.type(description="Any other entity (grant, contract, project, publication, source, finding ...).")
class GenericEntity(Node):
    properties: JSON


def node_from_row(row: NodeRow, info: Info) -> Node:
    """The typed object for a stored node. Every Person goes through here (or ref_from), which
    is where the audit collector learns about it."""
    common = _common(row)
    props = common["props"]
    if row.label == "Person":
        info.context["audit"].saw(row.id)
        return Person(**common, given_name=props.get("given_name"), family_name=props.get("family_name"))
    if row.label == "Organization":
        return Organization(**common, kind=props.get("kind"), acronyms=list(props.get("acronyms") or []), country=props.get("country"), city=props.get("city"), status=props.get("status"))
    if row.label == "Watchlist":
        return Watchlist(**common, **{k: props.get(k) for k in ("jurisdiction", "authority", "version", "published", "url", "severity")})
    plain = {k: v for k, v in props.items() if k not in ("id", "names", "confidence", "first_seen", "last_seen")}
    return GenericEntity(**common, properties=plain)


# -- expected failures as results -------------------------------------------------------------------

@strawberry.type(description="Nothing with that id or identifier exists (or it is not of the type asked for).")
class NotFound:
    message: str
    requested_id: str | None = None


@strawberry.type(description="A candidate of an ambiguous look-up.")
class Candidate:
    id: strawberry.ID
    label: str
    name: str | None
    score: float


@strawberry.type(description="Several entities match; pick one by id.")
class Ambiguous:
    message: str
    candidates: list[Candidate]


@strawberry.type(description="Too little is known to judge; says what is missing. Not the same as low risk.")
class InsufficientInformation:
    message: str
    subject_id: str
    missing: list[str]


@strawberry.type(description="The capability behind this operation is not installed in this build.")
class NotAvailable:
    message: str
    feature: str


@strawberry.type(description="An upload or request was refused before anything was written.")
class Rejected:
    message: str
    code: str


# -- shapes returned by the backends (docs/api.md lists the dict keys) -------------------------------

@strawberry.type(description="A light reference to an entity inside a path or report.")
class EntityRef:
    id: strawberry.ID
    label: str | None
    name: str | None
    names: list[Name]


def ref_from(d: dict | None, info: Info) -> EntityRef | None:
    if not d:
        return None
    if d.get("label") == "Person":
        info.context["audit"].saw(d["id"])
    return EntityRef(id=d["id"], label=d.get("label"), name=d.get("name"), names=names_of(d, "name", "names"))


@strawberry.type(description="One hop of a path: a typed relationship between two entities, with its evidence.")
class Hop:
    type: str
    source: EntityRef
    target: EntityRef
    start: str | None
    end: str | None
    confidence: float | None
    properties: JSON
    evidence: list[Evidence]


def hop_from(d: dict, info: Info) -> Hop:
    props = dict(d.get("properties") or {})
    return Hop(type=d["type"], source=ref_from(d["from"], info), target=ref_from(d["to"], info), start=d.get("start", props.get("start")),
               end=d.get("end", props.get("end")), confidence=d.get("confidence"), properties=props, evidence=Evidence.many(d.get("evidence")))


@strawberry.type(description="A listing reached by a path: which list, since when, until when, why.")
class ListingRef:
    watchlist_id: str
    watchlist_name: str | None
    start: str | None
    end: str | None
    reason: str | None
    evidence: list[Evidence]


def listing_from(d: dict) -> ListingRef:
    return ListingRef(watchlist_id=d["watchlist_id"], watchlist_name=d.get("watchlist_name"), start=d.get("start"), end=d.get("end"), reason=d.get("reason"), evidence=Evidence.many(d.get("evidence")))


@strawberry.type(description="The best path from the subject to one listed entity, hop by hop.")
class ConcernPath:
    target: EntityRef
    listings: list[ListingRef]
    score: float
    hops: list[Hop]


@strawberry.type(description="Concern paths of a subject; `partial` says the search stopped early and `omitted` what was left out.")
class ConcernPaths:
    subject: EntityRef
    max_hops: int
    as_of: str | None
    partial: bool
    omitted: list[str]
    paths: Connection[ConcernPath]


@strawberry.type(description="A link found in open sources that the person's latest disclosure does not mention.")
class UndisclosedLink:
    hop: Hop
    counterpart: EntityRef
    explanation: str
    evidence: list[Evidence]
    disclosure_evidence: list[Evidence]


@strawberry.type
class UndisclosedLinks:
    person: EntityRef
    disclosure_id: str | None
    links: list[UndisclosedLink]


@strawberry.enum
class Tier(Enum):
    NONE = "none"
    LOW = "low"
    ELEVATED = "elevated"
    HIGH = "high"


@strawberry.type(description="Where a rule comes from: document, section, URL.")
class Citation:
    document: str
    section: str | None
    url: str | None


@strawberry.type(description="A rule of a pack that fired, with its outcome, measures and citation.")
class RuleFired:
    pack: str
    rule_id: str
    title: str | None
    outcome: str
    measures: list[str]
    citations: list[Citation]
    finding_ids: list[str]


@strawberry.type(description="A finding of an assessment, traceable hop by hop.")
class AssessedFinding:
    id: str
    kind: str
    title: str
    severity: str | None
    hops: list[Hop]
    evidence: list[Evidence]


@strawberry.type(description="A proportionate assessment under the chosen rule packs and date.")
class RiskAssessment:
    subject: EntityRef
    as_of: str | None
    packs: list[str]
    tier: Tier
    recommendation: Outcome
    explanation: str
    measures: list[str]
    rules_fired: list[RuleFired]
    findings: list[AssessedFinding]


@strawberry.type
class ScreenMatch:
    entity: EntityRef
    score: float
    explanation: str | None
    listings: list[ListingRef]


@strawberry.type(description="Screening of a name (and identifiers) against the chosen lists.")
class ScreenMatches:
    query: str
    matches: list[ScreenMatch]


@strawberry.type(description="A statement extracted from a disclosure, with its character span.")
class DisclosureStatement:
    kind: str
    text: str
    start: int | None
    end: int | None
    relation: str | None
    organization: EntityRef | None
    confidence: float | None


@strawberry.type(description="A researcher's disclosure (one version), with the statements found in it.")
class Disclosure:
    id: strawberry.ID
    person: EntityRef | None
    version: int | None
    submitted_at: str | None
    document: str | None
    languages: list[str]
    statements: list[DisclosureStatement]
    evidence: list[Evidence]


@strawberry.type
class RecordError:
    locator: str
    message: str


@strawberry.type(description="What an ingestion wrote; bad records are listed, the others were written.")
class IngestReport:
    source_id: str | None
    nodes: int
    relationships: int
    skipped: bool
    errors: list[RecordError]


@strawberry.type
class SweepChange:
    kind: str
    subject_id: str | None
    description: str
    evidence: list[Evidence]


@strawberry.type(description="One run of a periodic due-diligence sweep and what changed since the previous one.")
class Sweep:
    id: strawberry.ID
    definition: str
    status: str
    started_at: str | None
    finished_at: str | None
    subjects: int | None
    summary: JSON
    changes: list[SweepChange]


def sweep_from(d: dict) -> Sweep:
    return Sweep(id=d["id"], definition=d.get("definition", ""), status=d.get("status", "unknown"), started_at=d.get("started_at"), finished_at=d.get("finished_at"),
                 subjects=d.get("subjects"), summary=d.get("summary") or {},
                 changes=[SweepChange(kind=c["kind"], subject_id=c.get("subject_id"), description=c.get("description", ""), evidence=Evidence.many(c.get("evidence"))) for c in d.get("changes") or []])


# -- stored findings and the audit trail --------------------------------------------------------------

@strawberry.type(description="A stored finding about a subject, with its evidence, decisions and responses.")
class Finding:
    id: strawberry.ID
    subject_id: str
    kind: str | None
    title: str | None
    summary: str | None
    severity: str | None
    rule_ids: list[str]
    related_ids: list[str]
    as_of: str | None
    status: str | None
    evidence: list[Evidence]

    @strawberry.field
    async def subject(self, info: Info) -> Node | None:
        row = await info.context["loaders"].nodes.load(self.subject_id)
        return node_from_row(row, info) if row else None

    @strawberry.field(permission_classes=[IsInvestigator])
    async def decisions(self, info: Info) -> list[Decision]:
        return [Decision.of(d) for d in await info.context["loaders"].decisions.load(self.id)]

    @strawberry.field(permission_classes=[IsInvestigator])
    async def responses(self, info: Info) -> list[Response]:
        return [Response.of(r) for r in await info.context["loaders"].responses.load(self.id)]


def finding_from(props: dict) -> Finding:
    plain, evidence = split_props(props)
    return Finding(id=plain["id"], subject_id=plain.get("subject_id", ""), kind=plain.get("kind"), title=plain.get("title"), summary=plain.get("summary"),
                   severity=plain.get("severity"), rule_ids=list(plain.get("rule_ids") or []), related_ids=list(plain.get("related_ids") or []),
                   as_of=plain.get("as_of"), status=plain.get("status"), evidence=Evidence.many(evidence))


@strawberry.type(description="One audit entry: who read which person, when, through which operation, and its chain hash.")
class AuditEntry:
    seq: int
    at: str
    actor: str
    actor_role: str
    operation: str
    person_id: str
    prev_hash: str
    hash: str


@strawberry.type(description="Result of re-computing the hash chain from the first entry.")
class AuditChainStatus:
    valid: bool
    entries: int
    head_seq: int
    first_broken_seq: int | None


@strawberry.type
class MatchDecision:
    a: EntityRef
    b: EntityRef
    same: bool
    decided_by: str
    decided_at: str
    rationale: str


@strawberry.type
class WatchlistEntryAdded:
    watchlist_id: str
    entity_id: str
    relation_id: str


@strawberry.type
class WatchlistImport:
    watchlist_id: str
    source_id: str
    entries: int
    errors: list[RecordError]


# Unions of results: success type first, then the expected failures.
EntityResult = Annotated[Union[Person, Organization, Watchlist, GenericEntity, NotFound], strawberry.union("EntityResult")]
PersonResult = Annotated[Union[Person, NotFound, Ambiguous], strawberry.union("PersonResult")]
OrganizationResult = Annotated[Union[Organization, NotFound, Ambiguous], strawberry.union("OrganizationResult")]
ScreenResult = Annotated[Union[ScreenMatches, NotAvailable], strawberry.union("ScreenResult")]
ConcernPathsResult = Annotated[Union[ConcernPaths, NotFound, NotAvailable], strawberry.union("ConcernPathsResult")]
UndisclosedLinksResult = Annotated[Union[UndisclosedLinks, NotFound, NotAvailable], strawberry.union("UndisclosedLinksResult")]
RiskAssessmentResult = Annotated[Union[RiskAssessment, InsufficientInformation, NotFound, NotAvailable], strawberry.union("RiskAssessmentResult")]
DisclosureResult = Annotated[Union[Disclosure, NotFound, NotAvailable], strawberry.union("DisclosureResult")]
SweepResult = Annotated[Union[Sweep, NotFound, NotAvailable], strawberry.union("SweepResult")]
@strawberry.type(description="Sweep runs, newest first.")
class SweepConnection(Connection[Sweep]):
    """A concrete connection type, so that it can be a member of a union."""


SweepsResult = Annotated[Union[SweepConnection, NotAvailable], strawberry.union("SweepsResult")]
IngestResult = Annotated[Union[IngestReport, Rejected, NotFound, NotAvailable], strawberry.union("IngestResult")]
DecisionResult = Annotated[Union[Decision, NotFound], strawberry.union("DecisionResult")]
ResponseResult = Annotated[Union[Response, NotFound], strawberry.union("ResponseResult")]
MatchResult = Annotated[Union[MatchDecision, NotFound], strawberry.union("MatchResult")]
WatchlistEntryResult = Annotated[Union[WatchlistEntryAdded, NotFound], strawberry.union("WatchlistEntryResult")]
ImportResult = Annotated[Union[WatchlistImport, Rejected, NotAvailable], strawberry.union("ImportResult")]


def as_dict(value: Any) -> dict:
    """Backends may return dataclasses or dicts; the schema reads dicts."""
    if isinstance(value, dict):
        return value
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    raise TypeError(f"a backend returned {type(value).__name__}, expected a dict")
