"""SQLite's writes, as two processes make them: each process's waiting writes go in one transaction
under a lock file the processes share; one bad write fails alone; a wait given up lets go."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from persistence.db import Database, _lock


def _add(value: int) -> Callable[[Session], int]:
    def work(session: Session) -> int:
        session.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
        return value

    return work


def _bad(session: Session) -> None:
    session.execute(sa.text("INSERT INTO missing (v) VALUES (1)"))


async def test_two_processes_writes_all_commit_and_a_bad_one_fails_alone(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    api, worker = Database(url), Database(url)  # two handles on the file, as the two processes hold
    try:
        await api.write(lambda s: s.execute(sa.text("CREATE TABLE t (v INTEGER PRIMARY KEY)")))
        writes = [(worker if i % 2 else api).write(_add(i)) for i in range(200)]
        results = await asyncio.gather(*writes, api.write(_bad), return_exceptions=True)
        assert results[:200] == list(range(200))
        assert isinstance(results[200], sa.exc.OperationalError)
        async with worker.session() as session:
            connection = await session.connection()
            assert (await connection.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == 200
    finally:
        await api.close()
        await worker.close()


async def test_a_wait_for_the_lock_given_up_lets_go_once_it_has_it(tmp_path: Path) -> None:
    path = tmp_path / "app.db.writelock"
    holder, waiter, other = (os.open(path, os.O_RDWR | os.O_CREAT, 0o600) for _ in range(3))
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        waiting = asyncio.create_task(_lock(waiter))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        fcntl.flock(holder, fcntl.LOCK_UN)  # the waiter's thread now takes the lock, and lets it go
        for _ in range(100):
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(0.02)
        else:
            pytest.fail("the lock stayed with a wait that was given up")
    finally:
        for fd in (holder, waiter, other):
            os.close(fd)
