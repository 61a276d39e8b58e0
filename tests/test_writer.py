"""The writer: idempotent re-runs, provenance from several sources, missing endpoints reported."""

import random

from graph.provenance import Evidence, evidence_list
from graph.writer import GraphWriter, NodeRecord, RelRecord
from kizuna.ids import make_id
from tests.helpers import graph_fingerprint


def generated_facts(seed: int, n_orgs: int = 300, n_people: int = 700):
    rng = random.Random(seed)
    src = "src:generated"
    orgs = [
        NodeRecord("Organization", make_id("org", src, i),
                   {"name": f"Org {i}", "names": [f"Org {i}", f"組織{i}"], "kind": rng.choice(["university", "company"])},
                   Evidence(src, f"org row {i}", "2026-01-01T00:00:00+00:00", "generated", 1.0))
        for i in range(n_orgs)
    ]
    people = [
        NodeRecord("Person", make_id("per", src, i), {"name": f"Person {i}", "names": [f"Person {i}"]},
                   Evidence(src, f"person row {i}", "2026-01-01T00:00:00+00:00", "generated", 1.0))
        for i in range(n_people)
    ]
    rels = []
    for i, p in enumerate(people):
        for j in range(3):
            org = orgs[rng.randrange(n_orgs)]
            rels.append(RelRecord("AFFILIATED_WITH", p.id, org.id, {"role": "Professor", "start": f"{2000 + j}"},
                                  Evidence(src, f"aff row {i}.{j}", "2026-01-01T00:00:00+00:00", "generated", 0.8), key=str(j)))
    for i in range(0, n_orgs - 1, 2):
        rels.append(RelRecord("PART_OF", orgs[i].id, orgs[i + 1].id, {},
                              Evidence(src, f"part row {i}", "2026-01-01T00:00:00+00:00", "generated", 1.0)))
    return orgs + people, rels


async def test_rerunning_the_same_input_changes_nothing(graph):
    nodes, rels = generated_facts(7)
    writer = GraphWriter(graph, batch_size=250)
    first = await writer.write(nodes, rels)
    assert first.nodes == 1000 and first.relationships == len(rels) and not first.missing_endpoints
    before = await graph_fingerprint(graph)
    assert before["nodes"] == 1000 and before["rels"] == len(rels)
    await writer.write(nodes, rels)
    after = await graph_fingerprint(graph)
    assert after == before


async def test_a_second_source_adds_evidence_and_names_without_duplicating(graph):
    writer = GraphWriter(graph)
    ev1 = Evidence("src:ror", "record names[0]", "2026-01-01T00:00:00+00:00", "ror", 1.0, text="Tsinghua University")
    ev2 = Evidence("src:list", "row 5 / Alias", "2026-02-01T00:00:00+00:00", "list", 0.9, text="清华大学")
    await writer.write_nodes([NodeRecord("Organization", "org:t", {"name": "Tsinghua University", "names": ["Tsinghua University"]}, ev1)])
    await writer.write_nodes([NodeRecord("Organization", "org:t", {"names": ["清华大学", "Tsinghua University"]}, ev2)])
    await writer.write_nodes([NodeRecord("Organization", "org:t", {"names": ["清华大学"]}, ev2)])
    rows = await graph.read("MATCH (n:Entity {id: 'org:t'}) RETURN n")
    n = rows[0]["n"]
    assert n["names"] == ["Tsinghua University", "清华大学"]
    assert n["ev_source"] == ["src:ror", "src:list"]
    assert n["ev_text"] == ["Tsinghua University", "清华大学"]
    assert n["first_seen"] == "2026-01-01T00:00:00+00:00" and n["last_seen"] == "2026-02-01T00:00:00+00:00"
    assert n["confidence"] == 1.0
    assert evidence_list(n) == [
        {"source_id": "src:ror", "locator": "record names[0]", "start": -1, "end": -1, "text": "Tsinghua University",
         "observed_at": "2026-01-01T00:00:00+00:00", "method": "ror", "confidence": 1.0},
        {"source_id": "src:list", "locator": "row 5 / Alias", "start": -1, "end": -1, "text": "清华大学",
         "observed_at": "2026-02-01T00:00:00+00:00", "method": "list", "confidence": 0.9},
    ]


def test_evidence_lists_written_before_a_column_existed_read_back_with_defaults():
    props = {"ev_key": ["a|1", "b|2"], "ev_source": ["a", "b"], "ev_locator": ["1", "2"], "ev_text": ["only the first"],
             "ev_method": ["m", "m"], "ev_observed": ["2026-01-01", "2026-01-02"], "ev_confidence": [0.5, 0.7]}
    second = evidence_list(props)[1]
    assert second == {"source_id": "b", "locator": "2", "start": -1, "end": -1, "text": "", "observed_at": "2026-01-02",
                      "method": "m", "confidence": 0.7}
    assert evidence_list({"ev_key": []}) == [] and evidence_list({}) == []


async def test_relationships_to_missing_nodes_are_reported_not_written(graph):
    writer = GraphWriter(graph)
    ev = Evidence("src:x", "row 1", "2026-01-01T00:00:00+00:00", "test")
    await writer.write_nodes([NodeRecord("Person", "per:a", {"name": "A"}, ev)])
    report = await writer.write_relationships([RelRecord("AFFILIATED_WITH", "per:a", "org:nowhere", {}, ev)])
    assert report.relationships == 0 and len(report.missing_endpoints) == 1
    rows = await graph.read("MATCH ()-[r]->() RETURN count(r) AS c")
    assert rows[0]["c"] == 0


async def test_concurrent_writers_of_the_same_new_ids_do_not_fail(graph):
    import asyncio

    nodes, rels = generated_facts(11, n_orgs=200, n_people=200)
    writers = [GraphWriter(graph, batch_size=50) for _ in range(4)]
    await asyncio.gather(*(w.write(nodes, rels) for w in writers))
    fingerprint = await graph_fingerprint(graph)
    assert fingerprint["nodes"] == 400 and fingerprint["rels"] == len(rels)
