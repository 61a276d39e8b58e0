"""Benchmarks: reproducible scripts that print their figures and the ratio to a baseline
measured in the same run. Run one with `python -m bench.<name>`, all with `python -m bench`."""
