"""`kizuna sweep schedule`: run sweeps on their cron schedules inside one long-lived process.

Why APScheduler: a well-kept scheduler with cron triggers, misfire handling and coalescing; we
set max_instances=1 per definition (the sweep's own lock also refuses overlaps across
processes) and coalesce missed runs into one. croniter validates expressions and tells the next
run times for `kizuna sweep show`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from croniter import croniter

from ingest.sweep.definition import load_definition
from kizuna.errors import InvalidInput, KizunaError

log = logging.getLogger("kizuna.sweep")


def next_runs(expression: str, count: int = 3, start: datetime | None = None) -> list[str]:
    """The next ``count`` fire times (UTC, ISO 8601) of a cron expression."""
    it = croniter(expression, start or datetime.now(timezone.utc))
    return [it.get_next(datetime).isoformat() for _ in range(count)]


def build_scheduler(paths: list[Path], run_one: Callable[[Path], dict], *, timezone_name: str = "UTC") -> BlockingScheduler:
    """A scheduler with one cron job per definition; ``run_one(path)`` runs a sweep."""
    scheduler = BlockingScheduler(timezone=timezone_name)
    for path in paths:
        d = load_definition(path).definition
        if not d.schedule:
            raise InvalidInput(f"sweep definition {path} has no schedule")

        def job(p: Path = path) -> None:
            try:
                record = run_one(p)
                log.info(json.dumps({"event": "sweep.scheduled_run", "definition": str(p), "sweep": record["id"],
                                     "changes": record["diff"]["counts"]}))
            except KizunaError as exc:  # refused (already running) or failed: log, keep the schedule
                log.error(json.dumps({"event": "sweep.scheduled_run_failed", "definition": str(p), "error": str(exc)}))

        scheduler.add_job(job, CronTrigger.from_crontab(d.schedule, timezone=timezone_name), id=d.id, name=d.title or d.id,
                          max_instances=1, coalesce=True, misfire_grace_time=3600)
    return scheduler


def run_blocking(path: Path, settings) -> dict:
    """Run one sweep with a fresh driver (the scheduler's jobs run in worker threads)."""
    from graph.db import Database
    from ingest.sweep.runner import run_sweep

    async def main() -> dict:
        db = Database(settings)
        try:
            await db.verify()
            return await run_sweep(db, path)
        finally:
            await db.close()

    return asyncio.run(main())
