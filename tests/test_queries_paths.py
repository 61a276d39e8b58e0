"""Concern paths on crafted graphs with known answers, and on real list entries."""

from __future__ import annotations

import json
import time

import pytest

from kizuna.errors import InvalidInput, NotFound
from queries.paths import PathFilters, concern_paths, path_score, Hop, Listing
from queries.timing import TimedReads
from tests.queries_graphs import GraphBuilder

GENEROUS = 60_000  # ms: tests of answers must not depend on machine load


def f(**kw) -> PathFilters:
    kw.setdefault("time_budget_ms", GENEROUS)
    return PathFilters(**kw)


async def research_graph(db) -> None:
    """Alice (professor at Uni 2015–2022) co-authored P1 (2020) with Bob, who is at Listed Inst;
    Uni is supervised by Listed Parent (listed 2019–2023); Listed Inst listed from 2022-06-30."""
    g = GraphBuilder()
    g.person("per:alice", "Alice Example")
    g.person("per:bob", "Bob Example")
    g.org("org:uni", "Example University")
    g.org("org:inst", "Listed Institute")
    g.org("org:parent", "Listed Ministry", kind="government_body")
    g.watchlist("wl:us-1286", "DoD 1286", severity="high")
    g.watchlist("wl:other", "Other list", severity="low")
    g.rel("AFFILIATED_WITH", "per:alice", "org:uni", start="2015", end="2022", role="professor", source="src:orcid", confidence=0.95)
    g.node("Publication", "pub:p1", title="Paper One", year=2020)
    g.rel("AUTHORED", "per:alice", "pub:p1", source="src:openalex")
    g.rel("AUTHORED", "per:bob", "pub:p1", source="src:openalex")
    g.rel("AFFILIATED_WITH", "per:bob", "org:inst", start="2018", source="src:orcid", confidence=0.6)
    g.rel("SUPERVISED_BY", "org:uni", "org:parent", source="src:aspi")
    g.listed("org:inst", "wl:us-1286", start="2022-06-30", reason="problematic activity")
    g.listed("org:parent", "wl:other", start="2019", end="2023")
    await g.write(db)


async def test_paths_known_answer_each_hop_with_evidence(graph):
    await research_graph(graph)
    res = await concern_paths(graph, "per:alice", f())
    by_target = {p.target_id: p for p in res.paths}
    assert set(by_target) == {"org:inst", "org:parent"}
    assert not res.partial and res.hops_explored == 4
    parent = by_target["org:parent"]
    assert [h.relation for h in parent.hops] == ["AFFILIATED_WITH", "SUPERVISED_BY"]
    assert parent.hops[0].start == "2015" and parent.hops[0].end == "2022"
    assert parent.hops[0].evidence[0]["source_id"] == "src:orcid"
    assert parent.hops[1].evidence[0]["source_id"] == "src:aspi"
    inst = by_target["org:inst"]
    assert [h.relation for h in inst.hops] == ["AUTHORED", "AUTHORED", "AFFILIATED_WITH"]
    assert inst.hops[2].confidence == pytest.approx(0.6)
    assert inst.listings[0].watchlist_id == "wl:us-1286" and inst.listings[0].reason == "problematic activity"


async def test_a_path_against_a_relationship_direction_names_each_entity_once(graph):
    """Alice → Paper One ← Bob: the co-author hop is followed against its direction, so the
    path's stops (and the finding's summary and the sweep's stored path) name Bob, not the
    paper twice."""
    from ingest.sweep.steps import sweep_finding
    from queries.findings import from_path

    await research_graph(graph)
    result = await concern_paths(graph, "per:alice", f(as_of="2022-12-31"))
    (path,) = [p for p in result.paths if p.target_id == "org:inst"]
    assert path.stops("per:alice") == [("per:alice", "Alice Example"), ("pub:p1", "Paper One"), ("per:bob", "Bob Example"),
                                       ("org:inst", "Listed Institute")]
    finding = from_path(path, ("per:alice", "Alice Example"), [], "2022-12-31")
    assert finding.summary == "Alice Example → Paper One → Bob Example → Listed Institute — listed on DoD 1286"
    stored = sweep_finding(finding, [])
    assert stored["path"] == ["per:alice", "pub:p1", "per:bob", "org:inst"]
    assert stored["path_names"] == ["Alice Example", "Paper One", "Bob Example", "Listed Institute"]


async def test_as_of_around_listing_start_and_end(graph):
    await research_graph(graph)
    # Listed Institute's listing starts 2022-06-30.
    before = await concern_paths(graph, "per:alice", f(as_of="2022-06-29"))
    on = await concern_paths(graph, "per:alice", f(as_of="2022-06-30"))
    assert "org:inst" not in {p.target_id for p in before.paths}
    assert "org:inst" in {p.target_id for p in on.paths}
    # Listed Ministry: listed 2019..2023 ("2023" covers all of 2023); Alice's appointment ends 2022.
    assert "org:parent" in {p.target_id for p in (await concern_paths(graph, "per:alice", f(as_of="2020-01-01"))).paths}
    assert "org:parent" not in {p.target_id for p in (await concern_paths(graph, "per:alice", f(as_of="2018-12-31"))).paths}
    # In 2023 the listing still holds but Alice's appointment (ended 2022) no longer does.
    assert "org:parent" not in {p.target_id for p in (await concern_paths(graph, "per:alice", f(as_of="2023-06-01"))).paths}
    # A look-back window from 2021 keeps the appointment, the listing is in effect at as_of.
    window = await concern_paths(graph, "per:alice", f(as_of="2023-06-01", window_from="2021-01-01"))
    assert "org:parent" in {p.target_id for p in window.paths}
    assert "org:parent" not in {p.target_id for p in (await concern_paths(graph, "per:alice", f(as_of="2024-01-01", window_from="2015-01-01"))).paths}


async def test_filters_lists_types_confidence_hops(graph):
    await research_graph(graph)
    only_other = await concern_paths(graph, "per:alice", f(lists=["wl:other"]))
    assert {p.target_id for p in only_other.paths} == {"org:parent"}
    no_coauthor = await concern_paths(graph, "per:alice", f(relation_types=["AFFILIATED_WITH", "SUPERVISED_BY"]))
    assert {p.target_id for p in no_coauthor.paths} == {"org:parent"}
    confident = await concern_paths(graph, "per:alice", f(min_confidence=0.7))
    assert {p.target_id for p in confident.paths} == {"org:parent"}  # Bob's affiliation has 0.6
    short = await concern_paths(graph, "per:alice", f(max_hops=2))
    assert {p.target_id for p in short.paths} == {"org:parent"}
    with pytest.raises(InvalidInput):
        await concern_paths(graph, "per:alice", f(max_hops=7))
    with pytest.raises(InvalidInput):
        await concern_paths(graph, "per:alice", f(relation_types=["HAS_PERSONAL_DATA"]))
    with pytest.raises(InvalidInput):
        await concern_paths(graph, "per:alice", f(as_of="yesterday"))
    with pytest.raises(NotFound):
        await concern_paths(graph, "per:nobody", f())


async def test_same_as_followed_only_when_decided_same(graph):
    g = GraphBuilder()
    g.person("per:c", "Carol")
    g.org("org:a", "Institute A (string)", unresolved=True)
    g.org("org:b", "Institute B")
    g.org("org:d", "Institute D")
    g.watchlist("wl:l", "List")
    g.rel("AFFILIATED_WITH", "per:c", "org:a")
    g.rel("SAME_AS", "org:a", "org:b", decision="same", score=0.97)
    g.rel("SAME_AS", "org:a", "org:d", candidate=True, score=0.6)
    g.listed("org:b", "wl:l")
    g.listed("org:d", "wl:l")
    await g.write(graph)
    res = await concern_paths(graph, "per:c", f())
    assert {p.target_id for p in res.paths} == {"org:b"}
    assert [h.relation for h in res.paths[0].hops] == ["AFFILIATED_WITH", "SAME_AS"]


async def test_hub_is_not_expanded_through_its_links_and_result_is_partial(graph):
    g = GraphBuilder()
    g.person("per:x", "Xavier")
    g.org("org:hub", "Big University")
    g.org("org:hub-parent", "Listed Supervisor", kind="government_body")
    g.org("org:far", "Listed Lab")
    g.watchlist("wl:l", "List")
    g.rel("AFFILIATED_WITH", "per:x", "org:hub")
    g.rel("SUPERVISED_BY", "org:hub", "org:hub-parent")
    for i in range(12):
        g.person(f"per:colleague{i}", f"Colleague {i}")
        g.rel("AFFILIATED_WITH", f"per:colleague{i}", "org:hub")
    g.rel("AFFILIATED_WITH", "per:colleague0", "org:far")
    g.listed("org:hub-parent", "wl:l")
    g.listed("org:far", "wl:l")
    await g.write(graph)
    full = await concern_paths(graph, "per:x", f(hub_degree=100))
    assert {p.target_id for p in full.paths} == {"org:hub-parent", "org:far"} and not full.partial
    capped = await concern_paths(graph, "per:x", f(hub_degree=5))
    # Through the hub only structure is followed: its supervisor is found, the colleague's lab is not.
    assert {p.target_id for p in capped.paths} == {"org:hub-parent"}
    assert capped.partial
    hub = [lo for lo in capped.left_out if lo.kind == "hub"]
    assert hub and hub[0].entity_id == "org:hub" and hub[0].degree == 14
    # The subject itself is always expanded, even when it is a hub.
    from_hub = await concern_paths(graph, "org:hub", f(hub_degree=5, max_hops=2))
    assert {p.target_id for p in from_hub.paths} == {"org:hub-parent", "org:far"}


async def test_time_budget_gives_partial_result_saying_what_was_left_out(graph):
    await research_graph(graph)
    res = await concern_paths(graph, "per:alice", PathFilters(max_hops=6, time_budget_ms=1))
    assert res.partial
    depth = [lo for lo in res.left_out if lo.kind == "depth"]
    assert depth and depth[0].hops == res.hops_explored + 1


async def test_timed_reads_stop_on_the_server_and_answer_none_from_then_on(graph):
    """The search levels share one transaction and its server-side timeout: a level that runs
    past it is stopped by Neo4j (no runaway traversal), and later levels are not asked."""
    slow = "UNWIND range(1, 200000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n"
    async with TimedReads(graph, 60.0) as reads:
        assert await reads.read("RETURN $x AS x", {"x": 1}) == [{"x": 1}]
        assert await reads.read("RETURN $x AS x", {"x": 2}) == [{"x": 2}]
    async with TimedReads(graph, 0.2) as reads:
        started = time.perf_counter()
        assert await reads.read(slow, {}) is None
        assert time.perf_counter() - started < 10  # stopped by the server, not run to the end
        assert reads.timed_out and await reads.read("RETURN 1 AS x", {}) is None
    assert await graph.read("RETURN 3 AS x") == [{"x": 3}]  # the driver and server are fine afterwards
    with pytest.raises(InvalidInput):
        async with TimedReads(graph, 5.0) as reads:
            await reads.read("RETURN nonsense(", {})


async def test_a_search_cache_shared_by_batches_changes_no_answer(graph):
    """A sweep's batches share one SearchCache: whatever earlier batches read (expansions of a
    hub and of its neighbours, listings, hops, names), every answer equals a fresh search — also
    when the cache is so small that it keeps forgetting, and when a hub is itself a subject."""
    import dataclasses

    from queries.paths import SearchCache, concern_paths_many

    await research_graph(graph)
    g = GraphBuilder()
    g.person("per:x", "Xavier")
    g.org("org:hub", "Big University")
    g.org("org:hub-parent", "Listed Supervisor", kind="government_body")
    g.watchlist("wl:l", "List")
    g.rel("AFFILIATED_WITH", "per:x", "org:hub", source="src:orcid")
    g.rel("AFFILIATED_WITH", "per:alice", "org:hub", source="src:orcid")
    g.rel("SUPERVISED_BY", "org:hub", "org:hub-parent", source="src:aspi")
    for i in range(8):
        g.person(f"per:colleague{i}", f"Colleague {i}")
        g.rel("AFFILIATED_WITH", f"per:colleague{i}", "org:hub", source="src:orcid")
    g.rel("AFFILIATED_WITH", "per:colleague0", "org:inst", source="src:orcid")
    g.listed("org:hub-parent", "wl:l")
    await g.write(graph)

    filters = f(as_of="2022-12-31", hub_degree=5).validated()
    ids = ["per:alice", "per:x", "per:bob", "org:hub", "per:colleague0", "org:uni", "per:colleague1"]

    def plain(result):
        return dataclasses.replace(result, elapsed_ms=0.0)

    fresh = {sid: plain(await concern_paths(graph, sid, filters)) for sid in ids}
    assert fresh["per:alice"].paths and fresh["org:hub"].paths and fresh["per:x"].partial  # the graph exercises paths and the hub rule
    roomy, tiny = SearchCache(filters), SearchCache(filters, max_weight=8)
    for cache in (roomy, tiny):
        for batch in (ids[:2], ids[2:], ids[::-1], ids, ["per:x", "org:hub"], ["per:colleague0"]):
            answers = await concern_paths_many(graph, batch, filters, cache)
            assert {sid: plain(answers[sid]) for sid in batch} == {sid: fresh[sid] for sid in batch}
    assert roomy.hits > 0 and len(roomy.hops.items) > len(tiny.hops.items)
    with pytest.raises(InvalidInput, match="other concern-path filters"):
        await concern_paths_many(graph, ids, f(as_of="2021-01-01"), SearchCache(filters))


def test_search_cache_forgets_the_least_recently_used_half():
    """An entry read since it was stored outlives entries stored after it but not read."""
    from queries.paths import _Recent

    kept = _Recent(limit=10)
    for i in range(10):
        kept.put(i, f"v{i}")
    assert kept.get(0) == "v0" and kept.get(1) == "v1"  # the oldest two, just used
    kept.put(10, "v10")  # over the limit: half goes
    assert kept.get(0) == "v0" and kept.get(1) == "v1" and kept.get(10) == "v10"
    assert kept.get(2) is None and kept.get(6) is None and kept.get(9) == "v9"
    assert kept.weight == len(kept.items) <= 10
    kept.put(9, "other")  # an entry is never replaced
    assert kept.get(9) == "v9"


async def test_max_paths_gives_the_best_of_the_full_answer_and_counts_all(graph):
    """A page of paths is the head of the full, score-ordered answer (the score is computed
    before the hops are fetched), with the same scores and hops; every reached entity is counted."""
    await research_graph(graph)
    full = await concern_paths(graph, "per:alice", f(as_of="2022-12-01"))
    assert full.total_paths == len(full.paths) == 2
    assert [p.score for p in full.paths] == sorted((p.score for p in full.paths), reverse=True)
    for p in full.paths:
        assert p.score == path_score(p.hops, p.listings, "2022-12-01")[0]
    top = await concern_paths(graph, "per:alice", f(as_of="2022-12-01", max_paths=1))
    assert top.total_paths == 2 and len(top.paths) == 1
    assert (top.paths[0].target_id, top.paths[0].score, top.paths[0].hops) == (full.paths[0].target_id, full.paths[0].score, full.paths[0].hops)
    assert not top.partial  # a shorter answer is not an incomplete search
    with pytest.raises(InvalidInput):
        await concern_paths(graph, "per:alice", f(max_paths=0))


async def test_subject_itself_listed_is_a_zero_hop_path(graph):
    await research_graph(graph)
    res = await concern_paths(graph, "org:inst", f(as_of="2024-01-01"))
    zero = [p for p in res.paths if p.target_id == "org:inst"]
    assert zero and zero[0].hops == []


def test_path_score_documented_factors():
    listing = lambda sev: Listing("wl", "L", None, None, sev, None, None, None, None, None, [])  # noqa: E731
    hop = lambda rel, conf, end=None: Hop(rel, "a", "b", None, None, None, end, conf, {}, [])  # noqa: E731
    direct, _ = path_score([hop("AFFILIATED_WITH", 1.0)], [listing("high")], "2025-01-01")
    coauthor, _ = path_score([hop("AUTHORED", 1.0), hop("AUTHORED", 1.0), hop("AFFILIATED_WITH", 1.0)], [listing("high")], "2025-01-01")
    unsure, _ = path_score([hop("AFFILIATED_WITH", 0.5)], [listing("high")], "2025-01-01")
    old, parts = path_score([hop("AFFILIATED_WITH", 1.0, end="2015")], [listing("high")], "2025-01-01")
    mild, _ = path_score([hop("AFFILIATED_WITH", 1.0)], [listing("low")], "2025-01-01")
    assert direct == 1.0
    assert coauthor < direct and unsure == 0.5 and mild == 0.5
    assert 0.25 <= parts["recency"] < 0.3 and old < direct


async def test_real_list_entries_canada_nro_children_reach_caep(graph, shared_data):
    """Real entries of the Canada NRO list: CAEP sub-institutes carry parentOrg; a (fictional)
    researcher at a sub-institute reaches the listed CAEP through PART_OF."""
    data = json.loads((shared_data / "canada_nro" / "rstoolkit_nro_organizations.json").read_text(encoding="utf-8"))
    orgs = {o["id"]: o for o in data["organizations"]}
    child = next(o for o in data["organizations"] if o.get("parentOrg") and o["parentOrg"] in orgs)
    parent = orgs[child["parentOrg"]]
    g = GraphBuilder()
    g.watchlist("wl:ca-nro", "Canada Named Research Organizations", jurisdiction="CA", severity="high")
    for o in (child, parent):
        g.node("Organization", f"org:nro:{o['id']}", name=o["name"], names=[o["name"], *o.get("aliases", [])], kind="research_institute", source="src:ca-nro")
        g.listed(f"org:nro:{o['id']}", "wl:ca-nro", start=data["lastUpdated"])
    g.rel("PART_OF", f"org:nro:{child['id']}", f"org:nro:{parent['id']}", source="src:ca-nro")
    g.person("per:fictional-researcher", "Fictional Researcher", fictional=True)
    g.rel("AFFILIATED_WITH", "per:fictional-researcher", f"org:nro:{child['id']}", start="2024-01")
    await g.write(graph)
    res = await concern_paths(graph, "per:fictional-researcher", f(as_of="2025-06-01"))
    assert {p.target_id for p in res.paths} == {f"org:nro:{child['id']}", f"org:nro:{parent['id']}"}
    assert [h.relation for h in next(p for p in res.paths if p.target_id.endswith(parent["id"])).hops] == ["AFFILIATED_WITH", "PART_OF"]
    # Before the list version was published nothing is listed.
    assert (await concern_paths(graph, "per:fictional-researcher", f(as_of="2025-01-01"))).paths == []
