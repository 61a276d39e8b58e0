"""Authentication (API keys, revocation, OIDC JWT, the keys CLI) and each role's allowed and
denied operations, over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.auth import revoke_api_key
from tests.api_support import ROLES, Api, api, api_server, error_codes, make_config, start_server  # noqa: F401

VIEWER, INVESTIGATOR, REVIEWER, ADMIN, AUDITOR = ROLES
LADDER = [VIEWER, INVESTIGATOR, REVIEWER, ADMIN]


def at_least(role: str) -> set[str]:
    return set(LADDER[LADDER.index(role):])


# operation -> (query, roles allowed)
OPERATIONS = {
    "search": ('{ search(query: "Kizuna") { edges { cursor } } }', at_least(VIEWER)),
    "entity": ('{ entity(id: "org:kzu") { __typename } }', at_least(VIEWER)),
    "person": ('{ person(id: "per:taro") { __typename } }', at_least(VIEWER)),
    "organization": ('{ organization(id: "org:kzu") { __typename } }', at_least(VIEWER)),
    "screen": ('{ screen(name: "Northern") { __typename } }', at_least(VIEWER)),
    "concernPaths": ('{ concernPaths(subjectId: "org:kzu") { __typename } }', at_least(VIEWER)),
    "riskAssessment": ('{ riskAssessment(subjectId: "org:kzu") { __typename } }', at_least(VIEWER)),
    "findings": ('{ findings { totalCount } }', at_least(VIEWER)),
    "watchlists": ('{ watchlists { totalCount } }', at_least(VIEWER)),
    "sweep": ('{ sweep(id: "x") { __typename } }', at_least(VIEWER)),
    "sweeps": ('{ sweeps { __typename } }', at_least(VIEWER)),
    "undisclosedLinks": ('{ undisclosedLinks(personId: "per:taro") { __typename } }', at_least(INVESTIGATOR)),
    "disclosure": ('{ disclosure(personId: "per:taro") { __typename } }', at_least(INVESTIGATOR)),
    "Person.decisions": ('{ person(id: "per:hanako") { ... on Person { decisions { id } } } }', at_least(INVESTIGATOR)),
    "Finding.responses": ('{ findings { edges { node { responses { id } } } } }', at_least(INVESTIGATOR)),
    "auditLog": ('{ auditLog { entries { totalCount } } }', {AUDITOR}),
    "recordResponse": ('mutation { recordResponse(input: {subjectId: "per:taro", text: "I disclosed it in 2024."}) { __typename } }', at_least(INVESTIGATOR)),
    "resolveMatch": ('mutation { resolveMatch(a: "per:taro", b: "per:taro2", same: false, rationale: "different ORCID") { __typename } }', at_least(INVESTIGATOR)),
    "recordDecision": ('mutation { recordDecision(input: {subjectId: "per:taro", outcome: ACCEPT, rationale: "no ties"}) { __typename } }', at_least(REVIEWER)),
    "addWatchlistEntry": ('mutation { addWatchlistEntry(input: {watchlist: "Role test list", name: "Role Test Org"}) { __typename } }', at_least(REVIEWER)),
    "ingestSource": ('mutation { ingestSource(kind: "ror", location: "x.json") { __typename } }', at_least(ADMIN)),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_each_role_allowed_and_denied(api: Api, operation: str):
    query, allowed = OPERATIONS[operation]
    for role in ROLES:
        body = api.gql(query, role=role)
        codes = error_codes(body)
        if role in allowed:
            assert "FORBIDDEN" not in codes and not body.get("errors"), (operation, role, body)
        else:
            assert codes and set(codes) == {"FORBIDDEN"}, (operation, role, body)


async def test_me_tells_every_role_who_it_is(api: Api):
    for role in ROLES:
        body = api.gql("{ me { name role actor } }", role=role)
        assert not body.get("errors"), (role, body)
        assert body["data"]["me"]["role"] == role
        assert body["data"]["me"]["actor"].startswith("key:")


@pytest.mark.parametrize("mutation", ["importWatchlist", "ingestDisclosure"])
async def test_uploads_are_admin_only(api: Api, mutation: str):
    query = {
        "importWatchlist": 'mutation($f: Upload!) { importWatchlist(name: "Upload role list", file: $f) { __typename } }',
        "ingestDisclosure": 'mutation($f: Upload!) { ingestDisclosure(file: $f) { __typename } }',
    }[mutation]
    content, name = (b"name\nUpload Role Org\n", "list.csv") if mutation == "importWatchlist" else (b"%PDF-1.4\n%fake\n", "d.pdf")
    for role in ROLES:
        body = api.upload(query, {}, "f", name, content, role=role).json()
        if role == ADMIN:
            assert not body.get("errors"), body
        else:
            assert error_codes(body) == ["FORBIDDEN"], (role, body)


async def test_requests_without_valid_keys_are_refused(api: Api, db):
    q = '{ search(query: "Kizuna") { edges { cursor } } }'
    for headers in ({}, {"X-API-Key": "nope"}, {"X-API-Key": "kz_000000000000_" + "A" * 43}, {"Authorization": "Basic abc"}):
        r = httpx.post(api.url + "/graphql", json={"query": q}, headers=headers)
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # the same key works as a bearer token
    r = httpx.post(api.url + "/graphql", json={"query": q}, headers={"Authorization": f"Bearer {api.keys[VIEWER]}"})
    assert r.status_code == 200 and not r.json().get("errors")
    # a wrong secret for a real key id is refused
    key_id = api.keys[VIEWER].split("_")[1]
    r = httpx.post(api.url + "/graphql", json={"query": q}, headers={"X-API-Key": f"kz_{key_id}_" + "B" * 43})
    assert r.status_code == 401
    # a revoked key stops working
    from api.auth import create_api_key

    _, temp = await create_api_key(db, api.server.config, name="temp", role="viewer")
    assert api.post(q, key=temp).status_code == 200
    await revoke_api_key(db, temp.split("_")[1])
    r = api.post(q, key=temp)
    assert r.status_code == 401 and "revoked" in r.json()["errors"][0]["message"]


@pytest.fixture(scope="module")
def oidc(settings):
    """A server that also accepts JWTs signed by a locally generated RSA key pair."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    server = start_server(settings, make_config(oidc_public_key=public_pem, oidc_issuer="https://idp.test", oidc_audience="kizuna", oidc_algorithms=["RS256"]))
    yield server, private
    server.stop()


def _token(private, **claims) -> str:
    base = {"iss": "https://idp.test", "aud": "kizuna", "sub": "alice", "exp": int(time.time()) + 300, "kizuna_role": "investigator"}
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, private, algorithm="RS256")


async def test_oidc_bearer_tokens(api: Api, oidc):
    server, private = oidc
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def call(token: str, query: str) -> httpx.Response:
        return httpx.post(server.url + "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})

    read = OPERATIONS["undisclosedLinks"][0]
    decide = OPERATIONS["recordDecision"][0]
    r = call(_token(private), read)
    assert r.status_code == 200 and not r.json().get("errors"), r.text
    assert error_codes(call(_token(private), decide).json()) == ["FORBIDDEN"]
    assert not call(_token(private, kizuna_role=["viewer", "reviewer"]), decide).json().get("errors")
    for bad in (_token(other), _token(private, exp=int(time.time()) - 10), _token(private, aud="someone-else"),
                _token(private, iss="https://evil.test"), _token(private, kizuna_role=None), _token(private, kizuna_role="superuser")):
        r = call(bad, read)
        assert r.status_code == 401, r.text
    # API keys keep working on the same server
    assert httpx.post(server.url + "/graphql", json={"query": read}, headers={"X-API-Key": api.keys[INVESTIGATOR]}).status_code == 200


async def test_keys_cli_create_list_revoke(api: Api, settings):
    env = dict(os.environ, KIZUNA_API_KEY_PEPPER=api.server.config.key_pepper, PYTHONPATH=os.getcwd())
    if not os.environ.get("NEO4J_URI"):
        env.update(KIZUNA_NEO4J_BOLT_PORT=str(settings.neo4j_bolt_port), KIZUNA_NEO4J_PASSWORD=settings.neo4j_password, KIZUNA_NEO4J_HOST=settings.neo4j_host)
    cli = [sys.executable, "-c", "from api.cli import main; main()", "keys"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(cli + list(args), env=env, capture_output=True, text=True, timeout=120)

    made = run("create", "--role", "reviewer", "--name", "grant system", "--json")
    assert made.returncode == 0, made.stderr
    created = json.loads(made.stdout)
    assert api.post('{ watchlists { totalCount } }', key=created["key"]).status_code == 200
    listed = run("list", "--json")
    assert listed.returncode == 0
    rows = {r["key_id"]: r for r in json.loads(listed.stdout)}
    assert rows[created["key_id"]]["role"] == "reviewer" and "key_hash" not in rows[created["key_id"]]
    assert created["key"] not in listed.stdout
    assert run("revoke", created["key_id"]).returncode == 0
    assert api.post('{ watchlists { totalCount } }', key=created["key"]).status_code == 401
    bad = run("create", "--role", "superuser", "--name", "x")
    assert bad.returncode != 0 and "unknown role" in bad.stderr
    assert run("revoke", "ffffffffffff").returncode != 0
