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
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from neo4j.exceptions import DriverError, TransientError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_after_delay, stop_all, wait_exponential
from tqdm import tqdm

from graph.db import Database
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord, rel_id
from ingest.base import list_watchlist_id, FileReport, IngestReport, Listing, ReadContext, Source
from kizuna.errors import DatabaseUnavailable, InvalidInput, KizunaError
from kizuna.ids import make_id

BATCH = 5000
# Parallel write transactions per phase. 1 by default: on 2 cores it measured no faster, and a
# file naming the same fact in two batches is only safe to MERGE from one transaction at a time.
CONCURRENCY = int(os.environ.get("KIZUNA_INGEST_CONCURRENCY", "1"))
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
    """Batches of facts pickled to a temporary file, read back in the same order."""

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

    async def run(self, source: Source, paths: list[Path]) -> IngestReport:
        report = IngestReport()
        started = time.perf_counter()
        self._resolvable: dict[str, None] = {}
        for path in _expand(paths):
            report.files.append(await self.ingest_file(source, path))
            await self.writer.flush_proximity()
        report.resolvable_ids = list(self._resolvable)
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
            nodes, rels = _Spill(tmp, "nodes"), _Spill(tmp, "rels")
            try:
                self._read_all(ctx, fr, nodes, rels)
            except KizunaError as exc:
                fr.status, fr.reason = "failed", f"unreadable, nothing written: {exc}"
                return fr
            except Exception as exc:  # noqa: BLE001 — any parser failure means the file is unreadable
                fr.status, fr.reason = "failed", f"unreadable, nothing written: {type(exc).__name__}: {exc}"
                return fr
            nodes.add(NodeRecord("Source", source_id, {
                "kind": source.name, "title": path.name, "checksum": checksum, "retrieved_at": mtime,
                "licence": source.licence, "uri": path.resolve().as_uri(),
            }, ctx.ev("file", path.name)))
            if ctx.watchlist_id:
                rels.add(RelRecord("PUBLISHED", source_id, ctx.watchlist_id, {}, ctx.ev("file", path.name)))
            await self._write_all(ctx, fr, nodes, rels)
        fr.status = "ok"
        return fr

    # -- phase 1: parse and convert everything, write nothing ---------------------------------

    def _read_all(self, ctx: ReadContext, fr: FileReport, nodes: _Spill, rels: _Spill) -> None:
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
                facts = list(source.convert(ctx, locator, raw))
                for fact in facts:
                    self._validate(fact)
            except (InvalidInput, KeyError, ValueError, TypeError, AttributeError) as exc:
                fr.skip(locator, _reason(exc))
                continue
            for fact in facts:
                if isinstance(fact, NodeRecord):
                    if _seen_recently(recent, fact):
                        continue
                    nodes.add(fact)
                else:
                    rels.add(fact)
        bar.close()
        fr.unmapped_fields.update(ctx.unmapped)
        if source.preamble:
            for fact in source.preamble(ctx):
                self._validate(fact)
                (nodes if isinstance(fact, NodeRecord) else rels).add(fact)

    def _validate(self, fact: Any) -> None:
        """The writer's own model check, run before anything is written."""
        if isinstance(fact, NodeRecord):
            self.writer._node_row(fact)
        elif isinstance(fact, RelRecord):
            self.writer._rel_row(fact)
        elif isinstance(fact, Listing):
            self.writer._rel_row(RelRecord("LISTED_ON", fact.entity_id, fact.watchlist_id, fact.props, fact.evidence))
        else:
            raise TypeError(f"a converter yielded {type(fact).__name__}, not a fact")

    # -- phase 2: write ---------------------------------------------------------------------

    async def _write_all(self, ctx: ReadContext, fr: FileReport, nodes: _Spill, rels: _Spill) -> None:
        older = await self._is_older_version(ctx)
        bar = _progress(desc=f"write {ctx.path.name}", unit=" fact", total=nodes.count + rels.count)

        async def write_nodes(batch: list[NodeRecord]) -> None:
            await _retrying(ctx, _write_nodes, batch)

        async def write_rels(batch: list[Any]) -> None:
            await _retrying(ctx, _write_rels, batch)

        async def _write_nodes(batch: list[NodeRecord]) -> None:
            if older:
                batch = [_without_version(n) if n.label == "Watchlist" else n for n in batch]
            result = await self.writer.write_nodes(batch)
            fr.nodes_written += result.nodes
            self._resolvable.update((n.id, None) for n in batch if n.label in ("Person", "Organization"))
            bar.update(len(batch))

        async def _write_rels(batch: list[Any]) -> None:
            plain = [r for r in batch if isinstance(r, RelRecord)]
            plain += await self._listing_records(ctx, [r for r in batch if isinstance(r, Listing)], older)
            result = await self.writer.write_relationships(plain)
            fr.relationships_written += result.relationships
            fr.missing_endpoints += len(result.missing_endpoints)
            bar.update(len(batch))

        # Nodes before relationships (endpoints must exist); within each phase up to
        # ``concurrency`` batches run in parallel transactions.
        await _bounded(nodes.batches(), write_nodes, self.concurrency)
        await _bounded(rels.batches(), write_rels, self.concurrency)
        bar.close()
        if ctx.watchlist_id and ctx.published and not older and not self.options.get("partial"):
            fr.listings_ended = await self._end_missing(ctx)

    async def _is_older_version(self, ctx: ReadContext) -> bool:
        if not (ctx.watchlist_id and ctx.published):
            return False
        rows = await self.db.read(_statements()["watchlist_published"], {"id": ctx.watchlist_id})
        stored = rows[0]["published"] if rows else None
        return bool(stored and stored > ctx.published)

    async def _listing_records(self, ctx: ReadContext, listings: list[Listing], older: bool) -> list[RelRecord]:
        if not listings:
            return []
        ids = [rel_id("LISTED_ON", li.entity_id, li.watchlist_id) for li in listings]
        existing = {row["id"]: row for row in await self.db.read(_statements()["existing_listings"], {"ids": ids})}
        out = []
        for li, rid in zip(listings, ids):
            props = dict(li.props)
            if ctx.published and li.watchlist_id == ctx.watchlist_id:
                known = existing.get(rid)
                if not older and not (known and known.get("last_listed") and known["last_listed"] > ctx.published):
                    props["last_listed"] = ctx.published
                if "start" not in props and not (known and known.get("start")) and not older:
                    props["start"] = ctx.published
            out.append(RelRecord("LISTED_ON", li.entity_id, li.watchlist_id, props, li.evidence))
        return out

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
            records = [RelRecord("LISTED_ON", r["entity"], ctx.watchlist_id, {"end": ctx.published}, evidence) for r in rows]
            result = await self.writer.write_relationships(records)
            ended += result.relationships


RECENT_NODES = 50_000


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


async def _bounded(batches: Iterable[list[Any]], work: Callable[[list[Any]], Awaitable[None]], limit: int) -> None:
    """Run ``work`` over the batches with at most ``limit`` in flight (memory: limit batches)."""
    pending: set[asyncio.Task] = set()
    for batch in batches:
        if len(pending) >= limit:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        pending.add(asyncio.create_task(work(batch)))
    if pending:
        for task in await asyncio.gather(*pending, return_exceptions=True):
            if isinstance(task, BaseException):
                raise task


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
