"""Renderers: the accountability notices (Markdown and PDF) and the analysis charts (SVG), from
domain figures; no I/O."""
