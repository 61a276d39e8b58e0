"""Sweep benchmark: re-assess 10k, 50k and 100k subjects on a generated research graph.

The graph: researchers affiliated with labs, labs part of departments, departments part of
universities (hubs with thousands of affiliates), some universities supervised by agencies that
are listed on one of two watchlists — so concern paths are 4 hops long (person > lab > department
> university > agency) — plus second affiliations and direct advisory links (1 hop). The sweep
uses two rule packs. Figures: subjects/s at each size (one process and split over worker
processes), the total run time, and the ratio to a baseline measured in the same run: the same
assessment done one subject per query with no batching and no storing.

Target (issue 8): 100k subjects in <= 10 minutes on 2 cores, scaling close to linear.

    python -m bench.sweep [--sizes 10000,50000,100000] [--workers 2] [--batch 500]
    (NEO4J_URI/NEO4J_PASSWORD to use a running, EMPTY server; otherwise a private one is started)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

from bench.harness import private_neo4j
from graph.db import Database
from graph.provenance import Evidence
from graph.schema import apply_schema
from graph.writer import GraphWriter, NodeRecord, RelRecord
from ingest.sweep import steps
from ingest.sweep.runner import run_sweep
from kizuna.settings import Settings

OUT = Path(__file__).resolve().parent / "out"
EV = Evidence("src:bench:sweep", "generated", "2026-01-01T00:00:00+00:00", "bench", 0.9)
#: Two rule packs per run: the stand-in's hop-count packs, or two of queries/rules/ with the real assess.
PACKS_BY_MODE = {"standin": ["default", "us_dod_matrix"], "real": ["us-dod-matrix", "us-nsf-trust"]}
PACKS = PACKS_BY_MODE["standin"]


@contextmanager
def neo4j(heap_mb: int, pagecache_mb: int, home: str | None):
    """NEO4J_URI if set; else a private server — in ``home`` (kept, so a re-run skips generating
    the graph) or in a temporary folder removed afterwards."""
    if os.environ.get("NEO4J_URI"):
        yield Settings()
        return
    with private_neo4j(heap_mb, pagecache_mb, home=home) as settings:
        yield settings


def person_id(i: int) -> str:
    return f"per:bench:{i}"


async def generate(db: Database, people: int, seed: int = 8) -> dict[str, int]:
    """Write the bench graph through the GraphWriter (with provenance); returns its counts."""
    rng = random.Random(seed)
    labs, depts = max(people // 8, 10), max(people // 80, 5)
    univs, agencies = max(people // 800, 3), 40
    nodes: list[NodeRecord] = [NodeRecord("Watchlist", f"wl:bench:{w}", {"name": f"Bench list {w}"}, EV) for w in "AB"]
    nodes += [NodeRecord("Organization", f"org:agency:{a}", {"name": f"Agency {a}", "kind": "government_body"}, EV) for a in range(agencies)]
    nodes += [NodeRecord("Organization", f"org:univ:{u}", {"name": f"University {u}", "kind": "university"}, EV) for u in range(univs)]
    nodes += [NodeRecord("Organization", f"org:dept:{d}", {"name": f"Department {d}"}, EV) for d in range(depts)]
    nodes += [NodeRecord("Organization", f"org:lab:{x}", {"name": f"Lab {x}"}, EV) for x in range(labs)]
    nodes += [NodeRecord("Person", person_id(i), {"name": f"Researcher {i}"}, EV) for i in range(people)]
    rels: list[RelRecord] = []
    for a in range(agencies):
        if a < 20:
            rels.append(RelRecord("LISTED_ON", f"org:agency:{a}", "wl:bench:A", {"start": "2020-01-01", "reason": "bench"}, EV))
        elif a < 30:
            rels.append(RelRecord("LISTED_ON", f"org:agency:{a}", "wl:bench:B", {"start": "2021-06-01", "reason": "bench"}, EV))
    for u in range(univs):
        if rng.random() < 0.3:
            rels.append(RelRecord("SUPERVISED_BY", f"org:univ:{u}", f"org:agency:{rng.randrange(agencies)}", {}, EV))
    rels += [RelRecord("PART_OF", f"org:dept:{d}", f"org:univ:{d % univs}", {}, EV) for d in range(depts)]
    rels += [RelRecord("PART_OF", f"org:lab:{x}", f"org:dept:{x % depts}", {}, EV) for x in range(labs)]
    for i in range(people):
        rels.append(RelRecord("AFFILIATED_WITH", person_id(i), f"org:lab:{rng.randrange(labs)}", {"role": "researcher", "start": "2019-04-01"}, EV))
        if rng.random() < 0.5:
            rels.append(RelRecord("AFFILIATED_WITH", person_id(i), f"org:lab:{rng.randrange(labs)}", {"role": "visiting", "start": "2022-01-01"}, EV, key="2"))
        if rng.random() < 0.02:
            rels.append(RelRecord("ADVISES", person_id(i), f"org:agency:{rng.randrange(agencies)}", {"role": "adviser"}, EV))
    writer = GraphWriter(db, batch_size=5000)
    report = await writer.write(nodes, rels)
    assert not report.missing_endpoints
    return {"nodes": report.nodes, "relationships": report.relationships, "labs": labs, "departments": depts, "universities": univs}


def write_definition(folder: Path, ident: str, ids: list[str], workers: int, batch: int) -> Path:
    raw = {"id": ident, "population": {"kind": "ids", "ids": ids}, "lists": ["wl:bench:A", "wl:bench:B"], "packs": PACKS,
           "max_hops": 4, "workers": workers, "batch_size": batch, "as_of": {"policy": "fixed", "date": "2026-01-01"},
           "outputs": {"directory": str(folder / "out"), "formats": ["json"]}}
    path = folder / f"{ident}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


async def baseline(db: Database, ids: list[str]) -> float:
    """Subjects/s assessing one subject per query, nothing stored (the naive loop)."""
    t0 = time.perf_counter()
    for sid in ids:
        await steps.assess_subjects(db, [sid], packs=PACKS, lists=["wl:bench:A", "wl:bench:B"], as_of="2026-01-01", max_hops=4)
    return len(ids) / (time.perf_counter() - t0)


async def main(args) -> dict:
    global PACKS
    PACKS = PACKS_BY_MODE[args.assess]
    if args.assess == "standin":
        os.environ[steps.STANDINS_ENV] = "all"  # inherited by the worker processes
    else:
        os.environ.pop(steps.STANDINS_ENV, None)
    sizes = [int(s) for s in args.sizes.split(",")]
    figures: dict = {"assess_implementation": "ingest/sweep/steps.py stand-in (queries/sweep.cypher concern_paths_batch)"
                     if steps._real("assess") is None else "queries.assess", "packs": PACKS}
    with neo4j(args.heap_mb, args.pagecache_mb, args.home) as settings:
        db = Database(settings)
        await db.verify()
        await apply_schema(db)
        existing = (await db.read("MATCH (p:Person) RETURN count(p) AS n"))[0]["n"]
        t0 = time.perf_counter()
        if existing < max(sizes):
            figures["graph"] = await generate(db, max(sizes))
            figures["generate_s"] = round(time.perf_counter() - t0, 1)
        counts = (await db.read("MATCH (n) RETURN count(n) AS n"))[0]["n"]
        figures["graph_nodes"] = counts
        print(json.dumps(figures), flush=True)
        folder = OUT / "sweep-definitions"  # (bench/out is ignored by git)
        folder.mkdir(parents=True, exist_ok=True)
        all_ids = [person_id(i) for i in range(max(sizes))]
        sample = all_ids[: args.baseline_sample]
        await baseline(db, sample[:50])  # warm-up (plans, page cache)
        base = await baseline(db, sample)
        figures["baseline_subjects_per_s"] = round(base, 1)
        print(f"baseline (one query per subject, nothing stored): {base:.1f} subjects/s", flush=True)
        runs = []
        plan = [(sizes[0], 1)] + [(n, args.workers) for n in sizes]
        for n, workers in plan:
            ident = f"bench-{n}-w{workers}-{int(time.time())}"
            path = write_definition(folder, ident, all_ids[:n], workers, args.batch)
            t1 = time.perf_counter()
            record = await run_sweep(db, path, write_outputs=False)
            total = time.perf_counter() - t1
            c = record["counts"]
            row = {"subjects": n, "workers": workers, "assess_s": c["assess_seconds"], "subjects_per_s": c["subjects_per_s"],
                   "total_s": round(total, 1), "findings": c["findings"], "tiers": c["tiers"], "errors": c["errors"],
                   "ratio_to_baseline": round(c["subjects_per_s"] / base, 2)}
            runs.append(row)
            print(json.dumps(row), flush=True)
        figures["runs"] = runs
        one = next(r for r in runs if r["workers"] == 1)
        par = [r for r in runs if r["workers"] == args.workers]
        figures["worker_speedup_at_smallest"] = round(par[0]["subjects_per_s"] / one["subjects_per_s"], 2)
        figures["rate_largest_over_smallest"] = round(par[-1]["subjects_per_s"] / par[0]["subjects_per_s"], 2)
        largest = par[-1]
        figures["projected_100k_minutes"] = round(100_000 / largest["subjects_per_s"] / 60, 1)
        figures["target_100k_in_10_min"] = "MEETS" if figures["projected_100k_minutes"] <= 10 else "BELOW"
        await db.close()
        shutil.rmtree(folder, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "sweep.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--baseline-sample", type=int, default=300)
    parser.add_argument("--heap-mb", type=int, default=2048)
    parser.add_argument("--pagecache-mb", type=int, default=2048)
    parser.add_argument("--assess", choices=["standin", "real"], default="standin",
                        help="the sweep's batched stand-in, or queries.assess (one subject per call)")
    parser.add_argument("--home", help="keep the private Neo4j here (re-runs reuse the generated graph)")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    asyncio.run(main(parser.parse_args()))
