"""Every read of a Person through the API leaves exactly one audit entry per request.

Resolvers that hand out a Person (its names, identifiers, anything about them) call
``collector.saw(person_id)``; at the end of the operation ``AuditExtension`` appends one entry per
distinct person (who, when, which operation, which person) before the response leaves. If the
trail cannot be written, the caller gets an error instead of the data: no unrecorded reads.

Why group commit: appends are serialized by the chain head's lock, so one transaction per
request would queue under load. ``AuditTrail`` gathers the entries of concurrent requests and
writes them in one transaction; each request still waits for its own entries to be committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.auth import Principal
from graph.db import Database
from graph.provenance import utc_now_iso
from queries import audit as audit_q


class AuditCollector:
    """The persons read during one request (deduplicated, in first-read order)."""

    def __init__(self) -> None:
        self.person_ids: dict[str, None] = {}

    def saw(self, person_id: str) -> None:
        self.person_ids.setdefault(person_id, None)


class AuditTrail:
    """Appends entries in batches; ``record`` returns once the caller's entries are committed."""

    def __init__(self, db: Database, *, max_batch: int = 500):
        self.db = db
        self.max_batch = max_batch
        self._pending: list[tuple[dict, asyncio.Future]] = []
        self._lock = asyncio.Lock()
        self._head = audit_q.EMPTY_HEAD  # where this process last left the chain; a guess, checked under lock

    async def record(self, principal: Principal, operation: str, person_ids: list[str]) -> None:
        at = utc_now_iso()
        loop = asyncio.get_running_loop()
        futures = []
        for pid in person_ids:
            fut = loop.create_future()
            entry = {"at": at, "actor": principal.actor, "actor_role": principal.role.value, "operation": operation, "person_id": pid}
            self._pending.append((entry, fut))
            futures.append(fut)
        async with self._lock:
            # Whoever holds the lock flushes everything queued so far, including other requests'.
            while self._pending and not all(f.done() for f in futures):
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
                try:
                    _, self._head = await audit_q.append_entries(self.db, [e for e, _ in batch], self._head)
                except Exception as exc:  # every waiter of this batch learns it failed
                    for _, f in batch:
                        if not f.done():
                            f.set_exception(exc)
                else:
                    for _, f in batch:
                        if not f.done():
                            f.set_result(None)
        await asyncio.gather(*futures)


def operation_label(execution_context) -> str:
    """``query person`` / ``query MyOperation: person, search``: the type, the name given by the
    client if any, and the root fields asked for."""
    op = execution_context.operation_type.value if execution_context.operation_type else "query"
    fields: list[str] = []
    document = execution_context.graphql_document
    if document is not None:
        for definition in document.definitions:
            selection_set = getattr(definition, "selection_set", None)
            if selection_set is None or getattr(definition, "operation", None) is None:
                continue
            if execution_context.operation_name and getattr(definition.name, "value", None) != execution_context.operation_name:
                continue
            fields += [s.name.value for s in selection_set.selections if hasattr(s, "name")]
    name = f" {execution_context.operation_name}:" if execution_context.operation_name else ""
    return f"{op}{name} {', '.join(dict.fromkeys(fields))}".strip()


class AuditExtension(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        collector: AuditCollector | None = context.get("audit") if isinstance(context, dict) else None
        if not collector or not collector.person_ids:
            return
        result = self.execution_context.result
        try:
            await context["audit_trail"].record(context["principal"], operation_label(self.execution_context), list(collector.person_ids))
        except Exception:
            if result is not None:
                result.data = None
                result.errors = [GraphQLError("the audit trail could not be written, so nothing was returned", extensions={"code": "AUDIT_UNAVAILABLE"})]
