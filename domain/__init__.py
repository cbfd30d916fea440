"""Minsheng's domain rules: plain, typed, pure Python, testable without Temporal or a database."""
