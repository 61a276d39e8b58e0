"""bench/api: N concurrent GraphQL clients for D seconds on a mix of search, entity, person and
4-hop concernPaths, against a demo-sized graph written with graph.writer. Prints errors, p50/p95/p99 per operation and requests/s, and the same look-ups
made directly through queries/ at the same concurrency (the baseline of this run) with the ratio.

Targets (issue 7): zero errors; p95 <= 50 ms for look-ups; <= 150 ms for 4-hop concern paths.

    python -m bench.api [--clients 50] [--duration 60] [--persons 20000] [--workers 1] [--think-ms 0,0]

Back to back (``--think-ms 0,0``) measures throughput: 50 clients always waiting keep 50 requests
in the server, so latency is the queue (Little's law). ``--think-ms 500,1500`` measures what 50
investigators clicking through the console see.

Uses NEO4J_URI (with NEO4J_PASSWORD) when set, else starts a private Neo4j in a temporary folder.
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from api.auth import create_api_key  # noqa: E402
from api.config import ApiConfig  # noqa: E402
from bench.harness import GcPauses, concurrent_clients, free_port, start_api_server  # noqa: E402
from kizuna.heap import settle_heap  # noqa: E402
from graph import server as neo4j_server  # noqa: E402
from graph.db import Database  # noqa: E402
from graph.provenance import Evidence  # noqa: E402
from graph.schema import apply_schema  # noqa: E402
from graph.writer import GraphWriter, NodeRecord, RelRecord  # noqa: E402
from kizuna.settings import Settings  # noqa: E402
from queries import entity as entity_q  # noqa: E402
from queries import people as people_q  # noqa: E402
from queries import search as search_q  # noqa: E402

GIVEN = ["Hanako", "Taro", "Yuki", "Wei", "Li", "Anna", "Ivan", "Maria", "Kenji", "Mei", "Hiroshi", "Sofia", "Chen", "Aiko", "Omar", "Elena"]
FAMILY = ["Yamada", "Suzuki", "Tanaka", "Wang", "Zhang", "Smith", "Petrov", "Garcia", "Sato", "Liu", "Kobayashi", "Novak", "Kim", "Ito", "Rossi", "Chen"]
KANJI_FAMILY = ["山田", "鈴木", "田中", "王", "张", "斯密", "佩特罗夫", "加西亚", "佐藤", "刘", "小林", "诺瓦克", "金", "伊藤", "罗西", "陈"]
KANJI_GIVEN = ["花子", "太郎", "雪", "伟", "丽", "安娜", "伊万", "玛丽亚", "健二", "美", "浩", "索菲亚", "晨", "爱子", "奥马尔", "叶莲娜"]
ORG_WORDS = ["Institute", "University", "Laboratory", "Academy", "Center", "Company", "Research Foundation", "Works"]
ORG_TOPICS = ["Quantum", "Materials", "Aerospace", "Photonics", "Marine", "Computing", "Biotech", "Energy", "Robotics", "Semiconductor", "Optics", "Nuclear"]
ORG_PLACES = ["Northern", "Eastern", "Harbin", "Kansai", "Tohoku", "Ural", "Pacific", "Central", "Western", "Coastal", "Highland", "Riverside"]

SEARCH_Q = "query($q: String!) { search(query: $q, first: 10) { edges { node { id label name score } } } }"
ENTITY_Q = """query($id: ID!) { entity(id: $id) { __typename ... on Node { id name names { value script } identifiers { scheme value }
  evidence { sourceId locator observedAt confidence } relations(first: 10) { totalCount edges { node { type start evidence { sourceId locator } node { id name } } } } } } }"""
PERSON_Q = """query($id: ID!) { person(id: $id) { __typename ... on Person { id name names { value script } identifiers { scheme value }
  affiliations(first: 10) { edges { node { start properties evidence { sourceId locator } node { id name ... on Organization {
  listings(first: 5) { edges { node { start node { id name } } } } } } } } } } } }"""
PATHS_Q = """query($id: ID!) { concernPaths(subjectId: $id, maxHops: 4, first: 20) { __typename ... on ConcernPaths { partial
  paths { edges { node { score target { id name } hops { type source { id } target { id } evidence { sourceId } } } } } } } }"""


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def build_graph(db: Database, persons: int, orgs: int, listed: int, seed: int = 7) -> dict:
    """A research graph with a skewed degree distribution: a few hub universities with thousands
    of affiliates, listed institutes with subsidiaries, co-authored publications; every fact
    with evidence. Ids are deterministic, so re-running writes nothing new."""
    rnd = random.Random(seed)
    src = "src:bench:registry"
    ev = Evidence(src, "generated", "2026-01-01T00:00:00+00:00", "bench-generator", 0.9)
    lev = Evidence("src:bench:list", "generated", "2026-01-01T00:00:00+00:00", "bench-generator", 1.0)
    nodes = [NodeRecord("Source", src, {"kind": "registry", "title": "bench registry"}, ev),
             NodeRecord("Source", "src:bench:list", {"kind": "watchlist", "title": "bench list"}, lev)]
    nodes += [NodeRecord("Watchlist", f"wl:bench{i}", {"name": f"Bench List {i}", "names": [f"Bench List {i}"], "severity": "high"}, lev) for i in range(3)]
    org_ids, org_names = [], []
    for i in range(orgs):
        name = f"{rnd.choice(ORG_PLACES)} {rnd.choice(ORG_TOPICS)} {rnd.choice(ORG_WORDS)} {i}"
        oid = f"org:bench{i}"
        org_ids.append(oid)
        org_names.append(name)
        kind = "university" if i < orgs // 10 else rnd.choice(["research_institute", "company", "government_body"])
        nodes.append(NodeRecord("Organization", oid, {"name": name, "names": [name, f"{rnd.choice(KANJI_FAMILY)}研究所{i}"], "kind": kind, "ror": f"0b{i:07d}"}, ev))
    rels = []
    for i in range(orgs // 10, orgs):
        if rnd.random() < 0.3:
            rels.append(RelRecord(rnd.choice(["PART_OF", "SUBSIDIARY_OF", "SUPERVISED_BY"]), org_ids[i], org_ids[rnd.randrange(orgs)], {}, ev))
    for i in rnd.sample(range(orgs), listed):
        rels.append(RelRecord("LISTED_ON", org_ids[i], f"wl:bench{i % 3}", {"start": f"20{rnd.randint(15, 24)}-01-01", "reason": "bench"}, lev))
    person_ids, person_names = [], []
    weights = [1.0 / (k + 1) ** 1.1 for k in range(orgs)]  # Zipf-like: org 0 is a hub
    for i in range(persons):
        g, f = rnd.randrange(len(GIVEN)), rnd.randrange(len(FAMILY))
        name = f"{GIVEN[g]} {FAMILY[f]} {i}"
        pid = f"per:bench{i}"
        person_ids.append(pid)
        person_names.append(name)
        nodes.append(NodeRecord("Person", pid, {"name": name, "names": [name, f"{KANJI_FAMILY[f]}{KANJI_GIVEN[g]}{i}"], "orcid": f"0000-0002-{i // 10000:04d}-{i % 10000:04d}"}, ev))
        for k, org in enumerate(dict.fromkeys(rnd.choices(range(orgs), weights=weights, k=rnd.randint(1, 3)))):
            rels.append(RelRecord("AFFILIATED_WITH", pid, org_ids[org], {"role": rnd.choice(["Professor", "Researcher", "Visiting researcher", "Adviser"]),
                                                                        "start": f"20{rnd.randint(10, 25)}-04-01", "primary": k == 0}, ev))
    for j in range(persons // 2):
        pub = f"pub:bench{j}"
        nodes.append(NodeRecord("Publication", pub, {"title": f"Study {j}", "names": [f"Study {j}"], "year": rnd.randint(2015, 2026)}, ev))
        for pos, author in enumerate(rnd.sample(person_ids, rnd.randint(2, 4))):
            rels.append(RelRecord("AUTHORED", author, pub, {"position": pos + 1}, ev))
    report = await GraphWriter(db, batch_size=5000).write(nodes, rels)
    return {"nodes": report.nodes, "relationships": report.relationships, "person_ids": person_ids, "org_ids": org_ids,
            "names": [n.split(" ")[1] for n in person_names[:2000]] + [" ".join(n.split(" ")[:2]) for n in org_names[:2000]]}


def pick(rnd: random.Random, ops: list[str], graph: dict) -> tuple[str, str, dict]:
    op = rnd.choice(ops)
    if op == "search":
        return op, SEARCH_Q, {"q": rnd.choice(graph["names"])}
    if op == "entity":
        return op, ENTITY_Q, {"id": rnd.choice(graph["org_ids"] if rnd.random() < 0.5 else graph["person_ids"])}
    if op == "person":
        return op, PERSON_Q, {"id": rnd.choice(graph["person_ids"])}
    return op, PATHS_Q, {"id": rnd.choice(graph["person_ids"])}


EXPECTED = {"search": None, "entity": ("Person", "Organization"), "person": ("Person",), "concernPaths": ("ConcernPaths",)}


async def run_clients(url: str, keys: list[str], graph: dict, ops: list[str], duration: float,
                      think: tuple[float, float] = (0.0, 0.0)) -> tuple[dict, dict, float, int]:
    """Clients through bench.harness.concurrent_clients: back to back (``think`` 0, a throughput
    test: latency then grows with the queue) or like investigators, pausing between requests."""

    async def request(i: int, k: int, rnd: random.Random, http: httpx.AsyncClient):
        op, query, variables = pick(rnd, ops, graph)
        r = await http.post(url, json={"query": query, "variables": variables}, headers={"X-API-Key": keys[i]})
        ok = r.status_code == 200
        body = r.json() if ok else {}
        ok = ok and not body.get("errors")
        if ok and EXPECTED[op]:
            ok = body["data"][list(body["data"])[0]]["__typename"] in EXPECTED[op]
        return op, r, None if ok else r.text[:300]

    outcomes, wall = await concurrent_clients(len(keys), duration, request, think=think, timeout=30, honour_retry_after=False)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    samples: dict[str, str] = {}
    for o in outcomes:
        if o.error is None:
            latencies[o.op].append(o.seconds * 1000)
        else:
            errors[o.op] += 1
            samples.setdefault(o.op, o.error)
    if samples:
        print("first error per operation:", json.dumps(samples, ensure_ascii=False)[:1200])
    return latencies, errors, wall, len(outcomes)


async def run_baseline(db: Database, graph: dict, clients: int, duration: float) -> tuple[dict, float]:
    """The same look-ups through queries/ directly (no HTTP, no GraphQL, no auth, no audit)."""
    latencies: dict[str, list[float]] = defaultdict(list)
    deadline = time.monotonic() + duration

    async def client(i: int) -> None:
        rnd = random.Random(2000 + i)
        while time.monotonic() < deadline:
            op = rnd.choice(["search", "entity", "person"])
            t0 = time.perf_counter()
            if op == "search":
                await search_q.search(db, rnd.choice(graph["names"]), limit=10)
            elif op == "entity":
                await entity_q.get_entity(db, rnd.choice(graph["org_ids"] if rnd.random() < 0.5 else graph["person_ids"]), limit=10)
            else:
                pid = rnd.choice(graph["person_ids"])
                await people_q.nodes_by_ids(db, [pid])
                page = await people_q.relations_page(db, [pid], types=["AFFILIATED_WITH"], direction="out", skip=0, limit=10)
                await people_q.relations_page(db, [r.other.id for r in page[pid].items], types=["LISTED_ON"], direction="out", skip=0, limit=5)
            latencies[op].append((time.perf_counter() - t0) * 1000)

    started = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies, time.monotonic() - started


def report(title: str, latencies: dict, errors: dict, wall: float) -> dict:
    print(f"\n{title}")
    print(f"  {'operation':14} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    out = {}
    for op in sorted(set(latencies) | set(errors)):
        values = latencies.get(op, [])
        out[op] = {"requests": len(values) + errors.get(op, 0), "errors": errors.get(op, 0), "p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99)}
        print(f"  {op:14} {out[op]['requests']:>9} {out[op]['errors']:>7} {out[op]['p50']:>8.1f} {out[op]['p95']:>8.1f} {out[op]['p99']:>8.1f}")
    total = sum(v["requests"] for v in out.values())
    print(f"  total {total} requests in {wall:.1f} s = {total / wall:.1f} requests/s, errors {sum(errors.values())}")
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--baseline-duration", type=float, default=20.0)
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--orgs", type=int, default=3000)
    parser.add_argument("--listed", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--think-ms", default="0,0", help="pause between a client's requests, MIN,MAX in ms (0,0: back to back)")
    parser.add_argument("--warmup", type=float, default=60.0,
                        help="seconds of the same load before the measured run (a fresh JVM needs about a minute of it)")
    parser.add_argument("--ops", default="search,entity,person,concernPaths", help="the operations mixed, in equal shares")
    args = parser.parse_args()

    started_neo4j = None
    if os.environ.get("NEO4J_URI"):
        settings = Settings()
    else:
        settings = Settings(neo4j_home=Path(tempfile.mkdtemp(prefix="kizuna-bench-api-")), neo4j_bolt_port=free_port(), neo4j_password="kizuna-bench",
                            neo4j_heap_mb=1024, neo4j_pagecache_mb=1024)
        neo4j_server.start(settings)
        started_neo4j = settings
    db = Database(settings)
    server = None
    try:
        await db.verify()
        await apply_schema(db)
        t0 = time.perf_counter()
        graph = await build_graph(db, args.persons, args.orgs, args.listed)
        print(f"graph: {graph['nodes']} node and {graph['relationships']} relationship records written (idempotent) in {time.perf_counter() - t0:.1f} s")
        pepper = "bench-pepper"
        config = ApiConfig(key_pepper=pepper)
        keys = [(await create_api_key(db, config, name=f"bench client {i}", role="viewer"))[1] for i in range(args.clients)]

        server, base = start_api_server(settings, launched=started_neo4j is not None, pepper=pepper, workers=args.workers)
        url = base + "/graphql"
        ops = args.ops.split(",")
        print(f"API server pid {server.pid}", flush=True)
        think = tuple(float(x) / 1000 for x in args.think_ms.split(","))
        # Warm-up, with the measured run's think time: query plans cached, the JVM's hot paths compiled.
        # A fresh Neo4j spent 10.2 ms of CPU per request after 15 s of this load and 5.7 ms after 60 s
        # (its JIT compiler still at work): what a long-running server costs is the second figure.
        await run_clients(url, keys, graph, ops, args.warmup, think)
        settle_heap()
        with GcPauses() as pauses:
            latencies, errors, wall, _ = await run_clients(url, keys, graph, ops, args.duration, think)
        api = report(f"API over HTTP: {args.clients} clients, {args.duration:.0f} s, think {args.think_ms} ms, {args.workers} worker(s), "
                     f"load average {os.getloadavg()[0]:.1f}", latencies, errors, wall)
        print(f"  load generator's garbage collector during the run: {pauses.summary()}")
        base_lat, base_wall = await run_baseline(db, graph, args.clients, args.baseline_duration)
        base = report(f"baseline, queries/ called directly: {args.clients} concurrent tasks, {args.baseline_duration:.0f} s", base_lat, {}, base_wall)
        print("\nratio API / baseline (p95):")
        for op in ("search", "entity", "person"):
            if op in api and op in base:
                print(f"  {op:14} {api[op]['p95'] / base[op]['p95']:.2f}x")
        verdict = all(api[op]["p95"] <= 50 for op in ("search", "entity", "person") if op in api) and sum(errors.values()) == 0
        print(f"\ntarget (zero errors, look-up p95 <= 50 ms): {'MET' if verdict else 'NOT MET'}")
        if "concernPaths" in api:
            print(f"target (4-hop concern paths p95 <= 150 ms): {'MET' if api['concernPaths']['p95'] <= 150 else 'NOT MET'}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        await db.close()
        if started_neo4j:
            neo4j_server.stop(started_neo4j)
            shutil.rmtree(started_neo4j.neo4j_home, ignore_errors=True)  # ~270 MB of store per run


if __name__ == "__main__":
    asyncio.run(main())
