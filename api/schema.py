"""The GraphQL schema (strawberry). Resolvers are thin and async: they check the caller's role,
call queries/ (or api.backends for capabilities built elsewhere) through the request's counted
Database and loaders, and map results to types. Expected failures are typed results; errors are
mapped once (api.limits.ErrorMapper); every person read is audited (api.audit.AuditExtension).
"""

from __future__ import annotations

import logging
from pathlib import Path

import strawberry
from strawberry.extensions import (
    AddValidationRules, DisableIntrospection, MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter, ValidationCache,
)
from strawberry.file_uploads import Upload
from strawberry.types import Info

from api import backends
from api import watchlists as watchlists_api
from api.audit import AuditExtension
from api.auth import IsAdmin, IsAuditor, IsAuthenticated, IsInvestigator, IsReviewer, IsViewer, Principal
from api.config import ApiConfig
from api.limits import ErrorMapper, QueryShapeGuard, check_first, check_path_cost
from api.types import (
    Ambiguous, AssessedFinding, AuditChainStatus, AuditEntry, Candidate, Citation, ConcernPath, ConcernPaths, ConcernPathsResult, Connection,
    Decision, DecisionResult, Disclosure, DisclosureResult, DisclosureStatement, EntityResult, Evidence, IngestReport, IngestResult, Finding,
    ImportResult, InsufficientInformation, MatchDecision, MatchResult, Name, Node, NotAvailable, NotFound, Organization, OrganizationResult, Outcome,
    Person, PersonResult, RecordError, Rejected, Response, ResponseResult, RiskAssessment, RiskAssessmentResult, RuleFired, ScreenMatch,
    ScreenMatches, ScreenResult, Sweep, SweepConnection, SweepResult, SweepsResult, Tier, UndisclosedLink, UndisclosedLinks, UndisclosedLinksResult,
    Watchlist, WatchlistEntryAdded, WatchlistEntryResult, WatchlistImport, as_dict, decode_cursor, finding_from, hop_from, listing_from,
    make_connection, names_of, node_from_row, ref_from, sweep_from,
)
from graph.provenance import Evidence as EvidenceRecord
from graph.provenance import utc_now_iso
from graph.writer import GraphWriter, RelRecord
from kizuna.errors import InvalidInput, NotFound as NotFoundError, PermissionDenied as PermissionDeniedError, SourceUnreadable
from queries import audit as audit_q
from queries import decisions as decisions_q
from queries import people as people_q
from queries import search as search_q

SCHEMA_FILE = Path(__file__).with_name("schema.graphql")
log = logging.getLogger("kizuna.api")


def _precise_now() -> str:
    """A timestamp to the microsecond: two decisions in the same second stay two pieces of evidence."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def _ctx(info: Info) -> dict:
    return info.context


def _principal(info: Info) -> Principal:
    return info.context["principal"]


async def _node(info: Info, entity_id: str):
    return await _ctx(info)["loaders"].nodes.load(entity_id)


def _not_available(exc: backends.NotAvailable) -> NotAvailable:
    return NotAvailable(message=str(exc), feature=exc.feature)


@strawberry.type(description="A search hit: an entity whose name, alias (any script) or identifier matched.")
class SearchHit:
    id: strawberry.ID
    label: str
    name: str | None
    names: list[Name]
    kind: str | None
    score: float

    @strawberry.field(description="The full entity.")
    async def node(self, info: Info) -> Node | None:
        row = await _node(info, self.id)
        return node_from_row(row, info) if row else None


async def _lookup(info: Info, label: str, id: str | None, identifier: str | None, name: str | None):
    """Find one Person or Organization by id, identifier or exact name; typed failures otherwise."""
    given = [v for v in (id, identifier, name) if v]
    if len(given) != 1:
        raise InvalidInput("give exactly one of id, identifier or name")
    db = _ctx(info)["db"]
    if identifier:
        ids = await people_q.ids_by_identifier(db, label, identifier.strip())
    elif name:
        wanted = " ".join(name.split()).casefold()
        hits = await search_q.search(db, name, labels=[label], limit=10)
        exact = [h for h in hits if any(" ".join(n.split()).casefold() == wanted for n in [h.name or "", *h.names])]
        # only an exact name (or alias) picks a person; near matches come back as candidates
        chosen = exact or hits
        if len(chosen) > 1 or (chosen and not exact):
            for h in chosen:
                if h.label == "Person":
                    _ctx(info)["audit"].saw(h.id)
            return Ambiguous(message=f"{len(chosen)} {label.lower()}s {'match' if exact else 'resemble'} {name!r}; ask again by id",
                             candidates=[Candidate(id=h.id, label=h.label, name=h.name, score=h.score) for h in chosen])
        ids = [h.id for h in chosen]
    else:
        ids = [id]
    if not ids:
        return NotFound(message=f"no {label.lower()} matches", requested_id=id)
    if len(ids) > 1:
        rows = await _ctx(info)["loaders"].nodes.load_many(ids)
        for r in rows:
            if r and r.label == "Person":
                _ctx(info)["audit"].saw(r.id)
        return Ambiguous(message=f"{len(ids)} {label.lower()}s carry identifier {identifier!r}",
                         candidates=[Candidate(id=r.id, label=r.label, name=r.props.get("name"), score=1.0) for r in rows if r])
    row = await _node(info, ids[0])
    if row is None or row.label != label:
        return NotFound(message=f"no {label.lower()} with id {ids[0]!r}", requested_id=ids[0])
    return node_from_row(row, info)


async def _subject_ref(info: Info, subject_id: str, labels: tuple[str, ...] = ("Person", "Organization", "Project")):
    row = await _node(info, subject_id)
    if row is None or row.label not in labels:
        return None
    if row.label == "Person":
        _ctx(info)["audit"].saw(row.id)
    return ref_from({"id": row.id, "label": row.label, "name": row.props.get("name") or row.props.get("title"), "names": row.props.get("names")}, info)


@strawberry.type
class AuditLog:
    entries: Connection[AuditEntry]

    @strawberry.field(description="Re-computes the whole hash chain (cost grows with the trail).")
    async def chain(self, info: Info) -> AuditChainStatus:
        s = await audit_q.verify_chain(_ctx(info)["db"])
        return AuditChainStatus(valid=s.valid, entries=s.entries, head_seq=s.head_seq, first_broken_seq=s.first_broken_seq)


@strawberry.type(description="Who holds the key or token of this request, so a client can show it and hide what the role may not do.")
class Me:
    name: str
    role: str
    actor: str


@strawberry.type
class Query:
    @strawberry.field(description="The caller: name, role and the actor the audit trail records.", permission_classes=[IsAuthenticated])
    def me(self, info: Info) -> Me:
        principal = _principal(info)
        return Me(name=principal.name, role=principal.role.value, actor=principal.actor)

    @strawberry.field(description="Entities whose names or aliases (any script) or identifiers match the text.", permission_classes=[IsViewer])
    async def search(self, info: Info, query: str, types: list[str] | None = None, first: int = 20, after: str | None = None) -> Connection[SearchHit]:
        check_first(first, _ctx(info)["config"])
        skip = decode_cursor(after)
        hits = await search_q.search(_ctx(info)["db"], query, labels=types, limit=first + 1, skip=skip)
        items = []
        for h in hits:
            if h.label == "Person":
                _ctx(info)["audit"].saw(h.id)
            items.append(SearchHit(id=h.id, label=h.label, name=h.name, names=names_of({"name": h.name, "names": h.names}, "name", "names"), kind=h.kind, score=h.score))
        return make_connection(items, skip, first, None, has_next=len(items) > first)

    @strawberry.field(description="One entity by id, with names, identifiers, evidence, sources and relations.", permission_classes=[IsViewer])
    async def entity(self, info: Info, id: strawberry.ID) -> EntityResult:
        row = await _node(info, id)
        if row is None:
            return NotFound(message=f"no entity with id {id!r}", requested_id=id)
        return node_from_row(row, info)

    @strawberry.field(description="One person by id, identifier (ORCID, KAKEN, e-Rad, ...) or exact name. Audited.", permission_classes=[IsViewer])
    async def person(self, info: Info, id: strawberry.ID | None = None, identifier: str | None = None, name: str | None = None) -> PersonResult:
        return await _lookup(info, "Person", id, identifier, name)

    @strawberry.field(description="One organization by id, identifier (ROR, Wikidata, FundRef, ...) or exact name.", permission_classes=[IsViewer])
    async def organization(self, info: Info, id: strawberry.ID | None = None, identifier: str | None = None, name: str | None = None) -> OrganizationResult:
        return await _lookup(info, "Organization", id, identifier, name)

    @strawberry.field(description="Screen a name (and identifiers) against the chosen lists.", permission_classes=[IsViewer])
    async def screen(self, info: Info, name: str, identifiers: list[str] | None = None, lists: list[str] | None = None, threshold: float = 0.85, first: int = 20) -> ScreenResult:
        check_first(first, _ctx(info)["config"])
        if not name.strip():
            raise InvalidInput("the name to screen is empty")
        data = as_dict(await backends.screen(_ctx(info)["db"], name=name, identifiers=identifiers or [], lists=lists, threshold=threshold, limit=first))
        return ScreenMatches(query=name, matches=[
            ScreenMatch(entity=ref_from(m["entity"], info), score=float(m["score"]), explanation=m.get("explanation"), listings=[listing_from(x) for x in m.get("listings") or []])
            for m in data.get("matches") or []
        ])

    @strawberry.field(description="Paths from a subject to listed entities within maxHops, one best path per entity, evidence on every hop. Cost maxHops x first is limited.", permission_classes=[IsViewer])
    async def concern_paths(
        self, info: Info, subject_id: strawberry.ID, max_hops: int = 4, lists: list[str] | None = None, relation_types: list[str] | None = None,
        min_confidence: float = 0.0, as_of: str | None = None, first: int = 20, after: str | None = None,
    ) -> ConcernPathsResult:
        check_path_cost(max_hops, first, _ctx(info)["config"])
        skip = decode_cursor(after)
        subject = await _subject_ref(info, subject_id)
        if subject is None:
            return NotFound(message=f"no person, organization or project with id {subject_id!r}", requested_id=subject_id)
        try:
            data = as_dict(await backends.concern_paths(_ctx(info)["db"], subject_id, max_hops=max_hops, lists=lists, relation_types=relation_types,
                                                        min_confidence=min_confidence, as_of=as_of, limit=skip + first + 1,
                                                        time_budget_ms=_ctx(info)["config"].path_time_budget_ms))
        except backends.NotAvailable as exc:
            return _not_available(exc)
        paths = [
            ConcernPath(target=ref_from(p["target"], info), listings=[listing_from(x) for x in p.get("listings") or []], score=float(p.get("score", 0.0)),
                        hops=[hop_from(h, info) for h in p.get("hops") or []])
            for p in (data.get("paths") or [])[skip:]
        ]
        return ConcernPaths(subject=subject, max_hops=max_hops, as_of=as_of, partial=bool(data.get("partial")), omitted=list(data.get("omitted") or []),
                            paths=make_connection(paths, skip, first, data.get("total"), has_next=len(paths) > first))

    @strawberry.field(description="Links found in open sources that the person's latest disclosure does not match (investigator and up).", permission_classes=[IsInvestigator])
    async def undisclosed_links(self, info: Info, person_id: strawberry.ID) -> UndisclosedLinksResult:
        person = await _subject_ref(info, person_id, ("Person",))
        if person is None:
            return NotFound(message=f"no person with id {person_id!r}", requested_id=person_id)
        try:
            data = as_dict(await backends.undisclosed_links(_ctx(info)["db"], person_id))
        except backends.NotAvailable as exc:
            return _not_available(exc)
        return UndisclosedLinks(person=person, disclosure_id=data.get("disclosure_id"), links=[
            UndisclosedLink(hop=hop_from(x["hop"], info), counterpart=ref_from(x["counterpart"], info), explanation=x.get("explanation", ""),
                            evidence=Evidence.many(x.get("evidence")), disclosure_evidence=Evidence.many(x.get("disclosure_evidence")))
            for x in data.get("links") or []
        ])

    @strawberry.field(description="Tier and recommendation for a person, organization or project under rule packs at a date.", permission_classes=[IsViewer])
    async def risk_assessment(self, info: Info, subject_id: strawberry.ID, packs: list[str] | None = None, as_of: str | None = None) -> RiskAssessmentResult:
        subject = await _subject_ref(info, subject_id)
        if subject is None:
            return NotFound(message=f"no person, organization or project with id {subject_id!r}", requested_id=subject_id)
        try:
            data = as_dict(await backends.assess(_ctx(info)["db"], subject_id, packs=packs, as_of=as_of))
        except backends.NotAvailable as exc:
            return _not_available(exc)
        if data.get("recommendation") == "INSUFFICIENT_INFORMATION":
            return InsufficientInformation(message=data.get("explanation", "too little is known to judge"), subject_id=subject_id, missing=list(data.get("missing") or []))
        return RiskAssessment(
            subject=subject, as_of=data.get("as_of", as_of), packs=list(data.get("packs") or packs or []), tier=Tier(data["tier"]),
            recommendation=Outcome(data["recommendation"]), explanation=data.get("explanation", ""), measures=list(data.get("measures") or []),
            rules_fired=[RuleFired(pack=r["pack"], rule_id=r["rule_id"], title=r.get("title"), outcome=r["outcome"], measures=list(r.get("measures") or []),
                                   citations=[Citation(document=c["document"], section=c.get("section"), url=c.get("url")) for c in r.get("citations") or []],
                                   finding_ids=list(r.get("finding_ids") or [])) for r in data.get("rules_fired") or []],
            findings=[AssessedFinding(id=f["id"], kind=f["kind"], title=f.get("title", ""), severity=f.get("severity"), hops=[hop_from(h, info) for h in f.get("hops") or []],
                                      evidence=Evidence.many(f.get("evidence"))) for f in data.get("findings") or []],
        )

    @strawberry.field(description="Stored findings, of one subject or all, with evidence (decisions and responses for investigators).", permission_classes=[IsViewer])
    async def findings(self, info: Info, subject_id: strawberry.ID | None = None, first: int = 20, after: str | None = None) -> Connection[Finding]:
        check_first(first, _ctx(info)["config"])
        skip = decode_cursor(after)
        if subject_id:
            await _subject_ref(info, subject_id, ("Person",))  # reading a person's findings is reading about the person
        total, items = await decisions_q.findings_page(_ctx(info)["db"], subject_id=subject_id, skip=skip, limit=first)
        return make_connection([finding_from(p) for p in items], skip, first, total)

    @strawberry.field(description="A disclosure (by id, or a person's latest) with the statements extracted from it (investigator and up).", permission_classes=[IsInvestigator])
    async def disclosure(self, info: Info, id: strawberry.ID | None = None, person_id: strawberry.ID | None = None) -> DisclosureResult:
        if bool(id) == bool(person_id):
            raise InvalidInput("give exactly one of id or personId")
        if person_id and await _subject_ref(info, person_id, ("Person",)) is None:
            return NotFound(message=f"no person with id {person_id!r}", requested_id=person_id)
        found = await backends.disclosure(_ctx(info)["db"], disclosure_id=id, person_id=person_id)
        if not found:
            return NotFound(message="no such disclosure", requested_id=id or person_id)
        d = as_dict(found)
        return Disclosure(id=d["id"], person=ref_from(d.get("person"), info), version=d.get("version"), submitted_at=d.get("submitted_at"), document=d.get("document"),
                          languages=list(d.get("languages") or []), evidence=Evidence.many(d.get("evidence")), statements=[
                              DisclosureStatement(kind=s["kind"], text=s["text"], start=s.get("start"), end=s.get("end"), relation=s.get("relation"),
                                                  organization=ref_from(s.get("organization"), info), confidence=s.get("confidence"))
                              for s in d.get("statements") or []])

    @strawberry.field(description="Watchlists in the graph (official and users' own), each with its entries.", permission_classes=[IsViewer])
    async def watchlists(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Watchlist]:
        check_first(first, _ctx(info)["config"])
        skip = decode_cursor(after)
        total, rows = await people_q.watchlists_page(_ctx(info)["db"], skip=skip, limit=first)
        return make_connection([node_from_row(r, info) for r in rows], skip, first, total)

    @strawberry.field(description="One sweep run and its changes.", permission_classes=[IsViewer])
    async def sweep(self, info: Info, id: strawberry.ID) -> SweepResult:
        try:
            found = await backends.sweep(_ctx(info)["db"], id)
        except backends.NotAvailable as exc:
            return _not_available(exc)
        return sweep_from(as_dict(found)) if found else NotFound(message=f"no sweep with id {id!r}", requested_id=id)

    @strawberry.field(description="Sweep runs, newest first, optionally of one definition.", permission_classes=[IsViewer])
    async def sweeps(self, info: Info, definition: str | None = None, first: int = 20, after: str | None = None) -> SweepsResult:
        check_first(first, _ctx(info)["config"])
        skip = decode_cursor(after)
        try:
            total, items = await backends.sweeps(_ctx(info)["db"], definition=definition, skip=skip, limit=first)
        except backends.NotAvailable as exc:
            return _not_available(exc)
        return make_connection([sweep_from(as_dict(s)) for s in items], skip, first, total, cls=SweepConnection)

    @strawberry.field(description="The audit trail of person look-ups, newest first (auditor only), with a chain check.", permission_classes=[IsAuditor])
    async def audit_log(self, info: Info, person_id: str | None = None, actor: str | None = None, first: int = 50, after: str | None = None) -> AuditLog:
        check_first(first, _ctx(info)["config"])
        skip = decode_cursor(after)
        total, items = await audit_q.read_page(_ctx(info)["db"], person_id=person_id, actor=actor, skip=skip, limit=first)
        entries = [AuditEntry(**{k: e.get(k) for k in ("seq", "at", "actor", "actor_role", "operation", "person_id", "prev_hash", "hash")}) for e in items]
        return AuditLog(entries=make_connection(entries, skip, first, total))


@strawberry.input
class DecisionInput:
    subject_id: strawberry.ID | None = None
    finding_id: strawberry.ID | None = None
    outcome: Outcome
    measures: list[str] = strawberry.field(default_factory=list)
    rationale: str


@strawberry.input
class ResponseInput:
    subject_id: strawberry.ID | None = None
    finding_id: strawberry.ID | None = None
    text: str
    received_at: str | None = None


@strawberry.input
class WatchlistEntryInput:
    watchlist: str = strawberry.field(description="A watchlist id, or the name of a user list (created when new).")
    entity_id: strawberry.ID | None = None
    name: str | None = None
    type: str = "organization"
    kind: str | None = None
    aliases: list[str] = strawberry.field(default_factory=list)
    country: str | None = None
    ror: str | None = None
    start: str | None = None
    end: str | None = None
    reason: str | None = None


async def _check_target(info: Info, subject_id: str | None, finding_id: str | None) -> NotFound | tuple[str | None, str | None]:
    if finding_id:
        subject = await decisions_q.finding_subject(_ctx(info)["db"], finding_id)
        if subject is None:
            return NotFound(message=f"no finding with id {finding_id!r}", requested_id=finding_id)
        if subject_id and subject_id != subject:
            raise InvalidInput(f"finding {finding_id!r} is about {subject!r}, not {subject_id!r}")
        subject_id = subject
    elif not subject_id:
        raise InvalidInput("give a subjectId or a findingId")
    row = await _node(info, subject_id)
    if row is None:
        return NotFound(message=f"no entity with id {subject_id!r}", requested_id=subject_id)
    return subject_id, finding_id


async def _read_upload(info: Info, file: Upload) -> tuple[str, bytes] | Rejected:
    """The upload's name and bytes, or why it is refused (size, extension, content type)."""
    config = _ctx(info)["config"]
    filename = (getattr(file, "filename", None) or "").strip()
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in config.upload_extensions:
        return Rejected(message=f"files of type {ext or '(none)'!r} are not accepted; accepted: {', '.join(config.upload_extensions)}", code="UNSUPPORTED_TYPE")
    content = await file.read(config.max_upload_bytes + 1)
    if len(content) > config.max_upload_bytes:
        return Rejected(message=f"the file is larger than {config.max_upload_bytes} bytes", code="TOO_LARGE")
    if not content:
        return Rejected(message="the file is empty", code="EMPTY")
    signatures = {"pdf": (b"%PDF",), "docx": (b"PK\x03\x04",)}
    if ext in signatures and not content.startswith(signatures[ext]):
        return Rejected(message=f"the file's content is not {ext.upper()} (its extension says it is)", code="TYPE_MISMATCH")
    if ext not in signatures and b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Rejected(message="the file looks binary but its extension says text", code="TYPE_MISMATCH")
    return filename, content


def _ingest_report(d: dict) -> IngestReport:
    return IngestReport(source_id=d.get("source_id"), nodes=int(d.get("nodes", 0)), relationships=int(d.get("relationships", 0)), skipped=bool(d.get("skipped", False)),
                        errors=[RecordError(locator=e["locator"], message=e["message"]) for e in d.get("errors") or []])


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Upload a disclosure (PDF, DOCX, text) for a person; it is parsed and its statements stored (admin).", permission_classes=[IsAdmin])
    async def ingest_disclosure(self, info: Info, file: Upload, person_id: strawberry.ID | None = None) -> IngestResult:
        read = await _read_upload(info, file)
        if isinstance(read, Rejected):
            return read
        person = await _subject_ref(info, person_id, ("Person",)) if person_id else None
        if person_id and person is None:
            return NotFound(message=f"no person with id {person_id!r}", requested_id=person_id)
        try:
            data = await backends.ingest_disclosure(_ctx(info)["db"], person_id=person_id, filename=read[0], content=read[1], actor=_principal(info).actor)
        except (InvalidInput, SourceUnreadable) as exc:
            return Rejected(message=exc.message, code=exc.code)
        return _ingest_report(as_dict(data))

    @strawberry.mutation(description="Ingest (or refresh) a source by kind and location: a file or folder on the server inside the configured ingest folders (admin).", permission_classes=[IsAdmin])
    async def ingest_source(self, info: Info, kind: str, location: str) -> IngestResult:
        try:
            data = await backends.ingest_source(_ctx(info)["db"], kind=kind, location=location, actor=_principal(info).actor,
                                                allowed_dirs=_ctx(info)["config"].ingest_dirs)
        except (InvalidInput, SourceUnreadable, PermissionDeniedError) as exc:
            return Rejected(message=exc.message, code=exc.code)
        return _ingest_report(as_dict(data))

    @strawberry.mutation(description="Record a decision (ACCEPT / MITIGATE with measures / AVOID, with a rationale) on a subject or finding (reviewer and up).", permission_classes=[IsReviewer])
    async def record_decision(self, info: Info, input: DecisionInput) -> DecisionResult:
        target = await _check_target(info, input.subject_id, input.finding_id)
        if isinstance(target, NotFound):
            return target
        d = await decisions_q.record_decision(_ctx(info)["db"], subject_id=target[0], finding_id=target[1], outcome=input.outcome.value, measures=input.measures,
                                              rationale=input.rationale, decided_by=_principal(info).actor, decided_at=utc_now_iso())
        return Decision.of(d)

    @strawberry.mutation(description="Record a researcher's response to a finding or assessment (investigator and up).", permission_classes=[IsInvestigator])
    async def record_response(self, info: Info, input: ResponseInput) -> ResponseResult:
        target = await _check_target(info, input.subject_id, input.finding_id)
        if isinstance(target, NotFound):
            return target
        r = await decisions_q.record_response(_ctx(info)["db"], subject_id=target[0], finding_id=target[1], text=input.text, received_at=input.received_at,
                                              recorded_by=_principal(info).actor, recorded_at=utc_now_iso())
        return Response.of(r)

    @strawberry.mutation(description="Decide whether two persons or two organizations are the same (a SAME_AS decision that later runs respect; investigator and up).", permission_classes=[IsInvestigator])
    async def resolve_match(self, info: Info, a: strawberry.ID, b: strawberry.ID, same: bool, rationale: str) -> MatchResult:
        if a == b:
            raise InvalidInput("a and b are the same id")
        if not rationale.strip():
            raise InvalidInput("a match decision needs a rationale")
        rows = await _ctx(info)["loaders"].nodes.load_many([a, b])
        for eid, row in zip((a, b), rows):
            if row is None or row.label not in ("Person", "Organization"):
                return NotFound(message=f"no person or organization with id {eid!r}", requested_id=eid)
        if rows[0].label != rows[1].label:
            raise InvalidInput(f"{a!r} is a {rows[0].label} and {b!r} a {rows[1].label}: only like can be the same")
        start, end = sorted((a, b))
        now, actor = utc_now_iso(), _principal(info).actor
        ev = EvidenceRecord(source_id=f"src:api:{actor}", locator=f"resolveMatch {_precise_now()}", observed_at=now, method="human-decision", confidence=1.0, text=rationale.strip()[:500])
        props = {"candidate": False, "score": 1.0 if same else 0.0, "decision": "same" if same else "not_same", "decided_by": actor, "decided_at": now, "rationale": rationale.strip()}
        await GraphWriter(_ctx(info)["db"]).write_relationships([RelRecord("SAME_AS", start, end, props, ev)])
        refs = [ref_from({"id": r.id, "label": r.label, "name": r.props.get("name"), "names": r.props.get("names")}, info) for r in rows]
        return MatchDecision(a=refs[0], b=refs[1], same=same, decided_by=actor, decided_at=now, rationale=rationale.strip())

    @strawberry.mutation(description="List an entity (existing by id, or new by name) on a watchlist; user lists are created by name (reviewer and up).", permission_classes=[IsReviewer])
    async def add_watchlist_entry(self, info: Info, input: WatchlistEntryInput) -> WatchlistEntryResult:
        entry = watchlists_api.EntryInput(name=input.name, entity_id=input.entity_id, type=input.type, kind=input.kind, aliases=input.aliases,
                                          country=input.country, ror=input.ror, start=input.start, end=input.end, reason=input.reason)
        try:
            done = await watchlists_api.add_entry(_ctx(info)["db"], watchlist=input.watchlist, entry=entry, actor=_principal(info).actor)
        except NotFoundError as exc:
            return NotFound(message=exc.message, requested_id=input.entity_id)
        return WatchlistEntryAdded(watchlist_id=done["watchlist_id"], entity_id=done["entity_id"], relation_id=done["relation_id"])

    @strawberry.mutation(description="Import a watchlist file (CSV or YAML; see docs/api.md) under a name (admin).", permission_classes=[IsAdmin])
    async def import_watchlist(self, info: Info, name: str, file: Upload) -> ImportResult:
        if not name.strip():
            raise InvalidInput("the watchlist needs a name")
        read = await _read_upload(info, file)
        if isinstance(read, Rejected):
            return read
        try:
            d = as_dict(await backends.import_watchlist(_ctx(info)["db"], name=name, filename=read[0], content=read[1], actor=_principal(info).actor))
        except InvalidInput as exc:
            return Rejected(message=exc.message, code=exc.code)
        return WatchlistImport(watchlist_id=d["watchlist_id"], source_id=d["source_id"], entries=int(d["entries"]),
                               errors=[RecordError(locator=e["locator"], message=e["message"]) for e in d.get("errors") or []])


class RoundTrips(strawberry.extensions.SchemaExtension):
    """Reports the request's database round trips in the response's extensions."""

    def get_results(self) -> dict:
        context = self.execution_context.context
        db = context.get("db") if isinstance(context, dict) else None
        return {"dbRoundTrips": db.round_trips} if db is not None and hasattr(db, "round_trips") else {}


class _Schema(strawberry.Schema):
    """strawberry logs every GraphQL error with a full traceback, so each refused request (a wrong
    role, a query over a limit) wrote some 40 lines: an abuser could flood the log and disk. A refusal
    is logged as one line; unexpected errors keep their traceback (api.limits.format_error)."""

    def process_errors(self, errors, execution_context=None) -> None:
        for error in errors:
            log.info("request refused: %s", error.message)


def build_schema(config: ApiConfig | None = None, *, introspection: bool = True) -> strawberry.Schema:
    """The schema with its validation limits; introspection can be turned off.

    The depth and alias rules are built once and shared by every request (each request gets a
    fresh, cheap extension holding the same rule classes), so that the parse and validation
    caches recognise a repeated query and skip both steps."""
    config = config or ApiConfig()
    rules = [
        *QueryDepthLimiter(max_depth=config.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=config.max_aliases).validation_rules,
        *([] if introspection else DisableIntrospection().validation_rules),
    ]
    extensions: list = [
        lambda: QueryShapeGuard(max_nesting=2 * config.max_depth, max_spreads=config.max_fragment_spreads,
                                max_selections=config.max_selections, max_tokens=config.max_tokens),
        lambda: MaxTokensLimiter(max_token_count=config.max_tokens),
        lambda: ParserCache(maxsize=1024),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=1024),
        AuditExtension,
        ErrorMapper,
        RoundTrips,
    ]
    return _Schema(query=Query, mutation=Mutation, extensions=extensions, types=[Person, Organization, Watchlist])


def schema_sdl() -> str:
    """The schema in SDL, as exported to api/schema.graphql."""
    return strawberry.Schema(query=Query, mutation=Mutation, types=[Person, Organization, Watchlist]).as_str() + "\n"


def export_schema(path: Path = SCHEMA_FILE) -> Path:
    path.write_text(schema_sdl(), encoding="utf-8")
    return path
