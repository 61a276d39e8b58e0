"""Sweep state: the Sweep node and one SweepResult per subject in the graph, and each batch's
findings in a results file beside it.

Why the graph is the checkpoint: a SweepResult's id is deterministic from (sweep, subject) and it
is written in the same transaction batch as its neighbours, so after a crash the results that
exist are exactly the work done; a re-run finds the 'running' Sweep of its definition, skips the
subjects already stored, and can never duplicate one (MERGE on the id).

Why the findings are not in the graph: a subject's findings with their evidence are ~22 KB
compressed on the bench graph, and Community's record store keeps a byte array as a chain of
small dynamic records. Writing them there cost more than a third of a sweep's time (10k subjects:
131 s with them, 86 s without, 2026-12-02). A batch's findings go to one file in the sweep's
results folder (``Sweep.results_dir``, beside the sweep's outputs), named by the SHA-256 of its
bytes, written and synced before the batch's SweepResults are committed; each SweepResult holds
the file's name and where its subject's Zstandard frame is (offset, length), and every frame
carries its own checksum. A
batch whose SweepResults never got committed leaves a file nothing names; the sweep removes such
files when it completes (``remove_unreferenced_files``).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
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


def new_sweep(definition_id: str, definition_checksum: str, as_of: str, packs: list[str], lists: list[str],
              state_dir: Path) -> dict[str, Any]:
    """A new running sweep; its results files go to ``results_folder(state_dir, id)``."""
    # microseconds and the pid: two runs of a definition started within the same second (the lock
    # serialises them) must still be two sweeps
    started = datetime.now(timezone.utc).isoformat()
    sweep_id = make_id("swp", definition_id, started, os.getpid())
    return {
        "id": sweep_id,
        "results_dir": str(results_folder(state_dir, sweep_id)),
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


def sweep_folder(state_dir: Path, sweep_id: str) -> Path:
    """One sweep's own folder in its definition's (``LoadedDefinition.state_dir``): its outputs
    (ingest.sweep.outputs) and its ``findings/``."""
    return state_dir / sweep_id.split(":", 1)[-1]


def results_folder(state_dir: Path, sweep_id: str) -> Path:
    """The folder of one sweep's results files: ``findings/`` in its sweep folder. Absolute,
    because readers of a stored sweep do not know its definition."""
    return (sweep_folder(state_dir, sweep_id) / "findings").resolve()


def result_id(sweep_id: str, subject_id: str) -> str:
    return make_id("swr", sweep_id, subject_id)


async def count_results(db: Database, sweep_id: str) -> tuple[int, int]:
    row = (await db.read(cypher("sweep", "count_results"), {"sweep_id": sweep_id}))[0]
    return row["done"], row["errors"]


def encode_findings(findings: list[dict[str, Any]]) -> bytes:
    """A subject's findings as stored: JSON, compressed with Zstandard, one frame with its
    checksum. Why compressed: on the bench graph a subject has ~200 findings with their evidence,
    ~230 KB of JSON. Why Zstandard at level 1: it makes the JSON 10x smaller in 0.37 ms a subject
    where zlib's fastest level took 0.96 ms for 8x, and it decompresses 6x faster for the diff.
    The keys are not sorted (0.2 ms a subject): the findings are built with their keys in one
    fixed order, and readers decode before comparing. ``queries.sweep.decode_findings`` reads it
    back."""
    return _ZSTD.compress(orjson.dumps(findings))


_ZSTD = zstandard.ZstdCompressor(level=1, write_checksum=True)  # one per process; the sweep's writes run on one thread


def write_results_file(folder: Path, frames: list[bytes]) -> str:
    """Write a batch's frames to one file named by the SHA-256 of its bytes, synced to disk before
    this returns (the batch's SweepResults are committed after it, so a committed result never
    names a file that a crash could lose); returns the file's name. The same bytes always give the
    same name, so writing a batch again replaces the file with itself."""
    blob = b"".join(frames)
    name = hashlib.sha256(blob).hexdigest() + RESULTS_SUFFIX
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.exists():
        partial = folder / f".{name}.{os.getpid()}.partial"
        with partial.open("wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, target)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # the new name itself survives a crash
        finally:
            os.close(directory)
    return name


RESULTS_SUFFIX = ".findings.zst"


async def write_results(db: Database, sweep: dict[str, Any], outcomes: list[SubjectOutcome], writer: GraphWriter | None = None) -> None:
    """Store a batch of subject outcomes: their findings in one results file, then their
    SweepResults (one transaction per writer batch) — the checkpoint."""
    writer = writer or GraphWriter(db, batch_size=1000)
    frames = [encode_findings(o.findings) for o in outcomes]
    name = write_results_file(Path(sweep["results_dir"]), frames)
    records, offset = [], 0
    for o, frame in zip(outcomes, frames):
        props = {
            "sweep_id": sweep["id"],
            "subject_id": o.subject_id,
            "subject_name": o.subject_name,
            "status": o.status,
            "error": o.error,
            "tier": o.tier,
            "recommendation": o.recommendation,
            "findings_count": len(o.findings),
            "findings_file": name,
            "findings_offset": offset,
            "findings_length": len(frame),
        }
        offset += len(frame)
        records.append(
            NodeRecord("SweepResult", result_id(sweep["id"], o.subject_id), props,
                       _evidence(sweep["definition_id"], f"sweep {sweep['id']} / {o.subject_id}", sweep["started_at"]))
        )
    await writer.write_nodes(records)


async def remove_unreferenced_files(db: Database, sweep: dict[str, Any]) -> int:
    """Delete the results files (and partial writes) of a sweep that none of its SweepResults
    names: batches whose results were never committed (a crash, a dead database). Run when the
    sweep completes, while its lock is held; returns how many files went."""
    folder = Path(sweep["results_dir"])
    if not folder.is_dir():
        return 0
    named = {r["file"] for r in await db.read(cypher("sweep", "results_files"), {"sweep_id": sweep["id"]})}
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.name not in named and (path.name.endswith(RESULTS_SUFFIX) or path.name.endswith(".partial")):
            path.unlink()
            removed += 1
    return removed
