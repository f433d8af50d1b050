"""The engine run for one spec: whole (for verify) or in chunks (for a streaming build)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from . import engine
from .spec import Spec

CHUNK_STEPS = 4096


def train(spec: Spec, *, first_step: int = 0, steps: int | None = None, W=None, b=None) -> engine.Trace:
    return engine.train(
        spec.X,
        spec.Y,
        list(spec.W_init if W is None else W),
        (list(spec.b_init if b is None else b) if spec.b_init is not None else None),
        activation=spec.activation,
        loss=spec.loss,
        lr=spec.lr,
        batch=spec.batch,
        steps=spec.steps if steps is None else steps,
        first_step=first_step,
    )


@dataclass(frozen=True)
class Chunk:
    first: int  # 0-based index of its first step
    trace: engine.Trace
    hits_before: np.ndarray | None  # classifiers: the hits of up to one epoch of earlier steps


class TrainingRun:
    """Steps through the training chunk by chunk, so memory does not grow with the steps.

    After iteration, `last` is the final chunk (its W[-1] are the final parameters),
    `final_loss` the last step's loss and `diverged_at` the first step that overflows.
    """

    def __init__(self, spec: Spec, *, chunk_steps: int = CHUNK_STEPS) -> None:
        self.spec = spec
        self.chunk_steps = chunk_steps
        self.last: Chunk | None = None
        self.final_loss: float | None = None
        self.diverged_at: int | None = None

    def __iter__(self) -> Iterator[Chunk]:
        spec = self.spec
        W, b = spec.W_init, spec.b_init
        epoch = spec.epoch
        before = np.zeros((0, spec.batch)) if spec.loss == "cross_entropy" else None
        for first in range(0, spec.steps, self.chunk_steps):
            trace = train(spec, first_step=first, steps=min(self.chunk_steps, spec.steps - first), W=W, b=b)
            chunk = Chunk(first, trace, before)
            self._note(chunk)
            yield chunk
            W, b = [w[-1] for w in trace.W], [v[-1] for v in trace.b] if spec.bias else None
            if before is not None:  # the accuracy column looks back one epoch
                merged = np.vstack([before, trace.hits])
                before = merged[max(0, len(merged) - (epoch - 1)) :] if epoch > 1 else merged[:0]

    def _note(self, chunk: Chunk) -> None:
        self.last = chunk
        t = chunk.trace
        self.final_loss = float(t.loss[-1])
        if self.diverged_at is None:
            bad = ~np.isfinite(t.loss)
            for W in t.W:
                bad |= ~np.isfinite(W[1:]).all(axis=(1, 2))
            if bad.any():
                self.diverged_at = chunk.first + int(np.argmax(bad)) + 1
