"""50 concurrent clients for 10 minutes mixing reads, path queries and ingestion, against a real
`uvicorn` server on loopback over a private Neo4j (or NEO4J_URI). Holds when: no 5xx of any kind
(the 503 OVERLOADED of admission control counts as one too), no error at all, p99 reported per
operation, memory flat (API and Neo4j RSS sampled every 5 s; the mean of the last fifth compared
with the mean of the first fifth after warm-up). The machine's load average is recorded with it.

    python -m bench.reliability.load [--clients 50] [--duration 600] [--persons 5000]

Writes bench/out/reliability/load.json (read by bench/reliability/report.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from api.auth import create_api_key  # noqa: E402
from api.config import ApiConfig  # noqa: E402
from bench.api import build_graph, pct, pick  # noqa: E402
from bench.harness import concurrent_clients, free_port, start_api_server  # noqa: E402
from graph import server as neo4j_server  # noqa: E402
from graph.db import Database  # noqa: E402
from graph.schema import apply_schema  # noqa: E402
from kizuna.settings import Settings  # noqa: E402

OUT = REPO / "bench" / "out" / "reliability"
ADD_ENTRY = 'mutation($n: String!) { addWatchlistEntry(input: {watchlist: "Load test list", name: $n}) { __typename } }'
UPLOAD = "mutation($f: Upload!) { ingestDisclosure(file: $f) { __typename } }"
# Think time between a client's requests (seconds, uniform): an investigator reads each answer
# before the next question; uploads are rarer. Closed-loop clients with no think time measure
# the server's saturation point instead (bench/api.py does that).
READ_THINK_S = (0.5, 2.0)
INGEST_THINK_S = (5.0, 15.0)
DISCLOSURE = "Name: Load Person {i} (fictional)\nVisiting Professor, Kizuna University (2021-2023).\n兼業: 絆大学 客員教授 (令和3年4月〜現在)\n"


def rss_mb(pid: int | None) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, TypeError):
        return None
    return None


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=600.0)
    ap.add_argument("--persons", type=int, default=5000)
    ap.add_argument("--orgs", type=int, default=800)
    ap.add_argument("--ingest-share", type=float, default=0.1, help="share of clients that ingest (admin/reviewer keys)")
    args = ap.parse_args()

    started = None
    if os.environ.get("NEO4J_URI"):
        settings = Settings()
    else:
        settings = Settings(neo4j_home=Path(tempfile.mkdtemp(prefix="kizuna-rel-load-")), neo4j_bolt_port=free_port(), neo4j_password="kizuna-load",
                            neo4j_heap_mb=1024, neo4j_pagecache_mb=512)
        neo4j_server.start(settings)
        started = settings
    db = Database(settings)
    server = None
    try:
        await apply_schema(db)
        t_graph = time.perf_counter()
        graph = await build_graph(db, args.persons, args.orgs, max(10, args.orgs // 10))
        print(f"graph written in {time.perf_counter() - t_graph:.0f} s, load average {os.getloadavg()}", flush=True)
        pepper = "load-pepper"
        config = ApiConfig(key_pepper=pepper)
        n_ingest = max(1, int(args.clients * args.ingest_share))
        keys = [(await create_api_key(db, config, name=f"load {i}", role="admin" if i < n_ingest else "viewer"))[1] for i in range(args.clients)]
        server, base = start_api_server(settings, launched=started is not None, pepper=pepper, wait_s=120)
        neo4j_pid = neo4j_server._read_pid(neo4j_server._paths(settings)[1]) if started else None
        memory: list[dict] = []
        stop = asyncio.Event()

        async def request(i: int, k: int, rnd: random.Random, http: httpx.AsyncClient):
            key = {"X-API-Key": keys[i]}
            if i >= n_ingest:
                op, query, variables = pick(rnd, ["search", "entity", "person", "concernPaths", "concernPaths"], graph)
                r = await http.post(base + "/graphql", json={"query": query, "variables": variables}, headers=key)
            elif k % 2:
                op = "addWatchlistEntry"
                r = await http.post(base + "/graphql", json={"query": ADD_ENTRY, "variables": {"n": f"Load Org {i}-{k}"}}, headers=key)
            else:
                op = "ingestDisclosure"
                files = {"operations": (None, json.dumps({"query": UPLOAD, "variables": {"f": None}})), "map": (None, json.dumps({"0": ["variables.f"]})),
                         "0": (f"load-{i}-{k}.txt", DISCLOSURE.format(i=f"{i}-{k}").encode(), "text/plain")}
                r = await http.post(base + "/graphql", files=files, headers=key)
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
            error = None if r.status_code == 200 and not body.get("errors") else f"{op} {r.status_code} {json.dumps(body)[:200]}"
            return op, r, error

        async def sampler() -> None:
            t_start = time.monotonic()
            while not stop.is_set():
                memory.append({"t": round(time.monotonic() - t_start, 1), "api_mb": rss_mb(server.pid), "neo4j_mb": rss_mb(neo4j_pid),
                               "loadavg_1m": round(os.getloadavg()[0], 2)})
                try:
                    await asyncio.wait_for(stop.wait(), 5)
                except TimeoutError:
                    pass

        async def readers_and_ingesters():
            ingest, read = await asyncio.gather(
                concurrent_clients(n_ingest, args.duration, request, think=INGEST_THINK_S, timeout=360),  # above the server's upload limit
                concurrent_clients(args.clients - n_ingest, args.duration, lambda i, *a: request(i + n_ingest, *a), think=READ_THINK_S, timeout=120))
            return ingest[0] + read[0], max(ingest[1], read[1])

        loadavg_before = os.getloadavg()
        sampling = asyncio.create_task(sampler())
        outcomes, wall = await readers_and_ingesters()
        stop.set()
        await sampling
        lat: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, int] = defaultdict(int)
        for o in outcomes:
            lat[o.op].append(o.seconds)
            statuses[str(o.status) if o.status else "no answer"] += 1
        errors = [o.error for o in outcomes if o.error]
        fifth = max(1, len(memory) // 5)
        warm = memory[len(memory) // 4:] or memory  # the first quarter is warm-up (spaCy loads on the first upload)
        def mean(rows, k):
            vals = [r[k] for r in rows if r[k] is not None]
            return round(sum(vals) / len(vals), 1) if vals else None
        mem = {k: {"first_fifth_mb": mean(warm[:fifth], k), "last_fifth_mb": mean(warm[-fifth:], k), "max_mb": max((r[k] or 0) for r in memory)} for k in ("api_mb", "neo4j_mb")}
        for v in mem.values():
            v["growth_pct"] = round(100 * (v["last_fifth_mb"] / v["first_fifth_mb"] - 1), 1) if v["first_fifth_mb"] else None
        total = sum(len(v) for v in lat.values())
        result = {
            "loadavg_before": [round(x, 2) for x in loadavg_before], "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "think_s": {"readers": READ_THINK_S, "ingesters": INGEST_THINK_S},
            "limits": {"max_concurrent_requests": ApiConfig().max_concurrent_requests, "admission_wait_seconds": ApiConfig().admission_wait_seconds,
                       "max_concurrent_uploads": ApiConfig().max_concurrent_uploads, "upload_admission_wait_seconds": ApiConfig().upload_admission_wait_seconds,
                       "request_timeout_seconds": ApiConfig().request_timeout_seconds, "path_time_budget_ms": ApiConfig().path_time_budget_ms},
            "clients": args.clients, "ingesting_clients": n_ingest, "duration_s": args.duration, "wall_s": round(wall, 1), "requests": total,
            "rps": round(total / wall, 1), "statuses": dict(statuses), "server_errors_5xx": sum(c for s, c in statuses.items() if s.startswith("5")),
            "overloaded_503": statuses.get("503", 0), "server_alive_at_end": server.poll() is None,
            "errors": len(errors), "error_sample": list({(o.op, o.status): o.error for o in reversed(outcomes) if o.error}.values())[:8],  # one per (operation, status)
            "ops": {op: {"n": len(v), "p50_ms": round(pct(v, 50) * 1000, 1), "p95_ms": round(pct(v, 95) * 1000, 1), "p99_ms": round(pct(v, 99) * 1000, 1)} for op, v in lat.items()},
            "memory": mem, "memory_samples": memory, "graph": {"nodes": graph["nodes"], "relationships": graph["relationships"]},
        }
        result["held"] = (result["server_errors_5xx"] == 0 and result["errors"] == 0 and result["server_alive_at_end"]
                          and all((m["growth_pct"] or 0) < 10 for m in mem.values()))
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "load.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        print(json.dumps({k: v for k, v in result.items() if k != "memory_samples"}, indent=1))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        await db.close()
        if started:
            neo4j_server.stop(started)
            shutil.rmtree(started.neo4j_home, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
