"""The build's chunked run gives exactly the values of one whole run, and what the sheets
summarise (the final parameters, the accuracy over the last epoch) comes from that run."""

from __future__ import annotations

import numpy as np

from excelbp.build import make_spec
from excelbp.engine.training import Training, train
from excelbp.layout.rows import rows_layout
from excelbp.quantities.registry import values
from excelbp.spec import BuildOptions


def test_chunks_equal_the_whole_run():
    spec = make_spec(BuildOptions(template="classifier", steps=30, batch=2))
    keys = [c.key for c in rows_layout(spec).columns]
    [whole] = Training(spec, chunk_steps=spec.steps).chunks()
    expected = values(whole, keys, spec)
    # the epoch is 6 steps: accuracy windows cross the chunks' edges
    chunked = [
        row for chunk in Training(spec, chunk_steps=4).chunks() for row in values(chunk, keys, spec)
    ]
    np.testing.assert_array_equal(np.array(chunked), np.array(expected))


def test_accuracy_over_the_last_epoch_is_the_mean_of_its_hits():
    spec = make_spec(BuildOptions(template="classifier", steps=30, batch=2))
    run = train(spec)
    acc = Training(spec, chunk_steps=7).accuracy
    for s in range(spec.steps):  # a plain mean over the window, step by step
        assert acc[s] == run.hits[max(0, s - spec.epoch + 1) : s + 1].mean()


def test_final_parameters_are_the_last_update():
    spec = make_spec(BuildOptions(template="sigmoid-2-3-1", steps=50))
    run, training = train(spec), Training(spec, chunk_steps=16)
    for l in range(spec.n_layers):
        np.testing.assert_array_equal(training.final_W[l], run.W[l][-1])
        np.testing.assert_array_equal(training.final_b[l], run.b[l][-1])


def test_run_reports_the_first_overflowing_step():
    spec = make_spec(BuildOptions(lr=5.0, steps=60))
    whole = train(spec)
    first_bad = (
        int(np.argmax(~np.isfinite(whole.loss) | ~np.isfinite(whole.W[0][1:]).all(axis=(1, 2)))) + 1
    )
    assert Training(spec, chunk_steps=5).diverged_at == first_bad
