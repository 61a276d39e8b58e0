"""What every benchmark shares: a private Neo4j, timing, peak memory and a uniform report."""

from __future__ import annotations

import gc
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from graph import server
from kizuna.settings import Settings

OUT_DIR = Path(__file__).resolve().parent / "out"
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def private_neo4j(heap_mb: int = 4096, pagecache_mb: int = 4096, home: str | Path | None = None):
    """A private Neo4j for one benchmark: in ``home`` (kept, so a re-run can reuse what it wrote)
    or in a fresh temporary folder removed afterwards."""
    keep = home is not None
    home = Path(home) if keep else Path(tempfile.mkdtemp(prefix="kizuna-bench-"))
    settings = Settings(neo4j_home=home, neo4j_bolt_port=free_port(), neo4j_password="kizuna-bench",
                        neo4j_heap_mb=heap_mb, neo4j_pagecache_mb=pagecache_mb, neo4j_start_timeout_s=300)
    server.start(settings)
    try:
        yield settings
    finally:
        server.stop(settings)
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc: what splits a
    benchmark's work between this process and the Neo4j server."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Report:
    """A benchmark's figures; printed as a table and saved as JSON under bench/out/."""

    name: str
    figures: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, value) -> None:
        self.figures[key] = value
        print(f"  {key:48} {value}", flush=True)

    def ratio(self, key: str, value: float, baseline: float, target: float | None = None) -> float:
        ratio = value / baseline if baseline else float("nan")
        verdict = "" if target is None else ("  MEETS target" if ratio >= target else f"  BELOW target {target:.2f}")
        self.figures[key] = round(ratio, 3)
        print(f"  {key:48} {ratio:.3f}{verdict}", flush=True)
        return ratio

    def save(self) -> Path:
        OUT_DIR.mkdir(exist_ok=True)
        path = OUT_DIR / f"{self.name}.json"
        path.write_text(json.dumps({"name": self.name, "figures": self.figures, "notes": self.notes}, indent=2))
        return path


def host_probe() -> dict[str, float]:
    """How fast this host is right now, on the two things the benchmarks spend their time on:
    interpreter work within the CPU's caches (ns per loop step) and reads scattered over ~150 MB of
    Python objects (ns per read; Neo4j's page cache and a worker's findings are such memory).

    Why: the benchmarks run on shared virtual machines whose speed changes between sessions and
    within one. On 2026-12-02 a cached loop step took ~55 ns while a scattered read took 0.9-1.4 us
    (about ten DRAM misses' worth; it varied from minute to minute), and the same Python work over a
    sweep's findings took from 1x to 2x the CPU time between runs. Figures from different sessions
    are only comparable beside this probe, or against older code run the same day.

    Runs in a child process: the ~150 MB it touches must not raise the peak memory the
    benchmark reports (its own, nor that of children started later, which on Linux inherit the
    parent's high-water mark when forked)."""
    out = subprocess.run([sys.executable, "-c", "import json, bench.harness as h; print(json.dumps(h.probe_here()))"],
                         capture_output=True, text=True, check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(out.stdout)


def probe_here(size: int = 4_000_000, reads: int = 1_000_000) -> dict[str, float]:
    """``host_probe``'s measurement, in this process."""
    import random

    rnd = random.Random(7)
    started = time.process_time()
    total = 0
    for i in range(reads):
        total += i * i % 7
    loop_ns = (time.process_time() - started) / reads * 1e9
    objects = [i * 3 for i in range(size)]  # each int its own object, allocated in order
    rnd.shuffle(objects)
    order = [rnd.randrange(size) for _ in range(reads)]
    started = time.process_time()
    for i in order:
        total += objects[i]
    read_ns = (time.process_time() - started) / reads * 1e9
    return {"cached_loop_ns": round(loop_ns, 1), "scattered_read_ns": round(read_ns, 1)}


class GcPauses:
    """The garbage collector's pauses in this process while the block runs.

    Why: a load generator measures latency on its own event loop, so a pause of its collector is
    charged to every request in flight. Benchmarks call ``kizuna.heap.settle_heap`` after their setup and print
    these pauses beside the latencies, so a reader can see that the figures are the server's."""

    def __init__(self) -> None:
        self.pauses_ms: list[float] = []
        self._started = 0.0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses_ms.append((time.perf_counter() - self._started) * 1000)

    def __enter__(self) -> "GcPauses":
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)

    def summary(self) -> str:
        p = self.pauses_ms
        return f"{len(p)} collections, {sum(p):.0f} ms in all, longest {max(p, default=0):.1f} ms"


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


@dataclass
class Outcome:
    """One request as a client saw it: ``status`` 0 means no answer; ``error`` is why it failed."""

    op: str
    status: int
    seconds: float
    error: str | None = None


async def concurrent_clients(n: int, duration: float, request, *, think: tuple[float, float] = (0.0, 0.0), timeout: float = 60.0,
                             seed: int = 1000, honour_retry_after: bool = True) -> tuple[list[Outcome], float]:
    """``n`` clients, each sending one request at a time for ``duration`` seconds, waiting a random
    think time in ``think`` between requests (0: back to back); with think time, each client's
    first request comes after a random part of one think time.

    ``request(i, k, rnd, http)`` sends client i's k-th request and returns ``(op, response)``, or
    ``(op, response, error)`` when it checks the answer itself. An answer with a Retry-After header
    (429/503) makes the client wait that long before its next request, as a polite client does;
    the refusal is still recorded. Returns every outcome and the wall time."""
    import asyncio
    import random

    import httpx

    outcomes: list[Outcome] = []
    deadline = time.monotonic() + duration

    async def client(i: int, http: httpx.AsyncClient) -> None:
        rnd = random.Random(seed + i)
        k = 0
        if think[1]:
            # Clients with think time arrive spread over one think time, as a population of users does
            # (load tools ramp users up for this reason). Started together, all n fire in the same
            # millisecond and stay bunched for several rounds: in bench/api, 158 of the 215 requests
            # over 60 ms came in the first 9 s of a 60 s run.
            await asyncio.sleep(rnd.uniform(0, think[1]))
        while time.monotonic() < deadline:
            k += 1
            t0 = time.perf_counter()
            try:
                answer = await request(i, k, rnd, http)
            except httpx.HTTPError as exc:
                outcomes.append(Outcome("no answer", 0, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"))
                continue
            op, response, *checked = answer
            elapsed = time.perf_counter() - t0
            error = checked[0] if checked else (None if response.status_code == 200 else response.text[:300])
            outcomes.append(Outcome(op, response.status_code, elapsed, error))
            wait = rnd.uniform(*think)
            retry_after = response.headers.get("retry-after")
            if honour_retry_after and retry_after and retry_after.isdigit():
                wait = max(wait, float(retry_after))
            if wait:
                await asyncio.sleep(wait)

    started = time.monotonic()
    limits = httpx.Limits(max_connections=n + 5, max_keepalive_connections=n + 5)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as http:
        await asyncio.gather(*(client(i, http) for i in range(n)))
    return outcomes, time.monotonic() - started


def start_api_server(settings: Settings, *, launched: bool, pepper: str, workers: int = 1, wait_s: float = 120.0) -> tuple[subprocess.Popen, str]:
    """The API in its own uvicorn process (production settings, the benchmark's key pepper) on a
    free port, against ``settings``' Neo4j (``launched``: one this benchmark started, else
    NEO4J_URI); returns the process and its base URL once /healthz answers 200."""
    import httpx

    port = free_port()
    env = dict(os.environ, KIZUNA_API_KEY_PEPPER=pepper, KIZUNA_ENVIRONMENT="production", PYTHONPATH=str(REPO))
    if launched:
        env.update(KIZUNA_NEO4J_BOLT_PORT=str(settings.neo4j_bolt_port), KIZUNA_NEO4J_PASSWORD=settings.neo4j_password,
                   KIZUNA_NEO4J_HOME=str(settings.neo4j_home))
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port),
                                "--workers", str(workers), "--log-level", "warning", "--no-access-log"], env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return process, base
