"""Concern proximity (graph/proximity.py): kept current by the writer, equal to a full rebuild,
and a sound guide for concern paths — the pruned search finds exactly what an exhaustive
breadth-first search over the same graph finds."""

from __future__ import annotations

import random
from collections import deque

from graph import proximity
from graph.writer import GraphWriter
from queries.paths import PathFilters, concern_paths
from tests.queries_graphs import GraphBuilder

LINKS = ["AFFILIATED_WITH", "ADVISES", "FUNDED_BY", "PARTICIPATES_IN"]
STRUCTURE = ["PART_OF", "SUBSIDIARY_OF", "SUPERVISED_BY"]
FOLLOWED_FROM_HUBS = STRUCTURE + ["SAME_AS"]  # structure and decided resolution


def random_graph(seed: int) -> tuple[GraphBuilder, list[tuple[str, str, str]], set[str], list[tuple[str, str]]]:
    """A small random research graph with hubs, structure and listed organizations."""
    rng = random.Random(seed)
    g = GraphBuilder()
    people = [g.person(f"per:r{seed}-{i}", f"Person {i}") for i in range(40)]
    orgs = [g.org(f"org:r{seed}-{i}", f"Org {i}") for i in range(25)]
    g.watchlist("wl:r", "Random list")
    edges: list[tuple[str, str, str]] = []
    for p in people:
        for _ in range(rng.randint(1, 3)):
            # a few organizations attract most people: hubs for a small hub_degree
            o = orgs[min(int(rng.expovariate(0.35)), len(orgs) - 1)]
            edges.append((rng.choice(LINKS), p, o))
    for _ in range(18):
        a, b = rng.sample(orgs, 2)
        edges.append((rng.choice(STRUCTURE), a, b))
    pairs = sorted({tuple(sorted(rng.sample(people, 2))) for _ in range(12)})
    for i, (a, b) in enumerate(pairs):  # resolution: followed only when decided the same
        g.rel("SAME_AS", a, b, decision="same" if i % 2 else "not_same")
        if i % 2:
            edges.append(("SAME_AS", a, b))
    listed = set(rng.sample(orgs, 4)) | {rng.choice(people)}
    seen = set()
    for t, a, b in edges:
        if t != "SAME_AS" and (t, a, b) not in seen:
            seen.add((t, a, b))
            g.rel(t, a, b)
    for entity in sorted(listed):
        g.listed(entity, "wl:r")
    undecided = [pair for i, pair in enumerate(pairs) if not i % 2]
    return g, sorted(seen | {("SAME_AS", a, b) for t, a, b in edges if t == "SAME_AS"}), listed, undecided


def exhaustive(subject: str, edges: list[tuple[str, str, str]], listed: set[str], undecided: list[tuple[str, str]], max_hops: int,
               hub_degree: int) -> dict[str, int]:
    """Hops to every listed entity by plain breadth-first search with the documented hub rule."""
    degree: dict[str, int] = {}
    adjacent: dict[str, list[tuple[str, str]]] = {}
    for t, a, b in edges:
        for x, y in ((a, b), (b, a)):
            degree[x] = degree.get(x, 0) + 1
            adjacent.setdefault(x, []).append((t, y))
    for entity in listed:  # the LISTED_ON relationship counts towards the degree too
        degree[entity] = degree.get(entity, 0) + 1
    for a, b in undecided:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    hops = {subject: 0}
    queue = deque([subject])
    while queue:
        a = queue.popleft()
        if hops[a] == max_hops:
            continue
        open_ = a == subject or degree.get(a, 0) <= hub_degree
        for t, b in adjacent.get(a, []):
            if b not in hops and (open_ or t in FOLLOWED_FROM_HUBS):
                hops[b] = hops[a] + 1
                queue.append(b)
    return {e: h for e, h in hops.items() if e in listed}


async def values(db) -> dict[str, int]:
    rows = await db.read("MATCH (n:Entity) WHERE n.concern_hops IS NOT NULL RETURN n.id AS id, n.concern_hops AS hops")
    return {r["id"]: r["hops"] for r in rows}


async def test_writes_in_any_order_keep_values_equal_to_a_full_rebuild(graph):
    g, _, _, _ = random_graph(1)
    rng = random.Random(5)
    rels = list(g.rels)
    rng.shuffle(rels)
    writer = GraphWriter(graph)
    await writer.write(g.nodes, [])
    for i in range(0, len(rels), 7):  # listings and links arrive interleaved, in small batches
        await writer.write([], rels[i : i + 7])
    incremental = await values(graph)
    assert incremental and 0 in incremental.values() and max(incremental.values()) >= 2
    counts = await proximity.rebuild(graph)
    assert await values(graph) == incremental
    assert counts[0] == sum(1 for v in incremental.values() if v == 0)


async def test_deferred_updates_are_applied_on_flush(graph):
    g, _, listed, _ = random_graph(2)
    writer = GraphWriter(graph, defer_proximity=True)
    await writer.write(g.nodes, g.rels)
    assert await values(graph) == {}
    assert await writer.flush_proximity() > 0
    assert {e for e, v in (await values(graph)).items() if v == 0} == listed


async def test_pruned_search_finds_what_exhaustive_search_finds(graph):
    for seed in (3, 4, 5):
        await graph.write("MATCH (n:Entity) DETACH DELETE n")  # the schema marker stays
        g, edges, listed, undecided = random_graph(seed)
        await g.write(graph)
        subjects = sorted({a for _, a, _ in edges})[:8]
        for hub_degree in (4, 200):
            for max_hops in (2, 4):
                for subject in subjects:
                    res = await concern_paths(graph, subject, PathFilters(max_hops=max_hops, hub_degree=hub_degree, time_budget_ms=30_000))
                    expected = exhaustive(subject, edges, listed, undecided, max_hops, hub_degree)
                    got = {p.target_id: len(p.hops) for p in res.paths}
                    assert got == expected, (seed, subject, hub_degree, max_hops)
                    assert res.hops_explored == max_hops
                    for p in res.paths:  # every path is connected hop by hop from the subject
                        at = subject
                        for hop in p.hops:
                            assert at in (hop.from_id, hop.to_id)
                            at = hop.to_id if hop.from_id == at else hop.from_id
                        assert at == p.target_id


async def test_hub_degree_above_the_index_rule_is_refused(graph):
    import pytest

    from kizuna.errors import InvalidInput

    with pytest.raises(InvalidInput, match="at most"):
        PathFilters(hub_degree=proximity.HUB_DEGREE + 1).validated()


async def test_incremental_statements_find_seeds_by_id_not_by_proximity_range(graph):
    """With thousands of listed entities, the planner preferred scanning the concern_hops range
    index once per seed (quadratic: 41 s for 5,000 seeds beside 10,000 listed organizations).
    Every statement that starts from seed ids must seek them by the unique id index."""
    g = GraphBuilder()
    g.watchlist("wl:x", "List X")
    for i in range(2000):
        g.org(f"org:l{i}", f"Listed {i}")
        g.listed(f"org:l{i}", "wl:x")
    await g.write(graph)
    await proximity.rebuild(graph)
    ids = [f"org:l{i}" for i in range(2000)]
    text, params = proximity.statements(), proximity._params()
    for name in ("improve", "level"):
        async with graph.driver.session(database=graph.database) as session:
            result = await session.run("EXPLAIN " + text[name], {**params, "ids": ids, "hops": 1})
            plan = (await result.consume()).plan
        found = list(_operators(plan))
        shown = f"{name}:\n" + "\n".join(f"{op} {details}" for op, details in found)  # the whole plan, untruncated
        assert any(op.startswith("NodeUniqueIndexSeek") for op, _ in found), shown
        assert not any("concern_hops" in details and "Index" in op for op, details in found), shown
        assert not any(op.startswith(("NodeByLabelScan", "AllNodesScan", "NodeIndexScan", "NodeUniqueIndexScan")) for op, _ in found), shown


def _operators(plan: dict):
    """(operator, details) of every step of an EXPLAIN plan, depth first."""
    yield plan["operatorType"], plan.get("args", {}).get("Details", "")
    for child in plan.get("children", []):
        yield from _operators(child)
