"""The API's adapter to modules built elsewhere (risk queries, screening, disclosures, ingest, sweeps).

One function per operation maps the module's return values to the plain dict shapes documented
in docs/api.md. Ingest operations run incremental entity resolution on what they wrote and drop
the cached screening indexes. The risk queries and sweeps are imported lazily and raise
``NotAvailable`` (a typed result) when a build lacks them.
"""

from __future__ import annotations

import asyncio
import importlib
import time
import weakref
from pathlib import Path
from typing import Any

from graph.db import Database
from graph.model import load_model
from kizuna.errors import InvalidInput, PermissionDenied, SourceUnreadable
from kizuna.ids import make_id


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
    # Only the paths of the pages up to this one are assembled (the search still finds them all).
    filters = paths_mod.PathFilters(max_hops=max_hops, lists=lists, relation_types=relation_types, min_confidence=min_confidence, as_of=as_of,
                                    time_budget_ms=time_budget_ms, max_paths=min(max(limit, 1), paths_mod.MAX_PATHS_LIMIT))
    result = await paths_mod.concern_paths(db, subject_id, filters)
    return {
        "total": result.total_paths,
        "partial": result.partial,
        "omitted": [lo.reason for lo in result.left_out],
        "paths": [
            {"target": _ref(p.target_id, p.target_name, p.target_label), "score": p.score, "hops": [_hop(h) for h in p.hops],
             "listings": [{"watchlist_id": ls.watchlist_id, "watchlist_name": ls.watchlist_name, "start": ls.start, "end": ls.end, "reason": ls.reason,
                           "evidence": ls.evidence} for ls in p.listings]}
            for p in result.paths
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
    """Rank listed entities against a name (resolve.screening); ``identifiers`` as ``scheme:value``
    (or ROR/ORCID/Wikidata URLs) add the entities carrying them, whatever their names."""
    from resolve.index import Query
    from resolve.screening import SCREEN_THRESHOLD

    screener = await _screeners.get(db, lists)
    result = screener.screen(name, threshold=threshold if threshold is not None else SCREEN_THRESHOLD, limit=limit)
    hits = {h["entity_id"]: h for h in result["matches"]}
    wanted = _identifier_query(identifiers)
    if wanted:
        for kind, index in screener.indexes.items():
            for cand in index.match(Query("", kind, wanted), threshold=0.0, limit=limit).candidates:
                if cand.features.get("identifier", {}).get("value"):
                    hit = cand.as_dict() | {"kind": kind, "listings": screener.listings.get(cand.entity_id, [])}
                    hits[cand.entity_id] = hit
    ranked = sorted(hits.values(), key=lambda h: (-h["score"], h["entity_id"]))[:limit]
    return {"matches": [{"entity": {"id": h["entity_id"], "label": "Person" if h["kind"] == "person" else "Organization", "name": h["name"]},
                         "score": h["score"], "explanation": _explain(h),
                         "listings": [{"watchlist_id": x["watchlist_id"], "watchlist_name": x.get("watchlist"), "start": x.get("start"), "end": x.get("end"),
                                       "reason": x.get("reason"), "evidence": []} for x in h["listings"]]}
                        for h in ranked]}


_SCHEME_URLS = (("ror.org/", "ror"), ("orcid.org/", "orcid"), ("wikidata.org/", "wikidata"))


def _identifier_query(identifiers: list[str]) -> dict[str, list[str]]:
    from resolve.identifiers import SCHEMES

    out: dict[str, list[str]] = {}
    for raw in identifiers:
        value = raw.strip()
        scheme = next((s for marker, s in _SCHEME_URLS if marker in value.lower()), None)
        if scheme is None:
            scheme, sep, value = value.partition(":")
            scheme = scheme.strip().lower()
            if not sep or scheme not in SCHEMES:
                raise InvalidInput(f"identifier {raw!r} needs a scheme: scheme:value with scheme one of {', '.join(SCHEMES)} (or a ROR/ORCID/Wikidata URL)")
        out.setdefault(scheme, []).append(value.strip())
    return out


def _explain(hit: dict) -> str:
    parts = []
    for feature, detail in hit["features"].items():
        if feature == "name":
            parts.append(f"name similarity {detail['value']} ({detail['how']}) with {detail['matched']!r}")
        elif feature == "identifier":
            parts.append("equal " + ", ".join(detail["schemes"]))
        elif feature == "note":
            parts.append(detail["value"])
    return "; ".join(parts)


class _ScreenerCache:
    """One screening index per list selection per process. Rebuilt when this process ingested
    something (``invalidate``), when the number of listings or SAME_AS decisions changed (a
    constant-time count-store read per request, so other processes' ingests are seen), or after
    ``MAX_AGE`` seconds (aliases added to already-listed entities elsewhere)."""

    MAX_AGE = 300.0

    def __init__(self) -> None:
        self._cached: dict[tuple | None, tuple[Any, Any, float]] = {}
        self._locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one per event loop (servers in threads)

    def invalidate(self) -> None:
        self._cached.clear()

    async def get(self, db: Database, lists: list[str] | None) -> Any:
        from resolve.graph_io import cypher
        from resolve.screening import Screener

        key = tuple(sorted(lists)) if lists else None
        rows = await db.read(cypher("listed_stamp"), {})
        stamp = (rows[0]["listings"], rows[0]["same"])
        cached = self._cached.get(key)
        if cached and cached[1] == stamp and time.monotonic() - cached[2] < self.MAX_AGE:
            return cached[0]
        async with self._locks.setdefault(asyncio.get_running_loop(), asyncio.Lock()):  # concurrent first requests build it once
            cached = self._cached.get(key)
            if cached and cached[1] == stamp and time.monotonic() - cached[2] < self.MAX_AGE:
                return cached[0]
            screener = await Screener.load(db, lists)
            self._cached[key] = (screener, stamp, time.monotonic())
            return screener


_screeners = _ScreenerCache()


async def disclosure(db: Database, *, disclosure_id: str | None, person_id: str | None) -> dict | None:
    from ingest.disclosure import get_disclosure

    return await get_disclosure(db, disclosure_id=disclosure_id, person_id=person_id)


async def ingest_disclosure(db: Database, *, person_id: str | None, filename: str, content: bytes, actor: str) -> dict:
    """One uploaded document through the disclosure ingestor, then incremental resolution of the
    persons and organizations it wrote. The caller's account is the submitter: it keeps two
    namesakes' name-only disclosures apart. A document that cannot be read or has no subject
    raises InvalidInput (nothing written)."""
    from ingest.disclosure import ingest_bytes
    from nlp.pipeline import default_reader

    subject_name = None
    if person_id:  # the caller says whose disclosure this is: the document need not name them
        from queries.people import nodes_by_ids

        found = (await nodes_by_ids(db, [person_id])).get(person_id)
        subject_name = found.props.get("name") if found else None
    await asyncio.to_thread(default_reader)  # the first call loads the language pipelines: not on the event loop
    report = await ingest_bytes(db, filename, content, person_id=person_id, subject_name=subject_name, submitter=actor)
    doc = report["documents"][0]
    if doc["status"] != "ok":
        raise InvalidInput("; ".join(doc["problems"]) or f"{filename} could not be read")
    await _after_ingest(db, report["resolvable_ids"])
    return {"source_id": doc["disclosure_id"], "nodes": doc["nodes_written"], "relationships": doc["relationships_written"],
            "skipped": doc["unchanged"], "errors": [{"locator": filename, "message": p} for p in doc["problems"]]}


def allowed_ingest_path(location: str, allowed_dirs: list[Path]) -> Path:
    """``location`` resolved (symlinks and `..` followed), if it lies inside one of ``allowed_dirs``;
    else PermissionDenied naming the folders that are allowed."""
    path = Path(location).expanduser().resolve()
    if not any(path.is_relative_to(Path(d).expanduser().resolve()) for d in allowed_dirs):
        raise PermissionDenied(f"{location}: ingestSource reads only files inside {', '.join(str(d) for d in allowed_dirs)}",
                               hint="copy the file there, or add its folder to KIZUNA_API_INGEST_DIRS")
    return path


async def ingest_source(db: Database, *, kind: str, location: str, actor: str, allowed_dirs: list[Path]) -> dict:
    """A source file (or folder) on the server, inside ``allowed_dirs``, through the ingest runner,
    then incremental resolution."""
    from ingest.registry import get_source
    from ingest.runner import _expand, file_identity, ingest
    from queries.people import nodes_by_ids

    path = allowed_ingest_path(location, allowed_dirs)
    source = get_source(kind)
    if not path.exists():
        raise SourceUnreadable(f"{location}: no such file or folder on the server")
    files = list(_expand([path]))  # the files the runner will read
    try:  # the runner keys a file's Source node by its checksum: known ids mean already ingested
        source_ids = [make_id("src", source.name, file_identity(f)[0]) for f in files]
    except OSError as exc:
        raise SourceUnreadable(f"{location}: cannot be read ({exc.strerror or exc})") from exc
    seen_before = bool(source_ids) and len(await nodes_by_ids(db, source_ids)) == len(source_ids)
    report = await ingest(db, source, [path])
    failed = [f for f in report.files if f.status != "ok"]
    if failed and len(failed) == len(report.files):
        raise SourceUnreadable("; ".join(f"{Path(f.path).name}: {f.reason}" for f in failed))
    await _after_ingest(db, report.resolvable_ids, all_changed=report.resolve_all_changed)
    errors = [{"locator": f"{Path(f.path).name}: {s['locator']}", "message": s["reason"]} for f in report.files for s in f.skipped]
    errors += [{"locator": Path(f.path).name, "message": f.reason} for f in failed]
    return {"source_id": report.files[0].source_id if len(report.files) == 1 else None, "nodes": report.total("nodes_written"),
            "relationships": report.total("relationships_written"), "skipped": seen_before, "errors": errors}


async def _after_ingest(db: Database, ids: list[str], *, all_changed: bool = False) -> None:
    from resolve.pipeline import resolve_incremental

    if ids or all_changed:
        await resolve_incremental(db, ids=None if all_changed else ids)
    _screeners.invalidate()


async def sweep(db: Database, sweep_id: str) -> dict | None:
    fn = _function("sweeps", "ingest.sweep.store", "get_sweep")
    return await fn(db, sweep_id)


async def sweeps(db: Database, *, definition: str | None, skip: int, limit: int) -> tuple[int, list[dict]]:
    fn = _function("sweeps", "ingest.sweep.store", "list_sweeps")
    return await fn(db, definition=definition, skip=skip, limit=limit)


async def import_watchlist(db: Database, *, name: str, filename: str, content: bytes, actor: str) -> dict:
    """The API's list importer (api/watchlists.py): unlike ``kizuna ingest userlist`` it also takes
    persons and ids of existing entities; both land on the same watchlist and organization ids."""
    from api import watchlists

    done = await watchlists.import_simple_list(db, name=name, filename=filename, content=content, actor=actor)
    _screeners.invalidate()
    return done
