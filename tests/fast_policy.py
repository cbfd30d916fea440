"""A tier policy in seconds, for tests that wait for real deadlines on the real dev server."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import ROOT

FAST_TIERS = """
tiers:
  red:    {handling: {hours: %(due)s}, acceptance: {hours: %(accept)s}, reminder_at: 0.5, warning_grace: {hours: %(grace)s}, response: {hours: %(respond)s}, dispatch: {hours: %(dispatch)s}}
  orange: {handling: {hours: 48}, acceptance: {hours: 2}, reminder_at: 0.5, warning_grace: {hours: 12}, response: {working_days: 1}}
  yellow: {handling: {working_days: 2}, acceptance: {hours: 4}, reminder_at: 0.6, warning_grace: {working_days: 1}, response: {working_days: 1}}
  blue:   {handling: {working_days: 3}, acceptance: {hours: 8}, reminder_at: 0.6, warning_grace: {working_days: 1}, response: {working_days: 1}}
  green:  {handling: {working_days: 3}, acceptance: {hours: 8}, reminder_at: 0.6, warning_grace: {working_days: 1}, response: {working_days: 1}}
"""


def fast_config(
    folder: Path, due_s: float, accept_s: float, grace_s: float, respond_s: float = 3600, dispatch_s: float = 3600
) -> Path:
    """A copy of config/ whose red tier runs in seconds (the other tiers as shipped)."""
    target = folder / "config"
    shutil.copytree(ROOT / "config", target)
    (target / "tiers.yaml").write_text(
        FAST_TIERS
        % {
            "due": due_s / 3600,
            "accept": accept_s / 3600,
            "grace": grace_s / 3600,
            "respond": respond_s / 3600,
            "dispatch": dispatch_s / 3600,
        }
    )
    return target
