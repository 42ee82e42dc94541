"""Record linkage between the poverty registry and a population extract (PURE: no Django).

``prepare`` validates and normalises both sides, ``pipeline.link`` runs the exact pass on the
12-digit ID and the probabilistic pass (Splink, DuckDB backend), ``incremental`` matches one new
person against an extract in milliseconds with the trained model, ``synth`` makes bench data.
"""
