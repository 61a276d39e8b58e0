"""Builds the bad-input corpus of issue 10 into a folder (default tests/data/bad/generated, not committed).

Why generated: zip bombs, oversized files and files derived from the shared data (some of it is
CC BY-NC and must not be copied into the repository) are rebuilt on demand; only this script and
a few small hand-written cases (tests/data/bad/*.txt|csv|xml|json) are committed.

Each case is one file plus a line in ``manifest.json``:
  id        unique name of the case
  target    an ingest source name (``kizuna ingest <target>``), ``disclosure`` (``kizuna ingest-disclosure``)
            or ``upload`` (the GraphQL ``ingestDisclosure`` mutation)
  category  what is wrong with it (truncated, encoding, xxe, zip-bomb, injection, ...)
  expect    ``error`` (must be refused with a clear message and write nothing), ``safe`` (must be
            ingested, text stored as data) or ``either`` (a clear error or a safe ingestion)
  marker    for injection/Unicode cases, a string that must come back verbatim from the graph

Run: python tests/data/bad/make_corpus.py [OUT_DIR] [--shared PATH]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DEFAULT_OUT = HERE / "generated"
DEFAULT_SHARED = (REPO.parent / "shared" / "data").resolve()

# Cypher injection strings: each would do harm if a value were ever formatted into Cypher text.
INJECTIONS = [
    "x'}) MATCH (n) DETACH DELETE n //",
    'x"}) WITH 1 AS a MATCH (n) SET n.pwned = true //',
    "x` CALL dbms.security.createUser('evil','evil',false) //",
    "x'); CALL apoc.cypher.runFile('/etc/passwd') //",
    "\\u0027 OR 1=1 MERGE (:Pwned {id: 'KZINJ'}) //",
]
INJ = "KZINJ " + " | ".join(INJECTIONS)
# Extreme Unicode: RTL override and marks, zero-width joiners and spaces, stacked combining marks.
UNICODE = "KZUNI \u202eevil\u202c \u200f\u05e9\u05dc\u05d5\u05dd\u200e a\u200bb\u200dc\ufeffd Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357 e\u0301\u0301\u0301 \U0001f9ea 絆\u3099"
LONG = "KZLONG " + ("長い名前" * 25_000)  # 100k characters
BOMB_BYTES = 300 * 1024 * 1024  # inflated size of a zip-bomb member (about 300 kB compressed)
FORMULAS = ["=HYPERLINK(\"http://127.0.0.1/x?\"&A1,\"click\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]

BASES = {  # source -> (path under shared data, how many records to keep)
    "meti": ("meti_end_user_list/meti_foreign_user_list_20250929.csv", 6),
    "dod1286": ("opensanctions_repo_lists/us_dod_section1286_institutions_talent_programs.csv", 6),
    "dod1260h": ("opensanctions_repo_lists/us_dod_1260h_chinese_military_companies.csv", 6),
    "csl": ("us_csl_watchman/csl_consolidated_sample_13rows.csv", 6),
    "dpl": ("us_csl_watchman/bis_denied_persons_list.tsv", 6),
    "fundref": ("funders/pkp_ror_fundref_crosswalk.csv", 6),
    "nsf": ("grants_nsf_awards/nsf_awards_ehr_grad_education_export.csv", 4),
    "nih": ("grants_nih_reporter/nih_reporter_harvard_fy2014_export.csv", 4),
    "ftm": ("opensanctions_ftm/yente_t1.entities.ftm.json", 6),
    "ror": ("ror/ror_subset_schema_v2.jsonl", 3),
    "nro": ("canada_nro/rstoolkit_nro_organizations.json", 0),
    "aspi": ("aspi_china_defence_universities/misp_galaxy_china-defence-universities.json", 0),
    "openalex": ("openalex_samples/I27837315.json", 0),
    "orcid": ("_synthetic_schema_examples/orcid_model_samples/employment-full-3.0.xml", 0),
    "kaken": ("_synthetic_schema_examples/kaken_api_fixtures/kaken_projects_response_SYNTHETIC.xml", 0),
}
CRAFTED_CSV = {  # sources without a shared sample: small crafted CSVs
    "userlist": [["name", "aliases", "kind", "country"], ["Crafted Institute of Things", "CIT", "research_institute", "JP"],
                 ["絆テスト研究所", "KTR", "research_institute", "JP"]],
    "cps": [["person", "orcid", "title", "funder", "amount", "currency", "start", "end", "role"],
            ["Test Person A (fictional)", "", "Crafted project", "Crafted Foundation", "1000", "USD", "2024-01-01", "2025-01-01", "PI"]],
}
DELIM = {"dpl": "\t"}
EXT = {"dpl": ".tsv", "ftm": ".json", "ror": ".jsonl", "nro": ".json", "aspi": ".json", "openalex": ".json", "orcid": ".xml", "kaken": ".xml"}


class Corpus:
    def __init__(self, out: Path):
        self.out = out
        self.cases: list[dict] = []

    def add(self, case_id: str, target: str, ext: str, data: bytes, category: str, expect: str = "either", marker: str | None = None, note: str = "") -> None:
        name = f"{case_id}{ext}"
        (self.out / name).write_bytes(data)
        self.cases.append({"id": case_id, "target": target, "file": name, "category": category, "expect": expect, "marker": marker, "note": note, "bytes": len(data)})

    def add_sparse(self, case_id: str, target: str, ext: str, size: int, head: bytes, category: str, expect: str, note: str = "") -> None:
        """A big file without big writes: a sparse file whose first bytes are ``head``."""
        name = f"{case_id}{ext}"
        with open(self.out / name, "wb") as fh:
            fh.write(head)
            fh.truncate(size)
        self.cases.append({"id": case_id, "target": target, "file": name, "category": category, "expect": expect, "marker": None, "note": note, "bytes": size})


# -- helpers ---------------------------------------------------------------------------------------

def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def read_csv(path: Path, keep: int, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = []
        for row in csv.reader(fh, delimiter=delimiter):
            rows.append(row)
            if len(rows) > keep:
                break
    return rows


def junk(seed: int, size: int = 4096) -> bytes:
    return random.Random(seed).randbytes(size)


def zip_bytes(members: dict[str, bytes], level: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_bomb_member(name: str, size: int, prefix: bytes = b"", suffix: bytes = b"") -> tuple[str, bytes]:
    return name, prefix + b" " * size + suffix


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<root>&lol9;</root>
"""
XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<root><name>&xxe;</name></root>
"""
XXE_NET = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">
<root><name>x</name></root>
"""
XXE_PARAM = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>
<root/>
"""


def with_doctype(xml: bytes, doctype: bytes) -> bytes:
    """Insert a DOCTYPE after the XML declaration of a real document."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + b"\n" + doctype + xml[end:]
    return doctype + xml


def minimal_docx(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def replace_member(zbytes: bytes, name: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(zbytes))
    members = {i.filename: src.read(i.filename) for i in src.infolist()}
    members[name] = data
    return zip_bytes(members)


def pdf_bytes(text: str | None, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    if text is not None:  # a real text layer: one content stream with Tj
        from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

        page = w.pages[0]
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"), NameObject("/BaseFont"): NameObject("/Helvetica")})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): w._add_object(font)})})
        stream = DecodedStreamObject()
        safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream.set_data(f"BT /F1 12 Tf 72 760 Td ({safe}) Tj ET".encode("latin-1", "replace"))
        page[NameObject("/Contents")] = w._add_object(stream)
    if password:
        w.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


# -- per-format families -----------------------------------------------------------------------------

def csv_family(c: Corpus, source: str, rows: list[list[str]], ext: str) -> None:
    d = DELIM.get(source, ",")
    good = csv_bytes(rows, d)
    header, body = rows[0], rows[1:]
    c.add(f"{source}-empty", source, ext, b"", "empty file")
    c.add(f"{source}-header-only", source, ext, csv_bytes([header], d), "no records", "either")
    c.add(f"{source}-truncated", source, ext, good[: len(good) // 2 + 7], "truncated mid-record")
    c.add(f"{source}-junk", source, ext, junk(zlib.crc32(source.encode())), "binary junk, misleading extension", "error")
    c.add(f"{source}-missing-columns", source, ext, csv_bytes([r[1:] for r in rows], d), "CSV columns missing (first column dropped)")
    c.add(f"{source}-extra-columns", source, ext, csv_bytes([header + ["surprise", "another"]] + [r + ["x", "=1+1"] for r in body], d), "CSV extra columns", "safe")
    c.add(f"{source}-ragged", source, ext, csv_bytes([header] + [r[: len(r) // 2] if i % 2 else r + ["spill"] for i, r in enumerate(body)], d), "rows with too few / too many cells")
    c.add(f"{source}-utf16", source, ext, good.decode("utf-8").encode("utf-16"), "encoding: UTF-16 with BOM")
    c.add(f"{source}-mojibake", source, ext, good.decode("utf-8").encode("utf-8").decode("latin-1").encode("utf-8"), "encoding: mojibake (UTF-8 read as Latin-1)", "either")
    injected = [header] + [[(v + " " + INJ) if v.strip() else v for v in r] for r in body]
    c.add(f"{source}-injection", source, ext, csv_bytes(injected, d), "Cypher injection in every text field", "either", marker="KZINJ")
    uni = [header] + [[(v + " " + UNICODE) if v.strip() and i % 2 == 0 else v for i, v in enumerate(r)] for r in body]
    c.add(f"{source}-unicode", source, ext, csv_bytes(uni, d), "extreme Unicode (RTL, zero-width, combining)", "either", marker="KZUNI")


def jsonl_family(c: Corpus, source: str, lines: list[str], ext: str) -> None:
    good = ("\n".join(lines) + "\n").encode()
    c.add(f"{source}-empty", source, ext, b"", "empty file")
    c.add(f"{source}-truncated", source, ext, good[: len(good) // 2], "truncated mid-record")
    c.add(f"{source}-junk", source, ext, junk(zlib.crc32(source.encode())), "binary junk, misleading extension")
    c.add(f"{source}-not-json", source, ext, b"<html><body>404 Not Found</body></html>\n", "HTML instead of JSON lines")
    c.add(f"{source}-wrong-shapes", source, ext, b'[]\n"string"\n42\nnull\n{"schema": 1}\n', "valid JSON, wrong shapes")
    c.add(f"{source}-deep-nesting", source, ext, (b"[" * 100_000) + (b"]" * 100_000) + b"\n", "JSON nested 100 000 deep")
    c.add(f"{source}-utf16", source, ext, good.decode().encode("utf-16"), "encoding: UTF-16 with BOM")
    c.add(f"{source}-injection", source, ext, inject_json_lines(lines, INJ), "Cypher injection in every text field", "either", marker="KZINJ")
    c.add(f"{source}-unicode", source, ext, inject_json_lines(lines, UNICODE), "extreme Unicode (RTL, zero-width, combining)", "either", marker="KZUNI")


def inject_value(v, s: str, keys=("id", "schema", "$schema", "types", "type", "status", "established")):
    if isinstance(v, dict):
        return {k: (val if k in keys and isinstance(val, str) else inject_value(val, s)) for k, val in v.items()}
    if isinstance(v, list):
        return [inject_value(x, s) for x in v]
    if isinstance(v, str) and v and not v.startswith("http") and not v[:4].isdigit():
        return v + " " + s
    return v


def inject_json_lines(lines: list[str], s: str) -> bytes:
    return ("\n".join(json.dumps(inject_value(json.loads(line), s), ensure_ascii=False) for line in lines) + "\n").encode()


def json_family(c: Corpus, source: str, doc_bytes: bytes) -> None:
    doc = json.loads(doc_bytes)
    c.add(f"{source}-empty", source, ".json", b"", "empty file", "error")
    c.add(f"{source}-truncated", source, ".json", doc_bytes[: len(doc_bytes) // 2], "truncated JSON", "error")
    c.add(f"{source}-junk", source, ".json", junk(zlib.crc32(source.encode())), "binary junk, misleading extension", "error")
    c.add(f"{source}-wrong-root", source, ".json", b"[1, 2, 3]", "valid JSON, wrong root type")
    c.add(f"{source}-deep-nesting", source, ".json", (b"[" * 100_000) + (b"]" * 100_000), "JSON nested 100 000 deep", "error")
    c.add(f"{source}-nan-huge", source, ".json", b'{"name": NaN, "id": 1e999999, "x": ' + b"9" * 5000 + b"}", "NaN, infinite and 5000-digit numbers")
    c.add(f"{source}-utf16", source, ".json", doc_bytes.decode().encode("utf-16"), "encoding: UTF-16 with BOM")
    c.add(f"{source}-injection", source, ".json", json.dumps(inject_value(doc, INJ), ensure_ascii=False).encode(), "Cypher injection in every text field", "either", marker="KZINJ")
    c.add(f"{source}-unicode", source, ".json", json.dumps(inject_value(doc, UNICODE), ensure_ascii=False).encode(), "extreme Unicode (RTL, zero-width, combining)", "either", marker="KZUNI")


def xml_family(c: Corpus, source: str, xml: bytes) -> None:
    c.add(f"{source}-xml-empty", source, ".xml", b"", "empty file", "error")
    c.add(f"{source}-xml-truncated", source, ".xml", xml[: len(xml) // 2], "truncated XML", "error")
    c.add(f"{source}-xml-junk", source, ".xml", junk(zlib.crc32(source.encode())), "binary junk, misleading extension", "error")
    c.add(f"{source}-xml-billion-laughs", source, ".xml", BILLION_LAUGHS, "XML entity expansion (billion laughs)", "error")
    c.add(f"{source}-xml-xxe-file", source, ".xml", XXE_FILE, "XML external entity (file:///etc/passwd)", "error")
    c.add(f"{source}-xml-xxe-dtd", source, ".xml", XXE_NET, "XML external DTD (network, loopback)", "either", note="must not fetch")
    c.add(f"{source}-xml-xxe-param", source, ".xml", XXE_PARAM, "XML parameter entity", "error")
    c.add(f"{source}-xml-real-with-entities", source, ".xml", with_doctype(xml, b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'), "real document with an internal DTD", "error")
    c.add(f"{source}-xml-sjis-declared-utf8", source, ".xml", xml.decode().replace("</", "<!-- 日本語 --></", 1).encode("cp932", "replace"), "encoding: Shift_JIS bytes, UTF-8 declared")
    c.add(f"{source}-xml-utf16", source, ".xml", xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"), "encoding: UTF-16 document")
    c.add(f"{source}-xml-injection", source, ".xml", inject_xml(xml, INJ), "Cypher injection in every text field", "either", marker="KZINJ")


def inject_xml(xml: bytes, s: str) -> bytes:
    import re
    from xml.sax.saxutils import escape

    def sub(m):
        text = m.group(1)
        if not text.strip() or text.strip()[:4].isdigit() or text.strip().startswith("http"):
            return m.group(0)
        return ">" + text + " " + escape(s) + "<"

    return re.sub(r">([^<>]+)<", sub, xml.decode()).encode()


def xlsx_family(c: Corpus, shared: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(shared / "meti_end_user_list/meti_foreign_user_list_20250929.xlsx")
    ws = wb.worksheets[0]
    for extra in list(wb.worksheets[1:]):
        wb.remove(extra)
    ws.delete_rows(12, ws.max_row)
    buf = io.BytesIO()
    wb.save(buf)
    good = buf.getvalue()
    c.add("meti-xlsx-truncated", "meti", ".xlsx", good[: len(good) // 2], "truncated xlsx", "error")
    c.add("meti-xlsx-junk", "meti", ".xlsx", junk(9001), "binary junk named .xlsx", "error")
    c.add("meti-xlsx-is-csv", "meti", ".xlsx", b"name,country_en\nX,Y\n", "CSV text named .xlsx", "error")
    c.add("meti-xlsx-empty-zip", "meti", ".xlsx", zip_bytes({"hello.txt": b"hi"}), "a zip that is not a workbook", "error")
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml")
    bomb_sheet = sheet.replace(b"</sheetData>", b"</sheetData>" + b" " * (BOMB_BYTES), 1)
    c.add("meti-xlsx-zip-bomb", "meti", ".xlsx", replace_member(good, "xl/worksheets/sheet1.xml", bomb_sheet), "zip bomb inside xlsx (300 MB sheet)", "either", note="read-only openpyxl streams it: bounded memory")
    c.add("meti-xlsx-xxe", "meti", ".xlsx", replace_member(good, "xl/worksheets/sheet1.xml", with_doctype(sheet, b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(b"<t>", b"<t>&xxe;", 1)),
          "XML external entity inside xlsx", "either", note="must not read /etc/passwd")
    c.add("meti-xlsx-laughs", "meti", ".xlsx", replace_member(good, "xl/worksheets/sheet1.xml", with_doctype(sheet, BILLION_LAUGHS.split(b"\n<root>")[0].split(b"?>", 1)[1].replace(b"lolz", b"worksheet")).replace(b"<t>", b"<t>&lol9;", 1)),
          "entity expansion inside xlsx", "either", note="must not expand")
    wb2 = openpyxl.load_workbook(io.BytesIO(good))
    ws2 = wb2.worksheets[0]
    for row, f in zip(range(2, 6), FORMULAS):
        ws2.cell(row=row, column=4, value=f)
    buf = io.BytesIO()
    wb2.save(buf)
    c.add("meti-xlsx-formulas", "meti", ".xlsx", buf.getvalue(), "formula injection in names (xlsx)", "either")
    wb3 = openpyxl.Workbook()
    wb3.active.append(["nothing", "useful"])
    buf = io.BytesIO()
    wb3.save(buf)
    c.add("meti-xlsx-wrong-columns", "meti", ".xlsx", buf.getvalue(), "xlsx without the expected columns", "error")


def disclosure_family(c: Corpus) -> None:
    t = "disclosure"
    text = "Name: Test Person (fictional)\nAppointments: Visiting Professor, Kizuna University (2020-2023).\n兼業: 絆大学 客員教授 (令和2年4月〜現在)\n"
    c.add("disc-empty-txt", t, ".txt", b"", "empty file", "error")
    c.add("disc-sjis", t, ".txt", text.encode("cp932"), "encoding: Shift_JIS", "safe")
    c.add("disc-eucjp", t, ".txt", text.encode("euc_jp"), "encoding: EUC-JP", "safe",
          note="EUC-JP is a legitimate Japanese encoding: the reader recognises and decodes it, so ingesting it is the right outcome")
    c.add("disc-utf16", t, ".txt", text.encode("utf-16"), "encoding: UTF-16 with BOM")
    c.add("disc-mixed-encodings", t, ".txt", text.encode("utf-8") + text.encode("cp932") + text.encode("euc_jp"), "mixed encodings in one file",
          note="no single encoding decodes the whole file: a clear refusal is right; guessing per line could store misread names")
    c.add("disc-mojibake", t, ".txt", text.encode("utf-8").decode("latin-1").encode("utf-8"), "mojibake", "either")
    c.add("disc-unicode", t, ".txt", (text + UNICODE + "\n").encode(), "extreme Unicode", "safe")
    c.add("disc-long-name", t, ".txt", ("Name: Test Person\n" + LONG + " Visiting Professor, Kizuna University\n").encode(), "very long names (100k chars)", "safe",
          note="was refused (Sudachi accepts at most 49 149 bytes); the reader now cuts a long line into pieces, so the document is read")
    c.add("disc-injection", t, ".txt", ("Name: Test Person\nVisiting Professor, " + INJ + " University (2020).\n" + INJ + "\n").encode(), "Cypher injection in text", "safe")
    c.add("disc-nul-junk", t, ".txt", junk(77, 20000), "binary junk named .txt", "either")
    c.add("disc-pdf-no-text", t, ".pdf", pdf_bytes(None), "PDF without a text layer", "error")
    c.add("disc-pdf-encrypted", t, ".pdf", pdf_bytes("Visiting Professor, Kizuna University", password="secret"), "encrypted PDF (password)", "error")
    c.add("disc-pdf-text", t, ".pdf", pdf_bytes("Name: Test Person. Visiting Professor, Kizuna University (2020-2023). " + INJECTIONS[0]), "PDF with text + injection", "safe")
    c.add("disc-pdf-truncated", t, ".pdf", pdf_bytes("Visiting Professor")[:300], "truncated PDF", "error")
    c.add("disc-pdf-junk", t, ".pdf", b"%PDF-1.7\n" + junk(78, 5000), "PDF header then junk", "error")
    c.add("disc-docx-junk", t, ".docx", junk(79), "binary junk named .docx", "error")
    good_docx = minimal_docx([text, INJ, UNICODE])
    c.add("disc-docx-ok-injection", t, ".docx", good_docx, "DOCX with injection + Unicode", "safe")
    c.add("disc-docx-truncated", t, ".docx", good_docx[: len(good_docx) // 2], "truncated DOCX", "error")
    doc_xml = zipfile.ZipFile(io.BytesIO(good_docx)).read("word/document.xml")
    bomb = doc_xml.replace(b"</w:body>", b"</w:body>" + b" " * (BOMB_BYTES), 1)
    c.add("disc-docx-zip-bomb", t, ".docx", replace_member(good_docx, "word/document.xml", bomb), "zip bomb inside DOCX (300 MB document.xml)", "error")
    c.add("disc-docx-xxe", t, ".docx", replace_member(good_docx, "word/document.xml", with_doctype(doc_xml, b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(b"<w:t>", b"<w:t>&xxe;", 1)),
          "XML external entity inside DOCX", "either", note="must not read /etc/passwd")
    c.add("disc-html-script", t, ".html", ("<html><script>alert(1)</script><body><p>" + text.replace(chr(10), "<br>") + "</p><img src=x onerror=alert(1)></body></html>").encode(), "HTML with script", "safe")
    c.add("disc-html-deep", t, ".html", b"<div>" * 50_000 + b"Visiting Professor" + b"</div>" * 50_000, "HTML nested 50 000 deep", "either")
    c.add("disc-latex-input", t, ".tex", b"\\documentclass{article}\\begin{document}\\input{/etc/passwd} Visiting Professor, Kizuna University\\end{document}", "LaTeX \\input of a local file", "either", note="must not read /etc/passwd")
    c.add("disc-json-truncated", t, ".json", b'{"subject": {"name": "Test Person', "truncated JSON form", "error")
    c.add("disc-json-wrong-types", t, ".json", b'{"subject": ["not", "a", "mapping"], "appointments": 7}', "JSON form of the wrong shape", "error")
    form = {"subject": {"name": "Test Person " + INJ}, "appointments": [{"organization": {"name": "Kizuna University " + INJ}, "role": INJ, "start": "2020-04-01"}], "remarks": INJ}
    c.add("disc-json-injection", t, ".json", json.dumps(form).encode(), "JSON form with injection in every field", "either", marker="KZINJ")
    c.add("disc-unknown-ext", t, ".exe", b"MZ" + junk(80, 2000), "unsupported file type", "error")
    c.add_sparse("disc-oversize", t, ".txt", 21 * 1024 * 1024, b"Visiting Professor\n", "file over the 20 MB limit", "error")


def upload_family(c: Corpus) -> None:
    t = "upload"
    text = "氏名：試験 太郎\n兼業: 絆大学 客員教授 (令和2年4月〜現在)\nVisiting Professor, Kizuna University\n"
    c.add_sparse("up-oversize", t, ".txt", 11 * 1024 * 1024, b"Visiting Professor\n", "upload over the 10 MB limit", "error")
    c.add("up-exe", t, ".exe", b"MZ" + junk(81, 2000), "forbidden extension", "error")
    c.add("up-no-ext", t, "", text.encode(), "no extension", "error")
    c.add("up-pdf-is-html", t, ".pdf", b"<html>not a pdf</html>", "PDF extension, HTML content", "error")
    c.add("up-docx-is-pdf", t, ".docx", pdf_bytes("x"), "DOCX extension, PDF content", "error")
    c.add("up-txt-binary", t, ".txt", b"\x00\x01\x02" + junk(82, 3000), "binary content named .txt", "error")
    c.add("up-empty", t, ".txt", b"", "empty upload", "error")
    good_docx = minimal_docx([text])
    doc_xml = zipfile.ZipFile(io.BytesIO(good_docx)).read("word/document.xml")
    c.add("up-docx-zip-bomb", t, ".docx", replace_member(good_docx, "word/document.xml", doc_xml.replace(b"</w:body>", b"</w:body>" + b" " * (BOMB_BYTES), 1)), "zip bomb inside an uploaded DOCX", "error")
    c.add("up-pdf-encrypted", t, ".pdf", pdf_bytes("Visiting Professor", password="pw"), "encrypted PDF upload", "error")
    c.add("up-pdf-no-text", t, ".pdf", pdf_bytes(None), "PDF upload without text", "error")
    c.add("up-sjis", t, ".txt", text.encode("cp932"), "Shift_JIS text upload", "safe")
    c.add("up-utf16", t, ".txt", text.encode("utf-16"), "UTF-16 text upload", "either")
    c.add("up-injection", t, ".txt", (text + INJ + "\n").encode(), "Cypher injection in the text", "safe")
    c.add("up-unicode", t, ".txt", (text + UNICODE + "\n").encode(), "extreme Unicode text", "safe")
    # Hostile file names are carried in the manifest; the test sends them as the multipart filename.
    for i, fname in enumerate(["../../../../etc/passwd.txt", "x'}) MATCH (n) DETACH DELETE n //.txt", "evil\u202etxt.exe.txt", "a" * 5000 + ".txt", "name\r\nX-Injected: 1.txt"]):
        c.add(f"up-hostile-name-{i}", t, ".txt", text.encode(), "hostile upload file name", "either", note="filename=" + json.dumps(fname))
        c.cases[-1]["upload_name"] = fname


def build(out: Path = DEFAULT_OUT, shared: Path = DEFAULT_SHARED) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    c = Corpus(out)
    for source, (rel, keep) in BASES.items():
        path = shared / rel
        ext = EXT.get(source, ".csv")
        if ext in (".csv", ".tsv"):
            csv_family(c, source, read_csv(path, keep, DELIM.get(source, ",")), ext)
        elif source in ("ftm", "ror"):
            with path.open(encoding="utf-8") as fh:
                lines = [next(fh).strip() for _ in range(keep)]
            jsonl_family(c, source, lines, ".jsonl" if source == "ror" else ".json")
        elif ext == ".json":
            json_family(c, source, path.read_bytes())
        else:
            xml_family(c, source, path.read_bytes())
    for source, rows in CRAFTED_CSV.items():
        csv_family(c, source, rows, ".csv")
    # the METI CSV in the legacy Japanese encodings the real list has been published in
    meti_rows = read_csv(shared / BASES["meti"][0], 6, ",")
    text = csv_bytes(meti_rows).decode()
    c.add("meti-sjis", "meti", ".csv", text.encode("cp932", "replace"), "encoding: Shift_JIS", "either")
    c.add("meti-eucjp", "meti", ".csv", text.encode("euc_jp", "replace"), "encoding: EUC-JP", "either")
    c.add("meti-mixed", "meti", ".csv", text.encode() + "\n".join(text.splitlines()[1:]).encode("cp932", "replace"), "mixed UTF-8 and Shift_JIS lines", "either")
    formula_rows = [["name", "aliases", "kind"]] + [[f, f, "company"] for f in FORMULAS]
    c.add("userlist-formulas", "userlist", ".csv", csv_bytes(formula_rows), "CSV formula injection (checked in exports)", "safe", marker="=HYPERLINK")
    c.add("userlist-long-name", "userlist", ".csv", csv_bytes([["name", "kind"], [LONG, "company"]]), "very long name (100k chars)", "either", marker="KZLONG")
    c.add("userlist-yaml-bomb", "userlist", ".yaml", b'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nentries: *g\n',
          "YAML alias bomb (billion laughs)", "either")
    c.add("userlist-yaml-python-tag", "userlist", ".yaml", b"entries:\n  - !!python/object/apply:os.system ['echo pwned > /tmp/kizuna-pwned']\n", "YAML python object tag", "error")
    c.add("cps-yaml-injection", "cps", ".yaml", json.dumps({"people": [{"name": "Test " + INJ, "appointments": [{"organization": "Org " + INJ, "kind": "employment", "role": INJ}],
                                                                        "support": [{"title": INJ, "funder": "Funder " + INJ}]}]}).encode(), "Cypher injection in every YAML field", "either", marker="KZINJ")
    xlsx_family(c, shared)
    disclosure_family(c)
    upload_family(c)
    (out / "manifest.json").write_text(json.dumps(c.cases, indent=1, ensure_ascii=False), encoding="utf-8")
    return c.cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = ap.parse_args()
    cases = build(args.out, args.shared)
    print(f"{len(cases)} cases in {args.out}")


if __name__ == "__main__":
    main()
