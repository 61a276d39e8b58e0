from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord
from queries.search import search
from queries.entity import get_entity


async def test_write_search_entity(graph):
    ev = Evidence("src:test", "row 1", "2026-01-01T00:00:00+00:00", "test", 0.9, text="Tsinghua University")
    w = GraphWriter(graph)
    rep = await w.write(
        [NodeRecord("Organization", "org:t1", {"name": "Tsinghua University", "names": ["Tsinghua University", "清华大学"], "kind": "university"}, ev),
         NodeRecord("Person", "per:p1", {"name": "Test Person", "names": ["Test Person"]}, ev)],
        [RelRecord("AFFILIATED_WITH", "per:p1", "org:t1", {"role": "Professor"}, ev)],
    )
    assert rep.nodes == 2 and rep.relationships == 1 and rep.missing_endpoints == []
    hits = await search(graph, "清华")
    assert hits and hits[0].id == "org:t1"
    view = await get_entity(graph, "per:p1")
    assert view.relations[0].other_id == "org:t1"
    assert view.relations[0].evidence[0]["text"] == "Tsinghua University"


async def test_the_local_server_keeps_transaction_logs_bounded(db):
    """The launcher's server keeps at most ~1 GB of old transaction logs (Neo4j's default keeps
    two days of them; sweeps and benchmarks filled a 250 GB disk with 42 GB of them)."""
    rows = await db.read("SHOW SETTINGS YIELD name, value WHERE name = 'db.tx_log.rotation.retention_policy' RETURN value")
    assert rows == [{"value": "1G size"}]
