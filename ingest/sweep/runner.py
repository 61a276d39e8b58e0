"""`kizuna sweep run`: refresh changed sources, resolve, re-assess the population, store, diff.

The run, in order (each step is safe to repeat, which is what makes a killed sweep resumable):
 1. take the definition's lock (a second run of the same definition is refused);
 2. find this definition's 'running' Sweep (resume it) or start a new one;
 3. checksum every source; ingest only those whose checksum differs from the last completed
    sweep's (recorded on the Sweep as each source finishes), then resolve what they touched;
 4. list the population, skip subjects already stored for this sweep, assess the rest in
    batches — in this process or split over worker processes, each with its own driver —
    storing each batch's findings in a results file and then its SweepResults (the checkpoint);
 5. diff against the previous completed sweep, mark the sweep completed, write the outputs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import httpx

from graph.db import Database
from graph.provenance import utc_now_iso
from ingest.sweep import checkpoint, steps
from ingest.sweep.definition import POPULATION_QUERIES, LoadedDefinition, SourceSpec, load_definition
from ingest.sweep.diff import DiffBuilder
from ingest.sweep.outputs import OutputWriter
from ingest.sweep.lock import SweepLock
from kizuna.errors import KizunaError, SourceUnreadable
from kizuna.heap import collector_paused
from kizuna.settings import Settings
from queries import sweep as sweep_queries

log = logging.getLogger("kizuna.sweep")

#: Test hook: after this many subjects are stored by one process, pause (so a test can SIGKILL
#: the sweep midway). Never set in production.
PAUSE_ENV = "KIZUNA_SWEEP_TEST_PAUSE_AFTER"
#: At most this many items per change list are kept in the stored diff (diff.DiffBuilder; counts stay whole).
STORED_DIFF_ITEMS = 2000


# -- sources ----------------------------------------------------------------------------------


def fetch_source(loaded: LoadedDefinition, source: SourceSpec, cache_dir: Path) -> tuple[list[Path], str]:
    """Local files of a source and the sha256 over their names and bytes (folder: every file)."""
    if source.url:
        cache_dir.mkdir(parents=True, exist_ok=True)
        try:
            response = httpx.get(source.url, timeout=60.0, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise SourceUnreadable(f"source {source.name!r}: cannot download {source.url}: {exc}") from exc
        target = cache_dir / f"{source.name}{Path(source.url.split('?')[0]).suffix or '.dat'}"
        target.write_bytes(response.content)
        files = [target]
    else:
        root = loaded.resolve(source.path or "")
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif root.is_file():
            files = [root]
        else:
            raise SourceUnreadable(f"source {source.name!r}: {root} does not exist")
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode() + b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return files, digest.hexdigest()


# -- progress -----------------------------------------------------------------------------------


class Progress:
    """A tqdm bar with ETA on a terminal; structured JSON progress lines in logs otherwise."""

    def __init__(self, sweep_id: str, total: int, done: int, *, every_s: float = 5.0):
        self.sweep_id, self.total, self.done, self.every_s = sweep_id, total, done, every_s
        self.start, self.start_done, self.last = time.monotonic(), done, 0.0
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="subject", desc="sweep", dynamic_ncols=True)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.monotonic()
        if now - self.last >= self.every_s or self.done >= self.total:
            self.last = now
            rate = (self.done - self.start_done) / max(now - self.start, 1e-9)
            eta = (self.total - self.done) / rate if rate > 0 else None
            log.info(json.dumps({"event": "sweep.progress", "sweep": self.sweep_id, "done": self.done, "total": self.total,
                                 "rate_per_s": round(rate, 1), "eta_s": None if eta is None else round(eta, 1)}))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# -- assessing a chunk (in this process or in a worker) -------------------------------------------

_stored_by_this_process = 0


def _maybe_pause(n: int) -> None:
    global _stored_by_this_process
    _stored_by_this_process += n
    limit = os.environ.get(PAUSE_ENV)
    if limit and _stored_by_this_process >= int(limit):
        print(f"KIZUNA_SWEEP_PAUSED after {_stored_by_this_process}", file=sys.stderr, flush=True)
        time.sleep(3600)


# The shared reads of the sweep this process is assessing (one at a time).
_sweep_reads: dict[str, steps.SweepReads] = {}


def _reads(sweep_id: str, params: dict[str, Any]) -> steps.SweepReads:
    if sweep_id not in _sweep_reads:
        _sweep_reads.clear()
        _sweep_reads[sweep_id] = steps.sweep_reads(packs=params["packs"], lists=params["lists"], as_of=params["as_of"],
                                                   max_hops=params["max_hops"], cache_weight=params["cache_weight"])
    return _sweep_reads[sweep_id]


async def assess_and_store(db: Database, sweep: dict[str, Any], ids: list[str], params: dict[str, Any]) -> tuple[int, int]:
    """Assess ``ids`` in batches and store each batch; returns (stored, errors). The chunks of one
    sweep that this process assesses share one set of reads (steps.SweepReads)."""
    stored = errors = 0
    reads = _reads(sweep["id"], params)
    for batch in steps.chunked(ids, params["batch_size"]):
        with collector_paused():  # until the batch is stored and its objects are freed
            errors += await _assess_and_store_batch(db, sweep, batch, params, reads)
        stored += len(batch)
        _maybe_pause(len(batch))
    return stored, errors


async def _assess_and_store_batch(db: Database, sweep: dict[str, Any], batch: list[str], params: dict[str, Any],
                                  reads: steps.SweepReads) -> int:
    """Assess and store one batch; returns its errors."""
    try:
        outcomes = await steps.assess_subjects(db, batch, packs=params["packs"], lists=params["lists"],
                                               as_of=params["as_of"], max_hops=params["max_hops"], reads=reads)
    except Exception as exc:  # noqa: BLE001 — a whole batch failing is still per-item errors
        outcomes = [steps.SubjectOutcome(subject_id=s, status="error", error=f"{type(exc).__name__}: {exc}") for s in batch]
    await checkpoint.write_results(db, sweep, outcomes)
    return sum(1 for o in outcomes if o.status == "error")


_worker: dict[str, Any] = {}


def _init_worker(settings: Settings) -> None:
    """Each worker process: its own event loop and its own driver (drivers are not fork-safe)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    _worker["loop"] = loop
    _worker["db"] = Database(settings, pool_size=4)


def _worker_chunk(sweep: dict[str, Any], ids: list[str], params: dict[str, Any]) -> tuple[int, int]:
    return _worker["loop"].run_until_complete(assess_and_store(_worker["db"], sweep, ids, params))


# -- the run ----------------------------------------------------------------------------------


async def run_sweep(db: Database, definition_path: str | Path, *, workers: int | None = None,
                    write_outputs: bool = True) -> dict[str, Any]:
    """Run (or resume) one sweep of a definition and return its stored record with the diff."""
    loaded = load_definition(definition_path)
    d = loaded.definition
    with SweepLock(loaded.state_dir, d.id):
        return await _run_locked(db, loaded, workers or d.workers, write_outputs)


async def _run_locked(db: Database, loaded: LoadedDefinition, workers: int, write_outputs: bool) -> dict[str, Any]:
    d = loaded.definition
    previous = await checkpoint.last_completed(db, d.id)
    fetched = {s.name: fetch_source(loaded, s, loaded.state_dir / "cache") for s in d.sources}
    checksums = {name: digest for name, (_, digest) in fetched.items()}

    sweep = await checkpoint.running_sweep(db, d.id)
    resumed = sweep is not None
    if sweep is not None:
        recorded = json.loads(sweep.get("source_checksums") or "{}")
        changed_since = [n for n in sweep.get("sources_ingested") or [] if recorded.get(n) != checksums.get(n)]
        if changed_since or sweep.get("definition_checksum") != loaded.checksum:
            # the world moved under the interrupted sweep: its partial results would mix versions
            sweep["status"] = "superseded"
            sweep["finished_at"] = utc_now_iso()
            await checkpoint.save_sweep(db, sweep)
            sweep, resumed = None, False
        else:
            sweep = {k: v for k, v in sweep.items() if not k.startswith("ev_") and k not in ("first_seen", "last_seen", "confidence")}
            sweep["source_checksums"] = recorded
            # started by a version that kept findings on the SweepResults: the rest go to files
            sweep.setdefault("results_dir", str(checkpoint.results_folder(loaded.state_dir, sweep["id"])))
    if sweep is None:
        as_of = (d.as_of.date if d.as_of.policy == "fixed" else date.today()).isoformat()
        sweep = checkpoint.new_sweep(d.id, loaded.checksum, as_of, d.packs, d.lists, loaded.state_dir)
        sweep["previous_id"] = previous["id"] if previous else None
        await checkpoint.save_sweep(db, sweep)
    log.info(json.dumps({"event": "sweep.start", "sweep": sweep["id"], "definition": d.id, "resumed": resumed}))
    try:
        return await _refresh_assess_complete(db, loaded, sweep, previous, fetched, resumed, workers, write_outputs)
    except KizunaError as exc:  # a source that cannot be read, a bad pack...: recorded, then raised
        sweep.update(status="failed", finished_at=utc_now_iso(), error=str(exc))
        await checkpoint.save_sweep(db, sweep)
        log.error(json.dumps({"event": "sweep.failed", "sweep": sweep["id"], "error": str(exc)}))
        raise


async def _refresh_assess_complete(db: Database, loaded: LoadedDefinition, sweep: dict[str, Any], previous: dict | None,
                                   fetched: dict[str, tuple[list[Path], str]], resumed: bool, workers: int,
                                   write_outputs: bool) -> dict[str, Any]:
    d = loaded.definition

    steps.check_packs(d.packs)

    # 3. sources: only what changed since the last completed sweep; each source is ingested and
    #    what it touched resolved before it is recorded as done (so a crash repeats both)
    before = json.loads(previous.get("source_checksums") or "{}") if previous else {}
    ingest_reports, resolve_report = [], []
    for source in d.sources:
        if source.name in (sweep.get("sources_ingested") or []):
            continue
        files, digest = fetched[source.name]
        if before.get(source.name) == digest:
            ingest_reports.append({"source": source.name, "unchanged": True})
        else:
            report = await steps.ingest_source(db, source.name, source.format, files, source.options, sweep["started_at"])
            ingest_reports.append(report.as_dict())
            resolve_report.append({"source": source.name} | await steps.resolve_incremental(db, report.touched_ids))
        sweep["source_checksums"][source.name] = digest
        sweep["sources_ingested"] = [*(sweep.get("sources_ingested") or []), source.name]
        await checkpoint.save_sweep(db, sweep)

    # 4. population, minus what this sweep already stored
    population = await _population(db, d)
    done = await sweep_queries.stored_subjects(db, sweep["id"])
    todo = [s for s in population if s not in done]
    sweep["population_size"] = len(population)
    await checkpoint.save_sweep(db, sweep)
    params = {"packs": d.packs, "lists": d.lists, "as_of": sweep["as_of"], "max_hops": d.max_hops, "batch_size": d.batch_size,
              "cache_weight": d.cache_weight}
    progress = Progress(sweep["id"], len(population), len(population) - len(todo))
    t0 = time.monotonic()
    try:
        if workers <= 1 or len(todo) <= d.batch_size:
            for chunk in steps.chunked(todo, d.batch_size):
                stored, _ = await assess_and_store(db, sweep, chunk, params)
                progress.update(stored)
        else:
            # One batch per task: a worker keeps its shared reads (steps.SweepReads) from task to
            # task, and when the population runs out no worker sits idle for longer than one batch
            # takes the other (chunks of five batches left one worker alone for ~25 s at the end).
            chunk_size = d.batch_size
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_worker,
                                     initargs=(db.settings,)) as pool:
                futures = [pool.submit(_worker_chunk, sweep, chunk, params) for chunk in steps.chunked(todo, chunk_size)]
                for fut in as_completed(futures):
                    stored, _ = fut.result()
                    progress.update(stored)
    finally:
        progress.close()
    elapsed = time.monotonic() - t0
    await checkpoint.remove_unreferenced_files(db, sweep)

    # 5. diff (subject by subject, a page at a time: a sweep's results are never all in memory),
    #    completion, outputs
    previous_id = previous["id"] if previous else None
    builder = DiffBuilder(previous_id, baseline=previous is None, keep=STORED_DIFF_ITEMS)
    writer = OutputWriter(loaded, sweep["id"]) if write_outputs else None
    subjects = errors = findings = 0
    tiers: Counter[str] = Counter()
    recommendations: Counter[str] = Counter()
    try:
        async for before, after in _paired_results(db, previous_id, sweep["id"]):
            changes = builder.add(before, after)
            if writer is not None:
                writer.add(after, changes)
            if after is None:
                continue
            subjects += 1
            findings += len(after["findings"])
            if after["status"] == "error":
                errors += 1
            else:
                tiers[after["tier"]] += 1
                recommendations[after["recommendation"]] += 1
    finally:
        if writer is not None:
            writer.close()
    diff = builder.result()
    counts = {
        "subjects": subjects,
        "assessed_this_run": len(todo),
        "resumed": resumed,
        "errors": errors,
        "findings": findings,
        "tiers": dict(sorted(tiers.items())),
        "recommendations": dict(sorted(recommendations.items())),
        "assess_seconds": round(elapsed, 2),
        "subjects_per_s": round(len(todo) / elapsed, 1) if elapsed > 0 and todo else None,
        "sources": ingest_reports,
        "resolve": resolve_report,
        "changes": diff["counts"],
    }
    sweep.update(status="completed", finished_at=utc_now_iso(), subjects_done=subjects, errors=errors, findings=findings, counts=counts)
    await checkpoint.save_sweep(db, sweep | {"diff": diff})
    sweep["diff"] = diff
    log.info(json.dumps({"event": "sweep.completed", "sweep": sweep["id"], "subjects": subjects, "errors": errors,
                         "changes": diff["counts"]}))
    record = {**sweep, "source_checksums": sweep["source_checksums"]}
    if writer is not None:
        record["outputs"] = await writer.finish(db, record)
    return record


async def _paired_results(db: Database, previous_id: str | None, current_id: str) -> AsyncIterator[tuple[dict | None, dict | None]]:
    """(previous result, current result) of every subject of either sweep: the current sweep a
    page at a time with the previous results of the same subjects, then the subjects only the
    previous sweep had. Paired by id, never by comparing ids across two streams: the database's
    string order is not Python's for every id.

    The garbage collector is paused for each page (kizuna.heap.collector_paused): decoding a
    page builds some 10^5 containers per subject that live until the page is diffed, and the
    collections they set off took three quarters of the diff's time (7.1 ms of 8.8 ms a subject
    on the bench graph, 2026-12-01)."""
    seen: set[str] = set()
    pages = sweep_queries.sweep_result_pages(db, current_id)
    while True:
        with collector_paused():  # from decoding a page until its last subject is diffed and the page dropped
            page = await anext(pages, None)
            if page is None:
                break
            ids = [r["subject_id"] for r in page]
            seen.update(ids)
            before = {r["subject_id"]: r for r in await sweep_queries.sweep_results(db, previous_id, ids)} if previous_id else {}
            for after in page:
                yield before.get(after["subject_id"]), after
            page = before = after = None
    if previous_id:
        dropped = sorted(await sweep_queries.stored_subjects(db, previous_id) - seen)
        for chunk in steps.chunked(dropped, sweep_queries.RESULTS_PAGE):
            with collector_paused():
                for before in await sweep_queries.sweep_results(db, previous_id, chunk):
                    yield before, None
                before = None


async def _population(db: Database, d) -> list[str]:
    if d.population.kind == "ids":
        return sorted(dict.fromkeys(d.population.ids))
    statement = "population_disclosures" if d.population.kind == "disclosures" else POPULATION_QUERIES[d.population.query]
    return await sweep_queries.population(db, statement)
