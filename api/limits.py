"""Abuse limits: request body and upload size, per-key rate, time, page sizes and path cost;
and the one place where Kizuna errors become GraphQL errors.

Depth, alias and token limits are strawberry's own validators (see api.schema.build_schema).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator

from graphql import (
    DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode, OperationDefinitionNode,
    SelectionSetNode, parse,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from api.config import ApiConfig
from kizuna.errors import KizunaError, LimitExceeded

log = logging.getLogger("kizuna.api")


def check_first(first: int, config: ApiConfig) -> int:
    """A page size within 1..max_first, or a clear refusal."""
    if first < 1 or first > config.max_first:
        raise LimitExceeded(f"first must be between 1 and {config.max_first}, not {first}")
    return first


def check_path_cost(max_hops: int, first: int, config: ApiConfig) -> None:
    """Concern paths cost roughly maxHops x first; refuse before touching the database."""
    if max_hops < 1 or max_hops > config.max_hops:
        raise LimitExceeded(f"maxHops must be between 1 and {config.max_hops}, not {max_hops}")
    check_first(first, config)
    if max_hops * first > config.max_path_cost:
        raise LimitExceeded(
            f"this path query costs {max_hops * first} (maxHops {max_hops} x first {first}); the limit is {config.max_path_cost}",
            hint="ask for fewer paths per page or fewer hops, and page with `after`",
        )


class TokenBucket:
    """Per-caller token buckets, in process (each API worker keeps its own)."""

    def __init__(self, rate: float, burst: int):
        self.rate = rate
        self.burst = burst
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, who: str) -> float:
        """Take one token; returns 0 when allowed, else the seconds to wait before retrying."""
        now = time.monotonic()
        tokens, last = self._state.get(who, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._state[who] = (tokens - 1.0, now)
            return 0.0
        self._state[who] = (tokens, now)
        return (1.0 - tokens) / self.rate


def _json_error(status: int, code: str, message: str, retry_after: int | None = None) -> tuple[dict, bytes]:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    return {"type": "http.response.start", "status": status, "headers": headers}, body


class RequestLimits:
    """ASGI middleware for /graphql: body size (uploads get their own, larger limit, checked
    while streaming so a lying Content-Length does not help), bounded concurrency, and a time
    limit per request.

    Why bounded concurrency: past what the process and Neo4j can serve, every extra request in
    flight only makes all of them slower until they hit the time limit together (504s). At most
    ``max_concurrent_requests`` run at once (uploads, which read documents with the NLP pipeline,
    at most ``max_concurrent_uploads``); a request waits up to ``admission_wait_seconds`` (an upload
    ``upload_admission_wait_seconds``) for a
    slot, else it is refused at once with 503 OVERLOADED and a Retry-After, having done nothing.
    The time limit starts when the request is admitted."""

    def __init__(self, app: ASGIApp, config: ApiConfig, path_prefix: str = "/graphql"):
        self.app = app
        self.config = config
        self.path_prefix = path_prefix
        self._slots = asyncio.Semaphore(config.max_concurrent_requests)
        self._upload_slots = asyncio.Semaphore(config.max_concurrent_uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.config.max_upload_bytes + 64 * 1024 if multipart else self.config.max_body_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, 413, "LIMIT_EXCEEDED", f"the request body is larger than {limit} bytes")
            return
        slots = [self._upload_slots, self._slots] if multipart else [self._slots]
        taken: list[asyncio.Semaphore] = []
        try:
            async with asyncio.timeout(self.config.upload_admission_wait_seconds if multipart else self.config.admission_wait_seconds):
                for slot in slots:
                    await slot.acquire()
                    taken.append(slot)
        except TimeoutError:
            for slot in taken:
                slot.release()
            retry = max(1, round(self.config.admission_wait_seconds / 2))  # a slot frees within seconds; uploads need not wait as long again
            await self._reject(send, 503, "OVERLOADED", f"the server is at its limit of concurrent requests; retry in {retry} s", retry_after=retry)
            return
        try:
            await self._limited(scope, receive, send, multipart, limit)
        finally:
            for slot in taken:
                slot.release()

    async def _limited(self, scope: Scope, receive: Receive, send: Send, multipart: bool, limit: int) -> None:
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        seconds = self.config.upload_timeout_seconds if multipart else self.config.request_timeout_seconds
        try:
            async with asyncio.timeout(seconds):
                await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge as exc:
            if not started:
                await self._reject(send, 413, "LIMIT_EXCEEDED", f"the request body is larger than {exc.limit} bytes")
        except TimeoutError:
            if not started:
                await self._reject(send, 504, "TIMEOUT", f"the request took longer than {seconds} s and was stopped")

    @staticmethod
    async def _reject(send: Send, status: int, code: str, message: str, retry_after: int | None = None) -> None:
        start, body = _json_error(status, code, message, retry_after)
        await send(start)
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit


def format_error(error: GraphQLError) -> GraphQLError:
    """Kizuna errors keep their message and gain their code and hint; validation errors (the
    client's query) pass as they are; anything unexpected is logged and masked."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", "GRAPHQL_VALIDATION" if error.path is None else "BAD_REQUEST")
        return GraphQLError(error.message, nodes=error.nodes, source=error.source, positions=error.positions, path=error.path, extensions=extensions)
    if isinstance(original, KizunaError):
        extensions = {"code": original.code}
        if original.hint:
            extensions["hint"] = original.hint
        return GraphQLError(original.message, nodes=error.nodes, positions=error.positions, path=error.path, extensions=extensions)
    if error.extensions and "code" in error.extensions:  # permission errors carry their code
        return error
    log.exception("unexpected error in %s", ".".join(map(str, error.path or [])), exc_info=original)
    return GraphQLError("internal error", nodes=error.nodes, positions=error.positions, path=error.path, extensions={"code": "INTERNAL"})


class ErrorMapper(SchemaExtension):
    """Maps every error of an operation once, through ``format_error``."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [format_error(e) for e in result.errors]


def query_shape(query: str) -> tuple[int, int]:
    """The deepest selection-set nesting and the number of fragment spreads in a query's text.

    Read from the raw text, skipping strings and comments, so it costs one linear pass and runs
    before graphql-core parses or validates anything.
    """
    depth = deepest = spreads = 0
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif query.startswith('"""', i):
            end = query.find('"""', i + 3)
            i = n if end < 0 else end + 3
            continue
        elif c == '"':
            i += 1
            while i < n and query[i] != '"':
                i += 2 if query[i] == "\\" else 1
        elif c == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif c == "}":
            depth -= 1
        elif query.startswith("...", i):
            spreads += 1
            i += 3
            continue
        i += 1
    return deepest, spreads


def expanded_selections(document: DocumentNode) -> int:
    """How many field selections the largest operation of a parsed document has once every
    fragment spread is expanded: what validation and execution will walk.

    Each fragment's size is computed once (memoised), so a fragment bomb whose text is small but
    whose expansion doubles at every level costs one linear pass to measure. A spread that cycles
    back counts as nothing here; graphql-core's NoFragmentCycles rule refuses it afterwards.
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sizes: dict[str, int] = {}
    visiting: set[str] = set()

    def size(selection_set: SelectionSetNode | None) -> int:
        total = 0
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                total += 1 + size(sel.selection_set)
            elif isinstance(sel, InlineFragmentNode):
                total += size(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name not in sizes and name not in visiting and name in fragments:
                    visiting.add(name)
                    sizes[name] = size(fragments[name].selection_set)
                    visiting.discard(name)
                total += sizes.get(name, 0)
        return total

    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return max((size(op.selection_set) for op in operations), default=0)


class QueryShapeGuard(SchemaExtension):
    """Refuses, before graphql-core validates anything, a query nested too deeply, with too many
    fragment spreads, or whose fragments expand to too many field selections.

    Why before validation: graphql-core's validation of deeply nested fragments, and strawberry's
    depth rule on a fragment bomb (2^20 selections from 41 spreads), take time exponential in the
    query's size on the event loop, so every other request waits; those rules come too late to
    protect them. Nesting and spreads are read from the raw text; the expansion from a parse
    (linear, token-capped) with each fragment measured once.
    """

    def __init__(self, *, max_nesting: int, max_spreads: int, max_selections: int, max_tokens: int):
        self.max_nesting = max_nesting
        self.max_spreads = max_spreads
        self.max_selections = max_selections
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        limits = (self.max_nesting, self.max_spreads, self.max_selections, self.max_tokens)
        key = (hashlib.blake2b(query.encode(), digest_size=16).digest(), limits)
        refusal = _SHAPE_VERDICTS.get(key, _UNKNOWN)
        if refusal is _UNKNOWN:
            refusal = shape_refusal(query, *limits)
            _SHAPE_VERDICTS[key] = refusal
            if len(_SHAPE_VERDICTS) > SHAPE_VERDICTS_KEPT:
                _SHAPE_VERDICTS.popitem(last=False)
        else:
            _SHAPE_VERDICTS.move_to_end(key)
        if refusal:
            raise GraphQLError(refusal, extensions={"code": "LIMIT_EXCEEDED"})
        yield


# The guard's verdict per query text (by digest, so a long query is not kept): clients send the
# same few documents again and again, and measuring one costs a full parse (0.39 ms for the bench's
# person query, of ~6 ms of server CPU per request) before strawberry's own, cached, parse.
SHAPE_VERDICTS_KEPT = 4096
_SHAPE_VERDICTS: OrderedDict[tuple, str | None] = OrderedDict()
_UNKNOWN = object()


def shape_refusal(query: str, max_nesting: int, max_spreads: int, max_selections: int, max_tokens: int) -> str | None:
    """Why QueryShapeGuard refuses this query, or None when its shape is within the limits."""
    deepest, spreads = query_shape(query)
    if deepest > max_nesting:
        return f"the query is nested {deepest} levels deep; the limit is {max_nesting}"
    if spreads > max_spreads:
        return f"the query has {spreads} fragment spreads; the limit is {max_spreads}"
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        document = None  # strawberry's own parse reports the syntax or token error
    selections = expanded_selections(document) if document else 0
    if selections > max_selections:
        return (f"the query expands to {selections} field selections once its fragments are spread; "
                f"the limit is {max_selections}")
    return None
