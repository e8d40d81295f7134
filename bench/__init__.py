"""Benchmarks of the map APIs; `make bench` runs them (see bench/README.md)."""
