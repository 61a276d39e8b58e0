"""Small helpers shared by tests: counting the whole graph, running the CLI and the API."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from graph.db import Database
from kizuna.settings import Settings

REPO = Path(__file__).resolve().parent.parent
KIZUNA = [sys.executable, "-m", "api.cli"]


async def graph_fingerprint(db: Database) -> dict:
    """Node, relationship and property counts plus a content checksum of the whole graph."""
    nodes = await db.read(
        "MATCH (n:Entity) WITH n ORDER BY n.id "
        "RETURN count(n) AS nodes, sum(size(keys(n))) AS props, "
        "collect(n.id + ':' + toString(size(keys(n))) + ':' + toString(size(coalesce(n.ev_key, [])))) AS sig"
    )
    rels = await db.read(
        "MATCH ()-[r]->() WITH r ORDER BY r.id "
        "RETURN count(r) AS rels, sum(size(keys(r))) AS props, "
        "collect(coalesce(r.id, type(r)) + ':' + toString(size(keys(r))) + ':' + toString(size(coalesce(r.ev_key, [])))) AS sig"
    )
    import hashlib

    digest = hashlib.sha256(("|".join(nodes[0]["sig"]) + "#" + "|".join(rels[0]["sig"])).encode()).hexdigest()
    return {
        "nodes": nodes[0]["nodes"],
        "node_props": nodes[0]["props"] or 0,
        "rels": rels[0]["rels"],
        "rel_props": rels[0]["props"] or 0,
        "checksum": digest,
    }


def env_for(settings: Settings, **extra: str) -> dict:
    """Environment that points a child `kizuna` process at the test Neo4j."""
    env = dict(os.environ)
    env.update(
        NEO4J_URI=settings.bolt_uri,
        NEO4J_USER=settings.auth[0],
        NEO4J_PASSWORD=settings.auth[1],
        PYTHONPATH=str(REPO),
    )
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(KIZUNA + args, env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)


def start_api(env: dict, port: int, timeout: float = 120) -> subprocess.Popen:
    """Start `kizuna serve` on 127.0.0.1:``port`` and wait until /healthz answers (any status).

    The server's output goes to a file (``server_log(proc)`` reads it), never to a pipe nobody
    drains: once a pipe's 64 kB fill up, the server blocks in its next log write and stops answering.
    """
    log = tempfile.NamedTemporaryFile(prefix="kizuna-api-", suffix=".log", delete=False)
    proc = subprocess.Popen(KIZUNA + ["serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    proc.log_path = Path(log.name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError(server_log(proc))
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"the API did not start within {timeout:.0f} s")


def server_log(proc: subprocess.Popen) -> str:
    """Everything a server started by ``start_api`` has written so far."""
    return proc.log_path.read_text(encoding="utf-8", errors="replace")
