"""Data sets: read from a CSV file, or made up (seeded) when only the layer sizes are known."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError

MAX_CSV_BYTES = 50_000_000


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: np.ndarray  # samples × columns


def read_csv(path: Path) -> Table:
    """Read a CSV file with a header row and numbers below it.

    Every problem is reported as one line naming the file and the line number.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise InputError(f"{name}: file is larger than {MAX_CSV_BYTES // 1_000_000} MB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a CSV file") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read ({e.strerror})") from None
    if b"\0" in raw:
        raise InputError(f"{name}: binary file, not CSV text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: not UTF-8 text") from None
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise InputError(f"{name}: malformed CSV ({e})") from None
    numbered = [(i, r) for i, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise InputError(f"{name}: empty file, expected a header row and data rows")
    header_line, header = numbered[0]
    header = tuple(c.strip() for c in header)
    if not numbered[1:]:
        raise InputError(f"{name}: header only, no data rows")
    rows = []
    for line, record in numbered[1:]:
        if len(record) != len(header):
            raise InputError(f"{name}:{line}: {len(record)} columns, the header has {len(header)}")
        values = []
        for col, cell in enumerate(record):
            try:
                v = float(cell)
            except ValueError:
                raise InputError(f"{name}:{line}: column {col + 1} ({header[col]!r}) is not a number: {cell.strip()[:30]!r}") from None
            if not math.isfinite(v):
                raise InputError(f"{name}:{line}: column {col + 1} ({header[col]!r}) is {cell.strip()}, not a finite number")
            values.append(v)
        rows.append(values)
    return Table(header=header, rows=np.array(rows, dtype=float))


def split_columns(table: Table, n_inputs: int, n_outputs: int, *, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Split a table into inputs and targets (inputs first), checking the column count."""
    if table.rows.shape[1] != n_inputs + n_outputs:
        raise InputError(
            f"{source}: {table.rows.shape[1]} columns, but --layers needs {n_inputs} inputs + {n_outputs} targets = {n_inputs + n_outputs}"
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
