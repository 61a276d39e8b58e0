"""The shared shape of every ingestor: a Source descriptor, the facts it yields, and the report.

An ingestor is two plain functions:
- ``read(ctx)`` walks one file and yields ``(locator, raw record)`` pairs. It raises
  ``SourceUnreadable`` (or any parse error) when the file as a whole cannot be read.
- ``convert(ctx, locator, raw)`` turns one raw record into facts (``NodeRecord``, ``RelRecord``,
  ``Listing``). It raises ``Skip`` (or a data error) for a malformed record, which is reported and
  skipped while the rest of the file goes in.

Why split them: the runner (ingest.runner) reads and converts the WHOLE file into an on-disk
spill before the first write, so a file that turns out to be unreadable half-way writes nothing,
while memory stays bounded by one batch.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Union

from graph.provenance import Evidence
from graph.writer import NodeRecord, RelRecord
from kizuna.errors import InvalidInput
from kizuna.ids import identifier_id, make_id, normalize_key, readable_id


class Skip(InvalidInput):
    """This one record is malformed or out of scope: report it, skip it, keep going."""


@dataclass
class Listing:
    """An entry of a watchlist: becomes a LISTED_ON relationship from ``entity_id``.

    The runner adds what depends on the graph's current state: ``start`` for an entry that is
    new in this version, ``last_listed`` (the newest version that contained it), and ``end`` for
    entries that a newer version no longer contains.
    """

    entity_id: str
    watchlist_id: str
    props: dict[str, Any]
    evidence: Evidence


Fact = Union[NodeRecord, RelRecord, Listing]


@dataclass
class ReadContext:
    """What a reader and converter know about the file at hand."""

    path: Path
    source: "Source"
    source_id: str
    observed_at: str
    options: dict[str, Any] = field(default_factory=dict)
    # Set by a list reader: the watchlist this file is a version of, and that version's date.
    watchlist_id: str | None = None
    published: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    unmapped: Counter = field(default_factory=Counter)

    def note_fields(self, record: dict, mapped: Iterable[str]) -> None:
        """Count the fields of a nested record that the converter does not map (for the report)."""
        for key, value in record.items():
            # '@' marks XML attributes (ids, visibility), '_' the reader's own keys.
            if key not in mapped and key[:1] not in ("@", "_") and value not in (None, "", [], {}):
                self.unmapped[key] += 1

    def ev(self, locator: str, text: Any = "", *, confidence: float = 1.0, method: str | None = None) -> Evidence:
        """Evidence pointing at ``locator`` inside this file."""
        return Evidence(
            source_id=self.source_id,
            locator=locator,
            observed_at=self.observed_at,
            method=method or f"ingest:{self.source.name}",
            confidence=confidence,
            text="" if text is None else str(text),
        )


ReadFn = Callable[[ReadContext], Iterator[tuple[str, Any]]]
ConvertFn = Callable[[ReadContext, str, Any], Iterable[Fact]]
PreambleFn = Callable[[ReadContext], Iterable[Fact]]


@dataclass(frozen=True)
class Source:
    """One open source Kizuna can ingest (a CLI sub-command ``kizuna ingest <name>``)."""

    name: str
    title: str
    formats: str
    read: ReadFn
    convert: ConvertFn
    # Facts that describe the file as a whole (the Watchlist node), made after reading.
    preamble: PreambleFn | None = None
    # Top-level fields of a raw record that the converter uses; the others are reported.
    mapped_fields: frozenset[str] = frozenset()
    licence: str = ""
    # For a list: the key of its Watchlist (the node id is derived from it, known before reading).
    watchlist_key: str | None = None


# -- the report -------------------------------------------------------------------------------

MAX_SKIPS_LISTED = 200


@dataclass
class FileReport:
    path: str
    source: str
    status: str = "pending"  # ok | failed
    reason: str = ""
    source_id: str = ""
    records_read: int = 0
    records_skipped: int = 0
    nodes_written: int = 0
    relationships_written: int = 0
    listings_ended: int = 0
    missing_endpoints: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    unmapped_fields: Counter = field(default_factory=Counter)

    @property
    def facts_written(self) -> int:
        return self.nodes_written + self.relationships_written

    def skip(self, locator: str, reason: str) -> None:
        self.records_skipped += 1
        if len(self.skipped) < MAX_SKIPS_LISTED:
            self.skipped.append({"locator": locator, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "source": self.source,
            "status": self.status,
            "reason": self.reason,
            "records_read": self.records_read,
            "records_skipped": self.records_skipped,
            "facts_written": self.facts_written,
            "nodes_written": self.nodes_written,
            "relationships_written": self.relationships_written,
            "listings_ended": self.listings_ended,
            "missing_endpoints": self.missing_endpoints,
            "skipped": self.skipped,
            "unmapped_fields": dict(self.unmapped_fields.most_common()),
        }


@dataclass
class IngestReport:
    """What one ``kizuna ingest`` run did, file by file."""

    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    # Persons and organizations written by the run: what entity resolution looks at afterwards.
    resolvable_ids: list[str] = field(default_factory=list, repr=False)
    # More than the runner keeps in memory were written: resolve every new or changed node instead.
    resolve_all_changed: bool = False

    @property
    def ok(self) -> bool:
        return all(f.status == "ok" for f in self.files)

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "records_read": self.total("records_read"),
            "records_skipped": self.total("records_skipped"),
            "facts_written": self.total("facts_written"),
            "files": [f.as_dict() for f in self.files],
        }

    def __str__(self) -> str:
        lines = [
            f"{len(self.files)} file(s): {self.total('records_read')} records read, "
            f"{self.total('records_skipped')} skipped, {self.total('facts_written')} facts written "
            f"in {self.seconds:.1f}s"
        ]
        for f in self.files:
            line = f"  [{f.status}] {f.source} {f.path}: {f.records_read} read, {f.records_skipped} skipped, {f.facts_written} facts"
            if f.listings_ended:
                line += f", {f.listings_ended} listings ended"
            if f.reason:
                line += f" — {f.reason}"
            lines.append(line)
            for s in f.skipped[:5]:
                lines.append(f"      skipped {s['locator']}: {s['reason']}")
            if f.unmapped_fields:
                lines.append("      fields not mapped: " + ", ".join(sorted(f.unmapped_fields)))
        return "\n".join(lines)


# -- helpers every converter uses ---------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def clean(value: Any) -> str:
    """A field value as trimmed text with inner whitespace collapsed ('' for None)."""
    if value is None:
        return ""
    return _SPACE.sub(" ", str(value)).strip()


def split_names(value: Any, sep: str) -> list[str]:
    return [n for n in (clean(x) for x in clean(value).split(sep)) if n]


def iso_date(value: Any) -> str:
    """ISO 8601 date text from the date shapes the sources use (2021-06-03, 06/03/2021, 2021).

    Raises Skip on a value that is present but not a date, so the record is reported."""
    text = clean(value)
    if not text:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y%m%d", "%Y-%m", "%Y"):
        try:
            parsed = datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
        return {"%Y-%m": text[:7], "%Y": text[:4]}.get(fmt, parsed.date().isoformat())
    raise Skip(f"not a date: {text!r}")


def ror_id(value: Any) -> str:
    """The bare ROR id ('05x2bcf33') from a ROR URL or id; '' when absent."""
    text = clean(value)
    return text.rstrip("/").rsplit("/", 1)[-1] if text else ""


def org_ror(value: str) -> str:
    return identifier_id("org", "ror", ror_id(value))


def name_org_id(name: str) -> str:
    """Deterministic id of an organization known only by a name string (ready for resolution)."""
    return make_id("org", "name", normalize_key(name))


def unresolved_org(ctx: ReadContext, name: str, locator: str, **props: Any) -> NodeRecord:
    """An Organization named only by a string: kept as such, the string as evidence."""
    name = clean(name)
    if not name:
        raise Skip(f"{locator}: empty organization name")
    return NodeRecord(
        "Organization",
        name_org_id(name),
        {"name": name, "names": [name], "unresolved": True, **props},
        ctx.ev(locator, name),
    )


def org_stub(ctx: ReadContext, org_id: str, locator: str, names: Iterable[str] = (), **props: Any) -> NodeRecord:
    """A reference to an organization defined elsewhere (by its identifier): only names are
    unioned in, so a stub never overwrites the full record's scalar properties."""
    return NodeRecord("Organization", org_id, {"names": [n for n in names if n], **props}, ctx.ev(locator, ", ".join(names)))


def rel(ctx: ReadContext, rel_type: str, from_id: str, to_id: str, locator: str, text: Any = "", key: str = "", confidence: float = 1.0, **props: Any) -> RelRecord:
    """A relationship fact with evidence at ``locator``; ``props`` may hold start/end dates."""
    return RelRecord(rel_type, from_id, to_id, {k: v for k, v in props.items() if v not in (None, "")}, ctx.ev(locator, text, confidence=confidence), key)


def watchlist_node(ctx: ReadContext, key: str, name: str, *, jurisdiction: str, authority: str, url: str = "", names: Iterable[str] = ()) -> NodeRecord:
    """The Watchlist this file is a version of; sets ``ctx.watchlist_id`` for listings.

    ``ctx.published`` (the list version's publication date) comes from the file or from the
    ``--published`` option; it is what makes version updates (end dates) possible."""
    published = ctx.options.get("published") or ctx.published or ""
    ctx.published = published or None
    ctx.watchlist_id = ctx.watchlist_id or list_watchlist_id(key)
    props = {
        "name": name,
        "names": [name, *names],
        "jurisdiction": jurisdiction,
        "authority": authority,
        "url": url,
        "version": ctx.options.get("version") or published,
        "published": published,
    }
    return NodeRecord("Watchlist", ctx.watchlist_id, props, ctx.ev("file", name))


def list_watchlist_id(key: str) -> str:
    """A list's id from its key: readable (``wl:jp-meti-end-user-list``), so the list scopes of
    rule packs (id globs such as ``*meti*``) match the lists as ingested."""
    return readable_id("wl", key)


def listing(ctx: ReadContext, entity_id: str, locator: str, text: Any = "", watchlist_id: str | None = None, **props: Any) -> Listing:
    wl = watchlist_id or ctx.watchlist_id
    if not wl:
        raise RuntimeError("listing() before the watchlist is known")
    return Listing(entity_id, wl, {k: v for k, v in props.items() if v not in (None, "")}, ctx.ev(locator, text))


_TALENT = re.compile(r"talent|thousand|hundred .*plan|scholar.*(program|professorship)|recruitment program", re.I)
_UNIVERSITY = re.compile(r"universit|college|大学|학교|école|escuela", re.I)
_INSTITUTE = re.compile(r"institut|academy|laborator|center|centre|研究|研究所|科学院|research", re.I)
_MILITARY = re.compile(r"\bPLA\b|people'?s liberation army|military|armed forces|\bIRGC\b|ministry of defen[cs]e|国防|军", re.I)
_COMPANY = re.compile(r"\b(co\.?|company|corp(oration)?|inc\.?|ltd\.?|llc|limited|gmbh|s\.a\.|group|holdings?|industr(y|ies)|technolog(y|ies))\b|公司", re.I)


def guess_kind(name: str, default: str = "other") -> str:
    """Organization kind from the name when a list does not say; the evidence keeps the name.

    Only the organization's own name is read (never a person's name or any nationality)."""
    for pattern, kind in ((_TALENT, "talent_program"), (_UNIVERSITY, "university"), (_MILITARY, "military_body"),
                          (_INSTITUTE, "research_institute"), (_COMPANY, "company")):
        if pattern.search(name):
            return kind
    return default


def looks_like_organization(name: str) -> bool:
    """For lists that mix people and organizations without saying which (BIS DPL)."""
    return bool(_COMPANY.search(name) or _UNIVERSITY.search(name) or _INSTITUTE.search(name)
                or re.search(r"\b(enterprises?|trading|services|international|a\.?g\.?|b\.?v\.?|s\.?r\.?l\.?|pte|pvt|aviation|electronics)\b", name, re.I))


_PAREN = re.compile(r"^(.*?)\s*[（(]([^()（）]+)[)）]\s*$")


def split_parenthesised(value: str) -> tuple[str, list[str]]:
    """'Academy of Military Science (中国人民解放军军事科学院)' -> ('Academy of Military Science',
    ['中国人民解放军军事科学院']): lists often put the other-script name in brackets."""
    text = clean(value)
    match = _PAREN.match(text)
    if match and match.group(1):
        return match.group(1), [match.group(2).strip()]
    return text, []
