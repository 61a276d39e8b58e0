"""Mutations end to end over HTTP: decisions, responses, match decisions, watchlist entries and
imports, uploads (accepted, refused, not yet available)."""

from __future__ import annotations

from pathlib import Path

from tests.api_support import Api, api, api_server, error_codes  # noqa: F401

DECIDE = """mutation($i: DecisionInput!) { recordDecision(input: $i) { __typename
  ... on Decision { id subjectId findingId outcome measures rationale decidedBy decidedAt } ... on NotFound { message } } }"""
RESPOND = """mutation($i: ResponseInput!) { recordResponse(input: $i) { __typename
  ... on Response { id subjectId findingId text recordedBy } ... on NotFound { message } } }"""


async def test_decisions_and_responses_on_subjects_and_findings(api: Api):
    d = api.data(DECIDE, {"i": {"subjectId": "per:hanako", "outcome": "MITIGATE", "measures": ["restrict data access", "annual review"],
                                "rationale": "visiting post at a listed institute; disclosed"}}, role="reviewer")["recordDecision"]
    assert d["__typename"] == "Decision" and d["outcome"] == "MITIGATE" and d["measures"] == ["restrict data access", "annual review"]
    assert d["decidedBy"] == "key:" + api.keys["reviewer"].split("_")[1]
    body = api.gql(DECIDE, {"i": {"subjectId": "per:hanako", "outcome": "MITIGATE", "rationale": "no measures"}}, role="reviewer")
    assert error_codes(body) == ["INVALID_INPUT"] and "measure" in body["errors"][0]["message"]
    assert api.data(DECIDE, {"i": {"subjectId": "per:nobody", "outcome": "ACCEPT", "rationale": "x"}}, role="reviewer")["recordDecision"]["__typename"] == "NotFound"

    finding_id = api.data('{ findings(subjectId: "per:hanako") { edges { node { id } } } }')["findings"]["edges"][0]["node"]["id"]
    fd = api.data(DECIDE, {"i": {"findingId": finding_id, "outcome": "ACCEPT", "rationale": "appointment ended"}}, role="admin")["recordDecision"]
    assert fd["findingId"] == finding_id and fd["subjectId"] == "per:hanako"
    assert api.data(DECIDE, {"i": {"findingId": "fnd:nope", "outcome": "ACCEPT", "rationale": "x"}}, role="reviewer")["recordDecision"]["__typename"] == "NotFound"
    r = api.data(RESPOND, {"i": {"findingId": finding_id, "text": "The visiting post ended in March 2024.", "receivedAt": "2026-02-01"}}, role="investigator")["recordResponse"]
    assert r["__typename"] == "Response" and r["subjectId"] == "per:hanako"

    seen = api.data("""{ person(id: "per:hanako") { ... on Person { decisions { outcome measures } } }
      findings(subjectId: "per:hanako") { edges { node { decisions { outcome rationale } responses { text } } } } }""", role="investigator")
    assert seen["person"]["decisions"] == [{"outcome": "MITIGATE", "measures": ["restrict data access", "annual review"]}]
    node = seen["findings"]["edges"][0]["node"]
    assert node["decisions"] == [{"outcome": "ACCEPT", "rationale": "appointment ended"}]
    assert node["responses"] == [{"text": "The visiting post ended in March 2024."}]


async def test_resolve_match_writes_one_same_as_decision(api: Api, db):
    q = """mutation($a: ID!, $b: ID!, $same: Boolean!) { resolveMatch(a: $a, b: $b, same: $same, rationale: "different ORCID and field") {
      __typename ... on MatchDecision { same decidedBy a { id } b { id } } ... on NotFound { message } } }"""
    m = api.data(q, {"a": "per:taro2", "b": "per:taro", "same": False}, role="investigator")["resolveMatch"]
    assert m["__typename"] == "MatchDecision" and m["same"] is False
    m = api.data(q, {"a": "per:taro", "b": "per:taro2", "same": True}, role="investigator")["resolveMatch"]
    rows = await db.read("MATCH (a {id: 'per:taro'})-[r:SAME_AS]-(b {id: 'per:taro2'}) RETURN r.decision AS decision, r.decided_by AS by, size(r.ev_key) AS evidence")
    assert len(rows) == 1 and rows[0]["decision"] == "same" and rows[0]["by"].startswith("key:") and rows[0]["evidence"] == 2
    assert api.data(q, {"a": "per:taro", "b": "per:ghost", "same": True}, role="investigator")["resolveMatch"]["__typename"] == "NotFound"
    assert error_codes(api.gql(q, {"a": "per:taro", "b": "org:kzu", "same": True}, role="investigator")) == ["INVALID_INPUT"]


async def test_add_watchlist_entry(api: Api):
    q = """mutation($i: WatchlistEntryInput!) { addWatchlistEntry(input: $i) { __typename ... on WatchlistEntryAdded { watchlistId entityId relationId } ... on NotFound { message } } }"""
    new = api.data(q, {"i": {"watchlist": "Our partners to review", "name": "Example Quantum Lab", "aliases": ["示例量子实验室"], "kind": "research_institute",
                             "start": "2026-01-01", "reason": "board decision"}}, role="reviewer")["addWatchlistEntry"]
    assert new["__typename"] == "WatchlistEntryAdded"
    existing = api.data(q, {"i": {"watchlist": "wl:test", "entityId": "per:taro2", "reason": "named in a report"}}, role="reviewer")["addWatchlistEntry"]
    assert existing["entityId"] == "per:taro2" and existing["watchlistId"] == "wl:test"
    assert api.data(q, {"i": {"watchlist": "wl:test", "entityId": "org:ghost"}}, role="reviewer")["addWatchlistEntry"]["__typename"] == "NotFound"
    d = api.data("""query($id: ID!) { entity(id: $id) { ... on Watchlist { name entries { edges { node { start properties evidence { method sourceId }
                  node { id names { value script } } } } } } } }""", {"id": new["watchlistId"]})
    entry = d["entity"]["entries"]["edges"][0]["node"]
    assert d["entity"]["name"] == "Our partners to review" and entry["start"] == "2026-01-01" and entry["properties"]["reason"] == "board decision"
    assert entry["evidence"][0]["method"] == "manual-entry" and entry["evidence"][0]["sourceId"].startswith("src:api:key:")
    assert {n["script"] for n in entry["node"]["names"]} == {"Latin", "Han"}
    listed = api.data('{ entity(id: "wl:test") { ... on Watchlist { entries { totalCount } } } }')
    assert listed["entity"]["entries"]["totalCount"] == 2


IMPORT = """mutation($f: Upload!, $n: String!) { importWatchlist(name: $n, file: $f) { __typename
  ... on WatchlistImport { watchlistId sourceId entries errors { locator message } } ... on Rejected { code message } } }"""


async def test_import_watchlist_csv_and_yaml_with_bad_rows(api: Api):
    csv = "name,aliases,kind,start,reason\nAlpha Defence Institute,ADI|阿尔法国防研究所,research_institute,2024-05-01,test\n,,,,no name here\nBeta Labs,,company,,\n"
    r = api.upload(IMPORT, {"n": "Imported CSV list"}, "f", "list.csv", csv.encode()).json()
    res = r["data"]["importWatchlist"]
    assert res["__typename"] == "WatchlistImport" and res["entries"] == 2
    assert res["errors"] == [{"locator": "row 3", "message": "the entry has neither a name nor an id"}]
    again = api.upload(IMPORT, {"n": "Imported CSV list"}, "f", "list.csv", csv.encode()).json()["data"]["importWatchlist"]
    assert again["watchlistId"] == res["watchlistId"]
    count = api.data('query($id: ID!) { entity(id: $id) { ... on Watchlist { entries { totalCount } sources { title } } } }', {"id": res["watchlistId"]})
    assert count["entity"]["entries"]["totalCount"] == 2  # re-importing the same file adds nothing
    assert count["entity"]["sources"][0]["title"] == "list.csv"
    yml = b"entries:\n  - {name: Gamma Research Center, type: organization}\n  - {id: per:taro2, reason: own review}\n  - {id: per:ghost}\n"
    res = api.upload(IMPORT, {"n": "Imported YAML list"}, "f", "list.yaml", yml).json()["data"]["importWatchlist"]
    assert res["entries"] == 2 and res["errors"][0]["locator"] == "$.entries[2]"
    for name, content, code in (("list.exe", b"MZ...", "UNSUPPORTED_TYPE"), ("list.csv", b"", "EMPTY"), ("list.csv", b"\x00\x01\x02binary", "TYPE_MISMATCH"),
                                ("list.yaml", b"entries: [unclosed", "SOURCE_UNREADABLE")):
        res = api.upload(IMPORT, {"n": "Bad list"}, "f", name, content).json()["data"]["importWatchlist"]
        assert res == {"__typename": "Rejected", "code": code, "message": res["message"]}, (name, res)


INGEST_DISCLOSURE = """mutation($f: Upload!, $p: ID) { ingestDisclosure(file: $f, personId: $p) { __typename
  ... on IngestReport { sourceId nodes relationships skipped errors { locator message } } ... on Rejected { code message } ... on NotFound { requestedId } } }"""
DISCLOSURE = """query($p: ID) { disclosure(personId: $p) { __typename ... on Disclosure { id version document person { id }
  statements { kind relation text start end organization { id } } } } }"""


async def test_ingest_disclosure_upload_is_read_linked_and_queryable(api: Api):
    """ingestDisclosure runs the disclosure ingestor on the upload for the named person; the
    statements come back through `disclosure` with their character spans."""
    text = "Visiting researcher, Northern Institute of Technology, 2023-present\nProfessor, Kizuna University, 2015-present\n"
    body = api.upload(INGEST_DISCLOSURE, {"p": "per:hanako"}, "f", "hanako.txt", text.encode()).json()
    assert not body.get("errors"), body
    done = body["data"]["ingestDisclosure"]
    assert done["__typename"] == "IngestReport", done
    assert done["sourceId"].startswith("dis:") and done["nodes"] >= 2 and done["relationships"] >= 2 and done["skipped"] is False and done["errors"] == []
    d = api.data(DISCLOSURE, {"p": "per:hanako"}, role="investigator")["disclosure"]
    assert d["id"] == done["sourceId"] and d["person"] == {"id": "per:hanako"} and d["version"] == 1 and d["document"] == "hanako.txt"
    nit = [st for st in d["statements"] if st["organization"]["id"] == "org:nit"]
    assert nit and nit[0]["relation"] == "AFFILIATED_WITH" and nit[0]["kind"] == "appointment"
    assert text[nit[0]["start"]:nit[0]["end"]] == nit[0]["text"] and "Northern Institute of Technology" in nit[0]["text"]
    again = api.upload(INGEST_DISCLOSURE, {"p": "per:hanako"}, "f", "hanako.txt", text.encode()).json()["data"]["ingestDisclosure"]
    assert again["sourceId"] == done["sourceId"] and again["skipped"] is True
    name = api.data('{ person(id: "per:hanako") { ... on Person { name } } }', role="investigator")["person"]["name"]
    assert name == "Hanako Yamada"  # the person named by the caller keeps their name


async def test_ingestion_uploads_rejected_or_not_found(api: Api):
    fake = api.upload(INGEST_DISCLOSURE, {"p": "per:hanako"}, "f", "disclosure.pdf", b"<html>not a pdf</html>").json()["data"]["ingestDisclosure"]
    assert fake["__typename"] == "Rejected" and fake["code"] == "TYPE_MISMATCH"
    ghost = api.upload(INGEST_DISCLOSURE, {"p": "per:ghost"}, "f", "d.txt", "兼業: 北方技术研究院 客員研究員".encode()).json()["data"]["ingestDisclosure"]
    assert ghost == {"__typename": "NotFound", "requestedId": "per:ghost"}
    nameless = api.upload(INGEST_DISCLOSURE, {}, "f", "d.txt", b"Professor somewhere, 2015-present\n").json()["data"]["ingestDisclosure"]
    assert nameless["__typename"] == "Rejected" and nameless["code"] == "INVALID_INPUT" and "no subject" in nameless["message"]


INGEST_SOURCE = """mutation($k: String!, $l: String!) { ingestSource(kind: $k, location: $l) { __typename
  ... on IngestReport { sourceId nodes relationships skipped errors { locator message } } ... on Rejected { code message } } }"""


async def test_ingest_source_runs_the_ingestor_then_resolution(api: Api):
    """ingestSource runs the registered ingestor on a server-side file; bad records are listed,
    the rest is written, entity resolution follows, and screening sees the new listings."""
    path = str(Path(__file__).parent / "data" / "ingest" / "userlist_entries.csv")
    done = api.data(INGEST_SOURCE, {"k": "userlist", "l": path}, role="admin")["ingestSource"]
    assert done["__typename"] == "IngestReport" and done["sourceId"].startswith("src:") and done["nodes"] >= 3
    assert [e["locator"] for e in done["errors"]] == ["userlist_entries.csv: line 4"] and done["skipped"] is False
    screened = api.data('{ screen(name: "クラフト学院") { ... on ScreenMatches { matches { entity { name } } } } }')["screen"]["matches"]
    assert [m["entity"]["name"] for m in screened] == ["Crafted Academy"]
    again = api.data(INGEST_SOURCE, {"k": "userlist", "l": path}, role="admin")["ingestSource"]
    assert again["sourceId"] == done["sourceId"] and again["skipped"] is True  # the same file again: the writer's MERGE adds nothing
    unknown = api.data(INGEST_SOURCE, {"k": "no-such-source", "l": path}, role="admin")["ingestSource"]
    assert unknown["__typename"] == "Rejected" and unknown["code"] == "INVALID_INPUT"
    missing = api.data(INGEST_SOURCE, {"k": "ror", "l": str(Path(path).parent / "no-such-ror.json")}, role="admin")["ingestSource"]
    assert missing["__typename"] == "Rejected" and missing["code"] == "SOURCE_UNREADABLE"


async def test_ingest_source_reads_only_inside_the_configured_folders(api: Api, tmp_path):
    """An admin key must not make the server read any file it can: outside KIZUNA_API_INGEST_DIRS
    (after resolving `..` and symlinks) the mutation is refused and nothing is written."""
    inside = Path(__file__).parent / "data" / "ingest"
    link = inside / "zz-link-out"  # a symlink inside the allowed folder that points outside it
    outside = tmp_path / "list.csv"
    outside.write_text("name,kind\nOutside Org,company\n", encoding="utf-8")
    link.unlink(missing_ok=True)
    link.symlink_to(outside)
    try:
        for location in ["/etc/passwd", str(outside), str(inside / ".." / ".." / "conftest.py"), str(link)]:
            refused = api.data(INGEST_SOURCE, {"k": "userlist", "l": location}, role="admin")["ingestSource"]
            assert refused["__typename"] == "Rejected" and refused["code"] == "FORBIDDEN", (location, refused)
            assert "ingestSource reads only files inside" in refused["message"] and "root:" not in refused["message"]
    finally:
        link.unlink(missing_ok=True)
    screened = api.data('{ screen(name: "Outside Org") { ... on ScreenMatches { matches { entity { name } } } } }')["screen"]["matches"]
    assert [m["entity"]["name"] for m in screened if m["entity"]["name"] == "Outside Org"] == []