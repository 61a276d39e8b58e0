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


def evidence_list(props: dict) -> list[dict]:
    """Turn the parallel ev_* lists stored on a node or relationship back into evidence dicts."""
    keys = props.get("ev_key") or []
    out = []
    for i in range(len(keys)):
        def at(name: str, default=None):
            values = props.get(name) or []
            return values[i] if i < len(values) else default

        out.append(
            {
                "source_id": at("ev_source"),
                "locator": at("ev_locator"),
                "start": at("ev_start", -1),
                "end": at("ev_end", -1),
                "text": at("ev_text", ""),
                "observed_at": at("ev_observed"),
                "method": at("ev_method"),
                "confidence": at("ev_confidence", 0.0),
            }
        )
    return out
