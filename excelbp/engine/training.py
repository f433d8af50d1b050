"""The engine's run for one spec, computed in full before anything is written.

A build shows the steps cell by cell, but other sheets show what the whole run ends with
(the final parameters, the loss and accuracy of every step): those come from here, before
writing starts, and never from anything noted while rows are written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..spec import Spec
from .backprop import Trace
from .backprop import train as train_network
from .optimizers import Optimizer, State

CHUNK_STEPS = 4096


def engine_options(spec: Spec) -> tuple[tuple[str, ...], Optimizer]:
    """The spec's per-layer activations and optimizer, as the engine takes them."""
    return tuple(spec.activations), spec.optimizer


def train(
    spec: Spec,
    *,
    first_step: int = 0,
    steps: int | None = None,
    W=None,
    b=None,
    state: State | None = None,
) -> Trace:
    """Steps first_step + 1 … of the spec's training, from parameters W, b and optimizer
    state `state` (default: the initial ones, and zeros)."""
    activations, optimizer = engine_options(spec)
    n = spec.steps - first_step if steps is None else steps
    return train_network(
        spec.X,
        spec.Y,
        list(spec.W_init if W is None else W),
        (list(spec.b_init if b is None else b) if spec.b_init is not None else None),
        activations=activations,
        loss=spec.loss,
        lr=spec.schedule.rates(spec.lr, spec.steps)[
            first_step : first_step + n
        ],  # lr_t of the whole run's T
        batch=spec.batch,
        steps=n,
        first_step=first_step,
        optimizer=optimizer,
        state=state,
    )


@dataclass(frozen=True)
class Chunk:
    """Consecutive steps with every quantity, and the run's accuracy over the last epoch
    at each of them (a window that may reach back into earlier chunks)."""

    first: int  # 0-based index of its first step
    trace: Trace
    accuracy: np.ndarray | None  # classifiers: (steps,)


class Training:
    """The whole run: what the sheets summarise, and every step again chunk by chunk.

    The first pass keeps the parameters and optimizer state at the start of each chunk, the
    loss and the classifier hits of every step, and the final parameters; `chunks()` recomputes each
    chunk's full trace from its checkpoint (the same arithmetic, so the same numbers), so
    memory does not grow with the steps. A run of one chunk is kept and not recomputed.
    """

    def __init__(self, spec: Spec, *, chunk_steps: int = CHUNK_STEPS) -> None:
        self.spec = spec
        self.chunk_steps = chunk_steps
        self._checkpoints: list[tuple[int, list, list | None, State | None]] = []
        self._kept: Trace | None = None
        losses, hits = [], []
        W, b = list(spec.W_init), list(spec.b_init) if spec.bias else None
        state: State | None = None  # zeros before step 1
        self.diverged_at: int | None = None
        for first in range(0, spec.steps, chunk_steps):
            self._checkpoints.append((first, W, b, state))
            trace = train(
                spec,
                first_step=first,
                steps=min(chunk_steps, spec.steps - first),
                W=W,
                b=b,
                state=state,
            )
            if first == 0 and chunk_steps >= spec.steps:
                self._kept = trace
            losses.append(trace.loss)
            if trace.hits is not None:
                hits.append(trace.hits)
            self._note_divergence(first, trace)
            W, b = [w[-1] for w in trace.W], [v[-1] for v in trace.b] if spec.bias else None
            state = trace.state
        self.final_state: State = trace.state
        self.final_W: list[np.ndarray] = [w[-1] for w in trace.W]
        self.final_b: list[np.ndarray] = [v[-1] for v in trace.b]  # zeros without bias
        self.loss = np.concatenate(losses)
        self.hits = np.concatenate(hits) if hits else None
        self.accuracy = _window_means(self.hits, spec.epoch) if hits else None

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])

    def chunks(self) -> Iterator[Chunk]:
        for first, W, b, state in self._checkpoints:
            steps = min(self.chunk_steps, self.spec.steps - first)
            trace = (
                self._kept
                if self._kept is not None
                else train(self.spec, first_step=first, steps=steps, W=W, b=b, state=state)
            )
            acc = None if self.accuracy is None else self.accuracy[first : first + steps]
            yield Chunk(first, trace, acc)

    def _note_divergence(self, first: int, t: Trace) -> None:
        if self.diverged_at is None:
            bad = ~np.isfinite(t.loss)
            for W in t.W:
                bad |= ~np.isfinite(W[1:]).all(axis=(1, 2))
            if bad.any():
                self.diverged_at = first + int(np.argmax(bad)) + 1


def _window_means(hits: np.ndarray, epoch: int) -> np.ndarray:
    """Per step, the share of hits over the last `epoch` steps (fewer at the start). The
    hits are 0 and 1, so the running sums are exact integers and so are the differences."""
    per_step = np.concatenate([[0.0], np.cumsum(hits.sum(axis=1))])
    steps = np.arange(1, len(hits) + 1)
    start = np.maximum(steps - epoch, 0)
    return (per_step[steps] - per_step[start]) / ((steps - start) * hits.shape[1])
