"""A progress bar on stderr, only on a terminal and only for work longer than about 2 s."""

from __future__ import annotations

import sys
import time


class Progress:
    """Call with (done, total); draws nothing until 2 s have passed, nothing off a terminal."""

    def __init__(self, label: str, *, enabled: bool = True, delay: float = 2.0, stream=None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.start = time.monotonic()
        self.delay = delay
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.start < self.delay or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r{self.label} [{'#' * filled}{' ' * (width - filled)}] {100 * done // total:3d}%")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (len(self.label) + 40) + "\r")
            self.stream.flush()
