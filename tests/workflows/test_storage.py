"""The object store, as the archive and attachments use it: a local folder, and an S3-compatible
store — moto's server started here as a real HTTP server on the loopback, spoken to by boto3 over
HTTP exactly as a MinIO or a cloud bucket would be."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateways.storage import CorruptObject, ObjectConflict, ObjectMissing, ObjectStore, content_hash, object_store
from minsheng.settings import Settings
from tests.helpers import ROOT, s3_bucket, s3_settings


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return object_store(Settings(config_dir=ROOT / "config", var_dir=tmp_path))
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"b-{tmp_path.name[-20:].lower().replace('_', '-')}"
    s3_bucket(endpoint, bucket)
    return object_store(s3_settings(endpoint, bucket))


async def test_an_object_comes_back_as_written_with_its_hash(store: ObjectStore) -> None:
    data = "投诉内容 archived".encode()
    written = await store.put("archive/cases/C-1/run-1.json.gz", data)
    assert (written.size, written.sha256) == (len(data), content_hash(data))
    assert await store.get("archive/cases/C-1/run-1.json.gz") == data
    assert await store.exists("archive/cases/C-1/run-1.json.gz")
    assert not await store.exists("archive/cases/C-1/run-2.json.gz")
    await store.put("archive/cases/C-2/run-1.json.gz", b"other")
    listed = await store.list("archive/cases/C-1/")
    assert [(o.key, o.size, o.sha256) for o in listed] == [
        ("archive/cases/C-1/run-1.json.gz", len(data), written.sha256)
    ]
    assert len(await store.list("archive/")) == 2


async def test_objects_are_written_once(store: ObjectStore) -> None:
    await store.put("a/b", b"one")
    assert (await store.put("a/b", b"one")).sha256 == content_hash(b"one")  # the same again: a no-op
    with pytest.raises(ObjectConflict, match="a/b"):
        await store.put("a/b", b"two")
    with pytest.raises(ObjectMissing):
        await store.get("a/c")
    with pytest.raises(ValueError, match="bad object key"):
        await store.put("../escape", b"x")


async def test_a_deleted_object_is_gone_and_deleting_it_again_is_no_error(store: ObjectStore) -> None:
    await store.put("attachments/A1", b"photo")
    await store.put("attachments/A1.thumbnail.jpg", b"small")
    await store.delete("attachments/A1")
    assert not await store.exists("attachments/A1")
    with pytest.raises(ObjectMissing):
        await store.get("attachments/A1")
    await store.delete("attachments/A1")  # a deletion repeated after a crash
    await store.delete("attachments/never-written")
    assert [o.key for o in await store.list("attachments/")] == ["attachments/A1.thumbnail.jpg"]
    await store.put("attachments/A1", b"photo")  # the key may be written again, as new
    assert await store.get("attachments/A1") == b"photo"


async def test_a_file_changed_behind_the_stores_back_is_refused(tmp_path: Path) -> None:
    store = object_store(Settings(config_dir=ROOT / "config", var_dir=tmp_path))
    await store.put("archive/x.json.gz", b"original")
    (tmp_path / "store" / "archive" / "x.json.gz").write_bytes(b"0riginal")
    with pytest.raises(CorruptObject, match="changed after it was written"):
        await store.get("archive/x.json.gz")


async def test_an_s3_object_changed_behind_the_stores_back_is_refused(s3_endpoint: str) -> None:
    s3 = s3_bucket(s3_endpoint, "tampered")
    store = object_store(s3_settings(s3_endpoint, "tampered"))
    written = await store.put("k", b"original")
    s3.put_object(Bucket="tampered", Key="minsheng/k", Body=b"forged", Metadata={"sha256": written.sha256})
    with pytest.raises(CorruptObject):
        await store.get("k")


def test_a_storage_url_that_is_neither_s3_nor_a_folder_stops_start_up() -> None:
    with pytest.raises(ValueError, match="storage_url"):
        Settings(storage_url="ftp://somewhere/x")
    with pytest.raises(ValueError, match="names no bucket"):
        Settings(storage_url="s3:///prefix")
