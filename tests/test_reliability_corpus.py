"""Issue 10, bad input: every case of the generated corpus (tests/data/bad/make_corpus.py) against its
ingestor, `kizuna ingest-disclosure`'s reader, or the GraphQL upload mutation on a real server.

Each case must end in a clear error that wrote nothing, or a safe ingestion that stored text as
data; either way a sentinel subgraph written before the run is untouched, no crash, bounded time
and memory. The outcome of every case goes to bench/out/reliability/corpus.json (and from there into
docs/reliability.md via bench/reliability/report.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import time
from pathlib import Path

import httpx
import importlib.util
import pytest

from api.auth import create_api_key
from graph.db import Database
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord
from ingest.disclosure import ingest_paths
from ingest.runner import ingest
from kizuna.errors import KizunaError
from nlp.pipeline import default_reader
from tests.api_support import make_config, start_server
from tests.conftest import wipe
from tests.helpers import REPO, graph_fingerprint

_spec = importlib.util.spec_from_file_location("make_corpus", REPO / "tests" / "data" / "bad" / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_corpus)

pytestmark = pytest.mark.skipif(not os.environ.get("KIZUNA_RELIABILITY"), reason="slow (minutes): run by `make reliability`")
OUT = REPO / "bench" / "out" / "reliability"
CORPUS_DIR = REPO / "tests" / "data" / "bad" / "generated"
CASE_SECONDS = 60.0
CASE_RSS_GROWTH_MB = 400
SENTINEL_IDS = ["org:sentinel:a", "org:sentinel:b", "per:sentinel:c"]


def _cases() -> list[dict]:
    manifest = CORPUS_DIR / "manifest.json"
    if not manifest.exists():
        make_corpus.build(CORPUS_DIR)
    return json.loads(manifest.read_text(encoding="utf-8"))


CASES = _cases() if os.environ.get("KIZUNA_RELIABILITY") else []
RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="module")
async def bad_graph(db: Database):
    """A graph holding only a sentinel subgraph (which no case may touch). The language pipelines
    (~400 MB, loaded once per process) are loaded first, so that no case's memory growth is the
    pipelines' rather than its own input's."""
    await asyncio.to_thread(default_reader)
    await wipe(db)
    ev = Evidence("src:sentinel", "row 1", "2026-01-01T00:00:00+00:00", "test-fixture", 1.0, text="sentinel")
    await GraphWriter(db).write(
        [NodeRecord("Organization", "org:sentinel:a", {"name": "Sentinel A", "names": ["Sentinel A"], "kind": "university"}, ev),
         NodeRecord("Organization", "org:sentinel:b", {"name": "Sentinel B", "names": ["Sentinel B"], "kind": "company"}, ev),
         NodeRecord("Person", "per:sentinel:c", {"name": "Sentinel C", "names": ["Sentinel C"], "fictional": True}, ev)],
        [RelRecord("AFFILIATED_WITH", "per:sentinel:c", "org:sentinel:a", {"role": "Professor"}, ev)],
    )
    yield db
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "corpus.json").write_text(json.dumps({"cases": [RESULTS[c["id"]] for c in CASES if c["id"] in RESULTS]}, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
async def upload_server(settings, bad_graph):
    config = make_config()
    server = start_server(settings, config)
    _, key = await create_api_key(bad_graph, config, name="corpus admin", role="admin")
    yield server, key
    server.stop()


async def sentinel(db: Database) -> list:
    return await db.read(
        "MATCH (n:Entity) WHERE n.id IN $ids OPTIONAL MATCH (n)-[r]-() "
        "RETURN n.id AS id, properties(n) AS props, count(r) AS rels ORDER BY id", {"ids": SENTINEL_IDS})


async def stored_verbatim(db: Database, marker: str) -> int:
    rows = await db.read(
        "MATCH (n:Entity) WHERE any(k IN keys(n) WHERE (n[k] IS :: STRING AND n[k] CONTAINS $m) "
        "OR (n[k] IS :: LIST<STRING> AND any(x IN n[k] WHERE x CONTAINS $m))) RETURN count(n) AS c", {"m": marker})
    return rows[0]["c"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run_ingestor(db: Database, case: dict, path: Path) -> tuple[str, str]:
    try:
        report = await ingest(db, case["target"], [path])
    except KizunaError as exc:
        return "error", f"{exc.code}: {exc.message}"
    (fr,) = report.files
    if fr.status == "failed":
        return "error", fr.reason
    skipped = f"; {fr.records_skipped} skipped, e.g. {fr.skipped[0]['reason']}" if fr.skipped else ""
    return "ingested", f"{fr.records_read} read, {fr.facts_written} facts{skipped}"


async def run_disclosure(db: Database, case: dict, path: Path) -> tuple[str, str]:
    report = await ingest_paths(db, [path])
    (doc,) = report["documents"]
    if doc["status"] == "error":
        return "error", "; ".join(doc["problems"])
    return "ingested", f"{len(report['facts'])} facts"


async def run_upload(server, key: str, case: dict, path: Path) -> tuple[str, str]:
    query = "mutation($f: Upload!) { ingestDisclosure(file: $f) { __typename ... on Rejected { code message } ... on IngestReport { nodes errors { message } } } }"
    name = case.get("upload_name") or case["file"]
    files = {"operations": (None, json.dumps({"query": query, "variables": {"f": None}})), "map": (None, json.dumps({"0": ["variables.f"]})),
             "0": (name, path.read_bytes(), "application/octet-stream")}
    async with httpx.AsyncClient(timeout=CASE_SECONDS) as client:
        r = await client.post(server.url + "/graphql", files=files, headers={"X-API-Key": key})
    assert r.status_code < 500, f"server error {r.status_code}: {r.text[:300]}"
    body = r.json()
    if r.status_code != 200 or body.get("errors"):
        return "error", f"HTTP {r.status_code}: " + "; ".join(e["message"] for e in body.get("errors") or [])
    res = body["data"]["ingestDisclosure"]
    if res["__typename"] == "Rejected":
        return "error", f"{res['code']}: {res['message']}"
    if res["__typename"] == "IngestReport" and res["nodes"] == 0 and res["errors"]:
        return "error", "; ".join(e["message"] for e in res["errors"])
    return "ingested", f"{res['__typename']} {res.get('nodes')} nodes"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_bad_input(bad_graph, upload_server, case):
    db = bad_graph
    path = CORPUS_DIR / case["file"]
    before, sentinel_before, rss_before = await graph_fingerprint(db), await sentinel(db), peak_rss_mb()
    started = time.perf_counter()
    if case["target"] == "upload":
        outcome, detail = await run_upload(*upload_server, case, path)
    elif case["target"] == "disclosure":
        outcome, detail = await run_disclosure(db, case, path)
    else:
        outcome, detail = await run_ingestor(db, case, path)
    seconds = time.perf_counter() - started
    after, sentinel_after = await graph_fingerprint(db), await sentinel(db)
    verbatim = await stored_verbatim(db, case["marker"]) if case.get("marker") and outcome == "ingested" else None
    rss_growth = peak_rss_mb() - rss_before
    leaked = "root:x:0:0" in detail or await stored_verbatim(db, "root:x:0:0") > 0
    RESULTS[case["id"]] = dict(case, outcome=outcome, detail=detail[:300], seconds=round(seconds, 3), loadavg_1m=round(os.getloadavg()[0], 2), rss_growth_mb=round(rss_growth, 1),
                               graph_unchanged=before == after, sentinel_unchanged=sentinel_before == sentinel_after, stored_verbatim=verbatim)
    assert sentinel_after == sentinel_before, "a bad input changed data it had nothing to do with"
    assert detail.strip(), "an outcome without an explanation"
    assert not leaked, "a local file's content came back"
    if outcome == "error":
        assert after == before, f"a refused input wrote to the graph: {detail}"
    if case["expect"] == "error":
        assert outcome == "error", f"expected a clear refusal, got: {detail}"
    if case["expect"] == "safe":
        assert outcome == "ingested", f"expected a safe ingestion, got: {detail}"
    if case["expect"] == "safe" and case.get("marker"):
        assert verbatim, "the text was not stored verbatim"
    assert seconds < CASE_SECONDS and rss_growth < CASE_RSS_GROWTH_MB
    RESULTS[case["id"]]["held"] = True
