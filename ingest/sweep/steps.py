"""Adapters from a sweep to the other layers: ingest a source, resolve incrementally, assess.

Why adapters: the sweep must not care how ingestors, entity resolution or the assessment are
built; each step here prefers the real module (imported lazily) and, while that module is not in
this branch, uses a small stand-in with the same contract so sweeps and their tests run today.
Wiring after merge happens only in this file (see WIRING).
"""

from __future__ import annotations

import asyncio
import csv
import importlib
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.db import Database
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord, rel_id
from kizuna.errors import InvalidInput, NotFound, SourceUnreadable
from kizuna.ids import identifier_id, make_id
from queries import sweep as sweep_queries
from queries.cypher import cypher

#: The real module and callable each step uses when it is installed (after the branches of
#: issues 3, 4 and 6 are merged):
#:   ingest  — ingest.runner.ingest(db, source_name, paths, **options) -> IngestReport
#:   resolve — resolve.pipeline.resolve_incremental(db, ids=...) -> ResolveReport
#:   assess  — queries.assess.assess(db, subject_id, packs=, as_of=, lists=, max_hops=) -> Assessment
WIRING = {
    "ingest": ("ingest.runner", "ingest"),
    "resolve": ("resolve.pipeline", "resolve_incremental"),
    "assess": ("queries.assess", "assess"),
}
#: Steps forced to their stand-in (comma-separated, or "all"): the sweep tests pin the stand-ins
#: because their expected tiers come from the stand-in packs below.
STANDINS_ENV = "KIZUNA_SWEEP_STANDINS"
#: Subjects assessed at once through queries.assess (which takes one subject per call).
REAL_ASSESS_CONCURRENCY = 8


def _real(step: str):
    forced = {s.strip() for s in os.environ.get(STANDINS_ENV, "").split(",")}
    if step in forced or "all" in forced:
        return None
    module_name, attr = WIRING[step]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, attr, None)


# --------------------------------------------------------------------------------------------
# ingest


@dataclass
class IngestReport:
    source: str
    files: list[str]
    records: int = 0
    facts: int = 0
    skipped: list[str] = field(default_factory=list)
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
    """Ingest one sweep source (already fetched to local files) through the ingest registry."""
    if fmt not in _BUILTIN_LIST_FORMATS:
        real = _real("ingest")
        if real is None:
            raise InvalidInput(
                f"source {name!r}: format {fmt!r} needs the ingest registry (issue 3), which is not installed; "
                f"built-in list formats: {', '.join(sorted(_BUILTIN_LIST_FORMATS))}"
            )
        # a list version needs a date for its end dates: the source's own `published` option,
        # else the day this sweep saw the version
        done = (await real(db, fmt, paths, **({"published": observed_at[:10]} | options))).as_dict()
        if not done["ok"]:
            raise SourceUnreadable(f"source {name!r} could not be ingested: {done['files']}")
        return IngestReport(source=name, files=[str(p) for p in paths], records=done["records_read"],
                            facts=done["facts_written"], skipped=[f"{done['records_skipped']} records skipped"])
    return await _ingest_list_csv(db, name, fmt, paths, options, observed_at)


# The stand-in list ingestor: one CSV list (METI End User List conversion or a generic
# name/aliases CSV) as a Watchlist with one listing per entry. A newer version ends the listings
# whose entries disappeared (never deletes) and starts the new ones, like issue 3 requires.
_BUILTIN_LIST_FORMATS = {
    "meti_csv": {"name": "name", "aliases": "aliases", "alias_sep": "|", "entry": "no", "reason": "wmd_type_code"},
    "list_csv": {"name": "name", "aliases": "aliases", "alias_sep": ";", "entry": "id", "reason": "reason"},
}


def _read_rows(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceUnreadable(f"cannot read list file {path}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise SourceUnreadable(f"list file {path} has no 'name' column")
    return list(reader)


async def _ingest_list_csv(db: Database, name: str, fmt: str, paths: list[Path], options: dict[str, str], observed_at: str) -> IngestReport:
    cols = _BUILTIN_LIST_FORMATS[fmt]
    watchlist_key = options.get("watchlist", name)
    wl_id = identifier_id("wl", "list", watchlist_key)
    source_id = identifier_id("src", "list", watchlist_key)
    day = observed_at[:10]
    report = IngestReport(source=name, files=[str(p) for p in paths])
    rows_by_file = [(p, _read_rows(p)) for p in paths]  # parse everything before writing anything
    ev = Evidence(source_id, "file", observed_at, "sweep.list_csv", 1.0, text=watchlist_key)
    nodes = [
        NodeRecord("Source", source_id, {"kind": "watchlist", "title": watchlist_key}, ev),
        NodeRecord("Watchlist", wl_id, {"name": options.get("title", watchlist_key), "jurisdiction": options.get("jurisdiction")}, ev),
    ]
    rels: list[RelRecord] = []
    current: set[str] = set()
    for path, rows in rows_by_file:
        for i, row in enumerate(rows, start=2):
            report.records += 1
            entity_name = (row.get(cols["name"]) or "").strip()
            if not entity_name:
                report.skipped.append(f"{path.name} line {i}: empty name")
                continue
            aliases = [a.strip() for a in (row.get(cols["aliases"]) or "").split(cols["alias_sep"]) if a.strip()]
            org_id = make_id("org", wl_id, entity_name)
            if org_id in current:
                report.skipped.append(f"{path.name} line {i}: duplicate entry {entity_name!r}")
                continue
            current.add(org_id)
            row_ev = Evidence(source_id, f"{path.name} line {i} / name", observed_at, "sweep.list_csv", 1.0, text=entity_name)
            nodes.append(NodeRecord("Organization", org_id, {"name": entity_name, "names": [entity_name, *aliases]}, row_ev))
            rels.append(
                RelRecord(
                    "LISTED_ON", org_id, wl_id,
                    {"listed_name": entity_name, "entry_id": row.get(cols["entry"]) or "", "reason": row.get(cols["reason"]) or ""},
                    row_ev,
                )
            )
            report.touched_ids.append(org_id)
    existing = {r["id"]: r for r in await db.read(cypher("sweep", "listed_orgs_of_watchlist"), {"watchlist_id": wl_id})}
    for rel in rels:
        # a listing starts when a version first shows it (or shows it again after a delisting)
        before = existing.get(rel.start)
        if before is None or before.get("end"):
            rel.props["start"] = day
    writer = GraphWriter(db)
    result = await writer.write(nodes, rels)
    # entries that disappeared from this version: the listing ends, it is never deleted
    ended = [
        RelRecord("LISTED_ON", org_id, wl_id, {"end": day},
                  Evidence(source_id, f"delisted in version observed {observed_at}", observed_at, "sweep.list_csv", 1.0))
        for org_id, row in existing.items() if org_id not in current and not row.get("end")
    ]
    if ended:
        result.add(await writer.write_relationships(ended))
    if any(r.get("end") for r in existing.values() if r["id"] in current):
        # relisted entries: clear the old end date explicitly (the writer skips None values)
        await db.write(
            cypher("sweep", "clear_listing_end"),
            {"ids": [rel_id("LISTED_ON", o, wl_id) for o in current if existing.get(o, {}).get("end")]},
        )
    report.delisted = len(ended)
    report.facts = result.nodes + result.relationships
    return report


# --------------------------------------------------------------------------------------------
# resolve


async def resolve_incremental(db: Database, touched_ids: list[str]) -> dict[str, Any]:
    """Resolve only what the refreshed sources touched.

    Stand-in until resolve/ (issue 4) is merged: an unlisted organization whose name or alias
    equals (case-folded) a touched listed organization's name or alias gets SAME_AS decided
    'same' with score 1.0 and the matched name as evidence. Idempotent (deterministic ids).
    """
    real = _real("resolve")
    if real is not None:  # no ids: the resolver picks the new or changed nodes itself
        return (await real(db, ids=touched_ids or None)).as_dict()
    if not touched_ids:
        return {"touched": 0, "same_as": 0}
    rows = await db.read(cypher("sweep", "organization_names"), {"ids": touched_ids})
    targets = [{"id": r["id"], "names": sorted({str(n).lower() for n in r["names"]})} for r in rows]
    matches = await db.read(cypher("sweep", "same_name_organizations"), {"targets": targets})
    now = _now()
    rels = [
        RelRecord(
            "SAME_AS", m["org_id"], m["listed_id"],
            {"candidate": False, "score": 1.0, "decision": "same", "explanation": "exact name or alias match (sweep stand-in)"},
            Evidence("src:sweep:resolve", f"{m['org_id']} = {m['listed_id']}", now[:10], "exact_name", 1.0, text=m["org_name"]),
        )
        for m in matches
    ]
    report = await GraphWriter(db).write_relationships(rels)
    return {"touched": len(touched_ids), "same_as": report.relationships}


def _now() -> str:
    from graph.provenance import utc_now_iso

    return utc_now_iso()


# --------------------------------------------------------------------------------------------
# assess

TIERS = ("none", "low", "elevated", "high")

#: Stand-in rule packs (tier by the shortest concern path's hop count), used only while
#: queries/assess.py is not merged. Keys are pack names a definition may choose.
FALLBACK_PACKS: dict[str, dict[str, int]] = {
    # hop count at or below which a tier applies
    "default": {"high": 1, "elevated": 2, "low": 6},
    "us_dod_matrix": {"high": 1, "elevated": 3, "low": 6},
    "jp_mext": {"high": 0, "elevated": 2, "low": 4},
}


def check_packs(packs: list[str]) -> None:
    """Fail the sweep before assessing anyone when a rule pack is unknown (not once per subject)."""
    if _real("assess") is not None:
        from queries.rules import resolve_packs

        resolve_packs(packs)
        return
    unknown = [p for p in packs if p not in FALLBACK_PACKS]
    if unknown:
        raise InvalidInput(f"unknown rule pack(s) {unknown}; available: {sorted(FALLBACK_PACKS)}")


@dataclass
class SubjectOutcome:
    subject_id: str
    subject_name: str = ""
    status: str = "ok"  # ok | error
    error: str = ""
    tier: str = ""
    recommendation: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)


def _tier_for(hops: int, pack: str) -> str:
    thresholds = FALLBACK_PACKS[pack]
    for tier in ("high", "elevated", "low"):
        if hops <= thresholds[tier]:
            return tier
    return "none"


def _finding(row: dict[str, Any]) -> dict[str, Any]:
    hops = row["hops"]
    kind = "listed" if not hops else "concern_path"
    evidence = [
        {"relation": h["type"], "id": h["id"], "from": h["from"], "to": h["to"], "start": h.get("start"), "end": h.get("end"),
         "confidence": h.get("confidence"), "sources": h.get("sources") or [], "locators": h.get("locators") or []}
        for h in hops
    ]
    listing = row["listing"]
    evidence.append({"relation": "LISTED_ON", "id": listing["id"], "from": row["target_id"], "to": row["watchlist_id"],
                     "start": listing.get("start"), "end": listing.get("end"), "reason": listing.get("reason"),
                     "sources": listing.get("sources") or [], "locators": listing.get("locators") or []})
    return {
        "key": f"{kind}:{row['target_id']}:{row['watchlist_id']}",
        "kind": kind,
        "target_id": row["target_id"],
        "target_name": row["target_name"],
        "watchlist_id": row["watchlist_id"],
        "watchlist_name": row["watchlist_name"],
        "hops": len(hops),
        "path": [n["id"] for n in row["path_nodes"]],
        "path_names": [n["name"] for n in row["path_nodes"]],
        "evidence": evidence,
    }


def _judge(outcome: SubjectOutcome, links: int, packs: list[str]) -> None:
    if not outcome.findings:
        if links == 0:
            outcome.tier, outcome.recommendation = "none", "INSUFFICIENT_INFORMATION"
        else:
            outcome.tier, outcome.recommendation = "none", "ACCEPT"
        return
    shortest = min(f["hops"] for f in outcome.findings)
    tier = max((_tier_for(shortest, p) for p in packs), key=TIERS.index)
    outcome.tier = tier
    if shortest == 0:
        outcome.recommendation = "AVOID"
    elif tier in ("high", "elevated"):
        outcome.recommendation = "MITIGATE"
    else:
        outcome.recommendation = "ACCEPT"


async def assess_subjects(
    db: Database, ids: list[str], *, packs: list[str], lists: list[str], as_of: str, max_hops: int
) -> list[SubjectOutcome]:
    """Findings, tier and recommendation for each subject of a batch; a subject that cannot be
    assessed comes back with status 'error' and the reason (the sweep carries on)."""
    real = _real("assess")
    if real is not None:  # one subject per call: overlap them, within the driver's pool
        gate = asyncio.Semaphore(REAL_ASSESS_CONCURRENCY)

        async def one(sid: str) -> SubjectOutcome:
            async with gate:
                return await _assess_real(real, db, sid, packs, lists, as_of, max_hops)

        return list(await asyncio.gather(*(one(sid) for sid in ids)))
    check_packs(packs)
    found = {r["id"]: r for r in await sweep_queries.subjects(db, ids)}
    outcomes = {sid: SubjectOutcome(subject_id=sid) for sid in ids}
    for sid, o in outcomes.items():
        if sid not in found:
            o.status, o.error = "error", "subject not found (no Person, Organization or Project with this id)"
        else:
            o.subject_name = found[sid]["name"]
    present = [sid for sid in ids if sid in found]
    try:
        rows = await sweep_queries.concern_paths(db, present, lists=lists, as_of=as_of, max_hops=max_hops)
    except Exception:  # noqa: BLE001 — isolate the failing subject(s), keep the rest of the batch
        if len(present) <= 1:
            raise
        half = len(present) // 2
        parts = [await _assess_isolated(db, chunk, packs, lists, as_of, max_hops) for chunk in (present[:half], present[half:])]
        for part in parts:
            for o in part:
                outcomes[o.subject_id] = o
        return [outcomes[sid] for sid in ids]
    for row in rows:
        outcomes[row["subject_id"]].findings.append(_finding(row))
    for sid in present:
        o = outcomes[sid]
        o.findings.sort(key=lambda f: f["key"])
        _judge(o, found[sid]["links"], packs)
    return [outcomes[sid] for sid in ids]


async def _assess_real(assess, db, sid, packs, lists, as_of, max_hops) -> SubjectOutcome:
    """One subject through queries.assess, mapped to the sweep's finding shape (key, kind,
    target, watchlist, hops, path, evidence) so diffs and outputs work unchanged."""
    try:
        a = await assess(db, sid, packs=packs, as_of=as_of, lists=lists or None, max_hops=max_hops)
    except (InvalidInput, NotFound) as exc:
        return SubjectOutcome(subject_id=sid, status="error", error=exc.message)
    findings = []
    for f in a.findings:
        path = f.path
        findings.append({
            "key": f.id, "kind": f.kind, "target_id": f.entity_id, "target_name": f.entity_name,
            "watchlist_id": ",".join(f.list_ids), "watchlist_name": ",".join(f.list_jurisdictions), "hops": f.hops,
            "path": [h.to_id for h in path.hops] if path else [], "path_names": [f.summary],
            "evidence": [{"relation": e.get("method"), "sources": [e.get("source_id")], "locators": [e.get("locator")],
                          "start": None, "end": None} for e in f.evidence],
            "rules": [r.rule_id for r in a.rules_fired if f.id in r.finding_ids],
        })
    findings.sort(key=lambda x: x["key"])
    return SubjectOutcome(subject_id=sid, subject_name=a.subject_name or "", tier=a.tier, recommendation=a.recommendation,
                          findings=findings)


async def _assess_isolated(db, ids, packs, lists, as_of, max_hops) -> list[SubjectOutcome]:
    try:
        return await assess_subjects(db, ids, packs=packs, lists=lists, as_of=as_of, max_hops=max_hops)
    except Exception as exc:  # noqa: BLE001 — a single subject that fails is reported, not fatal
        return [SubjectOutcome(subject_id=ids[0], status="error", error=f"{type(exc).__name__}: {exc}")]


def chunked(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
