"""Benchmarks with their targets (DESIGN.md); run with `python -m bench NAME`."""
