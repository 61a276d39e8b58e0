"""The sweep's steps: ingest a source, resolve what it touched, assess a batch of subjects.

Why a module of its own: the runner deals with locks, checkpoints, workers and diffs; here is the
one place that calls the ingest registry (ingest.runner), entity resolution
(resolve.pipeline) and the assessment (queries.assess with the rule packs in queries/rules/),
and that maps an Assessment's findings into the flat, JSON-storable shape the diff and the
outputs read. A finding's key is its Finding id — deterministic from its kind, subject and
target (and, for facts, the relation's dates) — so the same finding in two sweeps has the same
key and the diff between them is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.db import Database
from ingest.runner import ingest
from kizuna.errors import KizunaError, SourceUnreadable
from kizuna.heap import collector_paused
from queries.assess import Assessment, assess_many, path_filters
from queries.exposure import ListedOrganizations
from queries.findings import Finding
from queries.paths import SEARCH_CACHE_WEIGHT, ConcernPath, SearchCache
from queries.rules import resolve_packs
from resolve.pipeline import resolve_incremental as resolve_pipeline


# --------------------------------------------------------------------------------------------
# ingest


@dataclass
class IngestReport:
    source: str
    files: list[str]
    records: int = 0
    facts: int = 0
    skipped: int = 0
    touched_ids: list[str] = field(default_factory=list)
    delisted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "files": self.files,
            "records": self.records,
            "facts": self.facts,
            "skipped": self.skipped,
            "delisted": self.delisted,
        }


async def ingest_source(db: Database, name: str, fmt: str, paths: list[Path], options: dict[str, str], observed_at: str) -> IngestReport:
    """Ingest one sweep source (already fetched to local files) through the ingest registry.

    A list version needs a date for the start and end dates of its listings: the source's own
    ``published`` option, else the day this sweep saw the version."""
    report = await ingest(db, fmt, paths, **({"published": observed_at[:10]} | options))
    if not report.ok:
        failed = "; ".join(f"{f.path}: {f.reason}" for f in report.files if f.status != "ok")
        raise SourceUnreadable(f"source {name!r} could not be ingested: {failed}")
    return IngestReport(source=name, files=[str(p) for p in paths], records=report.total("records_read"),
                        facts=report.total("facts_written"), skipped=report.total("records_skipped"),
                        touched_ids=list(report.resolvable_ids), delisted=report.total("listings_ended"))


# --------------------------------------------------------------------------------------------
# resolve


async def resolve_incremental(db: Database, touched_ids: list[str]) -> dict[str, Any]:
    """Resolve what the refreshed sources wrote (without ids: whatever is new or changed)."""
    return (await resolve_pipeline(db, ids=touched_ids or None)).as_dict()


# --------------------------------------------------------------------------------------------
# assess


#: Concern-path time budget per subject (shared by a batch). Generous on purpose: an interactive
#: question answers partially when the budget runs out, but a sweep runs unattended and its
#: results are diffed — a search cut short by a busy machine would show up as a removed finding.
SWEEP_TIME_BUDGET_MS = 30_000


@dataclass(frozen=True)
class SweepReads:
    """What the batches of one sweep in one process read once and share: the concern-path search
    cache (queries.paths.SearchCache), the organizations under a listing with their listings
    (queries.exposure.ListedOrganizations), and the stored forms ``sweep_finding`` made of the
    objects those two share across batches (``stored``, see ``sweep_finding``)."""

    paths: SearchCache
    listed_orgs: ListedOrganizations
    stored: dict[Any, Any] = field(default_factory=dict)


#: Entries of SweepReads.stored before it is emptied (checked between batches). On the bench graph
#: a batch of 250 adds 45k–87k new entries, so it is emptied about every seven batches.
STORED_FORMS_LIMIT = 400_000


def sweep_reads(*, packs: list[str], lists: list[str], as_of: str, max_hops: int, cache_weight: int = SEARCH_CACHE_WEIGHT) -> SweepReads:
    """The shared reads for the batches of one sweep in one process, made for exactly the
    filters ``assess_subjects`` assesses with; ``cache_weight`` bounds the search cache (the
    definition's ``cache_weight``: memory against re-reading)."""
    filters = path_filters(resolve_packs(packs), as_of=as_of, lists=lists or None, max_hops=max_hops, time_budget_ms=SWEEP_TIME_BUDGET_MS)
    return SweepReads(SearchCache(filters, max_weight=cache_weight), ListedOrganizations(as_of=filters.as_of, lists=lists or None))


def check_packs(packs: list[str]) -> None:
    """Fail the sweep before assessing anyone when a rule pack is unknown (not once per subject)."""
    resolve_packs(packs)


@dataclass
class SubjectOutcome:
    subject_id: str
    subject_name: str = ""
    status: str = "ok"  # ok | error
    error: str = ""
    tier: str = ""
    recommendation: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)


def _step(relation: str, start_id: str | None, end_id: str | None, start: str | None, end: str | None,
          sources: tuple[list[str], list[str]], **extra: Any) -> dict[str, Any]:
    return {"relation": relation, "from": start_id, "to": end_id, "start": start, "end": end, "sources": sources[0],
            "locators": sources[1], **extra}


def _sources(evidence: list[dict], shared: dict[Any, Any]) -> tuple[list[str], list[str]]:
    """The source ids and locators of an evidence list (once per list object: co-authorship
    facts through one affiliation share its evidence list)."""
    return _once(shared, "sources", evidence,
                 lambda: ([e.get("source_id") or "" for e in evidence], [e.get("locator") or "" for e in evidence]))


def _once(shared: dict[Any, Any], kind: str, obj: Any, make: Callable[[], Any]) -> Any:
    """``make()`` worked out once per ``obj`` (by identity) and ``kind``. The entry holds ``obj``:
    ``shared`` may outlive a batch (SweepReads.stored), and an id is unique only while its object
    lives."""
    found = shared.get((kind, id(obj)))
    if found is None:
        found = shared[(kind, id(obj))] = (obj, make())
    return found[1]


_NONE_LISTED: list[dict[str, Any]] = []  # one object, so that findings without listings share one memo entry


def _listing_steps(path: ConcernPath, shared: dict[Any, Any]) -> tuple[str, list[dict[str, Any]]]:
    """(list names, LISTED_ON steps) of a concern path's listings."""
    ordered = sorted(path.listings, key=lambda x: x.watchlist_id)
    return (", ".join(dict.fromkeys(ls.watchlist_name for ls in ordered)),
            [_step("LISTED_ON", path.target_id, ls.watchlist_id, ls.start, ls.end, _sources(ls.evidence, shared), reason=ls.reason)
             for ls in ordered])


def _listed_via_steps(listed_via: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """(list names, LISTED_ON steps) of the listings an exposure's counterparty is under."""
    ordered = sorted(listed_via, key=lambda x: (x["watchlist_id"], x["entity_id"]))
    return (", ".join(dict.fromkeys(via["watchlist_name"] for via in ordered)),
            [_step("LISTED_ON", via["entity_id"], via["watchlist_id"], via["start"], via["end"], ([], []), via=via["via"])
             for via in ordered])


def sweep_finding(f: Finding, rules: list[str], shared: dict[Any, Any] | None = None) -> dict[str, Any]:
    """A Finding in the sweep's stored shape: what it reached, on which lists, and its evidence
    hop by hop — each relation of a concern path, then the listing(s) that make it a concern.

    ``shared`` holds what is worked out once per object, with the object (so that its id is not
    reused while the entry lives): the evidence entry of each Hop, and the listing entries of each
    list of listings. The concern-path search shares one Hop per hop among every path and subject
    that crosses it and one list of listings per listed entity, across the batches of a sweep
    (queries.paths.SearchCache); the co-authorship facts share one list per organization
    (queries.exposure.ListedOrganizations). A sweep keeps it across batches (SweepReads.stored):
    made again per batch, these entries were over a quarter of building a subject's stored
    findings. The stored JSON is the same either way; the entries are never changed once made."""
    shared = {} if shared is None else shared
    evidence: list[dict[str, Any]] = []
    if f.path is not None:
        stops = f.path.stops(f.person_id or "")
        path_ids = [entity_id for entity_id, _ in stops]
        names = [name or entity_id for entity_id, name in stops]
        for h in f.path.hops:
            evidence.append(_once(shared, "hop", h, lambda: _step(h.relation, h.from_id, h.to_id, h.start, h.end,
                                                                   _sources(h.evidence, shared), confidence=h.confidence)))
        watchlist_names, listing_steps = _once(shared, "listings", f.path.listings, lambda: _listing_steps(f.path, shared))
    else:
        evidence.append(_step(f.relation or f.kind, f.person_id, f.entity_id, f.start, f.end, _sources(f.evidence, shared)))
        path_ids = [x for x in (f.person_id, f.entity_id) if x]
        names = [x for x in (f.person_name, f.entity_name) if x]
        listed_via = f.details.get("listed_via") or _NONE_LISTED
        watchlist_names, listing_steps = _once(shared, "listed_via", listed_via, lambda: _listed_via_steps(listed_via))
    evidence.extend(listing_steps)
    return {
        "key": f.id, "kind": f.kind, "summary": f.summary,
        "target_id": f.entity_id, "target_name": f.entity_name,
        "watchlist_id": ",".join(f.list_ids), "watchlist_name": watchlist_names,
        "hops": f.hops, "path": path_ids, "path_names": names, "active": f.active, "undisclosed": f.undisclosed,
        "rules": rules, "evidence": evidence,
    }


def outcome_of(a: Assessment, shared: dict[Any, Any] | None = None) -> SubjectOutcome:
    """What a sweep stores of an Assessment (``shared``: see ``sweep_finding``)."""
    fired: dict[str, list[str]] = {}
    for r in a.rules_fired:
        for fid in r.finding_ids:
            fired.setdefault(fid, []).append(f"{r.pack_id}/{r.rule_id}")
    findings = sorted((sweep_finding(f, sorted(fired.get(f.id, [])), shared) for f in a.findings), key=lambda x: x["key"])
    return SubjectOutcome(subject_id=a.subject_id, subject_name=a.subject_name or "", tier=a.tier, recommendation=a.recommendation,
                          findings=findings)


async def assess_subjects(
    db: Database, ids: list[str], *, packs: list[str], lists: list[str], as_of: str, max_hops: int,
    timings: dict[str, float] | None = None, reads: SweepReads | None = None,
) -> list[SubjectOutcome]:
    """Findings, tier and recommendation for each subject of a batch (queries.assess.assess_many);
    a subject that cannot be assessed comes back with status 'error' and the reason, and a batch
    that fails as a whole is split until the failing subject is isolated (the sweep carries on).
    The garbage collector is paused for the batch (kizuna.heap.collector_paused). ``reads``
    (``sweep_reads``, same arguments) is shared by the batches of a sweep."""
    with collector_paused():
        return await _assess_batch(db, ids, packs=packs, lists=lists, as_of=as_of, max_hops=max_hops, timings=timings, reads=reads)


async def _assess_batch(db: Database, ids: list[str], *, packs: list[str], lists: list[str], as_of: str, max_hops: int,
                        timings: dict[str, float] | None, reads: SweepReads | None) -> list[SubjectOutcome]:
    try:
        answers = await assess_many(db, ids, packs=packs, as_of=as_of, lists=lists or None, max_hops=max_hops,
                                    time_budget_ms=SWEEP_TIME_BUDGET_MS, timings=timings,
                                    search_cache=reads.paths if reads else None,
                                    listed_orgs=reads.listed_orgs if reads else None)
    except Exception as exc:  # noqa: BLE001 — isolate the failing subject(s), keep the rest of the batch
        if len(ids) <= 1:
            message = exc.message if isinstance(exc, KizunaError) else f"{type(exc).__name__}: {exc}"
            return [SubjectOutcome(subject_id=sid, status="error", error=message) for sid in ids]
        half = len(ids) // 2
        return [o for part in (ids[:half], ids[half:])
                for o in await _assess_batch(db, part, packs=packs, lists=lists, as_of=as_of, max_hops=max_hops, timings=timings,
                                             reads=reads)]
    outcomes = []
    shared: dict[Any, Any] = reads.stored if reads else {}
    if len(shared) > STORED_FORMS_LIMIT:
        shared.clear()
    for sid, a in zip(ids, answers):
        if isinstance(a, KizunaError):
            outcomes.append(SubjectOutcome(subject_id=sid, status="error", error=a.message))
        else:
            outcomes.append(outcome_of(a, shared))
    return outcomes


def chunked(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
