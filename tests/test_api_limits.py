"""Abuse limits over HTTP: depth, aliases, tokens, path cost, page size, body and upload size,
batching, per-key rate, time; introspection and GraphiQL off outside development."""

from __future__ import annotations

import httpx
import pytest

from api.schema import SCHEMA_FILE, schema_sdl
from tests.api_support import Api, api, api_server, error_codes, make_config, start_server  # noqa: F401


def test_schema_file_matches_code():
    """CI fails when api/schema.graphql and the code differ: run `kizuna schema export`."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl()


async def test_query_shape_limits(api: Api):
    deep = "{ person(id: \"per:hanako\") { ... on Person { " + "affiliations { edges { node { node { ... on Organization { affiliates { edges { node { node { ... on Person { " * 2 + "id" + " } } } } } } } } } }" * 2 + " } } }"
    body = api.gql(deep)
    assert body.get("data") is None and any("depth" in e["message"] for e in body["errors"]), body
    aliases = "{ " + " ".join(f"a{i}: watchlists {{ totalCount }}" for i in range(40)) + " }"
    body = api.gql(aliases)
    assert body.get("data") is None and any("alias" in e["message"].lower() for e in body["errors"])
    tokens = "{ " + " ".join("__typename" for _ in range(2500)) + " }"
    body = api.gql(tokens)
    assert body.get("data") is None and any("token" in e["message"].lower() for e in body["errors"])


async def test_path_cost_and_page_size_limits(api: Api):
    for q in ('{ concernPaths(subjectId: "per:hanako", maxHops: 6, first: 100) { __typename } }',
              '{ concernPaths(subjectId: "per:hanako", maxHops: 7, first: 1) { __typename } }',
              '{ search(query: "Kizuna", first: 1000) { edges { cursor } } }',
              '{ watchlists(first: 0) { totalCount } }'):
        body = api.gql(q)
        assert error_codes(body) == ["LIMIT_EXCEEDED"], (q, body)
    assert not api.gql('{ concernPaths(subjectId: "per:hanako", maxHops: 6, first: 50) { __typename } }').get("errors")


async def test_body_size_batching_and_introspection_in_production(api: Api):
    big = "{ search(query: \"" + "x" * 300_000 + "\") { edges { cursor } } }"
    r = api.post(big)
    assert r.status_code == 413 and r.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    r = httpx.post(api.url + "/graphql", json=[{"query": "{ watchlists { totalCount } }"}] * 3, headers={"X-API-Key": api.keys["viewer"]})
    assert r.status_code == 400
    body = api.gql("{ __schema { types { name } } }")
    assert body.get("data") is None and "introspection" in body["errors"][0]["message"].lower()
    assert httpx.get(api.url + "/graphql", headers={"Accept": "text/html"}).status_code in (404, 405)
    # the server keeps serving
    assert not api.gql("{ watchlists { totalCount } }").get("errors")


@pytest.fixture(scope="module")
def strict(settings):
    """A server with a tight rate, a tiny upload limit and introspection on (development)."""
    server = start_server(settings, make_config(rate_per_second=1.0, rate_burst=3, max_upload_bytes=1000), environment="development")
    yield server
    server.stop()


async def test_rate_limit_upload_size_and_development_conveniences(api: Api, strict):
    strict_api = Api(strict, api.keys)
    statuses = [strict_api.post("{ watchlists { totalCount } }").status_code for _ in range(6)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:], statuses
    limited = strict_api.post("{ watchlists { totalCount } }")
    if limited.status_code == 429:
        assert int(limited.headers["Retry-After"]) >= 1 and limited.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    # another key is not affected
    assert strict_api.post("{ watchlists { totalCount } }", role="investigator").status_code == 200
    q = 'mutation($f: Upload!) { importWatchlist(name: "Big", file: $f) { __typename ... on Rejected { code } } }'
    res = strict_api.upload(q, {}, "f", "big.csv", b"name\n" + b"x" * 5000).json()
    assert res["data"]["importWatchlist"] == {"__typename": "Rejected", "code": "TOO_LARGE"}
    r = strict_api.upload(q, {}, "f", "huge.csv", b"name\n" + b"x" * 200_000)
    assert r.status_code == 413
    body = strict_api.post("{ __schema { queryType { name } } }", role="admin").json()
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    assert httpx.get(strict.url + "/graphql", headers={"Accept": "text/html"}).status_code == 200


async def test_request_timeout(api: Api, settings):
    server = start_server(settings, make_config(request_timeout_seconds=0.0005))
    try:
        r = Api(server, api.keys).post('{ search(query: "Kizuna") { edges { node { node { ... on Node { relations { totalCount } } } } } } }')
        assert r.status_code == 504 and r.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert httpx.get(server.url + "/healthz").status_code == 200
    finally:
        server.stop()


async def test_over_the_concurrency_limit_a_request_gets_503_with_retry_after_not_a_timeout():
    """RequestLimits admits at most max_concurrent_requests; the next waits admission_wait_seconds
    for a slot, then is refused at once (503 OVERLOADED, Retry-After) without running."""
    import asyncio

    from api.limits import RequestLimits

    release = asyncio.Event()
    ran: list[str] = []

    async def slow_app(scope, receive, send):
        ran.append(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})

    config = make_config(max_concurrent_requests=1, admission_wait_seconds=0.3, request_timeout_seconds=30.0)
    app = RequestLimits(slow_app, config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        first = asyncio.create_task(client.post("/graphql", json={"query": "{ a }"}))
        await asyncio.sleep(0.05)
        refused = await client.post("/graphql", json={"query": "{ b }"})
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert refused.json()["errors"][0]["extensions"]["code"] == "OVERLOADED"
        assert len(ran) == 1  # the refused request never reached the application
        release.set()
        assert (await first).status_code == 200
        assert (await client.post("/graphql", json={"query": "{ c }"})).status_code == 200  # the slot is free again
