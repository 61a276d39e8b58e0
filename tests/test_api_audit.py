"""Every person read through the API leaves exactly one audit entry per request; the trail is
append-only through the API and tamper-evident (hash chain)."""

from __future__ import annotations

from api.schema import build_schema
from tests.api_support import Api, api, api_server, error_codes  # noqa: F401

LOG = """query($p: String, $first: Int!) { auditLog(personId: $p, first: $first) {
  entries { totalCount edges { node { seq at actor actorRole operation personId prevHash hash } } } } }"""


def entries(api: Api, person_id: str | None = None, first: int = 100) -> list[dict]:
    d = api.data(LOG, {"p": person_id, "first": first}, role="auditor")
    return [e["node"] for e in d["auditLog"]["entries"]["edges"]]


def total(api: Api) -> int:
    return api.data(LOG, {"p": None, "first": 1}, role="auditor")["auditLog"]["entries"]["totalCount"]


async def test_one_entry_per_person_read(api: Api):
    viewer_id = "key:" + api.keys["viewer"].split("_")[1]
    before = total(api)
    api.data('query ReadTaro { person(id: "per:taro") { ... on Person { name } } }')
    log = entries(api, "per:taro")
    assert total(api) == before + 1
    newest = log[0]
    assert newest["personId"] == "per:taro" and newest["actor"] == viewer_id and newest["actorRole"] == "viewer"
    assert newest["operation"] == "query ReadTaro: person" and newest["at"].startswith("20")

    # the same person twice in one request (aliases, nested) is one read
    before = total(api)
    api.data('{ a: person(id: "per:taro") { ... on Person { name } } b: entity(id: "per:taro") { __typename } }')
    assert total(api) == before + 1

    # a search showing two persons records both, once each
    before = total(api)
    d = api.data('{ search(query: "Taro Suzuki", types: ["Person"]) { edges { node { id } } } }')
    assert {e["node"]["id"] for e in d["search"]["edges"]} == {"per:taro", "per:taro2"}
    assert total(api) == before + 2
    latest = entries(api, first=2)
    assert {e["personId"] for e in latest} == {"per:taro", "per:taro2"}

    # reading an organization alone reads no person; listing its affiliates does
    before = total(api)
    api.data('{ organization(id: "org:kzu") { ... on Organization { name } } }')
    assert total(api) == before
    api.data('{ organization(id: "org:kzu") { ... on Organization { affiliates { edges { node { node { id } } } } } } }')
    assert total(api) == before + 2
    # a refused request reads nothing and records nothing
    before = total(api)
    body = api.gql('{ undisclosedLinks(personId: "per:taro") { __typename } }', role="viewer")
    assert error_codes(body) == ["FORBIDDEN"]
    assert total(api) == before
    # a person's own findings and a person subject of a path query are reads of that person
    api.data('{ findings(subjectId: "per:hanako") { totalCount } concernPaths(subjectId: "per:hanako") { __typename } }')
    assert total(api) == before + 1
    assert entries(api, first=1)[0]["operation"] == "query findings, concernPaths"


async def test_chain_is_valid_and_tampering_is_detected(api: Api, db):
    api.data('{ person(id: "per:hanako") { __typename } }')
    chain = '{ auditLog(first: 1) { chain { valid entries headSeq firstBrokenSeq } } }'
    status = api.data(chain, role="auditor")["auditLog"]["chain"]
    assert status["valid"] is True and status["entries"] == status["headSeq"] >= 1
    log = entries(api, first=100)
    seqs = [e["seq"] for e in log]
    assert seqs == sorted(seqs, reverse=True) and seqs[-1] == 1
    for newer, older in zip(log, log[1:]):
        assert newer["prevHash"] == older["hash"]
    # edit one entry behind the API's back: the chain check finds it
    target = log[len(log) // 2]
    await db.write("MATCH (a:AuditEntry {seq: $seq}) SET a.person_id = 'per:someone-else'", {"seq": target["seq"]})
    broken = api.data(chain, role="auditor")["auditLog"]["chain"]
    assert broken["valid"] is False and broken["firstBrokenSeq"] == target["seq"]
    await db.write("MATCH (a:AuditEntry {seq: $seq}) SET a.person_id = $p", {"seq": target["seq"], "p": target["personId"]})
    # deleting the newest entry is detected through the head
    assert api.data(chain, role="auditor")["auditLog"]["chain"]["valid"] is True
    newest = log[0]
    await db.write("MATCH (a:AuditEntry {seq: $seq}) DETACH DELETE a", {"seq": newest["seq"]})
    assert api.data(chain, role="auditor")["auditLog"]["chain"]["valid"] is False
    await db.write("CREATE (a:AuditEntry) SET a = $row", {"row": {**{k: newest[k] for k in ("seq", "at", "actor", "operation", "hash")},
                                                                   "actor_role": newest["actorRole"], "person_id": newest["personId"], "prev_hash": newest["prevHash"], "id": f"aud:{newest['seq']}"}})
    assert api.data(chain, role="auditor")["auditLog"]["chain"]["valid"] is True


async def test_no_operation_can_alter_the_trail():
    """The API's only writes are the seven mutations; none touches the audit trail, and the
    trail has no update or delete statement anywhere in the query layer."""
    from pathlib import Path

    names = set(build_schema()._schema.mutation_type.fields)
    assert names == {"ingestDisclosure", "ingestSource", "recordDecision", "recordResponse", "resolveMatch", "addWatchlistEntry", "importWatchlist"}
    cypher = (Path(__file__).resolve().parent.parent / "queries" / "audit.cypher").read_text()
    assert "DELETE" not in cypher.upper() and "REMOVE" not in cypher.upper()
    assert "SET A." not in cypher.upper().replace(" ", " ")


async def test_concurrent_reads_keep_one_linear_chain(api: Api):
    """Many requests at once (group-committed appends): exactly one entry each, chain intact."""
    from concurrent.futures import ThreadPoolExecutor

    before = total(api)
    people = ["per:hanako", "per:taro", "per:taro2"] * 10
    with ThreadPoolExecutor(max_workers=15) as pool:
        bodies = list(pool.map(lambda pid: api.gql('query($id: ID!) { person(id: $id) { __typename } }', {"id": pid}), people))
    assert all(not b.get("errors") for b in bodies)
    assert total(api) == before + len(people)
    status = api.data('{ auditLog(first: 1) { chain { valid entries headSeq } } }', role="auditor")["auditLog"]["chain"]
    assert status["valid"] is True and status["entries"] == status["headSeq"] == before + len(people)


async def test_appenders_in_two_processes_interleave_into_one_chain(db):
    """Each API process remembers where it left the chain and appends in one statement. When the
    other process appended since, that guess is stale: the append re-chains onto the real head
    under the head's lock, so sequence numbers stay dense and the chain never forks."""
    from queries import audit as audit_q

    def entry(person: str) -> dict:
        return {"at": "2026-12-01T00:00:00+00:00", "actor": "key:test", "actor_role": "viewer", "operation": "query person", "person_id": person}

    start = (await audit_q.verify_chain(db)).head_seq
    first_seqs, head_a = await audit_q.append_entries(db, [entry("per:a1")])  # a fresh process guesses an empty trail
    assert first_seqs == [start + 1] and head_a.seq == start + 1
    seqs_b, head_b = await audit_q.append_entries(db, [entry("per:b1"), entry("per:b2")], audit_q.EMPTY_HEAD)
    assert seqs_b == [start + 2, start + 3] and head_b.seq == start + 3
    seqs_a, head_a = await audit_q.append_entries(db, [entry("per:a2")], head_a)  # stale: b appended since
    assert seqs_a == [start + 4] and head_a.seq == start + 4
    seqs_a, _ = await audit_q.append_entries(db, [entry("per:a3")], head_a)  # right guess, one statement
    assert seqs_a == [start + 5]
    status = await audit_q.verify_chain(db)
    assert status.valid and status.head_seq == status.entries == start + 5
    rows = await db.read("MATCH (a:AuditEntry) WHERE a.seq > $s RETURN a.person_id AS p ORDER BY a.seq", {"s": start})
    assert [r["p"] for r in rows] == ["per:a1", "per:b1", "per:b2", "per:a2", "per:a3"]
