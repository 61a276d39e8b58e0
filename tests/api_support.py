"""Shared by the tests/test_api_*.py files: a real API server (uvicorn, in a thread, on a free
port) over the test Neo4j, a small crafted graph, one key per role, and an HTTP GraphQL client.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.auth import create_api_key
from api.config import ApiConfig
from graph.db import Database
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord
from kizuna.settings import Settings
from queries.decisions import FindingRecord, store_findings
from tests.conftest import free_port, wipe

ROLES = ("viewer", "investigator", "reviewer", "admin", "auditor")
EV_TIME = "2026-01-15T00:00:00+00:00"


@dataclass
class Server:
    url: str
    config: ApiConfig
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(settings: Settings, config: ApiConfig, environment: str = "production") -> Server:
    app = create_app(settings.model_copy(update={"environment": environment}), config)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # start-up plans the path queries; the test machine is busy
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test API server did not start")
        time.sleep(0.02)
    return Server(f"http://127.0.0.1:{port}", config, server, thread)


TEST_INGEST_DIR = Path(__file__).resolve().parent / "data" / "ingest"


def make_config(**overrides) -> ApiConfig:
    """Limits as shipped, except: no key cache (revocation is immediate), a high rate, and a path
    time budget and request timeouts generous enough for a loaded test machine."""
    values = dict(key_pepper="test-pepper", key_cache_seconds=0.0, rate_per_second=10_000, rate_burst=10_000, path_time_budget_ms=20_000,
                  request_timeout_seconds=120.0, upload_timeout_seconds=600.0, ingest_dirs=[TEST_INGEST_DIR])
    values.update(overrides)
    return ApiConfig(**values)


@dataclass
class Api:
    """A running server and the keys of the current test's graph."""

    server: Server
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def post(self, query: str, variables: dict | None = None, *, role: str | None = "viewer", key: str | None = None, headers: dict | None = None) -> httpx.Response:
        h = dict(headers or {})
        if key or role:
            h["X-API-Key"] = key or self.keys[role]
        return httpx.post(self.url + "/graphql", json={"query": query, "variables": variables or {}}, headers=h, timeout=30)

    def gql(self, query: str, variables: dict | None = None, *, role: str = "viewer") -> dict:
        """The response body of a successful HTTP exchange (GraphQL errors are in it)."""
        r = self.post(query, variables, role=role)
        assert r.status_code == 200, r.text
        return r.json()

    def data(self, query: str, variables: dict | None = None, *, role: str = "viewer") -> dict:
        body = self.gql(query, variables, role=role)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def upload(self, query: str, variables: dict, file_var: str, filename: str, content: bytes, *, role: str = "admin", content_type: str = "application/octet-stream") -> httpx.Response:
        """A GraphQL multipart request (the upload spec) with one file."""
        variables = dict(variables, **{file_var: None})
        files = {
            "operations": (None, json.dumps({"query": query, "variables": variables})),
            "map": (None, json.dumps({"0": [f"variables.{file_var}"]})),
            "0": (filename, content, content_type),
        }
        return httpx.post(self.url + "/graphql", files=files, headers={"X-API-Key": self.keys[role]}, timeout=30)


def error_codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


async def seed(db: Database) -> None:
    """A small crafted graph: a listed institute with a subsidiary, a university, three people
    (names in several scripts, identifiers), affiliations and a publication, all with evidence."""
    ev = Evidence("src:test:registry", "row 1", EV_TIME, "test-fixture", 0.9, text="fixture")
    lev = Evidence("src:test:list", "row 7 / Name", EV_TIME, "list-import", 1.0, text="Northern Institute of Technology")
    nodes = [
        NodeRecord("Source", "src:test:list", {"kind": "watchlist", "title": "Test list (fixture)", "uri": "https://example.org/list", "retrieved_at": EV_TIME}, lev),
        NodeRecord("Source", "src:test:registry", {"kind": "registry", "title": "Test registry", "retrieved_at": EV_TIME}, ev),
        NodeRecord("Watchlist", "wl:test", {"name": "Test List", "names": ["Test List"], "jurisdiction": "US", "severity": "high"}, lev),
        NodeRecord("Organization", "org:nit", {"name": "Northern Institute of Technology", "names": ["Northern Institute of Technology", "北方技术研究院", "ノーザン工科研究所"],
                                              "acronyms": ["NIT"], "kind": "research_institute", "country": "XX", "ror": "0nit00001"}, lev),
        NodeRecord("Organization", "org:nit-sub", {"name": "NIT Devices Co", "names": ["NIT Devices Co"], "kind": "company"}, ev),
        NodeRecord("Organization", "org:kzu", {"name": "Kizuna University", "names": ["Kizuna University", "絆大学"], "kind": "university", "ror": "0kzu00001"}, ev),
        NodeRecord("Person", "per:hanako", {"name": "Hanako Yamada", "names": ["Hanako Yamada", "山田花子", "やまだはなこ"], "orcid": "0000-0001-0000-0001", "fictional": True}, ev),
        NodeRecord("Person", "per:taro", {"name": "Taro Suzuki", "names": ["Taro Suzuki", "鈴木太郎"], "orcid": "0000-0001-0000-0002", "fictional": True}, ev),
        NodeRecord("Person", "per:taro2", {"name": "Taro Suzuki", "names": ["Taro Suzuki"], "fictional": True}, ev),
        NodeRecord("PersonalData", "pd:hanako", {"nationality": "ZZ"}, ev),
        NodeRecord("Publication", "pub:1", {"title": "Robust graphs", "names": ["Robust graphs"], "doi": "10.0000/robust", "year": 2025}, ev),
    ]
    rels = [
        RelRecord("LISTED_ON", "org:nit", "wl:test", {"start": "2022-01-01", "reason": "fixture listing", "listed_name": "Northern Institute of Technology"}, lev),
        RelRecord("SUBSIDIARY_OF", "org:nit-sub", "org:nit", {"share": 0.6}, ev),
        RelRecord("AFFILIATED_WITH", "per:hanako", "org:kzu", {"role": "Professor", "start": "2015-04-01", "primary": True}, ev),
        RelRecord("AFFILIATED_WITH", "per:hanako", "org:nit", {"role": "Visiting researcher", "start": "2023-01-01", "paid": True}, ev),
        RelRecord("AFFILIATED_WITH", "per:taro", "org:kzu", {"role": "Lecturer"}, ev),
        RelRecord("AFFILIATED_WITH", "per:taro2", "org:nit-sub", {"role": "Engineer"}, ev),
        RelRecord("AUTHORED", "per:hanako", "pub:1", {"position": 1}, ev),
        RelRecord("AUTHORED", "per:taro", "pub:1", {"position": 2}, ev),
        RelRecord("HAS_PERSONAL_DATA", "per:hanako", "pd:hanako", {}, ev),
    ]
    report = await GraphWriter(db).write(nodes, rels)
    assert not report.missing_endpoints
    fev = Evidence("src:test:list", "row 7 / Name", EV_TIME, "assess", 0.9, text="affiliated with a listed institute")
    await store_findings(db, [FindingRecord("per:hanako", "affiliation_with_listed", "Affiliated with a listed institute", fev, severity="elevated",
                                            rule_ids=["test:1"], related_ids=["org:nit"])])


async def reset(db: Database, config: ApiConfig) -> dict[str, str]:
    """Wipe the graph, seed it, and create one key per role (returned by role)."""
    await wipe(db)
    await seed(db)
    return {role: (await create_api_key(db, config, name=f"test {role}", role=role))[1] for role in ROLES}


@pytest.fixture(scope="session")
def api_server(settings: Settings):
    server = start_server(settings, make_config())
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def api(api_server: Server, db: Database) -> Api:
    """The running server over a freshly seeded graph (once per test module: tests in a module
    only add to it), with one key per role."""
    return Api(api_server, await reset(db, api_server.config))
