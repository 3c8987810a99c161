"""Hostile file systems: read-only directories and a full disk, on real mounts where allowed."""

import os
import subprocess

import pytest
from conftest import make_document

from discourse.errors import StoreError
from discourse.store import Store


def _mount_tmpfs(target, options: str) -> bool:
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True
    )
    return result.returncode == 0


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs mount (needs root); yields (path, remount) and unmounts afterwards."""
    target = tmp_path / "mnt"
    target.mkdir()
    if not _mount_tmpfs(target, "size=1m"):
        pytest.skip(
            "cannot mount a tmpfs here (needs root); test_store covers the same paths with max_page_count"
        )

    def remount(options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(target)], check=True)

    yield target, remount
    subprocess.run(["umount", "-l", str(target)], check=False)


def test_store_in_read_only_directory_is_refused(tmp_path, tmpfs):
    target, remount = tmpfs
    remount("ro")
    with pytest.raises(StoreError, match="is not writable|cannot write|read-only"):
        Store.open(target / "new.sqlite")
    assert not (target / "new.sqlite").exists()


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores directory permissions; the tmpfs test covers it"
)
def test_store_in_unwritable_directory_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="directory .* is not writable"):
            Store.open(locked / "new.sqlite")
    finally:
        locked.chmod(0o755)


def test_existing_store_on_read_only_mount_keeps_data(tmpfs):
    target, remount = tmpfs
    path = target / "store.sqlite"
    with Store.open(path) as store:
        store.add_document(make_document(1, text="Written before the mount became read-only."))
    remount("ro")
    with (
        pytest.raises(StoreError, match="cannot write|read-only|readonly|unable to open"),
        Store.open(path) as store,
    ):
        store.add_document(make_document(2))
    remount("rw")
    with Store.open(path) as store:
        assert [d.text for d in store.iter_documents()] == [
            "Written before the mount became read-only."
        ]


def test_full_disk_stops_with_message_and_keeps_data(tmpfs):
    target, _ = tmpfs
    path = target / "store.sqlite"
    committed = 0
    with Store.open(path) as store:
        store.add_document(make_document(0, text="The first document fits."))
        committed = 1
        words = " ".join(f"word{i}" for i in range(4000))
        with pytest.raises(StoreError, match="disk is full"):
            for batch in range(1, 1000):
                store.add_documents(
                    [make_document(batch * 10 + n, text=f"{batch} {n} {words}") for n in range(5)]
                )
                committed += 5
    # reopened after the failure: every committed batch is there, nothing half-written
    with Store.open(path) as store:
        assert store.read("SELECT count(*) FROM documents")[0][0] == committed
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
