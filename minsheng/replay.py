"""Replay a case's recorded history against the current workflow code (the auditors' check): from
Temporal while it holds the history, else from the archive (every run, each object's hash checked
against the one recorded when it was archived)."""

from __future__ import annotations

from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from gateways.storage import object_store
from minsheng.settings import Settings
from minsheng.temporal import DATA_CONVERTER, case_id_of, case_workflow_id, connect
from persistence.db import Database
from services.archive import ARCHIVE, archived_histories, case_histories
from workflows.registry import WORKFLOWS


async def replay_history(history: WorkflowHistory, converter: DataConverter = DATA_CONVERTER) -> None:
    """Raises if the current code would not make the same decisions as the recorded history;
    ``converter`` opens its payloads (with the payload keys, for encrypted histories)."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=converter)
    await replayer.replay_workflow(history)


async def replay_case(settings: Settings, case_id: str) -> tuple[bool, str]:
    case_id = case_id_of(case_id) or case_id
    workflow_id = case_workflow_id(case_id)
    client = await connect(settings.temporal_address, settings.temporal_namespace, settings.temporal_access)

    async def from_archive(cid: str) -> list[WorkflowHistory]:
        db = Database(settings.database_url)
        try:
            return await archived_histories(db, object_store(settings), cid)
        finally:
            await db.close()

    try:
        source, histories = await case_histories(client, case_id, from_archive)
    except Exception as exc:  # noqa: BLE001  (the reason is the answer)
        return False, f"{workflow_id}: could not read its history: {exc}"
    if not histories:
        return False, f"{workflow_id}: neither Temporal nor the archive has its history"
    for history in histories:
        try:
            await replay_history(history, settings.temporal_access.data_converter)
        except Exception as exc:  # noqa: BLE001  (the reason is the answer)
            return (
                False,
                f"{workflow_id}: from {source}: does NOT replay on the current code: {type(exc).__name__}: {exc}",
            )
    events = sum(len(h.events) for h in histories)
    runs = f"{len(histories)} run{'s' if len(histories) > 1 else ''}, " if source == ARCHIVE else ""
    return True, f"{workflow_id}: from {source}: {runs}{events} events replay cleanly on the current code"
