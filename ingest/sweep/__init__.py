"""Periodic open-source due-diligence sweeps: refresh sources, re-check a population, report changes.

definition.py (the YAML), runner.py (the run: lock, checkpoints, workers), diff.py, outputs.py,
lock.py, checkpoint.py, schedule.py, store.py (the GraphQL shape), steps.py (adapters to
ingest / resolve / assess). See docs/sweeps.md.
"""
