"""Dependency audit: pip-audit 2.10.1 over the installed environment, first with PyPI's
vulnerability data (PyPI's JSON API), then with OSV's. Each finding is listed with the reason it is
or is not reachable in Kizuna (EXPLANATIONS below); an unexplained finding makes the case fail, and
so does an audit that could check no package (that is not a clean bill).

Offline: no current vulnerability database for PyPI packages is distributed through the package
registries this project may use (OFFLINE_SEARCH says what was looked at and why each does not
serve), so where neither service is reachable the case says so and does not hold.

    python -m bench.reliability.audit_deps

Writes bench/out/reliability/deps.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "bench" / "out" / "reliability"
# vulnerability id -> why it does not affect Kizuna (filled in after reading each advisory)
EXPLANATIONS: dict[str, str] = {}
OFFLINE_SEARCH = [
    "PyPI safety-db 2021.7.17: the newest release is from July 2021 (five years of advisories missing) and its data is CC BY-NC-SA",
    "npm @renovatebot/osv-offline-db: a library for the database format; the OSV data itself is downloaded from GitHub at run time",
    "PyPI appthreat-vulnerability-db: downloads its database from a container registry at run time",
    "PyPI venvy: syncs OSV data online before it can audit",
    "Debian (debsecan, security tracker): covers Debian packages, not the PyPI wheels installed here, and fetches the tracker online",
]


def pip_audit(service: str) -> tuple[subprocess.CompletedProcess, dict | None]:
    proc = subprocess.run([sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", "--desc", "on",
                           "--vulnerability-service", service, "--timeout", "20"], capture_output=True, text=True, timeout=900)
    try:
        return proc, json.loads(proc.stdout)
    except ValueError:
        return proc, None


def main() -> int:
    result: dict = {"command": "pip-audit --format json --vulnerability-service pypi, then osv (installed environment)", "attempts": [],
                    "offline_search": OFFLINE_SEARCH}
    for service in ("pypi", "osv"):
        proc, data = pip_audit(service)
        deps = (data or {}).get("dependencies", [])
        skipped = [{"package": d["name"], "reason": d.get("skip_reason")} for d in deps if d.get("skip_reason")]
        audited = len(deps) - len(skipped)
        result["attempts"].append({"service": service, "exit": proc.returncode, "packages": len(deps), "audited": audited,
                                   "error": None if data else ((proc.stderr or proc.stdout).strip().splitlines() or [""])[-1][:300],
                                   "skip_reason_sample": skipped[0]["reason"] if skipped else None})
        if audited:
            findings = [{"package": d["name"], "version": d["version"], "id": v["id"], "aliases": v.get("aliases", []), "fix_versions": v.get("fix_versions", []),
                         "explanation": EXPLANATIONS.get(v["id"])} for d in deps for v in d.get("vulns", [])]
            result.update(service=service, packages=len(deps), audited=audited, findings=findings, skipped=skipped,
                          held=all(f["explanation"] for f in findings))
            break
    else:
        result.update(held=False, audited=0, packages=max(a["packages"] for a in result["attempts"]), findings=[],
                      error="no package could be audited: PyPI's JSON API (https://pypi.org/pypi/<name>/<version>/json) answers 404 here "
                            "(only the package index is mirrored) and OSV's API is unreachable; no current vulnerability database is "
                            "distributed through the reachable registries (see offline_search). Run `python -m bench.reliability.audit_deps` "
                            "where either service is reachable.")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "deps.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1)[:4000])
    return 0 if result.get("held") else 1


if __name__ == "__main__":
    sys.exit(main())
