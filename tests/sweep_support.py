"""Shared helpers of the sweep tests: cut the real METI list into versions, craft a small
research graph around it (researchers with a disclosure that states their appointments, so
the assessment judges them on their links, not on missing information), write definitions into
a temporary folder."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord
from ingest.meti import LIST_KEY
from kizuna.ids import make_id

DATA = Path(__file__).parent / "data" / "sweeps"
METI = Path("meti_end_user_list") / "meti_foreign_user_list_20250929.csv"
EV = Evidence("src:test:crafted", "crafted graph", "2025-01-01T00:00:00+00:00", "test", 1.0)
#: The organization the real METI ingestor writes for an entry name (deterministic).
def meti_org(name: str) -> str:
    return make_id("org", LIST_KEY, name)




def meti_rows(shared_data: Path) -> tuple[list[str], list[dict[str, str]]]:
    with (shared_data / METI).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header)
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def definition(tmp: Path, name: str = "meti_diff.yaml", **overrides) -> Path:
    """A copy of a test definition in ``tmp`` with top-level keys overridden."""
    raw = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    raw.update(overrides)
    target = tmp / f"{raw['id']}.yaml"
    target.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def person(key: str) -> str:
    return make_id("per", "test", key)


def local_org(key: str) -> str:
    return make_id("org", "test", key)


def disclosure(key: str) -> str:
    return make_id("dis", "test", key)


async def craft_people(db, people: dict[str, list[tuple[str, str | None]]], extra_orgs: dict[str, str] | None = None,
                       part_of: list[tuple[str, str]] = (), undisclosed: set[str] = frozenset()) -> None:
    """people: key -> [(org key, org name)] affiliations (an org key starting with "meti:" is the
    organization the METI ingestor writes for that name); extra_orgs: org key -> name;
    part_of: (child org key, parent org key). Everyone with an affiliation has a disclosure that
    states it (unless in ``undisclosed``); people with none have no disclosure either."""
    orgs: dict[str, str] = dict(extra_orgs or {})
    for affs in people.values():
        for org_key, org_name in affs:
            orgs.setdefault(org_key, org_name)

    def org(key: str) -> str:
        return meti_org(orgs[key]) if key.startswith("meti:") else local_org(key)

    nodes = [NodeRecord("Person", person(k), {"name": f"Researcher {k}", "names": [f"Researcher {k}"]}, EV) for k in people]
    nodes += [NodeRecord("Organization", org(k), {"name": n, "names": [n]}, EV) for k, n in orgs.items()]
    rels = [RelRecord("AFFILIATED_WITH", person(k), org(o), {"role": "professor", "start": "2020-01-01"}, EV)
            for k, affs in people.items() for o, _ in affs]
    rels += [RelRecord("PART_OF", org(c), org(p), {}, EV) for c, p in part_of]
    report = await GraphWriter(db).write(nodes, rels)
    assert not report.missing_endpoints
    nodes, rels = [], []
    for k, affs in people.items():
        if not affs or k in undisclosed:
            continue
        nodes.append(NodeRecord("Disclosure", disclosure(k), {"subject_id": person(k), "version": 1, "submitted_at": "2024-04-01"}, EV))
        rels.append(RelRecord("SUBMITTED", person(k), disclosure(k), {}, EV))
        stated = Evidence(disclosure(k), "form / appointments", "2024-04-01T00:00:00+00:00", "disclosure-form", 1.0)
        rels += [RelRecord("AFFILIATED_WITH", person(k), org(o), {"role": "professor", "start": "2020-01-01"}, stated) for o, _ in affs]
    report = await GraphWriter(db).write(nodes, rels)
    assert not report.missing_endpoints
