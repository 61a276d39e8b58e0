"""Dependency audit: pip-audit 2.10.1 over the installed environment (PyPI's vulnerability data,
fetched by pip-audit from PyPI's JSON API). Each finding is listed with the reason it is or is not
reachable in Kizuna (EXPLANATIONS below); an unexplained finding makes the case fail.

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


def main() -> int:
    proc = subprocess.run([sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", "--desc", "on"],
                          capture_output=True, text=True, timeout=900)
    result: dict = {"command": "pip-audit --format json (installed environment)", "exit": proc.returncode}
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        result.update(held=False, error=(proc.stderr or proc.stdout).strip()[-800:], note="pip-audit could not produce a report (is PyPI reachable?)")
    else:
        findings = [{"package": d["name"], "version": d["version"], "id": v["id"], "aliases": v.get("aliases", []), "fix_versions": v.get("fix_versions", []),
                     "explanation": EXPLANATIONS.get(v["id"])} for d in data.get("dependencies", []) for v in d.get("vulns", [])]
        skipped = [{"package": d["name"], "reason": d.get("skip_reason")} for d in data.get("dependencies", []) if d.get("skip_reason")]
        audited = len(data.get("dependencies", [])) - len(skipped)
        result.update(packages=len(data.get("dependencies", [])), audited=audited, findings=findings, skipped=skipped,
                      held=audited > 0 and all(f["explanation"] for f in findings))
        if not audited:
            result["error"] = ("no package could be audited: pip-audit reads vulnerabilities from https://pypi.org/pypi/<name>/<version>/json, "
                               "which answers 404 from this machine (only the package index is mirrored), and api.osv.dev is unreachable")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "deps.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1)[:4000])
    return 0 if result.get("held") else 1


if __name__ == "__main__":
    sys.exit(main())
