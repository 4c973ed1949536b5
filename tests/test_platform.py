"""What differs in the browser edition, simulated here by telling lessons_lib it runs there.

``lessons_lib._platform`` is the one place that tells the editions apart; the browser's
matrix products (einsum instead of a BLAS-less matmul) and the smaller live training of
lessons 04 and 06 are checked natively by patching its answer.
"""

import numpy as np
import pytest
from cases import tolerance
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import _platform, nn
from lessons_lib.fast import linalg
from lessons_lib.nn.models import dense_baseline, detector_cnn, live_budget
from lessons_lib.nn.transformer import VIT_CONFIG, VIT_IMAGE_SHAPE, tiny_vit
from lessons_lib.splits import course_split


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setattr(_platform, "in_browser", lambda: True)


def test_the_browser_has_one_thread_and_no_blas(browser):
    assert _platform.max_threads() == 1
    assert not _platform.has_blas()


def test_natively_matmul_is_numpys_own():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 5, 70)), rng.standard_normal((70, 4))
    np.testing.assert_array_equal(linalg.matmul(a, b), np.matmul(a, b))


@settings(max_examples=40, deadline=None)
@given(batch=st.sampled_from([(), (3,), (2, 1), (2, 3)]), m=st.integers(1, 6),
       k=st.sampled_from([1, 7, 63, 64, 130]), n=st.integers(1, 6),
       broadcast_a=st.booleans(), transpose_b=st.booleans(), into_out=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_browser_matmul_equals_numpy(batch, m, k, n, broadcast_a, transpose_b, into_out,
                                     dtype):
    rng = np.random.default_rng(k)
    a = rng.standard_normal((m, k) if broadcast_a else (*batch, m, k)).astype(dtype)
    b = rng.standard_normal((*batch, k, n)).astype(dtype)
    if transpose_b:  # the layers pass transposed views: strides must not matter
        b = np.ascontiguousarray(np.swapaxes(b, -1, -2)).swapaxes(-1, -2)
    expected = np.matmul(a, b)
    out = np.empty_like(expected) if into_out else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_platform, "in_browser", lambda: True)
        product = linalg.matmul(a, b, out=out)
    assert product.shape == expected.shape and product.dtype == expected.dtype
    if into_out:
        assert product is out
    np.testing.assert_allclose(product, expected, **tolerance(dtype))


def _gradients(model, x, y):
    loss, _ = nn.train_step(model, nn.SGD(model, lr=1e-9), x, y)
    return loss, {name: g.copy() for name, g in model.grads.items()}


@pytest.mark.parametrize("make", [detector_cnn, dense_baseline])
def test_gradients_in_the_browser_match_the_native_ones(monkeypatch, make):
    x, y = course_split().train
    native = _gradients(make(), x[:32], y[:32])
    monkeypatch.setattr(_platform, "in_browser", lambda: True)
    browser = _gradients(make(), x[:32], y[:32])
    assert browser[0] == pytest.approx(native[0], rel=1e-5)
    assert browser[1].keys() == native[1].keys()
    for name, theirs in native[1].items():
        scale = np.abs(theirs).max()
        np.testing.assert_allclose(browser[1][name], theirs, rtol=0, atol=1e-5 * scale,
                                   err_msg=name)


def test_live_budget_in_the_browser(browser):
    assert (live_budget().events, live_budget().epochs) == (4_000, 3)
    assert str(live_budget()) == "3 epochs on 4,000 training events"
    assert str(live_budget("tiny_vit")) == "2 epochs on 600 training events"


def test_live_budget_names_the_networks_it_knows():
    with pytest.raises(ValueError, match=r"network must be one of \['detector_cnn', "
                                         r"'tiny_vit'\], not 'resnet'"):
        live_budget("resnet")


@pytest.mark.parametrize("in_browser", [False, True], ids=["native", "browser"])
def test_the_vit_short_run_learns_within_its_budget(monkeypatch, in_browser):
    """Lesson 06's short run: above its floor, and the floor above chance (a third)."""
    monkeypatch.setattr(_platform, "in_browser", lambda: in_browser)
    budget, split = live_budget("tiny_vit"), course_split()
    (x, y), (x_val, y_val) = split.train, split.validation
    vit = tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG)
    nn.fit(vit, x[:budget.events], y[:budget.events], epochs=budget.epochs,
           optimizer=nn.Adam(vit, lr=0.002), progress=False)
    assert budget.accuracy > 1 / 3
    assert np.mean(nn.predict(vit, x_val) == y_val) >= budget.accuracy


def test_the_browser_budget_reaches_its_accuracy(browser):
    """The floor lesson 04 prints is what the browser's run really reaches."""
    budget, split = live_budget(), course_split()
    (x, y), (x_val, y_val) = split.train, split.validation
    accuracy = {}
    for make, lr in [(detector_cnn, 0.003), (dense_baseline, 0.001)]:
        model = make()
        nn.fit(model, x[:budget.events], y[:budget.events], epochs=budget.epochs,
               optimizer=nn.Adam(model, lr=lr), progress=False)
        accuracy[make] = np.mean(nn.predict(model, x_val) == y_val)
    assert accuracy[detector_cnn] >= budget.accuracy
    # the lesson's comparison still comes out the same way
    assert accuracy[dense_baseline] < accuracy[detector_cnn]
