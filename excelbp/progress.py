"""What the command line prints: a progress line on stderr (only on a terminal, only for
work longer than about 2 s), and lines that are one line whatever they quote."""

from __future__ import annotations

import errno
import os
import re
import sys
import threading
import time

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with control characters (a newline in a file name, say) shown as escapes."""
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), str(text))


def say(text: str) -> None:
    """Print a report on stdout. Its work is done by now, so a reader that went away (a closed
    pipe) or a full device does not make it fail: the rest of stdout goes to /dev/null (so
    that Python's final flush cannot fail either), and a full device is mentioned on stderr."""
    try:
        print(text, flush=True)
    except OSError as e:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        if e.errno != errno.EPIPE:
            warn(f"warning: could not print the report on stdout ({e.strerror})")


def warn(text: str) -> None:
    """One line on stderr."""
    print(one_line(text), file=sys.stderr)


class Progress:
    """Call with (done, total) to draw a bar; nothing until `delay` seconds have passed,
    nothing off a terminal.

    Used as a context manager it also ticks: while no stage reports a fraction (reading a
    large CSV, laying out its Inputs sheet), it shows the seconds so far, so long work is
    never silent."""

    def __init__(
        self,
        label: str,
        *,
        enabled: bool = True,
        delay: float = 2.0,
        stream=None,
        tick: float = 0.5,
    ) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.start = time.monotonic()
        self.delay = delay
        self.tick = tick
        self.drawn = False
        self.fraction: float | None = None
        self._width = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._ticker = threading.Thread(target=self._tick, name="excelbp-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        self.fraction = min(max(done / total, 0.0), 1.0)
        self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(self.tick):
            self._draw()

    def _draw(self) -> None:
        elapsed = time.monotonic() - self.start
        if elapsed < self.delay:
            return
        if self.fraction is None:
            text = f"{self.label} … {elapsed:.0f} s"
        else:
            filled = int(30 * self.fraction)
            text = (
                f"{self.label} [{'#' * filled}{' ' * (30 - filled)}] {int(100 * self.fraction):3d}%"
                f" {elapsed:.0f} s"
            )
        with self._lock:
            if self._stop.is_set():
                return
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
            self._width = max(self._width, len(text))
            self.drawn = True

    def _clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self.drawn = False

    def message(self, line: str) -> None:
        """Print a line on the stream, clearing the progress line first."""
        with self._lock:
            self._clear()
            self.stream.write(one_line(line) + "\n")
            self.stream.flush()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        with self._lock:
            self._clear()
