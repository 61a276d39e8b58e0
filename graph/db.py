"""The one long-lived async Neo4j driver of a process, and the few ways the layers use it.

Reads go through ``execute_query`` (the driver's managed, retried path); writes run in managed
transactions that consume their results inside. Driver errors become Kizuna errors here, once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, ServiceUnavailable, SessionExpired

from kizuna.errors import DatabaseUnavailable, InvalidInput
from kizuna.settings import Settings, get_settings

T = TypeVar("T")


class Database:
    """Owns the async driver. Make one at start-up, share it, close it at shut-down."""

    def __init__(self, settings: Settings | None = None, *, pool_size: int = 50):
        self.settings = settings or get_settings()
        self.database = self.settings.neo4j_database
        self.driver = AsyncGraphDatabase.driver(
            self.settings.bolt_uri,
            auth=self.settings.auth,
            max_connection_pool_size=pool_size,
            connection_acquisition_timeout=30.0,
            connection_timeout=5.0,
            max_transaction_retry_time=15.0,
            notifications_min_severity="OFF",
        )

    async def close(self) -> None:
        await self.driver.close()

    async def verify(self) -> None:
        """Fail fast with a clear message when the server is unreachable or refuses us."""
        try:
            await self.driver.verify_connectivity()
            await self.driver.verify_authentication()
        except AuthError as exc:
            raise DatabaseUnavailable(
                f"Neo4j at {self.settings.bolt_uri} refused the credentials for user {self.settings.auth[0]!r}",
                hint="check KIZUNA_NEO4J_PASSWORD (or NEO4J_PASSWORD for an external server)",
            ) from exc
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise DatabaseUnavailable(
                f"Neo4j is not reachable at {self.settings.bolt_uri}",
                hint="start it with `kizuna db start`, or set NEO4J_URI to a running server",
            ) from exc

    def unreachable(self) -> DatabaseUnavailable:
        """The error for a lost or refused connection (the driver's ServiceUnavailable / SessionExpired)."""
        return DatabaseUnavailable(f"Neo4j is not reachable at {self.settings.bolt_uri}")

    async def read(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a read query and return plain dicts."""
        try:
            records, _, _ = await self.driver.execute_query(
                cypher, params or {}, database_=self.database, routing_=RoutingControl.READ
            )
        except ClientError as exc:
            raise client_error(exc) from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            raise self.unreachable() from exc
        return [plain(r) for r in records]

    async def write(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one write statement in a managed transaction."""

        async def work(tx: neo4j.AsyncManagedTransaction) -> list[dict[str, Any]]:
            result = await tx.run(cypher, params or {})
            return [plain(r) async for r in result]

        return await self.execute_write(work)

    async def execute_write(self, work: Callable[[neo4j.AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run ``work`` in a managed (retried) write transaction; ``work`` must consume its results."""
        try:
            async with self.driver.session(database=self.database) as session:
                return await session.execute_write(work)
        except ClientError as exc:
            raise client_error(exc) from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            raise self.unreachable() from exc


async def warm_page_cache(db: Database) -> None:
    """Read the whole store once: every node's and relationship's properties and the id index.

    Why: a Neo4j Community server restarted on an existing store starts with an empty page cache
    and reads each page from disk when a query first touches it (Enterprise warms its page cache
    on restart; Community does not). On the 1M-node bench graph a benchmark run on such a
    server gave 4 hops p95 158 ms against 98 ms warm (2026-12-01). The API starts this in the
    background at start-up; the bench calls it before measuring. Costs one full read (13-28 s on
    that graph), nothing on an empty database."""
    await db.read("MATCH (n) RETURN count(properties(n)) AS nodes")
    await db.read("MATCH ()-[r]->() RETURN count(properties(r)) AS relationships")
    await db.read("MATCH (n:Entity) WHERE n.id >= '' RETURN count(*) AS indexed")


_GRAPH_TYPES = (neo4j.graph.Node, neo4j.graph.Relationship, neo4j.graph.Path)


def plain(record: neo4j.Record) -> dict[str, Any]:
    """A record as a dict of its columns.

    Why not ``Record.data()``: it walks every nested value in Python, which cost a quarter of a
    concern-path level's time. Kizuna's statements return projected values (``properties(x)``,
    maps, lists), which arrive as plain Python values already; a record holding a node,
    relationship or path (or a list of them) still goes through ``data()``.
    """
    values = dict(zip(record.keys(), record))
    for value in values.values():
        if isinstance(value, _GRAPH_TYPES) or (isinstance(value, list) and value and isinstance(value[0], _GRAPH_TYPES)):
            return record.data()
    return values


def client_error(exc: ClientError) -> Exception:
    """A driver ClientError as a Kizuna error: refused credentials mean the database is
    unavailable to us; anything else is a request the database rejected."""
    if exc.code and "Security" in exc.code:
        return DatabaseUnavailable(f"Neo4j refused the request: {exc.message}")
    return InvalidInput(f"the database rejected the request: {exc.message}")
