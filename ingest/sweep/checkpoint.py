"""Sweep state in the graph: the Sweep node and one SweepResult per subject.

Why the graph is the checkpoint: a SweepResult's id is deterministic from (sweep, subject) and it
is written in the same transaction batch as its neighbours, so after a crash the results that
exist are exactly the work done; a re-run finds the 'running' Sweep of its definition, skips the
subjects already stored, and can never duplicate one (MERGE on the id).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any

import orjson
import zstandard

from graph.db import Database
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord
from ingest.sweep.steps import SubjectOutcome
from kizuna.ids import make_id
from queries.cypher import cypher


def _evidence(definition_id: str, locator: str, observed: str) -> Evidence:
    return Evidence(f"src:sweep:{definition_id}", locator, observed, "sweep", 1.0)


async def running_sweep(db: Database, definition_id: str) -> dict[str, Any] | None:
    rows = await db.read(cypher("sweep", "running_sweep"), {"definition_id": definition_id})
    return rows[0]["sweep"] if rows else None


async def last_completed(db: Database, definition_id: str, exclude_id: str = "") -> dict[str, Any] | None:
    rows = await db.read(cypher("sweep", "last_completed_sweep"), {"definition_id": definition_id, "exclude_id": exclude_id})
    return rows[0]["sweep"] if rows else None


async def save_sweep(db: Database, sweep: dict[str, Any]) -> None:
    """Write (create or update) the Sweep node; JSON-valued fields are stored as text."""
    props = {k: (json.dumps(v, ensure_ascii=False, sort_keys=True) if k in ("source_checksums", "counts", "diff") and not isinstance(v, str) else v)
             for k, v in sweep.items() if k != "id"}
    ev = _evidence(sweep["definition_id"], f"sweep {sweep['id']}", sweep["started_at"])
    await GraphWriter(db).write_nodes([NodeRecord("Sweep", sweep["id"], props, ev)])


def new_sweep(definition_id: str, definition_checksum: str, as_of: str, packs: list[str], lists: list[str]) -> dict[str, Any]:
    # microseconds and the pid: two runs of a definition started within the same second (the lock
    # serialises them) must still be two sweeps
    started = datetime.now(timezone.utc).isoformat()
    return {
        "id": make_id("swp", definition_id, started, os.getpid()),
        "definition_id": definition_id,
        "definition_checksum": definition_checksum,
        "status": "running",
        "started_at": started,
        "as_of": as_of,
        "packs": packs,
        "lists": lists,
        "source_checksums": {},
        "sources_ingested": [],
    }


def result_id(sweep_id: str, subject_id: str) -> str:
    return make_id("swr", sweep_id, subject_id)


async def count_results(db: Database, sweep_id: str) -> tuple[int, int]:
    row = (await db.read(cypher("sweep", "count_results"), {"sweep_id": sweep_id}))[0]
    return row["done"], row["errors"]


def encode_findings(findings: list[dict[str, Any]]) -> bytes:
    """A subject's findings as stored: JSON, compressed with Zstandard. Why compressed: on the bench
    graph a subject has ~200 findings with their evidence, ~230 KB of JSON, and writing that for a
    batch of 250 took the database longer than assessing it. Why Zstandard at level 1: it makes
    the JSON 10x smaller in 0.37 ms a subject where zlib's fastest level took 0.96 ms for 8x, and
    it decompresses 6x faster for the diff. The keys are not sorted (0.2 ms a subject): the
    findings are built with their keys in one fixed order, and readers decode before comparing.
    ``queries.sweep.decode_findings`` reads it back."""
    return _ZSTD.compress(orjson.dumps(findings))


_ZSTD = zstandard.ZstdCompressor(level=1)  # one per process; the sweep's writes run on one thread


async def write_results(db: Database, sweep: dict[str, Any], outcomes: list[SubjectOutcome], writer: GraphWriter | None = None) -> None:
    """Store a batch of subject outcomes (one transaction per writer batch): the checkpoint."""
    writer = writer or GraphWriter(db, batch_size=1000)
    records = []
    for o in outcomes:
        props = {
            "sweep_id": sweep["id"],
            "subject_id": o.subject_id,
            "subject_name": o.subject_name,
            "status": o.status,
            "error": o.error,
            "tier": o.tier,
            "recommendation": o.recommendation,
            "findings": encode_findings(o.findings),
        }
        records.append(
            NodeRecord("SweepResult", result_id(sweep["id"], o.subject_id), props,
                       _evidence(sweep["definition_id"], f"sweep {sweep['id']} / {o.subject_id}", sweep["started_at"]))
        )
    await writer.write_nodes(records)
