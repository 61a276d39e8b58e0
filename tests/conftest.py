"""Test fixtures: one real Neo4j for the whole run, a clean graph for every test that asks.

Neo4j is started by the project itself (graph/server.py) on a free loopback port with its data
in a temporary folder, or taken from NEO4J_URI when that is set. It is never mocked.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from graph import server
from graph.db import Database
from graph.schema import apply_schema
from kizuna.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings of the test Neo4j: NEO4J_URI if given, else a private server for this run."""
    if os.environ.get("NEO4J_URI"):
        yield Settings()
        return
    home = Path(tempfile.mkdtemp(prefix="kizuna-test-neo4j-"))
    s = Settings(
        neo4j_home=home,
        neo4j_bolt_port=free_port(),
        neo4j_password="kizuna-test",
        neo4j_heap_mb=int(os.environ.get("KIZUNA_TEST_HEAP_MB", "2048")),
        neo4j_pagecache_mb=int(os.environ.get("KIZUNA_TEST_PAGECACHE_MB", "1024")),
    )
    server.start(s)
    yield s
    server.stop(s)
    shutil.rmtree(home, ignore_errors=True)  # a temporary store: every run used to leave one behind


@pytest.fixture(scope="session")
async def db(settings: Settings):
    """The session's Database (one async driver), with the schema applied."""
    database = Database(settings)
    await database.verify()
    await apply_schema(database)
    yield database
    await database.close()


async def wipe(database: Database) -> None:
    async with database.driver.session(database=database.database) as session:
        result = await session.run("MATCH (n) WHERE NOT n:KizunaSchema CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS")
        await result.consume()


@pytest.fixture
async def graph(db: Database):
    """A Database whose graph is empty (schema kept) at the start of the test."""
    await wipe(db)
    return db


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data beside the checkout (see its MANIFEST)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared data folder is missing: {SHARED_DATA}")
    return SHARED_DATA
