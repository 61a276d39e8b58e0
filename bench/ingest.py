"""Ingest benchmark: all of ../shared/data end to end, then a generated list file at growing
sizes (10k, 100k, 1M records by default) for scaling.

Three parts: (1) all shared data end to end; (2) generated lists end to end (write sizes,
default 10k, 100k and 1M); (3) generated lists through phase 1 only (parse sizes, default 10k, 100k
and 1M): read, convert, validate and spill, to show that memory stays flat as input grows.

What a "fact" is: one node or one relationship written by graph.writer with its property set
and its evidence entry (created, or merged into an existing one). A METI-format list record is
two facts: the Organization node and its LISTED_ON relationship. The Source node and PUBLISHED
relationship of each file count too; entity resolution after an ingest is not part of the
figures (the CLI runs it afterwards).

Prints, per run: records/s, facts/s and peak RSS, with the load average beside them;
each generated size runs in its own process so peak memory is per size ("flat as input grows"
means the peak RSS stays about the same while the input grows 100x). The baseline, measured in
the same run on the same server, is a raw ``UNWIND ... CREATE`` of as many plain nodes and
relationships without provenance; the ratio is ingest facts/s over raw rows/s.

Generated files go to a temporary folder and are deleted afterwards (never committed).

Usage:
  PYTHONPATH=$PWD .venv/bin/python bench/ingest.py [--sizes 10000,100000] [--parse-sizes 10000,100000,1000000] [--skip-shared]
Uses NEO4J_URI when set, else starts a private Neo4j (graph/server.py) in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.harness import free_port, host_probe, peak_rss_mb  # noqa: E402
from graph import server  # noqa: E402
from graph.db import Database  # noqa: E402
from graph.schema import apply_schema  # noqa: E402
from kizuna.settings import Settings  # noqa: E402

SHARED = REPO.parent / "shared" / "data"


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def settings_from_env() -> Settings:
    return Settings() if os.environ.get("NEO4J_URI") else Settings(
        neo4j_home=Path(os.environ["KIZUNA_NEO4J_HOME"]), neo4j_bolt_port=int(os.environ["KIZUNA_NEO4J_BOLT_PORT"]))


async def wipe(db: Database) -> None:
    async with db.driver.session(database=db.database) as session:
        result = await session.run("MATCH (n) WHERE NOT n:KizunaSchema CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        await result.consume()


def generate_list(path: Path, count: int) -> None:
    """A METI-format list with ``count`` entries (names and aliases in two scripts)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write("no,country_ja,country_en,name,aliases,wmd_type_ja,wmd_type_code,conventional_weapons\n")
        for i in range(count):
            fh.write(f"{i + 1},イラン,Iran,Generated Entity {i:07d} Co. Ltd.,GE{i:07d} | 生成組織{i:07d},核,N,\n")


# -- one ingest run in this process (called in a subprocess per generated size) ---------------

async def run_one(source: str, path: str) -> dict:
    from ingest.runner import ingest

    db = Database(settings_from_env())
    started = time.perf_counter()
    report = await ingest(db, source, [Path(path)])
    seconds = time.perf_counter() - started
    await db.close()
    return {"records": report.total("records_read"), "facts": report.total("facts_written"), "seconds": seconds,
            "peak_rss_mb": peak_rss_mb(), "ok": report.ok}


@contextmanager
def spilled(source: str, path: str, partitions: int):
    """Phase 1 of one file (read, convert, validate, spill to a temporary folder), without a
    database: yields its FileReport and the spills, removed on exit."""
    from graph.model import load_model
    from graph.writer import GraphWriter
    from ingest.base import FileReport, ReadContext
    from ingest.registry import get_source
    from ingest.runner import Ingestor, _Spills

    src = get_source(source)
    ingestor = Ingestor.__new__(Ingestor)
    ingestor.writer = GraphWriter.__new__(GraphWriter)
    ingestor.writer.model = load_model()
    ingestor.options = {}
    ctx = ReadContext(path=Path(path), source=src, source_id="src:bench", observed_at="2025-01-01T00:00:00+00:00")
    ctx.watchlist_id = "wl:bench"
    report = FileReport(path=path, source=source)
    with tempfile.TemporaryDirectory() as tmp:
        spills = _Spills(tmp, partitions)
        ingestor._read_all(ctx, report, spills)
        yield report, spills


def parse_one(source: str, path: str) -> dict:
    """Phase 1 alone: the part whose memory must stay flat however big the file is."""
    from ingest.runner import CONCURRENCY

    started = time.perf_counter()
    with spilled(source, path, CONCURRENCY) as (report, spills):
        count = sum(len(b) for parts in spills.by_key.values() for spill in parts if spill for b in spill.batches())
    return {"records": report.records_read, "facts": count, "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb(), "ok": True}


async def raw_baseline(db: Database, rows: int) -> float:
    """Rows/s of a raw UNWIND CREATE of ``rows`` nodes + ``rows`` relationships (no provenance)."""
    batch = 10_000
    started = time.perf_counter()
    for i in range(0, rows, batch):
        data = [{"id": f"raw{j}", "name": f"Raw {j}"} for j in range(i, min(rows, i + batch))]
        await db.write("UNWIND $rows AS row CREATE (n:BenchRaw {id: row.id, name: row.name})", {"rows": data})
    await db.write("MERGE (:BenchRawHub {id: 'hub'})")
    for i in range(0, rows, batch):
        ids = [f"raw{j}" for j in range(i, min(rows, i + batch))]
        await db.write("MATCH (h:BenchRawHub {id: 'hub'}) UNWIND $ids AS id MATCH (n:BenchRaw {id: id}) CREATE (n)-[:BENCH_RAW]->(h)", {"ids": ids})
    seconds = time.perf_counter() - started
    async with db.driver.session(database=db.database) as session:
        result = await session.run("MATCH (n) WHERE n:BenchRaw OR n:BenchRawHub CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        await result.consume()
    return 2 * rows / seconds


async def main(args: argparse.Namespace) -> None:
    from ingest.catalog import shared_files
    from ingest.runner import ingest

    db = Database(settings_from_env())
    await apply_schema(db)
    await db.write("CREATE INDEX bench_raw_id IF NOT EXISTS FOR (n:BenchRaw) ON (n.id)")
    await wipe(db)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start, host probe {host_probe()}", flush=True)

    if not args.skip_shared:
        print("\n== all of ../shared/data, end to end ==", flush=True)
        started = time.perf_counter()
        records = facts = 0
        for source, path in shared_files(SHARED):
            opts = {"orcid": "0000-0002-1825-0097"} if source == "orcid" and path.suffix == ".json" else {}
            t = time.perf_counter()
            report = await ingest(db, source, [path], **opts)
            fr = report.files[0]
            records += fr.records_read
            facts += fr.facts_written
            print(f"  {source:9} {path.name[:52]:52} {fr.records_read:>7} rec {fr.facts_written:>7} facts {time.perf_counter() - t:7.1f}s", flush=True)
        seconds = time.perf_counter() - started
        print(f"  TOTAL {records} records, {facts} facts in {seconds:.1f}s: {records / seconds:,.0f} records/s, "
              f"{facts / seconds:,.0f} facts/s, peak RSS {peak_rss_mb():.0f} MB | load {_load()}", flush=True)
        await wipe(db)

    print("\n== generated METI-format list, one process per size ==", flush=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    tmp = Path(tempfile.mkdtemp(prefix="kizuna-bench-ingest-"))
    try:
        for size in sizes:
            path = tmp / f"generated_list_{size}_20250101.csv"
            generate_list(path, size)
            out = subprocess.run([sys.executable, __file__, "--one", "meti", str(path)], capture_output=True, text=True, env=os.environ)
            if out.returncode != 0:
                print(out.stderr[-2000:])
                raise SystemExit(out.returncode)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            baseline = await raw_baseline(db, min(size, args.baseline_rows))
            rate = r["facts"] / r["seconds"]
            print(f"  {size:>9,} records ({path.stat().st_size / 1e6:6.1f} MB): {r['records'] / r['seconds']:>8,.0f} records/s, "
                  f"{rate:>8,.0f} facts/s, peak RSS {r['peak_rss_mb']:6.0f} MB, {r['seconds']:7.1f}s | raw UNWIND CREATE baseline "
                  f"{baseline:>8,.0f} rows/s, ratio {rate / baseline:.2f} | load {_load()}", flush=True)
            path.unlink()
            await wipe(db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n== phase 1 only (read + convert + validate + spill), one process per size ==", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="kizuna-bench-ingest-"))
    try:
        for size in [int(s) for s in args.parse_sizes.split(",") if s]:
            path = tmp / f"generated_list_{size}_20250101.csv"
            generate_list(path, size)
            out = subprocess.run([sys.executable, __file__, "--parse", "meti", str(path)], capture_output=True, text=True, env=os.environ)
            if out.returncode != 0:
                print(out.stderr[-2000:])
                raise SystemExit(out.returncode)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  {size:>9,} records ({path.stat().st_size / 1e6:6.1f} MB): {r['records'] / r['seconds']:>8,.0f} records/s, "
                  f"{r['facts'] / r['seconds']:>8,.0f} facts/s prepared, peak RSS {r['peak_rss_mb']:6.0f} MB, {r['seconds']:7.1f}s | load {_load()}", flush=True)
            path.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nmachine load average at end: {os.getloadavg()[0]:.1f}, host probe {host_probe()}")
    await db.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="sizes for the end-to-end runs")
    parser.add_argument("--skip-shared", action="store_true")
    parser.add_argument("--baseline-rows", type=int, default=100_000, help="rows of the raw baseline (capped for time)")
    parser.add_argument("--parse-sizes", default="10000,100000,1000000", help="sizes for the phase-1-only runs")
    parser.add_argument("--one", nargs=2, metavar=("SOURCE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--parse", nargs=2, metavar=("SOURCE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse:
        print(json.dumps(parse_one(*args.parse)))
        return
    if args.one:
        print(json.dumps(asyncio.run(run_one(*args.one))))
        return
    home = None
    if not os.environ.get("NEO4J_URI"):
        home = Path(tempfile.mkdtemp(prefix="kizuna-bench-neo4j-"))
        os.environ["KIZUNA_NEO4J_HOME"], os.environ["KIZUNA_NEO4J_BOLT_PORT"] = str(home), str(free_port())
        server.start(settings_from_env())
    try:
        asyncio.run(main(args))
    finally:
        if home:
            server.stop(settings_from_env())
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    cli()
