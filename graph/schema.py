"""Constraints and indexes derived from the model, applied idempotently (`kizuna db init`)."""

from __future__ import annotations

import re

from graph.db import Database
from graph.model import GraphModel, load_model

FULLTEXT_INDEX = "entity_names"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(name: str) -> str:
    """A label, type or property name from the model, checked before it reaches Cypher text."""
    if not _IDENT.match(name):
        raise ValueError(f"not a safe Cypher identifier: {name!r}")
    return "`" + name + "`"


def schema_statements(model: GraphModel | None = None) -> list[str]:
    """Every DDL statement for the model; each is IF NOT EXISTS, so re-running is harmless."""
    model = model or load_model()
    out = ["CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE"]
    for label, node in model.nodes.items():
        for prop in node.properties.values():
            if prop.identifier:
                out.append(
                    "CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})".format(
                        name=ident(f"idx_{label}_{prop.name}".lower()), label=ident(label), prop=ident(prop.name)
                    )
                )
    for rel in model.relationships.values():
        out.append(
            "CREATE CONSTRAINT {name} IF NOT EXISTS FOR ()-[r:{t}]-() REQUIRE r.id IS UNIQUE".format(
                name=ident(f"rel_{rel.type}_id".lower()), t=ident(rel.type)
            )
        )
    out.append("CREATE INDEX entity_concern_hops IF NOT EXISTS FOR (n:Entity) ON (n.concern_hops)")  # graph/proximity.py
    # A sweep's results are read in subject order a page at a time (queries/sweep.cypher)
    out.append("CREATE INDEX sweep_result_pages IF NOT EXISTS FOR (n:SweepResult) ON (n.sweep_id, n.subject_id)")
    labels = "|".join(ident(label) for label in model.fulltext_labels)
    props = ", ".join("n." + ident(p) for p in model.fulltext_properties)
    out.append(
        "CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{labels}) ON EACH [{props}] "
        "OPTIONS {{indexConfig: {{`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: true}}}}".format(
            name=ident(FULLTEXT_INDEX), labels=labels, props=props
        )
    )
    return out


async def apply_schema(db: Database, model: GraphModel | None = None) -> int:
    """Apply constraints and indexes, wait for them to come online, record the schema version."""
    model = model or load_model()
    statements = schema_statements(model)
    for statement in statements:
        await db.write(statement)
    await db.write("CALL db.awaitIndexes(300)")
    if await schema_version(db) != model.version:
        # First start, or an upgrade: data written before may lack concern proximity.
        from graph import proximity

        await proximity.rebuild(db)
    await db.write(
        "MERGE (s:KizunaSchema {id: 'schema'}) SET s.version = $version",
        {"version": model.version},
    )
    return len(statements)


async def refresh_search_index(db: Database) -> None:
    """Wait until the (eventually consistent) full-text index reflects every committed write.

    Why eventually consistent: a synchronous Lucene update in every write transaction cost the
    writer more than half its throughput; one refresh after a batch of writes costs little.
    """
    await db.read("CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()")


async def schema_version(db: Database) -> int | None:
    rows = await db.read("MATCH (s:KizunaSchema {id: 'schema'}) RETURN s.version AS version")
    return rows[0]["version"] if rows else None
