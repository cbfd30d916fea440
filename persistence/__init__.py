"""Minsheng's read model and reference tables: SQLModel on async SQLAlchemy (aiosqlite or asyncpg)."""
