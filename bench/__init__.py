"""Benchmarks: they print their figures and write them to bench/results/*.json. Tests never time."""
