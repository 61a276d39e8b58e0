"""Findings as stored records, and the decisions and researchers' responses recorded on them.

Why records and not facts: a decision (ACCEPT / MITIGATE / AVOID, with measures and a
rationale) and a researcher's response are due-process statements made by people, with who and
when; they are appended, never edited, so the history of a case stays readable. Later runs read
the latest decision in force. Findings are written through the graph writer (with the evidence
of the rule that produced them) by whatever computes them (assessments, sweeps).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.db import Database
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord
from kizuna.errors import InvalidInput
from kizuna.ids import make_id
from queries.cypher import cypher

OUTCOMES = ("ACCEPT", "MITIGATE", "AVOID")


async def record_decision(
    db: Database, *, subject_id: str | None, finding_id: str | None, outcome: str, measures: list[str], rationale: str, decided_by: str, decided_at: str
) -> dict:
    """Append a decision on a subject or a finding. MITIGATE needs at least one measure, and
    every decision needs a rationale: a committee must be able to read why."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if not (subject_id or finding_id):
        raise InvalidInput("a decision needs a subject id or a finding id")
    if not rationale.strip():
        raise InvalidInput("a decision needs a rationale")
    measures = [m.strip() for m in measures if m.strip()]
    if outcome == "MITIGATE" and not measures:
        raise InvalidInput("a MITIGATE decision needs at least one mitigation measure")
    row = {
        "id": make_id("dec", subject_id, finding_id, outcome, decided_by, decided_at, rationale),
        "subject_id": subject_id,
        "finding_id": finding_id,
        "outcome": outcome,
        "measures": measures,
        "rationale": rationale.strip(),
        "decided_by": decided_by,
        "decided_at": decided_at,
    }
    rows = await db.write(cypher("decisions", "create_decision"), {"row": {k: v for k, v in row.items() if v is not None}})
    return rows[0]["d"]


async def record_response(
    db: Database, *, subject_id: str | None, finding_id: str | None, text: str, received_at: str | None, recorded_by: str, recorded_at: str
) -> dict:
    """Append the researcher's response (their words, when they gave it, who recorded it)."""
    if not (subject_id or finding_id):
        raise InvalidInput("a response needs a subject id or a finding id")
    if not text.strip():
        raise InvalidInput("the response text is empty")
    row = {
        "id": make_id("rsp", subject_id, finding_id, recorded_by, recorded_at, text),
        "subject_id": subject_id,
        "finding_id": finding_id,
        "text": text.strip(),
        "received_at": received_at or recorded_at,
        "recorded_by": recorded_by,
        "recorded_at": recorded_at,
    }
    rows = await db.write(cypher("decisions", "create_response"), {"row": {k: v for k, v in row.items() if v is not None}})
    return rows[0]["r"]


async def decisions_for(db: Database, target_ids: list[str]) -> dict[str, list[dict]]:
    """Decisions per subject or finding id, newest first (batched)."""
    out: dict[str, list[dict]] = {t: [] for t in target_ids}
    for r in await db.read(cypher("decisions", "decisions_for"), {"ids": list(dict.fromkeys(target_ids))}):
        out[r["target"]].append(r["d"])
    return out


async def responses_for(db: Database, target_ids: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {t: [] for t in target_ids}
    for r in await db.read(cypher("decisions", "responses_for"), {"ids": list(dict.fromkeys(target_ids))}):
        out[r["target"]].append(r["r"])
    return out


@dataclass
class FindingRecord:
    """A finding as computed by an assessment or sweep; its id is deterministic from the subject,
    the kind and the related entities, so re-computing it does not duplicate it."""

    subject_id: str
    kind: str
    title: str
    evidence: Evidence
    summary: str = ""
    severity: str = "low"
    rule_ids: list[str] = field(default_factory=list)
    related_ids: list[str] = field(default_factory=list)
    as_of: str = ""
    status: str = "open"

    @property
    def id(self) -> str:
        return make_id("fnd", self.subject_id, self.kind, *sorted(self.related_ids))


async def store_findings(db: Database, findings: list[FindingRecord]) -> list[str]:
    nodes = [
        NodeRecord(
            "Finding",
            f.id,
            {"subject_id": f.subject_id, "kind": f.kind, "title": f.title, "summary": f.summary, "severity": f.severity,
             "rule_ids": f.rule_ids, "related_ids": f.related_ids, "as_of": f.as_of, "status": f.status},
            f.evidence,
        )
        for f in findings
    ]
    await GraphWriter(db).write_nodes(nodes)
    return [f.id for f in findings]


async def findings_page(db: Database, *, subject_id: str | None, skip: int, limit: int) -> tuple[int, list[dict]]:
    rows = await db.read(cypher("decisions", "findings_page"), {"subject_id": subject_id, "skip": skip, "limit": limit})
    return rows[0]["total"], rows[0]["items"]


async def finding_subject(db: Database, finding_id: str) -> str | None:
    rows = await db.read(cypher("decisions", "finding"), {"id": finding_id})
    return rows[0]["subject_id"] if rows else None
