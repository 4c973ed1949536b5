"""Tests of lessons_lib.fast.parallel: batches in chunks, on one core or several."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from lessons_lib import nn, pooling
from lessons_lib.datasets import detector_events
from lessons_lib.fast import conv2d, parallel
from lessons_lib.nn.models import detector_cnn

# More than two chunks, the last one short: every chunk boundary is exercised.
N = 2 * parallel.CHUNK + 7


def test_chunks_cover_the_batch_in_order():
    rows = parallel.chunks(N)
    assert [r.start for r in rows] == [0, parallel.CHUNK, 2 * parallel.CHUNK]
    assert rows[-1].stop == N
    assert parallel.chunks(0) == []


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_map_chunks_returns_results_in_chunk_order(threads):
    x = np.arange(N)
    with nn.threads(threads):
        sums = parallel.map_chunks(lambda rows, offset: int(x[rows].sum()) + offset, N,
                                   [0, 1000, 2000])
    expected = [int(x[r].sum()) for r in parallel.chunks(N)]
    assert sums == [expected[0], expected[1] + 1000, expected[2] + 2000]


def test_map_chunks_uses_other_threads_only_inside_threads():
    def thread_name(rows):
        return threading.current_thread().name

    assert set(parallel.map_chunks(thread_name, N)) == {threading.current_thread().name}
    # The first two chunks can only pass this barrier if two threads run them at once.
    both_running = threading.Barrier(2, timeout=10)

    def together(rows):
        if rows.start < 2 * parallel.CHUNK:
            both_running.wait()
        return thread_name(rows)

    with nn.threads(2):
        names = parallel.map_chunks(together, N)
    assert threading.current_thread().name in names
    assert any(name.startswith("lessons_lib-chunk") for name in names)


def test_an_error_in_a_chunk_reaches_the_caller_after_every_chunk_ends():
    finished = []

    def work(rows):
        if rows.start == parallel.CHUNK:
            raise RuntimeError("chunk failed")
        finished.append(rows.start)

    with nn.threads(2), pytest.raises(RuntimeError, match="chunk failed"):
        parallel.map_chunks(work, N)
    assert sorted(finished) == [0, 2 * parallel.CHUNK]


def test_threads_nest_and_restore():
    assert parallel.workers() == 1
    with nn.threads(3):
        with nn.threads():
            assert parallel.workers() == 3
        with nn.threads(1):
            assert parallel.workers() == 1
        assert parallel.workers() == 3
    assert parallel.workers() == 1
    with nn.threads():
        assert parallel.workers() == parallel.available_cores()


@pytest.mark.parametrize(("count", "error"), [(0, ValueError), (-2, ValueError),
                                              (1.5, TypeError), ("2", TypeError)])
def test_bad_thread_counts_are_named(count, error):
    with pytest.raises(error, match="threads"), nn.threads(count):
        pass
    assert parallel.workers() == 1


def test_conv2d_in_chunks_equals_the_whole_batch_functions():
    rng = np.random.default_rng(0)
    conv = nn.Conv2D(3, 4, 3, stride=2, padding=1, rng=1).astype(np.float64)
    x = rng.normal(size=(N, 3, 9, 8))
    dout = rng.normal(size=(N, 4, 5, 4))
    W, b = conv.params["W"], conv.params["b"]
    with nn.threads(2):
        out = conv.forward(x)
        dx = conv.backward(dout)
    np.testing.assert_allclose(out, conv2d.conv2d_forward(x, W, b, stride=2, padding=1), rtol=1e-12)
    dx_whole, dW, db = conv2d.conv2d_backward(x, W, dout, stride=2, padding=1)
    np.testing.assert_allclose(dx, dx_whole, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.grads["W"], dW, rtol=1e-12)
    np.testing.assert_allclose(conv.grads["b"], db, rtol=1e-12)


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 3), (3, 2)])
def test_max_pool_layer_in_chunks_equals_the_lesson_03_functions(size, stride):
    # Small integers: many ties, which must go to the first maximum.
    x = np.random.default_rng(size).integers(0, 3, (N, 2, 7, 8)).astype(np.float32)
    pool = nn.MaxPool2D(size, stride)
    with nn.threads(2):
        out = pool.forward(x)
        dout = np.linspace(-1, 1, out.size, dtype=np.float32).reshape(out.shape)
        dx = pool.backward(dout)
    np.testing.assert_array_equal(out, pooling.max_pool(x, size, stride))
    np.testing.assert_array_equal(dx, pooling.max_pool_backward(x, dout, size, stride))
    assert out.dtype == dx.dtype == np.float32


def _trained_weights(threads):
    x, y, _ = detector_events(N, seed=3)
    model = detector_cnn()
    optimizer = nn.Adam(model, lr=0.003)
    with nn.threads(threads):
        for _ in range(2):
            nn.train_step(model, optimizer, x, y)
    return model.params


def test_training_gives_the_same_numbers_on_one_core_or_several():
    one, several = _trained_weights(1), _trained_weights(3)
    for name in one:
        np.testing.assert_array_equal(one[name], several[name], err_msg=name)


def test_fit_checks_threads():
    x, y, _ = detector_events(8, seed=0)
    with pytest.raises(ValueError, match="threads"):
        nn.fit(detector_cnn(), x, y, epochs=1, progress=False, threads=0)


def test_chunks_mapped_inside_a_chunk_run_in_that_chunk():
    x = np.arange(N)

    def outer(rows):
        return sum(parallel.map_chunks(lambda inner: int(x[inner].sum()), N))

    with nn.threads(2):
        assert parallel.map_chunks(outer, N) == [int(x.sum())] * 3


def test_light_work_runs_on_the_calling_thread():
    def thread_name(rows):
        return threading.current_thread().name

    small = parallel.MIN_PARALLEL_SIZE // parallel.CHUNK - 1
    with nn.threads(2):
        names = parallel.map_chunks(thread_name, N, sample_size=small)
    assert set(names) == {threading.current_thread().name}


def test_a_workspace_hands_back_the_same_array_per_name_and_chunk():
    workspace = parallel.Workspace()
    first = workspace.array("cols", slice(0, 32), (2, 3), np.float32)
    assert first is workspace.array("cols", slice(0, 32), (2, 3), np.float32)
    assert first is not workspace.array("cols", slice(32, 64), (2, 3), np.float32)
    assert first is not workspace.array("dcols", slice(0, 32), (2, 3), np.float32)
    # Another shape or dtype: a new array (zeros), which replaces the old one.
    assert workspace.array("cols", slice(0, 32), (2, 4), np.float32).shape == (2, 4)
    assert workspace.array("cols", slice(0, 32), (2, 4), np.float64).dtype == np.float64


def test_workspace_arrays_are_zeroed_as_asked():
    workspace, rows = parallel.Workspace(), slice(0, 32)
    for zero in ("never", "once", "always"):
        workspace.array(zero, rows, (3,), np.float32, zero=zero)[...] = 5
    assert workspace.array("never", rows, (3,), np.float32).tolist() == [5, 5, 5]
    assert workspace.array("once", rows, (3,), np.float32, zero="once").tolist() == [5, 5, 5]
    assert workspace.array("always", rows, (3,), np.float32, zero="always").tolist() == [0, 0, 0]
    assert parallel.scratch(None, "x", rows, (2,), np.float32, zero="once").tolist() == [0, 0]


def test_a_workspace_forgets_the_chunks_a_smaller_batch_does_not_have():
    workspace = parallel.Workspace()
    arrays = [workspace.array("cols", rows, (2,), np.float32) for rows in parallel.chunks(N)]
    workspace.keep_chunks(parallel.CHUNK)
    assert workspace.array("cols", slice(0, parallel.CHUNK), (2,), np.float32) is arrays[0]
    assert workspace.array("cols", parallel.chunks(N)[1], (2,), np.float32) is not arrays[1]


def test_transient_arrays_are_each_threads_own_and_grow_to_the_largest_asked_for():
    workspace, rows = parallel.Workspace(), slice(0, 32)
    large = parallel.scratch(workspace, "t", rows, (4, 8), np.float64, transient=True)
    small = parallel.scratch(workspace, "t", slice(32, 64), (3,), np.float32, transient=True)
    # The same memory for every chunk and layer on this thread, not the workspace's.
    assert np.shares_memory(large, small) and small.shape == (3,)
    assert not np.shares_memory(small, workspace.array("t", rows, (3,), np.float32))
    grown = parallel.scratch(workspace, "t", rows, (5, 8), np.float64, transient=True)
    assert grown.shape == (5, 8) and not np.shares_memory(grown, large)
    zeroed = parallel.scratch(workspace, "t", rows, (5, 8), np.float64, transient=True,
                              zero="always")
    assert np.shares_memory(zeroed, grown) and not zeroed.any()
    with pytest.raises(ValueError, match='zeroed "once"'):
        parallel.scratch(workspace, "t", rows, (2,), np.float64, transient=True, zero="once")
    other_thread = []
    worker = threading.Thread(target=lambda: other_thread.append(
        parallel.thread_array("t", (5, 8), np.float64)))
    worker.start()
    worker.join()
    assert not np.shares_memory(other_thread[0], grown)


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 1), (3, 2)])
def test_max_pool_backward_with_indices_is_the_same_on_threads(size, stride):
    A = np.random.default_rng(3).normal(size=(N, 2, 9, 8)).astype(np.float32)
    _, indices = pooling.max_pool(A, size, stride, return_indices=True)
    dout = np.random.default_rng(4).normal(size=indices.shape).astype(np.float32)
    alone = pooling.max_pool_backward(A, dout, size, stride, indices=indices)
    with nn.threads(2):
        shared = pooling.max_pool_backward(A, dout, size, stride, indices=indices)
    np.testing.assert_array_equal(alone, shared)
    np.testing.assert_array_equal(alone, pooling.max_pool_backward_loops(A, dout, size, stride))
