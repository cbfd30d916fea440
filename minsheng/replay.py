"""Replay a case's recorded history against the current workflow code (the auditors' check)."""

from __future__ import annotations

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from minsheng.settings import Settings
from minsheng.temporal import DATA_CONVERTER, case_id_of, case_workflow_id, connect
from workflows.registry import WORKFLOWS


async def replay_history(history: WorkflowHistory) -> None:
    """Raises if the current code would not make the same decisions as the recorded history."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


async def replay_case(settings: Settings, case_id: str) -> tuple[bool, str]:
    client = await connect(settings.temporal_address, settings.temporal_namespace, settings.temporal_access)
    workflow_id = case_id if case_id_of(case_id) else case_workflow_id(case_id)
    try:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
    except Exception as exc:  # noqa: BLE001  (the reason is the answer)
        return False, f"{workflow_id}: could not fetch the history: {exc}"
    try:
        await replay_history(history)
    except Exception as exc:  # noqa: BLE001  (the reason is the answer)
        return False, f"{workflow_id}: does NOT replay on the current code: {type(exc).__name__}: {exc}"
    return True, f"{workflow_id}: {len(history.events)} events replay cleanly on the current code"
