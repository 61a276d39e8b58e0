"""Sweep benchmark: re-assess 10k, 50k and 100k subjects on the generated research graph.

The graph is the shared bench graph (bench/graphgen.py: ~1M nodes at scale 1.0, Zipf-sized
organizations with 10k+ affiliates, six watchlists, concern proximity built), generated once
per scale into var/bench/graph-scale<scale> and reused. The population: researchers and some
projects of that graph (a seeded random sample, so every size is the same mix), re-assessed by
`run_sweep` with queries.assess.assess_many — concern paths up to 4 hops, two real rule packs
(queries/rules/), every result stored as the sweep's checkpoint — split over worker processes.

Figures: subjects/s at each size, the ratio of each size's rate to the smallest size's (1.0 =
linear scaling), the projected time for 100k subjects, per-step timings of one batch-assessing
process with the CPU a subject costs it and the server and the search cache's hit rate (where the
time goes), and the ratio to a baseline measured in the same run: the same
assessment one subject at a time (queries.assess.assess, nothing stored). Each size also gives
the whole sweep's time (with the diff) and the peak memory so far of the main process (the
in-process profile, then the diffs) and of the worker processes. The load average is printed
with every figure, and beside each size the host probe (bench.harness.host_probe) before and after it:
on a shared machine the figures are only indicative.

Target (issue 8): 100k subjects in <= 10 minutes on 2 cores (~167 subjects/s), close to linear.

    python -m bench.sweep --scale 1.0 --sizes 10000,50000,100000      # the acceptance figures
    python -m bench.sweep --scale 0.1 --sizes 1000,5000,10000         # quick, while developing
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import resource
import shutil
import time
from pathlib import Path

import yaml

from bench.graphgen import Shape, bench_graph
from bench.harness import host_probe, process_cpu_s
from graph import server
from graph.db import Database
from ingest.sweep import steps
from ingest.sweep.runner import run_sweep
from kizuna.heap import collector_paused
from queries.assess import assess

OUT = Path(__file__).resolve().parent / "out"
AS_OF = "2026-01-01"


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def peak_rss_mb(who: int) -> int:
    return resource.getrusage(who).ru_maxrss // 1024


def population(scale: float, size: int, project_share: float, seed: int = 8) -> list[str]:
    """``size`` subjects of the generated graph: researchers and (``project_share``) projects."""
    shape = Shape.scaled(scale)
    projects = min(int(size * project_share), shape.projects)
    persons = size - projects
    if persons > shape.persons:
        raise SystemExit(f"scale {scale} has {shape.persons:,} researchers and {shape.projects:,} projects: "
                         f"too few for {size:,} subjects (use a larger --scale or smaller --sizes)")
    rng = random.Random(seed)
    ids = [f"per:g{i}" for i in rng.sample(range(shape.persons), persons)]
    ids += [f"prj:g{i}" for i in rng.sample(range(shape.projects), projects)]
    rng.shuffle(ids)
    return ids


def write_definition(folder: Path, ident: str, ids: list[str], args) -> Path:
    raw = {"id": ident, "population": {"kind": "ids", "ids": ids}, "lists": [], "packs": args.packs.split(","),
           "max_hops": args.max_hops, "workers": args.workers, "batch_size": args.batch, "as_of": {"policy": "fixed", "date": AS_OF},
           "outputs": {"directory": str(folder / "out"), "formats": ["json"]}}
    path = folder / f"{ident}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


async def forget_sweeps(db: Database, definition_prefix: str) -> None:
    """Remove this benchmark's Sweep and SweepResult nodes and their results folders: the bench
    graph is shared and reused. In transactions of 1,000 results: 20,000 results at once (when
    they held their findings) exceeded Neo4j's transaction memory limit."""
    rows = await db.read("MATCH (s:Sweep) WHERE s.definition_id STARTS WITH $prefix RETURN s.id AS id, s.results_dir AS results_dir",
                         {"prefix": definition_prefix})
    sweep_ids = [r["id"] for r in rows]
    for r in rows:
        if r["results_dir"]:
            shutil.rmtree(r["results_dir"], ignore_errors=True)
    while sweep_ids:
        rows = await db.write("MATCH (r:SweepResult) WHERE r.sweep_id IN $ids WITH r LIMIT 1000 DETACH DELETE r RETURN count(*) AS n",
                              {"ids": sweep_ids})
        if rows[0]["n"] == 0:
            break
    await db.write("MATCH (s:Sweep) WHERE s.id IN $ids DETACH DELETE s", {"ids": sweep_ids})


async def profile(db: Database, ids: list[str], args, server_pid: int | None) -> dict:
    """Per-step seconds of batch assessment in this process (no storing), and its rate: batches
    assessed as a sweep worker assesses them (one set of shared reads, the collector paused per batch).
    Also the CPU a subject costs this process and the server (``server_pid``), and the search
    cache's hit rate: what says which side a change must relieve."""
    timings: dict[str, float] = {}
    packs = args.packs.split(",")
    reads = steps.sweep_reads(packs=packs, lists=[], as_of=AS_OF, max_hops=args.max_hops)
    server_before = process_cpu_s(server_pid) if server_pid else None
    cpu_before = time.process_time()
    started = time.perf_counter()
    for batch in steps.chunked(ids, args.batch):
        with collector_paused():
            await steps.assess_subjects(db, batch, packs=packs, lists=[], as_of=AS_OF, max_hops=args.max_hops, timings=timings,
                                        reads=reads)
    elapsed = time.perf_counter() - started
    per_subject = 1000 / max(len(ids), 1)
    cache = reads.paths
    return {"subjects": len(ids), "subjects_per_s": round(len(ids) / elapsed, 1), "seconds": round(elapsed, 2),
            "step_seconds": {k: round(v, 2) for k, v in sorted(timings.items(), key=lambda kv: -kv[1])},
            "python_cpu_ms_per_subject": round((time.process_time() - cpu_before) * per_subject, 2),
            "server_cpu_ms_per_subject": round((process_cpu_s(server_pid) - server_before) * per_subject, 2) if server_pid else None,
            "search_cache_hit_rate": round(cache.hits / max(cache.hits + cache.misses, 1), 2), "loadavg": load()}


async def baseline(db: Database, ids: list[str], args) -> float:
    """Subjects/s assessing one subject per call (queries.assess.assess), nothing stored."""
    started = time.perf_counter()
    for sid in ids:
        await assess(db, sid, packs=args.packs.split(","), as_of=AS_OF, max_hops=args.max_hops, time_budget_ms=steps.SWEEP_TIME_BUDGET_MS)
    return len(ids) / (time.perf_counter() - started)


async def main(args) -> dict:
    sizes = sorted(int(s) for s in args.sizes.split(","))
    figures: dict = {"scale": args.scale, "sizes": sizes, "workers": args.workers, "batch": args.batch, "packs": args.packs.split(","),
                     "max_hops": args.max_hops, "cpus": os.cpu_count()}
    folder = OUT / "sweep-definitions"  # (bench/out is ignored by git)
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"bench-sweep-{os.getpid()}-"
    async with bench_graph(args.scale, heap_mb=args.heap_mb, pagecache_mb=args.pagecache_mb) as (settings, db, generated):
        server_pid = server.status(settings).pid
        await forget_sweeps(db, "bench-sweep-")  # what an interrupted earlier run left behind
        figures["graph"] = {"nodes": generated["nodes"], "relationships": generated["relationships"]}
        try:
            sample = population(args.scale, max(args.profile, args.baseline_sample), args.project_share, seed=99)
            await profile(db, sample[: args.batch], args, server_pid)  # warm-up: plans, page cache
            figures["profile"] = await profile(db, sample[: args.profile], args, server_pid)
            print("profile (one process, batches of", args.batch, "):", json.dumps(figures["profile"]), flush=True)
            base = await baseline(db, sample[: args.baseline_sample], args)
            figures["baseline_one_by_one_per_s"] = round(base, 1)
            print(f"baseline (queries.assess one subject at a time, nothing stored): {base:.1f} subjects/s, loadavg {load()}", flush=True)

            runs = []
            for n in sizes:
                ids = population(args.scale, n, args.project_share)
                path = write_definition(folder, f"{prefix}{n}", ids, args)
                before, probe = load(), host_probe()
                started = time.perf_counter()
                record = await run_sweep(db, path, write_outputs=False)
                total = time.perf_counter() - started
                c = record["counts"]
                row = {"subjects": n, "assess_s": c["assess_seconds"], "subjects_per_s": c["subjects_per_s"], "total_s": round(total, 1),
                       "errors": c["errors"], "findings": c["findings"], "tiers": c["tiers"], "recommendations": c["recommendations"],
                       "ratio_to_baseline": round(c["subjects_per_s"] / base, 2), "loadavg_before": before, "loadavg_after": load(),
                       "host_before": probe, "host_after": host_probe(),
                       # peak so far: the main process diffs every stored result; workers assess
                       "peak_rss_mb_main": peak_rss_mb(resource.RUSAGE_SELF), "peak_rss_mb_workers": peak_rss_mb(resource.RUSAGE_CHILDREN)}
                runs.append(row)
                print(json.dumps(row), flush=True)
                await forget_sweeps(db, prefix)
            smallest = runs[0]["subjects_per_s"]
            for row in runs:
                row["rate_ratio_to_smallest"] = round(row["subjects_per_s"] / smallest, 2)  # 1.0 = linear scaling
            figures["runs"] = runs
            largest = runs[-1]
            figures["projected_100k_minutes"] = round(100_000 / largest["subjects_per_s"] / 60, 1)
            figures["target_100k_in_10_min"] = "MEETS" if figures["projected_100k_minutes"] <= 10 else "BELOW"
            figures["scaling"] = {r["subjects"]: r["rate_ratio_to_smallest"] for r in runs}
        finally:
            await forget_sweeps(db, prefix)
            shutil.rmtree(folder, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / f"sweep-scale{args.scale:g}.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--scale", type=float, default=1.0, help="bench graph scale (1.0: ~1M nodes; 0.1 while developing)")
    parser.add_argument("--sizes", default="10000,50000,100000", help="population sizes, comma-separated")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each sweep")
    parser.add_argument("--batch", type=int, default=500, help="subjects per assess_many batch (and per checkpoint)")
    parser.add_argument("--packs", default="us-dod-matrix,us-nsf-trust", help="rule packs (queries/rules/)")
    parser.add_argument("--max-hops", type=int, default=4)
    parser.add_argument("--project-share", type=float, default=0.02, help="share of projects in the population")
    parser.add_argument("--profile", type=int, default=2000, help="subjects assessed in-process with per-step timings")
    parser.add_argument("--baseline-sample", type=int, default=200, help="subjects assessed one at a time for the baseline")
    parser.add_argument("--heap-mb", type=int, default=4096)
    parser.add_argument("--pagecache-mb", type=int, default=4096)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    asyncio.run(main(parser.parse_args()))
