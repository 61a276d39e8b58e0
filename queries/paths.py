"""Concern paths: how a person, organization or project reaches entities on lists of concern.

For every listed entity within ``max_hops`` (1–6) the answer holds one best path, each hop with
its relation, dates, confidence and evidence, and a score (see ``path_score`` and
docs/risk-questions.md). Paths follow only the model's link, structure and (decided) resolution
relationships — never the record link to PersonalData, so protected attributes cannot influence a path.

Why a breadth-first search guided by concern proximity (graph/proximity.py): every entity
carries a lower bound of its hops to the nearest listed entity, so each level only steps to
neighbours that can still reach one in the hops left. A search for "any listed entity within
four hops" then touches the few entities on the way to one, not the hundreds of thousands within
four hops of a well-connected researcher. Each level is one Cypher statement under the time
budget: when the budget runs out, the levels finished so far are a complete answer for that
depth and the result says which depth was not explored.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Any

from graph import proximity
from graph.db import Database
from graph.model import load_model
from graph.provenance import evidence_list
from graph.schema import ident
from kizuna.errors import InvalidInput, NotFound
from queries.cypher import cypher, fragment
from queries.timing import TimedReads, parse_day, today, year_fraction

MAX_HOPS_LIMIT = 6
DEFAULT_MAX_HOPS = 4
DEFAULT_HUB_DEGREE = 200
DEFAULT_TIME_BUDGET_MS = 800
MAX_HUBS = 50  # hubs reported as left out per request (the nearest)
DEFAULT_MAX_PATHS = 500
MAX_PATHS_LIMIT = 5000
# Share of the time budget the search levels may use; the rest is kept for assembling the answer.
# Assembling a full answer (500 paths of up to six hops with their evidence and listings) took up
# to ~330 ms on the 2-core bench machine, so a quarter of 800 ms was too little (6 hops p95 929 ms
# in a slow run, 2026-12-01); a third of it keeps the whole answer near the budget.
LEVELS_SHARE = 0.65

# Weight of one hop by relationship type: how directly the relation transmits influence.
# Appointments, program participation and control count fully; co-authorship (two AUTHORED
# hops through a publication) counts least. Documented in docs/risk-questions.md.
HOP_WEIGHTS: dict[str, float] = {
    "AFFILIATED_WITH": 1.0,
    "PARTICIPATES_IN": 1.0,
    "ADVISES": 0.9,
    "FUNDED_BY": 0.9,
    "RECEIVED": 0.9,
    "AWARDED_TO": 0.8,
    "PARTY_TO": 0.9,
    "MEMBER_OF": 0.8,
    "AUTHORED": 0.7,
    "PART_OF": 0.8,
    "SUBSIDIARY_OF": 0.9,
    "SUPERVISED_BY": 0.7,
    "OWNED_BY": 0.9,
    "SAME_AS": 1.0,
}
DEFAULT_HOP_WEIGHT = 0.7
# Listing severity: a watchlist may carry `severity`; unknown severities count as "elevated".
SEVERITY_WEIGHTS = {"high": 1.0, "elevated": 0.8, "medium": 0.8, "low": 0.5}
DEFAULT_SEVERITY = 0.8
RECENCY_HALF_LIFE_YEARS = 5.0
RECENCY_FLOOR = 0.25


def path_types() -> tuple[list[str], list[str]]:
    """(all relationship types a path may follow, the structure types among them), from the model."""
    model = load_model()
    follow = model.rel_types("link", "structure", "resolution")
    return follow, model.rel_types("structure", "resolution")


def statement(name: str, max_hops: int = MAX_HOPS_LIMIT) -> str:
    """A statement of paths.cypher with the model's relationship types and the shared listing
    scope put in (names from allow-lists, never from a request)."""
    follow, structure = path_types()
    in_scope = fragment("paths", "in_scope")
    text = cypher("paths", name).replace("__PATH_TYPES__", "|".join(ident(t) for t in follow))
    text = text.replace("__STRUCTURE_TYPES__", "|".join(ident(t) for t in structure)).replace("__IN_SCOPE__", f"({in_scope})")
    return text.replace("__MAX_HOPS__", str(max_hops))


# Assembled once from the model's allow-listed names, the shared listing scope and the constant
# range of depths.
_EXPAND = statement("expand")
_SUBJECT = statement("subject")
_LISTINGS = statement("listings")
_DETAILS = statement("details")
BASELINE = {h: statement("baseline_paths", h) for h in range(1, MAX_HOPS_LIMIT + 1)}


@dataclass
class PathFilters:
    """What a concern-path search may follow. ``as_of`` keeps only facts and listings valid on
    that date; ``window_from`` widens the facts' window back to that date (look-back windows);
    listings must always be in effect at ``as_of``."""

    max_hops: int = DEFAULT_MAX_HOPS
    lists: list[str] | None = None
    relation_types: list[str] | None = None
    min_confidence: float = 0.0
    as_of: str | None = None
    window_from: str | None = None
    hub_degree: int = DEFAULT_HUB_DEGREE
    time_budget_ms: int = DEFAULT_TIME_BUDGET_MS
    max_paths: int = DEFAULT_MAX_PATHS

    def validated(self) -> "PathFilters":
        if not 1 <= int(self.max_hops) <= MAX_HOPS_LIMIT:
            raise InvalidInput(f"max_hops must be between 1 and {MAX_HOPS_LIMIT}, not {self.max_hops}")
        if not 0.0 <= float(self.min_confidence) <= 1.0:
            raise InvalidInput("min_confidence must be between 0 and 1")
        if self.hub_degree < 1 or self.time_budget_ms < 1:
            raise InvalidInput("hub_degree and time_budget_ms must be positive")
        if not 1 <= int(self.max_paths) <= MAX_PATHS_LIMIT:
            raise InvalidInput(f"max_paths must be between 1 and {MAX_PATHS_LIMIT}, not {self.max_paths}")
        if self.hub_degree > proximity.HUB_DEGREE:
            raise InvalidInput(f"hub_degree may be at most {proximity.HUB_DEGREE}, the hub rule the concern-proximity index was built with")
        follow, _ = path_types()
        if self.relation_types:
            unknown = sorted(set(self.relation_types) - set(follow))
            if unknown:
                raise InvalidInput(f"relation types not followed by concern paths: {', '.join(unknown)}; allowed: {', '.join(follow)}")
        as_of = parse_day(self.as_of)
        window_from = parse_day(self.window_from, field="window_from")
        return PathFilters(int(self.max_hops), list(self.lists) if self.lists else None, list(self.relation_types) if self.relation_types else None,
                           float(self.min_confidence), as_of, window_from, int(self.hub_degree), int(self.time_budget_ms), int(self.max_paths))


@dataclass
class Hop:
    relation: str
    from_id: str
    to_id: str
    from_name: str | None
    to_name: str | None
    start: str | None
    end: str | None
    confidence: float
    properties: dict[str, Any]
    evidence: list[dict]


@dataclass
class Listing:
    watchlist_id: str
    watchlist_name: str
    jurisdiction: str | None
    authority: str | None
    severity: str | None
    start: str | None
    end: str | None
    reason: str | None
    program: str | None
    listed_name: str | None
    evidence: list[dict]


@dataclass
class ConcernPath:
    target_id: str
    target_name: str | None
    target_label: str
    target_kind: str | None
    hops: list[Hop]
    listings: list[Listing]
    score: float
    score_parts: dict[str, float]

    def stops(self, start_id: str) -> list[tuple[str, str | None]]:
        """The entities along the path from ``start_id`` (its subject), with their names. Why not
        each hop's ``to`` end: a path may follow a relationship against its direction (from a
        publication to its co-author's AUTHORED), so each step goes to the hop's other end.
        Worked out once per start (a finding and its stored form both ask): do not change the list."""
        known = self.__dict__.get("_stops")  # not a field: dataclass equality and asdict ignore it
        if known is not None and known[0] == start_id:
            return known[1]
        stops = self._stops(start_id)
        self.__dict__["_stops"] = (start_id, stops)
        return stops

    def _stops(self, start_id: str) -> list[tuple[str, str | None]]:
        if not self.hops:
            return [(self.target_id, self.target_name)]
        first = self.hops[0]
        stops = [(start_id, first.from_name if first.from_id == start_id else first.to_name)]
        at = start_id
        for hop in self.hops:
            at, name = (hop.to_id, hop.to_name) if hop.from_id == at else (hop.from_id, hop.from_name)
            stops.append((at, name))
        return stops


@dataclass
class LeftOut:
    """Something the search did not explore: a hub whose links were not followed, or a depth
    the time budget did not reach."""

    kind: str
    reason: str
    entity_id: str | None = None
    name: str | None = None
    degree: int | None = None
    hops: int | None = None


@dataclass
class ConcernPathsResult:
    subject_id: str
    subject_name: str | None
    subject_label: str
    max_hops: int
    hops_explored: int
    as_of: str | None
    partial: bool
    left_out: list[LeftOut]
    paths: list[ConcernPath]
    elapsed_ms: float
    total_paths: int = 0  # listed entities reached; ``paths`` holds the best ``max_paths`` of them


_PLAIN = {"ev_key", "ev_source", "ev_locator", "ev_start", "ev_end", "ev_text", "ev_observed", "ev_method", "ev_confidence", "id", "first_seen", "last_seen", "confidence"}

# A step of the expand statement: [neighbour id, severities of its listings in scope (None: not
# listed), structure relation?, relationship type, leaves the frontier entity?, confidence,
# relationship element id, end, share].
STEP_ID, STEP_SEVERITIES, STEP_STRUCTURE, STEP_TYPE, STEP_OUTGOING, STEP_CONFIDENCE, STEP_REL, STEP_END, STEP_SHARE = range(9)


def _hop(step: list, parent: str, props: dict, nodes: dict[str, list]) -> Hop:
    """The hop from ``parent`` over ``step`` (its relationship's ``props`` and the ``nodes``'
    [id, label, name, kind] fetched at assembly)."""
    from_id, to_id = (parent, step[STEP_ID]) if step[STEP_OUTGOING] else (step[STEP_ID], parent)
    from_node, to_node = nodes.get(from_id), nodes.get(to_id)
    return Hop(
        relation=step[STEP_TYPE],
        from_id=from_id,
        to_id=to_id,
        from_name=from_node[2] if from_node else None,
        to_name=to_node[2] if to_node else None,
        start=props.get("start"),
        end=props.get("end"),
        confidence=float(props.get("confidence") or 0.0),
        properties={k: v for k, v in props.items() if k not in _PLAIN},
        evidence=evidence_list(props),
    )


def _listing(row: dict) -> Listing:
    props = row["props"]
    return Listing(row["watchlist_id"], row["watchlist_name"], row["jurisdiction"], row["authority"], row["severity"],
                   props.get("start"), props.get("end"), props.get("reason"), props.get("program"), props.get("listed_name"),
                   evidence_list(props))


def path_score(hops: list[Hop], listings: list[Listing], as_of: str | None) -> tuple[float, dict[str, float]]:
    """Score of a path in (0, 1]: listing severity × Π over hops of (type weight × confidence ×
    recency). Recency halves every RECENCY_HALF_LIFE_YEARS since a hop's end date (floor
    RECENCY_FLOOR); open or current hops count fully. Shorter, surer, more recent paths to more
    severe listings score higher. An ownership or subsidiary hop with a ``share`` weighs
    0.5 + 0.5 × share of its type weight."""
    return score_of([(h.relation, h.confidence, h.end, h.properties.get("share")) for h in hops], [ls.severity for ls in listings], as_of)


def score_of(hops: list[tuple[str, float, str | None, Any]], severities: list[str | None], as_of: str | None) -> tuple[float, dict[str, float]]:
    """``path_score`` over (relation, confidence, end, share) per hop and the listings' severities:
    what the search knows before the hops' other properties are fetched."""
    reference = year_fraction(as_of or today())
    parts = (1.0, 1.0, 1.0)
    for relation, confidence, end, share in hops:
        parts = _extend(parts, relation, confidence, end, share, reference)
    return _finish(parts, severities)


def _extend(parts: tuple[float, float, float], relation: str, confidence: float, end: str | None, share: Any,
            reference: float) -> tuple[float, float, float]:
    """(hop types, confidence, recency) parts of a path score with one more hop multiplied in —
    in hop order, so a path scored hop by hop and one scored from its prefix's parts give the
    same floats."""
    type_part, conf_part, recency_part = parts
    weight = HOP_WEIGHTS.get(relation, DEFAULT_HOP_WEIGHT)
    if relation in ("OWNED_BY", "SUBSIDIARY_OF") and isinstance(share, (int, float)) and not isinstance(share, bool):
        weight *= 0.5 + 0.5 * min(max(float(share), 0.0), 1.0)
    type_part *= weight
    conf_part *= min(max(float(confidence or 0.0), 0.0), 1.0)
    if isinstance(end, str) and end[:4].isdigit():
        years = max(0.0, reference - year_fraction(end))
        recency_part *= max(RECENCY_FLOOR, math.pow(0.5, years / RECENCY_HALF_LIFE_YEARS))
    return type_part, conf_part, recency_part


def _finish(parts: tuple[float, float, float], severities: list[str | None]) -> tuple[float, dict[str, float]]:
    type_part, conf_part, recency_part = parts
    severity = max((SEVERITY_WEIGHTS.get((s or "").lower(), DEFAULT_SEVERITY) for s in severities), default=DEFAULT_SEVERITY)
    score = severity * type_part * conf_part * recency_part
    return round(score, 6), {"severity": severity, "hop_types": round(type_part, 6), "confidence": round(conf_part, 6), "recency": round(recency_part, 6)}


def _params(subject_id: str, f: PathFilters) -> dict[str, Any]:
    follow, structure = path_types()
    return {
        "id": subject_id,
        "subjects": [subject_id],
        "types": f.relation_types or follow,
        "structure_types": structure,
        "min_confidence": f.min_confidence,
        "from": f.window_from or f.as_of,
        "to": f.as_of,
        "as_of": f.as_of,
        "lists": f.lists,
        "hub_degree": f.hub_degree,
    }


async def subjects_info(db: Database, subject_ids: list[str], lists: list[str] | None = None, as_of: str | None = None) -> dict[str, dict[str, Any]]:
    """Label, name, kind, concern proximity, degree and the severities of its own listings in
    scope (``lists``, ``as_of``) of each subject that exists (by id)."""
    return {r["id"]: r for r in await db.read(_SUBJECT, {"ids": list(subject_ids), "lists": lists, "as_of": as_of})}


async def subject_info(db: Database, subject_id: str) -> dict[str, Any]:
    found = await subjects_info(db, [subject_id])
    if subject_id not in found:
        raise NotFound(f"no entity with id {subject_id!r}")
    return found[subject_id]


class _Search:
    """The state of one subject's breadth-first search; several run level by level together."""

    def __init__(self, subject: dict[str, Any], f: PathFilters):
        self.subject, self.f = subject, f
        self.reference = year_fraction(f.as_of or today())  # the date recency is measured from
        sid = subject["id"]
        # reached: entity id -> (severities of its listings in scope or None, the step that reached it, the entity it came from)
        self.reached: dict[str, tuple[list | None, list | None, str | None]] = {sid: (subject.get("severities") or None, None, None)}
        self.strength = {sid: 1.0}  # best product of hop weight x confidence over the shortest paths found
        self.left_out: list[LeftOut] = []
        # the listed entities the answer gives paths to, with the score and its parts (the path
        # itself is the search tree's branch to the entity)
        self.targets: dict[str, tuple[float, dict]] = {}
        self.total_paths = 0
        self.explored = 0
        # Concern proximity says no neighbour of a subject that is not a hub can reach a listed
        # entity in the hops left: every depth is answered without a query (the subject itself
        # is still checked for listings).
        hops = subject.get("concern_hops")
        hopeless = (hops is None or hops > f.max_hops) and subject.get("degree", 0) <= f.hub_degree
        self.frontier = [] if hopeless else [sid]
        if hopeless:
            self.explored = f.max_hops

    def absorb(self, depth: int, rows: dict[str, tuple[int, list]]) -> None:
        """One level: ``rows`` holds the expansion (degree, steps) of (at least) this search's frontier."""
        f, sid = self.f, self.subject["id"]
        self.explored = depth + 1
        found: dict[str, tuple[float, list, str]] = {}
        for node_id in self.frontier:
            degree, steps = rows[node_id]
            is_open = node_id == sid or degree <= f.hub_degree
            if not is_open:
                self.left_out.append(LeftOut("hub", f"links of this hub (degree {degree} > {f.hub_degree}) were not followed; only its structure relations were",
                                             node_id, None, degree, depth))
            for step in steps:
                if step[STEP_ID] in self.reached or not (is_open or step[STEP_STRUCTURE]):
                    continue
                weight = self.strength[node_id] * HOP_WEIGHTS.get(step[STEP_TYPE], DEFAULT_HOP_WEIGHT) * float(step[STEP_CONFIDENCE] or 0.0)
                if step[STEP_ID] not in found or weight > found[step[STEP_ID]][0]:
                    found[step[STEP_ID]] = (weight, step, node_id)
        for node_id, (weight, step, parent) in found.items():
            self.reached[node_id] = (step[STEP_SEVERITIES] or None, step, parent)
            self.strength[node_id] = weight
        self.frontier = sorted(found)
        if not self.frontier:  # nothing further can reach a listed entity: every depth is answered
            self.explored = f.max_hops

    def out_of_time(self, depth: int) -> None:
        f = self.f
        self.left_out.append(LeftOut("depth", f"time budget of {f.time_budget_ms} ms ran out: paths of {depth + 1} to {f.max_hops} hops not explored", hops=depth + 1))
        self.frontier = []

    def _fold(self, target: str, memo: dict[str, Any], extend) -> Any:
        """``memo[target]``, each entity's value ``extend(its parent's value, its step, the
        parent)``, from the nearest entity already in ``memo`` down to ``target``. Why: the paths
        to a subject's listed entities share their first hops, so whatever a path is made of is
        worked out once per entity of the search tree, not once per path and hop."""
        pending, at = [], target
        while at not in memo:
            pending.append(at)
            at = self.reached[at][2]
        for node in reversed(pending):
            _, step, parent = self.reached[node]
            memo[node] = extend(memo[parent], step, parent)
        return memo[target]

    def _score_step(self, known: tuple, step: list, parent: str) -> tuple:
        """(score parts, number of hops) of a path, from its parent's."""
        parts, length = known
        return _extend(parts, step[STEP_TYPE], step[STEP_CONFIDENCE], step[STEP_END], step[STEP_SHARE], self.reference), length + 1

    def trim_left_out(self) -> None:
        """Report at most MAX_HUBS hubs (the nearest, then the largest), and say how many there were."""
        hubs = [lo for lo in self.left_out if lo.kind == "hub"]
        if len(hubs) > MAX_HUBS:
            hubs.sort(key=lambda lo: (lo.hops or 0, -(lo.degree or 0)))
            self.left_out = [lo for lo in self.left_out if lo.kind != "hub"] + hubs[:MAX_HUBS]
            self.left_out.append(LeftOut("hub", f"{len(hubs)} hubs on the way; the nearest {MAX_HUBS} are listed"))

    def choose_targets(self) -> None:
        """The reached entities with a listing in scope, scored, and the best ``max_paths`` of
        them kept in the order of the answer. Why score before fetching the hops: a subject can
        reach thousands of listed entities at six hops, and a caller paging through twenty need
        not wait for all of them to be assembled. ``total_paths`` keeps the count of all."""
        ranked = []
        memo: dict[str, tuple] = {self.subject["id"]: ((1.0, 1.0, 1.0), 0)}
        for target, (severities, _, _) in self.reached.items():
            if severities:
                parts, length = self._fold(target, memo, self._score_step)
                score, score_parts = _finish(parts, severities)
                ranked.append((-score, length, target, score_parts))
        ranked.sort(key=lambda r: r[:3])
        self.total_paths = len(ranked)
        self.targets = {target: (-neg, parts) for neg, _, target, parts in ranked[: self.f.max_paths]}

    def needs(self) -> tuple[dict[tuple[str, str], list], set[str]]:
        """The hops the answer shows, as {(relationship element id, entity it leaves): step}, and
        the entity ids on them: the targets' paths and the hubs."""
        hops, nodes = {}, {lo.entity_id for lo in self.left_out if lo.entity_id}
        walked = {self.subject["id"]}
        for target in self.targets:
            nodes.add(target)
            at = target
            while at not in walked:  # up the search tree to an entity whose hops are in already
                walked.add(at)
                _, step, parent = self.reached[at]
                hops[(step[STEP_REL], parent)] = step
                nodes.add(parent)
                at = parent
        return hops, nodes

    def result(self, listings: dict[str, list[Listing]], hops: dict[tuple[str, str], Hop], nodes: dict[str, list], elapsed_ms: float) -> ConcernPathsResult:
        f, subject = self.f, self.subject
        for lo in self.left_out:
            if lo.entity_id:
                lo.name = nodes[lo.entity_id][2] if lo.entity_id in nodes else None
        paths = []
        hop_lists: dict[str, list[Hop]] = {subject["id"]: []}

        def with_hop(known: list[Hop], step: list, parent: str) -> list[Hop]:
            return known + [hops[(step[STEP_REL], parent)]]

        for target, (score, parts) in self.targets.items():
            _, label, name, kind = nodes.get(target) or [target, None, None, None]
            paths.append(ConcernPath(target, name, label, kind, self._fold(target, hop_lists, with_hop), listings.get(target, []), score, parts))
        return ConcernPathsResult(subject["id"], subject["name"], subject["label"], f.max_hops, self.explored, f.as_of, bool(self.left_out),
                                  self.left_out, paths, elapsed_ms, self.total_paths)


class _Recent:
    """A dict that forgets its least recently used half when the weight of what it holds passes
    ``limit``. Why by use and not by age: on the bench graph, forgetting the oldest half dropped
    the expansion hit rate from 0.57 to 0.23 for the next batch (the organizations every batch
    crosses went with it); by use it dropped to 0.44 and recovered sooner."""

    def __init__(self, limit: int):
        self.limit, self.weight = limit, 0
        self.items: dict[Any, tuple[Any, int]] = {}

    def get(self, key: Any) -> Any:
        found = self.items.pop(key, None)
        if found is None:
            return None
        self.items[key] = found  # now the most recently used (a dict keeps insertion order)
        return found[0]

    def put(self, key: Any, value: Any, weight: int = 1) -> None:
        if self.limit <= 0 or key in self.items:
            return
        self.items[key] = (value, weight)
        self.weight += weight
        if self.weight > self.limit:
            for old in list(self.items)[: len(self.items) // 2]:
                self.weight -= self.items.pop(old)[1]


#: What a SearchCache holds at most by default, in units of about one step, evidence entry or
#: listing (a sweep worker peaked at 2.2 GB with it on the 1M-node bench graph, 100k subjects).
SEARCH_CACHE_WEIGHT = 2_000_000


class SearchCache:
    """What concern-path searches read that does not depend on the subject — an entity's
    expansion at a number of hops left, a target's listings in scope, a hop with its evidence,
    an entity's label and name — kept across the batches of one population sweep, so that an
    organization on the way to a listed entity is read and decoded once per sweep, not once per
    batch. ``concern_paths_many`` without one uses a cache that keeps nothing (``max_weight``
    0): within one call nothing recurs that the call does not already share.

    Why it is safe: all of it depends only on the entities and the filters — except the
    expansion of a hub that is itself a subject (all its steps are followed then), so subjects
    of the batch are never served from or stored in the expansions. A cache belongs to one set of
    filters (``concern_paths_many`` refuses another) and to one sweep: a sweep has ingested and
    resolved before it assesses, and a change made while it runs (an investigator's decision)
    reaches the batches after it only for what was not read yet — the next sweep sees it
    everywhere. Why it pays: on the 1M-node bench graph a batch of 250 researchers expands
    ~25k entities at its last two levels and assembles ~30k hops, and most recur in the next
    batches. ``max_weight`` bounds it (about one unit per step, evidence entry or listing)."""

    def __init__(self, filters: PathFilters, max_weight: int = SEARCH_CACHE_WEIGHT):
        self.filters = filters.validated()
        # Shares by what fills up on the bench graph: expansions most (and they save the most: a
        # level's statement), then hops; listings of the listed entities in reach stay few.
        self.expansions, self.hops = _Recent(max_weight // 2), _Recent(max_weight // 4)
        self.nodes, self.listings = _Recent(max_weight // 8), _Recent(max_weight // 8)
        self.hits = self.misses = 0

    def known_expansions(self, frontier: list[str], left: int, subjects: set[str]) -> dict[str, tuple[int, list]]:
        found = {}
        for node_id in frontier:
            row = None if node_id in subjects else self.expansions.get((node_id, left))
            if row is not None:
                found[node_id] = row
        self.hits += len(found)
        self.misses += len(frontier) - len(found)
        return found

    def keep_expansions(self, rows: dict[str, tuple[int, list]], left: int, subjects: set[str]) -> None:
        for node_id, row in rows.items():
            if node_id not in subjects:
                self.expansions.put((node_id, left), row, 1 + len(row[1]))


async def concern_paths_many(db: Database, subject_ids: list[str], filters: PathFilters | None = None,
                             cache: SearchCache | None = None) -> dict[str, ConcernPathsResult]:
    """``concern_paths`` for many subjects at once (the population sweep): the searches advance
    level by level together, one statement per level for all of them, and subjects that concern
    proximity rules out cost no search at all. Each result is the one ``concern_paths`` gives,
    except that the time budget (``time_budget_ms`` per subject) is shared by the batch.

    Why the search carries only ids, types and confidences, and the hops' properties and names
    are fetched once at the end: a level reaches hundreds of neighbours of which few end on a
    path, and decoding what the driver receives is most of a level's cost. ``cache`` (made for the
    same filters) keeps what does not depend on the subject across the batches of a sweep."""
    f = (filters or PathFilters()).validated()
    if cache is None:
        cache = SearchCache(f, max_weight=0)
    elif cache.filters != f:
        raise InvalidInput("the search cache was made for other concern-path filters")
    started = time.perf_counter()
    ids = list(dict.fromkeys(subject_ids))
    infos = await subjects_info(db, ids, f.lists, f.as_of)
    missing = [sid for sid in ids if sid not in infos]
    if missing:
        raise NotFound(f"no entity with id {missing[0]!r}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    searches = [_Search({"id": sid, **infos[sid]}, f) for sid in ids]
    subjects = set(ids)
    params = _params(ids[0] if ids else "", f) | {"subjects": ids}
    budget = LEVELS_SHARE * f.time_budget_ms * max(len(ids), 1) / 1000.0
    # Every level in one read transaction whose server-side timeout is what is left of the budget.
    async with TimedReads(db, budget - (time.perf_counter() - started)) as levels:
        for depth in range(f.max_hops):
            active = [s for s in searches if s.frontier]
            if not active:
                break
            frontier = sorted({node_id for s in active for node_id in s.frontier})
            left = f.max_hops - depth - 1
            by_node = cache.known_expansions(frontier, left, subjects)
            wanted = [node_id for node_id in frontier if node_id not in by_node]
            if wanted:
                in_time = time.perf_counter() - started < budget
                rows = await levels.read(_EXPAND, {**params, "frontier": wanted, "left": left}) if in_time else None
                if rows is None:
                    for s in active:
                        s.out_of_time(depth)
                    break
                fetched = {node_id: (degree, steps) for node_id, degree, steps in rows[0]["rows"]}
                cache.keep_expansions(fetched, left, subjects)
                by_node.update(fetched)
            for s in active:
                s.absorb(depth, by_node)
    steps, nodes, targets = {}, set(), set()
    for s in searches:
        s.trim_left_out()
        s.choose_targets()
        more_steps, more_nodes = s.needs()
        steps.update(more_steps)
        nodes |= more_nodes
        targets.update(s.targets)
    # What this call shows, from the cache or read now (kept here: the cache may forget meanwhile).
    listings = {t: found for t in targets if (found := cache.listings.get(t)) is not None}
    hops = {key: found for key in steps if (found := cache.hops.get(key)) is not None}
    node_info = {n: found for n in nodes if (found := cache.nodes.get(n)) is not None}
    new_targets = sorted(targets - listings.keys())
    new_hops = [key for key in steps if key not in hops]
    new_nodes = sorted(nodes - node_info.keys())  # (both ends of every hop are among the nodes)
    new_rels = sorted({rel for rel, _ in new_hops})
    if new_targets or new_rels or new_nodes:
        # Two reads at once: the server answers them on two cores while the first one is decoded.
        listing_rows, details = await asyncio.gather(
            db.read(_LISTINGS, {"ids": new_targets, "lists": f.lists, "as_of": f.as_of}),
            db.read(_DETAILS, {"rels": new_rels, "nodes": new_nodes}))
        found_listings: dict[str, list[Listing]] = {t: [] for t in new_targets}
        for row in listing_rows[0]["listings"]:
            found_listings[row["entity"]].append(_listing(row))
        for target, rows in found_listings.items():
            listings[target] = rows
            cache.listings.put(target, rows, 1 + len(rows))
        for row in details[0]["nodes"]:
            node_info[row[0]] = row
            cache.nodes.put(row[0], row)
        rel_props = dict(details[0]["rels"])
        for key in new_hops:
            hop = _hop(steps[key], key[1], rel_props.get(key[0], {}), node_info)
            hops[key] = hop
            cache.hops.put(key, hop, 1 + len(hop.evidence))
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    return {s.subject["id"]: s.result(listings, hops, node_info, elapsed) for s in searches}


async def concern_paths(db: Database, subject_id: str, filters: PathFilters | None = None) -> ConcernPathsResult:
    """Best path from ``subject_id`` to every listed entity reachable under ``filters``.

    ``partial`` is true when something was left out: hubs whose links were not followed
    (listed in ``left_out`` with their degree) or depths the time budget did not reach."""
    return (await concern_paths_many(db, [subject_id], filters))[subject_id]


async def warm_up(db: Database) -> None:
    """Plan the concern-path statements once (EXPLAIN runs nothing), so the first real request
    does not spend its time budget on query planning. Call at service start."""
    params = _params("warm-up", PathFilters().validated())
    params.update({"ids": [], "frontier": [], "left": 0, "rels": [], "nodes": []})
    for text in (_EXPAND, _SUBJECT, _LISTINGS, _DETAILS):
        await db.read("EXPLAIN " + text, params)
