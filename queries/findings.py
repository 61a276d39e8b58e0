"""Findings: the uniform, rule-readable shape of every answer to the risk questions.

A Finding carries only facts about links, listings, disclosure and technology areas — the
fields in queries.rules.FINDING_FIELDS — plus its evidence and, for concern paths, the path.
Nothing from the protected attributes of graph/model.yaml (they live on PersonalData) can get
here: the questions that feed findings never reach PersonalData.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from kizuna.ids import make_id
from queries.exposure import ExposureFact
from queries.paths import ConcernPath
from queries.timing import today, year_fraction
from queries.undisclosed import UndisclosedLink

STRUCTURE_RELATIONS = {"PART_OF", "SUBSIDIARY_OF", "SUPERVISED_BY", "OWNED_BY", "SAME_AS"}


@dataclass
class Finding:
    id: str
    kind: str
    summary: str
    person_id: str | None
    person_name: str | None
    entity_id: str | None
    entity_name: str | None
    relation: str | None
    start: str | None
    end: str | None
    active: bool
    years_since_end: float
    hops: int
    via_structure_only: bool
    path_score: float
    confidence: float
    listed: bool
    list_ids: list[str]
    list_jurisdictions: list[str]
    talent_program: bool
    undisclosed: bool
    in_kind: bool
    paid: bool | None
    role_normalized: str | None
    clauses_missing: list[str]
    counterparty_unresolved: bool
    counterparty_kind: str | None
    technology_areas: list[str]
    evidence: list[dict] = field(default_factory=list)
    path: ConcernPath | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def rule_view(self) -> dict[str, Any]:
        """The fields a rule may read (and nothing else)."""
        from queries.rules import FINDING_FIELDS

        # The rule fields are flat values (no path, no evidence): read them directly rather than
        # deep-copying the whole finding with asdict.
        return {k: getattr(self, k) for k in FINDING_FIELDS}


def timing(end: str | None, as_of: str | None) -> tuple[bool, float]:
    """(active at as_of, years since end — 0 when active)."""
    return _timing(end, as_of or today())


@lru_cache(maxsize=65_536)
def _timing(end: str | None, reference: str) -> tuple[bool, float]:
    """``timing`` once per end date (a sweep's findings share a few thousand of them)."""
    if not end:
        return True, 0.0
    if end >= reference[: len(end)]:
        return True, 0.0
    end_point = end if len(end) >= 10 else (end + "-12-31" if len(end) == 4 else end + "-28")
    return False, round(max(0.0, year_fraction(reference) - year_fraction(end_point)), 3)


def _fid(*parts: Any) -> str:
    return make_id("fnd", *[str(p) for p in parts])


class ListingMemo:
    """What findings take from a list of listings — the list ids, the list names as the summary
    gives them, the jurisdictions, the shortest structure chain and the listings as dicts —
    worked out once per list object. Why: a batch's concern paths share one list of listings
    per listed entity (queries.paths.SearchCache) and its co-authorship facts one per
    organization (queries.exposure.ListedOrganizations), so the same few lists are summarised
    for thousands of findings. Keyed by the list's identity and holding the list, so an id is
    never reused while the memo lives; make one per batch."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[list, tuple]] = {}

    def of(self, listings: list) -> tuple[list[str], str, list[str], int, list[dict] | None]:
        found = self._by_id.get(id(listings))
        if found is None:
            reached = not listings or hasattr(listings[0], "via")  # ListedVia (exposures), not Listing (paths)
            via = [x.as_dict() for x in listings] if reached else None
            found = (listings, (sorted({x.watchlist_id for x in listings}), ", ".join(sorted({x.watchlist_name for x in listings})),
                                sorted({x.jurisdiction for x in listings if x.jurisdiction}),
                                1 + min((len(x.via) for x in listings), default=0) if reached else 0, via))
            self._by_id[id(listings)] = found
        return found[1]


def from_path(path: ConcernPath, person: tuple[str, str | None], areas: list[str], as_of: str | None,
              memo: ListingMemo | None = None) -> Finding:
    hops = path.hops
    first = hops[0] if hops else None
    active, since = timing(first.end if first else None, as_of)
    later_structure = all(h.relation in STRUCTURE_RELATIONS for h in hops[1:])
    kind = "listed_subject" if not hops else "concern_path"
    via = " → ".join(name or entity_id for entity_id, name in path.stops(person[0]))
    lists, list_names, jurisdictions, _, _ = (memo or ListingMemo()).of(path.listings)
    return Finding(
        id=_fid(kind, person[0], path.target_id),
        kind=kind,
        summary=f"{via} — listed on {list_names}",
        person_id=person[0], person_name=person[1], entity_id=path.target_id, entity_name=path.target_name,
        relation=first.relation if first else None, start=first.start if first else None, end=first.end if first else None,
        active=active, years_since_end=since, hops=len(hops), via_structure_only=later_structure, path_score=path.score,
        confidence=first.confidence if first else 1.0, listed=True, list_ids=lists,
        list_jurisdictions=jurisdictions,
        talent_program=path.target_kind == "talent_program", undisclosed=False,
        in_kind=bool(first and first.properties.get("in_kind")), paid=first.properties.get("paid") if first else None,
        role_normalized=first.properties.get("role_normalized") if first else None, clauses_missing=[],
        counterparty_unresolved=False, counterparty_kind=path.target_kind, technology_areas=areas,
        evidence=[e for h in hops for e in h.evidence], path=path,
    )


def from_exposure(fact: ExposureFact, areas: list[str], as_of: str | None, memo: ListingMemo | None = None) -> Finding:
    active, since = timing(fact.end, as_of)
    lists, list_names, jurisdictions, hops, listed_via = (memo or ListingMemo()).of(fact.listed)
    what = {"talent_program": "participates in", "funding": "funded by", "coauthorship": "co-authored with a researcher at",
            "contract": "has a contract with"}[fact.kind]
    listed_text = f" — listed on {list_names}" if fact.listed else ""
    extra = ""
    if fact.kind == "contract":
        extra = (f"; clauses not stated: {', '.join(fact.clauses_missing)}" if fact.clauses_missing else "") + (
            "; counterparty unresolved" if fact.counterparty_unresolved else "")
    via_ids = [c.get("id") for c in fact.chain]
    return Finding(
        id=_fid(fact.kind, fact.subject_id, fact.counterparty_id or fact.counterparty_name, *via_ids, fact.start),
        kind=fact.kind,
        summary=f"{fact.subject_name or fact.subject_id} {what} {fact.counterparty_name or fact.counterparty_id or 'an unnamed party'}{listed_text}{extra}",
        person_id=fact.subject_id, person_name=fact.subject_name, entity_id=fact.counterparty_id, entity_name=fact.counterparty_name,
        relation=fact.relation, start=fact.start, end=fact.end, active=active, years_since_end=since, hops=hops,
        via_structure_only=True, path_score=0.0, confidence=fact.confidence, listed=bool(fact.listed), list_ids=lists,
        list_jurisdictions=jurisdictions,
        talent_program=fact.counterparty_kind == "talent_program" or fact.kind == "talent_program", undisclosed=False,
        in_kind=bool(fact.properties.get("in_kind")), paid=fact.properties.get("paid"), role_normalized=fact.properties.get("role_normalized"),
        clauses_missing=fact.clauses_missing, counterparty_unresolved=fact.counterparty_unresolved, counterparty_kind=fact.counterparty_kind,
        technology_areas=areas, evidence=fact.evidence,
        details={"chain": fact.chain, "listed_via": listed_via or [], "clauses_stated": fact.clauses_stated},
    )


def from_undisclosed(item: UndisclosedLink, person: tuple[str, str | None], areas: list[str], as_of: str | None) -> Finding:
    link = item.link
    active, since = timing(link.end, as_of)
    return Finding(
        id=_fid("undisclosed", person[0], link.relation, link.target_id, link.start),
        kind="undisclosed",
        summary=f"{person[1] or person[0]} {link.relation} {link.target_name or link.target_id} ({link.start or '?'}–{link.end or 'present'}): {item.reason}",
        person_id=person[0], person_name=person[1], entity_id=link.target_id, entity_name=link.target_name, relation=link.relation,
        start=link.start, end=link.end, active=active, years_since_end=since, hops=1, via_structure_only=True, path_score=0.0,
        confidence=link.confidence, listed=bool(link.listed_on), list_ids=sorted(link.listed_on), list_jurisdictions=[],
        talent_program=False, undisclosed=True, in_kind=bool(link.properties.get("in_kind")), paid=link.properties.get("paid"),
        role_normalized=link.properties.get("role_normalized"), clauses_missing=[], counterparty_unresolved=False,
        counterparty_kind=None, technology_areas=areas, evidence=item.open_evidence,
        details={"reason": item.reason, "nearest_disclosed": [asdict(d) for d in item.nearest_disclosed]},
    )
