"""Minsheng's read model and reference tables: SQLModel on async SQLAlchemy (aiosqlite or asyncpg).

One module per feature: ``intake``, ``cases``, ``callbacks``, ``dispatching``, ``supervision``,
``outbox``, ``keys``, ``reference``, ``ranking``, ``assessment``; the tables in ``models``, the
connection in ``db``, SQL both databases take in ``sql``, the schema's history in ``migrations``.

One rule for the handles:
- a **read** is ``async def`` on an ``AsyncSession`` (``async with db.session() as session``);
- a **write** is a plain ``def`` on a ``Session``, named for what it writes (``add_``, ``record_``,
  ``open_``, ``move_``, ``mark_``, ``sync_``, ``store_``...), run by the caller inside
  ``await db.write(lambda session: ...)``: one transaction, so several writes commit together, and
  on SQLite the process's waiting writes are grouped. A read a write depends on takes the
  write's ``Session`` and runs in its transaction (intake's look-ups).
"""
