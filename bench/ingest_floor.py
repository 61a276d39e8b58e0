"""What two cores could write at best: the CPU a list's facts cost when nothing but a bare CREATE
and phase 1 is done, for three layouts of the evidence.

Issue 3 asks for 20k facts/s on 2 cores, i.e. at most 100 µs of CPU a fact for the server and
Python together. This benchmark measures the part no ingest can avoid, so the gap between it and
bench/ingest.py's figures is what the ingest's own checks cost, and the gap between it and 100 µs
is what the storage layout allows:

- phase 1 of a generated METI-format list (read, convert, validate, spill: Python CPU a fact);
- the same rows written by a bare ``UNWIND … CREATE`` (nodes, then their LISTED_ON relationships
  matched by id) with the schema's constraints and indexes in place, one transaction at a time,
  in three layouts: the model's nine parallel evidence lists (what graph.writer writes today),
  one JSON string per fact instead (a layout no reader understands: an experiment), and no
  evidence at all (the baseline, which the non-negotiables forbid). Server CPU from /proc, Python
  CPU of sending the rows.

Each layout runs ``--rounds`` times on one server (the first includes the JIT's warm-up); the
figures are the last round's. The ceiling printed is 2 cores / (phase 1 + sending + server) a
fact: what the machine could do if the ingest's own work were free and both cores were always
busy.

Usage: PYTHONPATH=$PWD .venv/bin/python bench/ingest_floor.py [--records 100000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.harness import host_probe, private_neo4j, process_cpu_s  # noqa: E402
from bench.ingest import generate_list, spilled, wipe  # noqa: E402
from graph import server  # noqa: E402
from graph.db import Database  # noqa: E402
from graph.schema import apply_schema, refresh_search_index  # noqa: E402
from graph.writer import _all_properties  # noqa: E402

BATCH = 2000
NODES = "UNWIND $rows AS row CREATE (n:Entity:Organization) SET n = row.all"
RELS = ("UNWIND $rows AS row MATCH (a:Entity {id: row.start}) MATCH (b:Entity {id: row.end}) "
        "CREATE (a)-[r:LISTED_ON]->(b) SET r = row.all")


def layout(row: dict, how: str) -> dict:
    """A row's properties with its evidence as the writer stores it, packed into one string, or left out."""
    props = _all_properties(row)
    if how == "nine lists":
        return props
    props = {k: v for k, v in props.items() if not k.startswith("ev_")}
    if how == "one string":
        props["ev"] = json.dumps([row["ev"]], separators=(",", ":"), ensure_ascii=False)
    else:
        for key in ("confidence", "first_seen", "last_seen"):
            props.pop(key, None)
    return props


async def write_all(db: Database, pid: int, cypher: str, rows: list[dict]) -> tuple[float, float]:
    """(server CPU s, Python CPU s) of writing ``rows`` in batches, one transaction each."""
    server_before, python_before = process_cpu_s(pid), time.process_time()
    for i in range(0, len(rows), BATCH):
        await db.write(cypher, {"rows": rows[i : i + BATCH]})
    if cypher == NODES:
        await refresh_search_index(db)  # the full-text index is updated after the commit
    return process_cpu_s(pid) - server_before, time.process_time() - python_before


async def main(args: argparse.Namespace) -> None:
    print(f"host probe {host_probe()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated_list.csv"
        generate_list(path, args.records)
        started = time.process_time()
        with spilled("meti", str(path), 1) as (_, spills):
            rows = {name: [r for s in parts if s for b in s.batches() for r in b] for (_, name), parts in spills.by_key.items()}
        parse_us = 1e6 * (time.process_time() - started) / (len(rows["Organization"]) + len(rows["LISTED_ON"]))
    nodes, listings = rows["Organization"], rows["LISTED_ON"]
    facts = len(nodes) + len(listings)
    print(f"phase 1: {parse_us:.1f} µs of Python CPU a fact ({facts:,} facts)", flush=True)
    results = {}
    with private_neo4j(heap_mb=args.heap_mb, pagecache_mb=args.pagecache_mb) as settings:
        pid = server.status(settings).pid
        db = Database(settings)
        await apply_schema(db)
        for round_ in range(args.rounds):
            for how in ("nine lists", "one string", "none"):
                await wipe(db)
                await db.write("MERGE (w:Entity:Watchlist {id: 'wl:bench'})")
                node_cpu = await write_all(db, pid, NODES, [{"all": layout(r, how)} for r in nodes])
                rel_cpu = await write_all(db, pid, RELS, [{"start": r["start"], "end": r["end"], "all": layout(r, how)} for r in listings])
                server_us = 1e6 * (node_cpu[0] + rel_cpu[0]) / facts
                send_us = 1e6 * (node_cpu[1] + rel_cpu[1]) / facts
                results[how] = (server_us, send_us)
                print(f"round {round_ + 1} {how:10s}: server {server_us:5.1f} µs a fact (nodes {node_cpu[0]:.1f} s, "
                      f"relationships {rel_cpu[0]:.1f} s), sending {send_us:4.1f} µs", flush=True)
        await db.close()
    baseline = sum(results["none"]) + parse_us
    print("\nceiling on 2 cores (phase 1 + sending + server, everything else free):")
    for how, (server_us, send_us) in results.items():
        total = server_us + send_us + parse_us
        print(f"  {how:10s}: {total:6.1f} µs a fact -> {2e6 / total:8,.0f} facts/s; {total / baseline:.2f}x the no-evidence baseline's CPU")
    print("target: 20,000 facts/s = 100 µs of CPU a fact")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the three layouts; the last one is reported")
    parser.add_argument("--heap-mb", type=int, default=2048)
    parser.add_argument("--pagecache-mb", type=int, default=2048)
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
