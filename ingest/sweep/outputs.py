"""What a sweep hands to people and systems: JSON, CSV, an HTML summary, dossiers, a webhook.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are
prefixed with a single quote (OWASP CSV-injection guidance): list entries and names are
attacker-influenced text. HTML is rendered by Jinja2 with autoescaping; PDFs by fpdf2 (no
browser needed) with a Unicode TrueType font when one is available (KIZUNA_PDF_FONT).
"""

from __future__ import annotations

import csv
import json
import logging
import os
from pathlib import Path
from typing import Any

import httpx
import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from graph.db import Database
from ingest.sweep.checkpoint import sweep_folder
from ingest.sweep.definition import LoadedDefinition
from ingest.sweep.diff import subject_changes
from queries.sweep import sweep_results

log = logging.getLogger("kizuna.sweep")

_SEVERITY = {"AVOID": 4, "INSUFFICIENT_INFORMATION": 3, "MITIGATE": 2, "ACCEPT": 1}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")

_env = Environment(loader=PackageLoader("ingest.sweep", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will show as text, never evaluate."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class CsvFile:
    """A CSV file written a row at a time, every cell made safe (``safe_cell``)."""

    def __init__(self, path: Path, header: list[str]):
        self._fh = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow(header)

    def rows(self, rows: list[list[Any]]) -> None:
        self._writer.writerows([safe_cell(v) for v in row] for row in rows)

    def close(self) -> None:
        self._fh.close()


def _sources(finding: dict[str, Any]) -> str:
    return "; ".join(sorted({s for e in finding.get("evidence", []) for s in e.get("sources") or []}))


def change_rows(diff: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for kind in ("new_findings", "removed_findings", "changed_findings"):
        for item in diff.get(kind, []):
            f = item["finding"]
            rows.append([kind.removesuffix("_findings"), item["subject_id"], item.get("subject_name") or "", item["key"],
                         f.get("target_name"), f.get("watchlist_name"), (item.get("before") or {}).get("hops", ""),
                         f.get("hops"), " > ".join(f.get("path_names") or []), _sources(f)])
    for kind in ("tier_changes", "recommendation_changes"):
        for item in diff.get(kind, []):
            rows.append([kind.removesuffix("_changes"), item["subject_id"], item.get("subject_name") or "", "",
                         "", "", item["before"], item["after"], "", ""])
    return rows


def flagged(result: dict[str, Any]) -> bool:
    return result.get("tier") in ("elevated", "high") or result.get("recommendation") in ("AVOID", "INSUFFICIENT_INFORMATION")


def _file_stem(subject_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in subject_id)


def write_pdf(path: Path, record: dict[str, Any], result: dict[str, Any], changes: dict[str, list]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    font = os.environ.get("KIZUNA_PDF_FONT") or next((f for f in _FONT_CANDIDATES if Path(f).is_file()), None)
    if font:
        pdf.add_font("kz", "", font)
        family = "kz"
    else:  # core font: Latin-1 only, other characters become '?'
        family = "helvetica"

    def text(s: Any) -> str:
        s = "" if s is None else str(s)
        return s if font else s.encode("latin-1", "replace").decode("latin-1")

    def cell(height: float, value: str) -> None:
        pdf.multi_cell(0, height, value, new_x="LMARGIN", new_y="NEXT")

    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    pdf.set_font(family, size=15)
    cell(8, text(f"Due-diligence dossier: {result.get('subject_name') or result['subject_id']}"))
    pdf.set_font(family, size=9)
    for line in (f"Subject id: {result['subject_id']}", f"Sweep: {record['id']} ({record['definition_id']}), as of {record['as_of']}",
                 f"Rule packs: {', '.join(record.get('packs') or [])}",
                 f"Tier: {result.get('tier')}   Recommendation: {result.get('recommendation')}"):
        cell(5, text(line))
    for item in changes["tier_changes"] + changes["recommendation_changes"]:
        cell(5, text(f"Changed since the previous sweep: {item['before']} -> {item['after']}"))
    sections = [("Findings", result.get("findings") or []),
                ("New since the previous sweep", [i["finding"] for i in changes["new_findings"]]),
                ("No longer found (evidence from the previous sweep)", [i["finding"] for i in changes["removed_findings"]])]
    for title, findings in sections:
        pdf.ln(3)
        pdf.set_font(family, size=12)
        cell(7, text(f"{title} ({len(findings)})"))
        pdf.set_font(family, size=8)
        for f in findings:
            rules = f"; rules: {', '.join(f['rules'])}" if f.get("rules") else ""
            cell(4.5, text(f"- {f['summary']} ({f['kind'].replace('_', ' ')}, {f['hops']} hop(s){rules})"))
            for e in f.get("evidence", []):
                cell(4, text(f"    {e.get('relation')} {e.get('from')} -> {e.get('to')}"
                                          f" [{e.get('start') or ''}..{e.get('end') or ''}] sources: "
                                          + "; ".join(f"{s} @ {loc}" for s, loc in zip(e.get('sources') or [], e.get('locators') or []))))
    pdf.ln(3)
    pdf.set_font(family, size=7)
    cell(4, text("Findings come only from verifiable links in the sources cited; nationality, citizenship, "
                              "ethnicity, name origin and language are never inputs. A finding is a prompt for a "
                              "proportionate review with the researcher, not a conclusion."))
    pdf.output(str(path))


def post_webhook(url: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """POST the summary; a failure is reported in the sweep's outputs, never fatal."""
    try:
        response = httpx.post(url, json=payload, timeout=timeout_s)
        return {"url": url, "status": response.status_code, "ok": response.is_success}
    except httpx.HTTPError as exc:
        log.warning(json.dumps({"event": "sweep.webhook_failed", "url": url, "error": str(exc)}))
        return {"url": url, "ok": False, "error": str(exc)}


def summary_payload(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in ("id", "definition_id", "status", "started_at", "finished_at", "as_of", "previous_id")} | {
        "counts": record.get("counts"), "changes": record["diff"]["counts"]}


_CHANGE_KINDS = ("new_findings", "removed_findings", "changed_findings", "tier_changes", "recommendation_changes")


class OutputWriter:
    """The outputs a definition asks for, written while the sweep's results stream past
    (``add``), then completed with the record and its diff (``finish``).

    Why streaming: on the listing-dense bench graph a result is ~1 MB decoded and a baseline lists
    every finding as new, so a sweep of 100k subjects cannot be held at once. results.json,
    results.csv and changes.csv get every subject and every change as they come; sweep.json and
    summary.html carry the counts and the diff as stored (each list cut to its first items,
    ``truncated`` saying how many there were); dossiers are made for the most serious of the
    chosen subjects, whose results are read again at the end."""

    def __init__(self, loaded: LoadedDefinition, sweep_id: str):
        self.loaded, self.spec = loaded, loaded.definition.outputs
        self.folder = sweep_folder(loaded.state_dir, sweep_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        formats = self.spec.formats
        self._json = (self.folder / "results.json").open("w", encoding="utf-8") if "json" in formats else None
        self._results = self._changes = None
        if "csv" in formats:
            self._results = CsvFile(self.folder / "results.csv", ["subject_id", "subject_name", "status", "error", "tier",
                                                                   "recommendation", "findings", "finding_keys"])
            self._changes = CsvFile(self.folder / "changes.csv", ["change", "subject_id", "subject_name", "finding_key",
                                                                   "listed_entity", "watchlist", "before", "after", "path", "sources"])
        self._wants_dossiers = "dossier_html" in formats or "dossier_pdf" in formats
        self._candidates: list[tuple[int, str]] = []
        self._count = 0

    def add(self, result: dict[str, Any] | None, changes: dict[str, list]) -> None:
        """One subject: its current result (None when it left the population) and its changes."""
        if self._changes is not None:
            self._changes.rows(change_rows(changes))
        if result is None:
            return
        if self._json is not None:
            # orjson: the standard encoder took ~1.5 ms a subject on the bench graph, orjson ~0.3 ms
            self._json.write(("[" if self._count == 0 else ",\n") + orjson.dumps(result, default=str, option=orjson.OPT_NON_STR_KEYS).decode())
        self._count += 1
        if self._results is not None:
            self._results.rows([[result["subject_id"], result.get("subject_name") or "", result["status"], result.get("error") or "",
                                 result.get("tier") or "", result.get("recommendation") or "", len(result["findings"]),
                                 " | ".join(f["key"] for f in result["findings"])]])
        which = self.spec.dossiers_for
        changed = any(changes[k] for k in _CHANGE_KINDS)
        if self._wants_dossiers and (which == "all" or changed or (which == "flagged" and flagged(result))):
            # most serious first, so a cap keeps the ones a committee needs
            self._candidates.append((-_SEVERITY.get(result.get("recommendation") or "", 0), result["subject_id"]))

    def close(self) -> None:
        if self._json is not None:
            self._json.write("[]" if self._count == 0 else "]")
            self._json.close()
            self._json = None
        for f in (self._results, self._changes):
            if f is not None:
                f.close()
        self._results = self._changes = None

    async def finish(self, db: Database, record: dict[str, Any]) -> dict[str, Any]:
        """Close the streamed files and write the rest; returns what was written where."""
        self.close()
        spec, folder, diff = self.spec, self.folder, record["diff"]
        written: dict[str, Any] = {"directory": str(folder)}
        if "json" in spec.formats:
            (folder / "sweep.json").write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
            written["json"] = ["sweep.json", "results.json"]
        if "csv" in spec.formats:
            written["csv"] = ["results.csv", "changes.csv"]
        if "html" in spec.formats:
            html = _env.get_template("summary.html").render(record=record, diff=diff,
                                                            title=self.loaded.definition.title or self.loaded.definition.id)
            (folder / "summary.html").write_text(html, encoding="utf-8")
            written["html"] = ["summary.html"]
        if self._wants_dossiers:
            written.update(await self._dossiers(db, record))
        if spec.webhook is not None:
            written["webhook"] = post_webhook(spec.webhook.url, summary_payload(record), spec.webhook.timeout_s)
        return written

    async def _dossiers(self, db: Database, record: dict[str, Any]) -> dict[str, Any]:
        spec, formats = self.spec, self.spec.formats
        (self.folder / "dossiers").mkdir(exist_ok=True)
        chosen = [sid for _, sid in sorted(self._candidates)[: spec.max_dossiers]]
        current = {r["subject_id"]: r for r in await sweep_results(db, record["id"], chosen)}
        previous_id = record["diff"].get("previous_sweep")
        before = {r["subject_id"]: r for r in await sweep_results(db, previous_id, chosen)} if previous_id else {}
        template = _env.get_template("dossier.html")
        names = []
        for sid in chosen:
            result = current[sid]
            changes = subject_changes(before.get(sid), result, previous_id is None)
            stem = self.folder / "dossiers" / _file_stem(sid)
            if "dossier_html" in formats:
                stem.with_suffix(".html").write_text(template.render(record=record, result=result, changes=changes), encoding="utf-8")
            if "dossier_pdf" in formats:
                write_pdf(stem.with_suffix(".pdf"), record, result, changes)
            names.append(stem.name)
        return {"dossiers": names, "dossiers_skipped": max(0, len(self._candidates) - spec.max_dossiers)}
