"""The Neo4j that Kizuna launches itself: build the launcher, start, wait for Bolt, stop.

The launcher (graph/launcher, one Java class on Neo4j Community 5.26 LTS from Maven Central) is
built with Maven on first use. The server runs detached, writes its pid to
``<home>/kizuna-neo4j.pid`` and its output to ``<home>/logs/launcher.log``; every failure names
that log.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from kizuna.errors import DatabaseUnavailable, SetupError
from kizuna.settings import Settings

LAUNCHER_DIR = Path(__file__).resolve().parent / "launcher"
LAUNCHER_CLASS = "org.kizuna.launcher.Launcher"
# The JVM flag of each garbage collector `KIZUNA_NEO4J_GC` may choose (kizuna/settings.py says
# why parallel is the default; G1 is Neo4j's own default and keeps pauses shorter).
GC_FLAGS = {"parallel": "-XX:+UseParallelGC", "g1": "-XX:+UseG1GC"}
# Transparent huge pages (`KIZUNA_NEO4J_HUGE_PAGES`): the JVM asks for them for its heap, and
# glibc's malloc, which Neo4j's page cache allocates through, for its large mappings (glibc 2.35+;
# older versions ignore the tunable). A kernel with huge pages off ignores both.
HUGE_PAGES_FLAG = "-XX:+UseTransparentHugePages"
HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1"


@dataclass
class ServerStatus:
    running: bool
    pid: int | None
    uri: str
    home: str
    log: str
    external: bool = False


def _paths(settings: Settings) -> tuple[Path, Path, Path]:
    home = Path(settings.neo4j_home).resolve()
    return home, home / "kizuna-neo4j.pid", home / "logs" / "launcher.log"


def _launcher_sources() -> list[Path]:
    return [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]


def launcher_built() -> bool:
    classes = LAUNCHER_DIR / "target" / "classes" / "org" / "kizuna" / "launcher" / "Launcher.class"
    lib = LAUNCHER_DIR / "target" / "lib"
    if not classes.exists() or not lib.is_dir() or not any(lib.glob("neo4j-*.jar")):
        return False
    built = classes.stat().st_mtime
    return all(src.stat().st_mtime <= built for src in _launcher_sources())


def ensure_launcher_built(quiet: bool = True) -> None:
    """Build the launcher with Maven when it is missing or older than its sources."""
    if shutil.which("java") is None:
        raise SetupError("Java is not installed or not on PATH", hint="install a Java 17 runtime (apt-get install openjdk-17-jdk)")
    if launcher_built():
        return
    if shutil.which("mvn") is None:
        raise SetupError("Maven is not installed or not on PATH; it builds the Neo4j launcher", hint="apt-get install maven")
    cmd = ["mvn", "-B", "-q" if quiet else "-ntp", "package", "-DskipTests"]
    proc = subprocess.run(cmd, cwd=LAUNCHER_DIR, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise SetupError(f"building the Neo4j launcher failed (mvn exit {proc.returncode}):\n{tail}")


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, IndexError):
        return True
    if state in ("Z", "X"):
        return False
    # Right after fork and before exec the child has no command line of its own yet.
    return not cmdline or LAUNCHER_CLASS.encode() in cmdline


def _read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def status(settings: Settings) -> ServerStatus:
    home, pid_file, log = _paths(settings)
    if not settings.launches_neo4j:
        return ServerStatus(True, None, settings.bolt_uri, "", "", external=True)
    pid = _read_pid(pid_file)
    return ServerStatus(pid is not None, pid, settings.bolt_uri, str(home), str(log))


def _check_bolt(settings: Settings) -> None:
    with GraphDatabase.driver(settings.bolt_uri, auth=settings.auth, connection_timeout=2.0) as driver:
        driver.verify_connectivity()


READY_MARKER = "KIZUNA-NEO4J-READY"


def wait_for_bolt(
    settings: Settings, timeout_s: float, pid: int | None = None, log: Path | None = None, log_offset: int | None = None
) -> None:
    """Poll until Bolt answers with our credentials; fail early if the process dies.

    For a server we just launched (``log_offset`` given) Bolt may answer before the password is
    set, so we first wait for the launcher's ready line in its log.
    """
    deadline = time.monotonic() + timeout_s
    where = f"; see {log}" if log else ""
    while log is not None and log_offset is not None:
        if _log_since(log, log_offset).find(READY_MARKER) >= 0:
            break
        if pid is not None and not _pid_alive(pid):
            raise DatabaseUnavailable(f"Neo4j exited during start-up{where}\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise DatabaseUnavailable(f"Neo4j did not become ready within {timeout_s:.0f}s{where}")
        time.sleep(0.3)
    while True:
        try:
            _check_bolt(settings)
            return
        except AuthError as exc:
            raise DatabaseUnavailable(
                f"Neo4j at {settings.bolt_uri} refused the password{where}",
                hint="the data directory was created with another password; set KIZUNA_NEO4J_PASSWORD to it",
            ) from exc
        except (ServiceUnavailable, OSError):
            pass
        if pid is not None and not _pid_alive(pid):
            raise DatabaseUnavailable(f"Neo4j exited during start-up{where}\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise DatabaseUnavailable(f"Neo4j did not answer on {settings.bolt_uri} within {timeout_s:.0f}s{where}")
        time.sleep(0.5)


def _log_since(log: Path, offset: int) -> str:
    try:
        with open(log, "rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _tail(log: Path | None, lines: int = 25) -> str:
    if not log or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def start(settings: Settings) -> ServerStatus:
    """Start the embedded Neo4j detached (or reuse a running one) and wait until Bolt answers."""
    if not settings.launches_neo4j:
        wait_for_bolt(settings, 10.0)
        return status(settings)
    home, pid_file, log = _paths(settings)
    running = _read_pid(pid_file)
    if running is not None:
        wait_for_bolt(settings, settings.neo4j_start_timeout_s, running, log)
        return status(settings)
    if _port_in_use(settings.neo4j_host, settings.neo4j_bolt_port):
        raise SetupError(
            f"port {settings.neo4j_bolt_port} on {settings.neo4j_host} is already in use by another program",
            hint="stop it, or choose another port with KIZUNA_NEO4J_BOLT_PORT",
        )
    ensure_launcher_built()
    log.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        KIZUNA_NEO4J_HOME=str(home),
        KIZUNA_NEO4J_BOLT_HOST=settings.neo4j_host,
        KIZUNA_NEO4J_BOLT_PORT=str(settings.neo4j_bolt_port),
        KIZUNA_NEO4J_PASSWORD=settings.neo4j_password,
        KIZUNA_NEO4J_PAGECACHE_MB=str(settings.neo4j_pagecache_mb),
    )
    if settings.neo4j_huge_pages:
        env["GLIBC_TUNABLES"] = ":".join(t for t in (env.get("GLIBC_TUNABLES"), HUGE_PAGES_TUNABLE) if t)
    cmd = [
        "java",
        f"-Xms{min(settings.neo4j_heap_mb, 1024)}m",
        f"-Xmx{settings.neo4j_heap_mb}m",
        GC_FLAGS[settings.neo4j_gc],
        *([HUGE_PAGES_FLAG] if settings.neo4j_huge_pages else []),
        "-XX:+ExitOnOutOfMemoryError",
        "-cp",
        f"{LAUNCHER_DIR / 'target' / 'classes'}{os.pathsep}{LAUNCHER_DIR / 'target' / 'lib' / '*'}",
        LAUNCHER_CLASS,
    ]
    offset = log.stat().st_size if log.exists() else 0
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
    pid_file.write_text(str(proc.pid))
    try:
        wait_for_bolt(settings, settings.neo4j_start_timeout_s, proc.pid, log, offset)
    except DatabaseUnavailable:
        stop(settings)
        raise
    return status(settings)


def stop(settings: Settings, timeout_s: float = 60.0) -> bool:
    """Stop our Neo4j cleanly (SIGTERM runs its shutdown hook); SIGKILL only after the timeout."""
    if not settings.launches_neo4j:
        return False
    _, pid_file, _ = _paths(settings)
    pid = _read_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)
    pid_file.unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
