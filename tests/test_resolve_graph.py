"""Resolution against a real Neo4j: SAME_AS candidates, decisions that persist, screening."""

from __future__ import annotations

import csv
import re

from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord
from resolve.decisions import decide, history, load_decisions, undo
from resolve.pipeline import resolve_incremental
from resolve.screening import Screener

EV = Evidence("src:test", "row 1", "2026-01-01T00:00:00+00:00", "test")


def org(i: str, name: str, **props) -> NodeRecord:
    return NodeRecord("Organization", i, {"name": name, "names": [name], **props}, EV)


async def same_as(db) -> dict[tuple[str, str], dict]:
    rows = await db.read("MATCH (a)-[r:SAME_AS]->(b) RETURN a.id AS a, b.id AS b, r.decision AS decision, r.score AS score")
    return {(r["a"], r["b"]): r for r in rows}


async def ingest_orgs(db):
    await GraphWriter(db).write_nodes([
        org("org:ror:052gg0110", "University of Oxford", country="United Kingdom", city="Oxford", ror="052gg0110"),
        org("org:x1", "Oxford University", country="United Kingdom", city="Oxford"),
        org("org:x2", "University of Oxford", country="United Kingdom", ror="0000bad00"),
        org("org:x3", "Oxford Univ.", country="United Kingdom", city="Oxford"),
    ])


async def test_candidates_decisions_persist_and_conflicting_ids_never_merge(graph):
    await ingest_orgs(graph)
    report = await resolve_incremental(graph)
    pairs = await same_as(graph)
    # resolution bookkeeping leaves the node's provenance times and confidence alone
    node = (await graph.read("MATCH (n {id: 'org:x1'}) RETURN n.last_seen AS seen, n.confidence AS c, n.resolution_fingerprint AS f"))[0]
    assert node["seen"] == EV.observed_at and node["c"] == 1.0 and node["f"]
    # conflicting ROR ids: never proposed, whatever the names say
    assert ("org:ror:052gg0110", "org:x2") not in pairs and ("org:x2", "org:ror:052gg0110") not in pairs
    assert report.candidates >= 1
    key = ("org:ror:052gg0110", "org:x1")
    assert pairs[key]["decision"] == "candidate"

    await decide(graph, "org:x1", "org:ror:052gg0110", same=False, by="analyst@example", why="a different Oxford")
    await decide(graph, "org:x3", "org:x1", same=True, by="analyst@example", why="same campus")
    # re-ingest the same file and re-resolve: the decisions stay, the negative is not re-proposed
    await ingest_orgs(graph)
    again = await resolve_incremental(graph, ids=["org:x1", "org:x3", "org:ror:052gg0110"])
    pairs = await same_as(graph)
    assert pairs[key]["decision"] == "not_same"
    assert pairs[("org:x1", "org:x3")]["decision"] == "same"
    assert again.skipped_decided >= 1
    # the negative propagates to x3 (same cluster as x1): x3 ~ ROR Oxford is not proposed either
    d = await load_decisions(graph)
    assert d.decided("org:x3", "org:ror:052gg0110") == "not_same"
    assert ("org:ror:052gg0110", "org:x3") not in pairs or pairs[("org:ror:052gg0110", "org:x3")]["decision"] == "not_same"

    # an unchanged graph resolves nothing new (fingerprints)
    assert (await resolve_incremental(graph)).checked["org"] == 0

    # a merge can be undone, and the history keeps both decisions
    await undo(graph, "org:x1", "org:x3", by="lead@example", why="campus split in 2020")
    d = await load_decisions(graph)
    assert d.decided("org:x1", "org:x3") == "not_same"
    h = await history(graph, "org:x1", "org:x3")
    assert len([x for x in h["history"] if x.startswith("decision")]) == 2 and h["rationale"].startswith("undo:")
    # what followed from the undone decision is withdrawn on the next run
    await resolve_incremental(graph, ids=["org:x3"])
    pairs = await same_as(graph)
    assert pairs.get(("org:ror:052gg0110", "org:x3"), {}).get("decision") in (None, "candidate")


async def test_positive_decisions_propagate_transitively(graph):
    await GraphWriter(graph).write_nodes([org("org:a", "Alpha Institute"), org("org:b", "Alpha Inst."), org("org:c", "Alpha Research Institute")])
    await decide(graph, "org:a", "org:b", same=True, by="u", why="w")
    await decide(graph, "org:b", "org:c", same=True, by="u", why="w")
    d = await load_decisions(graph)
    assert d.decided("org:a", "org:c") == "same"
    assert d.cluster("org:a") == {"org:a", "org:b", "org:c"}


async def test_same_name_persons_stay_apart_and_identifiers_link(graph, shared_data):
    """Two real, different US Congress members named Mike Rogers (born 1958 and 1963)."""
    with open(shared_data / "opensanctions_ftm/yente_positives_us_congress_untreated.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["full_name"] == "Mike Rogers"]
    assert len(rows) == 2
    people = [NodeRecord("Person", f"per:congress:{r['date_of_birth']}", {"name": r["full_name"], "names": [r["full_name"]]}, EV) for r in rows]
    people += [NodeRecord("Person", "per:o1", {"name": "Jane Q. Doe", "orcid": "0000-0002-1825-0097"}, EV),
               NodeRecord("Person", "per:o2", {"name": "Doe, Jane", "orcid": "https://orcid.org/0000-0002-1825-0097"}, EV)]
    await GraphWriter(graph).write_nodes(people)
    await resolve_incremental(graph, kinds=("person",))
    pairs = await same_as(graph)
    assert not any("per:congress" in a and "per:congress" in b for a, b in pairs)
    assert pairs[("per:o1", "per:o2")]["decision"] == "same"


async def test_screening_reads_lists_from_graph(graph):
    await GraphWriter(graph).write(
        [NodeRecord("Watchlist", "wl:nro", {"name": "Canada NRO"}, EV), NodeRecord("Watchlist", "wl:meti", {"name": "METI EUL"}, EV),
         org("org:nudt", "National University of Defense Technology", names=["National University of Defense Technology", "国防科技大学"]),
         org("org:caep", "China Academy of Engineering Physics")],
        [RelRecord("LISTED_ON", "org:nudt", "wl:nro", {"start": "2024-01-01", "listed_name": "NUDT"}, EV),
         RelRecord("LISTED_ON", "org:caep", "wl:meti", {"start": "2025-09-29"}, EV)])
    screener = await Screener.load(graph, ["wl:nro"])
    out = screener.screen("National Univ. of Defence Technology", kind="org")
    assert out["matches"][0]["entity_id"] == "org:nudt"
    assert out["matches"][0]["listings"][0]["watchlist_id"] == "wl:nro"
    assert screener.screen("國防科技大學")["matches"][0]["entity_id"] == "org:nudt"
    assert screener.screen("China Academy of Engineering Physics")["matches"] == []  # not on the chosen list
    everything = await Screener.load(graph)
    assert everything.screen("NUDT")["matches"][0]["entity_id"] == "org:nudt"
    # a name known only on an entity decided to be the same counts for screening
    await GraphWriter(graph).write_nodes([org("org:ror:05d2yfz11", "PLA National University of Defense Technology Changsha Campus")])
    query = "Changsha Campus of the PLA National University of Defense Technology"
    assert (await Screener.load(graph)).screen(query, threshold=0.9)["matches"] == []
    await decide(graph, "org:nudt", "org:ror:05d2yfz11", same=True, by="analyst", why="ROR record of the listed university")
    hit = (await Screener.load(graph)).screen(query, threshold=0.9)
    assert hit["matches"][0]["entity_id"] == "org:nudt"


def test_resolution_never_reads_protected_personal_data():
    """No discrimination: nothing in resolve/ may read nationality, ethnicity, name origin..."""
    from pathlib import Path

    from graph.model import load_model

    root = Path(__file__).resolve().parent.parent / "resolve"
    text = "\n".join(p.read_text(encoding="utf-8") for p in [*root.glob("*.py"), *root.glob("*.cypher")])
    assert ":PersonalData" not in text and "HAS_PERSONAL_DATA" not in text
    for prop in load_model().protected_properties:
        # no property access (n.prop, row["prop"], {prop: ...}) anywhere in code or Cypher
        assert not re.search(r"[.\"'{]\s*" + prop + r"\b", text), prop
