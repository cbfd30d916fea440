"""The async engine and sessions, for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the worker writes; busy_timeout waits out the other's write lock
    # instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


Work = Callable[[AsyncSession], Awaitable[T]]
GROUP_LIMIT = 200
"""The most writes one SQLite transaction takes."""


class Database:
    """One engine per process. ``session()`` reads; ``write(work)`` runs ``work`` in a transaction
    that commits on success and rolls back on error.

    SQLite has one writer at a time per file, and the API and the worker are separate processes.
    Left to itself a second writer sleeps in SQLite's busy handler (steps of up to 100 ms: measured
    39 requests/s, p99 3.7 s). Queueing writers on a lock fixed the tail but not the rate, since a
    transaction holds the lock across several event-loop turns. So on SQLite, writes are grouped:
    the writes waiting in this process run in one transaction (group commit) under an ``flock`` on a
    file beside the database, shared with the other processes. If the group fails, each of its
    writes runs again alone, so one bad write fails only its own caller. PostgreSQL needs none of it.
    """

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        database = make_url(url).database if self.is_sqlite else None
        self._lock_path = Path(f"{database}.writelock") if database not in (None, "", ":memory:") else None
        self._lock_fd: int | None = None
        self._waiting: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            yield session

    async def write(self, work: Work[T]) -> T:
        if not self.is_sqlite:
            async with self.session() as session:
                return await work(session)
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((work, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_groups())
        return await done

    async def _write_groups(self) -> None:
        while self._waiting:
            group = [(w, f) for w, f in self._waiting[:GROUP_LIMIT] if not f.done()]
            del self._waiting[:GROUP_LIMIT]
            if not group:
                continue
            await self._lock()
            try:
                try:
                    async with self.session() as session:
                        results = [await work(session) for work, _ in group]
                except Exception:  # noqa: BLE001  (retried one by one below, each failing alone)
                    for work, done in group:
                        await self._write_alone(work, done)
                else:
                    for (_, done), result in zip(group, results, strict=True):
                        if not done.done():
                            done.set_result(result)
            finally:
                self._unlock()

    async def _write_alone(self, work: Work[Any], done: asyncio.Future[Any]) -> None:
        try:
            async with self.session() as session:
                result = await work(session)
        except Exception as exc:  # noqa: BLE001  (handed to the caller)
            if not done.done():
                done.set_exception(exc)
        else:
            if not done.done():
                done.set_result(result)

    async def _lock(self) -> None:
        if self._lock_path is None:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        await asyncio.to_thread(fcntl.flock, self._lock_fd, fcntl.LOCK_EX)

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        await self.engine.dispose()
