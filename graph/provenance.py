"""Evidence: where a fact comes from. Every node and relationship the writer touches carries it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

MAX_EVIDENCE_TEXT = 500


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for a fact.

    ``locator`` names the place inside the source: a record field ("row 12 / Alias",
    "$.relationships[2]") or a character span ("chars 120-178"); ``start``/``end`` hold the span
    offsets when there is one (-1 otherwise) and ``text`` the exact words or field value.
    ``observed_at`` is when the source was retrieved or the statement made (ISO 8601), so that
    re-reading the same source yields the same evidence and writes nothing new.
    """

    source_id: str
    locator: str
    observed_at: str
    method: str
    confidence: float = 1.0
    text: str = ""
    start: int = -1
    end: int = -1

    @property
    def key(self) -> str:
        return f"{self.source_id}|{self.locator}"

    def as_row(self) -> dict:
        return {
            "key": self.key,
            "source": self.source_id,
            "locator": self.locator,
            "start": int(self.start),
            "end": int(self.end),
            "text": (self.text or "")[:MAX_EVIDENCE_TEXT],
            "observed": self.observed_at,
            "method": self.method,
            "confidence": float(self.confidence),
        }


# (field of an evidence dict, the parallel list property it comes from, the value when that list is short)
_EVIDENCE_COLUMNS = (
    ("source_id", "ev_source", None),
    ("locator", "ev_locator", None),
    ("start", "ev_start", -1),
    ("end", "ev_end", -1),
    ("text", "ev_text", ""),
    ("observed_at", "ev_observed", None),
    ("method", "ev_method", None),
    ("confidence", "ev_confidence", 0.0),
)
_EVIDENCE_FIELDS = tuple(name for name, _, _ in _EVIDENCE_COLUMNS)


def evidence_list(props: dict) -> list[dict]:
    """Turn the parallel ev_* lists stored on a node or relationship back into evidence dicts.

    Column-wise (one zip), because a concern-path answer turns ~2,000 of these per request."""
    count = len(props.get("ev_key") or ())
    if not count:
        return []
    columns = []
    for _, prop, default in _EVIDENCE_COLUMNS:
        values = props.get(prop) or ()
        columns.append(values[:count] if len(values) >= count else [*values, *[default] * (count - len(values))])
    return [dict(zip(_EVIDENCE_FIELDS, row)) for row in zip(*columns)]
