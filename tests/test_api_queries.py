"""Query operations end to end over HTTP against the real graph."""

from __future__ import annotations

from graph.provenance import Evidence
from graph.writer import GraphWriter, RelRecord
from tests.api_support import EV_TIME, Api, api, api_server, error_codes  # noqa: F401  (fixtures)

NODE = """
fragment N on Node { id label name names { value script } identifiers { scheme value }
  evidence { sourceId locator observedAt method confidence text } sources { id title kind } }
"""


async def test_search_pages_with_cursors_and_names_in_every_script(api: Api):
    d = api.data("query($q: String!, $a: String) { search(query: $q, first: 1, after: $a) { edges { cursor node { id label name names { value script } } } pageInfo { hasNextPage endCursor } } }",
                 {"q": "Kizuna University"})
    first = d["search"]
    assert first["edges"][0]["node"]["id"] == "org:kzu"
    scripts = {n["script"] for n in first["edges"][0]["node"]["names"]}
    assert {"Latin", "Han"} <= scripts
    d = api.data("{ search(query: \"絆大学\") { edges { node { id } } } }")
    assert d["search"]["edges"][0]["node"]["id"] == "org:kzu"
    d = api.data("query($a: String) { search(query: \"Taro Suzuki\", types: [\"Person\"], first: 1, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }")
    page1 = d["search"]
    assert page1["pageInfo"]["hasNextPage"] is True
    d = api.data("query($a: String) { search(query: \"Taro Suzuki\", types: [\"Person\"], first: 1, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }",
                 {"a": page1["pageInfo"]["endCursor"]})
    assert d["search"]["edges"][0]["node"]["id"] != page1["edges"][0]["node"]["id"]
    assert d["search"]["pageInfo"]["hasNextPage"] is False


async def test_entity_typed_results(api: Api):
    q = NODE + """query($id: ID!) { entity(id: $id) { __typename ... on Node { ...N }
      ... on Organization { kind acronyms listings { edges { node { start properties evidence { locator text } node { id name } } } } }
      ... on GenericEntity { properties } ... on NotFound { message requestedId } } }"""
    org = api.data(q, {"id": "org:nit"})["entity"]
    assert org["__typename"] == "Organization" and org["acronyms"] == ["NIT"]
    assert {"scheme": "ror", "value": "0nit00001"} in org["identifiers"]
    assert {n["script"] for n in org["names"]} >= {"Latin", "Han", "Japanese"}
    assert org["sources"][0]["title"] == "Test list (fixture)"
    listing = org["listings"]["edges"][0]["node"]
    assert listing["node"]["id"] == "wl:test" and listing["start"] == "2022-01-01" and listing["properties"]["reason"] == "fixture listing" and listing["evidence"][0]["locator"] == "row 7 / Name"
    pub = api.data(q, {"id": "pub:1"})["entity"]
    assert pub["__typename"] == "GenericEntity" and pub["properties"]["doi"] == "10.0000/robust"
    missing = api.data(q, {"id": "org:nope"})["entity"]
    assert missing == {"__typename": "NotFound", "message": "no entity with id 'org:nope'", "requestedId": "org:nope"}


async def test_person_by_id_identifier_and_name_with_ambiguity(api: Api):
    q = """query($id: ID, $identifier: String, $name: String) { person(id: $id, identifier: $identifier, name: $name) {
      __typename ... on Person { id name affiliations { totalCount edges { node { properties start evidence { sourceId } node { id name } } } }
                                 relations { edges { node { type node { id label } } } } }
      ... on Ambiguous { candidates { id name } } ... on NotFound { message } } }"""
    p = api.data(q, {"id": "per:hanako"})["person"]
    assert p["__typename"] == "Person" and p["affiliations"]["totalCount"] == 2
    roles = {e["node"]["properties"]["role"] for e in p["affiliations"]["edges"]}
    assert roles == {"Professor", "Visiting researcher"}
    # protected personal data is never reachable as a relation
    assert all(e["node"]["type"] != "HAS_PERSONAL_DATA" for e in p["relations"]["edges"])
    assert "pd:hanako" not in str(p)
    hidden = api.data('{ entity(id: "pd:hanako") { __typename } r: person(id: "per:hanako") { ... on Person { relations(types: ["HAS_PERSONAL_DATA"]) { totalCount } } } }')
    assert hidden == {"entity": {"__typename": "NotFound"}, "r": {"relations": {"totalCount": 0}}}
    assert api.data(q, {"identifier": "0000-0001-0000-0001"})["person"]["id"] == "per:hanako"
    assert api.data(q, {"name": "山田花子"})["person"]["id"] == "per:hanako"
    amb = api.data(q, {"name": "Taro Suzuki"})["person"]
    assert amb["__typename"] == "Ambiguous" and {c["id"] for c in amb["candidates"]} == {"per:taro", "per:taro2"}
    assert api.data(q, {"id": "org:kzu"})["person"]["__typename"] == "NotFound"
    assert api.data(q, {"identifier": "0000-0009-9999-9999"})["person"]["__typename"] == "NotFound"
    body = api.gql(q, {"id": "per:hanako", "name": "x"})
    assert error_codes(body) == ["INVALID_INPUT"]


async def test_organization_structure_and_affiliates(api: Api):
    q = """query($i: String) { organization(identifier: $i) { __typename ... on Organization { id
      children { edges { node { type properties node { id } } } }
      affiliates { totalCount edges { node { node { id } } } } } } }"""
    o = api.data(q, {"i": "0nit00001"})["organization"]
    assert o["id"] == "org:nit"
    assert [e["node"]["node"]["id"] for e in o["children"]["edges"]] == ["org:nit-sub"]
    assert o["children"]["edges"][0]["node"]["properties"]["share"] == 0.6
    assert o["affiliates"]["totalCount"] == 1
    sub = api.data("{ organization(name: \"NIT Devices Co\") { ... on Organization { parents { edges { node { type node { id } } } } } } }")["organization"]
    assert sub["parents"]["edges"][0]["node"] == {"type": "SUBSIDIARY_OF", "node": {"id": "org:nit"}}


async def test_watchlists_and_findings(api: Api):
    d = api.data("{ watchlists { totalCount edges { node { id name severity entries { edges { node { properties node { id name } } } } } } } }")
    wl = d["watchlists"]["edges"][0]["node"]
    assert d["watchlists"]["totalCount"] == 1 and wl["id"] == "wl:test"
    assert wl["entries"]["edges"][0]["node"]["node"]["id"] == "org:nit"
    f = api.data("{ findings(subjectId: \"per:hanako\") { totalCount edges { node { id kind severity relatedIds evidence { locator } subject { id } } } } }",
                 role="viewer")["findings"]
    assert f["totalCount"] == 1
    node = f["edges"][0]["node"]
    assert node["kind"] == "affiliation_with_listed" and node["relatedIds"] == ["org:nit"] and node["subject"]["id"] == "per:hanako"
    assert api.data("{ findings(subjectId: \"per:taro\") { totalCount } }")["findings"]["totalCount"] == 0


async def test_nested_query_round_trips_do_not_grow_with_rows(api: Api, db):
    """search -> persons -> affiliations -> organizations -> listings -> watchlist: a constant
    number of database calls whether the page holds 3 people or 30 (no N+1)."""
    from graph.provenance import Evidence
    from graph.writer import GraphWriter, NodeRecord, RelRecord

    q = """query($first: Int!) { search(query: "Bench", types: ["Person"], first: $first) { edges { node { node { ... on Person {
      id affiliations { edges { node { role: properties node { ... on Organization { id listings { edges { node { node { id name } } } } } } } } } } } } } } }"""
    ev = Evidence("src:test:registry", "bench", "2026-01-01T00:00:00+00:00", "test", 1.0)
    writer = GraphWriter(db)

    async def grow(n: int) -> None:
        nodes = [NodeRecord("Person", f"per:bench{i}", {"name": f"Bench Person {i}", "names": [f"Bench Person {i}"]}, ev) for i in range(n)]
        rels = [RelRecord("AFFILIATED_WITH", f"per:bench{i}", "org:nit" if i % 2 else "org:kzu", {"role": "x"}, ev) for i in range(n)]
        await writer.write(nodes, rels)

    await grow(3)
    small = api.gql(q, {"first": 3})
    await grow(30)
    large = api.gql(q, {"first": 30})
    assert not small.get("errors") and not large.get("errors")
    assert len(large["data"]["search"]["edges"]) == 30
    listed = [e for e in large["data"]["search"]["edges"] if e["node"]["node"]["affiliations"]["edges"][0]["node"]["node"]["id"] == "org:nit"]
    assert listed and listed[0]["node"]["node"]["affiliations"]["edges"][0]["node"]["node"]["listings"]["edges"][0]["node"]["node"]["id"] == "wl:test"
    trips_small = small["extensions"]["dbRoundTrips"]
    trips_large = large["extensions"]["dbRoundTrips"]
    assert trips_large == trips_small, (trips_small, trips_large)
    assert trips_large <= 6  # search (2) + nodes + affiliations + listings + audit append


async def test_subject_is_checked_before_the_backend(api: Api):
    """An unknown subject is NotFound, whatever the backend would say."""
    d = api.data('{ concernPaths(subjectId: "per:nobody") { __typename } riskAssessment(subjectId: "per:nobody") { __typename } }')
    assert d == {"concernPaths": {"__typename": "NotFound"}, "riskAssessment": {"__typename": "NotFound"}}


SCREEN = """query($n: String!, $ids: [String!], $l: [String!], $t: Float!) { screen(name: $n, identifiers: $ids, lists: $l, threshold: $t) {
  __typename ... on ScreenMatches { query matches { score explanation entity { id label name } listings { watchlistId watchlistName start reason } } } } }"""


async def test_screen_ranks_listed_entities_with_listings(api: Api, db):
    """screen runs resolve.screening over the listed entities: names in any script, acronyms,
    identifiers; unlisted entities never match; the index follows new listings."""
    hit = api.data(SCREEN, {"n": "Northern Institute of Technology", "t": 0.85})["screen"]
    assert hit["__typename"] == "ScreenMatches" and [m["entity"]["id"] for m in hit["matches"]] == ["org:nit"]
    top = hit["matches"][0]
    assert top["score"] == 1.0 and top["entity"]["label"] == "Organization" and "Northern Institute of Technology" in top["explanation"]
    assert top["listings"] == [{"watchlistId": "wl:test", "watchlistName": "Test List", "start": "2022-01-01", "reason": "fixture listing"}]
    cjk = api.data(SCREEN, {"n": "北方技术研究院", "t": 0.85})["screen"]["matches"]
    assert [m["entity"]["id"] for m in cjk] == ["org:nit"]
    assert api.data(SCREEN, {"n": "Kizuna University", "t": 0.85})["screen"]["matches"] == []  # not listed
    assert api.data(SCREEN, {"n": "Northern Institute of Technology", "t": 0.85, "l": ["wl:other"]})["screen"]["matches"] == []
    by_id = api.data(SCREEN, {"n": "Some other name entirely", "ids": ["ror:0nit00001"], "t": 0.85})["screen"]["matches"]
    assert [m["entity"]["id"] for m in by_id] == ["org:nit"] and "equal ror" in by_id[0]["explanation"]
    assert error_codes(api.gql(SCREEN, {"n": "x", "ids": ["0nit00001"], "t": 0.85})) == ["INVALID_INPUT"]
    # a new listing is screened at once (the cached index notices the change)
    await GraphWriter(db).write([], [RelRecord("LISTED_ON", "per:taro2", "wl:test", {"reason": "added"}, Evidence("src:test:list", "row 8", EV_TIME, "test", 1.0))])
    person = api.data(SCREEN, {"n": "Taro Suzuki", "t": 0.85})["screen"]["matches"]
    assert [m["entity"]["id"] for m in person] == ["per:taro2"] and person[0]["entity"]["label"] == "Person"
    assert "not evidence that this is the same person" in person[0]["explanation"]


async def test_health_and_unknown_cursor(api: Api):
    import httpx

    r = httpx.get(api.url + "/healthz")
    assert r.status_code == 200 and r.json()["neo4j"] == "ok"
    body = api.gql('{ search(query: "Kizuna", after: "bm90LWEtY3Vyc29y") { edges { cursor } } }')
    assert error_codes(body) == ["INVALID_INPUT"]
