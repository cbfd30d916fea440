"""Minsheng: wiring (settings, logging, Temporal connection) and the ``minsheng`` command."""
