"""Resolution runs: after each ingest, only what is new or changed is resolved again.

Entry point for ingestors: ``await resolve_incremental(db)`` (optionally ``since=<ISO time>`` or
``ids=[...]``). A node counts as changed when the fingerprint of what resolution reads (names,
identifiers, context) differs from the one stored at its last resolution, so re-ingesting an
unchanged file resolves nothing, and a node that gained an alias is looked at again.

Rules applied, in order: a pair decided by a human is never rewritten (negatives respected);
pairs inside one "same" cluster are already resolved (positives propagated); pairs across two
clusters with a "not same" between them are never proposed; equal identifiers are written as
"same" decided by rule; everything else above the threshold is a SAME_AS *candidate* with its
score and explanation, for a human to decide. Nothing is merged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from graph.db import Database
from resolve.decisions import load_decisions, refresh_propagated
from resolve.graph_io import fingerprint, load_records, write_candidates, write_fingerprints
from resolve.index import ORG_THRESHOLD, PERSON_THRESHOLD, NameIndex, Query

MAX_NAMES_PER_ENTITY = 6


@dataclass
class ResolveReport:
    checked: dict[str, int] = field(default_factory=dict)
    candidates: int = 0
    identifier_links: int = 0
    skipped_decided: int = 0
    propagated: int = 0
    ambiguous: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def resolve_incremental(db: Database, *, since: str | None = None, ids: list[str] | None = None,
                              kinds: tuple[str, ...] = ("org", "person"), threshold: float | None = None) -> ResolveReport:
    """Resolve the Organization/Person nodes that are new or changed (or named in ``ids``, or seen
    since ``since``) against all others; write SAME_AS candidates; return what was done."""
    report = ResolveReport()
    decisions = await load_decisions(db)
    for kind in kinds:
        loaded = await load_records(db, kind)
        index = NameIndex((rec for rec, _ in loaded), kind)
        wanted = set(ids or ())
        changed = [(rec, row) for rec, row in loaded
                   if rec.entity_id in wanted
                   or (since is not None and (row.get("last_seen") or "") >= since)
                   or (not ids and since is None and row.get("fingerprint") != fingerprint(rec))]
        report.checked[kind] = len(changed)
        proposals: dict[tuple[str, str], dict[str, Any]] = {}
        for rec, _ in changed:
            for cand, status in _candidates_for(index, rec, threshold):
                key = tuple(sorted((rec.entity_id, cand.entity_id)))
                decided = decisions.decided(*key)
                if decided is not None:
                    report.skipped_decided += 1
                    continue
                if status == "ambiguous":
                    report.ambiguous.append({"entity": rec.entity_id, "candidate": cand.entity_id, "score": cand.score})
                    continue
                by_identifier = "identifier" in cand.features
                proposal = {"a": key[0], "b": key[1], "score": cand.score, "explanation": cand.features,
                            "decision": "same" if by_identifier else "candidate"}
                if by_identifier:
                    proposal.update(decided_by="rule:identifier",
                                    rationale="equal " + ", ".join(cand.features["identifier"]["schemes"]))
                if key not in proposals or proposals[key]["score"] < cand.score:
                    proposals[key] = proposal
        written = await write_candidates(db, list(proposals.values()))
        report.candidates += written
        report.identifier_links += sum(1 for p in proposals.values() if p["decision"] == "same")
        await write_fingerprints(db, kind, {rec.entity_id: (fingerprint(rec), row.get("last_seen")) for rec, row in changed})
    report.propagated = await refresh_propagated(db, decisions)
    return report


def _candidates_for(index: NameIndex, rec, threshold: float | None):
    """Candidates for one record: each of its names queried with its identifiers and context.
    Organizations: every candidate above the threshold goes to review. Persons: only a single
    corroborated best; several close ones are reported as ambiguous, never written."""
    seen: set[str] = set()
    limit = threshold if threshold is not None else (ORG_THRESHOLD if rec.kind == "org" else PERSON_THRESHOLD)
    for name in rec.names[:MAX_NAMES_PER_ENTITY] or [""]:
        result = index.match(Query(name, rec.kind, rec.identifiers, _query_context(rec)),
                             threshold=threshold, exclude={rec.entity_id})
        if rec.kind == "org":
            chosen = [(c, "match") for c in result.candidates if c.score >= limit]
        elif result.status == "match" and result.best:
            chosen = [(result.best, "match")]
        elif result.status == "ambiguous":
            chosen = [(c, "ambiguous") for c in result.candidates[:2]]
        else:
            chosen = []
        for cand, status in chosen:
            if cand.entity_id not in seen:
                seen.add(cand.entity_id)
                yield cand, status


def _query_context(rec) -> dict[str, Any]:
    ctx = dict(rec.context)
    if rec.kind == "org":
        ctx["parent"] = (rec.context.get("parents") or [None])[0]
        ctx.pop("parents", None)
        ctx["type"] = (rec.context.get("types") or [None])[0]
        ctx.pop("types", None)
    return ctx
