"""The adapter to modules built elsewhere, end to end over HTTP.

Concern paths, assessments, screening and sweeps run through the real modules
(queries.paths, queries.assess, resolve.screening, ingest.sweep.store).
"""

from __future__ import annotations

from tests.api_support import Api, api, api_server  # noqa: F401

AUDIT_COUNT = '{ auditLog(first: 1) { entries { totalCount } } }'


async def test_concern_paths_through_the_real_path_query(api: Api):
    q = """query($a: String) { concernPaths(subjectId: "per:hanako", maxHops: 4, first: 1, after: $a) { __typename ... on ConcernPaths {
      subject { id } partial paths { edges { cursor node { score target { id name } listings { watchlistId start evidence { locator } }
      hops { type source { id label } target { id } properties evidence { sourceId locator } } } } pageInfo { hasNextPage endCursor } } } } }"""
    for subject in ("per:hanako", "per:taro2"):  # warm-up: the first run plans the Cypher, which may exceed the path time budget
        api.data('query($s: ID!) { concernPaths(subjectId: $s) { __typename } }', {"s": subject})
    before = api.data(AUDIT_COUNT, role="auditor")["auditLog"]["entries"]["totalCount"]
    first = api.data(q)["concernPaths"]
    assert first["__typename"] == "ConcernPaths" and first["subject"]["id"] == "per:hanako" and first["partial"] is False, first
    targets = [e["node"]["target"]["id"] for e in first["paths"]["edges"]]
    assert targets == ["org:nit"], first
    path = first["paths"]["edges"][0]["node"]
    assert path["listings"][0]["watchlistId"] == "wl:test" and path["listings"][0]["evidence"][0]["locator"] == "row 7 / Name"
    hop = path["hops"][0]
    assert hop["type"] == "AFFILIATED_WITH" and hop["source"] == {"id": "per:hanako", "label": "Person"} and hop["target"]["id"] == "org:nit"
    assert hop["properties"]["role"] == "Visiting researcher" and hop["evidence"][0]["sourceId"] == "src:test:registry"
    sub = api.data('{ concernPaths(subjectId: "per:taro2") { ... on ConcernPaths { paths { edges { node { target { id } hops { type } } } } } } }')["concernPaths"]
    assert [[h["type"] for h in e["node"]["hops"]] for e in sub["paths"]["edges"]] == [["AFFILIATED_WITH", "SUBSIDIARY_OF"]]
    assert api.data(AUDIT_COUNT, role="auditor")["auditLog"]["entries"]["totalCount"] == before + 2  # one per request and person


async def test_risk_assessment_through_the_real_assessment(api: Api):
    q = """query($s: ID!) { riskAssessment(subjectId: $s, asOf: "2026-01-01") { __typename
      ... on RiskAssessment { tier recommendation measures packs asOf rulesFired { ruleId citations { document section url } } findings { id title hops { type } } }
      ... on InsufficientInformation { subjectId missing message } } }"""
    r = api.data(q, {"s": "per:hanako"})["riskAssessment"]
    assert r["__typename"] in ("RiskAssessment", "InsufficientInformation"), r
    if r["__typename"] == "RiskAssessment":
        assert r["tier"] in ("NONE", "LOW", "ELEVATED", "HIGH") and r["packs"]
        assert any(f["hops"] for f in r["findings"]) or not r["findings"]
    else:
        assert r["missing"]


async def test_sweeps_through_the_sweep_store(api: Api):
    d = api.data("""{ sweeps(first: 2) { __typename ... on SweepConnection { totalCount pageInfo { hasNextPage } edges { node { id } } } }
                     sweep(id: "swp:none") { __typename } }""")
    assert d["sweeps"]["__typename"] == "SweepConnection" and d["sweeps"]["totalCount"] == len(d["sweeps"]["edges"]) == 0
    assert d["sweep"] == {"__typename": "NotFound"}


async def test_screen_through_the_screener(api: Api):
    d = api.data("""{ screen(name: "Northern Institute of Technology") { __typename ... on ScreenMatches { query matches {
      score explanation entity { id label name } listings { watchlistId watchlistName start } } } } }""")["screen"]
    assert d["__typename"] == "ScreenMatches"
    best = d["matches"][0]
    assert best["entity"] == {"id": "org:nit", "label": "Organization", "name": "Northern Institute of Technology"} and best["score"] > 0.8
    assert best["listings"] == [{"watchlistId": "wl:test", "watchlistName": "Test List", "start": "2022-01-01"}]
    none = api.data('{ screen(name: "Completely Unrelated Bakery") { ... on ScreenMatches { matches { entity { id } } } } }')["screen"]
    assert all(m["entity"]["id"] != "org:nit" for m in none["matches"])


async def test_page_cache_warm_up_reads_the_store_and_never_stops_the_service(graph, settings, caplog):
    """Started in the background at start-up: on a live database it reads the store and says
    so; on a dead one it logs why it stopped instead of raising into the event loop."""
    import logging

    from api.app import _warm_page_cache
    from graph.db import Database
    from tests.conftest import free_port

    await graph.write("CREATE (:Entity:Organization {id: 'org:warm', name: 'Warm'})")
    with caplog.at_level(logging.INFO, logger="api.app"):
        await _warm_page_cache(graph)
        dead = Database(settings.model_copy(update={"external_uri": f"bolt://127.0.0.1:{free_port()}"}))
        try:
            await _warm_page_cache(dead)
        finally:
            await dead.close()
    messages = [r.getMessage() for r in caplog.records if r.name == "api.app"]
    assert any(m.startswith("page cache warmed in") for m in messages), messages
    assert any(m.startswith("page cache warm-up stopped") for m in messages), messages
