"""The CSV archive is compressed by a second thread: same bytes in, errors from either side come back."""

import io
import threading
import zipfile

import pytest

from fabriques.exports.writers import ZipInBackground


def test_entries_and_chunks_written_by_the_thread_read_back_in_order():
    buffer = io.BytesIO()
    with ZipInBackground(buffer) as archive:
        archive.entry("a.csv")
        for i in range(50):  # more chunks than the queue holds: the producer waits, nothing is dropped
            archive.write(f"ligne {i}\r\n".encode())
        archive.entry("b.csv")
        archive.write(b"")
    with zipfile.ZipFile(buffer) as written:
        assert written.namelist() == ["a.csv", "b.csv"]
        assert written.read("a.csv") == "".join(f"ligne {i}\r\n" for i in range(50)).encode()
        assert written.read("b.csv") == b""


class FullDisk(io.BytesIO):
    def write(self, data):
        raise OSError(28, "No space left on device")


def write_many(archive) -> None:
    archive.entry("a.csv")
    for _ in range(200):
        archive.write(b"x" * 100_000)


def test_a_write_error_in_the_thread_is_raised_in_the_caller_and_nothing_hangs():
    def export():
        with ZipInBackground(FullDisk()) as archive:
            write_many(archive)

    with pytest.raises(OSError, match="No space left"):
        export()
    assert [t for t in threading.enumerate() if t.name == "export-zip"] == []


def test_an_error_while_reading_rows_stops_the_thread_and_is_raised_unchanged():
    def export():
        with ZipInBackground(io.BytesIO()) as archive:
            archive.entry("a.csv")
            archive.write(b"debut")
            raise RuntimeError("base perdue")

    with pytest.raises(RuntimeError, match="base perdue"):
        export()
    assert [t for t in threading.enumerate() if t.name == "export-zip"] == []


def test_an_entry_larger_than_a_plain_zip_entry_may_hold_is_written_and_read_back(monkeypatch):
    """The answers of 100,000 dossiers make a 2.4 GB CSV: beyond ZIP's 2 GiB without its ZIP64 extension.

    The limit is lowered to 64 KB for the test (same code path: zipfile refuses to grow a plain entry past it).
    """
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 64 * 1024)
    buffer = io.BytesIO()
    with ZipInBackground(buffer) as archive:
        write_many(archive)  # 20 MB in one entry
        archive.entry("b.csv")
        archive.write(b"fin")
    with zipfile.ZipFile(buffer) as written:
        assert written.getinfo("a.csv").file_size == 200 * 100_000
        assert written.read("b.csv") == b"fin"


def test_entries_are_deflated_by_isa_l_and_read_back_by_zlib_byte_for_byte():
    """The deflate is ISA-L's (not zipfile's zlib), and zlib, which every unzip uses, reads it back unchanged."""
    import random
    import zlib

    from isal import isal_zlib

    rng = random.Random(7)
    text = "".join(f"FDT-2019-{i:05d},C{i % 12},{' '.join(rng.choices(['tiers-lieu', 'atelier', 'é', 'x'], k=40))}\n"
                   for i in range(20_000)).encode()
    chunks = [text[start:start + 65_536] for start in range(0, len(text), 65_536)]
    buffer = io.BytesIO()
    with ZipInBackground(buffer) as archive:
        archive.entry("reponses.csv")
        for chunk in chunks:
            archive.write(chunk)
    with zipfile.ZipFile(buffer) as written:
        info = written.getinfo("reponses.csv")
        assert written.testzip() is None  # CRC checked
    header = buffer.getvalue()[info.header_offset:info.header_offset + 30]  # the local header: its own lengths
    start = info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    stored = buffer.getvalue()[start:start + info.compress_size]

    def deflated(module) -> bytes:
        compressor = module.compressobj(1, module.DEFLATED, -15)
        return b"".join(compressor.compress(chunk) for chunk in chunks) + compressor.flush()

    assert stored == deflated(isal_zlib)
    assert stored != deflated(zlib)
    assert zlib.decompress(stored, -15) == text
