"""What changed between two sweeps of the same definition — a pure function of their results.

Findings are compared by key (kind, reached listed entity, watchlist), so a path that now runs
through a different organization of the same length is the same finding; a path whose length or
listing changed is a changed finding. Each change carries the evidence of the side that has it
(the current sweep for new and changed ones, the previous sweep for removed ones).
"""

from __future__ import annotations

from typing import Any

#: What makes a finding "changed" when its key is present in both sweeps.
COMPARED_FIELDS = ("hops", "watchlist_name", "target_name")


def _listing(finding: dict[str, Any]) -> dict[str, Any]:
    return next((e for e in finding.get("evidence", []) if e.get("relation") == "LISTED_ON"), {})


def _by_subject(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["subject_id"]: r for r in results}


def diff_results(previous: list[dict[str, Any]] | None, current: list[dict[str, Any]], previous_id: str | None = None) -> dict[str, Any]:
    """The diff of two sweeps' results (each: subject_id, subject_name, status, tier,
    recommendation, findings). With no previous sweep, every finding is new (the baseline)."""
    before = _by_subject(previous or [])
    after = _by_subject(current)
    out: dict[str, list] = {k: [] for k in (
        "new_findings", "removed_findings", "changed_findings", "new_paths", "broken_paths",
        "tier_changes", "recommendation_changes", "new_subjects", "dropped_subjects", "errors")}
    for sid in sorted(set(before) | set(after)):
        b, a = before.get(sid), after.get(sid)
        if a is None:
            out["dropped_subjects"].append({"subject_id": sid, "subject_name": b.get("subject_name")})
            continue
        if a.get("status") == "error":
            out["errors"].append({"subject_id": sid, "error": a.get("error")})
            continue
        if b is None and previous is not None:
            out["new_subjects"].append({"subject_id": sid, "subject_name": a.get("subject_name")})
        if b is not None and b.get("status") == "error":
            b = None  # nothing reliable to compare with: everything the subject has now is new
        bf = {f["key"]: f for f in (b or {}).get("findings", [])}
        af = {f["key"]: f for f in a.get("findings", [])}
        name = a.get("subject_name")
        for key in sorted(set(af) - set(bf)):
            item = {"subject_id": sid, "subject_name": name, "key": key, "finding": af[key]}
            out["new_findings"].append(item)
            if af[key]["kind"] == "concern_path":
                out["new_paths"].append(item)
        for key in sorted(set(bf) - set(af)):
            item = {"subject_id": sid, "subject_name": name, "key": key, "finding": bf[key]}
            out["removed_findings"].append(item)
            if bf[key]["kind"] == "concern_path":
                out["broken_paths"].append(item)
        for key in sorted(set(af) & set(bf)):
            fields = [f for f in COMPARED_FIELDS if af[key].get(f) != bf[key].get(f)]
            lb, la = _listing(bf[key]), _listing(af[key])
            fields += [f"listing.{f}" for f in ("start", "end", "reason") if lb.get(f) != la.get(f)]
            if fields:
                out["changed_findings"].append({
                    "subject_id": sid, "subject_name": name, "key": key, "fields": fields,
                    "before": {f: bf[key].get(f) for f in COMPARED_FIELDS} | {"listing": lb},
                    "finding": af[key],
                })
        if b is not None:
            evidence = [f["key"] for f in a.get("findings", [])]
            for field, bucket in (("tier", "tier_changes"), ("recommendation", "recommendation_changes")):
                if b.get(field) != a.get(field):
                    out[bucket].append({"subject_id": sid, "subject_name": name, "before": b.get(field),
                                        "after": a.get(field), "findings": evidence,
                                        "removed": sorted(set(bf) - set(af))})
    counts = {k: len(v) for k, v in out.items()}
    return {"previous_sweep": previous_id, "baseline": previous is None, "counts": counts, **out}


def bounded(diff: dict[str, Any], max_items: int) -> dict[str, Any]:
    """The diff as stored on the Sweep node: each list cut to ``max_items`` (a baseline over a
    big population would otherwise store every finding twice); the full diff is in the outputs
    and every finding stays in the SweepResults."""
    out = dict(diff)
    cut = {k: len(v) for k, v in diff.items() if isinstance(v, list) and len(v) > max_items}
    for key in cut:
        out[key] = diff[key][:max_items]
    out["truncated"] = cut
    return out
