"""lessons_lib.backprop: loops against vectorised, gradients against central differences and torch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib.backprop import (
    DIVERGENCE_FACTOR,
    GRADIENT_TOLERANCE,
    HIDDEN_FILTERS,
    conv1d_backward,
    conv1d_backward_loops,
    conv1d_forward,
    conv1d_forward_loops,
    gradient_check,
    learn_filter,
    numerical_gradient,
    relative_error,
    small_network,
    small_network_loss,
    squared_error,
    stability_limit,
    training_pair,
)
from lessons_lib.plots import VERMILLION

GRADIENT_TARGET = 1e-8


@st.composite
def problems(draw, max_n=24):
    """x, F and dout of random lengths; values from a seeded generator at a random scale."""
    n = draw(st.integers(1, max_n))
    k = draw(st.integers(1, n))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal(n)
    F = rng.standard_normal(k)
    dout = rng.standard_normal(n - k + 1)
    return x, F, dout


def test_the_slides_worked_example():
    x0, x1, x2 = 2.0, 3.0, 5.0
    F0, F1 = 7.0, 11.0
    o = conv1d_forward([x0, x1, x2], [F0, F1])
    assert o.tolist() == [F0 * x0 + F1 * x1, F0 * x1 + F1 * x2]
    g0, g1 = 13.0, 17.0
    dx, dF = conv1d_backward([x0, x1, x2], [F0, F1], [g0, g1])
    # ∂J/∂F1 = ∂J/∂o0 · ∂o0/∂F1 + ∂J/∂o1 · ∂o1/∂F1 = g0 x1 + g1 x2
    assert dF.tolist() == [g0 * x0 + g1 * x1, g0 * x1 + g1 * x2]
    assert dx.tolist() == [g0 * F0, g0 * F1 + g1 * F0, g1 * F1]


@given(problems())
def test_vectorised_and_loop_versions_agree(problem):
    x, F, dout = problem
    scale = np.abs(x).max() * np.abs(F).sum()
    np.testing.assert_allclose(conv1d_forward(x, F), conv1d_forward_loops(x, F),
                               rtol=0, atol=1e-12 * scale)
    dx, dF = conv1d_backward(x, F, dout)
    dx_loops, dF_loops = conv1d_backward_loops(x, F, dout)
    assert dx.shape == x.shape and dF.shape == F.shape
    np.testing.assert_allclose(dx, dx_loops, rtol=0, atol=1e-12 * np.abs(dout).sum()
                               * np.abs(F).max())
    np.testing.assert_allclose(dF, dF_loops, rtol=0, atol=1e-12 * np.abs(dout).sum()
                               * np.abs(x).max())


@given(problems())
def test_backward_agrees_with_numerical_gradients(problem):
    x, F, dout = problem
    dx, dF = conv1d_backward(x, F, dout)
    # J = Σ dout · o has ∂J/∂o = dout, so its gradients are what backward returns.
    dF_num = numerical_gradient(lambda F_: np.dot(dout, conv1d_forward(x, F_)), F)
    # The step must follow the size of the variable: 1e-6 is lost in rounding next to 1e3.
    eps = 1e-6 * max(1.0, np.abs(x).max())
    dx_num = numerical_gradient(lambda x_: np.dot(dout, conv1d_forward(x_, F)), x, eps=eps)
    assert relative_error(dF, dF_num) < GRADIENT_TARGET, relative_error(dF, dF_num)
    assert relative_error(dx, dx_num) < GRADIENT_TARGET, relative_error(dx, dx_num)


@given(problems())
def test_backward_agrees_with_torch_autograd(problem):
    torch = pytest.importorskip("torch")
    x, F, dout = problem
    xt = torch.tensor(x, requires_grad=True)
    Ft = torch.tensor(F, requires_grad=True)
    # torch's conv1d is also a correlation (no flip): (batch, channels, length).
    o = torch.nn.functional.conv1d(xt.view(1, 1, -1), Ft.view(1, 1, -1)).view(-1)
    o.backward(torch.tensor(dout))
    np.testing.assert_allclose(conv1d_forward(x, F), o.detach().numpy(), rtol=1e-10,
                               atol=1e-12 * np.abs(x).max() * np.abs(F).sum())
    dx, dF = conv1d_backward(x, F, dout)
    assert relative_error(dx, xt.grad.numpy()) < 1e-12
    assert relative_error(dF, Ft.grad.numpy()) < 1e-12


def test_wrong_backward_is_caught_by_the_gradient_check():
    rng = np.random.default_rng(3)
    x, F, dout = rng.standard_normal(9), rng.standard_normal(3), rng.standard_normal(7)
    dx_num = numerical_gradient(lambda x_: np.dot(dout, conv1d_forward(x_, F)), x)
    dx, _ = conv1d_backward(x, F[::-1], dout)
    assert relative_error(dx, dx_num) > 0.1


def test_numerical_gradient_of_a_nonlinear_function_any_shape():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.3]])
    grad = numerical_gradient(lambda v: np.sum(np.sin(v) * v**2), x)
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    assert grad.shape == x.shape
    assert relative_error(grad, exact) < 1e-9


def test_numerical_gradient_leaves_its_input_alone():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: float(v @ v), x)
    assert x.tolist() == [1.0, 2.0]


def test_relative_error_properties():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, 2 * a) == pytest.approx(1 / 3)
    assert relative_error(a, a + 1e-9) == relative_error(a + 1e-9, a)


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1e150, 1e300])
def test_relative_error_does_not_depend_on_scale_or_overflow(scale):
    a, b = np.array([1.0, -2.0, 3.0]), np.array([1.5, -2.0, 2.0])
    # pytest turns the overflow warning of a naive norm into an error.
    assert relative_error(scale * a, scale * b) == pytest.approx(relative_error(a, b), rel=1e-12)


def test_squared_error_gradient_is_checked_numerically():
    rng = np.random.default_rng(0)
    o, y = rng.standard_normal(6), rng.standard_normal(6)
    J, dout = squared_error(o, y)
    assert J == pytest.approx(np.mean((o - y) ** 2))
    numeric = numerical_gradient(lambda o_: squared_error(o_, y)[0], o)
    assert relative_error(dout, numeric) < GRADIENT_TARGET


@pytest.mark.parametrize("name", list(HIDDEN_FILTERS))
def test_gradient_descent_recovers_every_hidden_filter(name):
    x, y, F_hidden = training_pair(name)
    history = learn_filter(x, y, np.zeros(F_hidden.size), learning_rate=0.3, steps=200)
    assert not history.diverged
    np.testing.assert_allclose(history.filters[-1], F_hidden, atol=1e-6)
    assert history.losses[-1] < 1e-10 * history.losses[0]
    assert np.all(np.diff(history.losses) <= 1e-12)
    assert history.message.startswith("after 200 steps")


def test_stability_limit_separates_convergence_from_divergence():
    x, y, F_hidden = training_pair("edge detector")
    limit = stability_limit(x, F_hidden.size)
    below = learn_filter(x, y, np.zeros(3), learning_rate=0.95 * limit, steps=400)
    above = learn_filter(x, y, np.zeros(3), learning_rate=1.05 * limit, steps=400)
    assert not below.diverged and below.losses[-1] < 1e-6
    assert above.diverged and "too large" in above.message
    assert above.losses[-1] > DIVERGENCE_FACTOR * above.losses[0]
    assert np.all(np.isfinite(above.filters))
    assert len(above.losses) < 401


def test_divergence_stops_early_without_warnings_or_overflow():
    x, y, _ = training_pair("sharpen")
    history = learn_filter(x, y, np.zeros(3), learning_rate=1e6, steps=10_000)
    assert history.diverged
    assert len(history.losses) == 2
    assert np.all(np.isfinite(history.losses))


@pytest.mark.parametrize("learning_rate", [1e160, 1e300])
def test_a_step_beyond_float64_ends_the_run_with_a_message(learning_rate):
    x, y, _ = training_pair("blur")
    # The first step already overflows the loss (or the filter): no warning, no inf kept.
    history = learn_filter(x, y, np.zeros(3), learning_rate=learning_rate, steps=50)
    assert history.diverged
    assert "beyond the largest float64" in history.message
    assert history.losses.size == 1 and history.filters.shape == (1, 3)
    assert np.all(np.isfinite(history.filters))


def test_a_loss_that_overflows_at_the_start_is_a_clear_error():
    x, y, _ = training_pair("blur")
    with pytest.raises(ValueError, match="loss overflows float64"):
        learn_filter(x, y, np.full(3, 1e200), learning_rate=0.1)


def test_stability_limit_scales_with_the_square_of_the_input():
    x, _, _ = training_pair("blur")
    limit = stability_limit(x, 3)
    assert stability_limit(1e100 * x, 3) == pytest.approx(1e-200 * limit, rel=1e-12)
    assert stability_limit(1e-100 * x, 3) == pytest.approx(1e200 * limit, rel=1e-12)
    assert stability_limit(np.zeros(5), 3) == np.inf


def test_starting_at_the_answer_is_not_called_divergence():
    x, y, F_hidden = training_pair("blur")
    history = learn_filter(x, y, F_hidden, learning_rate=0.5, steps=20)
    assert not history.diverged
    assert history.losses.max() < 1e-25


def test_noise_leaves_the_least_squares_filter():
    x, y, F_hidden = training_pair("blur", n=200, noise=0.1, seed=1)
    history = learn_filter(x, y, np.zeros(3), learning_rate=0.5, steps=300)
    X = np.lib.stride_tricks.sliding_window_view(x, 3)
    least_squares = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(history.filters[-1], least_squares, atol=1e-9)
    assert np.abs(least_squares - F_hidden).max() < 0.05


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: conv1d_forward(np.ones(3), np.ones(4)), ValueError, "F has 4 taps but x has"),
        (lambda: conv1d_forward(np.ones((3, 3)), np.ones(2)), ValueError, "x must be 1-D"),
        (lambda: conv1d_forward(np.ones(5), np.ones((1, 2))), ValueError, "F must be 1-D"),
        (lambda: conv1d_forward([], [1.0]), ValueError, "x must not be empty"),
        (lambda: conv1d_forward(["a"], [1.0]), TypeError, "x must be an array of real"),
        (lambda: conv1d_forward([1.0, np.nan], [1.0]), ValueError, "x must contain only finite"),
        (lambda: conv1d_backward(np.ones(5), np.ones(2), np.ones(5)), ValueError,
         r"dout must hold one value per output, len\(x\) - len\(F\) \+ 1 = 5 - 2 \+ 1 = 4"),
        (lambda: conv1d_backward(np.ones(5), np.ones(2), np.ones((4, 1))), ValueError,
         "dout must be 1-D"),
        (lambda: conv1d_backward_loops(np.ones(2), np.ones(3), np.ones(1)), ValueError,
         "filter must fit"),
        (lambda: conv1d_forward_loops(np.ones((2, 2)), np.ones(1)), ValueError, "x must be 1-D"),
        (lambda: numerical_gradient("f", np.ones(2)), TypeError, "f must be a callable"),
        (lambda: numerical_gradient(np.sum, np.ones(2), eps=0), ValueError, "eps must be"),
        (lambda: numerical_gradient(np.sum, np.ones(2), eps="small"), TypeError, "eps must be"),
        (lambda: numerical_gradient(lambda v: v, np.ones(2)), ValueError, "f must return a scalar"),
        (lambda: numerical_gradient(lambda v: float("nan"), np.ones(2)), ValueError,
         "f returned nan"),
        (lambda: relative_error(np.ones(2), np.ones(3)), ValueError, "same shape"),
        (lambda: squared_error(np.ones(2), np.ones(3)), ValueError, "same shape"),
        (lambda: training_pair("gaussian"), ValueError, "filter_name must be one of"),
        (lambda: training_pair("blur", n=2), ValueError, "n must be an integer >= 3"),
        (lambda: training_pair("blur", noise=-1), ValueError, "noise must be"),
        (lambda: stability_limit(np.ones(3), 4), ValueError, "K must be at most"),
        (lambda: learn_filter(np.ones(5), np.ones(3), np.ones(2), learning_rate=0.1), ValueError,
         "y must have length"),
        (lambda: learn_filter(np.ones(5), np.ones(4), np.ones(2), learning_rate=-1), ValueError,
         "learning_rate must be"),
        (lambda: learn_filter(np.ones(5), np.ones(4), np.ones(2), learning_rate=0.1, steps=0),
         ValueError, "steps must be"),
    ],
)
def test_bad_input_is_named_in_the_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_conv1d_backward_refuses_a_missing_dout_by_name():
    for backward in (conv1d_backward, conv1d_backward_loops):
        with pytest.raises(TypeError, match="dout must be an array of real numbers, got None"):
            backward(np.ones(5), np.ones(2), None)


def test_sums_that_could_overflow_float64_are_refused_with_the_arguments_named():
    with pytest.raises(ValueError, match="x and F are too large"):
        conv1d_forward(np.full(4, 1e308), np.ones(2))
    with pytest.raises(ValueError, match="x and dout are too large"):
        conv1d_backward(np.full(4, 1e200), np.ones(2), np.full(3, 1e200))
    with pytest.raises(ValueError, match="dout and F are too large"):
        conv1d_backward_loops(np.ones(4), np.full(2, 1e200), np.full(3, 1e200))
    with pytest.raises(ValueError, match="o and y are too large"):
        squared_error([1e200], [-1e200])


def test_numerical_gradient_refuses_a_step_lost_in_rounding_or_overflowing():
    with pytest.raises(ValueError, match=r"eps=1e-06 is lost in rounding at x\[0\] = 1e\+20"):
        numerical_gradient(lambda v: float(v[0]), np.array([1e20]))
    with pytest.raises(ValueError, match="x ± eps overflows float64"):
        numerical_gradient(lambda v: 0.0, np.array([1.79e308]), eps=1e306)
    with pytest.raises(ValueError, match="f changes by more than float64 holds"):
        numerical_gradient(lambda v: float(np.sign(v[0]) * 1.7e308), np.zeros(1))


def test_huge_requests_are_refused_before_any_work():
    x, y, _ = training_pair("blur", n=10)
    with pytest.raises(ValueError, match=r"learn_filter\(steps=1000000000000000\) would need"):
        learn_filter(x, y, np.zeros(3), learning_rate=0.1, steps=10**15)
    with pytest.raises(ValueError, match=r"training_pair\(n=1000000000000000\) would need"):
        training_pair(n=10**15)
    with pytest.raises(ValueError, match="stability_limit with K=100000 would need"):
        stability_limit(np.ones(10**5), 10**5)


def test_names_and_seeds_are_checked_by_name():
    with pytest.raises(ValueError, match="filter_name must be one of"):
        training_pair(["blur"])
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got -1"):
        training_pair(seed=-1)
    with pytest.raises(TypeError, match="noise must be a finite number >= 0, got '0.1'"):
        training_pair(noise="0.1")
    with pytest.raises(ValueError, match="F_init has 6 taps but x has only 5"):
        learn_filter(np.ones(5), np.ones(1), np.ones(6), learning_rate=0.1)


def test_diagram_counts_taps_from_0_and_can_show_the_slides_names():
    from lessons_lib.plots.backprop import plot_conv1d

    def texts(fig):
        return {t.get_text() for t in fig.axes[0].texts}

    slides = plot_conv1d(8, 3, slide_names=True)
    assert {"$F_{0}$", "$F_{1}$", "$F_{2}$", "$F_{3}$", "slides:", "$o_{5}$", "$o_{7}$",
            "need padding"} <= texts(slides)
    # The title's taps and inputs count from 0 alike: o_0 = F_0 x_0 + F_1 x_1 + F_2 x_2.
    assert slides.axes[0].get_title() == "$o_0 = F_{0} x_{0} + F_{1} x_{1} + F_{2} x_{2}$"
    worked = plot_conv1d(3, 2)
    assert worked.axes[0].get_title() == "$o_0 = F_{0} x_{0} + F_{1} x_{1}$"
    assert "need padding" in texts(worked)
    # Without the slides' names no second numbering (F_2) appears under the taps.
    assert "$F_{2}$" not in texts(worked) and "slides:" not in texts(worked)
    with pytest.raises(TypeError, match="slide_names must be True or False, got 1"):
        plot_conv1d(slide_names=1)


def test_lesson_figures_fit_a_slide_and_read_on_a_projector():
    from lessons_lib.backprop import learn_filter, training_pair
    from lessons_lib.plots import check_projector_ready
    from lessons_lib.plots.backprop import plot_computation_graph, plot_conv1d, plot_learning

    x, y, F_hidden = training_pair("edge detector")
    diverged = learn_filter(x, y, np.zeros(3), learning_rate=1.2, steps=100)
    for fig in (plot_conv1d(8, 3, slide_names=True), plot_conv1d(3, 2),
                plot_learning(F_hidden, diverged),
                plot_computation_graph(small_network([2, -1], [0.5, -0.5], 3))):
        check_projector_ready(fig)


def test_tap_explorer_shows_the_terms_of_the_chosen_tap():
    from matplotlib.colors import to_rgb

    from lessons_lib.plots.backprop import HIGHLIGHT
    from lessons_lib.widgets.backprop import TapExplorer

    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    dout = np.array([1.0, -1.0, 2.0])
    view = TapExplorer(x, dout, K=3)
    first_png = view.image.value
    view.tap.value = 2
    plot = view.plot
    assert plot.tap == 2
    # ∂J/∂F_2 = 1·x2 - 1·x3 + 2·x4 = 3 - 4 + 10
    assert plot.formula.get_text().endswith("= 1·3 + (-1)·4 + 2·5 = 9")
    np.testing.assert_allclose(plot.dF, conv1d_backward(x, np.ones(3), dout)[1])
    highlighted = [j for j, box in enumerate(plot.x_boxes)
                   if box.get_facecolor()[:3] == pytest.approx(to_rgb(HIGHLIGHT))]
    assert highlighted == [2, 3, 4]
    assert [line.get_xdata()[0] for line in plot.links] == [2, 3, 4]
    assert view.image.value != first_png
    assert "TapExplorer: an interactive view" in view._repr_mimebundle_()["text/plain"]


def test_filter_learner_converges_and_reports_divergence():
    from lessons_lib.widgets.backprop import FilterLearner

    view = FilterLearner("edge detector", learning_rate=0.3, steps=100)
    assert not view.history.diverged
    assert "Learned F = [-1.000, 0.000, 1.000]" in view.message.value
    np.testing.assert_allclose(view.plot.tap_lines[2].get_ydata()[-1], 1.0, atol=1e-6)

    view.learning_rate.value = 2.0
    assert view.history.diverged
    assert "Stopped" in view.message.value and "too large" in view.message.value
    assert view.plot.status.get_color() == VERMILLION
    assert np.all(np.isfinite(view.plot.loss_line.get_ydata()))
    # Two steps: the step axis has whole-number ticks only.
    ticks = view.plot.tap_ax.get_xticks()
    assert np.array_equal(ticks, np.round(ticks))

    # Above the limit but too few steps to reach the thousandfold loss: not "Learned".
    view.steps.value = 10
    view.learning_rate.value = 1.0
    assert not view.history.diverged and view.history.losses[-1] > view.history.losses.min()
    assert "Unstable" in view.message.value and "Learned" not in view.message.value
    view.steps.value = 100

    view.filter.value = "5-tap blur"
    view.learning_rate.value = 0.2
    assert len(view.plot.tap_lines) == 5
    np.testing.assert_allclose(view.history.filters[-1], HIDDEN_FILTERS["5-tap blur"],
                               atol=1e-4)

    view.noise.value = 0.2
    view.steps.value = 300
    assert view.history.losses.size == 301
    assert view.history.losses[-1] > 1e-3


def test_loss_label_stays_in_the_figure_when_later_ticks_are_wider():
    from lessons_lib.widgets.backprop import FilterLearner

    view = FilterLearner("blur", learning_rate=0.05)
    # The layout is fixed at the first render; this run reaches a loss of 0 (drawn at
    # 1e-30), whose tick labels are much wider than the first run's.
    view.filter.value = "5-tap blur"
    view.learning_rate.value = 0.5
    assert view.history.losses.min() == 0.0
    renderer = view.fig.canvas.get_renderer()
    label = view.plot.loss_ax.yaxis.label.get_window_extent(renderer)
    ticks = [t.get_window_extent(renderer) for t in view.plot.loss_ax.get_yticklabels()
             if t.get_visible() and t.get_text()]
    assert label.x0 >= 0
    assert all(label.x1 <= tick.x0 for tick in ticks)


def test_relative_error_and_gradient_check_against_a_hand_computation():
    # a = [3, 4], b = [3, 0]: ‖a - b‖ = 4, ‖a‖ + ‖b‖ = 5 + 3 = 8, so 4 / 8 = 0.5.
    assert relative_error([3.0, 4.0], [3.0, 0.0]) == 0.5
    check = gradient_check([3.0, 4.0], [3.0, 0.0])
    assert not check.agree and check.error == 0.5 and check.tolerance == GRADIENT_TOLERANCE
    assert repr(check) == "relative error 0.5 ≥ tolerance 1e-6: the gradients disagree, a bug"
    # [1, 0] and [1, 2e-7]: 2e-7 / (1 + 1.00000000000002) = 1e-7 to eight digits.
    close = gradient_check([1.0, 0.0], [1.0, 2e-7])
    assert close.error == pytest.approx(1e-7, rel=1e-8) and close.agree
    assert repr(close) == "relative error 1e-7 < tolerance 1e-6: the gradients agree"
    slightly = repr(gradient_check([1.0, 0.0], [1.0, 2e-4]))
    assert slightly.startswith("relative error 1e-4 ≥ tolerance 1e-6: the gradients "
                               "disagree slightly; a kink")
    assert repr(gradient_check([1.0], [1.0], tolerance=1e-3)) == (
        "relative error 0 < tolerance 1e-3: the gradients agree")


@pytest.mark.parametrize(("tolerance", "error"), [(0, ValueError), (-1e-6, ValueError),
                                                  (np.inf, ValueError), ("1e-6", TypeError),
                                                  (None, TypeError)])
def test_gradient_check_refuses_a_bad_tolerance_by_name(tolerance, error):
    with pytest.raises(error, match="tolerance must be a finite number > 0"):
        gradient_check([1.0], [1.0], tolerance=tolerance)


def test_small_network_by_hand_and_by_central_differences():
    # q1 = 0.5·2 + (-0.5)·(-1) = 1.5 > 0, so y_hat = 1.5; J = (1.5 - 3)² = 2.25.
    # ∂J/∂y_hat = 2(1.5 - 3) = -3, ∂y_hat/∂q1 = 1: ∂J/∂w1 = -3·1·2, ∂J/∂w2 = -3·1·(-1).
    net = small_network([2, -1], [0.5, -0.5], 3)
    assert (net.q1, net.y_hat, net.J) == (1.5, 1.5, 2.25)
    assert (net.dJ_dy_hat, net.dy_hat_dq1, net.dq1_dw1, net.dq1_dw2) == (-3.0, 1.0, 2.0, -1.0)
    assert (net.dJ_dq1, net.dJ_dw1, net.dJ_dw2) == (-3.0, -6.0, 3.0)
    assert net.dw.tolist() == [-6.0, 3.0]
    w = np.array([0.5, -0.5])
    numerical = numerical_gradient(lambda w_: small_network_loss([2, -1], w_, 3), w)
    assert gradient_check(net.dw, numerical, tolerance=1e-9).agree
    # A step against the gradient lowers the loss.
    assert small_network_loss([2, -1], w - 0.05 * net.dw, 3) < net.J


@given(st.lists(st.floats(-10, 10), min_size=5, max_size=5))
def test_small_network_agrees_with_torch_autograd(values):
    torch = pytest.importorskip("torch")
    x1, x2, w1, w2, y = values
    net = small_network([x1, x2], [w1, w2], y)
    w = torch.tensor([w1, w2], dtype=torch.float64, requires_grad=True)
    J = (torch.relu(w[0] * x1 + w[1] * x2) - y) ** 2
    J.backward()
    assert net.J == pytest.approx(J.item(), rel=1e-12, abs=1e-300)
    np.testing.assert_allclose(net.dw, w.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_a_dead_relu_passes_no_gradient_to_either_weight():
    net = small_network([2, -1], [-0.5, 0.5], 3)
    assert net.q1 == -1.5 and net.y_hat == 0.0 and net.dy_hat_dq1 == 0.0
    assert net.dw.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: small_network([1.0, 2.0, 3.0], [1.0, 1.0], 0), ValueError,
         r"x must hold two numbers \[x1, x2\], got shape \(3,\)"),
        (lambda: small_network([1.0, 2.0], [[1.0, 1.0]], 0), ValueError, "w must be"),
        (lambda: small_network([1.0, 2.0], [1.0, 1.0], "3"), TypeError, "y must be"),
        (lambda: small_network([1e200, 1.0], [1e200, 1.0], 0), ValueError,
         "x, w and y are too large"),
        (lambda: small_network_loss([np.nan, 1.0], [1.0, 1.0], 0), ValueError, "x"),
    ],
)
def test_small_network_refuses_bad_input_by_name(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_computation_graph_shows_every_value_gradient_and_local_derivative():
    from lessons_lib.plots.backprop import plot_computation_graph

    fig = plot_computation_graph(small_network([2, -1], [0.5, -0.5], 3))
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"$w_1 = 0.5$", "$w_2 = -0.5$", "$x_1 = 2$", "$x_2 = -1$", "$q_1 = 1.5$",
            r"$\hat y = 1.5$", "$y = 3$", "$J = 2.25$"} <= texts
    assert {r"$\partial J/\partial w_1 = -6$", r"$\partial J/\partial w_2 = 3$",
            r"$\partial J/\partial q_1 = -3$", r"$\partial J/\partial \hat y = -3$"} <= texts
    assert {r"$\partial q_1/\partial w_1 = x_1 = 2$", r"$\partial q_1/\partial w_2 = x_2 = -1$",
            r"$\partial \hat y/\partial q_1 = 1$"} <= texts
    with pytest.raises(TypeError, match="network must be a SmallNetwork"):
        plot_computation_graph({"w1": 0.5})
