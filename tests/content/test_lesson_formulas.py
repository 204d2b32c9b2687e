"""Every formula stated in the lessons, checked numerically.

Each identity is a small function returning ``(formula, finite_difference)`` evaluated at random
inputs with distinct dimensions (n=3, m=4, ...) and non-symmetric matrices unless the lesson
says otherwise. Each worked example's numbers are recomputed and compared with the number
printed in the lesson, which is also looked up in the lesson's text so the two cannot drift.
The rules for the lesson files themselves (front matter, maths, callouts) are checked by
``python -m app check-content``.

Read the parameter tables (``IDENTITIES``, ``WORKED_NUMBERS``) as a list of facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

LESSONS = Path(__file__).resolve().parents[2] / "content" / "lessons"

# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def num_grad(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function of an array; same shape as x."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def num_jac(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian (numerator layout: rows = outputs, columns = inputs)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


def num_hess(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Hessian by central differences of the exact-enough numerical gradient."""
    return num_jac(lambda z: num_grad(f, z, h), x, h)


def spd(n: int, seed: int) -> np.ndarray:
    """A random symmetric positive definite matrix, comfortably far from singular."""
    a = rng(seed).standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def well_conditioned(n: int, seed: int) -> np.ndarray:
    """A random non-symmetric invertible matrix (shifted away from singularity)."""
    return rng(seed).standard_normal((n, n)) + 3 * np.eye(n)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


def course_text() -> str:
    """Every lesson's text: a worked number may move to another lesson as the course grows,
    and must still be stated somewhere, and right."""
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(LESSONS.glob("*.md")))


# ----------------------------------------------------------------------------------------
# Identities: each returns (what the lesson states, what finite differences measure)
# ----------------------------------------------------------------------------------------

n, m, p, k = 3, 4, 2, 5


# Lesson 1: scalar rules ------------------------------------------------------------------


def l1_worked_example_derivative():
    f = lambda x: 3 * x**4 + 2 * x * np.exp(x) + np.sin(x**2)  # noqa: E731
    df = lambda x: 12 * x**3 + 2 * np.exp(x) + 2 * x * np.exp(x) + 2 * x * np.cos(x**2)  # noqa: E731
    xs = rng(1).uniform(-2, 2, 5)
    return df(xs), np.array([num_grad(lambda v: f(v[0]), np.array([x]))[0] for x in xs])


def _scalar_rule(f, df, lo=-3.0, hi=3.0, seed=2):
    xs = rng(seed).uniform(lo, hi, 5)
    return df(xs), np.array([num_grad(lambda v: f(v[0]), np.array([x]))[0] for x in xs])


def l1_sigmoid():
    return _scalar_rule(sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)))


def l1_softplus():
    return _scalar_rule(lambda x: np.log1p(np.exp(x)), sigmoid)


def l1_tanh():
    return _scalar_rule(np.tanh, lambda x: 1 - np.tanh(x) ** 2)


def l1_gaussian_bump():  # check-yourself 1
    return _scalar_rule(lambda x: np.exp(-(x**2) / 2), lambda x: -x * np.exp(-(x**2) / 2))


def l1_silu():  # check-yourself 2
    return _scalar_rule(
        lambda x: x * sigmoid(x), lambda x: sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x))
    )


def l1_subgradients():
    """Subgradient inequality f(z) >= f(0) + g z on a grid: holds inside the stated interval."""
    zs = np.linspace(-5, 5, 1001)
    relu = lambda z: np.maximum(0, z)  # noqa: E731

    def is_sub(f, g):
        return bool(np.all(f(zs) >= f(0.0) + g * zs - 1e-12))

    stated = [is_sub(relu, g) for g in (0, 0.5, 1, -0.5, 1.5)]
    stated += [is_sub(np.abs, g) for g in (-1, 0, 1, 2, -1.5)]
    expected = [True, True, True, False, False, True, True, True, False, False]
    return np.array(stated, float), np.array(expected, float)


# Lesson 2: shapes, gradient, Jacobian ----------------------------------------------------


def l2_gradient_ellipse():
    f = lambda x: x[0] ** 2 + 2 * x[1] ** 2  # noqa: E731
    x = rng(3).standard_normal(2)
    return np.array([2 * x[0], 4 * x[1]]), num_grad(f, x)


def _l2_curve(x):
    return np.array([x[0] ** 2 + x[1], x[0] * x[1], x[0] + 2 * x[1]])


def l2_jacobian_3x2():
    x = rng(4).standard_normal(2)
    J = np.array([[2 * x[0], 1], [x[1], x[0]], [1, 2]])
    Jn = num_jac(_l2_curve, x)
    assert Jn.shape == (3, 2)  # numerator layout: one row per output
    return J, Jn


def l2_jacobian_of_linear_map_is_A():
    A = rng(5).standard_normal((m, n))
    Jn = num_jac(lambda x: A @ x, rng(6).standard_normal(n))
    assert Jn.shape == (m, n)
    return A, Jn


def l2_chain_rule_gradient_is_Jt_grad():
    """grad_x L = J^T grad_y L for L(f(x)), f: R^n -> R^m (here f = tanh(Ax))."""
    A = rng(7).standard_normal((m, n))
    c = rng(8).standard_normal(m)
    x = rng(9).standard_normal(n)
    f = lambda x: np.tanh(A @ x)  # noqa: E731
    L = lambda y: c @ y + 0.5 * y @ y  # noqa: E731
    J = num_jac(f, x)
    return J.T @ (c + f(x)), num_grad(lambda x: L(f(x)), x)


def l2_descent_step_decreases():
    """f(x - a grad) ~ f(x) - a ||grad||^2 for small a."""
    f = lambda x: x[0] ** 2 + 2 * x[1] ** 2 + np.sin(x[0] * x[1])  # noqa: E731
    x = np.array([1.0, 1.0])
    g = num_grad(f, x)
    a = 1e-5  # symmetric difference so that the second-order term cancels
    return np.array([(f(x - a * g) - f(x + a * g)) / (2 * a)]), np.array([-g @ g])


# Lesson 3: gradient identities -----------------------------------------------------------


def _vec_case(seed):
    r = rng(seed)
    return r.standard_normal((n, n)), r.standard_normal(n), r.standard_normal(n)


def l3_linear():
    _, a, x = _vec_case(10)
    return a, num_grad(lambda x: a @ x, x)


def l3_bilinear_bAx():
    r = rng(11)
    A, b, x = r.standard_normal((m, n)), r.standard_normal(m), r.standard_normal(n)
    return A.T @ b, num_grad(lambda x: b @ A @ x, x)


def l3_squared_norm():
    _, _, x = _vec_case(12)
    return 2 * x, num_grad(lambda x: x @ x, x)


def l3_squared_distance():
    _, a, x = _vec_case(13)
    return 2 * (x - a), num_grad(lambda x: (x - a) @ (x - a), x)


def l3_quadratic_form():
    A, _, x = _vec_case(14)
    assert not np.allclose(A, A.T)
    return (A + A.T) @ x, num_grad(lambda x: x @ A @ x, x)


def l3_quadratic_form_symmetric():
    A, _, x = _vec_case(15)
    S = A + A.T
    return 2 * S @ x, num_grad(lambda x: x @ S @ x, x)


def l3_quadratic_form_sees_only_symmetric_part():
    A, _, x = _vec_case(16)
    return np.array([x @ A @ x]), np.array([x @ (0.5 * (A + A.T)) @ x])


def l3_half_quadratic_minus_linear():
    A, b, x = _vec_case(17)
    S = A + A.T
    return S @ x - b, num_grad(lambda x: 0.5 * x @ S @ x - b @ x, x)


def l3_residual_norm():
    r = rng(18)
    A, b, x = r.standard_normal((m, n)), r.standard_normal(m), r.standard_normal(n)
    return 2 * A.T @ (A @ x - b), num_grad(lambda x: np.sum((A @ x - b) ** 2), x)


def l3_norm():
    _, _, x = _vec_case(19)
    return x / np.linalg.norm(x), num_grad(np.linalg.norm, x)


def l3_least_squares():
    r = rng(20)
    X, y, w = r.standard_normal((m, n)), r.standard_normal(m), r.standard_normal(n)
    return 2 * X.T @ (X @ w - y), num_grad(lambda w: np.sum((X @ w - y) ** 2), w)


def l3_least_squares_expanded():
    r = rng(21)
    X, y, w = r.standard_normal((m, n)), r.standard_normal(m), r.standard_normal(n)
    expanded = w @ X.T @ X @ w - 2 * y @ X @ w + y @ y
    return np.array([expanded]), np.array([np.sum((X @ w - y) ** 2)])


def l3_ridge():
    r = rng(22)
    X, y, w, lam = r.standard_normal((m, n)), r.standard_normal(m), r.standard_normal(n), 0.7
    L = lambda w: np.sum((X @ w - y) ** 2) + lam * w @ w  # noqa: E731
    return 2 * X.T @ (X @ w - y) + 2 * lam * w, num_grad(L, w)


def l3_ridge_solution_is_stationary():
    r = rng(23)
    X, y, lam = r.standard_normal((2, 5)), r.standard_normal(2), 0.3  # more features than rows
    w = np.linalg.solve(X.T @ X + lam * np.eye(5), X.T @ y)
    L = lambda w: np.sum((X @ w - y) ** 2) + lam * w @ w  # noqa: E731
    return np.zeros(5), num_grad(L, w)


def l3_square_of_linear():  # check-yourself 3
    _, a, x = _vec_case(24)
    return 2 * (a @ x) * a, num_grad(lambda x: (a @ x) ** 2, x)


def l3_norm_of_Ax():  # check-yourself 1
    A = rng(25).standard_normal((m, n))
    x = rng(26).standard_normal(n)
    return 2 * A.T @ A @ x, num_grad(lambda x: np.sum((A @ x) ** 2), x)


# Lesson 4: differentials and the trace trick ---------------------------------------------


def _mats(seed, *shapes):
    r = rng(seed)
    return [r.standard_normal(s) for s in shapes]


def l4_product_rule_differential():
    X, Y, dX, dY = _mats(30, (m, n), (n, k), (m, n), (n, k))
    t = 1e-6
    measured = ((X + t * dX) @ (Y + t * dY) - (X - t * dX) @ (Y - t * dY)) / (2 * t)
    return dX @ Y + X @ dY, measured


def l4_hadamard_product_rule():
    X, Y, dX, dY = _mats(31, (m, n), (m, n), (m, n), (m, n))
    t = 1e-6
    measured = ((X + t * dX) * (Y + t * dY) - (X - t * dX) * (Y - t * dY)) / (2 * t)
    return dX * Y + X * dY, measured


def l4_trace_commutes():
    A, B = _mats(32, (m, n), (n, m))
    return np.array([np.trace(A @ B)]), np.array([np.trace(B @ A)])


def l4_trace_cyclic():
    A, B, C = _mats(33, (m, n), (n, k), (k, m))
    t = np.trace(A @ B @ C)
    return np.array([t, t]), np.array([np.trace(B @ C @ A), np.trace(C @ A @ B)])


def l4_trace_not_any_permutation():
    A, B, C = _mats(34, (n, n), (n, n), (n, n))
    gap = abs(np.trace(A @ B @ C) - np.trace(A @ C @ B))
    return np.array([gap > 1e-3], float), np.array([1.0])


def l4_frobenius_inner_product():
    A, B = _mats(35, (m, n), (m, n))
    return np.array([np.trace(A.T @ B), np.trace(A.T @ A)]), np.array(
        [np.sum(A * B), np.linalg.norm(A, "fro") ** 2]
    )


def l4_df_is_trace_G_dX():
    """df = tr(G^T dX) with G the entrywise gradient (f = sum of sin(X) * C)."""
    X, C, dX = _mats(36, (m, n), (m, n), (m, n))
    f = lambda X: np.sum(np.sin(X) * C)  # noqa: E731
    t = 1e-6
    G = num_grad(f, X)
    return np.array([np.trace(G.T @ dX)]), np.array([(f(X + t * dX) - f(X - t * dX)) / (2 * t)])


def l4_grad_tr_AX():
    A, X = _mats(37, (n, m), (m, n))
    return A.T, num_grad(lambda X: np.trace(A @ X), X)


def l4_grad_tr_XtA():
    A, X = _mats(38, (m, n), (m, n))
    return A, num_grad(lambda X: np.trace(X.T @ A), X)


def l4_grad_atXb():
    a, b, X = _mats(39, (m,), (n,), (m, n))
    return np.outer(a, b), num_grad(lambda X: a @ X @ b, X)


def l4_grad_tr_AXB():
    A, X, B = _mats(40, (p, m), (m, n), (n, p))
    return A.T @ B.T, num_grad(lambda X: np.trace(A @ X @ B), X)


def l4_grad_tr_XtAX():
    A, X = _mats(41, (n, n), (n, k))
    return (A + A.T) @ X, num_grad(lambda X: np.trace(X.T @ A @ X), X)


def l4_grad_frobenius_norm():
    (X,) = _mats(42, (m, n))
    return 2 * X, num_grad(lambda X: np.sum(X * X), X)


def l4_grad_AX_minus_B():
    A, X, B = _mats(43, (p, m), (m, n), (p, n))
    return 2 * A.T @ (A @ X - B), num_grad(lambda X: np.sum((A @ X - B) ** 2), X)


def l4_grad_tr_XAXt():  # check-yourself 1
    X, A = _mats(44, (m, n), (n, n))
    return X @ (A + A.T), num_grad(lambda X: np.trace(X @ A @ X.T), X)


def l4_grad_WX_minus_Y():  # check-yourself 2
    W, X, Y = _mats(45, (m, n), (n, k), (m, k))
    return 2 * (W @ X - Y) @ X.T, num_grad(lambda W: np.sum((W @ X - Y) ** 2), W)


def l4_grad_tr_X_squared():  # check-yourself 3
    (X,) = _mats(46, (n, n))
    return 2 * X.T, num_grad(lambda X: np.trace(X @ X), X)


def l4_worked_2x2_tr_AX():
    A = np.array([[1.0, 2], [3, 4]])
    X = rng(47).standard_normal((2, 2))
    explicit = X[0, 0] + 2 * X[1, 0] + 3 * X[0, 1] + 4 * X[1, 1]
    return np.array([explicit]), np.array([np.trace(A @ X)])


# Lesson 5: determinants and inverses -----------------------------------------------------


def l5_det_identity_plus_small():
    (E,) = _mats(50, (n, n))
    t = 1e-4
    # the error of 1 + tr(tE) is second order: divide by t^2 and it stays bounded
    err = abs(np.linalg.det(np.eye(n) + t * E) - (1 + t * np.trace(E)))
    return np.array([err / t**2 < 10 * np.sum(np.abs(E)) ** 2], float), np.array([1.0])


def l5_jacobi_differential():
    X, dX = well_conditioned(n, 51), rng(52).standard_normal((n, n))
    t = 1e-6
    measured = (np.linalg.det(X + t * dX) - np.linalg.det(X - t * dX)) / (2 * t)
    return np.array([np.linalg.det(X) * np.trace(np.linalg.solve(X, dX))]), np.array([measured])


def l5_grad_det():
    X = well_conditioned(n, 53)
    return np.linalg.det(X) * np.linalg.inv(X).T, num_grad(np.linalg.det, X)


def l5_grad_log_det():
    X = well_conditioned(n, 54)
    assert np.linalg.det(X) > 0
    return np.linalg.inv(X).T, num_grad(lambda X: np.log(np.linalg.det(X)), X)


def l5_grad_log_abs_det_negative():
    X = well_conditioned(n, 55)
    X[0] *= -1  # det < 0
    return np.linalg.inv(X).T, num_grad(lambda X: np.linalg.slogdet(X)[1], X)


def l5_grad_log_det_spd():
    S = spd(m, 56)
    return np.linalg.inv(S), num_grad(lambda X: np.linalg.slogdet(X)[1], S)


def l5_differential_of_inverse():
    X, dX = well_conditioned(n, 57), rng(58).standard_normal((n, n))
    t = 1e-6
    inv = np.linalg.inv
    Xi = inv(X)
    return -Xi @ dX @ Xi, (inv(X + t * dX) - inv(X - t * dX)) / (2 * t)


def l5_inverse_is_not_minus_X2_dX():
    X, dX = well_conditioned(n, 59), rng(60).standard_normal((n, n))
    Xi = np.linalg.inv(X)
    gap = np.abs(-Xi @ dX @ Xi - (-Xi @ Xi @ dX)).max()
    return np.array([gap > 1e-3], float), np.array([1.0])


def l5_grad_a_Xinv_b():
    X = well_conditioned(n, 61)
    a, b = _mats(62, (n,), (n,))
    XiT = np.linalg.inv(X).T
    return -XiT @ np.outer(a, b) @ XiT, num_grad(lambda X: a @ np.linalg.solve(X, b), X)


def l5_grad_tr_inverse():  # check-yourself 1
    X = well_conditioned(n, 63)
    XiT = np.linalg.inv(X).T
    return -XiT @ XiT, num_grad(lambda X: np.trace(np.linalg.inv(X)), X)


def l5_grad_det_of_inverse():  # check-yourself 2
    X = well_conditioned(n, 64)
    return -np.linalg.inv(X).T / np.linalg.det(X), num_grad(
        lambda X: np.linalg.det(np.linalg.inv(X)), X
    )


def l5_grad_log_det_XtX():  # check-yourself 3
    X = well_conditioned(n, 65)
    return 2 * np.linalg.inv(X).T, num_grad(lambda X: np.linalg.slogdet(X.T @ X)[1], X)


def _gauss_nll(data, mu, Sigma):
    N, d = data.shape
    D = data - mu
    quad = np.sum(D * np.linalg.solve(Sigma, D.T).T)
    return 0.5 * N * np.linalg.slogdet(Sigma)[1] + 0.5 * quad + 0.5 * N * d * np.log(2 * np.pi)


def _gauss_case():
    r = rng(66)
    data = r.standard_normal((7, n)) @ (np.eye(n) + 0.3 * r.standard_normal((n, n))) + 1.0
    return data, r.standard_normal(n), spd(n, 67)


def l5_gaussian_grad_mean():
    data, mu, Sigma = _gauss_case()
    stated = -np.linalg.solve(Sigma, np.sum(data - mu, axis=0))
    return stated, num_grad(lambda mu: _gauss_nll(data, mu, Sigma), mu)


def l5_gaussian_grad_cov():
    data, mu, Sigma = _gauss_case()
    N = len(data)
    S = (data - mu).T @ (data - mu)
    Si = np.linalg.inv(Sigma)
    stated = 0.5 * N * Si - 0.5 * Si @ S @ Si
    # entries perturbed independently, as the lesson says
    return stated, num_grad(lambda Sig: _gauss_nll(data, mu, Sig), Sigma)


def l5_gaussian_mle_is_stationary():
    data, _, _ = _gauss_case()
    mu = data.mean(axis=0)
    Sigma = (data - mu).T @ (data - mu) / len(data)
    g_mu = num_grad(lambda v: _gauss_nll(data, v, Sigma), mu)
    g_S = num_grad(lambda S: _gauss_nll(data, mu, S), Sigma)
    return np.concatenate([g_mu, g_S.ravel()]), np.zeros(n + n * n)


def l5_symmetric_entries_convention():
    """Differentiating log det along symmetric directions gives 2 S^-1 - diag(S^-1)."""
    S = spd(n, 68)
    Si = np.linalg.inv(S)
    G = np.zeros((n, n))
    t = 1e-6
    for i in range(n):
        for j in range(n):
            E = np.zeros((n, n))
            E[i, j] = E[j, i] = 1.0
            G[i, j] = (np.linalg.slogdet(S + t * E)[1] - np.linalg.slogdet(S - t * E)[1]) / (2 * t)
    return 2 * Si - np.diag(np.diag(Si)), G


# Lesson 6: the chain rule and backpropagation --------------------------------------------


def l6_jacobian_chain_rule():
    B, C = _mats(70, (m, n), (p, m))
    g = lambda x: np.tanh(B @ x)  # noqa: E731  R^n -> R^m
    f = lambda y: np.sin(C @ y) + y[:p] ** 2  # noqa: E731  R^m -> R^p
    x = rng(71).standard_normal(n)
    stated = num_jac(f, g(x)) @ num_jac(g, x)
    assert stated.shape == (p, n)
    return stated, num_jac(lambda x: f(g(x)), x)


def l6_elementwise_jacobian_is_diagonal():
    z = rng(72).standard_normal(m)
    return np.diag(sigmoid(z) * (1 - sigmoid(z))), num_jac(sigmoid, z)


def l6_vjp_through_three_layers():
    W1, W2, W3, c = _mats(73, (m, n), (k, m), (p, k), (p,))
    x = rng(74).standard_normal(n)
    y1 = np.tanh(W1 @ x)
    y2 = np.tanh(W2 @ y1)
    y3 = W3 @ y2
    J1, J2, J3 = np.diag(1 - y1**2) @ W1, np.diag(1 - y2**2) @ W2, W3

    def L(x):
        y = W3 @ np.tanh(W2 @ np.tanh(W1 @ x))
        return c @ y + 0.5 * y @ y

    return J1.T @ (J2.T @ (J3.T @ (c + y3))), num_grad(L, x)


def _dense_case():
    W, b, x, t = _mats(75, (m, n), (m,), (n,), (m,))

    def loss(W, b, x):
        a = sigmoid(W @ x + b)
        return 0.5 * np.sum((a - t) ** 2)

    a = sigmoid(W @ x + b)
    g = a * (1 - a) * (a - t)  # sigma'(z) * grad_a L
    return W, b, x, loss, g


def l6_dense_grad_W():
    W, b, x, loss, g = _dense_case()
    stated = np.outer(g, x)
    assert stated.shape == W.shape == (m, n)
    return stated, num_grad(lambda W: loss(W, b, x), W)


def l6_dense_grad_b():
    W, b, x, loss, g = _dense_case()
    return g, num_grad(lambda b: loss(W, b, x), b)


def l6_dense_grad_x():
    W, b, x, loss, g = _dense_case()
    return W.T @ g, num_grad(lambda x: loss(W, b, x), x)


def l6_dense_batch():
    W, b, X, T = _mats(76, (m, n), (m,), (n, k), (m, k))

    def loss(W, b):
        return 0.5 * np.sum((np.tanh(W @ X + b[:, None]) - T) ** 2)

    A = np.tanh(W @ X + b[:, None])
    G = (1 - A**2) * (A - T)
    stated = np.concatenate([(G @ X.T).ravel(), G.sum(axis=1)])
    measured = np.concatenate(
        [num_grad(lambda W: loss(W, b), W).ravel(), num_grad(lambda b: loss(W, b), b)]
    )
    return stated, measured


def l6_sigmoid_derivative_from_output():
    z = rng(77).standard_normal(m)
    a = sigmoid(z)
    return a * (1 - a), np.diag(num_jac(sigmoid, z))


def l6_log_sigmoid_derivatives():
    z = rng(78).standard_normal(m)
    stated = np.concatenate([1 - sigmoid(z), -sigmoid(z)])
    measured = np.concatenate(
        [
            np.diag(num_jac(lambda z: np.log(sigmoid(z)), z)),
            np.diag(num_jac(lambda z: np.log(1 - sigmoid(z)), z)),
        ]
    )
    return stated, measured


def l6_logistic_regression():
    r = rng(79)
    X, w = r.standard_normal((7, n)), r.standard_normal(n)
    y = (r.uniform(size=7) < 0.5).astype(float)

    def L(w):
        p_ = sigmoid(X @ w)
        return -np.sum(y * np.log(p_) + (1 - y) * np.log(1 - p_))

    return X.T @ (sigmoid(X @ w) - y), num_grad(L, w)


def l6_softmax_jacobian():
    z = rng(80).standard_normal(k)
    s = softmax(z)
    J = np.diag(s) - np.outer(s, s)
    assert np.allclose(J, J.T)
    return J, num_jac(softmax, z)


def l6_softmax_cross_entropy():
    r = rng(81)
    z = r.standard_normal(k)
    y = r.uniform(size=k)
    y /= y.sum()  # any probability vector, not only one-hot
    return softmax(z) - y, num_grad(lambda z: -np.sum(y * np.log(softmax(z))), z)


def l6_softmax_null_direction():
    z = rng(82).standard_normal(k)
    s = softmax(z)
    y = np.eye(k)[1]
    stated = np.concatenate([(np.diag(s) - np.outer(s, s)) @ np.ones(k), [np.sum(s - y)]])
    return stated, np.zeros(k + 1)


# Lesson 7: Hessians and Newton's method --------------------------------------------------


def l7_hessian_quadratic_form():
    A = rng(90).standard_normal((n, n))
    H = num_hess(lambda x: x @ A @ x, rng(91).standard_normal(n))
    return A + A.T, H


def l7_hessian_least_squares():
    X, y, w = _mats(92, (m, n), (m,), (n,))
    return 2 * X.T @ X, num_hess(lambda w: np.sum((X @ w - y) ** 2), w)


def _lse(z):
    return np.max(z) + np.log(np.sum(np.exp(z - np.max(z))))


def l7_lse_gradient_is_softmax():
    z = rng(93).standard_normal(k)
    return softmax(z), num_grad(_lse, z)


def l7_lse_hessian():
    z = rng(94).standard_normal(k)
    s = softmax(z)
    return np.diag(s) - np.outer(s, s), num_hess(_lse, z)


def l7_lse_hessian_psd_and_singular():
    z = rng(95).standard_normal(k)
    s = softmax(z)
    H = np.diag(s) - np.outer(s, s)
    v = rng(96).standard_normal(k)
    variance = np.sum(s * v**2) - np.sum(s * v) ** 2
    psd = np.linalg.eigvalsh(H).min() > -1e-12
    stated = np.array([v @ H @ v, psd, np.linalg.norm(H @ np.ones(k))], float)
    return stated, np.array([variance, 1.0, 0.0])


def l7_hessian_is_symmetric():
    def f(x):
        return np.sin(x[0] * x[1]) + x[2] ** 2 * x[0] + np.exp(x[1] - x[2])

    H = num_hess(f, rng(97).standard_normal(3))
    return H, H.T


def l7_taylor_second_order():
    """The remainder of the quadratic model is O(t^3): t/10 shrinks it about 1000 times."""

    def f(x):
        return np.sin(x[0] * x[1]) + np.exp(x[2]) * x[0]

    x, h = rng(98).standard_normal(3), rng(99).standard_normal(3)
    g, H = num_grad(f, x), num_hess(f, x)

    def rem(t):
        return abs(f(x + t * h) - (f(x) + t * g @ h + 0.5 * t**2 * h @ H @ h))

    return np.array([np.log10(rem(1e-1) / rem(1e-2))]), np.array([3.0]), 0.03


def l7_taylor_exact_for_quadratic():
    A, b, x, h = _mats(100, (n, n), (n,), (n,), (n,))

    def f(x):
        return x @ A @ x + b @ x + 2.0

    model = f(x) + ((A + A.T) @ x + b) @ h + 0.5 * h @ (A + A.T) @ h
    return np.array([model]), np.array([f(x + h)])


def _classify(H):
    eig = np.linalg.eigvalsh(H)
    tol = 1e-6
    if np.all(eig > tol):
        return "minimum"
    if np.all(eig < -tol):
        return "maximum"
    if eig.min() < -tol and eig.max() > tol:
        return "saddle"
    return "undecided"


CRITICAL_POINTS = {  # f at the origin -> what the Hessian test says (lesson 7)
    "x^2+2y^2": (lambda v: v[0] ** 2 + 2 * v[1] ** 2, "minimum"),
    "x^2-y^2": (lambda v: v[0] ** 2 - v[1] ** 2, "saddle"),
    "-x^2-y^2": (lambda v: -(v[0] ** 2) - v[1] ** 2, "maximum"),
    "x^2+3xy+y^2": (lambda v: v[0] ** 2 + 3 * v[0] * v[1] + v[1] ** 2, "saddle"),
    "x^2+xy+y^2": (lambda v: v[0] ** 2 + v[0] * v[1] + v[1] ** 2, "minimum"),
    "x^4+y^2": (lambda v: v[0] ** 4 + v[1] ** 2, "undecided"),
    "-x^4+y^2": (lambda v: -(v[0] ** 4) + v[1] ** 2, "undecided"),
    "x^3+y^2": (lambda v: v[0] ** 3 + v[1] ** 2, "undecided"),
}


def l7_classifications():
    got = [_classify(num_hess(f, np.zeros(2))) for f, _ in CRITICAL_POINTS.values()]
    want = [c for _, c in CRITICAL_POINTS.values()]
    return np.array([g == w for g, w in zip(got, want, strict=True)], float), np.ones(len(want))


def l7_undecided_cases_really_differ():
    t = np.linspace(-0.5, 0.5, 101)
    t = t[t != 0]
    zero = 0 * t
    quartic_min = np.all(t**4 + zero**2 > 0) and np.all(zero**4 + t**2 > 0)
    saddle = np.any(-(t**4) + zero**2 < 0) and np.any(-(zero**4) + t**2 > 0)
    neither = np.any(t**3 + zero**2 < 0) and np.any(t**3 + zero**2 > 0)
    return np.array([quartic_min, saddle, neither], float), np.ones(3)


def l7_eigenvalues_5_and_minus1():
    return np.linalg.eigvalsh(np.array([[2.0, 3], [3, 2]])), np.array([-1.0, 5])


def l7_newton_one_step_on_quadratic():
    A, b, x0 = spd(m, 101), rng(102).standard_normal(m), rng(103).standard_normal(m)
    x1 = x0 - np.linalg.solve(A, A @ x0 - b)
    return x1, np.linalg.solve(A, b)


def l7_newton_step_minimises_model():
    def f(x):
        return np.exp(x[0]) + x[0] * x[1] ** 2 + 2 * x[1] ** 2 + x[2] ** 4 + x[2] ** 2

    x = np.array([0.3, 0.5, 0.4])
    g, H = num_grad(f, x), num_hess(f, x)
    h = -np.linalg.solve(H, g)
    return num_grad(lambda h: g @ h + 0.5 * h @ H @ h, h), np.zeros(3)


def l7_newton_on_saddle_goes_to_saddle():  # check-yourself 2
    x = np.array([1.0, 1])
    g = np.array([2 * x[0], -2 * x[1]])
    return x - np.linalg.solve(np.diag([2.0, -2]), g), np.zeros(2)


def l7_least_squares_newton_from_zero():  # check-yourself 3
    X, y = _mats(104, (m, n), (m,))
    g0 = 2 * X.T @ (X @ np.zeros(n) - y)
    return -np.linalg.solve(2 * X.T @ X, g0), np.linalg.lstsq(X, y, rcond=None)[0]


# Lesson 8: numerical differentiation and gradient checking ------------------------------


def fd(kind, f, x, h):
    if kind == "forward":
        return (f(x + h) - f(x)) / h
    if kind == "backward":
        return (f(x) - f(x - h)) / h
    return (f(x + h) - f(x - h)) / (2 * h)


def l8_truncation_orders():
    """Error ratio between h=1e-2 and h=1e-3: 10 for one-sided, 100 for central (e^x at 1)."""
    ratios = [
        abs(fd(kind, np.exp, 1.0, 1e-2) - np.e) / abs(fd(kind, np.exp, 1.0, 1e-3) - np.e)
        for kind in ("forward", "backward", "central")
    ]
    return np.array(ratios), np.array([10.0, 10.0, 100.0]), 0.01


def l8_leading_error_terms():
    h, x = 1e-3, 0.7
    df, d2, d3 = np.cos(x), -np.sin(x), -np.cos(x)
    stated = np.array([h / 2 * d2, -h / 2 * d2, h**2 / 6 * d3])
    kinds = ("forward", "backward", "central")
    measured = np.array([fd(kind, np.sin, x, h) - df for kind in kinds])
    return stated, measured


def l8_central_exact_for_quadratic():
    def f(x):
        return 3 * x**2 - 5 * x + 1

    return np.array([fd("central", f, 0.4, 0.5)]), np.array([6 * 0.4 - 5])


def l8_best_steps():
    hs = np.logspace(-14, -1, 261)
    fwd = [abs(fd("forward", np.exp, 1.0, h) - np.e) for h in hs]
    cen = [abs(fd("central", np.exp, 1.0, h) - np.e) for h in hs]
    eps = np.finfo(float).eps
    # the best steps are within a factor 10 of sqrt(eps) and eps^(1/3); the best errors are
    # at most about sqrt(eps) and eps^(2/3) (rounding can be luckier, never much worse)
    facts = [
        abs(np.log10(hs[np.argmin(fwd)] / np.sqrt(eps))) < 1,
        abs(np.log10(hs[np.argmin(cen)] / eps ** (1 / 3))) < 1,
        min(fwd) < 10 * np.sqrt(eps),
        min(cen) < 10 * eps ** (2 / 3),
        min(cen) < min(fwd) / 100,
    ]
    return np.array(facts, float), np.ones(5)


def l8_machine_epsilon_and_tiny_step():
    eps = np.finfo(float).eps
    return np.array([eps, fd("forward", np.exp, 1.0, 1e-16)]), np.array([2.22e-16, 0.0])


def l8_single_precision_accuracy():
    xs = rng(110).uniform(0, 2, 500).astype(np.float32)
    exact = np.exp(xs.astype(float))
    best = min(
        np.median(np.abs(fd("central", np.exp, xs, np.float32(h)).astype(float) - exact) / exact)
        for h in (1e-2, 3e-3, 1e-3, 3e-4)
    )
    eps32 = float(np.finfo(np.float32).eps)
    stated = np.array([abs(np.log10(best / eps32 ** (2 / 3))) < 1.0, eps32 ** (2 / 3) / 2e-5])
    return stated.astype(float), np.array([1.0, 1.2]), 0.05


def l8_relative_error_scale_free():
    g, gn = rng(111).standard_normal(n), rng(112).standard_normal(n)

    def rel(a, b):
        return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))

    return np.array([rel(1e6 * g, 1e6 * gn)]), np.array([rel(g, gn)])


def l8_directional_derivative_check():
    def f(x):
        return np.sum(np.sin(x) * x**2)

    x, v = rng(113).standard_normal(n), rng(114).standard_normal(n)
    g = np.cos(x) * x**2 + 2 * x * np.sin(x)
    return np.array([g @ v]), np.array([fd("central", lambda t: f(x + t * v), 0.0, 1e-6)])


class Dual:
    """a + b eps with eps^2 = 0: forward-mode AD in a few lines."""

    def __init__(self, a, b=0.0):
        self.a, self.b = a, b

    def __add__(self, o):
        o = o if isinstance(o, Dual) else Dual(o)
        return Dual(self.a + o.a, self.b + o.b)

    __radd__ = __add__

    def __mul__(self, o):
        o = o if isinstance(o, Dual) else Dual(o)
        return Dual(self.a * o.a, self.a * o.b + self.b * o.a)

    __rmul__ = __mul__

    def __pow__(self, k):
        return Dual(self.a**k, k * self.a ** (k - 1) * self.b)


def l8_dual_numbers():
    x = Dual(2.0, 1.0)
    y = x**2 + 3 * x
    return np.array([y.a, y.b]), np.array([10.0, 7.0])


def _d(e):
    """Symbolic derivative of a tiny expression tree, with no simplification or sharing."""
    if e == "x":
        return "1"
    op = e[0]
    if op == "*":
        return ("+", ("*", _d(e[1]), e[2]), ("*", e[1], _d(e[2])))
    if op == "sin":
        return ("*", ("cos", e[1]), _d(e[1]))
    raise ValueError(op)


def _size(e):
    return 1 + sum(_size(c) for c in e[1:]) if isinstance(e, tuple) else 1


def l8_expression_swell():
    """f_{k+1} = f_k sin f_k: the derivative's tree at least doubles at every level;
    a product of n factors has a derivative of n terms with n factors each (~n^2)."""
    f, sizes = "x", []
    for _ in range(8):
        f = ("*", f, ("sin", f))
        sizes.append(_size(_d(f)))
    doubling = all(b >= 2 * a for a, b in zip(sizes, sizes[1:], strict=False))
    # n-ary product rule: d(f1 ... fn) = sum over i of f1 ... fi' ... fn
    n_factors = 6
    factors = [("sin", f"x{i}") for i in range(n_factors)]
    derivative = [
        [("d", f) if i == j else f for j, f in enumerate(factors)] for i in range(n_factors)
    ]
    factor_count = sum(len(term) for term in derivative)
    return np.array([doubling, factor_count], float), np.array([1.0, n_factors**2])


IDENTITIES = [
    # lesson 1
    pytest.param(l1_worked_example_derivative, id="L1 d/dx[3x^4+2xe^x+sin(x^2)]"),
    pytest.param(l1_sigmoid, id="L1 sigmoid' = s(1-s)"),
    pytest.param(l1_softplus, id="L1 softplus' = sigmoid"),
    pytest.param(l1_tanh, id="L1 tanh' = 1-tanh^2"),
    pytest.param(l1_gaussian_bump, id="L1 d/dx exp(-x^2/2) = -x exp(-x^2/2)"),
    pytest.param(l1_silu, id="L1 d/dx x sigmoid(x)"),
    pytest.param(l1_subgradients, id="L1 subdifferentials of ReLU and |x| at 0"),
    # lesson 2
    pytest.param(l2_gradient_ellipse, id="L2 grad(x1^2+2x2^2) = (2x1,4x2)"),
    pytest.param(l2_jacobian_3x2, id="L2 Jacobian of the 3x2 example"),
    pytest.param(l2_jacobian_of_linear_map_is_A, id="L2 d(Ax)/dx = A (m x n)"),
    pytest.param(l2_chain_rule_gradient_is_Jt_grad, id="L2 grad_x L = J^T grad_y L"),
    pytest.param(l2_descent_step_decreases, id="L2 first-order change = -a|grad|^2"),
    # lesson 3
    pytest.param(l3_linear, id="L3 grad a^T x = a"),
    pytest.param(l3_bilinear_bAx, id="L3 grad b^T A x = A^T b"),
    pytest.param(l3_squared_norm, id="L3 grad |x|^2 = 2x"),
    pytest.param(l3_squared_distance, id="L3 grad |x-a|^2 = 2(x-a)"),
    pytest.param(l3_quadratic_form, id="L3 grad x^T A x = (A+A^T)x"),
    pytest.param(l3_quadratic_form_symmetric, id="L3 grad x^T A x = 2Ax (A symmetric)"),
    pytest.param(l3_quadratic_form_sees_only_symmetric_part, id="L3 x^T A x = x^T sym(A) x"),
    pytest.param(l3_half_quadratic_minus_linear, id="L3 grad x^T A x/2 - b^T x = Ax-b"),
    pytest.param(l3_residual_norm, id="L3 grad |Ax-b|^2 = 2A^T(Ax-b)"),
    pytest.param(l3_norm, id="L3 grad |x| = x/|x|"),
    pytest.param(l3_least_squares, id="L3 grad |Xw-y|^2 = 2X^T(Xw-y)"),
    pytest.param(l3_least_squares_expanded, id="L3 least squares expansion"),
    pytest.param(l3_ridge, id="L3 ridge gradient"),
    pytest.param(l3_ridge_solution_is_stationary, id="L3 ridge normal equations"),
    pytest.param(l3_square_of_linear, id="L3 grad (a^T x)^2 = 2(a^T x)a"),
    pytest.param(l3_norm_of_Ax, id="L3 grad |Ax|^2 = 2A^T A x"),
    # lesson 4
    pytest.param(l4_product_rule_differential, id="L4 d(XY) = dX Y + X dY"),
    pytest.param(l4_hadamard_product_rule, id="L4 d(X o Y) = dX o Y + X o dY"),
    pytest.param(l4_trace_commutes, id="L4 tr(AB) = tr(BA), A m x n"),
    pytest.param(l4_trace_cyclic, id="L4 tr(ABC) = tr(BCA) = tr(CAB)"),
    pytest.param(l4_trace_not_any_permutation, id="L4 tr(ABC) != tr(ACB)"),
    pytest.param(l4_frobenius_inner_product, id="L4 tr(A^T B) = sum A_ij B_ij"),
    pytest.param(l4_df_is_trace_G_dX, id="L4 df = tr(G^T dX)"),
    pytest.param(l4_grad_tr_AX, id="L4 grad tr(AX) = A^T"),
    pytest.param(l4_grad_tr_XtA, id="L4 grad tr(X^T A) = A"),
    pytest.param(l4_grad_atXb, id="L4 grad a^T X b = a b^T"),
    pytest.param(l4_grad_tr_AXB, id="L4 grad tr(AXB) = A^T B^T"),
    pytest.param(l4_grad_tr_XtAX, id="L4 grad tr(X^T A X) = (A+A^T)X"),
    pytest.param(l4_grad_frobenius_norm, id="L4 grad |X|_F^2 = 2X"),
    pytest.param(l4_grad_AX_minus_B, id="L4 grad |AX-B|_F^2 = 2A^T(AX-B)"),
    pytest.param(l4_grad_tr_XAXt, id="L4 grad tr(X A X^T) = X(A+A^T)"),
    pytest.param(l4_grad_WX_minus_Y, id="L4 grad_W |WX-Y|_F^2 = 2(WX-Y)X^T"),
    pytest.param(l4_grad_tr_X_squared, id="L4 grad tr(X^2) = 2X^T"),
    pytest.param(l4_worked_2x2_tr_AX, id="L4 tr(AX) written out for the 2x2 A"),
    # lesson 5
    pytest.param(l5_det_identity_plus_small, id="L5 det(I+E) = 1 + tr E + O(E^2)"),
    pytest.param(l5_jacobi_differential, id="L5 d det X = det X tr(X^-1 dX)"),
    pytest.param(l5_grad_det, id="L5 grad det X = det X X^-T"),
    pytest.param(l5_grad_log_det, id="L5 grad log det X = X^-T"),
    pytest.param(l5_grad_log_abs_det_negative, id="L5 grad log|det X| = X^-T (det<0)"),
    pytest.param(l5_grad_log_det_spd, id="L5 grad log det S = S^-1 (SPD)"),
    pytest.param(l5_differential_of_inverse, id="L5 d(X^-1) = -X^-1 dX X^-1"),
    pytest.param(l5_inverse_is_not_minus_X2_dX, id="L5 d(X^-1) != -X^-2 dX"),
    pytest.param(l5_grad_a_Xinv_b, id="L5 grad a^T X^-1 b = -X^-T a b^T X^-T"),
    pytest.param(l5_grad_tr_inverse, id="L5 grad tr(X^-1) = -X^-T X^-T"),
    pytest.param(l5_grad_det_of_inverse, id="L5 grad det(X^-1) = -X^-T / det X"),
    pytest.param(l5_grad_log_det_XtX, id="L5 grad log det(X^T X) = 2X^-T"),
    pytest.param(l5_gaussian_grad_mean, id="L5 Gaussian NLL grad_mu"),
    pytest.param(l5_gaussian_grad_cov, id="L5 Gaussian NLL grad_Sigma"),
    pytest.param(l5_gaussian_mle_is_stationary, id="L5 Gaussian MLE is stationary"),
    pytest.param(l5_symmetric_entries_convention, id="L5 symmetric-entries 2S^-1 - diag"),
    # lesson 6
    pytest.param(l6_jacobian_chain_rule, id="L6 J_(f o g) = J_f J_g (p x m)(m x n)"),
    pytest.param(l6_elementwise_jacobian_is_diagonal, id="L6 elementwise map: diag(phi'(z))"),
    pytest.param(l6_vjp_through_three_layers, id="L6 grad = J1^T J2^T J3^T grad_y L"),
    pytest.param(l6_dense_grad_W, id="L6 dense layer grad_W = g x^T"),
    pytest.param(l6_dense_grad_b, id="L6 dense layer grad_b = g"),
    pytest.param(l6_dense_grad_x, id="L6 dense layer grad_x = W^T g"),
    pytest.param(l6_dense_batch, id="L6 batch grad_W = G X^T, grad_b = column sums"),
    pytest.param(l6_sigmoid_derivative_from_output, id="L6 sigma'(z) = a(1-a)"),
    pytest.param(l6_log_sigmoid_derivatives, id="L6 d log sigma = 1-sigma, d log(1-sigma)"),
    pytest.param(l6_logistic_regression, id="L6 logistic regression X^T(sigma(Xw)-y)"),
    pytest.param(l6_softmax_jacobian, id="L6 softmax Jacobian diag(s) - s s^T"),
    pytest.param(l6_softmax_cross_entropy, id="L6 softmax cross-entropy grad s - y"),
    pytest.param(l6_softmax_null_direction, id="L6 softmax Jacobian kills ones; s-y sums to 0"),
    # lesson 7
    pytest.param(l7_hessian_quadratic_form, id="L7 Hessian x^T A x = A + A^T"),
    pytest.param(l7_hessian_least_squares, id="L7 Hessian |Xw-y|^2 = 2X^T X"),
    pytest.param(l7_lse_gradient_is_softmax, id="L7 grad log-sum-exp = softmax"),
    pytest.param(l7_lse_hessian, id="L7 Hessian log-sum-exp = diag(s) - s s^T"),
    pytest.param(l7_lse_hessian_psd_and_singular, id="L7 LSE Hessian PSD (a variance), singular"),
    pytest.param(l7_hessian_is_symmetric, id="L7 Hessian symmetric"),
    pytest.param(l7_taylor_second_order, id="L7 second-order Taylor remainder O(t^3)"),
    pytest.param(l7_taylor_exact_for_quadratic, id="L7 Taylor exact for quadratics"),
    pytest.param(l7_classifications, id="L7 critical points classified by eigenvalues"),
    pytest.param(l7_undecided_cases_really_differ, id="L7 x^4+y^2 min, -x^4+y^2 saddle, x^3+y^2"),
    pytest.param(l7_eigenvalues_5_and_minus1, id="L7 eig [[2,3],[3,2]] = 5, -1"),
    pytest.param(l7_newton_one_step_on_quadratic, id="L7 one Newton step solves a quadratic"),
    pytest.param(l7_newton_step_minimises_model, id="L7 Newton step minimises the model"),
    pytest.param(l7_newton_on_saddle_goes_to_saddle, id="L7 Newton on x^2-y^2 lands on saddle"),
    pytest.param(l7_least_squares_newton_from_zero, id="L7 Newton from 0 = normal equations"),
    # lesson 8
    pytest.param(l8_truncation_orders, id="L8 forward, backward O(h), central O(h^2)"),
    pytest.param(l8_leading_error_terms, id="L8 leading terms h f''/2 and h^2 f'''/6"),
    pytest.param(l8_central_exact_for_quadratic, id="L8 central difference exact for quadratics"),
    pytest.param(l8_best_steps, id="L8 best h ~ sqrt(eps) forward, eps^(1/3) central"),
    pytest.param(l8_machine_epsilon_and_tiny_step, id="L8 eps = 2.2e-16; h=1e-16 gives 0"),
    pytest.param(l8_single_precision_accuracy, id="L8 float32 best accuracy ~ eps^(2/3)"),
    pytest.param(l8_relative_error_scale_free, id="L8 relative error is scale free"),
    pytest.param(l8_directional_derivative_check, id="L8 directional derivative = g^T v"),
    pytest.param(l8_dual_numbers, id="L8 dual numbers: (2+e)^2 + 3(2+e) = 10 + 7e"),
    pytest.param(l8_expression_swell, id="L8 expression swell"),
]


@pytest.mark.parametrize("identity", IDENTITIES)
def test_identity(identity: Callable[[], tuple[np.ndarray, np.ndarray]]) -> None:
    stated, measured, *tolerance = identity()
    stated, measured = np.asarray(stated, float), np.asarray(measured, float)
    assert stated.shape == measured.shape, "shape mismatch: a layout error"
    # Exact identities agree to finite-difference accuracy; statements about error orders
    # ("a factor of 10") return their own relative tolerance as a third element.
    rtol = tolerance[0] if tolerance else 1e-5
    np.testing.assert_allclose(stated, measured, rtol=rtol, atol=1e-6)


# ----------------------------------------------------------------------------------------
# Worked examples: recompute the numbers printed in the lessons
# ----------------------------------------------------------------------------------------


def _f1(x):
    return 3 * x**4 + 2 * x * np.exp(x) + np.sin(x**2)


def _df1(x):
    return 12 * x**3 + 2 * np.exp(x) + 2 * x * np.exp(x) + 2 * x * np.cos(x**2)


_X3 = np.array([[1.0, 0], [1, 1], [1, 2]])
_y3 = np.array([1.0, 2, 2])


def _ls(w):
    w = np.asarray(w, float)
    return float(np.sum((_X3 @ w - _y3) ** 2))


_Aq = np.array([[1.0, 2], [0, 3]])
_X5 = np.array([[3.0, 1], [2, 4]])
_P5 = np.array([[1.0, 0], [3, 2], [2, 4]])
_xq = np.array([1.0, 1])

_W6, _b6, _x6, _t6 = np.array([[1.0, 2], [3, 4]]), np.zeros(2), np.ones(2), np.array([5.0, 11])


def _dense6(W, b, x=_x6):
    a = np.maximum(W @ x + b, 0)
    return 0.5 * np.sum((a - _t6) ** 2), a


_W6_new = _W6 - 0.1 * np.array([[-2.0, -2], [-4, -4]])
_b6_new = _b6 - 0.1 * np.array([-2.0, -4])
_A7, _b7 = np.array([[2.0, 1], [1, 3]]), np.array([1.0, 2])


def _f7(x):
    x = np.asarray(x, float)
    return 0.5 * x @ _A7 @ x - _b7 @ x


def _newton7(steps):
    x, out = 0.0, []
    for _ in range(steps):
        x = x - (np.exp(x) - 2) / np.exp(x)
        out.append(x)
    return out


def _sci(text):
    """'$1.4 \\times 10^{-1}$' -> (1.4, -1)"""
    mant, exp = re.fullmatch(r"\$([\d.]+) \\times 10\^\{(-?\d+)\}\$", text).groups()
    return float(mant), int(exp)


def _mantissas(h, fw, ce):
    """The table's errors for step h, as mantissas on the printed powers of ten."""
    errors = [abs(fd("forward", np.exp, 1.0, h) - np.e), abs(fd("central", np.exp, 1.0, h) - np.e)]
    return [err / 10.0 ** _sci(text)[1] for err, text in zip(errors, (fw, ce), strict=True)]


_TABLE8 = [  # (h column, h, forward error, central error) as printed in lesson 8
    ("$10^{-1}$", 1e-1, "$1.4 \\times 10^{-1}$", "$4.5 \\times 10^{-3}$"),
    ("$10^{-2}$", 1e-2, "$1.4 \\times 10^{-2}$", "$4.5 \\times 10^{-5}$"),
    ("$10^{-3}$", 1e-3, "$1.4 \\times 10^{-3}$", "$4.5 \\times 10^{-7}$"),
    ("$10^{-5}$", 1e-5, "$1.4 \\times 10^{-5}$", "$5.9 \\times 10^{-11}$"),
    ("$10^{-8}$", 1e-8, "$6.6 \\times 10^{-9}$", "$6.6 \\times 10^{-9}$"),
    ("$10^{-11}$", 1e-11, "$3.3 \\times 10^{-5}$", "$1.0 \\times 10^{-5}$"),
    ("$10^{-13}$", 1e-13, "$4.6 \\times 10^{-4}$", "$4.6 \\times 10^{-4}$"),
]
_A8 = np.array([[1.0, 2], [0, 3]])


def _rel8(g):
    f = lambda x: x @ _A8 @ x  # noqa: E731
    gn = num_grad(f, np.ones(2), 1e-6)
    return np.linalg.norm(np.subtract(g, gn)) / (np.linalg.norm(g) + np.linalg.norm(gn))


def fact(lesson, fragment, computed, stated, tol=5e-5, *, id):
    """A number printed in a lesson: the fragment must appear in the lesson's text, and the
    recomputed value must match the stated one to within tol (half a unit in the last digit
    shown, unless the lesson says "about")."""
    return pytest.param(lesson, fragment, computed, stated, tol, id=id)


# (lesson, text that must appear in the lesson, recomputed value, value stated in the text)
WORKED_NUMBERS = [
    # lesson 1: f'(1) for the three-part example
    fact(1, r"4e \approx 10.8731", 4 * np.e, 10.8731, id="L1 4e"),
    fact(1, r"2\cos 1 \approx 1.0806", 2 * np.cos(1), 1.0806, id="L1 2cos1"),
    fact(1, r"f'(1) \approx 23.9537", _df1(1.0), 23.9537, id="L1 f'(1)"),
    fact(
        1,
        "agrees with it to about five significant figures",
        (_f1(1.001) - _f1(0.999)) / 0.002,
        23.9537,
        id="L1 central difference at 1",
    ),
    fact(1, r"\sigma'(0) = 1/4", sigmoid(0) * (1 - sigmoid(0)), 0.25, id="L1 sigmoid'(0)"),
    # lesson 2: the 3x2 Jacobian at (1, 2)
    fact(2, "y = (3, 2, 5)", _l2_curve(np.array([1.0, 2])), [3, 2, 5], id="L2 y(1,2)"),
    fact(
        2,
        r"\begin{bmatrix} 2 & 1 \\ 2 & 1 \\ 1 & 2 \end{bmatrix}",
        num_jac(_l2_curve, np.array([1.0, 2])),
        [[2, 1], [2, 1], [1, 2]],
        id="L2 J(1,2)",
    ),
    fact(
        2,
        "(3.2, 2.2, 5.1)",
        _l2_curve(np.array([1.0, 2])) + num_jac(_l2_curve, np.array([1.0, 2])) @ [0.1, 0],
        [3.2, 2.2, 5.1],
        id="L2 linear prediction",
    ),
    fact(
        2, "(3.21, 2.2, 5.1)", _l2_curve(np.array([1.1, 2])), [3.21, 2.2, 5.1], id="L2 true value"
    ),
    fact(
        2,
        "shrink by a factor of 4",
        (_l2_curve(np.array([1.1, 2]))[0] - 3.2)
        / (_l2_curve(np.array([1.05, 2]))[0] - (3 + 2 * 0.05)),
        4.0,
        id="L2 error ratio when halving the step",
    ),
    fact(2, "it is $(2, 4)$", [2 * 1.0, 4 * 1.0], [2, 4], id="L2 gradient at (1,1)"),
    # lesson 3: quadratic form example
    fact(3, "At $x = (1,1)$, $f = 6$", _xq @ _Aq @ _xq, 6, id="L3 x^T A x"),
    fact(
        3,
        "(A + A^\\top)x = (2 + 2,\\ 2 + 6) = (4, 8)",
        (_Aq + _Aq.T) @ _xq,
        [4, 8],
        id="L3 (A+A^T)x",
    ),
    fact(3, "= (6, 6)", 2 * _Aq @ _xq, [6, 6], id="L3 wrong 2Ax"),
    # lesson 3: least squares example
    fact(3, "and the loss is $L = 1 + 1 + 0 = 2$", _ls([0, 1]), 2, id="L3 L(0,1)"),
    fact(3, "So $X^\\top r = (-2, -1)$", _X3.T @ (_X3 @ [0, 1] - _y3), [-2, -1], id="L3 X^T r"),
    fact(
        3,
        "\\nabla_w L = 2X^\\top r = (-4, -2)",
        2 * _X3.T @ (_X3 @ [0, 1] - _y3),
        [-4, -2],
        id="L3 gradient",
    ),
    fact(3, "$L(0.1, 1) = 1.63$", _ls([0.1, 1]), 1.63, id="L3 L(0.1,1)"),
    fact(3, "$L(-0.1, 1) = 2.43$", _ls([-0.1, 1]), 2.43, id="L3 L(-0.1,1)"),
    fact(3, "$L(0, 1.1) = 1.85$", _ls([0, 1.1]), 1.85, id="L3 L(0,1.1)"),
    fact(3, "$L(0, 0.9) = 2.25$", _ls([0, 0.9]), 2.25, id="L3 L(0,0.9)"),
    fact(
        3,
        "(1.63 - 2.43)/0.2 = -4",
        (_ls([0.1, 1]) - _ls([-0.1, 1])) / 0.2,
        -4,
        id="L3 central difference w1",
    ),
    fact(
        3,
        "(1.85 - 2.25)/0.2 = -2",
        (_ls([0, 1.1]) - _ls([0, 0.9])) / 0.2,
        -2,
        id="L3 central difference w2",
    ),
    fact(3, "X^\\top y = (5, 6)", _X3.T @ _y3, [5, 6], id="L3 X^T y"),
    fact(
        3,
        "\\begin{bmatrix} 3 & 3 \\\\ 3 & 5 \\end{bmatrix}",
        _X3.T @ _X3,
        [[3, 3], [3, 5]],
        id="L3 X^T X",
    ),
    fact(
        3,
        "w^\\star = (7/6,\\ 1/2)",
        np.linalg.solve(_X3.T @ _X3, _X3.T @ _y3),
        [7 / 6, 1 / 2],
        id="L3 normal equations",
    ),
    fact(
        3,
        "the residual is $(1/6, -1/3, 1/6)$",
        _X3 @ [7 / 6, 1 / 2] - _y3,
        [1 / 6, -1 / 3, 1 / 6],
        id="L3 residual at w*",
    ),
    fact(3, "the loss is $1/6$", _ls([7 / 6, 1 / 2]), 1 / 6, id="L3 loss at w*"),
    fact(
        3,
        "(-4, -2) + 2\\,(0, 1) = (-4, 0)",
        2 * _X3.T @ (_X3 @ [0, 1] - _y3) + 2 * np.array([0, 1]),
        [-4, 0],
        id="L3 ridge gradient",
    ),
    fact(
        3,
        "the ridge solution is $w = (0.8, 0.6)$",
        np.linalg.solve(_X3.T @ _X3 + np.eye(2), _X3.T @ _y3),
        [0.8, 0.6],
        id="L3 ridge solution",
    ),
    # lesson 4: tr(AX) by hand
    fact(
        4,
        "are $1, 3, 2, 4$",
        num_grad(lambda X: np.trace(np.array([[1.0, 2], [3, 4]]) @ X), np.eye(2)),
        [[1, 3], [2, 4]],
        id="L4 tr(AX) entries",
    ),
    # lesson 5: det of [[3,1],[2,4]]
    fact(5, r"\det X = 3 \cdot 4 - 1 \cdot 2 = 10", np.linalg.det(_X5), 10, id="L5 det"),
    fact(
        5,
        r"X^{-1} = \frac{1}{10}\begin{bmatrix} 4 & -1 \\ -2 & 3 \end{bmatrix}",
        10 * np.linalg.inv(_X5),
        [[4, -1], [-2, 3]],
        id="L5 inverse",
    ),
    fact(
        5,
        r"= \begin{bmatrix} 4 & -2 \\ -1 & 3 \end{bmatrix}.",
        num_grad(np.linalg.det, _X5),
        [[4, -2], [-1, 3]],
        id="L5 grad det",
    ),
    fact(
        5,
        r"$3 \cdot 4 - 1.1 \cdot 2 = 9.8$",
        np.linalg.det(_X5 + [[0, 0.1], [0, 0]]),
        9.8,
        id="L5 perturbed det",
    ),
    fact(
        5,
        r"\begin{bmatrix} 0.4 & -0.2 \\ -0.1 & 0.3 \end{bmatrix}",
        num_grad(lambda X: np.log(np.linalg.det(X)), _X5),
        [[0.4, -0.2], [-0.1, 0.3]],
        id="L5 grad log det",
    ),
    # lesson 5: the two-dimensional Gaussian
    fact(
        5,
        r"\hat\mu = \frac13 (1 + 3 + 2,\ 0 + 2 + 4) = (2, 2)",
        _P5.mean(axis=0),
        [2, 2],
        id="L5 mean",
    ),
    fact(
        5,
        r"\begin{bmatrix} 2 & 2 \\ 2 & 8 \end{bmatrix}",
        (_P5 - 2).T @ (_P5 - 2),
        [[2, 2], [2, 8]],
        id="L5 scatter",
    ),
    fact(
        5,
        r"\begin{bmatrix} 0.5 & -1 \\ -1 & -2.5 \end{bmatrix}",
        num_grad(lambda S: _gauss_nll(_P5, np.array([2.0, 2]), S), np.eye(2)),
        [[0.5, -1], [-1, -2.5]],
        id="L5 grad at Sigma=I",
    ),
    fact(
        5,
        r"\begin{bmatrix} 2/3 & 2/3 \\ 2/3 & 8/3 \end{bmatrix}",
        np.cov(_P5.T, bias=True),
        [[2 / 3, 2 / 3], [2 / 3, 8 / 3]],
        id="L5 MLE cov",
    ),
    # lesson 6: the backward pass by hand
    fact(6, "z = Wx + b = (1 + 2,\\ 3 + 4) = (3, 7)", _W6 @ _x6, [3, 7], id="L6 z"),
    fact(6, "L = \\frac12 (4 + 16) = 10", _dense6(_W6, _b6)[0], 10, id="L6 loss"),
    fact(
        6,
        "\\begin{bmatrix} -2 & -2 \\\\ -4 & -4 \\end{bmatrix}",
        num_grad(lambda W: _dense6(W, _b6)[0], _W6),
        [[-2, -2], [-4, -4]],
        id="L6 grad W",
    ),
    fact(
        6,
        "\\nabla_b L = \\delta = (-2, -4)",
        num_grad(lambda b: _dense6(_W6, b)[0], _b6),
        [-2, -4],
        id="L6 grad b",
    ),
    fact(
        6,
        "= (-2 - 12,\\ -4 - 16) = (-14, -20)",
        num_grad(lambda x: _dense6(_W6, _b6, x)[0], _x6),
        [-14, -20],
        id="L6 grad x",
    ),
    fact(
        6,
        "\\begin{bmatrix} 1.2 & 2.2 \\\\ 3.4 & 4.4 \\end{bmatrix}",
        _W6 - 0.1 * num_grad(lambda W: _dense6(W, _b6)[0], _W6),
        [[1.2, 2.2], [3.4, 4.4]],
        id="L6 updated W",
    ),
    fact(6, "= (3.6, 8.2)", _W6_new @ _x6 + _b6_new, [3.6, 8.2], id="L6 new z"),
    fact(6, "L = \\frac12(1.96 + 7.84) = 4.9", _dense6(_W6_new, _b6_new)[0], 4.9, id="L6 new loss"),
    fact(
        6,
        "Then $\\nabla_W L = \\begin{bmatrix} -2 & -2 \\\\ 0 & 0 \\end{bmatrix}$",
        num_grad(lambda W: _dense6(W, np.array([0.0, -8]))[0], _W6),
        [[-2, -2], [0, 0]],
        id="L6 dead unit grad W",
    ),
    fact(
        6,
        "\\nabla_x L = W^\\top \\delta = (-2, -4)",
        num_grad(lambda x: _dense6(_W6, np.array([0.0, -8]), x)[0], _x6),
        [-2, -4],
        id="L6 dead unit grad x",
    ),
    fact(
        6,
        "s \\approx (0.090, 0.245, 0.665)",
        softmax(np.array([1.0, 2, 3])),
        [0.090, 0.245, 0.665],
        5e-4,
        id="L6 softmax(1,2,3)",
    ),
    fact(
        6,
        "s - y \\approx (0.090, 0.245, -0.335)",
        num_grad(lambda z: -np.log(softmax(z)[2]), np.array([1.0, 2, 3])),
        [0.090, 0.245, -0.335],
        5e-4,
        id="L6 cross-entropy gradient",
    ),
    # lesson 7: Newton's method
    fact(
        7,
        "they are about $1.38$ and $3.62$",
        np.linalg.eigvalsh(_A7),
        [1.38, 3.62],
        5e-3,
        id="L7 eigenvalues of A",
    ),
    fact(
        7,
        "\\nabla f(x_0) = (3, 4) - (1, 2) = (2, 2)",
        _A7 @ [1, 1] - _b7,
        [2, 2],
        id="L7 gradient at x0",
    ),
    fact(7, "f(x_0) = \\tfrac12 \\cdot 7 - 3 = 0.5", _f7([1, 1]), 0.5, id="L7 f(x0)"),
    fact(
        7,
        "h = -\\tfrac15 (6 - 2,\\ -2 + 4) = (-0.8, -0.4)",
        -np.linalg.solve(_A7, _A7 @ [1, 1] - _b7),
        [-0.8, -0.4],
        id="L7 Newton step",
    ),
    fact(7, "x_1 = x_0 + h = (0.2, 0.6)", np.linalg.solve(_A7, _b7), [0.2, 0.6], id="L7 minimiser"),
    fact(7, "f(x_1) = -0.7", _f7([0.2, 0.6]), -0.7, id="L7 f(x1)"),
    fact(
        7,
        "goes to $(0.8, 0.8)$, where $f = -0.16$",
        _f7([0.8, 0.8]),
        -0.16,
        id="L7 gradient-descent step",
    ),
    fact(
        7,
        "\\det H = 4 - 9 < 0",
        np.linalg.det([[2, 3], [3, 2]]),
        -5,
        id="L7 det of the saddle Hessian",
    ),
    fact(
        7,
        "gives $1$, then $0.7358$, then $0.69404$, then $0.6931476$",
        _newton7(4),
        [1, 0.7358, 0.69404, 0.6931476],
        id="L7 Newton on e^x - 2x",
    ),
    fact(
        7,
        "$0.3$, $0.04$, $0.0009$ and $4 \\times 10^{-7}$",
        np.abs(np.array(_newton7(4)) - np.log(2)) / [0.3, 0.04, 0.0009, 4e-7],
        1,
        0.1,
        id="L7 Newton errors (about)",
    ),
    # lesson 8: the error table for e^x at 1 (two significant figures)
    *[
        fact(
            8,
            f"| {row} | {fw} | {ce} |",
            _mantissas(h, fw, ce),
            [_sci(fw)[0], _sci(ce)[0]],
            0.05,
            id=f"L8 table h={h:g}",
        )
        for row, h, fw, ce in _TABLE8
    ],
    fact(
        8,
        "\\frac{h}{2} f''(1) = 0.05\\,e \\approx 0.14",
        0.05 * np.e,
        0.14,
        0.005,
        id="L8 forward constant",
    ),
    fact(
        8,
        "\\frac{0.01}{6}\\, e \\approx 0.0045",
        0.01 / 6 * np.e,
        0.0045,
        5e-5,
        id="L8 central constant",
    ),
    fact(
        8,
        "\\varepsilon^{1/3} \\approx 6 \\times 10^{-6}",
        np.finfo(float).eps ** (1 / 3),
        6e-6,
        1e-7,
        id="L8 eps^(1/3)",
    ),
    fact(
        8,
        "\\varepsilon^{2/3} \\approx 2 \\times 10^{-5}",
        np.finfo(np.float32).eps ** (2 / 3) / 2e-5,
        1,
        0.25,
        id="L8 float32 eps^(2/3)",
    ),
    fact(8, "with norm $\\sqrt 8 \\approx 2.83$", np.sqrt(8), 2.83, 0.005, id="L8 sqrt 8"),
    fact(8, "\\sqrt{72} \\approx 8.49", np.sqrt(72), 8.49, 0.005, id="L8 sqrt 72"),
    fact(8, "\\sqrt{80} \\approx 8.94", np.sqrt(80), 8.94, 0.005, id="L8 sqrt 80"),
    fact(
        8,
        "\\text{rel} \\approx 2.83 / 17.43 \\approx 0.16",
        _rel8([6, 6]),
        0.16,
        0.005,
        id="L8 relative error of the bug",
    ),
    fact(
        8,
        "the relative error drops below $10^{-9}$",
        _rel8([4, 8]) < 1e-9,
        True,
        id="L8 relative error of the fix",
    ),
]


@pytest.mark.parametrize(("lesson", "fragment", "computed", "stated", "tol"), WORKED_NUMBERS)
def test_worked_number(lesson: int, fragment: str, computed, stated, tol: float) -> None:
    assert fragment in course_text(), f"no lesson says {fragment!r} (it was in lesson {lesson})"
    computed, stated = np.asarray(computed, float), np.asarray(stated, float)
    np.testing.assert_allclose(computed, stated, rtol=0, atol=tol)
