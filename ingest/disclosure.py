"""Ingest researcher disclosures: a form (JSON, schema in ingest/disclosure_schema.json) or a
document (PDF, DOCX, HTML, LaTeX, plain text) in English, Japanese or both.

Structured form fields go straight into the graph; free text (documents, and the form's remarks)
goes through the spaCy pipelines of nlp/. Every fact is evidenced by the character span (or the
form field) that states it. Each submission is a versioned Disclosure node: a new document for the
same subject gets the next version and marks the earlier ones superseded (they are kept).
A document that cannot be read (corrupt, empty, encrypted, too large) is reported with the reason
and nothing of it is written; the other documents of the run go in.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.db import Database
from graph.provenance import Evidence, utc_now_iso
from graph.writer import GraphWriter, NodeRecord, RelRecord
from kizuna.errors import InvalidInput, SourceUnreadable
from kizuna.ids import identifier_id, make_id
from nlp.facts import Fact
from nlp.gazetteer import Gazetteer, build_gazetteer, normalize_name, seed_entries
from nlp.linking import GraphOrgLinker, OrgLinker, graph_statements, load_graph_entries
from nlp.pipeline import DisclosureReader, default_reader

SCHEMA_PATH = Path(__file__).resolve().parent / "disclosure_schema.json"
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 400_000
TEXT_SUFFIXES = {".txt", ".text", ".md"}
METHOD_FORM = "disclosure-form"

# -- the form --------------------------------------------------------------------------------------

Clause = Literal["ip", "data_access", "confidentiality"]
ContractKind = Literal["joint_research", "consulting", "mou", "licence", "sponsored_research", "nda", "other"]
PiRole = Literal["pi", "co_pi", "other"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganizationRef(_Model):
    """An organization as the researcher names it; a ROR id makes the link certain."""

    name: str = Field(min_length=1, max_length=300)
    ror: str | None = Field(None, pattern=r"^(https://ror\.org/)?0[a-z0-9]{8}$")
    country: str | None = Field(None, description="Country of the organization (not of the person).")


class Subject(_Model):
    name: str = Field(min_length=1, max_length=200)
    other_names: list[str] = Field(default_factory=list, description="Names in other scripts or earlier names.")
    orcid: str | None = Field(None, pattern=r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
    kaken_id: str | None = Field(None, description="KAKEN researcher number.")
    erad_id: str | None = Field(None, description="e-Rad researcher number.")


class Appointment(_Model):
    """A position held: current, concurrent (兼業) or past; paid or unpaid; domestic or foreign."""

    organization: OrganizationRef
    role: str = Field(min_length=1, max_length=200, description="Title as written, e.g. 客員教授, Adjunct Professor.")
    status: Literal["current", "concurrent", "past"] = "current"
    start: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    end: str | None = Field(None, description="YYYY, YYYY-MM, YYYY-MM-DD or 'present'.")
    paid: bool | None = None
    primary: bool | None = None
    time_commitment: str | None = None


class ResearchSupport(_Model):
    """Any research support, including foreign and in-kind (lab space, staff, students paid by others)."""

    funder: OrganizationRef
    program: str | None = None
    grant_number: str | None = None
    title: str | None = None
    role: PiRole | None = None
    amount: float | None = Field(None, ge=0)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    in_kind: bool = False
    status: Literal["current", "pending", "completed"] = "current"
    start: str | None = None
    end: str | None = None


class ContractAgreement(_Model):
    counterparty: OrganizationRef
    kind: ContractKind
    title: str | None = None
    scope: str | None = None
    clauses: list[Clause] = Field(default_factory=list, description="Clauses present: IP, data access, confidentiality.")
    start: str | None = None
    end: str | None = None


class TalentProgramParticipation(_Model):
    program: OrganizationRef
    sponsor: OrganizationRef | None = None
    role: str | None = None
    start: str | None = None
    end: str | None = None


class AdvisoryRole(_Model):
    """Advisory, consulting and board roles (director, trustee, scientific advisor ...)."""

    organization: OrganizationRef
    role: str = Field(min_length=1, max_length=200)
    paid: bool | None = None
    start: str | None = None
    end: str | None = None


class DisclosureForm(_Model):
    """A researcher's disclosure: what Japan's research-integrity guidance and NSF's Current &
    Pending (Other) Support ask for. Free text (``remarks``) is read by the NLP pipelines."""

    schema_version: Literal["1"] = "1"
    subject: Subject
    submitted_on: date | None = None
    career_history: list[Appointment] = Field(default_factory=list)
    appointments: list[Appointment] = Field(default_factory=list, description="Current and concurrent appointments.")
    research_support: list[ResearchSupport] = Field(default_factory=list)
    contracts: list[ContractAgreement] = Field(default_factory=list)
    talent_programs: list[TalentProgramParticipation] = Field(default_factory=list)
    advisory_roles: list[AdvisoryRole] = Field(default_factory=list)
    remarks: str | None = Field(None, max_length=MAX_TEXT_CHARS, description="Free text in any language; read by NLP.")


def disclosure_json_schema() -> dict:
    """The published JSON Schema (ingest/disclosure_schema.json is this, written out)."""
    schema = DisclosureForm.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://kizuna.example/schemas/disclosure-form-1.json"
    schema["title"] = "Kizuna disclosure form"
    return schema


# -- text extraction --------------------------------------------------------------------------------


def extract_text(filename: str, data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> str:
    """The text of a document, by its file type. Raises SourceUnreadable with the reason."""
    if len(data) > max_bytes:
        raise SourceUnreadable(f"{filename}: file is {len(data):,} bytes, over the limit of {max_bytes:,}", hint="split the document")
    if not data.strip():
        raise SourceUnreadable(f"{filename}: file is empty")
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".pdf":
            text = _pdf_text(filename, data)
        elif suffix == ".docx":
            text = _docx_text(data)
        elif suffix in (".html", ".htm", ".xhtml"):
            text = _html_text(data)
        elif suffix in (".tex", ".latex"):
            from pylatexenc.latex2text import LatexNodes2Text

            text = LatexNodes2Text().latex_to_text(_decode(filename, data))
        elif suffix in TEXT_SUFFIXES or suffix == "":
            text = _decode(filename, data)
        else:
            raise SourceUnreadable(f"{filename}: unsupported file type {suffix!r}", hint="use PDF, DOCX, HTML, LaTeX, text or a JSON form")
    except SourceUnreadable:
        raise
    except Exception as exc:  # the parsers raise many types for broken files
        raise SourceUnreadable(f"{filename}: cannot be read as {suffix.lstrip('.') or 'text'} ({type(exc).__name__}: {exc})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise SourceUnreadable(f"{filename}: no text found", hint="a scanned PDF needs OCR first" if suffix == ".pdf" else None)
    if len(text) > MAX_TEXT_CHARS:
        raise SourceUnreadable(f"{filename}: {len(text):,} characters of text, over the limit of {MAX_TEXT_CHARS:,}")
    return text


def _decode(filename: str, data: bytes) -> str:
    """UTF-8, or UTF-16 when the file starts with its byte-order mark (what Windows editors save as
    "Unicode"), else the two Japanese legacy encodings; each must decode the whole file."""
    encodings = ("utf-16",) if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ("utf-8-sig", "cp932", "euc_jp")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceUnreadable(f"{filename}: text is neither UTF-8, UTF-16 (with its byte-order mark) nor Shift_JIS/EUC-JP")


def _pdf_text(filename: str, data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception as exc:
            raise SourceUnreadable(f"{filename}: PDF is encrypted ({exc})", hint="upload an unencrypted copy") from exc
        if not ok:
            raise SourceUnreadable(f"{filename}: PDF is encrypted with a password", hint="upload an unencrypted copy")
    return "\n\n".join(page.extract_text() or "" for page in reader.pages)


def _docx_text(data: bytes) -> str:
    import docx

    _refuse_zip_bomb(data, "DOCX")

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.append("")
        for row in table.rows:
            parts.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n".join(parts)


MAX_UNZIPPED_BYTES = 100 * 1024 * 1024


def _refuse_zip_bomb(data: bytes, kind: str) -> None:
    """A DOCX is a zip; python-docx inflates its parts in memory, so their declared sizes are
    checked first (a 300 kB file can inflate to gigabytes)."""
    import zipfile

    try:
        total = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except zipfile.BadZipFile as exc:
        raise SourceUnreadable(f"cannot be read as {kind} (not a zip file: {exc})") from exc
    if total > MAX_UNZIPPED_BYTES:
        raise SourceUnreadable(f"{kind} inflates to {total:,} bytes, over the limit of {MAX_UNZIPPED_BYTES:,} (zip bomb?)")


def _html_text(data: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    for row in soup.find_all("tr"):
        row.replace_with(" | ".join(c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])) + "\n")
    return soup.get_text("\n")


# -- ingest -----------------------------------------------------------------------------------------


@dataclass
class DocumentResult:
    file: str
    status: str = "ok"  # ok | error
    disclosure_id: str | None = None
    version: int | None = None
    subject_id: str | None = None
    subject_keyed_by: str | None = None  # orcid | kaken_id | erad_id | person_id | name+submitter | name
    languages: list[str] = field(default_factory=list)
    facts: int = 0
    problems: list[str] = field(default_factory=list)
    unchanged: bool = False  # the same document was ingested before (same checksum)
    nodes_written: int = 0
    relationships_written: int = 0


@dataclass
class _Planned:
    """What one document will write, assembled before anything is written."""

    result: DocumentResult
    subject: Subject
    text: str
    checksum: str
    facts: list[tuple[Fact, str]]  # (fact, evidence locator kind: "chars" or a form field path)
    form_facts: list[dict]
    submitter: str | None


def _checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def subject_id(subject: Subject, submitter: str | None = None) -> str:
    """Identifiers first (ORCID, KAKEN, e-Rad: stated in the form or in the document). Without
    one, the name is qualified by who submitted the disclosure (the API account, or the CLI's
    ``--submitter``): two namesakes disclosed through different accounts stay two persons, and one
    person's later versions from the same submitter chain to the same node. Namesakes submitted by
    the same account need an identifier or an explicit person id (the report warns when a
    name-only key meets earlier versions). Entity resolution decides later whether the person
    equals one from another source."""
    if subject.orcid:
        return identifier_id("per", "orcid", subject.orcid)
    if subject.kaken_id:
        return identifier_id("per", "kaken", subject.kaken_id)
    if subject.erad_id:
        return identifier_id("per", "erad", subject.erad_id)
    if submitter:
        return make_id("per", "disclosure-subject", submitter, normalize_name(subject.name))
    return make_id("per", "disclosure-subject", normalize_name(subject.name))


# Identifiers a CV or declaration states about its subject ("ORCID: 0000-…", "研究者番号：12345678").
_STATED_ORCID = re.compile(r"orcid(?:\.org/|[\s:：]*(?:id)?[\s:：]*(?:https?://orcid\.org/)?)(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.I)
_STATED_NUMBER = re.compile(r"(KAKEN|e-?Rad|研究者番号)[^\d\n]{0,24}(\d{8})(?!\d)", re.I)


def stated_identifiers(text: str) -> dict[str, str]:
    """The subject's ORCID / KAKEN / e-Rad number when the document states exactly one of each
    (a document naming several, e.g. co-investigators', does not say which is the subject's)."""
    out: dict[str, str] = {}
    orcids = {m.group(1).upper() for m in _STATED_ORCID.finditer(text)}
    if len(orcids) == 1:
        out["orcid"] = orcids.pop()
    for key, label in (("kaken_id", "kaken"), ("erad_id", "")):
        numbers = {m.group(2) for m in _STATED_NUMBER.finditer(text) if (m.group(1).lower() == "kaken") == (label == "kaken")}
        if len(numbers) == 1:
            out[key] = numbers.pop()
    return out


class DisclosureIngestor:
    """Reads, links and writes disclosures. Build once per run (the pipelines load once)."""

    def __init__(self, db: Database, *, reader: DisclosureReader | None = None, linker: OrgLinker | None = None, submitted_at: str | None = None):
        self.db = db
        self.reader = reader
        self.linker = linker
        self.submitted_at = submitted_at or utc_now_iso()
        self.writer = GraphWriter(db)
        self.graph_ids: set[str] = set()
        self._gazetteer: Gazetteer | None = None  # built from the graph by _prepare

    async def _prepare(self) -> None:
        entries = await load_graph_entries(self.db)
        self.graph_ids = {e.id for e in entries}
        # building the gazetteer and loading the pipelines take CPU seconds: not on the API's event loop
        self._gazetteer = await asyncio.to_thread(build_gazetteer, entries, seed_entries())
        if self.reader is None:
            self.reader = await asyncio.to_thread(default_reader)  # the pipelines load once per process
        if self.linker is None:
            self.linker = GraphOrgLinker(self._gazetteer, self.db)

    @property
    def gazetteer(self) -> Gazetteer:
        """This run's gazetteer (built from the graph when the run started); the shared reader
        is switched to it for each of this run's reads."""
        return self._gazetteer

    async def ingest(self, files: Sequence[tuple[str, bytes]], *, subject_name: str | None = None, person_id: str | None = None,
                     submitter: str | None = None) -> dict:
        """Ingest each (filename, content) pair; returns the run report (JSON-ready).
        ``person_id``: the documents are this (existing) person's, whatever name they give.
        ``submitter``: the account or institution submitting; it qualifies a subject known only
        by name (see ``subject_id``)."""
        await self._prepare()
        resolvable: set[str] = set()
        documents: list[DocumentResult] = []
        subjects: dict[str, str] = {}
        facts_out: list[dict] = []
        for filename, data in files:
            result = DocumentResult(file=filename)
            documents.append(result)
            try:
                # text extraction and NLP take CPU seconds: in a worker thread, the API's event loop keeps serving
                planned = await asyncio.to_thread(self._plan, filename, data, subject_name, result, submitter)
                if person_id:
                    result.subject_id, result.subject_keyed_by = person_id, "person_id"
                written = await self._write(planned, resolvable)
            except (SourceUnreadable, InvalidInput) as exc:
                result.status = "error"
                result.problems.append(str(exc))
                continue
            subjects[planned.result.subject_id] = planned.subject.name
            facts_out.extend(written)
            result.facts = len(written)
        return {
            "subjects": [{"id": k, "name": v} for k, v in subjects.items()],
            "documents": [d.__dict__ for d in documents],
            "facts": facts_out,
            "errors": sum(1 for d in documents if d.status == "error"),
            "resolvable_ids": sorted(resolvable),  # persons and organizations written: for entity resolution
        }

    def _analyse(self, filename: str, text: str):
        """The NLP reading of ``text``; a tokenizer that gives up (e.g. Sudachi on a paragraph over
        its 49 149-byte limit) makes this one document unreadable instead of failing the run."""
        try:
            return self.reader.read(text, gazetteer=self._gazetteer)
        except Exception as exc:  # noqa: BLE001 — spaCy/Sudachi raise their own types
            raise SourceUnreadable(f"{filename}: the text could not be analysed ({type(exc).__name__}: {str(exc)[:200]})",
                                   hint="split very long paragraphs") from exc

    def _plan(self, filename: str, data: bytes, subject_name: str | None, result: DocumentResult, submitter: str | None) -> _Planned:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise SourceUnreadable(f"{filename}: file is {len(data):,} bytes, over the limit of {MAX_DOCUMENT_BYTES:,}")
        checksum = _checksum(data)
        if Path(filename).suffix.lower() == ".json":
            form = _parse_form(filename, data)
            text = form.remarks or ""
            analysis = self._analyse(filename, text) if text.strip() else None
            subject = form.subject
            form_facts = _form_facts(form)
        else:
            text = extract_text(filename, data)
            analysis = self._analyse(filename, text)
            name = subject_name or analysis.subject_name
            if not name:
                raise InvalidInput(f"{filename}: no subject found (no 'Name:'/'氏名：' line and no person named)", hint="pass --subject NAME")
            subject = Subject(name=name, **stated_identifiers(text))
            form_facts = []
        result.subject_id = subject_id(subject, submitter)
        result.subject_keyed_by = next((k for k in ("orcid", "kaken_id", "erad_id") if getattr(subject, k)), "name+submitter" if submitter else "name")
        result.languages = analysis.languages if analysis else []
        for start, end in analysis.unread if analysis else ():
            result.problems.append(f"characters {start:,}-{end:,} not analysed: {end - start:,} letters without a space or punctuation mark are not prose")
        facts = [(f, "chars") for f in analysis.facts] if analysis else []
        if not facts and not form_facts:
            result.problems.append("no facts found in the document")
        return _Planned(result, subject, text, checksum, facts, form_facts, submitter)

    def _org(self, name: str, lang: str, entry_id: str | None, ror: str | None, kind: str | None, ev: Evidence, nodes: list[NodeRecord]) -> dict:
        """Resolve an organization; unknown ones become flagged (unresolved) Organization nodes."""
        if ror:
            ror = ror.rsplit("/", 1)[-1]
            org_id = identifier_id("org", "ror", ror)
            if org_id not in self.graph_ids:
                nodes.append(NodeRecord("Organization", org_id, {"name": name, "names": [name], "ror": ror}, ev))
            return {"id": org_id, "name": name, "ror": ror, "unresolved": False, "score": 1.0}
        org_id, score = self.linker.link(name, lang, {"entry_id": entry_id})
        if org_id is not None:
            entry = self.gazetteer.entries.get(org_id)
            if org_id not in self.graph_ids and entry is not None:  # a seed entry not yet in the graph
                nodes.append(NodeRecord("Organization", org_id, {"name": entry.name, "names": entry.names, "kind": entry.kind, "ror": entry.ror}, ev))
            return {"id": org_id, "name": entry.name if entry else name, "ror": entry.ror if entry else None, "unresolved": False, "score": score}
        org_id = make_id("org", "unresolved", normalize_name(name))
        props: dict[str, Any] = {"name": name, "names": [name], "unresolved": True}
        if kind:
            props["kind"] = kind
        nodes.append(NodeRecord("Organization", org_id, props, ev))
        return {"id": org_id, "name": name, "ror": None, "unresolved": True, "score": 0.0}

    async def _write(self, planned: _Planned, resolvable: set[str]) -> list[dict]:
        result, subject = planned.result, planned.subject
        sid = result.subject_id
        previous = await self.db.read(graph_statements()["subject_disclosures"], {"subject_id": sid})
        same = next((p for p in previous if p["checksum"] == planned.checksum), None)
        dis_id = make_id("dis", sid, planned.checksum)
        version = same["version"] if same else (max((p["version"] or 0 for p in previous), default=0) + 1)
        result.disclosure_id, result.version, result.unchanged = dis_id, version, same is not None
        ev_doc = Evidence(dis_id, "document", self.submitted_at, METHOD_FORM, 1.0, result.file)
        nodes: list[NodeRecord] = []
        rels: list[RelRecord] = []
        person_props: dict[str, Any] = {"name": subject.name, "names": [subject.name, *subject.other_names]}
        if sid != subject_id(subject, planned.submitter):  # an existing person named by the caller keeps their name
            del person_props["name"]
        for key in ("orcid", "kaken_id", "erad_id"):
            if getattr(subject, key):
                person_props[key] = getattr(subject, key)
        nodes.append(NodeRecord("Person", sid, person_props, ev_doc))
        disclosure_props: dict[str, Any] = {
            "subject_id": sid, "version": version, "submitted_at": self.submitted_at, "document": result.file,
            "checksum": planned.checksum, "languages": result.languages, "text": planned.text[:MAX_TEXT_CHARS], "superseded": bool(same and same["superseded"]),
        }
        if planned.submitter:
            disclosure_props["submitted_by"] = planned.submitter
        nodes.append(NodeRecord("Disclosure", dis_id, disclosure_props, ev_doc))
        if not same:  # a new version supersedes every earlier one; they stay in the graph
            for p in previous:
                if not p["superseded"]:
                    nodes.append(NodeRecord("Disclosure", p["id"], {"superseded": True}, ev_doc))
        rels.append(RelRecord("SUBMITTED", sid, dis_id, {}, ev_doc))
        prepare = getattr(self.linker, "prepare", None)
        if prepare is not None:  # full-text candidates for names the gazetteer does not know
            await prepare([f.org.name for f, _ in planned.facts if f.org.entry_id is None])
        out: list[dict] = []
        for fact, _ in planned.facts:
            ev = Evidence(dis_id, f"chars {fact.start}-{fact.end}", self.submitted_at, f"nlp:{fact.lang}:{fact.relation_cue}", fact.confidence, fact.text, fact.start, fact.end)
            org = self._org(fact.org.name, fact.lang, fact.org.entry_id, None, "talent_program" if fact.relation == "PARTICIPATES_IN" else None, ev, nodes)
            out.append(self._fact_records(sid, dis_id, fact.relation, org, _fact_fields(fact), ev, nodes, rels, result.file))
        for item in planned.form_facts:
            ev = Evidence(dis_id, item["locator"], self.submitted_at, METHOD_FORM, 1.0, item["evidence_text"])
            ref: OrganizationRef = item["org"]
            org = self._org(ref.name, "und", None, ref.ror, item.get("kind"), ev, nodes)
            out.append(self._fact_records(sid, dis_id, item["relation"], org, item["fields"], ev, nodes, rels, result.file))
        written = await self.writer.write(nodes, rels)
        result.nodes_written, result.relationships_written = written.nodes, written.relationships
        resolvable.update(n.id for n in nodes if n.label in ("Person", "Organization"))
        return out

    def _fact_records(self, sid: str, dis_id: str, relation: str, org: dict, f: dict, ev: Evidence, nodes: list, rels: list, file: str) -> dict:
        oid = org["id"]
        start, end = f.get("start"), f.get("end")
        if relation == "AFFILIATED_WITH":
            rels.append(RelRecord(relation, sid, oid, {"role": f.get("role"), "role_normalized": f.get("role_normalized"), "start": start, "end": end, "paid": f.get("paid"), "primary": f.get("primary"), "org_name": org["name"]}, ev, key=f"{f.get('role_normalized')}|{start}"))
        elif relation == "ADVISES":
            rels.append(RelRecord(relation, sid, oid, {"role": f.get("role"), "role_normalized": f.get("role_normalized"), "start": start, "end": end, "paid": f.get("paid")}, ev, key=f"{f.get('role_normalized')}|{start}"))
        elif relation == "PARTICIPATES_IN":
            rels.append(RelRecord(relation, sid, oid, {"role": f.get("role"), "start": start, "end": end}, ev, key=str(start)))
        elif relation == "FUNDED_BY":
            rels.append(RelRecord(relation, sid, oid, {"program": f.get("program"), "amount": f.get("amount"), "currency": f.get("currency"), "start": start, "end": end, "in_kind": f.get("in_kind")}, ev, key=f"{f.get('grant_number') or f.get('program')}|{start}"))
            if f.get("grant_number"):
                gid = make_id("grt", oid, f["grant_number"])
                nodes.append(NodeRecord("Grant", gid, {"number": f["grant_number"], "funder_name": org["name"], "amount": f.get("amount"), "currency": f.get("currency"), "start": start, "end": end, "names": [f["program"]] if f.get("program") else []}, ev))
                rels.append(RelRecord("RECEIVED", sid, gid, {"role": f.get("pi_role"), "start": start, "end": end}, ev))
                rels.append(RelRecord("FUNDED_BY", gid, oid, {"program": f.get("program"), "amount": f.get("amount"), "currency": f.get("currency")}, ev))
        elif relation == "PARTY_TO":
            cid = make_id("ctr", sid, oid, f.get("contract_kind"), start)
            nodes.append(NodeRecord("Contract", cid, {"kind": f.get("contract_kind"), "counterparty_name": org["name"], "clauses": f.get("clauses") or [], "start": start, "end": end}, ev))
            rels.append(RelRecord("PARTY_TO", sid, cid, {"start": start, "end": end}, ev))
            rels.append(RelRecord("PARTY_TO", oid, cid, {"role": "counterparty", "start": start, "end": end}, ev))
        return {
            "document": file,
            "disclosure_id": dis_id,
            "relation": relation,
            "organization": {k: org[k] for k in ("id", "name", "ror", "unresolved")},
            "org_text": f.get("org_text"),
            **{k: f.get(k) for k in ("role", "role_normalized", "pi_role", "start", "end", "amount", "currency", "grant_number", "program", "contract_kind", "clauses")},
            "evidence": {"source": dis_id, "locator": ev.locator, "start": ev.start, "end": ev.end, "text": ev.text, "method": ev.method, "confidence": ev.confidence},
        }


def _fact_fields(fact: Fact) -> dict:
    return {
        "org_text": fact.org.name, "role": fact.role, "role_normalized": fact.role_normalized, "pi_role": fact.pi_role,
        "start": fact.date_start, "end": fact.date_end, "amount": fact.amount, "currency": fact.currency,
        "grant_number": fact.grant_number, "program": fact.program, "contract_kind": fact.contract_kind, "clauses": fact.clauses,
    }


def _parse_form(filename: str, data: bytes) -> DisclosureForm:
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceUnreadable(f"{filename}: not valid JSON ({exc})") from exc
    try:
        return DisclosureForm.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        raise InvalidInput(f"{filename}: does not follow the disclosure form schema ({problems})", hint=str(SCHEMA_PATH.name)) from exc


def _form_facts(form: DisclosureForm) -> list[dict]:
    """Structured fields straight into facts, evidenced by their JSON path."""
    from nlp.components import find_roles
    from nlp.patterns import lang_patterns

    def normalized_role(role: str) -> str | None:
        for lang in ("ja", "en"):
            found = find_roles(role, lang_patterns(lang))
            if found:
                return found[0].normalized
        return None

    out: list[dict] = []
    for section in ("career_history", "appointments"):
        for i, a in enumerate(getattr(form, section)):
            out.append({"relation": "AFFILIATED_WITH", "org": a.organization, "locator": f"$.{section}[{i}]", "evidence_text": a.model_dump_json(exclude_none=True),
                        "fields": {"role": a.role, "role_normalized": normalized_role(a.role), "start": a.start, "end": a.end, "paid": a.paid, "primary": a.primary}})
    for i, s in enumerate(form.research_support):
        out.append({"relation": "FUNDED_BY", "org": s.funder, "locator": f"$.research_support[{i}]", "evidence_text": s.model_dump_json(exclude_none=True),
                    "fields": {"program": s.program, "grant_number": s.grant_number, "pi_role": s.role, "amount": s.amount, "currency": s.currency, "in_kind": s.in_kind, "start": s.start, "end": s.end}})
    for i, c in enumerate(form.contracts):
        out.append({"relation": "PARTY_TO", "org": c.counterparty, "locator": f"$.contracts[{i}]", "evidence_text": c.model_dump_json(exclude_none=True),
                    "fields": {"contract_kind": c.kind, "clauses": list(c.clauses), "start": c.start, "end": c.end}})
    for i, t in enumerate(form.talent_programs):
        out.append({"relation": "PARTICIPATES_IN", "org": t.program, "kind": "talent_program", "locator": f"$.talent_programs[{i}]", "evidence_text": t.model_dump_json(exclude_none=True),
                    "fields": {"role": t.role, "start": t.start, "end": t.end}})
    for i, r in enumerate(form.advisory_roles):
        out.append({"relation": "ADVISES", "org": r.organization, "locator": f"$.advisory_roles[{i}]", "evidence_text": r.model_dump_json(exclude_none=True),
                    "fields": {"role": r.role, "role_normalized": normalized_role(r.role), "paid": r.paid, "start": r.start, "end": r.end}})
    return out


async def ingest_paths(db: Database, paths: Sequence[Path], *, subject_name: str | None = None, reader: DisclosureReader | None = None,
                       person_id: str | None = None, submitter: str | None = None) -> dict:
    """Read files from disk (a file that cannot be opened is a per-document error) and ingest them."""
    files: list[tuple[str, bytes]] = []
    unreadable: list[DocumentResult] = []
    for path in paths:
        try:
            size = path.stat().st_size
            if size > MAX_DOCUMENT_BYTES:
                unreadable.append(DocumentResult(str(path), "error", problems=[f"{path.name}: file is {size:,} bytes, over the limit of {MAX_DOCUMENT_BYTES:,}"]))
                continue
            files.append((str(path), path.read_bytes()))
        except OSError as exc:
            unreadable.append(DocumentResult(str(path), "error", problems=[f"{path}: cannot be opened ({exc.strerror or exc})"]))
    report = await DisclosureIngestor(db, reader=reader).ingest(files, subject_name=subject_name, person_id=person_id, submitter=submitter)
    report["documents"] = [d.__dict__ for d in unreadable] + report["documents"]
    report["errors"] += len(unreadable)
    return report


async def ingest_bytes(db: Database, filename: str, content: bytes, *, person_id: str | None = None, subject_name: str | None = None,
                       submitter: str | None = None) -> dict:
    """One uploaded document (the API's entry point; ``submitter`` = the caller's account); same
    report as ``ingest_paths``."""
    return await DisclosureIngestor(db).ingest([(filename, content)], subject_name=subject_name, person_id=person_id, submitter=submitter)


_STATEMENT_KIND = {"AFFILIATED_WITH": "appointment", "ADVISES": "advisory_role", "PARTICIPATES_IN": "talent_program",
                   "FUNDED_BY": "research_support", "RECEIVED": "research_support", "PARTY_TO": "contract"}


async def get_disclosure(db: Database, *, disclosure_id: str | None = None, person_id: str | None = None) -> dict | None:
    """One stored disclosure (by id, or the person's latest not superseded) with the statements
    it evidences, each with its character span or form field; None when there is none."""
    from graph.provenance import evidence_list

    rows = await db.read(graph_statements()["disclosure_record"], {"id": disclosure_id, "person_id": person_id})
    if not rows:
        return None
    row = rows[0]
    d = row["disclosure"]
    statements = []
    for st in row["statements"]:
        for ev in evidence_list(st["props"]):
            if ev["source_id"] != d["id"]:
                continue
            start, end = ev.get("start"), ev.get("end")
            statements.append({"kind": _STATEMENT_KIND.get(st["type"], st["type"].lower()), "text": ev.get("text") or "", "start": start if start is not None and start >= 0 else None,
                               "end": end if end is not None and end >= 0 else None, "relation": st["type"],
                               "organization": {"id": st["org_id"], "label": st["org_label"], "name": st["org_name"]}, "confidence": ev.get("confidence")})
    statements.sort(key=lambda x: (x["start"] is None, x["start"] or 0, x["relation"]))
    return {"id": d["id"], "person": {"id": row["person_id"], "label": "Person", "name": row["person_name"]}, "version": d.get("version"),
            "submitted_at": d.get("submitted_at"), "document": d.get("document"), "languages": d.get("languages") or [],
            "evidence": evidence_list(d), "statements": statements}
