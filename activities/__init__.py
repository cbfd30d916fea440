"""Temporal activities: all I/O and everything that reads data that can change (catalogue, DB)."""
