"""Kizuna: a knowledge-graph investigation service for research-security due diligence.

This small package holds what every layer shares and nothing else: settings, the exception
hierarchy and deterministic ids. The layers themselves live in the top-level packages
graph/, ingest/, nlp/, resolve/, queries/ and api/.
"""

__version__ = "0.1.0"
