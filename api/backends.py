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


class NotAvailable(Exception):
    """The capability behind an operation is not installed in this build."""

    def __init__(self, feature: str, module: str):
        super().__init__(f"{feature} is not available in this build ({module} is not installed)")
        self.feature = feature
        self.module = module


def _function(feature: str, module: str, name: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise NotAvailable(feature, module) from None
        raise
    fn = getattr(mod, name, None)
    if fn is None:
        raise NotAvailable(feature, f"{module}.{name}")
    return fn


async def concern_paths(db: Database, subject_id: str, *, max_hops: int, lists: list[str] | None, relation_types: list[str] | None,
                        min_confidence: float, as_of: str | None, limit: int) -> dict:
    fn = _function("concern paths", "queries.paths", "concern_paths")
    from queries.paths import PathFilters

    result = await fn(db, subject_id, PathFilters(max_hops=max_hops, lists=lists, relation_types=relation_types, min_confidence=min_confidence, as_of=as_of))
    # queries.paths' result, in the shape api/types.py reads (target/from/to as entity refs)
    paths = [{"target": {"id": p.target_id, "label": p.target_label, "name": p.target_name}, "score": p.score,
              "listings": [vars(x) for x in p.listings],
              "hops": [{"type": h.relation, "from": {"id": h.from_id, "name": h.from_name}, "to": {"id": h.to_id, "name": h.to_name},
                        "start": h.start, "end": h.end, "confidence": h.confidence, "properties": h.properties, "evidence": h.evidence} for h in p.hops]}
             for p in result.paths[:limit]]
    return {"paths": paths, "partial": result.partial, "omitted": [x.entity_id or x.reason for x in result.left_out]}


async def undisclosed_links(db: Database, person_id: str) -> dict:
    fn = _function("undisclosed links", "queries.undisclosed", "undisclosed_links")
    return await fn(db, person_id)


async def assess(db: Database, subject_id: str, *, packs: list[str] | None, as_of: str | None) -> dict:
    fn = _function("risk assessment", "queries.assess", "assess")
    return await fn(db, subject_id, packs=packs, as_of=as_of)


async def screen(db: Database, *, name: str, identifiers: list[str], lists: list[str] | None, threshold: float, limit: int) -> dict:
    fn = _function("screening", "resolve.screen", "screen")
    return await fn(db, name=name, identifiers=identifiers, lists=lists, threshold=threshold, limit=limit)


async def disclosure(db: Database, *, disclosure_id: str | None, person_id: str | None) -> dict | None:
    fn = _function("disclosures", "ingest.disclosure", "get_disclosure")
    return await fn(db, disclosure_id=disclosure_id, person_id=person_id)


async def ingest_disclosure(db: Database, *, person_id: str | None, filename: str, content: bytes, actor: str) -> dict:
    fn = _function("disclosure ingestion", "ingest.disclosure", "ingest_disclosure_bytes")
    return await fn(db, person_id=person_id, filename=filename, content=content, actor=actor)


async def ingest_source(db: Database, *, kind: str, location: str, actor: str) -> dict:
    fn = _function("source ingestion", "ingest.sources", "ingest_source")
    return await fn(db, kind=kind, location=location, actor=actor)


async def sweep(db: Database, sweep_id: str) -> dict | None:
    fn = _function("sweeps", "sweeps.store", "get_sweep")
    return await fn(db, sweep_id)


async def sweeps(db: Database, *, definition: str | None, skip: int, limit: int) -> tuple[int, list[dict]]:
    fn = _function("sweeps", "sweeps.store", "list_sweeps")
    return await fn(db, definition=definition, skip=skip, limit=limit)


async def import_watchlist(db: Database, *, name: str, filename: str, content: bytes, actor: str) -> dict:
    """Prefer the ingestors' watchlist importer; until it exists, the API's simple CSV/YAML one."""
    try:
        fn = _function("watchlist import", "ingest.watchlists", "import_watchlist_bytes")
    except NotAvailable:
        from api import watchlists

        return await watchlists.import_simple_list(db, name=name, filename=filename, content=content, actor=actor)
    return await fn(db, name=name, filename=filename, content=content, actor=actor)
