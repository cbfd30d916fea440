"""The async engine and sessions, for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
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


async def _lock(fd: int) -> None:
    """Wait in a thread for the write lock on ``fd``; a wait cancelled meanwhile lets go of the lock
    as soon as the thread has it, so another process is never left waiting for a lock no one uses."""
    waiting = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX))
    try:
        await asyncio.shield(waiting)
    except asyncio.CancelledError:
        waiting.add_done_callback(lambda _: fcntl.flock(fd, fcntl.LOCK_UN))
        raise


Work = Callable[[Session], T]
GROUP_LIMIT = 200
"""The most writes one SQLite transaction takes."""


class Database:
    """One engine per process. ``session()`` reads; ``write(work)`` runs ``work`` (a plain function
    of a ``Session``) in a transaction that commits on success and rolls back on error.

    SQLite has one writer at a time per file, and the API and the worker are separate processes.
    Measured on the intake benchmark (see bench/README.md): left to itself a second writer sleeps in SQLite's
    busy handler (39 requests/s, p99 3.7 s); queueing writers on a lock fixed the tail, not the
    rate, because an async transaction holds the lock across event-loop turns, and the worker's loop
    is busy with workflow tasks (135 ms held per transaction). So on SQLite the writes waiting in a
    process are grouped into one transaction (group commit) under an ``flock`` on a file beside the
    database shared with the other processes. The lock is waited for in a thread; the group then
    runs start to end on the event loop, which holds the GIL throughout: run in a thread, it
    shared the GIL with the worker's workflow activations and held the lock twice as long (the
    API's writes waited behind it: p95 of intake 250 ms at 4 concurrent, 144 ms inline). If a group
    fails, each of its writes runs again alone, so one bad write fails only its own caller.
    PostgreSQL takes each write in its own transaction on the async driver.
    """

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._waiting: list[tuple[Work[Any], asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._sync_engine: Engine | None = None
        self._lock_fd: int | None = None
        if self.is_sqlite:
            parsed = make_url(url)
            self._sync_engine = sa.create_engine(parsed.set(drivername="sqlite"))
            event.listen(self._sync_engine, "connect", _sqlite_pragmas)
            if parsed.database not in (None, "", ":memory:"):
                self._lock_fd = os.open(f"{parsed.database}.writelock", os.O_RDWR | os.O_CREAT, 0o600)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            yield session

    async def write(self, work: Work[T]) -> T:
        if self._sync_engine is None:
            async with self.session() as session:
                return await session.run_sync(work)
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((work, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_groups())
        return await done

    async def _write_groups(self) -> None:
        while self._waiting:
            if self._lock_fd is not None:
                await _lock(self._lock_fd)
            try:
                group = [(w, f) for w, f in self._waiting[:GROUP_LIMIT] if not f.done()]
                del self._waiting[:GROUP_LIMIT]
                outcomes = self._commit_group([work for work, _ in group])
            finally:
                if self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            for (_, done), (ok, value) in zip(group, outcomes, strict=True):
                if not done.done():
                    done.set_result(value) if ok else done.set_exception(value)

    def _commit_group(self, works: list[Work[Any]]) -> list[tuple[bool, Any]]:
        """All of ``works`` in one transaction, else each alone."""
        try:
            return [(True, result) for result in self._transaction(works)]
        except Exception:  # noqa: BLE001  (retried one by one, each failing alone)
            outcomes: list[tuple[bool, Any]] = []
            for work in works:
                try:
                    outcomes.append((True, self._transaction([work])[0]))
                except Exception as exc:  # noqa: BLE001  (handed to its caller)
                    outcomes.append((False, exc))
            return outcomes

    def _transaction(self, works: list[Work[Any]]) -> list[Any]:
        with Session(self._sync_engine, expire_on_commit=False) as session, session.begin():
            return [work(session) for work in works]

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        if self._sync_engine is not None:
            self._sync_engine.dispose()
        await self.engine.dispose()
