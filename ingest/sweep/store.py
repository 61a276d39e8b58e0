"""Sweeps in the shape the GraphQL `sweep` / `sweeps` operations expose (api/backends.py calls
these): id, definition, status, times, subjects, a summary and the list of changes, each change
with its subject, a one-line description and the evidence behind it."""

from __future__ import annotations

from typing import Any

from graph.db import Database
from queries import sweep as sweep_queries

_CHANGE_KINDS = ("new_findings", "removed_findings", "changed_findings", "tier_changes", "recommendation_changes", "errors")


def _evidence(finding: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for hop in finding.get("evidence", []):
        for source, locator in zip(hop.get("sources") or [], hop.get("locators") or []):
            out.append({"source_id": source, "locator": locator, "method": hop.get("relation"),
                        "text": f"{hop.get('relation')} {hop.get('from')} -> {hop.get('to')}", "confidence": hop.get("confidence")})
    return out


def _describe(kind: str, item: dict[str, Any]) -> str:
    who = item.get("subject_name") or item.get("subject_id")
    if kind in ("tier_changes", "recommendation_changes"):
        return f"{who}: {kind.removesuffix('_changes')} {item['before']} -> {item['after']}"
    if kind == "errors":
        return f"{who}: could not be assessed: {item.get('error')}"
    f = item["finding"]
    verb = {"new_findings": "new", "removed_findings": "no longer found", "changed_findings": "changed"}[kind]
    return f"{who}: {verb}: {f.get('target_name')} on {f.get('watchlist_name')} in {f.get('hops')} hop(s)"


def api_shape(sweep: dict[str, Any]) -> dict[str, Any]:
    diff = sweep.get("diff") or {}
    changes = []
    for kind in _CHANGE_KINDS:
        for item in diff.get(kind, []):
            finding = item.get("finding")
            evidence = _evidence(finding) if finding else []
            changes.append({"kind": kind.removesuffix("s"), "subject_id": item.get("subject_id"),
                            "description": _describe(kind, item), "evidence": evidence})
    return {"id": sweep["id"], "definition": sweep.get("definition_id", ""), "status": sweep.get("status"),
            "started_at": sweep.get("started_at"), "finished_at": sweep.get("finished_at"),
            "subjects": sweep.get("subjects_done") or sweep.get("population_size"),
            "summary": {"as_of": sweep.get("as_of"), "packs": sweep.get("packs"), "previous": sweep.get("previous_id"),
                        "counts": sweep.get("counts"), "changes": diff.get("counts")},
            "changes": changes}


async def get_sweep(db: Database, sweep_id: str) -> dict[str, Any] | None:
    sweep = await sweep_queries.get_sweep(db, sweep_id)
    return api_shape(sweep) if sweep else None


async def list_sweeps(db: Database, *, definition: str | None, skip: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """(total, page) of sweeps newest first, each without its change list (use get_sweep)."""
    total = await sweep_queries.count_sweeps(db, definition)
    rows = await sweep_queries.list_sweeps(db, definition, limit=limit, skip=skip)
    return total, [api_shape(r) | {"changes": []} for r in rows]
