"""The demo graph: bundled public-domain / CC0 data and fictional researchers, loaded through
the real ingestors (so the demo exercises exactly what users run). Idempotent: loading twice
changes nothing."""

from __future__ import annotations

from pathlib import Path

from graph.db import Database
from ingest.base import IngestReport
from ingest.runner import Ingestor
from ingest.registry import get_source

DATA = Path(__file__).resolve().parent / "data"

# (source, file): registries first so lists and disclosures meet their records.
DEMO_FILES: list[tuple[str, str]] = [
    ("ror", "ror_subset.jsonl"),
    ("userlist", "dod_section1286_excerpt.yaml"),
    ("aspi", "misp_galaxy_china-defence-universities.json"),
    ("meti", "meti_foreign_user_list_20250929.csv"),
    ("nsf", "nsf_awards_sample.csv"),
    ("nih", "nih_reporter_sample.csv"),
    ("cps", "fictional_researchers.yaml"),
]


async def load_demo(db: Database) -> IngestReport:
    """Ingest every demo file; returns the combined report (printable)."""
    combined = IngestReport()
    ingestor = Ingestor(db)
    for source, name in DEMO_FILES:
        report = await ingestor.run(get_source(source), [DATA / name])
        combined.files.extend(report.files)
        combined.seconds += report.seconds
    return combined
