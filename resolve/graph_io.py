"""Feeding the name index from the graph, and writing SAME_AS results back through graph.writer.

Why: resolution works on plain ``EntityRecord``s (resolve.index); this module is the only bridge
to Neo4j. It reads names, acronyms, identifiers and — for organizations only — city, country and
parents; for persons it reads affiliations, co-authors and publication years. It never reads
PersonalData (nationality, ethnicity, name origin are not features, by design).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.db import Database
from graph.provenance import Evidence, utc_now_iso
from graph.writer import GraphWriter, NodeRecord, RelRecord
from resolve.index import EntityRecord

SOURCE_ID = "src:kizuna-resolve"
DECISIONS_SOURCE_ID = "src:kizuna-decisions"
ORG_ID_SCHEMES = ("ror", "fundref", "wikidata", "grid", "isni", "lei", "openalex")
PERSON_ID_SCHEMES = ("orcid", "kaken_id", "erad_id", "openalex", "nih_person_id")
LABEL_OF_KIND = {"org": "Organization", "person": "Person"}
_NAME = re.compile(r"^//\s*name:\s*(\S+)\s*$", re.M)


@lru_cache(maxsize=1)
def _statements() -> dict[str, str]:
    text = Path(__file__).with_name("graph.cypher").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def cypher(name: str) -> str:
    return _statements()[name]


def record_from_row(kind: str, row: dict[str, Any]) -> EntityRecord:
    names = [n for n in [row.get("name"), *(row.get("names") or [])] if n]
    if kind == "org":
        ids = {s: row.get(s) for s in ORG_ID_SCHEMES if row.get(s)}
        context = {"city": row.get("city"), "country": row.get("country"), "parents": row.get("parents") or [],
                   "types": [*(row.get("types") or []), *([row["kind"]] if row.get("kind") else [])]}
        acronyms = row.get("acronyms") or []
    else:
        ids = {s: row.get(s) for s in PERSON_ID_SCHEMES if row.get(s)}
        context = {"affiliations": row.get("affiliations") or [], "coauthors": row.get("coauthors") or [],
                   "years": [int(y) for y in row.get("years") or [] if y is not None]}
        acronyms = []
    return EntityRecord(row["id"], kind, list(dict.fromkeys(names)), ids, context, acronyms, label=row.get("name") or "")


def fingerprint(rec: EntityRecord) -> str:
    """A hash of what resolution looks at; when it changes, the node is resolved again."""
    payload = json.dumps([sorted(rec.names), sorted(rec.acronyms),
                          {k: sorted(v) if isinstance(v, list) else v for k, v in sorted(rec.identifiers.items())},
                          {k: sorted(map(str, v)) if isinstance(v, list) else v for k, v in sorted(rec.context.items())}],
                         sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


async def load_records(db: Database, kind: str, ids: list[str] | None = None) -> list[tuple[EntityRecord, dict[str, Any]]]:
    """(record, raw row) for every Organization ("org") or Person ("person"), or only ``ids``."""
    rows = await db.read(cypher("organizations" if kind == "org" else "persons"), {"ids": ids})
    return [(record_from_row(kind, row), row) for row in rows]


def pair(a: str, b: str) -> tuple[str, str]:
    """SAME_AS is symmetric; it is stored once, from the smaller id to the larger."""
    return (a, b) if a < b else (b, a)


def same_as_record(a: str, b: str, props: dict[str, Any], evidence: Evidence) -> RelRecord:
    start, end = pair(a, b)
    return RelRecord("SAME_AS", start, end, props, evidence)


async def write_candidates(db: Database, candidates: list[dict[str, Any]]) -> int:
    """Write SAME_AS candidates: {a, b, score, explanation, decision?, decided_by?, rationale?}."""
    now = utc_now_iso()
    rels = []
    for c in candidates:
        props = {
            "candidate": c.get("decision", "candidate") == "candidate",
            "score": float(c["score"]),
            "decision": c.get("decision", "candidate"),
            "explanation": json.dumps(c["explanation"], ensure_ascii=False, default=str),
        }
        if c.get("decided_by"):
            props.update(decided_by=c["decided_by"], decided_at=now, rationale=c.get("rationale", ""))
        ev = Evidence(SOURCE_ID, f"resolution {c.get('decision', 'candidate')}", now, "resolve:name-index",
                      confidence=float(c["score"]), text=c.get("rationale", "")[:200])
        rels.append(same_as_record(c["a"], c["b"], props, ev))
    if not rels:
        return 0
    report = await GraphWriter(db).write_relationships(rels)
    return report.relationships


async def write_fingerprints(db: Database, kind: str, values: dict[str, tuple[str, str | None]]) -> None:
    """Store {id: (fingerprint, the node's last_seen)}. The evidence reuses the node's own
    last_seen as its time and carries zero confidence, so this bookkeeping never moves the node's
    first/last seen or confidence (which describe the sources, not resolution)."""
    if not values:
        return
    now = utc_now_iso()
    label = LABEL_OF_KIND[kind]
    records = [
        NodeRecord(label, i, {"resolution_fingerprint": f},
                   Evidence(SOURCE_ID, "resolution_fingerprint", seen or now, "resolve:fingerprint", confidence=0.0))
        for i, (f, seen) in values.items()
    ]
    await GraphWriter(db).write_nodes(records)
