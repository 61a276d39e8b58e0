"""Writer benchmark: GraphWriter (MERGE + provenance) against a raw UNWIND ... CREATE baseline.

Both write the same generated graph (default 1M nodes, 3M relationships) into a fresh Neo4j with
the same schema (the model's constraints and indexes, which belong to the database, not to the
writer); the baseline writes one name per node, no provenance and no MERGE. Target: the writer
reaches at least 50% of the baseline's rows per second.

    python -m bench.writer [--nodes 1000000] [--rels 3000000] [--batch 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import random

from bench.harness import Report, Timer, peak_rss_mb, private_neo4j
from graph.db import Database
from graph.provenance import Evidence
from graph.schema import apply_schema
from graph.writer import GraphWriter, NodeRecord, RelRecord

OBSERVED = "2026-11-30T00:00:00+00:00"
SOURCE = "src:bench"
REL_TYPES = ["AFFILIATED_WITH", "PARTICIPATES_IN", "ADVISES"]


def node_rows(n: int):
    for i in range(n):
        label = "Organization" if i % 10 == 0 else "Person"
        yield i, label


def rel_rows(n_nodes: int, n_rels: int, seed: int = 42):
    rng = random.Random(seed)
    orgs = n_nodes // 10
    for i in range(n_rels):
        person = rng.randrange(n_nodes)
        if person % 10 == 0:
            person += 1
        org = rng.randrange(orgs) * 10
        yield i, person % n_nodes, org, REL_TYPES[i % 3]


async def run_raw(db: Database, n_nodes: int, n_rels: int, batch: int) -> float:
    await apply_schema(db)
    with Timer() as t:
        buf: dict[str, list] = {"Organization": [], "Person": []}

        async def flush_nodes(label):
            rows = buf[label]
            if rows:
                cypher = {"Organization": "UNWIND $rows AS row CREATE (:Entity:Organization {id: row.id, name: row.name})",
                          "Person": "UNWIND $rows AS row CREATE (:Entity:Person {id: row.id, name: row.name})"}[label]
                await db.write(cypher, {"rows": rows})
                buf[label] = []

        for i, label in node_rows(n_nodes):
            buf[label].append({"id": f"n{i}", "name": f"{label} {i}"})
            if len(buf[label]) >= batch:
                await flush_nodes(label)
        for label in list(buf):
            await flush_nodes(label)
        rbuf: dict[str, list] = {t: [] for t in REL_TYPES}
        cyphers = {t: ("UNWIND $rows AS row MATCH (a:Entity {id: row.s}) MATCH (b:Entity {id: row.e}) "
                       "CREATE (a)-[:" + t + " {id: row.id}]->(b)") for t in REL_TYPES}
        for i, s, e, t_ in rel_rows(n_nodes, n_rels):
            rbuf[t_].append({"id": f"r{i}", "s": f"n{s}", "e": f"n{e}"})
            if len(rbuf[t_]) >= batch:
                await db.write(cyphers[t_], {"rows": rbuf[t_]})
                rbuf[t_] = []
        for t_, rows in rbuf.items():
            if rows:
                await db.write(cyphers[t_], {"rows": rows})
    return t.seconds


async def run_writer(db: Database, n_nodes: int, n_rels: int, batch: int) -> float:
    await apply_schema(db)
    writer = GraphWriter(db, batch_size=batch)
    with Timer() as t:
        chunk: list = []
        for i, label in node_rows(n_nodes):
            chunk.append(NodeRecord(label, f"n{i}", {"name": f"{label} {i}", "names": [f"{label} {i}"]},
                                    Evidence(SOURCE, f"node {i}", OBSERVED, "bench", 0.9, text=f"{label} {i}")))
            if len(chunk) >= batch * 4:
                await writer.write_nodes(chunk)
                chunk = []
        await writer.write_nodes(chunk)
        chunk = []
        for i, s, e, t_ in rel_rows(n_nodes, n_rels):
            chunk.append(RelRecord(t_, f"n{s}", f"n{e}", {"role": "member"},
                                   Evidence(SOURCE, f"rel {i}", OBSERVED, "bench", 0.8), key=str(i)))
            if len(chunk) >= batch * 4:
                await writer.write_relationships(chunk)
                chunk = []
        await writer.write_relationships(chunk)
    return t.seconds


async def measure(kind: str, n_nodes: int, n_rels: int, batch: int) -> float:
    with private_neo4j() as settings:
        db = Database(settings)
        try:
            return await (run_raw if kind == "raw" else run_writer)(db, n_nodes, n_rels, batch)
        finally:
            await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--rels", type=int, default=3_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    rows = args.nodes + args.rels
    report = Report("writer")
    print(f"writer benchmark: {args.nodes:,} nodes + {args.rels:,} relationships, batch {args.batch}")
    raw_s = asyncio.run(measure("raw", args.nodes, args.rels, args.batch))
    report.add("baseline raw UNWIND CREATE seconds", round(raw_s, 1))
    report.add("baseline rows/s", round(rows / raw_s))
    writer_s = asyncio.run(measure("writer", args.nodes, args.rels, args.batch))
    report.add("GraphWriter (MERGE + provenance) seconds", round(writer_s, 1))
    report.add("GraphWriter rows/s", round(rows / writer_s))
    report.ratio("ratio writer/baseline (target >= 0.50)", rows / writer_s, rows / raw_s, target=0.5)
    report.add("peak client RSS MiB", round(peak_rss_mb()))
    print(f"saved {report.save()}")


if __name__ == "__main__":
    main()
