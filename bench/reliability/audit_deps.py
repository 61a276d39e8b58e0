"""Dependency audit of the installed environment.

First pip-audit 2.10.1 with PyPI's vulnerability data (PyPI's JSON API), then with OSV's, as before.
When neither service audited any package (neither is reachable from the benchmark machine), every
installed distribution is checked against the committed snapshot of the PyPA advisory database in
bench/reliability/advisories/ (OSV records, CC-BY-4.0; README.md there gives the source, the snapshot
date and what the snapshot leaves out). A version is affected when it lies in an ECOSYSTEM range
(introduced / fixed / last_affected events, evaluated in version order with packaging.version) or is
listed in the advisory's `versions`; GIT ranges are not evaluated (no repository here).

Each finding is listed with the reason it is or is not reachable in Kizuna (EXPLANATIONS below); an
unexplained finding makes the case fail, and so does an audit that could check no package (that is
not a clean bill). The offline audit covers only advisories in the snapshot: anything published or
changed after its date, and advisories that exist only as GHSA records outside the PyPA database,
are not seen.

OFFLINE_SEARCH says which offline databases distributed through the package registries were looked
at and why none serves (the snapshot is committed data instead).

    python -m bench.reliability.audit_deps

Writes bench/out/reliability/deps.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name as normalize  # PEP 503 names
from packaging.version import InvalidVersion, Version

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "bench" / "out" / "reliability"
ADVISORIES = Path(__file__).resolve().parent / "advisories"
# vulnerability id -> why it does not affect Kizuna (written after reading each advisory and the code it names)
EXPLANATIONS: dict[str, str] = {
    "PYSEC-2022-43012": (
        "setuptools 65.5.0 is the copy `python -m venv` seeds into .venv (Python 3.11's ensurepip); the Makefile upgrades pip "
        "but not setuptools. The ReDoS is in setuptools/package_index.py, which runs only when easy_install or a setup.py "
        "fetches HTML from a package index. Kizuna never does: no module of api/ graph/ ingest/ nlp/ resolve/ queries/ kizuna/ "
        "imports setuptools or pkg_resources, no installed distribution other than setuptools itself references "
        "setuptools.package_index (the only other setuptools importers are build helpers: cffi.setuptools_ext, numpy.distutils, "
        "the `spacy package` command), and the project itself is built with setuptools==80.9.0 in pip's isolated build "
        "environment (pyproject.toml build-system). Not reachable; upgrading setuptools in the venv target would remove it."),
}
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


def installed_distributions() -> dict[str, str]:
    """normalized name -> version of every distribution installed in this interpreter's environment."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(normalize(name), dist.version)
    return dict(sorted(found.items()))


def load_snapshot(folder: Path = ADVISORIES) -> dict[str, list[dict]]:
    """normalized package name -> its advisories, from the one-file-per-package YAML snapshot."""
    snapshot: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        snapshot.setdefault(normalize(data["package"]), []).extend(data.get("advisories") or [])
    return snapshot


def snapshot_date(snapshot: dict[str, list[dict]]) -> str:
    """The newest `modified` among the stored advisories (ISO dates compare as strings), as YYYY-MM-DD."""
    newest = max((str(a.get("modified", "")) for advs in snapshot.values() for a in advs), default="")
    return newest[:10]


def _bound(value: str) -> Version | None:
    """An event's version; None for OSV's introduced "0", which means before every release."""
    return None if value == "0" else Version(value)


def in_range(version: Version, events: list[dict]) -> bool:
    """OSV ECOSYSTEM range evaluation: walk the events in version order (records do not always list them
    in order); `introduced` at or below the version opens the range, `fixed` at or below it closes it,
    `last_affected` strictly below it closes it."""
    ordered = [(_bound(str(value)), kind) for event in events for kind, value in event.items()
               if kind in ("introduced", "fixed", "last_affected")]
    ordered.sort(key=lambda e: (e[0] is not None, e[0] or Version("0")))
    affected = False
    for bound, kind in ordered:
        if kind == "introduced":
            if bound is None or version >= bound:
                affected = True
        elif bound is not None and (version >= bound if kind == "fixed" else version > bound):
            affected = False
    return affected


def is_affected(version: str, entry: dict) -> bool:
    """Whether `version` is affected according to one `affected` entry: listed in `versions`, or inside an
    ECOSYSTEM range. GIT ranges are skipped (commit hashes cannot be placed without the repository)."""
    listed = [str(v) for v in entry.get("versions") or []]
    if version in listed:
        return True
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    for v in listed:
        try:
            if Version(v) == parsed:
                return True
        except InvalidVersion:
            continue
    return any(r.get("type") == "ECOSYSTEM" and in_range(parsed, r.get("events") or []) for r in entry.get("ranges") or [])


def fix_versions(version: str, entry: dict) -> list[str]:
    """The `fixed` versions above the installed one, as pip-audit reports them."""
    fixes = set()
    for r in entry.get("ranges") or []:
        if r.get("type") != "ECOSYSTEM":
            continue
        for event in r.get("events") or []:
            if "fixed" in event and Version(str(event["fixed"])) > Version(version):
                fixes.add(str(event["fixed"]))
    return sorted(fixes, key=Version)


def audit_offline(installed: dict[str, str], snapshot: dict[str, list[dict]]) -> dict:
    """Every installed distribution against the snapshot's advisories for it."""
    findings, consulted, skipped = [], 0, []
    for name, version in installed.items():
        try:
            Version(version)
        except InvalidVersion:  # cannot be placed in a range: not audited, and said so
            skipped.append({"package": name, "reason": f"version {version!r} is not a PEP 440 version"})
            continue
        for adv in snapshot.get(name, []):
            consulted += 1
            for entry in adv.get("affected") or []:
                if normalize(entry.get("package", {}).get("name", name)) != name:
                    continue
                if is_affected(version, entry):
                    findings.append({"package": name, "version": version, "id": adv["id"], "aliases": adv.get("aliases", []),
                                     "fix_versions": fix_versions(version, entry), "explanation": EXPLANATIONS.get(adv["id"])})
                    break
    return {"packages": len(installed), "audited": len(installed) - len(skipped), "advisories_consulted": consulted,
            "advisories_in_snapshot": sum(len(v) for v in snapshot.values()), "findings": findings, "skipped": skipped}


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
            result.update(source=f"pip-audit {service}", service=service, packages=len(deps), audited=audited, findings=findings,
                          skipped=skipped, held=bool(audited) and all(f["explanation"] for f in findings))
            break
    else:
        snapshot = load_snapshot()
        date = snapshot_date(snapshot)
        offline = audit_offline(installed_distributions(), snapshot)
        result.update(offline, source=f"offline PyPA advisory snapshot {date}", snapshot_date=date,
                      online_error="pip-audit audited no package with either service (each service's error is in attempts)",
                      not_covered=f"advisories published or changed after {date}; advisories that exist only outside the PyPA "
                                  "database (GHSA-only records); GIT-only ranges",
                      held=bool(offline["audited"]) and all(f["explanation"] for f in offline["findings"]))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "deps.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps(result, indent=1)[:4000])
    return 0 if result.get("held") else 1


if __name__ == "__main__":
    sys.exit(main())
