"""Users' own watchlists: add one entry, or import a simple CSV/YAML list (until ingest/ offers
its importer, see api.backends.import_watchlist).

Everything is written through the graph writer with evidence naming the uploaded file (or the
API caller) as the source, so an entry added by hand is as traceable as one from an official list.

CSV columns: ``name`` (required), ``type`` (organization|person, default organization), ``kind``,
``aliases`` (``|``-separated), ``country``, ``ror``, ``id`` (an existing entity to list instead of
creating one), ``start``, ``end``, ``reason``. YAML: ``{entries: [ {same keys} ]}`` or a bare list.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime, timezone
from dataclasses import dataclass, field

import yaml

from graph.db import Database
from graph.provenance import Evidence, utc_now_iso
from graph.writer import GraphWriter, NodeRecord, RelRecord
from kizuna.errors import InvalidInput, NotFound, SourceUnreadable
from ingest.base import list_watchlist_id, name_org_id
from kizuna.ids import identifier_id, make_id, normalize_key
from queries import people as people_q

ENTRY_KEYS = {"name", "type", "kind", "aliases", "country", "ror", "id", "start", "end", "reason"}


@dataclass
class EntryInput:
    name: str | None = None
    entity_id: str | None = None
    type: str = "organization"
    kind: str | None = None
    aliases: list[str] = field(default_factory=list)
    country: str | None = None
    ror: str | None = None
    start: str | None = None
    end: str | None = None
    reason: str | None = None


def watchlist_id(name: str) -> str:
    """The id `kizuna ingest userlist --list-name NAME` gives the same list, so both meet."""
    return list_watchlist_id("user:" + normalize_key(name))


def _entity_records(wl_name: str, entry: EntryInput, ev: Evidence) -> tuple[str, list[NodeRecord]]:
    if entry.entity_id:
        return entry.entity_id, []
    if not entry.name or not entry.name.strip():
        raise InvalidInput("an entry needs a name or the id of an existing entity")
    name = entry.name.strip()
    names = list(dict.fromkeys([name] + [a.strip() for a in entry.aliases if a.strip()]))
    if entry.type == "person":
        pid = make_id("per", "watchlist", wl_name, name)
        return pid, [NodeRecord("Person", pid, {"name": name, "names": names}, ev)]
    if entry.type != "organization":
        raise InvalidInput(f"type must be organization or person, not {entry.type!r}")
    oid = identifier_id("org", "ror", entry.ror) if entry.ror else name_org_id(name)  # as every ingestor keys a name-only organization
    props = {"name": name, "names": names, "kind": entry.kind or "other", "country": entry.country, "ror": entry.ror}
    return oid, [NodeRecord("Organization", oid, props, ev)]


async def _ensure_watchlist(writer: GraphWriter, name: str, ev: Evidence) -> str:
    wid = watchlist_id(name)
    await writer.write_nodes([NodeRecord("Watchlist", wid, {"name": name, "names": [name], "authority": "user", "severity": "user"}, ev)])
    return wid


async def add_entry(db: Database, *, watchlist: str, entry: EntryInput, actor: str) -> dict:
    """List one entity (existing by id, or new by name) on the user watchlist ``watchlist``
    (a watchlist id, or a name: a new user list is created)."""
    now = utc_now_iso()
    existing = await people_q.nodes_by_ids(db, [watchlist])
    wl_name = existing[watchlist].props.get("name") if watchlist in existing else watchlist.strip()
    if not wl_name:
        raise InvalidInput("the watchlist name is empty")
    if entry.entity_id:
        found = await people_q.nodes_by_ids(db, [entry.entity_id])
        if entry.entity_id not in found or found[entry.entity_id].label not in ("Person", "Organization"):
            raise NotFound(f"no person or organization with id {entry.entity_id!r}")
    ev = Evidence(source_id=f"src:api:{actor}", locator=f"addWatchlistEntry {datetime.now(timezone.utc).isoformat()}", observed_at=now, method="manual-entry",
                  confidence=1.0, text=(entry.name or entry.entity_id or "")[:200])
    writer = GraphWriter(db)
    wid = watchlist if watchlist in existing else await _ensure_watchlist(writer, wl_name, ev)
    eid, nodes = _entity_records(wl_name, entry, ev)
    rel = RelRecord("LISTED_ON", eid, wid, {"start": entry.start, "end": entry.end, "reason": entry.reason, "listed_name": entry.name}, ev)
    await writer.write(nodes, [rel])
    return {"entity_id": eid, "watchlist_id": wid, "relation_id": rel.id}


def parse_simple_list(filename: str, content: bytes) -> list[tuple[str, EntryInput | Exception]]:
    """(locator, entry or the error for that row). Raises SourceUnreadable when the whole file is."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceUnreadable(f"{filename} is not UTF-8 text") from None
    lower = filename.lower()
    if lower.endswith(".csv"):
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise SourceUnreadable(f"{filename} is not valid CSV: {exc}") from None
        if not rows or "name" not in (rows[0].keys()) and "id" not in rows[0].keys():
            raise SourceUnreadable(f"{filename} has no 'name' (or 'id') column")
        located = [(f"row {i + 2}", r) for i, r in enumerate(rows)]
    elif lower.endswith((".yaml", ".yml")):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SourceUnreadable(f"{filename} is not valid YAML: {exc}") from None
        items = data.get("entries") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise SourceUnreadable(f"{filename} must hold a list of entries (or {{entries: [...]}})")
        located = [(f"$.entries[{i}]", r) for i, r in enumerate(items)]
    else:
        raise SourceUnreadable(f"{filename}: a watchlist must be .csv, .yaml or .yml")
    out: list[tuple[str, EntryInput | Exception]] = []
    for locator, raw in located:
        try:
            if not isinstance(raw, dict):
                raise InvalidInput("an entry must be a mapping")
            unknown = set(raw) - ENTRY_KEYS - {None}
            if unknown:
                raise InvalidInput(f"unknown columns: {', '.join(sorted(map(str, unknown)))}")
            aliases = raw.get("aliases") or []
            if isinstance(aliases, str):
                aliases = aliases.split("|")
            entry = EntryInput(
                name=(str(raw["name"]).strip() or None) if raw.get("name") else None,
                entity_id=(str(raw["id"]).strip() or None) if raw.get("id") else None,
                type=str(raw.get("type") or "organization").strip().lower(),
                kind=(str(raw["kind"]).strip() or None) if raw.get("kind") else None,
                aliases=[str(a) for a in aliases],
                country=(str(raw["country"]).strip() or None) if raw.get("country") else None,
                ror=(str(raw["ror"]).strip() or None) if raw.get("ror") else None,
                start=str(raw["start"]) if raw.get("start") else None,
                end=str(raw["end"]) if raw.get("end") else None,
                reason=str(raw["reason"]) if raw.get("reason") else None,
            )
            if not entry.name and not entry.entity_id:
                raise InvalidInput("the entry has neither a name nor an id")
            out.append((locator, entry))
        except InvalidInput as exc:
            out.append((locator, exc))
    return out


async def import_simple_list(db: Database, *, name: str, filename: str, content: bytes, actor: str) -> dict:
    """Import a user list; bad rows are reported one by one and the others are written."""
    parsed = parse_simple_list(filename, content)
    checksum = hashlib.sha256(content).hexdigest()
    now = utc_now_iso()
    source_id = make_id("src", "upload", filename, checksum)
    writer = GraphWriter(db)
    src_ev = Evidence(source_id=source_id, locator="file", observed_at=now, method="api-import", confidence=1.0, text=filename[:200])
    await writer.write_nodes([NodeRecord("Source", source_id, {"kind": "watchlist-upload", "title": filename, "checksum": checksum, "retrieved_at": now}, src_ev)])
    wid = await _ensure_watchlist(writer, name.strip(), src_ev)
    existing_ids = [e.entity_id for _, e in parsed if isinstance(e, EntryInput) and e.entity_id]
    found = await people_q.nodes_by_ids(db, existing_ids) if existing_ids else {}
    nodes: list[NodeRecord] = []
    rels: list[RelRecord] = []
    errors: list[dict] = []
    for locator, entry in parsed:
        if isinstance(entry, Exception):
            errors.append({"locator": locator, "message": str(entry)})
            continue
        try:
            if entry.entity_id and entry.entity_id not in found:
                raise NotFound(f"no entity with id {entry.entity_id!r}")
            ev = Evidence(source_id=source_id, locator=locator, observed_at=now, method="api-import", confidence=1.0, text=(entry.name or entry.entity_id or "")[:200])
            eid, entity_nodes = _entity_records(name.strip(), entry, ev)
        except (InvalidInput, NotFound) as exc:
            errors.append({"locator": locator, "message": exc.message})
            continue
        nodes += entity_nodes
        rels.append(RelRecord("LISTED_ON", eid, wid, {"start": entry.start, "end": entry.end, "reason": entry.reason, "listed_name": entry.name, "entry_id": locator}, ev))
    report = await writer.write(nodes, rels)
    await writer.write_relationships([RelRecord("PUBLISHED", source_id, wid, {}, src_ev)])
    return {"watchlist_id": wid, "source_id": source_id, "entries": report.relationships, "errors": errors}
