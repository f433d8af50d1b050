"""A full disk, at -o or in TMPDIR: one line, exit 2, no file left anywhere, and nothing
printed afterwards when the abandoned workbook is garbage-collected ("Exception ignored
in: …" lines from a sheet's rows file or the zip archive)."""

from __future__ import annotations

import errno
import gc
import io
import os
import sys
import types
import zipfile

import pytest

from excelbp.cli import main


class _FullDisk(io.FileIO):
    """A file on a disk with `room` bytes free: past them every write fails, as on a real
    full disk (also the flushes when the file is closed later)."""

    room = 0

    def write(self, b):
        if self.tell() + len(b) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(b)


def _full(path, mode: str, room: int):
    raw = _FullDisk(path, mode.replace("b", "").replace("t", ""))
    raw.room = room
    return raw


@pytest.fixture
def unraisable(monkeypatch):
    """The exceptions Python would print as "Exception ignored in: …"."""
    seen = []
    monkeypatch.setattr(
        sys,
        "unraisablehook",
        lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value} in {u.object!r}"),
    )
    return seen


def _run(args, capsys, unraisable):
    rc = main(args)
    gc.collect()  # what would print "Exception ignored" later prints it now
    err = capsys.readouterr().err
    return rc, err.strip().splitlines(), list(unraisable)


def test_full_disk_at_output(tmp_path, monkeypatch, capsys, unraisable):
    out_dir, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    monkeypatch.setattr("tempfile.tempdir", None)

    def full_open(file, mode="r", *a, **k):
        if isinstance(file, str) and file.startswith(str(out_dir)):
            return io.BufferedRandom(_full(file, mode, 20_000))
        return open(file, mode, *a, **k)

    fake_io = types.ModuleType("io")
    fake_io.__dict__.update(io.__dict__)
    fake_io.open = full_open
    monkeypatch.setattr(zipfile, "io", fake_io)
    rc, lines, ignored = _run(
        ["build", "--steps", "3000", "-o", str(out_dir / "a.xlsx"), "--quiet"], capsys, unraisable
    )
    assert rc == 2 and len(lines) == 1, lines
    assert "-o" in lines[0] and "No space left" in lines[0]
    assert ignored == []
    assert list(out_dir.iterdir()) == [] and list(tmpdir.iterdir()) == []


def test_full_disk_in_tmpdir(tmp_path, monkeypatch, capsys, unraisable):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    monkeypatch.setattr("tempfile.tempdir", None)

    def full_open(file, mode="r", *a, **k):  # how the writer opens a sheet's rows file
        return io.BufferedWriter(_full(file, mode, 50_000))

    monkeypatch.setattr("excelbp.writer.open", full_open, raising=False)
    out = tmp_path / "a.xlsx"
    rc, lines, ignored = _run(
        ["build", "--steps", "3000", "-o", str(out), "--quiet"], capsys, unraisable
    )
    assert rc == 2 and len(lines) == 1, lines
    assert "TMPDIR" in lines[0] and str(tmpdir) in lines[0] and "No space left" in lines[0]
    assert ignored == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"] and list(tmpdir.iterdir()) == []


@pytest.mark.parametrize("when", ["rows", "save"])
def test_interrupted_build_leaves_nothing_to_collect(
    tmp_path, monkeypatch, capsys, unraisable, when
):
    """Ctrl-C (or a bug) while the rows are written or the archive saved abandons the
    workbook cleanly too."""
    import excelbp.writer
    from excelbp.sheets import workbook

    real = workbook.workbook_plan

    def interrupted_rows(*a, **k):
        plan = real(*a, **k)
        sheet = plan.sheets[0]
        original = iter(sheet.rows)

        def rows():
            for _ in range(3):
                yield next(original)
            raise KeyboardInterrupt

        object.__setattr__(sheet, "rows", rows())
        return plan

    real_assemble = excelbp.writer.assemble

    def interrupted_save(skeleton, rows, strings, archive):
        if archive.filename is None:  # writer.check()'s, in memory
            return real_assemble(skeleton, rows, strings, archive)
        archive.writestr("[Content_Types].xml", b"<Types/>")  # a part written, then Ctrl-C
        raise KeyboardInterrupt

    if when == "rows":
        monkeypatch.setattr("excelbp.build.workbook_plan", interrupted_rows)
    else:
        monkeypatch.setattr(excelbp.writer, "assemble", interrupted_save)
    rc, lines, ignored = _run(
        ["build", "--steps", "50", "-o", str(tmp_path / "a.xlsx"), "--quiet"], capsys, unraisable
    )
    assert rc == 130 and ignored == [], lines
    assert list(tmp_path.iterdir()) == []
