"""Minsheng's side of the systems it talks to: the case workflows (through Temporal), the callback
centre, and the subscribers notified of case events."""
