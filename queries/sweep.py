"""Sweep reads: sweeps and their results (for the CLI and the GraphQL `sweep`/`sweeps`
operations) and named populations. (A sweep assesses through queries.assess.assess_many.)
"""

from __future__ import annotations

import asyncio
import json
import os
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import zstandard

from graph.db import Database
from kizuna.errors import ResultsUnreadable
from queries.cypher import cypher


def _decode(sweep: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in sweep.items() if not k.startswith("ev_") and k not in ("first_seen", "last_seen", "confidence")}
    for key in ("diff", "counts", "source_checksums"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


async def get_sweep(db: Database, sweep_id: str) -> dict[str, Any] | None:
    """One sweep with its counts, source checksums and diff (decoded), or None."""
    rows = await db.read(cypher("sweep", "sweep_by_id"), {"id": sweep_id})
    return _decode(rows[0]["sweep"]) if rows else None


async def list_sweeps(db: Database, definition_id: str | None = None, *, limit: int = 50, skip: int = 0) -> list[dict]:
    """Sweeps, newest first, optionally of one definition (without their diff, which can be large)."""
    rows = await db.read(cypher("sweep", "sweeps"), {"definition_id": definition_id, "limit": limit, "skip": skip})
    out = []
    for r in rows:
        sweep = _decode(r["sweep"])
        sweep.pop("diff", None)
        out.append(sweep)
    return out


async def count_sweeps(db: Database, definition_id: str | None = None) -> int:
    return (await db.read(cypher("sweep", "count_sweeps"), {"definition_id": definition_id}))[0]["total"]


# Results per page. A researcher's result decodes to ~1 MB on the bench graph, a project's (its
# team's findings together) to several: with pages of 500 the diff's memory rose to 4.2 GB on
# the pages of projects at the end of a 100k sweep, and stayed near 1.1 GB before them.
RESULTS_PAGE = 100


async def stored_subjects(db: Database, sweep_id: str) -> set[str]:
    """The subjects whose results a sweep has stored (the checkpoint a resumed sweep skips)."""
    return {r["subject_id"] for r in await db.read(cypher("sweep", "done_subjects"), {"sweep_id": sweep_id})}


async def sweep_result_pages(db: Database, sweep_id: str, page: int = RESULTS_PAGE) -> AsyncIterator[list[dict[str, Any]]]:
    """Every subject's stored result of a sweep, findings decoded, a page at a time: the pages in
    the order of the subject ids, each page in the database's order of its ids. Why paged: a
    result decodes to ~1 MB on the listing-dense bench graph (a project's to several), so a sweep
    of 100k subjects cannot be held at once.

    The sweep's subject ids are read once and each page is asked for by its ids. Why not by
    position (SKIP): the server walks past every earlier result for each page, so reading a sweep
    takes time quadratic in its size. Why not "after this id": Neo4j 5.26 orders ids beyond the
    Basic Multilingual Plane differently in an index-backed ORDER BY and in a `>` comparison, and
    such a page repeated a subject (tests/test_sweep_diff.py).

    The next page is read while the caller uses this one (two pages in memory): otherwise the
    server and this process take turns, each idle while the other works."""
    ids = sorted(await stored_subjects(db, sweep_id))
    pages = [ids[start : start + page] for start in range(0, len(ids), page)]
    ahead: asyncio.Future | None = None
    try:
        for i, subjects in enumerate(pages):
            rows = await (ahead if ahead is not None else _read_results(db, sweep_id, subjects))
            ahead = None
            if i + 1 < len(pages):
                ahead = asyncio.ensure_future(_read_results(db, sweep_id, pages[i + 1]))
                await asyncio.sleep(0)  # let it send its request before the caller takes the CPU
            if rows:
                yield rows
    finally:
        if ahead is not None:
            ahead.cancel()


async def sweep_results(db: Database, sweep_id: str, subject_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The stored results of a sweep (of ``subject_ids`` only, when given), findings decoded, in
    the order of ``sweep_result_pages``. Whole sweeps are for small ones: see
    ``sweep_result_pages``."""
    if subject_ids is None:
        return [r async for rows in sweep_result_pages(db, sweep_id) for r in rows]
    return await _read_results(db, sweep_id, list(subject_ids))


async def _read_results(db: Database, sweep_id: str, subjects: list[str]) -> list[dict[str, Any]]:
    rows = await db.read(cypher("sweep", "sweep_results"), {"sweep_id": sweep_id, "subjects": subjects})
    with _ResultsFiles(sweep_id) as files:
        for r in rows:
            results_dir, name = r.pop("results_dir"), r.pop("findings_file")
            offset, length = r.pop("findings_offset"), r.pop("findings_length")
            stored = files.frame(results_dir, name, offset, length) if name else r.get("findings")
            try:
                r["findings"] = decode_findings(stored)
            except (zstandard.ZstdError, zlib.error, orjson.JSONDecodeError) as exc:
                raise ResultsUnreadable(f"sweep {sweep_id}: the stored findings of {r['subject_id']} are damaged ({exc})",
                                        hint=f"restore {'its results file ' + name if name else 'the graph'} from the last backup") from exc
    return rows


class _ResultsFiles:
    """The results files one page of results reads from, each opened once (a batch's subjects
    share a file; a page of 100 subjects spans some tens of files)."""

    def __init__(self, sweep_id: str):
        self.sweep_id = sweep_id
        self.open: dict[Path, int] = {}

    def __enter__(self) -> _ResultsFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self.open.values():
            os.close(fd)

    def frame(self, results_dir: str | None, name: str, offset: int, length: int) -> bytes:
        if not results_dir:
            raise ResultsUnreadable(f"sweep {self.sweep_id}: its results name the file {name} but the sweep records no results folder")
        path = Path(results_dir) / name
        if path not in self.open:
            try:
                self.open[path] = os.open(path, os.O_RDONLY)
            except OSError as exc:
                raise ResultsUnreadable(f"sweep {self.sweep_id}: cannot read its results file {path}: {exc.strerror}",
                                        hint="a sweep's results folder must be kept (and backed up) with the graph") from exc
        data = os.pread(self.open[path], length, offset)
        if len(data) != length:
            raise ResultsUnreadable(f"sweep {self.sweep_id}: its results file {path} is shorter than recorded",
                                    hint="restore it from the backup taken with the graph")
        return data


def decode_findings(stored: bytes | str | None) -> list[dict[str, Any]]:
    """A subject's stored findings (ingest.sweep.checkpoint.encode_findings: JSON compressed with
    Zstandard, from a results file). Older sweeps, which a new sweep still diffs against, hold
    them on the SweepResult: Zstandard (stored on 2026-12-02), zlib-compressed JSON (before) or
    the JSON text itself (before 2026-12-01)."""
    if not stored:
        return []
    if isinstance(stored, str):
        return orjson.loads(stored)
    return orjson.loads(_UNZSTD.decompress(stored) if stored[:4] == _ZSTD_MAGIC else zlib.decompress(stored))


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # the first bytes of every Zstandard frame (zlib's start with 0x78)
_UNZSTD = zstandard.ZstdDecompressor()


async def population(db: Database, statement: str) -> list[str]:
    """Subject ids of a named population statement (allow-listed in ingest/sweep/definition.py)."""
    return [r["id"] for r in await db.read(cypher("sweep", statement))]
