"""The embedded mode's task queue keeps its tasks as durably as the database, without a disk
flush per task queued."""

from okienko.core.queue import QueueStorage

NORMAL = 1


def test_the_embedded_queue_is_wal_with_normal_sync_and_keeps_its_tasks(tmp_path):
    storage = QueueStorage("okienko", filename=str(tmp_path / "queue.sqlite3"))

    storage.enqueue(b"index ticket 1")
    storage.enqueue(b"index ticket 2")

    assert storage.conn.execute("pragma synchronous").fetchone()[0] == NORMAL
    assert storage.conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert [storage.dequeue(), storage.dequeue()] == [b"index ticket 1", b"index ticket 2"]
