"""The API's adapter to modules built elsewhere (risk queries, screening, disclosures, sweeps).

Each function imports its module lazily and returns plain dicts in the shapes documented in
docs/api.md; when the module (or the function) is not there yet it raises ``NotAvailable``, which
the schema turns into a typed ``NotAvailable`` result. Rewiring a backend means editing one
function here, nowhere else.
"""

from __future__ import annotations

import importlib
from typing import Any

from graph.db import Database
from graph.model import load_model


class NotAvailable(Exception):
    """The capability behind an operation is not installed in this build."""

    def __init__(self, feature: str, module: str):
        super().__init__(f"{feature} is not available in this build ({module} is not installed)")
        self.feature = feature
        self.module = module


def _module(feature: str, module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise NotAvailable(feature, module) from None
        raise


def _function(feature: str, module: str, name: str) -> Any:
    fn = getattr(_module(feature, module), name, None)
    if fn is None:
        raise NotAvailable(feature, f"{module}.{name}")
    return fn


def _ref(entity_id: str | None, name: str | None = None, label: str | None = None) -> dict | None:
    """A reference dict for the schema; the label comes from the id prefix when not given."""
    if not entity_id:
        return None
    if label is None:
        prefixes = {n.id_prefix: n.label for n in load_model().nodes.values()}
        label = prefixes.get(entity_id.split(":", 1)[0])
    return {"id": entity_id, "label": label, "name": name}


def _hop(h: Any) -> dict:
    return {"type": h.relation, "from": _ref(h.from_id, h.from_name), "to": _ref(h.to_id, h.to_name), "start": h.start, "end": h.end,
            "confidence": h.confidence, "properties": h.properties, "evidence": h.evidence}


async def concern_paths(db: Database, subject_id: str, *, max_hops: int, lists: list[str] | None, relation_types: list[str] | None,
                        min_confidence: float, as_of: str | None, limit: int, time_budget_ms: int) -> dict:
    paths_mod = _module("concern paths", "queries.paths")
    filters = paths_mod.PathFilters(max_hops=max_hops, lists=lists, relation_types=relation_types, min_confidence=min_confidence, as_of=as_of,
                                    time_budget_ms=time_budget_ms)
    result = await paths_mod.concern_paths(db, subject_id, filters)
    return {
        "partial": result.partial,
        "omitted": [lo.reason for lo in result.left_out],
        "paths": [
            {"target": _ref(p.target_id, p.target_name, p.target_label), "score": p.score, "hops": [_hop(h) for h in p.hops],
             "listings": [{"watchlist_id": ls.watchlist_id, "watchlist_name": ls.watchlist_name, "start": ls.start, "end": ls.end, "reason": ls.reason,
                           "evidence": ls.evidence} for ls in p.listings]}
            for p in result.paths[:limit]
        ],
    }


async def undisclosed_links(db: Database, person_id: str) -> dict:
    result = await _function("undisclosed links", "queries.undisclosed", "undisclosed_links")(db, person_id)
    links = []
    for u in result.undisclosed:
        link = u.link
        hop = {"type": link.relation, "from": _ref(person_id, result.subject_name, "Person"), "to": _ref(link.target_id, link.target_name, link.target_label),
               "start": link.start, "end": link.end, "confidence": link.confidence, "properties": link.properties, "evidence": link.evidence}
        links.append({"hop": hop, "counterpart": _ref(link.target_id, link.target_name, link.target_label), "explanation": u.reason,
                      "evidence": u.open_evidence, "disclosure_evidence": [ev for near in u.nearest_disclosed for ev in near.evidence]})
    return {"disclosure_id": result.disclosure.id if result.disclosure else None, "links": links}


async def assess(db: Database, subject_id: str, *, packs: list[str] | None, as_of: str | None) -> dict:
    a = await _function("risk assessment", "queries.assess", "assess")(db, subject_id, packs=packs, as_of=as_of)
    return {
        "tier": a.tier, "recommendation": a.recommendation, "explanation": a.explanation, "missing": list(a.coverage.missing),
        "measures": a.measures, "packs": [p.id for p in a.packs], "as_of": a.as_of,
        "rules_fired": [{"pack": r.pack_id, "rule_id": r.rule_id, "title": r.title, "outcome": r.outcome, "measures": r.measures,
                         "citations": [{"document": r.citation.document, "section": r.citation.section, "url": r.citation.url}], "finding_ids": r.finding_ids}
                        for r in a.rules_fired],
        "findings": [{"id": f.id, "kind": f.kind, "title": f.summary, "severity": None, "evidence": f.evidence,
                      "hops": [_hop(h) for h in f.path.hops] if f.path else []} for f in a.findings],
    }


async def screen(db: Database, *, name: str, identifiers: list[str], lists: list[str] | None, threshold: float, limit: int) -> dict:
    screener = await _function("screening", "resolve.screening", "Screener").load(db, lists)
    found = screener.screen(name, threshold=threshold, limit=limit)
    matches = []
    for m in found["matches"]:
        label = "Person" if m["kind"] == "person" else "Organization"
        features = ", ".join(f"{k}: {v.get('value') if isinstance(v, dict) else v}" for k, v in (m.get("features") or {}).items())
        matches.append({"entity": _ref(m["entity_id"], m.get("name"), label), "score": m["score"],
                        "explanation": f"matched name {m.get('matched_name')!r}" + (f" ({features})" if features else ""),
                        "listings": [{"watchlist_id": ls["watchlist_id"], "watchlist_name": ls.get("watchlist"), "start": ls.get("start"),
                                      "end": ls.get("end"), "reason": ls.get("reason"), "evidence": []} for ls in m.get("listings") or []]})
    return {"matches": matches}


async def disclosure(db: Database, *, disclosure_id: str | None, person_id: str | None) -> dict | None:
    fn = _function("disclosures", "ingest.disclosure", "get_disclosure")
    return await fn(db, disclosure_id=disclosure_id, person_id=person_id)


async def ingest_disclosure(db: Database, *, person_id: str | None, person_name: str | None, filename: str, content: bytes, actor: str) -> dict:
    """One uploaded document through the disclosure ingestor (text extraction, NLP, linking).
    The subject is named by the document itself, or by ``person_name`` when it is given."""
    ingestor = _function("disclosure ingestion", "ingest.disclosure", "DisclosureIngestor")(db)
    report = await ingestor.ingest([(filename, content)], subject_name=person_name)
    doc = report["documents"][0]
    return {"source_id": doc.get("disclosure_id"), "nodes": len(report["subjects"]), "relationships": doc.get("facts", 0), "skipped": False,
            "errors": [{"locator": doc["file"], "message": problem} for problem in doc.get("problems") or []]}


async def ingest_source(db: Database, *, kind: str, location: str, actor: str) -> dict:
    fn = _function("source ingestion", "ingest.sources", "ingest_source")
    return await fn(db, kind=kind, location=location, actor=actor)


async def sweep(db: Database, sweep_id: str) -> dict | None:
    fn = _function("sweeps", "ingest.sweep.store", "get_sweep")
    return await fn(db, sweep_id)


async def sweeps(db: Database, *, definition: str | None, skip: int, limit: int) -> tuple[int, list[dict]]:
    fn = _function("sweeps", "ingest.sweep.store", "list_sweeps")
    return await fn(db, definition=definition, skip=skip, limit=limit)


async def import_watchlist(db: Database, *, name: str, filename: str, content: bytes, actor: str) -> dict:
    """Prefer the ingestors' watchlist importer; until it exists, the API's simple CSV/YAML one."""
    try:
        fn = _function("watchlist import", "ingest.watchlists", "import_watchlist_bytes")
    except NotAvailable:
        from api import watchlists

        return await watchlists.import_simple_list(db, name=name, filename=filename, content=content, actor=actor)
    return await fn(db, name=name, filename=filename, content=content, actor=actor)
