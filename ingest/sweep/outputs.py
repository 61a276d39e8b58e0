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
from jinja2 import Environment, PackageLoader, select_autoescape

from ingest.sweep.definition import LoadedDefinition

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


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow([safe_cell(v) for v in row])


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


def dossier_subjects(record: dict[str, Any], results: list[dict[str, Any]], which: str) -> list[dict[str, Any]]:
    diff = record["diff"]
    changed = {i["subject_id"] for k in ("new_findings", "removed_findings", "changed_findings", "tier_changes",
                                          "recommendation_changes") for i in diff.get(k, [])}
    if which == "all":
        return results
    if which == "flagged":
        return [r for r in results if flagged(r) or r["subject_id"] in changed]
    return [r for r in results if r["subject_id"] in changed]


def _subject_changes(diff: dict[str, Any], subject_id: str) -> dict[str, list]:
    return {k: [i for i in diff.get(k, []) if i["subject_id"] == subject_id]
            for k in ("new_findings", "removed_findings", "changed_findings", "tier_changes", "recommendation_changes")}


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


def write_all(loaded: LoadedDefinition, record: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """Write every output the definition asks for; returns what was written where."""
    spec = loaded.definition.outputs
    folder = loaded.resolve(spec.directory) / loaded.definition.id / record["id"].split(":", 1)[-1]
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Any] = {"directory": str(folder)}
    diff = record["diff"]
    if "json" in spec.formats:
        (folder / "sweep.json").write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        (folder / "results.json").write_text(json.dumps(results, ensure_ascii=False, default=str), encoding="utf-8")
        written["json"] = ["sweep.json", "results.json"]
    if "csv" in spec.formats:
        write_csv(folder / "results.csv", ["subject_id", "subject_name", "status", "error", "tier", "recommendation", "findings", "finding_keys"],
                  [[r["subject_id"], r.get("subject_name") or "", r["status"], r.get("error") or "", r.get("tier") or "",
                    r.get("recommendation") or "", len(r["findings"]), " | ".join(f["key"] for f in r["findings"])] for r in results])
        write_csv(folder / "changes.csv", ["change", "subject_id", "subject_name", "finding_key", "listed_entity", "watchlist",
                                           "before", "after", "path", "sources"], change_rows(diff))
        written["csv"] = ["results.csv", "changes.csv"]
    if "html" in spec.formats:
        html = _env.get_template("summary.html").render(record=record, diff=diff, title=loaded.definition.title or loaded.definition.id)
        (folder / "summary.html").write_text(html, encoding="utf-8")
        written["html"] = ["summary.html"]
    wants_html, wants_pdf = "dossier_html" in spec.formats, "dossier_pdf" in spec.formats
    if wants_html or wants_pdf:
        (folder / "dossiers").mkdir(exist_ok=True)
        names = []
        template = _env.get_template("dossier.html")
        # most serious first, so a cap keeps the ones a committee needs
        chosen = sorted(dossier_subjects(record, results, spec.dossiers_for),
                        key=lambda r: (-_SEVERITY.get(r.get("recommendation") or "", 0), r["subject_id"]))
        written["dossiers_skipped"] = max(0, len(chosen) - spec.max_dossiers)
        for r in chosen[: spec.max_dossiers]:
            changes = _subject_changes(diff, r["subject_id"])
            stem = folder / "dossiers" / _file_stem(r["subject_id"])
            if wants_html:
                stem.with_suffix(".html").write_text(template.render(record=record, result=r, changes=changes), encoding="utf-8")
            if wants_pdf:
                write_pdf(stem.with_suffix(".pdf"), record, r, changes)
            names.append(stem.name)
        written["dossiers"] = names
    if spec.webhook is not None:
        written["webhook"] = post_webhook(spec.webhook.url, summary_payload(record), spec.webhook.timeout_s)
    return written
