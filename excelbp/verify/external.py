"""Running a program excelbp drives (LibreOffice, Gnumeric): in a process group of its own,
so that a timeout, SIGTERM or Ctrl-C kills it with every child it started, and waits for them."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable

from ..errors import ExternalError


def run(
    cmd: list[str],
    timeout: float,
    *,
    program: str,
    squeeze: Callable[[str], str],
    env: dict[str, str] | None = None,
) -> tuple[str, str]:
    """cmd's stdout and stderr; ExternalError (one line, `squeeze`d output) when it cannot start,
    fails or times out. Whatever stops the caller (SystemExit on SIGTERM, KeyboardInterrupt)
    kills the program's group first, then goes on."""
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=True,
            env=env,
        )
    except OSError as exc:
        raise ExternalError(f"cannot run {program} ({cmd[0]}): {exc}") from None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(proc)
        raise ExternalError(f"{program} timed out after {timeout:g} s") from None
    except (
        BaseException
    ):  # stopped (SIGTERM, Ctrl-C): the program must not outlive us and refill its folder
        kill(proc)
        raise
    if proc.returncode != 0:
        detail = squeeze(stderr) or squeeze(stdout) or "no message"
        raise ExternalError(f"{program} failed with exit status {proc.returncode} ({detail})")
    return stdout, stderr


def kill(proc: subprocess.Popen) -> None:
    """Kill the program's whole process group and wait for it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()
