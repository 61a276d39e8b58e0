"""What a sweep's subject costs at best: its CPU when every concern-path read is served from
memory, split into the reads it still needs and the Python that turns them into stored findings.

Issue 8 asks for 100k subjects in 10 minutes on 2 cores: at most 12 ms of CPU a subject for the
server and Python together, with both cores busy all the time. bench/sweep.py measures what a
sweep does; this benchmark measures how low the present design can go, so the gap between the
two is what caching could still win and the gap between this and 12 ms is what it cannot:

- the same subjects (``--subjects``, a seeded sample of the bench graph's population, batches as
  a sweep worker makes them) are assessed, turned into their stored form and encoded several
  times with one set of sweep reads whose search cache is large enough to keep everything; from
  the second pass on, no concern-path level, hop or listing is read again (a perfect cache: more
  than a real sweep gets, whose subjects are all different);
- one more pass records every statement it sends; the recording is then replayed with the
  driver (results decoded to Python values, as the assessment receives them) and nothing else:
  the reads a subject needs even with a perfect cache.

Figures (ms of CPU a subject; server from /proc): each full pass (Python, split into assessing,
the stored form and encoding; server), the reads alone (Python = the driver's decoding; server),
the Python beyond the reads, and, from the last full pass, the ceiling on 2 cores (2 cores / CPU
a subject) with the time it gives for 100k subjects and its ratio to the target. The server's
JIT keeps warming for several passes and the host is noisy, so the least CPU of a pass is
printed too. Runs on the shared bench graph
(bench.graphgen.bench_graph) like bench/sweep.py, with its host probe before and after.

Usage: PYTHONPATH=$PWD .venv/bin/python bench/sweep_floor.py [--subjects 1000] [--passes 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.graphgen import bench_graph  # noqa: E402
from bench.harness import host_probe, process_cpu_s  # noqa: E402
from bench.sweep import AS_OF, population  # noqa: E402
from graph import server  # noqa: E402
from graph.db import Database  # noqa: E402
from ingest.sweep import checkpoint, steps  # noqa: E402
from kizuna.heap import collector_paused  # noqa: E402
from queries import timing  # noqa: E402
from queries.assess import assess_many  # noqa: E402

TARGET_S, TARGET_SUBJECTS, CORES = 600, 100_000, 2
CACHE_WEIGHT = 60_000_000  # far more than 1,000 subjects fill (~0.7M units at 4,000)


@contextlib.contextmanager
def recorded(statements: list[tuple[str, dict]]):
    """Every read the assessment sends (one-off reads and the search's timed levels), appended to
    ``statements`` as (text, parameters) while the block runs."""
    plain_read, level_read = Database.read, timing.TimedReads.read

    async def read(self, text, params=None):
        statements.append((text, dict(params or {})))
        return await plain_read(self, text, params)

    async def level(self, text, params):
        statements.append((text, dict(params)))
        return await level_read(self, text, params)

    Database.read, timing.TimedReads.read = read, level
    try:
        yield
    finally:
        Database.read, timing.TimedReads.read = plain_read, level_read


async def full_pass(db: Database, ids: list[str], reads: steps.SweepReads, args) -> dict[str, float]:
    """Assess, store-form and encode ``ids`` as a sweep worker does (steps.assess_subjects, split
    in its parts to time them); Python CPU seconds of each part. Left out, as they cost nothing
    here: a worker's isolation of failing subjects (the bench population has none) and the
    emptying of the stored forms past STORED_FORMS_LIMIT (1,000 subjects stay below it)."""
    packs = args.packs.split(",")
    spent = {"assessing": 0.0, "stored form": 0.0, "encoding": 0.0}
    for batch in steps.chunked(ids, args.batch):
        with collector_paused():
            t0 = time.process_time()
            answers = await assess_many(db, batch, packs=packs, as_of=AS_OF, max_hops=args.max_hops,
                                        time_budget_ms=steps.SWEEP_TIME_BUDGET_MS, search_cache=reads.paths,
                                        listed_orgs=reads.listed_orgs)
            t1 = time.process_time()
            outcomes = [steps.outcome_of(a, reads.stored) for a in answers]
            t2 = time.process_time()
            frames = [checkpoint.encode_findings(o.findings) for o in outcomes]
            t3 = time.process_time()
            del answers, outcomes, frames
        spent["assessing"] += t1 - t0
        spent["stored form"] += t2 - t1
        spent["encoding"] += t3 - t2
    return spent


async def main(args) -> dict:
    figures: dict = {"subjects": args.subjects, "batch": args.batch, "packs": args.packs.split(","), "max_hops": args.max_hops,
                     "host_before": host_probe()}
    async with bench_graph(args.scale, heap_mb=args.heap_mb, pagecache_mb=args.pagecache_mb) as (settings, db, _):
        pid = server.status(settings).pid
        ids = population(args.scale, args.subjects, 0.02, seed=8)
        reads = steps.sweep_reads(packs=args.packs.split(","), lists=[], as_of=AS_OF, max_hops=args.max_hops, cache_weight=CACHE_WEIGHT)
        per = 1000 / len(ids)
        statements: list[tuple[str, dict]] = []
        for n in range(args.passes + 1):
            recording = n == args.passes  # an extra pass: the recording's own cost is kept out of the figures
            server_before, started = process_cpu_s(pid), time.perf_counter()
            with recorded(statements) if recording else contextlib.nullcontext():
                spent = await full_pass(db, ids, reads, args)
            if recording:
                break
            figures[f"full pass {n + 1}"] = {
                "python_ms": round(sum(spent.values()) * per, 2),
                **{f"{part}_ms": round(s * per, 2) for part, s in spent.items()},
                "server_ms": round((process_cpu_s(pid) - server_before) * per, 2),
                "wall_ms": round((time.perf_counter() - started) * per, 2)}
            print(json.dumps({f"full pass {n + 1}": figures[f"full pass {n + 1}"]}), flush=True)
        figures["statements"] = len(statements)
        for n in range(2):
            server_before, cpu_before = process_cpu_s(pid), time.process_time()
            with collector_paused():
                for text, params in statements:
                    await db.read(text, params)
            figures[f"reads only {n + 1}"] = {"python_ms": round((time.process_time() - cpu_before) * per, 2),
                                              "server_ms": round((process_cpu_s(pid) - server_before) * per, 2)}
            print(json.dumps({f"reads only {n + 1}": figures[f"reads only {n + 1}"]}), flush=True)
        figures["cache"] = {"hit_rate_all_passes": round(reads.paths.hits / max(reads.paths.hits + reads.paths.misses, 1), 3),
                            "expansions_held": len(reads.paths.expansions.items)}
    passes = [figures[f"full pass {n + 1}"] for n in range(1, args.passes)]  # the first fills the cache
    full, only = passes[-1], figures["reads only 2"]
    cpu = full["python_ms"] + full["server_ms"]
    rate = CORES * 1000 / cpu
    figures["summary"] = {
        "cpu_ms_a_subject": round(cpu, 2),
        "least_cpu_ms_of_a_pass": round(min(p["python_ms"] + p["server_ms"] for p in passes), 2),
        "reads_alone_ms": round(only["python_ms"] + only["server_ms"], 2),
        "python_beyond_the_reads_ms": round(full["python_ms"] - only["python_ms"], 2),
        "budget_ms": round(CORES * TARGET_S * 1000 / TARGET_SUBJECTS, 2),
        "ceiling_subjects_per_s": round(rate, 1),
        "ceiling_100k_s": round(TARGET_SUBJECTS / rate, 1),
        "ratio_to_target": round(TARGET_SUBJECTS / rate / TARGET_S, 2)}
    figures["host_after"] = host_probe()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--passes", type=int, default=4, help="measured full passes; the first fills the cache")
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--packs", default="us-dod-matrix,us-nsf-trust")
    parser.add_argument("--max-hops", type=int, default=4)
    parser.add_argument("--heap-mb", type=int, default=4096)
    parser.add_argument("--pagecache-mb", type=int, default=8192)
    arguments = parser.parse_args()
    if arguments.passes < 2:
        parser.error("--passes must be at least 2: the first only fills the cache")
    result = asyncio.run(main(arguments))
    print(json.dumps(result, indent=1))
