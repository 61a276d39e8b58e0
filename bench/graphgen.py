"""Generate a research graph with a realistic degree distribution for the path benchmarks.

Generated once per scale into var/bench/graph-scale<scale> (never committed) and reused by the
path, sweep and API benchmarks (``bench_graph``); delete the folder to regenerate. Shape (scale 1.0):
~600k people, ~40k organizations (Zipf-sized: a few dozen hubs with 10k+ affiliates),
~330k publications with skewed author counts, topics and acknowledged funders, grants with host
institutions, contracts, projects, six watchlists with 5k listed organizations (some listings
ended), and organizational structure trees.

Why raw ``UNWIND ... CREATE`` here and not graph.writer: the writer's MERGE-with-provenance
path is measured by the writer benchmark; this generator only needs the data in place fast.
Relationships still carry confidence, dates and a minimal evidence list so that concern paths
read what they read in production.
"""

from __future__ import annotations

import bisect
import json
import itertools
import random
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.harness import private_neo4j
from graph import proximity
from graph.db import Database
from graph.schema import apply_schema

REPO = Path(__file__).resolve().parent.parent
GENERATOR_VERSION = 2  # bump when the generated shape changes: stored graphs are regenerated

BATCH = 20_000
WATCHLISTS = [
    ("wl:us-dod-1286", "US DoD Section 1286", "US", "high"),
    ("wl:us-bis-entity", "US BIS Entity List", "US", "high"),
    ("wl:us-dod-1260h", "US DoD 1260H", "US", "elevated"),
    ("wl:ca-nro", "Canada Named Research Organizations", "CA", "high"),
    ("wl:jp-meti-eul", "METI End User List", "JP", "elevated"),
    ("wl:aspi-unitracker", "ASPI China Defence Universities Tracker", "AU", "low"),
]
AREAS = ["tech:strac:quantum", "tech:strac:ai", "tech:jp:semiconductors", "tech:general:materials", "tech:general:biology"]


@dataclass
class Shape:
    persons: int
    orgs: int
    publications: int
    grants: int
    contracts: int
    projects: int
    listed: int
    funders: int

    @classmethod
    def scaled(cls, scale: float) -> "Shape":
        s = lambda n: max(int(n * scale), 10)  # noqa: E731
        return cls(s(600_000), s(40_000), s(330_000), s(30_000), s(5_000), s(5_000), max(int(5_000 * scale), 50), s(2_000))


class Sampler:
    """Zipf-like sampling over ranks 0..n-1 (rank 0 the largest)."""

    def __init__(self, n: int, exponent: float, offset: float, rng: random.Random):
        weights = [1.0 / (i + offset) ** exponent for i in range(n)]
        self.cum = list(itertools.accumulate(weights))
        self.rng = rng

    def __call__(self) -> int:
        return bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])


def _date(rng: random.Random, lo: int, hi: int) -> str:
    return f"{rng.randint(lo, hi)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _period(rng: random.Random, ended_share: float = 0.4) -> tuple[str, str | None]:
    start = _date(rng, 1995, 2024)
    if rng.random() < ended_share:
        y = int(start[:4]) + rng.randint(1, 8)
        return start, _date(rng, min(y, 2025), min(y, 2025))
    return start, None


def _rel(rng: random.Random, a: str, b: str, source: str, start: str | None = None, end: str | None = None, **extra) -> dict:
    conf = round(rng.uniform(0.5, 1.0), 2)
    props = {"confidence": conf, "ev_key": [f"{source}|{a}|{b}"], "ev_source": [source], "ev_locator": ["generated"],
             "ev_method": ["generated"], "ev_confidence": [conf], "ev_observed": ["2025-01-01T00:00:00+00:00"]}
    if start:
        props["start"] = start
    if end:
        props["end"] = end
    props.update(extra)
    return {"a": a, "b": b, "p": props}


class Generator:
    def __init__(self, shape: Shape, seed: int = 7):
        self.shape = shape
        self.rng = random.Random(seed)
        self.org_rank = Sampler(shape.orgs, 1.0, 3.0, self.rng)
        self.person_rank = Sampler(shape.persons, 0.6, 50.0, self.rng)
        self.listed_orgs = self._choose_listed()

    def _choose_listed(self) -> list[int]:
        rng = random.Random(11)
        # Mostly mid-sized and small organizations, a handful of hubs among them.
        hubs = rng.sample(range(0, 40), 3)
        rest = rng.sample(range(200, self.shape.orgs), self.shape.listed - len(hubs))
        return hubs + rest

    def nodes(self) -> Iterator[tuple[str, list[dict]]]:
        sh, rng = self.shape, self.rng
        yield "Watchlist", [{"id": i, "name": n, "jurisdiction": j, "severity": s} for i, n, j, s in WATCHLISTS]
        yield "TechnologyArea", [{"id": a, "name": a.split(":")[-1], "scheme": a.split(":")[1]} for a in AREAS]
        kinds = ["university", "research_institute", "company", "government_body", "funder", "military_body", "talent_program"]
        yield "Organization", [{"id": f"org:g{i}", "name": f"Organization {i}", "kind": "funder" if i < sh.funders else rng.choice(kinds[:4] + ["university"] * 3),
                                "country": "XX"} for i in range(sh.orgs)]
        for lo in range(0, sh.persons, BATCH):
            yield "Person", [{"id": f"per:g{i}", "name": f"Researcher {i}"} for i in range(lo, min(lo + BATCH, sh.persons))]
        for lo in range(0, sh.publications, BATCH):
            yield "Publication", [{"id": f"pub:g{i}", "title": f"Paper {i}", "year": rng.randint(2000, 2025)} for i in range(lo, min(lo + BATCH, sh.publications))]
        yield "Grant", [{"id": f"grt:g{i}", "title": f"Grant {i}"} for i in range(sh.grants)]
        yield "Contract", [{"id": f"ctr:g{i}", "title": f"Agreement {i}", "clauses": rng.sample(["ip", "confidentiality", "data access"], rng.randint(0, 3))} for i in range(sh.contracts)]
        yield "Project", [{"id": f"prj:g{i}", "title": f"Project {i}"} for i in range(sh.projects)]

    def relationships(self) -> Iterator[tuple[str, list[dict]]]:
        sh, rng = self.shape, self.rng
        wl_ids = [w[0] for w in WATCHLISTS]
        listings = []
        for org in self.listed_orgs:
            for wl in rng.sample(wl_ids, rng.choice([1, 1, 1, 2, 3])):
                start = _date(rng, 2012, 2024)
                end = _date(rng, int(start[:4]) + 1, 2026) if rng.random() < 0.1 else None
                listings.append(_rel(rng, f"org:g{org}", wl, wl, start, end, reason="generated"))
        yield "LISTED_ON", listings
        # Structure: 40% of organizations hang under a parent among the first 2,000.
        structure: dict[str, list[dict]] = {"PART_OF": [], "SUBSIDIARY_OF": [], "SUPERVISED_BY": []}
        for i in range(200, sh.orgs):
            if rng.random() < 0.4:
                parent = rng.randrange(0, min(2000, sh.orgs))
                t = rng.choice(list(structure))
                structure[t].append(_rel(rng, f"org:g{i}", f"org:g{parent}", "src:ror"))
        for t, rows in structure.items():
            yield t, rows
        # Appointments: 1–5 per person, organizations Zipf-sized (hubs with 10k+ affiliates).
        batch: list[dict] = []
        for p in range(sh.persons):
            for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5])):
                start, end = _period(rng)
                batch.append(_rel(rng, f"per:g{p}", f"org:g{self.org_rank()}", "src:orcid", start, end, role="professor"))
            if len(batch) >= BATCH:
                yield "AFFILIATED_WITH", batch
                batch = []
        yield "AFFILIATED_WITH", batch
        # Authorship: most papers have 2–12 authors, a few consortium papers have hundreds.
        batch = []
        for pub in range(sh.publications):
            n = rng.choice([2, 3, 3, 4, 4, 5, 6, 7, 8, 10, 12]) if rng.random() > 0.002 else rng.randint(200, 1500)
            for person in {self.person_rank() for _ in range(n)}:
                batch.append(_rel(rng, f"per:g{person}", f"pub:g{pub}", "src:openalex"))
            if len(batch) >= BATCH:
                yield "AUTHORED", batch
                batch = []
        yield "AUTHORED", batch
        received, funded = [], []
        for g in range(sh.grants):
            start, end = _period(rng, 0.6)
            funder = rng.randrange(sh.funders) if rng.random() < 0.95 else rng.choice(self.listed_orgs)
            funded.append(_rel(rng, f"grt:g{g}", f"org:g{funder}", "src:grants", start, end))
            for person in {self.person_rank() for _ in range(rng.randint(1, 4))}:
                received.append(_rel(rng, f"per:g{person}", f"grt:g{g}", "src:grants", start, end, role="PI"))
        yield "FUNDED_BY", funded
        yield "RECEIVED", received
        party, advises, participates, members, areas = [], [], [], [], []
        for c in range(sh.contracts):
            start, end = _period(rng)
            party.append(_rel(rng, f"per:g{self.person_rank()}", f"ctr:g{c}", "src:contracts", start, end))
            counterparty = rng.choice(self.listed_orgs) if rng.random() < 0.1 else self.org_rank()
            party.append(_rel(rng, f"org:g{counterparty}", f"ctr:g{c}", "src:contracts", start, end))
        for _ in range(sh.persons // 12):
            start, end = _period(rng)
            advises.append(_rel(rng, f"per:g{rng.randrange(sh.persons)}", f"org:g{self.org_rank()}", "src:orcid", start, end))
        programs = [i for i in range(sh.orgs) if i % 997 == 5][:40]
        for _ in range(sh.persons // 120):
            start, end = _period(rng)
            participates.append(_rel(rng, f"per:g{rng.randrange(sh.persons)}", f"org:g{rng.choice(programs)}", "src:lists", start, end))
        for pr in range(sh.projects):
            for person in {rng.randrange(sh.persons) for _ in range(rng.randint(2, 8))}:
                members.append(_rel(rng, f"per:g{person}", f"prj:g{pr}", "src:projects", "2023-01-01"))
            areas.append({"a": f"prj:g{pr}", "b": rng.choice(AREAS), "p": {}})
        yield "PARTY_TO", party
        yield "ADVISES", advises
        yield "PARTICIPATES_IN", participates
        yield "MEMBER_OF", members
        yield "IN_AREA", areas
        # Version 2, from its own random stream so that everything above stays as in version 1:
        # what OpenAlex and the grant databases add to a work or a grant — its topics (1–2
        # technology areas), the funders it acknowledges (15 % of works, a few of them listed) and
        # a grant's host institution.
        extra = random.Random(13)
        topics, acknowledged, hosts = [], [], []
        for pub in range(sh.publications):
            for area in extra.sample(AREAS, extra.choice([1, 2, 2])):
                topics.append({"a": f"pub:g{pub}", "b": area, "p": {}})
            if extra.random() < 0.15:
                funder = extra.randrange(sh.funders) if extra.random() < 0.98 else extra.choice(self.listed_orgs)
                acknowledged.append(_rel(extra, f"pub:g{pub}", f"org:g{funder}", "src:openalex"))
        for g in range(sh.grants):
            hosts.append(_rel(extra, f"grt:g{g}", f"org:g{self.org_rank()}", "src:grants"))
        yield "IN_AREA", topics
        yield "FUNDED_BY", acknowledged
        yield "AWARDED_TO", hosts


async def _write(db: Database, text: str, rows: list[dict]) -> None:
    async def work(tx):
        result = await tx.run(text, rows=rows)
        await result.consume()

    await db.execute_write(work)


async def generate(db: Database, scale: float = 1.0, *, log=print) -> dict[str, float]:
    """Write the generated graph; returns counts and timings."""
    from graph.schema import ident

    gen = Generator(Shape.scaled(scale))
    started = time.perf_counter()
    nodes = rels = 0
    for label, rows in gen.nodes():
        text = "UNWIND $rows AS row CREATE (n:Entity:" + ident(label) + ") SET n = row"
        for i in range(0, len(rows), BATCH):
            await _write(db, text, rows[i : i + BATCH])
        nodes += len(rows)
    node_s = time.perf_counter() - started
    log(f"  nodes: {nodes:,} in {node_s:.1f} s")
    rel_started = time.perf_counter()
    last = rel_started
    for rel_type, rows in gen.relationships():
        if not rows:
            continue
        text = ("UNWIND $rows AS row MATCH (a:Entity {id: row.a}) MATCH (b:Entity {id: row.b}) "
                "CREATE (a)-[r:" + ident(rel_type) + " {confidence: row.p.confidence, start: row.p.start, end: row.p.end, role: row.p.role, "
                "reason: row.p.reason, ev_key: row.p.ev_key, ev_source: row.p.ev_source, ev_locator: row.p.ev_locator, "
                "ev_method: row.p.ev_method, ev_confidence: row.p.ev_confidence, ev_observed: row.p.ev_observed}]->(b)")
        for i in range(0, len(rows), BATCH):
            await _write(db, text, rows[i : i + BATCH])
        rels += len(rows)
        if time.perf_counter() - last > 30:
            last = time.perf_counter()
            log(f"  relationships: {rels:,} ({rels / (last - rel_started):,.0f}/s)")
    rel_s = time.perf_counter() - rel_started
    log(f"  relationships: {rels:,} in {rel_s:.1f} s")
    return {"nodes": nodes, "relationships": rels, "node_seconds": node_s, "relationship_seconds": rel_s,
            "listed": len(gen.listed_orgs)}


@asynccontextmanager
async def bench_graph(scale: float = 1.0, *, heap_mb: int = 4096, pagecache_mb: int = 4096, log=print):
    """A private Neo4j holding the generated graph at ``scale`` (generated on first use, with its
    concern proximity built, then reused); yields (settings, db, figures of the generation)."""
    home = REPO / "var" / "bench" / f"graph-scale{scale:g}"
    with private_neo4j(heap_mb, pagecache_mb, home=home) as settings:
        db = Database(settings)
        try:
            await db.verify()
            await apply_schema(db)
            marker = await db.read("MATCH (m:KizunaBench {id: 'graph'}) RETURN m.scale AS scale, m.version AS version, m.figures AS figures")
            if marker and marker[0]["scale"] == scale and marker[0]["version"] == GENERATOR_VERSION:
                figures = json.loads(marker[0]["figures"])
                log(f"reusing the generated graph in {home} ({figures['nodes']:,} nodes, {figures['relationships']:,} relationships)")
            else:
                if marker:
                    raise SystemExit(f"{home} holds another generated graph: delete the folder to regenerate")
                log(f"generating scale {scale} into {home} ...")
                figures = await generate(db, scale, log=log)
                started = time.perf_counter()
                figures["proximity"] = {str(k): v for k, v in (await proximity.rebuild(db, log=log)).items()}
                figures["proximity_seconds"] = round(time.perf_counter() - started, 1)
                log(f"  concern proximity built in {figures['proximity_seconds']} s")
                await db.write("MERGE (m:KizunaBench {id: 'graph'}) SET m.scale = $scale, m.version = $version, m.figures = $figures",
                               {"scale": scale, "version": GENERATOR_VERSION, "figures": json.dumps(figures)})
            yield settings, db, figures
        finally:
            await db.close()

