"""The CSV export on two connections (PostgreSQL, outside a transaction): a thread reads blocks from the last one
backwards into temporary files while the caller streams them from the first; the archive is the same as one
connection's, block for block, in the same order."""

import csv
import io
import os
import threading
import time
import zipfile
from types import SimpleNamespace

import pytest

from fabriques.exports import queries, writers
from fabriques.exports.writers import ReadAhead, write_csv_zip


def _block(name: str, rows: int, pause: float = 0.0, fail: bool = False):
    def csv_chunks():
        for i in range(rows):
            time.sleep(pause)
            if fail:
                raise RuntimeError(f"connexion perdue pendant {name}")
            yield f"{name},{i}\n".encode(), 1

    return SimpleNamespace(name=name, header=["Bloc", "Rang"], csv_chunks=csv_chunks)


def _entries(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


@pytest.fixture
def read_ahead_spy(monkeypatch):
    """The blocks the thread handed over, by their first line."""
    handed = []
    original = ReadAhead.copy_into

    def copy_into(self, archive):
        handed.append(self)
        return original(self, archive)

    monkeypatch.setattr(ReadAhead, "copy_into", copy_into)
    return handed


@pytest.mark.parametrize("first_pause", [0.0, 0.004])
def test_each_block_is_read_once_by_either_end_and_written_in_order(read_ahead_spy, first_pause):
    """A slow first block: the thread takes every other one; a fast one: they share. Same archive either way."""
    blocks = [_block("un", 40, first_pause), *(_block(n, 40) for n in ("deux", "trois", "quatre", "cinq"))]
    counted = []
    one, two = io.BytesIO(), io.BytesIO()

    write_csv_zip(blocks, one, two_connections=False)
    write_csv_zip(blocks, two, counted.append, two_connections=True)

    assert list(_entries(two.getvalue())) == ["un.csv", "deux.csv", "trois.csv", "quatre.csv", "cinq.csv"]
    assert _entries(two.getvalue()) == _entries(one.getvalue())
    assert _entries(two.getvalue())["trois.csv"] == "Bloc,Rang\n" + "".join(f"trois,{i}\n" for i in range(40))
    assert sum(counted) == 200  # every row reported, the thread's ones when they are copied
    if first_pause:
        assert len(read_ahead_spy) == 4  # the caller was still on the first block when the thread had the rest
    assert [t for t in threading.enumerate() if t.name == "export-read-ahead"] == []


def test_an_error_in_the_thread_is_raised_in_the_caller_and_leaves_no_thread_nor_file():
    blocks = [_block("un", 30, 0.004), _block("deux", 5), _block("trois", 5, fail=True)]
    opened = set(os.listdir(f"/proc/{os.getpid()}/fd"))

    with pytest.raises(RuntimeError, match="connexion perdue pendant trois"):
        write_csv_zip(blocks, io.BytesIO(), two_connections=True)

    assert [t for t in threading.enumerate() if t.name == "export-read-ahead"] == []
    assert set(os.listdir(f"/proc/{os.getpid()}/fd")) <= opened  # the temporary files are closed


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_outside_a_transaction_two_connections_give_the_same_csv(world, read_ahead_spy):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("two connections only on PostgreSQL (on SQLite the quoting is ours, under the GIL)")
    blocks = queries.blocks(world.admin, world.wave)
    assert writers._two_connections_possible(blocks)
    one, two = io.BytesIO(), io.BytesIO()

    write_csv_zip(blocks, one, two_connections=False)
    write_csv_zip(queries.blocks(world.admin, world.wave), two)

    assert read_ahead_spy  # the second connection read some blocks
    assert _entries(two.getvalue()) == _entries(one.getvalue())
    notes = list(csv.reader(io.StringIO(_entries(two.getvalue())["notes.csv"])))
    assert len(notes) - 1 == world.laureate.track.criteria.count()


@pytest.mark.django_db
def test_inside_a_transaction_one_connection_reads_everything(world):
    """A second connection would not see what the transaction wrote (a test's data, a request's writes)."""
    assert not writers._two_connections_possible(queries.blocks(world.admin, world.wave))
