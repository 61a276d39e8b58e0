"""The launched Neo4j and the CLI, exercised as a user would: real processes, real signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from neo4j import GraphDatabase

from graph import server
from graph.model import load_model

from tests.conftest import free_port
from tests.helpers import REPO, env_for, run_cli, start_api


@pytest.fixture(scope="module")
def own_server_env():
    """Environment for a second, private Neo4j managed through `kizuna db ...`."""
    home = Path(tempfile.mkdtemp(prefix="kizuna-cli-neo4j-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(
        PYTHONPATH=str(REPO),
        KIZUNA_NEO4J_HOME=str(home),
        KIZUNA_NEO4J_BOLT_PORT=str(free_port()),
        KIZUNA_NEO4J_PASSWORD="cli-test-pass",
        KIZUNA_NEO4J_HEAP_MB="768",
        KIZUNA_NEO4J_PAGECACHE_MB="256",
        KIZUNA_NEO4J_GC="g1",  # the other collector than the session server's default
        KIZUNA_NEO4J_HUGE_PAGES="false",  # and without huge pages
    )
    yield env
    run_cli(["db", "stop"], env)
    shutil.rmtree(home, ignore_errors=True)  # each run left ~5 MB in the temporary folder


# What each KIZUNA_NEO4J_GC value's collectors are called by the JVM's management beans.
COLLECTOR_BEANS = {"parallel": {"PS Scavenge", "PS MarkSweep"}, "g1": {"G1 Young Generation", "G1 Old Generation"}}


def bolt(env):
    return f"bolt://127.0.0.1:{env['KIZUNA_NEO4J_BOLT_PORT']}"


def test_help_everywhere():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for args in (["--help"], ["db", "--help"], ["db", "start", "--help"], ["db", "init", "--help"], ["serve", "--help"],
                 ["up", "--help"], ["load-demo", "--help"], ["stats", "--help"]):
        result = run_cli(args, env)
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage" in result.stdout


def test_db_lifecycle_and_sigkill_loses_nothing_committed(own_server_env):
    env = own_server_env
    started = run_cli(["db", "start"], env, timeout=300)
    assert started.returncode == 0, started.stdout + started.stderr
    assert run_cli(["db", "status"], env).returncode == 0
    assert run_cli(["db", "init"], env).returncode == 0
    with GraphDatabase.driver(bolt(env), auth=("neo4j", "cli-test-pass")) as driver:
        assert collectors(driver) == COLLECTOR_BEANS[env["KIZUNA_NEO4J_GC"]]
        driver.execute_query("UNWIND range(1, 500) AS i CREATE (:Entity:Person {id: 'per:kill-' + toString(i), name: 'P' + toString(i)})")
    status = json.loads(run_cli(["db", "status", "--json"], env).stdout)
    assert huge_pages_asked(status["pid"]) == (False, False)
    os.kill(status["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{status['pid']}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run_cli(["db", "status"], env).returncode == 1
    restarted = run_cli(["db", "start"], env, timeout=300)
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    stats = json.loads(run_cli(["stats", "--json"], env).stdout)
    assert stats["labels"]["Person"] == 500


def collectors(driver) -> set[str]:
    """The garbage collectors the server's JVM runs, as its management beans name them."""
    records = driver.execute_query("CALL dbms.queryJmx('java.lang:type=GarbageCollector,*') YIELD attributes "
                                   "RETURN attributes.Name.value AS name").records
    return {r["name"] for r in records}


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="an external server's JVM is not Kizuna's to configure")
def test_launched_server_runs_the_configured_collector(settings):
    """The session's server runs the default (parallel, unless KIZUNA_NEO4J_GC says otherwise);
    the CLI's private server above is started with g1."""
    with GraphDatabase.driver(settings.bolt_uri, auth=settings.auth) as driver:
        assert collectors(driver) == COLLECTOR_BEANS[settings.neo4j_gc]


def huge_pages_asked(pid: int) -> tuple[bool, bool]:
    """Whether a launched JVM asks for transparent huge pages: (for its heap, for glibc's malloc)."""
    args = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    environ = dict(v.split("=", 1) for v in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0") if "=" in v)
    return server.HUGE_PAGES_FLAG in args, server.HUGE_PAGES_TUNABLE in environ.get("GLIBC_TUNABLES", "").split(":")


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="an external server's JVM is not Kizuna's to configure")
def test_launched_server_asks_for_huge_pages_as_configured(settings):
    """The session's server asks for huge pages unless KIZUNA_NEO4J_HUGE_PAGES says otherwise (the
    CLI's private server above is started without), and where the kernel allows them (madvise or
    always) part of its memory is really in huge pages."""
    pid = server.status(settings).pid
    assert huge_pages_asked(pid) == (settings.neo4j_huge_pages, settings.neo4j_huge_pages)
    thp = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    if settings.neo4j_huge_pages and thp.exists() and "[never]" not in thp.read_text():
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        huge_kb = int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("AnonHugePages:")))
        assert huge_kb > 0


def test_wrong_password_is_a_clear_error(own_server_env):
    env = dict(own_server_env)
    assert run_cli(["db", "start"], env, timeout=300).returncode == 0
    env.update(NEO4J_URI=bolt(env), NEO4J_USER="neo4j", NEO4J_PASSWORD="not-the-password")
    result = run_cli(["stats"], env)
    assert result.returncode == 4
    assert "refused the credentials" in result.stderr


def test_unreachable_database_is_a_clear_error():
    env = dict(os.environ, PYTHONPATH=str(REPO), NEO4J_URI=f"bolt://127.0.0.1:{free_port()}", NEO4J_PASSWORD="x")
    result = run_cli(["stats", "--json"], env)
    assert result.returncode == 4
    assert "not reachable" in result.stderr


def test_port_in_use_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        env.update(PYTHONPATH=str(REPO), KIZUNA_NEO4J_HOME=tempfile.mkdtemp(), KIZUNA_NEO4J_BOLT_PORT=str(port))
        result = run_cli(["db", "start"], env)
    assert result.returncode == 3
    assert "already in use" in result.stderr


def test_missing_java_is_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    python_dir = str(Path(os.sys.executable).parent)
    env.update(PYTHONPATH=str(REPO), PATH=python_dir, KIZUNA_NEO4J_HOME=str(tmp_path), KIZUNA_NEO4J_BOLT_PORT=str(free_port()))
    result = run_cli(["db", "start"], env)
    assert result.returncode == 3
    assert "Java is not installed" in result.stderr


def test_api_health_and_search_survive_sigkill(settings, db):
    port = free_port()
    env = env_for(settings)
    with GraphDatabase.driver(settings.bolt_uri, auth=settings.auth) as driver:
        driver.execute_query("MERGE (n:Entity:Organization {id: 'org:health-check'}) SET n.name = 'Harbin Institute of Technology', n.names = ['Harbin Institute of Technology', '哈尔滨工业大学']")
    api = start_api(env, port)
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
        assert health["status"] == "ok" and health["schema_version"] == load_model().version
        os.kill(api.pid, signal.SIGKILL)
        api.wait(10)
        api = start_api(env, port)
        made = run_cli(["keys", "create", "--role", "viewer", "--name", "health check", "--json"], env)  # the API needs a key
        assert made.returncode == 0, made.stderr
        reply = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": '{ search(query: "哈尔滨") { edges { node { id name } } } }'},
                           headers={"X-API-Key": json.loads(made.stdout)["key"]}, timeout=60).json()
        assert {"id": "org:health-check", "name": "Harbin Institute of Technology"} in [e["node"] for e in reply["data"]["search"]["edges"]]
    finally:
        api.kill()
        api.wait(10)


def test_api_reports_degraded_health_when_neo4j_is_down():
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO), NEO4J_URI=f"bolt://127.0.0.1:{free_port()}", NEO4J_PASSWORD="x")
    api = start_api(env, port)
    try:
        reply = httpx.get(f"http://127.0.0.1:{port}/healthz")
        assert reply.status_code == 503 and reply.json()["status"] == "degraded"
    finally:
        api.kill()
        api.wait(10)


def test_up_serves_and_ctrl_c_stops_api_and_neo4j(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    api_port = free_port()
    env.update(PYTHONPATH=str(REPO), KIZUNA_NEO4J_HOME=str(tmp_path / "neo4j"), KIZUNA_NEO4J_BOLT_PORT=str(free_port()),
               KIZUNA_NEO4J_HEAP_MB="768", KIZUNA_NEO4J_PAGECACHE_MB="256", KIZUNA_API_PORT=str(api_port))
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "up", "--no-demo"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{api_port}/healthz", timeout=5).json()
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert health and health["status"] == "ok", proc.stdout.read1().decode(errors="replace") if proc.poll() is not None else health
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=120)[0].decode(errors="replace")
        assert "Neo4j stopped" in output
        assert run_cli(["db", "status"], env).returncode == 1
    finally:
        if proc.poll() is None:
            proc.kill()
        run_cli(["db", "stop"], env)
