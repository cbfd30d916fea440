"""The daily ranking over a million cases in PostgreSQL (``python -m bench.ranking``): a simulated
city (``city``, ``clock``, ``followups``, ``rows``) loaded by COPY, then ``rank_day`` timed (``run``)."""

from bench.ranking.run import main

__all__ = ["main"]
