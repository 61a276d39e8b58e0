"""Concern proximity: on every entity, how many hops it is from the nearest listed entity.

Why: a concern-path question asks for the shortest path from one subject to *any* of thousands
of listed entities. A breadth-first search that knows, for each node it could step to, a lower
bound of the hops still needed can drop every node from which no listed entity is reachable in
the hops left — on a research graph that is almost all of them — instead of exploring everything
within four or six hops. ``concern_hops`` is that bound: the hop count to the nearest entity
that is, or ever was, on any watchlist, over the relationships a concern path may follow, with
the same hub rule (a node with more than ``HUB_DEGREE`` relationships is entered but continued
over organizational structure only). It ignores dates, confidence and list choices, which can
only make a real path longer, so it never prunes a path that exists. Nodes farther than
``MAX_HOPS`` have no value.

Kept current by the graph writer (every written relationship that a path may follow, and every
listing, lowers the values around it: ``update``), and rebuilt in full by ``rebuild`` for data
that did not come through the writer (``kizuna db reindex``, the benchmark generator, a schema
upgrade). Removing a relationship can only lengthen distances, so a stale value stays a valid
lower bound.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from graph.db import Database
from graph.model import GraphModel, load_model
from graph.schema import ident

HUB_DEGREE = 200  # the hub rule the index encodes; path requests may be stricter, not looser
MAX_HOPS = 6
PROPERTY = "concern_hops"
BATCH = 5_000


def _types(model: GraphModel) -> tuple[str, list[str]]:
    follow = model.rel_types("link", "structure", "resolution")
    return "|".join(ident(t) for t in follow), model.rel_types("structure", "resolution")


def _statements(model: GraphModel) -> dict[str, str]:
    follow, _ = _types(model)
    # A step a -> b may be taken when a is not a hub or the relationship is structure; SAME_AS
    # only when decided same. The rebuild walks it backwards from the listed entities.
    step = "(type(r) <> 'SAME_AS' OR r.decision = 'same') AND (type(r) IN $structure OR COUNT { (a)--() } <= $hub_degree)"
    return {
        "clear": "MATCH (n:Entity) WHERE n.concern_hops IS NOT NULL WITH n LIMIT $batch REMOVE n.concern_hops RETURN count(*) AS cleared",
        "listed": "MATCH (n:Entity)-[:LISTED_ON]->(:Watchlist) WITH DISTINCT n SET n.concern_hops = 0 RETURN n.id AS id",
        "level": (
            # Seeds are always sought by id. With the statistics a test run leaves behind, the
            # planner started elsewhere twice (tests/test_proximity.py): from a, before any hint;
            # and once in CI with USING INDEX, which allows a scan of the whole id index joined to
            # the ids (the likeliest reading of the truncated plan). USING INDEX SEEK does not.
            # a has no label, as b in "improve" below, so no label scan or concern_hops index can
            # start the plan (every model node is an Entity).
            "UNWIND $ids AS bid MATCH (b:Entity {id: bid})-[r:" + follow + "]-(a) USING INDEX SEEK b:Entity(id) "
            "WHERE a.concern_hops IS NULL AND " + step + " "
            "WITH DISTINCT a SET a.concern_hops = $hops RETURN a.id AS id"
        ),
        # Incremental, one statement per wave: recompute each seed from its neighbours, keep only
        # improvements, and name the neighbours that may now improve through them (the next wave).
        # One record back, not one per seed: a list of 100k newly listed entities improved 100k
        # seeds, and decoding 100k records cost more than the update itself.
        "improve": (
            "UNWIND $ids AS aid MATCH (a:Entity {id: aid}) USING INDEX SEEK a:Entity(id) "
            "WITH a, EXISTS { (a)-[:LISTED_ON]->(:Watchlist) } AS listed "
            # b without a label: with one, the planner scanned the concern_hops index for every
            # seed (quadratic in a bulk ingest) instead of expanding the seed's own relationships.
            "OPTIONAL MATCH (a)-[r:" + follow + "]-(b) "
            "WHERE b.concern_hops IS NOT NULL AND " + step + " "
            "WITH a, listed, min(b.concern_hops) + 1 AS via "
            "WITH a, CASE WHEN listed THEN 0 ELSE via END AS best "
            "WHERE best IS NOT NULL AND best <= $max_hops AND (a.concern_hops IS NULL OR best < a.concern_hops) "
            "SET a.concern_hops = best "
            "WITH a, best "
            # n without a label, as b above: expanded from a, never found by an index scan.
            "CALL (a, best) { "
            "  MATCH (a)-[:" + follow + "]-(n) WHERE best < $max_hops AND (n.concern_hops IS NULL OR n.concern_hops > best + 1) "
            "  RETURN collect(n.id) AS next "
            "} "
            "RETURN count(a) AS improved, collect(next) AS next"
        ),
    }


@lru_cache(maxsize=1)
def statements() -> dict[str, str]:
    """The proximity statements for the process's model (``load_model`` parses it once)."""
    return _statements(load_model())


def _params() -> dict:
    _, structure = _types(load_model())
    return {"structure": structure, "hub_degree": HUB_DEGREE, "max_hops": MAX_HOPS, "batch": BATCH}


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(ids), BATCH):
        yield ids[i : i + BATCH]


async def rebuild(db: Database, *, log=None) -> dict[int, int]:
    """Recompute every value from scratch; returns how many entities are at each distance."""
    text, params = statements(), _params()
    while (await db.write(text["clear"], params))[0]["cleared"]:
        pass
    frontier = [r["id"] for r in await db.write(text["listed"], params)]
    counts = {0: len(frontier)}
    for hops in range(1, MAX_HOPS + 1):
        reached: list[str] = []
        for chunk in _chunks(frontier):
            reached += [r["id"] for r in await db.write(text["level"], {**params, "ids": chunk, "hops": hops})]
        counts[hops] = len(reached)
        if log:
            log(f"  concern proximity: {len(reached):,} entities at {hops} hops")
        if not reached:
            break
        frontier = reached
    return counts


async def update(db: Database, seeds: Iterable[str]) -> int:
    """Lower the values around ``seeds`` (endpoints of new or changed relationships, newly listed
    entities) and propagate; returns how many entities changed."""
    text, params = statements(), _params()
    pending = sorted(set(seeds))
    changed = 0
    for _ in range(MAX_HOPS + 2):  # each wave moves one hop out; values are bounded by MAX_HOPS
        if not pending:
            break
        nxt: set[str] = set()
        for chunk in _chunks(pending):
            row = (await db.write(text["improve"], {**params, "ids": chunk}))[0]
            changed += row["improved"]
            for ids in row["next"]:
                nxt.update(ids)
        pending = sorted(nxt)
    return changed
