"""Data sets: read from a CSV file, or made up (seeded) when only the layer sizes are known."""

from __future__ import annotations

import csv
import io
import math
import os
import stat
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError

MAX_CSV_BYTES = 50_000_000
# Excel's rows per sheet: a CSV with more data rows than this cannot fit the Inputs sheet
# (which has a few rows above the data too; the layout stage checks the exact limit)
SHEET_ROWS = 1_048_576


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: np.ndarray  # samples × columns


def _unprintable(text: str) -> str | None:
    """The first character of `text` that a cell cannot show (a control character, a lone
    surrogate or a non-character, which are not XML), or None."""
    for c in text:
        if unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff":
            return c
    return None


def _check_header(name: str, line: int, header: tuple[str, ...]) -> None:
    for col, cell in enumerate(header, start=1):
        bad = _unprintable(cell)
        if bad is not None:
            raise InputError(
                f"{name}:{line}: column {col} of the header ({cell[:30]!r}) contains the control"
                f" character U+{ord(bad):04X}; names must be printable text"
            )
        if len(cell) > 255:
            raise InputError(
                f"{name}:{line}: column {col} of the header is {len(cell):,} characters long; names"
                " may have at most 255"
            )


def _bad_cell(name: str, line: int, header: tuple[str, ...], record: list[str]) -> InputError:
    """The error for the first cell of `record` that is not a finite number."""
    for col, cell in enumerate(record):
        try:
            v = float(cell)
        except ValueError:
            return InputError(
                f"{name}:{line}: column {col + 1} ({header[col]!r}) is not a number:"
                f" {cell.strip()[:30]!r}"
            )
        if not math.isfinite(v):
            return InputError(
                f"{name}:{line}: column {col + 1} ({header[col]!r}) is {cell.strip()[:30]}, not a"
                " finite number"
            )
    return InputError(f"{name}:{line}: not a row of numbers")  # not reached: some cell is bad


def _read_capped(path: Path, name: str) -> bytes:
    """The bytes of a regular file of at most MAX_CSV_BYTES. Opened without blocking and
    checked once open, so a pipe, a FIFO with no writer or a device (/dev/zero, whose size
    says 0) is refused at once instead of hanging or filling memory; read with a cap in
    case the file grows while it is read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(
                f"{name}: not a regular file (a pipe, FIFO or device); save the data to a file"
                " first"
            )
        chunks, size = [], 0
        while chunk := f.read(1 << 20):  # in pieces: read(cap) would allocate the cap at once
            size += len(chunk)
            if size > MAX_CSV_BYTES:
                raise InputError(f"{name}: file is larger than {MAX_CSV_BYTES // 1_000_000} MB")
            chunks.append(chunk)
    return b"".join(chunks)


def read_csv(path: Path, raw: bytes | None = None) -> Table:
    """Read a CSV file with a header row and numbers below it (`raw`: its bytes, already
    read, e.g. decompressed; `path` then only names it in messages).

    Every problem is reported as one line naming the file and the line number. Rows are
    parsed into one flat array of doubles as they are read (a million rows take about a
    second and 24 MB), and a file with more data rows than a sheet has is refused as soon
    as the row that passes the limit is read.
    """
    name = str(path)
    try:
        if raw is None:
            raw = _read_capped(path, name)
        elif len(raw) > MAX_CSV_BYTES:
            raise InputError(f"{name}: file is larger than {MAX_CSV_BYTES // 1_000_000} MB")
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a CSV file") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read ({e.strerror})") from None
    if b"\0" in raw:
        raise InputError(f"{name}: binary file, not CSV text")
    # decoded as it is parsed: the whole text at once would take four bytes a character
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline=""))
    header: tuple[str, ...] | None = None
    values = array("d")
    lines = array("q")  # the line of each data row, for messages about its values
    try:
        for record in reader:
            if not "".join(record).strip():
                continue  # a blank line
            if header is None:
                header = tuple(c.strip() for c in record)
                _check_header(name, reader.line_num, header)
                continue
            if len(record) != len(header):
                raise InputError(
                    f"{name}:{reader.line_num}: {len(record)} columns, the header has {len(header)}"
                )
            if len(lines) >= SHEET_ROWS - 1:
                raise InputError(
                    f"{name}:{reader.line_num}: more than {SHEET_ROWS - 1:,} data rows, more than a"
                    f" sheet's {SHEET_ROWS:,} rows can hold"
                )
            try:
                values.extend(map(float, record))
            except ValueError:
                raise _bad_cell(name, reader.line_num, header, record) from None
            lines.append(reader.line_num)
    except csv.Error as e:
        raise InputError(f"{name}:{reader.line_num}: malformed CSV ({e})") from None
    except UnicodeDecodeError:
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise InputError(f"{name}:{line}: not UTF-8 text") from None
        raise
    if header is None:
        raise InputError(f"{name}: empty file, expected a header row and data rows")
    if not lines:
        raise InputError(f"{name}: header only, no data rows")
    rows = np.frombuffer(values, dtype=float).reshape(len(lines), len(header)).copy()
    finite = np.isfinite(rows).all(axis=1)
    if not finite.all():
        i = int(np.argmin(finite))
        raise _bad_cell(name, lines[i], header, [str(float(v)) for v in rows[i]])
    return Table(header=header, rows=rows)


def split_columns(
    table: Table, n_inputs: int, n_outputs: int, *, source: str
) -> tuple[np.ndarray, np.ndarray]:
    """Split a table into inputs and targets (inputs first), checking the column count."""
    if table.rows.shape[1] != n_inputs + n_outputs:
        raise InputError(
            f"{source}: {table.rows.shape[1]} columns, but --layers needs {n_inputs} inputs +"
            f" {n_outputs} targets = {n_inputs + n_outputs}"
        )
    return table.rows[:, :n_inputs], table.rows[:, n_inputs:]


# --- made-up data --------------------------------------------------------------------


def make_data(
    sizes: tuple[int, ...], *, activation: str, loss: str, seed: int, n_samples: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """A small learnable data set: inputs in [-1, 1], targets from a random linear teacher.

    Targets are shaped to what the output can reach: one-hot classes for
    cross_entropy, (0.1, 0.9) for sigmoid, (-0.8, 0.8) for tanh, ≥ 0 for relu.
    Values are rounded to 2-3 decimals so they read well in a cell.
    """
    rng = np.random.default_rng(seed)
    n_in, n_out = sizes[0], sizes[-1]
    X = np.round(rng.uniform(-1, 1, size=(n_samples, n_in)), 2)
    teacher = rng.normal(size=(n_in, n_out))
    t = X @ teacher
    if loss == "cross_entropy":
        Y = np.eye(n_out)[np.argmax(t + 0.3 * rng.normal(size=t.shape), axis=1)]
    elif activation == "sigmoid":
        Y = np.round(0.1 + 0.8 / (1 + np.exp(-t)), 3)
    elif activation == "tanh":
        Y = np.round(0.8 * np.tanh(t), 3)
    elif activation == "relu":
        Y = np.round(np.maximum(t, 0), 3)
    else:
        Y = np.round(t, 3)
    return X, Y


def glorot(sizes: tuple[int, ...], *, seed: int) -> list[np.ndarray]:
    """Seeded Glorot-uniform weights, U(−√(6/(fan_in+fan_out)), +…), rounded to 4 decimals."""
    rng = np.random.default_rng(seed + 1)
    out = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        out.append(np.round(rng.uniform(-limit, limit, size=(fan_in, fan_out)), 4))
    return out
