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


KINDS = ("new_findings", "removed_findings", "changed_findings", "new_paths", "broken_paths",
         "tier_changes", "recommendation_changes", "new_subjects", "dropped_subjects", "errors")


def subject_changes(b: dict[str, Any] | None, a: dict[str, Any] | None, baseline: bool) -> dict[str, list]:
    """What changed for one subject between its previous result ``b`` and its current result
    ``a`` (either may be missing), as lists by kind of change (see KINDS)."""
    out: dict[str, list] = {k: [] for k in KINDS}
    sid = (a or b or {}).get("subject_id")
    if a is None:
        out["dropped_subjects"].append({"subject_id": sid, "subject_name": b.get("subject_name")})
        return out
    if a.get("status") == "error":
        out["errors"].append({"subject_id": sid, "error": a.get("error")})
        return out
    if b is None and not baseline:
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
    return out


class DiffBuilder:
    """The diff of two sweeps, built one subject at a time, so a sweep of
    100k subjects never holds both sweeps' results (~1 MB a subject decoded on the bench graph:
    10k subjects took 10 GB when they were diffed at once). Counts are always whole; each list
    keeps its first ``keep`` items (all when None) and ``truncated`` says how many there were —
    every item is also handed back by ``add``, for outputs that want them all."""

    def __init__(self, previous_id: str | None, baseline: bool, keep: int | None = None):
        self.previous_id, self.baseline, self.keep = previous_id, baseline, keep
        self.lists: dict[str, list] = {k: [] for k in KINDS}
        self.counts = {k: 0 for k in KINDS}

    def add(self, b: dict[str, Any] | None, a: dict[str, Any] | None) -> dict[str, list]:
        changes = subject_changes(b, a, self.baseline)
        for kind, items in changes.items():
            self.counts[kind] += len(items)
            room = len(items) if self.keep is None else max(0, self.keep - len(self.lists[kind]))
            self.lists[kind].extend(items[:room])
        return changes

    def result(self) -> dict[str, Any]:
        truncated = {k: n for k, n in self.counts.items() if n > len(self.lists[k])}
        return {"previous_sweep": self.previous_id, "baseline": self.baseline, "counts": dict(self.counts), **self.lists,
                "truncated": truncated}


def diff_results(previous: list[dict[str, Any]] | None, current: list[dict[str, Any]], previous_id: str | None = None,
                 keep: int | None = None) -> dict[str, Any]:
    """The diff of two sweeps' results (each: subject_id, subject_name, status, tier,
    recommendation, findings). With no previous sweep, every finding is new (the baseline)."""
    before = {r["subject_id"]: r for r in previous or []}
    after = {r["subject_id"]: r for r in current}
    builder = DiffBuilder(previous_id, previous is None, keep)
    for sid in sorted(set(before) | set(after)):
        builder.add(before.get(sid), after.get(sid))
    return builder.result()
