"""Issue 10, security hygiene: keys hashed at rest, secrets never logged, the audit trail complete
under concurrent load and tamper-evident (edit, delete). A real `kizuna serve` process over the test
Neo4j; its whole log output is captured and searched. Figures go to bench/out/reliability/security.json.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from api.auth import create_api_key, hash_secret
from api.config import ApiConfig
from queries.audit import verify_chain
from tests.api_support import ROLES, seed
from tests.conftest import free_port, wipe
from tests.helpers import REPO, env_for
from tests.helpers import run_cli, server_log, start_api

OUT = REPO / "bench" / "out" / "reliability"
PEPPER = "reliability-security-pepper-7f3a"
RESULTS: dict[str, dict] = {}
CONCURRENT_READS = 120


def save() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "security.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    old.update(RESULTS)
    path.write_text(json.dumps(old, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
async def served(settings, db):
    await wipe(db)
    await seed(db)
    config = ApiConfig(key_pepper=PEPPER, key_cache_seconds=0.0)
    keys = {role: (await create_api_key(db, config, name=f"sec {role}", role=role))[1] for role in ROLES}
    port = free_port()
    env = env_for(settings, KIZUNA_API_KEY_PEPPER=PEPPER, KIZUNA_ENVIRONMENT="production", KIZUNA_API_KEY_CACHE_SECONDS="0",
                  KIZUNA_LOG_LEVEL="DEBUG")
    proc = start_api(env, port)
    yield f"http://127.0.0.1:{port}", keys, proc, env
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=20)


async def test_keys_hashed_at_rest(served, db):
    _, keys, _, _ = served
    rows = await db.read("MATCH (k:ApiKey) RETURN properties(k) AS p")
    stored = json.dumps([r["p"] for r in rows])
    secrets = {role: key.split("_", 2)[2] for role, key in keys.items()}  # kz_<id>_<secret>; the secret may hold "_"
    leaked = [role for role, secret in secrets.items() if secret in stored or keys[role] in stored]
    hashed = [role for role, key in keys.items()
              if any(r["p"].get("key_hash") == hash_secret(secrets[role], PEPPER) and r["p"].get("key_id") == key.split("_")[1] for r in rows)]
    RESULTS["keys_at_rest"] = {"keys": len(keys), "secrets_found_in_store": len(leaked), "stored_as_peppered_hmac": len(hashed),
                               "held": not leaked and len(hashed) == len(keys)}
    save()
    assert not leaked and sorted(hashed) == sorted(keys)


async def test_audit_complete_under_concurrency_and_tamper_evident(served, db):
    url, keys, _, _ = served
    before = (await db.read("MATCH (a:AuditEntry) RETURN count(a) AS c"))[0]["c"]
    query = '{ person(id: "per:hanako") { ... on Person { id name } } }'
    roles = ["viewer", "investigator", "reviewer", "admin"]
    async with httpx.AsyncClient(timeout=60) as client:
        async def read(i: int):
            r = await client.post(url + "/graphql", json={"query": query}, headers={"X-API-Key": keys[roles[i % 4]]})
            return r.status_code == 200 and not r.json().get("errors")
        oks = await asyncio.gather(*[read(i) for i in range(CONCURRENT_READS)])
        # a denied read (auditor may not read people) and a refused key leave no entry
        await client.post(url + "/graphql", json={"query": query}, headers={"X-API-Key": keys["auditor"]})
        await client.post(url + "/graphql", json={"query": query})
    entries = await db.read("MATCH (a:AuditEntry) WHERE a.seq > $b RETURN a.person_id AS p, a.actor AS actor, a.operation AS op", {"b": before})
    status = await verify_chain(db)
    complete = sum(oks) == CONCURRENT_READS and len(entries) == CONCURRENT_READS and all(e["p"] == "per:hanako" for e in entries)
    # tamper: edit one entry, detected at that entry; restore, valid again; delete one, detected
    target = before + CONCURRENT_READS // 2
    original = (await db.read("MATCH (a:AuditEntry {seq: $s}) RETURN a.actor AS actor", {"s": target}))[0]["actor"]
    await db.write("MATCH (a:AuditEntry {seq: $s}) SET a.actor = 'someone-else'", {"s": target})
    edited = await verify_chain(db)
    await db.write("MATCH (a:AuditEntry {seq: $s}) SET a.actor = $v", {"s": target, "v": original})
    restored = await verify_chain(db)
    await db.write("MATCH (a:AuditEntry {seq: $s}) DELETE a", {"s": target + 1})
    deleted = await verify_chain(db)
    RESULTS["audit"] = {"concurrent_person_reads": CONCURRENT_READS, "successful": sum(oks), "entries_written": len(entries),
                        "chain_valid_after_load": status.valid, "chain_entries": status.entries,
                        "edit_detected_at": edited.first_broken_seq, "edited_seq": target, "valid_after_restore": restored.valid,
                        "delete_detected_at": deleted.first_broken_seq, "deleted_seq": target + 1,
                        "held": complete and status.valid and edited.first_broken_seq == target and restored.valid and deleted.first_broken_seq == target + 1}
    save()
    assert complete, (sum(oks), len(entries))
    assert status.valid
    assert not edited.valid and edited.first_broken_seq == target
    assert restored.valid
    assert not deleted.valid and deleted.first_broken_seq == target + 1


async def test_secrets_never_logged(served, settings):
    url, keys, proc, env = served
    wrong = keys["viewer"][:-4] + "AAAA"  # right key id, wrong secret
    async with httpx.AsyncClient(timeout=60) as client:
        for key in list(keys.values()) + [wrong, "kz_garbage", "Bearer " + keys["admin"]]:
            await client.post(url + "/graphql", json={"query": "{ watchlists { totalCount } }"}, headers={"X-API-Key": key})
            await client.post(url + "/graphql", json={"query": "{ watchlists { totalCount } }"}, headers={"Authorization": "Bearer " + key})
            await client.get(url + "/graphql", params={"query": "{ watchlists { totalCount } }", "api_key": key})
    proc.terminate()
    proc.wait(timeout=30)
    log_text = server_log(proc)
    cli = run_cli(["keys", "list"], env)
    logs = log_text + cli.stdout + cli.stderr
    secrets = {f"key:{role}": key for role, key in keys.items()} | {f"secret:{role}": key.split("_", 2)[2] for role, key in keys.items()}
    secrets |= {"wrong-secret": wrong.split("_", 2)[2], "pepper": PEPPER, "neo4j-password": settings.auth[1]}
    found = sorted(name for name, value in secrets.items() if value in logs)
    RESULTS["logs"] = {"log_lines": logs.count("\n"), "secrets_checked": len(secrets), "found": found, "held": not found}
    save()
    assert logs.count("\n") > 3, "nothing was logged, the check would be vacuous"
    assert not found, found


async def test_formula_injection_does_not_reach_exports(db, tmp_path):
    """Names that a spreadsheet would evaluate are stored verbatim, and the sweep's CSV export
    (ingest/sweep/outputs.CsvFile) writes them as text."""
    import csv

    from ingest.runner import ingest
    from ingest.sweep.outputs import CsvFile

    formulas = ['=HYPERLINK("http://127.0.0.1/x?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]
    src = tmp_path / "formula-list.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["name", "kind"]] + [[f, "company"] for f in formulas])
    report = await ingest(db, "userlist", [src])
    stored = [r["n"] for r in await db.read("MATCH (o:Organization) WHERE o.name IN $f RETURN o.name AS n", {"f": formulas})]
    out = tmp_path / "results.csv"
    export = CsvFile(out, ["subject_name"])
    export.rows([[n] for n in stored])
    export.close()
    with out.open(encoding="utf-8", newline="") as fh:
        cells = [row[0] for row in list(csv.reader(fh))[1:]]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    RESULTS["formula_export"] = {"ingested": report.files[0].records_read, "stored_verbatim": len(stored), "exported": len(cells),
                                 "exported_as_formula": len(dangerous), "held": len(stored) == len(formulas) and len(cells) == len(formulas) and not dangerous}
    save()
    assert sorted(stored) == sorted(formulas)
    assert len(cells) == len(formulas) and not dangerous, dangerous
