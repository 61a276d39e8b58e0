"""The adapter's typed shapes, exercised with stand-in backend modules that read the real graph.

The real modules (queries.paths, queries.assess, ingest.sweep.store) are built elsewhere; these
stand-ins follow the signatures and dict shapes documented in docs/api.md, so this test checks
the API side of the contract: mapping, paging, evidence on every hop, and auditing of persons
that appear inside results. They are installed in sys.modules only for the test.
"""

from __future__ import annotations

import sys
import types

import pytest

from graph.provenance import evidence_list
from tests.api_support import Api, api, api_server  # noqa: F401

PATHS_CYPHER = """
MATCH (s:Entity {id: $id})-[r1:AFFILIATED_WITH]->(o:Organization)-[l:LISTED_ON]->(w:Watchlist)
RETURN s {.id, .name, .names} AS s, properties(r1) AS r1, o {.id, .name, .names} AS o, properties(l) AS l, w {.id, .name} AS w
ORDER BY o.id
"""


async def concern_paths(db, subject_id, *, max_hops, lists, relation_types, min_confidence, as_of, limit):
    rows = await db.read(PATHS_CYPHER, {"id": subject_id})
    paths = []
    for row in rows * 3:  # three copies, to page through
        s = dict(row["s"], label="Person")
        o = dict(row["o"], label="Organization")
        paths.append({
            "target": o, "score": 0.8,
            "listings": [{"watchlist_id": row["w"]["id"], "watchlist_name": row["w"]["name"], "start": row["l"].get("start"), "evidence": evidence_list(row["l"])}],
            "hops": [{"type": "AFFILIATED_WITH", "from": s, "to": o, "properties": {"role": row["r1"].get("role")}, "start": row["r1"].get("start"), "evidence": evidence_list(row["r1"])}],
        })
    return {"paths": paths[:limit], "partial": False, "omitted": []}


async def assess(db, subject_id, *, packs, as_of):
    if subject_id == "per:taro":
        return {"recommendation": "INSUFFICIENT_INFORMATION", "explanation": "no disclosure on file", "missing": ["disclosure", "ORCID record"]}
    return {"tier": "elevated", "recommendation": "MITIGATE", "explanation": "affiliation with a listed institute", "packs": packs, "as_of": as_of,
            "measures": ["restrict access to controlled data"],
            "rules_fired": [{"pack": "us-dod", "rule_id": "dod-2", "outcome": "mitigation required", "measures": ["review"],
                             "citations": [{"document": "DoD decision matrix", "section": "Factor 2", "url": "https://example.org/matrix"}], "finding_ids": ["f1"]}],
            "findings": [{"id": "f1", "kind": "affiliation", "title": "Visiting researcher at a listed institute", "severity": "elevated", "hops": [], "evidence": []}]}


async def list_sweeps(db, *, definition, skip, limit):
    items = [{"id": f"swp:{i}", "definition": definition or "nightly", "status": "done", "summary": {"new": i},
              "changes": [{"kind": "new_finding", "subject_id": "per:hanako", "description": "new listing"}]} for i in range(3)]
    return len(items), items[skip: skip + limit]


async def get_sweep(db, sweep_id):
    return None if sweep_id == "swp:none" else {"id": sweep_id, "definition": "nightly", "status": "running"}


@pytest.fixture
def backends(monkeypatch):
    paths = types.ModuleType("queries.paths")
    paths.concern_paths = concern_paths
    assess_mod = types.ModuleType("queries.assess")
    assess_mod.assess = assess
    store = types.ModuleType("ingest.sweep.store")
    store.list_sweeps, store.get_sweep = list_sweeps, get_sweep
    for name, mod in (("queries.paths", paths), ("queries.assess", assess_mod), ("ingest.sweep.store", store)):
        monkeypatch.setitem(sys.modules, name, mod)


AUDIT_COUNT = '{ auditLog(first: 1) { entries { totalCount } } }'


async def test_concern_paths_shapes_paging_and_audit(api: Api, backends):
    q = """query($a: String) { concernPaths(subjectId: "per:hanako", maxHops: 4, first: 1, after: $a) { __typename ... on ConcernPaths {
      subject { id } partial paths { edges { cursor node { score target { id name names { script } } listings { watchlistId start evidence { locator } }
      hops { type source { id label } target { id } properties evidence { sourceId locator } } } } pageInfo { hasNextPage endCursor } } } } }"""
    before = api.data(AUDIT_COUNT, role="auditor")["auditLog"]["entries"]["totalCount"]
    first = api.data(q)["concernPaths"]
    assert first["__typename"] == "ConcernPaths" and first["subject"]["id"] == "per:hanako"
    path = first["paths"]["edges"][0]["node"]
    assert path["target"]["id"] == "org:nit" and path["listings"][0]["watchlistId"] == "wl:test" and path["listings"][0]["evidence"][0]["locator"] == "row 7 / Name"
    hop = path["hops"][0]
    assert hop["source"] == {"id": "per:hanako", "label": "Person"} and hop["properties"]["role"] == "Visiting researcher" and hop["evidence"][0]["sourceId"] == "src:test:registry"
    assert first["paths"]["pageInfo"]["hasNextPage"] is True
    second = api.data(q, {"a": first["paths"]["pageInfo"]["endCursor"]})["concernPaths"]["paths"]
    assert second["edges"][0]["cursor"] != first["paths"]["edges"][0]["cursor"]
    after = api.data(AUDIT_COUNT, role="auditor")["auditLog"]["entries"]["totalCount"]
    assert after == before + 2  # one entry per request: the subject appears as subject and in every hop


async def test_risk_assessment_and_insufficient_information(api: Api, backends):
    q = """query($s: ID!) { riskAssessment(subjectId: $s, packs: ["us-dod"], asOf: "2026-01-01") { __typename
      ... on RiskAssessment { tier recommendation measures packs asOf rulesFired { ruleId citations { document section url } } findings { id title } }
      ... on InsufficientInformation { subjectId missing message } } }"""
    r = api.data(q, {"s": "per:hanako"})["riskAssessment"]
    assert r["__typename"] == "RiskAssessment" and r["tier"] == "ELEVATED" and r["recommendation"] == "MITIGATE"
    assert r["rulesFired"][0]["citations"][0]["section"] == "Factor 2" and r["packs"] == ["us-dod"] and r["asOf"] == "2026-01-01"
    i = api.data(q, {"s": "per:taro"})["riskAssessment"]
    assert i == {"__typename": "InsufficientInformation", "subjectId": "per:taro", "missing": ["disclosure", "ORCID record"], "message": "no disclosure on file"}


async def test_sweeps_connection_and_sweep(api: Api, backends):
    d = api.data("""{ sweeps(first: 2) { __typename ... on SweepConnection { totalCount pageInfo { hasNextPage } edges { node { id status summary changes { kind subjectId } } } } }
                     sweep(id: "swp:none") { __typename } running: sweep(id: "swp:7") { ... on Sweep { status } } }""")
    assert d["sweeps"]["totalCount"] == 3 and d["sweeps"]["pageInfo"]["hasNextPage"] is True
    assert d["sweeps"]["edges"][1]["node"]["summary"] == {"new": 1}
    assert d["sweep"] == {"__typename": "NotFound"} and d["running"] == {"status": "running"}
