"""Runs a Source over files: read everything to a spill, then write it in batches.

Guarantees, and how they are kept:
- A file that cannot be parsed at all writes NOTHING: phase 1 reads and converts the whole file
  into a temporary on-disk spill; only when the reader reached the end without a file-level error
  does phase 2 start writing.
- Bounded memory: phase 1 keeps one batch in memory and appends it to the spill; phase 2 reads
  one batch back at a time. Input size only changes the spill's size on disk.
- A malformed record is reported (locator + reason) and skipped; the rest goes in.
- Re-running the same file changes nothing: ids are deterministic, the source id is the file's
  checksum, the observation time is the file's modification time, so every evidence key is the
  same as before and the writer's MERGE adds nothing.
- A newer version of a list: entries are written with ``last_listed`` = the version's date and,
  when new, ``start`` = that date; afterwards the listings of that watchlist whose
  ``last_listed`` is older and that have no ``end`` get ``end`` = the new version's date,
  through the writer, with evidence naming the version they are absent from. Nothing is deleted.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import pickle
import re
import sys
import tempfile
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timezone
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, BinaryIO

from neo4j.exceptions import DriverError, TransientError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_after_delay, stop_all, wait_exponential
from tqdm import tqdm

from graph.db import Database
from graph.provenance import Evidence
from graph.schema import refresh_search_index
from graph.writer import GraphWriter, NodeRecord, RelRecord, rel_id
from ingest.base import list_watchlist_id, FileReport, IngestReport, Listing, ReadContext, Source
from kizuna.errors import DatabaseUnavailable, InvalidInput, KizunaError
from kizuna.ids import make_id

BATCH = 10_000
# Write transactions running at once. Each writes one partition of the rows, cut by id (listings
# by entity and watchlist), so no fact is ever written by two transactions at once: the evidence
# append reads a fact's lists and writes them back, and its correctness then never rests on how
# the server locks a read-modify-write; nor do two transactions wait on each other's facts.
# 2 on 2 cores: Neo4j runs a transaction on one core, and the Python side (reading the spill,
# sending rows) overlaps with the server's work.
CONCURRENCY = int(os.environ.get("KIZUNA_INGEST_CONCURRENCY", "2"))
_NAME = re.compile(r"^//\s*name:\s*(\S+)\s*$", re.M)


@lru_cache(maxsize=None)
def _statements() -> dict[str, str]:
    text = (Path(__file__).with_name("listings.cypher")).read_text(encoding="utf-8")
    parts = _NAME.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def file_identity(path: Path) -> tuple[str, str]:
    """(sha256 of the content, modification time as ISO 8601): what makes re-runs identical."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(microsecond=0).isoformat()
    return sha.hexdigest(), mtime


class _Spill:
    """Batches of prepared rows pickled to a temporary file, read back in the same order."""

    def __init__(self, directory: str, name: str):
        self.path = Path(directory) / name
        self._fh: BinaryIO = self.path.open("wb")
        self._batch: list[Any] = []
        self.count = 0

    def add(self, item: Any) -> None:
        self._batch.append(item)
        self.count += 1
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            pickle.dump(self._batch, self._fh, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def batches(self) -> Iterator[list[Any]]:
        self._flush()
        self._fh.close()
        with self.path.open("rb") as fh:
            while True:
                try:
                    yield pickle.load(fh)
                except EOFError:
                    return


class _Spills:
    """One spill per node label, relationship type and for listings — every batch then holds
    rows of a single Cypher statement, planned once and sent whole (no regrouping) — and per
    partition: the rows of one fact always land in the same partition (``partition_of``), and
    partitions are what run in parallel."""

    def __init__(self, directory: str, partitions: int = 1):
        self.directory = directory
        self.partitions = max(1, partitions)
        self.by_key: dict[tuple[str, str], list[_Spill | None]] = {}

    def add(self, kind: str, name: str, row: dict) -> None:
        parts = self.by_key.get((kind, name))
        if parts is None:
            parts = self.by_key[(kind, name)] = [None] * self.partitions
        p = partition_of(kind, row, self.partitions)
        spill = parts[p]
        if spill is None:
            spill = parts[p] = _Spill(self.directory, f"{kind}-{name}-{p}")
        spill.add(row)

    @property
    def count(self) -> int:
        return sum(s.count for parts in self.by_key.values() for s in parts if s)

    def of(self, kind: str) -> list[tuple[str, list[_Spill]]]:
        """(label or type, its non-empty partitions) of one kind of row."""
        return [(name, [s for s in parts if s]) for (k, name), parts in self.by_key.items() if k == kind]


def partition_of(kind: str, row: dict, partitions: int) -> int:
    """The partition of a row: by the fact's id, so one fact is never in two partitions. A listing
    row is placed by its entity and watchlist instead, because phase 2 may give it the id of an
    existing listing period, which another row of the same pair may get as well."""
    if partitions == 1:
        return 0
    key = f"{row['start']}|{row['end']}" if kind == "listing" else row["id"]
    return zlib.crc32(key.encode("utf-8")) % partitions


def _progress(**kwargs: Any) -> tqdm:
    return tqdm(disable=not sys.stderr.isatty(), leave=False, **kwargs)


class Ingestor:
    """Ingests files of one Source into the graph; one instance per run."""

    def __init__(self, db: Database, *, writer: GraphWriter | None = None, options: dict[str, Any] | None = None,
                 concurrency: int = CONCURRENCY):
        self.db = db
        self.concurrency = max(1, concurrency)
        # Concern proximity is brought up to date once per file, not after every batch.
        self.writer = writer or GraphWriter(db, batch_size=BATCH, defer_proximity=True)
        self.options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
        self._resolvable: dict[str, None] = {}  # ids of persons/organizations written, in order
        self._resolvable_overflow = False  # more than RESOLVABLE_KEPT: memory stays flat, resolve all changed

    async def run(self, source: Source, paths: list[Path]) -> IngestReport:
        report = IngestReport()
        started = time.perf_counter()
        self._resolvable: dict[str, None] = {}
        self._resolvable_overflow = False
        for path in _expand(paths):
            report.files.append(await self.ingest_file(source, path))
            await self.writer.flush_proximity()
        report.resolvable_ids = list(self._resolvable)
        report.resolve_all_changed = self._resolvable_overflow
        report.seconds = time.perf_counter() - started
        return report

    async def ingest_file(self, source: Source, path: Path) -> FileReport:
        fr = FileReport(path=str(path), source=source.name)
        try:
            checksum, mtime = file_identity(path)
        except OSError as exc:
            fr.status, fr.reason = "failed", f"cannot open: {exc.strerror or exc}"
            return fr
        source_id = make_id("src", source.name, checksum)
        fr.source_id = source_id
        ctx = ReadContext(path=path, source=source, source_id=source_id, observed_at=mtime, options=dict(self.options))
        if source.watchlist_key:
            ctx.watchlist_id = list_watchlist_id(self.options.get("list_key") or source.watchlist_key)
        with tempfile.TemporaryDirectory(prefix="kizuna-ingest-") as tmp:
            spills = _Spills(tmp, self.concurrency)
            try:
                self._read_all(ctx, fr, spills)
            except KizunaError as exc:
                fr.status, fr.reason = "failed", f"unreadable, nothing written: {exc}"
                return fr
            except Exception as exc:  # noqa: BLE001 — any parser failure means the file is unreadable
                fr.status, fr.reason = "failed", f"unreadable, nothing written: {type(exc).__name__}: {exc}"
                return fr
            self._spill(spills, NodeRecord("Source", source_id, {
                "kind": source.name, "title": path.name, "checksum": checksum, "retrieved_at": mtime,
                "licence": source.licence, "uri": path.resolve().as_uri(),
            }, ctx.ev("file", path.name)))
            if ctx.watchlist_id:
                self._spill(spills, RelRecord("PUBLISHED", source_id, ctx.watchlist_id, {}, ctx.ev("file", path.name)))
            await self._write_all(ctx, fr, spills)
        fr.status = "ok"
        return fr

    # -- phase 1: parse and convert everything, write nothing ---------------------------------

    def _read_all(self, ctx: ReadContext, fr: FileReport, spills: _Spills) -> None:
        source = ctx.source
        recent: dict[int, None] = {}  # fingerprints of recent node facts: exact repeats are no-ops
        bar = _progress(desc=f"read {ctx.path.name}", unit=" rec")
        for locator, raw in source.read(ctx):
            fr.records_read += 1
            bar.update()
            if source.mapped_fields and isinstance(raw, dict):
                for key, value in raw.items():
                    if key not in source.mapped_fields and value not in (None, "", [], {}):
                        fr.unmapped_fields[key] += 1
            try:
                # Validated and turned into the writer's rows here, once: phase 2 only sends them.
                rows = [self._prepare(fact) for fact in source.convert(ctx, locator, raw)
                        if not (isinstance(fact, NodeRecord) and _seen_recently(recent, fact))]
            except (InvalidInput, KeyError, ValueError, TypeError, AttributeError) as exc:
                fr.skip(locator, _reason(exc))
                continue
            for kind, name, row in rows:
                spills.add(kind, name, row)
        bar.close()
        fr.unmapped_fields.update(ctx.unmapped)
        if source.preamble:
            for fact in source.preamble(ctx):
                self._spill(spills, fact)

    def _prepare(self, fact: Any) -> tuple[str, str, dict]:
        """(spill kind, label or type, the writer's validated row) of one fact."""
        if isinstance(fact, NodeRecord):
            return "node", fact.label, self.writer.node_row(fact)
        if isinstance(fact, RelRecord):
            return "rel", fact.type, self.writer.rel_row(fact)
        if isinstance(fact, Listing):
            return "listing", "LISTED_ON", self.writer.rel_row(
                RelRecord("LISTED_ON", fact.entity_id, fact.watchlist_id, fact.props, fact.evidence))
        raise TypeError(f"a converter yielded {type(fact).__name__}, not a fact")

    def _spill(self, spills: _Spills, fact: Any) -> None:
        spills.add(*self._prepare(fact))

    # -- phase 2: write ---------------------------------------------------------------------

    async def _write_all(self, ctx: ReadContext, fr: FileReport, spills: _Spills) -> None:
        older = await self._is_older_version(ctx)
        bar = _progress(desc=f"write {ctx.path.name}", unit=" fact", total=spills.count)

        async def write_nodes(label: str, rows: list[dict]) -> None:
            if older and label == "Watchlist":
                for row in rows:
                    row["props"] = {k: v for k, v in row["props"].items() if k not in ("version", "published")}
            result = await self.writer.write_node_rows(label, rows, refresh=False)
            fr.nodes_written += result.nodes
            if label in ("Person", "Organization") and not self._resolvable_overflow:
                self._resolvable.update((row["id"], None) for row in rows)
                if len(self._resolvable) > RESOLVABLE_KEPT:
                    self._resolvable, self._resolvable_overflow = {}, True
            bar.update(len(rows))

        async def write_rels(rel_type: str, rows: list[dict]) -> None:
            result = await self.writer.write_rel_rows(rel_type, rows)
            fr.relationships_written += result.relationships
            fr.missing_endpoints += len(result.missing_endpoints)
            bar.update(len(rows))

        async def write_listings(rel_type: str, rows: list[dict]) -> None:
            await self._listing_rows(ctx, rows, older)
            await write_rels(rel_type, rows)

        # Nodes before relationships (endpoints must exist); within each phase the partitions
        # run in parallel transactions, each its batches in order.
        for kind, work in (("node", write_nodes), ("rel", write_rels), ("listing", write_listings)):
            for name, partitions in spills.of(kind):
                await _in_parallel([_in_order(spill.batches(), partial(_retrying, ctx, partial(work, name)))
                                    for spill in partitions])
        if any(self.writer.needs_refresh([name]) for name, _ in spills.of("node")):
            await refresh_search_index(self.db)
        bar.close()
        if ctx.watchlist_id and ctx.published and not older and not self.options.get("partial"):
            fr.listings_ended = await self._end_missing(ctx)

    async def _is_older_version(self, ctx: ReadContext) -> bool:
        if not (ctx.watchlist_id and ctx.published):
            return False
        rows = await self.db.read(_statements()["watchlist_published"], {"id": ctx.watchlist_id})
        stored = rows[0]["published"] if rows else None
        return bool(stored and stored > ctx.published)

    async def _listing_rows(self, ctx: ReadContext, rows: list[dict], older: bool) -> None:
        """Adds what depends on the graph's state to listing rows of this file's watchlist.

        Each listing PERIOD is one LISTED_ON relationship: an entry present in this version
        continues the period that covers the version's date (or the open one), getting
        ``last_listed`` = this version and ``start`` when new; an entry whose every earlier
        period has ended (it was removed, and is listed again) gets a NEW period keyed by this
        version's date, so "as of" answers listed / not listed / listed again correctly."""
        if not ctx.published:
            return
        mine = [row for row in rows if row["end"] == ctx.watchlist_id]
        periods: dict[str, list[dict]] = {}
        found = await self.db.read(_statements()["listing_periods"],
                                   {"entities": list({row["start"] for row in mine}), "watchlist": ctx.watchlist_id})
        for period in found:
            periods.setdefault(period["entity"], []).append(period)
        for row in mine:
            props = row["props"]
            known = _period_for(periods.get(row["start"], []), props, ctx.published, older)
            if known is None and periods.get(row["start"]):
                # Listed again after removal: a new period, its own relationship.
                row["id"] = rel_id("LISTED_ON", row["start"], row["end"], ctx.published)
                props.setdefault("start", ctx.published)
            elif known is not None:
                row["id"] = known["id"]
            if not older and not (known and known.get("last_listed") and known["last_listed"] > ctx.published):
                props["last_listed"] = ctx.published
            if "start" not in props and not (known and known.get("start")) and not older:
                props["start"] = ctx.published

    async def _end_missing(self, ctx: ReadContext) -> int:
        """Listings absent from this (newer) version get ``end`` = its date; never deleted."""
        ended, previous = 0, None
        evidence = Evidence(
            source_id=ctx.source_id,
            locator=f"absent from the list version of {ctx.published}",
            observed_at=ctx.observed_at,
            method="list-version-diff",
            text=ctx.path.name,
        )
        while True:
            rows = await self.db.read(
                _statements()["stale_listings"],
                {"watchlist": ctx.watchlist_id, "published": ctx.published, "limit": BATCH},
            )
            ids = [r["id"] for r in rows]
            if not rows or ids == previous:
                return ended
            previous = ids
            updates = []
            for r in rows:
                row = self.writer.rel_row(RelRecord("LISTED_ON", r["entity"], ctx.watchlist_id, {"end": ctx.published}, evidence))
                row["id"] = r["id"]  # the open period, which may be a later one than the first
                updates.append(row)
            result = await self.writer.write_rel_rows("LISTED_ON", updates)
            ended += result.relationships


RECENT_NODES = 50_000
# Ids of written persons/organizations kept for resolution after the run; past this many the
# run asks for resolution of every new or changed node instead (memory flat as input grows).
RESOLVABLE_KEPT = 100_000


# Neo4j gone mid-ingest (restart, network): each batch is retried with exponential backoff for this
# long, then the run stops with a clear error. Every write is an idempotent MERGE, so re-running the
# same command afterwards completes the graph exactly as an uninterrupted run would have.
RETRY_SECONDS = float(os.environ.get("KIZUNA_INGEST_RETRY_SECONDS", "60"))
# At least this many attempts, however long each takes: one attempt can use the whole budget (the
# driver itself retries a dead connection for up to 15 s, longer on a loaded machine), and then the
# run stopped without a single backoff retry.
MIN_ATTEMPTS = 3
_UNAVAILABLE = (DatabaseUnavailable, DriverError, TransientError, OSError)


def _retriable(exc: BaseException) -> bool:
    """Neo4j unreachable. (Batches racing to create the same id are settled inside graph.writer.)"""
    return isinstance(exc, _UNAVAILABLE)


async def _retrying(ctx: ReadContext, write: Callable[[list[Any]], Awaitable[None]], batch: list[Any]) -> None:
    def note(state) -> None:
        print(f"kizuna ingest: Neo4j unavailable while writing {ctx.path.name} ({state.outcome.exception()}); "
              f"retry {state.attempt_number} in {state.next_action.sleep:.1f} s", file=sys.stderr)

    try:
        async for attempt in AsyncRetrying(retry=retry_if_exception(_retriable),
                                           stop=stop_all(stop_after_delay(RETRY_SECONDS), stop_after_attempt(MIN_ATTEMPTS)),
                                           wait=wait_exponential(multiplier=0.5, max=8),
                                           before_sleep=note, reraise=True):
            with attempt:
                await write(batch)
    except _UNAVAILABLE as exc:
        raise DatabaseUnavailable(
            f"Neo4j stayed unreachable for {RETRY_SECONDS:.0f} s ({MIN_ATTEMPTS} attempts or more) while writing {ctx.path.name}: {exc}",
            hint="nothing is lost: run the same command again once Neo4j is back (writes are idempotent)") from exc


async def _in_order(batches: Iterator[list[Any]], work: Callable[[list[Any]], Awaitable[None]]) -> None:
    """Run ``work`` over the batches one after the other (memory: one batch per partition).
    The batch is read back on the event loop, where the other partitions' transactions keep the
    server busy meanwhile: with a reader thread per partition the process used ~40 % more CPU
    (contention for the interpreter lock) and the 100k list was not written faster."""
    for batch in batches:
        await work(batch)


async def _in_parallel(jobs: list[Awaitable[None]]) -> None:
    """Run the jobs at once; the first failure is raised once all have stopped, so no write is
    left running behind an error report."""
    for outcome in await asyncio.gather(*jobs, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome


def _period_for(periods: list[dict], props: dict, published: str, older: bool) -> dict | None:
    """The listing period a row of a version dated ``published`` continues: the one with the
    start the source states, else the one covering that date, else (newest version) the open
    one. None — a new period — only when every period has ended and this version lists the
    entry again without stating an end itself (sources with per-row dates keep their periods)."""
    if props.get("start"):
        same = next((p for p in periods if p["start"] == props["start"]), None)
        if same:
            return same
    for period in periods:
        if (not period["start"] or period["start"] <= published) and (not period["end"] or period["end"] > published):
            return period
    if not older:
        current = next((p for p in periods if not p["end"]), None)
        if current or not props.get("end"):
            return current
    return periods[0] if periods else None


def _seen_recently(recent: dict[int, None], node: NodeRecord) -> bool:
    """True when the same node fact (id, properties, evidence key) was spilled recently: a
    file that names the same funder or stub on every row then writes it once. Bounded memory."""
    fingerprint = hash((node.id, node.evidence.key, repr(sorted(node.props.items()))))
    if fingerprint in recent:
        return True
    if len(recent) >= RECENT_NODES:
        recent.clear()
    recent[fingerprint] = None
    return False


def _without_version(node: NodeRecord) -> NodeRecord:
    props = {k: v for k, v in node.props.items() if k not in ("version", "published")}
    return NodeRecord(node.label, node.id, props, node.evidence)


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc}"
    if isinstance(exc, KizunaError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def _expand(paths: list[Path]) -> Iterator[Path]:
    """Files as given; a directory stands for the files directly inside it, sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        else:
            yield path


async def ingest(db: Database, source: Source | str, paths: list[Path | str], **options: Any) -> IngestReport:
    """Ingest ``paths`` as ``source``: the entry point of the CLI, the demo and the tests."""
    from ingest.registry import get_source

    src = get_source(source) if isinstance(source, str) else source
    return await Ingestor(db, options=options).run(src, [Path(p) for p in paths])
