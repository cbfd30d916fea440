"""The object store: where Minsheng keeps files that outlive Temporal and do not belong in the
database (archived case histories; citizens' attachments). A folder under ``var/`` by default, any
S3-compatible store (MinIO, Ceph, a cloud's) when ``MINSHENG_STORAGE_URL`` is ``s3://bucket/prefix``.

Every object is addressed by a key (``archive/cases/C-1/run.json.gz``) and carries the SHA-256 of
its content, computed on write and checked on every read: a file changed behind Minsheng's back is
refused (``CorruptObject``), never served. Objects are written whole and never changed in place:
the same key written again must have the same content (``ObjectConflict`` otherwise). An object is
deleted only when what it holds must go (a citizen's file past the retention period, an upload no
request named); deleting a key that is not there is no error, so a deletion repeated after a crash
finishes the job.

The stores are blocking underneath (files, boto3); the methods run them in a thread, so the API
and the activities call them from their event loops.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

from minsheng.settings import Settings

HASH_METADATA = "sha256"
"""The S3 user-metadata key holding an object's content hash (``x-amz-meta-sha256``)."""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


class ObjectMissing(LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no object {key!r} in the store")
        self.key = key


class CorruptObject(ValueError):
    """An object whose content no longer has the hash it was written with."""

    def __init__(self, key: str, expected: str, found: str) -> None:
        super().__init__(f"object {key!r} was changed after it was written: sha256 {found}, written as {expected}")
        self.key = key


class ObjectConflict(ValueError):
    """A key written again with another content: objects are written once."""

    def __init__(self, key: str) -> None:
        super().__init__(f"object {key!r} exists with another content; objects are never overwritten")
        self.key = key


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad object key {key!r}: relative, '/'-separated, no empty, '.' or '..' parts")
    return key


class ObjectStore(Protocol):
    """What every store answers; ``url`` says where it is, for logs and messages."""

    url: str

    async def put(self, key: str, data: bytes) -> StoredObject: ...

    async def get(self, key: str) -> bytes: ...

    async def exists(self, key: str) -> bool: ...

    async def list(self, prefix: str = "") -> list[StoredObject]: ...

    async def delete(self, key: str) -> None:
        """Remove the object if it is there; a missing key is no error."""
        ...


class _BlockingStore:
    """The async methods, each running the store's blocking one in a thread."""

    def _put(self, key: str, data: bytes) -> StoredObject:
        raise NotImplementedError

    def _get(self, key: str) -> bytes:
        raise NotImplementedError

    def _exists(self, key: str) -> bool:
        raise NotImplementedError

    def _list(self, prefix: str) -> list[StoredObject]:
        raise NotImplementedError

    def _delete(self, key: str) -> None:
        raise NotImplementedError

    async def put(self, key: str, data: bytes) -> StoredObject:
        return await asyncio.to_thread(self._put, key, data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._get, key)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._exists, key)

    async def list(self, prefix: str = "") -> list[StoredObject]:
        return await asyncio.to_thread(self._list, prefix)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, key)


class LocalStore(_BlockingStore):
    """A folder: each object a file, its hash in a ``.sha256`` file beside it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.resolve().as_uri()

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def _put(self, key: str, data: bytes) -> StoredObject:
        path, digest = self._path(key), content_hash(data)
        if path.exists():
            if self._get(key) != data:
                raise ObjectConflict(key)
            return StoredObject(key, len(data), digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half an object, nor one without its hash.
        for target, content in ((path.with_name(path.name + ".sha256"), digest.encode()), (path, data)):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        return StoredObject(key, len(data), digest)

    def _get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            data, expected = path.read_bytes(), path.with_name(path.name + ".sha256").read_text().strip()
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        if (found := content_hash(data)) != expected:
            raise CorruptObject(key, expected, found)
        return data

    def _list(self, prefix: str) -> list[StoredObject]:
        if not self.root.is_dir():
            return []
        found = []
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix) and not path.name.endswith(".sha256"):
                if path.name.startswith(".tmp-"):
                    continue
                digest = path.with_name(path.name + ".sha256").read_text().strip()
                found.append(StoredObject(key, path.stat().st_size, digest))
        return found

    def _exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def _delete(self, key: str) -> None:
        path = self._path(key)
        # The content first: an object whose hash file is left behind is not listed, while one
        # without its hash file would be unreadable.
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".sha256").unlink(missing_ok=True)


class S3Store(_BlockingStore):
    """A bucket (and a key prefix in it) of an S3-compatible store; the hash in each object's
    user metadata."""

    def __init__(self, bucket: str, prefix: str, client: Any) -> None:
        self.bucket, self.prefix, self.client = bucket, prefix.strip("/"), client
        self.url = f"s3://{bucket}/{self.prefix}"

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{_check_key(key)}" if self.prefix else _check_key(key)

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._name(key))  # type: ignore[no-any-return]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def _put(self, key: str, data: bytes) -> StoredObject:
        digest = content_hash(data)
        head = self._head(key)
        if head is not None:
            if head["Metadata"].get(HASH_METADATA) != digest:
                raise ObjectConflict(key)
            return StoredObject(key, len(data), digest)
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, Metadata={HASH_METADATA: digest})
        return StoredObject(key, len(data), digest)

    def _get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey"):
                raise ObjectMissing(key) from None
            raise
        data: bytes = answer["Body"].read()
        expected = answer["Metadata"].get(HASH_METADATA, "")
        if (found := content_hash(data)) != expected:
            raise CorruptObject(key, expected, found)
        return data

    def _list(self, prefix: str) -> list[StoredObject]:
        start = f"{self.prefix}/" if self.prefix else ""
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start + prefix):
            for item in page.get("Contents", []):
                key = item["Key"].removeprefix(start)
                head = self._head(key)
                found.append(StoredObject(key, item["Size"], head["Metadata"].get(HASH_METADATA, "") if head else ""))
        return found

    def _exists(self, key: str) -> bool:
        return self._head(key) is not None

    def _delete(self, key: str) -> None:
        # S3 answers a missing key's deletion with success, as the protocol asks.
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))


def object_store(settings: Settings) -> ObjectStore:
    """The store ``storage_url`` names: ``s3://bucket/prefix`` or a folder (by default var/store)."""
    url = settings.storage_url or str(settings.var_dir / "store")
    parts = urlsplit(url)
    if parts.scheme == "s3":
        client = boto3.client(
            "s3",
            endpoint_url=settings.storage_endpoint_url,
            region_name=settings.storage_region,
            aws_access_key_id=settings.storage_access_key,
            aws_secret_access_key=(
                settings.storage_secret_key.get_secret_value() if settings.storage_secret_key else None
            ),
        )
        return S3Store(parts.netloc, parts.path, client)
    return LocalStore(Path(parts.path if parts.scheme == "file" else url))
